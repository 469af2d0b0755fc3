// Package powertoolstest is the test kit for functions built with powertools: it builds an App whose log
// lines, EMF metric blobs and X-Ray trace documents are captured in memory, invokes a handler with the
// invocation context the Lambda runtime would give it (request id, function ARN, deadline, a sampled trace
// header, cold or warm start), and gives the output back decoded.
//
//	rec := powertoolstest.New(t, powertools.WithService("orders"), powertools.WithMetrics("Shop"), powertools.WithTracer())
//	inv := rec.Invoke(powertools.WrapFunc(rec.App(), handle), event)
//	inv.Logs()        // this invocation's log lines: Level, Message, Keys, ...
//	rec.Metrics()     // metric name -> values, unit, dimensions, metadata
//	inv.Segments()    // this invocation's subsegment tree, annotations and metadata
//
// Logs and metrics are captured through WithLogOutput and WithMetricsOutput; traces are the real UDP
// datagrams, sent to a listener on 127.0.0.1 that the Recorder starts (WithXRayDaemonAddress), decoded
// back. A Recorder is safe for concurrent use: fire 64 invocations from as many goroutines and each
// Invocation still gives its own log lines (by request id) and trace (by trace id).
package powertoolstest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools"
)

// Defaults of the invocation context Invoke builds.
const (
	// FunctionName is AWS_LAMBDA_FUNCTION_NAME in the environment New gives the App, and the function in
	// the default ARN.
	FunctionName = "test_function"
	// FunctionARN is the invoked function ARN of an invocation that sets none (WithFunctionARN).
	FunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:" + FunctionName
	// DefaultTimeout is how far the deadline of an invocation lies when it sets none (WithDeadline): more
	// than Lambda's 3 s default, so a slow test machine does not hit it.
	DefaultTimeout = 30 * time.Second
	// traceWait bounds how long Segments waits for the datagrams of finished invocations.
	traceWait = 10 * time.Second
)

// Environment is the environment New gives the App unless an option replaces it (powertools.WithEnv or
// WithLookupEnv): the variables Lambda sets that powertools reads, and nothing of the test process's own
// environment, so a test gives the same output on every machine.
func Environment() map[string]string {
	return map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        FunctionName,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_REGION":                      "us-east-1",
	}
}

// Recorder is an App with its output captured, and the invocations made through it.
type Recorder struct {
	t      testing.TB
	app    *powertools.App
	logs   lineSink
	emf    lineSink
	daemon *daemon

	startMu sync.Mutex // held while an invocation is registered, and over the warm-up

	mu          sync.Mutex
	started     int                     // invocations started, the warm-up included
	seq         int                     // numbers the default request ids and trace ids
	observed    map[string]*observation // by request id, written by the observing middleware
	running     map[*Invocation]bool
	invocations []*Invocation // finished, in the order they ended
}

// observation is what the Recorder's middleware saw of one invocation inside the App's chain.
type observation struct {
	coldStart bool
	traceID   string // "" when the invocation was not traced
	segmentID string // the handler subsegment's id
}

// New builds an App from opts (any powertools.Option, validation.With included) with its log lines,
// metric blobs and trace documents captured, and returns the Recorder holding it. A configuration error
// fails t. The App's environment is Environment() unless opts give another one; WithLogOutput,
// WithMetricsOutput and WithXRayDaemonAddress among opts are overridden, since the Recorder captures that
// output. The trace listener is closed when t ends; when t has failed, what was captured is logged.
func New(t testing.TB, opts ...powertools.Option) *Recorder {
	t.Helper()
	r := &Recorder{t: t, observed: map[string]*observation{}, running: map[*Invocation]bool{}}
	d, err := startDaemon()
	if err != nil {
		t.Fatalf("powertoolstest: %v", err)
	}
	r.daemon = d
	t.Cleanup(func() {
		d.close()
		if t.Failed() {
			r.logCaptured()
		}
	})
	all := []powertools.Option{powertools.WithEnv(Environment()), powertools.WithMiddleware(r.observe)}
	all = append(all, opts...)
	all = append(all,
		powertools.WithLogOutput(&r.logs),
		powertools.WithMetricsOutput(&r.emf),
		powertools.WithXRayDaemonAddress(d.addr()))
	app, err := powertools.New(all...)
	if err != nil {
		t.Fatalf("powertoolstest: powertools.New: %v", err)
	}
	r.app = app
	return r
}

// App is the Recorder's App: wrap handlers with it (app.Wrap, powertools.WrapFunc) or hand it to the
// function's own constructor.
func (r *Recorder) App() *powertools.App { return r.app }

// observe is the outermost user middleware of the App: it notes, per request id, whether the invocation
// was a cold start and the subsegment it runs in (the handler's, or its own with
// POWERTOOLS_TRACE_MIDDLEWARES), so Segments knows what to wait for.
func (r *Recorder) observe(next powertools.Handler) powertools.Handler {
	return powertools.HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		seg := powertools.Tracer(ctx)
		o := &observation{coldStart: powertools.IsColdStart(ctx), traceID: seg.TraceID(), segmentID: seg.ID()}
		r.mu.Lock()
		if id := powertools.RequestID(ctx); id != "" {
			r.observed[id] = o
		}
		r.mu.Unlock()
		return next.Invoke(ctx, payload)
	})
}

// observeName is the name the tracer gives the observing middleware's subsegment when
// POWERTOOLS_TRACE_MIDDLEWARES is on; Segments splices that subsegment out of the trees.
var observeName = func() string {
	var r *Recorder
	fn := runtime.FuncForPC(reflect.ValueOf(r.observe).Pointer())
	if fn == nil {
		return ""
	}
	name := fn.Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return "## " + name
}()

// Invocation is one invocation made by Invoke: its context, its answer and its output.
type Invocation struct {
	rec *Recorder

	RequestID   string
	FunctionARN string
	Deadline    time.Time
	TraceHeader string // "" when the invocation carried none
	ColdStart   bool   // as the App saw it; false for a handler not wrapped by the Recorder's App

	Response []byte // the handler's answer (nil on error)
	Err      error  // the handler's error, not a test failure

	blobsBefore, blobsAfter int
	overlapped              bool // another invocation ran at the same time
	traceID, segmentID      string
}

// Invoke calls h with event the way the Lambda runtime would, and returns the invocation. h is a
// powertools.Handler made with the Recorder's App (App().Wrap, powertools.WrapFunc, or the function's own
// constructor given App()), used as is, or any handler function lambda.Start accepts, which Invoke wraps
// with App(). event is JSON: []byte and json.RawMessage as they are (see Event to read a file), any other
// value encoded with encoding/json.
//
// The context carries a lambdacontext.LambdaContext (request id, invoked function ARN), a deadline and a
// sampled X-Ray trace header, each of which an option changes. The first invocation of a Recorder is its
// App's cold start and later ones are warm, as in Lambda; WithColdStart and WithWarmStart ask for one.
// A handler error is in Invocation.Err; it does not fail the test.
func (r *Recorder) Invoke(h any, event any, opts ...InvokeOption) *Invocation {
	r.t.Helper()
	payload, err := eventBytes(event)
	if err != nil {
		r.t.Fatalf("powertoolstest: Invoke: %v", err)
	}
	handler, err := r.handler(h)
	if err != nil {
		r.t.Fatalf("powertoolstest: Invoke: %v", err)
	}
	cfg := invokeConfig{parent: context.Background()}
	for _, o := range opts {
		o(&cfg)
	}
	inv, err := r.begin(cfg)
	if err != nil {
		r.t.Fatalf("powertoolstest: Invoke: %v", err)
	}
	ctx, cancel := invocationContext(cfg.parent, inv)
	inv.Response, inv.Err = invokeSafely(ctx, handler, payload)
	cancel()
	r.end(inv)
	return inv
}

// begin registers an invocation about to run: its request id, context details and start kind.
func (r *Recorder) begin(cfg invokeConfig) (*Invocation, error) {
	r.startMu.Lock()
	defer r.startMu.Unlock()
	r.mu.Lock()
	started := r.started
	r.mu.Unlock()
	switch {
	case cfg.start == startCold && started > 0:
		return nil, fmt.Errorf("WithColdStart: the App already had its cold start (%d invocations before this one); use a new Recorder", started)
	case cfg.start == startWarm && started == 0:
		if err := r.warmUp(); err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	inv := &Invocation{rec: r, RequestID: cfg.requestID, FunctionARN: cfg.arn, Deadline: cfg.deadline, TraceHeader: cfg.trace}
	if inv.RequestID == "" {
		inv.RequestID = fmt.Sprintf("00000000-0000-4000-8000-%012d", r.seq)
	}
	if _, dup := r.observed[inv.RequestID]; dup {
		return nil, fmt.Errorf("request id %q used twice", inv.RequestID)
	}
	if inv.FunctionARN == "" {
		inv.FunctionARN = FunctionARN
	}
	if inv.Deadline.IsZero() {
		inv.Deadline = time.Now().Add(DefaultTimeout)
	}
	if !cfg.traceSet {
		inv.TraceHeader = traceHeader(r.seq, true)
	}
	r.started++
	r.observed[inv.RequestID] = nil
	for other := range r.running {
		other.overlapped, inv.overlapped = true, true
	}
	r.running[inv] = true
	inv.blobsBefore = r.emf.count()
	return inv, nil
}

// end records what the invocation left: its observation and the blobs written while it ran.
func (r *Recorder) end(inv *Invocation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.running, inv)
	inv.blobsAfter = r.emf.count()
	if o := r.observed[inv.RequestID]; o != nil {
		inv.ColdStart, inv.traceID, inv.segmentID = o.coldStart, o.traceID, o.segmentID
	}
	r.invocations = append(r.invocations, inv)
}

// warmUp spends the App's cold start on an invocation of a handler doing nothing, whose output is
// discarded, so the next invocation is warm. The caller holds r.startMu and no invocation has started.
func (r *Recorder) warmUp() error {
	r.mu.Lock()
	r.started++
	r.mu.Unlock()
	logs, blobs := r.logs.count(), r.emf.count()
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "powertoolstest-warm-up", InvokedFunctionArn: FunctionARN})
	ctx = withTraceHeader(ctx, traceHeader(0, false))
	// Its error (validation refusing the empty event, say) does not matter: the App's chain spent the cold
	// start before anything could fail.
	_, _ = invokeSafely(ctx, r.app.Wrap(func(context.Context) error { return nil }), []byte("{}"))
	r.logs.truncate(logs)
	r.emf.truncate(blobs)
	r.mu.Lock()
	delete(r.observed, "powertoolstest-warm-up")
	r.mu.Unlock()
	return nil
}

// handler returns h as a powertools.Handler.
func (r *Recorder) handler(h any) (handler powertools.Handler, err error) {
	if h == nil {
		return nil, fmt.Errorf("handler is nil")
	}
	if ph, ok := h.(powertools.Handler); ok {
		return ph, nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	return r.app.Wrap(h), nil
}

// invokeSafely calls h; a panic that escapes it (h not wrapped by an App, which would recover it) is
// returned as an error, as the Lambda runtime reports it.
func invokeSafely(ctx context.Context, h powertools.Handler, payload []byte) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("powertoolstest: handler panicked: %v", p)
		}
	}()
	return h.Invoke(ctx, payload)
}

// invocationContext is the context the Lambda runtime gives an invocation: the Lambda context, the
// deadline, the trace header.
func invocationContext(parent context.Context, inv *Invocation) (context.Context, context.CancelFunc) {
	ctx := lambdacontext.NewContext(parent, &lambdacontext.LambdaContext{
		AwsRequestID:       inv.RequestID,
		InvokedFunctionArn: inv.FunctionARN,
	})
	ctx, cancel := context.WithDeadline(ctx, inv.Deadline)
	if inv.TraceHeader != "" {
		ctx = withTraceHeader(ctx, inv.TraceHeader)
	}
	return ctx, cancel
}

// withTraceHeader puts the trace header where aws-lambda-go's runtime loop puts it.
func withTraceHeader(ctx context.Context, header string) context.Context {
	//lint:ignore SA1029 aws-lambda-go's runtime loop passes the trace header under this string key
	return context.WithValue(ctx, "x-amzn-trace-id", header)
}

// traceHeader is the trace header of the invocation numbered n: a root and parent derived from n, so a
// test's trace ids are the same on every run.
func traceHeader(n int, sampled bool) string {
	flag := "0"
	if sampled {
		flag = "1"
	}
	return fmt.Sprintf("Root=1-5759e988-%024x;Parent=%016x;Sampled=%s", n, 0x53995c3f00000000+n, flag)
}

// eventBytes is the payload of an event given to Invoke.
func eventBytes(event any) ([]byte, error) {
	switch e := event.(type) {
	case nil:
		return []byte("null"), nil
	case []byte:
		return e, nil
	case json.RawMessage:
		return e, nil
	}
	b, err := json.Marshal(event)
	if err != nil {
		return nil, fmt.Errorf("encode the event: %w", err)
	}
	return b, nil
}

// Event reads an event file (a JSON document, e.g. testdata/event.json) for Invoke; a missing file fails t.
func Event(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("powertoolstest: Event: %v", err)
	}
	if !json.Valid(b) {
		t.Fatalf("powertoolstest: Event: %s is not valid JSON", path)
	}
	return b
}

// Invocations returns every finished invocation, sorted by request id.
func (r *Recorder) Invocations() []*Invocation {
	r.mu.Lock()
	out := append([]*Invocation(nil), r.invocations...)
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].RequestID < out[j].RequestID })
	return out
}

// Logs returns this invocation's log lines (those whose function_request_id is its request id), in the
// order they were written.
func (inv *Invocation) Logs() []Log {
	var out []Log
	for _, l := range inv.rec.Logs() {
		if l.RequestID == inv.RequestID {
			out = append(out, l)
		}
	}
	return out
}

// Metrics returns the metric blobs written while this invocation ran. Blobs carry no request id, so when
// another invocation ran at the same time they cannot be told apart: then Metrics fails the test, and
// Recorder.Metrics gives every invocation's metrics together.
func (inv *Invocation) Metrics() Metrics {
	inv.rec.t.Helper()
	blobs, ok := inv.ownBlobs("Metrics", ", so its blobs cannot be told apart; use Recorder.Metrics")
	if !ok {
		return nil
	}
	return metricsOf(blobs)
}

// Blobs returns the EMF blobs written while this invocation ran, under the same condition as Metrics.
func (inv *Invocation) Blobs() []Blob {
	inv.rec.t.Helper()
	blobs, _ := inv.ownBlobs("Blobs", "; use Recorder.Blobs")
	return blobs
}

// ownBlobs is the blobs written while this invocation ran; when another invocation ran at the same time it
// fails the test instead, the message naming method and ending with hint.
func (inv *Invocation) ownBlobs(method, hint string) ([]Blob, bool) {
	inv.rec.t.Helper()
	inv.rec.mu.Lock()
	overlapped := inv.overlapped
	inv.rec.mu.Unlock()
	if overlapped {
		inv.rec.t.Fatalf("powertoolstest: Invocation.%s: %s ran at the same time as another invocation%s", method, inv.RequestID, hint)
		return nil, false
	}
	return inv.rec.blobs(inv.blobsBefore, inv.blobsAfter), true
}

// Segment returns this invocation's handler subsegment ("## <handler>") with its whole tree, waiting for
// its datagram; nil when the invocation was not traced (tracing off, Sampled=0, or no trace header). A
// datagram that does not come fails the test.
func (inv *Invocation) Segment() *Segment {
	inv.rec.t.Helper()
	if inv.segmentID == "" {
		return nil
	}
	for _, s := range inv.rec.trees() {
		found := false
		s.walk(0, func(x *Segment, _ int) { found = found || x.ID == inv.segmentID })
		if found {
			return splice([]*Segment{s})[0]
		}
	}
	return nil
}

// Decode decodes the invocation's response into v; a handler error or a response that does not decode
// fails the test.
func (inv *Invocation) Decode(v any) {
	inv.rec.t.Helper()
	if inv.Err != nil {
		inv.rec.t.Fatalf("powertoolstest: %s failed: %v", inv.RequestID, inv.Err)
	}
	if err := json.Unmarshal(inv.Response, v); err != nil {
		inv.rec.t.Fatalf("powertoolstest: decode the response of %s: %v (%s)", inv.RequestID, err, inv.Response)
	}
}

// logCaptured writes what the App wrote to the test's log, for a test that failed.
func (r *Recorder) logCaptured() {
	var b strings.Builder
	b.WriteString("powertoolstest: what the App wrote\n--- log lines:\n")
	for _, l := range r.logs.snapshot() {
		b.WriteString(l + "\n")
	}
	b.WriteString("--- EMF blobs:\n")
	for _, l := range r.emf.snapshot() {
		b.WriteString(l + "\n")
	}
	b.WriteString("--- traces:\n")
	docs, _ := r.daemon.docs()
	for _, s := range splice(Assemble(docs)) {
		s.Tree(&b)
	}
	r.t.Log(b.String())
}
