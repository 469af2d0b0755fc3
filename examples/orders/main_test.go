package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/examples/orders/paymentstest"
	"github.com/gopowertools/powertools/internal/awsfake"
	"github.com/gopowertools/powertools/parameters/secretsparams"
	"github.com/gopowertools/powertools/powertoolstest"
	"github.com/gopowertools/powertools/validation"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testNow is the fixed clock of the tests: every log timestamp and EMF Timestamp is this instant.
var testNow = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// logWant is one expected log line: its level, message, and the id it is about (order_id of an
// "order processed" line, record_id of a failed record's line); "" for the batch summary.
type logWant struct{ level, message, id string }

// blobWant is one expected EMF blob: its metric names, dimension set, and the values of each metric.
type blobWant struct {
	dims   []string
	values map[string][]float64
	extra  map[string]string // dimension values
}

// The handler through powertools.WrapFunc, in process, with the sample events; the end-to-end test in
// the repository root runs the built binary through the Lambda runtime protocol.
func TestHandleSampleEvents(t *testing.T) {
	tests := []struct {
		event    string
		failures []string // batchItemFailures, in order
		err      error    // the invocation's error (then the response is not checked)
		logs     []logWant
		blobs    []blobWant // after the ColdStart blob
	}{
		{
			event:    "good-batch.json",
			failures: []string{},
			logs: []logWant{
				{"INFO", "order processed", "o-1001"},
				{"INFO", "order processed", "o-1002"},
				{"INFO", "order processed", "o-1003"},
				{"INFO", "batch done", ""},
			},
			blobs: []blobWant{
				orderValue("EUR", 21), orderValue("USD", 19.9), orderValue("GBP", 24.99),
				{dims: []string{"service"}, values: map[string][]float64{"OrdersProcessed": {1, 1, 1}}},
			},
		},
		{
			event:    "mixed-batch.json",
			failures: []string{"a5b1c2d3-0002-4e5f-8a9b-0c1d2e3f4a52", "a5b1c2d3-0003-4e5f-8a9b-0c1d2e3f4a53"},
			logs: []logWant{
				{"INFO", "order processed", "o-2001"},
				{"ERROR", "powertools: batch record failed", "a5b1c2d3-0002-4e5f-8a9b-0c1d2e3f4a52"},
				{"ERROR", "powertools: batch record failed", "a5b1c2d3-0003-4e5f-8a9b-0c1d2e3f4a53"},
				{"INFO", "order processed", "o-2004"},
				{"INFO", "batch done", ""},
			},
			blobs: []blobWant{
				orderValue("EUR", 13.5), orderValue("USD", 16.45),
				{dims: []string{"service"}, values: map[string][]float64{
					"OrdersProcessed": {1, 1}, "OrdersRejected": {1}, "ChargesFailed": {1}}},
			},
		},
		{
			event: "fifo-batch.json",
			// o-3003 is declined; o-3005, later in the same message group, is not processed. Group c-B goes on.
			failures: []string{"f1f0a000-0003-4000-8000-00000000a002", "f1f0a000-0005-4000-8000-00000000a003"},
			logs: []logWant{
				{"INFO", "order processed", "o-3001"},
				{"INFO", "order processed", "o-3002"},
				{"ERROR", "powertools: batch record failed", "f1f0a000-0003-4000-8000-00000000a002"},
				{"INFO", "order processed", "o-3004"},
				{"ERROR", "powertools: batch record failed", "f1f0a000-0005-4000-8000-00000000a003"},
				{"INFO", "batch done", ""},
			},
			blobs: []blobWant{
				orderValue("EUR", 4.5), orderValue("EUR", 24), orderValue("EUR", 1.99),
				{dims: []string{"service"}, values: map[string][]float64{"OrdersProcessed": {1, 1, 1}, "ChargesFailed": {1}}},
			},
		},
		{
			event: "poison-batch.json",
			err:   powertools.ErrBatchAllFailed,
			logs: []logWant{
				{"ERROR", "powertools: batch record failed", "d00dfeed-0001-4bad-8bad-000000000001"},
				{"ERROR", "powertools: batch record failed", "d00dfeed-0002-4bad-8bad-000000000002"},
				{"ERROR", "batch failed", ""},
			},
			blobs: []blobWant{
				{dims: []string{"service"}, values: map[string][]float64{"OrdersRejected": {1}}},
			},
		},
	}
	for _, gw := range []string{"sandbox", "http"} {
		for _, tt := range tests {
			t.Run(gw+"/"+tt.event, func(t *testing.T) {
				useGateway(t, gw)
				rec, h := newTestHandler(t, nil)
				inv := rec.Invoke(h, readEvent(t, tt.event), powertoolstest.WithRequestID("req-1"))
				if tt.err != nil {
					require.ErrorIs(t, inv.Err, tt.err)
				} else {
					var resp events.SQSEventResponse
					inv.Decode(&resp)
					got := []string{}
					for _, f := range resp.BatchItemFailures {
						got = append(got, f.ItemIdentifier)
					}
					assert.Equal(t, tt.failures, got)
				}

				lines := inv.Logs()
				require.Len(t, lines, len(tt.logs))
				batchSize := float64(len(readSQSEvent(t, tt.event).Records))
				for i, want := range tt.logs {
					line := lines[i]
					assert.Equal(t, want.level, line.Level, i)
					assert.Equal(t, want.message, line.Message, i)
					assert.Equal(t, "orders", line.Service)
					assert.Equal(t, "req-1", line.RequestID)
					assert.True(t, line.ColdStart)
					assert.Equal(t, batchSize, line.Keys["batch_size"], "appended by the middleware")
					assert.Contains(t, []any{"orders", "orders.fifo"}, line.Keys["queue"])
					switch {
					case want.message == "order processed":
						assert.Equal(t, want.id, line.Keys["order_id"])
						assert.Regexp(t, `^ch_\S+$`, line.Keys["charge_id"])
					case want.id != "":
						assert.Equal(t, want.id, line.Keys["record_id"])
						assert.NotEmpty(t, line.Exception)
					case want.message == "batch done":
						assert.Equal(t, float64(len(tt.failures)), line.Keys["failed"])
						assert.GreaterOrEqual(t, line.Keys["duration_ms"], 0.0)
					}
				}

				blobs := inv.Blobs()
				require.Len(t, blobs, 1+len(tt.blobs))
				checkBlob(t, blobs[0], blobWant{dims: []string{"function_name", "service"},
					values: map[string][]float64{"ColdStart": {1}}, extra: map[string]string{"function_name": "orders"}})
				for i, want := range tt.blobs {
					checkBlob(t, blobs[1+i], want)
				}
			})
		}
	}
}

// Why each failed record failed: the error the batch processor logged.
func TestFailureReasons(t *testing.T) {
	rec, h := newTestHandler(t, nil)
	inv := rec.Invoke(h, readEvent(t, "mixed-batch.json"))
	require.NoError(t, inv.Err)
	var failed []powertoolstest.Log
	for _, l := range inv.Logs() {
		if l.Level == "ERROR" {
			failed = append(failed, l)
		}
	}
	require.Len(t, failed, 2)
	assert.Contains(t, failed[0].Exception, `orders: invalid order "o-2002": powertools: validation failed: 2 issues: at $.currency: must be one of "EUR", "USD", "GBP"; at $.items[0].quantity: must be >= 1, not 0`)
	assert.Contains(t, failed[1].Exception, `orders: charge order "o-2003": card declined`)
}

// Every invalid order is refused by the schema derived from Order, at the field that is wrong.
func TestOrderSchema(t *testing.T) {
	valid := `{"id":"o-1","customer_id":"c-1","currency":"EUR","items":[{"sku":"S","quantity":1,"unit_price":0.5}],"payment_token":"tok"}`
	require.NoError(t, validation.Validate([]byte(valid), orderSchema, ""))
	tests := []struct{ name, from, to, path, keyword string }{
		{"quantity 0", `"quantity":1`, `"quantity":0`, "$.items[0].quantity", "minimum"},
		{"quantity 101", `"quantity":1`, `"quantity":101`, "$.items[0].quantity", "maximum"},
		{"free item", `"unit_price":0.5`, `"unit_price":0`, "$.items[0].unit_price", "exclusiveMinimum"},
		{"currency", `"EUR"`, `"JPY"`, "$.currency", "enum"},
		{"no items", `[{"sku":"S","quantity":1,"unit_price":0.5}]`, `[]`, "$.items", "minItems"},
		{"empty id", `"o-1"`, `""`, "$.id", "minLength"},
		{"missing token", `,"payment_token":"tok"`, ``, "$", "required"},
		{"quantity as text", `"quantity":1`, `"quantity":"1"`, "$.items[0].quantity", "type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(valid, tt.from, tt.to, 1)
			require.NotEqual(t, valid, body)
			err := validation.Validate([]byte(body), orderSchema, "")
			var ve *validation.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.path, ve.Path)
			assert.Equal(t, tt.keyword, ve.Keyword)
		})
	}
}

func TestTotalCents(t *testing.T) {
	o := Order{Items: []Item{{Quantity: 10, UnitPrice: 1.99}, {Quantity: 3, UnitPrice: 0.1}, {Quantity: 1, UnitPrice: 24.999}}}
	assert.Equal(t, int64(1990+30+2500), o.TotalCents())
}

// An event that is not an SQS batch is refused by the inbound validation before the handler runs; the
// middleware still reports it.
func TestNotAnSQSEvent(t *testing.T) {
	rec, h := newTestHandler(t, nil)
	inv := rec.Invoke(h, []byte(`{"detail-type":"OrderPlaced","detail":{"id":"o-1"}}`))
	var ve *validation.ValidationError
	require.ErrorAs(t, inv.Err, &ve)
	assert.Equal(t, "inbound", ve.Stage)
	lines := inv.Logs()
	require.Len(t, lines, 2, "the batch line and the empty-metrics warning")
	assert.Equal(t, "batch failed", lines[0].Message)
	assert.Equal(t, 0.0, lines[0].Keys["batch_size"])
	assert.Equal(t, "WARNING", lines[1].Level)
	assert.Contains(t, lines[1].Message, "No application metrics to publish")
	assert.Len(t, inv.Blobs(), 1, "the cold start blob only")
}

// With a trace header saying Sampled=1 the invocation sends its handler subsegment to the X-Ray daemon
// address, with one "charge" subsegment per charged order, annotated with the order id; with the HTTP
// gateway each charge holds the subsegment of its call to the provider, which got the trace header.
func TestTrace(t *testing.T) {
	for _, gw := range []string{"sandbox", "http"} {
		t.Run(gw, func(t *testing.T) {
			provider := useGateway(t, gw)
			rec, h := newTestHandler(t, nil)
			inv := rec.Invoke(h, readEvent(t, "mixed-batch.json"),
				powertoolstest.WithTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"))
			require.NoError(t, inv.Err)

			doc := inv.Segment()
			require.NotNil(t, doc, "the handler subsegment reached the daemon")
			assert.Equal(t, "## handle", doc.Name)
			assert.Equal(t, "1-5759e988-bd862e3fe1be46a994272793", doc.TraceID)
			assert.Equal(t, "53995c3f42cd8ad8", doc.ParentID)
			assert.Equal(t, "orders", doc.Annotations["queue"])
			var charged, calls []string
			for _, s := range doc.Subsegments {
				require.Equal(t, "charge", s.Name)
				oid, _ := s.Annotations["order_id"].(string)
				charged = append(charged, oid)
				assert.Equal(t, oid == "o-2003", s.Fault, "only the declined charge is a fault")
				if provider == nil {
					assert.Empty(t, s.Subsegments)
					continue
				}
				require.Len(t, s.Subsegments, 1, "the call to the provider")
				call := s.Subsegments[0]
				assert.Equal(t, "127.0.0.1", call.Name)
				assert.Equal(t, "remote", call.Namespace)
				assert.Equal(t, "POST", httpField(call, "request", "method"))
				assert.Equal(t, provider.URL+"/v1/charges", httpField(call, "request", "url"))
				assert.Equal(t, oid == "o-2003", call.Error, "a 402 is an error of the call")
				calls = append(calls, fmt.Sprintf("%s %v %s", oid, httpField(call, "response", "status"), call.ID))
			}
			assert.Equal(t, []string{"o-2001", "o-2003", "o-2004"}, charged, "the invalid order is never charged")
			if provider != nil {
				var got []string
				for _, c := range provider.Charges() {
					parent := strings.TrimSuffix(strings.TrimPrefix(c.TraceHeader, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent="), ";Sampled=1")
					got = append(got, fmt.Sprintf("%s %d %s", c.IdempotencyKey, c.Status, parent))
				}
				assert.Equal(t, calls, got, "each call carried the trace, its own subsegment as parent")
			}
		})
	}
}

// httpField is one field of a subsegment's "http" object: httpField(s, "request", "method").
func httpField(s *powertoolstest.Segment, part, field string) any {
	p, _ := s.HTTP[part].(map[string]any)
	return p[field]
}

func TestHTTPGateway(t *testing.T) {
	provider := paymentstest.NewServer()
	defer provider.Close()
	gw := newGateway(provider.URL + "/")
	c := charge{OrderID: "o-1", Token: "tok_visa", Cents: 1250, Currency: "EUR"}

	id, err := gw.Charge(context.Background(), c)
	require.NoError(t, err)
	assert.Equal(t, "ch_o-1", id)
	again, err := gw.Charge(context.Background(), c)
	require.NoError(t, err)
	assert.Equal(t, id, again, "the order id is the idempotency key")

	declined := c
	declined.Token = paymentstest.DeclinedToken
	_, err = gw.Charge(context.Background(), declined)
	assert.ErrorIs(t, err, errCardDeclined)

	down := c
	down.Token = paymentstest.UnavailableToken
	_, err = gw.Charge(context.Background(), down)
	assert.ErrorContains(t, err, `payments API: status 503: {"error":"unavailable"}`)

	charges := provider.Charges()
	require.Len(t, charges, 4)
	assert.Equal(t, paymentstest.Charge{IdempotencyKey: "o-1", OrderID: "o-1", Source: "tok_visa", Amount: 1250,
		Currency: "EUR", Status: 201}, charges[0], "outside a traced invocation no trace header")

	provider.Close()
	_, err = gw.Charge(context.Background(), c)
	assert.ErrorContains(t, err, "payments API: ")
}

func TestSandboxGateway(t *testing.T) {
	c := charge{OrderID: "o-1", Token: "tok_visa", Cents: 1250, Currency: "EUR"}
	id, err := sandboxGateway{}.Charge(context.Background(), c)
	require.NoError(t, err)
	assert.Regexp(t, `^ch_[0-9a-f]{16}$`, id)
	again, _ := sandboxGateway{}.Charge(context.Background(), c)
	assert.Equal(t, id, again, "the same order gets the same charge")
	c.Token = declinedToken
	_, err = sandboxGateway{}.Charge(context.Background(), c)
	assert.ErrorIs(t, err, errCardDeclined)
	assert.Equal(t, paymentstest.DeclinedToken, declinedToken, "the fake provider and the sandbox decline the same card")
}

// useGateway makes the function charge through the sandbox or, for "http", through the HTTP gateway
// calling a fake provider, which it returns.
func useGateway(t *testing.T, kind string) *paymentstest.Server {
	prev := gateway
	t.Cleanup(func() { gateway = prev })
	if kind == "sandbox" {
		gateway = sandboxGateway{}
		return nil
	}
	provider := paymentstest.NewServer()
	t.Cleanup(provider.Close)
	gateway = newGateway(provider.URL)
	return provider
}

// FuzzHandle feeds arbitrary message bodies to the wrapped handler: it answers or errs, never panics,
// and an answer always lists only messages of the batch.
func FuzzHandle(f *testing.F) {
	for _, name := range []string{"good-batch.json", "mixed-batch.json", "poison-batch.json"} {
		for _, r := range readSQSEvent(f, name).Records {
			f.Add(r.Body)
		}
	}
	f.Add(`{"id":"o","customer_id":"c","currency":"EUR","items":[{"sku":"s","quantity":1,"unit_price":1e308}],"payment_token":"t"}`)
	f.Add(`{"items":null}`)
	f.Fuzz(func(t *testing.T, body string) {
		rec, h := newTestHandler(t, nil)
		ev := events.SQSEvent{Records: []events.SQSMessage{
			{MessageId: "m-1", Body: body, EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:orders"},
			{MessageId: "m-2", Body: `{"id":"o","customer_id":"c","currency":"EUR","items":[{"sku":"s","quantity":1,"unit_price":1}],"payment_token":"t"}`},
		}}
		payload, err := json.Marshal(ev)
		require.NoError(t, err)
		inv := rec.Invoke(h, payload)
		require.NoError(t, inv.Err, "the second message always succeeds")
		var resp events.SQSEventResponse
		inv.Decode(&resp)
		for _, f := range resp.BatchItemFailures {
			require.Equal(t, "m-1", f.ItemIdentifier)
		}
	})
}

// newTestHandler is the function's handler on a test kit App: the function's options, its environment
// as template.yaml sets it (plus env), a fixed clock, every line, blob and trace captured.
func newTestHandler(t testing.TB, env map[string]string) (*powertoolstest.Recorder, powertools.Handler) {
	e := powertoolstest.Environment()
	e["POWERTOOLS_SERVICE_NAME"] = "orders"
	e["AWS_LAMBDA_FUNCTION_NAME"] = "orders"
	for k, v := range env {
		e[k] = v
	}
	rec := powertoolstest.New(t, append(options(),
		powertools.WithEnv(e),
		powertools.WithClock(func() time.Time { return testNow }))...)
	return rec, powertools.WrapFunc(rec.App(), handle)
}

func readEvent(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("events", name))
	require.NoError(t, err)
	return b
}

func readSQSEvent(t testing.TB, name string) events.SQSEvent {
	t.Helper()
	var ev events.SQSEvent
	require.NoError(t, json.Unmarshal(readEvent(t, name), &ev))
	return ev
}

func orderValue(currency string, v float64) blobWant {
	// a Single: its own dimensions and the default ones, no service (as Python's single_metric)
	return blobWant{dims: []string{"currency"}, values: map[string][]float64{"OrderValue": {v}},
		extra: map[string]string{"currency": currency}}
}

// checkBlob checks one EMF blob: namespace Shop, the dimension set, service and dimension values, and
// exactly the metrics of want with their values.
func checkBlob(t *testing.T, blob powertoolstest.Blob, want blobWant) {
	t.Helper()
	assert.Equal(t, testNow, blob.Timestamp)
	assert.Equal(t, "Shop", blob.Namespace)
	assert.Equal(t, [][]string{want.dims}, blob.DimensionSets, "%s", blob.Raw)
	if slices.Contains(want.dims, "service") {
		assert.Equal(t, "orders", blob.Dimensions["service"])
	}
	for k, v := range want.extra {
		assert.Equal(t, v, blob.Dimensions[k], "%s", blob.Raw)
	}
	for _, m := range blob.Definitions {
		wantUnit := "Count"
		if m.Name == "OrderValue" {
			wantUnit = "None"
		}
		assert.Equal(t, wantUnit, m.Unit, m.Name)
		assert.InDeltaSlice(t, want.values[m.Name], blob.Values[m.Name], 1e-9, m.Name)
	}
	assert.Len(t, blob.Definitions, len(want.values), "%s", blob.Raw)
}

// The payment provider's API key comes from Secrets Manager (the in-repo fake here, as in the demo):
// fetched once for the whole batch and the next invocation (cached), sent as a bearer token, never logged.
func TestPaymentsAPIKeyFromSecretsManager(t *testing.T) {
	const key = "pk_live_51Hx-demo-key"
	fake := awsfake.New(&awsfake.Seed{Secrets: map[string]string{"orders/payments-api-key": key}})
	url, err := fake.Start(0)
	require.NoError(t, err)
	defer fake.Close()
	provider := useGateway(t, "http")
	prev := apiKeySecret
	apiKeySecret = "orders/payments-api-key"
	t.Cleanup(func() { apiKeySecret = prev })

	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: &url,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}
	opts := append(options(), secretsparams.WithConfig(cfg), powertools.WithEnv(map[string]string{"POWERTOOLS_SERVICE_NAME": "orders"}))
	rec := powertoolstest.New(t, opts...)
	h := powertools.WrapFunc(rec.App(), handle)
	for range 2 {
		inv := rec.Invoke(h, readEvent(t, "good-batch.json"))
		require.NoError(t, inv.Err)
		assert.JSONEq(t, `{"batchItemFailures":[]}`, string(inv.Response))
	}
	charges := provider.Charges()
	require.Len(t, charges, 6)
	for _, c := range charges {
		assert.Equal(t, "Bearer "+key, c.Authorization)
	}
	assert.Equal(t, 1, fake.Count("secretsmanager.GetSecretValue"), "the key is cached across records and invocations")
	recLogs := func(r *powertoolstest.Recorder) string {
		var b strings.Builder
		for _, l := range r.Logs() {
			raw, _ := json.Marshal(l)
			b.Write(raw)
		}
		return b.String()
	}
	assert.NotContains(t, recLogs(rec), key)

	// A missing secret fails the charges, not the process.
	apiKeySecret = "orders/absent"
	rec = powertoolstest.New(t, opts...)
	inv := rec.Invoke(powertools.WrapFunc(rec.App(), handle), readEvent(t, "good-batch.json"))
	assert.Error(t, inv.Err, "every record failed")
	assert.Empty(t, inv.Response)
	assert.Contains(t, recLogs(rec), "payments API key")
}
