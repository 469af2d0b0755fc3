package powertools_test

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gopowertools/powertools"
)

type PurchaseOrder struct {
	ID       string `json:"id" jsonschema:"minLength=1"`
	Quantity int    `json:"quantity" jsonschema:"minimum=1,maximum=100"`
	Note     string `json:"note,omitempty"`
}

func ExampleValidate() {
	event := []byte(`{"httpMethod":"POST","body":"{\"id\":\"ord-1\",\"quantity\":0}"}`)
	schema := powertools.SchemaJSON(`{
		"type": "object",
		"required": ["id", "quantity"],
		"properties": {"quantity": {"type": "integer", "minimum": 1}}
	}`)
	err := powertools.Validate(event, schema, powertools.EnvelopeAPIGatewayREST)
	var ve *powertools.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Path, ve.Keyword)
	}
	fmt.Println(err)
	// Output:
	// $.quantity minimum
	// powertools: validation failed at $.quantity: minimum: got 0, want 1
}

func ExampleSearch() {
	event := []byte(`{"Records":[{"body":"{\"id\":\"a\"}"},{"body":"{\"id\":\"b\"}"}]}`)
	ids, err := powertools.Search("Records[*].powertools_json(body).id", event)
	fmt.Println(ids, err)
	// Output: [a b] <nil>
}

func ExampleSchemaFor() {
	fmt.Println(powertools.SchemaFor[PurchaseOrder]())
	// Output: {"$schema":"https://json-schema.org/draft/2020-12/schema","$ref":"#/$defs/PurchaseOrder","$defs":{"PurchaseOrder":{"properties":{"id":{"type":"string","minLength":1},"quantity":{"type":"integer","maximum":100,"minimum":1},"note":{"type":"string"}},"type":"object","required":["id","quantity"]}}}
}

func ExampleParseSQS() {
	event := []byte(`{"Records":[
		{"messageId":"1","body":"{\"id\":\"ord-1\",\"quantity\":2}"},
		{"messageId":"2","body":"{\"id\":\"ord-2\",\"quantity\":0}"}
	]}`)
	orders, err := powertools.ParseSQS[PurchaseOrder](event)
	var pe *powertools.ParseError
	if errors.As(err, &pe) {
		fmt.Println("record", pe.Record)
	}
	fmt.Println(len(orders), err)
	// Output:
	// record 1
	// 0 powertools: parse sqs record 1: validation failed at $.quantity: minimum: got 0, want 1
}

func ExampleParse() {
	event := []byte(`{"version":"0","detail-type":"OrderPlaced","detail":{"id":"ord-7","quantity":3}}`)
	order, err := powertools.Parse[PurchaseOrder](event, powertools.EnvelopeEventBridge)
	fmt.Printf("%+v %v\n", order, err)
	// Output: {ID:ord-7 Quantity:3 Note:} <nil>
}

func ExampleWithValidation() {
	app, err := powertools.New(
		powertools.WithEnv(map[string]string{}),
		powertools.WithLogOutput(io.Discard),
		powertools.WithValidation(
			powertools.SchemaFor[PurchaseOrder](),                                // inbound, after the envelope
			powertools.SchemaJSON(`{"type":"object","required":["statusCode"]}`), // outbound
			powertools.EnvelopeAPIGatewayREST,
		),
	)
	if err != nil {
		panic(err)
	}
	h := app.Wrap(func(ctx context.Context, event map[string]any) (map[string]any, error) {
		fmt.Println("handler called")
		return map[string]any{"statusCode": 201}, nil
	})
	out, err := h.Invoke(context.Background(), []byte(`{"body":"{\"id\":\"ord-1\",\"quantity\":1}"}`))
	fmt.Println(string(out), err)
	_, err = h.Invoke(context.Background(), []byte(`{"body":"{\"id\":\"\",\"quantity\":1}"}`))
	fmt.Println(err)
	// Output:
	// handler called
	// {"statusCode":201} <nil>
	// powertools: validation failed (inbound) at $.id: minLength: got 0, want 1
}
