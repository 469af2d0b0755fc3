package validation

import (
	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"unicode/utf8"

	google "github.com/google/jsonschema-go/jsonschema"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/jsonscan"
)

// The fast path. Validating means decoding the document into Go values (encoding/json: a map per
// object, an interface per value), then walking them: tens of allocations per document. Most documents
// are valid, so the common case only needs a yes: schemaFast answers it from the JSON text itself, with
// the compiled schema's own keywords, patterns and formats, allocating nothing for the keywords it
// handles. It is a pre-check, never the last word: whenever it does not answer yes (an invalid value,
// malformed JSON, a keyword it leaves to the walk) the document is decoded and validated as before, so
// errors are unchanged and a bug here can only cost time, unless it says yes where the validator says
// no; the tests compare both over the JSON Schema Test Suite and fuzzed documents to rule that out.
//
// It handles type, format, $ref, properties, required, additionalProperties, items, prefixItems,
// additionalItems, minItems, maxItems, minLength, maxLength, pattern, minimum, maximum,
// exclusiveMinimum, exclusiveMaximum and multipleOf, and gives every other keyword's subschema to the
// walk (eval.go) whole, the value decoded for it. Numbers are compared as google/jsonschema-go compares
// them: as the float64 encoding/json decodes.

// schemaFast is one compiled subschema, ready for the fast path.
type schemaFast struct {
	ev       *schemaEval
	sch      *google.Schema
	delegate bool  // checked by the walk: the subschema uses a keyword the fast path does not handle
	never    bool  // the schema false
	types    uint8 // schemaFastType bits; 0 accepts every type
	format   string
	ref      *schemaFast
	justRef  bool // $ref is all there is (or, in draft 7, all that counts): the value is checked against it alone

	fields    map[string]schemaFastField // properties and required, by name
	nRequired int
	addl      *schemaFast // additionalProperties as a schema
	addlFalse bool        // additionalProperties: false

	prefix    []*schemaFast // prefixItems, or the array form of items in draft 7
	rest      *schemaFast   // items after the prefix
	restFalse bool          // no items after the prefix
	minItems  int           // -1 when absent
	maxItems  int

	minLen, maxLen int // -1 when absent
	pattern        *regexp.Regexp

	min, max, exMin, exMax, multipleOf *float64
}

// schemaFastField is what an object's schema says of one property name.
type schemaFastField struct {
	sub      *schemaFast // its schema, when known
	known    bool        // listed in properties
	required bool
	bit      uint // its bit among the required names, in a uint64
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

// schemaFastHandled are the Schema fields the fast path implements or may ignore (annotations, and
// identifiers resolved at compile time). Any other field set in a subschema, including fields a later
// version of the library adds, makes that subschema go to the walk whole.
var schemaFastHandled = map[string]bool{
	"ID": true, "Schema": true, "Comment": true, "Defs": true, "Definitions": true, "Anchor": true, "DynamicAnchor": true,
	"Vocabulary": true, "Title": true, "Description": true, "Default": true, "Deprecated": true, "ReadOnly": true,
	"WriteOnly": true, "Examples": true, "ContentEncoding": true, "ContentMediaType": true, "ContentSchema": true,
	"Extra": true, "PropertyOrder": true,
	"Ref": true, "Type": true, "Types": true, "Format": true,
	"Required": true, "Properties": true, "AdditionalProperties": true,
	"MinItems": true, "MaxItems": true, "Items": true, "ItemsArray": true, "AdditionalItems": true, "PrefixItems": true,
	"MinLength": true, "MaxLength": true, "Pattern": true,
	"Maximum": true, "Minimum": true, "ExclusiveMaximum": true, "ExclusiveMinimum": true, "MultipleOf": true,
}

// schemaFastCompile prepares the fast path of a compiled schema; nil when the walk cannot judge the
// schema alone (see schemaEval.partial).
func schemaFastCompile(ev *schemaEval) *schemaFast {
	if ev.partial {
		return nil
	}
	fc := schemaFastCompiler{ev: ev, seen: map[*google.Schema]*schemaFast{}}
	return fc.node(ev.root)
}

type schemaFastCompiler struct {
	ev   *schemaEval
	seen map[*google.Schema]*schemaFast
}

func (fc *schemaFastCompiler) node(s *google.Schema) *schemaFast {
	if s == nil {
		return nil
	}
	if n, ok := fc.seen[s]; ok {
		return n
	}
	n := &schemaFast{ev: fc.ev, sch: s, minItems: -1, maxItems: -1, minLen: -1, maxLen: -1}
	fc.seen[s] = n
	if s.Ref != "" {
		n.ref = fc.node(fc.ev.refs.targets[s])
		if fc.ev.draft7 {
			n.justRef = true // draft 7: the siblings of $ref are ignored
			return n
		}
	}
	if schemaIsFalseSchema(s) {
		n.never = true
		return n
	}
	if !schemaFastSupported(s) || len(s.Required) > 64 {
		n.delegate = true
		return n
	}
	if s.Type != "" {
		n.types = schemaFastTypeBit(s.Type)
	}
	for _, t := range s.Types {
		n.types |= schemaFastTypeBit(t)
	}
	n.format = s.Format
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
	if a := s.AdditionalProperties; a != nil {
		if schemaIsFalseSchema(a) {
			n.addlFalse = true
		} else {
			n.addl = fc.node(a)
		}
	}
	prefix, rest := s.PrefixItems, s.Items
	if fc.ev.draft7 {
		prefix, rest = s.ItemsArray, s.Items
		if s.ItemsArray != nil {
			rest = s.AdditionalItems
		}
	}
	n.prefix = fc.nodes(prefix)
	if rest != nil && schemaIsFalseSchema(rest) {
		n.restFalse = true
	} else {
		n.rest = fc.node(rest)
	}
	n.minItems, n.maxItems = schemaFastInt(s.MinItems), schemaFastInt(s.MaxItems)
	n.minLen, n.maxLen = schemaFastInt(s.MinLength), schemaFastInt(s.MaxLength)
	if s.Pattern != "" {
		n.pattern = fc.ev.patterns[s.Pattern]
		if n.pattern == nil {
			n.delegate = true
		}
	}
	n.min, n.max, n.exMin, n.exMax, n.multipleOf = s.Minimum, s.Maximum, s.ExclusiveMinimum, s.ExclusiveMaximum, s.MultipleOf
	n.justRef = n.ref != nil && n.types == 0 && n.format == "" && n.refAlone()
	return n
}

// refAlone reports whether n checks nothing besides its $ref.
func (n *schemaFast) refAlone() bool {
	return len(n.fields) == 0 && n.addl == nil && !n.addlFalse &&
		len(n.prefix) == 0 && n.rest == nil && !n.restFalse && n.minItems < 0 && n.maxItems < 0 &&
		n.minLen < 0 && n.maxLen < 0 && n.pattern == nil &&
		n.min == nil && n.max == nil && n.exMin == nil && n.exMax == nil && n.multipleOf == nil
}

func (fc *schemaFastCompiler) nodes(ss []*google.Schema) []*schemaFast {
	out := make([]*schemaFast, len(ss))
	for i, s := range ss {
		out[i] = fc.node(s)
	}
	return out
}

// schemaFastSupported reports whether every keyword s sets is one the fast path handles.
func schemaFastSupported(s *google.Schema) bool {
	v := reflect.ValueOf(s).Elem()
	t := v.Type()
	for i := range v.NumField() {
		if f := t.Field(i); f.IsExported() && !schemaFastHandled[f.Name] && !v.Field(i).IsZero() {
			return false
		}
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

// validDocument reports whether text is one JSON document that satisfies the schema. false means "not
// shown valid": the caller asks the validator.
func (n *schemaFast) validDocument(text []byte) bool {
	sc := jsonscan.Scanner{B: text}
	if !n.valid(&sc, 0) {
		return false
	}
	sc.WS()
	return sc.I == len(sc.B)
}

// valid consumes one value and reports whether it satisfies n.
func (n *schemaFast) valid(sc *jsonscan.Scanner, depth int) bool {
	if n == nil {
		return sc.Skip(depth)
	}
	if depth > jsonscan.MaxDepth {
		return false
	}
	c := sc.Peek()
	start := sc.I
	if n.justRef {
		return n.ref.valid(sc, depth+1)
	}
	if n.never {
		return false
	}
	if n.delegate || (n.format != "" && c != '"' && !schemaFormatStrings(n.format)) {
		return n.validDecoded(sc, depth, start)
	}
	if n.ref != nil {
		if !n.ref.valid(sc, depth+1) {
			return false
		}
		sc.I = start
	}
	switch {
	case c == '{':
		return n.typeOK(schemaFastObject) && n.validObject(sc, depth)
	case c == '[':
		return n.typeOK(schemaFastArray) && n.validArray(sc, depth)
	case c == '"':
		return n.typeOK(schemaFastString) && n.validString(sc)
	case c == 't' || c == 'f':
		return n.typeOK(schemaFastBoolean) && sc.Literal()
	case c == 'n':
		return n.typeOK(schemaFastNull) && sc.Literal()
	case c == '-' || c >= '0' && c <= '9':
		return n.validNumber(sc)
	}
	return false
}

func (n *schemaFast) typeOK(bit uint8) bool { return n.types == 0 || n.types&bit != 0 }

// validDecoded decodes the value and hands it to the walk: a subschema the fast path does not handle,
// or a registered format asserted on a value that is not a string.
func (n *schemaFast) validDecoded(sc *jsonscan.Scanner, depth, start int) bool {
	if !sc.Skip(depth) {
		return false
	}
	v, err := powertools.DecodeJSON(sc.B[start:sc.I])
	return err == nil && schemaWalk{ev: n.ev}.check(n.sch, v, "$", depth)
}

func (n *schemaFast) validObject(sc *jsonscan.Scanner, depth int) bool {
	sc.I++ // {
	var seen uint64
	if !sc.Eat('}') {
		for {
			sc.WS()
			start := sc.I
			raw, plain, ok := sc.Str()
			if !ok || !sc.Eat(':') {
				return false
			}
			var f schemaFastField
			if plain {
				f = n.fields[string(raw)] // string(raw) in a map index does not copy
			} else {
				var key string
				if json.Unmarshal(sc.B[start:start+len(raw)+2], &key) != nil {
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
			if sc.Eat(',') {
				continue
			}
			if sc.Eat('}') {
				break
			}
			return false
		}
	}
	return seen == 1<<n.nRequired-1
}

func (n *schemaFast) validArray(sc *jsonscan.Scanner, depth int) bool {
	sc.I++ // [
	count := 0
	if !sc.Eat(']') {
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
			if sc.Eat(',') {
				continue
			}
			if sc.Eat(']') {
				break
			}
			return false
		}
	}
	return (n.minItems < 0 || count >= n.minItems) && (n.maxItems < 0 || count <= n.maxItems)
}

func (n *schemaFast) validString(sc *jsonscan.Scanner) bool {
	start := sc.I
	raw, plain, ok := sc.Str()
	if !ok {
		return false
	}
	lengths := n.minLen >= 0 || n.maxLen >= 0
	pattern := n.pattern != nil
	if !lengths && !pattern && n.format == "" {
		return true
	}
	if plain && n.format == "" { // no copy: the bytes are the value
		return (!lengths || (n.minLen < 0 || len(raw) >= n.minLen) && (n.maxLen < 0 || len(raw) <= n.maxLen)) &&
			(!pattern || n.pattern.Match(raw))
	}
	var s string
	if plain {
		s = string(raw)
	} else if err := json.Unmarshal(sc.B[start:sc.I], &s); err != nil {
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
	return n.format == "" || schemaFormatValid(n.format, s)
}

func (n *schemaFast) validNumber(sc *jsonscan.Scanner) bool {
	lit, ok := sc.Number()
	if !ok {
		return false
	}
	f, ok := schemaFastFloat(lit)
	if !ok {
		return false
	}
	if n.types != 0 && n.types&schemaFastNumber == 0 {
		if _, frac := math.Modf(f); n.types&schemaFastInteger == 0 || frac != 0 {
			return false
		}
	}
	if n.min != nil && f < *n.min || n.max != nil && f > *n.max ||
		n.exMin != nil && f <= *n.exMin || n.exMax != nil && f >= *n.exMax {
		return false
	}
	if n.multipleOf != nil {
		if _, frac := math.Modf(f / *n.multipleOf); frac != 0 {
			return false
		}
	}
	return true
}

// schemaFastPow10 are the powers of ten a float64 holds exactly.
var schemaFastPow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// schemaFastFloat is the float64 encoding/json decodes a number literal to. A literal without exponent
// and with at most 15 digits is its digits as an integer (exact in a float64) divided by an exact power
// of ten: one correctly rounded operation, which is what strconv.ParseFloat computes for it too,
// without its allocation. Any other literal goes to strconv.ParseFloat; ok is false when encoding/json
// would refuse it (out of range).
func schemaFastFloat(lit []byte) (float64, bool) {
	i, neg := 0, false
	if lit[0] == '-' {
		i, neg = 1, true
	}
	var mant int64
	digits, fracDigits, inFrac := 0, 0, false
	for ; i < len(lit); i++ {
		c := lit[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + int64(c-'0')
			if digits++; inFrac {
				fracDigits++
			}
		case c == '.' && !inFrac:
			inFrac = true
		default:
			digits = 99 // an exponent
		}
		if digits > 15 {
			f, err := strconv.ParseFloat(string(lit), 64)
			return f, err == nil
		}
	}
	f := float64(mant) / schemaFastPow10[fracDigits]
	if neg {
		f = -f
	}
	return f, true
}

// validateFast is the fast path of Validate and With for an event given as JSON text, without an
// envelope, with the API Gateway one (powertools_json(body)) or the SQS one
// (Records[*].powertools_json(body)): the document, or what the envelope would select, is checked by the
// schema's fast path. true means valid; false means "not shown valid", and the caller decodes the event
// and asks the validator, which gives the verdict and the error.
func validateFast(c *schemaCompiled, env *powertools.Envelope, payload []byte) bool {
	switch {
	case c.fast == nil:
		return false
	case env == nil:
		return c.fast.validDocument(payload)
	}
	switch env.String() {
	case powertools.EnvelopeAPIGatewayREST:
		return c.fast.validAPIGateway(payload)
	case powertools.EnvelopeSQS:
		return c.fast.validSQS(payload)
	}
	return false
}

// validAPIGateway checks the JSON document held by the event's "body" string.
func (n *schemaFast) validAPIGateway(payload []byte) bool {
	sc := jsonscan.Scanner{B: payload}
	body := [2]int{-1, -1}
	ok := jsonscan.Object(&sc, func(key []byte) bool {
		if string(key) == "isBase64Encoded" || string(key) == "is_base64_encoded" {
			return sc.Peek() != 't' && sc.Skip(1) // a base64 body: the slow path decodes it
		}
		if string(key) != "body" {
			return sc.Skip(1)
		}
		if body[0] >= 0 || sc.Peek() != '"' {
			return false // twice (the last would win), or not a string: the slow path's to judge
		}
		body[0] = sc.I
		_, _, ok := sc.Str()
		body[1] = sc.I
		return ok
	})
	sc.WS()
	if !ok || body[0] < 0 || sc.I != len(payload) {
		return false
	}
	raw := payload[body[0]+1 : body[1]-1]
	text, ok := jsonscan.Unquote(make([]byte, 0, len(raw)), raw)
	return ok && n.validDocument(text)
}

// validSQS checks what the SQS envelope selects from an SQS event: the array of the JSON documents its
// records' bodies hold, in order. The scanner finds the bodies (jsonscan.SQSBodies, as ParseSQS does)
// and their values are joined into the text of that array, which the schema's fast path checks as it
// checks any document: the schema is the array's (a schema for one body is checked against the array,
// as by the validator). Each body must be exactly one JSON value and not null, since the envelope's
// projection drops null bodies (the array would be shorter than the batch); an empty batch, an odd
// event (see SQSBodies) or a body Unquote leaves to encoding/json goes to the validator as well.
func (n *schemaFast) validSQS(payload []byte) bool {
	pooledBounds := jsonscan.Bounds()
	bodies, ok := jsonscan.SQSBodies(*pooledBounds, payload)
	defer jsonscan.ReleaseBounds(pooledBounds, bodies)
	if !ok || len(bodies) == 0 {
		return false
	}
	pooled := jsonscan.Buffer()
	text, ok := jsonscan.JoinStrings(*pooled, payload, bodies, validSQSBody)
	ok = ok && n.validDocument(text)
	jsonscan.ReleaseBuffer(pooled, text)
	return ok
}

// validSQSBody reports whether a body's value is one element of the envelope's array: one JSON value,
// not null.
func validSQSBody(value []byte) bool {
	sc := jsonscan.Scanner{B: value}
	return sc.Peek() != 'n' && jsonscan.OneValue(value)
}
