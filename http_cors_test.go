package powertools

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHTTPCORS(t *testing.T) {
	calls := 0
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders", func(w http.ResponseWriter, r *http.Request) { calls++; _, _ = w.Write([]byte(`[]`)) })
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) { calls++ })
	cors := CORSConfig{
		AllowOrigin: "https://shop.example.com", ExtraOrigins: []string{"https://admin.example.com"},
		AllowHeaders: []string{"X-Tenant", "content-type"}, ExposeHeaders: []string{"X-Request-Id"},
		MaxAge: 10 * time.Minute, AllowCredentials: true,
	}
	h := HTTPHandler(mux, WithCORS(cors))
	preflight := map[string]string{"origin": "https://admin.example.com", "access-control-request-method": "POST"}

	tests := []struct {
		name       string
		method     string
		path       string
		headers    map[string]string
		wantStatus int
		wantHeader map[string]string
		wantCalls  int
	}{
		{"preflight of an allowed origin", "OPTIONS", "/orders", preflight, 204, map[string]string{
			"Access-Control-Allow-Origin":      "https://admin.example.com",
			"Access-Control-Allow-Headers":     "Authorization,Content-Type,X-Amz-Date,X-Api-Key,X-Amz-Security-Token,X-Tenant",
			"Access-Control-Allow-Methods":     "GET,HEAD,OPTIONS,POST",
			"Access-Control-Expose-Headers":    "X-Request-Id",
			"Access-Control-Max-Age":           "600",
			"Access-Control-Allow-Credentials": "true",
			"Vary":                             "Origin",
		}, 0},
		{"preflight of another origin", "OPTIONS", "/orders", map[string]string{"origin": "https://evil.example", "access-control-request-method": "POST"}, 204, map[string]string{}, 0},
		{"simple request of an allowed origin", "GET", "/orders", map[string]string{"origin": "https://shop.example.com"}, 200, map[string]string{
			"Access-Control-Allow-Origin":      "https://shop.example.com",
			"Access-Control-Allow-Headers":     "Authorization,Content-Type,X-Amz-Date,X-Api-Key,X-Amz-Security-Token,X-Tenant",
			"Access-Control-Expose-Headers":    "X-Request-Id",
			"Access-Control-Max-Age":           "600",
			"Access-Control-Allow-Credentials": "true",
			"Vary":                             "Origin",
			"Content-Type":                     "text/plain; charset=utf-8",
		}, 1},
		{"another origin gets no CORS headers", "GET", "/orders", map[string]string{"origin": "https://evil.example"}, 200, map[string]string{"Content-Type": "text/plain; charset=utf-8"}, 1},
		{"no origin, no CORS headers", "GET", "/orders", nil, 200, map[string]string{"Content-Type": "text/plain; charset=utf-8"}, 1},
		{"OPTIONS without Access-Control-Request-Method reaches the mux", "OPTIONS", "/orders", map[string]string{"origin": "https://evil.example"}, 405, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			calls = 0
			out, err := h.Invoke(context.Background(), httpEvent(tc.method, tc.path, "", tc.headers, nil, false))
			require.NoError(t, err)
			a := httpDecodeAnswer(t, out)
			assert.Equal(t, tc.wantStatus, a.Status)
			if tc.wantHeader != nil {
				assert.Equal(t, tc.wantHeader, a.Header)
			}
			assert.Equal(t, tc.wantCalls, calls)
		})
	}
}

func TestHTTPCORSAnyOrigin(t *testing.T) {
	h := HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), WithCORS(CORSConfig{AllowCredentials: true}))
	out, err := h.Invoke(context.Background(), httpEvent("OPTIONS", "/x", "", map[string]string{"origin": "https://a.example", "access-control-request-method": "DELETE"}, nil, false))
	require.NoError(t, err)
	a := httpDecodeAnswer(t, out)
	// the request's origin, never "*", so credentials work
	assert.Equal(t, "https://a.example", a.Header["Access-Control-Allow-Origin"])
	assert.Equal(t, "true", a.Header["Access-Control-Allow-Credentials"])
	assert.Equal(t, "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT", a.Header["Access-Control-Allow-Methods"])
	assert.NotContains(t, a.Header, "Access-Control-Max-Age")
}
