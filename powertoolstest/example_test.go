package powertoolstest_test

import (
	"context"
	"testing"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/powertoolstest"
	"go.uber.org/zap"
)

type Order struct {
	ID     string  `json:"id"`
	Amount float64 `json:"amount"`
}

func handleOrder(ctx context.Context, o Order) (map[string]string, error) {
	powertools.AppendKeys(ctx, zap.String("order_id", o.ID))
	_ = powertools.Metrics(ctx).Add("OrdersPlaced", powertools.UnitCount, 1)
	err := powertools.Tracer(ctx).Capture("charge", func(ctx context.Context) error {
		powertools.Tracer(ctx).Annotate("order_id", o.ID)
		return nil
	})
	powertools.Logger(ctx).Info("order accepted", zap.Float64("amount", o.Amount))
	return map[string]string{"status": "accepted"}, err
}

// The README's "Testing your function" section shows this test.
func TestHandleOrder(t *testing.T) {
	rec := powertoolstest.New(t,
		powertools.WithService("orders"), powertools.WithMetrics("Shop"), powertools.WithTracer())
	inv := rec.Invoke(powertools.WrapFunc(rec.App(), handleOrder), Order{ID: "o-1", Amount: 12.5})
	if inv.Err != nil {
		t.Fatal(inv.Err)
	}

	logs := inv.Logs()
	if len(logs) != 1 || logs[0].Message != "order accepted" || logs[0].Keys["order_id"] != "o-1" {
		t.Errorf("log lines: %+v", logs)
	}
	if got := rec.Metrics().Values("OrdersPlaced"); len(got) != 1 || got[0] != 1 {
		t.Errorf("OrdersPlaced: %v", got)
	}
	charge := inv.Segment().Find("charge")
	if charge == nil || charge.Annotations["order_id"] != "o-1" {
		t.Errorf("trace: %+v", inv.Segment())
	}
}
