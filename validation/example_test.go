package validation_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/validation"
)

type PurchaseOrder struct {
	ID       string `json:"id" jsonschema:"minLength=1"`
	Quantity int    `json:"quantity" jsonschema:"minimum=1,maximum=100"`
	Note     string `json:"note,omitempty"`
}

func ExampleValidate() {
	event := []byte(`{"httpMethod":"POST","body":"{\"id\":\"ord-1\",\"quantity\":0}"}`)
	schema := validation.SchemaJSON(`{
		"type": "object",
		"required": ["id", "quantity"],
		"properties": {"quantity": {"type": "integer", "minimum": 1}}
	}`)
	err := validation.Validate(event, schema, powertools.EnvelopeAPIGatewayREST)
	var ve *validation.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Path, ve.Keyword)
	}
	fmt.Println(err)
	// Output:
	// $.quantity minimum
	// powertools: validation failed at $.quantity: must be >= 1, not 0
}

func ExampleSchemaFor() {
	fmt.Println(validation.SchemaFor[PurchaseOrder]())
	// Output: {"$schema":"https://json-schema.org/draft/2020-12/schema","$ref":"#/$defs/PurchaseOrder","$defs":{"PurchaseOrder":{"properties":{"id":{"type":"string","minLength":1},"quantity":{"type":"integer","maximum":100,"minimum":1},"note":{"type":"string"}},"type":"object","required":["id","quantity"]}}}
}

func ExampleWith() {
	app, err := powertools.New(
		powertools.WithEnv(map[string]string{}),
		powertools.WithLogOutput(io.Discard),
		validation.With(
			validation.SchemaFor[PurchaseOrder](),                                // inbound, after the envelope
			validation.SchemaJSON(`{"type":"object","required":["statusCode"]}`), // outbound
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
	// powertools: validation failed (inbound) at $.id: must be at least 1 characters long, not 0
}

func ExampleWithFormat() {
	validation.WithFormat("sku", func(v any) bool {
		s, ok := v.(string)
		return ok && strings.HasPrefix(s, "SKU-")
	})
	s := validation.SchemaJSON(`{"type":"object","properties":{"sku":{"type":"string","format":"sku"}}}`)
	fmt.Println(validation.Validate([]byte(`{"sku":"SKU-42"}`), s, ""))
	fmt.Println(validation.Validate([]byte(`{"sku":"42"}`), s, ""))
	// Output:
	// <nil>
	// powertools: validation failed at $.sku: must be a valid "sku" ("42" is not)
}
