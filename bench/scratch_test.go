package bench

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/bench/fn/order"
	"go.uber.org/zap"
)

func BenchmarkScratch(b *testing.B) {
	mk := func(log, met, tr bool, nlines ...int) func(tb testing.TB, out outputs) lambda.Handler {
		return func(tb testing.TB, out outputs) lambda.Handler {
			opts := []powertools.Option{powertools.WithService(order.Service)}
			if met {
				opts = append(opts, powertools.WithMetrics(order.Namespace))
			}
			if tr {
				opts = append(opts, powertools.WithTracer())
			}
			app, err := powertools.New(append(opts, powertoolsOpts(out)...)...)
			if err != nil {
				tb.Fatal(err)
			}
			return powertools.WrapFunc(app, func(ctx context.Context, in order.Event) (order.Result, error) {
				if log {
					powertools.Logger(ctx).Info(order.Message, zap.String("order_id", in.ID))
					for range nlines {
						for range 9 {
							powertools.Logger(ctx).Info(order.Message, zap.String("order_id", in.ID))
						}
					}
				}
				if met {
					_ = powertools.Metrics(ctx).Add(order.Metric, powertools.UnitCount, 1)
				}
				return order.Result{OK: true, ID: in.ID}, nil
			})
		}
	}
	var floorV variant
	for _, v := range singleVariants {
		if v.name == "floor" {
			floorV = v
		}
	}
	for _, v := range []variant{{"all", mk(true, true, true)}, {"all10", mk(true, true, true, 1)}, {"notr10", mk(true, true, false, 1)}, {"nolog", mk(false, true, true)}, {"nomet", mk(true, false, true)}, {"notr", mk(true, true, false)}, {"none", mk(false, false, false)}} {
		b.Run(v.name, func(b *testing.B) {
			s, fs := startSink(b), startSink(b)
			var logs, emf, flogs, femf lineCounter
			h := v.build(b, outputs{log: &logs, metrics: &emf, daemon: s.addr})
			f := floorV.build(b, outputs{log: &flogs, metrics: &femf, daemon: fs.addr})
			ctx := invocationCtx()
			var ratios []float64
			for b.Loop() {
				t0 := time.Now()
				for range pairedChunk {
					h.Invoke(ctx, order.Payload)
				}
				t1 := time.Now()
				for range pairedChunk {
					f.Invoke(ctx, order.Payload)
				}
				t2 := time.Now()
				ratios = append(ratios, float64(t1.Sub(t0))/float64(t2.Sub(t1)))
			}
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "x-floor")
		})
	}
}
