package powertoolstest_test

import (
	"context"
	"io"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/powertoolstest"
)

var benchEvent = []byte(`{"id":"o-1","amount":12.5}`)

// BenchmarkInvoke is one invocation through the Recorder (context built, output captured, traced);
// BenchmarkInvokeDirect the same App options called by hand with output discarded and no trace header:
// the ratio is what the kit costs a test per invocation.
func BenchmarkInvoke(b *testing.B) {
	rec := newRecorder(b)
	h := powertools.WrapFunc(rec.App(), handle)
	b.ReportAllocs()
	for b.Loop() {
		if inv := rec.Invoke(h, benchEvent); inv.Err != nil {
			b.Fatal(inv.Err)
		}
	}
}

func BenchmarkInvokeDirect(b *testing.B) {
	app, err := powertools.New(powertools.WithEnv(powertoolstest.Environment()),
		powertools.WithService("orders"), powertools.WithMetrics("Shop"), powertools.WithColdStartMetric(),
		powertools.WithTracer(), powertools.WithLogOutput(io.Discard), powertools.WithMetricsOutput(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	h := powertools.WrapFunc(app, handle)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, benchEvent); err != nil {
			b.Fatal(err)
		}
	}
}
