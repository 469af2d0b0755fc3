// Package core is the benchmark function instrumented with the core three utilities: per invocation one
// log line (Logger), one metric (Metrics, one EMF blob) and one subsegment "## Handle" sent over UDP
// (Tracer, with the ColdStart and Service annotations and the response as metadata).
package core

import (
	"context"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/bench/fn/order"
	"go.uber.org/zap"
)

// Handle logs one line, adds one metric and answers; the tracer records the subsegment around it.
func Handle(ctx context.Context, in order.Event) (order.Result, error) {
	powertools.Logger(ctx).Info(order.Message, zap.String("order_id", in.ID))
	if err := powertools.Metrics(ctx).Add(order.Metric, powertools.UnitCount, 1); err != nil {
		return order.Result{}, err
	}
	return order.Result{OK: true, ID: in.ID}, nil
}

// Options is the function's configuration; tests append theirs (outputs, environment).
func Options() []powertools.Option {
	return []powertools.Option{
		powertools.WithService(order.Service),
		powertools.WithMetrics(order.Namespace),
		powertools.WithTracer(),
	}
}

// New wraps Handle in an App built from Options and opts.
func New(opts ...powertools.Option) (powertools.Handler, error) {
	app, err := powertools.New(append(Options(), opts...)...)
	if err != nil {
		return nil, err
	}
	return powertools.WrapFunc(app, Handle), nil
}
