// Command tracefn is the function the end-to-end tests run under the Lambda Runtime Interface Emulator
// (e2e_rie_test.go): tracing on, one log line per invocation, a subsegment around a piece of work.
package main

import (
	"context"

	"github.com/gopowertools/powertools"
)

type event struct {
	Name string `json:"name"`
}

func handle(ctx context.Context, in event) (string, error) {
	err := powertools.Tracer(ctx).Capture("## greet", func(ctx context.Context) error {
		powertools.Tracer(ctx).Annotate("name", in.Name)
		return nil
	})
	powertools.Logger(ctx).Info("greeted")
	return "hello " + in.Name, err
}

func main() {
	powertools.StartFunc(handle, powertools.WithTracer())
}
