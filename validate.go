package powertools

// Validation: JSON Schema for inbound events and responses (issue 7), through WithValidation or the
// standalone Validate. Schemas are JSON text (SchemaJSON) or derived from Go types (SchemaFor); each is
// compiled once per process and kept in a cache shared by the App, Validate and the parser.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

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

// schemaValidateJSON validates one JSON document. The fast path checks the text as it is, without
// decoding it; when it does not accept the document (invalid, malformed, or beyond what it handles) the
// document is decoded and the validator gives the verdict and the error.
func schemaValidateJSON(c *schemaCompiled, text []byte) error {
	if c.fast != nil && c.fast.validDocument(text) {
		return nil
	}
	doc, err := jmesDecodeJSON(text)
	if err != nil {
		return err
	}
	return schemaValidate(c, doc)
}

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
		if validateFast(sch, q, d) {
			return nil
		}
		doc, err = jmesEventDocument(d, q)
	case json.RawMessage:
		if validateFast(sch, q, d) {
			return nil
		}
		doc, err = jmesEventDocument(d, q)
	default:
		doc, err = jmesDocument(data)
	}
	if err != nil {
		return err
	}
	return validateDoc(sch, q, doc)
}

// validateFast is the fast path of Validate and WithValidation for an event given as JSON text, without
// an envelope or with the API Gateway one (powertools_json(body)): the document, or the body the scanner
// finds, is checked by the schema's fast path. true means valid; false means "not shown valid", and the
// caller decodes the event and asks the validator, which gives the verdict and the error.
func validateFast(c *schemaCompiled, q *jmesQuery, payload []byte) bool {
	switch {
	case c.fast == nil:
		return false
	case q == nil:
		return c.fast.validDocument(payload)
	case q.expr != EnvelopeAPIGatewayREST:
		return false
	}
	sc := schemaScanner{b: payload}
	body := [2]int{-1, -1}
	ok := parserScanObject(&sc, func(key []byte) bool {
		if string(key) != "body" {
			return sc.skip(1)
		}
		if body[0] >= 0 || sc.peek() != '"' {
			return false // twice (the last would win), or not a string: the slow path's to judge
		}
		body[0] = sc.i
		_, _, ok := sc.str()
		body[1] = sc.i
		return ok
	})
	sc.ws()
	if !ok || body[0] < 0 || sc.i != len(payload) {
		return false
	}
	raw := payload[body[0]+1 : body[1]-1]
	text, ok := parserUnquote(make([]byte, 0, len(raw)), raw)
	return ok && c.fast.validDocument(text)
}

// validateDoc unwraps doc with q (when not nil) and validates the result.
func validateDoc(sch *schemaCompiled, q *jmesQuery, doc any) error {
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
	inbound, outbound *schemaCompiled
	envelope          *jmesQuery
}

func newValidationRoot(a *App) (*validationRoot, error) {
	cfg := a.cfg.validation
	if cfg.inbound.IsZero() && cfg.outbound.IsZero() {
		return nil, nil
	}
	r := &validationRoot{}
	var errs []error
	compile := func(s Schema, side string) *schemaCompiled {
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
func (r *validationRoot) check(a *App, stage string, sch *schemaCompiled, q *jmesQuery, raw []byte) error {
	if len(raw) == 0 {
		raw = []byte("null") // a handler without a result answers null
	}
	if validateFast(sch, q, raw) {
		return nil
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

// The fast path. The validator (santhosh-tekuri/jsonschema) works on decoded values and reports every
// failure in detail, which costs it tens of allocations per document (a scope per keyword, a big.Rat per
// number it bounds or type-checks as an integer). Most documents are valid, so the common case only
// needs a yes: schemaFast answers it from the JSON text itself, with the compiled schema's own keywords,
// patterns and format checkers, allocating nothing for the keywords it handles. It is a pre-check, never
// the last word: whenever it does not answer yes (an invalid value, malformed JSON, a number it cannot
// compare cheaply, a keyword it leaves to the validator) the document is decoded and validated as before,
// so errors are unchanged and a bug here can only cost time, unless it says yes where the validator says
// no; the tests compare both over the JSON Schema Test Suite and fuzzed documents to rule that out.
//
// It handles type, format, $ref, properties, required, additionalProperties, items, prefixItems,
// additionalItems, minItems, maxItems, minLength, maxLength, pattern, minimum, maximum,
// exclusiveMinimum, exclusiveMaximum and multipleOf, and gives every other keyword's subschema to the
// validator whole (the value is decoded for it). Numbers are compared as the validator compares them:
// the value encoding/json decodes (float64), written back in its shortest form and read exactly.

// schemaFast is one compiled subschema, ready for the fast path.
type schemaFast struct {
	sch      *jsonschema.Schema
	delegate bool  // checked by the validator: the subschema uses a keyword the fast path does not handle
	boolean  *bool // a boolean schema
	types    uint8 // schemaFastType bits; 0 accepts every type
	format   *jsonschema.Format
	ref      *schemaFast
	refOnly  bool // draft 4 to 7: $ref ignores its siblings (type and format excepted, as the validator does)
	justRef  bool // $ref is all there is: the value is checked against it alone, read once

	fields    map[string]schemaFastField // properties and required, by name
	nRequired int
	addl      *schemaFast // additionalProperties as a schema
	addlFalse bool        // additionalProperties: false

	prefix    []*schemaFast // prefixItems, or the array form of items before 2020-12
	rest      *schemaFast   // items after the prefix
	restFalse bool          // additionalItems: false
	minItems  int           // -1 when absent
	maxItems  int

	minLen, maxLen int // -1 when absent
	pattern        jsonschema.Regexp
	patternRe      *regexp.Regexp // pattern, when it is Go's (the default engine): matches bytes

	min, max, exMin, exMax, multipleOf *schemaFastBound
}

// schemaFastField is what an object's schema says of one property name.
type schemaFastField struct {
	sub      *schemaFast // its schema, when known
	known    bool        // listed in properties
	required bool
	bit      uint // its bit among the required names, in a uint64
}

// schemaFastBound is a numeric bound, with its int64 value when it is a small integer.
type schemaFastBound struct {
	r     *big.Rat
	small bool
	i     int64
}

const (
	schemaFastNull uint8 = 1 << iota
	schemaFastBoolean
	schemaFastNumber
	schemaFastInteger
	schemaFastString
	schemaFastArray
	schemaFastObject
)

// schemaFastMaxDepth bounds the nesting the fast path walks; deeper documents go to the validator.
const schemaFastMaxDepth = 512

// schemaFastHandled are the Schema fields the fast path implements or may ignore (annotations, and
// identifiers resolved at compile time). Any other field set in a subschema, including fields a later
// version of the validator adds, makes that subschema go to the validator whole.
var schemaFastHandled = map[string]bool{
	"DraftVersion": true, "Location": true, "ID": true, "Anchor": true, "RecursiveAnchor": true, "DynamicAnchor": true,
	"Bool": true, "Ref": true, "Types": true, "Format": true,
	"Required": true, "Properties": true, "AdditionalProperties": true,
	"MinItems": true, "MaxItems": true, "Items": true, "AdditionalItems": true, "PrefixItems": true, "Items2020": true,
	"MinLength": true, "MaxLength": true, "Pattern": true,
	"Maximum": true, "Minimum": true, "ExclusiveMaximum": true, "ExclusiveMinimum": true, "MultipleOf": true,
	"Title": true, "Description": true, "Default": true, "Comment": true, "ReadOnly": true, "WriteOnly": true,
	"Examples": true, "Deprecated": true,
}

// schemaFastCompile prepares the fast path of a compiled schema; nil when the schema resolves references
// dynamically ($recursiveRef, $dynamicRef: their target depends on where validation started) or has a
// cycle of $ref that would not end.
func schemaFastCompile(sch *jsonschema.Schema) *schemaFast {
	fc := schemaFastCompiler{seen: map[*jsonschema.Schema]*schemaFast{}}
	root := fc.node(sch)
	if fc.dynamic {
		return nil
	}
	for _, n := range fc.seen {
		steps := 0
		for m := n; m != nil && !m.delegate; m = m.ref {
			if steps++; steps > len(fc.seen) {
				return nil // a $ref cycle: the validator reports it
			}
		}
	}
	return root
}

type schemaFastCompiler struct {
	seen    map[*jsonschema.Schema]*schemaFast
	dynamic bool
}

func (fc *schemaFastCompiler) node(s *jsonschema.Schema) *schemaFast {
	if s == nil {
		return nil
	}
	if n, ok := fc.seen[s]; ok {
		return n
	}
	n := &schemaFast{sch: s, minItems: -1, maxItems: -1, minLen: -1, maxLen: -1}
	fc.seen[s] = n
	if s.RecursiveRef != nil || s.DynamicRef != nil {
		fc.dynamic = true
	}
	if !schemaFastSupported(s) || len(s.Required) > 64 {
		n.delegate = true
		fc.walkDelegated(s)
		return n
	}
	n.boolean = s.Bool
	if s.Types != nil {
		for _, t := range s.Types.ToStrings() {
			n.types |= schemaFastTypeBit(t)
		}
	}
	n.format = s.Format
	n.ref = fc.node(s.Ref)
	n.refOnly = s.Ref != nil && s.DraftVersion < 2019
	if len(s.Properties) > 0 || len(s.Required) > 0 {
		n.fields = make(map[string]schemaFastField, len(s.Properties)+len(s.Required))
		for k, p := range s.Properties {
			n.fields[k] = schemaFastField{sub: fc.node(p), known: true}
		}
		for _, k := range s.Required {
			if f := n.fields[k]; !f.required {
				f.required, f.bit = true, uint(n.nRequired)
				n.fields[k] = f
				n.nRequired++
			}
		}
	}
	switch a := s.AdditionalProperties.(type) {
	case bool:
		n.addlFalse = !a
	case *jsonschema.Schema:
		n.addl = fc.node(a)
	}
	if s.DraftVersion < 2020 {
		switch items := s.Items.(type) {
		case *jsonschema.Schema:
			n.rest = fc.node(items)
		case []*jsonschema.Schema:
			n.prefix = fc.nodes(items)
			fc.additionalItems(n, s.AdditionalItems)
		case nil:
			fc.additionalItems(n, s.AdditionalItems)
		}
	} else {
		n.prefix = fc.nodes(s.PrefixItems)
		n.rest = fc.node(s.Items2020)
	}
	n.minItems, n.maxItems = schemaFastInt(s.MinItems), schemaFastInt(s.MaxItems)
	n.minLen, n.maxLen = schemaFastInt(s.MinLength), schemaFastInt(s.MaxLength)
	n.pattern = s.Pattern
	n.patternRe, _ = s.Pattern.(*regexp.Regexp)
	n.min, n.max = schemaFastNewBound(s.Minimum), schemaFastNewBound(s.Maximum)
	n.exMin, n.exMax = schemaFastNewBound(s.ExclusiveMinimum), schemaFastNewBound(s.ExclusiveMaximum)
	n.multipleOf = schemaFastNewBound(s.MultipleOf)
	n.justRef = n.ref != nil && n.types == 0 && n.format == nil && (n.refOnly || n.refAlone())
	return n
}

// refAlone reports whether n checks nothing besides its $ref.
func (n *schemaFast) refAlone() bool {
	return len(n.fields) == 0 && n.addl == nil && !n.addlFalse &&
		len(n.prefix) == 0 && n.rest == nil && !n.restFalse && n.minItems < 0 && n.maxItems < 0 &&
		n.minLen < 0 && n.maxLen < 0 && n.pattern == nil &&
		n.min == nil && n.max == nil && n.exMin == nil && n.exMax == nil && n.multipleOf == nil
}

func (fc *schemaFastCompiler) nodes(ss []*jsonschema.Schema) []*schemaFast {
	out := make([]*schemaFast, len(ss))
	for i, s := range ss {
		out[i] = fc.node(s)
	}
	return out
}

func (fc *schemaFastCompiler) additionalItems(n *schemaFast, a any) {
	switch a := a.(type) {
	case bool:
		n.restFalse = !a
	case *jsonschema.Schema:
		n.rest = fc.node(a)
	}
}

// walkDelegated visits what a delegated subschema reaches, only to find dynamic references.
func (fc *schemaFastCompiler) walkDelegated(s *jsonschema.Schema) {
	visit := func(c *jsonschema.Schema) {
		if c != nil && fc.seen[c] == nil {
			fc.node(c)
		}
	}
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() {
			continue
		}
		schemaFastEachSchema(f, visit)
	}
}

// schemaFastEachSchema calls visit for every *jsonschema.Schema held by f (directly, in a slice, a map or
// an interface).
func schemaFastEachSchema(f reflect.Value, visit func(*jsonschema.Schema)) {
	if !f.IsValid() {
		return
	}
	switch f.Kind() {
	case reflect.Pointer:
		if s, ok := f.Interface().(*jsonschema.Schema); ok {
			visit(s)
		} else if !f.IsNil() && f.Elem().Kind() == reflect.Struct {
			e := f.Elem()
			for i := range e.NumField() {
				if e.Type().Field(i).IsExported() {
					schemaFastEachSchema(e.Field(i), visit)
				}
			}
		}
	case reflect.Interface:
		if !f.IsNil() {
			schemaFastEachSchema(f.Elem(), visit)
		}
	case reflect.Slice:
		for i := range f.Len() {
			schemaFastEachSchema(f.Index(i), visit)
		}
	case reflect.Map:
		it := f.MapRange()
		for it.Next() {
			schemaFastEachSchema(it.Value(), visit)
		}
	}
}

// schemaFastSupported reports whether every keyword s sets is one the fast path handles.
func schemaFastSupported(s *jsonschema.Schema) bool {
	v := reflect.ValueOf(s).Elem()
	t := v.Type()
	for i := range v.NumField() {
		if f := t.Field(i); f.IsExported() && !schemaFastHandled[f.Name] && !v.Field(i).IsZero() {
			return false
		}
	}
	switch s.AdditionalProperties.(type) {
	case nil, bool, *jsonschema.Schema:
	default:
		return false
	}
	switch s.AdditionalItems.(type) {
	case nil, bool, *jsonschema.Schema:
	default:
		return false
	}
	return true
}

func schemaFastTypeBit(t string) uint8 {
	switch t {
	case "null":
		return schemaFastNull
	case "boolean":
		return schemaFastBoolean
	case "number":
		return schemaFastNumber
	case "integer":
		return schemaFastInteger
	case "string":
		return schemaFastString
	case "array":
		return schemaFastArray
	case "object":
		return schemaFastObject
	}
	return 0
}

func schemaFastInt(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

func schemaFastNewBound(r *big.Rat) *schemaFastBound {
	if r == nil {
		return nil
	}
	b := &schemaFastBound{r: r}
	if r.IsInt() && r.Num().IsInt64() {
		if i := r.Num().Int64(); i > -1<<62 && i < 1<<62 {
			b.small, b.i = true, i
		}
	}
	return b
}

// validDocument reports whether text is one JSON document that satisfies the schema. false means "not
// shown valid": the caller asks the validator.
func (n *schemaFast) validDocument(text []byte) bool {
	sc := schemaScanner{b: text}
	if !n.valid(&sc, 0) {
		return false
	}
	sc.ws()
	return sc.i == len(sc.b)
}

// valid consumes one value and reports whether it satisfies n.
func (n *schemaFast) valid(sc *schemaScanner, depth int) bool {
	if n == nil {
		return sc.skip(depth)
	}
	if depth > schemaFastMaxDepth {
		return false
	}
	c := sc.peek()
	start := sc.i
	if n.delegate || (n.format != nil && c != '"') {
		return n.validDecoded(sc, depth, start)
	}
	if n.boolean != nil {
		return *n.boolean && sc.skip(depth)
	}
	if n.justRef {
		return n.ref.valid(sc, depth+1)
	}
	if n.ref != nil {
		if !n.ref.valid(sc, depth+1) {
			return false
		}
		sc.i = start
	}
	switch {
	case c == '{':
		return n.typeOK(schemaFastObject) && (n.refOnly && sc.skip(depth) || !n.refOnly && n.validObject(sc, depth))
	case c == '[':
		return n.typeOK(schemaFastArray) && (n.refOnly && sc.skip(depth) || !n.refOnly && n.validArray(sc, depth))
	case c == '"':
		return n.typeOK(schemaFastString) && n.validString(sc)
	case c == 't' || c == 'f':
		return n.typeOK(schemaFastBoolean) && sc.literal()
	case c == 'n':
		return n.typeOK(schemaFastNull) && sc.literal()
	case c == '-' || c >= '0' && c <= '9':
		return n.validNumber(sc)
	}
	return false
}

func (n *schemaFast) typeOK(bit uint8) bool { return n.types == 0 || n.types&bit != 0 }

// validDecoded decodes the value and hands it to the validator: a subschema the fast path does not
// handle, or a format asserted on a value that is not a string.
func (n *schemaFast) validDecoded(sc *schemaScanner, depth, start int) bool {
	if !sc.skip(depth) {
		return false
	}
	v, err := jmesDecodeJSON(sc.b[start:sc.i])
	return err == nil && n.sch.Validate(v) == nil
}

func (n *schemaFast) validObject(sc *schemaScanner, depth int) bool {
	sc.i++ // {
	var seen uint64
	if !sc.eat('}') {
		for {
			sc.ws()
			start := sc.i
			raw, plain, ok := sc.str()
			if !ok || !sc.eat(':') {
				return false
			}
			var f schemaFastField
			if plain {
				f = n.fields[string(raw)] // string(raw) in a map index does not copy
			} else {
				var key string
				if json.Unmarshal(sc.b[start:start+len(raw)+2], &key) != nil {
					return false
				}
				f = n.fields[key]
			}
			switch {
			case f.known:
				ok = f.sub.valid(sc, depth+1)
			case n.addlFalse:
				return false
			default:
				ok = n.addl.valid(sc, depth+1)
			}
			if !ok {
				return false
			}
			if f.required {
				seen |= 1 << f.bit
			}
			if sc.eat(',') {
				continue
			}
			if sc.eat('}') {
				break
			}
			return false
		}
	}
	return seen == 1<<n.nRequired-1
}

func (n *schemaFast) validArray(sc *schemaScanner, depth int) bool {
	sc.i++ // [
	count := 0
	if !sc.eat(']') {
		for {
			sub := n.rest
			if count < len(n.prefix) {
				sub = n.prefix[count]
			} else if n.restFalse {
				return false
			}
			if !sub.valid(sc, depth+1) {
				return false
			}
			count++
			if sc.eat(',') {
				continue
			}
			if sc.eat(']') {
				break
			}
			return false
		}
	}
	return (n.minItems < 0 || count >= n.minItems) && (n.maxItems < 0 || count <= n.maxItems)
}

func (n *schemaFast) validString(sc *schemaScanner) bool {
	start := sc.i
	raw, plain, ok := sc.str()
	if !ok {
		return false
	}
	lengths := !n.refOnly && (n.minLen >= 0 || n.maxLen >= 0)
	pattern := !n.refOnly && n.pattern != nil
	if !lengths && !pattern && n.format == nil {
		return true
	}
	if plain && n.format == nil && (!pattern || n.patternRe != nil) { // no copy: the bytes are the value
		return (!lengths || (n.minLen < 0 || len(raw) >= n.minLen) && (n.maxLen < 0 || len(raw) <= n.maxLen)) &&
			(!pattern || n.patternRe.Match(raw))
	}
	var s string
	if plain {
		s = string(raw)
	} else if err := json.Unmarshal(sc.b[start:sc.i], &s); err != nil {
		return false
	}
	if lengths {
		l := len(s)
		if !plain {
			l = utf8.RuneCountInString(s)
		}
		if n.minLen >= 0 && l < n.minLen || n.maxLen >= 0 && l > n.maxLen {
			return false
		}
	}
	if pattern && !n.pattern.MatchString(s) {
		return false
	}
	return n.format == nil || n.format.Validate(s) == nil
}

func (n *schemaFast) validNumber(sc *schemaScanner) bool {
	lit, ok := sc.number()
	if !ok {
		return false
	}
	num := schemaParseNumber(lit)
	if n.types != 0 && n.types&schemaFastNumber == 0 {
		if n.types&schemaFastInteger == 0 {
			return false
		}
		if isInt, ok := num.isInteger(); !ok || !isInt {
			return false
		}
	}
	if n.refOnly {
		return true
	}
	if !num.holds(n.min, func(c int) bool { return c >= 0 }) ||
		!num.holds(n.max, func(c int) bool { return c <= 0 }) ||
		!num.holds(n.exMin, func(c int) bool { return c > 0 }) ||
		!num.holds(n.exMax, func(c int) bool { return c < 0 }) {
		return false
	}
	if n.multipleOf != nil {
		if num.short && n.multipleOf.small && num.frac == 0 {
			return num.whole%n.multipleOf.i == 0
		}
		r, ok := num.rat()
		return ok && new(big.Rat).Quo(r, n.multipleOf.r).IsInt()
	}
	return true
}

// schemaNumber is a JSON number literal as the validator sees it: encoding/json decodes it to a float64
// and the validator reads that float's shortest decimal form exactly. A literal without exponent and
// with at most 15 significant digits reads back as itself (float64 keeps 15 decimal digits), so it is
// compared as written: short. Any other literal goes the validator's own way, through a big.Rat.
type schemaNumber struct {
	lit   []byte
	short bool  // no exponent, at most 15 significant digits: whole and frac hold the value
	neg   bool  // a leading minus
	whole int64 // the integer part's magnitude
	frac  int8  // 1 when the fraction has a non-zero digit
}

func schemaParseNumber(lit []byte) schemaNumber {
	n := schemaNumber{lit: lit}
	i := 0
	if lit[0] == '-' {
		n.neg, i = true, 1
	}
	digits, sig := 0, 0
	for ; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
		n.whole = n.whole*10 + int64(lit[i]-'0')
		if digits++; n.whole != 0 {
			sig++
		}
		if digits > 15 {
			return n
		}
	}
	if i < len(lit) && lit[i] == '.' {
		for i++; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
			if lit[i] != '0' {
				n.frac = 1
			}
			if sig > 0 || lit[i] != '0' {
				sig++
			}
		}
	}
	n.short = i == len(lit) && sig <= 15
	return n
}

// isInteger reports whether the number is an integer; ok is false when it cannot be read.
func (n schemaNumber) isInteger() (isInt, ok bool) {
	if n.short {
		return n.frac == 0, true
	}
	r, ok := n.rat()
	return ok && r.IsInt(), ok
}

// rat is the value the validator compares: the float64 encoding/json decodes, in its shortest form.
func (n schemaNumber) rat() (*big.Rat, bool) {
	if n.short {
		return new(big.Rat).SetString(string(n.lit))
	}
	f, err := strconv.ParseFloat(string(n.lit), 64)
	if err != nil {
		return nil, false
	}
	return new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
}

// holds reports whether the number compares to b as ok wants (true when there is no bound).
func (n schemaNumber) holds(b *schemaFastBound, ok func(cmp int) bool) bool {
	if b == nil {
		return true
	}
	if n.short && b.small {
		// |v| = whole + f with 0 <= f < 1; v = -|v| when neg, so v against b is -(|v| against -b).
		mag, bound := n.whole, b.i
		if n.neg {
			bound = -bound
		}
		c := cmp.Compare(mag, bound)
		if c == 0 {
			c = int(n.frac)
		}
		if n.neg {
			c = -c
		}
		return ok(c)
	}
	r, parsed := n.rat()
	return parsed && ok(r.Cmp(b.r))
}

// schemaScanner walks JSON text by the grammar encoding/json accepts, without building values.
type schemaScanner struct {
	b []byte
	i int
}

func (s *schemaScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek is the next byte after white space, 0 at the end.
func (s *schemaScanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// eat consumes c when it comes next.
func (s *schemaScanner) eat(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// skip consumes one value.
func (s *schemaScanner) skip(depth int) bool {
	if depth > schemaFastMaxDepth {
		return false
	}
	switch c := s.peek(); {
	case c == '{':
		s.i++
		if s.eat('}') {
			return true
		}
		for {
			if _, _, ok := s.str(); !ok || !s.eat(':') || !s.skip(depth+1) {
				return false
			}
			if s.eat(',') {
				continue
			}
			return s.eat('}')
		}
	case c == '[':
		s.i++
		if s.eat(']') {
			return true
		}
		for {
			if !s.skip(depth + 1) {
				return false
			}
			if s.eat(',') {
				continue
			}
			return s.eat(']')
		}
	case c == '"':
		_, _, ok := s.str()
		return ok
	case c == '-' || c >= '0' && c <= '9':
		_, ok := s.number()
		return ok
	default:
		return s.literal()
	}
}

// literal consumes true, false or null.
func (s *schemaScanner) literal() bool {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
			s.i += len(lit)
			return true
		}
	}
	return false
}

// number consumes a number and returns its text.
func (s *schemaScanner) number() ([]byte, bool) {
	b, i := s.b, s.i
	digits := func() bool {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	exp := i < len(b) && (b[i] == 'e' || b[i] == 'E')
	if exp {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	lit := b[s.i:i]
	if exp || len(lit) > 300 {
		// encoding/json refuses a number beyond float64's range (1e400) when it decodes into any: such a
		// document is the decoder's to report.
		if _, err := strconv.ParseFloat(string(lit), 64); err != nil {
			return nil, false
		}
	}
	s.i = i
	return lit, true
}

// str consumes a string and returns what is between its quotes; plain means its bytes are its value
// (no escape, ASCII only).
func (s *schemaScanner) str() (raw []byte, plain, ok bool) {
	if s.peek() != '"' {
		return nil, false, false
	}
	s.i++
	start, plain := s.i, true
	for s.i < len(s.b) {
		for s.i+8 <= len(s.b) && !schemaSpecialIn(binary.LittleEndian.Uint64(s.b[s.i:])) {
			s.i += 8
		}
		for s.i < len(s.b) && schemaPlainByte[s.b[s.i]] {
			s.i++
		}
		if s.i == len(s.b) {
			break
		}
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], plain, true
		case c == '\\':
			plain = false
			if s.i+1 >= len(s.b) {
				return nil, false, false
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) {
					return nil, false, false
				}
				for _, h := range s.b[s.i+2 : s.i+6] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return nil, false, false
					}
				}
				s.i += 6
			default:
				return nil, false, false
			}
		case c < 0x20:
			return nil, false, false
		default: // beyond ASCII: kept as is, but decoding may change it
			plain = false
			s.i++
		}
	}
	return nil, false, false
}

// schemaSpecialIn reports whether any of the eight bytes of w is not plain (see schemaPlainByte):
// below 0x20, a quote, a backslash or beyond ASCII. The tests for a zero byte and for a byte below n
// are exact when they say no, which is all the scanner relies on.
func schemaSpecialIn(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	below20 := (w - ones*0x20) & ^w & highs
	return below20|zero(w^(ones*'"'))|zero(w^(ones*'\\'))|w&highs != 0
}

// schemaPlainByte marks the bytes a string holds as themselves: printable ASCII but the quote and the
// backslash.
var schemaPlainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
