// Command tracer-xray is the binary-size probe for aws-xray-sdk-go: the same function as
// ../tracer-powertools, tracing its nested subsegment with xray.Capture instead.
package main

import (
	"context"

	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/gopowertools/powertools"
)

type order struct{ ID string }

func handler(ctx context.Context, in order) (string, error) {
	err := xray.Capture(ctx, "work", func(ctx context.Context) error {
		return xray.AddAnnotation(ctx, "order_id", in.ID)
	})
	return "ok", err
}

func main() { powertools.StartFunc(handler) }
