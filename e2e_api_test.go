package powertools_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The end-to-end test of examples/api runs the built function under the AWS Lambda Runtime Interface
// Emulator, as scripts/demo.sh does: the emulator's invoke API and its Runtime API on 127.0.0.1, each
// sample event POSTed to the invoke API, the answers and the function's log lines checked.

func TestEndToEndAPIUnderEmulator(t *testing.T) {
	rie := e2eEmulator(t)
	bin := e2eBuild(t, "./examples/api")
	em := e2eStartEmulator(t, rie, bin)

	tests := []struct {
		event   string
		status  int
		body    string // JSON the decoded body equals, or a substring of it when it starts with "~"
		headers map[string]string
	}{
		{"list-http-api.json", 200, `[{"id":"p-1","name":"Espresso cup","price":12.5,"tags":["kitchen"]},{"id":"p-2","name":"Pour-over kettle","price":49,"tags":["kitchen","coffee"]}]`,
			map[string]string{"Access-Control-Allow-Origin": "https://shop.example.com", "Content-Type": "application/json"}},
		{"get-rest.json", 200, `{"id":"p-2","name":"Pour-over kettle","price":49,"tags":["kitchen","coffee"]}`, nil},
		{"get-missing-function-url.json", 404, `{"statusCode":404,"message":"no such product: p-9"}`, nil},
		{"create-alb.json", 201, `{"id":"p-3","name":"Coffee grinder","price":89.9,"tags":["coffee"]}`,
			map[string]string{"Access-Control-Allow-Origin": "http://localhost:3000", "Access-Control-Allow-Credentials": "true"}},
		{"create-invalid-alb-multivalue.json", 422, `{"statusCode":422,"message":"validation failed","detail":[{"in":"body","path":"$.name","reason":"must be at least 1 characters long, not 0"},{"in":"body","path":"$.price","reason":"must be > 0, not -1"}]}`, nil},
		{"openapi-vpc-lattice.json", 200, `~"openapi":"3.1.0"`, map[string]string{"Content-Encoding": "gzip"}},
		{"preflight-vpc-lattice-v2.json", 204, ``, map[string]string{"Access-Control-Allow-Methods": "GET,HEAD,OPTIONS,POST"}},
		{"not-found-http-api.json", 404, `{"statusCode":404,"message":"Not found"}`, nil},
		{"list-http-api.json?tag=coffee", 200, `[{"id":"p-2","name":"Pour-over kettle","price":49,"tags":["kitchen","coffee"]},{"id":"p-3","name":"Coffee grinder","price":89.9,"tags":["coffee"]}]`, nil}, // the product created above, in the same process
	}
	for _, tc := range tests {
		file, query, _ := strings.Cut(tc.event, "?")
		payload := e2eSampleEvent(t, "api", file)
		if query != "" {
			payload = bytes.ReplaceAll(payload, []byte("limit=2"), []byte(query))
		}
		status, raw := em.invoke(t, payload)
		require.Equal(t, http.StatusOK, status, "%s: %s", tc.event, raw)
		a := e2eDecodeAnswer(t, raw)
		assert.Equal(t, tc.status, a.status, "%s: %s", tc.event, raw)
		switch {
		case strings.HasPrefix(tc.body, "~"):
			assert.Contains(t, a.body, tc.body[1:], tc.event)
		case tc.body == "":
			assert.Empty(t, a.body, tc.event)
		default:
			assert.JSONEq(t, tc.body, a.body, tc.event)
		}
		for k, v := range tc.headers {
			assert.Equal(t, v, a.headers[k], "%s: header %s", tc.event, k)
		}
	}
	// an event that is not an HTTP request is a function error, and the function goes on
	status, raw := em.invoke(t, e2eSampleEvent(t, "api", "direct-invoke.json"))
	require.Equal(t, http.StatusOK, status)
	var fe struct{ ErrorType, ErrorMessage string }
	require.NoError(t, json.Unmarshal(raw, &fe), "%s", raw)
	assert.Equal(t, "HTTPEventError", fe.ErrorType)
	assert.Contains(t, fe.ErrorMessage, "powertools: http: event is none of")
	_, raw = em.invoke(t, e2eSampleEvent(t, "api", "get-rest.json"))
	assert.Equal(t, 200, e2eDecodeAnswer(t, raw).status)

	lines := em.stop(t)
	var created, routes []string
	for _, l := range lines {
		if l["message"] == "product created" {
			created = append(created, fmt.Sprint(l["id"]))
			assert.Equal(t, "Root=1-5759e988-bd862e3fe1be46a994272793", l["correlation_id"], "ALB: the trace header is the correlation id")
			assert.Equal(t, "products", l["service"])
			assert.Equal(t, "products", l["function_name"])
		}
		if r, ok := l["route"].(string); ok {
			routes = append(routes, r)
		}
	}
	assert.Equal(t, []string{"p-3"}, created)
	assert.Contains(t, routes, "GET /products")
	assert.Contains(t, routes, "GET /products/{id}")
	assert.Contains(t, routes, "POST /products")
}

type e2eRIE struct {
	cmd    *exec.Cmd
	addr   string
	mu     sync.Mutex
	output bytes.Buffer
	done   chan struct{}
}

func (e *e2eRIE) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.output.Write(p)
}

// e2eStartEmulator runs the emulator with the function, in an environment of its own, both APIs on free
// 127.0.0.1 ports.
func e2eStartEmulator(t *testing.T, rie, bin string) *e2eRIE {
	t.Helper()
	invokeAddr, apiAddr := e2eFreeAddr(t), e2eFreeAddr(t)
	e := &e2eRIE{addr: invokeAddr, done: make(chan struct{})}
	e.cmd = exec.Command(rie,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", apiAddr,
		"--log-level", "warn",
		bin)
	e.cmd.Dir = t.TempDir()
	e.cmd.Env = []string{
		"PATH=/usr/bin:/bin", "HOME=" + e.cmd.Dir, "TZ=UTC", "AWS_REGION=eu-west-1",
		"AWS_LAMBDA_FUNCTION_NAME=products", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_LAMBDA_FUNCTION_TIMEOUT=10",
		"POWERTOOLS_SERVICE_NAME=products", "POWERTOOLS_LOG_LEVEL=INFO",
	}
	e.cmd.Stdout, e.cmd.Stderr = e, e
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the emulator and the function: one group
	require.NoError(t, e.cmd.Start())
	go func() {
		_ = e.cmd.Wait()
		close(e.done)
	}()
	t.Cleanup(func() {
		e.kill()
		if t.Failed() {
			t.Logf("emulator output:\n%s", e.text())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", invokeAddr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return e
		}
		select {
		case <-e.done:
			t.Fatalf("the emulator exited:\n%s", e.text())
		default:
		}
		require.True(t, time.Now().Before(deadline), "the emulator did not listen on %s", invokeAddr)
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *e2eRIE) text() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.output.String()
}

func (e *e2eRIE) invoke(t *testing.T, payload []byte) (int, []byte) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	res, err := c.Post("http://"+e.addr+"/2015-03-31/functions/function/invocations", "application/json", bytes.NewReader(payload))
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, b
}

func (e *e2eRIE) kill() {
	if e.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
		<-e.done
	}
}

// stop ends the emulator and returns the function's JSON log lines.
func (e *e2eRIE) stop(t *testing.T) []map[string]any {
	t.Helper()
	e.kill()
	var lines []map[string]any
	for _, l := range strings.Split(e.text(), "\n") {
		if !strings.HasPrefix(l, "{") {
			continue // the emulator's START, END and REPORT lines
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		lines = append(lines, m)
	}
	return lines
}

func e2eFreeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

type e2eAnswer struct {
	status  int
	headers map[string]string
	body    string
}

// e2eDecodeAnswer reads an answer of any shape: headers single or multi-value, body base64 and gzip
// decoded.
func e2eDecodeAnswer(t *testing.T, raw []byte) e2eAnswer {
	t.Helper()
	var a struct {
		StatusCode        int                 `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	require.NoError(t, json.Unmarshal(raw, &a), "%s", raw)
	out := e2eAnswer{status: a.StatusCode, headers: map[string]string{}}
	for k, v := range a.Headers {
		out.headers[k] = v
	}
	for k, v := range a.MultiValueHeaders {
		out.headers[k] = strings.Join(v, ", ")
	}
	body := []byte(a.Body)
	if a.IsBase64Encoded {
		var err error
		body, err = base64.StdEncoding.DecodeString(a.Body)
		require.NoError(t, err)
	}
	if out.headers["Content-Encoding"] == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		require.NoError(t, err)
		body, err = io.ReadAll(zr)
		require.NoError(t, err)
	}
	out.body = string(body)
	return out
}
