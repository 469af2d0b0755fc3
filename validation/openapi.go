package validation

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// API is an http.ServeMux whose routes registered with Route make an OpenAPI 3.1 document, served at
// GET /openapi.json (or the path given to WithOpenAPIPath). Handlers registered with Handle or HandleFunc
// are served but not documented. An API is an http.Handler: give it to powertools.HTTPHandler.
type API struct {
	mux     *http.ServeMux
	title   string
	version string
	cfg     apiConfig

	mu     sync.Mutex
	routes []*routeInfo
	doc    []byte // built on first request, reset by every Route
}

// APIOption configures an API.
type APIOption func(*apiConfig)

type apiConfig struct {
	path        string
	description string
	servers     []string
}

func apiDefaultConfig() apiConfig { return apiConfig{path: "/openapi.json"} }

// WithOpenAPIPath serves the document at path instead of /openapi.json; "" serves it nowhere (API.OpenAPI
// still builds it).
func WithOpenAPIPath(path string) APIOption { return func(c *apiConfig) { c.path = path } }

// WithAPIDescription sets info.description of the document.
func WithAPIDescription(s string) APIOption { return func(c *apiConfig) { c.description = s } }

// WithServers lists the URLs the API is served at (the document's servers).
func WithServers(urls ...string) APIOption {
	return func(c *apiConfig) { c.servers = append(c.servers, urls...) }
}

// NewAPI is an API titled title at version (the document's info), over a new http.ServeMux.
func NewAPI(title, version string, opts ...APIOption) *API {
	cfg := apiDefaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	a := &API{mux: http.NewServeMux(), title: title, version: version, cfg: cfg}
	if cfg.path != "" {
		a.mux.HandleFunc("GET "+cfg.path, a.serveDocument)
	}
	return a
}

// Handle registers a handler on the API's mux, undocumented.
func (a *API) Handle(pattern string, h http.Handler) { a.mux.Handle(pattern, h) }

// HandleFunc registers a handler function on the API's mux, undocumented.
func (a *API) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	a.mux.HandleFunc(pattern, h)
}

// ServeHTTP serves the API's routes.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Handler is the API's mux's: the handler and the pattern that serve r. powertools.HTTPHandler uses it to
// know the route before the handler runs (log key, trace subsegment, JSON 404).
func (a *API) Handler(r *http.Request) (http.Handler, string) { return a.mux.Handler(r) }

// Mux is the API's http.ServeMux.
func (a *API) Mux() *http.ServeMux { return a.mux }

func (a *API) recordRoute(info *routeInfo) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.routes = append(a.routes, info)
	a.doc = nil
}

func (a *API) serveDocument(w http.ResponseWriter, r *http.Request) {
	doc, err := a.OpenAPI()
	if err != nil {
		routeAnswer(w, http.StatusInternalServerError, "cannot build the OpenAPI document", nil)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(doc)
}

// OpenAPI is the OpenAPI 3.1 document of the routes registered with Route: for each, its path and
// method, operationId, summary, description and tags, its path, query and header parameters, the request
// body's schema (TIn's, for POST, PUT and PATCH), the answer's schema (TOut's) under its status, the 422
// validation answer and the WithErrorStatus statuses. Schemas derived from Go types are shared under
// components.schemas.
func (a *API) OpenAPI() ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.doc != nil {
		return a.doc, nil
	}
	b := openapiBuilder{components: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, rt := range a.routes {
		op, err := b.operation(rt)
		if err != nil {
			return nil, err
		}
		p := openapiPath(rt.path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.method)] = op
	}
	info := map[string]any{"title": a.title, "version": a.version}
	if a.cfg.description != "" {
		info["description"] = a.cfg.description
	}
	b.components["HTTPError"] = openapiErrorSchema(false)
	b.components["ValidationError"] = openapiErrorSchema(true)
	doc := map[string]any{
		"openapi":    "3.1.0",
		"info":       info,
		"paths":      paths,
		"components": map[string]any{"schemas": b.components},
	}
	if len(a.cfg.servers) > 0 {
		var servers []map[string]string
		for _, u := range a.cfg.servers {
			servers = append(servers, map[string]string{"url": u})
		}
		doc["servers"] = servers
	}
	out, err := json.Marshal(doc) // maps marshal sorted: the document is deterministic
	if err != nil {
		return nil, err
	}
	a.doc = out
	return out, nil
}

// openapiPath is a ServeMux path as an OpenAPI path: "{rest...}" is "{rest}", a final "{$}" goes.
func openapiPath(p string) string {
	p = strings.TrimSuffix(p, "{$}")
	p = strings.ReplaceAll(p, "...}", "}")
	if p == "" {
		p = "/"
	}
	return p
}

type openapiBuilder struct {
	components map[string]any
}

func (b *openapiBuilder) operation(rt *routeInfo) (map[string]any, error) {
	op := map[string]any{"operationId": rt.cfg.operationID}
	if rt.cfg.operationID == "" {
		op["operationId"] = openapiOperationID(rt.method, rt.path)
	}
	if rt.cfg.summary != "" {
		op["summary"] = rt.cfg.summary
	}
	if rt.cfg.description != "" {
		op["description"] = rt.cfg.description
	}
	if len(rt.cfg.tags) > 0 {
		op["tags"] = rt.cfg.tags
	}
	var params []map[string]any
	for _, p := range rt.params {
		params = append(params, map[string]any{
			"name": p.name, "in": string(p.in), "required": p.required, "schema": openapiParamSchema(p),
		})
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.hasBody {
		s, err := b.schema(rt.inSchema)
		if err != nil {
			return nil, err
		}
		op["requestBody"] = map[string]any{
			"required": true,
			"content":  map[string]any{"application/json": map[string]any{"schema": s}},
		}
	}
	responses := map[string]any{}
	ok := map[string]any{"description": http.StatusText(rt.cfg.status)}
	if rt.cfg.status != http.StatusNoContent {
		s, err := b.schema(rt.outSchema)
		if err != nil {
			return nil, err
		}
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": s}}
	}
	responses[strconv.Itoa(rt.cfg.status)] = ok
	responses["422"] = openapiErrorResponse(http.StatusUnprocessableEntity, "ValidationError")
	for _, m := range rt.cfg.errStatus {
		responses[strconv.Itoa(m.status)] = openapiErrorResponse(m.status, "HTTPError")
	}
	op["responses"] = responses
	return op, nil
}

func openapiErrorResponse(status int, schema string) map[string]any {
	return map[string]any{
		"description": http.StatusText(status),
		"content": map[string]any{"application/json": map[string]any{
			"schema": map[string]any{"$ref": "#/components/schemas/" + schema},
		}},
	}
}

func openapiErrorSchema(detail bool) map[string]any {
	props := map[string]any{
		"statusCode": map[string]any{"type": "integer"},
		"message":    map[string]any{"type": "string"},
	}
	if detail {
		props["detail"] = map[string]any{"type": "array", "items": map[string]any{
			"type": "object",
			"properties": map[string]any{
				"in": map[string]any{"type": "string"}, "path": map[string]any{"type": "string"},
				"reason": map[string]any{"type": "string"},
			},
		}}
	}
	return map[string]any{"type": "object", "properties": props, "required": []string{"statusCode", "message"}}
}

// openapiOperationID is "post_orders_id" for "POST /orders/{id}".
func openapiOperationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.FieldsFunc(path, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteByte('_')
		b.WriteString(part)
	}
	return b.String()
}

func openapiParamSchema(p routeParam) map[string]any {
	s := map[string]any{"type": openapiScalarType(p.elem)}
	if p.typ.Kind() == reflect.Slice {
		return map[string]any{"type": "array", "items": s}
	}
	return s
}

func openapiScalarType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return "integer"
}

// schema is s with its $defs moved to components.schemas and every reference rewritten to them.
func (b *openapiBuilder) schema(s Schema) (any, error) {
	text := s.String()
	if text == "" {
		return nil, s.Compile()
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return nil, err
	}
	delete(m, "$schema")
	delete(m, "$id")
	if defs, ok := m["$defs"].(map[string]any); ok {
		names := make([]string, 0, len(defs))
		for name := range defs {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if _, taken := b.components[name]; !taken {
				b.components[name] = openapiRewriteRefs(defs[name])
			}
		}
		delete(m, "$defs")
	}
	return openapiRewriteRefs(m), nil
}

func openapiRewriteRefs(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if ref, ok := e.(string); ok && k == "$ref" {
				x[k] = strings.Replace(ref, "#/$defs/", "#/components/schemas/", 1)
				continue
			}
			x[k] = openapiRewriteRefs(e)
		}
	case []any:
		for i, e := range x {
			x[i] = openapiRewriteRefs(e)
		}
	}
	return v
}
