// Package ddbimage is the one conversion of DynamoDB Streams images (typed attribute values: {"S": "x"},
// {"N": "1"}, {"M": {...}}...) in the module. It reads images from their JSON text without
// aws-lambda-go's attribute decoder (which panics on some malformed values), and turns images into
// map[string]any, into plain JSON, or into Go values by the rules of aws-sdk-go-v2's attributevalue
// package. The batch utility, the parser and the events package all use it, so they read an image the
// same way.
//
// Its error messages carry no "powertools: " prefix: every caller wraps them in its own error type,
// which adds it once.
package ddbimage

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// ErrBadAttribute reports a malformed attribute value: no type or two, content that does not match its
// type, a zero events.DynamoDBAttributeValue, a number that is not a number.
var ErrBadAttribute = errors.New("malformed DynamoDB attribute value")

// Error reports a malformed or undecodable attribute value and where it is: Path is the attribute name
// followed by the map keys and list indexes down to the value ("order.items[2].qty").
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string {
	return "DynamoDB attribute " + strconv.Quote(e.Path) + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// errAt returns err with key prepended to its path (an *Error is extended in place).
func errAt(key string, index int, err error) error {
	seg := key
	if index >= 0 {
		seg = "[" + strconv.Itoa(index) + "]"
	}
	var e *Error
	if errors.As(err, &e) {
		switch {
		case e.Path == "":
			e.Path = seg
		case e.Path[0] == '[':
			e.Path = seg + e.Path
		default:
			e.Path = seg + "." + e.Path
		}
		return e
	}
	return &Error{Path: seg, Err: err}
}

// badErr wraps ErrBadAttribute with a reason so errors.Is finds it.
type badErr struct{ reason string }

func (b badErr) Error() string { return ErrBadAttribute.Error() + ": " + b.reason }
func (b badErr) Unwrap() error { return ErrBadAttribute }

func badf(reason string) error { return &Error{Err: badErr{reason}} }

// JSON encodes a DynamoDB image as plain JSON: S and B as strings (B in base64), N as numbers, BOOL, NULL,
// M as objects, L, SS, NS and BS as arrays.
func JSON(image map[string]events.DynamoDBAttributeValue) ([]byte, error) {
	m, err := Map(image)
	if err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// Map converts an image to map[string]any: S as string, N as json.Number (exact), B as []byte, BOOL as
// bool, NULL as nil, L as []any, M as map[string]any, SS as []string, NS as []json.Number, BS as [][]byte.
// A nil image gives a nil map.
func Map(image map[string]events.DynamoDBAttributeValue) (map[string]any, error) {
	if image == nil {
		return nil, nil
	}
	return members(image, Value)
}

// members converts the attributes of an image, or the members of an M value, with conv.
func members(m map[string]events.DynamoDBAttributeValue, conv func(events.DynamoDBAttributeValue) (any, error)) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, av := range m {
		v, err := conv(av)
		if err != nil {
			return nil, errAt(k, -1, err)
		}
		out[k] = v
	}
	return out, nil
}

// Value converts one attribute value as Map does.
func Value(av events.DynamoDBAttributeValue) (v any, err error) {
	// aws-lambda-go's accessors panic on a zero value (or one whose content does not match its type);
	// that is bad input, not a crash.
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, badf("no value (a zero DynamoDBAttributeValue)")
		}
	}()
	return value(av)
}

func value(av events.DynamoDBAttributeValue) (any, error) {
	switch av.DataType() {
	case events.DataTypeString:
		return av.String(), nil
	case events.DataTypeNumber:
		n := av.Number()
		if !IsNumber(n) {
			return nil, badf("N " + strconv.Quote(n) + " is an invalid number literal")
		}
		return json.Number(n), nil
	case events.DataTypeBinary:
		return av.Binary(), nil
	case events.DataTypeBoolean:
		return av.Boolean(), nil
	case events.DataTypeNull:
		return nil, nil
	case events.DataTypeList:
		l := av.List()
		out := make([]any, len(l))
		for i, e := range l {
			v, err := value(e)
			if err != nil {
				return nil, errAt("", i, err)
			}
			out[i] = v
		}
		return out, nil
	case events.DataTypeMap:
		return members(av.Map(), value)
	case events.DataTypeStringSet:
		return av.StringSet(), nil
	case events.DataTypeNumberSet:
		ns := av.NumberSet()
		out := make([]json.Number, len(ns))
		for i, n := range ns {
			if !IsNumber(n) {
				return nil, errAt("", i, badf("NS element "+strconv.Quote(n)+" is an invalid number literal"))
			}
			out[i] = json.Number(n)
		}
		return out, nil
	case events.DataTypeBinarySet:
		return av.BinarySet(), nil
	}
	return nil, badf("unknown data type " + strconv.Itoa(int(av.DataType())))
}

// IsNumber reports whether s is a number by the JSON grammar (what DynamoDB sends: an optional minus,
// digits, an optional fraction and exponent).
func IsNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = ddbDigits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := ddbDigits(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := ddbDigits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

// ddbDigits is the index after the run of decimal digits of s that starts at i.
func ddbDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
