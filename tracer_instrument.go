package powertools

// Instrumentation of outgoing calls: AWS SDK v2 operations (smithy middleware) and plain HTTP
// (http.RoundTripper). Both open a subsegment under the one the call's context is in and pass the trace
// downstream in X-Amzn-Trace-Id; outside a traced invocation they only call through.

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// tracerTraceHeader is the header X-Ray propagates a trace in.
const tracerTraceHeader = "X-Amzn-Trace-Id"

// InstrumentAWS adds a subsegment per operation to every client built from cfg afterwards: name = the
// service ("DynamoDB"), namespace "aws", the operation, region, request id, retries, the table or queue
// named by the input (TableName, RequestItems, QueueUrl), the HTTP status, and error/throttle/fault set as
// X-Ray defines them (4xx error, 429 or an SDK throttling error throttle, 5xx or no response fault). It
// passes the trace to the service in X-Amzn-Trace-Id (Sampled=0 when the invocation is not sampled, so the
// service does not sample on its own). A nil cfg is ignored. Call it once per config.
func InstrumentAWS(cfg *aws.Config) {
	if cfg == nil {
		return
	}
	cfg.APIOptions = append(cfg.APIOptions, tracerAddAWSMiddleware)
}

func tracerAddAWSMiddleware(stack *middleware.Stack) error {
	if err := stack.Initialize.Add(tracerAWSInitialize{}, middleware.After); err != nil {
		return err
	}
	return stack.Deserialize.Add(tracerAWSDeserialize{}, middleware.Before)
}

// tracerAWSInitialize opens the operation's subsegment around everything else, retries included.
type tracerAWSInitialize struct{}

func (tracerAWSInitialize) ID() string { return "PowertoolsTracer" }

func (tracerAWSInitialize) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	out middleware.InitializeOutput, md middleware.Metadata, err error,
) {
	t := Tracer(ctx)
	if !t.Sampled() {
		return next.HandleInitialize(ctx, in)
	}
	s := t.span.child(t.ctx, awsmiddleware.GetServiceID(ctx), "aws")
	info := &tracerAWS{operation: awsmiddleware.GetOperationName(ctx), region: awsmiddleware.GetRegion(ctx)}
	tracerAWSParams(info, in.Parameters)
	s.trace.mu.Lock()
	s.aws = info
	s.trace.mu.Unlock()
	defer s.finishOnPanic()

	out, md, err = next.HandleInitialize(s, in)

	requestID, _ := awsmiddleware.GetRequestIDMetadata(md)
	retries := 0
	if res, ok := retry.GetAttemptResults(md); ok && len(res.Results) > 1 {
		retries = len(res.Results) - 1
	}
	s.trace.mu.Lock()
	defer s.trace.mu.Unlock()
	info.requestID, info.retries = requestID, retries
	s.finishCallLocked(err)
	return out, md, err
}

// tracerAWSDeserialize runs once per attempt, next to the wire: it sends the trace header and records the
// attempt's HTTP status (the last attempt's stays).
type tracerAWSDeserialize struct{}

func (tracerAWSDeserialize) ID() string { return "PowertoolsTracerResponse" }

func (tracerAWSDeserialize) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	out middleware.DeserializeOutput, md middleware.Metadata, err error,
) {
	s, ok := ctx.Value(tracerSpanKey{}).(*tracerSpan)
	if !ok || s.namespace != "aws" {
		if h := tracerUnsampledHeader(ctx); h != "" {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				req.Header.Set(tracerTraceHeader, h)
			}
		}
		return next.HandleDeserialize(ctx, in)
	}
	if req, ok := in.Request.(*smithyhttp.Request); ok {
		req.Header.Set(tracerTraceHeader, s.downstreamHeader())
	}
	out, md, err = next.HandleDeserialize(ctx, in)
	if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil && resp.Response != nil && resp.StatusCode != 0 {
		s.trace.mu.Lock()
		s.http = &tracerHTTP{status: resp.StatusCode, contentLength: resp.ContentLength}
		s.trace.mu.Unlock()
	}
	return out, md, err
}

// finishCallLocked ends an outgoing call's subsegment: flags from the HTTP status, a fault when the call
// failed without a response, a throttle when the SDK classifies the error as one, and the error as cause.
func (s *tracerSpan) finishCallLocked(err error) {
	if s.ended {
		return
	}
	status := 0
	if s.http != nil {
		status = s.http.status
	}
	s.statusFlags(status)
	if err != nil {
		var apiErr smithy.APIError
		remote := errors.As(err, &apiErr)
		switch {
		case status == 0 && !remote:
			s.fault = true
		case status == 0 && apiErr.ErrorFault() == smithy.FaultServer:
			s.fault = true
		case status == 0:
			s.errFlag = true
		}
		if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary {
			s.throttle, s.errFlag = true, true
		}
		if s.trace.root.cfg.captureError {
			s.cause = tracerExceptions(err, remote)
			if remote {
				s.cause[0].typ = apiErr.ErrorCode()
			}
		}
	}
	s.closeLocked()
}

// tracerParamFields caches, per input type, where the fields X-Ray records are.
var tracerParamFields sync.Map // reflect.Type -> tracerParamIndex

type tracerParamIndex struct {
	table, queue, items []int // field index paths; nil when the type has none
}

// tracerAWSParams copies the resource names an operation's input carries into info.
func tracerAWSParams(info *tracerAWS, params any) {
	v := reflect.ValueOf(params)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	idx := tracerParamIndexFor(v.Type())
	if idx.table != nil {
		info.tableName = tracerStringField(v.FieldByIndex(idx.table))
	}
	if idx.queue != nil {
		info.queueURL = tracerStringField(v.FieldByIndex(idx.queue))
	}
	if idx.items != nil {
		for _, k := range v.FieldByIndex(idx.items).MapKeys() {
			info.tableNames = append(info.tableNames, k.String())
		}
	}
}

func tracerParamIndexFor(t reflect.Type) tracerParamIndex {
	if idx, ok := tracerParamFields.Load(t); ok {
		return idx.(tracerParamIndex)
	}
	var idx tracerParamIndex
	stringPtr := reflect.TypeFor[*string]()
	if f, ok := t.FieldByName("TableName"); ok && f.Type == stringPtr {
		idx.table = f.Index
	}
	if f, ok := t.FieldByName("QueueUrl"); ok && f.Type == stringPtr {
		idx.queue = f.Index
	}
	if f, ok := t.FieldByName("RequestItems"); ok && f.Type.Kind() == reflect.Map && f.Type.Key().Kind() == reflect.String {
		idx.items = f.Index
	}
	tracerParamFields.Store(t, idx)
	return idx
}

func tracerStringField(v reflect.Value) string {
	if v.IsNil() {
		return ""
	}
	return v.Elem().String()
}

// InstrumentHTTP wraps rt (http.DefaultTransport when nil) so each request made inside a traced invocation
// gets a subsegment (name = host, namespace "remote", method, URL without query or credentials, status,
// error/throttle/fault from the status) and carries the trace downstream in X-Amzn-Trace-Id (Sampled=0
// when the invocation is not sampled). The subsegment ends when the response headers arrive. The request
// is cloned, never modified.
func InstrumentHTTP(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &tracerTransport{next: rt}
}

type tracerTransport struct{ next http.RoundTripper }

func (t *tracerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tr := Tracer(req.Context())
	if !tr.Sampled() {
		if h := tracerUnsampledHeader(req.Context()); h != "" {
			out := req.Clone(req.Context())
			out.Header.Set(tracerTraceHeader, h)
			return t.next.RoundTrip(out)
		}
		return t.next.RoundTrip(req)
	}
	s := tr.span.child(tr.ctx, req.URL.Hostname(), "remote")
	u := *req.URL
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	info := &tracerHTTP{method: req.Method, url: u.String(), contentLength: -1}
	s.trace.mu.Lock()
	s.http = info
	s.trace.mu.Unlock()
	defer s.finishOnPanic()

	out := req.Clone(s)
	out.Header.Set(tracerTraceHeader, s.downstreamHeader())
	resp, err := t.next.RoundTrip(out)

	s.trace.mu.Lock()
	defer s.trace.mu.Unlock()
	if resp != nil {
		info.status, info.contentLength = resp.StatusCode, resp.ContentLength
	}
	s.finishCallLocked(err)
	return resp, err
}

// tracerUnsampledHeader is the header that passes a "not sampled" decision downstream, so the services
// called do not start traces of their own for it: "Root=...;Parent=...;Sampled=0". It is "" unless ctx
// is in an invocation of an App that traces and whose trace header says Sampled=0.
func tracerUnsampledHeader(ctx context.Context) string {
	inv := invocationFrom(ctx)
	if inv == nil || inv.app.tracer == nil || inv.segment != nil {
		return ""
	}
	hdr, ok := tracerParseHeader(inv.trace)
	if !ok || hdr.sampled {
		return ""
	}
	return "Root=" + hdr.root + ";Parent=" + hdr.parent + ";Sampled=0"
}
