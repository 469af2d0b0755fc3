package powertools

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHTTPCompression(t *testing.T) {
	big := strings.Repeat(`{"sku":"ABC-123","qty":1},`, 200)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, big)
	})
	mux.HandleFunc("GET /small", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{}`)) })
	mux.HandleFunc("GET /png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(bytes.Repeat([]byte{0x89, 'P'}, 4096))
	})
	mux.HandleFunc("GET /encoded", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Encoding", "br")
		_, _ = w.Write([]byte(big))
	})
	h := HTTPHandler(mux, WithCompression())
	tests := []struct {
		path, accept string
		gzipped      bool
	}{
		{"/big", "gzip, deflate, br", true},
		{"/big", "deflate;q=1, gzip;q=0.5", true},
		{"/big", "*", true},
		{"/big", "gzip;q=0", false},
		{"/big", "", false},
		{"/small", "gzip", false},
		{"/png", "gzip", false},
		{"/encoded", "gzip", false},
	}
	for _, tc := range tests {
		for _, file := range []string{"apigw-rest.json", "alb.json", "vpc-lattice-v2.json"} {
			t.Run(tc.path+" "+tc.accept+" "+file, func(t *testing.T) {
				payload := httpEvent("GET", tc.path, "", map[string]string{"accept-encoding": tc.accept}, nil, false)
				if file != "apigw-rest.json" {
					payload = httpRetarget(t, file, tc.path, tc.accept)
				}
				out, err := h.Invoke(context.Background(), payload)
				require.NoError(t, err)
				a := httpDecodeAnswer(t, out)
				require.Equal(t, 200, a.Status)
				if tc.path == "/encoded" {
					assert.Equal(t, "br", a.Header["Content-Encoding"], "left as the handler encoded it")
					assert.True(t, a.B64, "an encoded body is always base64")
					return
				}
				if !tc.gzipped {
					assert.NotContains(t, a.Header, "Content-Encoding")
					return
				}
				assert.True(t, a.B64, "a compressed body is always base64")
				assert.Equal(t, "gzip", a.Header["Content-Encoding"])
				assert.Equal(t, "Accept-Encoding", a.Header["Vary"])
				zr, err := gzip.NewReader(strings.NewReader(a.Body))
				require.NoError(t, err)
				plain, err := io.ReadAll(zr)
				require.NoError(t, err)
				assert.Equal(t, big, string(plain))
				assert.Less(t, len(a.Body), len(big)/4)
			})
		}
	}
}

// httpRetarget is the fixture file as a GET of path with that Accept-Encoding.
func httpRetarget(t *testing.T, file, path, accept string) []byte {
	t.Helper()
	s := string(httpFixture(t, file))
	s = strings.Replace(s, `"POST"`, `"GET"`, 1)
	s = strings.Replace(s, `"/orders/42"`, `"`+path+`"`, 1)
	s = strings.ReplaceAll(s, `"gzip, deflate"`, `"`+accept+`"`)
	return []byte(s)
}
