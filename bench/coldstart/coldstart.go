// Package coldstart measures the cold start of a Lambda function binary: the time from exec to its
// first response, through the in-process Lambda Runtime API (internal/runtimeapi). Each run starts the
// binary afresh with AWS_LAMBDA_RUNTIME_API pointing at a fresh server holding one queued invocation, so
// the figure covers process start, the Go runtime, package init, the function's own init (New), the first
// GET /next, the handler and the POST of its answer.
package coldstart

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"github.com/gopowertools/powertools/bench/fn/order"
	"github.com/gopowertools/powertools/internal/runtimeapi"
)

// Functions are the benchmark's function binaries (mains under bench/cmd), relative to the bench module:
// the reference, the Logger alone, the core three, every utility, the hand-rolled twins of the last two,
// and a diagnostic: the reference linking the JSON Schema library alone (its init cost).
func Functions() []Binary {
	single, batch := `{"ok":true,"id":"o-42"}`, `{"batchItemFailures":[{"itemIdentifier":"m3"}]}`
	return []Binary{
		{Name: "reference", Pkg: "./cmd/reference", Payload: order.Payload, Want: single},
		{Name: "logger", Pkg: "./cmd/logger", Payload: order.Payload, Want: single},
		{Name: "core", Pkg: "./cmd/core", Payload: order.Payload, Want: single},
		{Name: "full", Pkg: "./cmd/full", Payload: order.SQSPayload, Want: batch},
		{Name: "handrolled", Pkg: "./cmd/handrolled", Payload: order.Payload, Want: single},
		{Name: "handrolled-full", Pkg: "./cmd/handrolled-full", Payload: order.SQSPayload, Want: batch},
		{Name: "reference+jsonschema", Pkg: "./cmd/reference-jsonschema", Payload: order.Payload, Want: single},
	}
}

// BuildFlags are the flags every binary is built with: stripped, without the RPC runtime, no cgo, the
// way a function is shipped on provided.al2023.
var BuildFlags = []string{"build", "-trimpath", "-ldflags=-s -w", "-tags", "lambda.norpc"}

// Binary is one function to measure.
type Binary struct {
	Name    string // as the report shows it
	Pkg     string // the main package, e.g. ./cmd/reference
	Payload []byte // the event of the first invocation
	Want    string // its expected answer; "" accepts any successful one
	Path    string // set by Build
}

// Build builds every binary into dir, from the module in moduleDir, and sets their Path.
func Build(ctx context.Context, moduleDir, dir string, bins []Binary) error {
	for i := range bins {
		out := filepath.Join(dir, bins[i].Name)
		args := append(slices.Clone(BuildFlags), "-o", out, bins[i].Pkg)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = moduleDir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("coldstart: build %s: %w\n%s", bins[i].Pkg, err, msg)
		}
		bins[i].Path = out
	}
	return nil
}

// Harness runs binaries against fresh runtime API servers; the subsegments they send go to a UDP sink
// standing in for the X-Ray daemon.
type Harness struct {
	daemon   *net.UDPConn
	done     chan struct{}
	received atomic.Int64
}

// Datagrams is how many datagrams the X-Ray sink has received so far.
func (h *Harness) Datagrams() int64 { return h.received.Load() }

// NewHarness starts the X-Ray sink on 127.0.0.1.
func NewHarness() (*Harness, error) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("coldstart: listen udp: %w", err)
	}
	h := &Harness{daemon: conn, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		buf := make([]byte, 1<<16)
		for {
			if _, err := conn.Read(buf); err != nil {
				return
			}
			h.received.Add(1)
		}
	}()
	return h, nil
}

// Close stops the sink.
func (h *Harness) Close() error {
	err := h.daemon.Close()
	<-h.done
	return err
}

// sampledTrace is the trace header of every first invocation: sampled, so the tracers send.
const sampledTrace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

// Measure starts b once and returns the time from exec to its first response.
func (h *Harness) Measure(ctx context.Context, b Binary) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	srv, err := runtimeapi.Start()
	if err != nil {
		return 0, err
	}
	defer srv.Close()

	type answer struct {
		res runtimeapi.Result
		err error
		at  time.Time
	}
	answered := make(chan answer, 1)
	go func() {
		res, err := srv.Invoke(ctx, b.Payload, runtimeapi.WithTraceID(sampledTrace))
		answered <- answer{res, err, time.Now()}
	}()
	// The invocation is queued before the process starts: the clock measures the function, not us.
	if err := srv.WaitQueued(ctx, 1); err != nil {
		return 0, err
	}

	var stderr bytes.Buffer
	cmd := exec.Command(b.Path)
	cmd.Dir = filepath.Dir(b.Path)
	cmd.Env = []string{
		"AWS_LAMBDA_RUNTIME_API=" + srv.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME=" + b.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_REGION=us-east-1",
		"AWS_XRAY_DAEMON_ADDRESS=" + h.daemon.LocalAddr().String(),
		"LAMBDA_TASK_ROOT=" + filepath.Dir(b.Path),
		"_HANDLER=" + b.Name,
		"TZ=:/etc/localtime",
	}
	cmd.Stderr = &stderr // stdout (log lines, EMF) goes to the null device
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("coldstart: start %s: %w", b.Name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited
	}()

	select {
	case a := <-answered:
		if a.err != nil {
			return 0, fmt.Errorf("coldstart: %s: %w", b.Name, a.err)
		}
		if a.res.Failed() {
			return 0, fmt.Errorf("coldstart: %s answered an error %s: %s", b.Name, a.res.ErrorType, a.res.Body)
		}
		if b.Want != "" && string(a.res.Body) != b.Want {
			return 0, fmt.Errorf("coldstart: %s answered %s, want %s", b.Name, a.res.Body, b.Want)
		}
		return a.at.Sub(start), nil
	case err := <-exited:
		exited <- err // for the deferred wait
		return 0, fmt.Errorf("coldstart: %s exited before answering (%v): %s", b.Name, err, stderr.Bytes())
	case <-ctx.Done():
		return 0, fmt.Errorf("coldstart: %s: %w: %s", b.Name, ctx.Err(), stderr.Bytes())
	}
}

// Run measures every binary runs times, interleaved (one run of each per round, the order rotated every
// round so no binary always follows the same one), and returns the durations by name.
func (h *Harness) Run(ctx context.Context, bins []Binary, runs int) (map[string][]time.Duration, error) {
	if len(bins) == 0 || runs < 1 {
		return nil, errors.New("coldstart: nothing to run")
	}
	out := make(map[string][]time.Duration, len(bins))
	for r := range runs {
		for i := range bins {
			b := bins[(i+r)%len(bins)]
			d, err := h.Measure(ctx, b)
			if err != nil {
				return nil, err
			}
			out[b.Name] = append(out[b.Name], d)
		}
	}
	return out, nil
}

// Quantile is the q-quantile (0 ≤ q ≤ 1) of ds by the nearest-rank method: Quantile(ds, 0.5) is the
// median, Quantile(ds, 0.9) the p90.
func Quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}
