package powertools

// Validation: JSON Schema for inbound events and responses (issue 7), through WithValidation or the
// standalone Validate. Schemas are JSON text (SchemaJSON) or derived from Go types (SchemaFor); each is
// compiled once per process and kept in a cache shared by the App, Validate and the parser.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	invopop "github.com/invopop/jsonschema"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.uber.org/zap"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// ErrValidation matches, through errors.Is, every *ValidationError: a value that does not satisfy its
// schema.
var ErrValidation = errors.New("powertools: validation failed")

// ErrSchema matches, through errors.Is, every *SchemaError: a schema that is not valid JSON Schema.
var ErrSchema = errors.New("powertools: invalid schema")

// Schema is a JSON Schema, made by SchemaJSON from JSON text or by SchemaFor from a Go type. It is
// compiled on first use, once per process: two Schemas of the same text or the same type share the
// compiled form. The zero Schema means "no schema". A Schema is safe for concurrent use.
type Schema struct {
	e *schemaEntry
}

// schemaEntry is one schema and its compiled form, built once.
type schemaEntry struct {
	source string                 // what the schema came from, for errors: "SchemaJSON" or the Go type
	text   func() ([]byte, error) // builds the schema's JSON text
	once   sync.Once              // guards raw, sch and err
	raw    []byte                 // the JSON text, once built
	sch    *jsonschema.Schema     // the compiled schema
	err    error                  // why it could not be built; kept, so a bad schema fails every time
}

// schemaCache holds entries by JSON text (SchemaJSON) and by Go type (SchemaFor). Text entries are
// bounded like the expression cache: past schemaCacheMax, new texts get an entry of their own per call.
var schemaCache struct {
	byText sync.Map // string -> *schemaEntry
	byType sync.Map // reflect.Type -> *schemaEntry
	n      atomic.Int64
}

const schemaCacheMax = 1024

// SchemaJSON is the schema given as JSON text. Without "$schema" it is read as draft 7 (the Python
// edition's default); "$schema" selects draft 4, 6, 7, 2019-09 or 2020-12. "format" is asserted.
// References ($ref) resolve inside the document only: the library never loads a schema from a file or
// the network. A text that is not a valid schema is reported by New (through WithValidation) or by the
// first Validate using it, as a *SchemaError.
func SchemaJSON(text string) Schema {
	if e, ok := schemaCache.byText.Load(text); ok {
		return Schema{e.(*schemaEntry)}
	}
	e := &schemaEntry{source: "SchemaJSON", text: func() ([]byte, error) { return []byte(text), nil }}
	if schemaCache.n.Load() < schemaCacheMax {
		if prev, loaded := schemaCache.byText.LoadOrStore(text, e); loaded {
			return Schema{prev.(*schemaEntry)}
		}
		schemaCache.n.Add(1)
	}
	return Schema{e}
}

// SchemaFor is the draft 2020-12 schema derived from the Go type T by github.com/invopop/jsonschema:
// field names from json tags, constraints from jsonschema tags (`jsonschema:"minimum=1,maxLength=20"`,
// `jsonschema:"enum=a,enum=b"`, `jsonschema:"format=email"`), a field is required unless its json tag
// says omitempty or omitzero. Unknown object keys are allowed, as events carry many fields a type does
// not name. A type can refine its schema with a JSONSchema or JSONSchemaExtend method (see invopop).
// The schema is derived and compiled once per type.
func SchemaFor[T any]() Schema {
	return schemaForType(reflect.TypeFor[T]())
}

func schemaForType(t reflect.Type) Schema {
	if e, ok := schemaCache.byType.Load(t); ok {
		return Schema{e.(*schemaEntry)}
	}
	e := &schemaEntry{source: t.String(), text: func() ([]byte, error) { return schemaReflect(t) }}
	prev, _ := schemaCache.byType.LoadOrStore(t, e)
	return Schema{prev.(*schemaEntry)}
}

// schemaReflect derives the JSON text of t's schema; invopop panics on some types, which becomes an error.
func schemaReflect(t reflect.Type) (text []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			text, err = nil, fmt.Errorf("cannot derive a schema: %v", v)
		}
	}()
	r := &invopop.Reflector{Anonymous: true, AllowAdditionalProperties: true}
	return json.Marshal(r.ReflectFromType(t))
}

// schemaResetCaches empties the schema caches (benchmarks measure the cold path with it).
func schemaResetCaches() {
	schemaCache.byText.Clear()
	schemaCache.byType.Clear()
	schemaCache.n.Store(0)
}

// IsZero reports whether s is the zero Schema, "no schema".
func (s Schema) IsZero() bool { return s.e == nil }

// String returns the schema's JSON text, or "" when it cannot be built or s is zero.
func (s Schema) String() string {
	if s.e == nil {
		return ""
	}
	s.e.build()
	return string(s.e.raw)
}

// compiled returns the compiled schema, building it on first use.
func (s Schema) compiled() (*jsonschema.Schema, error) {
	if s.e == nil {
		return nil, &SchemaError{Source: "Schema{}", Err: errors.New("zero Schema: use SchemaJSON or SchemaFor")}
	}
	s.e.build()
	return s.e.sch, s.e.err
}

func (e *schemaEntry) build() {
	e.once.Do(func() {
		e.raw, e.err = e.text()
		if e.err == nil {
			e.sch, e.err = schemaCompile(e.raw)
		}
		if e.err != nil {
			e.err = &SchemaError{Source: e.source, Err: e.err}
		}
	})
}

// schemaURL names the one in-memory resource each compiler holds.
const schemaURL = "urn:powertools:schema"

// schemaCompile compiles a schema document with a compiler of its own (compilers are not safe for
// concurrent use, and each schema is compiled once).
func schemaCompile(text []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	c.UseLoader(schemaNoLoader{})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
}

// schemaNoLoader refuses every external reference: validation does no I/O.
type schemaNoLoader struct{}

func (schemaNoLoader) Load(url string) (any, error) {
	return nil, errors.New("external schema references are not loaded: " + url)
}

// SchemaError reports a schema that cannot be built or compiled. errors.Is matches ErrSchema.
type SchemaError struct {
	Source string // "SchemaJSON" or the Go type the schema was derived from
	Err    error
}

func (e *SchemaError) Error() string {
	return "powertools: invalid schema (" + e.Source + "): " + e.Err.Error()
}

func (e *SchemaError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrSchema) true.
func (e *SchemaError) Is(target error) bool { return target == ErrSchema }

// ValidationError reports a value that does not satisfy its schema: where (a JSONPath such as
// "$.items[2].qty", "$" for the value itself) and why, for every failing value. Path, Keyword and Reason
// repeat the first issue. errors.Is matches ErrValidation.
type ValidationError struct {
	Stage   string // "inbound" or "outbound" under WithValidation; "" for Validate and the parser
	Path    string
	Keyword string // the schema keyword that failed, e.g. "required", "minimum", "type"
	Reason  string
	Issues  []ValidationIssue
	Err     error // the validator's own error, with the schema locations
}

// ValidationIssue is one failing value.
type ValidationIssue struct {
	Path    string
	Keyword string
	Reason  string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("powertools: validation failed")
	if e.Stage != "" {
		b.WriteString(" (" + e.Stage + ")")
	}
	b.WriteString(" at " + e.Path + ": " + e.Reason)
	if n := len(e.Issues) - 1; n > 0 {
		b.WriteString(" (and " + strconv.Itoa(n) + " more)")
	}
	return b.String()
}

func (e *ValidationError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrValidation) true.
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// schemaPrinter renders the validator's messages.
var schemaPrinter = message.NewPrinter(language.English)

// schemaValidate validates generic JSON data (as decoded by encoding/json) and turns a failure into a
// *ValidationError whose paths are written against data.
func schemaValidate(sch *jsonschema.Schema, data any) error {
	err := sch.Validate(data)
	if err == nil {
		return nil
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return &ValidationError{Path: "$", Reason: err.Error(), Issues: []ValidationIssue{{Path: "$", Reason: err.Error()}}, Err: err}
	}
	ve := &ValidationError{Err: err}
	schemaLeaves(verr, data, &ve.Issues)
	if len(ve.Issues) == 0 {
		ve.Issues = []ValidationIssue{{Path: "$", Reason: verr.Error()}}
	}
	// The validator visits object keys in map order: sort so the first issue is the same every time.
	slices.SortStableFunc(ve.Issues, func(a, b ValidationIssue) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Keyword, b.Keyword), strings.Compare(a.Reason, b.Reason))
	})
	ve.Path, ve.Keyword, ve.Reason = ve.Issues[0].Path, ve.Issues[0].Keyword, ve.Issues[0].Reason
	return ve
}

// schemaLeaves collects the innermost causes: the failing values themselves, not the "allOf failed"
// summaries above them.
func schemaLeaves(e *jsonschema.ValidationError, data any, out *[]ValidationIssue) {
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			schemaLeaves(c, data, out)
		}
		return
	}
	var keyword string
	if kp := e.ErrorKind.KeywordPath(); len(kp) > 0 {
		keyword = kp[0]
	}
	*out = append(*out, ValidationIssue{
		Path:    schemaJSONPath(data, e.InstanceLocation),
		Keyword: keyword,
		Reason:  e.ErrorKind.LocalizedString(schemaPrinter),
	})
}

// schemaJSONPath writes an instance location as a JSONPath, walking data to tell array indexes from
// object keys that look like numbers.
func schemaJSONPath(data any, tokens []string) string {
	b := []byte{'$'}
	for _, tok := range tokens {
		switch d := data.(type) {
		case []any:
			b = append(append(append(b, '['), tok...), ']')
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(d) {
				data = d[i]
			} else {
				data = nil
			}
			continue
		case map[string]any:
			data = d[tok]
		default:
			data = nil
		}
		if schemaIsIdent(tok) {
			b = append(append(b, '.'), tok...)
		} else {
			b = append(append(append(b, '['), strconv.Quote(tok)...), ']')
		}
	}
	return string(b)
}

func schemaIsIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r != '_' && !(r >= 'a' && r <= 'z') && !(r >= 'A' && r <= 'Z') && !(i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Validate checks data against schema, after unwrapping it with the JMESPath envelope when envelope is
// not "" (an Envelope* constant or any expression, with the Powertools functions). data is JSON text
// ([]byte or json.RawMessage), a value decoded by encoding/json, or any other value, encoded to JSON
// first. It returns nil, a *ValidationError (ErrValidation), a *SchemaError (ErrSchema), a *DecodeError
// for data that is not JSON, a *JMESPathError for an envelope that fails, or an *EnvelopeError
// (ErrEnvelope) for one that selects nothing. Schemas and expressions are compiled once and cached.
func Validate(data any, schema Schema, envelope string) error {
	sch, err := schema.compiled()
	if err != nil {
		return err
	}
	var q *jmesQuery
	if envelope != "" {
		if q, err = compileJMES(envelope); err != nil {
			return err
		}
	}
	var doc any
	switch d := data.(type) {
	case []byte:
		doc, err = jmesEventDocument(d, q)
	case json.RawMessage:
		doc, err = jmesEventDocument(d, q)
	default:
		doc, err = jmesDocument(data)
	}
	if err != nil {
		return err
	}
	return validateDoc(sch, q, doc)
}

// validateDoc unwraps doc with q (when not nil) and validates the result.
func validateDoc(sch *jsonschema.Schema, q *jmesQuery, doc any) error {
	if q != nil {
		var err error
		if doc, err = q.envelopeSearch(doc); err != nil {
			return err
		}
	}
	return schemaValidate(sch, doc)
}

// validationConfig holds the validation settings.
type validationConfig struct {
	inbound, outbound Schema
	envelope          string
}

// WithValidation validates every event against inbound before the handler runs, after unwrapping it with
// envelope when envelope is not "", and every response against outbound after the handler returns
// (responses are not unwrapped). A zero Schema skips that side. Schemas and the envelope are compiled by
// New: a bad one is an error from New. A failing event returns a *ValidationError with Stage "inbound"
// and the handler is not called; a failing response returns one with Stage "outbound" in place of the
// response. Default: no validation; there is no environment variable.
func WithValidation(inbound, outbound Schema, envelope string) Option {
	return func(c *config) {
		if inbound.IsZero() && outbound.IsZero() {
			c.addErr("WithValidation", "", "needs an inbound or an outbound schema")
			return
		}
		c.validation = validationConfig{inbound: inbound, outbound: outbound, envelope: envelope}
	}
}

// validationRoot holds the compiled schemas; nil when validation is off.
type validationRoot struct {
	inbound, outbound *jsonschema.Schema
	envelope          *jmesQuery
}

func newValidationRoot(a *App) (*validationRoot, error) {
	cfg := a.cfg.validation
	if cfg.inbound.IsZero() && cfg.outbound.IsZero() {
		return nil, nil
	}
	r := &validationRoot{}
	var errs []error
	compile := func(s Schema, side string) *jsonschema.Schema {
		if s.IsZero() {
			return nil
		}
		sch, err := s.compiled()
		if err != nil {
			errs = append(errs, &ConfigError{Name: "WithValidation", Value: side + " schema", Reason: err.Error()})
		}
		return sch
	}
	r.inbound = compile(cfg.inbound, "inbound")
	r.outbound = compile(cfg.outbound, "outbound")
	if cfg.envelope != "" {
		var err error
		if r.envelope, err = compileJMES(cfg.envelope); err != nil {
			errs = append(errs, &ConfigError{Name: "WithValidation", Value: cfg.envelope, Reason: err.Error()})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	a.debug.Debug("powertools: validation schemas compiled",
		zap.Bool("inbound", r.inbound != nil),
		zap.Bool("outbound", r.outbound != nil),
		zap.String("envelope", cfg.envelope),
	)
	return r, nil
}

// validationMiddleware returns the layer that validates the event before the handler and the response
// after it; nil when validation is off.
func (a *App) validationMiddleware() Middleware {
	r := a.valid
	if r == nil {
		return nil
	}
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			if r.inbound != nil {
				if err := r.check(a, "inbound", r.inbound, r.envelope, payload); err != nil {
					return nil, err
				}
			}
			out, err := next.Invoke(ctx, payload)
			if err != nil || r.outbound == nil {
				return out, err
			}
			if err := r.check(a, "outbound", r.outbound, nil, out); err != nil {
				return nil, err
			}
			return out, nil
		})
	}
}

// check decodes one side's JSON and validates it, marking a failure with its stage.
func (r *validationRoot) check(a *App, stage string, sch *jsonschema.Schema, q *jmesQuery, raw []byte) error {
	if len(raw) == 0 {
		raw = []byte("null") // a handler without a result answers null
	}
	doc, err := jmesEventDocument(raw, q)
	if err == nil {
		err = validateDoc(sch, q, doc)
	}
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		ve.Stage = stage
	}
	a.debug.Debug("powertools: validation failed", zap.String("stage", stage), zap.Error(err))
	return err
}
