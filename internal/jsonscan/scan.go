// Package jsonscan walks JSON text by the grammar encoding/json accepts, without building values. It
// is shared by the validation fast path and the parser, which both read events without decoding them.
package jsonscan

import (
	"encoding/binary"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth bounds the nesting Skip walks; deeper documents are refused (the caller decodes them).
const MaxDepth = 512

// Scanner walks JSON text by the grammar encoding/json accepts, without building values.
type Scanner struct {
	B []byte // the text
	I int    // the position of the next byte
}

// WS skips white space.
func (s *Scanner) WS() {
	for s.I < len(s.B) {
		switch s.B[s.I] {
		case ' ', '\t', '\n', '\r':
			s.I++
		default:
			return
		}
	}
}

// Peek is the next byte after white space, 0 at the end.
func (s *Scanner) Peek() byte {
	s.WS()
	if s.I < len(s.B) {
		return s.B[s.I]
	}
	return 0
}

// Eat consumes c when it comes next.
func (s *Scanner) Eat(c byte) bool {
	if s.Peek() == c {
		s.I++
		return true
	}
	return false
}

// Skip consumes one value.
func (s *Scanner) Skip(depth int) bool {
	if depth > MaxDepth {
		return false
	}
	switch c := s.Peek(); {
	case c == '{':
		s.I++
		if s.Eat('}') {
			return true
		}
		for {
			if _, _, ok := s.Str(); !ok || !s.Eat(':') || !s.Skip(depth+1) {
				return false
			}
			if s.Eat(',') {
				continue
			}
			return s.Eat('}')
		}
	case c == '[':
		s.I++
		if s.Eat(']') {
			return true
		}
		for {
			if !s.Skip(depth + 1) {
				return false
			}
			if s.Eat(',') {
				continue
			}
			return s.Eat(']')
		}
	case c == '"':
		_, _, ok := s.Str()
		return ok
	case c == '-' || c >= '0' && c <= '9':
		_, ok := s.Number()
		return ok
	default:
		return s.Literal()
	}
}

// Literal consumes true, false or null.
func (s *Scanner) Literal() bool {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(s.B)-s.I >= len(lit) && string(s.B[s.I:s.I+len(lit)]) == lit {
			s.I += len(lit)
			return true
		}
	}
	return false
}

// Number consumes a number and returns its text.
func (s *Scanner) Number() ([]byte, bool) {
	b, i := s.B, s.I
	digits := func() bool {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	exp := i < len(b) && (b[i] == 'e' || b[i] == 'E')
	if exp {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	lit := b[s.I:i]
	if exp || len(lit) > 300 {
		// encoding/json refuses a number beyond float64's range (1e400) when it decodes into any: such a
		// document is the decoder's to report.
		if _, err := strconv.ParseFloat(string(lit), 64); err != nil {
			return nil, false
		}
	}
	s.I = i
	return lit, true
}

// Str consumes a string and returns what is between its quotes; plain means its bytes are its value
// (no escape, ASCII only).
func (s *Scanner) Str() (raw []byte, plain, ok bool) {
	if s.Peek() != '"' {
		return nil, false, false
	}
	s.I++
	start, plain := s.I, true
	for s.I < len(s.B) {
		for s.I+8 <= len(s.B) && !SpecialIn(binary.LittleEndian.Uint64(s.B[s.I:])) {
			s.I += 8
		}
		for s.I < len(s.B) && plainByte[s.B[s.I]] {
			s.I++
		}
		if s.I == len(s.B) {
			break
		}
		switch c := s.B[s.I]; {
		case c == '"':
			s.I++
			return s.B[start : s.I-1], plain, true
		case c == '\\':
			plain = false
			if s.I+1 >= len(s.B) {
				return nil, false, false
			}
			switch s.B[s.I+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.I += 2
			case 'u':
				if s.I+6 > len(s.B) {
					return nil, false, false
				}
				for _, h := range s.B[s.I+2 : s.I+6] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return nil, false, false
					}
				}
				s.I += 6
			default:
				return nil, false, false
			}
		case c < 0x20:
			return nil, false, false
		default: // beyond ASCII: kept as is, but decoding may change it
			plain = false
			s.I++
		}
	}
	return nil, false, false
}

// SpecialIn reports whether any of the eight bytes of w is not plain (see plainByte):
// below 0x20, a quote, a backslash or beyond ASCII. The tests for a zero byte and for a byte below n
// are exact when they say no, which is all the scanner relies on.
func SpecialIn(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	below20 := (w - ones*0x20) & ^w & highs
	return below20|zero(w^(ones*'"'))|zero(w^(ones*'\\'))|w&highs != 0
}

// plainByte marks the bytes a string holds as themselves: printable ASCII but the quote and the
// backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Object consumes an object whose keys are plain (ASCII, no escape), calling member with
// each key, the scanner placed before its value; member consumes the value.
func Object(sc *Scanner, member func(key []byte) bool) bool {
	if !sc.Eat('{') {
		return false
	}
	if sc.Eat('}') {
		return true
	}
	for {
		raw, plain, ok := sc.Str()
		if !ok || !plain || !sc.Eat(':') || !member(raw) {
			return false
		}
		if sc.Eat(',') {
			continue
		}
		return sc.Eat('}')
	}
}

// Unquote appends the value of a JSON string's content (already checked by the scanner) to dst.
// It leaves to encoding/json (ok false) the cases where that decoder substitutes U+FFFD: invalid UTF-8
// and \u escapes of surrogates.
func Unquote(dst, raw []byte) ([]byte, bool) {
	if !utf8.Valid(raw) {
		return dst, false
	}
	return unquote(dst, raw)
}

// UnquoteString is Unquote for content held in a string. It also reports false for content the scanner
// would refuse (a bad or cut escape), so it serves text that did not come through the scanner; the
// caller leaves such text to encoding/json too, for its error.
func UnquoteString(dst []byte, raw string) ([]byte, bool) {
	if !utf8.ValidString(raw) {
		return dst, false
	}
	return unquote(dst, raw)
}

// unquote decodes the escapes of raw, valid UTF-8, into dst; ok is false for a surrogate escape and for
// an escape that is bad or cut short.
func unquote[T ~string | ~[]byte](dst []byte, raw T) ([]byte, bool) {
	for i := 0; i < len(raw); i++ {
		run := i // the text up to the next escape is copied whole
		for i < len(raw) && raw[i] != '\\' {
			i++
		}
		dst = append(dst, raw[run:i]...)
		if i == len(raw) {
			break
		}
		if i++; i == len(raw) {
			return dst, false
		}
		switch c := raw[i]; c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			if i+5 > len(raw) {
				return dst, false
			}
			r, err := strconv.ParseUint(string(raw[i+1:i+5]), 16, 32)
			if err != nil || utf16.IsSurrogate(rune(r)) {
				return dst, false
			}
			dst = utf8.AppendRune(dst, rune(r))
			i += 4
		default:
			return dst, false
		}
	}
	return dst, true
}
