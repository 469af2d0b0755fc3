// Package order holds what every variant of the benchmark function shares: its event, its answer and the
// names it logs, measures and traces under. It imports nothing, so it adds nothing to a binary.
package order

// Event is the event of the single-event function (scenario 1).
type Event struct {
	ID    string `json:"id"`
	Items int    `json:"items"`
}

// Result is its answer.
type Result struct {
	OK bool   `json:"ok"`
	ID string `json:"id"`
}

// Line is the body of one SQS message of the batch function (scenario 2).
type Line struct {
	ID  string `json:"id"`
	Qty int    `json:"qty"`
}

// Names every variant uses, so their outputs can be compared.
const (
	Service    = "bench"
	Namespace  = "Bench"
	Message    = "order processed"
	Metric     = "Orders" // one per invocation, Count
	Batch      = "Lines"  // batch function: records processed, Count
	MaxQty     = 50       // batch function: a line over it fails (out of stock)
	OutOfStock = "out of stock"
)

// LineSchema is the JSON Schema every SQS body is validated against.
const LineSchema = `{"type":"object","required":["id","qty"],"properties":{"id":{"type":"string","minLength":1},"qty":{"type":"integer","minimum":1}}}`

// BatchSchema is LineSchema over the bodies of a whole batch, as the SQS envelope selects them (an array).
const BatchSchema = `{"type":"array","items":` + LineSchema + `}`

// Payload is the scenario 1 event as the runtime delivers it.
var Payload = []byte(`{"id":"o-42","items":3}`)

// SQSPayload is the scenario 2 event: four valid lines, the third over MaxQty (one batch item failure).
var SQSPayload = []byte(`{"Records":[` +
	`{"messageId":"m1","body":"{\"id\":\"o-1\",\"qty\":2}","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders","awsRegion":"us-east-1"},` +
	`{"messageId":"m2","body":"{\"id\":\"o-2\",\"qty\":5}","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders","awsRegion":"us-east-1"},` +
	`{"messageId":"m3","body":"{\"id\":\"o-3\",\"qty\":99}","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders","awsRegion":"us-east-1"},` +
	`{"messageId":"m4","body":"{\"id\":\"o-4\",\"qty\":1}","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders","awsRegion":"us-east-1"}]}`)
