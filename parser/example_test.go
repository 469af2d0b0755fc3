package parser_test

import (
	"errors"
	"fmt"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/parser"
)

// Order's schema, derived from its tags, requires both fields.
type Order struct {
	ID       string `json:"id" jsonschema:"minLength=1"`
	Quantity int    `json:"quantity" jsonschema:"minimum=1"`
}

func ExampleParseSQS() {
	event := []byte(`{"Records":[
		{"messageId":"1","body":"{\"id\":\"ord-1\",\"quantity\":2}"},
		{"messageId":"2","body":"{\"id\":\"ord-2\",\"quantity\":0}"}
	]}`)
	orders, err := parser.ParseSQS[Order](event)
	var pe *parser.ParseError
	if errors.As(err, &pe) {
		fmt.Println("record", pe.Record)
	}
	fmt.Println(len(orders), err)
	// Output:
	// record 1
	// 0 powertools: parse sqs record 1: validation failed at $.quantity: must be >= 1, not 0
}

func ExampleParse() {
	event := []byte(`{"version":"0","detail-type":"OrderPlaced","detail":{"id":"ord-7","quantity":3}}`)
	order, err := parser.Parse[Order](event, powertools.EnvelopeEventBridge)
	fmt.Printf("%+v %v\n", order, err)
	// Output: {ID:ord-7 Quantity:3} <nil>
}
