package powertools

import (
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// The plain line: what an invocation's logger writes for a call whose fields are all scalars with keys of
// their own, with no appended keys, no correlation id, no With fields and no error, which is most lines
// of most functions. Its bytes are those the general writer (logCore.Write) writes for the same call, in
// one pass over runs of keys built once per App (logRoot.runHead) and per invocation (logBuildInvocation),
// without gathering, ordering and de-duplicating segments per line (logger_plain_test.go compares the two).

// logPlainMaxFields is how many fields a plain line carries at most: their keys are compared pairwise.
const logPlainMaxFields = 8

// logAppendRun appends ","+val for each segment: the segments as the line writes them in a row.
func logAppendRun(b []byte, segs []logSegment) []byte {
	for i := range segs {
		b = append(append(b, ','), segs[i].val...)
	}
	return b
}

// logAppendTraceTail appends the xray_trace_id key a line ends with, and returns what it appended; ok is
// false when the trace id needs escaping (the general writer then writes every line).
func logAppendTraceTail(b []byte, root string) (tail []byte, ok bool) {
	if root == "" {
		return nil, true
	}
	if !jsonPlainASCII(root) {
		return nil, false
	}
	b = append(append(append(b, `,"xray_trace_id":"`...), root...), '"')
	return b[:len(b):len(b)], true
}

// writePlain writes the line when it is plain, and reports whether it did. Only the invocation's own
// core writes plain lines: the run it reads was built before its logger was handed out.
func (c *logCore) writePlain(ent *zapcore.Entry, fields []zap.Field) (bool, error) {
	inv := c.inv
	li := &inv.logInv
	if c != &li.core || !li.plain || len(fields) > logPlainMaxFields || inv.keys.corrID.Load() != nil ||
		len(inv.keys.view()) > 0 || !logPlainFields(fields, inv.app.log.static) {
		return false, nil
	}
	buf := c.root.pool.Get()
	defer buf.Free()
	logAppendHead(buf, ent, nil, c.root.layout)
	buf.Write(c.root.runHead[boolIndex(inv.coldStart)])
	buf.Write(li.run)
	for i := range fields {
		buf.AppendByte(',')
		logAppendScalar(buf, &fields[i])
	}
	buf.Write(li.tail)
	buf.AppendString("}\n")
	return true, c.deliver(ent.Level, buf, false)
}

// logPlainFields reports whether every field is a scalar the line writes as it is: a type logAppendScalar
// encodes, under a key the library gives no meaning to, that no other field, no static key and no
// invocation key has.
func logPlainFields(fields []zap.Field, static []logSegment) bool {
	for i := range fields {
		f := &fields[i]
		switch f.Type {
		case zapcore.StringType, zapcore.Int64Type, zapcore.Int32Type, zapcore.Int16Type, zapcore.Int8Type,
			zapcore.BoolType, zapcore.Float64Type:
		default:
			return false
		}
		// the library's marker fields (logDirectKey, logRawMessageKey) start with a NUL
		if f.Key == "" || f.Key[0] == 0 || logLibraryKey(f.Key) || logHasKey(static, f.Key) {
			return false
		}
		for j := range i {
			if fields[j].Key == f.Key {
				return false
			}
		}
	}
	return true
}

// logLibraryKey reports the keys a line gives a meaning of its own: the reserved keys, the ones of a
// special kind and those of the invocation run, whether the invocation has them or not.
func logLibraryKey(key string) bool {
	return isReserved(key) || logKindOf(key) != logKindPlain || logInvocationKey(key)
}

// logInvocationKey reports the keys of the invocation run (logRoot.runHead, logBuildInvocation).
func logInvocationKey(key string) bool {
	switch key {
	case "cold_start", "function_name", "function_memory_size", "function_arn", "function_request_id":
		return true
	}
	return false
}

func logHasKey(segs []logSegment, key string) bool {
	for i := range segs {
		if segs[i].key == key {
			return true
		}
	}
	return false
}
