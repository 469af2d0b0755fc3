// Package xraybridge lets code instrumented with aws-xray-sdk-go nest its subsegments under the
// subsegments powertools writes, for functions moving to powertools' tracer step by step. It is a module
// of its own: the powertools package never imports aws-xray-sdk-go, and only functions importing this
// package link it.
//
// aws-xray-sdk-go, in Lambda, parents the subsegments it begins on the trace header found in the context
// under "x-amzn-trace-id". Context rewrites that header so its Parent is the powertools subsegment the
// context is in; the X-Ray SDK then sends its subsegments (to its own daemon address, the same
// AWS_XRAY_DAEMON_ADDRESS) as children of ours.
package xraybridge

import (
	"context"

	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/gopowertools/powertools"
)

// Context returns ctx prepared for aws-xray-sdk-go: xray.Capture and xray.BeginSubsegment called with it
// nest under the powertools subsegment ctx is in (the handler's, or the innermost Capture's). Outside a
// traced invocation it returns ctx unchanged.
func Context(ctx context.Context) context.Context {
	header := powertools.Tracer(ctx).TraceHeader()
	if header == "" {
		return ctx
	}
	//lint:ignore SA1029 aws-xray-sdk-go reads the header under its own string key
	return context.WithValue(ctx, xray.LambdaTraceHeaderKey, header)
}

// Middleware gives the handler a context prepared by Context, so X-Ray SDK calls in the handler nest
// under its "## <handler>" subsegment. Register it with powertools.WithMiddleware. Inside a Capture, call
// Context again to nest under that Capture's subsegment.
func Middleware(next powertools.Handler) powertools.Handler {
	return powertools.HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		return next.Invoke(Context(ctx), payload)
	})
}
