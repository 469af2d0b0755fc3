package events

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools/internal/testenv"
)

type ddbItem struct {
	PK       string `dynamodbav:"pk"`
	Customer string `dynamodbav:"customer"`
	Total    json.Number
	Cents    uint64   `dynamodbav:"cents"`
	Paid     bool     `dynamodbav:"paid"`
	Note     *string  `dynamodbav:"note"`
	Tags     []string `dynamodbav:"tags"`
	Sizes    []float64
	Receipt  []byte   `dynamodbav:"receipt"`
	Thumbs   [][]byte `dynamodbav:"thumbs"`
	Items    []struct {
		SKU string `dynamodbav:"sku"`
		Qty int    `dynamodbav:"qty"`
	} `dynamodbav:"items"`
	Address map[string]string `dynamodbav:"address"`
	Created time.Time         `dynamodbav:"created"`
	TTL     time.Time         `dynamodbav:"ttl"`
	Ignored string            `dynamodbav:"-"`
}

func TestDynamoDBEventFixture(t *testing.T) {
	// The fixture decodes the same through encoding/json and through DecodeDynamoDBEvent.
	std := load[awsevents.DynamoDBEvent](t, "dynamodb_stream.json")
	ev, err := DecodeDynamoDBEvent(fixture(t, "dynamodb_stream.json"))
	require.NoError(t, err)
	a, _ := json.Marshal(std)
	b, _ := json.Marshal(ev)
	assert.JSONEq(t, string(a), string(b))
	assert.Equal(t, "111100000000000000000002", ev.Records[1].Change.SequenceNumber)

	item, ok, err := DynamoDBNewImage[ddbItem](ev.Records[0])
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "ORDER#ord-1001", item.PK)
	assert.Equal(t, json.Number("129.50"), item.Total, "numbers stay exact")
	assert.Equal(t, uint64(12345678901234567890), item.Cents)
	assert.True(t, item.Paid)
	assert.Nil(t, item.Note)
	assert.Equal(t, []string{"gift", "priority"}, item.Tags)
	assert.Equal(t, []float64{1, 2.5}, item.Sizes)
	assert.Equal(t, []byte("PDF-1.7"), item.Receipt)
	assert.Equal(t, [][]byte{{1, 2}, {3}}, item.Thumbs)
	assert.Equal(t, "PEN-1", item.Items[1].SKU)
	assert.Equal(t, 2, item.Items[0].Qty)
	assert.Equal(t, map[string]string{"city": "Lyon", "zip": "69001"}, item.Address)
	assert.True(t, item.Created.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)))
	assert.Equal(t, int64(1780135200), item.TTL.Unix())

	_, ok, err = DynamoDBNewImage[ddbItem](ev.Records[1])
	require.NoError(t, err)
	assert.False(t, ok, "a REMOVE has no new image")
	old, ok, err := DynamoDBOldImage[map[string]any](ev.Records[1])
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, map[string]any{"pk": "ORDER#ord-0999", "sk": "META", "customer": "c-7", "total": json.Number("10")}, old)
	keys, _, err := DynamoDBKeys[struct{ PK, SK string }](ev.Records[0])
	require.NoError(t, err)
	assert.Equal(t, "META", keys.SK)

	m, err := DynamoDBImage(ev.Records[0].Change.NewImage)
	require.NoError(t, err)
	assert.Equal(t, json.Number("12345678901234567890"), m["cents"])
	assert.Equal(t, []json.Number{"1", "2.5"}, m["sizes"])
	assert.Equal(t, [][]byte{{1, 2}, {3}}, m["thumbs"])
	assert.Equal(t, map[string]any{"sku": "BOOK-7", "qty": json.Number("2")}, m["items"].([]any)[0])
	v, err := DynamoDBValue(ev.Records[0].Change.NewImage["address"])
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"city": "Lyon", "zip": "69001"}, v)
}

// TestDecodeDynamoDBEventMalformed: aws-lambda-go's decoder panics on these events; ours names the
// record, the image and the attribute.
func TestDecodeDynamoDBEventMalformed(t *testing.T) {
	rec := func(image string) string {
		return `{"Records":[{"eventName":"INSERT","dynamodb":{"Keys":{"pk":{"S":"a"}}}},{"eventName":"MODIFY","dynamodb":{"NewImage":` + image + `}}]}`
	}
	tests := []struct {
		name, payload, field, msg string
		want                      error
	}{
		{"BS element not a string", rec(`{"b":{"BS":[0]}}`), `NewImage attribute "b[0]"`, "BS element is a base64 string, not a number", ErrBadAttribute},
		{"BS in L", rec(`{"l":{"L":[{"BS":[0]}]}}`), `NewImage attribute "l[0][0]"`, "not a number", ErrBadAttribute},
		{"BS in M", rec(`{"m":{"M":{"k":{"BS":[0]}}}}`), `NewImage attribute "m.k[0]"`, "not a number", ErrBadAttribute},
		{"two types", rec(`{"a":{"S":"x","N":"1"}}`), `NewImage attribute "a"`, "more than one type", ErrBadAttribute},
		{"no type", rec(`{"a":{}}`), `NewImage attribute "a"`, "no type", ErrBadAttribute},
		{"bad number", rec(`{"a":{"N":"12,5"}}`), `NewImage attribute "a"`, "invalid number literal", ErrBadAttribute},
		{"bad base64", rec(`{"a":{"B":"%%"}}`), `NewImage attribute "a"`, "not base64", ErrBadAttribute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { _, err = DecodeDynamoDBEvent([]byte(tt.payload)) })
			checkErr(t, err, "dynamodb", 1, tt.field, tt.want)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
	// The panic this guards against is real.
	assert.Panics(t, func() {
		var ev awsevents.DynamoDBEvent
		_ = json.Unmarshal([]byte(rec(`{"b":{"BS":[0]}}`)), &ev)
	})
	_, err := DecodeDynamoDBEvent([]byte(`{"Records":`))
	checkErr(t, err, "dynamodb", -1, "event", ErrBadJSON)
}

func TestUnmarshalDynamoDBImageErrors(t *testing.T) {
	img, err := ParseDynamoDBImage([]byte(`{"qty":{"N":"300"},"tags":{"L":[{"S":"a"},{"N":"1"}]}}`))
	require.NoError(t, err)
	var small struct {
		Qty int8 `dynamodbav:"qty"`
	}
	err = UnmarshalDynamoDBImage(img, &small)
	checkErr(t, err, "dynamodb", -1, `image attribute "qty"`, nil)
	assert.Contains(t, err.Error(), `cannot unmarshal N into Go value of type int8: number "300" does not fit`)
	var tags struct {
		Tags []bool `dynamodbav:"tags"`
	}
	err = UnmarshalDynamoDBImage(img, &tags)
	checkErr(t, err, "dynamodb", -1, `image attribute "tags[0]"`, nil)

	_, err = ParseDynamoDBImage([]byte(`{"a":{"SS":[1]}}`))
	checkErr(t, err, "dynamodb", -1, `image attribute "a[0]"`, ErrBadAttribute)
	_, err = ParseDynamoDBImage([]byte(`{"a":`))
	checkErr(t, err, "dynamodb", -1, "image", ErrBadJSON)

	// A zero attribute value (built by hand) is an error, not a panic.
	_, err = DynamoDBImage(map[string]awsevents.DynamoDBAttributeValue{"z": {}})
	checkErr(t, err, "dynamodb", -1, `image attribute "z"`, ErrBadAttribute)
	_, err = DynamoDBValue(awsevents.DynamoDBAttributeValue{})
	assert.ErrorIs(t, err, ErrBadAttribute)
}

type upperString string

func (u *upperString) UnmarshalDynamoDBAttributeValue(av awsevents.DynamoDBAttributeValue) error {
	if av.DataType() != awsevents.DataTypeString {
		return errors.New("not a string")
	}
	*u = upperString(strings.ToUpper(av.String()))
	return nil
}

func TestDynamoDBUnmarshaler(t *testing.T) {
	var _ DynamoDBUnmarshaler = (*upperString)(nil)
	img, _ := ParseDynamoDBImage([]byte(`{"name":{"S":"lyon"}}`))
	var v struct {
		Name upperString `dynamodbav:"name"`
	}
	require.NoError(t, UnmarshalDynamoDBImage(img, &v))
	assert.Equal(t, upperString("LYON"), v.Name)
}

// TestDynamoDBImageAllocs: converting the fixture's new image allocates a fixed amount.
func TestDynamoDBImageAllocs(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	ev, err := DecodeDynamoDBEvent(fixture(t, "dynamodb_stream.json"))
	require.NoError(t, err)
	img := ev.Records[0].Change.NewImage
	n := testing.AllocsPerRun(50, func() { _, _ = DynamoDBImage(img) })
	assert.LessOrEqual(t, n, 32.0, "DynamoDBImage allocations")
	var item ddbItem
	n = testing.AllocsPerRun(50, func() { _ = UnmarshalDynamoDBImage(img, &item) })
	assert.LessOrEqual(t, n, 20.0, "UnmarshalDynamoDBImage allocations")
}

func BenchmarkDynamoDBImage(b *testing.B) {
	ev, err := DecodeDynamoDBEvent(fixture(b, "dynamodb_stream.json"))
	require.NoError(b, err)
	img := ev.Records[0].Change.NewImage
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = DynamoDBImage(img)
		}
	})
	b.Run("struct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var item ddbItem
			_ = UnmarshalDynamoDBImage(img, &item)
		}
	})
}

func FuzzDynamoDBImage(f *testing.F) {
	f.Add([]byte(`{"b":{"BS":[0]}}`))
	f.Add([]byte(`{"l":{"L":[{"M":{"k":{"BS":["AQ==", 1]}}}]}}`))
	f.Add([]byte(`{"n":{"N":"1e400"},"s":{"SS":["a"]},"x":{"NULL":true}}`))
	f.Add(fixture(f, "dynamodb_stream.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Whole events and bare images: never a panic, errors are *DecodeError.
		if _, err := DecodeDynamoDBEvent(data); err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T %v", err, err)
			}
		}
		img, err := ParseDynamoDBImage(data)
		if err != nil {
			return
		}
		if _, err := DynamoDBImage(img); err != nil {
			t.Fatalf("parsed image does not convert: %v", err)
		}
		var item ddbItem
		_ = UnmarshalDynamoDBImage(img, &item)
		var m map[string]any
		if err := UnmarshalDynamoDBImage(img, &m); err != nil {
			t.Fatalf("parsed image does not decode into a map: %v", err)
		}
	})
}
