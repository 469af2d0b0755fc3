package powertools

import (
	"math"
	"strconv"
	"unicode/utf8"

	"go.uber.org/zap/buffer"
)

// The JSON string encoders the hand-written encoders share. Both escape quotes, backslashes and control
// characters (\b, \f, \n, \r, \t by their short forms, the others as \u00XX), as Python's json.dumps
// does, and write non-ASCII and HTML characters raw; invalid UTF-8 (which a Python str cannot hold)
// becomes U+FFFD byte by byte. They differ on U+2028 and U+2029:
//
//   - jsonAppendString and appendJSONString (EMF blobs, X-Ray documents) escape them, as encoding/json
//     and Python's default json.dumps do;
//   - logAppendString and logAppendStringBody (log lines) write them raw, as the Python edition's logger
//     does (json.dumps with ensure_ascii=False).

const hexDigits = "0123456789abcdef"

// jsonControlEscapes holds the escape of every control character.
var jsonControlEscapes = func() [0x20]string {
	var t [0x20]string
	for c := range t {
		t[c] = `\u00` + string(hexDigits[c>>4]) + string(hexDigits[c&0xf])
	}
	t['\n'], t['\r'], t['\t'], t['\b'], t['\f'] = `\n`, `\r`, `\t`, `\b`, `\f`
	return t
}()

// jsonNextEscape scans s from i: s[i:plainEnd] needs no escaping, esc replaces s[plainEnd:next]. At the
// end of s, plainEnd == next == len(s) and esc is empty.
// rawSeps leaves U+2028 and U+2029 unescaped.
func jsonNextEscape(s string, i int, rawSeps bool) (plainEnd int, esc string, next int) {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"':
				return i, `\"`, i + 1
			case c == '\\':
				return i, `\\`, i + 1
			case c < 0x20:
				return i, jsonControlEscapes[c], i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return i, `\ufffd`, i + 1
		case rawSeps:
		case r == '\u2028':
			return i, `\u2028`, i + size
		case r == '\u2029':
			return i, `\u2029`, i + size
		}
		i += size
	}
	return len(s), "", len(s)
}

// jsonAppendString appends s as a JSON string.
func jsonAppendString(dst []byte, s string) []byte {
	return append(jsonAppendEscaped(append(dst, '"'), s), '"')
}

// jsonAppendEscaped appends s escaped for a JSON string, without the quotes.
func jsonAppendEscaped(dst []byte, s string) []byte {
	if jsonPlainASCII(s) {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		end, esc, next := jsonNextEscape(s, i, false)
		dst = append(append(dst, s[i:end]...), esc...)
		i = next
	}
	return dst
}

// appendJSONString writes s as a JSON string into a zap buffer.
func appendJSONString(buf *buffer.Buffer, s string) {
	buf.AppendByte('"')
	appendJSONStringBody(buf, s)
	buf.AppendByte('"')
}

// appendJSONStringBody writes s escaped, without the quotes.
func appendJSONStringBody(buf *buffer.Buffer, s string) { jsonAppendBody(buf, s, false) }

// logAppendString writes s as a JSON string of a log line: U+2028 and U+2029 raw.
func logAppendString(buf *buffer.Buffer, s string) {
	buf.AppendByte('"')
	jsonAppendBody(buf, s, true)
	buf.AppendByte('"')
}

// logAppendStringBody is logAppendString without the quotes.
func logAppendStringBody(buf *buffer.Buffer, s string) { jsonAppendBody(buf, s, true) }

func jsonAppendBody(buf *buffer.Buffer, s string, rawSeps bool) {
	if jsonPlainASCII(s) { // most strings: written as they are after one pass eight bytes at a time
		buf.AppendString(s)
		return
	}
	for i := 0; i < len(s); {
		end, esc, next := jsonNextEscape(s, i, rawSeps)
		buf.AppendString(s[i:end])
		buf.AppendString(esc)
		i = next
	}
}

// jsonAppendFloat writes f as Python's float repr does, which is what Powertools for Python writes in
// logs and metrics: the shortest form that reads back as f, a whole number with ".0" ("12.0", not "12"),
// exponent notation below 1e-4 and from 1e16 ("1.5e-05", "1e+16"). NaN and the infinities, which JSON
// cannot hold, are the strings "NaN", "+Inf" and "-Inf", as zap writes them. bits is 32 or 64.
func jsonAppendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"+Inf"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Inf"`...)
	}
	if a := math.Abs(f); (bits == 64 && a < 1<<53 || bits == 32 && a < 1<<24) && math.Trunc(f) == f {
		// A whole number, as counts are: its digits, without the shortest-form search. Below 2^53 (2^24
		// for a float32) every whole number is exact, so its digits are the shortest form.
		if f == 0 && math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(strconv.AppendInt(dst, int64(f), 10), '.', '0')
	}
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.AppendFloat(dst, f, 'e', -1, bits)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', -1, bits)
	for _, c := range dst[start:] {
		if c == '.' {
			return dst
		}
	}
	return append(dst, '.', '0')
}

// jsonPlainASCII reports whether s is printable ASCII without a quote or a backslash: a JSON string body
// as it is, whichever encoder writes it.
func jsonPlainASCII(s string) bool {
	// eight bytes at a time (the ARN and the request id are about a hundred), the tail byte by byte
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if x&hi != 0 { // a byte >= 0x80
			return false
		}
		// Every byte is below 0x80 now, where the word tests of Bit Twiddling Hacks hold (exact for the
		// word as a whole): hasless(x, 0x20), x+1 reaching 0x80 (a byte 0x7f: no carry leaves a byte
		// below 0x80), haszero(x^'"') and haszero(x^'\\').
		q, bs := x^(lo*'"'), x^(lo*'\\')
		if ((x-lo*0x20)&^x|(x+lo)|(q-lo)&^q|(bs-lo)&^bs)&hi != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
