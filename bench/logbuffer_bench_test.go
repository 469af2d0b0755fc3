package bench

import (
	"context"
	"io"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools"
	"go.uber.org/zap"
)

// BenchmarkLogBuffer is the cost of one log line inside an invocation (issue 21): written (INFO), kept in
// the invocation's buffer (DEBUG under WithLogBuffer), and below the level (DEBUG, no buffer). The
// report (bench/report) puts the three side by side in RESULTS.md.
func BenchmarkLogBuffer(b *testing.B) {
	debug := func(l *zap.Logger) { l.Debug("collecting payment", zap.String("order", "o-1"), zap.Int("amount", 42)) }
	info := func(l *zap.Logger) { l.Info("collecting payment", zap.String("order", "o-1"), zap.Int("amount", 42)) }
	for _, v := range []struct {
		name string
		opts []powertools.Option
		log  func(*zap.Logger)
	}{
		{"written", nil, info},
		{"buffered", []powertools.Option{powertools.WithLogBuffer(powertools.LogBufferConfig{})}, debug},
		{"below-level", nil, debug},
	} {
		b.Run(v.name, func(b *testing.B) {
			app, err := powertools.New(append([]powertools.Option{powertools.WithEnv(benchEnv),
				powertools.WithService("bench"), powertools.WithLogOutput(io.Discard)}, v.opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: benchRequestID, InvokedFunctionArn: benchARN})
			_, err = app.Wrap(func(ctx context.Context) error {
				l := powertools.Logger(ctx)
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					v.log(l)
				}
				return nil
			}).Invoke(ctx, []byte(`{}`))
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
