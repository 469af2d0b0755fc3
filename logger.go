package powertools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/buffer"
	"go.uber.org/zap/exp/zapslog"
	"go.uber.org/zap/zapcore"
)

// CriticalLevel is the zap level written as "CRITICAL": zap's DPanic level, which in a production logger
// (the only kind this library builds) logs without panicking. Use Logger(ctx).DPanic or Critical.
const CriticalLevel = zapcore.DPanicLevel

// Timestamp layouts of the log line. The default is the Python edition's; RFC 3339 is an option.
const (
	logTimeDefault = "2006-01-02 15:04:05,000-0700"
	logTimeRFC3339 = "2006-01-02T15:04:05.000-07:00" // UTC: +00:00, as Python's isoformat writes it
)

// Built-in correlation id paths (JMESPath over the event) for WithCorrelationIDPath.
const (
	CorrelationAPIGatewayREST    = "requestContext.requestId"
	CorrelationAPIGatewayHTTP    = "requestContext.requestId"
	CorrelationFunctionURL       = "requestContext.requestId"
	CorrelationALB               = `headers."x-amzn-trace-id"`
	CorrelationVPCLattice        = `headers."x-amzn-trace-id"`
	CorrelationAppSyncResolver   = `request.headers."x-amzn-trace-id"`
	CorrelationAppSyncAuthorizer = "requestContext.requestId"
	CorrelationEventBridge       = "id"
	CorrelationS3ObjectLambda    = "xAmzRequestId"
)

// logRawMessageKey marks the field carrying an event logged as the message itself (WithLogEvent).
const logRawMessageKey = "\x00powertools.raw_message"

// logSegmentsOnStack is how many keys a line holds before its segment list moves to the heap.
const logSegmentsOnStack = 32

const logUnknownLevelReason = "unknown log level (want DEBUG, INFO, WARNING, ERROR or CRITICAL)"

// logConfig holds the logger's settings.
type logConfig struct {
	level       zapcore.Level
	awsLevel    *zapcore.Level // AWS_LAMBDA_LOG_LEVEL, when set
	sampleRate  float64
	logEvent    bool
	corrPath    string
	corrCompile func(string) (func([]byte) (string, bool), error) // set with corrPath (logCompileCorrelation)
	corr        func([]byte) (string, bool)                       // corrPath compiled by validate: the search
	output      io.Writer
	rfc3339     bool
	// dedupDisabled mirrors POWERTOOLS_LOG_DEDUPLICATION_DISABLED. It is accepted so configurations shared
	// with the Python edition load unchanged; Go has no root logger, so there is nothing to deduplicate.
	dedupDisabled bool
	stackTrace    bool             // WithLogStackTrace
	buffer        *logBufferConfig // WithLogBuffer; nil when lines are not buffered
	pretty        bool             // POWERTOOLS_DEV: indented lines
}

func logDefaultConfig() logConfig {
	return logConfig{level: zapcore.InfoLevel, output: os.Stdout, stackTrace: true}
}

func (c *logConfig) readEnv(env *envReader) {
	// POWERTOOLS_LOG_LEVEL beats LOG_LEVEL.
	if _, ok := env.get("POWERTOOLS_LOG_LEVEL"); ok {
		env.level("POWERTOOLS_LOG_LEVEL", &c.level)
	} else {
		env.level("LOG_LEVEL", &c.level)
	}
	if _, ok := env.get("AWS_LAMBDA_LOG_LEVEL"); ok {
		lvl := c.level
		env.level("AWS_LAMBDA_LOG_LEVEL", &lvl)
		c.awsLevel = &lvl
	}
	if env.float("POWERTOOLS_LOGGER_SAMPLE_RATE", &c.sampleRate) && !validSampleRate(c.sampleRate) {
		env.fail("POWERTOOLS_LOGGER_SAMPLE_RATE", strconv.FormatFloat(c.sampleRate, 'g', -1, 64), sampleRateReason)
		c.sampleRate = 0
	}
	env.boolean("POWERTOOLS_LOGGER_LOG_EVENT", &c.logEvent)
	env.boolean("POWERTOOLS_LOG_DEDUPLICATION_DISABLED", &c.dedupDisabled)
}

// validate compiles the correlation id path, so a bad one is reported with every other problem.
func (c *logConfig) validate() []error {
	if c.corrPath == "" {
		return nil
	}
	search, err := c.corrCompile(c.corrPath)
	if err != nil {
		return []error{&ConfigError{Name: "WithCorrelationIDPath", Value: c.corrPath, Reason: err.Error()}}
	}
	c.corr = search
	return nil
}

const sampleRateReason = "sample rate must be within [0, 1]"

func validSampleRate(r float64) bool { return r >= 0 && r <= 1 }

// effectiveLevel is the configured level, or AWS_LAMBDA_LOG_LEVEL when that is stricter.
func (c *logConfig) effectiveLevel() zapcore.Level {
	if c.awsLevel != nil && *c.awsLevel > c.level {
		return *c.awsLevel
	}
	return c.level
}

// parseLevel reads a level name in any case: DEBUG, INFO, WARNING (or WARN), ERROR, CRITICAL (or FATAL),
// and TRACE as DEBUG, the names AWS_LAMBDA_LOG_LEVEL uses.
func parseLevel(name string) (zapcore.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "TRACE", "DEBUG":
		return zapcore.DebugLevel, nil
	case "INFO":
		return zapcore.InfoLevel, nil
	case "WARN", "WARNING":
		return zapcore.WarnLevel, nil
	case "ERROR":
		return zapcore.ErrorLevel, nil
	case "CRITICAL", "FATAL":
		return CriticalLevel, nil
	}
	return 0, errors.New(logUnknownLevelReason)
}

// levelName is the Powertools spelling of a zap level.
func levelName(l zapcore.Level) string {
	switch {
	case l <= zapcore.DebugLevel:
		return "DEBUG"
	case l == zapcore.InfoLevel:
		return "INFO"
	case l == zapcore.WarnLevel:
		return "WARNING"
	case l == zapcore.ErrorLevel:
		return "ERROR"
	}
	return "CRITICAL"
}

// WithLogLevel sets the minimum level by name: DEBUG, INFO, WARNING, ERROR or CRITICAL (any case). An
// unknown name is an error from New. Default: INFO; environment: POWERTOOLS_LOG_LEVEL, then LOG_LEVEL.
// AWS_LAMBDA_LOG_LEVEL (the function's advanced logging control) wins when it is stricter, and New logs
// one WARNING line saying so.
func WithLogLevel(name string) Option {
	return func(c *config) {
		lvl, err := parseLevel(name)
		if err != nil {
			c.addErr("WithLogLevel", name, logUnknownLevelReason)
			return
		}
		c.log.level = lvl
	}
}

// WithLogOutput sends log lines to w. Every line reaches w in one Write call, and calls are serialized,
// so concurrent invocations never interleave inside a line. Default: os.Stdout.
func WithLogOutput(w io.Writer) Option {
	return func(c *config) {
		if w == nil {
			c.addErr("WithLogOutput", "nil", "writer must not be nil")
			return
		}
		c.log.output = w
	}
}

// WithLogSampleRate sets the probability, decided afresh for every invocation, that the invocation logs
// at DEBUG whatever the level. The rate shows as the sampling_rate key when set. Outside [0, 1] is an
// error from New. Default: 0; environment: POWERTOOLS_LOGGER_SAMPLE_RATE.
func WithLogSampleRate(rate float64) Option {
	return func(c *config) {
		if !validSampleRate(rate) {
			c.addErr("WithLogSampleRate", strconv.FormatFloat(rate, 'g', -1, 64), sampleRateReason)
			return
		}
		c.log.sampleRate = rate
	}
}

// WithLogEvent logs every incoming event at INFO, with the event as the message (a JSON object, not a
// string). Default: false; environment: POWERTOOLS_LOGGER_LOG_EVENT.
func WithLogEvent(on bool) Option {
	return func(c *config) { c.log.logEvent = on }
}

// WithLogTimestampRFC3339 writes timestamps as RFC 3339 with milliseconds (2021-05-03T11:47:12.494+00:00,
// as the Python edition's use_rfc3339 writes them) instead of the default 2021-05-03 11:47:12,494+0000.
// Both are UTC.
func WithLogTimestampRFC3339() Option {
	return func(c *config) { c.log.rfc3339 = true }
}

// WithLogStackTrace turns the stack_trace key of ERROR and CRITICAL lines carrying an error on or off: an
// object with the error's type, value and module and the frames (file, line, function, statement) from
// the panic's stack for the line a panic produces, or from the logging call site otherwise, as the Python
// edition's serialize_stacktrace writes it. Go has no source text at run time, so statement is "".
// Default: true.
func WithLogStackTrace(on bool) Option {
	return func(c *config) { c.log.stackTrace = on }
}

// WithCorrelationIDPath extracts the correlation id of every invocation from the event with a JMESPath
// expression; the Correlation* constants hold the paths of the common event sources. The id shows as the
// correlation_id key. A bad expression is an error from New. Default: none.
func WithCorrelationIDPath(expr string) Option {
	return func(c *config) { c.log.corrPath, c.log.corrCompile = expr, logCompileCorrelation }
}

// logCompileCorrelation compiles the correlation id path into its search. Only WithCorrelationIDPath
// refers to it, so a function that sets no path links no JMESPath (jmesFunctions says why).
func logCompileCorrelation(expr string) (func([]byte) (string, bool), error) {
	q, err := compileJMES(expr)
	if err != nil {
		return nil, err
	}
	return q.searchString, nil
}

// logSegment is one encoded key of a log line: `"key":value`. A nil val is a placeholder filled when the
// line is written (the correlation id).
type logSegment struct {
	key  string
	val  []byte
	kind logKeyKind // what the line writer does with it, decided once when the segment is made
}

// logKeyKind marks the keys the line writer treats specially.
type logKeyKind uint8

const (
	logKindPlain         logKeyKind = iota
	logKindCorrelation              // correlation_id: a nil val is the placeholder for the scope's id
	logKindTrace                    // xray_trace_id: the real trace id wins over a user's
	logKindException                // exception: a user's wins over the derived one
	logKindExceptionName            // exception_name: likewise
	logKindStackTrace               // stack_trace: likewise
)

func logKindOf(key string) logKeyKind {
	switch key {
	case "correlation_id":
		return logKindCorrelation
	case "xray_trace_id":
		return logKindTrace
	case "exception":
		return logKindException
	case "exception_name":
		return logKindExceptionName
	case "stack_trace":
		return logKindStackTrace
	}
	return logKindPlain
}

// logRoot holds what every log line of an App shares: the output, the level, and the static keys encoded
// once at New.
type logRoot struct {
	app      *App
	out      zapcore.WriteSyncer
	level    zapcore.Level
	layout   string
	clock    zapcore.Clock
	static   []logSegment // service, sampling_rate
	function []logSegment // function_name, function_memory_size: the same for every invocation
	// runHead is what a plain line (logger_plain.go) writes after the four fixed keys, for a warm and a
	// cold start: `,"service":...,"cold_start":false,"function_name":...,"function_memory_size":...`.
	runHead    [2][]byte
	corr       func([]byte) (string, bool) // the correlation id search (logCompileCorrelation), nil without a path
	base       *zap.Logger
	invBase    *zap.Logger // base without zap's caller annotation: what every invocation logger copies (logger_caller.go)
	pool       buffer.Pool
	stackTrace bool
	pretty     bool
	buffer     *logBufferConfig // nil: lines are written, never buffered
}

type logClock struct{ now func() time.Time }

func (c logClock) Now() time.Time { return c.now() }

func (c logClock) NewTicker(d time.Duration) *time.Ticker { return time.NewTicker(d) }

func newLogRoot(a *App) *logRoot {
	cfg := a.cfg.log
	r := newLogRootFor(a, cfg.output, cfg.effectiveLevel(), cfg.rfc3339, a.cfg.service, cfg.sampleRate)
	r.buffer = cfg.buffer
	return r
}

func newLogRootFor(a *App, out io.Writer, level zapcore.Level, rfc3339 bool, service string, sampleRate float64) *logRoot {
	r := &logRoot{
		app:        a,
		out:        outputFor(out),
		level:      level,
		clock:      logClock{now: a.now},
		pool:       buffer.NewPool(),
		layout:     logTimeDefault,
		stackTrace: a.cfg.log.stackTrace,
		pretty:     a.cfg.log.pretty,
	}
	if rfc3339 {
		r.layout = logTimeRFC3339
	}
	r.corr = a.cfg.log.corr
	static := []zap.Field{zap.String("service", service)}
	if sampleRate > 0 {
		static = append(static, zap.Float64("sampling_rate", sampleRate))
	}
	r.static = r.encode(static)
	var fn []zap.Field
	if a.functionName != "" {
		fn = append(fn, zap.String("function_name", a.functionName))
	}
	if a.memorySize != "" {
		// As the runtime gives it, a string: what the Python and TypeScript editions write.
		fn = append(fn, zap.String("function_memory_size", a.memorySize))
	}
	r.function = r.encode(fn)
	for i, cold := range []bool{false, true} {
		r.runHead[i] = logAppendRun(logAppendRun(nil, r.static), append([]logSegment{logColdStart(cold)}, r.function...))
	}
	r.base = zap.New(&logCore{root: r}, zap.AddCaller(), zap.WithClock(r.clock))
	r.invBase = r.base.WithOptions(zap.WithCaller(false))
	return r
}

// newDebugLogger is the logger of debug mode: the same line format on the debug output, at DEBUG; a no-op
// logger when debug mode is off.
func newDebugLogger(a *App) *zap.Logger {
	if !a.cfg.debug {
		return zap.NewNop()
	}
	return newLogRootFor(a, a.cfg.debugOutput, zapcore.DebugLevel, a.cfg.log.rfc3339, a.cfg.service, 0).base
}

// logStartupFailure writes the error New returned as one ERROR line, for Start and StartFunc. The line
// carries what the options and the environment say (the service name above all) even though they were
// rejected as a whole: whatever part of them is valid.
func logStartupFailure(out io.Writer, err error, opts []Option) {
	cfg, _ := resolveConfig(opts)
	base := defaultConfig()
	if strings.TrimSpace(cfg.service) != "" {
		base.service = cfg.service
	}
	base.log.rfc3339 = cfg.log.rfc3339
	base.log.pretty = cfg.log.pretty
	base.log.output = out
	if cfg.customClock {
		base.clock = cfg.clock
	}
	a := &App{cfg: base, now: base.clock}
	newLogRoot(a).base.WithOptions(zap.AddCallerSkip(1)).Error("powertools: configuration rejected", zap.Error(err))
}

// warnAboutLevel logs, once at New, that AWS_LAMBDA_LOG_LEVEL overrides a more verbose level.
func (r *logRoot) warnAboutLevel() {
	cfg := r.app.cfg.log
	if cfg.awsLevel != nil && *cfg.awsLevel > cfg.level {
		r.base.Warn("powertools: AWS_LAMBDA_LOG_LEVEL is stricter than the configured log level and wins",
			zap.String("configured_level", levelName(cfg.level)),
			zap.String("effective_level", levelName(*cfg.awsLevel)))
	}
}

// encode turns fields into segments, one per key, dropping reserved keys and null values. A Namespace
// field takes every field after it into its object, so it and the rest become one segment.
func (r *logRoot) encode(fields []zap.Field) []logSegment {
	segs := make([]logSegment, 0, len(fields))
	buf := r.pool.Get()
	defer buf.Free()
	for i := 0; i < len(fields); i++ {
		f := &fields[i]
		if f.Type == zapcore.SkipType || isReserved(f.Key) {
			continue
		}
		buf.Reset()
		wrote, rest := logEncodeField(buf, fields[i:])
		i += rest
		if wrote {
			segs = append(segs, logSegment{key: f.Key, val: append([]byte(nil), buf.Bytes()...), kind: logKindOf(f.Key)})
		}
	}
	return segs
}

// logIndexAt is how many keys a scope holds before AppendKeys looks them up in a map instead of a scan.
const logIndexAt = 16

// logKeys is one scope's appended keys and correlation id: the invocation's, or a batch record's.
// AppendKeys replaces a key in its place, so the keys keep the order they were first appended in. Lines
// read a snapshot, rebuilt on the first line after a change: appending k keys costs O(k), however many
// the scope holds, and a line costs no lock.
type logKeys struct {
	mu     sync.Mutex
	segs   []logSegment
	index  map[string]int // key -> position in segs, once there are more than logIndexAt keys
	dirty  atomic.Bool    // segs changed since snap was taken
	snap   atomic.Pointer[[]logSegment]
	corrID atomic.Pointer[string]
}

func (k *logKeys) append(segs []logSegment) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, s := range segs {
		if i := k.find(s.key); i >= 0 {
			k.segs[i] = s
			continue
		}
		k.segs = append(k.segs, s)
		switch {
		case k.index != nil:
			k.index[s.key] = len(k.segs) - 1
		case len(k.segs) > logIndexAt:
			k.reindex()
		}
	}
	k.changed()
}

func (k *logKeys) remove(keys []string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.segs) == 0 {
		return
	}
	drop := make(map[string]struct{}, len(keys))
	for _, key := range keys {
		drop[key] = struct{}{}
	}
	kept := k.segs[:0:0]
	for _, s := range k.segs {
		if _, ok := drop[s.key]; !ok {
			kept = append(kept, s)
		}
	}
	k.segs = kept
	if k.index != nil {
		k.reindex()
	}
	k.changed()
}

func (k *logKeys) find(key string) int {
	if k.index != nil {
		if i, ok := k.index[key]; ok {
			return i
		}
		return -1
	}
	for i := range k.segs {
		if k.segs[i].key == key {
			return i
		}
	}
	return -1
}

func (k *logKeys) reindex() {
	k.index = make(map[string]int, len(k.segs))
	for i, s := range k.segs {
		k.index[s.key] = i
	}
}

// changed drops the snapshot; the caller holds mu.
func (k *logKeys) changed() {
	k.snap.Store(nil)
	k.dirty.Store(true)
}

// view returns the keys as the next line sees them.
func (k *logKeys) view() []logSegment {
	if p := k.snap.Load(); p != nil {
		return *p
	}
	if !k.dirty.Load() {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if p := k.snap.Load(); p != nil {
		return *p
	}
	snap := append([]logSegment(nil), k.segs...)
	k.snap.Store(&snap)
	k.dirty.Store(false)
	return snap
}

// logState is the logger's part of the invocation state.
type logState struct {
	logOnce   sync.Once
	logger    *zap.Logger
	slogger   atomic.Pointer[slog.Logger]
	sampled   bool
	keys      logKeys
	invFields []logSegment                     // the invocation keys when the field encoder wrote them (logBuildInvocation)
	logBuf    atomic.Pointer[logBuffer]        // WithLogBuffer: the lines kept back, created by the first one
	outErr    atomic.Pointer[outputPanicError] // the first panic of the log writer, returned by the invocation
}

// beforeInvoke makes the per-invocation decisions (sampling, correlation id) and reports whether the event
// should be logged.
func (r *logRoot) beforeInvoke(inv *invocation, payload []byte) bool {
	cfg := &r.app.cfg.log
	if cfg.sampleRate > 0 && rand.Float64() < cfg.sampleRate {
		inv.sampled = true
	}
	if r.corr != nil {
		if id, ok := r.corr(payload); ok {
			inv.keys.corrID.Store(&id)
		}
	}
	return cfg.logEvent
}

// zapLogger returns the invocation's logger, built on first use: invocations that never log pay nothing.
func (inv *invocation) zapLogger() *zap.Logger {
	inv.logOnce.Do(inv.logBuildInvocation) // logger_invocation.go
	return inv.logger
}

// logEvent logs the event as the message, located at the handler.
func (inv *invocation) logEvent(payload []byte, loc zapcore.EntryCaller) {
	logAt(inv.zapLogger(), zapcore.InfoLevel, loc, "", zap.ByteString(logRawMessageKey, payload))
}

// logAt logs one line with the given location instead of the caller's: the library's own lines about
// user code (a failed record, a panic, the event) point at that code.
func logAt(l *zap.Logger, lvl zapcore.Level, loc zapcore.EntryCaller, msg string, fields ...zap.Field) {
	if ce := l.Check(lvl, msg); ce != nil {
		if loc.Defined {
			ce.Caller = loc
		}
		ce.Write(fields...)
	}
}

// logFuncLocation is the location of a function's first line, for lines about a function that returned
// (a handler, a record function): "name:line".
func logFuncLocation(fn any) zapcore.EntryCaller {
	v := reflect.ValueOf(fn)
	if !v.IsValid() {
		return zapcore.EntryCaller{}
	}
	// A Handler value (not a func) has no location of its own here: finding its Invoke method through
	// reflect.Type.MethodByName would make the linker keep every exported method of every type in every
	// function (about 60 KiB), so its lines keep the library's location.
	if v.Kind() != reflect.Func || v.IsNil() {
		return zapcore.EntryCaller{}
	}
	f := runtime.FuncForPC(v.Pointer())
	if f == nil {
		return zapcore.EntryCaller{}
	}
	file, line := f.FileLine(f.Entry())
	return zapcore.EntryCaller{Defined: true, PC: f.Entry(), File: file, Line: line, Function: f.Name()}
}

// Logger returns the invocation's logger: its lines carry the Lambda context keys, the service, the
// correlation id, the X-Ray trace id and the keys appended with AppendKeys (inside a batch record
// function, the record's keys over the invocation's). Outside a wrapped handler it returns a no-op logger
// (use App.Logger for init-time logs), never nil.
func Logger(ctx context.Context) *zap.Logger {
	if inv, ok := ctx.(*invocation); ok {
		return inv.zapLogger()
	}
	if s := logScopeFrom(ctx); s != nil {
		return s.zapLogger()
	}
	if inv := invocationFrom(ctx); inv != nil {
		return inv.zapLogger()
	}
	return nopLogger
}

var nopLogger = zap.NewNop()

// Slog returns the invocation's logger as a *slog.Logger: the same lines, written through log/slog.
// Outside a wrapped handler it returns a logger that discards everything, never nil.
func Slog(ctx context.Context) *slog.Logger {
	inv := invocationFrom(ctx)
	if inv == nil {
		return nopSlog
	}
	holder := &inv.slogger
	var core zapcore.Core
	if s := logScopeFrom(ctx); s != nil {
		holder = &s.slogger
		if l := holder.Load(); l != nil {
			return l
		}
		core = s.zapLogger().Core()
	} else {
		if l := holder.Load(); l != nil {
			return l
		}
		core = inv.zapLogger().Core()
	}
	holder.CompareAndSwap(nil, inv.app.log.slog(core))
	return holder.Load()
}

var nopSlog = slog.New(slog.DiscardHandler)

// Logger is the App's base logger, for init-time logs: the service and static keys, no invocation keys.
func (a *App) Logger() *zap.Logger { return a.log.base }

// Slog is App.Logger through log/slog.
func (a *App) Slog() *slog.Logger { return a.log.slog(a.log.base.Core()) }

// slog puts core behind log/slog. log/slog stamps records with time.Now itself, so with WithClock the
// core is wrapped to restamp them with the App's clock.
func (r *logRoot) slog(core zapcore.Core) *slog.Logger {
	if r.app.cfg.customClock {
		core = &logRestampCore{Core: core, clock: r.clock}
	}
	return slog.New(zapslog.NewHandler(core, zapslog.WithCaller(true)))
}

// logRestampCore gives every entry the App clock's time.
type logRestampCore struct {
	zapcore.Core
	clock zapcore.Clock
}

func (c *logRestampCore) With(fields []zap.Field) zapcore.Core {
	return &logRestampCore{Core: c.Core.With(fields), clock: c.clock}
}

func (c *logRestampCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(ent.Level) {
		return ce.AddCore(ent, c)
	}
	return ce
}

func (c *logRestampCore) Write(ent zapcore.Entry, fields []zap.Field) error {
	ent.Time = c.clock.Now()
	return c.Core.Write(ent, fields)
}

// logScopeKey finds a batch record's scope in a context.
type logScopeKey struct{}

// logScope is a batch record's layer of appended keys and correlation id over the invocation's: the
// record's lines carry both, and the record's keys end with the record.
type logScope struct {
	context.Context
	inv     *invocation
	parent  *logScope // the enclosing record's scope, for a batch processed inside a record function
	keys    logKeys
	logOnce sync.Once
	logger  *zap.Logger
	slogger atomic.Pointer[slog.Logger]
}

// logInitScope makes s (zero, allocated by the caller) the scope of a context whose appended keys and
// correlation id start empty and end with it, layered over those of ctx. Outside a wrapped handler it
// returns ctx.
func logInitScope(s *logScope, ctx context.Context) context.Context {
	inv := invocationFrom(ctx)
	if inv == nil {
		return ctx
	}
	s.Context, s.inv, s.parent = ctx, inv, logScopeFrom(ctx)
	return s
}

func (s *logScope) Value(key any) any {
	if key == (logScopeKey{}) {
		return s
	}
	return s.Context.Value(key)
}

func logScopeFrom(ctx context.Context) *logScope {
	if ctx == nil {
		return nil
	}
	if s, ok := ctx.(*logScope); ok {
		return s
	}
	if _, ok := ctx.(*invocation); ok {
		return nil
	}
	s, _ := ctx.Value(logScopeKey{}).(*logScope)
	return s
}

func (s *logScope) zapLogger() *zap.Logger {
	s.logOnce.Do(func() {
		s.logger = s.inv.zapLogger().WithOptions(zap.WrapCore(func(zapcore.Core) zapcore.Core {
			return &logCore{root: s.inv.app.log, inv: s.inv, scope: s}
		}))
	})
	return s.logger
}

// logKeysFor returns the keys AppendKeys, RemoveKeys and SetCorrelationID change for ctx: the innermost
// batch record's, or the invocation's.
func logKeysFor(ctx context.Context) *logKeys {
	if inv, ok := ctx.(*invocation); ok {
		return &inv.keys
	}
	if s := logScopeFrom(ctx); s != nil {
		return &s.keys
	}
	if inv := invocationFrom(ctx); inv != nil {
		return &inv.keys
	}
	return nil
}

// AppendKeys adds fields to every line the invocation logs from now on, through any logger derived from
// Logger(ctx), before or after the call. A key appended again replaces its value and keeps its place, as
// in the Python edition; a null value is dropped. Inside a batch record function the keys belong to that
// record: they are on its lines only and end with it. The keys vanish with the invocation. Outside a
// wrapped handler it does nothing.
func AppendKeys(ctx context.Context, fields ...zap.Field) {
	if len(fields) == 0 {
		return
	}
	k := logKeysFor(ctx)
	if k == nil {
		return
	}
	k.append(invocationFrom(ctx).app.log.encode(fields))
}

// RemoveKeys removes keys added with AppendKeys (in a batch record function, the record's) for the rest
// of the invocation.
func RemoveKeys(ctx context.Context, keys ...string) {
	if len(keys) == 0 {
		return
	}
	if k := logKeysFor(ctx); k != nil {
		k.remove(keys)
	}
}

// SetCorrelationID sets the correlation id the invocation's lines carry, replacing one extracted with
// WithCorrelationIDPath; in a batch record function, the record's lines only. Outside a wrapped handler
// it does nothing.
func SetCorrelationID(ctx context.Context, id string) {
	if k := logKeysFor(ctx); k != nil {
		k.corrID.Store(&id)
	}
}

// CorrelationID returns the correlation id of ctx's lines (the batch record's, else the invocation's), or
// "" when it has none.
func CorrelationID(ctx context.Context) string {
	for s := logScopeFrom(ctx); s != nil; s = s.parent {
		if id := s.keys.corrID.Load(); id != nil {
			return *id
		}
	}
	if inv := invocationFrom(ctx); inv != nil {
		if id := inv.keys.corrID.Load(); id != nil {
			return *id
		}
	}
	return ""
}

// logCore is the zapcore.Core writing the Powertools line. inv is nil for the App's base logger; scope is
// set for a batch record's logger.
type logCore struct {
	root  *logRoot
	inv   *invocation
	scope *logScope
	with  []logSegment // fields added with With on this core
}

func (c *logCore) Enabled(l zapcore.Level) bool {
	if l >= c.root.level {
		return true
	}
	if c.inv == nil {
		return false
	}
	return c.inv.sampled || (c.root.buffer != nil && l <= c.root.buffer.atLevel)
}

func (c *logCore) With(fields []zap.Field) zapcore.Core {
	segs := c.root.encode(fields)
	with := make([]logSegment, 0, len(c.with)+len(segs))
	with = append(append(with, c.with...), segs...)
	return &logCore{root: c.root, inv: c.inv, scope: c.scope, with: with}
}

func (c *logCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if !c.Enabled(ent.Level) {
		return ce
	}
	ce = ce.AddCore(ent, c)
	if c.inv != nil && !ce.Caller.Defined {
		// the invocation's loggers leave zap's caller annotation off: the line's location is found here
		ce.Caller = logCallSite() // logger_caller.go
	}
	return ce
}

func (c *logCore) Sync() error { return c.root.out.Sync() }

// isReserved reports the keys a user field cannot overwrite.
func isReserved(key string) bool {
	switch key {
	case "level", "location", "message", "timestamp":
		return true
	}
	return false
}

// logDirectKey marks the library's own lines about the buffer: they are written, never buffered.
const logDirectKey = "\x00powertools.direct"

// logDedupScanAt is how many segments a line holds before its duplicate keys are found with a map.
const logDedupScanAt = 32

// Write encodes one line: the four fixed keys, then static, invocation, appended (the invocation's, then
// the batch record's), With and per-call keys, each key once (a later value replacing an earlier one in
// the earlier one's place), then exception, exception_name, stack_trace and xray_trace_id. The line
// reaches the output in one Write, or the invocation's buffer.
func (c *logCore) Write(ent zapcore.Entry, fields []zap.Field) error {
	if c.inv != nil {
		if done, err := c.writePlain(&ent, fields); done { // logger_plain.go
			return err
		}
	}
	return c.writeGeneral(&ent, fields)
}

// writeGeneral is Write for every line: the one writePlain's lines are compared with.
func (c *logCore) writeGeneral(ent *zapcore.Entry, fields []zap.Field) error {
	r := c.root
	buf := r.pool.Get()
	defer buf.Free()

	var onStack [logSegmentsOnStack]logSegment
	segs := append(onStack[:0], r.static...)
	var corr *string
	if inv := c.inv; inv != nil {
		segs = inv.logAppendInvFields(segs) // logger_invocation.go
		corr = inv.keys.corrID.Load()
		for s := c.scope; s != nil; s = s.parent {
			if id := s.keys.corrID.Load(); id != nil {
				corr = id
				break
			}
		}
		if corr != nil {
			segs = append(segs, logSegment{key: "correlation_id", kind: logKindCorrelation})
		}
		segs = append(segs, inv.keys.view()...)
		if c.scope != nil {
			segs = c.scope.appendKeys(segs)
		}
	} else {
		segs = append(segs, r.function...)
	}
	segs = append(segs, c.with...)

	// Per-call fields are encoded into one scratch buffer; segments point into it.
	scratch := r.pool.Get()
	defer scratch.Free()
	var rawMessage []byte
	var exc error
	direct := false
	for i := 0; i < len(fields); i++ {
		f := &fields[i]
		switch {
		case f.Key == logRawMessageKey:
			rawMessage, _ = f.Interface.([]byte)
			continue
		case f.Key == logDirectKey:
			direct = true
			continue
		case f.Type == zapcore.ErrorType && f.Key == "error":
			exc, _ = f.Interface.(error)
			continue
		case f.Type == zapcore.SkipType || isReserved(f.Key):
			continue
		}
		start := scratch.Len()
		if !logAppendScalar(scratch, f) {
			wrote, rest := logEncodeField(scratch, fields[i:])
			i += rest
			if !wrote {
				continue
			}
		}
		segs = append(segs, logSegment{key: f.Key, val: scratch.Bytes()[start:scratch.Len():scratch.Len()], kind: logKindOf(f.Key)})
	}
	// When scratch grows, earlier segments keep pointing into its previous array, which append never
	// writes again: they stay valid until scratch is freed after the Write.

	logAppendHead(buf, ent, rawMessage, r.layout)

	root := ""
	if c.inv != nil {
		root = c.inv.traceRootID()
	}
	var w logLineKeys
	var last map[string]int // long lines: the last position of each key
	if len(segs) > logDedupScanAt {
		last = logLastIndex(segs)
	}
	for i := range segs {
		s, ok := logPick(segs, i, last)
		if !ok {
			continue
		}
		buf.AppendByte(',')
		switch s.kind {
		case logKindCorrelation:
			if s.val == nil {
				buf.AppendString(`"correlation_id":`)
				logAppendString(buf, *corr)
				continue
			}
		case logKindTrace:
			// The real trace id wins over a user's key of the same name, in the user key's place.
			w.trace = true
			if root != "" {
				buf.AppendString(`"xray_trace_id":`)
				logAppendString(buf, root)
				continue
			}
		case logKindException:
			w.exception = true
		case logKindExceptionName:
			w.exceptionName = true
		case logKindStackTrace:
			w.stackTrace = true
		}
		buf.Write(s.val)
	}
	if exc != nil {
		// The user's own exception and exception_name win over the ones derived from the error.
		if !w.exception {
			buf.AppendString(`,"exception":`)
			logAppendString(buf, safeErrorString(exc))
		}
		if !w.exceptionName {
			buf.AppendString(`,"exception_name":`)
			logAppendString(buf, logExceptionName(exc))
		}
		if r.stackTrace && !w.stackTrace && ent.Level >= zapcore.ErrorLevel {
			buf.AppendString(`,"stack_trace":`)
			logAppendStackTrace(buf, exc, ent.Caller)
		}
	}
	if root != "" && !w.trace {
		buf.AppendString(`,"xray_trace_id":`)
		logAppendString(buf, root)
	}
	buf.AppendString("}\n")
	return c.deliver(ent.Level, buf, direct)
}

// logAppendHead writes the four keys every line starts with: level, location, message (rawMessage, an
// event, as JSON when it is not nil) and timestamp.
func logAppendHead(buf *buffer.Buffer, ent *zapcore.Entry, rawMessage []byte, layout string) {
	buf.AppendString(`{"level":"`)
	buf.AppendString(levelName(ent.Level))
	buf.AppendString(`","location":"`)
	appendLocation(buf, ent.Caller)
	buf.AppendString(`","message":`)
	if rawMessage != nil {
		appendRawJSON(buf, rawMessage)
	} else {
		logAppendString(buf, ent.Message)
	}
	buf.AppendString(`,"timestamp":"`)
	logAppendTime(buf, ent.Time, layout) // logger_time.go
	buf.AppendByte('"')
}

// logLineKeys records which keys the library derives were already written from user fields.
type logLineKeys struct{ exception, exceptionName, stackTrace, trace bool }

// appendKeys appends the scope's keys, the outermost scope's first.
func (s *logScope) appendKeys(segs []logSegment) []logSegment {
	if s.parent != nil {
		segs = s.parent.appendKeys(segs)
	}
	return append(segs, s.keys.view()...)
}

// logPick decides what position i of a line writes: each key once, where it first appears, with the
// last value given for it; ok is false for a later occurrence. Short lines scan (last is nil), long ones
// look up the map logLastIndex built, so a line costs linear time in its keys.
func logPick(segs []logSegment, i int, last map[string]int) (s logSegment, ok bool) {
	if last != nil {
		j := last[segs[i].key]
		if j < 0 {
			return s, false
		}
		last[segs[i].key] = -1
		return segs[j], true
	}
	if logSeenBefore(segs, i) {
		return s, false
	}
	s = segs[i]
	for j := i + 1; j < len(segs); j++ {
		if segs[j].key == s.key {
			s = segs[j]
		}
	}
	return s, true
}

func logLastIndex(segs []logSegment) map[string]int {
	last := make(map[string]int, len(segs))
	for i := range segs {
		last[segs[i].key] = i
	}
	return last
}

// logSeenBefore reports whether segs[i]'s key appeared earlier in the line.
func logSeenBefore(segs []logSegment, i int) bool {
	for j := 0; j < i; j++ {
		if segs[j].key == segs[i].key {
			return true
		}
	}
	return false
}

// deliver writes an encoded line, pretty-printed in development mode, or keeps it in the invocation's
// buffer. A panic of the writer is remembered by the invocation, which returns it as its error.
func (c *logCore) deliver(lvl zapcore.Level, buf *buffer.Buffer, direct bool) error {
	r := c.root
	line := buf.Bytes()
	if r.pretty {
		line = logIndent(line)
	}
	if b := r.buffer; b != nil && c.inv != nil && !c.inv.sampled && !direct {
		if lvl <= b.atLevel {
			return c.inv.bufferLine(line)
		}
		if lvl >= zapcore.ErrorLevel && b.flushOnError {
			c.inv.flushLogBuffer()
		}
	}
	return c.write(line)
}

func (c *logCore) write(line []byte) error {
	_, err := c.root.out.Write(line)
	if err != nil && c.inv != nil {
		var pe *outputPanicError
		if errors.As(err, &pe) {
			c.inv.outErr.CompareAndSwap(nil, pe)
		}
	}
	return err
}

// logIndent is a line indented for reading in a terminal (POWERTOOLS_DEV), four spaces as the Python
// edition's dev mode writes it.
func logIndent(line []byte) []byte {
	var b bytes.Buffer
	if err := json.Indent(&b, bytes.TrimSuffix(line, []byte("\n")), "", "    "); err != nil {
		return line
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// logAppendScalar encodes the common field types directly, skipping the encoder; it reports false for
// every other type.
func logAppendScalar(buf *buffer.Buffer, f *zap.Field) bool {
	switch f.Type {
	case zapcore.StringType, zapcore.Int64Type, zapcore.Int32Type, zapcore.Int16Type, zapcore.Int8Type,
		zapcore.BoolType, zapcore.Float64Type:
	default:
		return false
	}
	logAppendString(buf, f.Key)
	buf.AppendByte(':')
	switch f.Type {
	case zapcore.StringType:
		logAppendString(buf, f.String)
	case zapcore.BoolType:
		buf.AppendBool(f.Integer == 1)
	case zapcore.Float64Type:
		var tmp [32]byte
		buf.Write(jsonAppendFloat(tmp[:0], math.Float64frombits(uint64(f.Integer)), 64))
	default:
		buf.AppendInt(f.Integer)
	}
	return true
}

// logExceptionName is the exception_name of err: its Go type, looking through the wrappers fmt.Errorf
// and errors.Join make, which say nothing about what failed ("*fmt.wrapError"), down to the first error
// of a meaningful type ("*fs.PathError"). An error made only of wrappers and plain texts (errors.New,
// fmt.Errorf without %w of a typed error) is "error", Go's name for any error, as a plain Exception is
// "Exception" in Python.
func logExceptionName(err error) string {
	if e := logMeaningfulError(err); e != nil {
		return reflect.TypeOf(e).String()
	}
	return "error"
}

// errorTypeName is the Go type of err, looking through fmt.Errorf's and errors.Join's wrappers down to
// the first error of a meaningful type; an error that is only wrappers and strings keeps its own type.
// The tracer names each error of a chain with it.
func errorTypeName(err error) string {
	name := reflect.TypeOf(err).String()
	for e, depth := err, 0; e != nil && depth < 16; depth++ {
		t := reflect.TypeOf(e).String()
		if !isPlainWrapper(t) {
			return t
		}
		e = errors.Unwrap(e)
	}
	return name
}

// logMeaningfulError is the first error in err's tree (depth first, bounded) whose type is not one of the
// standard library's anonymous wrappers, or nil.
func logMeaningfulError(err error) error {
	for depth := 0; err != nil && depth < 16; depth++ {
		if !isPlainWrapper(reflect.TypeOf(err).String()) {
			return err
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			errs := u.Unwrap()
			if len(errs) == 0 {
				return nil
			}
			err = errs[0]
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return nil
		}
	}
	return nil
}

// errorModule is the stack_trace module of err: the package path of its type, "builtin" for a plain
// error (Go documents the error type in package builtin, as Python's Exception is in builtins).
func errorModule(err error) string {
	e := logMeaningfulError(err)
	if e == nil {
		return "builtin"
	}
	t := reflect.TypeOf(e)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if p := t.PkgPath(); p != "" {
		return p
	}
	return "builtin"
}

// isPlainWrapper reports the standard library's anonymous error types.
func isPlainWrapper(typeName string) bool {
	switch typeName {
	case "*fmt.wrapError", "*fmt.wrapErrors", "*errors.joinError", "*errors.errorString":
		return true
	}
	return false
}

// appendLocation writes the caller as function:line, the function without its package path.
func appendLocation(buf *buffer.Buffer, caller zapcore.EntryCaller) {
	if !caller.Defined {
		return
	}
	logAppendStringBody(buf, shortFuncName(caller.Function))
	buf.AppendByte(':')
	buf.AppendInt(int64(caller.Line))
}

// appendRawJSON writes an event as a JSON value on one line; what is not JSON is written as a string.
func appendRawJSON(buf *buffer.Buffer, raw []byte) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err == nil {
		buf.Write(compact.Bytes())
		return
	}
	logAppendString(buf, string(raw))
}
