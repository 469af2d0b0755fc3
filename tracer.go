package powertools

// Tracer: X-Ray subsegments written natively (issue 5). The handler runs inside a subsegment "## <handler>"
// whose parent is the Lambda function segment named by the trace header; Capture, InstrumentAWS and
// InstrumentHTTP add children under it. The whole tree is sent as one UDP datagram to the X-Ray daemon when
// the handler returns (tracer_xray.go writes the wire format). Nothing here links aws-xray-sdk-go.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"
)

// tracerDefaultDaemon is where the X-Ray daemon listens unless AWS_XRAY_DAEMON_ADDRESS says otherwise.
const tracerDefaultDaemon = "127.0.0.1:2000"

// tracerConfig holds the tracer settings.
type tracerConfig struct {
	enabled          bool // WithTracer
	disabled         bool // POWERTOOLS_TRACE_DISABLED
	samLocal         bool // AWS_SAM_LOCAL: sam local has no daemon
	devMode          bool // POWERTOOLS_DEV turned tracing off (POWERTOOLS_TRACE_DISABLED unset)
	captureResponse  bool
	captureError     bool
	traceMiddlewares bool
	daemon           string // host:port, or the AWS_XRAY_DAEMON_ADDRESS form "udp:h:p tcp:h:p"
	daemonName       string // what set daemon, for the error message
}

func tracerDefaultConfig() tracerConfig {
	return tracerConfig{
		captureResponse: true,
		captureError:    true,
		daemon:          tracerDefaultDaemon,
		daemonName:      "AWS_XRAY_DAEMON_ADDRESS",
	}
}

func (c *tracerConfig) readEnv(env *envReader) {
	env.boolean("POWERTOOLS_TRACE_DISABLED", &c.disabled)
	env.boolean("POWERTOOLS_TRACER_CAPTURE_RESPONSE", &c.captureResponse)
	env.boolean("POWERTOOLS_TRACER_CAPTURE_ERROR", &c.captureError)
	env.boolean("POWERTOOLS_TRACE_MIDDLEWARES", &c.traceMiddlewares)
	env.str("AWS_XRAY_DAEMON_ADDRESS", &c.daemon)
	// AWS_SAM_LOCAL is set by the SAM CLI ("true"); it is not ours to validate, so anything but a false
	// spelling counts as set.
	if v, ok := env.get("AWS_SAM_LOCAL"); ok {
		b, err := parseBool(v)
		c.samLocal = err != nil || b
	}
}

// validate checks the daemon address, only when tracing is on: a function that does not trace must not fail
// because of the platform's variables.
func (c *tracerConfig) validate() []error {
	if !c.enabled {
		return nil
	}
	if _, err := tracerDaemonUDP(c.daemon); err != nil {
		return []error{&ConfigError{Name: c.daemonName, Value: c.daemon, Reason: err.Error()}}
	}
	return nil
}

// tracerDaemonUDP returns the UDP host:port of a daemon address: either "host:port" or the daemon's own
// form "tcp:host:port udp:host:port" (either order). It does no I/O: names are resolved when first sent to.
func tracerDaemonUDP(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	if strings.ContainsAny(addr, " \t") {
		found := ""
		for _, part := range strings.Fields(addr) {
			if v, ok := strings.CutPrefix(part, "udp:"); ok {
				found = v
			} else if !strings.HasPrefix(part, "tcp:") {
				return "", errors.New("want host:port or \"tcp:host:port udp:host:port\"")
			}
		}
		if found == "" {
			return "", errors.New("no udp: address")
		}
		addr = found
	} else if v, ok := strings.CutPrefix(addr, "udp:"); ok {
		addr = v
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", errors.New("want host:port")
	}
	if host == "" {
		return "", errors.New("missing host")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return "", errors.New("port must be a number from 1 to 65535")
	}
	return addr, nil
}

// WithTracer turns X-Ray tracing on: each invocation whose trace header says Sampled=1 runs inside a
// subsegment "## <handler name>" sent to the X-Ray daemon when the handler returns. Default: off.
// POWERTOOLS_TRACE_DISABLED=true or AWS_SAM_LOCAL=true turn every tracing call into a no-op even when this
// option is given, so an operator can switch tracing off without a deploy.
func WithTracer() Option {
	return func(c *config) { c.tracer.enabled = true }
}

// WithTracerCaptureResponse records the handler's response (and the value CaptureValue returns) as
// metadata "<name> response". Default: true; environment: POWERTOOLS_TRACER_CAPTURE_RESPONSE.
func WithTracerCaptureResponse(on bool) Option {
	return func(c *config) { c.tracer.captureResponse = on }
}

// WithTracerCaptureError records an error as metadata "<name> error" and as the subsegment's cause. With
// false the subsegment is still flagged as a fault, without the message. Default: true; environment:
// POWERTOOLS_TRACER_CAPTURE_ERROR.
func WithTracerCaptureError(on bool) Option {
	return func(c *config) { c.tracer.captureError = on }
}

// WithTraceMiddlewares runs each user middleware (WithMiddleware) in its own subsegment "## <middleware>".
// Default: false; environment: POWERTOOLS_TRACE_MIDDLEWARES.
func WithTraceMiddlewares(on bool) Option {
	return func(c *config) { c.tracer.traceMiddlewares = on }
}

// WithXRayDaemonAddress sets where segments are sent, as "host:port" or the daemon's form
// "tcp:host:port udp:host:port" (UDP is used). Default: "127.0.0.1:2000"; environment:
// AWS_XRAY_DAEMON_ADDRESS.
func WithXRayDaemonAddress(addr string) Option {
	return func(c *config) {
		c.tracer.daemon = addr
		c.tracer.daemonName = "WithXRayDaemonAddress"
	}
}

// tracerRoot is the App's process-wide tracing state; nil when tracing is off.
type tracerRoot struct {
	app     *App
	cfg     *tracerConfig
	service string
	addr    string
	conn    *tracerConn // shared by every App sending to addr
}

// tracerConn is the one UDP socket of the process for one daemon address: every traced App sending there
// shares it (a connected UDP socket is safe for concurrent writes), so building many Apps does not hold
// many sockets, and there is nothing to close. It is dialled on the first emission, not in New (no I/O
// in options); a failed dial is retried on the next emission.
type tracerConn struct {
	mu   sync.Mutex
	conn atomic.Pointer[net.UDPConn]
}

// tracerConns maps a daemon's UDP address to its shared socket. It is process-wide on purpose, like the
// socket; it holds no per-invocation state.
var tracerConns sync.Map // string -> *tracerConn

func tracerConnFor(addr string) *tracerConn {
	if c, ok := tracerConns.Load(addr); ok {
		return c.(*tracerConn)
	}
	c, _ := tracerConns.LoadOrStore(addr, new(tracerConn))
	return c.(*tracerConn)
}

func newTracerRoot(a *App) (*tracerRoot, error) {
	c := &a.cfg.tracer
	if !c.enabled {
		return nil, nil
	}
	if c.disabled || c.samLocal {
		a.debug.Debug("powertools: tracer disabled by the environment",
			zap.Bool("POWERTOOLS_TRACE_DISABLED", c.disabled), zap.Bool("AWS_SAM_LOCAL", c.samLocal))
		return nil, nil
	}
	addr, err := tracerDaemonUDP(c.daemon)
	if err != nil { // validate already reported it; kept for callers building an App by hand
		return nil, &ConfigError{Name: c.daemonName, Value: c.daemon, Reason: err.Error()}
	}
	return &tracerRoot{app: a, cfg: c, service: a.cfg.service, addr: addr, conn: tracerConnFor(addr)}, nil
}

// send writes one datagram. A failure is reported in debug mode only: tracing never fails an invocation.
func (r *tracerRoot) send(datagram []byte) {
	conn, err := r.dial()
	if err == nil {
		_, err = conn.Write(datagram)
	}
	if err != nil {
		r.app.debug.Debug("powertools: tracer: emit failed", zap.String("daemon", r.addr), zap.Error(err))
		return
	}
	if ce := r.app.debug.Check(zap.DebugLevel, "powertools: tracer: sent"); ce != nil {
		ce.Write(zap.String("daemon", r.addr), zap.Int("bytes", len(datagram)))
	}
}

func (r *tracerRoot) dial() (*net.UDPConn, error) {
	tc := r.conn
	if c := tc.conn.Load(); c != nil {
		return c, nil
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if c := tc.conn.Load(); c != nil {
		return c, nil
	}
	raddr, err := net.ResolveUDPAddr("udp", r.addr)
	if err != nil {
		return nil, err
	}
	c, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		return nil, err
	}
	tc.conn.Store(c)
	return c, nil
}

// tracerHeader is the parsed trace header of one invocation.
type tracerHeader struct {
	root    string // 1-8hex-24hex
	parent  string // 16 hex
	sampled bool
}

// tracerParseHeader reads "Root=1-...;Parent=...;Sampled=1" in one pass. ok is false when the header does
// not name a well-formed trace and parent.
func tracerParseHeader(h string) (hdr tracerHeader, ok bool) {
	// The header as the runtime writes it, "Root=<35>;Parent=<16>;Sampled=<1>", is read in place; any
	// other layout (or ids that are not well-formed) goes through the general parse.
	if len(h) == 74 && h[:5] == "Root=" && h[40:48] == ";Parent=" && h[64:73] == ";Sampled=" &&
		tracerValidTraceID(h[5:40]) && tracerValidID(h[48:64]) {
		return tracerHeader{root: h[5:40], parent: h[48:64], sampled: h[73] == '1'}, true
	}
	return tracerParseHeaderFields(h)
}

// tracerParseHeaderFields is tracerParseHeader for any layout: the parts in any order, spaces around them.
func tracerParseHeaderFields(h string) (hdr tracerHeader, ok bool) {
	for h != "" {
		var part string
		part, h, _ = strings.Cut(h, ";")
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			hdr.root = v
		case "Parent":
			hdr.parent = v
		case "Sampled":
			hdr.sampled = v == "1"
		}
	}
	return hdr, tracerValidTraceID(hdr.root) && tracerValidID(hdr.parent)
}

func tracerValidTraceID(s string) bool {
	return len(s) == 35 && s[0] == '1' && s[1] == '-' && s[10] == '-' &&
		tracerIsHex(s[2:10]) && tracerIsHex(s[11:])
}

func tracerValidID(s string) bool { return len(s) == 16 && tracerIsHex(s) }

func tracerIsHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// tracerNewID is a random non-zero 64-bit id as 16 hex digits.
func tracerNewID() (id [16]byte) {
	v := rand.Uint64()
	for v == 0 {
		v = rand.Uint64()
	}
	for i := 15; i >= 0; i-- {
		id[i] = hexDigits[v&0xf]
		v >>= 4
	}
	return id
}

// tracerTrace is one sampled invocation's tree. One mutex guards every span of the tree: spans are
// changed from the handler's goroutine and from any goroutine it starts.
type tracerTrace struct {
	root    *tracerRoot
	traceID string
	parent  string // the function segment's id, from the header
	mu      sync.Mutex
	emitted bool // the handler subsegment has been sent
	held    int  // subsegments ended and not sent since the last streaming
	top     *tracerSpan
}

// tracerSpan is one subsegment. It is also the context.Context handed to the function Capture runs, so
// Tracer(ctx) finds it without a lookup.
type tracerSpan struct {
	context.Context
	self   Subsegment // the view Tracer(ctx) returns for this span's own context
	trace  *tracerTrace
	parent *tracerSpan
	id     [16]byte
	name   string
	start  time.Time
	// respKey is the metadata key of the response, "<name without ## > response", when known in advance
	// (the handler subsegment's, built once by tracerMiddleware); "" to derive it from name.
	respKey string
	tmpl    *tracerTemplate // the handler subsegment's parts encoded once (tracer_xray.go); nil for others

	// guarded by trace.mu
	end         time.Time
	ended       bool
	streamed    bool // sent as its own document; left out of its parent's, later changes ignored
	namespace   string
	annotations []tracerAnnotation
	metadata    []tracerMetadata
	children    []*tracerSpan
	errFlag     bool
	throttle    bool
	fault       bool
	cause       []tracerException
	http        *tracerHTTP
	aws         *tracerAWS
}

type tracerSpanKey struct{}

// Value returns the span for the tracer's key and defers to the parent context for every other key.
func (s *tracerSpan) Value(key any) any {
	if key == (tracerSpanKey{}) {
		return s
	}
	return s.Context.Value(key)
}

// tracerInvocation puts an invocation's trace and its handler subsegment in one allocation, with room
// for the subsegment's two annotations (ColdStart, Service) and its one metadata entry (the response):
// a traced App allocates it with the invocation (newInvocation), so tracing adds no allocation of its
// own to a sampled invocation.
type tracerInvocation struct {
	trace tracerTrace
	span  tracerSpan
	ann   [2]tracerAnnotation
	meta  [1]tracerMetadata
	used  bool // the storage holds this invocation's trace
}

// Subsegment is what Tracer(ctx) returns: a view of one X-Ray subsegment, the invocation's handler
// subsegment or the one a Capture opened. (The function takes the name Tracer, like Logger and Metrics.)
// Every method is safe for concurrent use and is a cheap no-op when the invocation is not traced
// (tracing off or disabled, no trace header, Sampled=0, or outside a wrapped handler).
type Subsegment struct {
	span *tracerSpan
	ctx  context.Context // what Capture derives the child's context from
}

// Tracer returns the subsegment ctx is in: the innermost Capture, or the handler's subsegment. It never
// returns nil; outside a traced invocation the Tracer does nothing but run what Capture is given.
func Tracer(ctx context.Context) *Subsegment {
	switch c := ctx.(type) {
	case nil:
		return &Subsegment{ctx: context.Background()}
	case *tracerSpan:
		return &c.self
	case *invocation:
		if c.segment != nil {
			return c.segment
		}
		return &Subsegment{ctx: c}
	}
	if s, ok := ctx.Value(tracerSpanKey{}).(*tracerSpan); ok {
		return &Subsegment{span: s, ctx: ctx}
	}
	if inv := invocationFrom(ctx); inv != nil && inv.segment != nil {
		return &Subsegment{span: inv.segment.span, ctx: ctx}
	}
	return &Subsegment{ctx: ctx}
}

// Sampled reports whether this subsegment is recorded and sent.
func (t *Subsegment) Sampled() bool { return t != nil && t.span != nil }

// TraceID is the X-Ray trace id ("1-5759e988-bd862e3fe1be46a994272793"), or "" when not sampled.
func (t *Subsegment) TraceID() string {
	if !t.Sampled() {
		return ""
	}
	return t.span.trace.traceID
}

// ID is the subsegment's id (16 hex digits), or "" when not sampled.
func (t *Subsegment) ID() string {
	if !t.Sampled() {
		return ""
	}
	return string(t.span.id[:])
}

// TraceHeader is the X-Amzn-Trace-Id value that makes a downstream call a child of this subsegment
// ("Root=...;Parent=<ID>;Sampled=1"), for transports InstrumentAWS and InstrumentHTTP do not cover; "" when
// not sampled.
func (t *Subsegment) TraceHeader() string {
	if !t.Sampled() {
		return ""
	}
	return t.span.downstreamHeader()
}

// Annotate adds an indexed annotation. value must be a string, a bool or a number (any int, uint or float
// type); other types, NaN and infinities are dropped (reported in debug mode). The key is sanitized to
// X-Ray's rules: letters, digits and underscores, other characters replaced by '_', at most 500 characters;
// string values are cut at 1000 characters. Annotating a key again replaces the value.
func (t *Subsegment) Annotate(key string, value any) {
	if !t.Sampled() {
		return
	}
	a, ok := tracerMakeAnnotation(key, value)
	if !ok {
		t.span.trace.root.app.debug.Debug("powertools: tracer: annotation dropped",
			zap.String("key", key), zap.String("type", tracerTypeName(value)))
		return
	}
	t.span.annotate(a)
}

// Metadata records value, encoded as JSON, under key in the service's namespace. Values that cannot be
// encoded are recorded as the encoding error's message. A json.RawMessage holding valid JSON is written as
// is.
func (t *Subsegment) Metadata(key string, value any) {
	if !t.Sampled() {
		return
	}
	t.span.setMetadata(key, tracerEncodeValue(value))
}

// ErrTracerNilFunc is returned by Capture and CaptureValue when given a nil function.
var ErrTracerNilFunc = errors.New("powertools: tracer: nil function")

// Capture runs fn inside a new subsegment named name, nested in this one, and returns fn's error. The
// error is recorded as metadata "<name> error" and as the subsegment's cause, flagged as a fault (unless
// error capture is off). A panic in fn is recorded the same way and goes on up.
func (t *Subsegment) Capture(name string, fn func(ctx context.Context) error) error {
	if fn == nil {
		return ErrTracerNilFunc
	}
	if !t.Sampled() {
		return fn(t.context())
	}
	s := t.span.child(t.ctx, name, "")
	defer s.finishOnPanic()
	err := fn(s)
	s.finish(nil, err)
	return err
}

// CaptureValue runs fn inside a new subsegment named name, nested in the subsegment ctx is in, and
// records what fn returns: the value as metadata "<name> response" (unless response capture is off), the
// error as Capture does.
func CaptureValue[T any](ctx context.Context, name string, fn func(ctx context.Context) (T, error)) (T, error) {
	if fn == nil {
		var zero T
		return zero, ErrTracerNilFunc
	}
	t := Tracer(ctx)
	if !t.Sampled() {
		return fn(t.context())
	}
	s := t.span.child(t.ctx, name, "")
	defer s.finishOnPanic()
	v, err := fn(s)
	var resp []byte
	if err == nil && s.trace.root.cfg.captureResponse {
		resp = tracerEncodeValue(v)
	}
	s.finish(resp, err)
	return v, err
}

func (t *Subsegment) context() context.Context {
	if t == nil || t.ctx == nil {
		return context.Background()
	}
	return t.ctx
}

// child opens a subsegment under s whose context derives from parent.
func (s *tracerSpan) child(parent context.Context, name, namespace string) *tracerSpan {
	tr := s.trace
	c := &tracerSpan{
		Context: parent, trace: tr, parent: s, id: tracerNewID(),
		name: tracerSanitizeName(name), start: tr.root.app.now(), namespace: namespace,
	}
	c.self = Subsegment{span: c, ctx: c}
	tr.mu.Lock()
	s.children = append(s.children, c)
	tr.mu.Unlock()
	return c
}

// finish closes a local subsegment: response is the raw JSON recorded as "<name> response" (nil for
// none), err the error recorded as "<name> error" and as the cause.
func (s *tracerSpan) finish(response []byte, err error) {
	tr := s.trace
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if s.ended {
		return
	}
	if err != nil {
		s.fault = true
		if tr.root.cfg.captureError {
			s.setMetadataLocked(strings.TrimPrefix(s.name, "## ")+" error", tracerEncodeValue(safeErrorString(err)))
			s.cause = tracerExceptions(err, false)
		}
	} else if response != nil {
		key := s.respKey
		if key == "" {
			key = strings.TrimPrefix(s.name, "## ") + " response"
		}
		s.setMetadataLocked(key, response)
	}
	s.closeLocked()
}

// tracerStreamThreshold bounds how many ended subsegments an invocation holds before sending them: a
// handler making thousands of calls streams them in batches instead of keeping them all until it returns.
const tracerStreamThreshold = 100

// closeLocked ends s. The handler subsegment sends the tree. A subsegment whose parent was already sent
// sends itself, and so does the one that reaches tracerStreamThreshold held subsegments.
func (s *tracerSpan) closeLocked() {
	tr := s.trace
	s.end, s.ended = tr.root.app.now(), true
	switch {
	case s.parent == nil: // the handler subsegment
		tr.emitted = true
		tr.emit(s)
	case s.parent.streamed:
		tr.emit(s)
	default:
		tr.held++
		if tr.held >= tracerStreamThreshold {
			tr.held = 0
			tr.streamEnded(tr.top)
		}
	}
}

// finishOnPanic records a panic passing through a subsegment and lets it go on.
func (s *tracerSpan) finishOnPanic() {
	if v := recover(); v != nil {
		s.finish(nil, &PanicError{Value: v})
		panic(v)
	}
}

func (s *tracerSpan) annotate(a tracerAnnotation) {
	s.trace.mu.Lock()
	defer s.trace.mu.Unlock()
	if s.streamed {
		return
	}
	for i := range s.annotations {
		if s.annotations[i].key == a.key {
			s.annotations[i] = a
			return
		}
	}
	s.annotations = append(s.annotations, a)
}

func (s *tracerSpan) setMetadata(key string, raw []byte) {
	s.trace.mu.Lock()
	if !s.streamed {
		s.setMetadataLocked(key, raw)
	}
	s.trace.mu.Unlock()
}

func (s *tracerSpan) setMetadataLocked(key string, raw []byte) {
	for i := range s.metadata {
		if s.metadata[i].key == key {
			s.metadata[i].raw = raw
			return
		}
	}
	s.metadata = append(s.metadata, tracerMetadata{key: key, raw: raw})
}

// downstreamHeader is the trace header for a call made inside s.
func (s *tracerSpan) downstreamHeader() string {
	return "Root=" + s.trace.traceID + ";Parent=" + string(s.id[:]) + ";Sampled=1"
}

// tracerMiddleware returns the layer that opens the handler's subsegment ("## name"); nil when tracing is
// off.
func (a *App) tracerMiddleware(name string, direct bool) Middleware {
	r := a.tracer
	if r == nil {
		return nil
	}
	return func(next Handler) Handler {
		sn := tracerSanitizeName("## " + name)
		h := &tracerHandler{root: r, name: sn, respKey: strings.TrimPrefix(sn, "## ") + " response", direct: direct, next: next}
		h.tmpl = newTracerTemplate(r, sn, h.respKey)
		return h
	}
}

type tracerHandler struct {
	root    *tracerRoot
	name    string
	respKey string // the metadata key of the response
	direct  bool   // no layer between this one and the handler can change the response (App.chain)
	tmpl    *tracerTemplate
	next    Handler
}

func (h *tracerHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	inv := invocationFrom(ctx)
	if inv == nil {
		return h.next.Invoke(ctx, payload)
	}
	hdr, ok := tracerParseHeader(inv.trace)
	if !ok || !hdr.sampled {
		if ce := h.root.app.debug.Check(zap.DebugLevel, "powertools: tracer: invocation not traced"); ce != nil {
			ce.Write(zap.String("reason", tracerUntracedReason(inv.trace, ok)), zap.String("header", inv.trace))
		}
		return h.next.Invoke(ctx, payload)
	}
	ti := inv.traceStore
	if ti == nil || ti.used {
		ti = new(tracerInvocation)
	}
	ti.used = true
	ti.trace = tracerTrace{root: h.root, traceID: hdr.root, parent: hdr.parent}
	s := &ti.span
	ti.trace.top = s
	*s = tracerSpan{Context: inv, trace: &ti.trace, id: tracerNewID(), name: h.name, respKey: h.respKey, tmpl: h.tmpl, start: h.root.app.now()}
	s.self = Subsegment{span: s, ctx: inv}
	ti.ann = h.tmpl.annotations(inv.coldStart)
	s.annotations = ti.ann[:]
	s.metadata = ti.meta[:0]
	inv.segment = &s.self
	defer s.finishOnPanic()
	out, err := h.next.Invoke(ctx, payload)
	var resp []byte
	if err == nil && h.root.cfg.captureResponse {
		// not copied: finish sends the document and releases it before out goes back to the runtime
		if h.direct && len(out) > 0 && len(inv.respJSON) == len(out) && &inv.respJSON[0] == &out[0] {
			resp = out // the handler's own encoding, unchanged on its way here: valid JSON
		} else {
			resp = tracerRawJSON(out, false)
		}
	}
	s.finish(resp, err)
	return out, err
}

// tracerUntracedReason says, for debug mode, why an invocation with this trace header is not traced.
func tracerUntracedReason(header string, wellFormed bool) string {
	switch {
	case header == "":
		return "no trace header: the context has no x-amzn-trace-id and _X_AMZN_TRACE_ID is unset, so the " +
			"Runtime API sent no Lambda-Runtime-Trace-Id (the Lambda Runtime Interface Emulator never forwards " +
			"the X-Amzn-Trace-Id of the invoke request; see the README's Tracer section)"
	case !wellFormed:
		return "malformed trace header: want Root=1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx;Parent=<16 hex>;Sampled=1"
	default:
		return "not sampled: the trace header does not say Sampled=1"
	}
}

// tracerDisabledMiddleware says in debug mode, for every invocation, that tracing was asked for
// (WithTracer) but is switched off; nil when it is not or debug mode is off.
func (a *App) tracerDisabledMiddleware() Middleware {
	c := &a.cfg.tracer
	if a.tracer != nil || !c.enabled || !a.cfg.debug {
		return nil
	}
	var reason string
	switch {
	case c.devMode:
		reason = "POWERTOOLS_DEV is true and POWERTOOLS_TRACE_DISABLED is not set"
	case c.disabled:
		reason = "POWERTOOLS_TRACE_DISABLED is true"
	case c.samLocal:
		reason = "AWS_SAM_LOCAL is set (sam local has no X-Ray daemon)"
	default:
		reason = "switched off by the environment"
	}
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			a.debug.Debug("powertools: tracer: invocation not traced", zap.String("reason", "tracing is disabled: "+reason))
			return next.Invoke(ctx, payload)
		})
	}
}

// tracerWrapMiddleware runs a user middleware in its own subsegment when POWERTOOLS_TRACE_MIDDLEWARES is
// on; otherwise it returns m as is. chain calls it for each user middleware.
func (a *App) tracerWrapMiddleware(m Middleware) Middleware {
	if a.tracer == nil || !a.cfg.tracer.traceMiddlewares || m == nil {
		return m
	}
	name := "## " + runtimeFuncName(reflect.ValueOf(m).Pointer())
	return func(next Handler) Handler {
		inner := m(next)
		return HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			t := Tracer(ctx)
			if !t.Sampled() {
				return inner.Invoke(ctx, payload)
			}
			s := t.span.child(t.ctx, name, "")
			defer s.finishOnPanic()
			out, err := inner.Invoke(s, payload)
			s.finish(nil, err)
			return out, err
		})
	}
}

// tracerAnnotation is one annotation; kind says which field holds the value.
type tracerAnnotation struct {
	key  string
	kind uint8
	s    string
	b    bool
	i    int64
	u    uint64
	f    float64
}

const (
	tracerString uint8 = iota
	tracerBool
	tracerInt
	tracerUint
	tracerFloat
)

const (
	tracerMaxAnnotationKey   = 500
	tracerMaxAnnotationValue = 1000
	tracerMaxName            = 200
)

func tracerMakeAnnotation(key string, value any) (tracerAnnotation, bool) {
	a := tracerAnnotation{key: tracerSanitizeKey(key)}
	if a.key == "" {
		return a, false
	}
	switch v := value.(type) {
	case string:
		a.kind, a.s = tracerString, tracerTruncate(v, tracerMaxAnnotationValue)
	case bool:
		a.kind, a.b = tracerBool, v
	case int:
		a.kind, a.i = tracerInt, int64(v)
	case int8:
		a.kind, a.i = tracerInt, int64(v)
	case int16:
		a.kind, a.i = tracerInt, int64(v)
	case int32:
		a.kind, a.i = tracerInt, int64(v)
	case int64:
		a.kind, a.i = tracerInt, v
	case uint:
		a.kind, a.u = tracerUint, uint64(v)
	case uint8:
		a.kind, a.u = tracerUint, uint64(v)
	case uint16:
		a.kind, a.u = tracerUint, uint64(v)
	case uint32:
		a.kind, a.u = tracerUint, uint64(v)
	case uint64:
		a.kind, a.u = tracerUint, v
	case float32:
		a.kind, a.f = tracerFloat, float64(v)
	case float64:
		a.kind, a.f = tracerFloat, v
	default:
		return a, false
	}
	if a.kind == tracerFloat && (math.IsNaN(a.f) || math.IsInf(a.f, 0)) {
		return a, false
	}
	return a, true
}

// tracerSanitizeKey applies X-Ray's annotation key rules: ASCII letters, digits and '_' only (others
// become '_'), at most 500 characters.
func tracerSanitizeKey(key string) string {
	clean := true
	for i := 0; i < len(key); i++ {
		if !tracerKeyChar(key[i]) {
			clean = false
			break
		}
	}
	if clean && len(key) <= tracerMaxAnnotationKey {
		return key
	}
	b := make([]byte, 0, min(len(key), tracerMaxAnnotationKey))
	for _, r := range key {
		if len(b) == tracerMaxAnnotationKey {
			break
		}
		if r < utf8.RuneSelf && tracerKeyChar(byte(r)) {
			b = append(b, byte(r))
		} else {
			b = append(b, '_')
		}
	}
	return string(b)
}

func tracerKeyChar(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// tracerSanitizeName drops the characters X-Ray refuses in segment names (the set the X-Ray SDKs strip)
// and cuts the name at 200 characters.
func tracerSanitizeName(name string) string {
	if strings.ContainsAny(name, "?;*()!$~^<>") {
		name = strings.Map(func(r rune) rune {
			if strings.ContainsRune("?;*()!$~^<>", r) {
				return -1
			}
			return r
		}, name)
	}
	if name == "" {
		name = "anonymous"
	}
	return tracerTruncate(name, tracerMaxName)
}

// tracerTruncate cuts s at n characters (runes).
func tracerTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

func tracerTypeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}

// tracerMetadata is one metadata entry, its value already encoded as JSON.
type tracerMetadata struct {
	key string
	raw []byte
}

// tracerEncodeValue encodes a metadata value; one that cannot be encoded is recorded as the reason. A
// MarshalJSON (or an Error method inside the encoding error) that panics is recovered the same way.
func tracerEncodeValue(v any) (b []byte) {
	if raw, ok := v.(json.RawMessage); ok {
		return tracerRawJSON(raw, true)
	}
	defer func() {
		if r := recover(); r != nil {
			b, _ = json.Marshal("powertools: metadata not encodable as JSON: encoding " + tracerTypeName(v) + " panicked")
		}
	}()
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal("powertools: metadata not encodable as JSON: " + errorText(err))
	}
	return b
}

// tracerRawJSON keeps valid JSON as is (copied when the caller may reuse b) and records anything else as
// a JSON string.
func tracerRawJSON(b []byte, copied bool) []byte {
	if json.Valid(b) {
		if copied {
			return bytes.Clone(b)
		}
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}

// tracerException is one entry of a cause: an error of the chain errors.Unwrap walks.
type tracerException struct {
	id      [16]byte
	message string
	typ     string
	remote  bool
	cause   int // index of the wrapped error's entry, -1 for none
}

// tracerMaxExceptions bounds how deep an error chain is recorded.
const tracerMaxExceptions = 8

// tracerExceptions records err and the errors it wraps, outermost first, each pointing at the one it wraps.
// The errors come from user code: an Error, Unwrap or type lookup that panics ends the chain there rather
// than turn the invocation into a panic.
func tracerExceptions(err error, remote bool) []tracerException {
	var out []tracerException
	for err != nil && len(out) < tracerMaxExceptions {
		if n := len(out); n > 0 {
			out[n-1].cause = n
		}
		out = append(out, tracerException{
			id: tracerNewID(), message: safeErrorString(err), typ: tracerErrorType(err), remote: remote, cause: -1,
		})
		err = tracerUnwrap(err)
	}
	return out
}

// tracerErrorType is errorTypeName, guarded: it walks the chain through the errors' Unwrap methods.
func tracerErrorType(err error) (name string) {
	defer func() {
		if recover() != nil {
			name = reflect.TypeOf(err).String()
		}
	}()
	return errorTypeName(err)
}

// tracerUnwrap is errors.Unwrap, nil when the Unwrap method panics.
func tracerUnwrap(err error) (next error) {
	defer func() {
		if recover() != nil {
			next = nil
		}
	}()
	return errors.Unwrap(err)
}
