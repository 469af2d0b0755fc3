package powertoolstest

import (
	"context"
	"time"
)

// InvokeOption sets a detail of the context one Invoke gives its handler.
type InvokeOption func(*invokeConfig)

type startKind int

const (
	startAny startKind = iota // cold if it is the first invocation, as in Lambda
	startCold
	startWarm
)

type invokeConfig struct {
	parent    context.Context
	requestID string
	arn       string
	deadline  time.Time
	trace     string
	traceSet  bool
	start     startKind
}

// WithRequestID sets the invocation's AWS request id. Default: a UUID-shaped id numbering the
// Recorder's invocations ("00000000-0000-4000-8000-000000000001", ...), so sorting by request id sorts
// by the order Invoke was called in.
func WithRequestID(id string) InvokeOption { return func(c *invokeConfig) { c.requestID = id } }

// WithFunctionARN sets the invoked function ARN. Default: FunctionARN.
func WithFunctionARN(arn string) InvokeOption { return func(c *invokeConfig) { c.arn = arn } }

// WithDeadline sets the invocation's deadline (the context's, as Lambda sets it from the function
// timeout). Default: DefaultTimeout from the call.
func WithDeadline(t time.Time) InvokeOption { return func(c *invokeConfig) { c.deadline = t } }

// WithTimeout sets the deadline d from now.
func WithTimeout(d time.Duration) InvokeOption {
	return func(c *invokeConfig) { c.deadline = time.Now().Add(d) }
}

// WithTraceHeader sets the X-Ray trace header ("Root=1-...;Parent=...;Sampled=1"); "" gives the
// invocation none. Default: a sampled header with a root and parent numbered by the invocation, so the
// App traces it when WithTracer is on.
func WithTraceHeader(header string) InvokeOption {
	return func(c *invokeConfig) { c.trace, c.traceSet = header, true }
}

// WithColdStart asks for the App's cold start: the invocation must be the Recorder's first, or Invoke
// fails the test. Default: the first invocation is cold, the others warm.
func WithColdStart() InvokeOption { return func(c *invokeConfig) { c.start = startCold } }

// WithWarmStart asks for a warm invocation. On a Recorder that has not invoked yet, the cold start is
// first spent on an invocation of a handler doing nothing, whose output is discarded.
func WithWarmStart() InvokeOption { return func(c *invokeConfig) { c.start = startWarm } }

// WithContext sets the parent of the invocation's context, for values a test wants the handler to see.
// Default: context.Background().
func WithContext(ctx context.Context) InvokeOption {
	return func(c *invokeConfig) {
		if ctx != nil {
			c.parent = ctx
		}
	}
}
