package powertoolstest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/powertoolstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

type order struct {
	ID     string  `json:"id"`
	Amount float64 `json:"amount"`
}

// handle uses the three core utilities, so the tests can check what each wrote.
func handle(ctx context.Context, o order) (map[string]string, error) {
	powertools.AppendKeys(ctx, zap.String("order_id", o.ID))
	if err := powertools.Metrics(ctx).Add("OrdersPlaced", powertools.UnitCount, 1); err != nil {
		return nil, err
	}
	_ = powertools.Metrics(ctx).AddMetadata("order_id", o.ID)
	err := powertools.Tracer(ctx).Capture("charge", func(ctx context.Context) error {
		powertools.Tracer(ctx).Annotate("order_id", o.ID)
		powertools.Tracer(ctx).Metadata("amount", o.Amount)
		if o.Amount <= 0 {
			return errors.New("nothing to charge")
		}
		return nil
	})
	if err != nil {
		powertools.Logger(ctx).Error("order refused", zap.Error(err))
		return nil, err
	}
	powertools.Logger(ctx).Info("order accepted", zap.Float64("amount", o.Amount))
	return map[string]string{"status": "accepted"}, nil
}

func newRecorder(t testing.TB, opts ...powertools.Option) *powertoolstest.Recorder {
	return powertoolstest.New(t, append([]powertools.Option{
		powertools.WithService("orders"), powertools.WithMetrics("Shop"), powertools.WithColdStartMetric(),
		powertools.WithTracer(),
	}, opts...)...)
}

func TestInvokeCapturesEverything(t *testing.T) {
	rec := newRecorder(t)
	h := powertools.WrapFunc(rec.App(), handle)

	first := rec.Invoke(h, order{ID: "o-1", Amount: 12.5})
	require.NoError(t, first.Err)
	var resp map[string]string
	first.Decode(&resp)
	assert.Equal(t, map[string]string{"status": "accepted"}, resp)
	assert.True(t, first.ColdStart)
	assert.Equal(t, "00000000-0000-4000-8000-000000000001", first.RequestID)

	logs := first.Logs()
	require.Len(t, logs, 1)
	l := logs[0]
	assert.Equal(t, "INFO", l.Level)
	assert.Equal(t, "order accepted", l.Message)
	assert.Equal(t, "orders", l.Service)
	assert.True(t, l.ColdStart)
	assert.Equal(t, first.RequestID, l.RequestID)
	assert.Equal(t, powertoolstest.FunctionARN, l.Keys["function_arn"])
	assert.Equal(t, powertoolstest.FunctionName, l.Keys["function_name"])
	assert.Equal(t, "o-1", l.Keys["order_id"])
	assert.Equal(t, 12.5, l.Keys["amount"])
	assert.Equal(t, "1-5759e988-000000000000000000000001", l.XRayTraceID)
	assert.Equal(t, []string{"level", "location", "message", "timestamp", "service"}, l.Order[:5])
	assert.Regexp(t, `^handle:\d+$`, l.Location)

	m := first.Metrics()
	assert.Equal(t, []float64{1}, m.Values("ColdStart"))
	assert.Equal(t, []float64{1}, m.Values("OrdersPlaced"))
	placed := m["OrdersPlaced"][0]
	assert.Equal(t, "Count", placed.Unit)
	assert.Equal(t, "Shop", placed.Namespace)
	assert.Equal(t, map[string]string{"service": "orders"}, placed.Dimensions)
	assert.Equal(t, map[string]any{"order_id": "o-1"}, placed.Metadata)
	assert.Equal(t, map[string]string{"function_name": powertoolstest.FunctionName, "service": "orders"}, m["ColdStart"][0].Dimensions)

	seg := first.Segment()
	require.NotNil(t, seg)
	assert.Equal(t, "## handle", seg.Name)
	assert.Equal(t, "1-5759e988-000000000000000000000001", seg.TraceID)
	assert.Equal(t, "53995c3f00000001", seg.ParentID)
	assert.Equal(t, true, seg.Annotations["ColdStart"])
	assert.Equal(t, "orders", seg.Annotations["Service"])
	require.Len(t, seg.Subsegments, 1, "the observing middleware leaves no trace")
	charge := seg.Find("charge")
	require.NotNil(t, charge)
	assert.Equal(t, "o-1", charge.Annotations["order_id"])
	amount, ok := charge.MetadataValue("amount")
	assert.True(t, ok)
	assert.Equal(t, 12.5, amount)
	assert.False(t, charge.Start.Before(seg.Start))
	assert.False(t, charge.End.After(seg.End))

	second := rec.Invoke(h, order{ID: "o-2", Amount: 0})
	require.EqualError(t, second.Err, "nothing to charge")
	assert.False(t, second.ColdStart)
	logs = second.Logs()
	require.Len(t, logs, 1)
	assert.Equal(t, "ERROR", logs[0].Level)
	assert.Equal(t, "nothing to charge", logs[0].Exception)
	assert.False(t, logs[0].ColdStart)
	assert.Nil(t, second.Metrics()["ColdStart"], "one cold start")
	seg = second.Segment()
	require.NotNil(t, seg)
	assert.True(t, seg.Fault)
	assert.True(t, seg.Find("charge").Fault)
	require.NotNil(t, seg.Find("charge").Cause)
	assert.Equal(t, "nothing to charge", seg.Find("charge").Cause.Exceptions[0].Message)

	assert.Len(t, rec.Logs(), 2)
	assert.Len(t, rec.Segments(), 2)
	assert.Equal(t, []float64{1, 1}, rec.Metrics().Values("OrdersPlaced"))
	assert.Len(t, rec.Invocations(), 2)
}

// The context options reach the handler as the Lambda runtime would pass them.
func TestInvokeOptions(t *testing.T) {
	type seen struct {
		RequestID, ARN, Trace string
		Deadline              time.Time
		Cold                  bool
	}
	probe := func(ctx context.Context) (seen, error) {
		dl, _ := ctx.Deadline()
		lc, _ := lambdacontext.FromContext(ctx)
		return seen{RequestID: powertools.RequestID(ctx), ARN: lc.InvokedFunctionArn, Trace: powertools.Tracer(ctx).TraceID(),
			Deadline: dl, Cold: powertools.IsColdStart(ctx)}, nil
	}
	deadline := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	rec := newRecorder(t)
	inv := rec.Invoke(probe, nil,
		powertoolstest.WithRequestID("req-42"),
		powertoolstest.WithFunctionARN("arn:aws:lambda:eu-west-1:111122223333:function:fn:live"),
		powertoolstest.WithDeadline(deadline),
		powertoolstest.WithTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"),
		powertoolstest.WithColdStart())
	var got seen
	inv.Decode(&got)
	assert.Equal(t, seen{RequestID: "req-42", ARN: "arn:aws:lambda:eu-west-1:111122223333:function:fn:live",
		Trace: "1-5759e988-bd862e3fe1be46a994272793", Cold: true},
		seen{RequestID: got.RequestID, ARN: got.ARN, Trace: got.Trace, Cold: got.Cold})
	assert.True(t, deadline.Equal(got.Deadline), "deadline %v, want %v", got.Deadline, deadline)
	seg := inv.Segment()
	require.NotNil(t, seg)
	assert.Equal(t, "53995c3f42cd8ad8", seg.ParentID)

	untraced := rec.Invoke(probe, nil, powertoolstest.WithTraceHeader(""), powertoolstest.WithTimeout(time.Second))
	untraced.Decode(&got)
	assert.Empty(t, got.Trace)
	assert.False(t, got.Cold)
	assert.WithinDuration(t, time.Now().Add(time.Second), got.Deadline, time.Second)
	assert.Nil(t, untraced.Segment())

	unsampled := rec.Invoke(probe, nil, powertoolstest.WithTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0"))
	assert.Nil(t, unsampled.Segment())
	assert.Len(t, rec.Segments(), 1)
}

// WithWarmStart on a fresh Recorder spends the cold start out of sight; WithColdStart on a warm one
// fails the test, saying why.
func TestColdAndWarm(t *testing.T) {
	rec := newRecorder(t)
	h := powertools.WrapFunc(rec.App(), handle)
	inv := rec.Invoke(h, order{ID: "o-1", Amount: 1}, powertoolstest.WithWarmStart())
	require.NoError(t, inv.Err)
	assert.False(t, inv.ColdStart)
	assert.Len(t, rec.Logs(), 1, "the warm-up wrote nothing that shows")
	assert.Nil(t, rec.Metrics()["ColdStart"], "the warm-up's cold start blob is dropped")
	assert.Equal(t, inv.RequestID, rec.Logs()[0].RequestID)
	assert.Equal(t, false, inv.Segment().Annotations["ColdStart"])

	ft := &fakeT{TB: t}
	again := powertoolstest.New(ft)
	again.Invoke(h, order{ID: "o-2", Amount: 1}) // h belongs to rec's App, which is warm: fine, used as is
	assert.Panics(t, func() { again.Invoke(func() {}, nil, powertoolstest.WithColdStart()) })
	assert.Contains(t, ft.fatal, "WithColdStart: the App already had its cold start")
}

// 64 invocations at once: each invocation's lines and trace are its own, and the metrics add up.
func TestConcurrentInvocations(t *testing.T) {
	const n = 64
	rec := newRecorder(t)
	h := powertools.WrapFunc(rec.App(), handle)
	invs := make([]*powertoolstest.Invocation, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			invs[i] = rec.Invoke(h, order{ID: fmt.Sprintf("o-%02d", i), Amount: float64(i + 1)},
				powertoolstest.WithRequestID(fmt.Sprintf("req-%02d", i)))
		}()
	}
	wg.Wait()

	ids, byID := rec.LogsByRequest()
	require.Len(t, ids, n)
	for i, id := range ids {
		assert.Equal(t, fmt.Sprintf("req-%02d", i), id)
		require.Len(t, byID[id], 1)
		assert.Equal(t, fmt.Sprintf("o-%02d", i), byID[id][0].Keys["order_id"])
	}
	cold := 0
	for i, inv := range invs {
		require.NoError(t, inv.Err)
		if inv.ColdStart {
			cold++
		}
		seg := inv.Segment()
		require.NotNil(t, seg, inv.RequestID)
		assert.Equal(t, fmt.Sprintf("o-%02d", i), seg.Find("charge").Annotations["order_id"])
	}
	assert.Equal(t, 1, cold)
	assert.Len(t, rec.Segments(), n)
	assert.Equal(t, float64(n), rec.Metrics().Sum("OrdersPlaced"))
	assert.Equal(t, []float64{1}, rec.Metrics().Values("ColdStart"))
	sorted := rec.Invocations()
	require.Len(t, sorted, n)
	assert.Equal(t, "req-00", sorted[0].RequestID)
	assert.Equal(t, "req-63", sorted[n-1].RequestID)
}

// Blobs of two invocations that overlapped cannot be told apart: Invocation.Metrics says so.
func TestMetricsOfOverlappingInvocations(t *testing.T) {
	ft := &fakeT{TB: t}
	rec := powertoolstest.New(ft, powertools.WithMetrics("Shop"))
	var both sync.WaitGroup
	both.Add(2)
	h := rec.App().Wrap(func(ctx context.Context) error {
		both.Done()
		both.Wait() // both in flight
		return powertools.Metrics(ctx).Add("Calls", powertools.UnitCount, 1)
	})
	invs := make([]*powertoolstest.Invocation, 2)
	var wg sync.WaitGroup
	for i := range invs {
		wg.Add(1)
		go func() { defer wg.Done(); invs[i] = rec.Invoke(h, nil) }()
	}
	wg.Wait()
	assert.Equal(t, []float64{1, 1}, rec.Metrics().Values("Calls"))
	assert.Panics(t, func() { invs[0].Metrics() })
	assert.Contains(t, ft.fatal, "ran at the same time as another invocation")
}

// A handler given as a function is wrapped by the App; a panic in a bare Handler is an error, not a
// crash of the test.
func TestInvokeHandlerKinds(t *testing.T) {
	rec := newRecorder(t)
	inv := rec.Invoke(handle, []byte(`{"id":"o-9","amount":3}`))
	require.NoError(t, inv.Err)
	assert.JSONEq(t, `{"status":"accepted"}`, string(inv.Response))
	assert.Equal(t, "order accepted", inv.Logs()[0].Message)

	bare := powertools.HandlerFunc(func(context.Context, []byte) ([]byte, error) { panic("boom") })
	inv = rec.Invoke(bare, nil)
	assert.EqualError(t, inv.Err, "powertoolstest: handler panicked: boom")
	assert.Nil(t, inv.Segment(), "not wrapped: not traced")

	ft := &fakeT{TB: t}
	bad := powertoolstest.New(ft)
	assert.Panics(t, func() { bad.Invoke(42, nil) })
	assert.Contains(t, ft.fatal, "powertoolstest: Invoke: ")
	assert.Panics(t, func() { bad.Invoke(handle, make(chan int)) })
	assert.Contains(t, ft.fatal, "encode the event")
}

// With POWERTOOLS_TRACE_MIDDLEWARES the user middleware has its subsegment; the Recorder's own does not
// show.
func TestTraceMiddlewares(t *testing.T) {
	mw := func(next powertools.Handler) powertools.Handler {
		return powertools.HandlerFunc(func(ctx context.Context, p []byte) ([]byte, error) { return next.Invoke(ctx, p) })
	}
	rec := newRecorder(t, powertools.WithMiddleware(mw), powertools.WithTraceMiddlewares(true))
	inv := rec.Invoke(handle, order{ID: "o-1", Amount: 1})
	seg := inv.Segment()
	require.NotNil(t, seg)
	var names []string
	for _, c := range seg.Subsegments {
		names = append(names, c.Name)
	}
	require.Len(t, names, 1, "%v", names)
	assert.True(t, strings.HasPrefix(names[0], "## TestTraceMiddlewares"), names[0])
	assert.NotNil(t, seg.Subsegments[0].Find("charge"))
}

// A configuration error fails the test with New's message.
func TestNewConfigError(t *testing.T) {
	ft := &fakeT{TB: t}
	assert.Panics(t, func() { powertoolstest.New(ft, powertools.WithService(" ")) })
	assert.Contains(t, ft.fatal, `powertoolstest: powertools.New: powertools: WithService=" ": must not be empty`)
}

func TestEvent(t *testing.T) {
	b := powertoolstest.Event(t, "testdata/order.json")
	assert.JSONEq(t, `{"id":"o-1","amount":12.5}`, string(b))
	ft := &fakeT{TB: t}
	assert.Panics(t, func() { powertoolstest.Event(ft, "testdata/missing.json") })
	assert.Contains(t, ft.fatal, "powertoolstest: Event: ")
}

// fakeT records Fatalf and stops the call with a panic, which the test expects; it passes the rest to
// the real test.
type fakeT struct {
	testing.TB
	mu    sync.Mutex
	fatal string
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	panic("fatal")
}

func (f *fakeT) Helper() {}
