package events

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCognitoCustomSenders(t *testing.T) {
	email := roundTrip[CognitoCustomSenderEvent](t, "cognito_email_sender.json")
	assert.True(t, email.IsEmail())
	assert.Equal(t, "CustomEmailSender_SignUp", email.TriggerSource)
	assert.Equal(t, true, email.Request.UserAttributes["email_verified"])
	assert.Equal(t, "signup", email.Request.ClientMetadata["flow"])
	assert.Equal(t, "6q1v2r3s4t5u6v7w8x9y0z", email.CallerContext.ClientID)
	sms := roundTrip[CognitoCustomSenderEvent](t, "cognito_sms_sender.json")
	assert.False(t, sms.IsEmail())
	assert.Equal(t, "+33600000000", sms.Request.UserAttributes["phone_number"])
	assert.Equal(t, "AYADeBgcM2Vu", sms.Request.Code)
}
