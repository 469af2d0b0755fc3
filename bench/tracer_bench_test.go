package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/aws/aws-xray-sdk-go/xraylog"
	"github.com/gopowertools/powertools"
)

// The per-invocation cost of tracing a handler with one nested subsegment, the document sent over UDP to
// a local listener, ours against aws-xray-sdk-go doing the same (same handler subsegment, annotations
// ColdStart and Service, the response as metadata, one child). BenchmarkTracerNone is the wrapper
// without tracing, to subtract.

const traceHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

var payload = []byte(`{"id":"o-42","items":3}`)

type event struct {
	ID    string `json:"id"`
	Items int    `json:"items"`
}

type result struct {
	OK bool   `json:"ok"`
	ID string `json:"id"`
}

// sink is a stand-in daemon that reads and counts every datagram; with keep it also keeps them (tests),
// else it drops them (benchmarks).
type sink struct {
	addr     string
	received atomic.Int64
	keep     bool
	mu       sync.Mutex
	kept     [][]byte
}

func startSink(b testing.TB) *sink { return startSinkKeep(b, false) }

func startSinkKeep(b testing.TB, keep bool) *sink {
	s := &sink{keep: keep}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	_ = conn.SetReadBuffer(8 << 20)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1<<16)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			if s.keep {
				s.mu.Lock()
				s.kept = append(s.kept, bytes.Clone(buf[:n]))
				s.mu.Unlock()
			}
			if bytes.HasPrefix(buf[:n], []byte(`{"format": "json", "version": 1}`)) {
				s.received.Add(1)
			}
		}
	}()
	b.Cleanup(func() { conn.Close(); <-done })
	s.addr = conn.LocalAddr().String()
	return s
}

func tracedCtx() context.Context {
	//lint:ignore SA1029 aws-lambda-go's runtime loop passes the trace header under this string key
	return context.WithValue(context.Background(), "x-amzn-trace-id", traceHeader)
}

// run invokes h b.N times; with a sink it waits for the datagrams and reports how many arrived per
// invocation (1 for both tracers: the child is inline in the handler's document).
func run(b *testing.B, h powertools.Handler, s *sink) {
	ctx := tracedCtx()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := h.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if s == nil {
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.received.Load() < int64(n) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(s.received.Load())/float64(n), "datagrams/op")
}

func BenchmarkTracerPowertools(b *testing.B) {
	s := startSink(b)
	app, err := powertools.New(powertools.WithEnv(map[string]string{"AWS_XRAY_DAEMON_ADDRESS": s.addr}),
		powertools.WithService("bench"), powertools.WithTracer(), powertools.WithLogOutput(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	run(b, powertools.WrapFunc(app, func(ctx context.Context, in event) (result, error) {
		err := powertools.Tracer(ctx).Capture("child", func(ctx context.Context) error { return nil })
		return result{OK: true, ID: in.ID}, err
	}), s)
}

func BenchmarkTracerXRay(b *testing.B) {
	xray.SetLogger(xraylog.NullLogger)
	s := startSink(b)
	if err := xray.Configure(xray.Config{DaemonAddr: s.addr, ServiceVersion: "1"}); err != nil {
		b.Fatal(err)
	}
	// the handler subsegment as Powertools for Python writes it through the X-Ray SDK
	traceHandler := func(next powertools.Handler) powertools.Handler {
		return powertools.HandlerFunc(func(ctx context.Context, p []byte) ([]byte, error) {
			ctx, seg := xray.BeginSubsegment(ctx, "## handler")
			_ = seg.AddAnnotation("ColdStart", false)
			_ = seg.AddAnnotation("Service", "bench")
			out, err := next.Invoke(ctx, p)
			if err == nil {
				_ = seg.AddMetadataToNamespace("bench", "handler response", json.RawMessage(out))
			}
			seg.Close(err)
			return out, err
		})
	}
	app, err := powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithService("bench"),
		powertools.WithLogOutput(io.Discard), powertools.WithMiddleware(traceHandler))
	if err != nil {
		b.Fatal(err)
	}
	run(b, powertools.WrapFunc(app, func(ctx context.Context, in event) (result, error) {
		err := xray.Capture(ctx, "child", func(ctx context.Context) error { return nil })
		return result{OK: true, ID: in.ID}, err
	}), s)
}

func BenchmarkTracerNone(b *testing.B) {
	app, err := powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithService("bench"),
		powertools.WithLogOutput(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	run(b, powertools.WrapFunc(app, func(ctx context.Context, in event) (result, error) {
		err := powertools.Tracer(ctx).Capture("child", func(ctx context.Context) error { return nil })
		return result{OK: true, ID: in.ID}, err
	}), nil)
}
