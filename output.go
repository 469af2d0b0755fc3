package powertools

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
)

// ErrOutputPanicked is matched by the error an output writer's panic becomes: the line was not written,
// the writer's lock is released, and the next line is written as usual.
var ErrOutputPanicked = errors.New("powertools: output writer panicked")

// outputLine is one destination of log lines or EMF blobs. Every utility writing to the same underlying
// io.Writer (stdout by default, for both the logger and the metrics) shares one outputLine, so their lines
// never interleave: one line is one Write, and Writes to one writer never overlap.
type outputLine struct {
	mu sync.Mutex
	w  io.Writer
}

// outputLines maps a comparable io.Writer to its shared outputLine. It is process-wide on purpose: the
// writers it serialises (os.Stdout above all) are process-wide too. It holds no per-invocation state.
var outputLines sync.Map // io.Writer -> *outputLine

// outputFor returns the outputLine every utility uses for w. A writer that cannot be a map key (a func
// or slice type behind the interface) gets an outputLine of its own.
func outputFor(w io.Writer) *outputLine {
	if w == nil {
		w = io.Discard
	}
	if t := reflect.TypeOf(w); !t.Comparable() {
		return &outputLine{w: w}
	}
	if o, ok := outputLines.Load(w); ok {
		return o.(*outputLine)
	}
	o, _ := outputLines.LoadOrStore(w, &outputLine{w: w})
	return o.(*outputLine)
}

// Write writes p with one Write call under the writer's lock. A panic of the writer is recovered, the
// lock released by the deferred unlock, and reported as an error matching ErrOutputPanicked. A short
// write is io.ErrShortWrite.
func (o *outputLine) Write(p []byte) (n int, err error) {
	o.mu.Lock()
	defer o.unlock(&n, &err)
	n, err = o.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return n, err
}

// unlock ends a Write: a panic of the writer becomes the Write's result, then the lock is released. One
// deferred call does both, the cheaper for the line written on every invocation.
func (o *outputLine) unlock(n *int, err *error) {
	if v := recover(); v != nil {
		*n, *err = 0, &outputPanicError{value: v}
	}
	o.mu.Unlock()
}

// Sync flushes the writer when it can (an *os.File, a zapcore.WriteSyncer), under the same lock and
// with the same panic guard as Write.
func (o *outputLine) Sync() (err error) {
	s, ok := o.w.(interface{ Sync() error })
	if !ok {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	defer func() {
		if v := recover(); v != nil {
			err = &outputPanicError{value: v}
		}
	}()
	return s.Sync()
}

// outputPanicError is the error a writer's panic becomes.
type outputPanicError struct{ value any }

func (e *outputPanicError) Error() string {
	return "powertools: output writer panicked: " + safeFormat(e.value)
}

func (e *outputPanicError) Is(target error) bool { return target == ErrOutputPanicked }

// safeFormat formats a value that came from user code (a panic value, an error, a Stringer) with %v,
// recovering when its Error or String method panics itself.
func safeFormat(v any) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("(%T whose formatting panicked)", v)
		}
	}()
	return fmt.Sprintf("%v", v)
}

// safeErrorString is err.Error() for an error that came from user code, recovering when the method panics
// (the text then names the error's type): formatting a user's error never turns an invocation into a
// panic.
func safeErrorString(err error) (s string) {
	if err == nil {
		return "<nil>"
	}
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("(%T whose Error method panicked)", err)
		}
	}()
	return err.Error()
}

// errorText is err's message for embedding in a message of the library: formatted with safeErrorString,
// without the "powertools: " prefix the library's own errors start with, so the whole chain reads as one
// sentence with one prefix.
func errorText(err error) string {
	return strings.TrimPrefix(safeErrorString(err), "powertools: ")
}
