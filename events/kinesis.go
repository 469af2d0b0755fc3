package events

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strconv"

	awsevents "github.com/aws/aws-lambda-go/events"
)

// KinesisText is the data of a Kinesis record as text (aws-lambda-go has already decoded the base64:
// r.Kinesis.Data is the bytes).
func KinesisText(r awsevents.KinesisEventRecord) string { return string(r.Kinesis.Data) }

// KinesisJSON decodes the data of a Kinesis record as JSON into T. Bad JSON is a *DecodeError wrapping
// ErrBadJSON.
func KinesisJSON[T any](r awsevents.KinesisEventRecord) (T, error) {
	var v T
	if err := json.Unmarshal(r.Kinesis.Data, &v); err != nil {
		return v, eventsDecodeErr("kinesis", -1, "data", eventsKind(ErrBadJSON, err))
	}
	return v, nil
}

// KinesisCloudWatchLogs decodes a Kinesis record carrying a CloudWatch Logs subscription (gzip
// compressed JSON): the log group, stream and events. Broken gzip or bad JSON is a *DecodeError wrapping
// ErrBadGzip or ErrBadJSON.
func KinesisCloudWatchLogs(r awsevents.KinesisEventRecord) (awsevents.CloudwatchLogsData, error) {
	d, err := cwlGunzipJSON(r.Kinesis.Data)
	if err != nil {
		return d, eventsDecodeErr("kinesis", -1, "data", err)
	}
	return d, nil
}

// FirehoseText is the data of a Firehose record as text.
func FirehoseText(r awsevents.KinesisFirehoseEventRecord) string { return string(r.Data) }

// FirehoseJSON decodes the data of a Firehose record as JSON into T.
func FirehoseJSON[T any](r awsevents.KinesisFirehoseEventRecord) (T, error) {
	var v T
	if err := json.Unmarshal(r.Data, &v); err != nil {
		return v, eventsDecodeErr("firehose", -1, "data of "+quoteField(r.RecordID), eventsKind(ErrBadJSON, err))
	}
	return v, nil
}

// Firehose transformation results.
const (
	FirehoseOk               = awsevents.KinesisFirehoseTransformedStateOk
	FirehoseDropped          = awsevents.KinesisFirehoseTransformedStateDropped
	FirehoseProcessingFailed = awsevents.KinesisFirehoseTransformedStateProcessingFailed
)

// FirehoseResponse builds the response of a Firehose data transformation function, as the Python
// edition's KinesisFirehoseDataTransformationResponse: one record per input record, by record id.
type FirehoseResponse struct {
	resp awsevents.KinesisFirehoseResponse
}

// NewFirehoseResponse starts an empty response.
func NewFirehoseResponse() *FirehoseResponse {
	return &FirehoseResponse{resp: awsevents.KinesisFirehoseResponse{Records: []awsevents.KinesisFirehoseResponseRecord{}}}
}

// Ok records a transformed record.
func (b *FirehoseResponse) Ok(recordID string, data []byte) *FirehoseResponse {
	return b.add(recordID, FirehoseOk, data, nil)
}

// OkJSON records a transformed record whose data is v encoded as JSON.
func (b *FirehoseResponse) OkJSON(recordID string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return errors.New("powertools: firehose record " + quoteField(recordID) + ": " + err.Error())
	}
	b.add(recordID, FirehoseOk, data, nil)
	return nil
}

// OkPartitioned records a transformed record with the partition keys of dynamic partitioning.
func (b *FirehoseResponse) OkPartitioned(recordID string, data []byte, partitionKeys map[string]string) *FirehoseResponse {
	return b.add(recordID, FirehoseOk, data, partitionKeys)
}

// Dropped records a record the transformation drops.
func (b *FirehoseResponse) Dropped(recordID string) *FirehoseResponse {
	return b.add(recordID, FirehoseDropped, nil, nil)
}

// ProcessingFailed records a record the transformation could not process; Firehose delivers data (the
// original record, usually) to the error output.
func (b *FirehoseResponse) ProcessingFailed(recordID string, data []byte) *FirehoseResponse {
	return b.add(recordID, FirehoseProcessingFailed, data, nil)
}

func (b *FirehoseResponse) add(id, result string, data []byte, keys map[string]string) *FirehoseResponse {
	r := awsevents.KinesisFirehoseResponseRecord{RecordID: id, Result: result, Data: data}
	if keys != nil {
		r.Metadata.PartitionKeys = keys
	}
	b.resp.Records = append(b.resp.Records, r)
	return b
}

// Response is the response to return. aws-lambda-go encodes each record's data in base64.
func (b *FirehoseResponse) Response() awsevents.KinesisFirehoseResponse { return b.resp }

// CloudWatchLogsMaxSize bounds the decompressed size of CloudWatch Logs data: a payload that inflates
// beyond it is an error wrapping ErrBadGzip, not an out-of-memory crash. 64 MiB: a subscription
// delivers at most about 1 MiB compressed.
const CloudWatchLogsMaxSize = 64 << 20

// CloudWatchLogs decodes the data of a CloudWatch Logs subscription event (base64 of gzip of JSON): the
// log group, stream and events. Unlike aws-lambda-go's Parse, each failure names its step: a
// *DecodeError wrapping ErrBadBase64, ErrBadGzip or ErrBadJSON.
func CloudWatchLogs(e awsevents.CloudwatchLogsEvent) (awsevents.CloudwatchLogsData, error) {
	return DecodeCloudWatchLogsData(e.AWSLogs.Data)
}

// DecodeCloudWatchLogsData is CloudWatchLogs for the data string alone.
func DecodeCloudWatchLogsData(data string) (awsevents.CloudwatchLogsData, error) {
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return awsevents.CloudwatchLogsData{}, eventsDecodeErr("cloudwatch logs", -1, "awslogs.data", eventsKind(ErrBadBase64, err))
	}
	d, err := cwlGunzipJSON(raw)
	if err != nil {
		return d, eventsDecodeErr("cloudwatch logs", -1, "awslogs.data", err)
	}
	return d, nil
}

// CloudWatchLogJSON decodes the message of a log event as JSON into T (a structured log line).
func CloudWatchLogJSON[T any](ev awsevents.CloudwatchLogsLogEvent) (T, error) {
	var v T
	if err := json.Unmarshal([]byte(ev.Message), &v); err != nil {
		return v, eventsDecodeErr("cloudwatch logs", -1, "message of log event "+quoteField(ev.ID), eventsKind(ErrBadJSON, err))
	}
	return v, nil
}

// cwlLimit is CloudWatchLogsMaxSize; tests lower it.
var cwlLimit = CloudWatchLogsMaxSize

func cwlGunzipJSON(gz []byte) (awsevents.CloudwatchLogsData, error) {
	var d awsevents.CloudwatchLogsData
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return d, eventsKind(ErrBadGzip, err)
	}
	plain, err := io.ReadAll(io.LimitReader(zr, int64(cwlLimit)+1))
	if err != nil {
		return d, eventsKind(ErrBadGzip, err)
	}
	if len(plain) > cwlLimit {
		return d, eventsKind(ErrBadGzip, errors.New("inflates beyond "+strconv.Itoa(cwlLimit)+" bytes"))
	}
	if err := json.Unmarshal(plain, &d); err != nil {
		return d, eventsKind(ErrBadJSON, err)
	}
	return d, nil
}
