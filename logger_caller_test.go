package powertools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// logCallerLines runs fn inside an invocation whose lines go to a buffer and returns each line's
// message and location.
func logCallerLines(t *testing.T, fn func(ctx context.Context)) (messages, locations []string) {
	t.Helper()
	var out bytes.Buffer
	a, err := New(WithService("svc"), WithLogOutput(&out), WithLogLevel("DEBUG"))
	if err != nil {
		t.Fatal(err)
	}
	h := a.Wrap(func(ctx context.Context) error { fn(ctx); return nil })
	if _, err := h.Invoke(lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "r"}), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n")) {
		var l struct{ Message, Location string }
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		messages, locations = append(messages, l.Message), append(locations, l.Location)
	}
	return messages, locations
}

// logCallerShapes are the ways of logging a line: each logs twice from one call site, first through
// the logger given, whose location the core finds, then through the same logger with zap's caller
// annotation, whose location zap finds.
var logCallerShapes = []struct {
	name string
	log  func(l *zap.Logger, msg string)
}{
	{"Info", func(l *zap.Logger, msg string) { l.Info(msg) }},
	{"Warn with fields", func(l *zap.Logger, msg string) { l.Warn(msg, zap.Int("n", 1)) }},
	{"Error", func(l *zap.Logger, msg string) { l.Error(msg) }},
	{"Debug", func(l *zap.Logger, msg string) { l.Debug(msg) }},
	{"Log", func(l *zap.Logger, msg string) { l.Log(zapcore.InfoLevel, msg) }},
	{"Check then Write", func(l *zap.Logger, msg string) {
		if ce := l.Check(zapcore.InfoLevel, msg); ce != nil {
			ce.Write()
		}
	}},
	{"With", func(l *zap.Logger, msg string) { l.With(zap.String("w", "1")).Info(msg) }},
	{"Sugar Infow", func(l *zap.Logger, msg string) { l.Sugar().Infow(msg, "k", "v") }},
	{"Sugar Infof", func(l *zap.Logger, msg string) { l.Sugar().Infof("%s", msg) }},
	{"Named", func(l *zap.Logger, msg string) { l.Named("sub").Info(msg) }},
	{"inlined helper", func(l *zap.Logger, msg string) { logCallerInlined(l, msg) }},
	{"helper", func(l *zap.Logger, msg string) { logCallerHelper(l, msg) }},
	{"deep", func(l *zap.Logger, msg string) { logCallerDeep(l, msg, 40) }},
	{"goroutine", func(l *zap.Logger, msg string) {
		var wg sync.WaitGroup
		wg.Go(func() { l.Info(msg) })
		wg.Wait()
	}},
}

// logCallerInlined is small enough to be inlined: its frame is a logical one.
func logCallerInlined(l *zap.Logger, msg string) { l.Info(msg) }

//go:noinline
func logCallerHelper(l *zap.Logger, msg string) { l.Info(msg) }

func logCallerDeep(l *zap.Logger, msg string, depth int) {
	if depth == 0 {
		l.Info(msg)
		return
	}
	logCallerDeep(l, msg, depth-1)
}

// logCallerBoth logs msg through l (the core finds the location) and through l with zap's caller
// annotation (zap finds it), from the same call site in shape.
func logCallerBoth(l *zap.Logger, log func(*zap.Logger, string), msg string) {
	for i, lg := range []*zap.Logger{l, l.WithOptions(zap.AddCaller())} {
		log(lg, fmt.Sprintf("%s %d", msg, i))
	}
}

// TestLogCallSite holds the location the core finds to the one zap's caller annotation gives, for every
// way of logging, walking frame pointers and with runtime.Callers.
func TestLogCallSite(t *testing.T) {
	for _, walk := range []bool{true, false} {
		if walk && !logHasFramePointers {
			t.Log("this architecture keeps no frame pointers: only the runtime.Callers way is tested")
			continue
		}
		t.Run(fmt.Sprintf("frame pointers %v", walk), func(t *testing.T) {
			defer func(v bool) { logWalkFramePointers = v }(logWalkFramePointers)
			logWalkFramePointers = walk
			for _, shape := range logCallerShapes {
				t.Run(shape.name, func(t *testing.T) {
					msgs, locs := logCallerLines(t, func(ctx context.Context) { logCallerBoth(Logger(ctx), shape.log, "m") })
					if len(locs) != 2 || msgs[0] != "m 0" || msgs[1] != "m 1" {
						t.Fatalf("lines %q", msgs)
					}
					if locs[0] == "" || locs[0] != locs[1] {
						t.Errorf("location %q, zap's %q", locs[0], locs[1])
					}
				})
			}
		})
	}
}

// TestLogCallSiteBatchRecord checks a batch record's logger, whose core is the record's, finds the
// record function's call site.
func TestLogCallSiteBatchRecord(t *testing.T) {
	_, locs := logCallerLines(t, func(ctx context.Context) {
		_, _ = ProcessSQS(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "1"}}},
			func(ctx context.Context, _ events.SQSMessage) error {
				logCallerBoth(Logger(ctx), func(l *zap.Logger, msg string) { l.Info(msg) }, "record")
				return nil
			})
	})
	if len(locs) != 2 || locs[0] == "" || locs[0] != locs[1] || !strings.HasPrefix(locs[0], "TestLogCallSiteBatchRecord.") {
		t.Errorf("locations %q", locs)
	}
}

// TestLogCallSiteSkip checks the user's skip: zap.AddCallerSkip applies to zap's caller annotation, so
// alone it leaves the call site, and with zap.AddCaller it skips the wrapper.
func TestLogCallSiteSkip(t *testing.T) {
	_, locs := logCallerLines(t, func(ctx context.Context) {
		logCallerWrapper(Logger(ctx).WithOptions(zap.AddCallerSkip(1)), "alone")
		logCallerWrapper(Logger(ctx).WithOptions(zap.AddCaller(), zap.AddCallerSkip(1)), "annotated")
	})
	if len(locs) != 2 || !strings.HasPrefix(locs[0], "logCallerWrapper:") || !strings.HasPrefix(locs[1], "TestLogCallSiteSkip.func1:") {
		t.Errorf("locations %q, want the wrapper's, then its caller's", locs)
	}
}

//go:noinline
func logCallerWrapper(l *zap.Logger, msg string) { l.Info(msg) }

// TestLogCallSiteConcurrent logs from several call sites in many goroutines at once: every line is
// located at its own call site, under -race.
func TestLogCallSiteConcurrent(t *testing.T) {
	_, locs := logCallerLines(t, func(ctx context.Context) {
		l := Logger(ctx)
		var wg sync.WaitGroup
		for g := range 32 {
			wg.Go(func() {
				for range 20 {
					logCallerBoth(l, logCallerShapes[g%4].log, "c")
				}
			})
		}
		wg.Wait()
	})
	if len(locs) != 32*20*2 {
		t.Fatalf("%d lines, want %d", len(locs), 32*20*2)
	}
	for i := 0; i < len(locs); i++ {
		if locs[i] == "" || !strings.HasPrefix(locs[i], "init.func") {
			t.Fatalf("line %d located at %q, want a shape's function", i, locs[i])
		}
	}
}

// TestLogCallerCacheSlotReplaced checks an address whose slot holds another address's frames is
// resolved again, not given the other's.
func TestLogCallerCacheSlotReplaced(t *testing.T) {
	pc := logCallerPC()
	want := logCallerFrames(pc, 0)
	slot := logCallerSlot(pc)
	slot.Store(&logCallerEntry{pc: pc + 1, first: logCallerFrame{caller: zapcore.EntryCaller{Defined: true, Function: "other"}}})
	got := logCallerFrames(pc, 0)
	if got.pc != pc || got.first.caller.Function != want.first.caller.Function || got.first.caller.Function == "other" ||
		len(got.inline) != len(want.inline) {
		t.Errorf("frames %+v, want %+v", got, want)
	}
}

//go:noinline
func logCallerPC() uintptr {
	pcs := make([]uintptr, 1)
	runtime.Callers(1, pcs)
	return pcs[0]
}

// TestLogCallSiteOutsideZap checks a line written to the core directly, not through zap, has no
// location rather than a wrong one.
func TestLogCallSiteOutsideZap(t *testing.T) {
	for _, walk := range []bool{true, false} {
		defer func(v bool) { logWalkFramePointers = v }(logWalkFramePointers)
		logWalkFramePointers = walk && logHasFramePointers
		if c := logCallSite(); c.Defined {
			t.Errorf("frame pointers %v: a call site %+v outside zap", walk, c)
		}
	}
}
