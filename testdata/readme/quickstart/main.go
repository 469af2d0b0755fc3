package main

import (
	"context"

	"github.com/gopowertools/powertools"
	"go.uber.org/zap"
)

type Order struct {
	ID     string  `json:"id"`
	Amount float64 `json:"amount"`
}

func handle(ctx context.Context, o Order) (map[string]string, error) {
	powertools.AppendKeys(ctx, zap.String("order_id", o.ID))
	powertools.Logger(ctx).Info("order accepted", zap.Float64("amount", o.Amount))
	return map[string]string{"status": "accepted"}, nil
}

func main() {
	powertools.Start(handle, powertools.WithService("orders"))
}
