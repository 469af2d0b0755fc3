package dynamodbstore_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/idempotency/dynamodbstore"
	"github.com/gopowertools/powertools/internal/testenv"
)

// BenchmarkDynamoDB: per call, a first execution (new key) and a replay through Idempotent, against one
// raw conditional PutItem on the same dynalite in the same run; requests/op counted at the client.
func BenchmarkDynamoDB(b *testing.B) {
	endpoint := testenv.StartDynalite(b)
	raw := newClient(endpoint, 3)
	if _, err := raw.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String("idempotency"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	}); err != nil {
		b.Fatal(err)
	}
	c := &counting{Client: raw}
	store, err := dynamodbstore.New(c, "idempotency")
	if err != nil {
		b.Fatal(err)
	}
	app, err := powertools.New(powertools.WithEnv(map[string]string{}))
	if err != nil {
		b.Fatal(err)
	}
	fn := func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) { return in, nil }
	ctx := context.Background()
	payload := func(i int) json.RawMessage {
		return json.RawMessage(`{"id":"o-` + strconv.Itoa(i) + `","amount":10,"customer":{"email":"a@example.com"}}`)
	}
	requests := func(b *testing.B, before int64) {
		b.ReportMetric(float64(c.n.Load()-before)/float64(b.N), "requests/op")
	}
	b.Run("raw-conditional-PutItem", func(b *testing.B) {
		run := strconv.FormatInt(time.Now().UnixNano(), 10)
		before := c.n.Load()
		for i := 0; b.Loop(); i++ {
			_, err := c.PutItem(ctx, &dynamodb.PutItemInput{
				TableName: aws.String("idempotency"),
				Item: map[string]types.AttributeValue{
					"id":     &types.AttributeValueMemberS{Value: "raw-" + run + "-" + strconv.Itoa(i)},
					"status": &types.AttributeValueMemberS{Value: "INPROGRESS"},
				},
				ConditionExpression: aws.String("attribute_not_exists(id)"),
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		requests(b, before)
	})
	b.Run("first", func(b *testing.B) {
		idem := powertools.Idempotent(app, store, fn, powertools.WithIdemKeyPrefix("first"+strconv.FormatInt(time.Now().UnixNano(), 10)))
		before := c.n.Load()
		for i := 0; b.Loop(); i++ {
			if _, err := idem(ctx, payload(i)); err != nil {
				b.Fatal(err)
			}
		}
		requests(b, before)
	})
	b.Run("replay", func(b *testing.B) {
		idem := powertools.Idempotent(app, store, fn)
		if _, err := idem(ctx, payload(0)); err != nil {
			b.Fatal(err)
		}
		before := c.n.Load()
		for b.Loop() {
			if _, err := idem(ctx, payload(0)); err != nil {
				b.Fatal(err)
			}
		}
		requests(b, before)
	})
}
