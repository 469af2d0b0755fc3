package powertools

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"
)

// logEnc encodes zap fields in the Python edition's JSON dialect, at any depth: floats as Python's repr
// writes them ("12.0"), integers as integers, strings escaped as json.dumps(ensure_ascii=False) does.
// It implements zapcore.ObjectEncoder and zapcore.ArrayEncoder, so every zap field type (objects,
// arrays, namespaces, errors, stringers, reflected values) goes through it. Reflected values of the
// dynamic JSON shapes (map[string]any, []any, numbers, strings, bools, nil) are walked by hand, so their
// floats keep ".0" too; any other reflected value (a struct, a json.Marshaler) is encoded by
// encoding/json, with its number forms.
type logEnc struct {
	buf      *buffer.Buffer
	comma    bool // an element was written at the current level: the next one needs a comma
	afterKey bool // a key was just written: the value appended next takes no comma
	open     int  // namespaces opened at the current level, closed when it ends
}

// logEncodeField writes one top-level field as `"key":value` into buf and reports whether it wrote
// anything: a field whose value is null is dropped, as the Python edition drops None. A namespace field
// takes every field after it into its object; rest is how many of fields it consumed after the first.
func logEncodeField(buf *buffer.Buffer, fields []zap.Field) (wrote bool, rest int) {
	start := buf.Len()
	e := logEnc{buf: buf}
	f := &fields[0]
	if f.Type == zapcore.NamespaceType {
		e.key(f.Key)
		buf.AppendByte('{')
		inner := logEnc{buf: buf}
		for i := 1; i < len(fields); i++ {
			logAddField(&inner, &fields[i])
		}
		inner.closeLevel()
		buf.AppendByte('}')
		return true, len(fields) - 1
	}
	logAddField(&e, f)
	if buf.Len() == start {
		return false, 0
	}
	// Only a null value ends the segment with ":null": an object or array ends with its bracket, a
	// string with its quote.
	if bytes.HasSuffix(buf.Bytes()[start:], []byte(":null")) {
		logTruncate(buf, start)
		return false, 0
	}
	return true, 0
}

// logTruncate cuts buf back to n bytes.
func logTruncate(buf *buffer.Buffer, n int) {
	b := buf.Bytes()[:n]
	buf.Reset()
	buf.Write(b)
}

// logAddField adds f to e, recovering a panic of the user code the field calls (a MarshalLogObject, a
// String, an Error) as a string saying so: a log line never takes the invocation down.
func logAddField(e *logEnc, f *zap.Field) {
	start, comma, open := e.buf.Len(), e.comma, e.open
	defer func() {
		if v := recover(); v != nil {
			logTruncate(e.buf, start)
			e.comma, e.open = comma, open
			e.AddString(f.Key, "(value whose encoding panicked: "+safeFormat(v)+")")
		}
	}()
	f.AddTo(e)
}

func (e *logEnc) sep() {
	e.afterKey = false
	if e.comma {
		e.buf.AppendByte(',')
	}
	e.comma = true
}

func (e *logEnc) key(k string) {
	e.sep()
	logAppendString(e.buf, k)
	e.buf.AppendByte(':')
	e.afterKey = true
}

func (e *logEnc) closeLevel() {
	for ; e.open > 0; e.open-- {
		e.buf.AppendByte('}')
	}
}

// ObjectEncoder.

func (e *logEnc) AddArray(k string, m zapcore.ArrayMarshaler) error {
	e.key(k)
	return e.AppendArray(m)
}

func (e *logEnc) AddObject(k string, m zapcore.ObjectMarshaler) error {
	e.key(k)
	return e.AppendObject(m)
}

func (e *logEnc) AddBinary(k string, v []byte)          { e.key(k); e.AppendBinary(v) }
func (e *logEnc) AddByteString(k string, v []byte)      { e.key(k); e.AppendByteString(v) }
func (e *logEnc) AddBool(k string, v bool)              { e.key(k); e.buf.AppendBool(v) }
func (e *logEnc) AddComplex128(k string, v complex128)  { e.key(k); e.appendComplex(v, 64) }
func (e *logEnc) AddComplex64(k string, v complex64)    { e.key(k); e.appendComplex(complex128(v), 32) }
func (e *logEnc) AddDuration(k string, v time.Duration) { e.key(k); e.appendDuration(v) }
func (e *logEnc) AddFloat64(k string, v float64)        { e.key(k); e.appendFloat(v, 64) }
func (e *logEnc) AddFloat32(k string, v float32)        { e.key(k); e.appendFloat(float64(v), 32) }
func (e *logEnc) AddInt(k string, v int)                { e.key(k); e.buf.AppendInt(int64(v)) }
func (e *logEnc) AddInt64(k string, v int64)            { e.key(k); e.buf.AppendInt(v) }
func (e *logEnc) AddInt32(k string, v int32)            { e.key(k); e.buf.AppendInt(int64(v)) }
func (e *logEnc) AddInt16(k string, v int16)            { e.key(k); e.buf.AppendInt(int64(v)) }
func (e *logEnc) AddInt8(k string, v int8)              { e.key(k); e.buf.AppendInt(int64(v)) }
func (e *logEnc) AddString(k, v string)                 { e.key(k); logAppendString(e.buf, v) }
func (e *logEnc) AddTime(k string, v time.Time)         { e.key(k); e.appendTime(v) }
func (e *logEnc) AddUint(k string, v uint)              { e.key(k); e.buf.AppendUint(uint64(v)) }
func (e *logEnc) AddUint64(k string, v uint64)          { e.key(k); e.buf.AppendUint(v) }
func (e *logEnc) AddUint32(k string, v uint32)          { e.key(k); e.buf.AppendUint(uint64(v)) }
func (e *logEnc) AddUint16(k string, v uint16)          { e.key(k); e.buf.AppendUint(uint64(v)) }
func (e *logEnc) AddUint8(k string, v uint8)            { e.key(k); e.buf.AppendUint(uint64(v)) }
func (e *logEnc) AddUintptr(k string, v uintptr)        { e.key(k); e.buf.AppendUint(uint64(v)) }

func (e *logEnc) AddReflected(k string, v any) error {
	e.key(k)
	return e.AppendReflected(v)
}

func (e *logEnc) OpenNamespace(k string) {
	e.key(k)
	e.buf.AppendByte('{')
	e.comma = false
	e.open++
}

// ArrayEncoder.

func (e *logEnc) AppendArray(m zapcore.ArrayMarshaler) error {
	e.sepValue()
	inner := logEnc{buf: e.buf}
	e.buf.AppendByte('[')
	err := m.MarshalLogArray(&inner)
	e.buf.AppendByte(']')
	return err
}

func (e *logEnc) AppendObject(m zapcore.ObjectMarshaler) error {
	e.sepValue()
	inner := logEnc{buf: e.buf}
	e.buf.AppendByte('{')
	err := m.MarshalLogObject(&inner)
	inner.closeLevel()
	e.buf.AppendByte('}')
	return err
}

// sepValue writes the comma before an array element; after a key (an Add call) it writes nothing.
func (e *logEnc) sepValue() {
	if e.afterKey {
		e.afterKey = false
		return
	}
	e.sep()
}

func (e *logEnc) AppendBool(v bool)              { e.sepValue(); e.buf.AppendBool(v) }
func (e *logEnc) AppendByteString(v []byte)      { e.sepValue(); logAppendString(e.buf, string(v)) }
func (e *logEnc) AppendComplex128(v complex128)  { e.sepValue(); e.appendComplex(v, 64) }
func (e *logEnc) AppendComplex64(v complex64)    { e.sepValue(); e.appendComplex(complex128(v), 32) }
func (e *logEnc) AppendFloat64(v float64)        { e.sepValue(); e.appendFloat(v, 64) }
func (e *logEnc) AppendFloat32(v float32)        { e.sepValue(); e.appendFloat(float64(v), 32) }
func (e *logEnc) AppendInt(v int)                { e.sepValue(); e.buf.AppendInt(int64(v)) }
func (e *logEnc) AppendInt64(v int64)            { e.sepValue(); e.buf.AppendInt(v) }
func (e *logEnc) AppendInt32(v int32)            { e.sepValue(); e.buf.AppendInt(int64(v)) }
func (e *logEnc) AppendInt16(v int16)            { e.sepValue(); e.buf.AppendInt(int64(v)) }
func (e *logEnc) AppendInt8(v int8)              { e.sepValue(); e.buf.AppendInt(int64(v)) }
func (e *logEnc) AppendString(v string)          { e.sepValue(); logAppendString(e.buf, v) }
func (e *logEnc) AppendUint(v uint)              { e.sepValue(); e.buf.AppendUint(uint64(v)) }
func (e *logEnc) AppendUint64(v uint64)          { e.sepValue(); e.buf.AppendUint(v) }
func (e *logEnc) AppendUint32(v uint32)          { e.sepValue(); e.buf.AppendUint(uint64(v)) }
func (e *logEnc) AppendUint16(v uint16)          { e.sepValue(); e.buf.AppendUint(uint64(v)) }
func (e *logEnc) AppendUint8(v uint8)            { e.sepValue(); e.buf.AppendUint(uint64(v)) }
func (e *logEnc) AppendUintptr(v uintptr)        { e.sepValue(); e.buf.AppendUint(uint64(v)) }
func (e *logEnc) AppendDuration(v time.Duration) { e.sepValue(); e.appendDuration(v) }
func (e *logEnc) AppendTime(v time.Time)         { e.sepValue(); e.appendTime(v) }

func (e *logEnc) AppendBinary(v []byte) {
	e.sepValue()
	e.buf.AppendByte('"')
	e.buf.AppendString(base64.StdEncoding.EncodeToString(v))
	e.buf.AppendByte('"')
}

func (e *logEnc) AppendReflected(v any) error {
	e.sepValue()
	return logAppendValue(e.buf, v, 0)
}

func (e *logEnc) appendFloat(v float64, bits int) {
	var tmp [32]byte
	e.buf.Write(jsonAppendFloat(tmp[:0], v, bits))
}

func (e *logEnc) appendComplex(v complex128, bits int) {
	// As zap writes complex numbers: a string "r+ii".
	e.buf.AppendByte('"')
	e.buf.AppendFloat(real(v), bits)
	if im := imag(v); im >= 0 || math.IsNaN(im) {
		e.buf.AppendByte('+')
	}
	e.buf.AppendFloat(imag(v), bits)
	e.buf.AppendString(`i"`)
}

func (e *logEnc) appendDuration(v time.Duration) { logAppendString(e.buf, v.String()) }

func (e *logEnc) appendTime(v time.Time) {
	e.buf.AppendByte('"')
	e.buf.AppendTime(v, time.RFC3339Nano)
	e.buf.AppendByte('"')
}

// logMaxDepth bounds the nesting logAppendValue walks; deeper values (or a cycle) are cut with a string.
const logMaxDepth = 64

// logAppendValue writes a reflected value: the dynamic JSON shapes by hand, in the Python dialect, the
// rest through encoding/json.
func logAppendValue(buf *buffer.Buffer, v any, depth int) error {
	if depth > logMaxDepth {
		logAppendString(buf, "(nested too deep)")
		return nil
	}
	switch x := v.(type) {
	case nil:
		buf.AppendString("null")
	case string:
		logAppendString(buf, x)
	case bool:
		buf.AppendBool(x)
	case float64:
		var tmp [32]byte
		buf.Write(jsonAppendFloat(tmp[:0], x, 64))
	case float32:
		var tmp [32]byte
		buf.Write(jsonAppendFloat(tmp[:0], float64(x), 32))
	case int:
		buf.AppendInt(int64(x))
	case int64:
		buf.AppendInt(x)
	case int32:
		buf.AppendInt(int64(x))
	case uint:
		buf.AppendUint(uint64(x))
	case uint64:
		buf.AppendUint(x)
	case json.Number:
		buf.AppendString(x.String())
	case []any:
		if x == nil {
			buf.AppendString("null")
			return nil
		}
		buf.AppendByte('[')
		for i, el := range x {
			if i > 0 {
				buf.AppendByte(',')
			}
			if err := logAppendValue(buf, el, depth+1); err != nil {
				return err
			}
		}
		buf.AppendByte(']')
	case map[string]any:
		if x == nil {
			buf.AppendString("null")
			return nil
		}
		buf.AppendByte('{')
		i := 0
		for _, k := range logSortedKeys(x) {
			if i > 0 {
				buf.AppendByte(',')
			}
			i++
			logAppendString(buf, k)
			buf.AppendByte(':')
			if err := logAppendValue(buf, x[k], depth+1); err != nil {
				return err
			}
		}
		buf.AppendByte('}')
	default:
		if rv := reflect.ValueOf(v); (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Map ||
			rv.Kind() == reflect.Slice || rv.Kind() == reflect.Interface) && rv.IsNil() {
			if _, ok := v.(json.Marshaler); !ok {
				buf.AppendString("null")
				return nil
			}
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			logAppendString(buf, "(value encoding/json cannot encode: "+err.Error()+")")
			return nil
		}
		buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	}
	return nil
}

// logSortedKeys returns the keys of m in sorted order, as encoding/json writes a map.
func logSortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
