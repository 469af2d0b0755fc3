package powertools_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopowertools/powertools"
	"go.uber.org/zap"
)

// panicOnceWriter panics on its first Write and collects the later ones. It is not safe for concurrent
// use on purpose: the library must serialise its writes.
type panicOnceWriter struct {
	writes atomic.Int32
	buf    bytes.Buffer
}

func (w *panicOnceWriter) Write(p []byte) (int, error) {
	if w.writes.Add(1) == 1 {
		panic("disk on fire")
	}
	return w.buf.Write(p)
}

// invokeWithin fails the test when the invocation does not return within a generous bound: the defect
// being guarded against is a writer lock that is never released, so the call would block forever.
func invokeWithin(t *testing.T, h powertools.Handler, ctx context.Context, payload string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := h.Invoke(ctx, []byte(payload))
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the invocation is wedged: a writer lock was never released")
		return nil
	}
}

func TestOutputSurvivesAPanickingWriter(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts func(w *panicOnceWriter) []powertools.Option
		use  func(ctx context.Context)
	}{
		{
			name: "log writer",
			opts: func(w *panicOnceWriter) []powertools.Option {
				return []powertools.Option{powertools.WithLogOutput(w)}
			},
			use: func(ctx context.Context) { powertools.Logger(ctx).Info("hello") },
		},
		{
			name: "metrics writer",
			opts: func(w *panicOnceWriter) []powertools.Option {
				return []powertools.Option{powertools.WithMetrics("ns"), powertools.WithMetricsOutput(w),
					powertools.WithLogOutput(new(syncBuffer))}
			},
			use: func(ctx context.Context) { _ = powertools.Metrics(ctx).Add("m", powertools.UnitCount, 1) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := new(panicOnceWriter)
			app := newApp(t, nil, append(tc.opts(w), powertools.WithService("svc"))...)
			h := app.Wrap(func(ctx context.Context) error { tc.use(ctx); return nil })
			first := invokeWithin(t, h, lambdaCtx("req-1"), "{}")
			second := invokeWithin(t, h, lambdaCtx("req-2"), "{}")
			if second != nil {
				t.Fatalf("second invocation: %v", second)
			}
			_ = first // the first may succeed (a dropped line is reported as an error where one can be)
			if !strings.Contains(w.buf.String(), "\n") {
				t.Fatalf("nothing written after the panic; got %q", w.buf.String())
			}
		})
	}
}

func TestOutputPanicIsAnError(t *testing.T) {
	w := new(panicOnceWriter)
	app := newApp(t, nil, powertools.WithMetrics("ns"), powertools.WithMetricsOutput(w), powertools.WithLogOutput(new(syncBuffer)))
	h := app.Wrap(func(ctx context.Context) error {
		err := powertools.Metrics(ctx).Flush()
		if err == nil {
			_ = powertools.Metrics(ctx).Add("m", powertools.UnitCount, 1)
			err = powertools.Metrics(ctx).Flush()
		}
		if !errors.Is(err, powertools.ErrOutputPanicked) {
			t.Errorf("Flush into a panicking writer: %v, want ErrOutputPanicked", err)
		}
		return nil
	})
	if err := invokeWithin(t, h, lambdaCtx("req-1"), "{}"); err != nil {
		t.Fatal(err)
	}
}

// TestOneWriterForLogsAndMetrics shares one bytes.Buffer (not safe for concurrent use) between the logger
// and the metrics of 64 concurrent invocations: under -race an unserialised write is a report, and an
// interleaved write breaks a line.
func TestOneWriterForLogsAndMetrics(t *testing.T) {
	var out bytes.Buffer
	app := newApp(t, nil, powertools.WithService("svc"), powertools.WithLogOutput(&out),
		powertools.WithMetrics("ns"), powertools.WithMetricsOutput(&out))
	h := app.Wrap(func(ctx context.Context) error {
		for i := 0; i < 5; i++ {
			powertools.Logger(ctx).Info("working", zap.Int("i", i))
			if err := powertools.Metrics(ctx).Add("m", powertools.UnitCount, float64(i)); err != nil {
				return err
			}
			if err := powertools.Metrics(ctx).Flush(); err != nil {
				return err
			}
		}
		return nil
	})
	const n = 64
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.Invoke(lambdaCtx("req"), []byte("{}")); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := lines(t, out.String())
	var logs, blobs int
	for _, l := range got {
		if _, ok := l["_aws"]; ok {
			blobs++
		} else {
			logs++
		}
	}
	if logs != n*5 || blobs != n*5 {
		t.Fatalf("got %d log lines and %d blobs, want %d of each", logs, blobs, n*5)
	}
}

// panicEveryOtherWriter panics on every odd Write, with a value whose String method panics too, and
// keeps the other writes. Not safe for concurrent use on purpose.
type panicEveryOtherWriter struct {
	n   int
	buf bytes.Buffer
}

type explodingStringer struct{}

func (explodingStringer) String() string { panic("String() exploded") }

func (w *panicEveryOtherWriter) Write(p []byte) (int, error) {
	w.n++
	if w.n%2 == 1 {
		panic(explodingStringer{})
	}
	return w.buf.Write(p)
}

// TestOutputMetricsWriterPanicsRepeatedly: a metrics writer that panics on every other write, from 32
// concurrent invocations writing the cold start blob, Single blobs, automatic and final flushes, never
// blocks a later flush; every invocation returns; each panic is an error matching ErrOutputPanicked; the
// writes that did not panic are whole blobs.
func TestOutputMetricsWriterPanicsRepeatedly(t *testing.T) {
	w := new(panicEveryOtherWriter)
	app := newApp(t, map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "fn"}, powertools.WithService("svc"),
		powertools.WithMetrics("ns"), powertools.WithColdStartMetric(), powertools.WithMetricsOutput(w),
		powertools.WithLogOutput(new(syncBuffer)))
	var panicked atomic.Int32
	h := app.Wrap(func(ctx context.Context) error {
		m := powertools.Metrics(ctx)
		for i := 0; i < 3; i++ {
			if err := m.Single("one", powertools.UnitCount, 1); errors.Is(err, powertools.ErrOutputPanicked) {
				panicked.Add(1)
			}
			_ = m.Add("m", powertools.UnitCount, float64(i))
			if err := m.Flush(); errors.Is(err, powertools.ErrOutputPanicked) {
				panicked.Add(1)
			}
		}
		return m.Add("last", powertools.UnitCount, 1)
	})
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- invokeWithin(t, h, lambdaCtx("req"), "{}")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil && !errors.Is(err, powertools.ErrOutputPanicked) {
			t.Errorf("invocation error %v, want nil or ErrOutputPanicked", err)
		}
		if err != nil {
			panicked.Add(1)
		}
	}
	if panicked.Load() == 0 {
		t.Fatal("no panic was reported as an error")
	}
	got := lines(t, w.buf.String())
	if len(got) == 0 {
		t.Fatal("nothing was written between the panics")
	}
	for _, l := range got {
		if _, ok := l["_aws"]; !ok {
			t.Fatalf("not an EMF blob: %v", l)
		}
	}
	// and the writer still works after all of it
	if err := invokeWithin(t, h, lambdaCtx("after"), "{}"); err != nil && !errors.Is(err, powertools.ErrOutputPanicked) {
		t.Fatal(err)
	}
}

// TestOutputPanicIsTheInvocationsError: a log writer that panics while the handler logs makes the
// invocation return an error matching ErrOutputPanicked (the handler itself succeeded); the "handler
// panicked" line through a panicking writer leaves the *PanicError as the error; debug output through a
// panicking writer wedges nothing; the next invocation logs.
func TestOutputPanicIsTheInvocationsError(t *testing.T) {
	t.Run("handler line", func(t *testing.T) {
		w := new(panicOnceWriter)
		app := newApp(t, nil, powertools.WithLogOutput(w))
		h := app.Wrap(func(ctx context.Context) error { powertools.Logger(ctx).Info("hello"); return nil })
		if err := invokeWithin(t, h, lambdaCtx("req-1"), "{}"); !errors.Is(err, powertools.ErrOutputPanicked) {
			t.Fatalf("first invocation: %v, want ErrOutputPanicked", err)
		}
		if err := invokeWithin(t, h, lambdaCtx("req-2"), "{}"); err != nil {
			t.Fatalf("second invocation: %v", err)
		}
		if !strings.Contains(w.buf.String(), `"function_request_id":"req-2"`) {
			t.Fatalf("the second invocation's line is missing: %q", w.buf.String())
		}
	})
	t.Run("panic line", func(t *testing.T) {
		w := new(panicOnceWriter)
		app := newApp(t, nil, powertools.WithLogOutput(w))
		h := app.Wrap(func(ctx context.Context, s string) error {
			if s == "panic" {
				panic("handler exploded")
			}
			powertools.Logger(ctx).Info("fine")
			return nil
		})
		var pe *powertools.PanicError
		if err := invokeWithin(t, h, lambdaCtx("req-1"), `"panic"`); !errors.As(err, &pe) {
			t.Fatalf("first invocation: %v, want the *PanicError", err)
		}
		if err := invokeWithin(t, h, lambdaCtx("req-2"), `"ok"`); err != nil {
			t.Fatalf("second invocation: %v", err)
		}
		if !strings.Contains(w.buf.String(), `"message":"fine"`) {
			t.Fatalf("nothing logged after the panic: %q", w.buf.String())
		}
	})
	t.Run("debug output", func(t *testing.T) {
		w := new(panicOnceWriter)
		app := newApp(t, nil, powertools.WithDebug(true), powertools.WithDebugOutput(w), powertools.WithLogOutput(new(syncBuffer)),
			powertools.WithMetrics("ns"), powertools.WithMetricsOutput(new(syncBuffer)))
		h := app.Wrap(func(ctx context.Context) error { return powertools.Metrics(ctx).Add("m", powertools.UnitCount, 1) })
		if err := invokeWithin(t, h, lambdaCtx("req-1"), "{}"); err != nil {
			t.Fatalf("invocation: %v", err)
		}
		if !strings.Contains(w.buf.String(), "\n") {
			t.Fatalf("no debug line after the panic: %q", w.buf.String())
		}
	})
}
