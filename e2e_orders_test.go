package powertools_test

import (
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopowertools/powertools/examples/orders/paymentstest"
	"github.com/gopowertools/powertools/internal/runtimeapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The end-to-end test of examples/orders: the built function, run as Lambda runs it, with every utility
// on at once. Each invocation carries a trace header saying Sampled=1; the function sends its X-Ray
// documents to a UDP socket of the test and charges orders through a fake payment provider of the test
// (paymentstest, on 127.0.0.1). What it checks is what AWS and the provider would receive: the answers
// (the exact batchItemFailures), the function's stdout (log lines and EMF blobs, one JSON object per line,
// told apart by the "_aws" key of a blob), the X-Ray datagrams and the provider's requests with their
// trace headers.

const e2eOrdersARN = "arn:aws:lambda:eu-west-1:111122223333:function:orders"

// e2eOrdersCall is one invocation and what it must produce.
type e2eOrdersCall struct {
	event     string   // file under examples/orders/events, or a literal payload
	failures  []string // the answer's batchItemFailures, in order
	errorType string   // the function error's type; then failures is not checked
	errorMsg  string
	logs      []string // "LEVEL message[ id]" of each log line; id is the order_id or the failed record_id
	charged   []string // order ids of the "charge" subsegments, in order
	declined  string   // the order whose charge subsegment is a fault
}

func TestEndToEndOrders(t *testing.T) {
	bin := e2eBuild(t, "./examples/orders")
	daemon, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = daemon.Close() })
	provider := paymentstest.NewServer()
	t.Cleanup(provider.Close)

	srv := runtimeapi.StartForTest(t)
	fn := e2eStart(t, bin, srv,
		"AWS_LAMBDA_FUNCTION_NAME=orders", // later values win over e2eStart's
		"POWERTOOLS_SERVICE_NAME=orders",
		"POWERTOOLS_METRICS_NAMESPACE=Shop",
		"AWS_XRAY_DAEMON_ADDRESS="+daemon.LocalAddr().String(),
		"PAYMENTS_API_URL="+provider.URL)
	ctx := e2eContext(t)

	const failed = "ERROR powertools: batch record failed "
	calls := []e2eOrdersCall{
		{event: "good-batch.json", failures: []string{},
			logs:    []string{"INFO order processed o-1001", "INFO order processed o-1002", "INFO order processed o-1003", "INFO batch done"},
			charged: []string{"o-1001", "o-1002", "o-1003"}},
		{event: "mixed-batch.json", failures: []string{"a5b1c2d3-0002-4e5f-8a9b-0c1d2e3f4a52", "a5b1c2d3-0003-4e5f-8a9b-0c1d2e3f4a53"},
			logs: []string{"INFO order processed o-2001", failed + "a5b1c2d3-0002-4e5f-8a9b-0c1d2e3f4a52",
				failed + "a5b1c2d3-0003-4e5f-8a9b-0c1d2e3f4a53", "INFO order processed o-2004", "INFO batch done"},
			charged: []string{"o-2001", "o-2003", "o-2004"}, declined: "o-2003"},
		{event: "fifo-batch.json", failures: []string{"f1f0a000-0003-4000-8000-00000000a002", "f1f0a000-0005-4000-8000-00000000a003"},
			logs: []string{"INFO order processed o-3001", "INFO order processed o-3002", failed + "f1f0a000-0003-4000-8000-00000000a002",
				"INFO order processed o-3004", failed + "f1f0a000-0005-4000-8000-00000000a003", "INFO batch done"},
			charged: []string{"o-3001", "o-3002", "o-3003", "o-3004"}, declined: "o-3003"},
		{event: "poison-batch.json", errorType: "BatchError", errorMsg: "powertools: batch: all 2 aws:sqs records failed",
			logs: []string{failed + "d00dfeed-0001-4bad-8bad-000000000001", failed + "d00dfeed-0002-4bad-8bad-000000000002", "ERROR batch failed"}},
		{event: `{"detail-type":"OrderPlaced","detail":{"id":"o-1"}}`, errorType: "ValidationError",
			errorMsg: "powertools: validation failed (inbound) at $: missing property \"Records\"",
			// the first invocation of the process that adds no metric writes Python's warning, once
			logs: []string{"ERROR batch failed", "WARNING No application metrics to publish. The cold-start metric may be published if enabled. " +
				"If application metrics should never be empty, consider using 'raise_on_empty_metrics'"}},
	}
	start := time.Now()
	for i, c := range calls {
		payload := e2ePayload(t, "orders", c.event)
		id := fmt.Sprintf("ord-%d", i)
		res, err := srv.Invoke(ctx, payload, runtimeapi.WithRequestID(id), runtimeapi.WithFunctionARN(e2eOrdersARN),
			runtimeapi.WithTraceID(e2eTrace(i)))
		require.NoError(t, err, c.event)
		if c.errorType != "" {
			e2eFunctionError(t, res, c.event, c.errorType, c.errorMsg)
			continue
		}
		require.False(t, res.Failed(), "%s: %s", c.event, res.Body)
		var resp struct {
			BatchItemFailures []struct {
				ItemIdentifier string `json:"itemIdentifier"`
			} `json:"batchItemFailures"`
		}
		require.NoError(t, json.Unmarshal(res.Body, &resp), "%s", res.Body)
		got := []string{}
		for _, f := range resp.BatchItemFailures {
			got = append(got, f.ItemIdentifier)
		}
		assert.Equal(t, c.failures, got, c.event)
	}
	require.NoError(t, fn.alive(), "failed batches do not stop the function")
	end := time.Now()

	var logs, blobs []map[string]any
	for _, line := range fn.stop(t) {
		if _, ok := line["_aws"]; ok {
			blobs = append(blobs, line)
		} else {
			logs = append(logs, line)
		}
	}
	e2eOrdersLogs(t, calls, logs)
	e2eOrdersBlobs(t, blobs, start, end)
	e2eOrdersTraces(t, calls, daemon, provider)
}

// e2eOrdersLogs checks every invocation's log lines, in order, and the keys every line carries.
func e2eOrdersLogs(t *testing.T, calls []e2eOrdersCall, logs []map[string]any) {
	byID := e2eLinesByRequest(t, logs)
	total := 0
	for i, c := range calls {
		id := fmt.Sprintf("ord-%d", i)
		lines := byID[id]
		total += len(c.logs)
		got := make([]string, len(lines))
		for j, l := range lines {
			got[j] = fmt.Sprint(l["level"], " ", l["message"])
			switch {
			case l["order_id"] != nil:
				got[j] += fmt.Sprint(" ", l["order_id"])
			case l["record_id"] != nil:
				got[j] += fmt.Sprint(" ", l["record_id"])
			}
			assert.Equal(t, i == 0, l["cold_start"], "%s: only the first invocation is a cold start", id)
			assert.Equal(t, "orders", l["service"], id)
			assert.Equal(t, "orders", l["function_name"], id)
			assert.Equal(t, e2eOrdersARN, l["function_arn"], id)
			assert.Equal(t, e2eTraceRoot(i), l["xray_trace_id"], id)
			if l["level"] != "WARNING" { // the empty-metrics warning is written after the middleware's scope
				assert.Contains(t, l, "batch_size", "%s: key appended by the middleware", id)
			}
			assert.Regexp(t, `\S:\d+$`, l["location"], "%s: function:line", id)
		}
		assert.Equal(t, c.logs, got, id)
		if strings.HasSuffix(c.event, ".json") && len(lines) > 0 {
			assert.Equal(t, strings.TrimSuffix(c.event, "-batch.json") != "fifo", lines[0]["queue"] == "orders", id)
		}
	}
	assert.Len(t, logs, total, "no other log line")
}

// e2eOrdersBlobs checks the EMF blobs in stdout order: the cold start blob once, first; one OrderValue
// blob per processed order (a Single: its currency, no service, as Python's single_metric); each batch's
// own blob with its counts. An invocation that added no metric writes none.
func e2eOrdersBlobs(t *testing.T, blobs []map[string]any, start, end time.Time) {
	set := func(counts string) string { return "service " + counts }
	ov := func(cur, v string) string { return "currency currency=" + cur + " OrderValue=" + v }
	want := []string{
		"function_name,service function_name=orders ColdStart=1",
		ov("EUR", "21"), ov("USD", "19.9"), ov("GBP", "24.99"), set("OrdersProcessed=1,1,1"),
		ov("EUR", "13.5"), ov("USD", "16.45"), set("OrdersProcessed=1,1 OrdersRejected=1 ChargesFailed=1"),
		ov("EUR", "4.5"), ov("EUR", "24"), ov("EUR", "1.99"), set("OrdersProcessed=1,1,1 ChargesFailed=1"),
		set("OrdersRejected=1"),
	}
	got := make([]string, len(blobs))
	for i, b := range blobs {
		got[i] = e2eDescribeBlob(t, b, start, end)
	}
	assert.Equal(t, want, got)
}

// e2eDescribeBlob checks the envelope of an EMF blob (namespace, timestamp, service) and describes the
// rest as "dimension set [dimension=value...] metric=values...".
func e2eDescribeBlob(t *testing.T, b map[string]any, start, end time.Time) string {
	raw, err := json.Marshal(b["_aws"])
	require.NoError(t, err)
	var aws struct {
		Timestamp         int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	}
	require.NoError(t, json.Unmarshal(raw, &aws))
	assert.True(t, aws.Timestamp >= start.UnixMilli() && aws.Timestamp <= end.UnixMilli(), "timestamp %d", aws.Timestamp)
	if !assert.Len(t, aws.CloudWatchMetrics, 1) || !assert.Len(t, aws.CloudWatchMetrics[0].Dimensions, 1) {
		return string(raw)
	}
	cwm := aws.CloudWatchMetrics[0]
	assert.Equal(t, "Shop", cwm.Namespace)
	if slices.Contains(cwm.Dimensions[0], "service") {
		assert.Equal(t, "orders", b["service"])
	}
	parts := []string{strings.Join(cwm.Dimensions[0], ",")}
	for _, d := range cwm.Dimensions[0] {
		if d != "service" {
			parts = append(parts, d+"="+fmt.Sprint(b[d]))
		}
	}
	for _, m := range cwm.Metrics {
		values, _ := b[m.Name].([]any)
		s := make([]string, len(values))
		for i, v := range values {
			s[i] = fmt.Sprint(v)
		}
		parts = append(parts, m.Name+"="+strings.Join(s, ","))
	}
	return strings.Join(parts, " ")
}

// e2eOrdersDoc is an X-Ray subsegment document, with the fields the test checks.
type e2eOrdersDoc struct {
	Name      string  `json:"name"`
	ID        string  `json:"id"`
	TraceID   string  `json:"trace_id"`
	ParentID  string  `json:"parent_id"`
	Type      string  `json:"type"`
	StartTime float64 `json:"start_time"`
	EndTime   float64 `json:"end_time"`
	Namespace string  `json:"namespace"`
	Fault     bool    `json:"fault"`
	Error     bool    `json:"error"`
	HTTP      struct {
		Response struct{ Status int }
	} `json:"http"`
	Annotations map[string]any            `json:"annotations"`
	Metadata    map[string]map[string]any `json:"metadata"`
	Subsegments []e2eOrdersDoc            `json:"subsegments"`
}

// e2eOrdersTraces reads one datagram per invocation (every one was sampled) and checks each: the handler
// subsegment, child of the trace header's parent, with one "charge" subsegment per charged order, which
// holds the subsegment of the call to the provider; the provider got each call with the trace header
// naming that subsegment as parent.
func e2eOrdersTraces(t *testing.T, calls []e2eOrdersCall, daemon *net.UDPConn, provider *paymentstest.Server) {
	docs := map[string]e2eOrdersDoc{}
	buf := make([]byte, 1<<16)
	require.NoError(t, daemon.SetReadDeadline(time.Now().Add(10*time.Second)))
	for range calls {
		n, err := daemon.Read(buf)
		require.NoError(t, err, "one X-Ray datagram per invocation")
		header, body, ok := strings.Cut(string(buf[:n]), "\n")
		require.True(t, ok, "%q", buf[:n])
		assert.Equal(t, `{"format": "json", "version": 1}`, header)
		var doc e2eOrdersDoc
		require.NoError(t, json.Unmarshal([]byte(body), &doc), body)
		docs[doc.TraceID] = doc
	}
	require.NoError(t, daemon.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
	_, err := daemon.Read(buf)
	assert.Error(t, err, "no datagram beyond one per invocation")

	var wantCalls []string
	for i, c := range calls {
		doc, ok := docs[e2eTraceRoot(i)]
		if !assert.True(t, ok, "no document of invocation %d", i) {
			continue
		}
		assert.Equal(t, "## handle", doc.Name)
		assert.Equal(t, "subsegment", doc.Type)
		assert.Equal(t, "53995c3f42cd8ad8", doc.ParentID, "child of the function segment Lambda sends")
		assert.Regexp(t, `^[0-9a-f]{16}$`, doc.ID)
		assert.LessOrEqual(t, doc.StartTime, doc.EndTime)
		assert.Equal(t, i == 0, doc.Annotations["ColdStart"], "cold start annotated once")
		assert.Equal(t, "orders", doc.Annotations["Service"])
		assert.Equal(t, c.errorType != "", doc.Fault, "the handler subsegment of a function error is a fault")
		var charged []string
		for _, s := range doc.Subsegments {
			assert.Equal(t, "charge", s.Name)
			oid, _ := s.Annotations["order_id"].(string)
			charged = append(charged, oid)
			assert.Equal(t, oid == c.declined, s.Fault, "%s: only the declined charge is a fault", oid)
			if oid != c.declined {
				assert.Equal(t, "ch_"+oid, s.Metadata["orders"]["charge response"], "the charge id, by CaptureValue")
			}
			if !assert.Len(t, s.Subsegments, 1, "%s: the call to the provider", oid) {
				continue
			}
			call := s.Subsegments[0]
			assert.Equal(t, "127.0.0.1", call.Name)
			assert.Equal(t, "remote", call.Namespace)
			assert.Equal(t, oid == c.declined, call.Error, "%s: a 402 is an error of the call", oid)
			wantCalls = append(wantCalls, fmt.Sprintf("%s %d Root=%s;Parent=%s;Sampled=1",
				oid, call.HTTP.Response.Status, e2eTraceRoot(i), call.ID))
		}
		assert.Equal(t, c.charged, charged, "invocation %d: charges", i)
	}
	var gotCalls []string
	for _, ch := range provider.Charges() {
		gotCalls = append(gotCalls, fmt.Sprintf("%s %d %s", ch.IdempotencyKey, ch.Status, ch.TraceHeader))
	}
	assert.Equal(t, wantCalls, gotCalls, "the provider's requests, each with its subsegment as parent")
}
