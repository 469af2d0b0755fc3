// Command orders is an order processor built with Powertools for AWS Lambda (Go), using every utility
// together: an Amazon SQS queue delivers orders in batches; each order is validated against a JSON Schema
// derived from the Order type, charged, logged, counted in CloudWatch metrics and traced in X-Ray. An order
// that fails (invalid, or its charge declined) fails alone: the answer lists it in batchItemFailures, so
// Lambda returns only that message to the queue (the event source mapping has ReportBatchItemFailures).
//
//	a good batch                          -> {"batchItemFailures":[]}
//	one invalid order, one declined card  -> {"batchItemFailures":[{"itemIdentifier":"<its messageId>"}, ...]}
//	every order failed                    -> a function error: Lambda retries the whole batch
//	an event that is not an SQS batch     -> a function error (inbound validation)
//
// The charge goes to the payment provider's HTTP API at PAYMENTS_API_URL, through an http.Client
// instrumented with powertools.InstrumentHTTP; without PAYMENTS_API_URL, to an in-process sandbox. The
// provider's API key is the Secrets Manager secret named by PAYMENTS_API_KEY_SECRET, read through the
// Parameters utility (powertools.Secrets(ctx), cached for 5 minutes, its client built on first use).
//
// Build it for Lambda (provided.al2023) as a binary named bootstrap:
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap .
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/parameters/secretsparams"
	"github.com/gopowertools/powertools/validation"
	"go.uber.org/zap"
)

func main() {
	gateway = newGateway(os.Getenv("PAYMENTS_API_URL"))
	apiKeySecret = os.Getenv("PAYMENTS_API_KEY_SECRET")
	powertools.StartFunc(handle, options()...)
}

// options configures Powertools beyond what the environment (POWERTOOLS_SERVICE_NAME, ...) sets. Options
// beat environment variables, so what is set here holds whatever the function's configuration says.
func options() []powertools.Option {
	return []powertools.Option{
		powertools.WithMetrics("Shop"),
		powertools.WithColdStartMetric(),
		powertools.WithTracer(),
		// Order bodies carry payment tokens: never log raw events, even if POWERTOOLS_LOGGER_LOG_EVENT is
		// switched on.
		powertools.WithLogEvent(false),
		powertools.WithMiddleware(batchSummary),
		// The event must be an SQS batch and the answer a well-formed partial-failure response: an empty
		// itemIdentifier would make Lambda retry the whole batch.
		validation.With(sqsEventSchema, batchResponseSchema, ""),
		// powertools.Secrets(ctx): an SDK client built on first use from the default AWS configuration,
		// traced. secretsparams links the Secrets Manager SDK package alone (parameters.With() would link
		// SSM's and AppConfig's too, and pay their package init at every cold start).
		secretsparams.With(),
	}
}

// apiKeySecret names the Secrets Manager secret holding the payment provider's API key ("" for none, as
// the sandbox needs none). Set once, in main.
var apiKeySecret string

// paymentsAPIKey is the payment provider's API key, from Secrets Manager: fetched by the first charge of
// the process, then served from the cache for 5 minutes (POWERTOOLS_PARAMETERS_MAX_AGE), so a rotated
// key is picked up without a redeploy. Its value is never logged.
func paymentsAPIKey(ctx context.Context) (string, error) {
	if apiKeySecret == "" {
		return "", nil
	}
	return powertools.Secrets(ctx).Get(ctx, apiKeySecret)
}

// Order is the body of one SQS message. Its JSON Schema (orderSchema) is derived from the struct: field
// names from the json tags, constraints from the jsonschema tags, every field without omitempty required.
type Order struct {
	ID           string `json:"id" jsonschema:"minLength=1,maxLength=64"`
	CustomerID   string `json:"customer_id" jsonschema:"minLength=1"`
	Currency     string `json:"currency" jsonschema:"enum=EUR,enum=USD,enum=GBP"`
	Items        []Item `json:"items" jsonschema:"minItems=1,maxItems=50"`
	PaymentToken string `json:"payment_token" jsonschema:"minLength=1"`
	Note         string `json:"note,omitempty" jsonschema:"maxLength=500"`
}

// Item is one line of an order.
type Item struct {
	SKU       string  `json:"sku" jsonschema:"minLength=1"`
	Quantity  int     `json:"quantity" jsonschema:"minimum=1,maximum=100"`
	UnitPrice float64 `json:"unit_price" jsonschema:"exclusiveMinimum=0,maximum=100000"`
}

// TotalCents is the order's amount in cents: each unit price is rounded to the cent first, as the price
// list shows it, so the sum is exact.
func (o Order) TotalCents() int64 {
	var total int64
	for _, it := range o.Items {
		total += int64(math.Round(it.UnitPrice*100)) * int64(it.Quantity)
	}
	return total
}

var (
	// orderSchema validates each message body. Derived and compiled once, on first use.
	orderSchema = validation.SchemaFor[Order]()

	sqsEventSchema = validation.SchemaJSON(`{
		"type": "object",
		"required": ["Records"],
		"properties": {"Records": {"type": "array", "minItems": 1, "items": {
			"type": "object",
			"required": ["messageId", "body"],
			"properties": {"messageId": {"type": "string", "minLength": 1}, "body": {"type": "string"}}
		}}}
	}`)

	batchResponseSchema = validation.SchemaJSON(`{
		"type": "object",
		"required": ["batchItemFailures"],
		"properties": {"batchItemFailures": {"type": "array", "items": {
			"type": "object",
			"required": ["itemIdentifier"],
			"properties": {"itemIdentifier": {"type": "string", "minLength": 1}}
		}}}
	}`)
)

// gateway takes the payments: set once, in main, before the first invocation.
var gateway paymentGateway = sandboxGateway{}

type paymentGateway interface {
	// Charge takes the payment of one order and returns the charge id.
	Charge(ctx context.Context, c charge) (string, error)
}

// charge is one payment to take. OrderID is the idempotency key: a message delivered again (after a
// failure elsewhere in its batch, or a timeout) does not charge the card twice.
type charge struct {
	OrderID  string `json:"order_id"`
	Token    string `json:"source"`
	Cents    int64  `json:"amount"`
	Currency string `json:"currency"`
	APIKey   string `json:"-"` // the provider's API key, sent as a bearer token
}

// errCardDeclined is the gateway's answer for a card it refuses.
var errCardDeclined = errors.New("card declined")

// newGateway is the provider's HTTP API at baseURL, or the sandbox when baseURL is "".
func newGateway(baseURL string) paymentGateway {
	if baseURL == "" {
		return sandboxGateway{}
	}
	return &httpGateway{
		url: strings.TrimRight(baseURL, "/") + "/v1/charges",
		// InstrumentHTTP: each call is a subsegment (inside "charge") and carries the trace downstream.
		client: &http.Client{Transport: powertools.InstrumentHTTP(nil), Timeout: 10 * time.Second},
	}
}

// httpGateway calls a payment provider's API: POST /v1/charges with the charge as JSON and the order id
// as Idempotency-Key; 200 or 201 answers {"id": "<charge id>"}, 402 means the card was declined.
type httpGateway struct {
	url    string
	client *http.Client
}

// maxAnswer bounds what is read of the provider's answer.
const maxAnswer = 1 << 20

func (g *httpGateway) Charge(ctx context.Context, c charge) (string, error) {
	body, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("payments API: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", c.OrderID)
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("payments API: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return "", fmt.Errorf("payments API: read answer: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated:
	case http.StatusPaymentRequired:
		return "", errCardDeclined
	default:
		return "", fmt.Errorf("payments API: status %d: %s", resp.StatusCode, bytes.TrimSpace(answer))
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(answer, &out); err != nil || out.ID == "" {
		return "", fmt.Errorf("payments API: answer without a charge id: %q", answer)
	}
	return out.ID, nil
}

// sandboxGateway stands in for the provider: it accepts every token but the test token of a declined
// card, and derives the charge id from the order id (the idempotency key), so a message delivered again
// gets the same charge.
type sandboxGateway struct{}

// declinedToken is the token the sandbox always declines.
const declinedToken = "tok_chargeDeclined"

func (sandboxGateway) Charge(_ context.Context, c charge) (string, error) {
	if c.Token == declinedToken {
		return "", errCardDeclined
	}
	sum := sha256.Sum256([]byte(c.OrderID + "/" + strconv.FormatInt(c.Cents, 10) + "/" + c.Currency))
	return "ch_" + hex.EncodeToString(sum[:8]), nil
}

// handle processes one SQS batch. On a FIFO queue a failed order stops only the later orders of its
// message group (its customer), which are reported failed unprocessed so their order is kept; the other
// groups go on.
func handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	return powertools.ProcessSQSTyped(ctx, ev, processOrder, powertools.WithBatchSkipGroupOnError(true))
}

// processOrder validates, charges and accounts for one order. Its error fails this message alone; the
// batch processor logs it at ERROR with the message id.
func processOrder(ctx context.Context, m events.SQSMessage, o Order) error {
	if err := validation.Validate(json.RawMessage(m.Body), orderSchema, ""); err != nil {
		countMetric(ctx, "OrdersRejected")
		return fmt.Errorf("orders: invalid order %q: %w", o.ID, err)
	}
	cents := o.TotalCents()
	amount := float64(cents) / 100

	chargeID, err := powertools.CaptureValue(ctx, "charge", func(ctx context.Context) (string, error) {
		seg := powertools.Tracer(ctx) // the "charge" subsegment
		seg.Annotate("order_id", o.ID)
		seg.Annotate("currency", o.Currency)
		seg.Metadata("amount", amount)
		// ctx is the "charge" subsegment's: an instrumented call made with it nests inside (the Secrets
		// Manager call too, when the key is not cached).
		key, err := paymentsAPIKey(ctx)
		if err != nil {
			return "", fmt.Errorf("payments API key: %w", err)
		}
		return gateway.Charge(ctx, charge{OrderID: o.ID, Token: o.PaymentToken, Cents: cents, Currency: o.Currency, APIKey: key})
	})
	if err != nil {
		countMetric(ctx, "ChargesFailed")
		return fmt.Errorf("orders: charge order %q: %w", o.ID, err)
	}

	countMetric(ctx, "OrdersProcessed")
	// OrderValue per currency: its own blob, with the currency as a dimension (the invocation's blob holds
	// orders of every currency).
	if err := powertools.Metrics(ctx).Single("OrderValue", powertools.UnitNone, amount,
		powertools.Dimension{Name: "currency", Value: o.Currency}); err != nil {
		metricFailed(ctx, "OrderValue", err)
	}
	powertools.Logger(ctx).Info("order processed",
		zap.String("order_id", o.ID),
		zap.String("customer_id", o.CustomerID),
		zap.String("message_id", m.MessageId),
		zap.String("charge_id", chargeID),
		zap.Float64("amount", amount),
		zap.String("currency", o.Currency),
		zap.Int("items", len(o.Items)),
	)
	return nil
}

// countMetric adds 1 to the Count metric name. A metric that cannot be recorded is logged, not returned:
// failing the message after its card was charged would charge it again on the retry.
func countMetric(ctx context.Context, name string) {
	if err := powertools.Metrics(ctx).Add(name, powertools.UnitCount, 1); err != nil {
		metricFailed(ctx, name, err)
	}
}

func metricFailed(ctx context.Context, name string, err error) {
	powertools.Logger(ctx).Warn("metric not recorded", zap.String("metric", name), zap.Error(err))
}

// batchSummary is a user middleware: it tags every log line of the invocation with the queue and the
// batch size, and ends the invocation with one line saying how the batch went and how long it took. It
// runs inside the tracer and metrics layers and outside validation, so it also reports a batch that
// validation refused.
func batchSummary(next powertools.Handler) powertools.Handler {
	return powertools.HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		start := time.Now()
		size, queue := batchShape(payload)
		powertools.AppendKeys(ctx, zap.Int("batch_size", size))
		if queue != "" {
			powertools.AppendKeys(ctx, zap.String("queue", queue))
			powertools.Tracer(ctx).Annotate("queue", queue)
		}

		out, err := next.Invoke(ctx, payload)

		elapsed := zap.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000)
		if err != nil {
			powertools.Logger(ctx).Error("batch failed", elapsed, zap.Error(err))
			return out, err
		}
		failed, _ := powertools.Search("length(batchItemFailures)", out)
		n, _ := failed.(float64)
		powertools.Logger(ctx).Info("batch done", elapsed, zap.Int("failed", int(n)))
		return out, nil
	})
}

// batchShape is the number of records of an SQS event and the name of the queue they come from; 0 and ""
// for a payload of another shape (validation, further in, refuses it).
func batchShape(payload []byte) (int, string) {
	v, err := powertools.Search("{size: length(Records), arn: Records[0].eventSourceARN}", payload)
	if err != nil {
		return 0, ""
	}
	m, _ := v.(map[string]any)
	size, _ := m["size"].(float64)
	arn, _ := m["arn"].(string)
	return int(size), arn[strings.LastIndexByte(arn, ':')+1:]
}
