package powertools

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CORSConfig is the cross-origin resource sharing policy WithCORS applies, the Python edition's
// CORSConfig.
type CORSConfig struct {
	// AllowOrigin is the origin allowed, "*" for any. Default: "*".
	AllowOrigin string
	// ExtraOrigins are more origins allowed besides AllowOrigin.
	ExtraOrigins []string
	// AllowHeaders are the request headers allowed besides the defaults: Authorization, Content-Type,
	// X-Amz-Date, X-Api-Key, X-Amz-Security-Token.
	AllowHeaders []string
	// ExposeHeaders are the response headers the browser lets the page read. Default: none.
	ExposeHeaders []string
	// MaxAge is how long a browser may cache a preflight answer (whole seconds). Default: 0, not sent.
	MaxAge time.Duration
	// AllowCredentials lets the page send cookies and authorization (Access-Control-Allow-Credentials).
	// The allowed origin is always the request's own, never "*", so this works with AllowOrigin "*".
	// Default: false.
	AllowCredentials bool
}

// WithCORS answers preflight requests (OPTIONS with Origin and Access-Control-Request-Method) itself,
// with 204 and the CORS headers, without calling the handler, and adds the CORS headers to every answer
// to an allowed origin: Access-Control-Allow-Origin (the request's origin), Access-Control-Allow-Headers,
// Access-Control-Expose-Headers, Access-Control-Max-Age, Access-Control-Allow-Credentials and Vary: Origin.
// The preflight's Access-Control-Allow-Methods lists the methods an http.ServeMux has a route for at the
// path (all methods for other handlers). Default: no CORS headers.
func WithCORS(cfg CORSConfig) HTTPOption {
	return func(c *httpConfig) { c.cors = newHTTPCORS(cfg) }
}

var httpCORSDefaultHeaders = []string{"Authorization", "Content-Type", "X-Amz-Date", "X-Api-Key", "X-Amz-Security-Token"}

var httpCORSMethods = []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

type httpCORS struct {
	anyOrigin    bool
	origins      []string
	allowHeaders string
	expose       string
	maxAge       string
	credentials  bool
	mux          httpRouter
}

func newHTTPCORS(cfg CORSConfig) *httpCORS {
	c := &httpCORS{credentials: cfg.AllowCredentials}
	if cfg.AllowOrigin == "" {
		cfg.AllowOrigin = "*"
	}
	for _, o := range append([]string{cfg.AllowOrigin}, cfg.ExtraOrigins...) {
		if o = strings.TrimSpace(o); o == "*" {
			c.anyOrigin = true
		} else if o != "" {
			c.origins = append(c.origins, o)
		}
	}
	headers := append(append([]string(nil), httpCORSDefaultHeaders...), cfg.AllowHeaders...)
	c.allowHeaders = strings.Join(httpDedupeFold(headers), ",")
	c.expose = strings.Join(cfg.ExposeHeaders, ",")
	if cfg.MaxAge > 0 {
		c.maxAge = strconv.Itoa(int(cfg.MaxAge / time.Second))
	}
	return c
}

func httpDedupeFold(list []string) []string {
	var out []string
	for _, s := range list {
		dup := false
		for _, o := range out {
			dup = dup || strings.EqualFold(o, s)
		}
		if !dup && s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (c *httpCORS) allowed(origin string) bool {
	if origin == "" {
		return false
	}
	if c.anyOrigin {
		return true
	}
	for _, o := range c.origins {
		if o == origin {
			return true
		}
	}
	return false
}

// decorate adds the CORS headers of an answer to origin, when it is allowed.
func (c *httpCORS) decorate(origin string, h http.Header) {
	if !c.allowed(origin) {
		return
	}
	h["Access-Control-Allow-Origin"] = []string{origin}
	h["Access-Control-Allow-Headers"] = []string{c.allowHeaders}
	if c.expose != "" {
		h["Access-Control-Expose-Headers"] = []string{c.expose}
	}
	if c.maxAge != "" {
		h["Access-Control-Max-Age"] = []string{c.maxAge}
	}
	if c.credentials {
		h["Access-Control-Allow-Credentials"] = []string{"true"}
	}
	h.Add("Vary", "Origin")
}

// preflight answers a preflight request and reports whether r was one.
func (c *httpCORS) preflight(r *http.Request, w *httpWriter) bool {
	origin := r.Header.Get("Origin")
	if r.Method != http.MethodOptions || origin == "" || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	w.status = http.StatusNoContent
	if c.allowed(origin) {
		c.decorate(origin, w.header)
		w.header["Access-Control-Allow-Methods"] = []string{c.methods(r)}
	}
	return true
}

// methods lists the methods allowed at r's path.
func (c *httpCORS) methods(r *http.Request) string {
	if c.mux == nil {
		return strings.Join(httpCORSMethods, ",")
	}
	var allowed []string
	probe := *r
	for _, m := range httpCORSMethods {
		probe.Method = m
		if _, pattern := c.mux.Handler(&probe); pattern != "" || m == http.MethodOptions {
			allowed = append(allowed, m)
		}
	}
	return strings.Join(allowed, ",")
}
