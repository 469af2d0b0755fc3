package events

import (
	"encoding/json"
	"strings"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeS3Key(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"invoice+ord-1001+%28copy%29.pdf", "invoice ord-1001 (copy).pdf", ""},
		{"caf%C3%A9+cr%C3%A8me.txt", "café crème.txt", ""},
		{"a%2Bb", "a+b", ""},
		{"plain/key.json", "plain/key.json", ""},
		{"", "", ""},
		{"bad%zzescape", "", `S3 key "bad%zzescape": invalid URL escape "%zz"`},
		{"trailing%", "", `invalid URL escape "%"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := DecodeS3Key(tt.in)
			if tt.err != "" {
				assert.ErrorIs(t, err, ErrBadEscape)
				assert.ErrorContains(t, err, tt.err)
				assert.Equal(t, 1, strings.Count(err.Error(), "powertools:"), err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestS3Keys(t *testing.T) {
	ev := load[awsevents.S3Event](t, "s3.json")
	keys, err := S3Keys(ev)
	require.NoError(t, err)
	assert.Equal(t, []string{"2026/03/invoice ord-1001 (copy).pdf", "2026/03/café crème.txt"}, keys)
	ev.Records[1].S3.Object.Key = "x%G1"
	_, err = S3Keys(ev)
	checkErr(t, err, "s3", 1, "object key", ErrBadEscape)
}

func TestS3Unwrap(t *testing.T) {
	sqs := load[awsevents.SQSEvent](t, "s3_sqs.json")
	ev, err := S3FromSQS(sqs.Records[0])
	require.NoError(t, err)
	require.Len(t, ev.Records, 2)
	assert.Equal(t, "acme-invoices", ev.Records[0].S3.Bucket.Name)
	assert.Equal(t, "2026/03/invoice ord-1001 (copy).pdf", ev.Records[0].S3.Object.URLDecodedKey)

	// The s3:TestEvent S3 sends when the notification is configured: skip it with errors.Is.
	_, err = S3FromSQS(sqs.Records[1])
	checkErr(t, err, "sqs", -1, "body", ErrNotS3)

	nested := load[awsevents.SQSEvent](t, "s3_sns_sqs.json")
	ev, err = S3FromSNSInSQS(nested.Records[0])
	require.NoError(t, err)
	assert.Equal(t, "ObjectCreated:Put", ev.Records[1].EventName)
	n, err := SNSFromSQS(nested.Records[0])
	require.NoError(t, err)
	ev2, err := S3FromSNS(awsevents.SNSEventRecord{SNS: n})
	require.NoError(t, err)
	assert.Equal(t, ev, ev2)

	eb := load[awsevents.EventBridgeEvent](t, "s3_eventbridge.json")
	d, err := S3FromEventBridge(eb)
	require.NoError(t, err)
	assert.Equal(t, "2026/03/invoice ord-1001.pdf", d.Object.Key)
	assert.Equal(t, int64(48213), d.Object.Size)
	assert.Equal(t, "IYV3p45BT0ac8hjHg1houSdS1a.Mppz", d.Object.VersionID)
	assert.Equal(t, "PutObject", d.Reason)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(eb.Detail, &raw))
	out, _ := json.Marshal(d)
	assert.JSONEq(t, string(eb.Detail), string(out), "the detail round-trips")
}

func TestS3UnwrapErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       error
	}{
		{"not JSON", "{", ErrBadJSON},
		{"bad key escape", `{"Records":[{"eventSource":"aws:s3","s3":{"object":{"key":"a%zz"}}}]}`, ErrBadEscape},
		{"not from S3", `{"Records":[{"eventSource":"aws:sqs"}]}`, ErrNotS3},
		{"no records", `{}`, ErrNotS3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := S3FromSQS(awsevents.SQSMessage{Body: tt.body})
			checkErr(t, err, "sqs", -1, "body", tt.want)
		})
	}
	_, err := S3FromSNSInSQS(awsevents.SQSMessage{Body: `{"Type":"Notification"}`})
	checkErr(t, err, "sqs", -1, "body", ErrBadJSON)
	_, err = S3FromEventBridge(awsevents.EventBridgeEvent{Source: "aws.ec2"})
	checkErr(t, err, "eventbridge", -1, "detail", ErrNotS3)
	_, err = S3FromEventBridge(awsevents.EventBridgeEvent{Source: "aws.s3", Detail: json.RawMessage(`[]`)})
	checkErr(t, err, "eventbridge", -1, "detail", ErrBadJSON)
}

func TestS3Batch(t *testing.T) {
	ev := load[awsevents.S3BatchJobEventV2](t, "s3_batch.json")
	key, err := S3BatchKeyV2(ev.Tasks[0])
	require.NoError(t, err)
	assert.Equal(t, "archive/2026/invoice ord-1001.pdf", key)
	k1, err := S3BatchKey(awsevents.S3BatchJobTask{S3Key: "a+b%21"})
	require.NoError(t, err)
	assert.Equal(t, "a b!", k1)

	resp := NewS3BatchResponse(ev.InvocationSchemaVersion, ev.InvocationID).
		Add(ev.Tasks[0].TaskID, S3BatchSucceeded, "archived").
		Add("other", S3BatchTemporaryFailure, "throttled").Response()
	out, _ := json.Marshal(resp)
	assert.JSONEq(t, `{"invocationSchemaVersion":"2.0","treatMissingKeysAs":"PermanentFailure","invocationId":"YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
		"results":[{"taskId":"dGFza2lkZ29lc2hlcmUK","resultCode":"Succeeded","resultString":"archived"},{"taskId":"other","resultCode":"TemporaryFailure","resultString":"throttled"}]}`, string(out))
	empty := NewS3BatchResponse("1.0", "id").TreatMissingKeysAs(S3BatchTemporaryFailure).Response()
	out, _ = json.Marshal(empty)
	assert.JSONEq(t, `{"invocationSchemaVersion":"1.0","treatMissingKeysAs":"TemporaryFailure","invocationId":"id","results":[]}`, string(out))
}

func FuzzDecodeS3Key(f *testing.F) {
	for _, s := range []string{"invoice+ord-1001+%28copy%29.pdf", "caf%C3%A9", "%", "%zz", "a%2", "+++"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		got, err := DecodeS3Key(key)
		if err != nil {
			if !strings.Contains(err.Error(), "S3 key ") {
				t.Fatalf("error does not name the key: %v", err)
			}
			return
		}
		if !strings.Contains(key, "%") && got != strings.ReplaceAll(key, "+", " ") {
			t.Fatalf("%q decoded to %q", key, got)
		}
	})
}
