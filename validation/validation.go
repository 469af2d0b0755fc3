package validation

// Schemas are JSON text (SchemaJSON) or derived from Go types (SchemaFor); each is compiled once per
// process and kept in a cache shared by With, Validate and the parser subpackage.

import (
	"bytes"
	"cmp"
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
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/cachereset"
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
	c      *schemaCompiled        // the compiled schema
	err    error                  // why it could not be built; kept, so a bad schema fails every time
}

// schemaCompiled is a compiled schema with its fast path (see schemaFast).
type schemaCompiled struct {
	sch  *jsonschema.Schema
	fast *schemaFast // nil when the schema is checked by the validator alone
}

// schemaCache holds entries by JSON text (SchemaJSON) and by Go type (SchemaFor). Text entries are
// bounded like the expression cache: past schemaCacheMax, new texts get an entry of their own per call.
var schemaCache struct {
	byText sync.Map // string -> *schemaEntry
	byType sync.Map // reflect.Type -> *schemaEntry
	n      atomic.Int64
}

const schemaCacheMax = 1024

func init() { cachereset.Schemas = schemaResetCaches } // a pointer store: no work at init

// SchemaJSON is the schema given as JSON text. Without "$schema" it is read as draft 7 (the Python
// edition's default); "$schema" selects draft 4, 6, 7, 2019-09 or 2020-12. "format" is asserted.
// References ($ref) resolve inside the document only: the library never loads a schema from a file or
// the network. A text that is not a valid schema is reported by New (through With) or by the
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

// schemaResetCaches empties the schema caches (benchmarks measure the cold path with it; the parser's
// reach it through cachereset).
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
func (s Schema) compiled() (*schemaCompiled, error) {
	if s.e == nil {
		return nil, &SchemaError{Source: "Schema{}", Err: errors.New("zero Schema: use SchemaJSON or SchemaFor")}
	}
	s.e.build()
	return s.e.c, s.e.err
}

func (e *schemaEntry) build() {
	e.once.Do(func() {
		e.raw, e.err = e.text()
		var sch *jsonschema.Schema
		if e.err == nil {
			sch, e.err = schemaCompile(e.raw)
		}
		if e.err == nil {
			e.c = &schemaCompiled{sch: sch, fast: schemaFastCompile(sch)}
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
	Stage   string // "inbound" or "outbound" under With; "" for Validate and the parser
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
func schemaValidate(c *schemaCompiled, data any) error {
	err := c.sch.Validate(data)
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
// not "" (a powertools.Envelope* constant or any expression, with the Powertools functions). data is JSON
// text ([]byte or json.RawMessage), a value decoded by encoding/json, or any other value, encoded to JSON
// first. It returns nil, a *ValidationError (ErrValidation), a *SchemaError (ErrSchema), a
// *powertools.DecodeError for data that is not JSON, a *powertools.JMESPathError for an envelope that
// fails, or a *powertools.EnvelopeError (powertools.ErrEnvelope) for one that selects nothing. Schemas
// and expressions are compiled once and cached.
func Validate(data any, schema Schema, envelope string) error {
	sch, err := schema.compiled()
	if err != nil {
		return err
	}
	var env *powertools.Envelope
	if envelope != "" {
		if env, err = powertools.CompileEnvelope(envelope); err != nil {
			return err
		}
	}
	switch d := data.(type) {
	case []byte:
		return validateText(sch, env, d)
	case json.RawMessage:
		return validateText(sch, env, d)
	}
	doc, err := env.UnwrapValue(data)
	if err != nil {
		return err
	}
	return schemaValidate(sch, doc)
}

// ValidateJSON is Validate(doc, s, "") for one JSON document, without putting it in an interface: valid
// documents the fast path accepts cost no allocation. The parser subpackage validates records with it.
func (s Schema) ValidateJSON(doc []byte) error {
	sch, err := s.compiled()
	if err != nil {
		return err
	}
	return validateText(sch, nil, doc)
}

// Compile builds and compiles the schema now, when it was not yet, and returns the *SchemaError every use
// of it returns, or nil. With calls it for New; a function may call it at init to fail early.
func (s Schema) Compile() error {
	_, err := s.compiled()
	return err
}

// validateText validates JSON text: the fast path answers when it shows the text valid, otherwise the
// text is decoded and unwrapped by env (when not nil) and the validator gives the verdict and the error.
func validateText(sch *schemaCompiled, env *powertools.Envelope, text []byte) error {
	if validateFast(sch, env, text) {
		return nil
	}
	doc, err := env.Unwrap(text)
	if err != nil {
		return err
	}
	return schemaValidate(sch, doc)
}
