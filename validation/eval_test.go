package validation

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools"
)

// TestValidationMessagesListEveryIssue: the message used to name the first issue and "(and 1 more)";
// an enum's values were cut too. It lists every issue (up to validationMaxListed, then the count) and
// every allowed value.
func TestValidationMessagesListEveryIssue(t *testing.T) {
	s := SchemaJSON(`{"type":"object","required":["id","currency","amount"],"properties":{
		"currency":{"enum":["EUR","USD","GBP","JPY"]},"amount":{"type":"number","exclusiveMinimum":0}}}`)
	err := Validate([]byte(`{"amount":0,"currency":"CHF"}`), s, "")
	require.ErrorIs(t, err, ErrValidation)
	assert.Equal(t, `powertools: validation failed: 3 issues: at $: missing property "id"; `+
		`at $.amount: must be > 0, not 0; at $.currency: must be one of "EUR", "USD", "GBP", "JPY"`, err.Error())
	assert.NotContains(t, err.Error(), "more")

	many := SchemaJSON(`{"type":"array","items":{"type":"string"}}`)
	doc := "[" + strings.TrimSuffix(strings.Repeat("1,", validationMaxListed+5), ",") + "]"
	err = Validate([]byte(doc), many, "")
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, ve.Issues, validationMaxListed+5)
	assert.Contains(t, err.Error(), fmt.Sprintf("%d issues: ", validationMaxListed+5))
	assert.True(t, strings.HasSuffix(err.Error(), "; 5 more not listed"), err.Error())
}

// TestValidationIssuesKeepPathKeywordReason: with the new library each issue still carries the
// JSONPath of the failing value, the keyword and the reason.
func TestValidationIssuesKeepPathKeywordReason(t *testing.T) {
	s := SchemaJSON(`{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{
		"items":{"type":"array","items":{"$ref":"#/$defs/item"}},"weird key":{"type":"string"}},
		"$defs":{"item":{"type":"object","required":["sku"],"properties":{"sku":{"type":"string"},"qty":{"type":"integer","minimum":1}},"additionalProperties":false}}}`)
	err := Validate([]byte(`{"items":[{"sku":"a","qty":1},{"qty":0,"x":1}],"weird key":5}`), s, "")
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []ValidationIssue{
		{Path: "$.items[1]", Keyword: "required", Reason: `missing property "sku"`},
		{Path: "$.items[1].qty", Keyword: "minimum", Reason: "must be >= 1, not 0"},
		{Path: "$.items[1].x", Keyword: "additionalProperties", Reason: `property "x" is not allowed`},
		{Path: `$["weird key"]`, Keyword: "type", Reason: "must be string, not a number"},
	}, ve.Issues)
	assert.Equal(t, ve.Issues[0].Path, ve.Path)
	assert.Equal(t, "required", ve.Keyword)
	require.Error(t, ve.Err, "the library's own error stays in the chain")
}

// TestValidationLibraryMessageForPartialSchemas: for a schema the walk leaves to the library
// (unevaluatedProperties), the error is the library's message, with its keyword.
func TestValidationLibraryMessageForPartialSchemas(t *testing.T) {
	s := SchemaJSON(`{"$schema":"https://json-schema.org/draft/2020-12/schema","properties":{"a":true},"unevaluatedProperties":false}`)
	require.NoError(t, Validate([]byte(`{"a":1}`), s, ""))
	err := Validate([]byte(`{"a":1,"b":2}`), s, "")
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "$", ve.Path)
	assert.NotContains(t, ve.Reason, "validating ")
}

// TestValidateCyclicValue: a decoded value that contains itself used to overflow the stack inside the
// schema library (a fatal error no recover catches). It runs in a child process, so a crash fails this
// test instead of killing the test binary.
func TestValidateCyclicValue(t *testing.T) {
	if os.Getenv("POWERTOOLS_TEST_CYCLE_CHILD") == "1" {
		m := map[string]any{"a": 1.0}
		m["self"] = m
		l := []any{1.0, nil}
		l[1] = l
		deep := any("x")
		for range validationMaxDepth + 10 {
			deep = []any{deep}
		}
		schema := SchemaJSON(`{"$defs":{"t":{"type":["object","array","number","string"],"additionalProperties":{"$ref":"#/$defs/t"},"items":{"$ref":"#/$defs/t"}}},"$ref":"#/$defs/t"}`)
		for name, v := range map[string]any{"map": m, "slice": l, "nested": map[string]any{"x": []any{m}}, "deep": deep} {
			for _, env := range []string{"", "self"} {
				if err := Validate(v, schema, env); err == nil || !strings.Contains(err.Error(), "powertools: validation failed") {
					fmt.Println(name, env, "got", err)
					os.Exit(3)
				}
			}
		}
		fmt.Println("child ok")
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestValidateCyclicValue$")
	cmd.Env = append(os.Environ(), "POWERTOOLS_TEST_CYCLE_CHILD=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the child crashed or failed:\n%s", out)
	assert.Contains(t, string(out), "child ok")
	// Shared, acyclic values are fine.
	shared := map[string]any{"k": "v"}
	require.NoError(t, Validate(map[string]any{"a": shared, "b": []any{shared, shared}}, SchemaJSON(`{"type":"object"}`), ""))
}

// TestNonJSONBodyMatchesErrValidation: through With, a body that does not decode is a validation
// failure (a user's 400 mapping sees it), with the decode error kept as the cause.
func TestNonJSONBodyMatchesErrValidation(t *testing.T) {
	app, calls := valApp(t, With(SchemaFor[valOrder](), Schema{}, powertools.EnvelopeAPIGatewayHTTP))
	h := app.Wrap(func(v map[string]any) error { calls.Add(1); return nil })
	for _, event := range []string{
		`{"version":"2.0","body":"not json","isBase64Encoded":false}`,
		`{"version":"2.0","isBase64Encoded":false}`,
		`{"version":"2.0","body":"bm90IGpzb24=","isBase64Encoded":true}`,
	} {
		_, err := h.Invoke(t.Context(), []byte(event))
		require.ErrorIs(t, err, ErrValidation, event)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "inbound", ve.Stage)
		assert.Equal(t, 1, strings.Count(err.Error(), "powertools:"), err.Error())
	}
	_, err := h.Invoke(t.Context(), []byte(`{"body":"not json"}`))
	require.ErrorIs(t, err, powertools.ErrInvalidJSON)
	var de *powertools.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Zero(t, calls.Load())
}

// TestBase64BodiesEveryHTTPSource: Validate used to fail with "invalid json" on an event whose body is
// marked isBase64Encoded (parser.ParseAPIGateway decoded it). Both read bodies through
// internal/eventbody now: REST, HTTP, ALB, Function URL and VPC Lattice (v1 and v2).
func TestBase64BodiesEveryHTTPSource(t *testing.T) {
	var fx map[string]map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(validationFixture(t, "http_base64.json"), &fx))
	require.Len(t, fx["valid"], 6)
	for name, ev := range fx["valid"] {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, Validate([]byte(ev), SchemaFor[valOrder](), powertools.EnvelopeAPIGatewayREST))
			require.NoError(t, Validate([]byte(ev), SchemaFor[valCustomer](), "powertools_json(body).customer"), "any envelope")
			var decoded map[string]any
			require.NoError(t, json.Unmarshal(ev, &decoded))
			require.NoError(t, Validate(decoded, SchemaFor[valOrder](), powertools.EnvelopeAPIGatewayREST), "a decoded event")
			err := Validate([]byte(fx["invalid"][name]), SchemaFor[valOrder](), powertools.EnvelopeAPIGatewayREST)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "$.quantity", ve.Path)
			// Through With, where the fast path runs first.
			app, calls := valApp(t, With(SchemaFor[valOrder](), Schema{}, powertools.EnvelopeAPIGatewayREST))
			h := app.Wrap(func(v map[string]any) error { calls.Add(1); return nil })
			_, err = h.Invoke(t.Context(), []byte(ev))
			require.NoError(t, err)
			_, err = h.Invoke(t.Context(), []byte(fx["invalid"][name]))
			require.ErrorIs(t, err, ErrValidation)
			assert.EqualValues(t, 1, calls.Load())
		})
	}
}
