package events

import (
	"encoding/json"
	"errors"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/gopowertools/powertools/internal/ddbimage"
)

// DynamoDBUnmarshaler is implemented by a type that decodes itself from an attribute value;
// UnmarshalDynamoDBImage calls it instead of its own rules (attributevalue.Unmarshaler's counterpart).
type DynamoDBUnmarshaler = ddbimage.Unmarshaler

// DynamoDBImage converts a DynamoDB Streams image (Keys, NewImage or OldImage) to map[string]any: S as
// string, N as json.Number (exact: no float rounding), B as []byte, BOOL as bool, NULL as nil, L as []any,
// M as map[string]any, SS as []string, NS as []json.Number, BS as [][]byte. A nil image gives nil. A
// malformed value (a zero DynamoDBAttributeValue, a number that is not a number) is a *DecodeError
// naming the attribute path; it never panics. It is the conversion the batch utility and the parser use.
func DynamoDBImage(image map[string]awsevents.DynamoDBAttributeValue) (map[string]any, error) {
	m, err := ddbimage.Map(image)
	if err != nil {
		return nil, ddbErr(-1, "image", err)
	}
	return m, nil
}

// DynamoDBValue converts one attribute value as DynamoDBImage does.
func DynamoDBValue(av awsevents.DynamoDBAttributeValue) (any, error) {
	v, err := ddbimage.Value(av)
	if err != nil {
		return nil, ddbErr(-1, "attribute", err)
	}
	return v, nil
}

// UnmarshalDynamoDBImage stores an image in the value out points to, by the rules of aws-sdk-go-v2's
// attributevalue.UnmarshalMap: struct fields named by their `dynamodbav` tag ("name", "name,string",
// "-") or their Go name (matched exactly, then case-insensitively), embedded structs flattened, unknown
// attributes ignored; numbers into any integer (overflow is an error), float, json.Number or string, and
// into time.Time as epoch seconds; S into strings and time.Time (RFC 3339); B into []byte; L into slices;
// M into structs and maps; SS, NS and BS into slices; NULL into the zero value. Unlike attributevalue, a
// number stored in an interface is an exact json.Number, not a float64. A value that does not fit is a
// *DecodeError naming the attribute path.
func UnmarshalDynamoDBImage(image map[string]awsevents.DynamoDBAttributeValue, out any) error {
	if err := ddbimage.Decode(image, out); err != nil {
		return ddbErr(-1, "image", err)
	}
	return nil
}

// DynamoDBNewImage decodes the new image of a record into T (UnmarshalDynamoDBImage's rules). A record
// without one (a REMOVE, a KEYS_ONLY or OLD_IMAGE stream) gives T's zero value and false.
func DynamoDBNewImage[T any](r awsevents.DynamoDBEventRecord) (T, bool, error) {
	return ddbImageInto[T]("NewImage", r.Change.NewImage)
}

// DynamoDBOldImage is DynamoDBNewImage for the old image.
func DynamoDBOldImage[T any](r awsevents.DynamoDBEventRecord) (T, bool, error) {
	return ddbImageInto[T]("OldImage", r.Change.OldImage)
}

// DynamoDBKeys is DynamoDBNewImage for the keys.
func DynamoDBKeys[T any](r awsevents.DynamoDBEventRecord) (T, bool, error) {
	return ddbImageInto[T]("Keys", r.Change.Keys)
}

func ddbImageInto[T any](field string, image map[string]awsevents.DynamoDBAttributeValue) (T, bool, error) {
	var v T
	if image == nil {
		return v, false, nil
	}
	if err := ddbimage.Decode(image, &v); err != nil {
		return v, true, ddbErr(-1, field, err)
	}
	return v, true, nil
}

// ParseDynamoDBImage reads an image from its JSON text ({"id": {"S": "x"}, ...}) without
// aws-lambda-go's attribute decoder, which panics on some malformed values ({"BS": [0]}). A malformed
// value is a *DecodeError naming the attribute path and wrapping ErrBadAttribute.
func ParseDynamoDBImage(data []byte) (map[string]awsevents.DynamoDBAttributeValue, error) {
	img, err := ddbimage.Parse(data)
	if err != nil {
		return nil, ddbErr(-1, "image", err)
	}
	return img, nil
}

// DecodeDynamoDBEvent decodes a DynamoDB Streams event from its JSON text. Decoding it with
// encoding/json into awsevents.DynamoDBEvent (what lambda.Start does for a handler taking that type)
// panics on some malformed attribute values ({"BS": [0]}, also nested in L or M); this reads the images
// itself, so a malformed value is a *DecodeError naming the record, the image and the attribute path.
// A handler that takes the payload as json.RawMessage and calls DecodeDynamoDBEvent never panics on
// its input.
func DecodeDynamoDBEvent(payload []byte) (awsevents.DynamoDBEvent, error) {
	var raw struct {
		Records []ddbRawRecord `json:"Records"`
	}
	if err := json.Unmarshal(payload, &raw); err != nil {
		return awsevents.DynamoDBEvent{}, eventsDecodeErr("dynamodb", -1, "event", eventsKind(ErrBadJSON, err))
	}
	ev := awsevents.DynamoDBEvent{Records: make([]awsevents.DynamoDBEventRecord, len(raw.Records))}
	for i := range raw.Records {
		r := &raw.Records[i]
		rec := r.DynamoDBEventRecord
		rec.Change = r.Change.DynamoDBStreamRecord
		var err error
		if rec.Change.Keys, err = ddbimage.ParseRaw(r.Change.Keys); err != nil {
			return awsevents.DynamoDBEvent{}, ddbErr(i, "Keys", err)
		}
		if rec.Change.NewImage, err = ddbimage.ParseRaw(r.Change.NewImage); err != nil {
			return awsevents.DynamoDBEvent{}, ddbErr(i, "NewImage", err)
		}
		if rec.Change.OldImage, err = ddbimage.ParseRaw(r.Change.OldImage); err != nil {
			return awsevents.DynamoDBEvent{}, ddbErr(i, "OldImage", err)
		}
		ev.Records[i] = rec
	}
	return ev, nil
}

// ddbRawRecord is a record whose images stay JSON text: its "dynamodb" field, shallower than the
// embedded record's, takes the key.
type ddbRawRecord struct {
	awsevents.DynamoDBEventRecord
	Change ddbRawChange `json:"dynamodb"`
}

type ddbRawChange struct {
	awsevents.DynamoDBStreamRecord
	Keys     map[string]json.RawMessage `json:"Keys"`
	NewImage map[string]json.RawMessage `json:"NewImage"`
	OldImage map[string]json.RawMessage `json:"OldImage"`
}

// ddbErr wraps a conversion error as a *DecodeError whose field carries the attribute path.
func ddbErr(record int, field string, err error) error {
	var e *ddbimage.Error
	if errors.As(err, &e) {
		return &DecodeError{Source: "dynamodb", Record: record, Field: field + " attribute " + quoteField(e.Path), Err: e.Err}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		err = eventsKind(ErrBadJSON, err)
	}
	return &DecodeError{Source: "dynamodb", Record: record, Field: field, Err: err}
}

func quoteField(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
