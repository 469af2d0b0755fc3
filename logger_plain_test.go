package powertools

import (
	"bytes"
	"context"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/gopowertools/powertools/internal/testenv"
)

// logPlainLines writes one entry with fields through the invocation's core both ways, plain and general,
// and returns the two lines and whether the plain writer took the line.
func logPlainLines(t *testing.T, inv *invocation, out *bytes.Buffer, fields []zap.Field) (plain, general string, took bool) {
	t.Helper()
	ent := zapcore.Entry{Level: zapcore.InfoLevel, Message: "m\u2028\"", Time: time.Date(2026, 12, 1, 9, 20, 41, 820e6, time.UTC),
		Caller: zapcore.EntryCaller{Defined: true, Function: "example.com/fn.Handle", Line: 16}}
	c := &inv.logInv.core
	out.Reset()
	took, err := c.writePlain(&ent, fields)
	if err != nil {
		t.Fatal(err)
	}
	plain = out.String()
	out.Reset()
	if err := c.writeGeneral(&ent, fields); err != nil {
		t.Fatal(err)
	}
	return plain, out.String(), took
}

// TestLogPlainLine checks the plain writer writes the general writer's bytes for every line it takes, and
// leaves to it every line it must not take.
func TestLogPlainLine(t *testing.T) {
	arn := "arn:aws:lambda:us-east-1:123456789012:function:fn"
	env := map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "fn", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}
	scalars := []zap.Field{zap.String("order_id", "o-42"), zap.Int("n", -3), zap.Int8("i8", 8), zap.Int16("i16", 16),
		zap.Int32("i32", 32), zap.Bool("ok", true), zap.Float64("f", 1), zap.Float64("nan", math.NaN()),
		zap.String("esc", "a\"\\\n\u2028\xff")}
	for _, inv := range []struct {
		name     string
		opts     []Option
		lc       *lambdacontext.LambdaContext
		trace    string
		cold     bool
		plainInv bool // whether the invocation's lines can be plain at all
	}{
		{"runtime shape", nil, &lambdacontext.LambdaContext{AwsRequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", InvokedFunctionArn: arn},
			"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", false, true},
		{"cold, sampling rate", []Option{WithLogSampleRate(0.5)}, &lambdacontext.LambdaContext{AwsRequestID: "r-1", InvokedFunctionArn: arn}, "", true, true},
		{"no Lambda context", nil, nil, "Sampled=1;Root=1-5759e988-bd862e3fe1be46a994272793", false, true},
		{"ARN past the storage", nil, &lambdacontext.LambdaContext{AwsRequestID: strings.Repeat("r", 300), InvokedFunctionArn: arn + strings.Repeat("f", 300)}, "", false, true},
		{"escaped request id", nil, &lambdacontext.LambdaContext{AwsRequestID: "a\"b\u2028"}, "", false, false},
		{"escaped trace id", nil, &lambdacontext.LambdaContext{AwsRequestID: "r-1"}, "Root=a\"b", false, false},
	} {
		for _, tc := range []struct {
			name   string
			fields []zap.Field
			plain  bool
		}{
			{"no field", nil, true},
			{"one string", scalars[:1], true},
			{"every scalar type", scalars[:8], true},
			{"escaped value", scalars[8:], true},
			{"more than the pairwise limit", scalars, false},
			{"duplicate key", []zap.Field{zap.String("a", "1"), zap.String("a", "2")}, false},
			{"invocation key", []zap.Field{zap.String("cold_start", "mine")}, false},
			{"static key", []zap.Field{zap.String("service", "mine")}, false},
			{"reserved key", []zap.Field{zap.String("message", "mine")}, false},
			{"trace key", []zap.Field{zap.String("xray_trace_id", "mine")}, false},
			{"exception key", []zap.Field{zap.String("exception", "mine")}, false},
			{"error", []zap.Field{zap.Error(context.Canceled)}, false},
			{"non-scalar", []zap.Field{zap.Strings("list", []string{"a"})}, false},
			{"uint", []zap.Field{zap.Uint("u", 1)}, false},
			{"empty key", []zap.Field{zap.String("", "v")}, false},
			{"marker key", []zap.Field{zap.Bool(logDirectKey, true)}, false},
		} {
			t.Run(inv.name+"/"+tc.name, func(t *testing.T) {
				var out bytes.Buffer
				a, err := New(append([]Option{WithEnv(env), WithService("svc"), WithLogOutput(&out)}, inv.opts...)...)
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				if inv.lc != nil {
					ctx = lambdacontext.NewContext(ctx, inv.lc)
				}
				i := a.newInvocation(ctx)
				i.coldStart, i.trace = inv.cold, inv.trace
				i.logBuildInvocation()
				plain, general, took := logPlainLines(t, i, &out, tc.fields)
				if want := tc.plain && inv.plainInv; took != want {
					t.Fatalf("plain writer took the line: %v, want %v", took, want)
				}
				if took && plain != general {
					t.Errorf("plain line\n%s\ngeneral line\n%s", plain, general)
				}
				if !took && plain != "" {
					t.Errorf("the plain writer wrote a line it did not take: %s", plain)
				}
			})
		}
	}
}

// TestLogPlainLineState checks a line stops being plain when the invocation gains state the general
// writer handles: appended keys, a correlation id, With fields, a batch record's scope.
func TestLogPlainLineState(t *testing.T) {
	var out bytes.Buffer
	a, err := New(WithService("svc"), WithLogOutput(&out))
	if err != nil {
		t.Fatal(err)
	}
	h := a.Wrap(func(ctx context.Context) error {
		l := Logger(ctx)
		l.Info("plain", zap.String("k", "v"))
		AppendKeys(ctx, zap.String("appended", "1"))
		l.Info("appended", zap.String("k", "v"))
		RemoveKeys(ctx, "appended")
		SetCorrelationID(ctx, "corr-1")
		l.Info("correlated", zap.String("k", "v"))
		l.With(zap.String("with", "w")).Info("with", zap.String("k", "v"))
		return nil
	})
	if _, err := h.Invoke(lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r"}), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	want := []string{`"k":"v"}`, `"appended":"1","k":"v"}`, `"correlation_id":"corr-1","k":"v"}`, `"correlation_id":"corr-1","with":"w","k":"v"}`}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, w := range want {
		if !bytes.HasSuffix(lines[i], []byte(w)) {
			t.Errorf("line %d ends\n%s\nwant …%s", i, lines[i], w)
		}
	}
}

// TestLogPlainLineAllocs is the budget of a plain line inside an invocation, its location found by the
// core: none where frame pointers are walked, amd64 and arm64 (zap's caller capture allocated its
// runtime.Frames on every line); 2 elsewhere, where the call site comes from runtime.Callers and
// runtime.CallersFrames. The fields are built outside the measure: the slice a variadic call makes is the
// caller's.
func TestLogPlainLineAllocs(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	budget := 0.0
	if !logHasFramePointers {
		budget = 2
	}
	a, err := New(WithService("svc"), WithLogOutput(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	h := a.Wrap(func(ctx context.Context) error {
		l := Logger(ctx)
		fields := []zap.Field{zap.String("order_id", "o-42"), zap.Int("n", 1)}
		if n := testing.AllocsPerRun(200, func() { l.Info("order processed", fields...) }); n > budget {
			t.Errorf("a plain line: %v allocations, budget %v", n, budget)
		}
		return nil
	})
	if _, err := h.Invoke(lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r"}), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
}
