// Package logonly is the benchmark function with the powertools Logger alone: one log line per invocation.
package logonly

import (
	"context"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/bench/fn/order"
	"go.uber.org/zap"
)

// Handle logs one line and answers.
func Handle(ctx context.Context, in order.Event) (order.Result, error) {
	powertools.Logger(ctx).Info(order.Message, zap.String("order_id", in.ID))
	return order.Result{OK: true, ID: in.ID}, nil
}

// Options is the function's configuration; tests append theirs (outputs, environment).
func Options() []powertools.Option { return []powertools.Option{powertools.WithService(order.Service)} }

// New wraps Handle in an App built from Options and opts.
func New(opts ...powertools.Option) (powertools.Handler, error) {
	app, err := powertools.New(append(Options(), opts...)...)
	if err != nil {
		return nil, err
	}
	return powertools.WrapFunc(app, Handle), nil
}
