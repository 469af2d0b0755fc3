package runtimeapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopowertools/powertools/internal/runtimeapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const api = "/2018-06-01/runtime/"

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// next is one GET /next, as a runtime makes it.
func next(t *testing.T, ctx context.Context, srv *runtimeapi.Server) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+srv.Addr()+api+"invocation/next", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func post(t *testing.T, srv *runtimeapi.Server, path string, body io.Reader, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+srv.Addr()+api+path, body)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// invokeAsync runs Invoke in a goroutine and returns where its outcome arrives.
type outcome struct {
	res runtimeapi.Result
	err error
}

func invokeAsync(ctx context.Context, srv *runtimeapi.Server, payload string, opts ...runtimeapi.InvokeOption) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() {
		r, err := srv.Invoke(ctx, []byte(payload), opts...)
		ch <- outcome{r, err}
	}()
	return ch
}

func TestNextCarriesTheInvocationHeaders(t *testing.T) {
	srv := runtimeapi.StartForTest(t)
	ctx := testCtx(t)
	deadline := time.UnixMilli(1_900_000_000_123)
	out := invokeAsync(ctx, srv, `{"hello":"world"}`,
		runtimeapi.WithRequestID("req-1"),
		runtimeapi.WithTraceID("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"),
		runtimeapi.WithFunctionARN("arn:aws:lambda:eu-west-1:111122223333:function:hello"),
		runtimeapi.WithDeadline(deadline),
		runtimeapi.WithClientContext(`{"custom":{"k":"v"}}`),
		runtimeapi.WithCognitoIdentity(`{"CognitoIdentityID":"id"}`),
		runtimeapi.WithTenantID("tenant-a"),
	)
	resp := next(t, ctx, srv)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.JSONEq(t, `{"hello":"world"}`, string(body))
	h := resp.Header
	assert.Equal(t, "req-1", h.Get("Lambda-Runtime-Aws-Request-Id"))
	assert.Equal(t, "1900000000123", h.Get("Lambda-Runtime-Deadline-Ms"))
	assert.Equal(t, "arn:aws:lambda:eu-west-1:111122223333:function:hello", h.Get("Lambda-Runtime-Invoked-Function-Arn"))
	assert.Equal(t, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", h.Get("Lambda-Runtime-Trace-Id"))
	assert.Equal(t, `{"custom":{"k":"v"}}`, h.Get("Lambda-Runtime-Client-Context"))
	assert.Equal(t, `{"CognitoIdentityID":"id"}`, h.Get("Lambda-Runtime-Cognito-Identity"))
	assert.Equal(t, "tenant-a", h.Get("Lambda-Runtime-Aws-Tenant-Id"))

	status, _ := post(t, srv, "invocation/req-1/response", strings.NewReader(`{"ok":true}`),
		http.Header{"Content-Type": {"application/json"}})
	assert.Equal(t, http.StatusAccepted, status)
	o := <-out
	require.NoError(t, o.err)
	assert.Equal(t, "req-1", o.res.RequestID)
	assert.False(t, o.res.Failed())
	assert.Equal(t, `{"ok":true}`, string(o.res.Body))
	assert.Equal(t, "application/json", o.res.ContentType)
}

func TestDefaultsAreFilledIn(t *testing.T) {
	srv := runtimeapi.StartForTest(t)
	ctx := testCtx(t)
	before := time.Now()
	invokeAsync(ctx, srv, `{}`)
	resp := next(t, ctx, srv)
	h := resp.Header
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, h.Get("Lambda-Runtime-Aws-Request-Id"))
	assert.Regexp(t, `^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`, h.Get("Lambda-Runtime-Trace-Id"))
	assert.Equal(t, runtimeapi.DefaultFunctionARN, h.Get("Lambda-Runtime-Invoked-Function-Arn"))
	ms, err := strconv.ParseInt(h.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	require.NoError(t, err)
	assert.False(t, time.UnixMilli(ms).Before(before.Add(runtimeapi.DefaultTimeout).Truncate(time.Millisecond)))
	assert.Empty(t, h.Get("Lambda-Runtime-Client-Context"))
	assert.Empty(t, h.Get("Lambda-Runtime-Cognito-Identity"))
}

func TestErrorAnswers(t *testing.T) {
	tests := []struct {
		name     string
		header   http.Header
		body     string
		wantType string
	}{
		{"type from body", nil, `{"errorMessage":"boom","errorType":"MyError"}`, "MyError"},
		{"header wins", http.Header{"Lambda-Runtime-Function-Error-Type": {"Runtime.Custom"}}, `{"errorMessage":"boom","errorType":"MyError"}`, "Runtime.Custom"},
		{"no type at all", nil, `not json`, "Unhandled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := runtimeapi.StartForTest(t)
			ctx := testCtx(t)
			out := invokeAsync(ctx, srv, `{}`, runtimeapi.WithRequestID("r"))
			next(t, ctx, srv)
			h := http.Header{"Content-Type": {"application/json"}, "Lambda-Runtime-Function-Xray-Error-Cause": {`{"exceptions":[]}`}}
			for k, v := range tt.header {
				h[k] = v
			}
			status, _ := post(t, srv, "invocation/r/error", strings.NewReader(tt.body), h)
			assert.Equal(t, http.StatusAccepted, status)
			o := <-out
			require.NoError(t, o.err)
			assert.True(t, o.res.Failed())
			assert.Equal(t, tt.wantType, o.res.ErrorType)
			assert.Equal(t, tt.body, string(o.res.Body))
			assert.Equal(t, `{"exceptions":[]}`, o.res.XRayErrorCause)
		})
	}
}

func TestResultErrorDecodesTheBody(t *testing.T) {
	fe, err := runtimeapi.Result{ErrorType: "E", Body: []byte(`{"errorMessage":"m","errorType":"E","stackTrace":[{"path":"p"}]}`)}.FunctionError()
	require.NoError(t, err)
	assert.Equal(t, "m", fe.Message)
	assert.Equal(t, "E", fe.Type)
	assert.Len(t, fe.StackTrace, 1)

	fe, err = runtimeapi.Result{Body: []byte(`{}`)}.FunctionError()
	assert.NoError(t, err)
	assert.Nil(t, fe)

	_, err = runtimeapi.Result{RequestID: "x", ErrorType: "E", Body: []byte(`{`)}.FunctionError()
	assert.ErrorContains(t, err, "runtimeapi: decode error body of x")
}

// A streamed response whose reader fails midway ends with error trailers, as aws-lambda-go sends them.
func TestResponseWithErrorTrailersIsAnError(t *testing.T) {
	srv := runtimeapi.StartForTest(t)
	ctx := testCtx(t)
	out := invokeAsync(ctx, srv, `{}`, runtimeapi.WithRequestID("r"))
	next(t, ctx, srv)

	errBody := `{"errorMessage":"read failed","errorType":"errorString"}`
	body := &trailerBody{r: strings.NewReader("partial"), trailer: http.Header{
		"Lambda-Runtime-Function-Error-Type": nil, "Lambda-Runtime-Function-Error-Body": nil}}
	body.set = map[string]string{
		"Lambda-Runtime-Function-Error-Type": "errorString",
		"Lambda-Runtime-Function-Error-Body": base64.StdEncoding.EncodeToString([]byte(errBody)),
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+srv.Addr()+api+"invocation/r/response", body)
	require.NoError(t, err)
	req.Trailer = body.trailer
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)

	o := <-out
	require.NoError(t, o.err)
	assert.Equal(t, "errorString", o.res.ErrorType)
	assert.Equal(t, errBody, string(o.res.Body))
}

// trailerBody fills its trailer when its reader is exhausted, as aws-lambda-go's errorCapturingReader does
// when the response reader fails.
type trailerBody struct {
	r       io.Reader
	trailer http.Header
	set     map[string]string
}

func (b *trailerBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		for k, v := range b.set {
			b.trailer.Set(k, v)
		}
	}
	return n, err
}

func TestAnswersForUnknownOrFinishedInvocationsAreRefused(t *testing.T) {
	srv := runtimeapi.StartForTest(t)
	ctx := testCtx(t)
	status, body := post(t, srv, "invocation/nope/response", strings.NewReader(`{}`), nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "InvalidRequestID")

	out := invokeAsync(ctx, srv, `{}`, runtimeapi.WithRequestID("r"))
	next(t, ctx, srv)
	status, _ = post(t, srv, "invocation/r/response", strings.NewReader(`1`), nil)
	assert.Equal(t, http.StatusAccepted, status)
	require.NoError(t, (<-out).err)
	status, _ = post(t, srv, "invocation/r/error", strings.NewReader(`{}`), nil)
	assert.Equal(t, http.StatusBadRequest, status, "a second answer to the same invocation")
	assert.Equal(t, 1, srv.Stats().Answered)
}

func TestOversizedResponseIsRefused(t *testing.T) {
	srv := runtimeapi.StartForTest(t)
	ctx := testCtx(t)
	invokeAsync(ctx, srv, `{}`, runtimeapi.WithRequestID("r"))
	next(t, ctx, srv)
	status, body := post(t, srv, "invocation/r/response", bytes.NewReader(make([]byte, runtimeapi.MaxResponseBytes+1)), nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Contains(t, body, "RequestEntityTooLarge")
}

func TestInitError(t *testing.T) {
	srv := runtimeapi.StartForTest(t)
	status, _ := post(t, srv, "init/error", strings.NewReader(`{"errorMessage":"bad config","errorType":"InitFailed"}`),
		http.Header{"Lambda-Runtime-Function-Error-Type": {"Runtime.ConfigError"}})
	assert.Equal(t, http.StatusAccepted, status)
	require.NoError(t, srv.WaitInitErrors(testCtx(t), 1))
	errs := srv.InitErrors()
	require.Len(t, errs, 1)
	assert.Equal(t, "Runtime.ConfigError", errs[0].ErrorType)
	assert.JSONEq(t, `{"errorMessage":"bad config","errorType":"InitFailed"}`, string(errs[0].Body))
	assert.Equal(t, 1, srv.Stats().InitErrors)
}

func TestDuplicatePendingRequestIDIsRefused(t *testing.T) {
	srv := runtimeapi.StartForTest(t)
	ctx := testCtx(t)
	invokeAsync(ctx, srv, `{}`, runtimeapi.WithRequestID("same"))
	require.NoError(t, srv.WaitQueued(ctx, 1))
	_, err := srv.Invoke(ctx, []byte(`{}`), runtimeapi.WithRequestID("same"))
	assert.ErrorContains(t, err, `request id "same" is already pending`)
}

func TestInvokeGivesUpWithItsContext(t *testing.T) {
	srv := runtimeapi.StartForTest(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	out := invokeAsync(ctx, srv, `{}`)
	require.NoError(t, srv.WaitQueued(testCtx(t), 1))
	cancel()
	o := <-out
	assert.ErrorIs(t, o.err, context.Canceled)
	assert.Equal(t, 0, srv.Stats().Queued, "the abandoned invocation left the queue")
}

func TestCloseEndsWaitingInvokes(t *testing.T) {
	srv := runtimeapi.StartForTest(t)
	ctx := testCtx(t)
	queued := invokeAsync(ctx, srv, `{}`)
	require.NoError(t, srv.WaitQueued(ctx, 1))
	require.NoError(t, srv.Close())
	assert.ErrorIs(t, (<-queued).err, runtimeapi.ErrClosed)
	_, err := srv.Invoke(ctx, []byte(`{}`))
	assert.ErrorIs(t, err, runtimeapi.ErrClosed)
	assert.ErrorIs(t, srv.WaitPollers(ctx, 1), runtimeapi.ErrClosed)
	assert.NoError(t, srv.Close(), "Close is idempotent")
}

// A poller that goes away before writing its invocation puts it back: nothing is lost.
func TestVanishedPollerLosesNoInvocation(t *testing.T) {
	srv := runtimeapi.StartForTest(t)
	ctx := testCtx(t)
	pollCtx, cancelPoll := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(pollCtx, http.MethodGet, "http://"+srv.Addr()+api+"invocation/next", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	require.NoError(t, srv.WaitPollers(ctx, 1))
	srv.Hold()
	out := invokeAsync(ctx, srv, `{"n":1}`, runtimeapi.WithRequestID("kept"))
	require.NoError(t, srv.WaitQueued(ctx, 1))
	cancelPoll()
	assert.Error(t, <-errc)
	require.NoError(t, srv.Wait(ctx, func(st runtimeapi.Stats) bool { return st.Pollers == 0 }))
	srv.Release()

	resp := next(t, ctx, srv)
	assert.Equal(t, "kept", resp.Header.Get("Lambda-Runtime-Aws-Request-Id"))
	status, _ := post(t, srv, "invocation/kept/response", strings.NewReader(`2`), nil)
	assert.Equal(t, http.StatusAccepted, status)
	assert.Equal(t, "2", string((<-out).res.Body))
}

// Hold, WaitPollers and Release hand an invocation to every waiting poller before any can answer.
func TestReleaseHandsOutToEveryWaitingPollerAtOnce(t *testing.T) {
	const n = 5
	srv := runtimeapi.StartForTest(t)
	ctx := testCtx(t)
	srv.Hold()
	var outs []<-chan outcome
	for i := range n * 2 {
		outs = append(outs, invokeAsync(ctx, srv, strconv.Itoa(i), runtimeapi.WithRequestID("r"+strconv.Itoa(i))))
	}
	require.NoError(t, srv.WaitQueued(ctx, n*2))

	// n runtime loops: each polls, echoes its invocation and polls again.
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { echoLoop(t, ctx, srv, 2) })
	}
	require.NoError(t, srv.WaitPollers(ctx, n))
	assert.Equal(t, 0, srv.Stats().HandedOut, "nothing handed out while held")
	srv.Release()
	for i, out := range outs {
		o := <-out
		require.NoError(t, o.err)
		assert.Equal(t, "r"+strconv.Itoa(i), o.res.RequestID)
		assert.Equal(t, strconv.Itoa(i), string(o.res.Body), "every answer goes to its own invocation")
	}
	wg.Wait()
	st := srv.Stats()
	assert.Equal(t, n, st.MaxInFlight)
	assert.Equal(t, n, st.MaxPollers)
	assert.Equal(t, 2*n, st.HandedOut)
	assert.Equal(t, 2*n, st.Answered)
	assert.Equal(t, 0, st.InFlight)
	assert.Equal(t, 0, st.Queued)
}

// echoLoop is a minimal runtime: it answers times invocations with their own payload.
func echoLoop(t *testing.T, ctx context.Context, srv *runtimeapi.Server, times int) {
	for range times {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+srv.Addr()+api+"invocation/next", nil)
		resp, err := http.DefaultClient.Do(req)
		if !assert.NoError(t, err) {
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		r, err := http.Post("http://"+srv.Addr()+api+"invocation/"+id+"/response", "application/json", bytes.NewReader(body))
		if !assert.NoError(t, err) {
			return
		}
		r.Body.Close()
		assert.Equal(t, http.StatusAccepted, r.StatusCode)
	}
}

func TestFunctionErrorJSONShape(t *testing.T) {
	b, err := json.Marshal(runtimeapi.FunctionError{Message: "m", Type: "T"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"errorMessage":"m","errorType":"T"}`, string(b))
}

func TestOversizedPayloadIsRefused(t *testing.T) {
	srv := runtimeapi.StartForTest(t)
	_, err := srv.Invoke(testCtx(t), make([]byte, runtimeapi.MaxPayloadBytes+1))
	assert.ErrorIs(t, err, runtimeapi.ErrPayloadTooLarge)
	assert.Equal(t, 0, srv.Stats().Queued)
}
