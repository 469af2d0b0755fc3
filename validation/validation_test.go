package validation

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/eventbody"
	"github.com/gopowertools/powertools/internal/testenv"
)

// valOrder is the payload most fixtures carry; its schema comes from the struct tags.
type (
	valOrder    = testenv.Order
	valCustomer = testenv.Customer
)

// valOrderSchemaDraft7 is a hand-written draft 7 schema for the same payload.
const valOrderSchemaDraft7 = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "required": ["id", "quantity"],
  "properties": {
    "id": {"type": "string", "minLength": 1},
    "quantity": {"type": "integer", "minimum": 1},
    "customer": {"$ref": "#/definitions/customer"}
  },
  "definitions": {
    "customer": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string", "format": "email"}}}
  }
}`

// valOrderListSchema2020 is a draft 2020-12 schema for a batch of orders.
const valOrderListSchema2020 = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "array",
  "items": {"$ref": "#/$defs/order"},
  "$defs": {
    "order": {"type": "object", "required": ["id", "quantity"], "properties": {"quantity": {"type": "integer", "minimum": 1}}}
  }
}`

// valBody wraps an order in an API Gateway REST event.
func valBody(t testing.TB, body string) []byte {
	t.Helper()
	var ev map[string]any
	require.NoError(t, json.Unmarshal(validationFixture(t, "apigw_rest.json"), &ev))
	ev["body"] = body
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	return b
}

func TestValidate(t *testing.T) {
	order := SchemaFor[valOrder]()
	tests := []struct {
		name     string
		data     []byte
		schema   Schema
		envelope string
		wantPath string // "" when the data is valid
		wantKw   string
	}{
		{"apigw rest body valid", validationFixture(t, "apigw_rest.json"), order, powertools.EnvelopeAPIGatewayREST, "", ""},
		{"apigw http body valid", validationFixture(t, "apigw_http.json"), order, powertools.EnvelopeAPIGatewayHTTP, "", ""},
		{"eventbridge detail valid", validationFixture(t, "eventbridge.json"), order, powertools.EnvelopeEventBridge, "", ""},
		{"sns message valid", validationFixture(t, "sns.json"), order, powertools.EnvelopeSNS, "", ""},
		{"below minimum", valBody(t, `{"id":"ord-1","quantity":0,"price":1,"customer":{"email":"a@example.com"}}`), order, powertools.EnvelopeAPIGatewayREST, "$.quantity", "minimum"},
		{"missing required", valBody(t, `{"id":"ord-1","price":1,"customer":{"email":"a@example.com"}}`), order, powertools.EnvelopeAPIGatewayREST, "$", "required"},
		{"nested array item", valBody(t, `{"id":"ord-1","quantity":1,"price":1,"customer":{"email":"a@example.com"},"items":[{"sku":"a","count":1},{"sku":"b","count":0}]}`), order, powertools.EnvelopeAPIGatewayREST, "$.items[1].count", "minimum"},
		{"wrong type", valBody(t, `{"id":"ord-1","quantity":"2","price":1,"customer":{"email":"a@example.com"}}`), order, powertools.EnvelopeAPIGatewayREST, "$.quantity", "type"},
		{"format asserted", valBody(t, `{"id":"ord-1","quantity":1,"price":1,"customer":{"email":"not-an-email"}}`), order, powertools.EnvelopeAPIGatewayREST, "$.customer.email", "format"},
		{"pattern", valBody(t, `{"id":"order-1","quantity":1,"price":1,"customer":{"email":"a@example.com"}}`), order, powertools.EnvelopeAPIGatewayREST, "$.id", "pattern"},
		{"exclusive minimum", valBody(t, `{"id":"ord-1","quantity":1,"price":0,"customer":{"email":"a@example.com"}}`), order, powertools.EnvelopeAPIGatewayREST, "$.price", "exclusiveMinimum"},
		{"draft 7 valid", []byte(`{"id":"x","quantity":3,"customer":{"email":"a@example.com"}}`), SchemaJSON(valOrderSchemaDraft7), "", "", ""},
		{"draft 7 through $ref", []byte(`{"id":"x","quantity":3,"customer":{"email":"nope"}}`), SchemaJSON(valOrderSchemaDraft7), "", "$.customer.email", "format"},
		{"draft 2020-12 sqs batch valid", validationFixture(t, "sqs.json"), SchemaJSON(valOrderListSchema2020), powertools.EnvelopeSQS, "", ""},
		{"draft 2020-12 sqs batch record 1", validationFixture(t, "sqs_invalid.json"), SchemaJSON(valOrderListSchema2020), powertools.EnvelopeSQS, "$[1].quantity", "minimum"},
		{"default draft is 7 (tuple items)", []byte(`["a", 1]`), SchemaJSON(`{"items":[{"type":"string"},{"type":"string"}]}`), "", "$[1]", "type"},
		{"key needing quotes", []byte(`{"headers":{"content-type":5}}`), SchemaJSON(`{"properties":{"headers":{"additionalProperties":{"type":"string"}}}}`), "", `$.headers["content-type"]`, "type"},
		{"numeric object key is not an index", []byte(`{"0":{"1":true}}`), SchemaJSON(`{"additionalProperties":{"additionalProperties":{"type":"string"}}}`), "", `$["0"]["1"]`, "type"},
		{"scheduled detail", validationFixture(t, "scheduled.json"), SchemaJSON(`{"type":"object","maxProperties":0}`), powertools.EnvelopeCloudWatchEventsScheduled, "", ""},
		{"s3 through sqs", validationFixture(t, "s3_sqs.json"), SchemaJSON(`{"type":"array","items":{"required":["s3"],"properties":{"s3":{"required":["bucket","object"]}}}}`), powertools.EnvelopeS3SQS, "", ""},
		{"kinesis records", validationFixture(t, "kinesis.json"), SchemaJSON(`{"type":"array","minItems":2,"items":{"properties":{"quantity":{"maximum":4}}}}`), powertools.EnvelopeKinesisDataStream, "$[1].quantity", "maximum"},
		{"cloudwatch logs events", validationFixture(t, "cloudwatch_logs.json"), SchemaJSON(`{"type":"array","items":{"required":["id","timestamp","message"]}}`), powertools.EnvelopeCloudWatchLogs, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.data, tt.schema, tt.envelope)
			if tt.wantPath == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrValidation)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.wantPath, ve.Path, ve.Error())
			assert.Equal(t, tt.wantKw, ve.Keyword, ve.Error())
			assert.NotEmpty(t, ve.Reason)
			assert.True(t, strings.HasPrefix(err.Error(), "powertools: validation failed at "+tt.wantPath+": "), err.Error())
		})
	}
}

func TestValidateReportsEveryIssueInStableOrder(t *testing.T) {
	data := []byte(`{"id":"","quantity":0,"price":-1,"customer":{"email":"x"}}`)
	var first string
	for range 20 {
		err := Validate(data, SchemaFor[valOrder](), "")
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		var paths []string
		for _, is := range ve.Issues {
			paths = append(paths, is.Path)
		}
		assert.Equal(t, []string{"$.customer.email", "$.id", "$.id", "$.price", "$.quantity"}, paths)
		if first == "" {
			first = err.Error()
		}
		assert.Equal(t, first, err.Error())
	}
	assert.Contains(t, first, "5 issues: at $.customer.email: ")
	assert.NotContains(t, first, "more")
	for _, p := range []string{"$.id: must be at least 1", `$.id: must match the pattern`, "$.price: must be > 0", "$.quantity: must be >= 1"} {
		assert.Contains(t, first, p)
	}
}

func TestValidateBadInput(t *testing.T) {
	ok := SchemaJSON(`{"type":"object"}`)
	tests := []struct {
		name     string
		data     any
		schema   Schema
		envelope string
		want     error
		event    bool // the event is at fault: the error matches ErrValidation too
	}{
		{"schema not JSON", []byte(`{}`), SchemaJSON(`{"type":`), "", ErrSchema, false},
		{"schema not a schema", []byte(`{}`), SchemaJSON(`{"type":"strin"}`), "", ErrSchema, false},
		{"schema with external ref", []byte(`{}`), SchemaJSON(`{"$ref":"file:///etc/passwd"}`), "", ErrSchema, false},
		{"zero schema", []byte(`{}`), Schema{}, "", ErrSchema, false},
		{"type without schema", []byte(`{}`), SchemaFor[chan int](), "", ErrSchema, false},
		{"event not JSON", []byte(`{"body":`), ok, powertools.EnvelopeAPIGatewayREST, powertools.ErrInvalidJSON, true},
		{"body not JSON", valBody(t, `{"id":`), ok, powertools.EnvelopeAPIGatewayREST, powertools.ErrInvalidJSON, true},
		{"body not JSON, HTTP API", []byte(`{"version":"2.0","body":"not json","isBase64Encoded":false}`), ok, powertools.EnvelopeAPIGatewayHTTP, powertools.ErrInvalidJSON, true},
		{"bad base64", []byte(`{"Records":[{"kinesis":{"data":"***"}}]}`), ok, powertools.EnvelopeKinesisDataStream, powertools.ErrInvalidBase64, true},
		{"bad base64 body", []byte(`{"body":"***","isBase64Encoded":true}`), ok, powertools.EnvelopeAPIGatewayREST, powertools.ErrInvalidBase64, true},
		{"bad gzip", []byte(`{"awslogs":{"data":"aGVsbG8="}}`), ok, powertools.EnvelopeCloudWatchLogs, powertools.ErrInvalidGzip, true},
		{"missing envelope path", []byte(`{"detail-type":"x"}`), ok, powertools.EnvelopeEventBridge, powertools.ErrEnvelope, true},
		{"wrong event source", []byte(`{"Records":[{"body":"{}"}]}`), ok, powertools.EnvelopeKinesisDataStream, powertools.ErrJMESPath, true},
		{"bad envelope", []byte(`{}`), ok, "Records[", powertools.ErrJMESPath, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.data, tt.schema, tt.envelope)
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, tt.event, errors.Is(err, ErrValidation), "%v", err)
			assert.True(t, strings.HasPrefix(err.Error(), "powertools: "), err.Error())
			assert.Equal(t, 1, strings.Count(err.Error(), "powertools:"), err.Error())
		})
	}
}

func TestSchemaCaches(t *testing.T) {
	a, b := SchemaFor[valOrder](), SchemaFor[valOrder]()
	assert.Same(t, a.e, b.e, "one entry per type")
	c, d := SchemaJSON(valOrderSchemaDraft7), SchemaJSON(valOrderSchemaDraft7)
	assert.Same(t, c.e, d.e, "one entry per text")
	s1, err := a.compiled()
	require.NoError(t, err)
	s2, err := b.compiled()
	require.NoError(t, err)
	assert.Same(t, s1, s2, "compiled once")
	assert.Contains(t, a.String(), `"minimum":1`)
	assert.True(t, Schema{}.IsZero())
	assert.Equal(t, "", Schema{}.String())
}

// valApp builds an App with validation and a handler that counts its calls and answers resp.
func valApp(t *testing.T, opts ...powertools.Option) (*powertools.App, *atomic.Int64) {
	t.Helper()
	var logs bytes.Buffer
	app, err := powertools.New(append([]powertools.Option{powertools.WithEnv(map[string]string{}), powertools.WithLogOutput(&logs)}, opts...)...)
	require.NoError(t, err)
	return app, new(atomic.Int64)
}

func TestValidationMiddleware(t *testing.T) {
	respSchema := SchemaJSON(`{"type":"object","required":["status"],"properties":{"status":{"enum":["accepted","rejected"]}}}`)
	tests := []struct {
		name      string
		event     []byte
		answer    string // the handler's response status; "" for an error
		wantCalls int64
		wantErr   error
		wantStage string
		wantPath  string
	}{
		{"valid in and out", validationFixture(t, "apigw_rest.json"), "accepted", 1, nil, "", ""},
		{"inbound failure skips the handler", valBody(t, `{"id":"ord-1","quantity":500,"price":1,"customer":{"email":"a@example.com"}}`), "accepted", 0, ErrValidation, "inbound", "$.quantity"},
		{"outbound failure replaces the response", validationFixture(t, "apigw_rest.json"), "maybe", 1, ErrValidation, "outbound", "$.status"},
		{"handler error is returned as is", validationFixture(t, "apigw_rest.json"), "", 1, errValHandler, "", ""},
		{"malformed event", []byte(`{"body": "{`), "accepted", 0, powertools.ErrInvalidJSON, "", ""},
		{"envelope missing", []byte(`{"detail":{}}`), "accepted", 0, powertools.ErrEnvelope, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, calls := valApp(t, With(SchemaFor[valOrder](), respSchema, powertools.EnvelopeAPIGatewayREST))
			h := app.Wrap(func(ctx context.Context, ev map[string]any) (map[string]any, error) {
				calls.Add(1)
				if tt.answer == "" {
					return nil, errValHandler
				}
				return map[string]any{"status": tt.answer, "statusCode": 200}, nil
			})
			out, err := h.Invoke(context.Background(), tt.event)
			assert.Equal(t, tt.wantCalls, calls.Load())
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.JSONEq(t, `{"status":"accepted","statusCode":200}`, string(out))
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.Nil(t, out)
			var ve *ValidationError
			if tt.wantStage != "" {
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.wantStage, ve.Stage)
				assert.Equal(t, tt.wantPath, ve.Path)
				assert.Contains(t, err.Error(), "("+tt.wantStage+")")
			}
		})
	}
}

var errValHandler = errors.New("handler failed")

func TestValidationMiddlewareOneSide(t *testing.T) {
	// Outbound only: any event goes in, the response is checked.
	app, _ := valApp(t, With(Schema{}, SchemaJSON(`{"type":"string"}`), ""))
	h := app.Wrap(func(ctx context.Context) (int, error) { return 42, nil })
	_, err := h.Invoke(context.Background(), []byte(`"anything"`))
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "outbound", ve.Stage)
	assert.Equal(t, "$", ve.Path)

	// A handler without a result answers null, which is checked as null.
	app, _ = valApp(t, With(Schema{}, SchemaJSON(`{"type":"null"}`), ""))
	_, err = app.Wrap(func(ctx context.Context) error { return nil }).Invoke(context.Background(), []byte(`{}`))
	require.NoError(t, err)

	// Inbound only over an SQS batch: the whole list is validated, the failing record is in the path.
	app, calls := valApp(t, With(SchemaJSON(valOrderListSchema2020), Schema{}, powertools.EnvelopeSQS))
	h = app.Wrap(func(ctx context.Context, ev json.RawMessage) error { calls.Add(1); return nil })
	_, err = h.Invoke(context.Background(), validationFixture(t, "sqs.json"))
	require.NoError(t, err)
	_, err = h.Invoke(context.Background(), validationFixture(t, "sqs_invalid.json"))
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "$[1].quantity", ve.Path)
	assert.EqualValues(t, 1, calls.Load())
}

func TestNewRejectsBadValidation(t *testing.T) {
	tests := []struct {
		name string
		opt  powertools.Option
		want string
	}{
		{"bad inbound schema", With(SchemaJSON(`{"minimum":"one"}`), Schema{}, ""), "inbound schema"},
		{"bad outbound schema", With(Schema{}, SchemaJSON(`not json`), ""), "outbound schema"},
		{"bad envelope", With(SchemaJSON(`{}`), Schema{}, "Records[*"), "Records[*"},
		{"no schema", With(Schema{}, Schema{}, powertools.EnvelopeSQS), "needs an inbound or an outbound schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := powertools.New(powertools.WithEnv(map[string]string{}), tt.opt)
			require.ErrorIs(t, err, powertools.ErrConfig)
			assert.Contains(t, err.Error(), "validation.With")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestNewJoinsValidationErrorsWithOthers(t *testing.T) {
	_, err := powertools.New(powertools.WithEnv(map[string]string{"POWERTOOLS_LOGGER_LOG_EVENT": "perhaps"}),
		With(SchemaJSON(`{"minimum":"one"}`), Schema{}, "Records[*"))
	require.ErrorIs(t, err, powertools.ErrConfig)
	for _, want := range []string{"POWERTOOLS_LOGGER_LOG_EVENT", "validation.With", "inbound schema", "Records[*"} {
		assert.Contains(t, err.Error(), want)
	}
	var ce *powertools.ConfigError
	require.ErrorAs(t, err, &ce)
}

func TestValidationMiddlewareConcurrent(t *testing.T) {
	app, calls := valApp(t, With(SchemaFor[valOrder](), Schema{}, powertools.EnvelopeAPIGatewayREST))
	h := app.Wrap(func(ctx context.Context, ev json.RawMessage) error { calls.Add(1); return nil })
	good := validationFixture(t, "apigw_rest.json")
	bad := valBody(t, `{"id":"ord-1","quantity":0,"price":1,"customer":{"email":"a@example.com"}}`)
	var wg sync.WaitGroup
	var failures atomic.Int64
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				ev := good
				if (g+i)%2 == 0 {
					ev = bad
				}
				if _, err := h.Invoke(context.Background(), ev); err != nil {
					var ve *ValidationError
					if !errors.As(err, &ve) || ve.Path != "$.quantity" {
						t.Errorf("invocation %d/%d: %v", g, i, err)
					}
					failures.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 200, failures.Load())
	assert.EqualValues(t, 200, calls.Load())
}

func TestValidateWarmAllocations(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	ev := validationFixture(t, "apigw_rest.json")
	schema := SchemaFor[valOrder]()
	require.NoError(t, Validate(ev, schema, powertools.EnvelopeAPIGatewayREST))
	allocs := testing.AllocsPerRun(50, func() {
		if err := Validate(ev, schema, powertools.EnvelopeAPIGatewayREST); err != nil {
			t.Fatal(err)
		}
	})
	// The event is scanned, not decoded: the body's text and the strings the fast path hands to format
	// checks; compiling nothing on the warm path.
	assert.LessOrEqual(t, allocs, 10.0)
	t.Logf("warm Validate of an API Gateway event: %.0f allocations", allocs)
}

// BenchmarkValidateAPIGateway validates an API Gateway REST event through its envelope against the
// schema derived from valOrder. cold empties the schema cache before every call (what the first call of
// a process pays, but for compiling the envelope: BenchmarkJMESPathCache in the powertools package
// measures that); warm is every later call.
func BenchmarkValidateAPIGateway(b *testing.B) {
	ev := validationFixture(b, "apigw_rest.json")
	run := func(b *testing.B, reset bool) {
		b.ReportAllocs()
		for b.Loop() {
			if reset {
				schemaResetCaches()
			}
			if err := Validate(ev, SchemaFor[valOrder](), powertools.EnvelopeAPIGatewayREST); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("cold", func(b *testing.B) { run(b, true) })
	b.Run("warm", func(b *testing.B) { run(b, false) })
	b.Run("slow", func(b *testing.B) { // the validator alone, without the fast path
		c, err := SchemaFor[valOrder]().compiled()
		if err != nil {
			b.Fatal(err)
		}
		q, err := powertools.CompileEnvelope(powertools.EnvelopeAPIGatewayREST)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := validateSlow(c, q, ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("warm-schemajson", func(b *testing.B) {
		text := SchemaFor[valOrder]().String()
		b.ReportAllocs()
		for b.Loop() {
			if err := Validate(ev, SchemaJSON(text), powertools.EnvelopeAPIGatewayREST); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("middleware", func(b *testing.B) {
		app, err := powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithLogOutput(&bytes.Buffer{}), With(SchemaFor[valOrder](), Schema{}, powertools.EnvelopeAPIGatewayREST))
		if err != nil {
			b.Fatal(err)
		}
		h := app.Wrap(powertools.HandlerFunc(func(ctx context.Context, p []byte) ([]byte, error) { return nil, nil }))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.Invoke(context.Background(), ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkValidationCaches isolates what the schema cache saves: getting a compiled schema on first use
// (cold: derived from the type, compiled) and afterwards (warm: a map lookup). The expression cache has
// its own benchmark, BenchmarkJMESPathCache in the powertools package.
func BenchmarkValidationCaches(b *testing.B) {
	schema := func(b *testing.B, reset bool) {
		b.ReportAllocs()
		for b.Loop() {
			if reset {
				schemaResetCaches()
			}
			if _, err := SchemaFor[valOrder]().compiled(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("schema-cold", func(b *testing.B) { schema(b, true) })
	b.Run("schema-warm", func(b *testing.B) { schema(b, false) })
}

// schemaFastCase is one schema of testdata/schema_fast.json with documents to check against
// it, valid and not, well-formed and not.
type schemaFastCase struct {
	Name       string          `json:"name"`
	NoFastPath bool            `json:"noFastPath"` // the schema must be left to the validator whole
	Schema     json.RawMessage `json:"schema"`
	Docs       []string        `json:"docs"`
	Deferred   []string        `json:"deferred"` // valid, but the fast path leaves them to the validator
	c          *schemaCompiled
}

func schemaFastCases(t testing.TB) []schemaFastCase {
	t.Helper()
	var cases []schemaFastCase
	require.NoError(t, json.Unmarshal(validationFixture(t, "schema_fast.json"), &cases))
	for i := range cases {
		c, err := SchemaJSON(string(cases[i].Schema)).compiled()
		require.NoError(t, err, cases[i].Name)
		cases[i].c = c
	}
	return cases
}

// schemaFastVerdicts is what the fast path and the validator (after encoding/json) say of doc.
func schemaFastVerdicts(c *schemaCompiled, doc []byte) (fast, validator bool) {
	fast = c.fast != nil && c.fast.validDocument(doc)
	v, err := powertools.DecodeJSON(doc)
	return fast, err == nil && schemaValidate(c, v) == nil
}

// TestSchemaFastAgreesWithValidator holds the fast path to the validator: it must never accept what the
// validator rejects (that would weaken validation), and over these schemas it must accept everything
// the validator accepts (else it is not a fast path).
func TestSchemaFastAgreesWithValidator(t *testing.T) {
	valid := 0
	for _, tc := range schemaFastCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			if tc.NoFastPath {
				assert.Nil(t, tc.c.fast)
				return
			}
			require.NotNil(t, tc.c.fast)
			for _, doc := range tc.Docs {
				fast, validator := schemaFastVerdicts(tc.c, []byte(doc))
				assert.Equal(t, validator, fast, "%s", doc)
				if validator {
					valid++
				}
			}
			for _, doc := range tc.Deferred {
				fast, validator := schemaFastVerdicts(tc.c, []byte(doc))
				assert.False(t, fast, "%s", doc)
				assert.True(t, validator, "%s", doc)
			}
		})
	}
	assert.Greater(t, valid, 40, "the fixture exercises accepted documents")
}

// TestSchemaFastDepth: nesting past what the fast path walks goes to the validator, which accepts it.
func TestSchemaFastDepth(t *testing.T) {
	c, err := SchemaJSON(`{"$defs":{"t":{"type":["array","integer"],"items":{"$ref":"#/$defs/t"}}},"$ref":"#/$defs/t",` +
		`"$schema":"https://json-schema.org/draft/2020-12/schema"}`).compiled()
	require.NoError(t, err)
	doc := []byte(strings.Repeat("[", 2000) + "1" + strings.Repeat("]", 2000))
	fast, validator := schemaFastVerdicts(c, doc)
	assert.False(t, fast)
	assert.True(t, validator)
	assert.NoError(t, validateText(c, nil, doc))
}

// TestSchemaFastErrorsUnchanged: a document the fast path turns down gets the validator's error.
func TestSchemaFastErrorsUnchanged(t *testing.T) {
	c, err := SchemaFor[valOrder]().compiled()
	require.NoError(t, err)
	require.NotNil(t, c.fast)
	doc := []byte(`{"id":"ord-1","quantity":0,"price":9.5,"customer":{"email":"a@b.co"}}`)
	v, err := powertools.DecodeJSON(doc)
	require.NoError(t, err)
	assert.Equal(t, schemaValidate(c, v), validateText(c, nil, doc))
	var ve *ValidationError
	require.ErrorAs(t, validateText(c, nil, doc), &ve)
	assert.Equal(t, "$.quantity", ve.Path)
	assert.Equal(t, "minimum", ve.Keyword)
	assert.ErrorIs(t, validateText(c, nil, []byte(`{"id":`)), powertools.ErrInvalidJSON)
}

// TestSchemaFastAllocs: the fast path allocates only for format checks (the string it hands to the
// checker, and what the email checker allocates itself).
func TestSchemaFastAllocs(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	c, err := SchemaFor[valOrder]().compiled()
	require.NoError(t, err)
	doc := []byte(`{"id":"ord-1","quantity":2,"price":9.5,"customer":{"email":"buyer@example.com"},` +
		`"items":[{"sku":"SKU-1","count":1},{"sku":"SKU-2","count":2}]}`)
	allocs := testing.AllocsPerRun(50, func() {
		if !c.fast.validDocument(doc) {
			t.Fatal("not accepted")
		}
	})
	assert.LessOrEqual(t, allocs, 4.0)
}

// FuzzSchemaFast: whatever the document, the fast path never accepts what the validator rejects, nor
// text that is not JSON.
func FuzzSchemaFast(f *testing.F) {
	cases := schemaFastCases(f)
	for i, tc := range cases {
		for _, doc := range append(tc.Docs, tc.Deferred...) {
			f.Add(uint(i), []byte(doc))
		}
	}
	f.Fuzz(func(t *testing.T, i uint, doc []byte) {
		c := cases[i%uint(len(cases))].c
		fast, validator := schemaFastVerdicts(c, doc)
		if fast && !validator {
			t.Fatalf("fast path accepts %q, the validator does not", doc)
		}
		if fast && !json.Valid(doc) {
			t.Fatalf("fast path accepts %q, which is not JSON", doc)
		}
	})
}

// validateSlow is Validate without its fast path.
func validateSlow(c *schemaCompiled, q *powertools.Envelope, payload []byte) error {
	if q != nil {
		var err error
		if payload, _, err = eventbody.Decoded(payload); err != nil {
			return validationEventError(err)
		}
	}
	doc, err := q.Unwrap(payload)
	if err != nil {
		return validationEventError(err)
	}
	return schemaValidate(c, doc)
}

// TestValidateFastEnvelope: with the API Gateway envelope, the fast path says yes exactly when the
// validator does for plain events, and leaves odd ones (and failures) to it.
func TestValidateFastEnvelope(t *testing.T) {
	c, err := SchemaFor[valOrder]().compiled()
	require.NoError(t, err)
	q, err := powertools.CompileEnvelope(powertools.EnvelopeAPIGatewayREST)
	require.NoError(t, err)
	good := strconv.Quote(`{"id":"ord-1","quantity":2,"price":9.5,"customer":{"email":"a@b.co"}}`)
	bad := strconv.Quote(`{"id":"ord-1","quantity":0,"price":9.5,"customer":{"email":"a@b.co"}}`)
	for _, tc := range []struct {
		event string
		fast  bool
	}{
		{`{"resource":"/","body":` + good + `,"isBase64Encoded":false}`, true},
		{string(validationFixture(t, "apigw_rest.json")), true},
		{`{"body":` + bad + `}`, false},
		{`{"body":` + good + `,"body":` + bad + `}`, false},
		{`{"body":` + bad + `,"body":` + good + `}`, false},
		{`{"bo\u0064y":` + good + `}`, false},
		{`{"Body":` + good + `}`, false},
		{`{"body":null}`, false},
		{`{"body":{"id":"ord-1"}}`, false},
		{`{"body":` + good + `} x`, false},
		{`[` + good + `]`, false},
	} {
		fast := validateFast(c, q, []byte(tc.event))
		assert.Equal(t, tc.fast, fast, tc.event)
		if fast {
			assert.NoError(t, validateSlow(c, q, []byte(tc.event)), tc.event)
		}
		assert.Equal(t, validateSlow(c, q, []byte(tc.event)), Validate([]byte(tc.event), SchemaFor[valOrder](), powertools.EnvelopeAPIGatewayREST), tc.event)
	}
}

// FuzzValidateFast: the fast path of Validate never accepts an event the validator rejects.
func FuzzValidateFast(f *testing.F) {
	for _, name := range []string{"apigw_rest.json", "apigw_http.json", "sqs.json"} {
		f.Add(validationFixture(f, name), true)
	}
	f.Add([]byte(`{"body":"{\"id\":\"ord-1\",\"quantity\":2,\"price\":9.5,\"customer\":{\"email\":\"a@b.co\"}}"}`), true)
	f.Add([]byte(`{"id":"ord-1","quantity":2,"price":9.5,"customer":{"email":"a@b.co"},"items":[{"sku":"a","count":1}]}`), false)
	c, err := SchemaFor[valOrder]().compiled()
	require.NoError(f, err)
	q, err := powertools.CompileEnvelope(powertools.EnvelopeAPIGatewayREST)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, payload []byte, envelope bool) {
		qq := q
		if !envelope {
			qq = nil
		}
		if validateFast(c, qq, payload) {
			if err := validateSlow(c, qq, payload); err != nil {
				t.Fatalf("fast path accepts %q, the validator: %v", payload, err)
			}
		}
	})
}

// FuzzSchemaFastSchemas varies the schema as well as the document: preparing the fast path never
// panics, and it never accepts what the validator rejects.
func FuzzSchemaFastSchemas(f *testing.F) {
	for _, tc := range schemaFastCases(f) {
		for _, doc := range tc.Docs {
			f.Add([]byte(tc.Schema), []byte(doc))
		}
	}
	f.Fuzz(func(t *testing.T, schema, doc []byte) {
		c, err := schemaCompile(schema)
		if err != nil {
			return
		}
		if fast, validator := schemaFastVerdicts(c, doc); fast && !validator {
			t.Fatalf("schema %s: fast path accepts %q, the validator does not", schema, doc)
		}
	})
}

// -update rewrites the encoded event fixtures (Kinesis, CloudWatch Logs, Firehose) from the plain
// documents below; without it TestValidationFixturesUpToDate checks the committed files match them.
// The JMESPath and parser tests read these fixtures too (testenv.EventFixture).
var updateFixtures = flag.Bool("update", false, "rewrite the encoded event fixtures in testdata")

// validationFixture reads a shared event fixture.
func validationFixture(t testing.TB, name string) []byte { return testenv.EventFixture(t, name) }

func validationJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	return append(b, '\n')
}

// validationEncodedFixtures builds the fixtures whose payloads are encoded, from readable documents.
func validationEncodedFixtures(t testing.TB) map[string][]byte {
	orders := []string{
		`{"id":"ord-3001","quantity":2,"price":12.5,"customer":{"email":"k1@example.com"}}`,
		`{"id":"ord-3002","quantity":5,"price":3,"customer":{"email":"k2@example.com"}}`,
	}
	var kinesis []any
	for i, o := range orders {
		kinesis = append(kinesis, map[string]any{
			"kinesis": map[string]any{
				"kinesisSchemaVersion": "1.0", "partitionKey": "orders-" + strconv.Itoa(i),
				"sequenceNumber":              "4959033155980893290339223478006127680913823860009107" + strconv.Itoa(i),
				"data":                        base64.StdEncoding.EncodeToString([]byte(o)),
				"approximateArrivalTimestamp": 1741633954.123,
			},
			"eventSource": "aws:kinesis", "eventVersion": "1.0",
			"eventID":           "shardId-000000000006:4959033155980893290339223478006127680913823860009107" + strconv.Itoa(i),
			"eventName":         "aws:kinesis:record",
			"invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-kinesis-role",
			"awsRegion":         "us-east-1",
			"eventSourceARN":    "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
		})
	}
	logs := map[string]any{
		"messageType": "DATA_MESSAGE", "owner": "123456789012",
		"logGroup": "/aws/lambda/orders", "logStream": "2025/03/10/[$LATEST]a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
		"subscriptionFilters": []string{"orders-errors"},
		"logEvents": []any{
			map[string]any{"id": "38207634513493459045349560395439850439850439850439850400", "timestamp": 1741633954000,
				"message": `{"level":"ERROR","message":"payment declined","order_id":"ord-4001","code":402}`},
			map[string]any{"id": "38207634513493459045349560395439850439850439850439850401", "timestamp": 1741633955000,
				"message": `{"level":"ERROR","message":"stock exhausted","order_id":"ord-4002","code":409}`},
		},
	}
	s3 := `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2025-03-10T19:12:34.567Z","eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","bucket":{"name":"orders-inbox","arn":"arn:aws:s3:::orders-inbox"},"object":{"key":"2025/03/10/ord-5001.json","size":512,"eTag":"0123456789abcdef0123456789abcdef"}}}]}`
	snsWrapped, err := json.Marshal(map[string]any{"Type": "Notification", "MessageId": "d88d4479-6ec0-54fe-b63f-1cf9df4bb16e",
		"TopicArn": "arn:aws:sns:us-east-1:123456789012:uploads", "Message": s3, "Timestamp": "2025-03-10T19:12:35.123Z"})
	require.NoError(t, err)
	firehose := func(docs ...string) map[string]any {
		var recs []any
		for i, d := range docs {
			recs = append(recs, map[string]any{"recordId": "49546986683135544286507457936321625675700192471156785154" + strconv.Itoa(i),
				"approximateArrivalTimestamp": 1741633954123, "data": base64.StdEncoding.EncodeToString([]byte(d))})
		}
		return map[string]any{"invocationId": "invocationIdExample", "deliveryStreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/uploads",
			"region": "us-east-1", "records": recs}
	}
	return map[string][]byte{
		"kinesis.json":                 validationJSON(t, map[string]any{"Records": kinesis}),
		"cloudwatch_logs.json":         validationJSON(t, map[string]any{"awslogs": map[string]any{"data": testenv.Gzip64(t, validationJSON(t, logs))}}),
		"s3_kinesis_firehose.json":     validationJSON(t, firehose(s3)),
		"s3_sns_kinesis_firehose.json": validationJSON(t, firehose(string(snsWrapped))),
	}
}

func TestValidationFixturesUpToDate(t *testing.T) {
	for name, want := range validationEncodedFixtures(t) {
		path := filepath.Join("testdata", name)
		if *updateFixtures {
			require.NoError(t, os.WriteFile(path, want, 0o644))
			continue
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err, "run go test -run TestValidationFixturesUpToDate -update")
		assert.Equal(t, string(want), string(got), name)
	}
}

func TestEnvelopeOverTheWrongSourceMatchesNothing(t *testing.T) {
	// An SQS envelope over an EventBridge event selects nothing: an *EnvelopeError, not a nil value.
	err := Validate(validationFixture(t, "eventbridge.json"), SchemaJSON(`{}`), powertools.EnvelopeSQS)
	require.ErrorIs(t, err, powertools.ErrEnvelope)
	var ee *powertools.EnvelopeError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, powertools.EnvelopeSQS, ee.Envelope)
	require.ErrorIs(t, err, ErrValidation)
}

// TestWithNoAllocationOnSuccess: the App's validator adds no allocation to the validation itself on a
// valid event.
func TestWithNoAllocationOnSuccess(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	ev := validationFixture(t, "apigw_rest.json")
	v := &validator{inbound: SchemaFor[valOrder](), expr: powertools.EnvelopeAPIGatewayREST}
	require.NoError(t, v.Init())
	ctx := context.Background()
	require.NoError(t, v.ValidateEvent(ctx, ev))
	viaApp := testing.AllocsPerRun(50, func() {
		if err := v.ValidateEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	})
	direct := testing.AllocsPerRun(50, func() {
		if err := validateText(v.in, v.env, ev); err != nil {
			t.Fatal(err)
		}
	})
	assert.Equal(t, direct, viaApp)
}
