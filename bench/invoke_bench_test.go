package bench

import (
	"bytes"
	"context"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/bench/fn/core"
	"github.com/gopowertools/powertools/bench/fn/floor"
	"github.com/gopowertools/powertools/bench/fn/full"
	"github.com/gopowertools/powertools/bench/fn/handrolled"
	"github.com/gopowertools/powertools/bench/fn/handrolledfull"
	"github.com/gopowertools/powertools/bench/fn/order"
	"github.com/gopowertools/powertools/bench/fn/perrecord"
	"github.com/gopowertools/powertools/bench/fn/reference"
)

// Per-invocation cost of the same function three ways (scenario 1: one log line, one metric, one
// subsegment; scenario 2, "All": the same plus schema validation of an SQS batch and the batch processor):
// reference is bare aws-lambda-go, powertools is instrumented with the library, handrolled writes the
// same output by hand with zap, encoding/json and aws-xray-sdk-go, floor (scenario 1 only) writes the
// output of powertools pre-built: the least any instrumented variant must do. Logs and EMF go to a writer that counts
// lines and drops them, subsegments to a local UDP listener; the lines/op, emf/op and datagrams/op
// metrics show every variant did its whole job. Run the variants interleaved (scripts/bench.sh does)
// and compare ratios: the machine is shared and noisy.

// Lambda context every invocation carries, as the runtime sets it.
const (
	benchRequestID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
	benchARN       = "arn:aws:lambda:us-east-1:123456789012:function:bench-fn"
)

var benchEnv = map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "bench-fn", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}

// lineCounter counts the lines written to it and drops them.
type lineCounter struct{ lines atomic.Int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.lines.Add(int64(bytes.Count(p, []byte{'\n'})))
	return len(p), nil
}

// outputs is where a variant writes: its log lines, its EMF blobs, its subsegments.
type outputs struct {
	log, metrics io.Writer
	daemon       string
}

// variant builds one way of writing the function.
type variant struct {
	name  string
	build func(tb testing.TB, out outputs) lambda.Handler
}

func powertoolsOpts(out outputs) []powertools.Option {
	return []powertools.Option{
		powertools.WithEnv(benchEnv),
		powertools.WithLogOutput(out.log),
		powertools.WithMetricsOutput(out.metrics),
		powertools.WithXRayDaemonAddress(out.daemon),
	}
}

func handrolledConfig(out outputs) handrolled.Config {
	return handrolled.Config{Log: out.log, Metrics: out.metrics, DaemonAddr: out.daemon,
		FunctionName: benchEnv["AWS_LAMBDA_FUNCTION_NAME"], MemorySize: benchEnv["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]}
}

// must returns v, failing tb on err: must(f())(tb).
func must[T any](v T, err error) func(testing.TB) T {
	return func(tb testing.TB) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}

// singleVariants are scenario 1: the order function.
var singleVariants = []variant{
	{"reference", func(tb testing.TB, out outputs) lambda.Handler { return reference.New() }},
	{"powertools", func(tb testing.TB, out outputs) lambda.Handler {
		return must(core.New(powertoolsOpts(out)...))(tb)
	}},
	{"handrolled", func(tb testing.TB, out outputs) lambda.Handler {
		return must(handrolled.New(handrolledConfig(out)))(tb).Handler()
	}},
	// the physical floor: the same decode and answer, the output of powertools pre-built and written as is
	{"floor", func(tb testing.TB, out outputs) lambda.Handler {
		f := must(floor.New(floor.Config{Log: out.log, Metrics: out.metrics, DaemonAddr: out.daemon}))(tb)
		tb.Cleanup(func() { f.Close() })
		return f.Handler()
	}},
}

// allVariants are scenario 2: the SQS batch function with every utility.
var allVariants = []variant{
	{"reference", func(tb testing.TB, out outputs) lambda.Handler { return reference.NewBatch() }},
	{"powertools", func(tb testing.TB, out outputs) lambda.Handler {
		return must(full.New(powertoolsOpts(out)...))(tb)
	}},
	{"handrolled", func(tb testing.TB, out outputs) lambda.Handler {
		return must(handrolledfull.New(handrolledConfig(out)))(tb).Handler()
	}},
	// not a variant of its own: the library validating per record, to measure what the validation
	// middleware's whole-event decode costs (bench/README.md)
	{"powertools-per-record", func(tb testing.TB, out outputs) lambda.Handler {
		return must(perrecord.New(powertoolsOpts(out)...))(tb)
	}},
}

// invocationCtx is the context the runtime gives a sampled invocation.
func invocationCtx() context.Context {
	ctx := lambdacontext.NewContext(tracedCtx(), &lambdacontext.LambdaContext{AwsRequestID: benchRequestID, InvokedFunctionArn: benchARN})
	return ctx
}

func benchVariants(b *testing.B, variants []variant, payload []byte) {
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			s := startSink(b)
			var logs, emf lineCounter
			h := v.build(b, outputs{log: &logs, metrics: &emf, daemon: s.addr})
			ctx := invocationCtx()
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if _, err := h.Invoke(ctx, payload); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.StopTimer()
			if v.name == "reference" {
				return
			}
			deadline := time.Now().Add(5 * time.Second)
			for s.received.Load() < int64(n) && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			b.ReportMetric(float64(logs.lines.Load())/float64(n), "lines/op")
			b.ReportMetric(float64(emf.lines.Load())/float64(n), "emf/op")
			b.ReportMetric(float64(s.received.Load())/float64(n), "datagrams/op")
		})
	}
}

func BenchmarkInvoke(b *testing.B) { benchVariants(b, singleVariants, order.Payload) }

func BenchmarkInvokeAll(b *testing.B) { benchVariants(b, allVariants, order.SQSPayload) }
