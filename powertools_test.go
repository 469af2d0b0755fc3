package powertools_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type greeting struct {
	Name string `json:"name"`
}

type reply struct {
	Message string `json:"message"`
}

var errHandler = errors.New("handler failed")

// readerReply is a response that is an io.Reader with no exported field: aws-lambda-go streams it instead
// of encoding it.
type readerReply struct{ r io.Reader }

func (r readerReply) Read(p []byte) (int, error) { return r.r.Read(p) }

func TestWrapSignatures(t *testing.T) {
	tests := []struct {
		name    string
		handler any
		payload string
		want    string
		wantErr error
	}{
		{"func()", func() {}, `{}`, `null`, nil},
		{"func() error", func() error { return nil }, `{}`, `null`, nil},
		{"func() error failing", func() error { return errHandler }, `{}`, ``, errHandler},
		{"func(TIn) error", func(g greeting) error {
			if g.Name != "go" {
				return errHandler
			}
			return nil
		}, `{"name":"go"}`, `null`, nil},
		{"func() (TOut, error)", func() (reply, error) { return reply{"hi"}, nil }, `{}`, `{"message":"hi"}`, nil},
		{"func(TIn) (TOut, error)", func(g greeting) (reply, error) { return reply{"hi " + g.Name}, nil },
			`{"name":"go"}`, `{"message":"hi go"}`, nil},
		{"func(ctx) error", func(ctx context.Context) error { return ctx.Err() }, `{}`, `null`, nil},
		{"func(ctx, TIn) error", func(_ context.Context, g greeting) error { return nil }, `{"name":"x"}`, `null`, nil},
		{"func(ctx) (TOut, error)", func(context.Context) (*reply, error) { return &reply{"p"}, nil }, `{}`, `{"message":"p"}`, nil},
		{"func(ctx, TIn) (TOut, error)", func(_ context.Context, g greeting) (reply, error) { return reply{g.Name}, nil },
			`{"name":"<b>"}`, `{"message":"<b>"}`, nil},
		{"func(ctx, TIn) (TOut, error) failing", func(context.Context, greeting) (reply, error) { return reply{}, errHandler },
			`{"name":"x"}`, ``, errHandler},
		{"func(ctx, map) (map, error)", func(_ context.Context, m map[string]int) (map[string]int, error) {
			m["b"] = 2
			return m, nil
		}, `{"a":1}`, `{"a":1,"b":2}`, nil},
		{"func(ctx, []byte) ([]byte, error) is JSON", func(_ context.Context, b []byte) ([]byte, error) { return b, nil },
			`"aGk="`, `"aGk="`, nil},
		{"func(ctx, TIn) (io.Reader, error) streams", func(context.Context, greeting) (readerReply, error) {
			return readerReply{strings.NewReader("raw bytes")}, nil
		}, `{}`, `raw bytes`, nil},
		{"Handler value", powertools.HandlerFunc(func(_ context.Context, p []byte) ([]byte, error) { return p, nil }),
			`anything`, `anything`, nil},
		{"lambda.Handler from aws-lambda-go", lambda.NewHandler(func() (string, error) { return "s", nil }), `{}`, `"s"`, nil},
	}
	app := newApp(t, nil, powertools.WithLogOutput(io.Discard))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := app.Wrap(tt.handler).Invoke(lambdaCtx("req"), []byte(tt.payload))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, out)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
		})
	}
}

func TestWrapBadPayload(t *testing.T) {
	app := newApp(t, nil, powertools.WithLogOutput(io.Discard))
	called := false
	h := app.Wrap(func(context.Context, greeting) error { called = true; return nil })
	_, err := h.Invoke(lambdaCtx("req"), []byte(`{"name":`))
	var de *powertools.EventDecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "powertools_test.greeting", de.Type)
	assert.True(t, strings.HasPrefix(err.Error(), "powertools: "), err.Error())
	assert.False(t, called, "the handler must not run on an undecodable event")

	_, err = powertools.WrapFunc(app, func(context.Context, greeting) (reply, error) { return reply{}, nil }).
		Invoke(lambdaCtx("req"), []byte(`[1]`))
	require.ErrorAs(t, err, &de)
}

// TestWrapDecoderPanic: aws-lambda-go's DynamoDBAttributeValue.UnmarshalJSON panics on {"BS":[0]}; through
// Wrap and WrapFunc that is a decode error of the event, never a *PanicError of the handler.
func TestWrapDecoderPanic(t *testing.T) {
	logs := new(syncBuffer)
	app := newApp(t, nil, powertools.WithLogOutput(logs))
	event := []byte(`{"Records":[{"eventID":"e1","dynamodb":{"NewImage":{"a":{"BS":[0]}}}}]}`)
	handlers := map[string]powertools.Handler{
		"Wrap":     app.Wrap(func(context.Context, events.DynamoDBEvent) error { return nil }),
		"WrapFunc": powertools.WrapFunc(app, func(context.Context, events.DynamoDBEvent) (string, error) { return "", nil }),
	}
	for name, h := range handlers {
		_, err := h.Invoke(lambdaCtx("req-"+name), event)
		var de *powertools.EventDecodeError
		var pe *powertools.PanicError
		require.ErrorAs(t, err, &de, name)
		assert.False(t, errors.As(err, &pe), "%s: %v", name, err)
		assert.Contains(t, err.Error(), "events.DynamoDBEvent", name)
	}
	assert.NotContains(t, logs.String(), "handler panicked", "no panic line")
	assert.Equal(t, 2, strings.Count(logs.String(), "does not decode"), "one decode-error line per invocation")
}

func TestWrapFunc(t *testing.T) {
	tests := []struct {
		name    string
		handler powertools.Handler
		payload string
		want    string
		wantErr error
	}{
		{"struct to struct", powertools.WrapFunc(newApp(t, nil), func(_ context.Context, g greeting) (reply, error) {
			return reply{"hello " + g.Name}, nil
		}), `{"name":"gopher"}`, `{"message":"hello gopher"}`, nil},
		{"error", powertools.WrapFunc(newApp(t, nil), func(context.Context, greeting) (reply, error) {
			return reply{}, errHandler
		}), `{}`, ``, errHandler},
		{"pointer out, no HTML escaping", powertools.WrapFunc(newApp(t, nil), func(_ context.Context, s string) (*reply, error) {
			return &reply{s}, nil
		}), `"a<b>&"`, `{"message":"a<b>&"}`, nil},
		{"any in, any out", powertools.WrapFunc(newApp(t, nil), func(_ context.Context, v any) (any, error) { return v, nil }),
			`{"x":[1,2]}`, `{"x":[1,2]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.handler.Invoke(lambdaCtx("req"), []byte(tt.payload))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
		})
	}
}

func TestWrapRejectsBadSignatures(t *testing.T) {
	tests := []struct {
		name    string
		handler any
		want    string
	}{
		{"nil", nil, "handler is nil"},
		{"not a func", 42, "handler kind int is not func"},
		{"nil func", (func())(nil), "nil func"},
		{"three args", func(context.Context, int, int) {}, "more than two arguments"},
		{"first of two is not context", func(int, int) {}, "first is not context.Context"},
		{"interface arg that is not context", func(fmt.Stringer) {}, "not context.Context"},
		{"three returns", func() (int, int, error) { return 0, 0, nil }, "more than two values"},
		{"second return not error", func() (int, int) { return 0, 0 }, "second (int) is not error"},
		{"single return not error", func() int { return 0 }, "single value, but it (int) is not error"},
	}
	app := newApp(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				v := recover()
				require.NotNil(t, v, "Wrap must panic on a bad handler")
				msg := fmt.Sprint(v)
				assert.True(t, strings.HasPrefix(msg, "powertools: Wrap: "), msg)
				assert.Contains(t, msg, tt.want)
			}()
			app.Wrap(tt.handler)
		})
	}
	t.Run("WrapFunc nil", func(t *testing.T) {
		assert.PanicsWithValue(t, "powertools: Wrap: handler is nil", func() {
			powertools.WrapFunc[int, int](app, nil)
		})
	})
}

func TestBooleanSpellings(t *testing.T) {
	for _, v := range []string{"1", "y", "yes", "t", "true", "on", "Y", "YES", "True", "ON", " on "} {
		t.Run("true/"+v, func(t *testing.T) {
			app := newApp(t, map[string]string{"POWERTOOLS_LOGGER_LOG_EVENT": v}, powertools.WithLogOutput(io.Discard))
			assert.True(t, powertools.DebugConfig(app).LogEvent)
		})
	}
	for _, v := range []string{"0", "n", "no", "f", "false", "off", "N", "No", "FALSE", "Off"} {
		t.Run("false/"+v, func(t *testing.T) {
			app := newApp(t, map[string]string{"POWERTOOLS_LOGGER_LOG_EVENT": v}, powertools.WithLogEvent(false))
			assert.False(t, powertools.DebugConfig(app).LogEvent)
			app = newApp(t, map[string]string{"POWERTOOLS_DEBUG": v})
			assert.False(t, powertools.DebugConfig(app).Debug)
		})
	}
	for _, v := range []string{"maybe", "2", "yess", "tru", "enabled", "-1"} {
		t.Run("invalid/"+v, func(t *testing.T) {
			_, err := powertools.New(powertools.WithEnv(map[string]string{"POWERTOOLS_DEBUG": v}))
			require.Error(t, err)
			var ce *powertools.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "POWERTOOLS_DEBUG", ce.Name)
			assert.Equal(t, v, ce.Value)
			assert.ErrorIs(t, err, powertools.ErrConfig)
			assert.Contains(t, err.Error(), `POWERTOOLS_DEBUG="`+v+`"`)
		})
	}
}

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := powertools.New(
		powertools.WithEnv(map[string]string{
			"POWERTOOLS_DEBUG":              "maybe",
			"POWERTOOLS_LOG_LEVEL":          "LOUD",
			"POWERTOOLS_LOGGER_SAMPLE_RATE": "1.5",
			"POWERTOOLS_LOGGER_LOG_EVENT":   "sometimes",
		}),
		powertools.WithLogSampleRate(2),
		powertools.WithLogLevel("verbose"),
		powertools.WithCorrelationIDPath("requestContext.["),
	)
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{
		`POWERTOOLS_DEBUG="maybe"`,
		`POWERTOOLS_LOG_LEVEL="LOUD"`,
		`POWERTOOLS_LOGGER_SAMPLE_RATE="1.5"`,
		`POWERTOOLS_LOGGER_LOG_EVENT="sometimes"`,
		`WithLogSampleRate="2"`,
		`WithLogLevel="verbose"`,
		`WithCorrelationIDPath="requestContext.["`,
	} {
		assert.Contains(t, msg, want)
	}
	for _, line := range strings.Split(msg, "\n") {
		assert.True(t, strings.HasPrefix(line, "powertools: "), line)
	}
}

func TestPrecedence(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		opts    []powertools.Option
		service string
		level   string
	}{
		{"defaults", nil, nil, "service_undefined", "INFO"},
		{"environment over default", map[string]string{"POWERTOOLS_SERVICE_NAME": "env-svc", "POWERTOOLS_LOG_LEVEL": "debug"},
			nil, "env-svc", "DEBUG"},
		{"option over environment", map[string]string{"POWERTOOLS_SERVICE_NAME": "env-svc", "POWERTOOLS_LOG_LEVEL": "debug"},
			[]powertools.Option{powertools.WithService("opt-svc"), powertools.WithLogLevel("ERROR")}, "opt-svc", "ERROR"},
		{"POWERTOOLS_LOG_LEVEL over LOG_LEVEL", map[string]string{"POWERTOOLS_LOG_LEVEL": "WARNING", "LOG_LEVEL": "DEBUG"},
			nil, "service_undefined", "WARNING"},
		{"LOG_LEVEL alone", map[string]string{"LOG_LEVEL": "error"}, nil, "service_undefined", "ERROR"},
		{"AWS_LAMBDA_LOG_LEVEL wins when stricter", map[string]string{"POWERTOOLS_LOG_LEVEL": "DEBUG", "AWS_LAMBDA_LOG_LEVEL": "WARN"},
			nil, "service_undefined", "WARNING"},
		{"AWS_LAMBDA_LOG_LEVEL loses when looser", map[string]string{"POWERTOOLS_LOG_LEVEL": "ERROR", "AWS_LAMBDA_LOG_LEVEL": "DEBUG"},
			nil, "service_undefined", "ERROR"},
		{"AWS_LAMBDA_LOG_LEVEL beats an option too", map[string]string{"AWS_LAMBDA_LOG_LEVEL": "ERROR"},
			[]powertools.Option{powertools.WithLogLevel("DEBUG")}, "service_undefined", "ERROR"},
		{"empty variable is unset", map[string]string{"POWERTOOLS_SERVICE_NAME": " "}, nil, "service_undefined", "INFO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := newApp(t, tt.env, append(tt.opts, powertools.WithLogOutput(io.Discard))...)
			assert.Equal(t, tt.service, app.Service())
			assert.Equal(t, tt.level, powertools.DebugConfig(app).LogLevel)
		})
	}
}

func TestLookupEnvIsTheOnlySource(t *testing.T) {
	t.Setenv("POWERTOOLS_SERVICE_NAME", "from-process")
	var asked []string
	app, err := powertools.New(powertools.WithLookupEnv(func(k string) (string, bool) {
		asked = append(asked, k)
		return "", false
	}))
	require.NoError(t, err)
	assert.Equal(t, "service_undefined", app.Service())
	assert.Contains(t, asked, "POWERTOOLS_SERVICE_NAME")

	app, err = powertools.New()
	require.NoError(t, err)
	assert.Equal(t, "from-process", app.Service(), "without WithLookupEnv, New reads the process environment")
}

// record is a middleware that logs its name around next.
func record(name string, trace *[]string, mu *sync.Mutex) powertools.Middleware {
	return func(next powertools.Handler) powertools.Handler {
		return powertools.HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			mu.Lock()
			*trace = append(*trace, name+" in")
			mu.Unlock()
			out, err := next.Invoke(ctx, payload)
			mu.Lock()
			*trace = append(*trace, name+" out")
			mu.Unlock()
			return out, err
		})
	}
}

func TestMiddleware(t *testing.T) {
	var mu sync.Mutex
	var trace []string
	echo := func(_ context.Context, p []byte) ([]byte, error) {
		mu.Lock()
		trace = append(trace, "handler")
		mu.Unlock()
		return p, nil
	}

	t.Run("first registered is outermost", func(t *testing.T) {
		trace = nil
		app := newApp(t, nil, powertools.WithMiddleware(record("a", &trace, &mu), record("b", &trace, &mu)),
			powertools.WithMiddleware(record("c", &trace, &mu)))
		out, err := app.Wrap(powertools.HandlerFunc(echo)).Invoke(lambdaCtx("r"), []byte(`1`))
		require.NoError(t, err)
		assert.Equal(t, "1", string(out))
		assert.Equal(t, []string{"a in", "b in", "c in", "handler", "c out", "b out", "a out"}, trace)
	})

	t.Run("replaces payload and response", func(t *testing.T) {
		upper := func(next powertools.Handler) powertools.Handler {
			return powertools.HandlerFunc(func(ctx context.Context, p []byte) ([]byte, error) {
				out, err := next.Invoke(ctx, []byte(strings.ToUpper(string(p))))
				return append(out, '!'), err
			})
		}
		app := newApp(t, nil, powertools.WithMiddleware(upper))
		out, err := app.Wrap(func(_ context.Context, s string) (string, error) { return s + s, nil }).
			Invoke(lambdaCtx("r"), []byte(`"ab"`))
		require.NoError(t, err)
		assert.Equal(t, `"ABAB"!`, string(out))
	})

	t.Run("short-circuits", func(t *testing.T) {
		trace = nil
		stop := func(powertools.Handler) powertools.Handler {
			return powertools.HandlerFunc(func(context.Context, []byte) ([]byte, error) { return []byte(`"cached"`), nil })
		}
		app := newApp(t, nil, powertools.WithMiddleware(record("a", &trace, &mu), stop, record("c", &trace, &mu)))
		out, err := app.Wrap(powertools.HandlerFunc(echo)).Invoke(lambdaCtx("r"), []byte(`1`))
		require.NoError(t, err)
		assert.Equal(t, `"cached"`, string(out))
		assert.Equal(t, []string{"a in", "a out"}, trace)
	})

	t.Run("sees and replaces the handler's error", func(t *testing.T) {
		var seen error
		wrapErr := func(next powertools.Handler) powertools.Handler {
			return powertools.HandlerFunc(func(ctx context.Context, p []byte) ([]byte, error) {
				out, err := next.Invoke(ctx, p)
				seen = err
				if err != nil {
					return nil, fmt.Errorf("mw: %w", err)
				}
				return out, nil
			})
		}
		app := newApp(t, nil, powertools.WithMiddleware(wrapErr))
		_, err := app.Wrap(func() error { return errHandler }).Invoke(lambdaCtx("r"), []byte(`{}`))
		assert.ErrorIs(t, seen, errHandler)
		assert.ErrorIs(t, err, errHandler)
		assert.Equal(t, "mw: handler failed", err.Error())
	})

	t.Run("nil middleware is a New error", func(t *testing.T) {
		_, err := powertools.New(powertools.WithEnv(nil), powertools.WithMiddleware(nil))
		assert.ErrorContains(t, err, "WithMiddleware")
	})
}

func TestPanicsAreConfinedToTheirInvocation(t *testing.T) {
	boom := func(next powertools.Handler) powertools.Handler {
		return powertools.HandlerFunc(func(ctx context.Context, p []byte) ([]byte, error) {
			if string(p) == `"middleware"` {
				panic("middleware exploded")
			}
			return next.Invoke(ctx, p)
		})
	}
	tests := []struct {
		payload string
		panics  string
	}{
		{`"handler"`, "handler exploded"},
		{`"middleware"`, "middleware exploded"},
		{`"fine"`, ""},
	}
	out := &syncBuffer{}
	app := newApp(t, nil, powertools.WithMiddleware(boom), powertools.WithLogOutput(out))
	h := app.Wrap(func(_ context.Context, s string) (string, error) {
		if s == "handler" {
			panic(errors.New("handler exploded"))
		}
		return s, nil
	})
	var wg sync.WaitGroup
	for i := range 64 {
		tt := tests[i%len(tests)]
		wg.Go(func() {
			res, err := h.Invoke(lambdaCtx(fmt.Sprint("req-", i)), []byte(tt.payload))
			if tt.panics == "" {
				assert.NoError(t, err)
				assert.Equal(t, tt.payload, string(res))
				return
			}
			var pe *powertools.PanicError
			if assert.ErrorAs(t, err, &pe) {
				assert.Contains(t, pe.Error(), tt.panics)
				assert.True(t, strings.HasPrefix(pe.Error(), "powertools: panic: "))
				assert.NotEmpty(t, pe.Stack)
			}
		})
	}
	wg.Wait()
	panicLines := 0
	for _, l := range lines(t, out.String()) {
		if l["level"] == "ERROR" {
			panicLines++
			assert.Equal(t, "*powertools.PanicError", l["exception_name"])
			assert.Contains(t, l["stack"], "goroutine")
			assert.Contains(t, l["function_request_id"], "req-")
		}
	}
	assert.Equal(t, 43, panicLines, "one ERROR line per panicking invocation") // 64 invocations, 2 of every 3 panic
	// an error wrapped in a panic stays reachable
	_, err := h.Invoke(lambdaCtx("x"), []byte(`"handler"`))
	assert.EqualError(t, errors.Unwrap(err), "handler exploded")
}

func TestColdStartExactlyOnceUnderConcurrency(t *testing.T) {
	app := newApp(t, nil)
	var cold atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	h := app.Wrap(func(ctx context.Context) error {
		if powertools.IsColdStart(ctx) {
			cold.Add(1)
		}
		return nil
	})
	for i := range 64 {
		wg.Go(func() {
			<-start
			_, err := h.Invoke(lambdaCtx(fmt.Sprint(i)), []byte(`{}`))
			assert.NoError(t, err)
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), cold.Load())
	assert.False(t, powertools.IsColdStart(context.Background()))
}

func TestInvocationStateInContext(t *testing.T) {
	app := newApp(t, nil)
	type key struct{}
	var gotID, gotValue string
	h := app.Wrap(func(ctx context.Context) error {
		gotID = powertools.RequestID(ctx)
		gotValue, _ = ctx.Value(key{}).(string)
		return nil
	})
	ctx := context.WithValue(lambdaCtx("abc-123"), key{}, "kept")
	_, err := h.Invoke(ctx, []byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, "abc-123", gotID)
	assert.Equal(t, "kept", gotValue, "the parent context's values stay reachable")
	assert.Equal(t, "", powertools.RequestID(context.Background()))
}

func TestDebugMode(t *testing.T) {
	var debug syncBuffer
	newApp(t, map[string]string{"POWERTOOLS_DEBUG": "true"}, powertools.WithDebugOutput(&debug), powertools.WithService("dbg"))
	got := lines(t, debug.String())
	require.Len(t, got, 1)
	assert.Equal(t, "DEBUG", got[0]["level"])
	assert.Equal(t, "powertools: configuration resolved", got[0]["message"])
	assert.Equal(t, "dbg", got[0]["service"])

	var silent syncBuffer
	newApp(t, nil, powertools.WithDebugOutput(&silent))
	assert.Empty(t, silent.String(), "debug mode is off by default")
}

// benchHandler is the handler every Wrap benchmark runs: decode, a little work, encode.
func benchHandler(_ context.Context, g greeting) (reply, error) { return reply{Message: g.Name}, nil }

var benchPayload = []byte(`{"name":"gopher"}`)

func benchInvoke(b *testing.B, h powertools.Handler) {
	ctx := lambdaCtx("bench")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, benchPayload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInvoke(b *testing.B) {
	app := newApp(b, nil, powertools.WithLogOutput(io.Discard))
	b.Run("bare-lambda.NewHandler", func(b *testing.B) { benchInvoke(b, lambda.NewHandler(benchHandler)) })
	b.Run("Wrap", func(b *testing.B) { benchInvoke(b, app.Wrap(benchHandler)) })
	b.Run("WrapFunc", func(b *testing.B) { benchInvoke(b, powertools.WrapFunc(app, benchHandler)) })
	b.Run("Wrap-Handler", func(b *testing.B) {
		benchInvoke(b, app.Wrap(powertools.HandlerFunc(func(_ context.Context, p []byte) ([]byte, error) { return p, nil })))
	})
}

// TestWrapAllocationBudget: with every feature off, Wrap adds at most 3 allocations per invocation over
// bare aws-lambda-go running the same handler.
func TestWrapAllocationBudget(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	app := newApp(t, nil, powertools.WithLogOutput(io.Discard))
	ctx := lambdaCtx("alloc")
	allocs := func(h powertools.Handler) float64 {
		return testing.AllocsPerRun(200, func() {
			if _, err := h.Invoke(ctx, benchPayload); err != nil {
				t.Fatal(err)
			}
		})
	}
	bare := allocs(lambda.NewHandler(benchHandler))
	wrapped := allocs(app.Wrap(benchHandler))
	typed := allocs(powertools.WrapFunc(app, benchHandler))
	t.Logf("allocations per invocation: bare %.0f, Wrap %.0f, WrapFunc %.0f", bare, wrapped, typed)
	assert.LessOrEqual(t, wrapped, bare+3, "Wrap")
	assert.LessOrEqual(t, typed, bare+3, "WrapFunc")

	raw := powertools.HandlerFunc(func(_ context.Context, p []byte) ([]byte, error) { return p, nil })
	assert.LessOrEqual(t, allocs(app.Wrap(raw)), allocs(raw)+3, "Wrap of a Handler")
}
