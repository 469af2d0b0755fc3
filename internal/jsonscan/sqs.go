package jsonscan

import (
	"bytes"
	"sync"
)

// SQSBodies finds the body of every record of an SQS event, checking the whole event's syntax but
// building nothing: decoding the event's other fields (attributes, receipt handles, ARNs) is most of the
// cost of reading a warm event. It appends each body string's bounds, quotes included, to bodies. ok is
// false for anything but the plain shape: the event not an object, "Records" absent, repeated, null or
// not a list of objects, a body absent, repeated or not a string, a key encoding/json would match without
// being spelled the same ("records", an escaped or non-ASCII key), malformed JSON anywhere. The callers
// (the parser's ParseSQS, the validation fast path) then decode the event as before, with the same
// errors.
func SQSBodies(bodies [][2]int, payload []byte) (_ [][2]int, ok bool) {
	sc := Scanner{B: payload}
	found := false
	ok = Object(&sc, func(key []byte) bool {
		if string(key) != "Records" || found || sc.Peek() != '[' {
			return !bytes.EqualFold(key, []byte("Records")) && sc.Skip(1)
		}
		found = true
		sc.I++
		if sc.Eat(']') {
			return true
		}
		for {
			start := -1
			if sc.Peek() != '{' || !Object(&sc, func(key []byte) bool {
				if string(key) != "body" || start >= 0 || sc.Peek() != '"' {
					return !bytes.EqualFold(key, []byte("body")) && sc.Skip(2)
				}
				start = sc.I
				_, _, ok := sc.Str()
				bodies = append(bodies, [2]int{start, sc.I})
				return ok
			}) || start < 0 {
				return false
			}
			if sc.Eat(',') {
				continue
			}
			return sc.Eat(']')
		}
	})
	sc.WS()
	return bodies, ok && found && sc.I == len(payload)
}

// JoinStrings appends to dst one JSON array of the values of the JSON strings of payload at bounds
// (quotes included, as SQSBodies gives them), each element the string's value as is: strings that hold
// JSON documents make an array of those documents. elem sees each value as it is appended (the bytes
// are dst's, valid until the next append). ok is false when a string is one Unquote leaves to
// encoding/json, or elem says no.
func JoinStrings(dst, payload []byte, bounds [][2]int, elem func(value []byte) bool) (_ []byte, ok bool) {
	dst = append(dst, '[')
	for i, b := range bounds {
		if i > 0 {
			dst = append(dst, ',')
		}
		start := len(dst)
		if dst, ok = Unquote(dst, payload[b[0]+1:b[1]-1]); !ok || !elem(dst[start:]) {
			return dst, false
		}
	}
	return append(dst, ']'), true
}

// OneValue reports whether text is exactly one JSON value, white space around it aside: a string
// JoinStrings puts in an array is then one element of it, not several or part of one.
func OneValue(text []byte) bool {
	sc := Scanner{B: text}
	if !sc.Skip(0) {
		return false
	}
	sc.WS()
	return sc.I == len(text)
}

// Bounds and Buffer lend the lists of bounds and the buffers the callers of SQSBodies and JoinStrings
// fill and drop within a call; ReleaseBounds and ReleaseBuffer take them back, with what was appended
// to them, unless it grew past 64 Ki bounds or 1 MiB (kept from one call to the next, a big batch would
// pin its memory).
var (
	boundsPool = sync.Pool{New: func() any { return new([][2]int) }}
	bufferPool = sync.Pool{New: func() any { return new([]byte) }}
)

// Bounds lends an empty list of bounds; give it back with ReleaseBounds.
func Bounds() *[][2]int {
	p := boundsPool.Get().(*[][2]int)
	*p = (*p)[:0]
	return p
}

// ReleaseBounds gives back p, which now holds b.
func ReleaseBounds(p *[][2]int, b [][2]int) {
	if cap(b) <= 1<<16 {
		*p = b[:0]
	}
	boundsPool.Put(p)
}

// Buffer lends an empty buffer; give it back with ReleaseBuffer.
func Buffer() *[]byte {
	p := bufferPool.Get().(*[]byte)
	*p = (*p)[:0]
	return p
}

// ReleaseBuffer gives back p, which now holds b.
func ReleaseBuffer(p *[]byte, b []byte) {
	if cap(b) <= 1<<20 {
		*p = b[:0]
	} else {
		*p = nil
	}
	bufferPool.Put(p)
}
