package powertools_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/gopowertools/powertools"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

// stackTraceOf returns the stack_trace object of a line.
func stackTraceOf(t *testing.T, l map[string]any) (frames []map[string]any, st map[string]any) {
	t.Helper()
	st, ok := l["stack_trace"].(map[string]any)
	require.True(t, ok, "no stack_trace in %v", l)
	for _, f := range st["frames"].([]any) {
		frames = append(frames, f.(map[string]any))
	}
	require.NotEmpty(t, frames)
	return frames, st
}

func hereLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}

func panicInUserCode() { panic(fmt.Sprintf("deep %d", 42)) }

// TestLoggerStackTraceFrames: the frames of a logged error end (innermost, last as in Python) at the
// logging call; those of a panic at the call that panicked, which is also the panic line's location. The
// frames stop where the library called the handler, and INFO lines and WithLogStackTrace(false) have none.
func TestLoggerStackTraceFrames(t *testing.T) {
	var out syncBuffer
	app := newApp(t, nil, powertools.WithLogOutput(&out))
	var logLine int
	h := app.Wrap(func(ctx context.Context, what string) error {
		switch what {
		case "log":
			logLine = hereLine() + 1
			powertools.Logger(ctx).Error("failed", zap.Error(errors.New("boom")))
			powertools.Logger(ctx).Info("info with error", zap.Error(errors.New("not an error line")))
		case "panic":
			panicInUserCode()
		}
		return nil
	})
	_, err := h.Invoke(lambdaCtx("r1"), []byte(`"log"`))
	require.NoError(t, err)
	_, err = h.Invoke(lambdaCtx("r2"), []byte(`"panic"`))
	var pe *powertools.PanicError
	require.ErrorAs(t, err, &pe)

	got := lines(t, out.String())
	require.Len(t, got, 3)
	frames, st := stackTraceOf(t, got[0])
	assert.Equal(t, "error", st["type"])
	assert.Equal(t, "boom", st["value"])
	assert.Equal(t, "builtin", st["module"])
	last := frames[len(frames)-1]
	assert.Equal(t, float64(logLine), last["line"], "innermost frame: the logging call")
	assert.True(t, strings.HasSuffix(last["file"].(string), "/logstack_test.go"), last["file"])
	assert.Regexp(t, `^TestLoggerStackTraceFrames\.func1$`, last["function"])
	assert.Equal(t, "", last["statement"])
	for _, f := range frames {
		assert.NotContains(t, f["function"], "zap", "no logging machinery")
		assert.NotContains(t, f["function"], "recoverPanics", "the frames stop at the handler")
		assert.NotRegexp(t, `^runtime\.`, f["function"])
	}
	assert.NotContains(t, got[1], "stack_trace", "INFO lines have none")

	frames, st = stackTraceOf(t, got[2])
	assert.Equal(t, "*powertools.PanicError", st["type"])
	assert.Equal(t, "github.com/gopowertools/powertools", st["module"])
	assert.Equal(t, "powertools: panic: deep 42", st["value"])
	assert.Equal(t, "panicInUserCode", frames[len(frames)-1]["function"], "innermost frame: the panic")
	assert.Equal(t, "TestLoggerStackTraceFrames.func1", frames[len(frames)-2]["function"])
	assert.Regexp(t, `^panicInUserCode:\d+$`, got[2]["location"], "the panic line points at the panic")
	assert.Equal(t, "*powertools.PanicError", got[2]["exception_name"])

	var off syncBuffer
	app = newApp(t, nil, powertools.WithLogOutput(&off), powertools.WithLogStackTrace(false))
	_, err = app.Wrap(func(context.Context) error { panic("x") }).Invoke(lambdaCtx("r3"), []byte(`{}`))
	require.Error(t, err)
	got = lines(t, off.String())
	require.Len(t, got, 1)
	assert.NotContains(t, got[0], "stack_trace")
}

// TestLoggerEventLineLocation: the event line points at the handler.
func TestLoggerEventLineLocation(t *testing.T) {
	var out syncBuffer
	app := newApp(t, nil, powertools.WithLogOutput(&out), powertools.WithLogEvent(true))
	_, err := powertools.WrapFunc(app, typedGreet).Invoke(lambdaCtx("r"), []byte(`{"name":"Ada"}`))
	require.NoError(t, err)
	got := lines(t, out.String())
	require.Len(t, got, 1)
	assert.Regexp(t, `^typedGreet:\d+$`, got[0]["location"])
}

func typedGreet(_ context.Context, in map[string]string) (string, error) { return in["name"], nil }

func typedCard(_ context.Context, in struct{ Card int }) (int, error) { return in.Card, nil }

// TestLoggerDecodeFailureLine: an event that does not decode into the handler's type is logged once, at
// ERROR, with the request id and the decode error, located at the handler, and never the payload; the
// invocation returns the *EventDecodeError.
func TestLoggerDecodeFailureLine(t *testing.T) {
	const secret = "4111-1111-1111-1111"
	for _, tc := range []struct {
		name string
		h    func(app *powertools.App) powertools.Handler
		loc  string
	}{
		{"Wrap", func(app *powertools.App) powertools.Handler {
			return app.Wrap(func(_ context.Context, in struct{ Card int }) error { return nil })
		}, `^TestLoggerDecodeFailureLine\.func\d+\.1:\d+$`},
		{"WrapFunc", func(app *powertools.App) powertools.Handler { return powertools.WrapFunc(app, typedCard) }, `^typedCard:\d+$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out syncBuffer
			app := newApp(t, nil, powertools.WithLogOutput(&out))
			_, err := tc.h(app).Invoke(lambdaCtx("req-decode"), []byte(`{"Card":"`+secret+`"}`))
			var de *powertools.EventDecodeError
			require.ErrorAs(t, err, &de)
			got := lines(t, out.String())
			require.Len(t, got, 1, out.String())
			assert.Equal(t, "ERROR", got[0]["level"])
			assert.Equal(t, "req-decode", got[0]["function_request_id"])
			assert.Equal(t, err.Error(), got[0]["exception"])
			assert.Equal(t, "*powertools.EventDecodeError", got[0]["exception_name"])
			assert.Regexp(t, tc.loc, got[0]["location"])
			assert.NotContains(t, out.String(), secret, "the payload is never logged")
		})
	}
}
