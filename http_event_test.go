package powertools

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHTTPKindOf(t *testing.T) {
	for _, shape := range httpShapes {
		var raw httpRaw
		payload := httpFixture(t, shape.file)
		require.True(t, httpScanEvent(&raw, payload, string(payload)), shape.file)
		assert.Equal(t, shape.kind, httpKindOf(&raw), shape.file)
		assert.NotEqual(t, "unknown", shape.kind.String())
	}
	assert.Equal(t, "unknown", HTTPEventKind(200).String())
}

func TestHTTPString(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{`"plain"`, "plain", false},
		{`"h\u00e9llo \"q\" \n"`, "héllo \"q\" \n", false},
		{`"héllo"`, "héllo", false},
		{`"\ud83d\ude00"`, "😀", false}, // a surrogate pair, decoded by encoding/json
		{`"a\/b\tc"`, "a/b\tc", false},
		{`"\ud800x"`, "\ufffdx", false}, // a lone surrogate: U+FFFD, as encoding/json decodes it
		{`"bad \x escape"`, "", true},
		{`null`, "", false},
		{``, "", false},
		{`12`, "", true},
		{`"unterminated`, "", true},
	}
	for _, tc := range tests {
		got, err := httpString(tc.in)
		if tc.err {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

// FuzzHTTPHandler feeds arbitrary events to the adapter: it never panics, and answers either with a
// well-formed answer or with an *HTTPEventError.
func FuzzHTTPHandler(f *testing.F) {
	for _, shape := range httpShapes {
		f.Add(httpFixture(f, shape.file))
	}
	f.Add([]byte(`{"version":"2.0","rawPath":"/a%zz","requestContext":{"http":{"method":"GET"}},"headers":{"x":"\u0000"}}`))
	f.Add([]byte(`{"httpMethod":"GET","path":"/","requestContext":{"elb":{}},"multiValueHeaders":{"a":["b",null,1]},"body":"@@","isBase64Encoded":true}`))
	f.Add([]byte(`{"raw_path":"/x?y=%","method":"PUT","headers":{"a b":"c"},"is_base64_encoded":true,"body":"AAAA"}`))
	f.Add([]byte(`{"version":"2.0","path":"/","method":"GET","headers":{"a":["\r\n"]},"queryStringParameters":{"q":[1]}}`))
	f.Add([]byte(`{"httpMethod":"GET","path":"/","requestContext":{},"cookies":"x"}`))
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_ = r.URL.Query()
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "b"})
		w.Header()["X-Echo"] = r.Header["X-Echo"]
		_, _ = w.Write(b)
	})
	h := HTTPHandler(mux, WithCORS(CORSConfig{}), WithCompression(1))
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := h.Invoke(context.Background(), payload)
		if err != nil {
			if !errors.Is(err, ErrHTTPEvent) {
				t.Fatalf("error is not ErrHTTPEvent: %v", err)
			}
			return
		}
		var a struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		if err := json.Unmarshal(out, &a); err != nil {
			t.Fatalf("answer is not JSON: %v\n%s", err, out)
		}
		if a.StatusCode < 200 || a.StatusCode > 599 {
			t.Fatalf("status %d", a.StatusCode)
		}
	})
}
