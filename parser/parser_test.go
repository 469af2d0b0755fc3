package parser

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/cachereset"
	"github.com/gopowertools/powertools/internal/jsonscan"
	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/gopowertools/powertools/validation"
)

// The payloads of the shared event fixtures.
type (
	valOrder    = testenv.Order
	valCustomer = testenv.Customer
	valItem     = testenv.Item
)

func validationFixture(t testing.TB, name string) []byte { return testenv.EventFixture(t, name) }

// valS3Record is the part of an S3 notification record the tests read.
type valS3Record struct {
	EventName string `json:"eventName" jsonschema:"pattern=^ObjectCreated:"`
	S3        struct {
		Bucket struct {
			Name string `json:"name" jsonschema:"minLength=3"`
		} `json:"bucket"`
		Object struct {
			Key  string `json:"key"`
			Size int64  `json:"size" jsonschema:"minimum=0"`
		} `json:"object"`
	} `json:"s3"`
}

type valLogLine struct {
	Level   string `json:"level" jsonschema:"enum=ERROR,enum=WARNING,enum=INFO"`
	Message string `json:"message"`
	OrderID string `json:"order_id"`
	Code    int    `json:"code"`
}

type valStoredOrder struct {
	ID       string      `json:"id" jsonschema:"minLength=1"`
	Quantity int         `json:"quantity" jsonschema:"minimum=1"`
	Price    float64     `json:"price"`
	Customer valCustomer `json:"customer"`
	Tags     []string    `json:"tags,omitempty"`
	Items    []valItem   `json:"items,omitempty"`
	Gift     bool        `json:"gift"`
	Note     *string     `json:"note" jsonschema:"nullable"`
}

func orderIDs(orders []valOrder) []string {
	var ids []string
	for _, o := range orders {
		ids = append(ids, o.ID)
	}
	return ids
}

func TestParseWithEnvelopes(t *testing.T) {
	o, err := Parse[valOrder](validationFixture(t, "apigw_rest.json"), powertools.EnvelopeAPIGatewayREST)
	require.NoError(t, err)
	assert.Equal(t, valOrder{ID: "ord-1001", Quantity: 2, Price: 19.99, Customer: valCustomer{Email: "jane@example.com"},
		Items: []valItem{{SKU: "SKU-1", Count: 1}, {SKU: "SKU-2", Count: 1}}}, o)

	batch, err := Parse[[]valOrder](validationFixture(t, "sqs.json"), powertools.EnvelopeSQS)
	require.NoError(t, err)
	assert.Equal(t, []string{"ord-2001", "ord-2002", "ord-2003"}, orderIDs(batch))

	s3, err := Parse[[]valS3Record](validationFixture(t, "s3_sns_sqs.json"), powertools.EnvelopeS3SNSSQS)
	require.NoError(t, err)
	require.Len(t, s3, 1)
	assert.Equal(t, "orders-inbox", s3[0].S3.Bucket.Name)
	assert.EqualValues(t, 1305107, s3[0].S3.Object.Size)

	direct, err := Parse[valOrder]([]byte(`{"id":"ord-9","quantity":1,"price":2,"customer":{"email":"x@example.com"}}`), "")
	require.NoError(t, err)
	assert.Equal(t, "ord-9", direct.ID)
}

func TestParseErrorsCarryRecordAndPath(t *testing.T) {
	_, err := Parse[[]valOrder](validationFixture(t, "sqs_invalid.json"), powertools.EnvelopeSQS)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 1, pe.Record)
	var ve *validation.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "$[1].quantity", ve.Path)
	assert.Equal(t, `powertools: parse "Records[*].powertools_json(body)" record 1: validation failed at $[1].quantity: must be >= 1, not 0`, err.Error())

	_, err = Parse[valOrder](validationFixture(t, "eventbridge.json"), powertools.EnvelopeSQS)
	require.ErrorIs(t, err, powertools.ErrEnvelope)
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, -1, pe.Record)

	_, err = Parse[valOrder]([]byte(`{"id":`), "")
	require.ErrorIs(t, err, powertools.ErrInvalidJSON)
}

func TestParseHelpers(t *testing.T) {
	t.Run("sqs", func(t *testing.T) {
		got, err := ParseSQS[valOrder](validationFixture(t, "sqs.json"))
		require.NoError(t, err)
		assert.Equal(t, []string{"ord-2001", "ord-2002", "ord-2003"}, orderIDs(got))
		assert.Equal(t, []valItem{{SKU: "SKU-9", Count: 1}}, got[1].Items)
	})
	t.Run("sns", func(t *testing.T) {
		got, err := ParseSNS[valOrder](validationFixture(t, "sns.json"))
		require.NoError(t, err)
		assert.Equal(t, []string{"ord-2001"}, orderIDs(got))
	})
	t.Run("kinesis", func(t *testing.T) {
		got, err := ParseKinesis[valOrder](validationFixture(t, "kinesis.json"))
		require.NoError(t, err)
		assert.Equal(t, []string{"ord-3001", "ord-3002"}, orderIDs(got))
		assert.Equal(t, 12.5, got[0].Price)
	})
	t.Run("cloudwatch logs", func(t *testing.T) {
		got, err := ParseCloudWatchLogs[valLogLine](validationFixture(t, "cloudwatch_logs.json"))
		require.NoError(t, err)
		assert.Equal(t, []valLogLine{
			{Level: "ERROR", Message: "payment declined", OrderID: "ord-4001", Code: 402},
			{Level: "ERROR", Message: "stock exhausted", OrderID: "ord-4002", Code: 409},
		}, got)
	})
	t.Run("eventbridge", func(t *testing.T) {
		got, err := ParseEventBridge[valOrder](validationFixture(t, "eventbridge.json"))
		require.NoError(t, err)
		assert.Equal(t, "ord-2002", got.ID)
	})
	t.Run("scheduled", func(t *testing.T) {
		got, err := ParseEventBridge[map[string]any](validationFixture(t, "scheduled.json"))
		require.NoError(t, err)
		assert.Empty(t, got)
	})
	t.Run("api gateway rest", func(t *testing.T) {
		got, err := ParseAPIGateway[valOrder](validationFixture(t, "apigw_rest.json"))
		require.NoError(t, err)
		assert.Equal(t, "ord-1001", got.ID)
	})
	t.Run("api gateway http", func(t *testing.T) {
		got, err := ParseAPIGateway[valOrder](validationFixture(t, "apigw_http.json"))
		require.NoError(t, err)
		assert.Equal(t, "ord-1002", got.ID)
	})
	t.Run("api gateway http base64 body", func(t *testing.T) {
		got, err := ParseAPIGateway[valOrder](validationFixture(t, "apigw_http_base64.json"))
		require.NoError(t, err)
		assert.Equal(t, "joe@example.com", got.Customer.Email)
	})
	t.Run("dynamodb stream", func(t *testing.T) {
		got, err := ParseDynamoDBStream[valStoredOrder](validationFixture(t, "dynamodb_stream.json"))
		require.NoError(t, err)
		require.Len(t, got, 3)
		assert.Equal(t, "INSERT", got[0].EventName)
		require.NotNil(t, got[0].NewImage)
		assert.Nil(t, got[0].OldImage)
		assert.Equal(t, valStoredOrder{ID: "ord-2001", Quantity: 3, Price: 7.5, Customer: valCustomer{Email: "a@example.com"},
			Tags: []string{"new", "priority"}, Items: []valItem{{SKU: "SKU-1", Count: 1}}}, *got[0].NewImage)
		assert.Equal(t, "MODIFY", got[1].EventName)
		assert.Equal(t, 4, got[1].NewImage.Quantity)
		assert.Equal(t, 3, got[1].OldImage.Quantity)
		assert.Equal(t, "REMOVE", got[2].EventName)
		assert.Nil(t, got[2].NewImage)
		assert.Equal(t, "ord-2003", got[2].OldImage.ID)
	})
}

func TestParseHelperErrors(t *testing.T) {
	sqsBody := func(bodies ...string) []byte {
		var recs []any
		for _, b := range bodies {
			recs = append(recs, map[string]any{"messageId": "m", "body": b})
		}
		out, _ := json.Marshal(map[string]any{"Records": recs})
		return out
	}
	good := `{"id":"ord-1","quantity":1,"price":1,"customer":{"email":"a@example.com"}}`
	tests := []struct {
		name       string
		parse      func() error
		want       error
		wantRecord int
		wantPath   string
	}{
		{"sqs invalid record", func() error { _, err := ParseSQS[valOrder](validationFixture(t, "sqs_invalid.json")); return err }, validation.ErrValidation, 1, "$.quantity"},
		{"sqs body not JSON", func() error { _, err := ParseSQS[valOrder](sqsBody(good, good, "{oops")); return err }, powertools.ErrInvalidJSON, 2, ""},
		{"sqs body missing", func() error {
			_, err := ParseSQS[valOrder]([]byte(`{"Records":[{"body":` + strconv.Quote(good) + `},{"messageId":"x"}]}`))
			return err
		}, powertools.ErrEnvelope, 1, ""},
		{"sqs not an sqs event", func() error { _, err := ParseSQS[valOrder](validationFixture(t, "eventbridge.json")); return err }, powertools.ErrEnvelope, -1, ""},
		{"sqs event not JSON", func() error { _, err := ParseSQS[valOrder]([]byte(`[`)); return err }, powertools.ErrInvalidJSON, -1, ""},
		{"sns message missing", func() error { _, err := ParseSNS[valOrder]([]byte(`{"Records":[{"Sns":{}}]}`)); return err }, powertools.ErrEnvelope, 0, ""},
		{"kinesis bad base64", func() error {
			_, err := ParseKinesis[valOrder]([]byte(`{"Records":[{"kinesis":{"data":"` + base64.StdEncoding.EncodeToString([]byte(good)) + `"}},{"kinesis":{"data":"%%"}}]}`))
			return err
		}, powertools.ErrInvalidBase64, 1, ""},
		{"cloudwatch logs bad gzip", func() error {
			_, err := ParseCloudWatchLogs[valLogLine]([]byte(`{"awslogs":{"data":"aGVsbG8="}}`))
			return err
		}, powertools.ErrInvalidGzip, -1, ""},
		{"cloudwatch logs message not JSON", func() error {
			logs := `{"logEvents":[{"id":"1","timestamp":1,"message":"START RequestId: 1"}]}`
			_, err := ParseCloudWatchLogs[valLogLine]([]byte(`{"awslogs":{"data":"` + testenv.Gzip64(t, []byte(logs)) + `"}}`))
			return err
		}, powertools.ErrInvalidJSON, 0, ""},
		{"cloudwatch logs enum", func() error {
			logs := `{"logEvents":[{"id":"1","timestamp":1,"message":"{\"level\":\"FATAL\",\"message\":\"m\",\"order_id\":\"o\",\"code\":1}"}]}`
			_, err := ParseCloudWatchLogs[valLogLine]([]byte(`{"awslogs":{"data":"` + testenv.Gzip64(t, []byte(logs)) + `"}}`))
			return err
		}, validation.ErrValidation, 0, "$.level"},
		{"eventbridge detail missing", func() error { _, err := ParseEventBridge[valOrder]([]byte(`{"detail-type":"x"}`)); return err }, powertools.ErrEnvelope, -1, ""},
		{"api gateway body null", func() error { _, err := ParseAPIGateway[valOrder]([]byte(`{"body":null}`)); return err }, powertools.ErrEnvelope, -1, ""},
		{"api gateway bad base64 body", func() error {
			_, err := ParseAPIGateway[valOrder]([]byte(`{"body":"***","isBase64Encoded":true}`))
			return err
		}, powertools.ErrInvalidBase64, -1, ""},
		{"dynamodb image invalid", func() error {
			_, err := ParseDynamoDBStream[valStoredOrder]([]byte(`{"Records":[{"eventName":"INSERT","dynamodb":{"NewImage":{"id":{"S":""},"quantity":{"N":"1"},"price":{"N":"1"},"customer":{"M":{"email":{"S":"a@example.com"}}},"gift":{"BOOL":true},"note":{"NULL":true}}}}]}`))
			return err
		}, validation.ErrValidation, 0, "$.id"},
		{"dynamodb bad number", func() error {
			_, err := ParseDynamoDBStream[valStoredOrder]([]byte(`{"Records":[{"dynamodb":{"NewImage":{"quantity":{"N":"one"}}}}]}`))
			return err
		}, powertools.ErrInvalidJSON, 0, ""},
		{"dynamodb unknown type", func() error {
			_, err := ParseDynamoDBStream[valStoredOrder]([]byte(`{"Records":[{"dynamodb":{"NewImage":{"quantity":{"X":"1"}}}}]}`))
			return err
		}, powertools.ErrInvalidJSON, 0, ""},
		// Issue 13 defect 4: aws-lambda-go's attribute decoder panics on these; they are parse errors.
		{"dynamodb BS element not a string", func() error {
			_, err := ParseDynamoDBStream[valStoredOrder]([]byte(`{"Records":[{"dynamodb":{"NewImage":{"b":{"BS":[0]}}}}]}`))
			return err
		}, powertools.ErrInvalidJSON, 0, ""},
		{"dynamodb BS in L", func() error {
			_, err := ParseDynamoDBStream[valStoredOrder]([]byte(`{"Records":[{"dynamodb":{}},{"dynamodb":{"OldImage":{"l":{"L":[{"BS":[0]}]}}}}]}`))
			return err
		}, powertools.ErrInvalidJSON, 1, ""},
		{"dynamodb record without dynamodb", func() error {
			_, err := ParseDynamoDBStream[valStoredOrder]([]byte(`{"Records":[{"eventName":"INSERT"}]}`))
			return err
		}, powertools.ErrEnvelope, 0, ""},
		{"type without schema", func() error { _, err := ParseSQS[func()](validationFixture(t, "sqs.json")); return err }, validation.ErrSchema, -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse()
			require.ErrorIs(t, err, tt.want)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.wantRecord, pe.Record, err.Error())
			assert.True(t, strings.HasPrefix(err.Error(), "powertools: parse "), err.Error())
			if tt.wantPath != "" {
				var ve *validation.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.wantPath, ve.Path)
			}
		})
	}
}

func TestParseConcurrentFirstUse(t *testing.T) {
	// Many goroutines reach a type's schema for the first time at once: it is derived and compiled once.
	type fresh struct {
		N int `json:"n" jsonschema:"minimum=0"`
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := ParseSQS[fresh]([]byte(`{"Records":[{"body":"{\"n\":1}"},{"body":"{\"n\":2}"}]}`))
				if err != nil || len(got) != 2 || got[1].N != 2 {
					t.Errorf("got %v, %v", got, err)
				}
			}
		})
	}
	wg.Wait()
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"sqs.json", "sqs_invalid.json", "kinesis.json", "sns.json"} {
		f.Add(validationFixture(f, name), powertools.EnvelopeSQS)
	}
	f.Add(validationFixture(f, "apigw_rest.json"), powertools.EnvelopeAPIGatewayREST)
	f.Add(validationFixture(f, "cloudwatch_logs.json"), powertools.EnvelopeCloudWatchLogs)
	f.Add(validationFixture(f, "dynamodb_stream.json"), "")
	f.Add([]byte(`{"Records":[{"body":"{\"id\":1}"}]}`), powertools.EnvelopeSQS)
	f.Fuzz(func(t *testing.T, payload []byte, envelope string) {
		check := func(err error) {
			if err == nil {
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("not a *ParseError: %T %v", err, err)
			}
			if !strings.HasPrefix(err.Error(), "powertools: parse ") {
				t.Fatalf("message %q", err.Error())
			}
		}
		_, err := Parse[[]valOrder](payload, envelope)
		check(err)
		_, err = ParseSQS[valOrder](payload)
		check(err)
		_, err = ParseKinesis[valOrder](payload)
		check(err)
		_, err = ParseCloudWatchLogs[valLogLine](payload)
		check(err)
		_, err = ParseAPIGateway[valOrder](payload)
		check(err)
		_, err = ParseDynamoDBStream[valStoredOrder](payload)
		check(err)
	})
}

// BenchmarkParseSQSBatch parses an SQS batch of 10 orders into valOrder values. cold empties the schema
// cache before every call (the first call of a process derives and compiles the type's schema); warm is
// every later call. envelope is the generic Parse over powertools.EnvelopeSQS.
func BenchmarkParseSQSBatch(b *testing.B) {
	var recs []any
	for i := range 10 {
		body, _ := json.Marshal(valOrder{ID: "ord-" + string(rune('0'+i)), Quantity: i + 1, Price: 9.5,
			Customer: valCustomer{Email: "buyer@example.com"}, Items: []valItem{{SKU: "SKU-1", Count: 1}, {SKU: "SKU-2", Count: 2}}})
		recs = append(recs, map[string]any{"messageId": "059f36b4-87a3-44ab-83d2-661975830a7d", "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
			"body": string(body), "attributes": map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183"},
			"messageAttributes": map[string]any{}, "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3", "eventSource": "aws:sqs",
			"eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:orders", "awsRegion": "us-east-1"})
	}
	ev, _ := json.Marshal(map[string]any{"Records": recs})
	run := func(b *testing.B, reset bool) {
		b.ReportAllocs()
		for b.Loop() {
			if reset {
				cachereset.Schemas()
			}
			got, err := ParseSQS[valOrder](ev)
			if err != nil || len(got) != 10 {
				b.Fatal(err)
			}
		}
	}
	b.Run("cold", func(b *testing.B) { run(b, true) })
	b.Run("warm", func(b *testing.B) { run(b, false) })
	b.Run("envelope", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			got, err := Parse[[]valOrder](ev, powertools.EnvelopeSQS)
			if err != nil || len(got) != 10 {
				b.Fatal(err)
			}
		}
	})
}

func TestParseSQSWarmAllocations(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	ev := validationFixture(t, "sqs.json")
	_, err := ParseSQS[valOrder](ev)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(50, func() {
		if _, err := ParseSQS[valOrder](ev); err != nil {
			t.Fatal(err)
		}
	})
	// The event is scanned, not decoded; a valid record costs the strings the fast path hands to format
	// checks, and what the typed decode allocates (its strings and slices). Nothing is derived or
	// compiled, no generic value is built.
	t.Logf("warm ParseSQS of 3 records: %.0f allocations", allocs)
	assert.LessOrEqual(t, allocs, 3*15.0)
}

// FuzzParserSQSBodies: when the scanner reads an SQS event's bodies itself, encoding/json (what ParseSQS
// used before) decodes the event without error and finds the same bodies.
func FuzzParserSQSBodies(f *testing.F) {
	for _, name := range []string{"sqs.json", "sqs_invalid.json", "sns.json"} {
		f.Add(validationFixture(f, name))
	}
	for _, s := range []string{
		`{"Records":[{"body":"{\"id\":1}"}]}`, `{"Records":[]}`, `{"records":[{"body":"x"}]}`, `{"Records":[{"Body":"x"}]}`,
		`{"Records":[{"body":"x","body":"y"}]}`, `{"Records":[{"body":"x"}],"Records":[]}`, `{"Records":null}`, `{"Records":[null]}`,
		`{"Records":[{"body":null}]}`, `{"Records":[{"body":"\ud83d\ude00 \u00e9 \/ \b\f\n\r\t"}]}`, `{"Records":[{"body":"\ud800"}]}`,
		"{\"Records\":[{\"body\":\"\xff\"}]}", `{"Rec\u006frds":[{"body":"x"}]}`, `{"Records":[{"body":"x"}]} {}`, `{"Records":[{"body":1}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		bounds, ok := jsonscan.SQSBodies(nil, payload)
		if !ok {
			return
		}
		var ev struct {
			Records *[]struct {
				Body *string `json:"body"`
			} `json:"Records"`
		}
		if err := json.Unmarshal(payload, &ev); err != nil {
			t.Fatalf("scanner reads %q, encoding/json: %v", payload, err)
		}
		if ev.Records == nil || len(*ev.Records) != len(bounds) {
			t.Fatalf("%q: %d bodies, encoding/json finds %v", payload, len(bounds), ev.Records)
		}
		parserUnquoted(payload, bounds)(func(i int, body []byte, err error) bool {
			if r := (*ev.Records)[i]; err != nil || r.Body == nil || *r.Body != string(body) {
				t.Fatalf("%q: record %d: %q, %v; encoding/json: %v", payload, i, body, err, r.Body)
			}
			return true
		})
	})
}

// TestParserSQSBodiesScanned: a real SQS event takes the scanner's way, and odd ones the decoder's.
func TestParserSQSBodiesScanned(t *testing.T) {
	bounds, ok := jsonscan.SQSBodies(nil, validationFixture(t, "sqs.json"))
	assert.True(t, ok)
	assert.NotEmpty(t, bounds)
	for _, odd := range []string{`{"records":[{"body":"{}"}]}`, `{"Records":[{"body":"{}","Body":"{}"}]}`, `{"Records":null}`, `{"Records":[{}]}`, `[]`} {
		_, ok := jsonscan.SQSBodies(nil, []byte(odd))
		assert.False(t, ok, odd)
	}
}

// valPickyN decodes like an int but refuses 13: a value its schema accepts and its decoding does not.
type valPickyN int

func (n *valPickyN) UnmarshalJSON(b []byte) error {
	if string(b) == "13" {
		return errors.New("unlucky number")
	}
	return json.Unmarshal(b, (*int)(n))
}

type valPicky struct {
	N valPickyN `json:"n"`
}

// TestParseSQSDecodeFailureAfterValidation: a record that passes validation but fails decoding is
// reported with its index, as it was before batches were decoded in one call.
func TestParseSQSDecodeFailureAfterValidation(t *testing.T) {
	got, err := ParseSQS[valPicky]([]byte(`{"Records":[{"body":"{\"n\":1}"},{"body":"{\"n\":2}"}]}`))
	require.NoError(t, err)
	assert.Equal(t, []valPicky{{1}, {2}}, got)
	_, err = ParseSQS[valPicky]([]byte(`{"Records":[{"body":"{\"n\":1}"},{"body":"{\"n\":13}"},{"body":"{\"n\":\"x\"}"}]}`))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 1, pe.Record)
	assert.ErrorIs(t, err, powertools.ErrInvalidJSON)
	assert.Contains(t, err.Error(), "unlucky number")
}

// TestParseDynamoDBStreamMalformedSet is the regression test of issue 13 defect 4: {"BS":[0]}, alone or
// nested in L or M, made aws-lambda-go's attribute decoder panic inside ParseDynamoDBStream. It is now a
// *ParseError naming the record, the image and the attribute path.
func TestParseDynamoDBStreamMalformedSet(t *testing.T) {
	tests := []struct{ name, image, want string }{
		{"top level", `{"b":{"BS":[0]}}`, `powertools: parse dynamodb stream record 0: invalid json: NewImage: DynamoDB attribute "b[0]": malformed DynamoDB attribute value: BS element is a base64 string, not a number`},
		{"in L", `{"l":{"L":[{"S":"x"},{"BS":[0]}]}}`, `NewImage: DynamoDB attribute "l[1][0]": malformed`},
		{"in M", `{"m":{"M":{"k":{"BS":[0]}}}}`, `NewImage: DynamoDB attribute "m.k[0]": malformed`},
		{"two types", `{"a":{"S":"x","N":"1"}}`, `DynamoDB attribute "a": malformed DynamoDB attribute value: more than one type: N and S`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() {
				_, err = ParseDynamoDBStream[valStoredOrder]([]byte(`{"Records":[{"eventName":"INSERT","dynamodb":{"NewImage":` + tt.image + `}}]}`))
			})
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, 0, pe.Record)
			assert.ErrorIs(t, err, powertools.ErrInvalidJSON)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, 1, strings.Count(err.Error(), "powertools:"), err.Error())
		})
	}
}

// TestParseDynamoDBStreamThroughWrap: the same malformed event through a wrapped handler is the
// parser's error, returned as the handler's, not a *PanicError.
func TestParseDynamoDBStreamThroughWrap(t *testing.T) {
	var logs strings.Builder
	app, err := powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithLogOutput(&logs))
	require.NoError(t, err)
	h := app.Wrap(func(_ context.Context, payload json.RawMessage) (int, error) {
		changes, err := ParseDynamoDBStream[valStoredOrder](payload)
		return len(changes), err
	})
	_, err = h.Invoke(context.Background(), []byte(`{"Records":[{"dynamodb":{"NewImage":{"l":{"L":[{"M":{"k":{"BS":[0]}}}]}}}}]}`))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	var panicked *powertools.PanicError
	assert.False(t, errors.As(err, &panicked))
	assert.Contains(t, err.Error(), `NewImage: DynamoDB attribute "l[0].k[0]"`)
	assert.NotContains(t, logs.String(), "panicked")
}

// TestParseAPIGatewayBase64EveryHTTPSource: the body marked isBase64Encoded (is_base64_encoded for VPC
// Lattice v1) is decoded for every HTTP-shaped source, by the code validation.Validate uses too.
func TestParseAPIGatewayBase64EveryHTTPSource(t *testing.T) {
	var fx map[string]map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(testenv.EventFixture(t, "http_base64.json"), &fx))
	require.Len(t, fx["valid"], 6)
	for name, ev := range fx["valid"] {
		o, err := ParseAPIGateway[testenv.Order](ev)
		require.NoError(t, err, name)
		assert.Equal(t, "ord-1", o.ID, name)
		_, err = ParseAPIGateway[testenv.Order](fx["invalid"][name])
		require.ErrorIs(t, err, validation.ErrValidation, name)
		assert.Equal(t, 1, strings.Count(err.Error(), "powertools:"), err.Error())
	}
}

// TestParseEnvelopeBase64Body: Parse with the API Gateway envelope decodes a base64 body too.
func TestParseEnvelopeBase64Body(t *testing.T) {
	var fx map[string]map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(testenv.EventFixture(t, "http_base64.json"), &fx))
	o, err := Parse[testenv.Order](fx["valid"]["http"], powertools.EnvelopeAPIGatewayHTTP)
	require.NoError(t, err)
	assert.Equal(t, "ord-1", o.ID)
}
