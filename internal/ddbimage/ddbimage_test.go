package ddbimage

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

const image = `{
 "id": {"S": "order-7"},
 "qty": {"N": "3"},
 "price": {"N": "12345678901234567890.125"},
 "paid": {"BOOL": true},
 "note": {"NULL": true},
 "blob": {"B": "aGVsbG8="},
 "tags": {"SS": ["a", "b"]},
 "sizes": {"NS": ["1", "2.5"]},
 "chunks": {"BS": ["AQI=", "Aw=="]},
 "lines": {"L": [{"M": {"sku": {"S": "k1"}, "n": {"N": "2"}}}, {"S": "x"}]},
 "addr": {"M": {"city": {"S": "Lyon"}, "zip": {"N": "69001"}}},
 "at": {"S": "2026-03-01T10:00:00Z"},
 "ttl": {"N": "1772359200"}
}`

func TestParseMap(t *testing.T) {
	img, err := Parse([]byte(image))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Map(img)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id": "order-7", "qty": json.Number("3"), "price": json.Number("12345678901234567890.125"),
		"paid": true, "note": nil, "blob": []byte("hello"), "tags": []string{"a", "b"},
		"sizes":  []json.Number{"1", "2.5"},
		"chunks": [][]byte{{1, 2}, {3}},
		"lines":  []any{map[string]any{"sku": "k1", "n": json.Number("2")}, "x"},
		"addr":   map[string]any{"city": "Lyon", "zip": json.Number("69001")},
		"at":     "2026-03-01T10:00:00Z", "ttl": json.Number("1772359200"),
	}
	got, _ := json.Marshal(m)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		t.Fatalf("Map:\n got %s\nwant %s", got, exp)
	}
	// The plain JSON form is the same document.
	js, err := JSON(img)
	if err != nil || string(js) != string(exp) {
		t.Fatalf("JSON: %s %v", js, err)
	}
}

type line struct {
	SKU string `dynamodbav:"sku"`
	N   int    `dynamodbav:"n"`
}

type base struct {
	ID string `dynamodbav:"id"`
}

type order struct {
	base
	Qty    uint8
	Price  json.Number `dynamodbav:"price"`
	Paid   *bool       `dynamodbav:"paid"`
	Note   *string     `dynamodbav:"note"`
	Blob   []byte      `dynamodbav:"blob"`
	Tags   []string    `dynamodbav:"tags"`
	Sizes  []float64   `dynamodbav:"sizes"`
	Chunks [][]byte    `dynamodbav:"chunks"`
	Lines  []any       `dynamodbav:"lines"`
	Addr   struct {
		City string
		Zip  int32
	} `dynamodbav:"addr"`
	At      time.Time `dynamodbav:"at"`
	TTL     time.Time `dynamodbav:"ttl,unixtime"`
	Skipped string    `dynamodbav:"-"`
}

func TestDecode(t *testing.T) {
	img, err := Parse([]byte(image))
	if err != nil {
		t.Fatal(err)
	}
	o := order{Skipped: "kept", Note: new(string)}
	if err := Decode(img, &o); err != nil {
		t.Fatal(err)
	}
	if o.ID != "order-7" || o.Qty != 3 || o.Price != "12345678901234567890.125" || !*o.Paid || o.Note != nil ||
		string(o.Blob) != "hello" || len(o.Tags) != 2 || o.Sizes[1] != 2.5 || o.Chunks[1][0] != 3 ||
		o.Addr.City != "Lyon" || o.Addr.Zip != 69001 || o.Skipped != "kept" ||
		!o.At.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) || o.TTL.Unix() != 1772359200 {
		t.Fatalf("decoded %+v", o)
	}
	if l, ok := o.Lines[0].(map[string]any); !ok || l["n"] != json.Number("2") {
		t.Fatalf("lines %#v", o.Lines)
	}
	var lines struct{ Lines []line }
	img2, _ := Parse([]byte(`{"lines": {"L": [{"M": {"sku": {"S": "k1"}, "n": {"N": "2"}}}]}}`))
	if err := Decode(img2, &lines); err != nil || lines.Lines[0] != (line{"k1", 2}) {
		t.Fatalf("%+v %v", lines, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, in, path, msg string }{
		{"BS element not a string", `{"b": {"BS": [0]}}`, "b[0]", "BS element is a base64 string, not a number"},
		{"BS in L", `{"l": {"L": [{"S": "x"}, {"BS": [0]}]}}`, "l[1][0]", "not a number"},
		{"BS in M", `{"m": {"M": {"k": {"BS": [0]}}}}`, "m.k[0]", "not a number"},
		{"two types", `{"a": {"S": "x", "N": "1"}}`, "a", "more than one type: N and S"},
		{"no type", `{"a": {}}`, "a", "no type"},
		{"not an object", `{"a": "x"}`, "a", "not a string"},
		{"bad base64", `{"a": {"B": "%%%"}}`, "a", "not base64"},
		{"bad number", `{"a": {"N": "1_000"}}`, "a", "invalid number literal"},
		{"number in NS", `{"a": {"NS": ["1", "x"]}}`, "a[1]", "invalid number literal"},
		{"unknown type", `{"a": {"Q": 1}}`, "a", `unknown type "Q"`},
		{"NULL false", `{"a": {"NULL": false}}`, "a", "NULL is true"},
		{"S not string", `{"a": {"S": 1}}`, "a", "S is a string"},
		{"SS element", `{"a": {"SS": [true]}}`, "a[0]", "a boolean"},
		{"L not array", `{"a": {"L": {}}}`, "a", "L is an array"},
		{"M not object", `{"a": {"M": []}}`, "a", "M is an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			var e *Error
			if !errors.As(err, &e) || e.Path != tt.path || !strings.Contains(err.Error(), tt.msg) || !errors.Is(err, ErrBadAttribute) {
				t.Fatalf("err = %v (path %q), want path %q and %q", err, pathOf(e), tt.path, tt.msg)
			}
		})
	}
	if _, err := Parse([]byte(`[1]`)); !errors.Is(err, ErrBadAttribute) {
		t.Fatalf("array image: %v", err)
	}
	if _, err := Parse([]byte(`{`)); err == nil {
		t.Fatal("bad JSON accepted")
	}
	if img, err := Parse([]byte(` null `)); err != nil || img != nil {
		t.Fatal(img, err)
	}
}

func pathOf(e *Error) string {
	if e == nil {
		return "<none>"
	}
	return e.Path
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		out  any
		msg  string
	}{
		{"overflow", `{"n": {"N": "300"}}`, &struct{ N int8 }{}, `DynamoDB attribute "n": cannot unmarshal N into Go value of type int8: number "300" does not fit`},
		{"fraction into int", `{"n": {"N": "1.5"}}`, &struct{ N int }{}, "does not fit"},
		{"negative into uint", `{"n": {"N": "-1"}}`, &struct{ N uint }{}, "does not fit"},
		{"S into int", `{"n": {"S": "1"}}`, &struct{ N int }{}, "cannot unmarshal S into Go value of type int"},
		{"nested", `{"m": {"M": {"l": {"L": [{"N": "1"}, {"BOOL": true}]}}}}`, &struct{ M map[string][]int }{}, `"m.l[1]": cannot unmarshal BOOL`},
		{"bad time", `{"t": {"S": "yesterday"}}`, &struct{ T time.Time }{}, "cannot unmarshal S into Go value of type time.Time"},
		{"array too small", `{"a": {"L": [{"N": "1"}, {"N": "2"}]}}`, &struct{ A [1]int }{}, "do not fit"},
		{"not a pointer", `{}`, struct{}{}, "not a non-nil pointer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			err = Decode(img, tt.out)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %q", err, tt.msg)
			}
		})
	}
}

func TestZeroAttributeValue(t *testing.T) {
	img := map[string]events.DynamoDBAttributeValue{"l": events.NewListAttribute([]events.DynamoDBAttributeValue{{}})}
	if _, err := Map(img); !errors.Is(err, ErrBadAttribute) {
		t.Fatalf("Map: %v", err)
	}
	var v map[string]any
	if err := Decode(img, &v); !errors.Is(err, ErrBadAttribute) {
		t.Fatalf("Decode: %v", err)
	}
	if _, err := JSON(map[string]events.DynamoDBAttributeValue{"x": {}}); !errors.Is(err, ErrBadAttribute) {
		t.Fatalf("JSON: %v", err)
	}
}

type upper string

func (u *upper) UnmarshalDynamoDBAttributeValue(av events.DynamoDBAttributeValue) error {
	*u = upper(strings.ToUpper(av.String()))
	return nil
}

func TestUnmarshaler(t *testing.T) {
	img, _ := Parse([]byte(`{"a": {"S": "x"}, "F": {"N": "1e308"}, "I": {"N": "9223372036854775807"}}`))
	var v struct {
		A upper `dynamodbav:"a"`
		F float64
		I int64
	}
	if err := Decode(img, &v); err != nil || v.A != "X" || v.F != 1e308 || v.I != math.MaxInt64 {
		t.Fatal(v, err)
	}
}

func TestIsNumber(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "12.5", "1e10", "1E+2", "-3.5e-7", "99999999999999999999999999999999999999"} {
		if !IsNumber(s) {
			t.Errorf("%q not a number", s)
		}
	}
	for _, s := range []string{"", "-", "+1", "01", ".5", "5.", "1e", "1e+", "NaN", "Infinity", "0x10", "1_0", " 1"} {
		if IsNumber(s) {
			t.Errorf("%q a number", s)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(image))
	f.Add([]byte(`{"b": {"BS": [0]}}`))
	f.Add([]byte(`{"l": {"L": [{"M": {"k": {"BS": [0]}}}]}}`))
	f.Add([]byte(`{"a": {"S": "x", "N": "1"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Parse(data)
		if err != nil {
			return
		}
		if _, err := JSON(img); err != nil {
			t.Fatalf("parsed image does not encode: %v", err)
		}
		var v map[string]any
		if err := Decode(img, &v); err != nil {
			t.Fatalf("parsed image does not decode: %v", err)
		}
	})
}
