package powertools

import (
	"context"
	"encoding/json"
	"errors"
	"net/textproto"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/aws/aws-lambda-go/events"

	ptevents "github.com/gopowertools/powertools/events"
	"github.com/gopowertools/powertools/internal/jsonscan"
)

// HTTPEventKind is the shape of an HTTP event: which service sent it, and so which shape the answer takes.
type HTTPEventKind uint8

const (
	// HTTPEventUnknown is no HTTP event (outside HTTPHandler).
	HTTPEventUnknown HTTPEventKind = iota
	// HTTPEventAPIGatewayREST is an API Gateway REST API proxy event (payload format 1.0, which HTTP APIs
	// also send when configured for it).
	HTTPEventAPIGatewayREST
	// HTTPEventAPIGatewayHTTP is an API Gateway HTTP API event, payload format 2.0.
	HTTPEventAPIGatewayHTTP
	// HTTPEventALB is an Application Load Balancer event, multi-value headers off.
	HTTPEventALB
	// HTTPEventALBMultiValue is an Application Load Balancer event with multi-value headers on.
	HTTPEventALBMultiValue
	// HTTPEventFunctionURL is a Lambda function URL event (the HTTP API 2.0 shape).
	HTTPEventFunctionURL
	// HTTPEventVPCLattice is a VPC Lattice event, structure version 1.
	HTTPEventVPCLattice
	// HTTPEventVPCLatticeV2 is a VPC Lattice event, structure version 2.
	HTTPEventVPCLatticeV2
)

var httpKindNames = [...]string{"unknown", "API Gateway REST", "API Gateway HTTP", "ALB", "ALB multi-value",
	"function URL", "VPC Lattice", "VPC Lattice v2"}

func (k HTTPEventKind) String() string {
	if int(k) < len(httpKindNames) {
		return httpKindNames[k]
	}
	return "unknown"
}

// ErrHTTPEvent matches, through errors.Is, every *HTTPEventError.
var ErrHTTPEvent = errors.New("powertools: http: bad event")

// HTTPEventError reports an event HTTPHandler cannot turn into a request. An event of none of the known
// shapes (or not JSON) is returned by Invoke as the function's error; a known shape with a bad field
// (invalid base64 body, a header with control characters, a missing method) is answered 400 in that
// shape, and the error is logged.
type HTTPEventError struct {
	Kind   HTTPEventKind // HTTPEventUnknown when the shape was not recognised
	Field  string        // the field at fault, e.g. "body", "headers", "" for the event as a whole
	Reason string
}

func (e *HTTPEventError) Error() string {
	msg := "powertools: http: "
	if e.Kind != HTTPEventUnknown {
		msg += e.Kind.String() + " event: "
	}
	if e.Field != "" {
		msg += e.Field + ": "
	}
	return msg + e.Reason
}

// Is makes errors.Is(err, ErrHTTPEvent) true.
func (e *HTTPEventError) Is(target error) bool { return target == ErrHTTPEvent }

// ErrHTTPEventKind is returned by the typed accessors of HTTPEvent asked for a shape the event is not.
var ErrHTTPEventKind = errors.New("powertools: http: the event is of another kind")

// HTTPEvent is the event behind the request HTTPHandler serves: its kind, the request id, the raw
// request context (stage, authorizer, identity) and the whole event, decoded into the aws-lambda-go (or
// powertools/events) type on demand. Get it with HTTPRequestEvent(r.Context()).
type HTTPEvent struct {
	Kind      HTTPEventKind
	RequestID string // requestContext.requestId; the X-Amzn-Trace-Id header for ALB and VPC Lattice
	Stage     string // requestContext.stage (API Gateway)
	SourceIP  string // the client's address as the service saw it

	raw    string // the event, as received
	rawCtx string // its requestContext, JSON ("" when absent)

	once sync.Once
	val  any
	err  error
}

// RequestContext is the event's requestContext as JSON text (nil when the event has none, as ALB and
// VPC Lattice v1 events).
func (e *HTTPEvent) RequestContext() json.RawMessage {
	if e == nil || e.rawCtx == "" {
		return nil
	}
	return json.RawMessage(e.rawCtx)
}

// JSON is the whole event as received.
func (e *HTTPEvent) JSON() json.RawMessage {
	if e == nil || e.raw == "" {
		return nil
	}
	return json.RawMessage(e.raw)
}

func httpDecodeAs[T any](e *HTTPEvent, kinds ...HTTPEventKind) (*T, error) {
	if e == nil || !containsKind(kinds, e.Kind) {
		return nil, ErrHTTPEventKind
	}
	e.once.Do(func() {
		v := new(T)
		if err := json.Unmarshal([]byte(e.raw), v); err != nil {
			e.err = &HTTPEventError{Kind: e.Kind, Reason: err.Error()}
			return
		}
		e.val = v
	})
	if e.err != nil {
		return nil, e.err
	}
	v, ok := e.val.(*T)
	if !ok {
		return nil, ErrHTTPEventKind
	}
	return v, nil
}

func containsKind(kinds []HTTPEventKind, k HTTPEventKind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// APIGatewayREST decodes the event as an API Gateway REST (payload 1.0) event: authorizer claims are in
// RequestContext.Authorizer, the caller in RequestContext.Identity. ErrHTTPEventKind for another kind.
func (e *HTTPEvent) APIGatewayREST() (*events.APIGatewayProxyRequest, error) {
	return httpDecodeAs[events.APIGatewayProxyRequest](e, HTTPEventAPIGatewayREST)
}

// APIGatewayHTTP decodes the event as an HTTP API (payload 2.0) event: JWT claims are in
// RequestContext.Authorizer.JWT.Claims. ErrHTTPEventKind for another kind.
func (e *HTTPEvent) APIGatewayHTTP() (*events.APIGatewayV2HTTPRequest, error) {
	return httpDecodeAs[events.APIGatewayV2HTTPRequest](e, HTTPEventAPIGatewayHTTP)
}

// ALB decodes the event as an Application Load Balancer event (either header mode).
func (e *HTTPEvent) ALB() (*events.ALBTargetGroupRequest, error) {
	return httpDecodeAs[events.ALBTargetGroupRequest](e, HTTPEventALB, HTTPEventALBMultiValue)
}

// FunctionURL decodes the event as a Lambda function URL event.
func (e *HTTPEvent) FunctionURL() (*events.LambdaFunctionURLRequest, error) {
	return httpDecodeAs[events.LambdaFunctionURLRequest](e, HTTPEventFunctionURL)
}

// VPCLattice decodes the event as a VPC Lattice (version 1) event.
func (e *HTTPEvent) VPCLattice() (*ptevents.VPCLatticeRequest, error) {
	return httpDecodeAs[ptevents.VPCLatticeRequest](e, HTTPEventVPCLattice)
}

// VPCLatticeV2 decodes the event as a VPC Lattice version 2 event.
func (e *HTTPEvent) VPCLatticeV2() (*ptevents.VPCLatticeV2Request, error) {
	return httpDecodeAs[ptevents.VPCLatticeV2Request](e, HTTPEventVPCLatticeV2)
}

type httpEventKey struct{}

// HTTPRequestEvent returns the event behind the request whose context ctx is (or derives from), inside
// a handler HTTPHandler runs. Elsewhere it returns an empty HTTPEvent of kind HTTPEventUnknown, never nil.
func HTTPRequestEvent(ctx context.Context) *HTTPEvent {
	if ctx != nil {
		if c, ok := ctx.(*httpContext); ok {
			return c.ev
		}
		if ev, ok := ctx.Value(httpEventKey{}).(*HTTPEvent); ok {
			return ev
		}
	}
	return &HTTPEvent{}
}

// httpContext is the request's context: the invocation's (or a subsegment's) with the event.
type httpContext struct {
	context.Context
	ev *HTTPEvent
}

func (c *httpContext) Value(key any) any {
	if key == (httpEventKey{}) {
		return c.ev
	}
	return c.Context.Value(key)
}

// httpRaw holds the raw JSON text of the members of an event that the adapter reads: substrings of the
// event, nothing decoded yet.
type httpRaw struct {
	version, path, rawPath, latticePath, httpMethod, method, rawQuery string
	headers, mvHeaders, query, mvQuery, latticeQuery                  string
	cookies, body, b64, latticeB64, reqCtx                            string

	// from requestContext
	requestID, domainName, stage, ctxMethod, ctxSourceIP, identitySourceIP string
	elb                                                                    bool
}

// httpScanEvent reads the top level of the event. ok is false when payload is not a JSON object.
func httpScanEvent(raw *httpRaw, payload []byte, s string) bool {
	sc := jsonscan.Scanner{B: payload}
	ok := jsonscan.Object(&sc, func(key []byte) bool {
		sc.WS()
		start := sc.I
		if !sc.Skip(0) {
			return false
		}
		v := s[start:sc.I]
		switch string(key) {
		case "version":
			raw.version = v
		case "path":
			raw.path = v
		case "rawPath":
			raw.rawPath = v
		case "raw_path":
			raw.latticePath = v
		case "httpMethod":
			raw.httpMethod = v
		case "method":
			raw.method = v
		case "rawQueryString":
			raw.rawQuery = v
		case "headers":
			raw.headers = v
		case "multiValueHeaders":
			raw.mvHeaders = v
		case "queryStringParameters":
			raw.query = v
		case "multiValueQueryStringParameters":
			raw.mvQuery = v
		case "query_string_parameters":
			raw.latticeQuery = v
		case "cookies":
			raw.cookies = v
		case "body":
			raw.body = v
		case "isBase64Encoded":
			raw.b64 = v
		case "is_base64_encoded":
			raw.latticeB64 = v
		case "requestContext":
			raw.reqCtx = v
		}
		return true
	})
	if !ok {
		return false
	}
	sc.WS()
	if sc.I != len(payload) {
		return false
	}
	if raw.reqCtx != "" && raw.reqCtx[0] == '{' {
		httpScanRequestContext(raw, raw.reqCtx)
	}
	return true
}

// httpScanRequestContext picks the few members of requestContext the request needs. A member of an
// unexpected type is left empty.
func httpScanRequestContext(raw *httpRaw, rc string) {
	httpPickStrings(rc, func(key, v string) *string {
		switch key {
		case "requestId":
			return &raw.requestID
		case "domainName":
			return &raw.domainName
		case "stage":
			return &raw.stage
		case "elb":
			raw.elb = v != "null"
		case "http":
			httpPickStrings(v, func(key, _ string) *string {
				switch key {
				case "method":
					return &raw.ctxMethod
				case "sourceIp":
					return &raw.ctxSourceIP
				}
				return nil
			})
		case "identity":
			httpPickStrings(v, func(key, _ string) *string {
				if key == "sourceIp" {
					return &raw.identitySourceIP
				}
				return nil
			})
		}
		return nil
	})
}

// httpPickStrings calls field with each member of the object obj; a member it gives a destination for is
// decoded into it as a string (a value that is not one: "").
func httpPickStrings(obj string, field func(key, value string) *string) {
	httpMembers(obj, func(key, v string) {
		if dst := field(key, v); dst != nil {
			*dst = httpStringOr(v)
		}
	})
}

// httpKindOf tells the event's shape from the members it has.
func httpKindOf(raw *httpRaw) HTTPEventKind {
	version := httpStringOr(raw.version)
	switch {
	case raw.latticePath != "":
		return HTTPEventVPCLattice
	case version == "2.0" && raw.rawPath != "":
		if strings.Contains(raw.domainName, ".lambda-url.") {
			return HTTPEventFunctionURL
		}
		return HTTPEventAPIGatewayHTTP
	case version == "2.0" && raw.method != "" && raw.path != "":
		return HTTPEventVPCLatticeV2
	case raw.httpMethod != "" && raw.elb:
		if raw.mvHeaders != "" && raw.mvHeaders != "null" {
			return HTTPEventALBMultiValue
		}
		return HTTPEventALB
	case raw.httpMethod != "" && raw.reqCtx != "":
		return HTTPEventAPIGatewayREST
	}
	return HTTPEventUnknown
}

// httpMembers calls fn with every member of the JSON object text obj: the decoded key and the raw value.
// It reports false when obj is not an object (null included) or a key cannot be decoded.
func httpMembers(obj string, fn func(key, value string)) bool {
	if len(obj) == 0 || obj[0] != '{' {
		return false
	}
	b := unsafeBytes(obj)
	sc := jsonscan.Scanner{B: b}
	sc.I = 1
	if sc.Eat('}') {
		return true
	}
	for {
		sc.WS()
		kstart := sc.I
		if _, _, ok := sc.Str(); !ok {
			return false
		}
		key, err := httpString(obj[kstart:sc.I])
		if err != nil || !sc.Eat(':') {
			return false
		}
		sc.WS()
		vstart := sc.I
		if !sc.Skip(0) {
			return false
		}
		fn(key, obj[vstart:sc.I])
		if sc.Eat(',') {
			continue
		}
		return sc.Eat('}')
	}
}

// httpStrings calls fn with each string of v: v is null, one JSON string or an array of strings and
// nulls (skipped). It reports false for anything else.
func httpStrings(v string, fn func(s string)) bool {
	if v == "" || v == "null" {
		return true
	}
	if v[0] == '"' {
		s, err := httpString(v)
		if err != nil {
			return false
		}
		fn(s)
		return true
	}
	if v[0] != '[' {
		return false
	}
	sc := jsonscan.Scanner{B: unsafeBytes(v)}
	sc.I = 1
	if sc.Eat(']') {
		return true
	}
	for {
		sc.WS()
		start := sc.I
		if !sc.Skip(0) {
			return false
		}
		switch item := v[start:sc.I]; item[0] {
		case '"':
			s, err := httpString(item)
			if err != nil {
				return false
			}
			fn(s)
		case 'n': // null
		default:
			return false
		}
		if sc.Eat(',') {
			continue
		}
		return sc.Eat(']')
	}
}

// httpString decodes a JSON string (with its quotes); a plain one is returned as a substring of v, no
// copy. null and the empty text are "".
func httpString(v string) (string, error) {
	if v == "" || v == "null" {
		return "", nil
	}
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", errHTTPNotString
	}
	inner := v[1 : len(v)-1]
	if strings.IndexByte(inner, '\\') < 0 && utf8.ValidString(inner) {
		return inner, nil
	}
	b, err := httpUnquote(v)
	return string(b), err
}

// httpUnquote decodes a JSON string (with its quotes) that holds escapes or non-ASCII text into new bytes.
// The rare cases where encoding/json substitutes U+FFFD (invalid UTF-8, lone surrogates), and text that
// is not a JSON string, are left to it.
func httpUnquote(v string) ([]byte, error) {
	if out, ok := jsonscan.UnquoteString(make([]byte, 0, len(v)-2), v[1:len(v)-1]); ok {
		return out, nil
	}
	var s string
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

var errHTTPNotString = errors.New("not a string")

// httpStringOr is httpString for members where a bad value means "absent".
func httpStringOr(v string) string {
	s, err := httpString(v)
	if err != nil {
		return ""
	}
	return s
}

// httpBool reads a JSON boolean; anything else is false.
func httpBool(v string) bool { return v == "true" }

// httpValidHeaderName reports whether name is an HTTP token (RFC 9110).
func httpValidHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !httpTokenChar[name[i]] {
			return false
		}
	}
	return true
}

// httpValidHeaderValue refuses control characters (tab excepted) and DEL, as net/http's server does.
func httpValidHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

var httpTokenChar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// unsafeBytes views s as bytes for the scanner, which only reads them.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// httpCanonicalKey is textproto's canonical form, which allocates nothing for the common header names.
func httpCanonicalKey(name string) string { return textproto.CanonicalMIMEHeaderKey(name) }
