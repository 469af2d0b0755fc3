package events

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	awsevents "github.com/aws/aws-lambda-go/events"
)

// MessageAttribute is an SQS or SNS message attribute with its value typed by its data type: "String",
// "Number" and "Binary", optionally with a custom suffix ("Number.int", "Binary.gzip"), and SNS's
// "String.Array" (a JSON array in StringValue).
type MessageAttribute struct {
	DataType    string
	StringValue string // String, Number and String.Array values
	BinaryValue []byte // Binary values, decoded
}

// BaseType is the data type without its custom suffix: "String", "Number", "Binary" or "String.Array".
func (a MessageAttribute) BaseType() string {
	if strings.HasPrefix(a.DataType, "String.Array") {
		return "String.Array"
	}
	t, _, _ := strings.Cut(a.DataType, ".")
	return t
}

// Number is the value of a Number attribute, exact. Another type, or a value that is not a number, is an
// error.
func (a MessageAttribute) Number() (json.Number, error) {
	if a.BaseType() != "Number" {
		return "", errors.New("powertools: message attribute of type " + quoteField(a.DataType) + " is not a Number")
	}
	if _, err := strconv.ParseFloat(a.StringValue, 64); err != nil {
		return "", eventsKind(errors.New("powertools: message attribute is not a number"), errors.New(quoteField(a.StringValue)))
	}
	return json.Number(a.StringValue), nil
}

// Int64 is the value of a Number attribute as an integer.
func (a MessageAttribute) Int64() (int64, error) {
	n, err := a.Number()
	if err != nil {
		return 0, err
	}
	i, err := n.Int64()
	if err != nil {
		return 0, errors.New("powertools: message attribute " + quoteField(a.StringValue) + " is not an int64")
	}
	return i, nil
}

// Float64 is the value of a Number attribute as a float.
func (a MessageAttribute) Float64() (float64, error) {
	n, err := a.Number()
	if err != nil {
		return 0, err
	}
	return n.Float64()
}

// StringArray is the value of an SNS String.Array attribute (a JSON array of strings, numbers, booleans
// and nulls).
func (a MessageAttribute) StringArray() ([]any, error) {
	if a.BaseType() != "String.Array" {
		return nil, errors.New("powertools: message attribute of type " + quoteField(a.DataType) + " is not a String.Array")
	}
	var out []any
	if err := json.Unmarshal([]byte(a.StringValue), &out); err != nil {
		return nil, eventsKind(ErrBadJSON, err)
	}
	return out, nil
}

// SQSAttribute is the named message attribute of an SQS message, typed.
func SQSAttribute(m awsevents.SQSMessage, name string) (MessageAttribute, bool) {
	a, ok := m.MessageAttributes[name]
	if !ok {
		return MessageAttribute{}, false
	}
	out := MessageAttribute{DataType: a.DataType, BinaryValue: a.BinaryValue}
	if a.StringValue != nil {
		out.StringValue = *a.StringValue
	}
	return out, true
}

// SQSAttributes is every message attribute of an SQS message, typed.
func SQSAttributes(m awsevents.SQSMessage) map[string]MessageAttribute {
	out := make(map[string]MessageAttribute, len(m.MessageAttributes))
	for k := range m.MessageAttributes {
		out[k], _ = SQSAttribute(m, k)
	}
	return out
}

// SNSAttribute is the named message attribute of an SNS notification ({"Type": "String", "Value": "x"}),
// typed; a Binary value is base64 decoded (a malformed one is an error wrapping ErrBadBase64).
func SNSAttribute(e awsevents.SNSEntity, name string) (MessageAttribute, bool, error) {
	raw, ok := e.MessageAttributes[name]
	if !ok {
		return MessageAttribute{}, false, nil
	}
	obj, _ := raw.(map[string]any)
	typ, _ := obj["Type"].(string)
	val, _ := obj["Value"].(string)
	if obj == nil || typ == "" {
		return MessageAttribute{}, true, eventsDecodeErr("sns", -1, "MessageAttributes."+name, errors.New("not a {\"Type\", \"Value\"} object"))
	}
	a := MessageAttribute{DataType: typ}
	if strings.HasPrefix(typ, "Binary") {
		b, err := base64.StdEncoding.DecodeString(val)
		if err != nil {
			return MessageAttribute{}, true, eventsDecodeErr("sns", -1, "MessageAttributes."+name, eventsKind(ErrBadBase64, err))
		}
		a.BinaryValue = b
	} else {
		a.StringValue = val
	}
	return a, true, nil
}

// SNSAttributes is every message attribute of an SNS notification, typed.
func SNSAttributes(e awsevents.SNSEntity) (map[string]MessageAttribute, error) {
	out := make(map[string]MessageAttribute, len(e.MessageAttributes))
	for k := range e.MessageAttributes {
		a, _, err := SNSAttribute(e, k)
		if err != nil {
			return nil, err
		}
		out[k] = a
	}
	return out, nil
}

// SQSBodyJSON decodes the body of an SQS message as JSON into T. Bad JSON is a *DecodeError wrapping
// ErrBadJSON.
func SQSBodyJSON[T any](m awsevents.SQSMessage) (T, error) {
	var v T
	if err := json.Unmarshal([]byte(m.Body), &v); err != nil {
		return v, eventsDecodeErr("sqs", -1, "body", eventsKind(ErrBadJSON, err))
	}
	return v, nil
}

// SQSBodiesJSON decodes the body of every message of an SQS event into T; the first bad one is a
// *DecodeError naming its record.
func SQSBodiesJSON[T any](e awsevents.SQSEvent) ([]T, error) {
	out := make([]T, len(e.Records))
	for i, m := range e.Records {
		if err := json.Unmarshal([]byte(m.Body), &out[i]); err != nil {
			return nil, eventsDecodeErr("sqs", i, "body", eventsKind(ErrBadJSON, err))
		}
	}
	return out, nil
}

// SNSMessageJSON decodes the message of an SNS notification as JSON into T.
func SNSMessageJSON[T any](e awsevents.SNSEntity) (T, error) {
	var v T
	if err := json.Unmarshal([]byte(e.Message), &v); err != nil {
		return v, eventsDecodeErr("sns", -1, "Message", eventsKind(ErrBadJSON, err))
	}
	return v, nil
}

// SNSFromSQS unwraps the SNS notification carried by an SQS message (a topic delivering to a queue
// without raw message delivery). A body that is not an SNS notification is a *DecodeError.
func SNSFromSQS(m awsevents.SQSMessage) (awsevents.SNSEntity, error) {
	var n awsevents.SNSEntity
	if err := json.Unmarshal([]byte(m.Body), &n); err != nil {
		return n, eventsDecodeErr("sqs", -1, "body", eventsKind(ErrBadJSON, err))
	}
	if n.Type == "" || n.TopicArn == "" {
		return awsevents.SNSEntity{}, eventsDecodeErr("sqs", -1, "body", eventsKind(ErrBadJSON, errors.New("not an SNS notification (no Type or TopicArn)")))
	}
	return n, nil
}
