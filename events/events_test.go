package events

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture reads testdata/name.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// load decodes testdata/name into T.
func load[T any](t testing.TB, name string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(fixture(t, name), &v), name)
	return v
}

// roundTrip decodes a fixture into T, encodes it again and checks nothing was lost or invented.
func roundTrip[T any](t *testing.T, name string) T {
	t.Helper()
	v := load[T](t, name)
	out, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, string(fixture(t, name)), string(out), name)
	return v
}

// checkErr asserts err is a *DecodeError of source and field wrapping want, with one prefix.
func checkErr(t *testing.T, err error, source string, record int, field string, want error) {
	t.Helper()
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, source, de.Source)
	assert.Equal(t, record, de.Record)
	if field != "" {
		assert.Contains(t, de.Field, field)
	}
	if want != nil {
		assert.ErrorIs(t, err, want)
	}
	assert.True(t, strings.HasPrefix(err.Error(), "powertools: "), err.Error())
	assert.Equal(t, 1, strings.Count(err.Error(), "powertools:"), err.Error())
}

func TestDecodeErrorMessage(t *testing.T) {
	err := eventsDecodeErr("sqs", 3, "body", eventsKind(ErrBadJSON, errors.New("unexpected end of JSON input")))
	assert.Equal(t, "powertools: decode sqs record 3 body: malformed JSON: unexpected end of JSON input", err.Error())
	assert.ErrorIs(t, err, ErrBadJSON)
	assert.NotErrorIs(t, err, ErrBadBase64)
	err = eventsDecodeErr("kafka", -1, "", eventsKind(ErrBadBase64, nil))
	assert.Equal(t, "powertools: decode kafka: malformed base64", err.Error())
}

// rtCase decodes a fixture into an aws-lambda-go type, encodes it, decodes and encodes it again: the
// encodings must be the same (the helpers see the same event whether it came from Lambda or from a
// test's encoder).
type rtCase struct {
	name string
	run  func(t *testing.T, data []byte)
}

func awsRoundTrip[T any](name string) rtCase {
	return rtCase{name, func(t *testing.T, data []byte) {
		var a, b T
		require.NoError(t, json.Unmarshal(data, &a))
		out, err := json.Marshal(a)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(out, &b))
		again, err := json.Marshal(b)
		require.NoError(t, err)
		assert.JSONEq(t, string(out), string(again))
	}}
}

func TestAWSTypesRoundTrip(t *testing.T) {
	cases := []rtCase{
		awsRoundTrip[awsevents.APIGatewayProxyRequest]("apigw_rest.json"),
		awsRoundTrip[awsevents.APIGatewayV2HTTPRequest]("apigw_http.json"),
		awsRoundTrip[awsevents.ALBTargetGroupRequest]("alb.json"),
		awsRoundTrip[awsevents.LambdaFunctionURLRequest]("function_url.json"),
		awsRoundTrip[awsevents.APIGatewayCustomAuthorizerRequest]("authorizer_token.json"),
		awsRoundTrip[awsevents.APIGatewayCustomAuthorizerRequestTypeRequest]("authorizer_request.json"),
		awsRoundTrip[awsevents.S3Event]("s3.json"),
		awsRoundTrip[awsevents.SQSEvent]("s3_sqs.json"),
		awsRoundTrip[awsevents.SQSEvent]("s3_sns_sqs.json"),
		awsRoundTrip[awsevents.EventBridgeEvent]("s3_eventbridge.json"),
		awsRoundTrip[awsevents.S3BatchJobEventV2]("s3_batch.json"),
		awsRoundTrip[awsevents.DynamoDBEvent]("dynamodb_stream.json"),
		awsRoundTrip[awsevents.KinesisEvent]("kinesis.json"),
		awsRoundTrip[awsevents.KinesisEvent]("kinesis_cloudwatch_logs.json"),
		awsRoundTrip[awsevents.CloudwatchLogsEvent]("cloudwatch_logs.json"),
		awsRoundTrip[awsevents.KinesisFirehoseEvent]("firehose.json"),
		awsRoundTrip[awsevents.KafkaEvent]("kafka_msk.json"),
		awsRoundTrip[awsevents.KafkaEvent]("kafka_self_managed.json"),
		awsRoundTrip[awsevents.ActiveMQEvent]("activemq.json"),
		awsRoundTrip[awsevents.RabbitMQEvent]("rabbitmq.json"),
		awsRoundTrip[awsevents.SQSEvent]("sqs.json"),
		awsRoundTrip[awsevents.SNSEvent]("sns.json"),
		awsRoundTrip[awsevents.ConfigEvent]("config_rule.json"),
		awsRoundTrip[awsevents.CodePipelineJobEvent]("codepipeline.json"),
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, fixture(t, c.name)) })
	}
}
