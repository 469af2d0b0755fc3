package powertools_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopowertools/powertools/internal/runtimeapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEndToEndReliability runs internal/e2efn/reliable (every utility on) under aws-lambda-go's real
// runtime loop at AWS_LAMBDA_MAX_CONCURRENCY=32 for 2 000 invocations, a tenth failing and a tenth
// panicking, and checks that every response, log line, EMF blob and trace document belongs to the
// invocation that produced it, that exactly one invocation is the cold start, and that nothing is lost.
func TestEndToEndReliability(t *testing.T) {
	if testing.Short() {
		t.Skip("2 000 invocations through a built function; skipped with -short")
	}
	const loops, invokes = 32, 2000
	bin := e2eBuild(t, "./internal/e2efn/reliable")
	daemon := startTraceCollector(t)
	srv := runtimeapi.StartForTest(t)
	fn := e2eStart(t, bin, srv, "AWS_LAMBDA_MAX_CONCURRENCY="+strconv.Itoa(loops),
		"AWS_XRAY_DAEMON_ADDRESS="+daemon.addr())
	ctx := e2eContext(t)
	require.NoError(t, srv.WaitPollers(ctx, loops), "every runtime loop polls")

	mode := func(i int) string {
		switch i % 10 {
		case 3:
			return "fail"
		case 7:
			return "panic"
		}
		return "ok"
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range 2 * loops { // more callers than loops, so the function always has work queued
		wg.Go(func() {
			for i := range work {
				id := fmt.Sprintf("inv-%d", i)
				payload := fmt.Sprintf(`{"id":%q,"mode":%q}`, "caller-"+strconv.Itoa(i), mode(i))
				res, err := srv.Invoke(ctx, []byte(payload), runtimeapi.WithRequestID(id),
					runtimeapi.WithFunctionARN(e2eFunctionARN), runtimeapi.WithTraceID(e2eTrace(i)),
					runtimeapi.WithDeadline(time.Now().Add(time.Minute)))
				if !assert.NoError(t, err, id) {
					continue
				}
				reliabilityCheckAnswer(t, i, mode(i), res)
			}
		})
	}
	for i := range invokes {
		work <- i
	}
	close(work)
	wg.Wait()

	// Replays: the events that succeeded, sent again, get the stored answer byte for byte (the first
	// invocation's request id in it) without running the handler; those that failed or panicked left no
	// record, so they run again.
	const replays = 100
	for i := range replays {
		id := fmt.Sprintf("replay-%d", i)
		payload := fmt.Sprintf(`{"id":%q,"mode":%q}`, "caller-"+strconv.Itoa(i), mode(i))
		res, err := srv.Invoke(ctx, []byte(payload), runtimeapi.WithRequestID(id),
			runtimeapi.WithFunctionARN(e2eFunctionARN), runtimeapi.WithDeadline(time.Now().Add(time.Minute)))
		require.NoError(t, err, id)
		if mode(i) == "ok" {
			assert.JSONEq(t, fmt.Sprintf(`{"id":"caller-%d","request_id":"inv-%d"}`, i, i), string(res.Body), "%s: replayed", id)
		} else {
			assert.True(t, res.Failed(), "%s: ran again and failed again", id)
		}
	}

	st := srv.Stats()
	assert.Equal(t, invokes+replays, st.Answered, "every invocation answered")
	assert.Equal(t, loops, st.MaxPollers, "32 runtime loops")
	require.NoError(t, fn.alive(), "failures and panics do not stop the function")
	docs := daemon.wait(t, invokes*9/10, 30*time.Second) // fail and panic invocations are traced too
	stdout := fn.stop(t)

	var logs, blobs []map[string]any
	for _, l := range stdout {
		if _, ok := l["_aws"]; ok {
			blobs = append(blobs, l)
		} else {
			logs = append(logs, l)
		}
	}
	var replayLines int
	kept := logs[:0]
	for _, l := range logs {
		if id, _ := l["function_request_id"].(string); strings.HasPrefix(id, "replay-") {
			if l["message"] == "working" {
				replayLines++
			}
			continue
		}
		kept = append(kept, l)
	}
	assert.Equal(t, replays/5, replayLines, "only the replays of failed invocations ran the handler")
	reliabilityCheckLogs(t, kept, invokes, mode)
	reliabilityCheckBlobs(t, blobs, invokes, func(i int) int {
		if i < replays && mode(i) != "ok" {
			return 2 // the replay ran the handler again
		}
		return 1
	})
	reliabilityCheckTraces(t, docs, invokes)
}

func reliabilityCheckAnswer(t *testing.T, i int, mode string, res runtimeapi.Result) {
	t.Helper()
	id, caller := fmt.Sprintf("inv-%d", i), "caller-"+strconv.Itoa(i)
	assert.Equal(t, id, res.RequestID)
	switch mode {
	case "ok":
		var a struct {
			ID        string `json:"id"`
			RequestID string `json:"request_id"`
		}
		if assert.False(t, res.Failed(), "%s: %s", id, res.Body) && assert.NoError(t, json.Unmarshal(res.Body, &a)) {
			assert.Equal(t, caller, a.ID, "the answer is its own event's")
			assert.Equal(t, id, a.RequestID, "the answer is its own invocation's")
		}
	case "fail":
		e2eFunctionError(t, res, id, "errorString", "reliable: failing as asked")
	case "panic":
		e2eFunctionError(t, res, id, "PanicError", "panicking as asked by "+caller)
	}
}

// reliabilityCheckLogs: every invocation wrote its "working" line carrying its own appended key,
// correlation id and trace id; every failing and panicking one an ERROR line of its own; one cold start.
func reliabilityCheckLogs(t *testing.T, logs []map[string]any, invokes int, mode func(int) string) {
	t.Helper()
	e2eOneColdStart(t, logs, "")
	byID := e2eLinesByRequest(t, logs)
	for i := range invokes {
		id, caller := fmt.Sprintf("inv-%d", i), "caller-"+strconv.Itoa(i)
		lines := byID[id]
		var working, errs int
		for _, l := range lines {
			assert.Equal(t, caller, l["caller"], "%s: appended key of its own invocation", id)
			assert.Equal(t, caller, l["correlation_id"], "%s: correlation id of its own event", id)
			assert.Equal(t, e2eTraceRoot(i), l["xray_trace_id"], "%s: its own trace", id)
			switch {
			case l["message"] == "working":
				working++
			case l["level"] == "ERROR":
				errs++
			}
		}
		assert.Equal(t, 1, working, "%s: one working line", id)
		if mode(i) == "panic" {
			assert.Equal(t, 1, errs, "%s: the panic is logged once", id)
		}
	}
}

// reliabilityCheckBlobs: one Calls blob per run of the handler, whatever its outcome, with that
// invocation's own caller dimension (want(i) of them for caller i), plus one ColdStart blob.
func reliabilityCheckBlobs(t *testing.T, blobs []map[string]any, invokes int, want func(int) int) {
	t.Helper()
	callers := map[string]int{}
	var cold int
	for _, b := range blobs {
		switch {
		case b["ColdStart"] != nil:
			cold++
		case b["Calls"] != nil:
			c, _ := b["caller"].(string)
			callers[c]++
			assert.Equal(t, []any{1.0}, b["Calls"], "one value per blob: no invocation's metric in another's blob")
		default:
			t.Errorf("unexpected blob: %v", b)
		}
	}
	assert.Equal(t, 1, cold, "one ColdStart blob")
	for i := range invokes {
		assert.Equal(t, want(i), callers["caller-"+strconv.Itoa(i)], "caller-%d: its blobs", i)
	}
	assert.Len(t, callers, invokes)
}

// reliabilityCheckTraces: every invocation's handler subsegment went to the daemon under its own trace
// id, with the "work" subsegment annotated with its own caller.
func reliabilityCheckTraces(t *testing.T, docs []map[string]any, invokes int) {
	t.Helper()
	byTrace := map[string][]map[string]any{}
	for _, d := range docs {
		tid, _ := d["trace_id"].(string)
		byTrace[tid] = append(byTrace[tid], d)
	}
	for i := range invokes {
		root := e2eTraceRoot(i)
		var callers []string
		for _, d := range byTrace[root] {
			reliabilityCollectAnnotation(d, "caller", &callers)
		}
		assert.Equal(t, []string{"caller-" + strconv.Itoa(i)}, callers, "%s: its own work subsegment", root)
	}
}

func reliabilityCollectAnnotation(doc map[string]any, key string, into *[]string) {
	if ann, ok := doc["annotations"].(map[string]any); ok {
		if v, ok := ann[key].(string); ok {
			*into = append(*into, v)
		}
	}
	subs, _ := doc["subsegments"].([]any)
	for _, s := range subs {
		if m, ok := s.(map[string]any); ok {
			reliabilityCollectAnnotation(m, key, into)
		}
	}
}

// traceCollector is an X-Ray daemon stand-in on 127.0.0.1: it decodes every datagram strictly (the
// header line, then one JSON document) and keeps the documents.
type traceCollector struct {
	conn *net.UDPConn
	mu   sync.Mutex
	docs []map[string]any
	bad  []string
}

func startTraceCollector(t *testing.T) *traceCollector {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	require.NoError(t, conn.SetReadBuffer(8<<20))
	c := &traceCollector{conn: conn}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			c.add(buf[:n])
		}
	}()
	t.Cleanup(func() {
		_ = conn.Close()
		<-done
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, b := range c.bad {
			t.Errorf("malformed datagram: %s", b)
		}
	})
	return c
}

func (c *traceCollector) addr() string { return c.conn.LocalAddr().String() }

func (c *traceCollector) add(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	header, body, ok := bytes.Cut(b, []byte("\n"))
	var doc map[string]any
	if !ok || string(header) != `{"format": "json", "version": 1}` || json.Unmarshal(body, &doc) != nil {
		c.bad = append(c.bad, strings.ToValidUTF8(string(b), "?"))
		return
	}
	c.docs = append(c.docs, doc)
}

// wait returns the documents once at least n have arrived, or what arrived by the timeout.
func (c *traceCollector) wait(t *testing.T, n int, timeout time.Duration) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c.mu.Lock()
		got := len(c.docs)
		c.mu.Unlock()
		if got >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // stragglers
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]map[string]any(nil), c.docs...)
}
