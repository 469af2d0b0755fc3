package events

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKinesis(t *testing.T) {
	ev := load[awsevents.KinesisEvent](t, "kinesis.json")
	o, err := KinesisJSON[testOrder](ev.Records[0])
	require.NoError(t, err)
	assert.Equal(t, "c-42", o.Customer)
	assert.Equal(t, "plain text line", KinesisText(ev.Records[1]))
	_, err = KinesisJSON[testOrder](ev.Records[1])
	checkErr(t, err, "kinesis", -1, "data", ErrBadJSON)
}

func TestKinesisCloudWatchLogs(t *testing.T) {
	ev := load[awsevents.KinesisEvent](t, "kinesis_cloudwatch_logs.json")
	d, err := KinesisCloudWatchLogs(ev.Records[0])
	require.NoError(t, err)
	assert.Equal(t, "/aws/lambda/orders-api", d.LogGroup)
	require.Len(t, d.LogEvents, 2)
	type line struct {
		Level   string `json:"level"`
		OrderID string `json:"order_id"`
	}
	l, err := CloudWatchLogJSON[line](d.LogEvents[0])
	require.NoError(t, err)
	assert.Equal(t, line{"ERROR", "ord-1001"}, l)
	_, err = CloudWatchLogJSON[line](d.LogEvents[1])
	checkErr(t, err, "cloudwatch logs", -1, "38480817223340744431410426547129917813850226133780774913", ErrBadJSON)

	_, err = KinesisCloudWatchLogs(awsevents.KinesisEventRecord{Kinesis: awsevents.KinesisRecord{Data: []byte("not gzip")}})
	checkErr(t, err, "kinesis", -1, "data", ErrBadGzip)
}

func TestCloudWatchLogs(t *testing.T) {
	ev := load[awsevents.CloudwatchLogsEvent](t, "cloudwatch_logs.json")
	d, err := CloudWatchLogs(ev)
	require.NoError(t, err)
	want, err := ev.AWSLogs.Parse() // aws-lambda-go's own decoder agrees
	require.NoError(t, err)
	assert.Equal(t, want, d)
	assert.Equal(t, []string{"errors-to-ops"}, d.SubscriptionFilters)

	gz := func(s string) string {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		_, _ = w.Write([]byte(s))
		_ = w.Close()
		return base64.StdEncoding.EncodeToString(b.Bytes())
	}
	truncated := gz(`{"logGroup":"g"}`)
	raw, _ := base64.StdEncoding.DecodeString(truncated)
	truncated = base64.StdEncoding.EncodeToString(raw[:len(raw)-6])
	tests := []struct {
		name, data string
		want       error
	}{
		{"bad base64", "***", ErrBadBase64},
		{"not gzip", base64.StdEncoding.EncodeToString([]byte("plain")), ErrBadGzip},
		{"truncated gzip", truncated, ErrBadGzip},
		{"gzip of bad JSON", gz("{"), ErrBadJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeCloudWatchLogsData(tt.data)
			checkErr(t, err, "cloudwatch logs", -1, "awslogs.data", tt.want)
		})
	}
}

// TestCloudWatchLogsBomb: data that inflates beyond CloudWatchLogsMaxSize is refused, not read whole
// (with the limit lowered to 4 MiB, so the test stays quick under -race).
func TestCloudWatchLogsBomb(t *testing.T) {
	defer func(old int) { cwlLimit = old }(cwlLimit)
	cwlLimit = 4 << 20
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = w.Write([]byte(`{"logGroup":"`))
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for range cwlLimit>>20 + 1 {
		_, _ = w.Write(chunk)
	}
	_ = w.Close()
	_, err := DecodeCloudWatchLogsData(base64.StdEncoding.EncodeToString(b.Bytes()))
	checkErr(t, err, "cloudwatch logs", -1, "awslogs.data", ErrBadGzip)
	assert.Contains(t, err.Error(), "inflates beyond")
}

func TestFirehose(t *testing.T) {
	ev := load[awsevents.KinesisFirehoseEvent](t, "firehose.json")
	resp := NewFirehoseResponse()
	for _, r := range ev.Records {
		o, err := FirehoseJSON[testOrder](r)
		if err != nil {
			checkErr(t, err, "firehose", -1, r.RecordID, ErrBadJSON)
			resp.ProcessingFailed(r.RecordID, r.Data)
			continue
		}
		o.Customer = strings.ToUpper(o.Customer)
		require.NoError(t, resp.OkJSON(r.RecordID, o))
	}
	resp.Dropped("dropped-1").OkPartitioned("part-1", []byte("x"), map[string]string{"customer": "c-42"}).Ok("ok-1", []byte("y"))
	out, _ := json.Marshal(resp.Response())
	var got struct {
		Records []struct {
			RecordID string `json:"recordId"`
			Result   string `json:"result"`
			Data     string `json:"data"`
			Metadata struct {
				PartitionKeys map[string]string `json:"partitionKeys"`
			} `json:"metadata"`
		} `json:"records"`
	}
	require.NoError(t, json.Unmarshal(out, &got))
	require.Len(t, got.Records, 5)
	assert.Equal(t, "Ok", got.Records[0].Result)
	data, _ := base64.StdEncoding.DecodeString(got.Records[0].Data)
	assert.Contains(t, string(data), `"customer":"C-42"`)
	assert.Equal(t, "ProcessingFailed", got.Records[1].Result)
	assert.Equal(t, base64.StdEncoding.EncodeToString([]byte("not json")), got.Records[1].Data)
	assert.Equal(t, "Dropped", got.Records[2].Result)
	assert.Equal(t, map[string]string{"customer": "c-42"}, got.Records[3].Metadata.PartitionKeys)
	assert.Equal(t, "not json", FirehoseText(ev.Records[1]))
	assert.Error(t, NewFirehoseResponse().OkJSON("x", func() {}))
}

func FuzzCloudWatchLogsData(f *testing.F) {
	f.Add(load[awsevents.CloudwatchLogsEvent](f, "cloudwatch_logs.json").AWSLogs.Data)
	f.Add("H4sIAAAAAAAA/w==")
	f.Add("***")
	f.Fuzz(func(t *testing.T, data string) {
		d, err := DecodeCloudWatchLogsData(data)
		if err != nil {
			var de *DecodeError
			if !assert.ErrorAs(t, err, &de) {
				t.FailNow()
			}
			return
		}
		_ = d.LogEvents
	})
}
