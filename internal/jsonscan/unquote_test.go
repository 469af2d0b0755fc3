package jsonscan

import (
	"encoding/json"
	"testing"
)

func TestUnquote(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{`plain`, "plain", true},
		{`h\u00e9llo \"q\" \n`, "héllo \"q\" \n", true},
		{`héllo`, "héllo", true},
		{`a\/b\tc\\d\b\f\r`, "a/b\tc\\d\b\f\r", true},
		{`\ud83d\ude00`, "", false}, // surrogates: left to encoding/json
		{"bad \xff", "", false},     // invalid UTF-8: left to encoding/json
		{`bad \x escape`, "", false},
		{`cut \`, "", false},
		{`cut \u12`, "", false},
		{`bad \u12zz`, "", false},
		{``, "", true},
	} {
		for name, unq := range map[string]func(string) ([]byte, bool){
			"Unquote":       func(s string) ([]byte, bool) { return Unquote(nil, []byte(s)) },
			"UnquoteString": func(s string) ([]byte, bool) { return UnquoteString(nil, s) },
		} {
			got, ok := unq(tc.in)
			if ok != tc.ok || (ok && string(got) != tc.want) {
				t.Errorf("%s(%q) = %q, %v; want %q, %v", name, tc.in, got, ok, tc.want, tc.ok)
			}
		}
	}
}

// FuzzUnquoteString: never a panic, and whatever it decodes, encoding/json decodes the same.
func FuzzUnquoteString(f *testing.F) {
	for _, s := range []string{`plain`, `a\"b`, `\u00e9\n`, `\ud800`, `\`, `\u1`, "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := UnquoteString(nil, s)
		var want string
		if !ok || json.Unmarshal([]byte(`"`+s+`"`), &want) != nil {
			return // left to encoding/json, or text no scanner passes (a raw quote or control byte)
		}
		if string(got) != want {
			t.Fatalf("%q: %q, encoding/json %q", s, got, want)
		}
	})
}
