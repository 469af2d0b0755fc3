package events

import awsevents "github.com/aws/aws-lambda-go/events"

// CognitoCustomSenderEvent is the event of a Cognito user pool custom email sender or custom SMS
// sender trigger (TriggerSource "CustomEmailSender_SignUp", "CustomSMSSender_ForgotPassword"...).
// Request.Code is encrypted with the pool's KMS key: decrypt it with the AWS Encryption SDK before
// sending. It matches the Python edition's CustomEmailSenderTriggerEvent and CustomSMSSenderTriggerEvent.
type CognitoCustomSenderEvent struct {
	Version       string                                       `json:"version"`
	TriggerSource string                                       `json:"triggerSource"`
	Region        string                                       `json:"region"`
	UserPoolID    string                                       `json:"userPoolId"`
	UserName      string                                       `json:"userName"`
	CallerContext awsevents.CognitoEventUserPoolsCallerContext `json:"callerContext"`
	Request       CognitoCustomSenderRequest                   `json:"request"`
}

// CognitoCustomSenderRequest is the request of a custom sender trigger.
type CognitoCustomSenderRequest struct {
	// Type is "customEmailSenderRequestV1" or "customSMSSenderRequestV1".
	Type string `json:"type"`
	// Code is the encrypted temporary code (base64).
	Code string `json:"code"`
	// UserAttributes are the user's attributes; values are strings or booleans.
	UserAttributes map[string]any `json:"userAttributes"`
	// ClientMetadata is what the app passed to the API call that triggered the sender.
	ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
}

// IsEmail reports whether the event is of a custom email sender.
func (e CognitoCustomSenderEvent) IsEmail() bool {
	return e.Request.Type == "customEmailSenderRequestV1"
}
