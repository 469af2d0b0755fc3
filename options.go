package powertools

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap/zapcore"
)

// Option configures an App. Options are applied over the environment, which is applied over the
// defaults, so an explicit option always wins. Options do no I/O.
type Option func(*config)

// config is everything New resolves before building an App. Each subsystem keeps its settings in its own
// struct, declared next to the code that uses them.
type config struct {
	lookupEnv func(string) (string, bool)

	service     string
	debug       bool
	debugOutput io.Writer
	clock       func() time.Time
	customClock bool // WithClock was given: every timestamp comes from clock, slog's included
	middleware  []Middleware

	log       logConfig
	metrics   metricsConfig
	tracer    tracerConfig
	validator Validator // WithValidator; nil when events are not validated
	idem      idemSettings
	params    paramsAppConfig

	// problems found while applying options; reported by New together with every other problem.
	optionErrs []error
}

// defaultConfig is the one place the defaults live.
func defaultConfig() config {
	return config{
		lookupEnv:   os.LookupEnv,
		service:     "service_undefined",
		debugOutput: os.Stderr,
		clock:       time.Now,
		log:         logDefaultConfig(),
		metrics:     metricsDefaultConfig(),
		tracer:      tracerDefaultConfig(),
		params:      paramsAppDefaultConfig(),
	}
}

// resolveConfig builds the configuration in precedence order: defaults, then the environment (read once,
// through the lookup an option may have replaced), then the options themselves.
func resolveConfig(opts []Option) (config, error) {
	probe := defaultConfig()
	applyOptions(&probe, opts)

	c := defaultConfig()
	c.lookupEnv = probe.lookupEnv
	env := envReader{lookup: c.lookupEnv}
	c.readEnv(&env)
	c.optionErrs = nil
	applyOptions(&c, opts)

	errs := append(env.errs, c.optionErrs...)
	errs = append(errs, c.validate()...)
	return c, errors.Join(errs...)
}

func applyOptions(c *config, opts []Option) {
	for _, opt := range opts {
		if opt != nil {
			opt(c)
		}
	}
}

// readEnv reads every environment variable the library knows, once.
func (c *config) readEnv(env *envReader) {
	env.str("POWERTOOLS_SERVICE_NAME", &c.service)
	env.boolean("POWERTOOLS_DEBUG", &c.debug)
	c.log.readEnv(env)
	c.metrics.readEnv(env)
	c.tracer.readEnv(env)
	c.idem.readEnv(env)
	c.params.readEnv(env)
	// POWERTOOLS_DEV: development mode, never for production. Log lines are indented for a terminal, and
	// tracing is off unless POWERTOOLS_TRACE_DISABLED says explicitly that it is not.
	var dev bool
	env.boolean("POWERTOOLS_DEV", &dev)
	if dev {
		c.log.pretty = true
		if _, set := env.get("POWERTOOLS_TRACE_DISABLED"); !set {
			c.tracer.disabled, c.tracer.devMode = true, true
		}
	}
}

// validate reports every inconsistent setting; New joins them into one error.
func (c *config) validate() []error {
	var errs []error
	if strings.TrimSpace(c.service) == "" {
		errs = append(errs, &ConfigError{Name: "WithService", Value: c.service, Reason: "must not be empty"})
	}
	errs = append(errs, c.log.validate()...)
	errs = append(errs, c.metrics.validate()...)
	errs = append(errs, c.tracer.validate()...)
	errs = append(errs, c.params.validate()...)
	if err := c.validatorInit(); err != nil {
		errs = append(errs, err)
	}
	if err := c.idem.validate(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// addErr records a problem found by an option; New returns it with the others.
func (c *config) addErr(name, value, reason string) {
	c.optionErrs = append(c.optionErrs, &ConfigError{Name: name, Value: value, Reason: reason})
}

// ConfigError reports a setting New could not accept: an environment variable or an option, its value and
// why it was refused. New returns every ConfigError it finds, joined with errors.Join.
type ConfigError struct {
	Name   string // the environment variable or the option, e.g. "POWERTOOLS_TRACE_DISABLED"
	Value  string // the refused value, as given
	Reason string
}

func (e *ConfigError) Error() string {
	return "powertools: " + e.Name + "=" + configQuote(e.Value) + ": " + e.Reason
}

// configQuoteMax bounds how much of a refused value an error message repeats: an environment variable can
// hold megabytes, and the message is logged.
const configQuoteMax = 128

// configQuote quotes v for an error message, cut to configQuoteMax bytes (on a rune boundary) with the
// full length said.
func configQuote(v string) string {
	if len(v) <= configQuoteMax {
		return strconv.Quote(v)
	}
	cut := configQuoteMax
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return strconv.Quote(v[:cut]) + "... (" + strconv.Itoa(len(v)) + " bytes)"
}

// Is makes errors.Is(err, ErrConfig) true for every ConfigError.
func (e *ConfigError) Is(target error) bool { return target == ErrConfig }

// ErrConfig matches, through errors.Is, every error New returns for a bad setting.
var ErrConfig = errors.New("powertools: invalid configuration")

// envReader reads typed values from the environment and collects the problems it meets.
type envReader struct {
	lookup func(string) (string, bool)
	errs   []error
}

func (e *envReader) get(key string) (string, bool) {
	v, ok := e.lookup(key)
	if !ok || strings.TrimSpace(v) == "" {
		return "", false
	}
	return strings.TrimSpace(v), true
}

func (e *envReader) fail(key, value, reason string) {
	e.errs = append(e.errs, &ConfigError{Name: key, Value: value, Reason: reason})
}

func (e *envReader) str(key string, dst *string) {
	if v, ok := e.get(key); ok {
		*dst = v
	}
}

func (e *envReader) boolean(key string, dst *bool) {
	v, ok := e.get(key)
	if !ok {
		return
	}
	b, err := parseBool(v)
	if err != nil {
		e.fail(key, v, err.Error())
		return
	}
	*dst = b
}

// float reads a number and reports whether the variable held one.
func (e *envReader) float(key string, dst *float64) bool {
	v, ok := e.get(key)
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		e.fail(key, v, "not a number")
		return false
	}
	*dst = f
	return true
}

func (e *envReader) level(key string, dst *zapcore.Level) {
	v, ok := e.get(key)
	if !ok {
		return
	}
	lvl, err := parseLevel(v)
	if err != nil {
		e.fail(key, v, err.Error())
		return
	}
	*dst = lvl
}

// parseBool accepts the spellings of DESIGN.md, in any case: 1 y yes t true on, 0 n no f false off.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "y", "yes", "t", "true", "on":
		return true, nil
	case "0", "n", "no", "f", "false", "off":
		return false, nil
	}
	return false, errors.New("not a boolean (want one of 1, y, yes, t, true, on, 0, n, no, f, false, off)")
}

// WithLookupEnv replaces the function New reads the environment through. Default: os.LookupEnv. Tests use
// it to give New an environment of their own without touching the process's.
func WithLookupEnv(lookup func(key string) (string, bool)) Option {
	return func(c *config) {
		if lookup == nil {
			c.addErr("WithLookupEnv", "nil", "lookup function must not be nil")
			return
		}
		c.lookupEnv = lookup
	}
}

// WithEnv is WithLookupEnv over a map: only the variables in env exist.
func WithEnv(env map[string]string) Option {
	return WithLookupEnv(func(key string) (string, bool) {
		v, ok := env[key]
		return v, ok
	})
}

// WithService sets the service name carried by every log line, metric blob and trace.
// Default: "service_undefined"; environment: POWERTOOLS_SERVICE_NAME.
func WithService(name string) Option {
	return func(c *config) { c.service = name }
}

// WithDebug turns on debug mode: the library's own diagnostics (resolved configuration, flushes, cache
// hits) written to standard error. Default: false (silent); environment: POWERTOOLS_DEBUG.
func WithDebug(on bool) Option {
	return func(c *config) { c.debug = on }
}

// WithDebugOutput sends the debug-mode diagnostics to w instead of standard error. It does not turn debug
// mode on. Default: os.Stderr.
func WithDebugOutput(w io.Writer) Option {
	return func(c *config) {
		if w == nil {
			c.addErr("WithDebugOutput", "nil", "writer must not be nil")
			return
		}
		c.debugOutput = w
	}
}

// WithClock replaces the clock used for log timestamps, metric timestamps and trace times, for
// deterministic output in tests. Default: time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.addErr("WithClock", "nil", "clock must not be nil")
			return
		}
		c.clock = now
		c.customClock = true
	}
}

// WithMiddleware appends user middleware to the chain Wrap builds. The first registered is the outermost.
// User middleware runs inside the built-in logger, tracer and metrics layers and outside validation.
func WithMiddleware(mw ...Middleware) Option {
	return func(c *config) {
		for _, m := range mw {
			if m == nil {
				c.addErr("WithMiddleware", "nil", "middleware must not be nil")
				continue
			}
			c.middleware = append(c.middleware, m)
		}
	}
}
