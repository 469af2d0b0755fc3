package events

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"

	awsevents "github.com/aws/aws-lambda-go/events"
)

// HTTPRequest is the one small interface the HTTP helpers ([Body], [BodyJSON], [Header], [Query],
// [QueryList], [Cookie], [PathParam]) take, so they work the same on every HTTP event shape: API Gateway
// REST ([FromAPIGateway]) and HTTP APIs ([FromAPIGatewayV2]), ALB ([FromALB]), Lambda function URLs
// ([FromFunctionURL]), and VPC Lattice v1 and v2 ([VPCLatticeRequest] and [VPCLatticeV2Request]
// implement it themselves). [AsHTTPRequest] picks the adapter for any of those values.
type HTTPRequest interface {
	// HTTPMethod is the request method ("GET").
	HTTPMethod() string
	// HTTPPath is the request path, without the query string.
	HTTPPath() string
	// RawBody is the body as the event carries it, and whether it is base64 encoded.
	RawBody() (body string, isBase64 bool)
	// HeaderValues is every value of a header, found case-insensitively; nil if absent. Shapes with
	// single-value headers (HTTP APIs, function URLs, VPC Lattice v1) give one value, which may join
	// several with commas.
	HeaderValues(name string) []string
	// QueryValues is every value of a query parameter, as the event carries them; nil if absent.
	QueryValues(name string) []string
	// Cookies is the request's cookies, each "name=value".
	Cookies() []string
	// PathParameter is a path parameter of the route ("" where the shape has none).
	PathParameter(name string) string
}

// Body is the decoded body of an HTTP event: base64 decoded when the event says it is base64 encoded.
// A body that is not valid base64 is a *DecodeError wrapping ErrBadBase64.
func Body(r HTTPRequest) ([]byte, error) {
	body, b64 := r.RawBody()
	if !b64 {
		return []byte(body), nil
	}
	out, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, eventsDecodeErr("http", -1, "body", eventsKind(ErrBadBase64, err))
	}
	return out, nil
}

// BodyJSON decodes the body of an HTTP event (base64 aware) as JSON into T. Bad base64 or bad JSON is a
// *DecodeError wrapping ErrBadBase64 or ErrBadJSON.
func BodyJSON[T any](r HTTPRequest) (T, error) {
	var v T
	b, err := Body(r)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, eventsDecodeErr("http", -1, "body", eventsKind(ErrBadJSON, err))
	}
	return v, nil
}

// Header is the first value of a header, found case-insensitively; "" if absent.
func Header(r HTTPRequest, name string) string {
	if v := r.HeaderValues(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// Query is the first value of a query parameter; "" if absent.
func Query(r HTTPRequest, name string) string {
	if v := r.QueryValues(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// QueryList is every value of a query parameter with comma-separated values split
// ("?id=1,2&id=3" gives 1, 2, 3): the form API Gateway HTTP APIs and function URLs use for repeated
// parameters. Empty items are dropped.
func QueryList(r HTTPRequest, name string) []string {
	var out []string
	for _, v := range r.QueryValues(name) {
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// Cookie is the value of the named cookie and whether the request has it.
func Cookie(r HTTPRequest, name string) (string, bool) {
	for _, c := range r.Cookies() {
		k, v, _ := strings.Cut(c, "=")
		if strings.TrimSpace(k) == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// PathParam is a path parameter of the route ("" if absent).
func PathParam(r HTTPRequest, name string) string { return r.PathParameter(name) }

// AsHTTPRequest returns the HTTPRequest of an HTTP event value or pointer: APIGatewayProxyRequest,
// APIGatewayV2HTTPRequest, ALBTargetGroupRequest, LambdaFunctionURLRequest, VPCLatticeRequest,
// VPCLatticeV2Request. It reports false for any other type.
func AsHTTPRequest(event any) (HTTPRequest, bool) {
	switch e := event.(type) {
	case *awsevents.APIGatewayProxyRequest:
		return FromAPIGateway(e), e != nil
	case awsevents.APIGatewayProxyRequest:
		return FromAPIGateway(&e), true
	case *awsevents.APIGatewayV2HTTPRequest:
		return FromAPIGatewayV2(e), e != nil
	case awsevents.APIGatewayV2HTTPRequest:
		return FromAPIGatewayV2(&e), true
	case *awsevents.ALBTargetGroupRequest:
		return FromALB(e), e != nil
	case awsevents.ALBTargetGroupRequest:
		return FromALB(&e), true
	case *awsevents.LambdaFunctionURLRequest:
		return FromFunctionURL(e), e != nil
	case awsevents.LambdaFunctionURLRequest:
		return FromFunctionURL(&e), true
	case *VPCLatticeRequest:
		return e, e != nil
	case VPCLatticeRequest:
		return e, true
	case *VPCLatticeV2Request:
		return e, e != nil
	case VPCLatticeV2Request:
		return e, true
	}
	return nil, false
}

// FromAPIGateway is the HTTPRequest of an API Gateway REST API (payload 1.0) event. Multi-value headers
// and query parameters are used when the event has them.
func FromAPIGateway(e *awsevents.APIGatewayProxyRequest) HTTPRequest { return apigwRequest{e} }

// FromAPIGatewayV2 is the HTTPRequest of an API Gateway HTTP API (payload 2.0) event.
func FromAPIGatewayV2(e *awsevents.APIGatewayV2HTTPRequest) HTTPRequest { return apigwV2Request{e} }

// FromALB is the HTTPRequest of an Application Load Balancer event. ALB passes query parameters
// percent-encoded as the client sent them: QueryValues decodes them (a value with a malformed escape
// stays as sent).
func FromALB(e *awsevents.ALBTargetGroupRequest) HTTPRequest { return albRequest{e} }

// FromFunctionURL is the HTTPRequest of a Lambda function URL event.
func FromFunctionURL(e *awsevents.LambdaFunctionURLRequest) HTTPRequest { return furlRequest{e} }

type apigwRequest struct {
	e *awsevents.APIGatewayProxyRequest
}

func (r apigwRequest) HTTPMethod() string            { return r.e.HTTPMethod }
func (r apigwRequest) HTTPPath() string              { return r.e.Path }
func (r apigwRequest) RawBody() (string, bool)       { return r.e.Body, r.e.IsBase64Encoded }
func (r apigwRequest) PathParameter(n string) string { return r.e.PathParameters[n] }
func (r apigwRequest) HeaderValues(n string) []string {
	return httpMultiLookup(r.e.MultiValueHeaders, r.e.Headers, n, true)
}
func (r apigwRequest) QueryValues(n string) []string {
	return httpMultiLookup(r.e.MultiValueQueryStringParameters, r.e.QueryStringParameters, n, false)
}
func (r apigwRequest) Cookies() []string { return httpCookieHeader(r.HeaderValues("cookie")) }

type apigwV2Request struct {
	e *awsevents.APIGatewayV2HTTPRequest
}

func (r apigwV2Request) HTTPMethod() string            { return r.e.RequestContext.HTTP.Method }
func (r apigwV2Request) HTTPPath() string              { return r.e.RawPath }
func (r apigwV2Request) RawBody() (string, bool)       { return r.e.Body, r.e.IsBase64Encoded }
func (r apigwV2Request) PathParameter(n string) string { return r.e.PathParameters[n] }
func (r apigwV2Request) HeaderValues(n string) []string {
	return httpSingleLookup(r.e.Headers, n, true)
}
func (r apigwV2Request) QueryValues(n string) []string {
	return httpSingleLookup(r.e.QueryStringParameters, n, false)
}
func (r apigwV2Request) Cookies() []string { return r.e.Cookies }

type albRequest struct {
	e *awsevents.ALBTargetGroupRequest
}

func (r albRequest) HTTPMethod() string          { return r.e.HTTPMethod }
func (r albRequest) HTTPPath() string            { return r.e.Path }
func (r albRequest) RawBody() (string, bool)     { return r.e.Body, r.e.IsBase64Encoded }
func (r albRequest) PathParameter(string) string { return "" }
func (r albRequest) HeaderValues(n string) []string {
	return httpMultiLookup(r.e.MultiValueHeaders, r.e.Headers, n, true)
}
func (r albRequest) QueryValues(n string) []string {
	// Keys are percent-encoded too: compare decoded keys.
	var out []string
	add := func(k string, vs ...string) {
		if httpUnescape(k) != n {
			return
		}
		for _, v := range vs {
			out = append(out, httpUnescape(v))
		}
	}
	if len(r.e.MultiValueQueryStringParameters) > 0 {
		for k, vs := range r.e.MultiValueQueryStringParameters {
			add(k, vs...)
		}
		return out
	}
	for k, v := range r.e.QueryStringParameters {
		add(k, v)
	}
	return out
}
func (r albRequest) Cookies() []string { return httpCookieHeader(r.HeaderValues("cookie")) }

type furlRequest struct {
	e *awsevents.LambdaFunctionURLRequest
}

func (r furlRequest) HTTPMethod() string          { return r.e.RequestContext.HTTP.Method }
func (r furlRequest) HTTPPath() string            { return r.e.RawPath }
func (r furlRequest) RawBody() (string, bool)     { return r.e.Body, r.e.IsBase64Encoded }
func (r furlRequest) PathParameter(string) string { return "" }
func (r furlRequest) HeaderValues(n string) []string {
	return httpSingleLookup(r.e.Headers, n, true)
}
func (r furlRequest) QueryValues(n string) []string {
	return httpSingleLookup(r.e.QueryStringParameters, n, false)
}
func (r furlRequest) Cookies() []string { return r.e.Cookies }

// HTTPMethod is the request method.
func (r VPCLatticeRequest) HTTPMethod() string { return r.Method }

// HTTPPath is the request path: RawPath without its query string.
func (r VPCLatticeRequest) HTTPPath() string {
	p, _, _ := strings.Cut(r.RawPath, "?")
	return p
}

// RawBody is the body as sent and whether it is base64 encoded.
func (r VPCLatticeRequest) RawBody() (string, bool) { return r.Body, r.IsBase64Encoded }

// HeaderValues is the value of a header, found case-insensitively.
func (r VPCLatticeRequest) HeaderValues(n string) []string {
	return httpSingleLookup(r.Headers, n, true)
}

// QueryValues is the value of a query parameter.
func (r VPCLatticeRequest) QueryValues(n string) []string {
	return httpSingleLookup(r.QueryStringParameters, n, false)
}

// Cookies is the cookies of the Cookie header.
func (r VPCLatticeRequest) Cookies() []string { return httpCookieHeader(r.HeaderValues("cookie")) }

// PathParameter is always "": VPC Lattice has no routes with parameters.
func (r VPCLatticeRequest) PathParameter(string) string { return "" }

// HTTPMethod is the request method.
func (r VPCLatticeV2Request) HTTPMethod() string { return r.Method }

// HTTPPath is the request path.
func (r VPCLatticeV2Request) HTTPPath() string { return r.Path }

// RawBody is the body as sent and whether it is base64 encoded.
func (r VPCLatticeV2Request) RawBody() (string, bool) { return r.Body, r.IsBase64Encoded }

// HeaderValues is every value of a header, found case-insensitively.
func (r VPCLatticeV2Request) HeaderValues(n string) []string {
	return httpMultiLookup(r.Headers, nil, n, true)
}

// QueryValues is every value of a query parameter.
func (r VPCLatticeV2Request) QueryValues(n string) []string {
	return httpMultiLookup(r.QueryStringParameters, nil, n, false)
}

// Cookies is the cookies of the Cookie headers.
func (r VPCLatticeV2Request) Cookies() []string { return httpCookieHeader(r.HeaderValues("cookie")) }

// PathParameter is always "": VPC Lattice has no routes with parameters.
func (r VPCLatticeV2Request) PathParameter(string) string { return "" }

// httpMultiLookup finds a key in the multi-value map, or else in the single-value one; fold makes the
// lookup case-insensitive (headers).
func httpMultiLookup(multi map[string][]string, single map[string]string, name string, fold bool) []string {
	if v, ok := multi[name]; ok {
		return v
	}
	if fold {
		for k, v := range multi {
			if strings.EqualFold(k, name) {
				return v
			}
		}
	}
	return httpSingleLookup(single, name, fold)
}

func httpSingleLookup(m map[string]string, name string, fold bool) []string {
	if v, ok := m[name]; ok {
		return []string{v}
	}
	if fold {
		for k, v := range m {
			if strings.EqualFold(k, name) {
				return []string{v}
			}
		}
	}
	return nil
}

// httpCookieHeader splits Cookie header values ("a=1; b=2") into cookies.
func httpCookieHeader(values []string) []string {
	var out []string
	for _, h := range values {
		for c := range strings.SplitSeq(h, ";") {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

func httpUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
