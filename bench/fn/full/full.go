// Package full is the benchmark function with every utility the library has turned on: the core three
// (one log line, one metric, one subsegment per invocation), validation of every SQS body against a JSON
// Schema through the SQS envelope (JMESPath), and the batch processor decoding each body into a typed
// line and reporting the failed ones (a failure logs one ERROR line).
package full

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/bench/fn/order"
	"github.com/gopowertools/powertools/validation"
	"go.uber.org/zap"
)

var errOutOfStock = errors.New(order.OutOfStock)

// Handle processes an SQS batch of order lines, logs one summary line and adds one metric.
func Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	resp, err := powertools.ProcessSQSTyped(ctx, ev, Line)
	if err != nil {
		return resp, err
	}
	return resp, Summary(ctx, ev, resp)
}

// Summary logs the one summary line of a batch and adds its one metric, the records processed.
func Summary(ctx context.Context, ev events.SQSEvent, resp events.SQSEventResponse) error {
	done := len(ev.Records) - len(resp.BatchItemFailures)
	powertools.Logger(ctx).Info(order.Message, zap.Int("records", len(ev.Records)), zap.Int("failed", len(resp.BatchItemFailures)))
	return powertools.Metrics(ctx).Add(order.Batch, powertools.UnitCount, float64(done))
}

// Line is the work done on one order line: it fails when the line asks for more than MaxQty.
func Line(ctx context.Context, m events.SQSMessage, l order.Line) error {
	if l.Qty > order.MaxQty {
		return errOutOfStock
	}
	return nil
}

// Options is the function's configuration; tests append theirs (outputs, environment).
func Options() []powertools.Option {
	return []powertools.Option{
		powertools.WithService(order.Service),
		powertools.WithMetrics(order.Namespace),
		powertools.WithTracer(),
		validation.With(validation.SchemaJSON(order.BatchSchema), validation.Schema{}, powertools.EnvelopeSQS),
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
