package powertools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// PanicError is the error an invocation returns when its handler or a middleware panicked. The panic is
// confined to that invocation: the process and the other invocations running at the same time go on.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the goroutine's stack at the panic

	pcs []uintptr // the stack as program counters, for the log line's location and stack_trace
}

func (e *PanicError) Error() string {
	return "powertools: panic: " + errTail(safeFormat(e.Value))
}

// newPanicError is the error of the panic v being recovered; call it in the deferred function.
func newPanicError(v any) *PanicError {
	return &PanicError{Value: v, Stack: debug.Stack(), pcs: logCapturePanic()}
}

// errTail is an error text without its leading "powertools: " prefixes, for nesting it in another
// message of the library: a chain reads as one sentence with one prefix.
func errTail(msg string) string {
	for {
		rest, ok := strings.CutPrefix(msg, "powertools: ")
		if !ok {
			return msg
		}
		msg = rest
	}
}

// Unwrap returns the panic value when it is an error, so errors.Is and errors.As see through the panic.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// recoverPanics turns a panic below it into a *PanicError for this invocation, logged once as an ERROR
// line carrying the stack, located at the call that panicked. The log buffer (WithLogBuffer) is written
// first. A panic of the panic line's own writer is contained by the output (output.go) and returned by
// the invocation.
func recoverPanics(a *App, next Handler) Handler {
	return HandlerFunc(func(ctx context.Context, payload []byte) (out []byte, err error) {
		defer func() {
			if v := recover(); v != nil {
				pe := newPanicError(v)
				if inv := invocationFrom(ctx); inv != nil {
					inv.flushLogBuffer()
				}
				logAt(Logger(ctx), zapcore.ErrorLevel, logPanicSite(pe.pcs), "powertools: handler panicked",
					zap.Error(pe), zap.ByteString("stack", pe.Stack))
				out, err = nil, pe
			}
		}()
		return next.Invoke(ctx, payload)
	})
}

// logDecodeFailure logs, once, an event that does not decode into the handler's input type: at ERROR,
// located at the handler, with the decode error and never the payload.
func logDecodeFailure(ctx context.Context, err error, handler any) {
	logAt(Logger(ctx), zapcore.ErrorLevel, logFuncLocation(handler),
		"powertools: event does not decode into the handler's input type", zap.Error(err))
}

// typedHandler is the reflection-free adapter behind WrapFunc.
type typedHandler[TIn, TOut any] func(context.Context, TIn) (TOut, error)

func (f typedHandler[TIn, TOut]) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var in TIn
	if err := decodeEvent(payload, &in); err != nil {
		logDecodeFailure(ctx, err, (func(context.Context, TIn) (TOut, error))(f))
		return nil, err
	}
	out, err := f(ctx, in)
	if err != nil {
		return nil, err
	}
	b, isJSON, err := encodeResponseJSON(out)
	if inv, ok := ctx.(*invocation); ok && isJSON {
		inv.respJSON = b
	}
	return b, err
}

// EventDecodeError reports a payload that could not be decoded into the handler's input type.
type EventDecodeError struct {
	Type string // the Go type the payload was decoded into
	Err  error
}

func (e *EventDecodeError) Error() string {
	return "powertools: decode event into " + e.Type + ": " + errTail(safeErrorString(e.Err))
}

func (e *EventDecodeError) Unwrap() error { return e.Err }

// A type's own UnmarshalJSON may panic on input it did not expect (aws-lambda-go's
// DynamoDBAttributeValue does on {"BS":[0]}): that is a decode error of this event too, not a panic of
// the handler.
func decodeEvent(payload []byte, dst any) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &EventDecodeError{Type: reflect.TypeOf(dst).Elem().String(), Err: &decodePanicError{value: v}}
		}
	}()
	if len(payload) <= eventDecoderMax && eventDecodeReused(payload, dst) {
		return nil
	}
	if err := json.Unmarshal(payload, dst); err != nil {
		return &EventDecodeError{Type: reflect.TypeOf(dst).Elem().String(), Err: err}
	}
	return nil
}

// eventDecoder is a json.Decoder kept across invocations with the reader it reads: its decoding state
// (scanner stack, field stack) keeps its capacity, where each json.Unmarshal allocates it anew. The
// decoder reads one stream, the payloads one after the other; left is how many bytes of the last one
// followed its value (space, skipped by the next decode).
type eventDecoder struct {
	r    bytes.Reader
	dec  *json.Decoder
	left int64
}

var eventDecoders = sync.Pool{New: func() any {
	d := new(eventDecoder)
	d.dec = json.NewDecoder(&d.r)
	return d
}}

// eventDecoderMax is the largest payload decoded by a kept decoder, which holds a copy of it: larger
// ones go through json.Unmarshal.
const eventDecoderMax = 64 << 10

// eventDecodeReused decodes payload into dst with a kept decoder and reports whether it did. A payload
// json.Unmarshal would refuse (a syntax error, a type mismatch, anything but space after the value) is
// reported false and left to json.Unmarshal, for its error exactly; the decoder is then dropped, its
// error being sticky. A successful decode is json.Unmarshal's: the same decodeState code on the same
// bytes, with no option set. Two differences only a type's own UnmarshalJSON can see: one that fails is
// called again by json.Unmarshal, and the data it is given lives in the decoder's buffer, reused by the
// next event (encoding/json requires it to copy what it keeps; aws-lambda-go reuses the payload's buffer
// across invocations the same way).
func eventDecodeReused(payload []byte, dst any) bool {
	d := eventDecoders.Get().(*eventDecoder)
	start := d.dec.InputOffset() + d.left // where payload starts in the decoder's stream
	d.r.Reset(payload)
	if d.dec.Decode(dst) != nil {
		return false
	}
	end := d.dec.InputOffset() - start // where the value ends in payload
	if end < 0 || end > int64(len(payload)) || !jsonOnlySpace(payload[end:]) {
		return false
	}
	if d.r.Len() == 0 { // the decoder read all of payload: the stream stays whole
		d.left = int64(len(payload)) - end
		eventDecoders.Put(d)
	}
	return true
}

// jsonOnlySpace reports whether b holds only JSON whitespace.
func jsonOnlySpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// decodePanicError is the panic of a type's JSON decoder, as an error.
type decodePanicError struct{ value any }

func (e *decodePanicError) Error() string { return "its JSON decoder panicked: " + safeFormat(e.value) }

// responseBuffers holds encoders for responses; the encoded bytes are copied out before the buffer goes
// back, so a response never aliases memory another invocation reuses.
var responseBuffers = sync.Pool{New: func() any { return new(responseBuffer) }}

type responseBuffer struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// encodeResponseJSON encodes v as aws-lambda-go does: no HTML escaping, no trailing newline, and a value that
// encodes to an empty object but is an io.Reader is streamed instead.
// isJSON reports whether the bytes are v's JSON encoding (not a reader's content).
func encodeResponseJSON(v any) (_ []byte, isJSON bool, _ error) {
	rb := responseBuffers.Get().(*responseBuffer)
	defer func() {
		rb.buf.Reset()
		responseBuffers.Put(rb)
	}()
	if rb.enc == nil {
		rb.enc = json.NewEncoder(&rb.buf)
		rb.enc.SetEscapeHTML(false)
	}
	if err := rb.enc.Encode(v); err != nil {
		if r, ok := v.(io.Reader); ok {
			b, err := readResponse(r)
			return b, false, err
		}
		return nil, false, fmt.Errorf("powertools: encode response: %w", err)
	}
	if r, ok := v.(io.Reader); ok && bytes.HasPrefix(rb.buf.Bytes(), []byte("{}")) {
		b, err := readResponse(r)
		return b, false, err
	}
	b := rb.buf.Bytes()
	return bytes.Clone(b[:len(b)-1]), true, nil
}

func readResponse(r io.Reader) ([]byte, error) {
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("powertools: read response: %w", err)
	}
	return b, nil
}

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

// adaptHandler accepts what lambda.Start accepts. A Handler is used as is; a function is checked once
// here and called through reflection per invocation.
func adaptHandler(handler any) (Handler, error) {
	if handler == nil {
		return nil, errors.New("handler is nil")
	}
	if h, ok := handler.(Handler); ok {
		return h, nil
	}
	fn := reflect.ValueOf(handler)
	t := fn.Type()
	if t.Kind() != reflect.Func {
		return nil, fmt.Errorf("handler kind %s is not func", t.Kind())
	}
	if fn.IsNil() {
		return nil, errors.New("handler is a nil func")
	}
	takesContext, err := handlerTakesContext(t)
	if err != nil {
		return nil, err
	}
	if err := handlerReturns(t); err != nil {
		return nil, err
	}
	rh := &reflectHandler{fn: fn, takesContext: takesContext, returnsValue: t.NumOut() == 2}
	if n := t.NumIn(); n == 2 || (n == 1 && !takesContext) {
		rh.in = t.In(n - 1)
	}
	if t.NumOut() > 0 {
		rh.returnsErr = true
	}
	return rh, nil
}

func handlerTakesContext(t reflect.Type) (bool, error) {
	switch t.NumIn() {
	case 0:
		return false, nil
	case 1:
		arg := t.In(0)
		if arg.Kind() != reflect.Interface || arg.NumMethod() == 0 {
			return false, nil
		}
		if !isContext(arg) {
			return false, fmt.Errorf("handler takes an interface, but it is not context.Context: %s", arg)
		}
		return true, nil
	case 2:
		if arg := t.In(0); arg.Kind() != reflect.Interface || !isContext(arg) {
			return false, fmt.Errorf("handler takes two arguments, but the first is not context.Context: %s", arg)
		}
		return true, nil
	}
	return false, fmt.Errorf("handler may not take more than two arguments, but takes %d", t.NumIn())
}

func isContext(t reflect.Type) bool {
	return contextType.Implements(t) && t.Implements(contextType)
}

func handlerReturns(t reflect.Type) error {
	switch n := t.NumOut(); {
	case n > 2:
		return fmt.Errorf("handler may not return more than two values, but returns %d", n)
	case n == 2 && !t.Out(1).Implements(errorType):
		return fmt.Errorf("handler returns two values, but the second (%s) is not error", t.Out(1))
	case n == 1 && !t.Out(0).Implements(errorType):
		return fmt.Errorf("handler returns a single value, but it (%s) is not error", t.Out(0))
	}
	return nil
}

// reflectHandler calls a handler function of one of the shapes lambda.Start accepts.
type reflectHandler struct {
	fn           reflect.Value
	in           reflect.Type // nil when the handler takes no event
	takesContext bool
	returnsErr   bool
	returnsValue bool
}

func (h *reflectHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var argv [2]reflect.Value
	args := argv[:0]
	if h.takesContext {
		args = append(args, reflect.ValueOf(ctx))
	}
	if h.in != nil {
		event := reflect.New(h.in)
		if err := decodeEvent(payload, event.Interface()); err != nil {
			logDecodeFailure(ctx, err, h.fn.Interface())
			return nil, err
		}
		args = append(args, event.Elem())
	}
	results := h.fn.Call(args)
	if h.returnsErr {
		if err, _ := results[len(results)-1].Interface().(error); err != nil {
			return nil, err
		}
	}
	var out any
	if h.returnsValue {
		out = results[0].Interface()
	}
	b, isJSON, err := encodeResponseJSON(out)
	if inv, ok := ctx.(*invocation); ok && isJSON {
		inv.respJSON = b
	}
	return b, err
}

// describeHandler names a handler for traces and diagnostics: the function's name without its package
// path, or the Handler's type.
func describeHandler(handler any) string {
	if handler == nil {
		return "handler"
	}
	v := reflect.ValueOf(handler)
	if v.Kind() == reflect.Func {
		if f := runtimeFuncName(v.Pointer()); f != "" {
			return f
		}
	}
	return strings.TrimPrefix(reflect.TypeOf(handler).String(), "*")
}

// runtimeFuncName is the name of the function at pc without its package path: "handler" for
// "example.com/fn.handler".
func runtimeFuncName(pc uintptr) string {
	f := runtime.FuncForPC(pc)
	if f == nil {
		return ""
	}
	return shortFuncName(f.Name())
}

// shortFuncName drops the package path and package name of a fully qualified function name.
func shortFuncName(fn string) string {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	if i := strings.IndexByte(fn, '.'); i >= 0 {
		fn = fn[i+1:]
	}
	return fn
}
