package validation

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools"
)

// sqsSchemas are the schemas the SQS fast path is compared under: the array of orders (what the
// envelope selects), one order (the array never satisfies it), bounds on the batch's size, anything, a
// tuple of one record, a keyword the fast path leaves to the validator (uniqueItems, over the
// decoded array), and a batch size alone (which counts null bodies out).
var sqsSchemas = []string{
	valOrderListSchema2020,
	`{"type":"object","required":["id"]}`,
	`{"$schema":"http://json-schema.org/draft-07/schema#","type":"array","minItems":2,"maxItems":3,"items":{"type":"object","required":["id"]}}`,
	`{}`,
	`{"$schema":"http://json-schema.org/draft-07/schema#","type":"array","items":[{"type":"object"}],"additionalItems":false}`,
	`{"type":"array","uniqueItems":true}`,
	`{"type":"array","minItems":2}`,
}

// sqsEvent is an SQS event whose records carry the given bodies, each with the other fields a real
// record has.
func sqsEvent(bodies ...string) string {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i, body := range bodies {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"messageId":"m` + strconv.Itoa(i) + `","receiptHandle":"AQEB...","body":` + strconv.Quote(body) +
			`,"attributes":{"ApproximateReceiveCount":"1"},"messageAttributes":{},"eventSource":"aws:sqs","awsRegion":"us-east-1"}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

const (
	sqsGood  = `{"id":"ord-1","quantity":2}`
	sqsGood2 = `{"id":"ord-2","quantity":5,"customer":{"email":"a@b.co"}}`
	sqsBad   = `{"id":"ord-3","quantity":0}`
)

// sqsCases are SQS events, plain and odd, and whether the fast path vouches for them under the first
// schema (the array of orders).
var sqsCases = []struct {
	event string
	fast  bool
}{
	{sqsEvent(sqsGood), true},
	{sqsEvent(sqsGood, sqsGood2, sqsGood), true},
	{sqsEvent(sqsGood, sqsGood2, sqsGood, sqsGood2, sqsGood, sqsGood2, sqsGood, sqsGood2, sqsGood, sqsGood2), true},
	{sqsEvent(" \n" + sqsGood + "\t "), true},                             // white space around a body
	{sqsEvent(`{"id":"\u00e9\n","quantity":1}`), true},                    // escapes inside the body
	{`{"Records":[{"body":"{\"id\":\"\u00e9\",\"quantity\":1}"}]}`, true}, // escapes in the event
	{sqsEvent(sqsGood, sqsBad), false},                                    // an invalid body
	{sqsEvent(sqsBad), false},
	{sqsEvent(`{"id":"ord-1"}`), false}, // a required key missing
	{sqsEvent(sqsGood, "null"), false},  // the envelope drops null bodies
	{sqsEvent(" null "), false},
	{sqsEvent("null", "null"), false},
	{sqsEvent(sqsGood, "1,2"), false}, // not one document
	{sqsEvent(`{"id":"a","quantity":1}`, `"x`), false},
	{sqsEvent(sqsGood, ""), false},
	{sqsEvent(sqsGood, "{"), false},
	{sqsEvent(`"\ud83d\ude00"`), false}, // strings Unquote leaves to encoding/json
	{`{"Records":[{"body":"\"\ud83d\ude00\""}]}`, false},
	{"{\"Records\":[{\"body\":\"\\\"\xff\\\"\"}]}", false},
	{`{"Records":[]}`, false}, // an empty batch
	{`{"Records":null}`, false},
	{`{"Records":{}}`, false},
	{`{"Records":[null]}`, false},
	{`{"Records":[1]}`, false},
	{`{"Records":[{}]}`, false},
	{`{"Records":[{"body":null}]}`, false},
	{`{"Records":[{"body":1}]}`, false},
	{`{"Records":[{"body":{"id":"ord-1","quantity":2}}]}`, false},
	{`{}`, false},
	{`[]`, false},
	{`null`, false},
	{`{"Rec\u006frds":[{"body":` + strconv.Quote(sqsGood) + `}]}`, false}, // escaped keys
	{`{"Records":[{"bo\u0064y":` + strconv.Quote(sqsGood) + `}]}`, false},
	{`{"records":[{"body":` + strconv.Quote(sqsGood) + `}]}`, false}, // keys spelled otherwise
	{`{"Records":[{"Body":` + strconv.Quote(sqsGood) + `}]}`, false},
	{`{"Records":[{"body":` + strconv.Quote(sqsGood) + `,"body":` + strconv.Quote(sqsBad) + `}]}`, false}, // duplicates
	{`{"Records":[{"body":` + strconv.Quote(sqsBad) + `,"body":` + strconv.Quote(sqsGood) + `}]}`, false},
	{`{"Records":[{"body":` + strconv.Quote(sqsGood) + `}],"Records":[]}`, false},
	{`{"Records":[],"Records":[{"body":` + strconv.Quote(sqsGood) + `}]}`, false},
	{sqsEvent(sqsGood) + ` x`, false}, // malformed events
	{sqsEvent(sqsGood)[:40], false},
	{`{"Records":[{"body":` + strconv.Quote(sqsGood) + `},]}`, false},
	{`{"Records":[{"body":` + strconv.Quote(sqsGood) + `}]`, false},
	{`{"Records":[{"body":"{\"id\":\"ord-1\",\"quantity\":2}\x01"}]}`, false},
}

// sqsCompiled compiles the SQS envelope and the schemas of sqsSchemas.
func sqsCompiled(t testing.TB) (*powertools.Envelope, []*schemaCompiled) {
	t.Helper()
	q, err := powertools.CompileEnvelope(powertools.EnvelopeSQS)
	require.NoError(t, err)
	cs := make([]*schemaCompiled, len(sqsSchemas))
	for i, s := range sqsSchemas {
		cs[i], err = SchemaJSON(s).compiled()
		require.NoError(t, err)
		require.NotNil(t, cs[i].fast, s)
	}
	return q, cs
}

// sqsDiffer compares the fast path with the slow one over one event: the fast path never vouches for an
// event the validator rejects, and Validate (fast path first) returns exactly the slow path's error.
func sqsDiffer(t testing.TB, q *powertools.Envelope, schema string, c *schemaCompiled, event []byte) (fast bool) {
	t.Helper()
	fast = validateFast(c, q, event)
	slow := validateSlow(c, q, event)
	if fast && slow != nil {
		t.Fatalf("schema %s: fast path accepts %q, the validator: %v", schema, event, slow)
	}
	if got := Validate(event, SchemaJSON(schema), powertools.EnvelopeSQS); !assert.Equal(t, slow, got, "%s\n%s", schema, event) {
		t.FailNow()
	}
	return fast
}

// TestValidateFastSQS: over SQS events plain and odd, and under schemas of the array and of one body,
// the fast path agrees with the validator, errors are the validator's, and plain valid events take the
// fast path.
func TestValidateFastSQS(t *testing.T) {
	q, cs := sqsCompiled(t)
	for _, tc := range sqsCases {
		for i, c := range cs {
			fast := sqsDiffer(t, q, sqsSchemas[i], c, []byte(tc.event))
			if i == 0 {
				assert.Equal(t, tc.fast, fast, tc.event)
			}
			if i == 1 { // a schema for one body: the envelope's array never satisfies it
				assert.False(t, fast, tc.event)
			}
		}
	}
	for _, name := range []string{"sqs.json", "sqs_invalid.json", "sns.json", "apigw_rest.json"} {
		for i, c := range cs {
			sqsDiffer(t, q, sqsSchemas[i], c, validationFixture(t, name))
		}
	}
	// The real SQS event: the fast path answers for the array schema, and for the batch size bounds.
	assert.True(t, validateFast(cs[0], q, validationFixture(t, "sqs.json")))
	assert.True(t, validateFast(cs[2], q, validationFixture(t, "sqs.json")))
	// uniqueItems is the validator's, over the decoded array: duplicate bodies fail, distinct ones pass.
	assert.Error(t, Validate([]byte(sqsEvent(sqsGood, sqsGood)), SchemaJSON(sqsSchemas[5]), powertools.EnvelopeSQS))
	assert.NoError(t, Validate([]byte(sqsEvent(sqsGood, sqsGood2)), SchemaJSON(sqsSchemas[5]), powertools.EnvelopeSQS))
	// Batch size bounds and tuples count the records.
	assert.False(t, validateFast(cs[2], q, []byte(sqsEvent(sqsGood))))
	assert.False(t, validateFast(cs[2], q, []byte(sqsEvent(sqsGood, sqsGood, sqsGood, sqsGood))))
	assert.True(t, validateFast(cs[4], q, []byte(sqsEvent(sqsGood))))
	assert.False(t, validateFast(cs[4], q, []byte(sqsEvent(sqsGood, sqsGood))))
	// The envelope drops null bodies: two records, one null, are an array of one.
	assert.True(t, validateFast(cs[6], q, []byte(sqsEvent(sqsGood, sqsGood))))
	assert.False(t, validateFast(cs[6], q, []byte(sqsEvent(sqsGood, "null"))))
	assert.Error(t, Validate([]byte(sqsEvent(sqsGood, "null")), SchemaJSON(sqsSchemas[6]), powertools.EnvelopeSQS))
}

// TestValidateSQSErrorsUnchanged: an invalid body gets the validator's error, its path into the array
// the envelope selects, and the middleware marks it inbound.
func TestValidateSQSErrorsUnchanged(t *testing.T) {
	ev := []byte(sqsEvent(sqsGood, sqsBad))
	var ve *ValidationError
	require.ErrorAs(t, Validate(ev, SchemaJSON(valOrderListSchema2020), powertools.EnvelopeSQS), &ve)
	assert.Equal(t, "$[1].quantity", ve.Path)
	assert.Equal(t, "minimum", ve.Keyword)
	app, err := powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithLogOutput(&bytes.Buffer{}),
		With(SchemaJSON(valOrderListSchema2020), Schema{}, powertools.EnvelopeSQS))
	require.NoError(t, err)
	called := 0
	h := app.Wrap(powertools.HandlerFunc(func(context.Context, []byte) ([]byte, error) { called++; return nil, nil }))
	_, err = h.Invoke(context.Background(), ev)
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "inbound", ve.Stage)
	assert.Equal(t, "$[1].quantity", ve.Path)
	_, err = h.Invoke(context.Background(), []byte(sqsEvent(sqsGood, sqsGood2)))
	require.NoError(t, err)
	assert.Equal(t, 1, called)
}

// TestValidateSQSWarmAllocations: a valid SQS event validated through the envelope by the App's
// validator allocates nothing (the schema asserts no format): the event is scanned, its bodies joined in
// a pooled buffer.
func TestValidateSQSWarmAllocations(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	ev := validationFixture(t, "sqs.json")
	schema := SchemaJSON(valOrderListSchema2020)
	require.NoError(t, Validate(ev, schema, powertools.EnvelopeSQS))
	v := &validator{inbound: schema, expr: powertools.EnvelopeSQS}
	require.NoError(t, v.Init())
	allocs := testing.AllocsPerRun(50, func() {
		if err := v.ValidateEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("warm validation of an SQS event of 3 records: %.0f allocations", allocs)
	assert.Zero(t, allocs)
}

// FuzzValidateFastSQS: whatever the event, the fast path of the SQS envelope never accepts what the
// validator rejects, and Validate returns the slow path's error.
func FuzzValidateFastSQS(f *testing.F) {
	for _, tc := range sqsCases {
		f.Add([]byte(tc.event), uint8(0))
	}
	for _, name := range []string{"sqs.json", "sqs_invalid.json"} {
		f.Add(validationFixture(f, name), uint8(2))
	}
	q, cs := sqsCompiled(f)
	f.Fuzz(func(t *testing.T, event []byte, schema uint8) {
		i := int(schema) % len(cs)
		sqsDiffer(t, q, sqsSchemas[i], cs[i], event)
	})
}

// FuzzValidateFastSQSBodies builds SQS events from fuzzed bodies, so that most inputs reach the fast
// path's own checks (random bytes seldom make an SQS event): shape bits add a null body, an empty
// batch, a record's body twice, an escaped key.
func FuzzValidateFastSQSBodies(f *testing.F) {
	f.Add(sqsGood, sqsGood2, uint8(0), uint8(0))
	f.Add(sqsGood, sqsBad, uint8(0), uint8(0))
	f.Add(sqsGood, "null", uint8(0), uint8(0))
	f.Add(sqsGood, "1,2", uint8(0), uint8(2))
	f.Add(sqsGood, sqsGood, uint8(0), uint8(5))
	f.Add(`[{"id":"x"}]`, `"s"`, uint8(1), uint8(3))
	f.Add(sqsGood, sqsGood2, uint8(4), uint8(0))
	f.Add(sqsGood, sqsGood2, uint8(8), uint8(0))
	q, cs := sqsCompiled(f)
	f.Fuzz(func(t *testing.T, b1, b2 string, shape, schema uint8) {
		bodies := []string{b1, b2}
		if shape&1 != 0 {
			bodies = append(bodies, "null")
		}
		if shape&2 != 0 {
			bodies = bodies[:0]
		}
		event := sqsEvent(bodies...)
		if shape&4 != 0 && len(bodies) > 0 {
			event = strings.Replace(event, `"body":`, `"body":`+strconv.Quote(b2)+`,"body":`, 1)
		}
		if shape&8 != 0 {
			event = strings.Replace(event, `"body"`, `"bod\u0079"`, 1)
		}
		i := int(schema) % len(cs)
		sqsDiffer(t, q, sqsSchemas[i], cs[i], []byte(event))
		if b, err := json.Marshal(bodies); err == nil && shape == 0 {
			sqsDiffer(t, q, sqsSchemas[i], cs[i], []byte(`{"Records":[{"body":`+string(b[1:len(b)-1])+`}]}`))
		}
	})
}

// BenchmarkValidateSQS validates an SQS event of 10 records through the SQS envelope against the schema
// of the array of orders: cold empties the schema cache before every call; warm is every later call;
// slow is the path without the scanner (the event decoded, the envelope searched), for comparison.
func BenchmarkValidateSQS(b *testing.B) {
	bodies := make([]string, 10)
	for i := range bodies {
		bodies[i] = `{"id":"ord-` + strconv.Itoa(i) + `","quantity":` + strconv.Itoa(i+1) + `,"price":9.5,"customer":{"email":"a@example.com"}}`
	}
	ev := []byte(sqsEvent(bodies...))
	run := func(b *testing.B, reset bool) {
		b.ReportAllocs()
		for b.Loop() {
			if reset {
				schemaResetCaches()
			}
			if err := Validate(ev, SchemaJSON(valOrderListSchema2020), powertools.EnvelopeSQS); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("cold", func(b *testing.B) { run(b, true) })
	b.Run("warm", func(b *testing.B) { run(b, false) })
	b.Run("slow", func(b *testing.B) {
		q, cs := sqsCompiled(b)
		b.ReportAllocs()
		for b.Loop() {
			if err := validateSlow(cs[0], q, ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}
