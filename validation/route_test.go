package validation_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/validation"
)

type routeLineItem struct {
	SKU string `json:"sku" jsonschema:"minLength=1"`
	Qty int    `json:"qty" jsonschema:"minimum=1"`
}

type routeCreateOrder struct {
	ID     string          `json:"-" path:"id"`
	DryRun bool            `json:"-" query:"dry_run"`
	Tags   []string        `json:"-" query:"tag"`
	Tenant string          `json:"-" header:"X-Tenant"`
	Items  []routeLineItem `json:"items" jsonschema:"minItems=1"`
	Note   string          `json:"note,omitempty" jsonschema:"maxLength=20"`
}

type routeOrder struct {
	ID     string          `json:"id"`
	Tenant string          `json:"tenant"`
	Items  []routeLineItem `json:"items"`
	DryRun bool            `json:"dryRun"`
	Tags   []string        `json:"tags"`
}

type routeListQuery struct {
	Limit int `json:"-" query:"limit,required"`
}

var errRouteExists = errors.New("order exists")

type routeTeapot struct{}

func (routeTeapot) Error() string   { return "short and stout" }
func (routeTeapot) StatusCode() int { return http.StatusTeapot }

func routeAPI(t *testing.T) (*validation.API, powertools.Handler) {
	t.Helper()
	api := validation.NewAPI("orders", "1.0.0", validation.WithServers("https://api.example.com"))
	validation.Route(api, "POST /orders/{id}", func(ctx context.Context, in routeCreateOrder) (routeOrder, error) {
		switch in.ID {
		case "exists":
			return routeOrder{}, errRouteExists
		case "conflict":
			return routeOrder{}, validation.NewHTTPError(http.StatusConflict, "order is locked")
		case "teapot":
			return routeOrder{}, routeTeapot{}
		case "boom":
			return routeOrder{}, errors.New("database down")
		}
		return routeOrder{ID: in.ID, Tenant: in.Tenant, Items: in.Items, DryRun: in.DryRun, Tags: in.Tags}, nil
	}, validation.WithStatus(http.StatusCreated), validation.WithSummary("Create an order"), validation.WithTags("orders"),
		validation.WithErrorStatus(errRouteExists, http.StatusConflict))
	validation.Route(api, "GET /orders", func(ctx context.Context, in routeListQuery) ([]routeOrder, error) {
		return make([]routeOrder, 0, in.Limit), nil
	})
	validation.Route(api, "DELETE /orders/{id}", func(ctx context.Context, in struct {
		ID uint64 `json:"-" path:"id"`
	}) (struct{}, error) {
		return struct{}{}, nil
	}, validation.WithStatus(http.StatusNoContent), validation.WithOperationID("deleteOrder"))
	return api, powertools.HTTPHandler(api)
}

func routeEvent(method, path, query string, headers map[string]string, body string) []byte {
	ev := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query, "headers": headers,
		"requestContext": map[string]any{"requestId": "r1", "http": map[string]any{"method": method, "sourceIp": "192.0.2.1"}},
		"body":           body, "isBase64Encoded": false,
	}
	b, _ := json.Marshal(ev)
	return b
}

type routeAnswer struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
	B64        bool              `json:"isBase64Encoded"`
}

func routeInvoke(t *testing.T, h powertools.Handler, payload []byte) (routeAnswer, map[string]any) {
	t.Helper()
	out, err := h.Invoke(context.Background(), payload)
	require.NoError(t, err)
	var a routeAnswer
	require.NoError(t, json.Unmarshal(out, &a))
	if a.B64 {
		b, _ := base64.StdEncoding.DecodeString(a.Body)
		a.Body = string(b)
	}
	var body map[string]any
	if a.Body != "" && a.Body[0] == '{' {
		require.NoError(t, json.Unmarshal([]byte(a.Body), &body))
	}
	return a, body
}

func TestRoute(t *testing.T) {
	_, h := routeAPI(t)
	good := `{"items":[{"sku":"A-1","qty":2}],"note":"gift"}`
	tests := []struct {
		name       string
		method     string
		path       string
		query      string
		headers    map[string]string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"created", "POST", "/orders/o-1", "dry_run=true&tag=a&tag=b", map[string]string{"x-tenant": "acme"}, good, 201,
			`{"id":"o-1","tenant":"acme","items":[{"sku":"A-1","qty":2}],"dryRun":true,"tags":["a","b"]}`},
		{"schema failure: 422 with every path and reason", "POST", "/orders/o-1", "", nil, `{"items":[{"sku":"","qty":0}],"note":"this note is far too long"}`, 422,
			`{"statusCode":422,"message":"validation failed","detail":[
				{"in":"body","path":"$.items[0].qty","reason":"must be >= 1, not 0"},
				{"in":"body","path":"$.items[0].sku","reason":"must be at least 1 characters long, not 0"},
				{"in":"body","path":"$.note","reason":"must be at most 20 characters long, not 25"}]}`},
		{"empty body is {}: required items missing", "POST", "/orders/o-1", "", nil, "", 422,
			`{"statusCode":422,"message":"validation failed","detail":[{"in":"body","path":"$","reason":"missing property \"items\""}]}`},
		{"not JSON", "POST", "/orders/o-1", "", nil, `{"items":`, 400, `{"statusCode":400,"message":"body is not JSON"}`},
		{"bad query parameter", "POST", "/orders/o-1", "dry_run=maybe", nil, good, 422,
			`{"statusCode":422,"message":"validation failed","detail":[{"in":"query","path":"dry_run","reason":"not a boolean: \"maybe\""}]}`},
		{"missing required query parameter", "GET", "/orders", "", nil, "", 422,
			`{"statusCode":422,"message":"validation failed","detail":[{"in":"query","path":"limit","reason":"missing"}]}`},
		{"list", "GET", "/orders", "limit=5", nil, "", 200, ``},
		{"bad path parameter", "DELETE", "/orders/-1", "", nil, "", 422,
			`{"statusCode":422,"message":"validation failed","detail":[{"in":"path","path":"id","reason":"not a non-negative integer of 64 bits: \"-1\""}]}`},
		{"204", "DELETE", "/orders/7", "", nil, "", 204, ``},
		{"WithErrorStatus", "POST", "/orders/exists", "", nil, good, 409, `{"statusCode":409,"message":"order exists"}`},
		{"HTTPError", "POST", "/orders/conflict", "", nil, good, 409, `{"statusCode":409,"message":"order is locked"}`},
		{"StatusCode method", "POST", "/orders/teapot", "", nil, good, 418, `{"statusCode":418,"message":"short and stout"}`},
		{"other error: 500", "POST", "/orders/boom", "", nil, good, 500, `{"statusCode":500,"message":"Internal Server Error"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := routeInvoke(t, h, routeEvent(tc.method, tc.path, tc.query, tc.headers, tc.body))
			assert.Equal(t, tc.wantStatus, a.StatusCode, a.Body)
			if tc.wantBody != "" {
				assert.JSONEq(t, tc.wantBody, a.Body)
				assert.Equal(t, "application/json", a.Headers["Content-Type"])
			}
			if tc.name == "list" {
				assert.Equal(t, "[]", a.Body)
			}
			if tc.wantStatus == 204 {
				assert.Empty(t, a.Body)
			}
		})
	}
}

func TestRouteLogsUnmappedErrors(t *testing.T) {
	var logs bytes.Buffer
	app, err := powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithLogOutput(&logs))
	require.NoError(t, err)
	_, h := routeAPI(t)
	_, err = app.Wrap(h).Invoke(context.Background(), routeEvent("POST", "/orders/boom", "", nil, `{"items":[{"sku":"A","qty":1}]}`))
	require.NoError(t, err)
	assert.Contains(t, logs.String(), `"level":"ERROR"`)
	assert.Contains(t, logs.String(), `"message":"powertools: validation.Route: handler failed"`)
	assert.Contains(t, logs.String(), `database down`)
	assert.Contains(t, logs.String(), `"route":"POST /orders/{id}"`)
}

func TestRouteProgrammingErrors(t *testing.T) {
	mux := http.NewServeMux()
	type noJSONDash struct {
		ID string `path:"id"`
	}
	type badType struct {
		ID map[string]string `json:"-" path:"id"`
	}
	type notInPattern struct {
		ID string `json:"-" path:"order"`
	}
	for name, register := range map[string]func(){
		"no method": func() {
			validation.Route(mux, "/orders", func(context.Context, struct{}) (int, error) { return 0, nil })
		},
		"param without json:-": func() {
			validation.Route(mux, "GET /a/{id}", func(context.Context, noJSONDash) (int, error) { return 0, nil })
		},
		"unsupported type": func() {
			validation.Route(mux, "GET /b/{id}", func(context.Context, badType) (int, error) { return 0, nil })
		},
		"not in the pattern": func() {
			validation.Route(mux, "GET /c/{id}", func(context.Context, notInPattern) (int, error) { return 0, nil })
		},
	} {
		func() {
			defer func() {
				v := recover()
				require.NotNil(t, v, name)
				assert.Contains(t, v, "powertools: validation.Route: ", name)
			}()
			register()
		}()
	}
}

func TestRouteOnPlainServeMux(t *testing.T) {
	mux := http.NewServeMux()
	validation.Route(mux, "PUT /items/{sku}", func(ctx context.Context, in struct {
		SKU string `json:"-" path:"sku"`
		Qty int    `json:"qty"`
	}) (routeLineItem, error) {
		return routeLineItem{SKU: in.SKU, Qty: in.Qty}, nil
	})
	a, _ := routeInvoke(t, powertools.HTTPHandler(mux), routeEvent("PUT", "/items/X", "", nil, `{"qty":3}`))
	assert.Equal(t, 200, a.StatusCode)
	assert.JSONEq(t, `{"sku":"X","qty":3}`, a.Body)
}
