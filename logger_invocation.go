package powertools

import (
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// logInvocationBufSize is how many bytes of encoded invocation keys (function_arn, function_request_id)
// an invocation holds without allocating: a 140-byte ARN and a 36-byte request id with their keys.
const logInvocationBufSize = 224

// logInvocation is the storage of the invocation's logger, part of the invocation so that building the
// logger allocates only what zap's WithOptions must (the logger and its option): the core, the invocation
// keys' segments and their encoded bytes.
type logInvocation struct {
	core logCore
	segs [5]logSegment // cold_start, function_name, function_memory_size, function_arn, function_request_id
	buf  [logInvocationBufSize]byte
}

// The two cold_start segments, encoded once.
var (
	logColdStartTrue  = logSegment{key: "cold_start", val: []byte(`"cold_start":true`)}
	logColdStartFalse = logSegment{key: "cold_start", val: []byte(`"cold_start":false`)}
)

// logBuildInvocation sets inv.invFields and inv.logger, the keys every line of the invocation carries and
// its logger: cold_start, the function's static keys, function_arn and function_request_id, encoded
// directly when their values are plain ASCII (as the runtime's always are), through the field encoder
// otherwise. The bytes are those the encoder writes either way (logger_invocation_test.go compares them).
func (inv *invocation) logBuildInvocation() {
	r := inv.app.log
	li := &inv.logInv
	arn := ""
	if inv.lc != nil {
		arn = inv.lc.InvokedFunctionArn
	}
	if logPlainASCII(arn) && logPlainASCII(inv.requestID) {
		segs := li.segs[:0]
		if inv.coldStart {
			segs = append(segs, logColdStartTrue)
		} else {
			segs = append(segs, logColdStartFalse)
		}
		segs = append(segs, r.function...)
		b := li.buf[:0]
		if arn != "" {
			start := len(b)
			b = append(append(append(b, `"function_arn":"`...), arn...), '"')
			segs = append(segs, logSegment{key: "function_arn", val: b[start:len(b):len(b)]})
		}
		if inv.requestID != "" {
			start := len(b)
			b = append(append(append(b, `"function_request_id":"`...), inv.requestID...), '"')
			segs = append(segs, logSegment{key: "function_request_id", val: b[start:len(b):len(b)]})
		}
		inv.invFields = segs
	} else {
		inv.invFields = logEncodeInvocationFields(r, inv, arn)
	}
	li.core = logCore{root: r, inv: inv}
	inv.logger = r.base.WithOptions(zap.WrapCore(func(zapcore.Core) zapcore.Core { return &li.core }))
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

// logPlainASCII reports whether s is printable ASCII without a quote or a backslash: a JSON string body
// as it is, whichever encoder writes it.
func logPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
