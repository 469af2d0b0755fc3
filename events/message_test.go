package events

import (
	"encoding/json"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSQSAttributes(t *testing.T) {
	ev := load[awsevents.SQSEvent](t, "sqs.json")
	m := ev.Records[0]
	tenant, ok := SQSAttribute(m, "tenant")
	require.True(t, ok)
	assert.Equal(t, MessageAttribute{DataType: "String", StringValue: "acme"}, tenant)
	prio, _ := SQSAttribute(m, "priority")
	n, err := prio.Int64()
	require.NoError(t, err)
	assert.Equal(t, int64(3), n)
	w, _ := SQSAttribute(m, "weight")
	assert.Equal(t, "Number", w.BaseType())
	f, err := w.Float64()
	require.NoError(t, err)
	assert.Equal(t, 1.25, f)
	_, err = w.Int64()
	assert.ErrorContains(t, err, `"1.25" is not an int64`)
	sum, _ := SQSAttribute(m, "checksum")
	assert.Equal(t, []byte{0x0f, 0x34, 0x3b}, sum.BinaryValue)
	_, err = sum.Number()
	assert.ErrorContains(t, err, `"Binary" is not a Number`)
	_, ok = SQSAttribute(m, "absent")
	assert.False(t, ok)
	assert.Len(t, SQSAttributes(m), 4)
	_, err = MessageAttribute{DataType: "Number", StringValue: "x"}.Number()
	assert.ErrorContains(t, err, "not a number")
}

func TestSQSBody(t *testing.T) {
	ev := load[awsevents.SQSEvent](t, "sqs.json")
	o, err := SQSBodyJSON[testOrder](ev.Records[0])
	require.NoError(t, err)
	assert.Equal(t, "ord-1001", o.ID)
	_, err = SQSBodyJSON[testOrder](ev.Records[1])
	checkErr(t, err, "sqs", -1, "body", ErrBadJSON)
	_, err = SQSBodiesJSON[testOrder](ev)
	checkErr(t, err, "sqs", 1, "body", ErrBadJSON)
	all, err := SQSBodiesJSON[testOrder](awsevents.SQSEvent{Records: ev.Records[:1]})
	require.NoError(t, err)
	assert.Len(t, all, 1)
}

func TestSNS(t *testing.T) {
	ev := load[awsevents.SNSEvent](t, "sns.json")
	e := ev.Records[0].SNS
	o, err := SNSMessageJSON[testOrder](e)
	require.NoError(t, err)
	assert.Equal(t, "c-42", o.Customer)
	attrs, err := SNSAttributes(e)
	require.NoError(t, err)
	assert.Equal(t, "acme", attrs["tenant"].StringValue)
	n, err := attrs["priority"].Number()
	require.NoError(t, err)
	assert.Equal(t, json.Number("3"), n)
	arr, err := attrs["regions"].StringArray()
	require.NoError(t, err)
	assert.Equal(t, []any{"eu-west-3", "eu-central-1"}, arr)
	assert.Equal(t, []byte{1, 2}, attrs["sig"].BinaryValue)
	_, err = attrs["tenant"].StringArray()
	assert.Error(t, err)

	e.MessageAttributes["broken"] = map[string]any{"Type": "Binary", "Value": "%%"}
	_, _, err = SNSAttribute(e, "broken")
	checkErr(t, err, "sns", -1, "MessageAttributes.broken", ErrBadBase64)
	e.MessageAttributes["odd"] = "x"
	_, ok, err := SNSAttribute(e, "odd")
	assert.True(t, ok)
	checkErr(t, err, "sns", -1, "MessageAttributes.odd", nil)
	_, ok, err = SNSAttribute(e, "absent")
	assert.False(t, ok)
	assert.NoError(t, err)
	_, err = SNSMessageJSON[testOrder](awsevents.SNSEntity{Message: "x"})
	checkErr(t, err, "sns", -1, "Message", ErrBadJSON)
}

func TestSNSFromSQS(t *testing.T) {
	ev := load[awsevents.SQSEvent](t, "s3_sns_sqs.json")
	n, err := SNSFromSQS(ev.Records[0])
	require.NoError(t, err)
	assert.Equal(t, "Amazon S3 Notification", n.Subject)
	assert.Equal(t, "https://sns.eu-west-3.amazonaws.com/SimpleNotificationService-0000.pem", n.SigningCertURL)
	a, ok, err := SNSAttribute(n, "priority")
	require.NoError(t, err)
	require.True(t, ok)
	i, _ := a.Int64()
	assert.Equal(t, int64(3), i)
	_, err = SNSFromSQS(awsevents.SQSMessage{Body: `{"hello":"world"}`})
	checkErr(t, err, "sqs", -1, "body", ErrBadJSON)
}
