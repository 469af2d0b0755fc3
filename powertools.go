package powertools

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Handler is the byte-level Lambda handler: aws-lambda-go's lambda.Handler, so a wrapped handler can be
// given to lambda.Start, lambda.StartHandler or any other code that takes one.
type Handler = lambda.Handler

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

// Invoke calls f.
func (f HandlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// Middleware wraps a Handler. It can read and replace the payload, replace the response, short-circuit by
// not calling next, and see the error next returned. Middleware registered first runs outermost.
type Middleware func(next Handler) Handler

// App owns every utility, configured once by New. It holds configuration and process-wide resources
// only: everything that belongs to one invocation lives in that invocation's context, so one App serves
// any number of concurrent invocations.
type App struct {
	cfg   config
	log   *logRoot
	debug *zap.Logger
	now   func() time.Time

	// coldStart is true until the first invocation claims it: exactly one invocation per App (and an
	// App per process) reports a cold start, however many run at once.
	coldStart atomic.Bool

	functionName string
	memorySize   string
	envTrace     string // _X_AMZN_TRACE_ID as read by New, used when the context carries no header

	metrics    *metricsRoot
	metricsOff *MetricSet // the set invocations get when metrics are off for want of a namespace (metrics.go)
	tracer     *tracerRoot
	params     *paramsRoot

	idemWarnDisabled sync.Once // the WARNING line of POWERTOOLS_IDEMPOTENCY_DISABLED, once per App
}

// New builds an App from the defaults, the environment (read once, here) and the options, in that order
// of precedence. It validates everything and returns every problem at once, joined with errors.Join;
// each is a *ConfigError naming the variable or option and the refused value.
func New(opts ...Option) (*App, error) {
	cfg, err := resolveConfig(opts)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, now: cfg.clock}
	a.coldStart.Store(true)
	env := envReader{lookup: cfg.lookupEnv}
	env.str("AWS_LAMBDA_FUNCTION_NAME", &a.functionName)
	env.str("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", &a.memorySize)
	env.str("_X_AMZN_TRACE_ID", &a.envTrace)
	// Provisioned concurrency initialises the environment ahead of any request: its first invocation is not
	// a cold start (for the logger's cold_start, the ColdStart metric and the tracer's annotation).
	var initType string
	env.str("AWS_LAMBDA_INITIALIZATION_TYPE", &initType)
	if initType == "provisioned-concurrency" {
		a.coldStart.Store(false)
	}

	a.debug = newDebugLogger(a)
	a.log = newLogRoot(a)
	var errs []error
	if a.metrics, err = newMetricsRoot(a); err != nil {
		errs = append(errs, err)
	}
	if a.tracer, err = newTracerRoot(a); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	a.params = newParamsRoot(a) // no AWS call: clients are built on first use
	a.log.warnAboutLevel()
	a.debug.Debug("powertools: configuration resolved",
		zap.String("service", cfg.service),
		zap.String("log_level", levelName(cfg.log.level)),
		zap.Float64("log_sample_rate", cfg.log.sampleRate),
		zap.Bool("log_event", cfg.log.logEvent),
		zap.Bool("metrics", a.metrics != nil),
		zap.Bool("tracer", a.tracer != nil),
		zap.Bool("validation", cfg.validator != nil),
		zap.Int("middleware", len(cfg.middleware)),
	)
	return a, nil
}

// Service is the resolved service name.
func (a *App) Service() string { return a.cfg.service }

// Wrap turns handler into a Handler running inside the App's middleware chain. handler may be any value
// lambda.Start accepts: a Handler (used as is, without reflection) or a function of one of the shapes
//
//	func ()
//	func () error
//	func (TIn) error
//	func () (TOut, error)
//	func (TIn) (TOut, error)
//	func (context.Context) error
//	func (context.Context, TIn) error
//	func (context.Context) (TOut, error)
//	func (context.Context, TIn) (TOut, error)
//
// (and the same without a return value), where TIn and TOut are encoded as JSON. Any other value is a
// programming error: Wrap panics with a message starting "powertools: Wrap:". The chain is built here,
// once; invocations only run it.
func (a *App) Wrap(handler any) Handler {
	inner, err := adaptHandler(handler)
	if err != nil {
		panic("powertools: Wrap: " + err.Error())
	}
	return a.chain(inner, describeHandler(handler), logFuncLocation(handler))
}

// WrapFunc is the typed twin of Wrap: it decodes the payload into TIn and encodes TOut with
// encoding/json, without reflection on the handler.
func WrapFunc[TIn, TOut any](a *App, fn func(context.Context, TIn) (TOut, error)) Handler {
	if fn == nil {
		panic("powertools: Wrap: handler is nil")
	}
	return a.chain(typedHandler[TIn, TOut](fn), describeHandler(fn), logFuncLocation(fn))
}

// Start is New + Wrap + lambda.Start. A configuration error is written as one JSON log line on standard
// output and the process exits with status 1, so the failure shows in the function's logs.
func Start(handler any, opts ...Option) {
	a := mustNew(opts)
	lambda.Start(a.Wrap(handler))
}

// StartFunc is the typed, reflection-free twin of Start.
func StartFunc[TIn, TOut any](fn func(context.Context, TIn) (TOut, error), opts ...Option) {
	a := mustNew(opts)
	lambda.Start(WrapFunc(a, fn))
}

func mustNew(opts []Option) *App {
	a, err := New(opts...)
	if err != nil {
		logStartupFailure(os.Stdout, err, opts)
		os.Exit(1)
	}
	return a
}

// chain builds the middleware chain around inner, outermost first: invocation state and panic recovery,
// tracer segment, metrics, user middleware, validation, idempotency, the handler. loc is the handler's
// location, for the event line.
func (a *App) chain(inner Handler, name string, loc zapcore.EntryCaller) Handler {
	var rest []Middleware
	for _, m := range a.cfg.middleware {
		rest = append(rest, a.tracerWrapMiddleware(m)) // its own subsegment with POWERTOOLS_TRACE_MIDDLEWARES
	}
	rest = append(rest, a.validatorMiddleware(), a.idemMiddleware(name))
	// Without a layer between them that can change the response, the tracer records the handler's encoded
	// response as it is (tracerHandler.Invoke).
	direct := !slices.ContainsFunc(rest, func(m Middleware) bool { return m != nil })
	layers := append([]Middleware{a.tracerDisabledMiddleware(), a.tracerMiddleware(name, direct), a.metricsMiddleware()}, rest...)
	h := recoverPanics(a, inner)
	for i := len(layers) - 1; i >= 0; i-- {
		if layers[i] != nil {
			h = layers[i](h)
		}
	}
	return &invokeHandler{app: a, next: recoverPanics(a, h), loc: loc}
}

// invokeHandler is the outermost layer: it creates the invocation's state and puts it in the context.
type invokeHandler struct {
	app  *App
	next Handler
	loc  zapcore.EntryCaller // the handler's, for the event line
}

func (h *invokeHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	inv := h.app.newInvocation(ctx)
	if h.app.log.beforeInvoke(inv, payload) {
		inv.logEvent(payload, h.loc)
	}
	out, err := h.next.Invoke(inv, payload)
	return inv.logEnd(out, err)
}

// invocationKey is the one private context key of the library.
type invocationKey struct{}

// invocation is the per-invocation state: one value per invocation, reached through the context. It is
// itself the context.Context handed down the chain (it embeds the parent), which saves an allocation per
// invocation over context.WithValue.
type invocation struct {
	context.Context
	app       *App
	lc        *lambdacontext.LambdaContext
	requestID string
	coldStart bool
	trace     string // the trace header: the context's "x-amzn-trace-id" first, _X_AMZN_TRACE_ID second

	logState // appended keys, correlation id, sampling decision, the invocation's logger

	logInv logInvocation // the storage of the invocation's logger (logger_invocation.go)

	metrics    *MetricSet
	metricSet  MetricSet         // the storage of metrics, so the set costs no allocation of its own
	segment    *Subsegment       // the handler's X-Ray subsegment (tracer.go)
	respJSON   []byte            // the response as encodeResponseJSON encoded it (valid JSON), for the tracer
	traceStore *tracerInvocation // storage for the handler's subsegment, allocated with the invocation; nil when tracing is off
}

// invocationTraced is the invocation of a traced App with the storage of its trace, in one allocation.
type invocationTraced struct {
	inv   invocation
	trace tracerInvocation
}

func (a *App) newInvocation(parent context.Context) *invocation {
	var inv *invocation
	if a.tracer != nil {
		it := new(invocationTraced)
		inv = &it.inv
		inv.traceStore = &it.trace
	} else {
		inv = new(invocation)
	}
	inv.Context, inv.app, inv.coldStart = parent, a, a.coldStart.Swap(false)
	if lc, ok := lambdacontext.FromContext(parent); ok {
		inv.lc = lc
		inv.requestID = lc.AwsRequestID
	}
	inv.trace = a.envTrace
	if h, ok := parent.Value("x-amzn-trace-id").(string); ok && h != "" {
		inv.trace = h
	}
	return inv
}

// Value returns the invocation for the library's key and defers to the parent for every other key.
func (inv *invocation) Value(key any) any {
	if key == (invocationKey{}) {
		return inv
	}
	return inv.Context.Value(key)
}

// invocationFrom returns the invocation ctx belongs to, or nil outside a wrapped handler.
func invocationFrom(ctx context.Context) *invocation {
	if ctx == nil {
		return nil
	}
	if inv, ok := ctx.(*invocation); ok {
		return inv
	}
	inv, _ := ctx.Value(invocationKey{}).(*invocation)
	return inv
}

// RequestID is the AWS request id of the invocation ctx belongs to, or "" outside one.
func RequestID(ctx context.Context) string {
	if inv := invocationFrom(ctx); inv != nil {
		return inv.requestID
	}
	return ""
}

// IsColdStart reports whether the invocation ctx belongs to is the first one of the process. Outside an
// invocation it is false, and so it is for every invocation of an environment Lambda initialised for
// provisioned concurrency (AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency).
func IsColdStart(ctx context.Context) bool {
	if inv := invocationFrom(ctx); inv != nil {
		return inv.coldStart
	}
	return false
}

// boolIndex is 1 for true and 0 for false: the index of things kept for both values (a warm and a cold
// start).
func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// traceRootID is the Root= part of the invocation's trace header: the tracer's, when it has read the
// header already, for the lines' xray_trace_id.
func (inv *invocation) traceRootID() string {
	if ts := inv.traceStore; ts != nil && ts.used {
		return ts.trace.traceID
	}
	return traceRoot(inv.trace)
}

// traceRoot returns the Root= part of a trace header ("Root=1-...;Parent=...;Sampled=1").
func traceRoot(header string) string {
	// the header as the runtime writes it, Root first: read in place
	if len(header) >= 40 && header[:5] == "Root=" && (len(header) == 40 || header[40] == ';') &&
		tracerValidTraceID(header[5:40]) {
		return header[5:40]
	}
	return traceField(header, "Root=")
}

// traceField returns the value of one key=value part of a trace header.
func traceField(header, key string) string {
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ";")
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, key); ok {
			return v
		}
	}
	return ""
}
