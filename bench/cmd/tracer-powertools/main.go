// Command tracer-powertools is the binary-size probe for our tracer: a function that traces one nested
// subsegment with powertools.Tracer. Compare with ../tracer-xray (aws-xray-sdk-go) and ../tracer-none.
package main

import (
	"context"

	"github.com/gopowertools/powertools"
)

type order struct{ ID string }

func handler(ctx context.Context, in order) (string, error) {
	err := powertools.Tracer(ctx).Capture("work", func(ctx context.Context) error {
		powertools.Tracer(ctx).Annotate("order_id", in.ID)
		return nil
	})
	return "ok", err
}

func main() { powertools.StartFunc(handler, powertools.WithTracer()) }
