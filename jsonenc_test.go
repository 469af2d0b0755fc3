package powertools

import (
	"encoding/json"
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
