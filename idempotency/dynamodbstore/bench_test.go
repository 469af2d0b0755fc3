package dynamodbstore_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/gopowertools/powertools/idempotency/dynamodbstore"
	"github.com/gopowertools/powertools/internal/idemtest"
)

// BenchmarkDynamoDB: per call, a first execution (new key) and a replay through Idempotent, against one
// raw conditional PutItem on the same dynalite in the same run; requests/op counted at the client.
func BenchmarkDynamoDB(b *testing.B) {
	c := &counting{Client: newTable(b)}
	store, err := dynamodbstore.New(c, "idempotency")
	if err != nil {
		b.Fatal(err)
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 10)
	idemtest.Bench(b, store, c.n.Load, "raw-conditional-PutItem", func(ctx context.Context, i int) error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String("idempotency"),
			Item: map[string]types.AttributeValue{
				"id":     &types.AttributeValueMemberS{Value: "raw-" + run + "-" + strconv.Itoa(i)},
				"status": &types.AttributeValueMemberS{Value: "INPROGRESS"},
			},
			ConditionExpression: aws.String("attribute_not_exists(id)"),
		})
		return err
	})
}
