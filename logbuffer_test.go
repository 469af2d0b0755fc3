package powertools_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopowertools/powertools"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

// TestLogBufferGolden: the buffered flush order (buffered lines, in order, before the ERROR line that
// triggers the flush), eviction (the flush starts with one WARNING line counting the evicted lines) and
// the line larger than the buffer (written directly, after a WARNING line).
func TestLogBufferGolden(t *testing.T) {
	tests := []struct {
		name string
		cfg  powertools.LogBufferConfig
		log  func(ctx context.Context)
	}{
		{name: "buffer-flush-order", log: func(ctx context.Context) {
			l := powertools.Logger(ctx)
			l.Debug("d1")
			l.Info("written at once")
			powertools.AppendKeys(ctx, zap.String("order", "o-1"))
			l.Debug("d2")
			l.Error("failed", zap.Error(errors.New("boom")))
			l.Debug("d3: buffered again, dropped at the end")
		}},
		{name: "buffer-eviction", cfg: powertools.LogBufferConfig{MaxBytes: 700}, log: func(ctx context.Context) {
			l := powertools.Logger(ctx)
			for i := 1; i <= 5; i++ {
				l.Debug(fmt.Sprintf("d%d", i))
			}
			l.Error("failed")
		}},
		{name: "buffer-oversize", cfg: powertools.LogBufferConfig{MaxBytes: 100}, log: func(ctx context.Context) {
			powertools.Logger(ctx).Debug("a line larger than the buffer")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out syncBuffer
			app := newApp(t, lambdaEnv, powertools.WithLogOutput(&out), powertools.WithClock(fixedClock),
				powertools.WithLogBuffer(tt.cfg), powertools.WithLogStackTrace(false))
			_, err := app.Wrap(func(ctx context.Context) error { tt.log(ctx); return nil }).Invoke(lambdaCtx("req-1"), []byte(`{}`))
			require.NoError(t, err)
			lines(t, out.String())
			checkGolden(t, tt.name, normalizeLocations(t, out.String()))
		})
	}
}

// bufferMessages runs one invocation and returns the messages written.
func bufferMessages(t *testing.T, opts []powertools.Option, h any) ([]string, error) {
	t.Helper()
	var out syncBuffer
	app := newApp(t, nil, append([]powertools.Option{powertools.WithLogOutput(&out)}, opts...)...)
	_, err := app.Wrap(h).Invoke(lambdaCtx("req-1"), []byte(`{}`))
	var msgs []string
	for _, l := range lines(t, out.String()) {
		msgs = append(msgs, l["message"].(string))
	}
	return msgs, err
}

func TestLogBufferRules(t *testing.T) {
	buffered := powertools.WithLogBuffer(powertools.LogBufferConfig{})
	tests := []struct {
		name    string
		opts    []powertools.Option
		handler func(ctx context.Context) error
		want    []string
	}{
		{"dropped when the invocation succeeds", nil, func(ctx context.Context) error {
			powertools.Logger(ctx).Debug("d1")
			return nil
		}, nil},
		{"flushed after a handler error", nil, func(ctx context.Context) error {
			powertools.Logger(ctx).Debug("d1")
			powertools.Logger(ctx).Info("i1")
			return errors.New("failed")
		}, []string{"i1", "d1"}},
		{"flushed before the panic line", nil, func(ctx context.Context) error {
			powertools.Logger(ctx).Debug("d1")
			panic("boom")
		}, []string{"d1", "powertools: handler panicked"}},
		{"flushed by FlushLogBuffer", nil, func(ctx context.Context) error {
			powertools.Logger(ctx).Debug("d1")
			powertools.FlushLogBuffer(ctx)
			powertools.FlushLogBuffer(ctx) // empty: nothing more
			powertools.Logger(ctx).Debug("d2")
			return nil
		}, []string{"d1"}},
		{"CRITICAL flushes too", nil, func(ctx context.Context) error {
			powertools.Logger(ctx).Debug("d1")
			powertools.Logger(ctx).DPanic("c")
			return nil
		}, []string{"d1", "c"}},
		{"FlushOnErrorLog false", []powertools.Option{powertools.WithLogBuffer(powertools.LogBufferConfig{FlushOnErrorLog: new(false)})},
			func(ctx context.Context) error {
				powertools.Logger(ctx).Debug("d1")
				powertools.Logger(ctx).Error("e")
				return nil
			}, []string{"e"}},
		{"AtLevel INFO keeps INFO lines back", []powertools.Option{powertools.WithLogBuffer(powertools.LogBufferConfig{AtLevel: "INFO"})},
			func(ctx context.Context) error {
				powertools.Logger(ctx).Info("i1")
				powertools.Logger(ctx).Warn("w1")
				powertools.Logger(ctx).Error("e")
				return nil
			}, []string{"w1", "i1", "e"}},
		{"a sampled invocation writes its DEBUG lines directly", []powertools.Option{buffered, powertools.WithLogSampleRate(1)},
			func(ctx context.Context) error {
				powertools.Logger(ctx).Debug("d1")
				return nil
			}, []string{"d1"}},
		{"buffered whatever the level, below the level too", []powertools.Option{buffered, powertools.WithLogLevel("ERROR")},
			func(ctx context.Context) error {
				powertools.Logger(ctx).Debug("d1")
				powertools.Logger(ctx).Info("i1: above AtLevel, below the level: dropped")
				powertools.Logger(ctx).Error("e")
				return nil
			}, []string{"d1", "e"}},
		{"slog lines too", nil, func(ctx context.Context) error {
			powertools.Slog(ctx).Debug("d1")
			powertools.Slog(ctx).Error("e")
			return nil
		}, []string{"d1", "e"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts == nil {
				opts = []powertools.Option{buffered}
			}
			got, _ := bufferMessages(t, opts, tt.handler)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestLogBufferLinesKeepTheirTimeAndKeys: a buffered line is written as it was logged.
func TestLogBufferLinesKeepTheirTimeAndKeys(t *testing.T) {
	var tick atomic.Int64
	clock := func() time.Time { return fixedTime.Add(time.Duration(tick.Add(1)) * time.Second) }
	var out syncBuffer
	app := newApp(t, nil, powertools.WithLogOutput(&out), powertools.WithClock(clock), powertools.WithLogBuffer(powertools.LogBufferConfig{}))
	_, err := app.Wrap(func(ctx context.Context) error {
		powertools.Logger(ctx).Debug("d1")
		powertools.AppendKeys(ctx, zap.String("later", "yes"))
		return errors.New("failed")
	}).Invoke(lambdaCtx("req-1"), []byte(`{}`))
	require.Error(t, err)
	got := lines(t, out.String())
	require.Len(t, got, 1)
	assert.Equal(t, "2021-05-03 11:47:13,494+0000", got[0]["timestamp"], "the time it was logged")
	assert.NotContains(t, got[0], "later", "the keys it was logged with")
}

func TestLogBufferConfigErrors(t *testing.T) {
	for _, cfg := range []powertools.LogBufferConfig{{MaxBytes: -1}, {AtLevel: "ERROR"}, {AtLevel: "LOUD"}} {
		_, err := powertools.New(powertools.WithEnv(nil), powertools.WithLogBuffer(cfg))
		var ce *powertools.ConfigError
		require.ErrorAs(t, err, &ce, "%+v", cfg)
		assert.Equal(t, "WithLogBuffer", ce.Name)
	}
}

// TestLogBufferConcurrentInvocations: 64 invocations at once, half failing; every flushed line belongs
// to its own failing invocation, in the order it was logged, and the succeeding ones write nothing.
func TestLogBufferConcurrentInvocations(t *testing.T) {
	var out syncBuffer
	app := newApp(t, lambdaEnv, powertools.WithLogOutput(&out), powertools.WithLogBuffer(powertools.LogBufferConfig{}))
	h := app.Wrap(func(ctx context.Context, n int) error {
		powertools.AppendKeys(ctx, zap.String("owner", powertools.RequestID(ctx)))
		for i := range 10 {
			powertools.Logger(ctx).Debug("step", zap.Int("step", i))
		}
		if n%2 == 1 {
			return errors.New("odd")
		}
		return nil
	})
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 64 {
		wg.Go(func() {
			<-start
			_, _ = h.Invoke(lambdaCtx(fmt.Sprint("req-", i)), []byte(fmt.Sprint(i)))
		})
	}
	close(start)
	wg.Wait()
	got := lines(t, out.String())
	require.Len(t, got, 32*10)
	next := map[string]float64{}
	for _, l := range got {
		id := l["function_request_id"].(string)
		assert.Equal(t, id, l["owner"])
		var n int
		_, err := fmt.Sscanf(id, "req-%d", &n)
		require.NoError(t, err)
		assert.Equal(t, 1, n%2, "only failing invocations flush")
		assert.Equal(t, next[id], l["step"], "in order")
		next[id]++
	}
}

// TestDevMode: POWERTOOLS_DEV indents the lines and turns tracing off unless POWERTOOLS_TRACE_DISABLED
// says it is not.
func TestDevMode(t *testing.T) {
	var out syncBuffer
	app := newApp(t, map[string]string{"POWERTOOLS_DEV": "true"}, powertools.WithLogOutput(&out), powertools.WithClock(fixedClock),
		powertools.WithService("dev"), powertools.WithTracer())
	assert.False(t, powertools.TracerOn(app), "tracing off in development mode")
	_, err := app.Wrap(func(ctx context.Context) error {
		powertools.Logger(ctx).Info("pretty", zap.Any("nested", map[string]any{"k": 1.0}))
		return nil
	}).Invoke(lambdaCtx("req-1"), []byte(`{}`))
	require.NoError(t, err)
	checkGolden(t, "dev-mode", regexp.MustCompile(`"location": "[^"]*"`).ReplaceAllString(out.String(), `"location": "LOCATION"`))
	assert.True(t, strings.HasPrefix(out.String(), "{\n    \"level\": \"INFO\""), out.String())

	app = newApp(t, map[string]string{"POWERTOOLS_DEV": "1", "POWERTOOLS_TRACE_DISABLED": "false"}, powertools.WithTracer(),
		powertools.WithLogOutput(&out))
	assert.True(t, powertools.TracerOn(app), "explicitly on")
	app = newApp(t, nil, powertools.WithTracer(), powertools.WithLogOutput(&out))
	assert.True(t, powertools.TracerOn(app), "without POWERTOOLS_DEV")

	// Debug mode names development mode as the reason an invocation is not traced.
	var debug syncBuffer
	app = newApp(t, map[string]string{"POWERTOOLS_DEV": "true"}, powertools.WithTracer(), powertools.WithDebug(true),
		powertools.WithDebugOutput(&debug), powertools.WithLogOutput(io.Discard))
	_, err = app.Wrap(func(context.Context) error { return nil }).Invoke(lambdaCtx("req-2"), []byte(`{}`))
	require.NoError(t, err)
	assert.Contains(t, debug.String(), "POWERTOOLS_DEV is true", debug.String())
}

// BenchmarkLogBuffer: a DEBUG line kept in the buffer (WithLogBuffer), against the same line written
// (INFO, to io.Discard) and against a DEBUG line below the level without buffering.
func BenchmarkLogBuffer(b *testing.B) {
	run := func(b *testing.B, opts []powertools.Option, log func(l *zap.Logger)) {
		app := newApp(b, lambdaEnv, append([]powertools.Option{powertools.WithLogOutput(io.Discard)}, opts...)...)
		var ctx context.Context
		_, _ = app.Wrap(func(c context.Context) error { ctx = c; return nil }).Invoke(lambdaCtx("req-1"), []byte(`{}`))
		l := powertools.Logger(ctx)
		b.ReportAllocs()
		for b.Loop() {
			log(l)
		}
	}
	debug := func(l *zap.Logger) { l.Debug("collecting payment", zap.String("order", "o-1"), zap.Int("amount", 42)) }
	b.Run("written", func(b *testing.B) {
		run(b, nil, func(l *zap.Logger) { l.Info("collecting payment", zap.String("order", "o-1"), zap.Int("amount", 42)) })
	})
	b.Run("buffered", func(b *testing.B) {
		run(b, []powertools.Option{powertools.WithLogBuffer(powertools.LogBufferConfig{})}, debug)
	})
	b.Run("below-level", func(b *testing.B) { run(b, nil, debug) })
}

// TestLogBufferKeepsTheNewest: after many evictions (the buffer's memory reused again and again), the
// flush writes the newest lines in order, after a warning counting exactly the others.
func TestLogBufferKeepsTheNewest(t *testing.T) {
	var out syncBuffer
	app := newApp(t, nil, powertools.WithLogOutput(&out), powertools.WithLogBuffer(powertools.LogBufferConfig{MaxBytes: 2000}))
	_, err := app.Wrap(func(ctx context.Context) error {
		for i := range 500 {
			powertools.Logger(ctx).Debug("step", zap.Int("i", i), zap.String("pad", strings.Repeat("x", i%50)))
		}
		return errors.New("failed")
	}).Invoke(lambdaCtx("req-1"), []byte(`{}`))
	require.Error(t, err)
	got := lines(t, out.String())
	require.Greater(t, len(got), 2)
	assert.Equal(t, "WARNING", got[0]["level"])
	kept := got[1:]
	assert.Equal(t, float64(500-len(kept)), got[0]["evicted_lines"])
	for k, l := range kept {
		assert.Equal(t, float64(500-len(kept)+k), l["i"], "the newest lines, in order")
	}
	size := 0
	for _, line := range strings.SplitAfter(out.String(), "\n")[1:] {
		size += len(line)
	}
	assert.LessOrEqual(t, size, 2000)
}
