package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/gopowertools/powertools/events"
)

type Order struct {
	ID    string  `json:"id"`
	Total float64 `json:"total"`
}

// The body of any HTTP event, base64 or not, decoded as JSON; headers and query values found the same
// way on every shape.
func ExampleBodyJSON() {
	req := awsevents.APIGatewayV2HTTPRequest{
		Headers:               map[string]string{"x-tenant": "acme"},
		QueryStringParameters: map[string]string{"tag": "gift,priority"},
		Body:                  "eyJpZCI6Im9yZC0xMDAxIiwidG90YWwiOjEyOS41fQ==",
		IsBase64Encoded:       true,
	}
	r := events.FromAPIGatewayV2(&req)
	order, err := events.BodyJSON[Order](r)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(order.ID, order.Total, events.Header(r, "X-Tenant"), events.QueryList(r, "tag"))

	_, err = events.BodyJSON[Order](events.VPCLatticeV2Request{Body: "{", Method: "POST"})
	fmt.Println(err, errors.Is(err, events.ErrBadJSON))
	// Output:
	// ord-1001 129.5 acme [gift priority]
	// powertools: decode http body: malformed JSON: unexpected end of JSON input true
}

// S3 event notifications percent-encode keys and write a space as "+".
func ExampleDecodeS3Key() {
	key, err := events.DecodeS3Key("invoices/2026/ord-1001+%28copy%29.pdf")
	fmt.Println(key, err)
	_, err = events.DecodeS3Key("invoices/100%.pdf")
	fmt.Println(err)
	// Output:
	// invoices/2026/ord-1001 (copy).pdf <nil>
	// powertools: malformed percent escape: S3 key "invoices/100%.pdf": invalid URL escape "%.p"
}

// A DynamoDB Streams event decoded without aws-lambda-go's panicking attribute decoder, and its new
// image decoded into a struct by attributevalue's rules (numbers exact).
func ExampleDynamoDBNewImage() {
	payload := []byte(`{"Records":[{"eventName":"INSERT","dynamodb":{"NewImage":{
		"pk":{"S":"ORDER#ord-1001"},"total":{"N":"129.50"},"tags":{"SS":["gift"]}}}}]}`)
	ev, err := events.DecodeDynamoDBEvent(payload)
	if err != nil {
		fmt.Println(err)
		return
	}
	type item struct {
		PK    string      `dynamodbav:"pk"`
		Total json.Number `dynamodbav:"total"`
		Tags  []string    `dynamodbav:"tags"`
	}
	it, ok, err := events.DynamoDBNewImage[item](ev.Records[0])
	fmt.Println(it.PK, it.Total, it.Tags, ok, err)

	_, err = events.DecodeDynamoDBEvent([]byte(`{"Records":[{"dynamodb":{"NewImage":{"b":{"BS":[0]}}}}]}`))
	fmt.Println(err)
	// Output:
	// ORDER#ord-1001 129.50 [gift] true <nil>
	// powertools: decode dynamodb record 0 NewImage attribute "b[0]": malformed DynamoDB attribute value: BS element is a base64 string, not a number
}

// The body of an SQS message as JSON, and its message attributes typed.
func ExampleSQSBodyJSON() {
	prio := "3"
	msg := awsevents.SQSMessage{
		Body:              `{"id":"ord-1001","total":129.5}`,
		MessageAttributes: map[string]awsevents.SQSMessageAttribute{"priority": {DataType: "Number", StringValue: &prio}},
	}
	order, err := events.SQSBodyJSON[Order](msg)
	a, _ := events.SQSAttribute(msg, "priority")
	n, _ := a.Int64()
	fmt.Println(order.ID, err, n)
	// Output:
	// ord-1001 <nil> 3
}

// The IAM policy of a REST API token authorizer: one route allowed, one denied.
func ExampleNewPolicyFor() {
	p, err := events.NewPolicyFor("user-42", "arn:aws:execute-api:eu-west-3:210987654321:k3v9q2w1ab/prod/GET/orders")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := p.AllowRoute("GET", "/orders/*").DenyRoute("DELETE", "/orders/*").
		WithContext(map[string]any{"tenant": "acme"}).Response()
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.MarshalIndent(resp, "", " ")
	fmt.Println(string(out))
	// Output:
	// {
	//  "principalId": "user-42",
	//  "policyDocument": {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//    {
	//     "Action": [
	//      "execute-api:Invoke"
	//     ],
	//     "Effect": "Allow",
	//     "Resource": [
	//      "arn:aws:execute-api:eu-west-3:210987654321:k3v9q2w1ab/prod/GET/orders/*"
	//     ]
	//    },
	//    {
	//     "Action": [
	//      "execute-api:Invoke"
	//     ],
	//     "Effect": "Deny",
	//     "Resource": [
	//      "arn:aws:execute-api:eu-west-3:210987654321:k3v9q2w1ab/prod/DELETE/orders/*"
	//     ]
	//    }
	//   ]
	//  },
	//  "context": {
	//   "tenant": "acme"
	//  }
	// }
}

// handleInvoices is the README's snippet: an SQS queue receiving S3 notifications.
func handleInvoices(ctx context.Context, ev awsevents.SQSEvent) error {
	for _, msg := range ev.Records {
		s3ev, err := events.S3FromSQS(msg)
		if errors.Is(err, events.ErrNotS3) {
			continue // the s3:TestEvent S3 sends when the notification is configured
		}
		if err != nil {
			return err // names the record's field and the cause: bad JSON, bad key escape
		}
		keys, err := events.S3Keys(s3ev) // "+" is a space, %XX decoded
		if err != nil {
			return err
		}
		for i, key := range keys {
			fmt.Println(s3ev.Records[i].S3.Bucket.Name, key)
		}
	}
	return nil
}

// S3 notifications delivered through SQS, unwrapped by one call, with their keys decoded.
func Example_s3FromSQS() {
	body := `{"Records":[{"eventSource":"aws:s3","s3":{"bucket":{"name":"acme-invoices"},"object":{"key":"2026/ord-1001+%28copy%29.pdf"}}}]}`
	ev := awsevents.SQSEvent{Records: []awsevents.SQSMessage{
		{MessageId: "1", Body: `{"Service":"Amazon S3","Event":"s3:TestEvent"}`},
		{MessageId: "2", Body: body},
	}}
	fmt.Println(handleInvoices(context.Background(), ev))
	// Output:
	// acme-invoices 2026/ord-1001 (copy).pdf
	// <nil>
}
