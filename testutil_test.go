package powertools_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/testenv"
)

// fixedTime is the clock of every golden test.
var fixedTime = time.Date(2021, 5, 3, 11, 47, 12, 494_000_000, time.UTC)

func fixedClock() time.Time { return fixedTime }

// syncBuffer is a bytes.Buffer safe for the concurrent writes of concurrent invocations.
type syncBuffer = testenv.SyncBuffer

// lines decodes every line of out as a JSON object, failing the test on any line that is not one.
func lines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var result []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line is not a JSON object: %v\n%s", err, line)
		}
		result = append(result, m)
	}
	return result
}

// lambdaCtx is the context aws-lambda-go's runtime loop gives a handler.
func lambdaCtx(requestID string) context.Context {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID:       requestID,
		InvokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:hello",
	})
	return ctx
}

// withTrace adds the trace header the way aws-lambda-go does.
func withTrace(ctx context.Context, header string) context.Context {
	//lint:ignore SA1029 aws-lambda-go's runtime loop uses this plain string key
	return context.WithValue(ctx, "x-amzn-trace-id", header)
}

// newApp builds an App with an empty environment plus env, and fails the test on error.
func newApp(t testing.TB, env map[string]string, opts ...powertools.Option) *powertools.App {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	app, err := powertools.New(append([]powertools.Option{powertools.WithEnv(env)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return app
}

func execCommand(name string, args ...string) *exec.Cmd { return exec.Command(name, args...) }
