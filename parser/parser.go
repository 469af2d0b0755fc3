package parser

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/ddbimage"
	"github.com/gopowertools/powertools/internal/eventbody"
	"github.com/gopowertools/powertools/internal/jsonscan"
	"github.com/gopowertools/powertools/validation"
)

// ParseError reports a value the parser could not turn into its Go type. Record is the index of the
// failing record in a batch (-1 when the event carries a single value); Source names the event source
// or the envelope. Err is a *validation.ValidationError (whose Path is written against the record), a
// *validation.SchemaError, a *powertools.DecodeError, a *powertools.JMESPathError or a
// *powertools.EnvelopeError, reachable through errors.Is and errors.As.
type ParseError struct {
	Source string
	Record int
	Err    error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("powertools: parse ")
	b.WriteString(e.Source)
	if e.Record >= 0 {
		b.WriteString(" record ")
		b.WriteString(strconv.Itoa(e.Record))
	}
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "powertools: "))
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse decodes payload into T, after unwrapping it with the JMESPath envelope when envelope is not ""
// (a powertools.Envelope* constant or any expression). The value is first validated against
// validation.SchemaFor[T](). An HTTP event's body marked isBase64Encoded is decoded before the envelope
// runs. With an envelope that selects a list (powertools.EnvelopeSQS,
// powertools.EnvelopeKinesisDataStream...) T is a slice type and a
// validation failure's ParseError.Record is the index of the failing element. Errors are *ParseError.
func Parse[T any](payload []byte, envelope string) (T, error) {
	var zero T
	source := "event"
	if envelope != "" {
		source = strconv.Quote(envelope)
	}
	fail := func(record int, err error) (T, error) {
		return zero, &ParseError{Source: source, Record: record, Err: err}
	}
	sch := validation.SchemaFor[T]()
	if err := sch.Compile(); err != nil {
		return fail(-1, err)
	}
	if envelope == "" {
		return parserDecode[T](sch, source, -1, payload)
	}
	env, err := powertools.CompileEnvelope(envelope)
	if err != nil {
		return fail(-1, err)
	}
	if payload, _, err = eventbody.Decoded(payload); err != nil { // a base64 body, as validation decodes it
		return fail(-1, err)
	}
	v, err := env.Unwrap(payload)
	if err != nil {
		return fail(-1, err)
	}
	if err := validation.Validate(v, sch, ""); err != nil {
		return fail(parserRecordOf(v, err), err)
	}
	return parserConvert[T](v, source)
}

// parserRecordOf is the index of the list element a validation failure is in, or -1.
func parserRecordOf(v any, err error) int {
	var ve *validation.ValidationError
	if _, isList := v.([]any); !isList || !errors.As(err, &ve) {
		return -1
	}
	idx, _, _ := strings.Cut(strings.TrimPrefix(ve.Path, "$["), "]")
	if i, err := strconv.Atoi(idx); err == nil {
		return i
	}
	return -1
}

// parserConvert moves generic JSON data, already validated, into T.
func parserConvert[T any](v any, source string) (T, error) {
	var out T
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		return out, &ParseError{Source: source, Record: -1, Err: &powertools.DecodeError{Step: "json", Err: err}}
	}
	return out, nil
}

// parserDecode validates one JSON document against sch and decodes it into T.
func parserDecode[T any](sch validation.Schema, source string, record int, data []byte) (T, error) {
	var out T
	err := sch.ValidateJSON(data)
	if err == nil {
		if uerr := json.Unmarshal(data, &out); uerr != nil {
			err = &powertools.DecodeError{Step: "json", Err: uerr}
		}
	}
	if err != nil {
		return out, &ParseError{Source: source, Record: record, Err: err}
	}
	return out, nil
}

// parserBatch decodes each record's JSON text into T. Records are decoded in order and the first
// failure stops the batch: a typed batch is all or nothing (use the batch utility for partial failures).
func parserBatch[T any](source string, texts func(yield func(int, []byte, error) bool)) ([]T, error) {
	sch := validation.SchemaFor[T]()
	if err := sch.Compile(); err != nil {
		return nil, &ParseError{Source: source, Record: -1, Err: err}
	}
	var out []T
	var failed error
	texts(func(i int, text []byte, err error) bool {
		if err != nil {
			failed = &ParseError{Source: source, Record: i, Err: err}
			return false
		}
		v, err := parserDecode[T](sch, source, i, text)
		if err != nil {
			failed = err
			return false
		}
		out = append(out, v)
		return true
	})
	if failed != nil {
		return nil, failed
	}
	return out, nil
}

// parserBatchJoined is the way of a batch whose records are all valid: it unquotes the JSON strings of
// payload at bounds into one JSON array, checks each with the schema's fast path as it goes, and decodes
// the array into []T in one call (a call per record costs encoding/json its state each time). Each
// element is a whole document on its own, so the array decodes to what the records decode to one by
// one. ok is false on anything else (a record the fast path does not accept, a decoding error): the
// caller then goes record by record, which finds the first failure and reports it.
func parserBatchJoined[T any](payload []byte, bounds [][2]int) ([]T, bool) {
	sch := validation.SchemaFor[T]()
	pooled := jsonscan.Buffer()
	buf, ok := jsonscan.JoinStrings(*pooled, payload, bounds, func(record []byte) bool { return sch.ValidateJSON(record) == nil })
	defer func() { jsonscan.ReleaseBuffer(pooled, buf) }()
	if !ok {
		return nil, false
	}
	out := make([]T, 0, len(bounds))
	if err := json.Unmarshal(buf, &out); err != nil || len(out) != len(bounds) {
		return nil, false
	}
	return out, true
}

// parserUnquoted yields the value of each JSON string of payload at bounds, in one buffer reused from
// record to record (parserBatch is done with a record's text before it asks for the next).
func parserUnquoted(payload []byte, bounds [][2]int) func(yield func(int, []byte, error) bool) {
	return func(yield func(int, []byte, error) bool) {
		var buf []byte
		for i, b := range bounds {
			var ok bool
			if buf, ok = jsonscan.Unquote(buf[:0], payload[b[0]+1:b[1]-1]); !ok {
				var s string
				if err := json.Unmarshal(payload[b[0]:b[1]], &s); err != nil {
					yield(i, nil, &powertools.DecodeError{Step: "json", Err: err})
					return
				}
				buf = append(buf[:0], s...)
			}
			if !yield(i, buf, nil) {
				return
			}
		}
	}
}

// parserEvent decodes the outer event into the minimal shape a helper reads.
func parserEvent(source string, payload []byte, dst any) error {
	if err := json.Unmarshal(payload, dst); err != nil {
		return &ParseError{Source: source, Record: -1, Err: &powertools.DecodeError{Step: "json", Err: err}}
	}
	return nil
}

// parserMissing is the error for an event without the field a helper unwraps.
func parserMissing(source, path string, record int) error {
	return &ParseError{Source: source, Record: record, Err: &powertools.EnvelopeError{Envelope: path}}
}

// ParseSQS decodes the JSON body of every record of an SQS event into T.
func ParseSQS[T any](payload []byte) ([]T, error) {
	const source = "sqs"
	pooled := jsonscan.Bounds()
	bodies, ok := jsonscan.SQSBodies(*pooled, payload)
	defer jsonscan.ReleaseBounds(pooled, bodies)
	if ok {
		if out, ok := parserBatchJoined[T](payload, bodies); ok {
			return out, nil
		}
		return parserBatch[T](source, parserUnquoted(payload, bodies))
	}
	type record struct {
		Body *string `json:"body"`
	}
	return parserRecords[T](source, payload, func(i int, r *record) ([]byte, error) {
		if r.Body == nil {
			return nil, parserMissingField(i, "body")
		}
		return []byte(*r.Body), nil
	})
}

// ParseSNS decodes the JSON message of every record of an SNS event into T.
func ParseSNS[T any](payload []byte) ([]T, error) {
	type record struct {
		Sns *struct {
			Message *string `json:"Message"`
		} `json:"Sns"`
	}
	return parserRecords[T]("sns", payload, func(i int, r *record) ([]byte, error) {
		if r.Sns == nil || r.Sns.Message == nil {
			return nil, parserMissingField(i, "Sns.Message")
		}
		return []byte(*r.Sns.Message), nil
	})
}

// ParseKinesis decodes the base64 JSON data of every record of a Kinesis Data Streams event into T.
func ParseKinesis[T any](payload []byte) ([]T, error) {
	type record struct {
		Kinesis *struct {
			Data *string `json:"data"`
		} `json:"kinesis"`
	}
	return parserRecords[T]("kinesis", payload, func(i int, r *record) ([]byte, error) {
		if r.Kinesis == nil || r.Kinesis.Data == nil {
			return nil, parserMissingField(i, "kinesis.data")
		}
		return powertools.DecodeBase64(*r.Kinesis.Data)
	})
}

// parserRecords decodes the Records array of an event and parses the payload payloadOf takes from each
// record, stopping at the first record that fails.
func parserRecords[T, R any](source string, payload []byte, payloadOf func(i int, r *R) ([]byte, error)) ([]T, error) {
	var ev struct {
		Records *[]R `json:"Records"`
	}
	if err := parserEvent(source, payload, &ev); err != nil {
		return nil, err
	}
	if ev.Records == nil {
		return nil, parserMissing(source, "Records", -1)
	}
	return parserBatch[T](source, func(yield func(int, []byte, error) bool) {
		for i := range *ev.Records {
			text, err := payloadOf(i, &(*ev.Records)[i])
			if !yield(i, text, err) {
				return
			}
		}
	})
}

// parserMissingField is the error of record i lacking the field at path.
func parserMissingField(i int, path string) error {
	return &powertools.EnvelopeError{Envelope: "Records[" + strconv.Itoa(i) + "]." + path}
}

// ParseCloudWatchLogs decodes the message of every log event of a CloudWatch Logs subscription event
// (base64, gzip, then JSON) into T: each message must be a JSON document.
func ParseCloudWatchLogs[T any](payload []byte) ([]T, error) {
	const source = "cloudwatch logs"
	var ev struct {
		Awslogs *struct {
			Data *string `json:"data"`
		} `json:"awslogs"`
	}
	if err := parserEvent(source, payload, &ev); err != nil {
		return nil, err
	}
	if ev.Awslogs == nil || ev.Awslogs.Data == nil {
		return nil, parserMissing(source, "awslogs.data", -1)
	}
	raw, err := powertools.DecodeBase64(*ev.Awslogs.Data)
	if err == nil {
		raw, err = powertools.Gunzip(raw)
	}
	if err != nil {
		return nil, &ParseError{Source: source, Record: -1, Err: err}
	}
	var logs struct {
		LogEvents *[]struct {
			Message *string `json:"message"`
		} `json:"logEvents"`
	}
	if err := parserEvent(source, raw, &logs); err != nil {
		return nil, err
	}
	if logs.LogEvents == nil {
		return nil, parserMissing(source, "awslogs.data.logEvents", -1)
	}
	return parserBatch[T](source, func(yield func(int, []byte, error) bool) {
		for i, l := range *logs.LogEvents {
			if l.Message == nil {
				yield(i, nil, &powertools.EnvelopeError{Envelope: "logEvents[" + strconv.Itoa(i) + "].message"})
				return
			}
			if !yield(i, []byte(*l.Message), nil) {
				return
			}
		}
	})
}

// ParseEventBridge decodes the detail of an EventBridge (or scheduled CloudWatch Events) event into T.
func ParseEventBridge[T any](payload []byte) (T, error) {
	const source = "eventbridge"
	var zero T
	var ev struct {
		Detail json.RawMessage `json:"detail"`
	}
	if err := parserEvent(source, payload, &ev); err != nil {
		return zero, err
	}
	if len(ev.Detail) == 0 || string(ev.Detail) == "null" {
		return zero, parserMissing(source, "detail", -1)
	}
	return parserSingle[T](source, ev.Detail)
}

// ParseAPIGateway decodes the JSON body of an API Gateway REST (v1) or HTTP (v2) proxy event, or of a
// function URL, ALB or VPC Lattice (v1 or v2) event, into T. A body marked isBase64Encoded (or
// is_base64_encoded, VPC Lattice v1) is decoded from base64 first, as validation.Validate decodes it.
func ParseAPIGateway[T any](payload []byte) (T, error) {
	const source = "api gateway"
	var zero T
	body, found, err := eventbody.Body(payload)
	if err != nil {
		return zero, &ParseError{Source: source, Record: -1, Err: err}
	}
	if !found {
		return zero, parserMissing(source, "body", -1)
	}
	return parserSingle[T](source, body)
}

// parserSingle validates and decodes the one value an event carries.
func parserSingle[T any](source string, data []byte) (T, error) {
	sch := validation.SchemaFor[T]()
	if err := sch.Compile(); err != nil {
		var zero T
		return zero, &ParseError{Source: source, Record: -1, Err: err}
	}
	return parserDecode[T](sch, source, -1, data)
}

// DynamoDBChange is one record of a DynamoDB stream with its images decoded into T. An image the stream
// view does not carry (NEW_IMAGE, OLD_IMAGE, KEYS_ONLY) is nil.
type DynamoDBChange[T any] struct {
	EventName string // INSERT, MODIFY or REMOVE
	NewImage  *T
	OldImage  *T
}

// ParseDynamoDBStream decodes the new and old images of every record of a DynamoDB Streams event into T.
// Images are converted from DynamoDB's typed attribute values ({"S": "x"}, {"N": "1"}, {"M": {...}}...)
// to plain JSON first: S and B as strings (B stays base64), N as numbers, BOOL, NULL, M as objects, L,
// SS, NS and BS as arrays.
func ParseDynamoDBStream[T any](payload []byte) ([]DynamoDBChange[T], error) {
	const source = "dynamodb stream"
	var ev struct {
		Records *[]struct {
			EventName string `json:"eventName"`
			DynamoDB  *struct {
				NewImage map[string]json.RawMessage `json:"NewImage"`
				OldImage map[string]json.RawMessage `json:"OldImage"`
			} `json:"dynamodb"`
		} `json:"Records"`
	}
	if err := parserEvent(source, payload, &ev); err != nil {
		return nil, err
	}
	if ev.Records == nil {
		return nil, parserMissing(source, "Records", -1)
	}
	sch := validation.SchemaFor[T]()
	if err := sch.Compile(); err != nil {
		return nil, &ParseError{Source: source, Record: -1, Err: err}
	}
	var err error
	out := make([]DynamoDBChange[T], 0, len(*ev.Records))
	for i, r := range *ev.Records {
		if r.DynamoDB == nil {
			return nil, parserMissing(source, "Records["+strconv.Itoa(i)+"].dynamodb", i)
		}
		c := DynamoDBChange[T]{EventName: r.EventName}
		if c.NewImage, err = parserImage[T](sch, source, i, "NewImage", r.DynamoDB.NewImage); err != nil {
			return nil, err
		}
		if c.OldImage, err = parserImage[T](sch, source, i, "OldImage", r.DynamoDB.OldImage); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// parserImage converts one DynamoDB image to JSON (internal/ddbimage: the conversion the batch utility
// and the events package use, which reads the attribute values itself and so never panics on a malformed
// one) and decodes it; a nil image stays nil. A malformed attribute value is a *DecodeError naming the
// image and the attribute.
func parserImage[T any](sch validation.Schema, source string, record int, name string, img map[string]json.RawMessage) (*T, error) {
	if img == nil {
		return nil, nil
	}
	bad := func(err error) (*T, error) {
		return nil, &ParseError{Source: source, Record: record, Err: &powertools.DecodeError{Step: "json", Err: fmt.Errorf("%s: %w", name, err)}}
	}
	image, err := ddbimage.ParseRaw(img)
	if err != nil {
		return bad(err)
	}
	data, err := ddbimage.JSON(image)
	if err != nil {
		return bad(err)
	}
	v, err := parserDecode[T](sch, source, record, data)
	if err != nil {
		return nil, err
	}
	return &v, nil
}
