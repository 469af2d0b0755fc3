// Command api is a small REST API on Lambda built with Powertools for AWS Lambda (Go): an http.ServeMux
// of typed routes (validation.Route) run by powertools.HTTPHandler, so the same binary answers API
// Gateway REST and HTTP APIs, an Application Load Balancer, a function URL or VPC Lattice.
//
//	GET  /products?limit=2          -> 200 [{"id":"p-1",...},...]
//	GET  /products/{id}             -> 200 {"id":"p-1",...} | 404 {"statusCode":404,"message":"no such product: p-9"}
//	POST /products {"name":...}     -> 201 {"id":"p-3",...} | 422 {"statusCode":422,"detail":[...]}
//	GET  /openapi.json              -> the OpenAPI 3.1 document of these routes
//	OPTIONS (CORS preflight)        -> 204 with the CORS headers
//	anything else                   -> 404 {"statusCode":404,"message":"Not found"}
//
// Build it for Lambda (provided.al2023) as a binary named bootstrap:
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap .
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/validation"
)

func main() {
	powertools.Start(newHandler(newCatalog()), powertools.WithTracer())
}

// Product is one product of the catalogue.
type Product struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Price float64  `json:"price"`
	Tags  []string `json:"tags"`
}

// NewProduct is the body of POST /products; the schema comes from the tags.
type NewProduct struct {
	Name  string   `json:"name" jsonschema:"minLength=1,maxLength=64"`
	Price float64  `json:"price" jsonschema:"exclusiveMinimum=0,maximum=100000"`
	Tags  []string `json:"tags,omitempty" jsonschema:"maxItems=5"`
}

// ListQuery is GET /products' input: query parameters only.
type ListQuery struct {
	Limit int    `json:"-" query:"limit"`
	Tag   string `json:"-" query:"tag"`
}

// ProductID is GET /products/{id}'s input.
type ProductID struct {
	ID string `json:"-" path:"id"`
}

// newHandler is the function's handler: the API's routes, CORS for the shop's web front, compression,
// and the OpenAPI document at /openapi.json.
func newHandler(c *catalog) powertools.Handler {
	api := validation.NewAPI("products", "1.0.0", validation.WithAPIDescription("The product catalogue"))
	validation.Route(api, "GET /products", c.list, validation.WithSummary("List products"), validation.WithTags("products"))
	validation.Route(api, "GET /products/{id}", c.get, validation.WithSummary("Get a product"), validation.WithTags("products"),
		validation.WithErrorStatus(errNotFound, http.StatusNotFound))
	validation.Route(api, "POST /products", c.create, validation.WithStatus(http.StatusCreated),
		validation.WithSummary("Create a product"), validation.WithTags("products"))
	return powertools.HTTPHandler(api,
		powertools.WithCORS(powertools.CORSConfig{
			AllowOrigin:      "https://shop.example.com",
			ExtraOrigins:     []string{"http://localhost:3000"},
			ExposeHeaders:    []string{"Location"},
			MaxAge:           10 * time.Minute,
			AllowCredentials: true,
		}),
		powertools.WithCompression(),
	)
}

// catalog is the products, in memory (a real function would use DynamoDB): shared by the invocations a
// process runs, so it is guarded.
type catalog struct {
	mu       sync.Mutex
	products []Product
	next     int
}

func newCatalog() *catalog {
	return &catalog{next: 3, products: []Product{
		{ID: "p-1", Name: "Espresso cup", Price: 12.5, Tags: []string{"kitchen"}},
		{ID: "p-2", Name: "Pour-over kettle", Price: 49, Tags: []string{"kitchen", "coffee"}},
	}}
}

// errNotFound is answered 404 (WithErrorStatus), which the OpenAPI document lists.
var errNotFound = errors.New("no such product")

func (c *catalog) list(ctx context.Context, q ListQuery) ([]Product, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Product, 0, len(c.products))
	for _, p := range c.products {
		if q.Tag == "" || slices.Contains(p.Tags, q.Tag) {
			out = append(out, p)
		}
	}
	if q.Limit > 0 && q.Limit < len(out) {
		out = out[:q.Limit]
	}
	powertools.Logger(ctx).Info("listed products", zap.Int("count", len(out)))
	return out, nil
}

func (c *catalog) get(ctx context.Context, in ProductID) (Product, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.products {
		if p.ID == in.ID {
			return p, nil
		}
	}
	powertools.Logger(ctx).Info("no such product", zap.String("id", in.ID))
	return Product{}, fmt.Errorf("%w: %s", errNotFound, in.ID)
}

func (c *catalog) create(ctx context.Context, in NewProduct) (Product, error) {
	c.mu.Lock()
	p := Product{ID: "p-" + strconv.Itoa(c.next), Name: in.Name, Price: in.Price, Tags: in.Tags}
	if p.Tags == nil {
		p.Tags = []string{}
	}
	c.next++
	c.products = append(c.products, p)
	c.mu.Unlock()
	powertools.Logger(ctx).Info("product created", zap.String("id", p.ID))
	_ = powertools.Metrics(ctx).Add("ProductCreated", "Count", 1)
	return p, nil
}
