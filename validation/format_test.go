package validation

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools"
)

// TestFormatsAgainstPython holds the built-in formats to what fastjsonschema (the Python edition's
// validator) says of the same values (testdata/formats_python.json, written by formats_python.py): never
// laxer, and stricter only where the RFC says so (fastjsonschema checks dates and times by regular
// expressions that let 2024-13-01 or 25:00:00 through), listed here. Python does not know "uuid".
func TestFormatsAgainstPython(t *testing.T) {
	b, err := os.ReadFile("testdata/formats_python.json")
	require.NoError(t, err)
	var golden struct {
		Cases []struct {
			Format string `json:"format"`
			Value  any    `json:"value"`
			Valid  bool   `json:"valid"`
			Custom bool   `json:"custom"`
		} `json:"cases"`
		Unknown string `json:"unknown_format"`
	}
	require.NoError(t, json.Unmarshal(b, &golden))
	stricter := map[string]bool{ // Python accepts, the RFC (and this package) does not
		"date-time 2023-02-29T12:30:00Z": true, "date-time 2024-01-01T25:00:00Z": true,
		"date 2023-02-29": true, "date 2024-13-01": true, "date 2024-1-01": true,
		"time 25:00:00Z": true, "time 12:30:00": true, "email a b@example.com": true, "ipv4 01.2.3.4": true,
	}
	WithFormat("sku", func(v any) bool { s, ok := v.(string); return ok && strings.HasPrefix(s, "SKU-") })
	for _, c := range golden.Cases {
		name := fmt.Sprintf("%s %v", c.Format, c.Value)
		t.Run(name, func(t *testing.T) {
			schema := `{"format":"` + c.Format + `"}`
			doc, _ := json.Marshal(c.Value)
			got := Validate(doc, SchemaJSON(schema), "") == nil
			switch {
			case c.Format == "uuid":
				assert.Equal(t, c.Value == "123e4567-e89b-12d3-a456-426614174000", got, "uuid is asserted here")
			case stricter[name]:
				assert.True(t, c.Valid, "listed as stricter, so Python accepts it")
				assert.False(t, got)
			default:
				assert.Equal(t, c.Valid, got)
			}
		})
	}
	// Python refuses a schema with an unknown format; here it stays an annotation.
	assert.Contains(t, golden.Unknown, "Unknown format")
	assert.NoError(t, Validate([]byte(`"x"`), SchemaJSON(`{"type":"string","format":"no-such-format"}`), ""))
}

// TestWithFormat: a format registered with WithFormat is asserted for every schema, over any value
// type, also through the fast path and among New's options.
func TestWithFormat(t *testing.T) {
	const name = "even-test-format"
	s := SchemaJSON(`{"type":"object","properties":{"n":{"format":"` + name + `"},"s":{"type":"string","format":"` + name + `"}}}`)
	require.NoError(t, Validate([]byte(`{"n":3}`), s, ""), "unknown until registered: an annotation")
	app, err := powertools.New(powertools.WithEnv(map[string]string{}),
		WithFormat(name, func(v any) bool {
			switch x := v.(type) {
			case float64:
				return int(x)%2 == 0
			case string:
				return len(x)%2 == 0
			}
			return true
		}),
		With(s, Schema{}, ""))
	require.NoError(t, err)
	require.NotNil(t, app)
	assert.NoError(t, Validate([]byte(`{"n":4,"s":"ab"}`), s, ""))
	err = Validate([]byte(`{"n":3,"s":"abc"}`), s, "")
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Issues, 2)
	assert.Equal(t, "format", ve.Issues[0].Keyword)
	assert.Equal(t, "$.n", ve.Issues[0].Path)
	assert.Contains(t, ve.Issues[1].Reason, `must be a valid "`+name+`"`)
	c, err := s.compiled()
	require.NoError(t, err)
	assert.True(t, c.fast.validDocument([]byte(`{"n":4,"s":"ab"}`)))
	assert.False(t, c.fast.validDocument([]byte(`{"n":4,"s":"abc"}`)))
	assert.False(t, c.fast.validDocument([]byte(`{"n":5}`)))
}

func TestBuiltinFormats(t *testing.T) {
	tests := []struct {
		format string
		valid  []string
		bad    []string
	}{
		{"date-time", []string{"2024-02-29T23:59:60Z", "2024-01-01T00:00:00.5-01:30"}, []string{"2024-01-01T12:00:00+24:00", "2024-01-01T12:00:60Z"}},
		{"duration", []string{"P1Y2M3DT4H5M6S", "PT1S", "P2W"}, []string{"P", "PT", "P1Y2W", "1D"}},
		{"email", []string{`"quoted local"@example.com`, "x@[192.0.2.1]", "x@[IPv6:2001:db8::1]"}, []string{".a@example.com", "a..b@example.com"}},
		{"idn-hostname", []string{"bücher.example"}, []string{"bü cher.example"}},
		{"uri-reference", []string{"/a/b?c", "#frag", ""}, []string{"a b"}},
		{"uri-template", []string{"/orders/{id}{?q}"}, []string{"/orders/{id", "/{}"}},
		{"relative-json-pointer", []string{"0", "1/a", "2#"}, []string{"01", "/a", "x"}},
		{"ipv6", []string{"::ffff:192.0.2.1"}, []string{"fe80::1%eth0"}},
	}
	for _, tt := range tests {
		for _, v := range tt.valid {
			assert.True(t, schemaFormatValid(tt.format, v), "%s %q", tt.format, v)
		}
		for _, v := range tt.bad {
			assert.False(t, schemaFormatValid(tt.format, v), "%s %q", tt.format, v)
		}
	}
}
