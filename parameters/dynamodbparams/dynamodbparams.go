// Package dynamodbparams is the DynamoDB part of package parameters alone: the provider over an SDK
// DynamoDB client, linking only the SDK's dynamodb package.
//
//	p := dynamodbparams.NewProvider(dynamodb.NewFromConfig(cfg), "app-config")
//	value, err := p.Get(ctx, "feature-x")
package dynamodbparams

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/gopowertools/powertools"
)

// Client is the part of *dynamodb.Client the DynamoDB provider calls.
type Client interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// NewProvider is powertools.NewDynamoDBProvider over an SDK DynamoDB client.
func NewProvider(client Client, table string, opts ...powertools.ParamOption) *powertools.DynamoDBProvider {
	return powertools.NewDynamoDBProvider(Adapt(client), table, opts...)
}

// Adapt turns an SDK DynamoDB client into the library's interface. The value attribute may be a string,
// a number (its text) or binary (its bytes).
func Adapt(client Client) powertools.ParamDynamoDBClient {
	if client == nil {
		return nil
	}
	return dynamoAdapter{client}
}

type dynamoAdapter struct{ c Client }

func (a dynamoAdapter) GetItem(ctx context.Context, table, keyAttr, key, valueAttr string) (string, error) {
	out, err := a.c.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            &table,
		Key:                  map[string]ddbtypes.AttributeValue{keyAttr: &ddbtypes.AttributeValueMemberS{Value: key}},
		ProjectionExpression: aws.String("#v"),
		ExpressionAttributeNames: map[string]string{
			"#v": valueAttr,
		},
	})
	if err != nil {
		return "", err
	}
	if out.Item == nil {
		return "", powertools.ParamNotFound(nil)
	}
	return dynamoValue(out.Item[valueAttr], valueAttr)
}

func (a dynamoAdapter) Query(ctx context.Context, table, keyAttr, key, sortAttr, valueAttr string, start any) ([]powertools.ParamItem, any, error) {
	in := &dynamodb.QueryInput{
		TableName:                &table,
		KeyConditionExpression:   aws.String("#k = :k"),
		ExpressionAttributeNames: map[string]string{"#k": keyAttr},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":k": &ddbtypes.AttributeValueMemberS{Value: key},
		},
	}
	if lek, ok := start.(map[string]ddbtypes.AttributeValue); ok && len(lek) > 0 {
		in.ExclusiveStartKey = lek
	}
	out, err := a.c.Query(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	items := make([]powertools.ParamItem, 0, len(out.Items))
	for _, it := range out.Items {
		sk, err := dynamoValue(it[sortAttr], sortAttr)
		if err != nil {
			return nil, nil, err
		}
		v, err := dynamoValue(it[valueAttr], valueAttr)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, powertools.ParamItem{Name: sk, Value: v})
	}
	if len(out.LastEvaluatedKey) == 0 {
		return items, nil, nil
	}
	return items, out.LastEvaluatedKey, nil
}

// errAttribute reports a missing or non-scalar attribute; its text names the attribute, never a value.
type errAttribute struct{ name, reason string }

func (e *errAttribute) Error() string { return "attribute " + e.name + " " + e.reason }

func dynamoValue(av ddbtypes.AttributeValue, name string) (string, error) {
	switch v := av.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return v.Value, nil
	case *ddbtypes.AttributeValueMemberN:
		return v.Value, nil
	case *ddbtypes.AttributeValueMemberB:
		return string(v.Value), nil
	case nil:
		return "", &errAttribute{name, "is missing"}
	}
	return "", &errAttribute{name, "is not a string, number or binary"}
}
