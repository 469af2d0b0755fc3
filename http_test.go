package powertools

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools/internal/testenv"
)

// httpShapes are the fixtures of one request, POST /orders/42?color=red&tag=a&tag=b&q=a+b%26c with two
// cookies, a two-valued header and the body {"qty":2,"note":"héllo"}, in each shape.
var httpShapes = []struct {
	file string
	kind HTTPEventKind
}{
	{"apigw-rest.json", HTTPEventAPIGatewayREST},
	{"apigw-http.json", HTTPEventAPIGatewayHTTP},
	{"alb.json", HTTPEventALB},
	{"alb-multivalue.json", HTTPEventALBMultiValue},
	{"function-url.json", HTTPEventFunctionURL},
	{"vpc-lattice.json", HTTPEventVPCLattice},
	{"vpc-lattice-v2.json", HTTPEventVPCLatticeV2},
}

func httpFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "http", name))
	require.NoError(t, err)
	return b
}

// httpAnswer is an answer of any shape, normalised: headers canonical with their values joined by ", ",
// cookies apart, the body decoded.
type httpAnswer struct {
	Status  int
	Header  map[string]string
	Cookies []string
	Body    string
	B64     bool
	Keys    []string // the top-level keys of the answer
}

func httpDecodeAnswer(t testing.TB, out []byte) httpAnswer {
	t.Helper()
	var raw struct {
		StatusCode        int                 `json:"statusCode"`
		StatusDescription string              `json:"statusDescription"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Cookies           []string            `json:"cookies"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	require.NoError(t, json.Unmarshal(out, &raw), "%s", out)
	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(out, &keys))
	a := httpAnswer{Status: raw.StatusCode, Header: map[string]string{}, Cookies: raw.Cookies, B64: raw.IsBase64Encoded}
	for k := range keys {
		a.Keys = append(a.Keys, k)
	}
	slices.Sort(a.Keys)
	if raw.StatusDescription != "" {
		assert.Equal(t, http.StatusText(raw.StatusCode), strings.SplitN(raw.StatusDescription, " ", 2)[1])
	}
	for k, v := range raw.Headers {
		if http.CanonicalHeaderKey(k) == "Set-Cookie" {
			a.Cookies = append(a.Cookies, v)
			continue
		}
		a.Header[http.CanonicalHeaderKey(k)] = v
	}
	for k, vs := range raw.MultiValueHeaders {
		if http.CanonicalHeaderKey(k) == "Set-Cookie" {
			a.Cookies = append(a.Cookies, vs...)
			continue
		}
		a.Header[http.CanonicalHeaderKey(k)] = strings.Join(vs, ", ")
	}
	a.Body = raw.Body
	if raw.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(raw.Body)
		require.NoError(t, err)
		a.Body = string(b)
	}
	return a
}

// httpEcho describes the request it gets, as JSON.
func httpEchoMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var cookies []string
		for _, c := range r.Cookies() {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
		ev := HTTPRequestEvent(r.Context())
		desc := map[string]any{
			"method":        r.Method,
			"path":          r.URL.Path,
			"id":            r.PathValue("id"),
			"pattern":       r.Pattern,
			"query":         r.URL.Query(),
			"multi":         strings.Join(r.Header.Values("X-Multi"), ","),
			"contentType":   r.Header.Get("Content-Type"),
			"host":          r.Host,
			"remote":        r.RemoteAddr,
			"cookies":       cookies,
			"body":          string(body),
			"contentLength": r.ContentLength,
			"eventKnown":    ev.Kind != HTTPEventUnknown,
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Reply", "a")
		w.Header().Add("X-Reply", "b")
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "new"})
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(desc)
	})
	return mux
}

func TestHTTPSameAnswerEveryShape(t *testing.T) {
	h := HTTPHandler(httpEchoMux())
	var want *httpAnswer
	for _, shape := range httpShapes {
		t.Run(shape.file, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), httpFixture(t, shape.file))
			require.NoError(t, err)
			got := httpDecodeAnswer(t, out)
			assert.Equal(t, http.StatusCreated, got.Status)
			assert.False(t, got.B64, "a JSON body goes as text")
			var desc map[string]any
			require.NoError(t, json.Unmarshal([]byte(got.Body), &desc))
			if shape.kind == HTTPEventALB {
				// the one exception: without multi-value headers, ALB sends only the last value of a
				// repeated query parameter (tag=b), so this shape cannot carry tag=a&tag=b
				assert.Equal(t, []any{"b"}, desc["query"].(map[string]any)["tag"])
				desc["query"].(map[string]any)["tag"] = []any{"a", "b"}
				got.Body = strings.Replace(got.Body, `"tag":["b"]`, `"tag":["a","b"]`, 1)
			}
			assert.Equal(t, map[string]any{
				"method": "POST", "path": "/orders/42", "id": "42", "pattern": "POST /orders/{id}",
				"query":         map[string]any{"color": []any{"red"}, "tag": []any{"a", "b"}, "q": []any{"a b&c"}},
				"multi":         "one,two",
				"contentType":   "application/json",
				"host":          "shop.example.com",
				"remote":        "203.0.113.7",
				"cookies":       []any{"session=abc", "theme=dark"},
				"body":          `{"qty":2,"note":"héllo"}`,
				"contentLength": float64(len(`{"qty":2,"note":"héllo"}`)),
				"eventKnown":    true,
			}, desc)
			switch shape.kind {
			case HTTPEventAPIGatewayHTTP, HTTPEventFunctionURL:
				assert.Equal(t, []string{"body", "cookies", "headers", "isBase64Encoded", "statusCode"}, got.Keys)
			case HTTPEventAPIGatewayREST:
				assert.Equal(t, []string{"body", "isBase64Encoded", "multiValueHeaders", "statusCode"}, got.Keys)
			case HTTPEventALBMultiValue:
				assert.Equal(t, []string{"body", "isBase64Encoded", "multiValueHeaders", "statusCode", "statusDescription"}, got.Keys)
			default:
				assert.Equal(t, []string{"body", "headers", "isBase64Encoded", "statusCode", "statusDescription"}, got.Keys)
			}
			got.Keys = nil
			if want == nil {
				want = &got
				return
			}
			assert.Equal(t, *want, got, "answer differs from %s's", httpShapes[0].file)
		})
	}
}

func TestHTTPALBQueryAsSent(t *testing.T) {
	// ALB passes the query parameters as they arrived, still escaped; the single-value shape has one tag
	var got string
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { got = r.URL.RawQuery })
	_, err := HTTPHandler(mux).Invoke(context.Background(), httpFixture(t, "alb.json"))
	require.NoError(t, err)
	assert.Equal(t, "color=red&tag=b&q=a%20b%26c", got)
}

func TestHTTPCookiesBothWays(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("theme")
		if err == nil {
			http.SetCookie(w, &http.Cookie{Name: "theme", Value: c.Value + "-seen"})
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s2", HttpOnly: true})
	})
	h := HTTPHandler(mux)
	for _, shape := range httpShapes {
		t.Run(shape.file, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), httpFixture(t, shape.file))
			require.NoError(t, err)
			a := httpDecodeAnswer(t, out)
			switch shape.kind {
			case HTTPEventALB, HTTPEventVPCLattice, HTTPEventVPCLatticeV2: // one value per header: the last cookie
				assert.Equal(t, []string{"sid=s2; HttpOnly"}, a.Cookies)
			default:
				assert.Equal(t, []string{"theme=dark-seen", "sid=s2; HttpOnly"}, a.Cookies)
			}
		})
	}
	// HTTP API: Set-Cookie goes in cookies, never in headers
	out, err := h.Invoke(context.Background(), httpFixture(t, "apigw-http.json"))
	require.NoError(t, err)
	assert.Contains(t, string(out), `"cookies":["theme=dark-seen","sid=s2; HttpOnly"]`)
	assert.NotContains(t, string(out), `"Set-Cookie"`)
}

// httpEvent builds an HTTP API event for the method, path and headers, with body.
func httpEvent(method, rawPath, rawQuery string, headers map[string]string, body []byte, b64 bool) []byte {
	ev := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": rawPath, "rawQueryString": rawQuery,
		"headers": headers,
		"requestContext": map[string]any{
			"requestId": "req-1", "domainName": "api.example.com", "stage": "$default",
			"http": map[string]any{"method": method, "path": rawPath, "sourceIp": "198.51.100.1"},
		},
		"isBase64Encoded": b64,
	}
	if b64 {
		ev["body"] = base64.StdEncoding.EncodeToString(body)
	} else {
		ev["body"] = string(body)
	}
	b, _ := json.Marshal(ev)
	return b
}

func TestHTTPBinaryBothWays(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe")
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /images/{name}", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.PathValue("name") == "sniff" {
			_, _ = w.Write(b) // no Content-Type: sniffed as net/http does
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(b)
	})
	h := HTTPHandler(mux)
	for _, name := range []string{"logo", "sniff"} {
		out, err := h.Invoke(context.Background(), httpEvent("PUT", "/images/"+name, "", map[string]string{"content-type": "image/png"}, png, true))
		require.NoError(t, err)
		a := httpDecodeAnswer(t, out)
		assert.True(t, a.B64, name)
		assert.Equal(t, string(png), a.Body, name)
		assert.Equal(t, "image/png", a.Header["Content-Type"], name)
	}
	// text that is not UTF-8 goes base64 too
	mux.HandleFunc("GET /latin1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=iso-8859-1")
		_, _ = w.Write([]byte("caf\xe9"))
	})
	out, err := h.Invoke(context.Background(), httpEvent("GET", "/latin1", "", nil, nil, false))
	require.NoError(t, err)
	a := httpDecodeAnswer(t, out)
	assert.True(t, a.B64)
	assert.Equal(t, "caf\xe9", a.Body)
}

func TestHTTPBadInput(t *testing.T) {
	var called int
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { called++ })
	h := HTTPHandler(mux, WithMaxQueryBytes(1024))
	rest := func(mutate func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(httpFixture(t, "apigw-rest.json"), &m))
		mutate(m)
		b, _ := json.Marshal(m)
		return b
	}
	bad400 := []struct {
		name    string
		payload []byte
		reason  string
	}{
		{"invalid base64", httpEvent("POST", "/", "", nil, nil, false)[:0:0], ""},
		{"control character in a header", httpEvent("GET", "/", "", map[string]string{"x-evil": "a\r\nSet-Cookie: x=1"}, nil, false), "control character in the value of X-Evil"},
		{"NUL in a header", httpEvent("GET", "/", "", map[string]string{"x-evil": "a\x00"}, nil, false), "control character"},
		{"bad header name", httpEvent("GET", "/", "", map[string]string{"x evil": "a"}, nil, false), "invalid header name"},
		{"huge query string", httpEvent("GET", "/", strings.Repeat("a=b&", 1000), nil, nil, false), "longer than the limit of 1024 bytes"},
		{"huge query parameters", rest(func(m map[string]any) {
			m["multiValueQueryStringParameters"] = map[string]any{"a": slices.Repeat([]any{"xxxxxxxx"}, 500)}
		}), "longer than the limit"},
		{"missing method", rest(func(m map[string]any) { m["httpMethod"] = "" }), "method: missing"},
		{"method not a token", rest(func(m map[string]any) { m["httpMethod"] = "GET /x" }), "method: not a token"},
		{"path not absolute", rest(func(m map[string]any) { m["path"] = "orders" }), "does not start with /"},
		{"bad path escape", rest(func(m map[string]any) { m["path"] = "/a%zz" }), "invalid escape"},
		{"headers not an object", rest(func(m map[string]any) { m["multiValueHeaders"] = []any{1} }), "headers: not an object"},
		{"header value not a string", rest(func(m map[string]any) { m["multiValueHeaders"] = map[string]any{"A": []any{1, 2}} }), ""},
		{"body not a string", rest(func(m map[string]any) { m["body"] = 12 }), "body: not a string"},
		{"query not strings", rest(func(m map[string]any) { m["multiValueQueryStringParameters"] = "x" }), "query string parameters"},
	}
	bad400[0].payload = rest(func(m map[string]any) { m["body"], m["isBase64Encoded"] = "!!not base64!!", true })
	bad400[0].reason = "body: invalid base64"
	for _, tc := range bad400 {
		t.Run(tc.name, func(t *testing.T) {
			called = 0
			out, err := h.Invoke(context.Background(), tc.payload)
			require.NoError(t, err)
			a := httpDecodeAnswer(t, out)
			assert.Equal(t, http.StatusBadRequest, a.Status, "%s", out)
			assert.Equal(t, "application/json", a.Header["Content-Type"])
			assert.Contains(t, a.Body, tc.reason)
			assert.Contains(t, a.Body, `"statusCode":400`)
			assert.Zero(t, called, "the handler ran")
		})
	}
	for _, payload := range []string{`not json`, `[]`, `{}`, `{"httpMethod":"GET"}`, `{"Records":[]}`, `{"a":1} x`, `null`, ``} {
		_, err := h.Invoke(context.Background(), []byte(payload))
		var he *HTTPEventError
		require.ErrorAs(t, err, &he, payload)
		assert.ErrorIs(t, err, ErrHTTPEvent)
		assert.True(t, strings.HasPrefix(err.Error(), "powertools: http: "), err.Error())
		assert.Equal(t, 1, strings.Count(err.Error(), "powertools:"))
	}
}

func TestHTTPNotFoundJSON(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders", func(w http.ResponseWriter, r *http.Request) {})
	h := HTTPHandler(mux)
	out, err := h.Invoke(context.Background(), httpEvent("GET", "/nowhere", "", nil, nil, false))
	require.NoError(t, err)
	a := httpDecodeAnswer(t, out)
	assert.Equal(t, 404, a.Status)
	assert.JSONEq(t, `{"statusCode":404,"message":"Not found"}`, a.Body)
	assert.Equal(t, "application/json", a.Header["Content-Type"])

	out, err = h.Invoke(context.Background(), httpEvent("DELETE", "/orders", "", nil, nil, false))
	require.NoError(t, err)
	a = httpDecodeAnswer(t, out)
	assert.Equal(t, 405, a.Status)
	assert.JSONEq(t, `{"statusCode":405,"message":"Method Not Allowed"}`, a.Body)
	assert.Equal(t, "GET, HEAD", a.Header["Allow"])

	// any handler answering with http.NotFound
	out, err = HTTPHandler(http.NotFoundHandler()).Invoke(context.Background(), httpEvent("GET", "/x", "", nil, nil, false))
	require.NoError(t, err)
	assert.JSONEq(t, `{"statusCode":404,"message":"Not found"}`, httpDecodeAnswer(t, out).Body)

	// a handler's own 404 is kept
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no such order", 404) })
	out, err = h.Invoke(context.Background(), httpEvent("GET", "/orders/9", "", nil, nil, false))
	require.NoError(t, err)
	assert.Equal(t, "no such order\n", httpDecodeAnswer(t, out).Body)
}

func TestHTTPStripPrefix(t *testing.T) {
	var paths []string
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { paths = append(paths, r.URL.Path+"|"+r.URL.RawPath) })
	h := HTTPHandler(mux, WithStripPrefix("/prod/", "/api"))
	for _, p := range []string{"/prod/orders", "/api", "/apix/y", "/api/a%2Fb", "/other"} {
		_, err := h.Invoke(context.Background(), httpEvent("GET", p, "", nil, nil, false))
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"/orders|", "/|", "/apix/y|", "/a/b|/a%2Fb", "/other|"}, paths)
}

func TestHTTPPanicIs500(t *testing.T) {
	var logs bytes.Buffer
	app, err := New(WithEnv(map[string]string{}), WithLogOutput(&logs))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Partial", "1")
		_, _ = w.Write([]byte("half"))
		panic(errors.New("kaput"))
	})
	h := app.Wrap(HTTPHandler(mux))
	out, err := h.Invoke(httpLambdaCtx("req-9"), httpEvent("GET", "/boom", "", nil, nil, false))
	require.NoError(t, err, "a panic is an answer, not a function error")
	a := httpDecodeAnswer(t, out)
	assert.Equal(t, 500, a.Status)
	assert.JSONEq(t, `{"statusCode":500,"message":"Internal Server Error"}`, a.Body)
	assert.Equal(t, map[string]string{"Content-Type": "application/json"}, a.Header, "what the handler wrote is gone")
	var line map[string]any
	require.NoError(t, json.Unmarshal(bytes.TrimSpace(logs.Bytes()), &line), logs.String())
	assert.Equal(t, "ERROR", line["level"])
	assert.Equal(t, "powertools: http: handler panicked", line["message"])
	assert.Equal(t, "GET /boom", line["route"])
	assert.Contains(t, line["stack"], "http_test.go")
	assert.Equal(t, "powertools: panic: kaput", line["exception"])
}

func httpLambdaCtx(requestID string) context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: requestID})
}

func TestHTTPRouteInLogsAndCorrelationID(t *testing.T) {
	var logs bytes.Buffer
	app, err := New(WithEnv(map[string]string{"POWERTOOLS_SERVICE_NAME": "shop"}), WithLogOutput(&logs))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		Logger(r.Context()).Info("order received")
		Slog(r.Context()).Info("via slog")
	})
	h := app.Wrap(HTTPHandler(mux))
	for _, shape := range httpShapes {
		logs.Reset()
		_, err := h.Invoke(httpLambdaCtx("lambda-req"), httpFixture(t, shape.file))
		require.NoError(t, err)
		ls := strings.Split(strings.TrimSpace(logs.String()), "\n")
		require.Len(t, ls, 2, shape.file)
		for _, l := range ls {
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(l), &m))
			assert.Equal(t, "POST /orders/{id}", m["route"], shape.file)
			assert.Equal(t, "lambda-req", m["function_request_id"])
			want := map[HTTPEventKind]string{
				HTTPEventAPIGatewayREST: "req-rest-0001", HTTPEventAPIGatewayHTTP: "req-http-0001",
				HTTPEventFunctionURL: "req-furl-0001",
			}[shape.kind]
			if want == "" {
				want = "Root=1-5759e988-bd862e3fe1be46a994272793" // ALB and VPC Lattice: the trace header
			}
			assert.Equal(t, want, m["correlation_id"], shape.file)
		}
	}
	// a correlation id set by WithCorrelationIDPath wins
	logs.Reset()
	app2, err := New(WithEnv(map[string]string{}), WithLogOutput(&logs), WithCorrelationIDPath("headers.host"))
	require.NoError(t, err)
	_, err = app2.Wrap(HTTPHandler(mux)).Invoke(httpLambdaCtx("x"), httpFixture(t, "apigw-http.json"))
	require.NoError(t, err)
	assert.Contains(t, logs.String(), `"correlation_id":"shop.example.com"`)
}

func TestHTTPRouteInTraces(t *testing.T) {
	l := startXRayListener(t)
	app := tracerTestApp(t, l, nil)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		_ = Tracer(r.Context()).Capture("charge", func(ctx context.Context) error { return nil })
		w.WriteHeader(http.StatusTeapot)
	})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("no") })
	h := app.Wrap(HTTPHandler(mux))
	out, err := h.Invoke(tracedCtx(tracerTestHeader), httpFixture(t, "apigw-http.json"))
	require.NoError(t, err)
	assert.Equal(t, 418, httpDecodeAnswer(t, out).Status)
	doc := decodeXRayDatagram(t, l.datagram(t))
	require.Len(t, doc.Subsegments, 1)
	route := doc.Subsegments[0]
	assert.Equal(t, "POST /orders/{id}", route.Name)
	assert.True(t, route.Error, "a 4xx answer flags the subsegment as an error")
	require.Len(t, route.Subsegments, 1)
	assert.Equal(t, "charge", route.Subsegments[0].Name, "the handler's subsegments nest under the route's")

	_, err = h.Invoke(tracedCtx(tracerTestHeader), httpEvent("GET", "/panic", "", nil, nil, false))
	require.NoError(t, err)
	doc = decodeXRayDatagram(t, l.datagram(t))
	require.Len(t, doc.Subsegments, 1)
	assert.Equal(t, "GET /panic", doc.Subsegments[0].Name)
	assert.True(t, doc.Subsegments[0].Fault)
}

func TestHTTPRequestEvent(t *testing.T) {
	var got []any
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		ev := HTTPRequestEvent(r.Context())
		got = append(got, ev.Kind, ev.RequestID, ev.Stage, ev.SourceIP)
		switch ev.Kind {
		case HTTPEventAPIGatewayREST:
			e, err := ev.APIGatewayREST()
			require.NoError(t, err)
			got = append(got, e.RequestContext.Authorizer["claims"].(map[string]any)["sub"])
			_, err = ev.APIGatewayHTTP()
			assert.ErrorIs(t, err, ErrHTTPEventKind)
		case HTTPEventAPIGatewayHTTP:
			e, err := ev.APIGatewayHTTP()
			require.NoError(t, err)
			got = append(got, e.RequestContext.Authorizer.JWT.Claims["sub"])
		case HTTPEventALB, HTTPEventALBMultiValue:
			e, err := ev.ALB()
			require.NoError(t, err)
			got = append(got, e.RequestContext.ELB.TargetGroupArn[:23])
		case HTTPEventFunctionURL:
			e, err := ev.FunctionURL()
			require.NoError(t, err)
			got = append(got, e.RequestContext.DomainName)
		case HTTPEventVPCLattice:
			e, err := ev.VPCLattice()
			require.NoError(t, err)
			got = append(got, e.RawPath)
		case HTTPEventVPCLatticeV2:
			e, err := ev.VPCLatticeV2()
			require.NoError(t, err)
			got = append(got, e.RequestContext.Identity.Principal)
		}
		assert.JSONEq(t, string(ev.JSON()), string(ev.JSON()))
	})
	h := HTTPHandler(mux)
	for _, shape := range httpShapes {
		_, err := h.Invoke(context.Background(), httpFixture(t, shape.file))
		require.NoError(t, err)
	}
	trace := "Root=1-5759e988-bd862e3fe1be46a994272793"
	assert.Equal(t, []any{
		HTTPEventAPIGatewayREST, "req-rest-0001", "prod", "203.0.113.7", "user-1",
		HTTPEventAPIGatewayHTTP, "req-http-0001", "$default", "203.0.113.7", "user-1",
		HTTPEventALB, trace, "", "203.0.113.7", "arn:aws:elasticloadbala",
		HTTPEventALBMultiValue, trace, "", "203.0.113.7", "arn:aws:elasticloadbala",
		HTTPEventFunctionURL, "req-furl-0001", "$default", "203.0.113.7", "a3b4c5d6e7.lambda-url.eu-west-1.on.aws",
		HTTPEventVPCLattice, trace, "", "203.0.113.7", "/orders/42?color=red&tag=a&tag=b&q=a%20b%26c",
		HTTPEventVPCLatticeV2, trace, "", "203.0.113.7", "arn:aws:iam::123456789012:role/caller",
	}, got)
	outside := HTTPRequestEvent(context.Background())
	require.NotNil(t, outside)
	assert.Equal(t, HTTPEventUnknown, outside.Kind)
	_, err := outside.APIGatewayREST()
	assert.ErrorIs(t, err, ErrHTTPEventKind)
	assert.Nil(t, outside.RequestContext())
}

func TestHTTPAllocations(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"` + r.PathValue("id") + `"}`))
	})
	h := HTTPHandler(mux)
	payload := httpEvent("GET", "/orders/42", "", map[string]string{"accept": "application/json", "user-agent": "curl/8"}, nil, false)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := h.Invoke(ctx, payload); err != nil {
			t.Fatal(err)
		}
	})
	// the exchange, the payload string, the header maps and values, the request copy, ServeMux's
	// matches, the answer: about 15
	assert.LessOrEqual(t, allocs, 18.0)
	t.Logf("allocs/op: %v", allocs)
}

func TestHTTPLatticeQueryParameters(t *testing.T) {
	// a VPC Lattice v1 event whose raw_path has no query string: the parameters are used
	var got string
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { got = r.URL.Query().Get("q") })
	ev := `{"raw_path":"/x","method":"GET","headers":{},"query_string_parameters":{"q":"a b&c"},"body":"","is_base64_encoded":false}`
	_, err := HTTPHandler(mux).Invoke(context.Background(), []byte(ev))
	require.NoError(t, err)
	assert.Equal(t, "a b&c", got)
}

func TestHTTPHeadHasNoBody(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /doc", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("hello"))
	})
	out, err := HTTPHandler(mux).Invoke(context.Background(), httpEvent("HEAD", "/doc", "", nil, nil, false))
	require.NoError(t, err)
	a := httpDecodeAnswer(t, out)
	assert.Equal(t, 200, a.Status)
	assert.Equal(t, "text/plain", a.Header["Content-Type"])
	assert.Empty(t, a.Body)
}

// Invocations run at once (AWS_LAMBDA_MAX_CONCURRENCY) share the adapter and its pools: each gets its own
// answer and its own log keys.
func TestHTTPConcurrentInvocations(t *testing.T) {
	var logs syncBuffer
	app, err := New(WithEnv(map[string]string{}), WithLogOutput(&logs))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		Logger(r.Context()).Info("order")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"` + r.PathValue("id") + `"}`))
	})
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		Logger(r.Context()).Info("item")
		_, _ = w.Write(bytes.Repeat([]byte(r.PathValue("id")), 2000))
	})
	h := app.Wrap(HTTPHandler(mux, WithCompression()))
	const n = 64
	errs := make(chan error, n)
	for i := range n {
		go func() {
			path := "/orders/" + strconv.Itoa(i)
			want := `{"id":"` + strconv.Itoa(i) + `"}`
			if i%2 == 1 {
				path = "/items/" + strconv.Itoa(i)
				want = strings.Repeat(strconv.Itoa(i), 2000)
			}
			out, err := h.Invoke(httpLambdaCtx("req-"+strconv.Itoa(i)), httpEvent("GET", path, "", map[string]string{"accept-encoding": "identity"}, nil, false))
			if err != nil {
				errs <- err
				return
			}
			var a struct{ Body string }
			if err := json.Unmarshal(out, &a); err != nil {
				errs <- err
				return
			}
			if a.Body != want {
				errs <- errors.New("answer of " + path + " is another's: " + a.Body[:min(40, len(a.Body))])
				return
			}
			errs <- nil
		}()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		id := strings.TrimPrefix(m["function_request_id"].(string), "req-")
		n, _ := strconv.Atoi(id)
		want := map[bool]string{true: "GET /items/{id}", false: "GET /orders/{id}"}[n%2 == 1]
		assert.Equal(t, want, m["route"], l)
	}
}
