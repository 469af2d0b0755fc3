package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gopowertools/powertools"
)

// Per-request cost of running a net/http handler on Lambda: powertools.HTTPHandler against
// awslabs/aws-lambda-go-api-proxy's httpadapter (what Go users pick today), on the same ServeMux and the
// same events, both as the lambda.Handler the runtime calls (payload bytes in, answer bytes out; the peer
// through lambda.NewHandler, as lambda.Start runs it). Scenarios: a small JSON GET and a 64 KiB JSON POST,
// each as an API Gateway REST (payload 1.0) and an HTTP API (2.0) event.

// httpBenchMux is the application, as cheap as can be so the adapters' own cost shows: GET answers a
// small JSON document, POST reads the whole body and answers its size.
func httpBenchMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"`+r.PathValue("id")+`","status":"shipped","total":"42.10"}`)
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"received":`+strconv.Itoa(len(b))+`}`)
	})
	return mux
}

var httpBenchHeaders = map[string]string{
	"accept": "application/json", "content-type": "application/json", "host": "api.example.com",
	"user-agent": "Mozilla/5.0 (X11; Linux x86_64)", "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https",
	"x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793",
}

// httpBenchBody is a 64 KiB JSON document.
func httpBenchBody() string {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < 64<<10-64; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"sku":"SKU-` + strconv.Itoa(i) + `","qty":1,"note":"fragile, keep upright"}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

func httpBenchREST(method, path, body string) []byte {
	mv := map[string][]string{}
	for k, v := range httpBenchHeaders {
		mv[k] = []string{v}
	}
	b, _ := json.Marshal(events.APIGatewayProxyRequest{
		Resource: "/{proxy+}", Path: path, HTTPMethod: method, Headers: httpBenchHeaders, MultiValueHeaders: mv,
		RequestContext: events.APIGatewayProxyRequestContext{
			RequestID: "req-1", Stage: "prod", HTTPMethod: method, ResourcePath: "/{proxy+}",
			Identity: events.APIGatewayRequestIdentity{SourceIP: "203.0.113.7", UserAgent: "Mozilla/5.0"},
		},
		Body: body,
	})
	return b
}

func httpBenchHTTP(method, path, body string) []byte {
	b, _ := json.Marshal(events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: path, Headers: httpBenchHeaders,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "req-1", Stage: "$default", DomainName: "api.example.com",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: "203.0.113.7"},
		},
		Body: body,
	})
	return b
}

type httpBenchCase struct {
	name    string
	payload []byte
	status  int
	v2      bool
}

func httpBenchCases() []httpBenchCase {
	big := httpBenchBody()
	return []httpBenchCase{
		{"GET-small/rest", httpBenchREST("GET", "/orders/42", ""), 200, false},
		{"GET-small/http", httpBenchHTTP("GET", "/orders/42", ""), 200, true},
		{"POST-64KiB/rest", httpBenchREST("POST", "/orders", big), 201, false},
		{"POST-64KiB/http", httpBenchHTTP("POST", "/orders", big), 201, true},
	}
}

// httpBenchVariants are the two adapters over the same mux.
func httpBenchVariants(v2 bool) []struct {
	name string
	h    lambda.Handler
} {
	mux := httpBenchMux()
	peer := lambda.NewHandler(httpadapter.New(mux).ProxyWithContext)
	if v2 {
		peer = lambda.NewHandler(httpadapter.NewV2(mux).ProxyWithContext)
	}
	return []struct {
		name string
		h    lambda.Handler
	}{
		{"powertools", powertools.HTTPHandler(mux)},
		{"api-proxy", peer},
	}
}

func BenchmarkHTTP(b *testing.B) {
	ctx := context.Background()
	for _, c := range httpBenchCases() {
		for _, v := range httpBenchVariants(c.v2) {
			b.Run(c.name+"/"+v.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(c.payload)))
				for b.Loop() {
					if _, err := v.h.Invoke(ctx, c.payload); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestHTTPAdaptersAgree checks both adapters give the same status and body for every benchmark case, so
// the benchmark compares the same work.
func TestHTTPAdaptersAgree(t *testing.T) {
	ctx := context.Background()
	for _, c := range httpBenchCases() {
		var bodies []string
		for _, v := range httpBenchVariants(c.v2) {
			out, err := v.h.Invoke(ctx, c.payload)
			if err != nil {
				t.Fatalf("%s %s: %v", c.name, v.name, err)
			}
			var a struct {
				StatusCode      int    `json:"statusCode"`
				Body            string `json:"body"`
				IsBase64Encoded bool   `json:"isBase64Encoded"`
			}
			if err := json.Unmarshal(out, &a); err != nil {
				t.Fatalf("%s %s: %v: %s", c.name, v.name, err, out)
			}
			if a.IsBase64Encoded {
				d, _ := base64.StdEncoding.DecodeString(a.Body)
				a.Body = string(d)
			}
			if a.StatusCode != c.status {
				t.Errorf("%s %s: status %d, want %d (%s)", c.name, v.name, a.StatusCode, c.status, a.Body)
			}
			bodies = append(bodies, a.Body)
		}
		if !bytes.Equal([]byte(bodies[0]), []byte(bodies[1])) {
			t.Errorf("%s: bodies differ: %q vs %q", c.name, bodies[0], bodies[1])
		}
	}
}

// BenchmarkHTTPVersus runs both adapters alternately, request after request, on each case, and reports
// the time of each and their ratio (powertools / api-proxy): on a shared, noisy machine only ratios
// measured in the same run mean anything. The allocations of each are counted alongside.
func BenchmarkHTTPVersus(b *testing.B) {
	ctx := context.Background()
	for _, c := range httpBenchCases() {
		vs := httpBenchVariants(c.v2)
		b.Run(c.name, func(b *testing.B) {
			var spent [2]time.Duration
			for b.Loop() {
				for i, v := range vs {
					start := time.Now()
					if _, err := v.h.Invoke(ctx, c.payload); err != nil {
						b.Fatal(err)
					}
					spent[i] += time.Since(start)
				}
			}
			n := float64(b.N)
			ours, theirs := float64(spent[0])/n, float64(spent[1])/n
			b.ReportMetric(ours, "powertools-ns/op")
			b.ReportMetric(theirs, "api-proxy-ns/op")
			b.ReportMetric(ours/theirs, "ns-ratio")
			a0 := testing.AllocsPerRun(50, func() { _, _ = vs[0].h.Invoke(ctx, c.payload) })
			a1 := testing.AllocsPerRun(50, func() { _, _ = vs[1].h.Invoke(ctx, c.payload) })
			b.ReportMetric(a0, "powertools-allocs/op")
			b.ReportMetric(a1, "api-proxy-allocs/op")
			b.ReportMetric(a0/a1, "allocs-ratio")
			b.ReportMetric(0, "ns/op")
		})
	}
}
