package runtimeapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools/internal/runtimeapi"
	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// functionEnv marks the test binary re-executed as a Lambda function: TestMain then runs aws-lambda-go's
// own runtime loop against the server named by AWS_LAMBDA_RUNTIME_API instead of the tests.
const functionEnv = "RUNTIMEAPI_TEST_AS_FUNCTION"

func TestMain(m *testing.M) {
	if os.Getenv(functionEnv) == "1" {
		lambda.Start(echoFunction)
		return
	}
	testenv.VerifyNoLeaks(m)
}

type echoEvent struct {
	Fail string `json:"fail"`
	N    int    `json:"n"`
}

type echoReply struct {
	N             int    `json:"n"`
	RequestID     string `json:"request_id"`
	ARN           string `json:"arn"`
	Trace         string `json:"trace"`
	DeadlineMS    int64  `json:"deadline_ms"`
	ClientCustom  string `json:"client_custom"`
	CognitoID     string `json:"cognito_id"`
	TenantID      string `json:"tenant_id"`
	EnvTrace      string `json:"env_trace"`
	Concurrency   int    `json:"concurrency"`
	FunctionName  string `json:"function_name"`
	MemoryLimitMB int    `json:"memory_mb"`
}

type teapotError struct{ msg string }

func (e *teapotError) Error() string { return e.msg }

func echoFunction(ctx context.Context, ev echoEvent) (echoReply, error) {
	if ev.Fail != "" {
		return echoReply{}, &teapotError{ev.Fail}
	}
	lc, ok := lambdacontext.FromContext(ctx)
	if !ok {
		return echoReply{}, errors.New("no lambda context")
	}
	dl, _ := ctx.Deadline()
	trace, _ := ctx.Value("x-amzn-trace-id").(string) // aws-lambda-go's own key
	return echoReply{
		N: ev.N, RequestID: lc.AwsRequestID, ARN: lc.InvokedFunctionArn, Trace: trace,
		DeadlineMS: dl.UnixMilli(), ClientCustom: lc.ClientContext.Custom["k"],
		CognitoID: lc.Identity.CognitoIdentityID, TenantID: lc.TenantID,
		EnvTrace: os.Getenv("_X_AMZN_TRACE_ID"), Concurrency: lambdacontext.MaxConcurrency(),
		FunctionName: lambdacontext.FunctionName, MemoryLimitMB: lambdacontext.MemoryLimitInMB,
	}, nil
}

// startFunction runs the test binary as a function under aws-lambda-go's runtime loop.
func startFunction(t *testing.T, srv *runtimeapi.Server, env ...string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), functionEnv+"=1", "AWS_LAMBDA_RUNTIME_API="+srv.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME=echo", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256")
	cmd.Env = append(cmd.Env, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("function stderr:\n%s", stderr.String())
		}
	})
}

func TestAWSLambdaGoRuntimeLoop(t *testing.T) {
	srv := runtimeapi.StartForTest(t)
	startFunction(t, srv)
	ctx := testCtx(t)

	deadline := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	res, err := srv.Invoke(ctx, []byte(`{"n":7}`),
		runtimeapi.WithRequestID("req-7"),
		runtimeapi.WithTraceID("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"),
		runtimeapi.WithFunctionARN("arn:aws:lambda:eu-west-1:111122223333:function:echo"),
		runtimeapi.WithDeadline(deadline),
		runtimeapi.WithClientContext(`{"Client":{"installation_id":"i"},"custom":{"k":"v"}}`),
		runtimeapi.WithCognitoIdentity(`{"CognitoIdentityID":"cog","CognitoIdentityPoolID":"pool"}`),
		runtimeapi.WithTenantID("tenant-a"),
	)
	require.NoError(t, err)
	require.False(t, res.Failed(), "%s: %s", res.ErrorType, res.Body)
	assert.Equal(t, "req-7", res.RequestID)
	assert.Equal(t, "application/json", res.ContentType, "aws-lambda-go labels a JSON-encoded response")
	var got echoReply
	require.NoError(t, json.Unmarshal(res.Body, &got))
	assert.Equal(t, echoReply{
		N: 7, RequestID: "req-7", ARN: "arn:aws:lambda:eu-west-1:111122223333:function:echo",
		Trace:      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
		DeadlineMS: deadline.UnixMilli(), ClientCustom: "v", CognitoID: "cog", TenantID: "tenant-a",
		EnvTrace:    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
		Concurrency: 1, FunctionName: "echo", MemoryLimitMB: 256,
	}, got)

	res, err = srv.Invoke(ctx, []byte(`{"fail":"I'm a teapot"}`), runtimeapi.WithRequestID("req-8"))
	require.NoError(t, err)
	assert.Equal(t, "req-8", res.RequestID)
	assert.Equal(t, "teapotError", res.ErrorType)
	fe, err := res.FunctionError()
	require.NoError(t, err)
	assert.Equal(t, "I'm a teapot", fe.Message)
	assert.Contains(t, res.XRayErrorCause, `"exceptions"`)

	res, err = srv.Invoke(ctx, []byte(`not json`))
	require.NoError(t, err)
	assert.True(t, res.Failed(), "a payload the handler cannot decode is a function error")

	st := srv.Stats()
	assert.Equal(t, 3, st.HandedOut)
	assert.Equal(t, 3, st.Answered)
	assert.Equal(t, 1, st.MaxInFlight, "one runtime loop handles one invocation at a time")
}

func TestAWSLambdaGoConcurrentRuntimeLoops(t *testing.T) {
	const loops, invokes = 4, 32
	srv := runtimeapi.StartForTest(t)
	ctx := testCtx(t)
	srv.Hold()
	startFunction(t, srv, "AWS_LAMBDA_MAX_CONCURRENCY="+strconv.Itoa(loops))
	require.NoError(t, srv.WaitPollers(ctx, loops))

	var wg sync.WaitGroup
	for i := range invokes {
		wg.Go(func() {
			id := "req-" + strconv.Itoa(i)
			res, err := srv.Invoke(ctx, []byte(`{"n":`+strconv.Itoa(i)+`}`), runtimeapi.WithRequestID(id))
			if !assert.NoError(t, err) || !assert.False(t, res.Failed(), string(res.Body)) {
				return
			}
			var got echoReply
			require.NoError(t, json.Unmarshal(res.Body, &got))
			assert.Equal(t, i, got.N)
			assert.Equal(t, id, got.RequestID)
			assert.Equal(t, loops, got.Concurrency)
			assert.Empty(t, got.EnvTrace, "aws-lambda-go leaves _X_AMZN_TRACE_ID unset with concurrency > 1")
			assert.NotEmpty(t, got.Trace)
		})
	}
	require.NoError(t, srv.WaitQueued(ctx, invokes))
	srv.Release()
	wg.Wait()

	st := srv.Stats()
	assert.Equal(t, loops, st.MaxPollers)
	assert.Equal(t, loops, st.MaxInFlight, "every runtime loop held an invocation at once")
	assert.Equal(t, invokes, st.Answered)
}
