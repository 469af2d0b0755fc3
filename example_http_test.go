package powertools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gopowertools/powertools"
)

// An http.ServeMux run on Lambda: the same handler answers API Gateway, ALB, function URL and VPC
// Lattice events, in the shape of each. In a function, main ends with powertools.Start(h).
func ExampleHTTPHandler() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		powertools.Logger(r.Context()).Info("get order") // carries correlation_id and route
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q}`, r.PathValue("id"))
	})
	h := powertools.HTTPHandler(mux,
		powertools.WithCORS(powertools.CORSConfig{AllowOrigin: "https://shop.example.com"}),
		powertools.WithCompression(),
	)
	// powertools.Start(h, powertools.WithService("orders"))

	event := `{"version":"2.0","routeKey":"$default","rawPath":"/orders/42","headers":{"origin":"https://shop.example.com"},
		"requestContext":{"requestId":"r1","http":{"method":"GET","sourceIp":"192.0.2.1"}},"isBase64Encoded":false}`
	out, _ := h.Invoke(context.Background(), []byte(event))
	var answer struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	_ = json.Unmarshal(out, &answer)
	fmt.Println(answer.StatusCode, answer.Body, answer.Headers["Access-Control-Allow-Origin"])
	// Output: 200 {"id":"42"} https://shop.example.com
}
