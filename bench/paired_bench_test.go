package bench

import (
	"slices"
	"testing"
	"time"

	"github.com/gopowertools/powertools/bench/fn/order"
)

// pairedChunk is how many invocations of one variant run back to back before the other takes over.
const pairedChunk = 32

// BenchmarkInvokePaired measures a variant against the floor in one process, alternating chunks of
// pairedChunk invocations of each, and reports the median over the chunk pairs of their time ratio
// ("x-floor"): a burst of load from another process lands on one chunk pair and moves one ratio, not the
// result, which separate benchmark runs on a shared machine cannot promise. ns/op is the variant's.
func BenchmarkInvokePaired(b *testing.B) {
	var floorV variant
	for _, v := range singleVariants {
		if v.name == "floor" {
			floorV = v
		}
	}
	for _, v := range singleVariants {
		if v.name == "floor" {
			continue
		}
		b.Run(v.name, func(b *testing.B) {
			s, fs := startSink(b), startSink(b)
			var logs, emf, flogs, femf lineCounter
			h := v.build(b, outputs{log: &logs, metrics: &emf, daemon: s.addr})
			f := floorV.build(b, outputs{log: &flogs, metrics: &femf, daemon: fs.addr})
			ctx := invocationCtx()
			var ratios []float64
			var spent time.Duration
			n := 0
			for b.Loop() {
				t0 := time.Now()
				for range pairedChunk {
					if _, err := h.Invoke(ctx, order.Payload); err != nil {
						b.Fatal(err)
					}
				}
				t1 := time.Now()
				for range pairedChunk {
					if _, err := f.Invoke(ctx, order.Payload); err != nil {
						b.Fatal(err)
					}
				}
				t2 := time.Now()
				spent += t1.Sub(t0)
				n += pairedChunk
				ratios = append(ratios, float64(t1.Sub(t0))/float64(t2.Sub(t1)))
			}
			b.StopTimer()
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "x-floor")
			b.ReportMetric(float64(spent.Nanoseconds())/float64(n), "variant-ns/op")
		})
	}
}
