package powertools

import (
	"reflect"
	"unsafe"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// logInvocationBufSize is how many bytes of encoded invocation keys an invocation holds without
// allocating: the ARN, the request id and the trace id, with their keys (190 bytes for the benchmark's
// function; an ARN of up to 83 bytes, a function name of 36, fits). Longer ones are allocated. The size
// keeps the invocation's storage, with the 8-byte header the allocator adds, within 1408 bytes.
const logInvocationBufSize = 216

// logInvocation is the storage of the invocation's logger, part of the invocation so that building the
// logger allocates only what zap's WithOptions must (the logger and its option): the core, the invocation
// keys' segments and their encoded bytes.
type logInvocation struct {
	core logCore
	zl   zap.Logger // the invocation's logger: the App's base logger with core swapped (logSetCore)

	// arn and req are the function_arn and function_request_id segments when their values were written
	// directly (key "" when absent); their bytes are in run.
	arn, req logSegment

	// run and tail are what every plain line of the invocation writes after the App's keys
	// (logRoot.runHead) and at its end (logger_plain.go): `,"function_arn":...,"function_request_id":"..."`
	// and `,"xray_trace_id":"..."` (empty without a trace id), built once here; plain is false when they
	// could not be.
	run, tail []byte
	plain     bool
	buf       [logInvocationBufSize]byte
}

// The two cold_start segments, encoded once.
var (
	logColdStartTrue  = logSegment{key: "cold_start", val: []byte(`"cold_start":true`)}
	logColdStartFalse = logSegment{key: "cold_start", val: []byte(`"cold_start":false`)}
)

func logColdStart(cold bool) logSegment {
	if cold {
		return logColdStartTrue
	}
	return logColdStartFalse
}

// logBuildInvocation builds the invocation's logger and the keys its lines carry of their own:
// function_arn and function_request_id, encoded directly when their values are plain ASCII (as the
// runtime's always are), with the trace id a plain line ends with; cold_start and the function's keys come
// from the App (logRoot.runHead, logAppendInvFields). Values that need escaping go through the field
// encoder (inv.invFields), and the invocation's lines through the general writer. The bytes are those the
// encoder writes either way (logger_invocation_test.go compares them).
func (inv *invocation) logBuildInvocation() {
	r := inv.app.log
	li := &inv.logInv
	arn := ""
	if inv.lc != nil {
		arn = inv.lc.InvokedFunctionArn
	}
	if jsonPlainASCII(arn) && jsonPlainASCII(inv.requestID) {
		b := li.buf[:0]
		if arn != "" {
			start := len(b) + 1
			b = append(append(append(b, `,"function_arn":"`...), arn...), '"')
			li.arn = logSegment{key: "function_arn", val: b[start:len(b):len(b)]}
		}
		if inv.requestID != "" {
			start := len(b) + 1
			b = append(append(append(b, `,"function_request_id":"`...), inv.requestID...), '"')
			li.req = logSegment{key: "function_request_id", val: b[start:len(b):len(b)]}
		}
		li.run = b[:len(b):len(b)]
		li.tail, li.plain = logAppendTraceTail(b[len(b):], inv.traceRootID())
	} else {
		// values the field encoder must escape: every line goes through the general writer
		inv.invFields = logEncodeInvocationFields(r, inv, arn)
	}
	li.core = logCore{root: r, inv: inv}
	if logCoreOffset >= 0 {
		li.zl = *r.invBase
		logSetCore(&li.zl, &li.core)
		inv.logger = &li.zl
		return
	}
	inv.logger = r.invBase.WithOptions(zap.WrapCore(func(zapcore.Core) zapcore.Core { return &li.core }))
}

// logAppendInvFields appends the invocation keys' segments, in the order of a line: cold_start, the
// function's name and memory size, function_arn, function_request_id.
func (inv *invocation) logAppendInvFields(segs []logSegment) []logSegment {
	if inv.invFields != nil {
		return append(segs, inv.invFields...)
	}
	li := &inv.logInv
	segs = append(segs, logColdStart(inv.coldStart))
	segs = append(segs, inv.app.log.function...)
	if li.arn.key != "" {
		segs = append(segs, li.arn)
	}
	if li.req.key != "" {
		segs = append(segs, li.req)
	}
	return segs
}

// logCoreOffset is where a zap.Logger holds its core, found once by reflection: -1 when this version of
// zap holds it otherwise (no field "core" of type zapcore.Core), and the invocation's logger is then made
// with WithOptions(WrapCore), which costs three allocations (the logger, the option and its function)
// where a copy of the base logger into the invocation's storage with its core swapped costs none. Both
// are the same logger: the base's options (caller, clock) with the invocation's core.
var logCoreOffset = logFindCoreField(reflect.TypeFor[zap.Logger]())

func logFindCoreField(t reflect.Type) int {
	f, ok := t.FieldByName("core")
	if !ok || f.Type != reflect.TypeFor[zapcore.Core]() || len(f.Index) != 1 {
		return -1
	}
	return int(f.Offset)
}

// logSetCore replaces the core of l, a copy of the App's base logger in the invocation's storage: a typed
// write of an interface value into the field reflection found, so the garbage collector and its write
// barrier see it as the field it is.
func logSetCore(l *zap.Logger, core zapcore.Core) {
	*(*zapcore.Core)(unsafe.Add(unsafe.Pointer(l), logCoreOffset)) = core
}

// logEncodeInvocationFields encodes the invocation keys through the field encoder, for values that need
// escaping.
func logEncodeInvocationFields(r *logRoot, inv *invocation, arn string) []logSegment {
	fields := make([]zap.Field, 0, 3)
	fields = append(fields, zap.Bool("cold_start", inv.coldStart))
	if arn != "" {
		fields = append(fields, zap.String("function_arn", arn))
	}
	if inv.requestID != "" {
		fields = append(fields, zap.String("function_request_id", inv.requestID))
	}
	segs := r.encode(fields)
	out := make([]logSegment, 0, len(segs)+len(r.function))
	out = append(out, segs[0])
	out = append(out, r.function...)
	return append(out, segs[1:]...)
}
