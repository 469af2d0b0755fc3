package powertools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The trace header every traced test invocation carries unless it says otherwise.
const (
	tracerTestRoot   = "1-5759e988-bd862e3fe1be46a994272793"
	tracerTestParent = "53995c3f42cd8ad8"
	tracerTestHeader = "Root=" + tracerTestRoot + ";Parent=" + tracerTestParent + ";Sampled=1"
)

// xrayListener is a stand-in X-Ray daemon: a UDP socket on an ephemeral 127.0.0.1 port that keeps every
// datagram it receives.
type xrayListener struct {
	conn *net.UDPConn
	got  chan []byte
}

func startXRayListener(t testing.TB) *xrayListener {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	require.NoError(t, conn.SetReadBuffer(8<<20))
	l := &xrayListener{conn: conn, got: make(chan []byte, 4096)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1<<17)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			l.got <- bytes.Clone(buf[:n])
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		<-done
	})
	return l
}

func (l *xrayListener) addr() string { return l.conn.LocalAddr().String() }

// datagram waits for the next datagram.
func (l *xrayListener) datagram(t testing.TB) []byte {
	t.Helper()
	select {
	case b := <-l.got:
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("no X-Ray datagram received")
		return nil
	}
}

// docs decodes the next n datagrams, checking the header line and the size limit of each.
func (l *xrayListener) docs(t testing.TB, n int) []xrayDoc {
	t.Helper()
	out := make([]xrayDoc, n)
	for i := range out {
		out[i] = decodeXRayDatagram(t, l.datagram(t))
	}
	return out
}

// expectQuiet checks that nothing was sent so far: a sentinel sent now must be the next datagram. Our
// emission is synchronous, so anything an invocation sent is already queued before the sentinel.
func (l *xrayListener) expectQuiet(t testing.TB) {
	t.Helper()
	c, err := net.Dial("udp", l.addr())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("sentinel"))
	require.NoError(t, err)
	assert.Equal(t, "sentinel", string(l.datagram(t)), "a document was sent")
}

// xrayDoc is a segment document as the daemon reads it; unknown fields are refused when decoding.
type xrayDoc struct {
	Name        string                                `json:"name"`
	ID          string                                `json:"id"`
	TraceID     string                                `json:"trace_id"`
	ParentID    string                                `json:"parent_id"`
	Type        string                                `json:"type"`
	StartTime   float64                               `json:"start_time"`
	EndTime     float64                               `json:"end_time"`
	InProgress  bool                                  `json:"in_progress"`
	Namespace   string                                `json:"namespace"`
	Error       bool                                  `json:"error"`
	Throttle    bool                                  `json:"throttle"`
	Fault       bool                                  `json:"fault"`
	Cause       *xrayCause                            `json:"cause"`
	HTTP        *xrayHTTP                             `json:"http"`
	AWS         map[string]any                        `json:"aws"`
	Annotations map[string]any                        `json:"annotations"`
	Metadata    map[string]map[string]json.RawMessage `json:"metadata"`
	Subsegments []xrayDoc                             `json:"subsegments"`

	raw []byte // the document as received
}

type xrayCause struct {
	Exceptions []struct {
		ID      string `json:"id"`
		Message string `json:"message"`
		Type    string `json:"type"`
		Remote  bool   `json:"remote"`
		Cause   string `json:"cause"`
	} `json:"exceptions"`
}

type xrayHTTP struct {
	Request *struct {
		Method string `json:"method"`
		URL    string `json:"url"`
	} `json:"request"`
	Response *struct {
		Status        int    `json:"status"`
		ContentLength *int64 `json:"content_length"`
	} `json:"response"`
}

func decodeXRayDatagram(t testing.TB, b []byte) xrayDoc {
	t.Helper()
	require.LessOrEqual(t, len(b), tracerMaxDatagram, "datagram over the limit")
	body, ok := bytes.CutPrefix(b, []byte(`{"format": "json", "version": 1}`+"\n"))
	require.True(t, ok, "datagram without the daemon header: %.80q", b)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var d xrayDoc
	require.NoError(t, dec.Decode(&d), "document: %s", body)
	require.False(t, dec.More(), "more than one document in a datagram")
	d.raw = body
	return d
}

// checkXRayDoc checks what every document we send must satisfy: a standalone subsegment of the test trace
// whose ids are 16 hex digits, unique, and whose children lie within it in time.
func checkXRayDoc(t testing.TB, d xrayDoc, traceID string) {
	t.Helper()
	assert.Equal(t, traceID, d.TraceID)
	assert.Equal(t, "subsegment", d.Type)
	assert.True(t, tracerValidID(d.ParentID), "parent_id %q", d.ParentID)
	seen := map[string]bool{}
	var walk func(d xrayDoc, top bool)
	walk = func(d xrayDoc, top bool) {
		assert.True(t, tracerValidID(d.ID), "id %q", d.ID)
		assert.False(t, seen[d.ID], "duplicate id %s", d.ID)
		seen[d.ID] = true
		assert.NotEmpty(t, d.Name)
		if !top {
			assert.Empty(t, d.TraceID+d.ParentID+d.Type, "nested subsegment %s carries standalone fields", d.Name)
		}
		assert.Greater(t, d.StartTime, 1e9)
		if !d.InProgress {
			assert.GreaterOrEqual(t, d.EndTime, d.StartTime, "%s ends before it starts", d.Name)
		}
		for _, c := range d.Subsegments {
			assert.GreaterOrEqual(t, c.StartTime, d.StartTime, "%s starts before its parent %s", c.Name, d.Name)
			if !c.InProgress && !d.InProgress {
				assert.LessOrEqual(t, c.EndTime, d.EndTime, "%s ends after its parent %s", c.Name, d.Name)
			}
			walk(c, false)
		}
		if d.Cause != nil {
			for _, e := range d.Cause.Exceptions {
				assert.True(t, tracerValidID(e.ID), "exception id %q", e.ID)
			}
		}
	}
	walk(d, true)
}

// normalizeXRayDoc replaces ids by their order of appearance, so a document compares with a golden file.
func normalizeXRayDoc(t testing.TB, d xrayDoc) []byte {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(d.raw, &v))
	ids := map[string]string{tracerTestParent: "<header parent>"}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range []string{"id", "parent_id", "cause"} {
				if s, ok := x[k].(string); ok && s != "" {
					if _, seen := ids[s]; !seen {
						ids[s] = fmt.Sprintf("<id %d>", len(ids))
					}
				}
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	var rewrite func(v any) any
	rewrite = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && (k == "id" || k == "parent_id" || k == "cause") && s != "" {
					x[k] = ids[s]
					continue
				}
				x[k] = rewrite(e)
			}
		case []any:
			for i := range x {
				x[i] = rewrite(x[i])
			}
		}
		return v
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(rewrite(v)))
	return out.Bytes()
}

func assertGolden(t testing.TB, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "tracer", file)
	if *updateGolden {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "golden %s (go test -run %s -update rewrites it)", path, t.Name())
}

// tracerTestClock starts at a fixed instant and moves 1 ms per reading, so times are exact.
func tracerTestClock() func() time.Time {
	var n atomic.Int64
	start := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

// tracerTestApp builds a traced App sending to l, with env over a base environment.
func tracerTestApp(t testing.TB, l *xrayListener, env map[string]string, opts ...Option) *App {
	t.Helper()
	base := map[string]string{"POWERTOOLS_SERVICE_NAME": "orders", "AWS_LAMBDA_FUNCTION_NAME": "orders-fn"}
	if l != nil {
		base["AWS_XRAY_DAEMON_ADDRESS"] = l.addr()
	}
	for k, v := range env {
		base[k] = v
	}
	all := append([]Option{WithEnv(base), WithTracer(), WithLogOutput(io.Discard), WithClock(tracerTestClock())}, opts...)
	a, err := New(all...)
	require.NoError(t, err)
	return a
}

// tracedCtx is the context the runtime gives an invocation with this trace header.
func tracedCtx(header string) context.Context {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	//lint:ignore SA1029 aws-lambda-go's runtime loop uses this plain string key
	return context.WithValue(ctx, "x-amzn-trace-id", header)
}

type orderEvent struct {
	OrderID string `json:"order_id"`
	Items   int    `json:"items"`
	Fail    string `json:"fail"`
}

type orderResult struct {
	OK    bool   `json:"ok"`
	Total string `json:"total,omitempty"`
}

var errCardDeclined = errors.New("card declined")

// tracerOrderHandler exercises the public API the way a function would.
func tracerOrderHandler(ctx context.Context, in orderEvent) (orderResult, error) {
	tr := Tracer(ctx)
	tr.Annotate("order_id", in.OrderID)
	tr.Annotate("Items count", in.Items)
	tr.Metadata("event", in)
	err := tr.Capture("load order", func(ctx context.Context) error {
		Tracer(ctx).Annotate("cache_hit", false)
		return Tracer(ctx).Capture("db", func(ctx context.Context) error { return nil })
	})
	if err != nil {
		return orderResult{}, err
	}
	total, err := CaptureValue(ctx, "price", func(ctx context.Context) (string, error) {
		if in.Fail == "price" {
			return "", fmt.Errorf("price: %w", errCardDeclined)
		}
		return "12.50", nil
	})
	switch {
	case err != nil:
		return orderResult{}, fmt.Errorf("order %s: %w", in.OrderID, err)
	case in.Fail == "panic":
		panic("boom")
	}
	return orderResult{OK: true, Total: total}, nil
}

func tracerAuthMiddleware(next Handler) Handler {
	return HandlerFunc(func(ctx context.Context, p []byte) ([]byte, error) {
		Tracer(ctx).Annotate("user", "u-1")
		return next.Invoke(ctx, p)
	})
}

func tracerAuditMiddleware(next Handler) Handler {
	return HandlerFunc(func(ctx context.Context, p []byte) ([]byte, error) { return next.Invoke(ctx, p) })
}

// TestTracerDocuments runs the handler under each configuration and compares the one document sent with
// a golden file, after the checks every document must pass.
func TestTracerDocuments(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		opts    []Option
		payload string
		wantErr bool
	}{
		{name: "success", payload: `{"order_id":"o-1","items":3}`},
		{name: "error", payload: `{"order_id":"o-2","fail":"price"}`, wantErr: true},
		{name: "error_not_captured", env: map[string]string{"POWERTOOLS_TRACER_CAPTURE_ERROR": "false"},
			payload: `{"order_id":"o-3","fail":"price"}`, wantErr: true},
		{name: "response_not_captured", opts: []Option{WithTracerCaptureResponse(false)},
			payload: `{"order_id":"o-4"}`},
		{name: "panic", payload: `{"order_id":"o-5","fail":"panic"}`, wantErr: true},
		{name: "middlewares", env: map[string]string{"POWERTOOLS_TRACE_MIDDLEWARES": "true"},
			opts: []Option{WithMiddleware(tracerAuthMiddleware, tracerAuditMiddleware)}, payload: `{"order_id":"o-6"}`},
		{name: "middlewares_untraced", opts: []Option{WithMiddleware(tracerAuthMiddleware)}, payload: `{"order_id":"o-7"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := startXRayListener(t)
			a := tracerTestApp(t, l, tc.env, tc.opts...)
			h := WrapFunc(a, tracerOrderHandler)
			_, err := h.Invoke(tracedCtx(tracerTestHeader), []byte(tc.payload))
			assert.Equal(t, tc.wantErr, err != nil, "invoke error: %v", err)
			d := l.docs(t, 1)[0]
			checkXRayDoc(t, d, tracerTestRoot)
			assert.Equal(t, tracerTestParent, d.ParentID, "the handler subsegment's parent is the function segment")
			assert.Equal(t, "## tracerOrderHandler", d.Name)
			assertGolden(t, tc.name+".json", normalizeXRayDoc(t, d))
			l.expectQuiet(t)
		})
	}
}

// TestTracerNoop covers every case where tracing must do nothing: no datagram, a non-nil Tracer whose
// Capture still runs the function, and the invocation's result unchanged.
func TestTracerNoop(t *testing.T) {
	cases := []struct {
		name   string
		env    map[string]string
		header string
		noOpt  bool // without WithTracer
	}{
		{name: "not enabled", header: tracerTestHeader, noOpt: true},
		{name: "POWERTOOLS_TRACE_DISABLED", header: tracerTestHeader, env: map[string]string{"POWERTOOLS_TRACE_DISABLED": "1"}},
		{name: "AWS_SAM_LOCAL", header: tracerTestHeader, env: map[string]string{"AWS_SAM_LOCAL": "true"}},
		{name: "no header"},
		{name: "Sampled=0", header: "Root=" + tracerTestRoot + ";Parent=" + tracerTestParent + ";Sampled=0"},
		{name: "no Sampled", header: "Root=" + tracerTestRoot + ";Parent=" + tracerTestParent},
		{name: "malformed root", header: "Root=1-xyz;Parent=" + tracerTestParent + ";Sampled=1"},
		{name: "no parent", header: "Root=" + tracerTestRoot + ";Sampled=1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := startXRayListener(t)
			env := map[string]string{"AWS_XRAY_DAEMON_ADDRESS": l.addr(), "POWERTOOLS_SERVICE_NAME": "orders"}
			for k, v := range tc.env {
				env[k] = v
			}
			opts := []Option{WithEnv(env), WithLogOutput(io.Discard)}
			if !tc.noOpt {
				opts = append(opts, WithTracer())
			}
			a, err := New(opts...)
			require.NoError(t, err)
			out, err := WrapFunc(a, tracerOrderHandler).Invoke(tracedCtx(tc.header), []byte(`{"order_id":"o-1"}`))
			require.NoError(t, err)
			assert.JSONEq(t, `{"ok":true,"total":"12.50"}`, string(out))
			var ran bool
			_, err = WrapFunc(a, func(ctx context.Context, _ struct{}) (string, error) {
				tr := Tracer(ctx)
				require.NotNil(t, tr)
				assert.False(t, tr.Sampled())
				assert.Empty(t, tr.TraceID()+tr.ID())
				return "", tr.Capture("x", func(c context.Context) error {
					ran = true
					assert.Equal(t, "req-1", RequestID(c), "Capture hands on the invocation's context")
					return nil
				})
			}).Invoke(tracedCtx(tc.header), []byte(`{}`))
			require.NoError(t, err)
			assert.True(t, ran)
			l.expectQuiet(t)
		})
	}
}

func TestTracerOutsideInvocation(t *testing.T) {
	for _, ctx := range []context.Context{context.Background(), nil} {
		tr := Tracer(ctx)
		require.NotNil(t, tr)
		tr.Annotate("k", "v")
		tr.Metadata("k", "v")
		called := false
		require.NoError(t, tr.Capture("x", func(c context.Context) error { called = c != nil; return nil }))
		assert.True(t, called)
		v, err := CaptureValue(ctx, "y", func(context.Context) (int, error) { return 7, nil })
		assert.Equal(t, 7, v)
		assert.NoError(t, err)
	}
	assert.ErrorIs(t, Tracer(context.Background()).Capture("x", nil), ErrTracerNilFunc)
	_, err := CaptureValue[int](context.Background(), "x", nil)
	assert.ErrorIs(t, err, ErrTracerNilFunc)
	var nilTracer *Subsegment
	nilTracer.Annotate("k", 1)
	assert.False(t, nilTracer.Sampled())
}

// TestTracerConcurrentInvocations runs 64 invocations at once, each with its own trace header, spawning
// goroutines that Capture concurrently: every document must belong to its own trace and parent.
func TestTracerConcurrentInvocations(t *testing.T) {
	l := startXRayListener(t)
	a := tracerTestApp(t, l, nil)
	h := WrapFunc(a, func(ctx context.Context, in struct{ N int }) (int, error) {
		Tracer(ctx).Annotate("n", in.N)
		var wg sync.WaitGroup
		for i := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = Tracer(ctx).Capture(fmt.Sprintf("work-%d", i), func(ctx context.Context) error {
					Tracer(ctx).Annotate("n", in.N)
					return nil
				})
			}()
		}
		wg.Wait()
		return in.N, nil
	})
	const n = 64
	headers := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		headers[i] = fmt.Sprintf("Root=1-5759e988-%024x;Parent=%016x;Sampled=1", i+1, i+1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := h.Invoke(tracedCtx(headers[i]), fmt.Appendf(nil, `{"N":%d}`, i))
			assert.NoError(t, err)
			assert.Equal(t, fmt.Sprint(i), string(out))
		}()
	}
	wg.Wait()
	seen := map[int]bool{}
	for _, d := range l.docs(t, n) {
		var i int
		_, err := fmt.Sscanf(d.TraceID, "1-5759e988-%024x", &i)
		require.NoError(t, err, d.TraceID)
		i--
		checkXRayDoc(t, d, headers[i][len("Root="):len("Root=")+35])
		assert.Equal(t, fmt.Sprintf("%016x", i+1), d.ParentID)
		assert.EqualValues(t, i, d.Annotations["n"], "annotation from another invocation")
		require.Len(t, d.Subsegments, 3)
		for _, c := range d.Subsegments {
			assert.EqualValues(t, i, c.Annotations["n"], "child from another invocation")
		}
		assert.False(t, seen[i], "trace %d sent twice", i)
		seen[i] = true
	}
	assert.Len(t, seen, n)
	l.expectQuiet(t)
}

// TestTracerSplitsLargeDocuments: a tree over the datagram limit is sent as several documents whose
// union is the tree; a single subsegment too large on its own loses its largest metadata.
func TestTracerSplitsLargeDocuments(t *testing.T) {
	l := startXRayListener(t)
	a := tracerTestApp(t, l, nil)
	big := strings.Repeat("x", 20_000)
	h := WrapFunc(a, func(ctx context.Context, _ struct{}) (string, error) {
		for i := range 6 {
			_ = Tracer(ctx).Capture(fmt.Sprintf("chunk-%d", i), func(ctx context.Context) error {
				Tracer(ctx).Metadata("blob", big)
				return Tracer(ctx).Capture("inner", func(context.Context) error { return nil })
			})
		}
		_ = Tracer(ctx).Capture("huge", func(ctx context.Context) error {
			Tracer(ctx).Metadata("small", "kept")
			Tracer(ctx).Metadata("blob", strings.Repeat("y", 70_000))
			return nil
		})
		return "done", nil
	})
	_, err := h.Invoke(tracedCtx(tracerTestHeader), []byte(`{}`))
	require.NoError(t, err)
	docs := l.docs(t, 8) // six chunks, the huge one, then the handler
	top := docs[len(docs)-1]
	assert.Equal(t, "## TestTracerSplitsLargeDocuments.func1", top.Name)
	assert.Empty(t, top.Subsegments, "children over the limit are streamed")
	for _, d := range docs[:7] {
		checkXRayDoc(t, d, tracerTestRoot)
		assert.Equal(t, top.ID, d.ParentID, "%s is streamed under the handler subsegment", d.Name)
	}
	for i, d := range docs[:6] {
		assert.Equal(t, fmt.Sprintf("chunk-%d", i), d.Name)
		assert.Len(t, d.Subsegments, 1, "a streamed child keeps its own children")
		assert.JSONEq(t, `"`+big+`"`, string(d.Metadata["orders"]["blob"]))
	}
	huge := docs[6]
	assert.Equal(t, "huge", huge.Name)
	assert.NotContains(t, huge.Metadata["orders"], "blob", "metadata too large for a datagram is dropped")
	assert.JSONEq(t, `"kept"`, string(huge.Metadata["orders"]["small"]))
	l.expectQuiet(t)
}

// TestTracerLateChild: a subsegment still open when the handler returns is sent in progress with the
// handler's document, then on its own when it ends.
func TestTracerLateChild(t *testing.T) {
	l := startXRayListener(t)
	a := tracerTestApp(t, l, nil)
	release, finished := make(chan struct{}), make(chan struct{})
	h := WrapFunc(a, func(ctx context.Context, _ struct{}) (string, error) {
		started := make(chan struct{})
		go func() {
			defer close(finished)
			_ = Tracer(ctx).Capture("background", func(context.Context) error {
				close(started)
				<-release
				return nil
			})
		}()
		<-started
		return "ok", nil
	})
	_, err := h.Invoke(tracedCtx(tracerTestHeader), []byte(`{}`))
	require.NoError(t, err)
	top := l.docs(t, 1)[0]
	require.Len(t, top.Subsegments, 1)
	assert.True(t, top.Subsegments[0].InProgress)
	close(release)
	<-finished
	late := l.docs(t, 1)[0]
	checkXRayDoc(t, late, tracerTestRoot)
	assert.Equal(t, top.Subsegments[0].ID, late.ID)
	assert.Equal(t, top.ID, late.ParentID)
	assert.False(t, late.InProgress)
}

// TestTracerEmissionFailure: a daemon that is not there never fails an invocation; debug mode shows it.
func TestTracerEmissionFailure(t *testing.T) {
	closed, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	addr := closed.LocalAddr().String()
	closed.Close()
	var debug syncBuffer
	a := tracerTestApp(t, nil, map[string]string{"AWS_XRAY_DAEMON_ADDRESS": addr}, WithDebug(true), WithDebugOutput(&debug))
	h := WrapFunc(a, tracerOrderHandler)
	for range 5 { // a connected UDP socket reports the refusal on the write after the one that caused it
		out, err := h.Invoke(tracedCtx(tracerTestHeader), []byte(`{"order_id":"o-1"}`))
		require.NoError(t, err)
		assert.JSONEq(t, `{"ok":true,"total":"12.50"}`, string(out))
	}
	assert.Contains(t, debug.String(), "powertools: tracer: emit failed")
}

// syncBuffer is the concurrency-safe buffer of the tests.
type syncBuffer = testenv.SyncBuffer

func TestTracerConfig(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		opts    []Option
		wantErr string // ConfigError name, "" for none
		check   func(t *testing.T, c tracerConfig)
	}{
		{name: "defaults", check: func(t *testing.T, c tracerConfig) {
			assert.True(t, c.captureResponse)
			assert.True(t, c.captureError)
			assert.False(t, c.traceMiddlewares)
			assert.Equal(t, "127.0.0.1:2000", c.daemon)
		}},
		{name: "environment", env: map[string]string{
			"POWERTOOLS_TRACER_CAPTURE_RESPONSE": "off", "POWERTOOLS_TRACER_CAPTURE_ERROR": "N",
			"POWERTOOLS_TRACE_MIDDLEWARES": "Yes", "AWS_XRAY_DAEMON_ADDRESS": "tcp:127.0.0.1:3000 udp:169.254.79.129:2000",
		}, check: func(t *testing.T, c tracerConfig) {
			assert.False(t, c.captureResponse)
			assert.False(t, c.captureError)
			assert.True(t, c.traceMiddlewares)
			addr, err := tracerDaemonUDP(c.daemon)
			require.NoError(t, err)
			assert.Equal(t, "169.254.79.129:2000", addr)
		}},
		{name: "options beat environment", env: map[string]string{"POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
			"POWERTOOLS_TRACE_MIDDLEWARES": "true", "AWS_XRAY_DAEMON_ADDRESS": "10.0.0.1:1"},
			opts: []Option{WithTracerCaptureResponse(true), WithTraceMiddlewares(false), WithTracerCaptureError(false),
				WithXRayDaemonAddress("localhost:2001")},
			check: func(t *testing.T, c tracerConfig) {
				assert.True(t, c.captureResponse)
				assert.False(t, c.captureError)
				assert.False(t, c.traceMiddlewares)
				assert.Equal(t, "localhost:2001", c.daemon)
			}},
		{name: "bad boolean", env: map[string]string{"POWERTOOLS_TRACE_DISABLED": "maybe"}, wantErr: "POWERTOOLS_TRACE_DISABLED"},
		{name: "bad capture flag", env: map[string]string{"POWERTOOLS_TRACER_CAPTURE_ERROR": "2"}, wantErr: "POWERTOOLS_TRACER_CAPTURE_ERROR"},
		{name: "bad daemon env", env: map[string]string{"AWS_XRAY_DAEMON_ADDRESS": "nohost"}, wantErr: "AWS_XRAY_DAEMON_ADDRESS"},
		{name: "bad daemon port", env: map[string]string{"AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:70000"}, wantErr: "AWS_XRAY_DAEMON_ADDRESS"},
		{name: "daemon without udp", env: map[string]string{"AWS_XRAY_DAEMON_ADDRESS": "tcp:127.0.0.1:1 tcp:127.0.0.1:2"}, wantErr: "AWS_XRAY_DAEMON_ADDRESS"},
		{name: "bad daemon option", opts: []Option{WithXRayDaemonAddress(":2000")}, wantErr: "WithXRayDaemonAddress"},
		{name: "AWS_SAM_LOCAL is lenient", env: map[string]string{"AWS_SAM_LOCAL": "whatever"}, check: func(t *testing.T, c tracerConfig) {
			assert.True(t, c.samLocal)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]Option{WithEnv(tc.env), WithTracer()}, tc.opts...)
			a, err := New(opts...)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrConfig)
				var ce *ConfigError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tc.wantErr, ce.Name)
				assert.True(t, strings.HasPrefix(err.Error(), "powertools: "), err.Error())
				return
			}
			require.NoError(t, err)
			tc.check(t, a.cfg.tracer)
		})
	}
	// a function that does not trace does not fail on the platform's daemon variable
	_, err := New(WithEnv(map[string]string{"AWS_XRAY_DAEMON_ADDRESS": "garbage"}))
	assert.NoError(t, err)
}

func TestTracerAnnotations(t *testing.T) {
	type myInt int
	cases := []struct {
		key   string
		value any
		want  string // the annotations object, "" when dropped
	}{
		{"plain_Key1", "v", `{"plain_Key1":"v"}`},
		{"with space-and.dot", 1, `{"with_space_and_dot":1}`},
		{"ünï", true, `{"_n_":true}`},
		{"i8", int8(-8), `{"i8":-8}`},
		{"u64", uint64(1 << 63), `{"u64":9223372036854775808}`},
		{"f", 1.5, `{"f":1.5}`},
		{"f32", float32(0.25), `{"f32":0.25}`},
		{"long", strings.Repeat("é", 1200), `{"long":"` + strings.Repeat("é", 1000) + `"}`},
		{strings.Repeat("k", 600), "v", `{"` + strings.Repeat("k", 500) + `":"v"}`},
		{"nan", nan(), ""},
		{"struct", struct{}{}, ""},
		{"named int", myInt(3), ""},
		{"", "v", ""},
		{"quote\"", "a\"b\n", `{"quote_":"a\"b\n"}`},
	}
	for _, tc := range cases {
		a, ok := tracerMakeAnnotation(tc.key, tc.value)
		if tc.want == "" {
			assert.False(t, ok, "%q=%v should be dropped", tc.key, tc.value)
			continue
		}
		require.True(t, ok, tc.key)
		buf := tracerBuffers.Get()
		tracerAppendAnnotations(buf, []tracerAnnotation{a})
		got := strings.TrimPrefix(buf.String(), `,"annotations":`)
		buf.Free()
		assert.JSONEq(t, tc.want, got, tc.key)
	}
}

func nan() float64 { var z float64; return z / z }

func TestTracerParseHeader(t *testing.T) {
	cases := []struct {
		header string
		want   tracerHeader
		ok     bool
	}{
		{tracerTestHeader, tracerHeader{tracerTestRoot, tracerTestParent, true}, true},
		{"Root=" + tracerTestRoot + "; Parent=" + tracerTestParent + "; Sampled=1; Lineage=a:1", tracerHeader{tracerTestRoot, tracerTestParent, true}, true},
		{"Sampled=0;Parent=" + tracerTestParent + ";Root=" + tracerTestRoot, tracerHeader{tracerTestRoot, tracerTestParent, false}, true},
		{"Root=" + tracerTestRoot + ";Parent=53995c3f42cd8ad;Sampled=1", tracerHeader{tracerTestRoot, "53995c3f42cd8ad", true}, false},
		{"Root=2-5759e988-bd862e3fe1be46a994272793;Parent=" + tracerTestParent, tracerHeader{"2-5759e988-bd862e3fe1be46a994272793", tracerTestParent, false}, false},
		{"", tracerHeader{}, false},
		{";;;", tracerHeader{}, false},
	}
	for _, tc := range cases {
		got, ok := tracerParseHeader(tc.header)
		assert.Equal(t, tc.ok, ok, tc.header)
		assert.Equal(t, tc.want, got, tc.header)
	}
}

func TestTracerDaemonAddress(t *testing.T) {
	cases := map[string]string{
		"127.0.0.1:2000":                     "127.0.0.1:2000",
		"udp:127.0.0.1:2001":                 "127.0.0.1:2001",
		"udp:127.0.0.1:2002 tcp:127.0.0.1:1": "127.0.0.1:2002",
		"[::1]:2000":                         "[::1]:2000",
		" localhost:9 ":                      "localhost:9",
		"127.0.0.1":                          "",
		"127.0.0.1:0":                        "",
		"127.0.0.1:x":                        "",
		"tcp:127.0.0.1:1":                    "",
		"udp:a:1 foo":                        "",
	}
	for in, want := range cases {
		got, err := tracerDaemonUDP(in)
		if want == "" {
			assert.Error(t, err, in)
			continue
		}
		assert.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
}

// TestTracerAllocations keeps the untraced paths cheap and the traced ones bounded.
func TestTracerAllocations(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	a, err := New(WithEnv(nil), WithLogOutput(io.Discard))
	require.NoError(t, err)
	inv := a.newInvocation(context.Background())
	allocs := testing.AllocsPerRun(100, func() {
		tr := Tracer(inv)
		tr.Annotate("k", "v")
		tr.Metadata("k", "v")
	})
	assert.LessOrEqual(t, allocs, 1.0, "untraced Tracer(ctx) + Annotate + Metadata")

	l := startXRayListener(t)
	ta := tracerTestApp(t, l, nil)
	var perCall float64
	h := WrapFunc(ta, func(ctx context.Context, _ struct{}) (int, error) {
		perCall = testing.AllocsPerRun(100, func() {
			Tracer(ctx).Annotate("k", "v") // replaces the value: no growth
		})
		return 1, nil
	})
	_, err = h.Invoke(tracedCtx(tracerTestHeader), []byte(`{}`))
	require.NoError(t, err)
	assert.Zero(t, perCall, "traced Tracer(ctx).Annotate on an existing key")
	l.docs(t, 1)
}

// FuzzTracerHeaderInPlace: the headers read in place (the runtime's layout) read as the general parse
// reads them, and so do their Root for the log line's xray_trace_id.
func FuzzTracerHeaderInPlace(f *testing.F) {
	f.Add(tracerTestHeader)
	f.Add("Root=" + tracerTestRoot + ";Parent=" + tracerTestParent + ";Sampled=0")
	f.Add("Root=" + tracerTestRoot + ";Parent=" + tracerTestParent + ";Sampled= ")
	f.Add("Root=" + tracerTestRoot + ";Parent=53995c3f42cd8aZ8;Sampled=1")
	f.Add("Root=1-5759e988-bd862e3fe1be46a99427279 ;Parent=" + tracerTestParent + ";Sampled=1")
	f.Add("Root=" + tracerTestRoot)
	f.Add("Root=" + tracerTestRoot + ";Root=1-00000000-000000000000000000000000")
	f.Fuzz(func(t *testing.T, h string) {
		got, ok := tracerParseHeader(h)
		want, wantOK := tracerParseHeaderFields(h)
		if got != want || ok != wantOK {
			t.Fatalf("%q: read as %+v %v, the general parse reads %+v %v", h, got, ok, want, wantOK)
		}
		if got, want := traceRoot(h), traceField(h, "Root="); got != want {
			t.Fatalf("%q: Root %q, the general parse reads %q", h, got, want)
		}
	})
}

func FuzzTracerParseHeader(f *testing.F) {
	f.Add(tracerTestHeader)
	f.Add("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0")
	f.Add(";Parent=;Root=;")
	f.Add("Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=1;Lineage=10:1234abcd:3")
	f.Fuzz(func(t *testing.T, h string) {
		hdr, ok := tracerParseHeader(h)
		if ok && (!tracerValidTraceID(hdr.root) || !tracerValidID(hdr.parent)) {
			t.Fatalf("accepted %q", h)
		}
	})
}

// FuzzTracerDocument: whatever names, keys and values a user passes, the document is valid JSON that the
// daemon can read.
func FuzzTracerDocument(f *testing.F) {
	f.Add("load", "key", "value", `{"a":1}`, 3.5)
	f.Add("na\"me\x00", "ké y", "\xff\xfe", `not json`, math.Copysign(0, -1))
	f.Add("", "", "", ``, 1e308)
	f.Fuzz(func(t *testing.T, name, key, value, raw string, num float64) {
		l := startXRayListener(t)
		a := tracerTestApp(t, l, nil)
		h := WrapFunc(a, func(ctx context.Context, _ struct{}) (json.RawMessage, error) {
			_ = Tracer(ctx).Capture(name, func(ctx context.Context) error {
				tr := Tracer(ctx)
				tr.Annotate(key, value)
				tr.Annotate(key+"n", num)
				tr.Metadata(key, value)
				tr.Metadata(key+"r", json.RawMessage(raw))
				return errors.New(value)
			})
			return json.RawMessage(raw), nil
		})
		_, _ = h.Invoke(tracedCtx(tracerTestHeader), []byte(`{}`))
		d := l.docs(t, 1)[0]
		checkXRayDoc(t, d, tracerTestRoot)
	})
}

// TestTracerStreamsManySubsegments: a handler making many calls sends its ended subsegments in batches
// while it runs; every subsegment arrives exactly once, under its own parent.
func TestTracerStreamsManySubsegments(t *testing.T) {
	l := startXRayListener(t)
	a := tracerTestApp(t, l, nil)
	const n = 250
	h := WrapFunc(a, func(ctx context.Context, _ struct{}) (string, error) {
		for i := range n {
			_ = Tracer(ctx).Capture(fmt.Sprintf("call-%d", i), func(ctx context.Context) error {
				return Tracer(ctx).Capture("inner", func(context.Context) error { return nil })
			})
		}
		return "ok", nil
	})
	_, err := h.Invoke(tracedCtx(tracerTestHeader), []byte(`{}`))
	require.NoError(t, err)
	var docs []xrayDoc
	var top xrayDoc
	for top.Name == "" {
		d := l.docs(t, 1)[0]
		checkXRayDoc(t, d, tracerTestRoot)
		if d.ParentID == tracerTestParent {
			top = d
		}
		docs = append(docs, d)
	}
	assert.Greater(t, len(docs), 2, "sent in batches before the handler returned")
	calls := map[string]bool{}
	for _, d := range docs {
		list := []xrayDoc{d}
		if d.ID == top.ID {
			list = d.Subsegments
		} else {
			assert.Equal(t, top.ID, d.ParentID, "%s streamed under the handler subsegment", d.Name)
		}
		for _, c := range list {
			assert.False(t, calls[c.Name], "%s sent twice", c.Name)
			calls[c.Name] = true
			require.Len(t, c.Subsegments, 1, "%s carries its child", c.Name)
		}
	}
	assert.Len(t, calls, n)
	l.expectQuiet(t)
}

// TestTracerInvocationAllocations bounds what tracing adds to an invocation with one Capture: the child
// and the handler's children slice, less the untraced Tracer(ctx) view (the trace, the handler subsegment
// and its annotations and metadata are allocated with the invocation; the document is encoded into a
// pooled buffer). It was 6 before they were.
func TestTracerInvocationAllocations(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	l := startXRayListener(t)
	handler := func(ctx context.Context, _ struct{}) (int, error) {
		return 1, Tracer(ctx).Capture("child", func(context.Context) error { return nil })
	}
	traced := WrapFunc(tracerTestApp(t, l, nil), handler)
	plain := WrapFunc(tracerTestApp(t, nil, map[string]string{"POWERTOOLS_TRACE_DISABLED": "true"}), handler)
	ctx := tracedCtx(tracerTestHeader)
	measure := func(h Handler) float64 {
		return testing.AllocsPerRun(200, func() { _, _ = h.Invoke(ctx, []byte(`{}`)) })
	}
	base, withTrace := measure(plain), measure(traced)
	t.Logf("allocations per invocation: %v untraced, %v traced", base, withTrace)
	assert.LessOrEqual(t, withTrace-base, 2.0)
}

// tracerPanickyError is an error whose Error method panics, as hostile or buggy user code may return.
type tracerPanickyError struct{}

func (tracerPanickyError) Error() string { panic("Error() exploded") }

// tracerPanickyMarshaler is a metadata value whose MarshalJSON panics.
type tracerPanickyMarshaler struct{}

func (tracerPanickyMarshaler) MarshalJSON() ([]byte, error) { panic("MarshalJSON exploded") }

// TestTracerHostileUserValues: an error whose Error() panics, returned by a traced handler, stays the
// invocation's error (not a *PanicError) and the trace is still sent; a panic with such a value is logged
// once and becomes a *PanicError; a metadata value whose MarshalJSON panics is recorded as the reason.
func TestTracerHostileUserValues(t *testing.T) {
	t.Run("returned error", func(t *testing.T) {
		l := startXRayListener(t)
		var logs syncBuffer
		a := tracerTestApp(t, l, nil, WithLogOutput(&logs))
		h := a.Wrap(func(ctx context.Context) error {
			Tracer(ctx).Metadata("hostile", tracerPanickyMarshaler{})
			return fmt.Errorf("charge: %w", tracerPanickyError{})
		})
		_, err := h.Invoke(tracedCtx(tracerTestHeader), []byte(`{}`))
		var pe *PanicError
		require.False(t, errors.As(err, &pe), "the handler's error is not turned into a panic: %T", err)
		require.ErrorIs(t, err, tracerPanickyError{})
		doc := l.docs(t, 1)[0]
		require.True(t, doc.Fault)
		require.NotNil(t, doc.Cause)
		require.Len(t, doc.Cause.Exceptions, 2)
		assert.Contains(t, doc.Cause.Exceptions[1].Message, "whose Error method panicked", "the wrapped error's text")
		assert.Contains(t, string(doc.Metadata["orders"]["hostile"]), "panicked")
		assert.NotContains(t, logs.String(), "handler panicked")
	})
	t.Run("panic value", func(t *testing.T) {
		l := startXRayListener(t)
		var logs syncBuffer
		a := tracerTestApp(t, l, nil, WithLogOutput(&logs))
		h := a.Wrap(func(ctx context.Context) error { panic(tracerPanickyError{}) })
		_, err := h.Invoke(tracedCtx(tracerTestHeader), []byte(`{}`))
		var pe *PanicError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, tracerPanickyError{}, pe.Value, "the handler's own panic value, not a panic of the library")
		require.Equal(t, 1, strings.Count(logs.String(), "handler panicked"), "logged once: %s", logs.String())
		doc := l.docs(t, 1)[0]
		require.True(t, doc.Fault)
	})
}

// TestTracerSharesOneSocket: every App sending to one daemon address uses one UDP socket of the process.
func TestTracerSharesOneSocket(t *testing.T) {
	l := startXRayListener(t)
	apps := make([]*App, 50)
	for i := range apps {
		apps[i] = tracerTestApp(t, l, nil)
	}
	sources := map[string]bool{}
	for _, a := range apps {
		require.Same(t, apps[0].tracer.conn, a.tracer.conn)
		_, err := WrapFunc(a, tracerOrderHandler).Invoke(tracedCtx(tracerTestHeader), []byte(`{"order_id":"o-1"}`))
		require.NoError(t, err)
	}
	for range apps {
		select {
		case <-l.got:
		case <-time.After(10 * time.Second):
			t.Fatal("datagram missing")
		}
	}
	c := apps[0].tracer.conn.conn.Load()
	require.NotNil(t, c)
	sources[c.LocalAddr().String()] = true
	for _, a := range apps {
		sources[a.tracer.conn.conn.Load().LocalAddr().String()] = true
	}
	require.Len(t, sources, 1, "one socket for 50 Apps")
	other := startXRayListener(t)
	b := tracerTestApp(t, other, nil)
	require.NotSame(t, apps[0].tracer.conn, b.tracer.conn, "another daemon address has its own socket")
}

// TestTracerDebugSaysWhyNotTraced: debug mode names the reason an invocation is not traced.
func TestTracerDebugSaysWhyNotTraced(t *testing.T) {
	cases := []struct {
		name, header, want string
		env                map[string]string
	}{
		{name: "no header", want: "no trace header"},
		{name: "not sampled", header: "Root=" + tracerTestRoot + ";Parent=" + tracerTestParent + ";Sampled=0", want: "not sampled"},
		{name: "malformed", header: "Root=1-xyz;Sampled=1", want: "malformed trace header"},
		{name: "disabled", header: tracerTestHeader, env: map[string]string{"POWERTOOLS_TRACE_DISABLED": "true"}, want: "POWERTOOLS_TRACE_DISABLED"},
		{name: "sam local", header: tracerTestHeader, env: map[string]string{"AWS_SAM_LOCAL": "true"}, want: "AWS_SAM_LOCAL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := startXRayListener(t)
			var debug syncBuffer
			a := tracerTestApp(t, l, c.env, WithDebug(true), WithDebugOutput(&debug))
			h := WrapFunc(a, tracerOrderHandler)
			for range 2 {
				_, err := h.Invoke(tracedCtx(c.header), []byte(`{"order_id":"o-1"}`))
				require.NoError(t, err)
			}
			assert.Equal(t, 2, strings.Count(debug.String(), "powertools: tracer: invocation not traced"), "every invocation: %s", debug.String())
			assert.Contains(t, debug.String(), c.want)
			l.expectQuiet(t)
		})
	}
}

// TestTracerProvisionedConcurrency: with AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency the first
// invocation is no cold start: the ColdStart annotation is false, as is the logger's cold_start.
func TestTracerProvisionedConcurrency(t *testing.T) {
	for _, c := range []struct {
		initType string
		want     bool
	}{{"", true}, {"on-demand", true}, {"provisioned-concurrency", false}} {
		t.Run("type="+c.initType, func(t *testing.T) {
			l := startXRayListener(t)
			var logs syncBuffer
			env := map[string]string{}
			if c.initType != "" {
				env["AWS_LAMBDA_INITIALIZATION_TYPE"] = c.initType
			}
			a := tracerTestApp(t, l, env, WithLogOutput(&logs))
			h := a.Wrap(func(ctx context.Context) error {
				Logger(ctx).Info("hello")
				assert.Equal(t, c.want, IsColdStart(ctx))
				return nil
			})
			_, err := h.Invoke(tracedCtx(tracerTestHeader), []byte(`{}`))
			require.NoError(t, err)
			doc := l.docs(t, 1)[0]
			assert.Equal(t, c.want, doc.Annotations["ColdStart"])
			assert.Contains(t, logs.String(), `"cold_start":`+fmt.Sprint(c.want))
		})
	}
}

// TestTracerResponseAsEncoded: the handler's encoded response is recorded as it is when no layer stands
// between the tracer and the handler; a middleware's response, even one rewriting the handler's bytes in
// place, is checked as JSON first (and recorded as a string when it is not).
func TestTracerResponseAsEncoded(t *testing.T) {
	handler := func(ctx context.Context, in orderEvent) (map[string]string, error) {
		return map[string]string{"id": in.OrderID}, nil
	}
	for _, tc := range []struct {
		name string
		opts []Option
		want string
	}{
		{"handler's own", nil, `{"id":"o-1"}`},
		{"middleware passing it on", []Option{WithMiddleware(func(next Handler) Handler { return next })}, `{"id":"o-1"}`},
		{"middleware rewriting it in place", []Option{WithMiddleware(func(next Handler) Handler {
			return HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
				out, err := next.Invoke(ctx, payload)
				copy(out, "<<<")
				return out, err
			})
		})}, `"\u003c\u003c\u003cd\":\"o-1\"}"`},
		{"middleware replacing it", []Option{WithMiddleware(func(next Handler) Handler {
			return HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
				_, err := next.Invoke(ctx, payload)
				return []byte("plain"), err
			})
		})}, `"plain"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := startXRayListener(t)
			a := tracerTestApp(t, l, nil, tc.opts...)
			_, err := WrapFunc(a, handler).Invoke(tracedCtx(tracerTestHeader), []byte(`{"order_id":"o-1"}`))
			require.NoError(t, err)
			d := l.docs(t, 1)[0]
			require.Len(t, d.Metadata["orders"], 1, "%s", d.raw)
			for key, raw := range d.Metadata["orders"] {
				assert.True(t, strings.HasSuffix(key, " response"), key)
				assert.Equal(t, tc.want, string(raw), "%s", d.raw)
			}
		})
	}
}
