package powertools

import (
	"unicode/utf8"

	"go.uber.org/zap/buffer"
)

// The JSON string encoder the hand-written encoders share (log lines, EMF blobs, X-Ray documents). It
// escapes what encoding/json escapes, except HTML characters: quotes, backslashes, control characters,
// U+2028 and U+2029; invalid UTF-8 becomes U+FFFD byte by byte.

const hexDigits = "0123456789abcdef"

// jsonControlEscapes holds the escape of every control character.
var jsonControlEscapes = func() [0x20]string {
	var t [0x20]string
	for c := range t {
		t[c] = `\u00` + string(hexDigits[c>>4]) + string(hexDigits[c&0xf])
	}
	t['\n'], t['\r'], t['\t'] = `\n`, `\r`, `\t`
	return t
}()

// jsonNextEscape scans s from i: s[i:plainEnd] needs no escaping, esc replaces s[plainEnd:next]. At the
// end of s, plainEnd == next == len(s) and esc is empty.
func jsonNextEscape(s string, i int) (plainEnd int, esc string, next int) {
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
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		end, esc, next := jsonNextEscape(s, i)
		dst = append(append(dst, s[i:end]...), esc...)
		i = next
	}
	return append(dst, '"')
}

// appendJSONString writes s as a JSON string into a zap buffer.
func appendJSONString(buf *buffer.Buffer, s string) {
	buf.AppendByte('"')
	appendJSONStringBody(buf, s)
	buf.AppendByte('"')
}

// appendJSONStringBody writes s escaped, without the quotes.
func appendJSONStringBody(buf *buffer.Buffer, s string) {
	for i := 0; i < len(s); {
		end, esc, next := jsonNextEscape(s, i)
		buf.AppendString(s[i:end])
		buf.AppendString(esc)
		i = next
	}
}
