package events

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gopowertools/powertools/internal/ddbimage"
)

// Sentinel errors: errors.Is finds them in every error of this package.
var (
	// ErrBadBase64 reports data or a body that is not valid standard base64.
	ErrBadBase64 = errors.New("powertools: malformed base64")
	// ErrBadGzip reports compressed data that is not valid gzip.
	ErrBadGzip = errors.New("powertools: malformed gzip")
	// ErrBadJSON reports text that is not the JSON the helper expects.
	ErrBadJSON = errors.New("powertools: malformed JSON")
	// ErrBadEscape reports a malformed percent escape ("%zz") in an S3 key.
	ErrBadEscape = errors.New("powertools: malformed percent escape")
	// ErrBadAttribute reports a malformed DynamoDB attribute value: no type or two, content that does
	// not match its type, a zero events.DynamoDBAttributeValue, a number that is not a number.
	ErrBadAttribute = ddbimage.ErrBadAttribute
	// ErrBadARN reports a method ARN that is not arn:aws:execute-api:region:account:api/stage/verb/path.
	ErrBadARN = errors.New("powertools: malformed method ARN")
	// ErrNotS3 reports a message whose payload is not an S3 event notification.
	ErrNotS3 = errors.New("powertools: not an S3 event notification")
)

// DecodeError reports a value of an event that could not be decoded, and where it is.
type DecodeError struct {
	// Source is the event source: "sqs", "sns", "kinesis", "firehose", "dynamodb", "kafka", ...
	Source string
	// Record is the index of the record in its event, -1 for a value that is not in a record list.
	Record int
	// Field names the value: "body", "data", "NewImage", "key" ... with a path where it has one.
	Field string
	// Err is the cause; errors.Is finds the package's sentinel errors through it.
	Err error
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("powertools: decode ")
	b.WriteString(e.Source)
	if e.Record >= 0 {
		b.WriteString(" record ")
		b.WriteString(strconv.Itoa(e.Record))
	}
	if e.Field != "" {
		b.WriteString(" ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "powertools: "))
	return b.String()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// eventsErr is a cause classified by a sentinel: its message is the sentinel's followed by the cause's
// (whose own prefix is dropped, so the message has one).
type eventsErr struct {
	kind  error
	cause error
}

func (e *eventsErr) Error() string {
	k := e.kind.Error()
	if e.cause == nil {
		return k
	}
	return k + ": " + strings.TrimPrefix(e.cause.Error(), "powertools: ")
}

func (e *eventsErr) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

func eventsKind(kind, cause error) error { return &eventsErr{kind: kind, cause: cause} }

func eventsDecodeErr(source string, record int, field string, err error) error {
	return &DecodeError{Source: source, Record: record, Field: field, Err: err}
}
