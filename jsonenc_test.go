package powertools

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"go.uber.org/zap/buffer"
)

// FuzzJSONAppendString: both forms of the shared string encoder produce the same valid JSON string,
// which decodes to s with each byte of invalid UTF-8 replaced by U+FFFD.
func FuzzJSONAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\`, "\x00\x01\x1f\n\r\t\b\f", "é\u2028\u2029😀", "\xff\xfe bad", "<&>"} {
		f.Add(s)
	}
	pool := buffer.NewPool()
	f.Fuzz(func(t *testing.T, s string) {
		out := jsonAppendString(nil, s)
		buf := pool.Get()
		defer buf.Free()
		appendJSONString(buf, s)
		if string(out) != buf.String() {
			t.Fatalf("slice and buffer encoders differ: %s vs %s", out, buf.String())
		}
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("not a JSON string: %v: %s", err, out)
		}
		var want strings.Builder
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			want.WriteRune(r)
			i += size
		}
		if got != want.String() {
			t.Fatalf("decoded %q, want %q", got, want.String())
		}
		if strings.ContainsAny(string(out), "\u2028\u2029\n") {
			t.Fatalf("unescaped line separator in %s", out)
		}
	})
}

// TestLogAppendString: the log lines' string form is Python's json.dumps(ensure_ascii=False) (checked
// with python3): \b and \f by their short forms, U+2028 and U+2029 raw; the EMF and X-Ray form escapes
// the two separators.
func TestLogAppendString(t *testing.T) {
	pool := buffer.NewPool()
	buf := pool.Get()
	defer buf.Free()
	in := "q\" b\\ \b\f\n\r\t\x01\x7f \u2028\u2029 é <&>"
	logAppendString(buf, in)
	// python3 -c 'import json; print(json.dumps(in, ensure_ascii=False))'
	want := "\"q\\\" b\\\\ \\b\\f\\n\\r\\t\\u0001\x7f \u2028\u2029 é <&>\""
	if buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
	if got := string(jsonAppendString(nil, "\u2028\u2029\b")); got != `"\u2028\u2029\b"` {
		t.Fatalf("shared encoder: %s", got)
	}
}

// FuzzJSONPlainASCII holds the word-at-a-time test to the byte-by-byte definition.
func FuzzJSONPlainASCII(f *testing.F) {
	f.Add("arn:aws:lambda:us-east-1:123456789012:function:bench-fn")
	f.Add("c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
	for _, c := range []string{"\x00", "\x1f", " ", "~", "\x7f", "\x80", "\xff", `"`, `\`, "!", "#", "[", "]"} {
		f.Add("abcdefg" + c + "hijklmnop")
		f.Add(c + "bcdefghij")
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := true
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				want = false
			}
		}
		if got := jsonPlainASCII(s); got != want {
			t.Fatalf("jsonPlainASCII(%q) = %v, want %v", s, got, want)
		}
	})
}

// TestJSONPlainASCIIEveryByte puts every byte value at every position of a word.
func TestJSONPlainASCIIEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'
		for pos := 0; pos < 17; pos++ {
			b := []byte(strings.Repeat("a", 17))
			b[pos] = byte(c)
			if got := jsonPlainASCII(string(b)); got != want {
				t.Fatalf("byte %#x at %d: %v, want %v", c, pos, got, want)
			}
		}
	}
}

func TestJSONPlainASCII(t *testing.T) {
	for s, want := range map[string]bool{"": true, "abc-123:/=": true, " ~": true, `"`: false, `\`: false,
		"\x1f": false, "\x7f": false, "é": false, "\u2028": false} {
		if got := jsonPlainASCII(s); got != want {
			t.Errorf("jsonPlainASCII(%q) = %v, want %v", s, got, want)
		}
	}
}

// jsonAppendFloatShortest is jsonAppendFloat without its whole-number path: the shortest form for every
// value, which the whole-number path must equal.
func jsonAppendFloatShortest(dst []byte, f float64, bits int) []byte {
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.AppendFloat(dst, f, 'e', -1, bits)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', -1, bits)
	if !bytes.ContainsRune(dst[start:], '.') {
		dst = append(dst, '.', '0')
	}
	return dst
}

// FuzzJSONAppendFloat holds the whole-number path to the shortest form, for float64 and float32 values
// around and past the limits where whole numbers stop being exact.
func FuzzJSONAppendFloat(f *testing.F) {
	for _, v := range []float64{0, 1, -1, 42, 1 << 24, 1<<24 + 2, 1 << 53, 1<<53 + 2, 9999999999999998, 1e16, 123456789, 0.5} {
		f.Add(math.Float64bits(v))
	}
	f.Add(math.Float64bits(math.Copysign(0, -1)))
	f.Fuzz(func(t *testing.T, b uint64) {
		v := math.Float64frombits(b)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		for _, in := range []float64{v, math.Trunc(v), math.Trunc(v / 1e3)} {
			if got, want := string(jsonAppendFloat(nil, in, 64)), string(jsonAppendFloatShortest(nil, in, 64)); got != want {
				t.Fatalf("float64 %v: %s, shortest form %s", in, got, want)
			}
			in32 := float64(float32(in))
			if math.IsInf(in32, 0) {
				continue
			}
			if got, want := string(jsonAppendFloat(nil, in32, 32)), string(jsonAppendFloatShortest(nil, in32, 32)); got != want {
				t.Fatalf("float32 %v: %s, shortest form %s", in32, got, want)
			}
		}
	})
}

// TestJSONAppendFloatWholeNumbers walks the whole numbers near the exactness limits of both widths.
func TestJSONAppendFloatWholeNumbers(t *testing.T) {
	for _, base := range []float64{0, 1 << 24, 1 << 53, 1e15, 1e16} {
		for d := -40.0; d <= 40; d++ {
			for _, v := range []float64{base + d, -(base + d)} {
				if got, want := string(jsonAppendFloat(nil, v, 64)), string(jsonAppendFloatShortest(nil, v, 64)); got != want {
					t.Errorf("float64 %v: %s, shortest form %s", v, got, want)
				}
				v32 := float64(float32(v))
				if got, want := string(jsonAppendFloat(nil, v32, 32)), string(jsonAppendFloatShortest(nil, v32, 32)); got != want {
					t.Errorf("float32 %v: %s, shortest form %s", v32, got, want)
				}
			}
		}
	}
}
