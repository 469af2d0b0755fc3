package events

import (
	"strings"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type testOrder struct {
	ID       string  `json:"id"`
	Customer string  `json:"customer"`
	Total    float64 `json:"total"`
	Items    []struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	} `json:"items"`
}

// httpShapes is one request of every HTTP event shape, from the fixtures.
func httpShapes(t *testing.T) map[string]HTTPRequest {
	rest := load[awsevents.APIGatewayProxyRequest](t, "apigw_rest.json")
	v2 := load[awsevents.APIGatewayV2HTTPRequest](t, "apigw_http.json")
	alb := load[awsevents.ALBTargetGroupRequest](t, "alb.json")
	furl := load[awsevents.LambdaFunctionURLRequest](t, "function_url.json")
	l1 := load[VPCLatticeRequest](t, "vpc_lattice_v1.json")
	l2 := load[VPCLatticeV2Request](t, "vpc_lattice_v2.json")
	return map[string]HTTPRequest{
		"rest": FromAPIGateway(&rest), "http": FromAPIGatewayV2(&v2), "alb": FromALB(&alb),
		"furl": FromFunctionURL(&furl), "lattice1": l1, "lattice2": &l2,
	}
}

func TestHTTPHelpers(t *testing.T) {
	shapes := httpShapes(t)
	tests := []struct {
		shape, method, path, body string
		header                    [2]string // name asked (any case), first value
		headers                   [2]any    // name, every value
		query                     [2]string
		queryList                 [2]any
		cookie                    [2]string
		pathParam                 [2]string
	}{
		{shape: "rest", method: "POST", path: "/orders/ord-1001", body: `"ord-1001"`,
			header: [2]string{"x-TENANT", "acme"}, headers: [2]any{"accept", []string{"text/html", "application/json"}},
			query: [2]string{"expand", "items"}, queryList: [2]any{"tag", []string{"a", "c", "b"}},
			cookie: [2]string{"theme", "dark"}, pathParam: [2]string{"id", "ord-1001"}},
		{shape: "http", method: "GET", path: "/orders/ord-1001", body: "",
			header: [2]string{"X-Tenant", "acme"}, headers: [2]any{"X-Forwarded-For", []string{"198.51.100.23, 10.0.0.1"}},
			query: [2]string{"expand", "items"}, queryList: [2]any{"tag", []string{"a", "b"}},
			cookie: [2]string{"session", "s-77"}, pathParam: [2]string{"id", "ord-1001"}},
		{shape: "alb", method: "PUT", path: "/orders/ord-1001", body: `"ord-1001"`,
			header: [2]string{"Content-Type", "application/json"}, headers: [2]any{"Cookie", []string{"session=s-77"}},
			query: [2]string{"note", "gift wrap"}, queryList: [2]any{"café", []string{"crème"}},
			cookie: [2]string{"session", "s-77"}, pathParam: [2]string{"id", ""}},
		{shape: "furl", method: "POST", path: "/webhooks/payment", body: `"pay-9"`,
			header: [2]string{"X-Signature", "sha256=9c1f"}, headers: [2]any{"content-type", []string{"application/json"}},
			query: [2]string{"retry", "1"}, queryList: [2]any{"retry", []string{"1"}},
			cookie: [2]string{"session", "s-77"}, pathParam: [2]string{"id", ""}},
		{shape: "lattice1", method: "GET", path: "/inventory/BOOK-7", body: "",
			header: [2]string{"User-Agent", "inventory-client/3.0"}, headers: [2]any{"ACCEPT", []string{"application/json"}},
			query: [2]string{"warehouse", "par1"}, queryList: [2]any{"warehouse", []string{"par1"}},
			cookie: [2]string{"session", "s-77"}, pathParam: [2]string{"id", ""}},
		{shape: "lattice2", method: "POST", path: "/inventory/BOOK-7", body: `"BOOK-7"`,
			header: [2]string{"X-Tenant", "acme"}, headers: [2]any{"x-tenant", []string{"acme", "beta"}},
			query: [2]string{"warehouse", "par1"}, queryList: [2]any{"warehouse", []string{"par1", "lyo2"}},
			cookie: [2]string{"theme", "dark"}, pathParam: [2]string{"id", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.shape, func(t *testing.T) {
			r := shapes[tt.shape]
			assert.Equal(t, tt.method, r.HTTPMethod())
			assert.Equal(t, tt.path, r.HTTPPath())
			body, err := Body(r)
			require.NoError(t, err)
			assert.Contains(t, string(body), tt.body)
			assert.Equal(t, tt.header[1], Header(r, tt.header[0]))
			assert.Equal(t, tt.headers[1], r.HeaderValues(tt.headers[0].(string)))
			assert.Equal(t, tt.query[1], Query(r, tt.query[0]))
			assert.Equal(t, tt.queryList[1], QueryList(r, tt.queryList[0].(string)))
			c, ok := Cookie(r, tt.cookie[0])
			assert.True(t, ok)
			assert.Equal(t, tt.cookie[1], c)
			_, ok = Cookie(r, "missing")
			assert.False(t, ok)
			assert.Equal(t, tt.pathParam[1], PathParam(r, tt.pathParam[0]))
			assert.Equal(t, "", Header(r, "x-absent"))
			assert.Nil(t, r.QueryValues("absent"))
		})
	}
}

func TestHTTPBodyJSON(t *testing.T) {
	for _, shape := range []string{"rest", "alb"} {
		o, err := BodyJSON[testOrder](httpShapes(t)[shape])
		require.NoError(t, err, shape)
		assert.Equal(t, "ord-1001", o.ID)
		assert.Equal(t, 129.5, o.Total)
		assert.Equal(t, 2, o.Items[0].Qty)
	}
	type delta struct {
		SKU   string `json:"sku"`
		Delta int    `json:"delta"`
	}
	d, err := BodyJSON[delta](httpShapes(t)["lattice2"])
	require.NoError(t, err)
	assert.Equal(t, delta{"BOOK-7", -2}, d)
}

func TestHTTPBodyErrors(t *testing.T) {
	tests := []struct {
		name string
		req  VPCLatticeV2Request
		want error
	}{
		{"bad base64", VPCLatticeV2Request{Body: "***", IsBase64Encoded: true}, ErrBadBase64},
		{"bad JSON", VPCLatticeV2Request{Body: "{"}, ErrBadJSON},
		{"bad JSON in base64", VPCLatticeV2Request{Body: "ew==", IsBase64Encoded: true}, ErrBadJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BodyJSON[map[string]any](tt.req)
			checkErr(t, err, "http", -1, "body", tt.want)
		})
	}
}

func TestAsHTTPRequest(t *testing.T) {
	rest := load[awsevents.APIGatewayProxyRequest](t, "apigw_rest.json")
	for _, ev := range []any{rest, &rest, awsevents.APIGatewayV2HTTPRequest{RawPath: "/x"}, &awsevents.ALBTargetGroupRequest{Path: "/x"},
		awsevents.LambdaFunctionURLRequest{RawPath: "/x"}, VPCLatticeRequest{RawPath: "/x?y"}, &VPCLatticeV2Request{Path: "/x"}} {
		r, ok := AsHTTPRequest(ev)
		require.True(t, ok, "%T", ev)
		assert.True(t, strings.HasPrefix(r.HTTPPath(), "/"), "%T", ev)
	}
	_, ok := AsHTTPRequest(awsevents.SQSEvent{})
	assert.False(t, ok)
	_, ok = AsHTTPRequest((*VPCLatticeRequest)(nil))
	assert.False(t, ok)
}

// TestALBSingleValue: an ALB without multi-value headers sends single-value maps.
func TestALBSingleValue(t *testing.T) {
	r := FromALB(&awsevents.ALBTargetGroupRequest{Headers: map[string]string{"Cookie": "a=1; b=2"}, QueryStringParameters: map[string]string{"q": "x%2By", "bad": "%zz"}})
	assert.Equal(t, "x+y", Query(r, "q"))
	assert.Equal(t, "%zz", Query(r, "bad"), "a malformed escape stays as sent")
	v, ok := Cookie(r, "b")
	assert.True(t, ok)
	assert.Equal(t, "2", v)
}

func FuzzBody(f *testing.F) {
	f.Add("eyJpZCI6MX0=", true)
	f.Add(`{"id":1}`, false)
	f.Add("***", true)
	f.Add("", true)
	f.Fuzz(func(t *testing.T, body string, b64 bool) {
		r := VPCLatticeV2Request{Body: body, IsBase64Encoded: b64}
		b, err := Body(r)
		if err != nil {
			checkErr(t, err, "http", -1, "body", ErrBadBase64)
			return
		}
		if !b64 && string(b) != body {
			t.Fatalf("plain body changed: %q", b)
		}
		if _, err := BodyJSON[any](r); err != nil {
			checkErr(t, err, "http", -1, "body", ErrBadJSON)
		}
	})
}
