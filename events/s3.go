package events

import (
	"encoding/json"
	"errors"
	"net/url"
	"strconv"

	awsevents "github.com/aws/aws-lambda-go/events"
)

// DecodeS3Key decodes an object key as S3 encodes it in event notifications and Batch Operations tasks:
// percent escapes, and "+" for a space ("my+report%282026%29.pdf" is "my report(2026).pdf"). A malformed
// escape is an error wrapping ErrBadEscape that quotes the key.
func DecodeS3Key(key string) (string, error) {
	k, err := url.QueryUnescape(key)
	if err != nil {
		return "", eventsKind(ErrBadEscape, errors.New("S3 key "+quoteField(key)+": "+err.Error()))
	}
	return k, nil
}

// S3Keys is the decoded object key of every record of an S3 event notification, in order. A malformed
// key is a *DecodeError naming the record.
func S3Keys(e awsevents.S3Event) ([]string, error) {
	out := make([]string, len(e.Records))
	for i, r := range e.Records {
		k, err := DecodeS3Key(r.S3.Object.Key)
		if err != nil {
			return nil, eventsDecodeErr("s3", i, "object key", err)
		}
		out[i] = k
	}
	return out, nil
}

// S3FromSQS unwraps the S3 event notification carried by an SQS message (an S3 bucket notifying a queue).
// The body of a message S3 sends to test the configuration ("s3:TestEvent") has no records: that is an
// error wrapping ErrNotS3, so a handler can skip it with errors.Is. A body that is not JSON, or an
// object key with a malformed escape (which aws-lambda-go's decoder refuses), is a *DecodeError.
func S3FromSQS(m awsevents.SQSMessage) (awsevents.S3Event, error) {
	return s3Decode("sqs", "body", []byte(m.Body))
}

// S3FromSNS unwraps the S3 event notification carried by an SNS record (an S3 bucket notifying a topic).
func S3FromSNS(r awsevents.SNSEventRecord) (awsevents.S3Event, error) {
	return s3Decode("sns", "Message", []byte(r.SNS.Message))
}

// S3FromSNSInSQS unwraps the S3 event notification carried by an SNS notification carried by an SQS
// message (bucket → topic → queue without raw message delivery).
func S3FromSNSInSQS(m awsevents.SQSMessage) (awsevents.S3Event, error) {
	n, err := SNSFromSQS(m)
	if err != nil {
		return awsevents.S3Event{}, err
	}
	return s3Decode("sns", "Message", []byte(n.Message))
}

func s3Decode(source, field string, data []byte) (awsevents.S3Event, error) {
	var e awsevents.S3Event
	if err := json.Unmarshal(data, &e); err != nil {
		var ue url.EscapeError
		if errors.As(err, &ue) {
			return awsevents.S3Event{}, eventsDecodeErr(source, -1, field, eventsKind(ErrBadEscape, errors.New("S3 object key: "+err.Error())))
		}
		return awsevents.S3Event{}, eventsDecodeErr(source, -1, field, eventsKind(ErrBadJSON, err))
	}
	if len(e.Records) == 0 {
		return awsevents.S3Event{}, eventsDecodeErr(source, -1, field, eventsKind(ErrNotS3, errors.New("no Records (an s3:TestEvent?)")))
	}
	for i, r := range e.Records {
		if r.EventSource != "aws:s3" {
			return awsevents.S3Event{}, eventsDecodeErr(source, -1, field, eventsKind(ErrNotS3, errors.New("record "+strconv.Itoa(i)+" has eventSource "+quoteField(r.EventSource))))
		}
	}
	return e, nil
}

// S3EventBridgeDetail is the detail of an S3 event delivered by Amazon EventBridge ("Object Created",
// "Object Deleted", "Object Restore Completed"...). It matches the Python edition's
// S3EventBridgeNotificationDetail. Fields a detail type does not carry are empty.
type S3EventBridgeDetail struct {
	Version string `json:"version"`
	Bucket  struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		// Key is the object key, not encoded (EventBridge does not percent-encode it).
		Key       string `json:"key"`
		Size      int64  `json:"size,omitempty"`
		ETag      string `json:"etag,omitempty"`
		VersionID string `json:"version-id,omitempty"`
		Sequencer string `json:"sequencer,omitempty"`
	} `json:"object"`
	RequestID               string `json:"request-id"`
	Requester               string `json:"requester"`
	SourceIPAddress         string `json:"source-ip-address,omitempty"`
	Reason                  string `json:"reason,omitempty"`
	DeletionType            string `json:"deletion-type,omitempty"`
	RestoreExpiryTime       string `json:"restore-expiry-time,omitempty"`
	SourceStorageClass      string `json:"source-storage-class,omitempty"`
	DestinationStorageClass string `json:"destination-storage-class,omitempty"`
	DestinationAccessTier   string `json:"destination-access-tier,omitempty"`
}

// S3FromEventBridge decodes the S3 detail of an EventBridge event whose source is "aws.s3"; another
// source is an error wrapping ErrNotS3.
func S3FromEventBridge(e awsevents.EventBridgeEvent) (S3EventBridgeDetail, error) {
	var d S3EventBridgeDetail
	if e.Source != "aws.s3" {
		return d, eventsDecodeErr("eventbridge", -1, "detail", eventsKind(ErrNotS3, errors.New("source "+quoteField(e.Source))))
	}
	if err := json.Unmarshal(e.Detail, &d); err != nil {
		return d, eventsDecodeErr("eventbridge", -1, "detail", eventsKind(ErrBadJSON, err))
	}
	return d, nil
}

// S3 Batch Operations result codes.
const (
	S3BatchSucceeded        = "Succeeded"
	S3BatchTemporaryFailure = "TemporaryFailure"
	S3BatchPermanentFailure = "PermanentFailure"
)

// S3BatchKey is the decoded object key of a Batch Operations task (schema 1.0).
func S3BatchKey(t awsevents.S3BatchJobTask) (string, error) { return DecodeS3Key(t.S3Key) }

// S3BatchKeyV2 is the decoded object key of a Batch Operations task (schema 2.0).
func S3BatchKeyV2(t awsevents.S3BatchJobTaskV2) (string, error) { return DecodeS3Key(t.S3Key) }

// S3BatchResponse builds the response of an S3 Batch Operations function, as the Python edition's
// S3BatchOperationResponse. TreatMissingKeysAs (the result of a task the response leaves out) defaults
// to PermanentFailure.
type S3BatchResponse struct {
	resp awsevents.S3BatchJobResponse
}

// NewS3BatchResponse starts the response to the invocation of an event of schema 1.0 or 2.0.
func NewS3BatchResponse(invocationSchemaVersion, invocationID string) *S3BatchResponse {
	return &S3BatchResponse{resp: awsevents.S3BatchJobResponse{
		InvocationSchemaVersion: invocationSchemaVersion,
		InvocationID:            invocationID,
		TreatMissingKeysAs:      S3BatchPermanentFailure,
		Results:                 []awsevents.S3BatchJobResult{},
	}}
}

// TreatMissingKeysAs sets the result of tasks the response leaves out.
func (b *S3BatchResponse) TreatMissingKeysAs(code string) *S3BatchResponse {
	b.resp.TreatMissingKeysAs = code
	return b
}

// Add records the result of a task.
func (b *S3BatchResponse) Add(taskID, resultCode, resultString string) *S3BatchResponse {
	b.resp.Results = append(b.resp.Results, awsevents.S3BatchJobResult{TaskID: taskID, ResultCode: resultCode, ResultString: resultString})
	return b
}

// Response is the response to return.
func (b *S3BatchResponse) Response() awsevents.S3BatchJobResponse { return b.resp }
