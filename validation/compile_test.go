package validation

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools"
)

// TestOlderDraftsReadAsDraft7: a draft 4, 6 or 2019-09 schema is accepted where it means the same under
// draft 7 (2020-12 for 2019-09), and refused by New with a *ConfigError naming the keyword where not.
func TestOlderDraftsReadAsDraft7(t *testing.T) {
	const d4, d6, d2019 = `"$schema":"http://json-schema.org/draft-04/schema#"`, `"$schema":"http://json-schema.org/draft-06/schema#"`,
		`"$schema":"https://json-schema.org/draft/2019-09/schema"`
	accepted := []struct {
		name, schema, valid, invalid string
	}{
		{"draft 4 plain keywords", `{` + d4 + `,"type":"object","required":["a"],"properties":{"a":{"type":"integer","minimum":1,"exclusiveMinimum":false}}}`, `{"a":1}`, `{"a":0}`},
		{"draft 4 id at the root", `{` + d4 + `,"id":"http://example.com/order.json","definitions":{"p":{"type":"integer"}},"properties":{"a":{"$ref":"#/definitions/p"}}}`, `{"a":1}`, `{"a":"x"}`},
		{"draft 6 const and contains", `{` + d6 + `,"properties":{"a":{"const":1},"l":{"contains":{"type":"string"}}}}`, `{"a":1,"l":[1,"x"]}`, `{"l":[1]}`},
		{"draft 2019-09 without array items", `{` + d2019 + `,"type":"array","items":{"type":"integer"}}`, `[1,2]`, `[1,"x"]`},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			s := SchemaJSON(tt.schema)
			_, err := powertools.New(powertools.WithEnv(map[string]string{}), With(s, Schema{}, ""))
			require.NoError(t, err)
			assert.NoError(t, Validate([]byte(tt.valid), s, ""))
			assert.ErrorIs(t, Validate([]byte(tt.invalid), s, ""), ErrValidation)
		})
	}
	refused := []struct {
		name, schema, keyword string
	}{
		{"draft 4 boolean exclusiveMaximum", `{` + d4 + `,"maximum":3,"exclusiveMaximum":true}`, "exclusiveMaximum"},
		{"draft 4 const (ignored there)", `{` + d4 + `,"properties":{"a":{"const":1}}}`, "const"},
		{"draft 4 id in a subschema", `{` + d4 + `,"properties":{"a":{"id":"#a","type":"string"}}}`, "id"},
		{"draft 4 boolean subschema", `{` + d4 + `,"properties":{"a":false}}`, "(boolean schema)"},
		{"draft 6 if", `{` + d6 + `,"if":{"type":"string"},"then":{"minLength":2}}`, "if"},
		{"draft 2019-09 array items", `{` + d2019 + `,"items":[{"type":"integer"}]}`, "items"},
		{"draft 2019-09 $recursiveRef", `{` + d2019 + `,"$recursiveAnchor":true,"items":{"$recursiveRef":"#"}}`, "$recursive"},
		{"unknown draft", `{"$schema":"http://json-schema.org/draft-03/schema#"}`, "$schema"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := powertools.New(powertools.WithEnv(map[string]string{}), With(SchemaJSON(tt.schema), Schema{}, ""))
			var ce *powertools.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, err.Error(), tt.keyword)
			assert.Equal(t, 1, strings.Count(err.Error(), "powertools:"), err.Error())
		})
	}
}

// TestRefCycleIsAConfigError: a schema whose $ref chain loops was accepted by New, then every event
// failed ("causing reference cycle"); with the new library it would recurse until the process died.
// It is a *ConfigError from New; recursion through the value (a tree) stays accepted.
func TestRefCycleIsAConfigError(t *testing.T) {
	for _, schema := range []string{
		`{"$ref":"#"}`,
		`{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},"$ref":"#/definitions/a"}`,
		`{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"a":{"allOf":[{"$ref":"#/$defs/b"}]},"b":{"anyOf":[{"$ref":"#/$defs/a"}]}},"properties":{"x":{"$ref":"#/$defs/a"}}}`,
		`{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"a":{"$anchor":"here","not":{"$ref":"#here"}}},"$ref":"#/$defs/a"}`,
	} {
		_, err := powertools.New(powertools.WithEnv(map[string]string{}), With(SchemaJSON(schema), Schema{}, ""))
		var ce *powertools.ConfigError
		require.ErrorAs(t, err, &ce, schema)
		assert.Contains(t, err.Error(), "loops", schema)
	}
	tree := SchemaJSON(`{"definitions":{"node":{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#/definitions/node"}}}}},"$ref":"#/definitions/node"}`)
	require.NoError(t, tree.Compile())
	assert.NoError(t, Validate([]byte(`{"kids":[{"kids":[]},{}]}`), tree, ""))
	assert.ErrorIs(t, Validate([]byte(`{"kids":[{"kids":3}]}`), tree, ""), ErrValidation)
}

// TestSchemaLoadsNothing: a reference outside the document is refused, never fetched.
func TestSchemaLoadsNothing(t *testing.T) {
	err := SchemaJSON(`{"$ref":"http://127.0.0.1:1/schema.json"}`).Compile()
	require.ErrorIs(t, err, ErrSchema)
	assert.Contains(t, err.Error(), "not loaded")
}
