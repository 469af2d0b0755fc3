package ddbimage

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"

	"github.com/aws/aws-lambda-go/events"
)

// Parse reads an image from its JSON text ({"name": {"S": "x"}, ...}) without aws-lambda-go's attribute
// decoder, which panics on some malformed values ({"BS": [0]}). JSON null or empty input gives a nil
// image. Every malformed value is an *Error naming the attribute and wrapping ErrBadAttribute; text that
// is not JSON is an error from encoding/json.
func Parse(data []byte) (map[string]events.DynamoDBAttributeValue, error) {
	var raw map[string]any
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return nil, badf("an image is an object of attribute values, not " + ute.Value)
		}
		return nil, err
	}
	return FromAny(raw)
}

// ParseRaw is Parse for an image already split into attributes (as json.RawMessage values).
func ParseRaw(image map[string]json.RawMessage) (map[string]events.DynamoDBAttributeValue, error) {
	if image == nil {
		return nil, nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(image))
	for _, k := range sortedKeys(image) {
		var v any
		if err := json.Unmarshal(image[k], &v); err != nil {
			return nil, errAt(k, -1, err)
		}
		av, err := fromAny(v)
		if err != nil {
			return nil, errAt(k, -1, err)
		}
		out[k] = av
	}
	return out, nil
}

// FromAny converts an image decoded by encoding/json into map[string]any to attribute values, checking
// every type. Attributes are visited in name order, so the error of an image with several bad values is
// always the same one.
func FromAny(raw map[string]any) (map[string]events.DynamoDBAttributeValue, error) {
	if raw == nil {
		return nil, nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(raw))
	for _, k := range sortedKeys(raw) {
		av, err := fromAny(raw[k])
		if err != nil {
			return nil, errAt(k, -1, err)
		}
		out[k] = av
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fromAny converts one attribute value ({"S": "x"}) decoded by encoding/json.
func fromAny(v any) (events.DynamoDBAttributeValue, error) {
	var zero events.DynamoDBAttributeValue
	obj, ok := v.(map[string]any)
	if !ok {
		return zero, badf("an attribute value is an object with one type key, not " + jsonKind(v))
	}
	if len(obj) != 1 {
		if len(obj) == 0 {
			return zero, badf("no type (an empty object)")
		}
		keys := sortedKeys(obj)
		return zero, badf("more than one type: " + keys[0] + " and " + keys[1])
	}
	for typ, val := range obj {
		return fromTyped(typ, val)
	}
	return zero, nil
}

func fromTyped(typ string, val any) (events.DynamoDBAttributeValue, error) {
	var zero events.DynamoDBAttributeValue
	switch typ {
	case "S":
		s, ok := val.(string)
		if !ok {
			return zero, badf("S is a string, not " + jsonKind(val))
		}
		return events.NewStringAttribute(s), nil
	case "N":
		s, ok := val.(string)
		if !ok {
			return zero, badf("N is a string, not " + jsonKind(val))
		}
		if !IsNumber(s) {
			return zero, badf("N " + quote(s) + " is an invalid number literal")
		}
		return events.NewNumberAttribute(s), nil
	case "B":
		b, err := binary("B", val)
		if err != nil {
			return zero, err
		}
		return events.NewBinaryAttribute(b), nil
	case "BOOL":
		b, ok := val.(bool)
		if !ok {
			return zero, badf("BOOL is a boolean, not " + jsonKind(val))
		}
		return events.NewBooleanAttribute(b), nil
	case "NULL":
		if b, ok := val.(bool); !ok || !b {
			return zero, badf("NULL is true, not " + jsonKind(val))
		}
		return events.NewNullAttribute(), nil
	case "L":
		l, ok := val.([]any)
		if !ok {
			return zero, badf("L is an array, not " + jsonKind(val))
		}
		out := make([]events.DynamoDBAttributeValue, len(l))
		for i, e := range l {
			av, err := fromAny(e)
			if err != nil {
				return zero, errAt("", i, err)
			}
			out[i] = av
		}
		return events.NewListAttribute(out), nil
	case "M":
		m, ok := val.(map[string]any)
		if !ok {
			return zero, badf("M is an object, not " + jsonKind(val))
		}
		out, err := FromAny(m)
		if err != nil {
			return zero, err
		}
		if out == nil {
			out = map[string]events.DynamoDBAttributeValue{}
		}
		return events.NewMapAttribute(out), nil
	case "SS", "NS":
		l, ok := val.([]any)
		if !ok {
			return zero, badf(typ + " is an array of strings, not " + jsonKind(val))
		}
		out := make([]string, len(l))
		for i, e := range l {
			s, ok := e.(string)
			if !ok {
				return zero, errAt("", i, badf(typ+" element is a string, not "+jsonKind(e)))
			}
			if typ == "NS" && !IsNumber(s) {
				return zero, errAt("", i, badf("NS element "+quote(s)+" is an invalid number literal"))
			}
			out[i] = s
		}
		if typ == "SS" {
			return events.NewStringSetAttribute(out), nil
		}
		return events.NewNumberSetAttribute(out), nil
	case "BS":
		l, ok := val.([]any)
		if !ok {
			return zero, badf("BS is an array of base64 strings, not " + jsonKind(val))
		}
		out := make([][]byte, len(l))
		for i, e := range l {
			b, err := binary("BS element", e)
			if err != nil {
				return zero, errAt("", i, err)
			}
			out[i] = b
		}
		return events.NewBinarySetAttribute(out), nil
	}
	return zero, badf("unknown type " + quote(typ))
}

func binary(what string, val any) ([]byte, error) {
	s, ok := val.(string)
	if !ok {
		return nil, badf(what + " is a base64 string, not " + jsonKind(val))
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, badf(what + " is not base64: " + err.Error())
	}
	return b, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a value"
}

// quote quotes s for a message, cut to 64 bytes so a hostile value does not flood a log line.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	b, _ := json.Marshal(s)
	return string(b)
}
