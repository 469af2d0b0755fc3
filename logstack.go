package powertools

import (
	"errors"
	"runtime"
	"strings"

	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"
)

// The stack_trace object of the Python edition (serialize_stacktrace): the error's type, value and module,
// and the frames, outermost first, each with file, line, function and statement (Go has no source text at
// run time: statement is ""). The frames of a panic come from the panic's stack, from the panicking call
// up to where the library recovered it; those of a logged error from the logging call site up to the
// handler the library called.

// logMaxFrames bounds the frames of one stack_trace.
const logMaxFrames = 64

// logCapturePanic records the stack of a panic being recovered: call it in the deferred function that
// recovers.
func logCapturePanic() []uintptr {
	pcs := make([]uintptr, logMaxFrames+16)
	return pcs[:runtime.Callers(2, pcs)]
}

// logPanicFrames are the frames of a panic recorded by logCapturePanic, innermost first: from the call
// that panicked (runtime frames skipped) to the recovering library frame.
func logPanicFrames(pcs []uintptr) []runtime.Frame {
	frames := runtime.CallersFrames(pcs)
	var after []runtime.Frame
	afterPanic := false
	for {
		f, more := frames.Next()
		if afterPanic {
			after = append(after, f)
		} else if f.Function == "runtime.gopanic" {
			afterPanic = true
		}
		if !more {
			break
		}
	}
	return logUserFrames(after)
}

// logUserFrames keeps the frames, innermost first, up to where the library called the user's code:
// the library's own frames count only until the first frame of user code, and the frames of the
// runtime and of reflection are dropped.
func logUserFrames(all []runtime.Frame) []runtime.Frame {
	var out []runtime.Frame
	seenUser := false
	for _, f := range all {
		if logBoundary(f.Function) || len(out) == logMaxFrames {
			break
		}
		if logInternalFrame(f.Function) {
			continue
		}
		lib := strings.HasPrefix(f.Function, logPkg)
		if lib && seenUser {
			break
		}
		seenUser = seenUser || !lib
		out = append(out, f)
	}
	return out
}

// logPanicSite is the location of the call that panicked.
func logPanicSite(pcs []uintptr) zapcore.EntryCaller {
	if fr := logPanicFrames(pcs); len(fr) > 0 {
		f := fr[0]
		return zapcore.EntryCaller{Defined: true, PC: f.PC, File: f.File, Line: f.Line, Function: f.Function}
	}
	return zapcore.EntryCaller{}
}

// logCallFrames are the frames of the logging call site, innermost first, up to the handler.
func logCallFrames(caller zapcore.EntryCaller) []runtime.Frame {
	pcs := make([]uintptr, logMaxFrames+16)
	pcs = pcs[:runtime.Callers(3, pcs)]
	frames := runtime.CallersFrames(pcs)
	var all []runtime.Frame
	for {
		f, more := frames.Next()
		all = append(all, f)
		if !more {
			break
		}
	}
	// Skip the logging machinery: up to the caller zap found, or past zap's and the logger's frames.
	start := -1
	if caller.PC != 0 {
		for i, f := range all {
			if f.PC == caller.PC {
				start = i
				break
			}
		}
	}
	if start < 0 {
		start = 0
		for start < len(all) && logMachineryFrame(all[start].Function) {
			start++
		}
	}
	return logUserFrames(all[start:])
}

const logPkg = "github.com/gopowertools/powertools."

// logBoundary reports the library frames that call user code: a stack_trace ends there.
func logBoundary(fn string) bool {
	rest, ok := strings.CutPrefix(fn, logPkg)
	if !ok {
		return fn == "runtime.goexit" || fn == "testing.tRunner"
	}
	// Closures are named after the function they are inlined into: "(*App).chain.recoverPanics.func4".
	return strings.Contains(rest, "recoverPanics.func") || strings.HasPrefix(rest, "(*invokeHandler).") ||
		(strings.HasPrefix(rest, "(*batchProcessor[") && strings.HasSuffix(rest, "]).call"))
}

// logInternalFrame reports frames that say nothing to the user: the runtime's and reflection's.
func logInternalFrame(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "reflect.")
}

// logMachineryFrame reports the frames of the logging call itself.
func logMachineryFrame(fn string) bool {
	if strings.HasPrefix(fn, "go.uber.org/zap") || strings.HasPrefix(fn, "log/slog.") || logInternalFrame(fn) {
		return true
	}
	rest, ok := strings.CutPrefix(fn, logPkg)
	return ok && (logCoreMethod(rest) || strings.HasPrefix(rest, "logAt") || rest == "logDecodeFailure" ||
		strings.HasPrefix(rest, "logAppendStackTrace"))
}

// logCoreMethod reports a method of the library's cores, rest being the name without logPkg.
func logCoreMethod(rest string) bool {
	return strings.HasPrefix(rest, "(*logCore).") || strings.HasPrefix(rest, "(*logRestampCore).")
}

// logAppendStackTrace writes the stack_trace object of exc.
func logAppendStackTrace(buf *buffer.Buffer, exc error, caller zapcore.EntryCaller) {
	var frames []runtime.Frame
	var pe *PanicError
	if errors.As(exc, &pe) && len(pe.pcs) > 0 {
		frames = logPanicFrames(pe.pcs)
	} else {
		frames = logCallFrames(caller)
	}
	buf.AppendString(`{"type":`)
	logAppendString(buf, logExceptionName(exc))
	buf.AppendString(`,"value":`)
	logAppendString(buf, safeErrorString(exc))
	buf.AppendString(`,"module":`)
	logAppendString(buf, errorModule(exc))
	buf.AppendString(`,"frames":[`)
	for i := len(frames) - 1; i >= 0; i-- { // outermost first, as Python's traceback
		f := frames[i]
		if i != len(frames)-1 {
			buf.AppendByte(',')
		}
		buf.AppendString(`{"file":`)
		logAppendString(buf, f.File)
		buf.AppendString(`,"line":`)
		buf.AppendInt(int64(f.Line))
		buf.AppendString(`,"function":`)
		logAppendString(buf, shortFuncName(f.Function))
		buf.AppendString(`,"statement":""}`)
	}
	buf.AppendString("]}")
}
