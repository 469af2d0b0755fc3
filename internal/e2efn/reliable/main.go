// Command reliable is the function of the reliability suite (e2e_reliability_test.go): every utility on
// at once (appended keys, a correlation id, metrics with a per-request dimension, tracing, idempotency on
// the event's id with the memory store), answering,
// failing or panicking as each event asks, so that the suite can check under concurrency that every
// response, log line, EMF blob and trace document belongs to the invocation that produced it.
package main

import (
	"context"
	"errors"

	"github.com/gopowertools/powertools"
	"go.uber.org/zap"
)

// Event says who calls and how the invocation ends: "ok", "fail" (an error) or "panic".
type Event struct {
	ID   string `json:"id"`
	Mode string `json:"mode"`
}

// Answer ties a response to its event and invocation.
type Answer struct {
	ID        string `json:"id"`
	RequestID string `json:"request_id"`
}

func main() {
	powertools.StartFunc(handle, options()...)
}

func options() []powertools.Option {
	return []powertools.Option{
		powertools.WithCorrelationIDPath("id"),
		powertools.WithMetrics("Reliability"),
		powertools.WithColdStartMetric(),
		powertools.WithTracer(),
		powertools.WithIdempotency(powertools.NewMemoryStore(), powertools.WithIdemKeyPath("id")),
	}
}

var errAsked = errors.New("reliable: failing as asked")

func handle(ctx context.Context, ev Event) (Answer, error) {
	powertools.AppendKeys(ctx, zap.String("caller", ev.ID))
	if err := powertools.Metrics(ctx).AddDimension("caller", ev.ID); err != nil {
		return Answer{}, err
	}
	if err := powertools.Metrics(ctx).Add("Calls", powertools.UnitCount, 1); err != nil {
		return Answer{}, err
	}
	err := powertools.Tracer(ctx).Capture("work", func(ctx context.Context) error {
		powertools.Tracer(ctx).Annotate("caller", ev.ID)
		powertools.Logger(ctx).Info("working", zap.String("mode", ev.Mode))
		switch ev.Mode {
		case "fail":
			return errAsked
		case "panic":
			panic("reliable: panicking as asked by " + ev.ID)
		}
		return nil
	})
	if err != nil {
		return Answer{}, err
	}
	return Answer{ID: ev.ID, RequestID: powertools.RequestID(ctx)}, nil
}
