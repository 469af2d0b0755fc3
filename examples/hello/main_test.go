package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/powertoolstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The handler through powertools.WrapFunc, in process, with the sample events; the end-to-end test in
// the repository root runs the built binary through the Lambda runtime protocol.
func TestHandleSampleEvents(t *testing.T) {
	tests := []struct {
		event     string
		status    int
		body      string // a key of the JSON body and its value, "key=value"
		err       string
		logLevel  string
		logFields map[string]any
	}{
		{event: "get-hello.json", status: 200, body: "message=Hello, Ada!", logLevel: "INFO",
			logFields: map[string]any{"name": "Ada", "route": "GET /hello", "correlation_id": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}},
		{event: "post-hello.json", status: 200, body: "message=Hello, Grace!", logLevel: "INFO",
			logFields: map[string]any{"name": "Grace", "route": "POST /hello"}},
		{event: "post-bad-body.json", status: 400, body: `error=body must be a JSON object like {"name":"Ada"}`, logLevel: "WARNING"},
		{event: "direct-invoke.json", err: errNotHTTP.Error(), logLevel: "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			rec, h := newTestHandler(t)
			inv := rec.Invoke(h, powertoolstest.Event(t, filepath.Join("events", tt.event)), powertoolstest.WithRequestID("req-1"))
			if tt.err != "" {
				assert.EqualError(t, inv.Err, tt.err)
			} else {
				var resp events.APIGatewayV2HTTPResponse
				inv.Decode(&resp)
				assert.Equal(t, tt.status, resp.StatusCode)
				assert.Equal(t, "application/json", resp.Headers["Content-Type"])
				var body map[string]any
				require.NoError(t, json.Unmarshal([]byte(resp.Body), &body))
				k, v, _ := strings.Cut(tt.body, "=")
				assert.Equal(t, v, body[k])
			}
			lines := inv.Logs()
			require.Len(t, lines, 1)
			assert.Equal(t, tt.logLevel, lines[0].Level)
			assert.Equal(t, "req-1", lines[0].RequestID)
			assert.Equal(t, "hello", lines[0].Service)
			assert.True(t, lines[0].ColdStart)
			for k, v := range tt.logFields {
				assert.Equal(t, v, lines[0].Keys[k], k)
			}
		})
	}
}

func TestNameOf(t *testing.T) {
	long := strings.Repeat("é", maxNameLen+1)
	tests := []struct {
		name string
		req  events.APIGatewayV2HTTPRequest
		want string
		err  string
	}{
		{"default", events.APIGatewayV2HTTPRequest{}, "world", ""},
		{"query", events.APIGatewayV2HTTPRequest{QueryStringParameters: map[string]string{"name": " Ada "}}, "Ada", ""},
		{"query wins over body", events.APIGatewayV2HTTPRequest{QueryStringParameters: map[string]string{"name": "Ada"}, Body: `{"name":"Grace"}`}, "Ada", ""},
		{"body", events.APIGatewayV2HTTPRequest{Body: `{"name":"Grace"}`}, "Grace", ""},
		{"base64 body", events.APIGatewayV2HTTPRequest{Body: "eyJuYW1lIjoiTGludXMifQ==", IsBase64Encoded: true}, "Linus", ""},
		{"body without name", events.APIGatewayV2HTTPRequest{Body: `{}`}, "world", ""},
		{"bad base64", events.APIGatewayV2HTTPRequest{Body: "%%%", IsBase64Encoded: true}, "", "body is not valid base64"},
		{"bad JSON", events.APIGatewayV2HTTPRequest{Body: `{"name":`}, "", "body must be a JSON object"},
		{"blank", events.APIGatewayV2HTTPRequest{QueryStringParameters: map[string]string{"name": "  "}}, "", "must not be blank"},
		{"64 characters", events.APIGatewayV2HTTPRequest{QueryStringParameters: map[string]string{"name": long[2:]}}, long[2:], ""},
		{"too long", events.APIGatewayV2HTTPRequest{QueryStringParameters: map[string]string{"name": long}}, "", "at most 64 characters"},
		{"invalid UTF-8", events.APIGatewayV2HTTPRequest{QueryStringParameters: map[string]string{"name": "\xff"}}, "", "valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := nameOf(tt.req)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// FuzzHandle feeds arbitrary events to the wrapped handler: it answers or errs, never panics, and a
// successful answer is always a JSON API Gateway response with a JSON body.
func FuzzHandle(f *testing.F) {
	entries, err := os.ReadDir("events")
	require.NoError(f, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("events", e.Name()))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{"routeKey":"GET /","queryStringParameters":{"name":"\u0000"}}`))
	f.Add([]byte(`{"routeKey":"GET /","body":"eyJuYW1lIjoiTGludXMifQ==","isBase64Encoded":true}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		rec, h := newTestHandler(t)
		inv := rec.Invoke(h, payload)
		if inv.Err != nil {
			return
		}
		var resp events.APIGatewayV2HTTPResponse
		inv.Decode(&resp)
		require.True(t, json.Valid([]byte(resp.Body)), resp.Body)
		require.Contains(t, []int{200, 400}, resp.StatusCode)
	})
}

// newTestHandler is the function's handler on a test kit App: the function's options, its environment
// as template.yaml sets it, every line captured.
func newTestHandler(t testing.TB) (*powertoolstest.Recorder, powertools.Handler) {
	env := powertoolstest.Environment()
	env["POWERTOOLS_SERVICE_NAME"] = "hello"
	rec := powertoolstest.New(t, append(options(), powertools.WithEnv(env))...)
	return rec, powertools.WrapFunc(rec.App(), handle)
}
