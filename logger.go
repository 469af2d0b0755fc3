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
	logTimeRFC3339 = "2006-01-02T15:04:05.000Z07:00"
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
	level      zapcore.Level
	awsLevel   *zapcore.Level // AWS_LAMBDA_LOG_LEVEL, when set
	sampleRate float64
	logEvent   bool
	corrPath   string
	corr       *jmesQuery // corrPath compiled by validate
	output     io.Writer
	rfc3339    bool
	// dedupDisabled mirrors POWERTOOLS_LOG_DEDUPLICATION_DISABLED. It is accepted so configurations shared
	// with the Python edition load unchanged; Go has no root logger, so there is nothing to deduplicate.
	dedupDisabled bool
}

func logDefaultConfig() logConfig {
	return logConfig{level: zapcore.InfoLevel, output: os.Stdout}
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
	q, err := compileJMES(c.corrPath)
	if err != nil {
		return []error{&ConfigError{Name: "WithCorrelationIDPath", Value: c.corrPath, Reason: err.Error()}}
	}
	c.corr = q
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

// WithLogTimestampRFC3339 writes timestamps as RFC 3339 with milliseconds (2021-05-03T11:47:12.494Z)
// instead of the default 2021-05-03 11:47:12,494+0000. Both are UTC.
func WithLogTimestampRFC3339() Option {
	return func(c *config) { c.log.rfc3339 = true }
}

// WithCorrelationIDPath extracts the correlation id of every invocation from the event with a JMESPath
// expression; the Correlation* constants hold the paths of the common event sources. The id shows as the
// correlation_id key. A bad expression is an error from New. Default: none.
func WithCorrelationIDPath(expr string) Option {
	return func(c *config) { c.log.corrPath = expr }
}

// logSegment is one encoded key of a log line: `"key":value`.
type logSegment struct {
	key string
	val []byte
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
	corr     *jmesQuery
	base     *zap.Logger
	fields   zapcore.Encoder // encodes user fields, one at a time
	pool     buffer.Pool
}

type logClock struct{ now func() time.Time }

func (c logClock) Now() time.Time { return c.now() }

func (c logClock) NewTicker(d time.Duration) *time.Ticker { return time.NewTicker(d) }

func newLogRoot(a *App) *logRoot {
	cfg := a.cfg.log
	return newLogRootFor(a, cfg.output, cfg.effectiveLevel(), cfg.rfc3339, a.cfg.service, cfg.sampleRate)
}

func newLogRootFor(a *App, out io.Writer, level zapcore.Level, rfc3339 bool, service string, sampleRate float64) *logRoot {
	r := &logRoot{
		app:   a,
		out:   outputFor(out),
		level: level,
		clock: logClock{now: a.now},
		pool:  buffer.NewPool(),
		fields: zapcore.NewJSONEncoder(zapcore.EncoderConfig{
			EncodeTime:     zapcore.RFC3339NanoTimeEncoder,
			EncodeDuration: zapcore.StringDurationEncoder,
		}),
		layout: logTimeDefault,
	}
	if rfc3339 {
		r.layout = logTimeRFC3339
	}
	r.corr = a.cfg.log.corr
	r.static = r.encode([]zap.Field{zap.String("service", service)})
	if sampleRate > 0 {
		r.static = append(r.static, r.encode([]zap.Field{zap.Float64("sampling_rate", sampleRate)})...)
	}
	var fn []zap.Field
	if a.functionName != "" {
		fn = append(fn, zap.String("function_name", a.functionName))
	}
	if a.memorySize != "" {
		if n, err := strconv.Atoi(a.memorySize); err == nil {
			fn = append(fn, zap.Int("function_memory_size", n))
		}
	}
	r.function = r.encode(fn)
	r.base = zap.New(&logCore{root: r}, zap.AddCaller(), zap.WithClock(r.clock))
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

// logStartupFailure writes the error New returned as one ERROR line, for Start and StartFunc.
func logStartupFailure(out io.Writer, err error) {
	a := &App{cfg: defaultConfig(), now: time.Now}
	a.cfg.log.output = out
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

// encode turns fields into segments, one per key. A Namespace field takes every field after it into its
// object, so it and the rest become one segment.
func (r *logRoot) encode(fields []zap.Field) []logSegment {
	segs := make([]logSegment, 0, len(fields))
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if f.Type == zapcore.SkipType {
			continue
		}
		end := i + 1
		if f.Type == zapcore.NamespaceType {
			end = len(fields)
		}
		buf, err := r.fields.EncodeEntry(zapcore.Entry{}, fields[i:end])
		if err == nil {
			segs = append(segs, logSegment{key: f.Key, val: trimObject(buf.Bytes())})
			buf.Free()
		}
		i = end - 1
	}
	return segs
}

// trimObject copies the inside of a one-key object line `{"k":v}\n`.
func trimObject(b []byte) []byte {
	b = b[:len(b)-1] // newline
	return append([]byte(nil), b[1:len(b)-1]...)
}

// logState is the logger's part of the invocation state.
type logState struct {
	logOnce   sync.Once
	logger    *zap.Logger
	slogger   atomic.Pointer[slog.Logger]
	sampled   bool
	appended  atomic.Pointer[[]logSegment]
	corrID    atomic.Pointer[string]
	keysMu    sync.Mutex // serializes AppendKeys and RemoveKeys
	invFields []logSegment
}

// beforeInvoke makes the per-invocation decisions (sampling, correlation id) and reports whether the event
// should be logged.
func (r *logRoot) beforeInvoke(inv *invocation, payload []byte) bool {
	cfg := &r.app.cfg.log
	if cfg.sampleRate > 0 && rand.Float64() < cfg.sampleRate {
		inv.sampled = true
	}
	if r.corr != nil {
		if id, ok := r.corr.searchString(payload); ok {
			inv.corrID.Store(&id)
		}
	}
	return cfg.logEvent
}

// logger returns the invocation's logger, built on first use: invocations that never log pay nothing.
func (inv *invocation) zapLogger() *zap.Logger {
	inv.logOnce.Do(inv.logBuildInvocation) // logger_invocation.go
	return inv.logger
}

func (inv *invocation) logEvent(payload []byte) {
	inv.zapLogger().Info("", zap.ByteString(logRawMessageKey, payload))
}

// Logger returns the invocation's logger: its lines carry the Lambda context keys, the service, the
// correlation id, the X-Ray trace id and the keys appended with AppendKeys. Outside a wrapped handler it
// returns a no-op logger (use App.Logger for init-time logs), never nil.
func Logger(ctx context.Context) *zap.Logger {
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
	if l := inv.slogger.Load(); l != nil {
		return l
	}
	l := inv.app.log.slog(inv.zapLogger().Core())
	inv.slogger.CompareAndSwap(nil, l)
	return inv.slogger.Load()
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

// AppendKeys adds fields to every line the invocation logs from now on, through any logger derived from
// Logger(ctx), before or after the call. A key appended again replaces its value. The keys vanish with the
// invocation. Outside a wrapped handler it does nothing.
func AppendKeys(ctx context.Context, fields ...zap.Field) {
	inv := invocationFrom(ctx)
	if inv == nil || len(fields) == 0 {
		return
	}
	segs := inv.app.log.encode(fields)
	inv.keysMu.Lock()
	defer inv.keysMu.Unlock()
	var next []logSegment
	if cur := inv.appended.Load(); cur != nil {
		for _, s := range *cur {
			if !hasKey(segs, s.key) {
				next = append(next, s)
			}
		}
	}
	next = append(next, segs...)
	inv.appended.Store(&next)
}

// RemoveKeys removes keys added with AppendKeys for the rest of the invocation.
func RemoveKeys(ctx context.Context, keys ...string) {
	inv := invocationFrom(ctx)
	if inv == nil || len(keys) == 0 {
		return
	}
	inv.keysMu.Lock()
	defer inv.keysMu.Unlock()
	cur := inv.appended.Load()
	if cur == nil {
		return
	}
	var next []logSegment
	for _, s := range *cur {
		if !containsString(keys, s.key) {
			next = append(next, s)
		}
	}
	inv.appended.Store(&next)
}

// SetCorrelationID sets the correlation id the invocation's lines carry, replacing one extracted with
// WithCorrelationIDPath. Outside a wrapped handler it does nothing.
func SetCorrelationID(ctx context.Context, id string) {
	if inv := invocationFrom(ctx); inv != nil {
		inv.corrID.Store(&id)
	}
}

// CorrelationID returns the invocation's correlation id, or "" when it has none.
func CorrelationID(ctx context.Context) string {
	if inv := invocationFrom(ctx); inv != nil {
		if id := inv.corrID.Load(); id != nil {
			return *id
		}
	}
	return ""
}

func hasKey(segs []logSegment, key string) bool {
	for _, s := range segs {
		if s.key == key {
			return true
		}
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// logCore is the zapcore.Core writing the Powertools line. inv is nil for the App's base logger.
type logCore struct {
	root *logRoot
	inv  *invocation
	with []logSegment // fields added with With on this core
}

func (c *logCore) Enabled(l zapcore.Level) bool {
	return l >= c.root.level || (c.inv != nil && c.inv.sampled)
}

func (c *logCore) With(fields []zap.Field) zapcore.Core {
	segs := c.root.encode(fields)
	with := make([]logSegment, 0, len(c.with)+len(segs))
	with = append(append(with, c.with...), segs...)
	return &logCore{root: c.root, inv: c.inv, with: with}
}

func (c *logCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(ent.Level) {
		return ce.AddCore(ent, c)
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

// Write encodes one line: the four fixed keys, then static, invocation, appended, With and per-call keys
// (a later value of a key replacing an earlier one in the earlier one's place), then the exception and
// the trace id. The line reaches the output in one Write.
func (c *logCore) Write(ent zapcore.Entry, fields []zap.Field) error {
	r := c.root
	buf := r.pool.Get()
	defer buf.Free()

	var onStack [logSegmentsOnStack]logSegment
	segs := append(onStack[:0], r.static...)
	var rawMessage []byte
	var exc error
	if inv := c.inv; inv != nil {
		segs = append(segs, inv.invFields...)
		if id := inv.corrID.Load(); id != nil {
			segs = append(segs, logSegment{key: "correlation_id", val: nil})
		}
		if keys := inv.appended.Load(); keys != nil {
			segs = appendUserSegments(segs, *keys)
		}
	} else {
		segs = append(segs, r.function...)
	}
	segs = appendUserSegments(segs, c.with)

	// Per-call fields are encoded into one scratch buffer; segments point into it.
	scratch := r.pool.Get()
	defer scratch.Free()
	for i := 0; i < len(fields); i++ {
		f := &fields[i]
		switch {
		case f.Key == logRawMessageKey:
			rawMessage, _ = f.Interface.([]byte)
			continue
		case f.Type == zapcore.ErrorType && f.Key == "error":
			exc, _ = f.Interface.(error)
			continue
		case f.Type == zapcore.SkipType || isReserved(f.Key):
			continue
		}
		start := scratch.Len()
		if !logAppendScalar(scratch, f) {
			end := i + 1
			if f.Type == zapcore.NamespaceType {
				end = len(fields)
			}
			enc, err := r.fields.EncodeEntry(zapcore.Entry{}, fields[i:end])
			if err != nil {
				continue
			}
			b := enc.Bytes()
			scratch.Write(b[1 : len(b)-2])
			enc.Free()
			i = end - 1
		}
		segs = append(segs, logSegment{key: f.Key, val: scratch.Bytes()[start:scratch.Len():scratch.Len()]})
	}
	// When scratch grows, earlier segments keep pointing into its previous array, which append never
	// writes again: they stay valid until scratch is freed after the Write.

	buf.AppendString(`{"level":"`)
	buf.AppendString(levelName(ent.Level))
	buf.AppendString(`","location":"`)
	appendLocation(buf, ent.Caller)
	buf.AppendString(`","message":`)
	if rawMessage != nil {
		appendRawJSON(buf, rawMessage)
	} else {
		appendJSONString(buf, ent.Message)
	}
	buf.AppendString(`,"timestamp":"`)
	logAppendTime(buf, ent.Time, r.layout) // logger_time.go
	buf.AppendByte('"')
	for i := range segs {
		if seenBefore(segs, i) {
			continue
		}
		s := latest(segs, i)
		buf.AppendByte(',')
		if s.key == "correlation_id" && s.val == nil {
			buf.AppendString(`"correlation_id":`)
			appendJSONString(buf, *c.inv.corrID.Load())
			continue
		}
		buf.Write(s.val)
	}
	if exc != nil {
		buf.AppendString(`,"exception":`)
		appendJSONString(buf, exc.Error())
		buf.AppendString(`,"exception_name":`)
		appendJSONString(buf, errorTypeName(exc))
	}
	if c.inv != nil {
		if root := traceRoot(c.inv.trace); root != "" {
			buf.AppendString(`,"xray_trace_id":`)
			appendJSONString(buf, root)
		}
	}
	buf.AppendString("}\n")
	_, err := r.out.Write(buf.Bytes())
	return err
}

// logAppendScalar encodes the common field types directly, as zap's JSON encoder would, skipping the
// encoder round trip; it reports false for every other type.
func logAppendScalar(buf *buffer.Buffer, f *zap.Field) bool {
	switch f.Type {
	case zapcore.StringType, zapcore.Int64Type, zapcore.Int32Type, zapcore.Int16Type, zapcore.Int8Type,
		zapcore.BoolType, zapcore.Float64Type:
	default:
		return false
	}
	appendJSONString(buf, f.Key)
	buf.AppendByte(':')
	switch f.Type {
	case zapcore.StringType:
		appendJSONString(buf, f.String)
	case zapcore.BoolType:
		buf.AppendBool(f.Integer == 1)
	case zapcore.Float64Type:
		logAppendFloat(buf, math.Float64frombits(uint64(f.Integer)))
	default:
		buf.AppendInt(f.Integer)
	}
	return true
}

// logAppendFloat writes a float as zap does: NaN and infinities as strings, since JSON has no such numbers.
func logAppendFloat(buf *buffer.Buffer, v float64) {
	switch {
	case math.IsNaN(v):
		buf.AppendString(`"NaN"`)
	case math.IsInf(v, 1):
		buf.AppendString(`"+Inf"`)
	case math.IsInf(v, -1):
		buf.AppendString(`"-Inf"`)
	default:
		buf.AppendFloat(v, 64)
	}
}

// appendUserSegments appends user-supplied segments, dropping reserved keys.
func appendUserSegments(segs, user []logSegment) []logSegment {
	for _, s := range user {
		if !isReserved(s.key) {
			segs = append(segs, s)
		}
	}
	return segs
}

// seenBefore reports whether segs[i]'s key appeared earlier in the line.
func seenBefore(segs []logSegment, i int) bool {
	for j := 0; j < i; j++ {
		if segs[j].key == segs[i].key {
			return true
		}
	}
	return false
}

// latest returns the last segment with segs[i]'s key: a later value replaces an earlier one.
func latest(segs []logSegment, i int) logSegment {
	s := segs[i]
	for j := i + 1; j < len(segs); j++ {
		if segs[j].key == s.key {
			s = segs[j]
		}
	}
	return s
}

// errorTypeName is the exception_name of err: its Go type, looking through the wrappers fmt.Errorf and
// errors.Join make, which say nothing about what failed ("*fmt.wrapError"), down to the first error of a
// meaningful type. An error that is only wrappers and strings keeps its own type.
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
	appendJSONStringBody(buf, shortFuncName(caller.Function))
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
	appendJSONString(buf, string(raw))
}
