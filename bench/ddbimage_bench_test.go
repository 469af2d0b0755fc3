package bench

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gopowertools/powertools/events"
)

// ddbItem is the struct both decoders fill: fields whose rules are the same in events and attributevalue.
type ddbItem struct {
	PK       string   `dynamodbav:"pk"`
	SK       string   `dynamodbav:"sk"`
	Customer string   `dynamodbav:"customer"`
	Total    float64  `dynamodbav:"total"`
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
	TTL     int64             `dynamodbav:"ttl"`
}

// ddbImages is the new image of the events package's DynamoDB fixture in both forms: aws-lambda-go's
// attribute values (what a stream handler receives) and aws-sdk-go-v2's (what attributevalue reads).
func ddbImages(tb testing.TB) (map[string]awsevents.DynamoDBAttributeValue, map[string]types.AttributeValue) {
	tb.Helper()
	data, err := os.ReadFile("../events/testdata/dynamodb_stream.json")
	if err != nil {
		tb.Fatal(err)
	}
	ev, err := events.DecodeDynamoDBEvent(data)
	if err != nil {
		tb.Fatal(err)
	}
	img := ev.Records[0].Change.NewImage
	var raw struct {
		Records []struct {
			DynamoDB struct {
				NewImage map[string]json.RawMessage `json:"NewImage"`
			} `json:"dynamodb"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		tb.Fatal(err)
	}
	sdk := map[string]types.AttributeValue{}
	for k, v := range raw.Records[0].DynamoDB.NewImage {
		sdk[k] = sdkValue(tb, v)
	}
	return img, sdk
}

func sdkValue(tb testing.TB, raw json.RawMessage) types.AttributeValue {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	for t, v := range m {
		var s string
		var l []string
		switch t {
		case "S":
			_ = json.Unmarshal(v, &s)
			return &types.AttributeValueMemberS{Value: s}
		case "N":
			_ = json.Unmarshal(v, &s)
			return &types.AttributeValueMemberN{Value: s}
		case "B":
			_ = json.Unmarshal(v, &s)
			b, _ := base64.StdEncoding.DecodeString(s)
			return &types.AttributeValueMemberB{Value: b}
		case "BOOL":
			var b bool
			_ = json.Unmarshal(v, &b)
			return &types.AttributeValueMemberBOOL{Value: b}
		case "NULL":
			return &types.AttributeValueMemberNULL{Value: true}
		case "SS":
			_ = json.Unmarshal(v, &l)
			return &types.AttributeValueMemberSS{Value: l}
		case "NS":
			_ = json.Unmarshal(v, &l)
			return &types.AttributeValueMemberNS{Value: l}
		case "BS":
			_ = json.Unmarshal(v, &l)
			bs := make([][]byte, len(l))
			for i, s := range l {
				bs[i], _ = base64.StdEncoding.DecodeString(s)
			}
			return &types.AttributeValueMemberBS{Value: bs}
		case "L":
			var items []json.RawMessage
			_ = json.Unmarshal(v, &items)
			out := make([]types.AttributeValue, len(items))
			for i, it := range items {
				out[i] = sdkValue(tb, it)
			}
			return &types.AttributeValueMemberL{Value: out}
		case "M":
			var items map[string]json.RawMessage
			_ = json.Unmarshal(v, &items)
			out := map[string]types.AttributeValue{}
			for k, it := range items {
				out[k] = sdkValue(tb, it)
			}
			return &types.AttributeValueMemberM{Value: out}
		}
	}
	tb.Fatalf("bad attribute value %s", raw)
	return nil
}

// TestDynamoDBImageEquivalence: events.UnmarshalDynamoDBImage fills the struct exactly as
// attributevalue.UnmarshalMap does, and the map form holds the same values (numbers exact there).
func TestDynamoDBImageEquivalence(t *testing.T) {
	img, sdk := ddbImages(t)
	var ours, theirs ddbItem
	if err := events.UnmarshalDynamoDBImage(img, &ours); err != nil {
		t.Fatal(err)
	}
	if err := attributevalue.UnmarshalMap(sdk, &theirs); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ours, theirs) {
		t.Fatalf("struct:\n ours   %+v\n theirs %+v", ours, theirs)
	}
	m, err := events.DynamoDBImage(img)
	if err != nil {
		t.Fatal(err)
	}
	var am map[string]any
	if err := attributevalue.UnmarshalMapWithOptions(sdk, &am, func(o *attributevalue.DecoderOptions) { o.UseNumber = true }); err != nil {
		t.Fatal(err)
	}
	// json.Number and attributevalue.Number are both strings: printed, the maps are the same.
	a, b := fmt.Sprint(m), fmt.Sprint(am)
	if a != b {
		t.Fatalf("map:\n ours   %s\n theirs %s", a, b)
	}
}

// BenchmarkDynamoDBImage: the fixture's new image (15 attributes: every type, nested L and M) into
// map[string]any and into ddbItem, by the events package and by attributevalue.UnmarshalMap.
func BenchmarkDynamoDBImage(b *testing.B) {
	img, sdk := ddbImages(b)
	for _, c := range []struct {
		name   string
		decode func() error
	}{
		{"map/events", func() error { _, err := events.DynamoDBImage(img); return err }},
		{"map/attributevalue", func() error { var m map[string]any; return attributevalue.UnmarshalMap(sdk, &m) }},
		{"struct/events", func() error { var it ddbItem; return events.UnmarshalDynamoDBImage(img, &it) }},
		{"struct/attributevalue", func() error { var it ddbItem; return attributevalue.UnmarshalMap(sdk, &it) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.decode(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
