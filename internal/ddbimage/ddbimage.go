// Package ddbimage turns DynamoDB Streams images (typed attribute values: {"S": "x"}, {"N": "1"},
// {"M": {...}}...) into plain JSON. It is shared by the batch utility's typed DynamoDB processing and the
// parser's ParseDynamoDBStream, so both read an image the same way.
package ddbimage

import (
	"encoding/json"
	"errors"

	"github.com/aws/aws-lambda-go/events"
)

// ErrBadAttribute reports an attribute value the events package would panic on (a zero value or
// one whose content does not match its type).
var ErrBadAttribute = errors.New("powertools: malformed DynamoDB attribute value")

// JSON encodes a DynamoDB image as plain JSON. A number that is not a JSON number is an error.
func JSON(image map[string]events.DynamoDBAttributeValue) (out []byte, err error) {
	// The events package's accessors panic on a value whose content does not match its type (a zero
	// DynamoDBAttributeValue, or one built by hand): that is bad input, not a crash.
	defer func() {
		if recover() != nil {
			out, err = nil, ErrBadAttribute
		}
	}()
	return json.Marshal(plain(image))
}

func plain(image map[string]events.DynamoDBAttributeValue) map[string]any {
	m := make(map[string]any, len(image))
	for k, av := range image {
		m[k] = attributePlain(av)
	}
	return m
}

// attributePlain turns an attribute value into the value encoding/json writes as its plain form.
func attributePlain(av events.DynamoDBAttributeValue) any {
	switch av.DataType() {
	case events.DataTypeString:
		return av.String()
	case events.DataTypeNumber:
		// encoding/json writes an empty json.Number as 0; DynamoDB has no empty number.
		if av.Number() == "" {
			panic(ErrBadAttribute)
		}
		return json.Number(av.Number())
	case events.DataTypeBinary:
		return av.Binary()
	case events.DataTypeBoolean:
		return av.Boolean()
	case events.DataTypeNull:
		return nil
	case events.DataTypeList:
		l := av.List()
		out := make([]any, len(l))
		for i, v := range l {
			out[i] = attributePlain(v)
		}
		return out
	case events.DataTypeMap:
		return plain(av.Map())
	case events.DataTypeStringSet:
		return av.StringSet()
	case events.DataTypeNumberSet:
		ns := av.NumberSet()
		out := make([]json.Number, len(ns))
		for i, n := range ns {
			out[i] = json.Number(n)
		}
		return out
	case events.DataTypeBinarySet:
		return av.BinarySet()
	}
	panic(ErrBadAttribute)
}
