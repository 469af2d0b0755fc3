package powertools_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// lambdaEnv is the environment Lambda gives a function.
var lambdaEnv = map[string]string{
	"AWS_LAMBDA_FUNCTION_NAME":        "hello",
	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
	"POWERTOOLS_SERVICE_NAME":         "payment",
}

func mergeEnv(extra map[string]string) map[string]string {
	env := map[string]string{}
	for k, v := range lambdaEnv {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

var (
	locationRE = regexp.MustCompile(`"location":"([^"]*)"`)
	frameRE    = regexp.MustCompile(`"file":"([^"]*/)?([^"/]*)","line":[0-9]+`)
)

// normalizeLocations checks every location is function:line and replaces it with a stable placeholder,
// so goldens do not change when a test file's lines move; stack_trace frames keep their file's base
// name, their line becomes 0.
func normalizeLocations(t *testing.T, out string) string {
	t.Helper()
	valid := regexp.MustCompile(`^[A-Za-z0-9_.()*\[\]]+:[0-9]+$`)
	out = frameRE.ReplaceAllString(out, `"file":"$2","line":0`)
	return locationRE.ReplaceAllStringFunc(out, func(m string) string {
		loc := locationRE.FindStringSubmatch(m)[1]
		if !valid.MatchString(loc) {
			t.Errorf("location %q is not function:line", loc)
		}
		return `"location":"LOCATION"`
	})
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "logger", name+".golden")
	if powertools.UpdateGolden() {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run TestLoggerGolden -update to create it")
	assert.Equal(t, string(want), got)
}

func TestLoggerGolden(t *testing.T) {
	apigw, err := os.ReadFile("testdata/logger/apigw-rest.json")
	require.NoError(t, err)
	tests := []struct {
		name    string
		env     map[string]string
		opts    []powertools.Option
		ctx     context.Context
		payload []byte
		log     func(ctx context.Context)
	}{
		{name: "basic", log: func(ctx context.Context) {
			powertools.Logger(ctx).Info("collecting payment", zap.String("order", "o-1"), zap.Int("amount", 42))
		}},
		{name: "levels", env: map[string]string{"POWERTOOLS_LOG_LEVEL": "DEBUG"}, log: func(ctx context.Context) {
			l := powertools.Logger(ctx)
			l.Debug("d")
			l.Info("i")
			l.Warn("w")
			l.Error("e")
			l.DPanic("c")
		}},
		{name: "below-level", env: map[string]string{"POWERTOOLS_LOG_LEVEL": "WARNING"}, log: func(ctx context.Context) {
			powertools.Logger(ctx).Debug("hidden")
			powertools.Logger(ctx).Info("hidden")
			powertools.Logger(ctx).Warn("shown")
		}},
		{name: "rfc3339", opts: []powertools.Option{powertools.WithLogTimestampRFC3339()}, log: func(ctx context.Context) {
			powertools.Logger(ctx).Info("rfc")
		}},
		{name: "sampling", opts: []powertools.Option{powertools.WithLogSampleRate(1)}, log: func(ctx context.Context) {
			powertools.Logger(ctx).Debug("sampled debug")
		}},
		{name: "log-event", env: map[string]string{"POWERTOOLS_LOGGER_LOG_EVENT": "true"}, payload: apigw, log: func(ctx context.Context) {}},
		{name: "log-event-not-json", opts: []powertools.Option{powertools.WithLogEvent(true)},
			payload: []byte("plain \"text\"\n"), log: func(ctx context.Context) {}},
		{name: "correlation-path", opts: []powertools.Option{powertools.WithCorrelationIDPath(powertools.CorrelationAPIGatewayREST)},
			payload: apigw, log: func(ctx context.Context) {
				powertools.Logger(ctx).Info("with correlation id")
				powertools.SetCorrelationID(ctx, "mine")
				powertools.Logger(ctx).Info("replaced", zap.String("seen", powertools.CorrelationID(ctx)))
			}},
		{name: "append-remove-keys", log: func(ctx context.Context) {
			before := powertools.Logger(ctx).With(zap.String("derived", "before"))
			powertools.AppendKeys(ctx, zap.String("customer", "c-9"), zap.Bool("vip", true))
			before.Info("derived before append sees the keys")
			powertools.Logger(ctx).Named("sub").With(zap.Int("n", 1)).Info("named and with")
			powertools.AppendKeys(ctx, zap.String("customer", "c-10"))
			powertools.Logger(ctx).Info("replaced customer")
			powertools.RemoveKeys(ctx, "vip", "customer")
			powertools.Logger(ctx).Info("removed")
		}},
		{name: "duplicates-and-reserved", log: func(ctx context.Context) {
			powertools.AppendKeys(ctx, zap.String("k", "appended"), zap.String("level", "nope"), zap.String("message", "nope"))
			powertools.Logger(ctx).With(zap.String("k", "with")).Info("dups",
				zap.String("k", "call"), zap.String("timestamp", "nope"), zap.String("location", "nope"),
				zap.String("service", "override"), zap.String("k", "last"))
		}},
		{name: "error", log: func(ctx context.Context) {
			err := fmt.Errorf("charge card: %w", errors.New("declined"))
			powertools.Logger(ctx).Error("payment failed", zap.Error(err), zap.NamedError("cause", errors.New("c")))
			typed := fmt.Errorf("order o-1: %w", &powertools.EventDecodeError{Type: "main.Order", Err: errors.New("unexpected end")})
			powertools.Logger(ctx).Error("wrapped typed error", zap.Error(typed))
		}},
		{name: "trace-from-context", ctx: withTrace(lambdaCtx("req-1"), "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"),
			log: func(ctx context.Context) { powertools.Logger(ctx).Info("traced") }},
		{name: "trace-from-env", env: map[string]string{"_X_AMZN_TRACE_ID": "Root=1-67891233-abcdef012345678912345678;Parent=1;Sampled=0"},
			log: func(ctx context.Context) { powertools.Logger(ctx).Info("traced from env") }},
		{name: "slog", log: func(ctx context.Context) {
			powertools.Slog(ctx).Info("through slog", "order", "o-2", "amount", 7)
			powertools.Slog(ctx).Warn("warned")
		}},
		{name: "escaping", log: func(ctx context.Context) {
			powertools.Logger(ctx).Info("quote \" backslash \\ newline \n tab \t ctrl \x01 bad \xff é", zap.String("k\"ey", "v\n"))
		}},
		{name: "aws-level-stricter", env: map[string]string{"POWERTOOLS_LOG_LEVEL": "DEBUG", "AWS_LAMBDA_LOG_LEVEL": "WARN"},
			log: func(ctx context.Context) {
				powertools.Logger(ctx).Info("hidden by AWS_LAMBDA_LOG_LEVEL")
				powertools.Logger(ctx).Warn("shown")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out syncBuffer
			opts := append([]powertools.Option{powertools.WithLogOutput(&out), powertools.WithClock(fixedClock)}, tt.opts...)
			app := newApp(t, mergeEnv(tt.env), opts...)
			app.Logger().Info("init-time line")
			ctx := tt.ctx
			if ctx == nil {
				ctx = lambdaCtx("req-1")
			}
			payload := tt.payload
			if payload == nil {
				payload = []byte(`{}`)
			}
			_, err := app.Wrap(func(ctx context.Context) error { tt.log(ctx); return nil }).Invoke(ctx, payload)
			require.NoError(t, err)
			lines(t, out.String()) // every line decodes
			checkGolden(t, tt.name, normalizeLocations(t, out.String()))
		})
	}
}

func TestLoggerLocationIsTheCaller(t *testing.T) {
	var out syncBuffer
	app := newApp(t, nil, powertools.WithLogOutput(&out))
	h := app.Wrap(func(ctx context.Context) error {
		powertools.Logger(ctx).Info("here")
		return nil
	})
	_, err := h.Invoke(lambdaCtx("r"), []byte(`{}`))
	require.NoError(t, err)
	got := lines(t, out.String())
	require.Len(t, got, 1)
	assert.Regexp(t, `^TestLoggerLocationIsTheCaller\.func1:\d+$`, got[0]["location"])
}

func TestLoggerOutsideInvocation(t *testing.T) {
	ctx := context.Background()
	require.NotNil(t, powertools.Logger(ctx))
	require.NotNil(t, powertools.Slog(ctx))
	powertools.Logger(ctx).Info("dropped")
	powertools.Slog(ctx).Info("dropped")
	powertools.AppendKeys(ctx, zap.String("a", "b"))
	powertools.RemoveKeys(ctx, "a")
	powertools.SetCorrelationID(ctx, "x")
	assert.Equal(t, "", powertools.CorrelationID(ctx))
}

func TestLoggerSamplingIsPerInvocation(t *testing.T) {
	const invocations = 4000
	const rate = 0.25
	var out syncBuffer
	app := newApp(t, map[string]string{"POWERTOOLS_LOGGER_SAMPLE_RATE": "0.25"}, powertools.WithLogOutput(&out))
	h := app.Wrap(func(ctx context.Context) error {
		powertools.Logger(ctx).Debug("sampled")
		powertools.Logger(ctx).Debug("sampled again")
		return nil
	})
	for i := range invocations {
		_, err := h.Invoke(lambdaCtx(fmt.Sprint(i)), []byte(`{}`))
		require.NoError(t, err)
	}
	perInvocation := map[any]int{}
	for _, l := range lines(t, out.String()) {
		assert.Equal(t, 0.25, l["sampling_rate"])
		perInvocation[l["function_request_id"]]++
	}
	for id, n := range perInvocation {
		assert.Equal(t, 2, n, "invocation %v: a sampled invocation logs all its debug lines", id)
	}
	// Binomial(4000, 0.25): mean 1000, standard deviation ~27.4; six deviations either side.
	sampled := float64(len(perInvocation))
	sd := math.Sqrt(invocations * rate * (1 - rate))
	assert.InDelta(t, invocations*rate, sampled, 6*sd, "sampled invocations")
}

func TestLoggerConcurrentInvocations(t *testing.T) {
	var out syncBuffer
	app := newApp(t, lambdaEnv, powertools.WithLogOutput(&out))
	h := app.Wrap(func(ctx context.Context, n int) (int, error) {
		powertools.AppendKeys(ctx, zap.Int("n", n), zap.String("owner", powertools.RequestID(ctx)))
		for i := range 20 {
			powertools.Logger(ctx).Info("working", zap.Int("step", i))
		}
		return n, nil
	})
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 64 {
		wg.Go(func() {
			<-start
			_, err := h.Invoke(lambdaCtx(fmt.Sprint("req-", i)), []byte(fmt.Sprint(i)))
			assert.NoError(t, err)
		})
	}
	close(start)
	wg.Wait()
	got := lines(t, out.String())
	require.Len(t, got, 64*20)
	cold := map[any]bool{}
	for _, l := range got {
		id := l["function_request_id"].(string)
		assert.Equal(t, id, l["owner"], "a line carries its own invocation's keys")
		assert.Equal(t, "req-"+fmt.Sprint(l["n"]), id)
		cold[id] = l["cold_start"].(bool)
	}
	coldCount := 0
	for _, c := range cold {
		if c {
			coldCount++
		}
	}
	assert.Equal(t, 64, len(cold))
	assert.Equal(t, 1, coldCount, "exactly one invocation is the cold start")
}

func TestStartupFailureLine(t *testing.T) {
	if os.Getenv("POWERTOOLS_TEST_START_FAILURE") == "1" {
		powertools.Start(func() error { return nil })
		return
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := execCommand(exe, "-test.run=^TestStartupFailureLine$")
	cmd.Env = append(os.Environ(), "POWERTOOLS_TEST_START_FAILURE=1", "POWERTOOLS_LOG_LEVEL=LOUD", "POWERTOOLS_DEBUG=maybe")
	stdout, err := cmd.Output()
	var exit interface{ ExitCode() int }
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	got := lines(t, string(stdout))
	require.Len(t, got, 1, "exactly one JSON line: %s", stdout)
	assert.Equal(t, "ERROR", got[0]["level"])
	assert.Equal(t, "powertools: configuration rejected", got[0]["message"])
	assert.Contains(t, got[0]["exception"], `POWERTOOLS_LOG_LEVEL="LOUD"`)
	assert.Contains(t, got[0]["exception"], `POWERTOOLS_DEBUG="maybe"`)
}

// BenchmarkLogLine: one line with two typed fields inside an invocation, against a plain zap JSON logger
// holding the same static fields.
func BenchmarkLogLine(b *testing.B) {
	app := newApp(b, lambdaEnv, powertools.WithLogOutput(io.Discard))
	var ctx context.Context
	_, _ = app.Wrap(func(c context.Context) error { ctx = c; return nil }).Invoke(lambdaCtx("req-1"), []byte(`{}`))
	b.Run("zap-json", func(b *testing.B) {
		l := plainZap(true)
		b.ReportAllocs()
		for b.Loop() {
			l.Info("collecting payment", zap.String("order", "o-1"), zap.Int("amount", 42))
		}
	})
	b.Run("powertools", func(b *testing.B) {
		l := powertools.Logger(ctx)
		b.ReportAllocs()
		for b.Loop() {
			l.Info("collecting payment", zap.String("order", "o-1"), zap.Int("amount", 42))
		}
	})
	b.Run("powertools-Logger(ctx)-each-line", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			powertools.Logger(ctx).Info("collecting payment", zap.String("order", "o-1"), zap.Int("amount", 42))
		}
	})
	b.Run("zap-json-below-level", func(b *testing.B) {
		l := plainZap(true)
		b.ReportAllocs()
		for b.Loop() {
			l.Debug("hidden", zap.String("order", "o-1"), zap.Int("amount", 42))
		}
	})
	b.Run("powertools-below-level", func(b *testing.B) {
		l := powertools.Logger(ctx)
		b.ReportAllocs()
		for b.Loop() {
			l.Debug("hidden", zap.String("order", "o-1"), zap.Int("amount", 42))
		}
	})
}

// plainZap is the baseline: zap's JSON encoder with the same static fields and the caller.
func plainZap(caller bool) *zap.Logger {
	enc := zapcore.NewJSONEncoder(zapcore.EncoderConfig{
		LevelKey: "level", CallerKey: "location", MessageKey: "message", TimeKey: "timestamp",
		EncodeLevel: zapcore.CapitalLevelEncoder, EncodeTime: zapcore.ISO8601TimeEncoder,
		EncodeCaller: zapcore.ShortCallerEncoder, LineEnding: "\n",
	})
	core := zapcore.NewCore(enc, zapcore.AddSync(io.Discard), zapcore.InfoLevel)
	opts := []zap.Option{}
	if caller {
		opts = append(opts, zap.AddCaller())
	}
	return zap.New(core, opts...).With(
		zap.String("service", "payment"), zap.Bool("cold_start", true), zap.String("function_name", "hello"),
		zap.Int("function_memory_size", 128), zap.String("function_arn", "arn:aws:lambda:eu-west-1:123456789012:function:hello"),
		zap.String("function_request_id", "req-1"))
}

// TestLoggerAllocationBudget: a line with typed fields allocates no more than zap's own JSON logger
// writing the same line; a line below the level allocates nothing.
func TestLoggerAllocationBudget(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	app := newApp(t, lambdaEnv, powertools.WithLogOutput(io.Discard))
	var ctx context.Context
	_, _ = app.Wrap(func(c context.Context) error { ctx = c; return nil }).Invoke(lambdaCtx("req-1"), []byte(`{}`))
	ours := powertools.Logger(ctx)
	baseline := plainZap(true)
	line := func(l *zap.Logger) func() {
		return func() { l.Info("collecting payment", zap.String("order", "o-1"), zap.Int("amount", 42)) }
	}
	zapAllocs := testing.AllocsPerRun(500, line(baseline))
	ourAllocs := testing.AllocsPerRun(500, line(ours))
	t.Logf("allocations per line: zap %.0f, powertools %.0f", zapAllocs, ourAllocs)
	assert.LessOrEqual(t, ourAllocs, zapAllocs)
	// Below the level, the only allocation is the variadic fields slice Go builds for the call, zap's as ours;
	// a call without fields, or through Check, allocates nothing.
	below := func(l *zap.Logger) float64 {
		return testing.AllocsPerRun(500, func() { l.Debug("hidden", zap.String("order", "o-1"), zap.Int("amount", 42)) })
	}
	assert.LessOrEqual(t, below(ours), below(baseline))
	assert.Zero(t, testing.AllocsPerRun(500, func() { powertools.Logger(ctx).Debug("hidden") }))
	assert.Zero(t, testing.AllocsPerRun(500, func() {
		if ce := powertools.Logger(ctx).Check(zap.DebugLevel, "hidden"); ce != nil {
			ce.Write(zap.String("order", "o-1"))
		}
	}))
}

// FuzzLogLine: whatever the message, keys and values, a line is one valid JSON object whose strings decode
// back to what was logged (invalid UTF-8 replaced by U+FFFD, as encoding/json does).
func FuzzLogLine(f *testing.F) {
	f.Add("hello", "key", "value", int64(1))
	f.Add("quote \" and \\ and \n", "k\"", "\x00\x1f", int64(-1))
	f.Add("bad utf8 \xff\xfe", "level", "\u2028\u2029", int64(0))
	f.Add("", "", "", int64(1<<62))
	f.Fuzz(func(t *testing.T, msg, key, value string, n int64) {
		var out syncBuffer
		app := newApp(t, nil, powertools.WithLogOutput(&out))
		powertools.AppendKeys(context.Background(), zap.String(key, value)) // outside: no-op
		_, err := app.Wrap(func(ctx context.Context) error {
			powertools.AppendKeys(ctx, zap.String("appended", value))
			powertools.Logger(ctx).Info(msg, zap.String(key, value), zap.Int64("n", n))
			return nil
		}).Invoke(lambdaCtx(value), []byte(`{}`))
		require.NoError(t, err)
		got := lines(t, out.String())
		require.Len(t, got, 1)
		l := got[0]
		assert.Equal(t, perByteUTF8(msg), l["message"])
		assert.Equal(t, perByteUTF8(value), l["appended"])
		switch key {
		case "level", "location", "message", "timestamp":
			// reserved: the user's field is dropped
		case "n":
			assert.Equal(t, float64(n), l["n"])
		default:
			assert.Equal(t, perByteUTF8(value), l[perByteUTF8(key)])
		}
	})
}

// perByteUTF8 replaces every byte of invalid UTF-8 by U+FFFD, as encoding/json and zap do.
func perByteUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r) // RuneError is U+FFFD
		i += size
	}
	return b.String()
}

// floatObject is a zap.ObjectMarshaler with a whole float and an int.
type floatObject struct{}

func (floatObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddFloat64("v", 7)
	enc.AddInt("n", 7)
	return nil
}

var framesRE = regexp.MustCompile(`"frames":\[[^\]]*\]`)

// TestLoggerPythonDialect: one golden per point of the Python dialect, whose expected bytes are written
// by testdata/logger/python/generate.py the way Powertools for Python v3 writes them (its formatter's
// algorithm and json.dumps). Locations and stack_trace frames are normalized (TestLoggerStackTraceFrames
// checks the frames).
func TestLoggerPythonDialect(t *testing.T) {
	_, pathErr := os.Open("/nonexistent/powertools")
	require.Error(t, pathErr)
	traced := withTrace(lambdaCtx("req-1"), "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	tests := []struct {
		name string
		env  map[string]string
		opts []powertools.Option
		ctx  context.Context
		log  func(ctx context.Context)
	}{
		{name: "duplicate-keys", opts: []powertools.Option{powertools.WithLogSampleRate(1)}, ctx: traced, log: func(ctx context.Context) {
			powertools.AppendKeys(ctx, zap.String("xray_trace_id", "user-trace"), zap.Float64("sampling_rate", 0.5), zap.Bool("cold_start", false))
			powertools.Logger(ctx).Error("failed", zap.String("exception", "mine"), zap.Error(errors.New("boom")))
		}},
		{name: "reappend", log: func(ctx context.Context) {
			powertools.AppendKeys(ctx, zap.Int("a", 1))
			powertools.AppendKeys(ctx, zap.Int("b", 2))
			powertools.AppendKeys(ctx, zap.Int("a", 3))
			powertools.Logger(ctx).Info("keys")
		}},
		{name: "floats", log: func(ctx context.Context) {
			powertools.AppendKeys(ctx, zap.Float64("appended", 5))
			powertools.Logger(ctx).Info("floats", zap.Float64("whole", 12), zap.Int("int", 12), zap.Float64("frac", 0.1),
				zap.Float64("big", 1e16), zap.Float64("small", 1.5e-7), zap.Float32("f32", 2), zap.Float64s("list", []float64{1, 2.5}),
				zap.Any("obj", map[string]any{"f": 1.0, "i": 1, "nested": []any{3.0, 4}}), zap.Object("marshaled", floatObject{}),
				zap.Float64("negzero", math.Copysign(0, -1)))
		}},
		{name: "nulls", log: func(ctx context.Context) {
			powertools.AppendKeys(ctx, zap.Any("gone", nil))
			powertools.Logger(ctx).Info("nulls", zap.Any("nil", nil), zap.Stringp("nilptr", nil),
				zap.Any("nested", map[string]any{"inner": nil}), zap.Any("list", []any{nil, 1}), zap.String("kept", "v"),
				zap.NamedError("nilerr", nil))
		}},
		{name: "exception-name", log: func(ctx context.Context) {
			powertools.Logger(ctx).Error("load failed", zap.Error(fmt.Errorf("load: %w", pathErr)))
		}},
		{name: "stack-trace-off", opts: []powertools.Option{powertools.WithLogStackTrace(false)}, log: func(ctx context.Context) {
			powertools.Logger(ctx).Error("load failed", zap.Error(pathErr))
		}},
		{name: "escaping", log: func(ctx context.Context) {
			powertools.Logger(ctx).Info("b\bf\fls\u2028ps\u2029é<&>\x01\x7f", zap.String("k\b", "v\f\u2028"))
		}},
		{name: "sampling-after-service", env: map[string]string{"POWERTOOLS_LOGGER_SAMPLE_RATE": "1"}, log: func(ctx context.Context) {
			powertools.AppendKeys(ctx, zap.String("order", "o-1"))
			powertools.Logger(ctx).Info("sampled")
		}},
		{name: "rfc3339", opts: []powertools.Option{powertools.WithLogTimestampRFC3339()}, log: func(ctx context.Context) {
			powertools.Logger(ctx).Info("rfc")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out syncBuffer
			opts := append([]powertools.Option{powertools.WithLogOutput(&out), powertools.WithClock(fixedClock)}, tt.opts...)
			app := newApp(t, mergeEnv(tt.env), opts...)
			ctx := tt.ctx
			if ctx == nil {
				ctx = lambdaCtx("req-1")
			}
			_, err := app.Wrap(func(ctx context.Context) error { tt.log(ctx); return nil }).Invoke(ctx, []byte(`{}`))
			require.NoError(t, err)
			lines(t, out.String())
			got := framesRE.ReplaceAllString(normalizeLocations(t, out.String()), `"frames":["FRAMES"]`)
			want, err := os.ReadFile(filepath.Join("testdata", "logger", "python", tt.name+".golden"))
			require.NoError(t, err, "python3 testdata/logger/python/generate.py writes it")
			assert.Equal(t, string(want), got)
		})
	}
}

// TestStartupFailureKeepsTheService: the configuration-error line carries the service the options and
// the environment give, whatever else failed.
func TestStartupFailureKeepsTheService(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []powertools.Option
		want string
	}{
		{"option", []powertools.Option{powertools.WithService("api"), powertools.WithEnv(map[string]string{"POWERTOOLS_LOG_LEVEL": "LOUD"})}, "api"},
		{"environment", []powertools.Option{powertools.WithEnv(map[string]string{"POWERTOOLS_SERVICE_NAME": "billing", "POWERTOOLS_LOG_LEVEL": "LOUD"})}, "billing"},
		{"empty service", []powertools.Option{powertools.WithService(" "), powertools.WithEnv(nil)}, "service_undefined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := powertools.New(tc.opts...)
			require.Error(t, err)
			var out syncBuffer
			powertools.LogStartupFailure(&out, err, tc.opts)
			got := lines(t, out.String())
			require.Len(t, got, 1)
			assert.Equal(t, tc.want, got[0]["service"])
			assert.Equal(t, "powertools: configuration rejected", got[0]["message"])
		})
	}
}

// BenchmarkLogManyKeys: the cost of one line with n per-call fields, and of n AppendKeys calls (one key
// each) followed by one line, at 10, 1 000 and 10 000 keys. Both are linear: the per-key cost stays flat.
func BenchmarkLogManyKeys(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		fields := make([]zap.Field, n)
		for i := range fields {
			fields[i] = zap.Int(fmt.Sprint("k", i), i)
		}
		app := newApp(b, lambdaEnv, powertools.WithLogOutput(io.Discard))
		b.Run(fmt.Sprintf("fields=%d", n), func(b *testing.B) {
			var ctx context.Context
			_, _ = app.Wrap(func(c context.Context) error { ctx = c; return nil }).Invoke(lambdaCtx("req-1"), []byte(`{}`))
			l := powertools.Logger(ctx)
			b.ReportAllocs()
			for b.Loop() {
				l.Info("many fields", fields...)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/key")
		})
		b.Run(fmt.Sprintf("AppendKeys=%d", n), func(b *testing.B) {
			h := app.Wrap(func(ctx context.Context) error {
				for i := range fields {
					powertools.AppendKeys(ctx, fields[i])
				}
				powertools.Logger(ctx).Info("many keys")
				return nil
			})
			b.ReportAllocs()
			for b.Loop() {
				_, _ = h.Invoke(lambdaCtx("req-1"), []byte(`{}`))
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/key")
		})
	}
}

// TestLoggerManyKeys: lines with many keys and many AppendKeys calls stay correct: every key once, in
// first-appended order, the last value.
func TestLoggerManyKeys(t *testing.T) {
	const n = 10000
	var out syncBuffer
	app := newApp(t, nil, powertools.WithLogOutput(&out))
	_, err := app.Wrap(func(ctx context.Context) error {
		for i := range n {
			powertools.AppendKeys(ctx, zap.Int(fmt.Sprint("a", i), i))
		}
		powertools.AppendKeys(ctx, zap.String("a0", "again"))
		powertools.RemoveKeys(ctx, "a1")
		fields := make([]zap.Field, 0, n+1)
		for i := range n {
			fields = append(fields, zap.Int(fmt.Sprint("f", i), i))
		}
		fields = append(fields, zap.String("f0", "last"))
		powertools.Logger(ctx).Info("many", fields...)
		return nil
	}).Invoke(lambdaCtx("r"), []byte(`{}`))
	require.NoError(t, err)
	got := lines(t, out.String())
	require.Len(t, got, 1)
	l := got[0]
	assert.Equal(t, "again", l["a0"])
	assert.NotContains(t, l, "a1")
	assert.Equal(t, float64(n-1), l[fmt.Sprint("a", n-1)])
	assert.Equal(t, "last", l["f0"])
	// the four fixed keys; service, cold_start, function_arn, function_request_id; the appended keys less
	// the removed one; the fields
	assert.Equal(t, 4+4+n-1+n, len(l))
	raw := out.String()
	assert.Less(t, strings.Index(raw, `"a0":"again"`), strings.Index(raw, `"a2":2`), "a re-appended key keeps its place")
	assert.Equal(t, 1, strings.Count(raw, `"f0":`))
}
