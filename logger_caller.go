package powertools

import (
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"unsafe"

	"go.uber.org/zap/zapcore"
)

// The location of a line of an invocation's logger. zap finds a caller by unwinding the stack with
// runtime.Callers and decoding the frame it lands on, which was what a line cost most (0.15 of the floor
// in bench's BenchmarkInvokePaired, the allocation of runtime.Frames included). The invocation's loggers are made
// without zap's caller annotation (zap.WithCaller(false)), and the core's Check finds the call site
// itself: it walks the frame pointers up past the cores (its own, zapcore's) and zap's frames (the
// Logger and SugaredLogger methods) to the first frame of the code that logged, the frame zap reports.
// Each return address is resolved into its frames once and kept (logCallerCache). A logger derived with
// zap.AddCaller() gets zap's annotation over it, and zap.AddCallerSkip with it.

// logMaxWalk bounds the frames walked.
const logMaxWalk = 32

// logMaxFrameSpan bounds the distance from one frame pointer to the next: a frame pointer that does not
// point a little further up the same stack ends the walk.
const logMaxFrameSpan = 1 << 20

// logWalkFramePointers is whether logCallSite walks frame pointers; the tests turn it off to hold the
// runtime.Callers way to the same results.
var logWalkFramePointers = logHasFramePointers

// logCallSite returns the caller zap would annotate for the line its core's Check is asked about: not
// Defined when the Check does not come from zap's Logger (log/slog's handler annotates its own).
func logCallSite() zapcore.EntryCaller {
	if !logWalkFramePointers {
		return logCallSiteByCallers()
	}
	var w logCallWalk
	fp := logFramePointer()
	pc := logReturnPC(fp)
	for range logMaxWalk {
		if pc == 0 {
			break
		}
		next := logNextFramePointer(fp)
		nextPC := logReturnPC(next)
		e := logCallerFrames(pc, nextPC)
		for i := -1; i < len(e.inline); i++ {
			f := &e.first
			if i >= 0 {
				f = &e.inline[i]
			}
			if c, done := w.step(f.kind); done {
				if c {
					return f.caller
				}
				return zapcore.EntryCaller{}
			}
		}
		fp, pc = next, nextPC
	}
	return zapcore.EntryCaller{}
}

// logReturnPC is the return address saved in the frame fp points at: where its function returns to in
// its caller; 0 for no frame.
func logReturnPC(fp unsafe.Pointer) uintptr {
	if fp == nil {
		return 0
	}
	return *(*uintptr)(unsafe.Add(fp, unsafe.Sizeof(uintptr(0))))
}

// logNextFramePointer is the frame pointer saved in the frame fp points at: its caller's frame; nil at
// the end of the chain or when the saved value does not look like a frame further up the same stack.
func logNextFramePointer(fp unsafe.Pointer) unsafe.Pointer {
	if fp == nil {
		return nil
	}
	next := *(*unsafe.Pointer)(fp)
	if uintptr(next) <= uintptr(fp) || uintptr(next)-uintptr(fp) > logMaxFrameSpan {
		return nil
	}
	return next
}

// logCallSiteByCallers is logCallSite where frame pointers are not kept: the same frames, from
// runtime.Callers.
func logCallSiteByCallers() zapcore.EntryCaller {
	var pcs [logMaxWalk]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs[:])])
	var w logCallWalk
	for {
		f, more := frames.Next()
		if c, done := w.step(logFrameKind(f.Function)); done {
			if c {
				return logEntryCaller(f)
			}
			return zapcore.EntryCaller{}
		}
		if !more {
			return zapcore.EntryCaller{}
		}
	}
}

// What a frame is to the walk.
const (
	logFrameOther = iota
	logFrameCore  // a core's method (the library's, zapcore's): below zap's frames
	logFrameZap   // a function of package zap: the Logger and SugaredLogger methods a line goes through
)

func logFrameKind(function string) uint8 {
	switch {
	case strings.HasPrefix(function, "go.uber.org/zap."):
		return logFrameZap
	case strings.HasPrefix(function, "go.uber.org/zap/zapcore."):
		return logFrameCore
	}
	if rest, ok := strings.CutPrefix(function, logPkg); ok && (logCoreMethod(rest) || strings.HasPrefix(rest, "logCallSite")) {
		return logFrameCore
	}
	return logFrameOther
}

// logCallWalk goes up the frames from a core's Check: cores, then zap's frames, then the caller.
type logCallWalk struct{ inZap bool }

// step takes the next frame up; done is true when the walk ends there, with found true when this frame is
// the caller.
func (w *logCallWalk) step(kind uint8) (found, done bool) {
	switch {
	case kind == logFrameZap:
		w.inZap = true
		return false, false
	case !w.inZap:
		return false, kind != logFrameCore // not called by zap: no call site to find
	default:
		return kind == logFrameOther, true
	}
}

func logEntryCaller(f runtime.Frame) zapcore.EntryCaller {
	return zapcore.EntryCaller{Defined: f.PC != 0, PC: f.PC, File: f.File, Line: f.Line, Function: f.Function}
}

type logCallerFrame struct {
	caller zapcore.EntryCaller
	kind   uint8
}

// logCallerEntry is what one return address resolves to: its frames, the calls inlined there first. The
// first frame is held in the entry, the others (calls inlined at the address) after it.
type logCallerEntry struct {
	pc     uintptr
	first  logCallerFrame
	inline []logCallerFrame
}

// logCallerCache holds the return addresses resolved lately, in the slot a hash of the address picks: a
// process has a few hundred call sites that log at most, and an entry replaced by another costs only its
// resolution again. Entries never change once stored, so reading needs no lock.
var logCallerCache [1024]atomic.Pointer[logCallerEntry]

func logCallerSlot(pc uintptr) *atomic.Pointer[logCallerEntry] {
	return &logCallerCache[uint64(pc)*0x9E3779B97F4A7C15>>(64-10)]
}

// logCallerFrames returns the frames of the return address pc, resolved on first use; next is the return
// address of the frame above (0 if unknown), which tells where pc's inlined calls end.
func logCallerFrames(pc, next uintptr) *logCallerEntry {
	slot := logCallerSlot(pc)
	if e := slot.Load(); e != nil && e.pc == pc {
		return e
	}
	e := &logCallerEntry{pc: pc}
	frames := runtime.CallersFrames(logInlinedPCs(pc, next))
	for n := 0; ; n++ {
		f, more := frames.Next()
		cf := logCallerFrame{caller: logEntryCaller(f), kind: logFrameKind(f.Function)}
		if n == 0 {
			e.first = cf
		} else {
			e.inline = append(e.inline, cf)
		}
		if !more {
			break
		}
	}
	slot.Store(e)
	return e
}

// logInlinedPCs is the run of runtime.Callers' PCs standing for the frames of the return address pc:
// pc itself, then one per call inlined at it (which runtime.CallersFrames cannot find from pc alone), up
// to next's. pc alone when the stack does not hold it as expected.
func logInlinedPCs(pc, next uintptr) []uintptr {
	var buf [128]uintptr
	pcs := buf[:runtime.Callers(1, buf[:])]
	i := slices.Index(pcs, pc)
	if i < 0 || next == 0 {
		return []uintptr{pc}
	}
	j := slices.Index(pcs[i+1:], next)
	if j < 0 {
		return []uintptr{pc}
	}
	return slices.Clone(pcs[i : i+1+j])
}
