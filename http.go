package powertools

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"
)

// HTTPOption configures HTTPHandler.
type HTTPOption func(*httpConfig)

// httpConfig is HTTPHandler's configuration; HTTPHandler reads no environment variable.
type httpConfig struct {
	cors          *httpCORS
	compress      bool
	compressMin   int
	stripPrefixes []string
	maxQuery      int
	maxHeader     int
}

func httpDefaultConfig() httpConfig {
	return httpConfig{compressMin: httpDefaultCompressMin, maxQuery: httpDefaultMaxQuery, maxHeader: httpDefaultMaxHeader}
}

const (
	httpDefaultMaxQuery  = 64 << 10 // bytes of query string
	httpDefaultMaxHeader = 1 << 20  // bytes of header names and values, net/http's DefaultMaxHeaderBytes
)

// WithStripPrefix removes the first of prefixes the request path starts with (a stage name, a custom
// domain's base path: "/prod", "/api") before the handler sees it, as http.StripPrefix does; a path equal
// to the prefix becomes "/". Default: none.
func WithStripPrefix(prefixes ...string) HTTPOption {
	return func(c *httpConfig) {
		for _, p := range prefixes {
			if p = strings.TrimRight(p, "/"); p != "" {
				c.stripPrefixes = append(c.stripPrefixes, p)
			}
		}
	}
}

// WithMaxQueryBytes bounds the query string of a request; a longer one is answered 400 without reaching
// the handler. Default: 64 KiB. The headers are bounded at 1 MiB, as net/http's server bounds them.
func WithMaxQueryBytes(n int) HTTPOption {
	return func(c *httpConfig) {
		if n > 0 {
			c.maxQuery = n
		}
	}
}

// HTTPHandler runs h, any net/http handler (http.ServeMux, chi, gorilla...), on the events of API Gateway
// REST APIs (payload 1.0), HTTP APIs (2.0), Application Load Balancers (with and without multi-value
// headers), Lambda function URLs and VPC Lattice (versions 1 and 2). The returned Handler goes to App.Wrap
// or Start; it detects each event's shape and answers in the same shape.
//
// The request has the method, the path (escaped form kept in URL.RawPath), the query string (escaped
// when the service sends it decoded), canonical multi-value headers, the cookies, the body (decoded from
// base64 when the event says so), RemoteAddr (the client's IP), Host and RequestURI. r.Context() is the
// invocation's, so Logger(r.Context()), Metrics and Tracer work, and HTTPRequestEvent(r.Context()) gives
// the event itself. The response's status, headers and cookies go back in the event's shape (Set-Cookie in
// HTTP API's cookies); the body is base64 encoded unless its Content-Type is text (text/*, JSON, XML,
// JavaScript, form data), and always when it is compressed. Without a Content-Type the body's type is
// sniffed, as net/http does.
//
// Inside a wrapped handler: the correlation id is the request id (unless one was set already); the route
// pattern http.ServeMux matched (r.Pattern) is the log key "route" and the name of an X-Ray subsegment
// around the handler; a panic is a 500 JSON answer plus an ERROR line with the stack, not a function
// error. ServeMux's "404 page not found" and "405 method not allowed" answers become JSON:
// {"statusCode":404,"message":"Not found"}.
//
// An event of none of these shapes is an *HTTPEventError (ErrHTTPEvent) returned by Invoke; a known shape
// with a bad field (invalid base64, a control character in a header, a query over WithMaxQueryBytes) is
// answered 400 with {"statusCode":400,"message":...}.
func HTTPHandler(h http.Handler, opts ...HTTPOption) Handler {
	if h == nil {
		panic("powertools: HTTPHandler: handler is nil")
	}
	cfg := httpDefaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	mux, _ := h.(httpRouter)
	if cfg.cors != nil {
		cfg.cors.mux = mux
	}
	return &httpHandler{cfg: cfg, h: h, mux: mux}
}

type httpHandler struct {
	cfg httpConfig
	h   http.Handler
	mux httpRouter // h when it tells its routes (http.ServeMux does): patterns are known before it runs
}

// httpRouter is a handler that tells which pattern serves a request, as http.ServeMux's Handler method
// does (validation.API has it too).
type httpRouter interface {
	http.Handler
	Handler(r *http.Request) (h http.Handler, pattern string)
}

// httpExchange is everything one request needs, in one allocation.
type httpExchange struct {
	ev      HTTPEvent
	raw     httpRaw
	tmpl    http.Request
	url     url.URL
	ctx     httpContext
	w       httpWriter
	strBody httpStringBody
	binBody httpBytesBody
	pattern string
}

func (h *httpHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ex := &httpExchange{}
	s := string(payload) // one copy: every plain string of the event is a substring of it
	if !httpScanEvent(&ex.raw, payload, s) {
		return nil, &HTTPEventError{Reason: "event is not a JSON object"}
	}
	kind := httpKindOf(&ex.raw)
	if kind == HTTPEventUnknown {
		return nil, &HTTPEventError{Reason: "event is none of API Gateway REST or HTTP, ALB, function URL, VPC Lattice"}
	}
	ex.ev.Kind, ex.ev.raw, ex.ev.rawCtx = kind, s, ex.raw.reqCtx
	ex.w.init()
	defer ex.w.release()
	if err := ex.buildRequest(&h.cfg); err != nil {
		Logger(ctx).Warn("powertools: http: bad request", zap.Error(err))
		ex.w.answerJSON(http.StatusBadRequest, httpMessage(http.StatusBadRequest, err.Field+": "+err.Reason))
		return ex.w.encode(kind, nil), nil
	}
	r := &ex.tmpl
	if ex.ev.RequestID != "" && invocationFrom(ctx) != nil && CorrelationID(ctx) == "" {
		SetCorrelationID(ctx, ex.ev.RequestID)
	}
	if h.cfg.cors != nil && h.cfg.cors.preflight(r, &ex.w) {
		return ex.w.encode(kind, nil), nil
	}
	if h.mux != nil {
		_, ex.pattern = h.mux.Handler(r)
		if ex.pattern != "" {
			AppendKeys(ctx, zap.String("route", ex.pattern))
		}
	}
	h.serveTraced(ctx, ex)
	if r.Method == http.MethodHead { // as net/http's server: the headers of a GET, no body
		ex.w.buf.Reset()
	}
	if h.mux != nil && ex.pattern == "" || ex.w.isPlainNotFound() {
		ex.w.jsonErrorAnswer()
	}
	if h.cfg.cors != nil {
		h.cfg.cors.decorate(r.Header.Get("Origin"), ex.w.header)
	}
	var gz []byte
	if h.cfg.compress {
		var g *httpGzip
		if gz, g = h.compress(r, &ex.w); g != nil {
			defer httpGzips.Put(g)
		}
	}
	return ex.w.encode(kind, gz), nil
}

// serveTraced runs the handler in a subsegment named by the route pattern when the invocation is traced.
func (h *httpHandler) serveTraced(ctx context.Context, ex *httpExchange) {
	var t *Subsegment
	if invocationFrom(ctx) != nil {
		t = Tracer(ctx)
	}
	if !t.Sampled() {
		ex.ctx = httpContext{Context: ctx, ev: &ex.ev}
		h.serve(ctx, ex)
		return
	}
	name := ex.pattern
	if name == "" {
		name = ex.tmpl.Method + " " + ex.tmpl.URL.EscapedPath()
	}
	s := t.span.child(t.ctx, name, "")
	ex.ctx = httpContext{Context: s, ev: &ex.ev}
	pe := h.serve(s, ex)
	if ex.pattern == "" && ex.tmpl.Pattern != "" { // another router may have set it
		s.trace.mu.Lock()
		s.name = tracerSanitizeName(ex.tmpl.Pattern)
		s.trace.mu.Unlock()
	}
	if pe != nil {
		s.finish(nil, pe)
		return
	}
	if ex.w.status >= 500 {
		s.trace.mu.Lock()
		s.fault = true
		s.trace.mu.Unlock()
	} else if ex.w.status >= 400 {
		s.trace.mu.Lock()
		s.errFlag = true
		s.trace.mu.Unlock()
	}
	s.finish(nil, nil)
}

// serve calls the handler; a panic becomes a 500 answer and an ERROR line, and is returned.
func (h *httpHandler) serve(logCtx context.Context, ex *httpExchange) (pe *PanicError) {
	r := ex.tmpl.WithContext(&ex.ctx)
	defer func() {
		if v := recover(); v != nil {
			pe = &PanicError{Value: v, Stack: debug.Stack()}
			Logger(logCtx).Error("powertools: http: handler panicked", zap.Error(pe), zap.ByteString("stack", pe.Stack))
			ex.w.answerJSON(http.StatusInternalServerError, httpMessage(http.StatusInternalServerError, ""))
		}
	}()
	h.h.ServeHTTP(&ex.w, r)
	ex.tmpl.Pattern = r.Pattern
	return nil
}

// buildRequest fills ex.tmpl from the event, or says which field is bad.
func (ex *httpExchange) buildRequest(cfg *httpConfig) *HTTPEventError {
	raw, kind := &ex.raw, ex.ev.Kind
	bad := func(field, reason string) *HTTPEventError {
		return &HTTPEventError{Kind: kind, Field: field, Reason: reason}
	}
	r := &ex.tmpl
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1

	// method and path
	var method, path, query string
	var err error
	switch kind {
	case HTTPEventAPIGatewayREST, HTTPEventALB, HTTPEventALBMultiValue:
		method, err = httpString(raw.httpMethod)
		if err == nil {
			path, err = httpString(raw.path)
		}
	case HTTPEventAPIGatewayHTTP, HTTPEventFunctionURL:
		method = raw.ctxMethod
		path, err = httpString(raw.rawPath)
		if err == nil {
			query, err = httpString(raw.rawQuery)
		}
	case HTTPEventVPCLattice:
		method, err = httpString(raw.method)
		if err == nil {
			path, err = httpString(raw.latticePath)
			path, query, _ = strings.Cut(path, "?")
		}
	case HTTPEventVPCLatticeV2:
		method, err = httpString(raw.method)
		if err == nil {
			path, err = httpString(raw.path)
		}
	}
	if err != nil {
		return bad("path", "not a string")
	}
	if method == "" {
		return bad("method", "missing")
	}
	if !httpValidHeaderName(method) {
		return bad("method", "not a token")
	}
	if path == "" {
		return bad("path", "missing")
	}
	if path[0] != '/' {
		return bad("path", "does not start with /")
	}
	r.Method = method

	// query string
	if query == "" {
		var qerr *HTTPEventError
		if query, qerr = ex.buildQuery(cfg); qerr != nil {
			return qerr
		}
	}
	if len(query) > cfg.maxQuery {
		return bad("query string", "longer than the limit of "+itoa(cfg.maxQuery)+" bytes")
	}

	// headers
	if herr := ex.buildHeaders(cfg); herr != nil {
		return herr
	}

	// path: the escaped form when the event carries one
	u := &ex.url
	for _, p := range cfg.stripPrefixes {
		if rest, ok := strings.CutPrefix(path, p); ok && (rest == "" || rest[0] == '/') {
			path = rest
			if path == "" {
				path = "/"
			}
			break
		}
	}
	if strings.IndexByte(path, '%') >= 0 {
		dec, err := url.PathUnescape(path)
		if err != nil {
			return bad("path", "invalid escape")
		}
		u.Path, u.RawPath = dec, path
	} else {
		u.Path = path
	}
	u.RawQuery = query
	r.URL = u
	r.RequestURI = path
	if query != "" {
		r.RequestURI = path + "?" + query
	}
	r.Host = r.Header.Get("Host")
	if r.Host == "" {
		r.Host = raw.domainName
	}

	// the client
	ex.ev.RequestID, ex.ev.Stage = raw.requestID, raw.stage
	switch kind {
	case HTTPEventAPIGatewayREST:
		ex.ev.SourceIP = raw.identitySourceIP
	case HTTPEventAPIGatewayHTTP, HTTPEventFunctionURL:
		ex.ev.SourceIP = raw.ctxSourceIP
	default:
		ip, _, _ := strings.Cut(r.Header.Get("X-Forwarded-For"), ",")
		ex.ev.SourceIP = strings.TrimSpace(ip)
		if ex.ev.RequestID == "" {
			ex.ev.RequestID = r.Header.Get("X-Amzn-Trace-Id")
		}
	}
	r.RemoteAddr = ex.ev.SourceIP

	// body
	isB64 := httpBool(raw.b64) || httpBool(raw.latticeB64)
	body := raw.body
	switch {
	case body == "" || body == "null" || body == `""`:
		r.Body = http.NoBody
	case len(body) < 2 || body[0] != '"':
		return bad("body", "not a string")
	case isB64:
		text, err := httpString(body) // base64 is plain ASCII: a substring, no copy
		if err != nil {
			return bad("body", "not a string")
		}
		dec, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return bad("body", "invalid base64")
		}
		ex.binBody.Reset(dec)
		r.Body, r.ContentLength = &ex.binBody, int64(len(dec))
	case strings.IndexByte(body, '\\') < 0 && utf8.ValidString(body):
		text := body[1 : len(body)-1]
		ex.strBody.Reset(text)
		r.Body, r.ContentLength = &ex.strBody, int64(len(text))
	default: // escapes: decoded once, into bytes the body reads
		dec, err := httpUnquote(body)
		if err != nil {
			return bad("body", "not a string")
		}
		ex.binBody.Reset(dec)
		r.Body, r.ContentLength = &ex.binBody, int64(len(dec))
	}
	return nil
}

// buildQuery makes the query string of the events that carry parameters instead of the raw string:
// API Gateway REST and VPC Lattice send them decoded (escaped here), ALB as they arrived.
func (ex *httpExchange) buildQuery(cfg *httpConfig) (string, *HTTPEventError) {
	raw, kind := &ex.raw, ex.ev.Kind
	var obj string
	escape := true
	switch kind {
	case HTTPEventAPIGatewayREST:
		obj = raw.mvQuery
		if obj == "" || obj == "null" {
			obj = raw.query
		}
	case HTTPEventALB:
		obj, escape = raw.query, false
	case HTTPEventALBMultiValue:
		obj, escape = raw.mvQuery, false
	case HTTPEventVPCLatticeV2:
		obj = raw.query
	case HTTPEventVPCLattice: // raw_path carries the query string; the parameters when it does not
		obj = raw.latticeQuery
	}
	if obj == "" || obj == "null" {
		return "", nil
	}
	var b []byte
	bad := false
	ok := httpMembers(obj, func(key, v string) {
		if !httpStrings(v, func(s string) {
			if len(b) > cfg.maxQuery {
				return
			}
			if len(b) > 0 {
				b = append(b, '&')
			}
			if escape {
				b = append(b, url.QueryEscape(key)...)
				b = append(b, '=')
				b = append(b, url.QueryEscape(s)...)
			} else {
				b = append(append(append(b, key...), '='), s...)
			}
		}) {
			bad = true
		}
	})
	if !ok || bad {
		return "", &HTTPEventError{Kind: kind, Field: "query string parameters", Reason: "not an object of strings"}
	}
	if len(b) > cfg.maxQuery {
		return "", &HTTPEventError{Kind: kind, Field: "query string", Reason: "longer than the limit of " + itoa(cfg.maxQuery) + " bytes"}
	}
	return string(b), nil
}

// buildHeaders fills the request's headers: canonical names, every value, the cookies of HTTP API events
// as one Cookie header.
func (ex *httpExchange) buildHeaders(cfg *httpConfig) *HTTPEventError {
	raw, kind := &ex.raw, ex.ev.Kind
	obj := raw.headers
	if kind == HTTPEventAPIGatewayREST || kind == HTTPEventALBMultiValue {
		if raw.mvHeaders != "" && raw.mvHeaders != "null" {
			obj = raw.mvHeaders
		}
	}
	hdr := make(http.Header, 16)
	values := make([]string, 0, 16)
	var fault *HTTPEventError
	size := 0
	if obj != "" && obj != "null" {
		ok := httpMembers(obj, func(key, v string) {
			if fault != nil {
				return
			}
			if !httpValidHeaderName(key) {
				fault = &HTTPEventError{Kind: kind, Field: "headers", Reason: "invalid header name " + strconvQuote(key)}
				return
			}
			k := httpCanonicalKey(key)
			start := len(values)
			if !httpStrings(v, func(s string) {
				if !httpValidHeaderValue(s) {
					fault = &HTTPEventError{Kind: kind, Field: "headers", Reason: "control character in the value of " + k}
					return
				}
				size += len(k) + len(s)
				values = append(values, s)
			}) {
				fault = &HTTPEventError{Kind: kind, Field: "headers", Reason: "value of " + k + " is not a string"}
			}
			if fault != nil || len(values) == start {
				return
			}
			if prev := hdr[k]; prev != nil {
				hdr[k] = append(prev, values[start:]...)
			} else {
				hdr[k] = values[start:len(values):len(values)]
			}
		})
		if fault != nil {
			return fault
		}
		if !ok {
			return &HTTPEventError{Kind: kind, Field: "headers", Reason: "not an object"}
		}
	}
	if raw.cookies != "" && raw.cookies != "null" {
		var cookies []string
		if !httpStrings(raw.cookies, func(s string) { cookies = append(cookies, s) }) {
			return &HTTPEventError{Kind: kind, Field: "cookies", Reason: "not an array of strings"}
		}
		if len(cookies) > 0 {
			c := strings.Join(cookies, "; ")
			if !httpValidHeaderValue(c) {
				return &HTTPEventError{Kind: kind, Field: "cookies", Reason: "control character in a cookie"}
			}
			size += len(c)
			hdr["Cookie"] = append(hdr["Cookie"], c)
		}
	}
	if size > cfg.maxHeader {
		return &HTTPEventError{Kind: kind, Field: "headers", Reason: "larger than the limit of " + itoa(cfg.maxHeader) + " bytes"}
	}
	ex.tmpl.Header = hdr
	return nil
}

// httpMessage is the JSON body of the adapter's own answers, the Python edition's:
// {"statusCode":400,"message":"Bad request: ..."}.
func httpMessage(status int, detail string) []byte {
	msg := http.StatusText(status)
	if status == http.StatusNotFound {
		msg = "Not found"
	}
	if detail != "" {
		msg += ": " + detail
	}
	b := append([]byte(`{"statusCode":`), itoa(status)...)
	b = append(b, `,"message":`...)
	b = jsonAppendString(b, msg)
	return append(b, '}')
}

func itoa(n int) string { return strconv.Itoa(n) }

func strconvQuote(s string) string { return strconv.Quote(s) }

// httpStringBody and httpBytesBody are the request's body, read from the event's string or from the
// base64-decoded bytes.
type httpStringBody struct{ strings.Reader }

func (*httpStringBody) Close() error { return nil }

type httpBytesBody struct{ bytes.Reader }

func (*httpBytesBody) Close() error { return nil }
