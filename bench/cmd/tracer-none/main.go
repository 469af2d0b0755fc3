// Command tracer-none is the binary-size baseline: the function of ../tracer-powertools without tracing.
package main

import (
	"context"

	"github.com/gopowertools/powertools"
)

type order struct{ ID string }

func handler(ctx context.Context, in order) (string, error) { return "ok:" + in.ID, nil }

func main() { powertools.StartFunc(handler) }
