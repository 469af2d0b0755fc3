// Package handrolledfull is ../full written by hand: the instrumentation of ../handrolled, every SQS body
// validated with santhosh-tekuri/jsonschema (the whole event refused when one is invalid, as the
// validation middleware does), then each body decoded into a typed line, failures collected as batch
// item failures and logged at ERROR.
package handrolledfull

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/gopowertools/powertools/bench/fn/handrolled"
	"github.com/gopowertools/powertools/bench/fn/order"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.uber.org/zap"
)

var errOutOfStock = errors.New(order.OutOfStock)

// Function is the hand-instrumented batch function.
type Function struct {
	k      *handrolled.Kit
	schema *jsonschema.Schema
}

// New builds the function and compiles the schema.
func New(cfg handrolled.Config) (*Function, error) {
	k, err := handrolled.NewKit(cfg)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(order.LineSchema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("line.json", doc); err != nil {
		return nil, err
	}
	sch, err := c.Compile("line.json")
	if err != nil {
		return nil, err
	}
	return &Function{k: k, schema: sch}, nil
}

// blob is this function's EMF blob: one metric, Lines.
type blob struct {
	AWS     handrolled.EMF `json:"_aws"`
	Service string         `json:"service"`
	Lines   []float64      `json:"Lines"`
}

// Handle validates the batch, processes every line, logs one summary line and writes one EMF blob.
func (f *Function) Handle(ctx context.Context, ev events.SQSEvent) (resp events.SQSEventResponse, err error) {
	inv := f.k.Begin(ctx, "Handle")
	defer func() { f.k.End(inv, "Handle", resp, err) }()
	for i, m := range ev.Records {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(m.Body))
		if err != nil {
			return resp, fmt.Errorf("record %d: %w", i, err)
		}
		if err := f.schema.Validate(v); err != nil {
			return resp, fmt.Errorf("record %d: %w", i, err)
		}
	}
	resp.BatchItemFailures = []events.SQSBatchItemFailure{}
	for i, m := range ev.Records {
		if err := line(m); err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			inv.Log.Error("batch record failed", zap.String("record_id", m.MessageId), zap.Int("record_index", i),
				zap.String("event_source", "aws:sqs"), zap.NamedError("exception", err))
		}
	}
	done := len(ev.Records) - len(resp.BatchItemFailures)
	inv.Log.Info(order.Message, zap.Int("records", len(ev.Records)), zap.Int("failed", len(resp.BatchItemFailures)))
	err = f.k.WriteEMF(blob{AWS: handrolled.NewEMF(order.Batch), Service: order.Service, Lines: []float64{float64(done)}})
	return resp, err
}

func line(m events.SQSMessage) error {
	var l order.Line
	if err := json.Unmarshal([]byte(m.Body), &l); err != nil {
		return errors.New("decode body: " + strconv.Quote(err.Error()))
	}
	if l.Qty > order.MaxQty {
		return errOutOfStock
	}
	return nil
}

// Handler is Handle through lambda.NewHandler.
func (f *Function) Handler() lambda.Handler { return lambda.NewHandler(f.Handle) }
