package validation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/gopowertools/powertools"
)

// Mux is what Route registers a route on: *http.ServeMux, *API, or any router with this method.
type Mux interface {
	Handle(pattern string, handler http.Handler)
}

// RouteOption configures one route.
type RouteOption func(*routeConfig)

type routeConfig struct {
	status      int
	summary     string
	description string
	operationID string
	tags        []string
	errStatus   []routeErrStatus
	maxBody     int64
}

type routeErrStatus struct {
	target error
	status int
}

func routeDefaultConfig() routeConfig {
	return routeConfig{status: http.StatusOK, maxBody: routeDefaultMaxBody}
}

// routeDefaultMaxBody bounds the body Route reads: Lambda's own payload limit.
const routeDefaultMaxBody = 6 << 20

// WithStatus sets the status of a successful answer. Default: 200. With 204 the answer has no body.
func WithStatus(code int) RouteOption { return func(c *routeConfig) { c.status = code } }

// WithSummary sets the operation's summary in the OpenAPI document.
func WithSummary(s string) RouteOption { return func(c *routeConfig) { c.summary = s } }

// WithDescription sets the operation's description in the OpenAPI document.
func WithDescription(s string) RouteOption { return func(c *routeConfig) { c.description = s } }

// WithOperationID sets the operation's operationId in the OpenAPI document. Default: derived from the
// method and the path ("post_orders_id").
func WithOperationID(id string) RouteOption { return func(c *routeConfig) { c.operationID = id } }

// WithTags sets the operation's tags in the OpenAPI document.
func WithTags(tags ...string) RouteOption {
	return func(c *routeConfig) { c.tags = append(c.tags, tags...) }
}

// WithErrorStatus answers with status when the handler's error matches target (errors.Is), and lists the
// status in the OpenAPI document. Checked in the order given, after *HTTPError and StatusCode methods.
func WithErrorStatus(target error, status int) RouteOption {
	return func(c *routeConfig) { c.errStatus = append(c.errStatus, routeErrStatus{target, status}) }
}

// HTTPError is an error a route handler returns to answer with a status of its choice:
// {"statusCode":409,"message":"order exists"}. Any error with a StatusCode() int method is answered the
// same way, with its Error() as the message.
type HTTPError struct {
	Status  int
	Message string
	Err     error // the cause, for errors.Is and the log; not sent
}

// NewHTTPError is an *HTTPError with this status and message.
func NewHTTPError(status int, message string) *HTTPError {
	return &HTTPError{Status: status, Message: message}
}

func (e *HTTPError) Error() string {
	msg := "powertools: http " + strconv.Itoa(e.Status) + ": " + e.Message
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *HTTPError) Unwrap() error { return e.Err }

// StatusCode is the status the error is answered with.
func (e *HTTPError) StatusCode() int { return e.Status }

// routeParamIn is where a parameter comes from.
type routeParamIn string

const (
	routeInPath   routeParamIn = "path"
	routeInQuery  routeParamIn = "query"
	routeInHeader routeParamIn = "header"
)

// routeParam binds one tagged field of TIn.
type routeParam struct {
	in       routeParamIn
	name     string
	index    []int
	typ      reflect.Type // the field's type
	elem     reflect.Type // the scalar type: typ or its element for slices
	required bool
}

// routeInfo is what the OpenAPI document knows of a route.
type routeInfo struct {
	method, path string
	cfg          routeConfig
	params       []routeParam
	in, out      reflect.Type
	inSchema     Schema
	outSchema    Schema
	hasBody      bool
}

// routeRecorder is implemented by API: Route reports the routes registered on it.
type routeRecorder interface {
	recordRoute(info *routeInfo)
}

// Route registers fn for pattern (ServeMux syntax, with a method: "POST /orders/{id}") on mux. For every
// request it validates the JSON body against TIn's schema (SchemaFor[TIn]; an empty body is read as {})
// and answers 422 with every failing JSON path and reason when it does not match, decodes it into TIn,
// fills TIn's fields tagged `path:"id"`, `query:"limit"` (`query:"limit,required"`) and
// `header:"X-Tenant"` from the request (string, bool, integer and float fields, and slices of them for
// repeated query parameters and headers; such fields must be `json:"-"`, as they are not in the body),
// and calls fn with the request's context. TOut is answered as JSON with WithStatus's status (200).
//
// Errors: an *HTTPError, or any error with a StatusCode() int method, is answered with its status; a
// *ValidationError with 422; a WithErrorStatus target with its status; any other error with 500 and an
// ERROR log line (powertools.Logger). Answers are {"statusCode":N,"message":"..."}; the 422 answer adds
// "detail":[{"in":"body","path":"$.qty","reason":"..."}].
//
// A pattern without a method, a tagged field of an unsupported type, or a path parameter the pattern
// does not have is a programming error: Route panics with a message starting "powertools: validation.Route:".
func Route[TIn, TOut any](mux Mux, pattern string, fn func(ctx context.Context, in TIn) (TOut, error), opts ...RouteOption) {
	if mux == nil || fn == nil {
		panic("powertools: validation.Route: nil mux or handler")
	}
	cfg := routeDefaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	info, err := routeInspect(pattern, reflect.TypeFor[TIn](), reflect.TypeFor[TOut](), cfg)
	if err != nil {
		panic("powertools: validation.Route: " + pattern + ": " + err.Error())
	}
	info.inSchema, info.outSchema = SchemaFor[TIn](), SchemaFor[TOut]()
	if err := info.inSchema.Compile(); err != nil {
		panic("powertools: validation.Route: " + pattern + ": " + err.Error())
	}
	h := &routeHandler[TIn, TOut]{fn: fn, info: info}
	mux.Handle(pattern, h)
	if rec, ok := mux.(routeRecorder); ok {
		rec.recordRoute(info)
	}
}

type routeHandler[TIn, TOut any] struct {
	fn   func(context.Context, TIn) (TOut, error)
	info *routeInfo
}

func (h *routeHandler[TIn, TOut]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var in TIn
	body, err := io.ReadAll(io.LimitReader(r.Body, h.info.cfg.maxBody+1))
	if err != nil {
		routeAnswer(w, http.StatusBadRequest, "cannot read the body", nil)
		return
	}
	if int64(len(body)) > h.info.cfg.maxBody {
		routeAnswer(w, http.StatusRequestEntityTooLarge, "body larger than "+strconv.FormatInt(h.info.cfg.maxBody, 10)+" bytes", nil)
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := h.info.inSchema.ValidateJSON(body); err != nil {
		var ve *ValidationError
		if !errors.Is(err, powertools.ErrInvalidJSON) && errors.As(err, &ve) {
			routeAnswerInvalid(w, "body", ve)
			return
		}
		routeAnswer(w, http.StatusBadRequest, "body is not JSON", nil)
		return
	}
	if err := json.Unmarshal(body, &in); err != nil {
		routeAnswer(w, http.StatusBadRequest, "body does not decode: "+err.Error(), nil)
		return
	}
	if detail := routeBind(reflect.ValueOf(&in).Elem(), h.info.params, r); len(detail) > 0 {
		routeAnswer(w, http.StatusUnprocessableEntity, "validation failed", detail)
		return
	}
	out, err := h.fn(ctx, in)
	if err != nil {
		routeAnswerError(ctx, w, err, h.info.cfg.errStatus)
		return
	}
	if h.info.cfg.status == http.StatusNoContent {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		routeAnswerError(ctx, w, fmt.Errorf("powertools: validation.Route: encode response: %w", err), nil)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(h.info.cfg.status)
	_, _ = w.Write(b)
}

// routeDetail is one entry of a 422 answer's detail.
type routeDetail struct {
	In     string `json:"in"`
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

func routeAnswerInvalid(w http.ResponseWriter, in string, ve *ValidationError) {
	detail := make([]routeDetail, 0, len(ve.Issues))
	for _, is := range ve.Issues {
		detail = append(detail, routeDetail{In: in, Path: is.Path, Reason: is.Reason})
	}
	if len(detail) == 0 {
		detail = append(detail, routeDetail{In: in, Path: ve.Path, Reason: ve.Reason})
	}
	routeAnswer(w, http.StatusUnprocessableEntity, "validation failed", detail)
}

func routeAnswer(w http.ResponseWriter, status int, message string, detail []routeDetail) {
	body := struct {
		StatusCode int           `json:"statusCode"`
		Message    string        `json:"message"`
		Detail     []routeDetail `json:"detail,omitempty"`
	}{status, message, detail}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // reasons say ">= 1": written as they read
	_ = enc.Encode(body)
}

func routeAnswerError(ctx context.Context, w http.ResponseWriter, err error, mapped []routeErrStatus) {
	var he *HTTPError
	if errors.As(err, &he) {
		routeAnswer(w, he.Status, he.Message, nil)
		return
	}
	var sc interface{ StatusCode() int }
	if errors.As(err, &sc) && sc.StatusCode() >= 400 && sc.StatusCode() <= 599 {
		routeAnswer(w, sc.StatusCode(), err.Error(), nil)
		return
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		routeAnswerInvalid(w, "handler", ve)
		return
	}
	for _, m := range mapped {
		if errors.Is(err, m.target) {
			routeAnswer(w, m.status, strings.TrimPrefix(err.Error(), "powertools: "), nil)
			return
		}
	}
	powertools.Logger(ctx).Error("powertools: validation.Route: handler failed", zap.Error(err))
	routeAnswer(w, http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError), nil)
}

// routeInspect checks the pattern and finds TIn's tagged fields.
func routeInspect(pattern string, in, out reflect.Type, cfg routeConfig) (*routeInfo, error) {
	method, rest, ok := strings.Cut(strings.TrimSpace(pattern), " ")
	if !ok || method == "" || strings.Contains(method, "/") {
		return nil, errors.New("the pattern needs a method, as in \"GET /orders/{id}\"")
	}
	rest = strings.TrimSpace(rest)
	path := rest
	if i := strings.IndexByte(rest, '/'); i > 0 { // a host
		path = rest[i:]
	}
	info := &routeInfo{method: method, path: path, cfg: cfg, in: in, out: out}
	wild := routeWildcards(path)
	st := in
	for st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct {
		for _, f := range reflect.VisibleFields(st) {
			if !f.IsExported() {
				continue
			}
			for _, where := range []routeParamIn{routeInPath, routeInQuery, routeInHeader} {
				tag, ok := f.Tag.Lookup(string(where))
				if !ok {
					continue
				}
				name, flags, _ := strings.Cut(tag, ",")
				if name == "" {
					name = f.Name
				}
				p := routeParam{in: where, name: name, index: f.Index, typ: f.Type, elem: f.Type, required: where == routeInPath || flags == "required"}
				if f.Type.Kind() == reflect.Slice {
					p.elem = f.Type.Elem()
				}
				if !routeScalar(p.elem) || (where == routeInPath && f.Type.Kind() == reflect.Slice) {
					return nil, fmt.Errorf("field %s: type %s cannot hold a %s parameter", f.Name, f.Type, where)
				}
				if j := f.Tag.Get("json"); j != "-" {
					return nil, fmt.Errorf("field %s: a %s parameter must be tagged json:\"-\"", f.Name, where)
				}
				if where == routeInPath && !wild[name] {
					return nil, fmt.Errorf("field %s: the pattern has no {%s}", f.Name, name)
				}
				info.params = append(info.params, p)
			}
		}
	}
	info.hasBody = method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
	return info, nil
}

// routeWildcards are the names of a pattern's {wildcards}.
func routeWildcards(path string) map[string]bool {
	m := map[string]bool{}
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			return m
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return m
		}
		name := strings.TrimSuffix(path[i+1:i+j], "...")
		if name != "$" {
			m[name] = true
		}
		path = path[i+j+1:]
	}
}

func routeScalar(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// routeBind fills the tagged fields; what cannot be converted or is missing is reported.
func routeBind(v reflect.Value, params []routeParam, r *http.Request) []routeDetail {
	var detail []routeDetail
	var query map[string][]string
	for _, p := range params {
		var values []string
		switch p.in {
		case routeInPath:
			if s := r.PathValue(p.name); s != "" {
				values = []string{s}
			}
		case routeInQuery:
			if query == nil {
				query = r.URL.Query()
			}
			values = query[p.name]
		case routeInHeader:
			values = r.Header.Values(p.name)
		}
		if len(values) == 0 {
			if p.required {
				detail = append(detail, routeDetail{In: string(p.in), Path: p.name, Reason: "missing"})
			}
			continue
		}
		f := v.FieldByIndex(p.index)
		if p.typ.Kind() != reflect.Slice {
			values = values[:1]
		} else {
			f.Set(reflect.MakeSlice(p.typ, len(values), len(values)))
		}
		for i, s := range values {
			dst := f
			if p.typ.Kind() == reflect.Slice {
				dst = f.Index(i)
			}
			if err := routeSet(dst, s); err != nil {
				detail = append(detail, routeDetail{In: string(p.in), Path: p.name, Reason: err.Error()})
				break
			}
		}
	}
	return detail
}

func routeSet(dst reflect.Value, s string) error {
	switch dst.Kind() {
	case reflect.String:
		dst.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("not a boolean: " + strconv.Quote(s))
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, dst.Type().Bits())
		if err != nil {
			return errors.New("not an integer of " + strconv.Itoa(dst.Type().Bits()) + " bits: " + strconv.Quote(s))
		}
		dst.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, dst.Type().Bits())
		if err != nil {
			return errors.New("not a non-negative integer of " + strconv.Itoa(dst.Type().Bits()) + " bits: " + strconv.Quote(s))
		}
		dst.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, dst.Type().Bits())
		if err != nil {
			return errors.New("not a number: " + strconv.Quote(s))
		}
		dst.SetFloat(f)
	}
	return nil
}
