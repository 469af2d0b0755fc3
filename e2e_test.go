package powertools_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gopowertools/powertools/internal/runtimeapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The end-to-end tests build examples/hello and run it as Lambda runs it: a separate process whose
// aws-lambda-go runtime loop talks HTTP to a Runtime API (the in-repo one, on 127.0.0.1). What the tests
// check is what a user would see: the answers and the JSON log lines on the function's stdout.

const (
	e2eFunctionARN = "arn:aws:lambda:eu-west-1:111122223333:function:hello"
	e2eService     = "greeter"
)

func TestEndToEndHello(t *testing.T) {
	bin := e2eBuild(t, "./examples/hello")
	t.Run("invocations", func(t *testing.T) { e2eInvocations(t, bin) })
	t.Run("concurrent invocations", func(t *testing.T) { e2eConcurrent(t, bin) })
	t.Run("bad configuration", func(t *testing.T) { e2eBadConfig(t, bin) })
}

// e2eInvocations drives one invocation per sample event, plus a payload the handler cannot decode.
func e2eInvocations(t *testing.T, bin string) {
	srv := runtimeapi.StartForTest(t)
	fn := e2eStart(t, bin, srv)
	ctx := e2eContext(t)

	tests := []struct {
		event       string // file under examples/hello/events, or a literal payload
		wantStatus  int    // API Gateway status code of a successful answer
		wantMessage string // message of the answer, or of the function error
		wantError   string // function error type; empty for a successful answer
		wantLevel   string // level of the invocation's one log line; empty when it logs nothing
		wantLog     string
	}{
		{event: "get-hello.json", wantStatus: 200, wantMessage: "Hello, Ada!", wantLevel: "INFO", wantLog: "greeting"},
		{event: "post-hello.json", wantStatus: 200, wantMessage: "Hello, Grace!", wantLevel: "INFO", wantLog: "greeting"},
		{event: "post-bad-body.json", wantStatus: 400, wantMessage: `body must be a JSON object like {"name":"Ada"}`, wantLevel: "WARNING", wantLog: "bad request"},
		{event: "direct-invoke.json", wantError: "errorString", wantMessage: "hello: not an API Gateway HTTP API request (the event has no routeKey)", wantLevel: "ERROR", wantLog: "unsupported event"},
		{event: `["not", "an", "object"]`, wantError: "EventDecodeError", wantMessage: "powertools: decode event into events.APIGatewayV2HTTPRequest",
			wantLevel: "ERROR", wantLog: "powertools: event does not decode into the handler's input type"},
	}
	for i, tt := range tests {
		payload := e2ePayload(t, "hello", tt.event)
		id := fmt.Sprintf("seq-%d", i)
		res, err := srv.Invoke(ctx, payload, runtimeapi.WithRequestID(id), runtimeapi.WithFunctionARN(e2eFunctionARN),
			runtimeapi.WithTraceID(e2eTrace(i)))
		require.NoError(t, err, tt.event)
		assert.Equal(t, id, res.RequestID)
		if tt.wantError != "" {
			e2eFunctionError(t, res, tt.event, tt.wantError, tt.wantMessage)
			continue
		}
		require.False(t, res.Failed(), "%s: %s", tt.event, res.Body)
		status, body := e2eHTTPAnswer(t, res.Body)
		assert.Equal(t, tt.wantStatus, status, tt.event)
		if status == 200 {
			assert.Equal(t, tt.wantMessage, body["message"], tt.event)
			assert.Equal(t, id, body["request_id"], "the answer is its own invocation's")
			assert.Equal(t, i == 0, body["cold_start"], "only the first invocation is a cold start")
		} else {
			assert.Equal(t, tt.wantMessage, body["error"], tt.event)
		}
	}
	require.NoError(t, fn.alive(), "error invocations do not stop the function")

	lines := fn.stop(t)
	byID := e2eLinesByRequest(t, lines)
	assert.Len(t, lines, 5, "one line per logging invocation, nothing else on stdout")
	e2eOneColdStart(t, lines, "seq-0")
	for i, tt := range tests {
		id := fmt.Sprintf("seq-%d", i)
		if tt.wantLevel == "" {
			assert.Empty(t, byID[id], "invocation %s logs nothing", id)
			continue
		}
		require.Len(t, byID[id], 1, id)
		line := byID[id][0]
		assert.Equal(t, tt.wantLevel, line["level"], id)
		assert.Equal(t, tt.wantLog, line["message"], id)
		assert.Equal(t, e2eService, line["service"])
		assert.Equal(t, "hello", line["function_name"])
		assert.EqualValues(t, "128", fmt.Sprint(line["function_memory_size"]))
		assert.Equal(t, e2eFunctionARN, line["function_arn"])
		assert.Equal(t, e2eTraceRoot(i), line["xray_trace_id"])
		assert.Regexp(t, `^handle:\d+$`, line["location"], "function:line of the caller")
		assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\+0000$`, line["timestamp"])
		if tt.wantError == "" {
			var ev struct {
				RequestContext struct{ RequestID string } `json:"requestContext"`
				RouteKey       string                     `json:"routeKey"`
			}
			require.NoError(t, json.Unmarshal(e2eSampleEvent(t, "hello", tt.event), &ev))
			assert.Equal(t, ev.RequestContext.RequestID, line["correlation_id"], "correlation id from the event")
			assert.Equal(t, ev.RouteKey, line["route"], "key appended with AppendKeys")
		} else {
			assert.Contains(t, line["exception"], tt.wantMessage)
		}
	}
	st := srv.Stats()
	assert.Equal(t, len(tests), st.Answered)
	assert.Equal(t, 1, st.MaxInFlight, "without AWS_LAMBDA_MAX_CONCURRENCY one invocation at a time")
}

// e2eConcurrent runs the function with 8 runtime loops and proves they overlap: the server holds 64
// invocations until all 8 loops are polling at once, then hands one to each before any can answer.
func e2eConcurrent(t *testing.T, bin string) {
	const loops, invokes = 8, 64
	srv := runtimeapi.StartForTest(t)
	srv.Hold()
	fn := e2eStart(t, bin, srv, "AWS_LAMBDA_MAX_CONCURRENCY="+strconv.Itoa(loops))
	ctx := e2eContext(t)
	require.NoError(t, srv.WaitPollers(ctx, loops), "every runtime loop polls")

	var template map[string]any
	require.NoError(t, json.Unmarshal(e2eSampleEvent(t, "hello", "get-hello.json"), &template))
	var wg sync.WaitGroup
	for i := range invokes {
		wg.Go(func() {
			name, id, corr := fmt.Sprintf("caller-%d", i), fmt.Sprintf("conc-%d", i), fmt.Sprintf("corr-%d", i)
			payload := e2eHelloEvent(t, template, name, corr)
			res, err := srv.Invoke(ctx, payload, runtimeapi.WithRequestID(id), runtimeapi.WithFunctionARN(e2eFunctionARN),
				runtimeapi.WithTraceID(e2eTrace(i)))
			if !assert.NoError(t, err) || !assert.False(t, res.Failed(), "%s: %s", id, res.Body) {
				return
			}
			status, body := e2eHTTPAnswer(t, res.Body)
			assert.Equal(t, 200, status)
			assert.Equal(t, "Hello, "+name+"!", body["message"], "every answer matches its own request")
			assert.Equal(t, id, body["request_id"])
		})
	}
	require.NoError(t, srv.WaitQueued(ctx, invokes))
	srv.Release()
	wg.Wait()

	st := srv.Stats()
	assert.Equal(t, loops, st.MaxPollers, "8 GET /next held at once")
	assert.Equal(t, loops, st.MaxInFlight, "8 invocations in flight at once")
	assert.Equal(t, invokes, st.Answered)
	require.NoError(t, fn.alive())

	lines := fn.stop(t)
	require.Len(t, lines, invokes, "one line per invocation")
	e2eOneColdStart(t, lines, "")
	byID := e2eLinesByRequest(t, lines)
	for i := range invokes {
		id := fmt.Sprintf("conc-%d", i)
		if !assert.Len(t, byID[id], 1, id) {
			continue
		}
		line := byID[id][0]
		// Every key that differs between invocations is this invocation's own: no state leaks across.
		assert.Equal(t, fmt.Sprintf("caller-%d", i), line["name"], id)
		assert.Equal(t, fmt.Sprintf("corr-%d", i), line["correlation_id"], id)
		assert.Equal(t, e2eTraceRoot(i), line["xray_trace_id"], id)
		assert.Equal(t, "GET /hello", line["route"], id)
	}
}

// e2eBadConfig starts the function with a log level New refuses: Start writes one JSON line naming the
// problem and exits non-zero before polling.
func e2eBadConfig(t *testing.T, bin string) {
	srv := runtimeapi.StartForTest(t)
	fn := e2eStart(t, bin, srv, "POWERTOOLS_LOG_LEVEL=LOUD")
	select {
	case <-fn.done:
	case <-e2eContext(t).Done():
		t.Fatal("the function did not exit")
	}
	var exit *exec.ExitError
	require.ErrorAs(t, fn.waitErr, &exit)
	assert.NotEqual(t, 0, exit.ExitCode())

	lines := fn.stop(t)
	require.Len(t, lines, 1, "exactly one line")
	line := lines[0]
	assert.Equal(t, "ERROR", line["level"])
	raw, _ := json.Marshal(line)
	assert.Contains(t, string(raw), "POWERTOOLS_LOG_LEVEL", "the line names the variable")
	assert.Contains(t, string(raw), "LOUD", "and the refused value")
	assert.Equal(t, e2eService, line["service"], "the service of the environment, though the configuration was refused")
	assert.Equal(t, 0, srv.Stats().MaxPollers, "it never polled for an invocation")
}

func e2eContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// e2eFunction is a running function process.
type e2eFunction struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{} // closed when the process has exited
	waitErr        error
	once           sync.Once
}

// e2eStart runs the function binary in an environment of its own (the test's environment does not leak
// in), as Lambda sets it up, plus env.
func e2eStart(t *testing.T, bin string, srv *runtimeapi.Server, env ...string) *e2eFunction {
	t.Helper()
	fn := &e2eFunction{done: make(chan struct{})}
	fn.cmd = exec.Command(bin)
	fn.cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + srv.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME=hello",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"POWERTOOLS_SERVICE_NAME=" + e2eService,
	}, env...)
	fn.cmd.Stdout, fn.cmd.Stderr = &fn.stdout, &fn.stderr
	require.NoError(t, fn.cmd.Start())
	go func() {
		fn.waitErr = fn.cmd.Wait()
		close(fn.done)
	}()
	t.Cleanup(func() {
		fn.kill()
		if t.Failed() {
			t.Logf("function stdout:\n%s\nfunction stderr:\n%s", fn.stdout.String(), fn.stderr.String())
		}
	})
	return fn
}

func (fn *e2eFunction) kill() {
	fn.once.Do(func() { _ = fn.cmd.Process.Kill() })
	<-fn.done
}

// alive reports an error when the process has exited.
func (fn *e2eFunction) alive() error {
	select {
	case <-fn.done:
		return fmt.Errorf("the function exited: %v; stderr:\n%s", fn.waitErr, fn.stderr.String())
	default:
		return nil
	}
}

// stop ends the process and returns its stdout decoded line by line; a line that is not one JSON object
// fails the test.
func (fn *e2eFunction) stop(t *testing.T) []map[string]any {
	t.Helper()
	fn.kill()
	var lines []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(fn.stdout.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("stdout line is not a JSON object: %v: %q", err, sc.Text())
			continue
		}
		lines = append(lines, line)
	}
	require.NoError(t, sc.Err())
	return lines
}

func e2eLinesByRequest(t *testing.T, lines []map[string]any) map[string][]map[string]any {
	t.Helper()
	by := map[string][]map[string]any{}
	for _, l := range lines {
		id, ok := l["function_request_id"].(string)
		if assert.True(t, ok, "line without function_request_id: %v", l) {
			by[id] = append(by[id], l)
		}
	}
	return by
}

// e2eOneColdStart checks that exactly one invocation reports a cold start (and, when wantID is set, that it is
// that invocation's) and that every other line carries cold_start false.
func e2eOneColdStart(t *testing.T, lines []map[string]any, wantID string) {
	t.Helper()
	var cold []string // the invocations whose lines say cold start (an invocation may write several)
	for _, l := range lines {
		switch l["cold_start"] {
		case true:
			if id := fmt.Sprint(l["function_request_id"]); !slices.Contains(cold, id) {
				cold = append(cold, id)
			}
		case false:
		default:
			t.Errorf("line without a boolean cold_start: %v", l)
		}
	}
	require.Len(t, cold, 1, "exactly one cold start: %v", cold)
	if wantID != "" {
		assert.Equal(t, wantID, cold[0])
	}
}

// e2eHelloEvent is the GET /hello sample event with its own name and API Gateway request id.
func e2eHelloEvent(t *testing.T, template map[string]any, name, requestID string) []byte {
	ev := map[string]any{}
	for k, v := range template {
		ev[k] = v
	}
	ev["queryStringParameters"] = map[string]string{"name": name}
	rc := map[string]any{}
	for k, v := range template["requestContext"].(map[string]any) {
		rc[k] = v
	}
	rc["requestId"] = requestID
	ev["requestContext"] = rc
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return b
}

// e2eHTTPAnswer decodes an API Gateway answer and its JSON body.
func e2eHTTPAnswer(t *testing.T, raw []byte) (int, map[string]any) {
	t.Helper()
	var resp struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Errorf("answer is not an API Gateway response: %v: %s", err, raw)
		return 0, nil
	}
	assert.Equal(t, "application/json", resp.Headers["Content-Type"])
	var body map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Errorf("answer body is not JSON: %v: %q", err, resp.Body)
	}
	return resp.StatusCode, body
}

// e2eTrace is a distinct X-Ray trace header per invocation; e2eTraceRoot the value of its Root part,
// which log lines carry as xray_trace_id.
func e2eTrace(i int) string { return "Root=" + e2eTraceRoot(i) + ";Parent=53995c3f42cd8ad8;Sampled=1" }

func e2eTraceRoot(i int) string { return fmt.Sprintf("1-5759e988-%024x", i) }
