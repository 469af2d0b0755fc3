package powertools

// Metrics: CloudWatch Embedded Metric Format (EMF). Each invocation gets its own MetricSet; the set is
// written as one JSON line ("blob") per flush, at the end of the invocation and whenever it reaches the
// CloudWatch limits. Blobs are encoded by hand into pooled buffers and written with one Write call each,
// under a lock, so concurrent invocations never interleave or share a blob.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"go.uber.org/zap"
)

// CloudWatch limits the encoder and the validation follow.
const (
	metricsMaxMetrics    = 100  // metrics per blob; the 100th distinct metric flushes the set
	metricsMaxValues     = 100  // values per metric per blob; the 100th value flushes the set
	metricsMaxDimensions = 29   // dimensions per dimension set, service and default dimensions included
	metricsMaxNameLen    = 255  // metric names, dimension names, the namespace
	metricsMaxDimValLen  = 1024 // dimension values
	metricsMaxValue      = 1.174271e+108
	metricsMinValue      = 8.515920e-109 // smallest non-zero magnitude CloudWatch accepts
	metricsPastLimit     = 14 * 24 * time.Hour
	metricsFutureLimit   = 2 * time.Hour
	metricsKeepBuffer    = 256 << 10 // pooled buffers larger than this are dropped, not kept
)

// Unit is the unit of a metric, one of the CloudWatch standard units.
type Unit string

// The CloudWatch standard units.
const (
	UnitSeconds            Unit = "Seconds"
	UnitMicroseconds       Unit = "Microseconds"
	UnitMilliseconds       Unit = "Milliseconds"
	UnitBytes              Unit = "Bytes"
	UnitKilobytes          Unit = "Kilobytes"
	UnitMegabytes          Unit = "Megabytes"
	UnitGigabytes          Unit = "Gigabytes"
	UnitTerabytes          Unit = "Terabytes"
	UnitBits               Unit = "Bits"
	UnitKilobits           Unit = "Kilobits"
	UnitMegabits           Unit = "Megabits"
	UnitGigabits           Unit = "Gigabits"
	UnitTerabits           Unit = "Terabits"
	UnitPercent            Unit = "Percent"
	UnitCount              Unit = "Count"
	UnitBytesPerSecond     Unit = "Bytes/Second"
	UnitKilobytesPerSecond Unit = "Kilobytes/Second"
	UnitMegabytesPerSecond Unit = "Megabytes/Second"
	UnitGigabytesPerSecond Unit = "Gigabytes/Second"
	UnitTerabytesPerSecond Unit = "Terabytes/Second"
	UnitBitsPerSecond      Unit = "Bits/Second"
	UnitKilobitsPerSecond  Unit = "Kilobits/Second"
	UnitMegabitsPerSecond  Unit = "Megabits/Second"
	UnitGigabitsPerSecond  Unit = "Gigabits/Second"
	UnitTerabitsPerSecond  Unit = "Terabits/Second"
	UnitCountPerSecond     Unit = "Count/Second"
	UnitNone               Unit = "None"
)

// Valid reports whether u is one of the CloudWatch standard units.
func (u Unit) Valid() bool {
	switch u {
	case UnitSeconds, UnitMicroseconds, UnitMilliseconds, UnitBytes, UnitKilobytes, UnitMegabytes,
		UnitGigabytes, UnitTerabytes, UnitBits, UnitKilobits, UnitMegabits, UnitGigabits, UnitTerabits,
		UnitPercent, UnitCount, UnitBytesPerSecond, UnitKilobytesPerSecond, UnitMegabytesPerSecond,
		UnitGigabytesPerSecond, UnitTerabytesPerSecond, UnitBitsPerSecond, UnitKilobitsPerSecond,
		UnitMegabitsPerSecond, UnitGigabitsPerSecond, UnitTerabitsPerSecond, UnitCountPerSecond, UnitNone:
		return true
	}
	return false
}

// Dimension is one metric dimension: a name and its value.
type Dimension struct {
	Name  string
	Value string
}

// Errors the metric calls return, wrapped in a *MetricError; branch on them with errors.Is.
var (
	ErrMetricName        = errors.New("powertools: invalid metric name")
	ErrMetricUnit        = errors.New("powertools: unknown metric unit")
	ErrMetricValue       = errors.New("powertools: invalid metric value")
	ErrDimension         = errors.New("powertools: invalid dimension")
	ErrTooManyDimensions = errors.New("powertools: too many dimensions")
	ErrMetricTimestamp   = errors.New("powertools: metric timestamp out of range")
	ErrMetadata          = errors.New("powertools: invalid metric metadata")
	ErrMetricConflict    = errors.New("powertools: conflicting metric key")
	ErrNoMetrics         = errors.New("powertools: no metrics were added")
	ErrMetricsClosed     = errors.New("powertools: metric set used after its invocation ended")
	ErrMetricsOutput     = errors.New("powertools: metrics output failed")
)

// MetricError reports a metric call that was refused, or a flush that failed. Nothing of a refused call
// reaches a blob.
type MetricError struct {
	Op     string // the call: "Add", "AddHighResolution", "AddDimension", "AddDimensionSet", "AddMetadata", "SetTimestamp", "Single", "Flush"
	Name   string // the metric, dimension or metadata key concerned; "" when none
	Reason string
	Err    error // the ErrXxx sentinel
	Cause  error // the underlying error (JSON encoding, output), or nil
}

func (e *MetricError) Error() string {
	s := "powertools: metrics: " + e.Op
	if e.Name != "" {
		s += " " + strconv.Quote(e.Name)
	}
	s += ": " + e.Reason
	if e.Cause != nil {
		s += ": " + errorText(e.Cause)
	}
	return s
}

// Unwrap returns the sentinel and the cause, so errors.Is sees both.
func (e *MetricError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

func metricsErr(op, name string, sentinel error, reason string) error {
	return &MetricError{Op: op, Name: name, Reason: reason, Err: sentinel}
}

// ---- configuration ----

// metricsConfig holds the metrics settings.
type metricsConfig struct {
	namespace    string
	nsSource     string // the variable or option the namespace came from, for error messages
	requestedBy  string // the first metrics option given, which turns metrics on
	disabled     bool
	output       io.Writer
	defaultDims  []Dimension
	coldStart    bool
	raiseOnEmpty bool
	functionName string // WithMetricsFunctionName or POWERTOOLS_METRICS_FUNCTION_NAME; "" for the Lambda function name
	fnSource     string // what set functionName, for error messages
}

func metricsDefaultConfig() metricsConfig { return metricsConfig{output: os.Stdout} }

func (c *metricsConfig) readEnv(env *envReader) {
	if v, ok := env.get("POWERTOOLS_METRICS_NAMESPACE"); ok {
		c.namespace, c.nsSource = v, "POWERTOOLS_METRICS_NAMESPACE"
	}
	env.boolean("POWERTOOLS_METRICS_DISABLED", &c.disabled)
	if v, ok := env.get("POWERTOOLS_METRICS_FUNCTION_NAME"); ok {
		c.functionName, c.fnSource = v, "POWERTOOLS_METRICS_FUNCTION_NAME"
	}
}

// enabled reports whether metrics are on: a namespace is set or a metrics option was given.
func (c *metricsConfig) enabled() bool { return c.nsSource != "" || c.requestedBy != "" }

func (c *metricsConfig) validate() []error {
	if !c.enabled() {
		return nil
	}
	var errs []error
	switch {
	case c.nsSource == "":
		errs = append(errs, &ConfigError{Name: "POWERTOOLS_METRICS_NAMESPACE", Reason: "metrics are on (" +
			c.requestedBy + ") but no namespace is set: use WithMetrics or POWERTOOLS_METRICS_NAMESPACE"})
	default:
		if reason := metricsCheckNamespace(c.namespace); reason != "" {
			errs = append(errs, &ConfigError{Name: c.nsSource, Value: c.namespace, Reason: reason})
		}
	}
	if c.fnSource != "" {
		if reason := metricsCheckDimValue(c.functionName); reason != "" {
			errs = append(errs, &ConfigError{Name: c.fnSource, Value: c.functionName,
				Reason: "not usable as the function_name dimension: " + reason})
		}
	}
	if len(c.defaultDims) > metricsMaxDimensions-1 {
		errs = append(errs, &ConfigError{Name: "WithDefaultDimensions", Value: strconv.Itoa(len(c.defaultDims)),
			Reason: "at most " + strconv.Itoa(metricsMaxDimensions-1) + " default dimensions (the service dimension takes one of the " +
				strconv.Itoa(metricsMaxDimensions) + ")"})
	}
	for i, d := range c.defaultDims {
		reason := metricsCheckDimension(d.Name, d.Value)
		if reason == "" && d.Name == "service" {
			reason = "service is set by WithService, not as a default dimension"
		}
		for _, prev := range c.defaultDims[:i] {
			if reason == "" && prev.Name == d.Name {
				reason = "duplicate dimension name"
			}
		}
		if reason != "" {
			errs = append(errs, &ConfigError{Name: "WithDefaultDimensions", Value: d.Name + "=" + d.Value, Reason: reason})
		}
	}
	return errs
}

// request records the first metrics option given: any of them turns metrics on.
func (c *metricsConfig) request(option string) {
	if c.requestedBy == "" {
		c.requestedBy = option
	}
}

// WithMetrics turns metrics on and sets the CloudWatch namespace of every metric.
// Default: off; environment: POWERTOOLS_METRICS_NAMESPACE (setting it also turns metrics on).
func WithMetrics(namespace string) Option {
	return func(c *config) {
		c.metrics.request("WithMetrics")
		c.metrics.namespace, c.metrics.nsSource = namespace, "WithMetrics"
	}
}

// WithDefaultDimensions adds dimensions to every blob and to every dimension set, in the order given,
// before the dimensions added during the invocation (the service dimension comes last, as Powertools for
// Python writes it). A dimension added during an invocation with the same name overrides the default for
// that invocation. Single blobs carry them too; the ColdStart blob does not. Turns metrics on.
// Default: none.
func WithDefaultDimensions(dims ...Dimension) Option {
	return func(c *config) {
		c.metrics.request("WithDefaultDimensions")
		c.metrics.defaultDims = append(c.metrics.defaultDims, dims...)
	}
}

// WithMetricsOutput sends the EMF blobs to w, one JSON line per Write call. Writes are serialized, so w
// need not be safe for concurrent use. It does not turn metrics on by itself. Default: os.Stdout.
func WithMetricsOutput(w io.Writer) Option {
	return func(c *config) {
		if w == nil {
			c.addErr("WithMetricsOutput", "nil", "writer must not be nil")
			return
		}
		c.metrics.output = w
	}
}

// WithColdStartMetric writes, on the cold start and before the handler runs, a separate blob with the
// metric ColdStart (Count, 1) and exactly the dimensions function_name (see WithMetricsFunctionName) and
// service, as Powertools for Python publishes it: no default or added dimension, so an alarm on
// ColdStart by function_name and service matches every function. Without a function name (outside
// Lambda) or a service name the dimension is left out. With AWS_LAMBDA_INITIALIZATION_TYPE=
// provisioned-concurrency no invocation is a cold start, so the blob is never written. Turns metrics on.
// Default: off.
func WithColdStartMetric() Option {
	return func(c *config) {
		c.metrics.request("WithColdStartMetric")
		c.metrics.coldStart = true
	}
}

// WithMetricsFunctionName sets the function_name dimension of the ColdStart blob (WithColdStartMetric).
// It does not turn metrics on by itself. Default: the Lambda function name (AWS_LAMBDA_FUNCTION_NAME);
// environment: POWERTOOLS_METRICS_FUNCTION_NAME.
func WithMetricsFunctionName(name string) Option {
	return func(c *config) {
		c.metrics.functionName, c.metrics.fnSource = name, "WithMetricsFunctionName"
	}
}

// WithRaiseOnEmptyMetrics makes an invocation that added no metric fail with an error wrapping
// ErrNoMetrics (when the handler itself succeeded). Turns metrics on. Default: off: an empty set writes
// nothing, and the first empty invocation of the process logs Powertools for Python's warning once, as
// one WARNING line (metricsEmptyWarning).
func WithRaiseOnEmptyMetrics() Option {
	return func(c *config) {
		c.metrics.request("WithRaiseOnEmptyMetrics")
		c.metrics.raiseOnEmpty = true
	}
}

// WithMetricsDisabled stops metrics output while keeping the API and its validation working: calls still
// return errors for bad input, but no blob is written. Default: false; environment:
// POWERTOOLS_METRICS_DISABLED.
func WithMetricsDisabled(disabled bool) Option {
	return func(c *config) { c.metrics.disabled = disabled }
}

// ---- process-wide state ----

// metricsEmptyWarning is the warning Powertools for Python writes when an invocation ends without a
// metric; the Go library writes it as one WARNING line, once per process.
const metricsEmptyWarning = "No application metrics to publish. The cold-start metric may be published if enabled. " +
	"If application metrics should never be empty, consider using 'raise_on_empty_metrics'"

// metricsServiceUnset is the service name of an App given none: it is not a dimension (Powertools for
// Python writes no service dimension then).
const metricsServiceUnset = "service_undefined"

// metricsRoot is the App's process-wide metrics state; nil when metrics are off.
type metricsRoot struct {
	app          *App
	out          *outputLine // shared with every utility writing to the same writer
	disabled     bool
	raiseOnEmpty bool
	coldStart    bool

	directive   []byte       // `,"CloudWatchMetrics":[{"Namespace":"ns","Dimensions":[`, encoded once
	defaults    []metricsDim // the default dimensions, in the order given
	service     string       // the service dimension's value; "" when no service name is set
	coldDims    []metricsDim // function_name, service
	emptyWarned atomic.Bool  // the empty-metrics warning was written (once per process)
	wide        bool         // the service, a default dimension or the function name is not ASCII
	states      sync.Pool    // *metricsState
	buffers     sync.Pool    // *metricsBuffer
}

type metricsDim struct{ name, value string }

type metricsEntry struct {
	name    string
	unit    Unit
	highRes bool
	values  []float64
}

type metricsMeta struct {
	key        string
	start, end int // the encoded value in metricsState.metaBuf
}

// metricsState is the storage of one MetricSet, pooled across invocations: slices keep their capacity, so
// a warm process adds and flushes metrics without allocating.
type metricsState struct {
	metrics []metricsEntry
	dims    []metricsDim // the default dimensions, then the ones added (the service is appended when encoding)
	setDims []metricsDim // the dimensions of the extra sets (AddDimensionSet), one after the other
	setEnds []int        // where each extra set ends in setDims
	meta    []metricsMeta
	metaBuf []byte
	ts      int64 // epoch milliseconds; 0: the App clock at flush time
	added   bool  // a metric was added during the invocation (flushed or not)
	wide    bool  // a name, value or metadata of the set is not ASCII: blobs are escaped as Python writes them
	scratch []metricsDim
	off     *metricsOff // only in the no-op set of an App without a namespace: reports dropped metrics
}

type metricsBuffer struct{ b []byte }

// metricsOff is the state of the set an invocation gets when metrics are off for want of a namespace: it
// records nothing but says so, once per process as a WARNING line and on every call in debug mode.
type metricsOff struct {
	app    *App
	warned atomic.Bool
}

// dropped reports a metric dropped because no namespace is set.
func (o *metricsOff) dropped(op, name string) {
	const msg = "powertools: metrics are off: no namespace is set (set POWERTOOLS_METRICS_NAMESPACE or use WithMetrics); metric dropped"
	if o.warned.CompareAndSwap(false, true) {
		o.app.Logger().Warn(msg, zap.String("call", op), zap.String("metric", name))
		return
	}
	if ce := o.app.debug.Check(zap.DebugLevel, msg); ce != nil {
		ce.Write(zap.String("call", op), zap.String("metric", name))
	}
}

func newMetricsRoot(a *App) (*metricsRoot, error) {
	cfg := a.cfg.metrics
	if !cfg.enabled() {
		if !cfg.disabled {
			a.metricsOff = &MetricSet{st: &metricsState{off: &metricsOff{app: a}}}
		}
		return nil, nil
	}
	if reason := metricsCheckDimValue(a.cfg.service); reason != "" {
		return nil, &ConfigError{Name: "WithService", Value: a.cfg.service, Reason: "not usable as the service dimension: " + reason}
	}
	r := &metricsRoot{
		app:          a,
		out:          outputFor(cfg.output),
		disabled:     cfg.disabled,
		raiseOnEmpty: cfg.raiseOnEmpty,
		coldStart:    cfg.coldStart,
	}
	if a.cfg.service != metricsServiceUnset {
		r.service = a.cfg.service
	}
	r.directive = append(r.directive, `,"CloudWatchMetrics":[{"Namespace":`...)
	r.directive = jsonAppendString(r.directive, cfg.namespace)
	r.directive = append(r.directive, `,"Dimensions":[`...)
	for _, d := range cfg.defaultDims {
		r.defaults = append(r.defaults, metricsDim{d.Name, d.Value})
	}
	// Without a function name (outside Lambda) or a service name the cold start blob leaves the dimension
	// out rather than carry a value CloudWatch would refuse or that names nothing.
	fn := a.functionName
	if cfg.fnSource != "" {
		fn = cfg.functionName
	}
	if fn != "" {
		r.coldDims = append(r.coldDims, metricsDim{"function_name", fn})
	}
	if r.service != "" {
		r.coldDims = append(r.coldDims, metricsDim{"service", r.service})
	}
	r.wide = metricsWide(r.service) || metricsWide(fn)
	for _, d := range r.defaults {
		r.wide = r.wide || metricsWide(d.value)
	}
	r.states.New = func() any { return new(metricsState) }
	r.buffers.New = func() any { return &metricsBuffer{b: make([]byte, 0, 2048)} }
	return r, nil
}

// newSet is a fresh MetricSet on its own storage (an invocation's is part of the invocation: initSet).
func (r *metricsRoot) newSet() *MetricSet {
	m := new(MetricSet)
	r.initSet(m)
	return m
}

// initSet makes m a fresh MetricSet of an invocation, on pooled storage.
func (r *metricsRoot) initSet(m *MetricSet) {
	st := r.states.Get().(*metricsState)
	st.dims = append(st.dims[:0], r.defaults...)
	m.root, m.st = r, st
}

func (r *metricsRoot) putState(st *metricsState) {
	st.resetMetrics()
	clear(st.dims)
	st.dims = st.dims[:0]
	clear(st.setDims)
	st.setDims, st.setEnds = st.setDims[:0], st.setEnds[:0]
	clear(st.meta)
	st.meta = st.meta[:0]
	if cap(st.metaBuf) > metricsKeepBuffer {
		st.metaBuf = nil
	}
	st.metaBuf = st.metaBuf[:0]
	st.ts, st.added, st.wide = 0, false, false
	r.states.Put(st)
}

// resetMetrics empties the metric list after a flush, keeping each entry's value slice for reuse.
func (st *metricsState) resetMetrics() {
	for i := range st.metrics {
		st.metrics[i].name = ""
		st.metrics[i].values = st.metrics[i].values[:0]
	}
	st.metrics = st.metrics[:0]
}

// metricsMiddleware returns the layer that gives each invocation its MetricSet and flushes it on every
// exit (success, error, panic); nil when metrics are off.
func (a *App) metricsMiddleware() Middleware {
	r := a.metrics
	if r == nil {
		return nil
	}
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, payload []byte) (out []byte, err error) {
			var set *MetricSet
			inv := invocationFrom(ctx)
			if inv != nil && inv.metrics == nil {
				set = &inv.metricSet // the invocation's own storage: no allocation
			} else {
				set = new(MetricSet)
			}
			r.initSet(set)
			if inv != nil {
				inv.metrics = set
				if inv.coldStart && r.coldStart {
					r.emitColdStart(ctx)
				}
			}
			defer func() {
				// A failed final flush fails an invocation that otherwise succeeded: the metrics would
				// be lost silently otherwise. A handler error stays the invocation's error.
				if cerr := set.close(ctx); cerr != nil {
					if err == nil {
						out, err = nil, cerr
					} else {
						Logger(ctx).Error("powertools: metrics not flushed", zap.Error(cerr))
					}
				}
			}()
			return next.Invoke(ctx, payload)
		})
	}
}

// emitColdStart writes the ColdStart blob, once per process (the caller holds the cold start claim).
func (r *metricsRoot) emitColdStart(ctx context.Context) {
	if r.disabled {
		return
	}
	vals := [1]float64{1}
	m := [1]metricsEntry{{name: "ColdStart", unit: UnitCount, values: vals[:]}}
	if err := r.emit("ColdStart", r.app.now().UnixMilli(), metricsDimSets{dims: r.coldDims}, nil, nil, m[:], r.wide); err != nil {
		Logger(ctx).Error("powertools: cold start metric not written", zap.Error(err))
	}
}

// emit encodes one blob into a pooled buffer and writes it with one Write call. wide says a string of the
// blob may hold non-ASCII characters, which are then escaped (\uXXXX) as Python's json.dumps does.
func (r *metricsRoot) emit(op string, ts int64, ds metricsDimSets, meta []metricsMeta, metaBuf []byte, metrics []metricsEntry, wide bool) error {
	buf := r.buffers.Get().(*metricsBuffer)
	buf.b = metricsEncode(buf.b[:0], r.directive, ts, ds, meta, metaBuf, metrics)
	if wide || r.wide {
		buf.b = metricsEscapeNonASCII(buf.b)
	}
	err := r.write(op, buf.b)
	if ce := r.app.debug.Check(zap.DebugLevel, "powertools: metrics flushed"); ce != nil {
		ce.Write(zap.Int("metrics", len(metrics)), zap.Int("bytes", len(buf.b)))
	}
	if cap(buf.b) <= metricsKeepBuffer {
		r.buffers.Put(buf)
	}
	return err
}

func (r *metricsRoot) write(op string, b []byte) error {
	if _, err := r.out.Write(b); err != nil {
		return &MetricError{Op: op, Reason: "writing the EMF blob", Err: ErrMetricsOutput, Cause: err}
	}
	return nil
}

// serviceTail is the service dimension appended after the set's own dimensions: the App's service, unless
// the invocation set a "service" dimension of its own (which keeps its place) or no service name is set.
func (r *metricsRoot) serviceTail(st *metricsState) string {
	if r.service == "" || metricsDimIndex(st.dims, "service") >= 0 {
		return ""
	}
	return r.service
}

// dimSets is the dimension layout of the set's next blob.
func (st *metricsState) dimSets(r *metricsRoot) metricsDimSets {
	return metricsDimSets{dims: st.dims, service: r.serviceTail(st), defaults: r.defaults,
		inSets: r.service != "", setDims: st.setDims, setEnds: st.setEnds}
}

// dimValue returns the value the blob's root holds for the dimension name, if any.
func (st *metricsState) dimValue(r *metricsRoot, name string) (string, bool) {
	if i := metricsDimIndex(st.dims, name); i >= 0 {
		return st.dims[i].value, true
	}
	if name == "service" && r.service != "" {
		return r.service, true
	}
	if i := metricsDimIndex(st.setDims, name); i >= 0 {
		return st.setDims[i].value, true
	}
	return "", false
}

// ---- the per-invocation set ----

// MetricSet is one invocation's metrics, reached with Metrics(ctx). It is safe for concurrent use by the
// goroutines of its invocation. It is flushed at the end of the invocation, and earlier whenever it holds
// 100 distinct metrics or one metric holds 100 values. Dimensions, metadata and the timestamp stay for
// the whole invocation; only the metrics are emptied by a flush.
//
// Outside an invocation (or when metrics are off) Metrics returns a no-op set: its calls still check their
// arguments and return the same errors, but record nothing. When metrics are off because no namespace is
// set (no WithMetrics, no POWERTOOLS_METRICS_NAMESPACE), the first Add (or Single) of the process writes
// one WARNING line saying the metric was dropped and how to turn metrics on, and debug mode says it for
// every later call. After its invocation ended a set refuses every call with ErrMetricsClosed rather than
// lose data silently.
type MetricSet struct {
	mu   sync.Mutex
	root *metricsRoot  // nil: a no-op set
	st   *metricsState // nil once the invocation ended; for a no-op set, nil or the holder of off
}

// metricsNoop is the set returned outside an invocation; it holds no state, so sharing it is safe.
var metricsNoop = &MetricSet{}

// Metrics returns the MetricSet of the invocation ctx belongs to. Outside a wrapped handler, or when
// metrics are off, it returns a working no-op set, never nil.
func Metrics(ctx context.Context) *MetricSet {
	if inv := invocationFrom(ctx); inv != nil {
		if inv.metrics != nil {
			return inv.metrics
		}
		if off := inv.app.metricsOff; off != nil {
			return off
		}
	}
	return metricsNoop
}

// Add records value for the metric name in unit, at the standard (60 s) storage resolution. Adding the
// same name again appends a value; the unit must stay the same.
func (m *MetricSet) Add(name string, unit Unit, value float64) error {
	return m.add("Add", name, unit, value, false)
}

// AddHighResolution is Add for a high-resolution metric (StorageResolution 1: one-second granularity).
func (m *MetricSet) AddHighResolution(name string, unit Unit, value float64) error {
	return m.add("AddHighResolution", name, unit, value, true)
}

func (m *MetricSet) add(op, name string, unit Unit, value float64, highRes bool) error {
	if err := metricsCheckMetric(op, name, unit, value); err != nil {
		return err
	}
	if m.root == nil {
		if m.st != nil && m.st.off != nil {
			m.st.off.dropped(op, name)
		}
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.st
	if st == nil {
		return metricsErr(op, name, ErrMetricsClosed, "the invocation has ended")
	}
	i := st.metricIndex(name)
	if i < 0 {
		if err := st.checkNewKey(m.root, op, name, "metric"); err != nil {
			return err
		}
		i = st.appendMetric(name, unit, highRes)
		st.wide = st.wide || metricsWide(name)
	} else if e := &st.metrics[i]; e.unit != unit || e.highRes != highRes {
		return metricsErr(op, name, ErrMetricConflict, "already added with unit "+strconv.Quote(string(e.unit))+
			" and resolution "+metricsResolutionName(e.highRes)+"; a metric keeps one unit and resolution per blob")
	}
	e := &st.metrics[i]
	e.values = append(e.values, value)
	st.added = true
	if len(st.metrics) == metricsMaxMetrics || len(e.values) == metricsMaxValues {
		return m.flushLocked(op)
	}
	return nil
}

func metricsResolutionName(highRes bool) string {
	if highRes {
		return "high (1 s)"
	}
	return "standard (60 s)"
}

// AddDimension adds a dimension to every blob of this invocation (or replaces the value of one already
// there, a default dimension or the service included). Dimensions are written in the order Powertools for
// Python writes them: the default dimensions, then the added ones, then the service. At most 29
// dimensions in all, the service and default dimensions included (ErrTooManyDimensions). A name that a
// dimension set (AddDimensionSet) uses with another value is ErrMetricConflict: a blob holds one value per
// dimension.
func (m *MetricSet) AddDimension(name, value string) error {
	const op = "AddDimension"
	if reason := metricsCheckDimension(name, value); reason != "" {
		return metricsErr(op, name, ErrDimension, reason)
	}
	if m.root == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.st
	if st == nil {
		return metricsErr(op, name, ErrMetricsClosed, "the invocation has ended")
	}
	if i := metricsDimIndex(st.setDims, name); i >= 0 && st.setDims[i].value != value {
		return metricsErr(op, name, ErrMetricConflict, "a dimension set has it with the value "+
			strconv.Quote(st.setDims[i].value)+"; a blob holds one value per dimension")
	}
	if i := metricsDimIndex(st.dims, name); i >= 0 {
		st.dims[i].value = value
		st.wide = st.wide || metricsWide(value)
		return nil
	}
	// The App's service dimension, overridden, keeps its slot; any other new name takes one more.
	tail := 0
	if m.root.serviceTail(st) != "" {
		tail = 1
	}
	if overridesService := name == "service" && tail == 1; !overridesService && len(st.dims)+tail >= metricsMaxDimensions {
		return metricsErr(op, name, ErrTooManyDimensions, "a blob has at most "+strconv.Itoa(metricsMaxDimensions)+
			" dimensions, the service and default dimensions included")
	}
	if err := st.checkNewKey(m.root, op, name, "dimension"); err != nil {
		return err
	}
	st.dims = append(st.dims, metricsDim{name, value})
	st.wide = st.wide || metricsWide(value)
	return nil
}

// AddDimensionSet adds a dimension set to every blob of this invocation: CloudWatch then also aggregates
// the blob's metrics by exactly these dimensions, the default dimensions and the service, written as one
// more array of the blob's Dimensions (the first one holds the dimensions AddDimension adds). dims must
// not be empty nor name a dimension twice; each set has at most 29 dimensions, the service and default
// dimensions included (ErrTooManyDimensions). The values sit at the blob's root, shared by every set, so
// a name already used by another dimension with another value is ErrMetricConflict. The other errors are
// those of AddDimension.
func (m *MetricSet) AddDimensionSet(dims ...Dimension) error {
	const op = "AddDimensionSet"
	if len(dims) == 0 {
		return metricsErr(op, "", ErrDimension, "a dimension set needs at least one dimension")
	}
	for i, d := range dims {
		if reason := metricsCheckDimension(d.Name, d.Value); reason != "" {
			return metricsErr(op, d.Name, ErrDimension, reason)
		}
		for _, prev := range dims[:i] {
			if prev.Name == d.Name {
				return metricsErr(op, d.Name, ErrDimension, "the set names the dimension twice")
			}
		}
	}
	if m.root == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.st
	if st == nil {
		return metricsErr(op, "", ErrMetricsClosed, "the invocation has ended")
	}
	r := m.root
	n := len(r.defaults)
	if r.service != "" {
		n++
	}
	for _, d := range dims {
		if metricsDimIndex(r.defaults, d.Name) < 0 && (d.Name != "service" || r.service == "") {
			n++
		}
	}
	if n > metricsMaxDimensions {
		return metricsErr(op, dims[0].Name, ErrTooManyDimensions, "a dimension set has at most "+
			strconv.Itoa(metricsMaxDimensions)+" dimensions, the service and default dimensions included; this one would have "+strconv.Itoa(n))
	}
	for _, d := range dims {
		if v, ok := st.dimValue(r, d.Name); ok {
			if v != d.Value {
				return metricsErr(op, d.Name, ErrMetricConflict, "already a dimension with the value "+strconv.Quote(v)+
					"; a blob holds one value per dimension")
			}
			continue
		}
		if err := st.checkNewKey(r, op, d.Name, "dimension"); err != nil {
			return err
		}
	}
	for _, d := range dims {
		st.setDims = append(st.setDims, metricsDim{d.Name, d.Value})
		st.wide = st.wide || metricsWide(d.Value)
	}
	st.setEnds = append(st.setEnds, len(st.setDims))
	return nil
}

// AddMetadata adds a key to every blob of this invocation that CloudWatch keeps in the log event but does
// not turn into a metric or a dimension: high-cardinality context such as a request or order id. Strings,
// booleans, integers, floats, nil and []string are encoded directly; other values with encoding/json.
// The value is encoded now, so later changes to it are not seen. Adding a key again replaces its value.
func (m *MetricSet) AddMetadata(key string, value any) error {
	const op = "AddMetadata"
	if reason := metricsCheckKey(key); reason != "" {
		return metricsErr(op, key, ErrMetadata, reason)
	}
	if m.root == nil {
		_, err := metricsAppendValue(nil, key, value)
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.st
	if st == nil {
		return metricsErr(op, key, ErrMetricsClosed, "the invocation has ended")
	}
	i := metricsMetaIndex(st.meta, key)
	if i < 0 {
		if err := st.checkNewKey(m.root, op, key, "metadata"); err != nil {
			return err
		}
	}
	start := len(st.metaBuf)
	b, err := metricsAppendValue(st.metaBuf, key, value)
	if err != nil {
		st.metaBuf = st.metaBuf[:start]
		return err
	}
	st.metaBuf = b
	st.wide = st.wide || metricsWide(key) || metricsWideBytes(b[start:])
	if i >= 0 {
		st.meta[i].start, st.meta[i].end = start, len(b)
		return nil
	}
	st.meta = append(st.meta, metricsMeta{key: key, start: start, end: len(b)})
	return nil
}

// SetTimestamp sets the timestamp of every later blob of this invocation. Default: the App clock at the
// time of the flush. CloudWatch refuses timestamps more than 14 days in the past or 2 hours in the future,
// so those are errors (ErrMetricTimestamp).
func (m *MetricSet) SetTimestamp(t time.Time) error {
	const op = "SetTimestamp"
	now := time.Now
	if m.root != nil {
		now = m.root.app.now
	}
	n := now()
	if t.Before(n.Add(-metricsPastLimit)) || t.After(n.Add(metricsFutureLimit)) {
		return metricsErr(op, "", ErrMetricTimestamp, t.UTC().Format(time.RFC3339Nano)+
			" is not within 14 days in the past and 2 hours in the future of "+n.UTC().Format(time.RFC3339Nano))
	}
	if m.root == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st == nil {
		return metricsErr(op, "", ErrMetricsClosed, "the invocation has ended")
	}
	m.st.ts = t.UnixMilli()
	return nil
}

// Single writes, at once, a blob holding only the metric name with value, as Powertools for Python's
// single_metric does: its dimensions are the default dimensions, then dims (which override a default of
// the same name), and no service dimension. The set's own metrics, dimensions, dimension sets and
// metadata are not included; its timestamp is.
func (m *MetricSet) Single(name string, unit Unit, value float64, dims ...Dimension) error {
	return m.single("Single", name, unit, value, false, dims)
}

// SingleHighResolution is Single for a high-resolution metric (StorageResolution 1).
func (m *MetricSet) SingleHighResolution(name string, unit Unit, value float64, dims ...Dimension) error {
	return m.single("SingleHighResolution", name, unit, value, true, dims)
}

func (m *MetricSet) single(op, name string, unit Unit, value float64, highRes bool, dims []Dimension) error {
	if err := metricsCheckMetric(op, name, unit, value); err != nil {
		return err
	}
	for _, d := range dims {
		if reason := metricsCheckDimension(d.Name, d.Value); reason != "" {
			return metricsErr(op, d.Name, ErrDimension, reason)
		}
		if d.Name == name {
			return metricsErr(op, name, ErrMetricConflict, "a dimension has the metric's name")
		}
	}
	if m.root == nil {
		if m.st != nil && m.st.off != nil {
			m.st.off.dropped(op, name)
		}
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.st
	if st == nil {
		return metricsErr(op, name, ErrMetricsClosed, "the invocation has ended")
	}
	all := append(st.scratch[:0], m.root.defaults...)
	for _, d := range dims {
		if i := metricsDimIndex(all, d.Name); i >= 0 {
			all[i].value = d.Value
			continue
		}
		all = append(all, metricsDim{d.Name, d.Value})
	}
	st.scratch = all
	defer clear(st.scratch)
	if len(all) > metricsMaxDimensions {
		return metricsErr(op, name, ErrTooManyDimensions, "a blob has at most "+strconv.Itoa(metricsMaxDimensions)+
			" dimensions, the default dimensions included")
	}
	if metricsDimIndex(all, name) >= 0 {
		return metricsErr(op, name, ErrMetricConflict, "a dimension has the metric's name")
	}
	st.added = true
	if m.root.disabled {
		return nil
	}
	wide := metricsWide(name)
	for i := range all {
		wide = wide || metricsWide(all[i].value)
	}
	vals := [1]float64{value}
	one := [1]metricsEntry{{name: name, unit: unit, highRes: highRes, values: vals[:]}}
	return m.root.emit(op, st.timestamp(m.root), metricsDimSets{dims: all}, nil, nil, one[:], wide)
}

// Flush writes the metrics added so far as one blob now and empties the metric list; dimensions, metadata
// and the timestamp stay. With no metric it writes nothing and returns nil. The end of the invocation
// flushes by itself: call Flush only to emit earlier.
func (m *MetricSet) Flush() error {
	if m.root == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st == nil {
		return metricsErr("Flush", "", ErrMetricsClosed, "the invocation has ended")
	}
	return m.flushLocked("Flush")
}

func (m *MetricSet) flushLocked(op string) error {
	st := m.st
	if len(st.metrics) == 0 {
		return nil
	}
	var err error
	if !m.root.disabled {
		err = m.root.emit(op, st.timestamp(m.root), st.dimSets(m.root), st.meta, st.metaBuf, st.metrics, st.wide)
	}
	st.resetMetrics()
	return err
}

// close ends the set at the end of its invocation: the last flush, the empty-set rule, and the storage
// back to the pool. An empty set is an error with WithRaiseOnEmptyMetrics; otherwise the first one of the
// process logs Powertools for Python's warning (metricsEmptyWarning) as one WARNING line, and debug mode
// notes the later ones.
func (m *MetricSet) close(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.st
	err := m.flushLocked("Flush")
	if err == nil && !st.added {
		switch {
		case m.root.raiseOnEmpty:
			err = metricsErr("Flush", "", ErrNoMetrics, "no metrics were added during the invocation (WithRaiseOnEmptyMetrics)")
		case m.root.disabled:
		case m.root.emptyWarned.CompareAndSwap(false, true):
			Logger(ctx).Warn(metricsEmptyWarning)
		default:
			m.root.app.debug.Debug("powertools: no metrics to publish; WithRaiseOnEmptyMetrics makes this an error")
		}
	}
	m.st = nil
	m.root.putState(st)
	return err
}

func (st *metricsState) timestamp(r *metricsRoot) int64 {
	if st.ts != 0 {
		return st.ts
	}
	return r.app.now().UnixMilli()
}

func (st *metricsState) metricIndex(name string) int {
	for i := range st.metrics {
		if st.metrics[i].name == name {
			return i
		}
	}
	return -1
}

// appendMetric adds an entry, reusing the value slice a previous use of the slot left behind.
func (st *metricsState) appendMetric(name string, unit Unit, highRes bool) int {
	n := len(st.metrics)
	if n < cap(st.metrics) {
		st.metrics = st.metrics[:n+1]
	} else {
		st.metrics = append(st.metrics, metricsEntry{})
	}
	e := &st.metrics[n]
	e.name, e.unit, e.highRes, e.values = name, unit, highRes, e.values[:0]
	return n
}

// checkNewKey refuses a top-level key already used by another kind (metric, dimension, metadata): the
// blob would hold the key twice.
func (st *metricsState) checkNewKey(r *metricsRoot, op, key, kind string) error {
	var other string
	switch {
	case kind != "metric" && st.metricIndex(key) >= 0:
		other = "a metric"
	case kind != "dimension" && (metricsDimIndex(st.dims, key) >= 0 || metricsDimIndex(st.setDims, key) >= 0 ||
		(key == "service" && r.service != "")):
		other = "a dimension"
	case kind != "metadata" && metricsMetaIndex(st.meta, key) >= 0:
		other = "a metadata key"
	default:
		return nil
	}
	return metricsErr(op, key, ErrMetricConflict, "the name is already used by "+other+" in this blob")
}

func metricsDimIndex(dims []metricsDim, name string) int {
	for i := range dims {
		if dims[i].name == name {
			return i
		}
	}
	return -1
}

func metricsMetaIndex(meta []metricsMeta, key string) int {
	for i := range meta {
		if meta[i].key == key {
			return i
		}
	}
	return -1
}

// ---- validation ----

func metricsCheckMetric(op, name string, unit Unit, value float64) error {
	if reason := metricsCheckText(name, metricsMaxNameLen, false); reason != "" {
		return metricsErr(op, name, ErrMetricName, reason)
	}
	if name == "_aws" {
		return metricsErr(op, name, ErrMetricName, "_aws is reserved by the EMF format")
	}
	if !unit.Valid() {
		return metricsErr(op, name, ErrMetricUnit, strconv.Quote(string(unit))+" is not a CloudWatch unit")
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return metricsErr(op, name, ErrMetricValue, "NaN and infinite values are not accepted")
	}
	if a := math.Abs(value); a > metricsMaxValue || (a != 0 && a < metricsMinValue) {
		return metricsErr(op, name, ErrMetricValue, strconv.FormatFloat(value, 'g', -1, 64)+
			" is outside the range CloudWatch accepts (magnitude 8.515920e-109 to 1.174271e+108, or 0)")
	}
	return nil
}

// metricsCheckDimension returns why a dimension is refused, or "".
func metricsCheckDimension(name, value string) string {
	if reason := metricsCheckText(name, metricsMaxNameLen, true); reason != "" {
		return "name: " + reason
	}
	if name[0] == ':' {
		return "name: must not start with a colon"
	}
	if name == "_aws" {
		return "name: _aws is reserved by the EMF format"
	}
	if reason := metricsCheckDimValue(value); reason != "" {
		return "value: " + reason
	}
	return ""
}

func metricsCheckDimValue(value string) string {
	return metricsCheckText(value, metricsMaxDimValLen, false)
}

func metricsCheckKey(key string) string {
	if key == "" {
		return "key must not be empty"
	}
	if key == "_aws" {
		return "_aws is reserved by the EMF format"
	}
	if !utf8.ValidString(key) {
		return "key is not valid UTF-8"
	}
	return ""
}

func metricsCheckNamespace(ns string) string {
	if reason := metricsCheckText(ns, metricsMaxNameLen, true); reason != "" {
		return reason
	}
	if ns[0] == ':' {
		return "must not start with a colon"
	}
	return ""
}

// metricsCheckText returns why s is refused as a name or value, or "": empty or only whitespace, longer
// than max bytes, control characters, invalid UTF-8, non-ASCII where only ASCII is accepted.
func metricsCheckText(s string, max int, asciiOnly bool) string {
	if s == "" {
		return "must not be empty"
	}
	if len(s) > max {
		return "longer than " + strconv.Itoa(max) + " bytes"
	}
	visible, wide := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c == 0x7f:
			return "must not contain control characters"
		case c >= utf8.RuneSelf:
			if asciiOnly {
				return "must contain ASCII characters only"
			}
			wide, visible = true, true
		case c != ' ':
			visible = true
		}
	}
	if wide && !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	if !visible {
		return "must contain a non-whitespace character"
	}
	return ""
}

// ---- encoding ----

// metricsDimSets is the dimension layout of one blob: the first dimension set (dims, then the service
// when set), then one set per AddDimensionSet call, each made of the default dimensions, its own
// dimensions and the service.
type metricsDimSets struct {
	dims     []metricsDim // the first set: default dimensions, then the added ones
	service  string       // the service's value, appended to the first set; "" for none
	defaults []metricsDim // the names leading every extra set
	inSets   bool         // "service" ends every extra set
	setDims  []metricsDim // the extra sets' own dimensions, one after the other
	setEnds  []int        // where each extra set ends in setDims
}

// metricsEncode appends one EMF blob and its newline to dst:
//
//	{"_aws":{"Timestamp":ts,"CloudWatchMetrics":[{"Namespace":ns,"Dimensions":[[dims],[set]...],"Metrics":[defs]}]},
//	 dim:value..., metadata..., metric:[values]...}
//
// the layout Powertools for Python writes.
func metricsEncode(dst, directive []byte, ts int64, ds metricsDimSets, meta []metricsMeta, metaBuf []byte, metrics []metricsEntry) []byte {
	dst = append(dst, `{"_aws":{"Timestamp":`...)
	dst = strconv.AppendInt(dst, ts, 10)
	dst = append(dst, directive...)
	dst = append(dst, '[')
	for i := range ds.dims {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonAppendString(dst, ds.dims[i].name)
	}
	if ds.service != "" {
		if len(ds.dims) > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `"service"`...)
	}
	dst = append(dst, ']')
	if len(ds.setEnds) > 0 {
		dst = metricsEncodeSets(dst, ds)
	}
	dst = append(dst, `],"Metrics":[`...)
	for i := range metrics {
		e := &metrics[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"Name":`...)
		dst = jsonAppendString(dst, e.name)
		dst = append(dst, `,"Unit":"`...)
		dst = append(dst, e.unit...) // a valid Unit needs no escaping
		dst = append(dst, '"')
		if e.highRes {
			dst = append(dst, `,"StorageResolution":1`...)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `]}]}`...)
	for i := range ds.dims {
		dst = metricsAppendDim(dst, ds.dims[i].name, ds.dims[i].value)
	}
	if ds.service != "" {
		dst = metricsAppendDim(dst, "service", ds.service)
	}
	for i := range ds.setDims {
		d := &ds.setDims[i]
		// a name already written (the first set's, the service, an earlier set's) has the same value
		if metricsDimIndex(ds.dims, d.name) >= 0 || (d.name == "service" && ds.service != "") ||
			metricsDimIndex(ds.setDims[:i], d.name) >= 0 {
			continue
		}
		dst = metricsAppendDim(dst, d.name, d.value)
	}
	for i := range meta {
		dst = append(dst, ',')
		dst = jsonAppendString(dst, meta[i].key)
		dst = append(dst, ':')
		dst = append(dst, metaBuf[meta[i].start:meta[i].end]...)
	}
	for i := range metrics {
		e := &metrics[i]
		dst = append(dst, ',')
		dst = jsonAppendString(dst, e.name)
		dst = append(dst, ':', '[')
		for j, v := range e.values {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = jsonAppendFloat(dst, v, 64)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}', '\n')
}

// metricsEncodeSets writes the extra dimension sets: the default dimensions, the set's own (those not
// among the defaults), then the service unless the set names it.
func metricsEncodeSets(dst []byte, ds metricsDimSets) []byte {
	start := 0
	for _, end := range ds.setEnds {
		set := ds.setDims[start:end]
		start = end
		dst = append(dst, ',', '[')
		n := 0
		for i := range ds.defaults {
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = jsonAppendString(dst, ds.defaults[i].name)
			n++
		}
		for i := range set {
			if metricsDimIndex(ds.defaults, set[i].name) >= 0 {
				continue
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = jsonAppendString(dst, set[i].name)
			n++
		}
		if ds.inSets && metricsDimIndex(set, "service") < 0 {
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `"service"`...)
		}
		dst = append(dst, ']')
	}
	return dst
}

func metricsAppendDim(dst []byte, name, value string) []byte {
	dst = append(dst, ',')
	dst = jsonAppendString(dst, name)
	dst = append(dst, ':')
	return jsonAppendString(dst, value)
}

// metricsWide reports whether s holds a non-ASCII byte.
func metricsWide(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

func metricsWideBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// metricsEscapeNonASCII rewrites every non-ASCII character of an encoded blob as \uXXXX (a surrogate pair
// beyond U+FFFF), lower-case hex, as Python's json.dumps writes it by default (ensure_ascii): the EMF
// blobs of Powertools for Python are pure ASCII. Non-ASCII bytes occur only inside JSON strings, where the
// escape means the same character. Off the hot path: called only for blobs holding such a character.
func metricsEscapeNonASCII(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/4)
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		i += size
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			out = metricsAppendU(metricsAppendU(out, r1), r2)
			continue
		}
		out = metricsAppendU(out, r)
	}
	return out
}

func metricsAppendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// metricsAppendValue appends the JSON encoding of a metadata value: common types by hand, the rest with
// encoding/json (off the hot path: metadata is rare and per invocation).
func metricsAppendValue(dst []byte, key string, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return jsonAppendString(dst, x), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint8:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return dst, metricsErr("AddMetadata", key, ErrMetadata, "NaN and infinite values have no JSON encoding")
		}
		return jsonAppendFloat(dst, x, 64), nil
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return dst, metricsErr("AddMetadata", key, ErrMetadata, "NaN and infinite values have no JSON encoding")
		}
		return jsonAppendFloat(dst, float64(x), 32), nil
	case []string:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, s := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonAppendString(dst, s)
		}
		return append(dst, ']'), nil
	}
	b, err := metricsMarshal(v)
	if err != nil {
		return dst, &MetricError{Op: "AddMetadata", Name: key, Reason: "value has no JSON encoding", Err: ErrMetadata, Cause: err}
	}
	return append(dst, b...), nil
}

// errMetricsMarshalPanicked is the cause of a metadata value whose encoding panicked.
var errMetricsMarshalPanicked = errors.New("its JSON encoding panicked")

// metricsMarshal is json.Marshal for a value from user code: a MarshalJSON (or MarshalText, String...)
// method that panics is an error, not a panic of the invocation.
func metricsMarshal(v any) (b []byte, err error) {
	defer func() {
		if recover() != nil {
			b, err = nil, errMetricsMarshalPanicked
		}
	}()
	return json.Marshal(v)
}
