package powertools

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools/internal/testenv"
)

func logInvTestApp(t testing.TB, env map[string]string) *App {
	t.Helper()
	a, err := New(WithEnv(env), WithService("svc"), WithLogOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func logJoinSegments(segs []logSegment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.key)
		b.WriteString("=")
		b.Write(s.val)
		b.WriteString("\n")
	}
	return b.String()
}

// TestLogBuildInvocation checks the invocation keys written directly are the field encoder's bytes, in
// its order, for every shape of invocation, and that values needing escaping take the encoder's path.
func TestLogBuildInvocation(t *testing.T) {
	full := map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "fn", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}
	arn := "arn:aws:lambda:us-east-1:123456789012:function:fn"
	long := "arn:aws:lambda:us-east-1:123456789012:function:" + strings.Repeat("f", 300) // past the array
	for _, tc := range []struct {
		name       string
		env        map[string]string
		lc         *lambdacontext.LambdaContext
		cold, fast bool
	}{
		{"everything, cold", full, &lambdacontext.LambdaContext{AwsRequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", InvokedFunctionArn: arn}, true, true},
		{"everything, warm", full, &lambdacontext.LambdaContext{AwsRequestID: "r-1", InvokedFunctionArn: arn}, false, true},
		{"no function keys", map[string]string{}, &lambdacontext.LambdaContext{AwsRequestID: "r-1", InvokedFunctionArn: arn}, false, true},
		{"no Lambda context", full, nil, false, true},
		{"no ARN", full, &lambdacontext.LambdaContext{AwsRequestID: "r-1"}, true, true},
		{"no request id", full, &lambdacontext.LambdaContext{InvokedFunctionArn: arn}, true, true},
		{"longer than the array", full, &lambdacontext.LambdaContext{AwsRequestID: strings.Repeat("r", 100), InvokedFunctionArn: long}, true, true},
		{"quote in the request id", full, &lambdacontext.LambdaContext{AwsRequestID: `a"b`, InvokedFunctionArn: arn}, true, false},
		{"backslash in the ARN", full, &lambdacontext.LambdaContext{AwsRequestID: "r", InvokedFunctionArn: `a\b`}, true, false},
		{"control character", full, &lambdacontext.LambdaContext{AwsRequestID: "a\nb"}, true, false},
		{"U+2028 (the encoders differ on it)", full, &lambdacontext.LambdaContext{AwsRequestID: "a\u2028b"}, true, false},
		{"invalid UTF-8", full, &lambdacontext.LambdaContext{AwsRequestID: "a\xffb"}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := logInvTestApp(t, tc.env)
			ctx := context.Background()
			if tc.lc != nil {
				ctx = lambdacontext.NewContext(ctx, tc.lc)
			}
			inv := a.newInvocation(ctx)
			inv.coldStart = tc.cold
			inv.logBuildInvocation()
			arn := ""
			if tc.lc != nil {
				arn = tc.lc.InvokedFunctionArn
			}
			want := logJoinSegments(logEncodeInvocationFields(a.log, inv, arn))
			if got := logJoinSegments(inv.logAppendInvFields(nil)); got != want {
				t.Errorf("segments\n%s\nwant (field encoder)\n%s", got, want)
			}
			if fast := jsonPlainASCII(arn) && jsonPlainASCII(inv.requestID); fast != tc.fast {
				t.Errorf("direct encoding = %v, want %v", fast, tc.fast)
			}
			if inv.logger == nil || inv.logger.Core() != &inv.logInv.core || inv.logInv.core.inv != inv {
				t.Error("the logger does not write through the invocation's core")
			}
		})
	}
}

// TestLogSetCore checks the invocation's logger made by copying the base logger and swapping its core is
// the one WithOptions(WrapCore) makes: the same lines, the caller located the same way, a derived logger
// with zap's caller annotation and AddCallerSkip, and With working on it, and the zap version in use is
// the one whose layout logCoreOffset found.
func TestLogSetCore(t *testing.T) {
	if logCoreOffset < 0 {
		t.Fatal("zap.Logger has no field core of type zapcore.Core: every invocation's logger costs three allocations")
	}
	lines := func(t *testing.T) string {
		var out bytes.Buffer
		a, err := New(WithEnv(map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "fn"}), WithService("svc"), WithLogOutput(&out),
			WithClock(func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }))
		if err != nil {
			t.Fatal(err)
		}
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r-1", InvokedFunctionArn: "arn"})
		inv := a.newInvocation(ctx)
		l := inv.zapLogger()
		if l.Core() != &inv.logInv.core {
			t.Error("the logger does not write through the invocation's core")
		}
		l.Info("direct", zap.String("k", "v"))
		logSetCoreHelper(l, "through a helper")
		l.With(zap.Int("n", 1)).Warn("with")
		return out.String()
	}
	swapped := lines(t)
	defer func(off int) { logCoreOffset = off }(logCoreOffset)
	logCoreOffset = -1
	wrapped := lines(t)
	if swapped != wrapped {
		t.Errorf("core swapped:\n%s\nWithOptions(WrapCore):\n%s", swapped, wrapped)
	}
	for _, want := range []string{`"location":"TestLogSetCore.func1:`, `"location":"TestLogSetCore.func1:`, `"message":"through a helper"`, `"n":1`} {
		if !strings.Contains(swapped, want) {
			t.Errorf("lines lack %s:\n%s", want, swapped)
		}
	}
	if strings.Contains(swapped, "logSetCoreHelper") {
		t.Errorf("AddCaller with AddCallerSkip(1) did not skip the helper:\n%s", swapped)
	}
}

// logSetCoreHelper logs as a user's wrapper does, its line located at its caller: the invocation's logger
// leaves zap's caller annotation off (logger_caller.go), so the wrapper turns it on for AddCallerSkip.
func logSetCoreHelper(l *zap.Logger, msg string) {
	l.WithOptions(zap.AddCaller(), zap.AddCallerSkip(1)).Info(msg)
}

// TestLogBuildInvocationAllocs is the budget of building an invocation's logger: none, the base logger
// copied into the invocation's storage (3 with WithOptions(WrapCore), 10 before the keys were encoded
// directly).
func TestLogBuildInvocationAllocs(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	a := logInvTestApp(t, map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "fn", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:fn"})
	inv := a.newInvocation(ctx)
	if n := testing.AllocsPerRun(200, inv.logBuildInvocation); n > 0 {
		t.Errorf("building the invocation's logger: %v allocations, want none", n)
	}
}
