package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/powertoolstest"
)

// answer is an answer of any of the event shapes.
type answer struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

func (a answer) header(k string) string {
	if v, ok := a.Headers[k]; ok {
		return v
	}
	return strings.Join(a.MultiValueHeaders[k], ", ")
}

// body is the answer's body, decoded from base64 and gunzipped when it is.
func (a answer) body(t *testing.T) string {
	t.Helper()
	b := []byte(a.Body)
	if a.IsBase64Encoded {
		var err error
		b, err = base64.StdEncoding.DecodeString(a.Body)
		require.NoError(t, err)
	}
	if a.header("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		require.NoError(t, err)
		b, err = io.ReadAll(zr)
		require.NoError(t, err)
	}
	return string(b)
}

// The sample events in process, in the order the demo invokes them (create before the next list).
func TestSampleEvents(t *testing.T) {
	rec := powertoolstest.New(t, powertools.WithEnv(map[string]string{"POWERTOOLS_SERVICE_NAME": "products"}))
	h := rec.App().Wrap(newHandler(newCatalog()))
	tests := []struct {
		event  string
		status int
		check  func(t *testing.T, a answer, body string)
	}{
		{"list-http-api.json", 200, func(t *testing.T, a answer, body string) {
			assert.JSONEq(t, `[{"id":"p-1","name":"Espresso cup","price":12.5,"tags":["kitchen"]},
				{"id":"p-2","name":"Pour-over kettle","price":49,"tags":["kitchen","coffee"]}]`, body)
			assert.Equal(t, "https://shop.example.com", a.header("Access-Control-Allow-Origin"))
			assert.Equal(t, "true", a.header("Access-Control-Allow-Credentials"))
		}},
		{"get-rest.json", 200, func(t *testing.T, a answer, body string) {
			assert.JSONEq(t, `{"id":"p-2","name":"Pour-over kettle","price":49,"tags":["kitchen","coffee"]}`, body)
		}},
		{"get-missing-function-url.json", 404, func(t *testing.T, a answer, body string) {
			assert.JSONEq(t, `{"statusCode":404,"message":"no such product: p-9"}`, body)
		}},
		{"create-alb.json", 201, func(t *testing.T, a answer, body string) {
			assert.JSONEq(t, `{"id":"p-3","name":"Coffee grinder","price":89.9,"tags":["coffee"]}`, body)
			assert.Equal(t, "201 Created", a.StatusDescription)
			assert.Equal(t, "http://localhost:3000", a.header("Access-Control-Allow-Origin"))
		}},
		{"create-invalid-alb-multivalue.json", 422, func(t *testing.T, a answer, body string) {
			assert.JSONEq(t, `{"statusCode":422,"message":"validation failed","detail":[
				{"in":"body","path":"$.name","reason":"must be at least 1 characters long, not 0"},
				{"in":"body","path":"$.price","reason":"must be > 0, not -1"}]}`, body)
			assert.NotNil(t, a.MultiValueHeaders)
		}},
		{"openapi-vpc-lattice.json", 200, func(t *testing.T, a answer, body string) {
			assert.Equal(t, "gzip", a.header("Content-Encoding"))
			assert.True(t, a.IsBase64Encoded)
			var doc map[string]any
			require.NoError(t, json.Unmarshal([]byte(body), &doc))
			assert.Equal(t, "3.1.0", doc["openapi"])
			assert.Contains(t, doc["paths"], "/products/{id}")
		}},
		{"preflight-vpc-lattice-v2.json", 204, func(t *testing.T, a answer, body string) {
			assert.Equal(t, "GET,HEAD,OPTIONS,POST", a.header("Access-Control-Allow-Methods"))
			assert.Equal(t, "600", a.header("Access-Control-Max-Age"))
			assert.Empty(t, body)
		}},
		{"not-found-http-api.json", 404, func(t *testing.T, a answer, body string) {
			assert.JSONEq(t, `{"statusCode":404,"message":"Not found"}`, body)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.event, func(t *testing.T) {
			payload, err := os.ReadFile(filepath.Join("events", tc.event))
			require.NoError(t, err)
			inv := rec.Invoke(h, payload)
			require.NoError(t, inv.Err)
			var a answer
			require.NoError(t, json.Unmarshal(inv.Response, &a))
			assert.Equal(t, tc.status, a.StatusCode)
			tc.check(t, a, a.body(t))
		})
	}
	var created []powertoolstest.Log
	for _, l := range rec.Logs() {
		if l.Message == "product created" {
			created = append(created, l)
		}
	}
	require.Len(t, created, 1)
	assert.Equal(t, "POST /products", created[0].Keys["route"], "the route ServeMux matched is a log key")

	payload, err := os.ReadFile(filepath.Join("events", "direct-invoke.json"))
	require.NoError(t, err)
	assert.ErrorIs(t, rec.Invoke(h, payload).Err, powertools.ErrHTTPEvent)
}
