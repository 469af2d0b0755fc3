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
