// Package reference is the bare function of the benchmark: plain aws-lambda-go, no logging, metrics or
// tracing. Every other variant is measured against it.
package reference

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/gopowertools/powertools/bench/fn/order"
)

// Handle answers one order event.
func Handle(ctx context.Context, in order.Event) (order.Result, error) {
	return order.Result{OK: true, ID: in.ID}, nil
}

// New is Handle as the runtime runs it: through lambda.NewHandler (JSON in, JSON out).
func New() lambda.Handler { return lambda.NewHandler(Handle) }

var errOutOfStock = errors.New(order.OutOfStock)

// HandleBatch processes an SQS batch by hand, reporting the lines that fail, without validation, logging,
// metrics or tracing: the floor of scenario 2.
func HandleBatch(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	resp.BatchItemFailures = []events.SQSBatchItemFailure{}
	for _, m := range ev.Records {
		if err := line(m); err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

func line(m events.SQSMessage) error {
	var l order.Line
	if err := json.Unmarshal([]byte(m.Body), &l); err != nil {
		return err
	}
	if l.Qty > order.MaxQty {
		return errOutOfStock
	}
	return nil
}

// NewBatch is HandleBatch through lambda.NewHandler.
func NewBatch() lambda.Handler { return lambda.NewHandler(HandleBatch) }
