// Package perrecord is ../full validating each SQS body inside the batch handler instead of the whole
// event in the validation middleware. It is not one of the compared variants: it measures, in the same
// run, what the middleware's whole-event decode costs (bench/README.md).
package perrecord

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/bench/fn/core"
	"github.com/gopowertools/powertools/bench/fn/full"
	"github.com/gopowertools/powertools/bench/fn/order"
	"github.com/gopowertools/powertools/validation"
)

var lineSchema = validation.SchemaJSON(order.LineSchema)

// Handle is ../full.Handle validating each body inside the batch (validation.Validate on the body it
// already holds) instead of the whole event in the validation middleware: the same output for a valid
// batch, without decoding the event into a generic document and searching it with the SQS envelope.
// A body failing its schema fails that record alone.
func Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	resp, err := powertools.ProcessSQSTyped(ctx, ev, func(ctx context.Context, m events.SQSMessage, l order.Line) error {
		if err := validation.Validate([]byte(m.Body), lineSchema, ""); err != nil {
			return err
		}
		return full.Line(ctx, m, l)
	})
	if err != nil {
		return resp, err
	}
	return resp, full.Summary(ctx, ev, resp)
}

// Options is ../full.Options without the validation middleware, which is ../core's, for Handle.
func Options() []powertools.Option { return core.Options() }

// New wraps Handle in an App built from Options and opts.
func New(opts ...powertools.Option) (powertools.Handler, error) {
	app, err := powertools.New(append(Options(), opts...)...)
	if err != nil {
		return nil, err
	}
	return powertools.WrapFunc(app, Handle), nil
}
