package validation

// Schemas are JSON text (SchemaJSON) or derived from Go types (SchemaFor); each is compiled once per
// process and kept in a cache shared by With, Validate and the parser subpackage.

import (
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

	google "github.com/google/jsonschema-go/jsonschema"
	invopop "github.com/invopop/jsonschema"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/cachereset"
	"github.com/gopowertools/powertools/internal/eventbody"
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

// schemaCompiled is a compiled schema: github.com/google/jsonschema-go's resolved form, which gives the
// verdict, the walk that lists the failures and asserts formats (eval.go), and the fast path (fast.go).
type schemaCompiled struct {
	rs   *google.Resolved
	ev   *schemaEval
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
// says omitempty or omitzero. A tag keyword invopop does not know (minLenght=3), a value that does not
// parse (minimum=abc) or a keyword that does not apply to the field's type (minLength on an int) is a
// *TagError in the schema's *SchemaError, which New reports as a *powertools.ConfigError. Unknown object keys are allowed, as events carry many fields a type does
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
	if err := tagsCheck(t); err != nil {
		return nil, err
	}
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
		if e.err == nil {
			e.c, e.err = schemaCompile(e.raw)
		}
		if e.err != nil {
			e.err = &SchemaError{Source: e.source, Err: e.err}
		}
	})
}

// schemaCompile compiles a schema document: its draft settled (compile.go), resolved by
// google/jsonschema-go without loading anything, its $ref chains checked for loops, its walk and its
// fast path built.
func schemaCompile(text []byte) (c *schemaCompiled, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("the schema library panicked: %v", r)
		}
	}()
	root, draft, err := schemaParse(text)
	if err != nil {
		return nil, err
	}
	rs, err := root.Resolve(&google.ResolveOptions{Loader: schemaNoLoader})
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "jsonschema: "))
	}
	refs := schemaResolveRefs(root)
	if err := refs.checkTypes(); err != nil {
		return nil, err
	}
	if err := refs.checkCycles(); err != nil {
		return nil, err
	}
	c = &schemaCompiled{rs: rs, ev: newSchemaEval(root, draft, refs)}
	c.fast = schemaFastCompile(c.ev)
	return c, nil
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

// validationMaxListed bounds the issues an error message lists; past it the message gives the count.
const validationMaxListed = 20

// Error lists every issue ("at $.a: reason; at $.b: reason"), up to 20, then the number left out.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("powertools: validation failed")
	if e.Stage != "" {
		b.WriteString(" (" + e.Stage + ")")
	}
	issues := e.Issues
	if len(issues) == 0 {
		issues = []ValidationIssue{{Path: e.Path, Keyword: e.Keyword, Reason: e.Reason}}
	}
	if len(issues) > 1 {
		b.WriteString(": " + strconv.Itoa(len(issues)) + " issues")
	}
	for i, is := range issues {
		if i == validationMaxListed {
			b.WriteString("; " + strconv.Itoa(len(issues)-i) + " more not listed")
			break
		}
		if i > 0 {
			b.WriteString(";")
		} else if len(issues) > 1 {
			b.WriteString(":")
		}
		b.WriteString(" at " + is.Path + ": " + is.Reason)
	}
	return b.String()
}

func (e *ValidationError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrValidation) true.
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// schemaValidate validates generic JSON data (as decoded by encoding/json) and turns a failure into a
// *ValidationError whose paths are written against data. The library gives the verdict; the walk lists
// the failures and asserts formats.
func schemaValidate(c *schemaCompiled, data any) error {
	lerr := schemaLibraryValidate(c.rs, data)
	if lerr == nil && (!c.ev.formats || c.ev.partial || c.ev.valid(data)) {
		return nil
	}
	var issues []ValidationIssue
	if !c.ev.partial {
		issues = c.ev.explain(data)
	}
	if len(issues) == 0 {
		if lerr == nil {
			return nil
		}
		issues = []ValidationIssue{schemaLibraryIssue(lerr)}
	}
	// Sorted, so the first issue is the same every time.
	slices.SortStableFunc(issues, func(a, b ValidationIssue) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Keyword, b.Keyword), strings.Compare(a.Reason, b.Reason))
	})
	issues = slices.Compact(issues)
	ve := &ValidationError{Issues: issues, Err: lerr}
	ve.Path, ve.Keyword, ve.Reason = issues[0].Path, issues[0].Keyword, issues[0].Reason
	return ve
}

// schemaLibraryValidate is the library's verdict, a panic in it an error.
func schemaLibraryValidate(rs *google.Resolved, data any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the schema library panicked: %v", r)
		}
	}()
	return rs.Validate(data)
}

// schemaLibraryIssue is the library's message as an issue, for a schema the walk cannot judge: the
// schema locations it prefixes ("validating /properties/a: ") dropped, the keyword it starts with kept.
func schemaLibraryIssue(err error) ValidationIssue {
	msg := err.Error()
	for strings.HasPrefix(msg, "validating ") {
		_, rest, ok := strings.Cut(msg, ": ")
		if !ok {
			break
		}
		msg = rest
	}
	is := ValidationIssue{Path: "$", Reason: msg}
	if kw, rest, ok := strings.Cut(msg, ": "); ok && !strings.ContainsAny(kw, " \"") {
		is.Keyword, is.Reason = kw, rest
	}
	return is
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
// first. It returns nil, a *ValidationError (ErrValidation) for anything that makes the event fail,
// a *SchemaError (ErrSchema) for a schema that is not valid, or the *powertools.JMESPathError of an
// envelope expression that does not compile. Everything the event causes matches ErrValidation: a value
// that does not satisfy the schema, an event or a body that is not JSON or not base64, an envelope that
// fails on it or selects nothing, a value that contains itself; the cause (a *powertools.DecodeError,
// *powertools.JMESPathError or *powertools.EnvelopeError) stays in the chain for errors.Is and
// errors.As. API Gateway, ALB, Function URL and VPC Lattice events whose body is marked
// isBase64Encoded have it decoded before the envelope runs. Schemas and expressions are compiled once
// and cached.
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
	if err := validationCheckValue(data); err != nil {
		return err
	}
	if env != nil {
		// As text, for the envelope to see a base64 body decoded as it does in an event given as text.
		text, err := json.Marshal(data)
		if err != nil {
			return validationEventError(&powertools.DecodeError{Step: "json", Err: err})
		}
		return validateText(sch, env, text)
	}
	doc, err := env.UnwrapValue(data)
	if err != nil {
		return validationEventError(err)
	}
	return schemaValidate(sch, doc)
}

// validationEventError makes an error the event caused (not JSON, an envelope that fails or selects
// nothing) a *ValidationError at "$", keeping it as the cause.
func validationEventError(err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return err
	}
	reason := strings.TrimPrefix(err.Error(), "powertools: ")
	return &ValidationError{Path: "$", Reason: reason, Issues: []ValidationIssue{{Path: "$", Reason: reason}}, Err: err}
}

// validationMaxDepth is how deep a value given to Validate (already decoded) may nest: the depth
// encoding/json accepts.
const validationMaxDepth = 10000

// validationCheckValue refuses a decoded value that contains itself (a map or a slice holding itself,
// directly or not, which would make the validation recurse until the process dies) or nests past
// validationMaxDepth, before anything walks it. Values decoded from JSON text never do.
func validationCheckValue(data any) error {
	switch data.(type) {
	case map[string]any, []any:
	default:
		return nil
	}
	onPath := map[uintptr]bool{}
	var walk func(v any, depth int) error
	walk = func(v any, depth int) error {
		if depth > validationMaxDepth {
			return validationEventError(errors.New("the value nests deeper than " + strconv.Itoa(validationMaxDepth) + " levels"))
		}
		var id uintptr
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 {
				return nil
			}
			id = reflect.ValueOf(x).Pointer()
		case []any:
			if cap(x) == 0 {
				return nil
			}
			id = reflect.ValueOf(x[:cap(x)]).Pointer()
		default:
			return nil
		}
		if onPath[id] {
			return validationEventError(errors.New("the value contains itself (a map or slice holding itself cannot be JSON)"))
		}
		onPath[id] = true
		defer delete(onPath, id)
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				if err := walk(e, depth+1); err != nil {
					return err
				}
			}
		case []any:
			for _, e := range x {
				if err := walk(e, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(data, 0)
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
	if env != nil {
		var err error
		if text, _, err = eventbody.Decoded(text); err != nil {
			return validationEventError(err)
		}
	}
	doc, err := env.Unwrap(text)
	if err != nil {
		return validationEventError(err)
	}
	return schemaValidate(sch, doc)
}
