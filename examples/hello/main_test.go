package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools"
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
			payload, err := os.ReadFile(filepath.Join("events", tt.event))
			require.NoError(t, err)
			h, logs := newTestHandler(t)
			out, err := h.Invoke(lambdaCtx("req-1"), payload)
			if tt.err != "" {
				assert.EqualError(t, err, tt.err)
			} else {
				require.NoError(t, err)
				var resp events.APIGatewayV2HTTPResponse
				require.NoError(t, json.Unmarshal(out, &resp))
				assert.Equal(t, tt.status, resp.StatusCode)
				assert.Equal(t, "application/json", resp.Headers["Content-Type"])
				var body map[string]any
				require.NoError(t, json.Unmarshal([]byte(resp.Body), &body))
				k, v, _ := strings.Cut(tt.body, "=")
				assert.Equal(t, v, body[k])
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			require.Len(t, lines, 1)
			var line map[string]any
			require.NoError(t, json.Unmarshal([]byte(lines[0]), &line))
			assert.Equal(t, tt.logLevel, line["level"])
			assert.Equal(t, "req-1", line["function_request_id"])
			assert.Equal(t, "hello", line["service"])
			for k, v := range tt.logFields {
				assert.Equal(t, v, line[k], k)
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
		h, _ := newTestHandler(t)
		out, err := h.Invoke(lambdaCtx("fuzz"), payload)
		if err != nil {
			return
		}
		var resp events.APIGatewayV2HTTPResponse
		require.NoError(t, json.Unmarshal(out, &resp))
		require.True(t, json.Valid([]byte(resp.Body)), resp.Body)
		require.Contains(t, []int{200, 400}, resp.StatusCode)
	})
}

func newTestHandler(t testing.TB) (powertools.Handler, *bytes.Buffer) {
	var logs bytes.Buffer
	opts := append(options(),
		powertools.WithEnv(map[string]string{"POWERTOOLS_SERVICE_NAME": "hello"}),
		powertools.WithLogOutput(&logs))
	app, err := powertools.New(opts...)
	require.NoError(t, err)
	return powertools.WrapFunc(app, handle), &logs
}

func lambdaCtx(requestID string) context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: requestID})
}
