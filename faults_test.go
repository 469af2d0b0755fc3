package powertools_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopowertools/powertools"
	"go.uber.org/zap"
)

// Faults of the function's surroundings: writers that fail or stall, an X-Ray daemon that is not there,
// handlers past their deadline, goroutines outliving their invocation. None may wedge the process, panic,
// or put one invocation's output on another's line.

// failingWriter fails every Write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// slowWriter stalls every Write briefly, then keeps the line; it is not safe for concurrent use, so an
// unserialised write is a race report.
type slowWriter struct{ lines []string }

func (w *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	w.lines = append(w.lines, string(p))
	return len(p), nil
}

func TestFaultFailingWriters(t *testing.T) {
	app := newApp(t, nil, powertools.WithLogOutput(failingWriter{}), powertools.WithMetrics("ns"),
		powertools.WithMetricsOutput(failingWriter{}))
	h := app.Wrap(func(ctx context.Context) (string, error) {
		powertools.Logger(ctx).Info("lost to a full disk")
		if err := powertools.Metrics(ctx).Add("m", powertools.UnitCount, 1); err != nil {
			return "", err
		}
		err := powertools.Metrics(ctx).Flush()
		if !errors.Is(err, powertools.ErrMetricsOutput) {
			t.Errorf("Flush into a failing writer: %v, want ErrMetricsOutput", err)
		}
		return "done", nil
	})
	for i := 0; i < 3; i++ {
		out, err := h.Invoke(lambdaCtx("req"), []byte("{}"))
		if err != nil || string(out) != `"done"` {
			t.Fatalf("invocation %d: %s, %v; a failing writer must not fail the invocation", i, out, err)
		}
	}
}

func TestFaultSlowSharedWriter(t *testing.T) {
	w := new(slowWriter)
	app := newApp(t, nil, powertools.WithLogOutput(w), powertools.WithMetrics("ns"), powertools.WithMetricsOutput(w))
	h := app.Wrap(func(ctx context.Context) error {
		powertools.Logger(ctx).Info("slow")
		return powertools.Metrics(ctx).Add("m", powertools.UnitCount, 1)
	})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := h.Invoke(lambdaCtx("req"), []byte("{}")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(w.lines) != 32 {
		t.Fatalf("%d writes, want 16 log lines and 16 blobs", len(w.lines))
	}
	for _, l := range w.lines {
		if strings.Count(l, "\n") != 1 || !strings.HasSuffix(l, "\n") {
			t.Errorf("a write is not exactly one line: %q", l)
		}
	}
}

// TestFaultDaemonAbsent points the tracer at daemon addresses where nothing listens: the invocations
// succeed, and their logs are intact.
func TestFaultDaemonAbsent(t *testing.T) {
	closed, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	addr := closed.LocalAddr().String()
	_ = closed.Close() // nothing listens there any more: sends may fail with ECONNREFUSED
	for _, daemon := range []string{addr, "udp:" + addr + " tcp:" + addr, "127.0.0.1:1"} {
		t.Run(daemon, func(t *testing.T) {
			logs := new(syncBuffer)
			app := newApp(t, map[string]string{"AWS_XRAY_DAEMON_ADDRESS": daemon}, powertools.WithTracer(),
				powertools.WithLogOutput(logs))
			h := app.Wrap(func(ctx context.Context) (string, error) {
				err := powertools.Tracer(ctx).Capture("step", func(ctx context.Context) error {
					powertools.Logger(ctx).Info("traced")
					return nil
				})
				return "ok", err
			})
			for i := 0; i < 20; i++ {
				out, err := h.Invoke(withTrace(lambdaCtx("req"), e2eTrace(i)), []byte("{}"))
				if err != nil || string(out) != `"ok"` {
					t.Fatalf("invocation %d: %s, %v", i, out, err)
				}
			}
			if got := len(lines(t, logs.String())); got != 20 {
				t.Fatalf("%d log lines, want 20", got)
			}
		})
	}
}

// TestFaultPastDeadline runs a handler whose deadline has already passed: it sees the cancelled context,
// its error comes back, and its metrics are still flushed and its line still written.
func TestFaultPastDeadline(t *testing.T) {
	logs, blobs := new(syncBuffer), new(syncBuffer)
	app := newApp(t, nil, powertools.WithLogOutput(logs), powertools.WithMetrics("ns"), powertools.WithMetricsOutput(blobs))
	h := app.Wrap(func(ctx context.Context) error {
		_ = powertools.Metrics(ctx).Add("late", powertools.UnitCount, 1)
		<-ctx.Done()
		powertools.Logger(ctx).Warn("out of time", zap.Error(ctx.Err()))
		return ctx.Err()
	})
	ctx, cancel := context.WithDeadline(lambdaCtx("late-1"), time.Now().Add(-time.Second))
	defer cancel()
	_, err := h.Invoke(ctx, []byte("{}"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if l := lines(t, logs.String()); len(l) != 1 || l[0]["function_request_id"] != "late-1" {
		t.Fatalf("log lines: %v", l)
	}
	if b := lines(t, blobs.String()); len(b) != 1 || b[0]["late"] == nil {
		t.Fatalf("blobs: %v", b)
	}
}

// TestFaultGoroutineOutlivesInvocation logs from a goroutine that the handler started and did not wait
// for, while the next invocations run: its lines keep its own invocation's keys, and nothing races.
func TestFaultGoroutineOutlivesInvocation(t *testing.T) {
	logs := new(syncBuffer)
	app := newApp(t, nil, powertools.WithLogOutput(logs), powertools.WithMetrics("ns"),
		powertools.WithMetricsOutput(new(syncBuffer)))
	var wg sync.WaitGroup
	release := make(chan struct{})
	h := app.Wrap(func(ctx context.Context, in struct{ ID string }) error {
		powertools.AppendKeys(ctx, zap.String("caller", in.ID))
		wg.Go(func() {
			<-release
			powertools.Logger(ctx).Info("late line")
			powertools.AppendKeys(ctx, zap.String("later", in.ID))
			_ = powertools.Metrics(ctx).Add("after", powertools.UnitCount, 1) // after the flush: kept or refused, never a panic
			powertools.Tracer(ctx).Annotate("k", "v")
		})
		return nil
	})
	for _, id := range []string{"a", "b", "c"} {
		if _, err := h.Invoke(lambdaCtx("req-"+id), []byte(`{"ID":"`+id+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	wg.Wait()
	var got []map[string]any
	for _, l := range lines(t, logs.String()) {
		if l["message"] == "late line" {
			got = append(got, l)
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(got), logs.String())
	}
	for _, l := range got {
		id := strings.TrimPrefix(l["function_request_id"].(string), "req-")
		if l["caller"] != id {
			t.Errorf("a late line carries another invocation's key: %v", l)
		}
	}
}
