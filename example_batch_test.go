package powertools_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gopowertools/powertools"
)

// A handler for an SQS queue whose event source mapping has ReportBatchItemFailures: only the messages
// that failed go back to the queue.
func ExampleProcessSQS() {
	app, _ := powertools.New(powertools.WithLogOutput(io.Discard), powertools.WithEnv(map[string]string{}))
	h := app.Wrap(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return powertools.ProcessSQS(ctx, ev, func(ctx context.Context, m events.SQSMessage) error {
			if m.Body == "bad" {
				return errors.New("cannot process") // logged at ERROR with the message id
			}
			return nil
		})
	})
	out, err := h.Invoke(context.Background(), []byte(`{"Records":[
		{"messageId":"m1","body":"good","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders"},
		{"messageId":"m2","body":"bad","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders"},
		{"messageId":"m3","body":"good","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders"}]}`))
	fmt.Println(string(out), err)
	// Output: {"batchItemFailures":[{"itemIdentifier":"m2"}]} <nil>
}

type order struct {
	ID  string `json:"id"`
	Qty int    `json:"qty"`
}

// The typed variant decodes each body; a body that is not an order fails that message alone.
func ExampleProcessSQSTyped() {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: `{"id":"o-1","qty":2}`},
		{MessageId: "m2", Body: `{"id":"o-2","qty":"two"}`},
	}}
	resp, err := powertools.ProcessSQSTyped(context.Background(), ev, func(ctx context.Context, m events.SQSMessage, o order) error {
		fmt.Println("order", o.ID, "qty", o.Qty)
		return nil
	})
	fmt.Println(resp.BatchItemFailures, err)
	// Output:
	// order o-1 qty 2
	// [{m2}] <nil>
}

// DynamoDB Streams images are turned into plain JSON, so a struct with json tags receives them.
func ExampleProcessDynamoDBStreamTyped() {
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{{
		EventName: "INSERT",
		Change: events.DynamoDBStreamRecord{SequenceNumber: "100", NewImage: map[string]events.DynamoDBAttributeValue{
			"id":  events.NewStringAttribute("o-1"),
			"qty": events.NewNumberAttribute("3"),
		}},
	}}}
	resp, err := powertools.ProcessDynamoDBStreamTyped(context.Background(), ev, func(ctx context.Context, r events.DynamoDBEventRecord, o order) error {
		fmt.Println(r.EventName, o.ID, o.Qty)
		return nil
	})
	fmt.Println(len(resp.BatchItemFailures), err)
	// Output:
	// INSERT o-1 3
	// 0 <nil>
}

// On a FIFO queue a failure stops the batch to keep the order; with WithBatchSkipGroupOnError only the
// failed message's group stops, and WithBatchParallel runs the groups at once, each in order.
func ExampleWithBatchSkipGroupOnError() {
	arn := "arn:aws:sqs:us-east-1:123456789012:orders.fifo"
	msg := func(id, group string) events.SQSMessage {
		return events.SQSMessage{MessageId: id, EventSourceARN: arn, Attributes: map[string]string{"MessageGroupId": group}}
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{msg("a1", "A"), msg("b1", "B"), msg("a2", "A"), msg("b2", "B")}}
	fn := func(ctx context.Context, m events.SQSMessage) error {
		if m.MessageId == "a1" {
			return errors.New("cannot process")
		}
		return nil
	}
	whole, _ := powertools.ProcessSQS(context.Background(), ev, fn)
	group, _ := powertools.ProcessSQS(context.Background(), ev, fn,
		powertools.WithBatchSkipGroupOnError(true), powertools.WithBatchParallel(4))
	fmt.Println(whole.BatchItemFailures)
	fmt.Println(group.BatchItemFailures)
	// Output:
	// [{a1} {b1} {a2} {b2}]
	// [{a1} {a2}]
}

// Records not started when the context's deadline (less the margin) passes are reported failed, so the
// function answers before Lambda's timeout and no record is lost.
func ExampleWithBatchDeadlineMargin() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		{Kinesis: events.KinesisRecord{SequenceNumber: "1"}},
		{Kinesis: events.KinesisRecord{SequenceNumber: "2"}},
	}}
	resp, err := powertools.ProcessKinesis(ctx, ev, func(context.Context, events.KinesisEventRecord) error { return nil },
		powertools.WithBatchDeadlineMargin(2*time.Second))
	fmt.Println(resp.BatchItemFailures, errors.Is(err, powertools.ErrBatchAllFailed), errors.Is(err, powertools.ErrBatchDeadline))
	// Output: [{1} {2}] true true
}
