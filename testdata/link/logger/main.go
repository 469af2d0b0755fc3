// Command logger is a function using only the logger, metrics and tracer, built by link_test.go to check
// what such a function links.
package main

import (
	"context"

	"github.com/gopowertools/powertools"
	"go.uber.org/zap"
)

func handle(ctx context.Context, in struct{ ID string }) (string, error) {
	powertools.Logger(ctx).Info("handled", zap.String("id", in.ID))
	_ = powertools.Metrics(ctx).Add("Handled", powertools.UnitCount, 1)
	return in.ID, nil
}

func main() {
	powertools.StartFunc(handle, powertools.WithService("link"), powertools.WithMetrics("Link"), powertools.WithTracer())
}
