package powertools

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The idempotency key is the Python edition's: the MD5 of the key data written the way Python's
// json.dumps(data, sort_keys=True) writes it, so a record written by one edition is found by the other.
// That form is: separators ", " and ": ", object keys sorted by code point, every character outside
// printable ASCII as \uXXXX (surrogate pairs above U+FFFF), integers as written (never rounded), floats
// as Python's repr (1.0, 1e-05, 1e+16, 1.2345678901234568e+17), Infinity for a float out of range.

// idemHash is the hex MD5 of v in Python's json.dumps(v, sort_keys=True) form.
func idemHash(v any) (string, error) {
	b, err := idemAppendPyJSON(make([]byte, 0, 256), v)
	if err != nil {
		return "", err
	}
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:]), nil
}

// idemDecode decodes a JSON document keeping numbers as written (json.Number), so that integers above
// 2^53 hash as Python hashes them.
func idemDecode(doc []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &DecodeError{Step: "json", Err: err}
	}
	if _, err := dec.Token(); err == nil {
		return nil, &DecodeError{Step: "json", Err: errors.New("invalid character after top-level value")}
	}
	return v, nil
}

// idemAppendPyJSON appends v (a value decoded by idemDecode, or a JMESPath result over one) in Python's
// json.dumps(v, sort_keys=True) form.
func idemAppendPyJSON(dst []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case string:
		return idemAppendPyString(dst, x), nil
	case json.Number:
		return idemAppendPyNumber(dst, string(x))
	case float64: // results of JMESPath functions (length, sum...): Python's jmespath returns ints for those
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.AppendInt(dst, int64(x), 10), nil
		}
		return idemAppendPyFloat(dst, x), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			if dst, err = idemAppendPyJSON(dst, e); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys) // byte order of UTF-8 is code point order
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(idemAppendPyString(dst, k), ": "...)
			if dst, err = idemAppendPyJSON(dst, x[k]); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
	// Any other value (a Go value from a JMESPath function): through its JSON form.
	b, err := json.Marshal(v)
	if err != nil {
		return nil, &DecodeError{Step: "json", Err: err}
	}
	g, err := idemDecode(b)
	if err != nil {
		return nil, err
	}
	return idemAppendPyJSON(dst, g)
}

// idemAppendPyString writes s as json.dumps does with ensure_ascii: only printable ASCII is written as
// is; invalid UTF-8 becomes \ufffd.
func idemAppendPyString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			if c == '"' || c == '\\' {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '\n':
				dst = append(dst, `\n`...)
			case '\r':
				dst = append(dst, `\r`...)
			case '\t':
				dst = append(dst, `\t`...)
			case '\b':
				dst = append(dst, `\b`...)
			case '\f':
				dst = append(dst, `\f`...)
			default:
				dst = idemAppendU(dst, rune(c))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r > 0xffff {
			r -= 0x10000
			dst = idemAppendU(idemAppendU(dst, 0xd800+(r>>10)), 0xdc00+(r&0x3ff))
			continue
		}
		dst = idemAppendU(dst, r) // RuneError for invalid UTF-8: \ufffd
	}
	return append(dst, '"')
}

func idemAppendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// idemAppendPyNumber writes a JSON number as Python writes the value json.loads gives for it: an integer
// as written (arbitrary precision; -0 is 0), a float as its repr.
func idemAppendPyNumber(dst []byte, n string) ([]byte, error) {
	if !strings.ContainsAny(n, ".eE") {
		if strings.Trim(n, "-0") == "" && n != "" {
			return append(dst, '0'), nil
		}
		if n == "" || strings.TrimLeft(n, "-0123456789") != "" {
			return nil, &DecodeError{Step: "json", Err: errors.New("invalid number " + strconv.Quote(n))}
		}
		return append(dst, n...), nil
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil && !math.IsInf(f, 0) {
		return nil, &DecodeError{Step: "json", Err: err}
	}
	return idemAppendPyFloat(dst, f), nil
}

// idemAppendPyFloat writes f as Python's float repr: the shortest digits that round-trip, fixed notation
// for exponents -4 to 15 (always with a fraction: "1.0"), scientific otherwise ("1e-05", "1.5e+16").
func idemAppendPyFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(append(dst, '.'), digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	if exp < 0 {
		dst = append(dst, "0."...)
		for range -exp - 1 {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	if len(digits) <= exp+1 {
		dst = append(dst, digits...)
		for range exp + 1 - len(digits) {
			dst = append(dst, '0')
		}
		return append(dst, ".0"...)
	}
	return append(append(append(dst, digits[:exp+1]...), '.'), digits[exp+1:]...)
}

// idemMissingKey reports key data the Python edition treats as no key at all: null, an empty string, an
// empty object, or an array whose elements are all null (the empty array included).
func idemMissingKey(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case map[string]any:
		return len(x) == 0
	case []any:
		for _, e := range x {
			if e != nil {
				return false
			}
		}
		return true
	}
	return false
}
