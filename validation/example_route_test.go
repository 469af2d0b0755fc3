package validation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/validation"
)

type exampleCreateOrder struct {
	Customer string `json:"-" path:"customer"`
	SKU      string `json:"sku" jsonschema:"minLength=1"`
	Qty      int    `json:"qty" jsonschema:"minimum=1"`
}

type examplePlacedOrder struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Qty      int    `json:"qty"`
}

// Typed routes: the body validated against exampleCreateOrder's schema (422 on failure), the path parameter in
// its field, the answer encoded; the API serves their OpenAPI document at /openapi.json.
func ExampleRoute() {
	api := validation.NewAPI("orders", "1.0.0")
	validation.Route(api, "POST /customers/{customer}/orders", func(ctx context.Context, in exampleCreateOrder) (examplePlacedOrder, error) {
		return examplePlacedOrder{ID: "o-1", Customer: in.Customer, Qty: in.Qty}, nil
	}, validation.WithStatus(http.StatusCreated))
	h := powertools.HTTPHandler(api)
	// powertools.Start(h)

	for _, body := range []string{`{"sku":"A-1","qty":2}`, `{"sku":"A-1","qty":0}`} {
		event, _ := json.Marshal(map[string]any{
			"version": "2.0", "routeKey": "$default", "rawPath": "/customers/c-7/orders", "body": body,
			"requestContext": map[string]any{"http": map[string]any{"method": "POST"}},
		})
		out, _ := h.Invoke(context.Background(), event)
		var answer struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		_ = json.Unmarshal(out, &answer)
		fmt.Println(answer.StatusCode, answer.Body)
	}
	// Output:
	// 201 {"id":"o-1","customer":"c-7","qty":2}
	// 422 {"statusCode":422,"message":"validation failed","detail":[{"in":"body","path":"$.qty","reason":"must be >= 1, not 0"}]}
}
