package powertools

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"
)

type logencPanicky struct{}

func (logencPanicky) MarshalLogObject(zapcore.ObjectEncoder) error { panic("marshal exploded") }

type logencNested struct{ depth int }

func (n logencNested) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddFloat64("f", float64(n.depth))
	enc.OpenNamespace("ns")
	enc.AddInt("i", n.depth)
	if n.depth > 0 {
		return enc.AddObject("child", logencNested{n.depth - 1})
	}
	return enc.AddArray("arr", zapcore.ArrayMarshalerFunc(func(a zapcore.ArrayEncoder) error {
		a.AppendFloat64(1)
		a.AppendInt(2)
		a.AppendString("s")
		return a.AppendObject(zapcore.ObjectMarshalerFunc(func(o zapcore.ObjectEncoder) error {
			o.AddBool("b", true)
			return nil
		}))
	}))
}

// TestLogEncodeField: every zap field type in the Python dialect, one segment each.
func TestLogEncodeField(t *testing.T) {
	tests := []struct {
		field zap.Field
		want  string // "" when the field is dropped
	}{
		{zap.Float64("f", 3), `"f":3.0`},
		{zap.Float64("f", math.NaN()), `"f":"NaN"`},
		{zap.Float32("f", 0.5), `"f":0.5`},
		{zap.Int("i", -3), `"i":-3`},
		{zap.Uint64("u", 3), `"u":3`},
		{zap.Bool("b", true), `"b":true`},
		{zap.Duration("d", time.Second), `"d":"1s"`},
		{zap.Time("t", time.Date(2021, 5, 3, 11, 47, 12, 0, time.UTC)), `"t":"2021-05-03T11:47:12Z"`},
		{zap.Binary("bin", []byte("hi")), `"bin":"aGk="`},
		{zap.ByteString("bs", []byte("a\u2028")), "\"bs\":\"a\u2028\""},
		{zap.Complex128("c", complex(1, -2)), `"c":"1-2i"`},
		{zap.Float64s("fs", []float64{1, 0.25}), `"fs":[1.0,0.25]`},
		{zap.Strings("ss", []string{"a", "b"}), `"ss":["a","b"]`},
		{zap.Object("o", logencNested{1}), `"o":{"f":1.0,"ns":{"i":1,"child":{"f":0.0,"ns":{"i":0,"arr":[1.0,2,"s",{"b":true}]}}}}`},
		{zap.Any("m", map[string]any{"b": []any{1.0, nil}, "a": "x"}), `"m":{"a":"x","b":[1.0,null]}`},
		{zap.Any("s", struct{ X float64 }{2}), `"s":{"X":2}`},
		{zap.NamedError("e", errors.New("boom")), `"e":"boom"`},
		{zap.Any("nil", nil), ``},
		{zap.Object("p", logencPanicky{}), `"p":"(value whose encoding panicked: marshal exploded)"`},
	}
	pool := buffer.NewPool()
	for _, tt := range tests {
		buf := pool.Get()
		wrote, _ := logEncodeField(buf, []zap.Field{tt.field})
		assert.Equal(t, tt.want != "", wrote, tt.field.Key)
		assert.Equal(t, tt.want, buf.String(), tt.field.Key)
		if wrote {
			var v map[string]any
			require.NoError(t, json.Unmarshal([]byte("{"+buf.String()+"}"), &v), buf.String())
		}
		buf.Free()
	}
	// A namespace takes the fields after it.
	buf := pool.Get()
	defer buf.Free()
	wrote, rest := logEncodeField(buf, []zap.Field{zap.Namespace("ns"), zap.Int("a", 1), zap.Float64("b", 2)})
	assert.True(t, wrote)
	assert.Equal(t, 2, rest)
	assert.Equal(t, `"ns":{"a":1,"b":2.0}`, buf.String())
}

// FuzzLogEncodeValue: whatever a dynamic JSON value holds, the encoder writes valid JSON with the same
// content.
func FuzzLogEncodeValue(f *testing.F) {
	for _, s := range []string{`{"a":1.0,"b":[1,2.5,null,"x\u2028"]}`, `[]`, `"s"`, `1e300`, `{"":{"":[{}]}}`, `-0`} {
		f.Add(s)
	}
	pool := buffer.NewPool()
	f.Fuzz(func(t *testing.T, doc string) {
		var v any
		if json.Unmarshal([]byte(doc), &v) != nil {
			return
		}
		buf := pool.Get()
		defer buf.Free()
		require.NoError(t, logAppendValue(buf, v, 0))
		var back any
		require.NoError(t, json.Unmarshal(buf.Bytes(), &back), buf.String())
		if logDepth(v) <= logMaxDepth {
			assert.Equal(t, v, back)
		}
	})
}

func logDepth(v any) int {
	d := 0
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			d = max(d, logDepth(e))
		}
		return d + 1
	case map[string]any:
		for _, e := range x {
			d = max(d, logDepth(e))
		}
		return d + 1
	}
	return 0
}

// TestJSONAppendFloat: Python's float repr.
func TestJSONAppendFloat(t *testing.T) {
	// python3 -c 'print(repr(v))' for each
	for v, want := range map[float64]string{12: "12.0", 0.1: "0.1", 1e16: "1e+16", 1e15: "1000000000000000.0",
		1.5e-7: "1.5e-07", 0.0001: "0.0001", 1e-5: "1e-05", 1e22: "1e+22", 5e-324: "5e-324",
		math.MaxFloat64: "1.7976931348623157e+308", math.Inf(1): `"+Inf"`} {
		assert.Equal(t, want, string(jsonAppendFloat(nil, v, 64)), "%g", v)
	}
}
