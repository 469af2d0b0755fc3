package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gopowertools/powertools/powertoolstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fn = "./testdata/fn"

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// The readable form: response, log lines, the metrics table and the trace tree of each invocation.
func TestRunReadable(t *testing.T) {
	code, out, errOut := runCmd(t, fn, "testdata/events/ada.json", "testdata/events/fail.json")
	require.Equal(t, 1, code, "a function error: status 1\nstdout:\n%s\nstderr:\n%s", out, errOut)
	for _, want := range []string{
		"=== testdata/events/ada.json  #1  request ",
		"cold start",
		"--- response\n{\n  \"message\": \"Hello, Ada!\"\n}",
		"--- logs (1)\nINFO     handle:",
		"greeted  name=Ada",
		"--- metrics (2 blobs)",
		"namespace  metric     unit   values  dimensions",
		"Local      ColdStart  Count  1       function_name=fn service=greeter",
		"Local      Greetings  Count  1       service=greeter",
		"--- trace 1-",
		"## handle  ",
		`[ColdStart=true Service="greeter"]`,
		"\n  compose  ",
		`[name="Ada"]`,
		"=== testdata/events/fail.json  #2  request ",
		"  warm  ",
		"--- error: errorString: no greeting for Bob",
		"ERROR    handle:",
		"greeting failed  name=Bob  exception=\"no greeting for Bob\"",
		"  compose  ",
		"fault  [name=\"Bob\"]  cause: no greeting for Bob",
		"=== 2 invocations, 1 failed; duration p50 ",
	} {
		require.Contains(t, out, want)
		out = out[strings.Index(out, want)+len(want):]
	}
}

// -json: one object per invocation with the raw log lines, blobs and trace documents.
func TestRunJSON(t *testing.T) {
	code, out, errOut := runCmd(t, "-json", "-n", "2", fn, "testdata/events/ada.json")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	for i, line := range lines {
		var r struct {
			Index     int               `json:"index"`
			Event     string            `json:"event"`
			RequestID string            `json:"request_id"`
			TraceID   string            `json:"trace_id"`
			ColdStart bool              `json:"cold_start"`
			Response  map[string]string `json:"response"`
			Logs      []json.RawMessage `json:"logs"`
			Metrics   []json.RawMessage `json:"metrics"`
			Trace     []json.RawMessage `json:"trace"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		assert.Equal(t, i, r.Index)
		assert.Equal(t, "testdata/events/ada.json", r.Event)
		assert.Equal(t, i == 0, r.ColdStart)
		assert.Equal(t, "Hello, Ada!", r.Response["message"])
		require.Len(t, r.Logs, 1)
		l, err := powertoolstest.ParseLog(string(r.Logs[0]))
		require.NoError(t, err)
		assert.Equal(t, r.RequestID, l.RequestID)
		assert.Equal(t, "fn", l.Keys["function_name"])
		assert.Equal(t, r.TraceID, l.XRayTraceID)
		wantBlobs := 1
		if i == 0 {
			wantBlobs = 2 // ColdStart
		}
		assert.Len(t, r.Metrics, wantBlobs)
		require.Len(t, r.Trace, 1)
		seg, err := powertoolstest.ParseDatagram(append([]byte(`{"format": "json", "version": 1}`+"\n"), r.Trace[0]...))
		require.NoError(t, err)
		assert.Equal(t, r.TraceID, seg.TraceID)
		assert.NotNil(t, seg.Find("compose"))
	}
}

// -n 8 -c 4: the function runs with AWS_LAMBDA_MAX_CONCURRENCY=4; each invocation still gets its own log
// lines (by request id) and trace (by trace id); the metric blobs come together at the end.
func TestRunConcurrent(t *testing.T) {
	code, out, errOut := runCmd(t, "-n", "8", "-c", "4", fn, "testdata/events/ada.json")
	require.Equal(t, 0, code, errOut)
	heads := regexp.MustCompile(`(?m)^=== testdata/events/ada.json  #(\d+)  request (\S+)`).FindAllStringSubmatch(out, -1)
	require.Len(t, heads, 8, out)
	var idx []string
	for _, h := range heads {
		idx = append(idx, h[1])
	}
	sort.Strings(idx)
	assert.Equal(t, []string{"1", "2", "3", "4", "5", "6", "7", "8"}, idx)
	assert.Equal(t, 8, strings.Count(out, "greeted  name=Ada"))
	assert.Equal(t, 8, strings.Count(out, "\n## handle  "))
	assert.Equal(t, 1, strings.Count(out, "ColdStart=true"))
	assert.Contains(t, out, "=== output of the concurrent invocations together\n--- metrics (9 blobs)")
	assert.Contains(t, out, "=== 8 invocations, 0 failed")
}

func TestRunFailures(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no event", []string{fn}, 2, "a function package and at least one event file are needed"},
		{"bad flag", []string{"-n", "0", fn, "testdata/events/ada.json"}, 2, "-n and -c must be at least 1"},
		{"bad env flag", []string{"-env", "NOEQUALS", fn, "testdata/events/ada.json"}, 2, `want KEY=VALUE, got "NOEQUALS"`},
		{"missing event", []string{fn, "testdata/events/none.json"}, 2, "no such file"},
		{"event not JSON", []string{fn, "testdata/events/bad.json"}, 2, "testdata/events/bad.json is not valid JSON"},
		{"no package", []string{"./testdata/nothing", "testdata/events/ada.json"}, 2, "go build ./testdata/nothing"},
		{"exits at init", []string{"-env", "CRASH_AT_INIT=1", fn, "testdata/events/ada.json"}, 2, "cannot start: CRASH_AT_INIT is set"},
		{"exits in an invocation", []string{fn, "testdata/events/ada.json", "testdata/events/crash.json", "testdata/events/ada.json"}, 2, "crashing now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, tt.args...)
			assert.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			assert.Contains(t, errOut, tt.err)
			if tt.name == "exits in an invocation" {
				assert.Equal(t, 1, strings.Count(out, "=== testdata/events/"), "the invocation before the crash is shown, none after")
				assert.Contains(t, errOut, "the function exited (exit status 3)")
			}
		})
	}
}

func TestFormatLog(t *testing.T) {
	l, err := powertoolstest.ParseLog(`{"level":"WARNING","location":"h:3","message":"slow","timestamp":"t","service":"s","cold_start":false,"function_request_id":"r","n":1.5,"who":"Ada Lovelace","id":"x-1","obj":{"a":1}}`)
	require.NoError(t, err)
	assert.Equal(t, `WARNING  h:3  slow  n=1.5  who="Ada Lovelace"  id=x-1  obj={"a":1}`, formatLog(l))
}

func TestIndentJSON(t *testing.T) {
	assert.Equal(t, "{\n  \"body\": {\n    \"a\": 1\n  },\n  \"statusCode\": 200\n}", indentJSON([]byte(`{"statusCode":200,"body":"{\"a\":1}"}`)))
	assert.Equal(t, `"text"`, indentJSON([]byte(`"text"`)))
	assert.Equal(t, "null", indentJSON(nil))
	assert.Equal(t, "[\n  1\n]", indentJSON([]byte(`[1]`)))
}
