// Command fn is the function the runner's tests run: it logs, counts and traces each greeting, fails on
// request, and exits when told to (at init with CRASH_AT_INIT=1, or in an invocation).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/gopowertools/powertools"
	"go.uber.org/zap"
)

type event struct {
	Name  string `json:"name"`
	Fail  bool   `json:"fail"`
	Crash bool   `json:"crash"`
}

func handle(ctx context.Context, ev event) (map[string]string, error) {
	if ev.Crash {
		fmt.Println("crashing now")
		os.Exit(3)
	}
	powertools.AppendKeys(ctx, zap.String("name", ev.Name))
	_ = powertools.Metrics(ctx).Add("Greetings", powertools.UnitCount, 1)
	err := powertools.Tracer(ctx).Capture("compose", func(ctx context.Context) error {
		powertools.Tracer(ctx).Annotate("name", ev.Name)
		if ev.Fail {
			return errors.New("no greeting for " + ev.Name)
		}
		return nil
	})
	if err != nil {
		powertools.Logger(ctx).Error("greeting failed", zap.Error(err))
		return nil, err
	}
	powertools.Logger(ctx).Info("greeted")
	return map[string]string{"message": "Hello, " + ev.Name + "!"}, nil
}

func main() {
	if os.Getenv("CRASH_AT_INIT") == "1" {
		fmt.Fprintln(os.Stderr, "cannot start: CRASH_AT_INIT is set")
		os.Exit(4)
	}
	powertools.StartFunc(handle, powertools.WithService("greeter"), powertools.WithMetrics("Local"),
		powertools.WithColdStartMetric(), powertools.WithTracer())
}
