package validation

import (
	"cmp"
	"encoding/json"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/jsonscan"
)

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
	if n.delegate || (n.format != nil && c != '"') {
		return n.validDecoded(sc, depth, start)
	}
	if n.boolean != nil {
		return *n.boolean && sc.Skip(depth)
	}
	if n.justRef {
		return n.ref.valid(sc, depth+1)
	}
	if n.ref != nil {
		if !n.ref.valid(sc, depth+1) {
			return false
		}
		sc.I = start
	}
	switch {
	case c == '{':
		return n.typeOK(schemaFastObject) && (n.refOnly && sc.Skip(depth) || !n.refOnly && n.validObject(sc, depth))
	case c == '[':
		return n.typeOK(schemaFastArray) && (n.refOnly && sc.Skip(depth) || !n.refOnly && n.validArray(sc, depth))
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

// validDecoded decodes the value and hands it to the validator: a subschema the fast path does not
// handle, or a format asserted on a value that is not a string.
func (n *schemaFast) validDecoded(sc *jsonscan.Scanner, depth, start int) bool {
	if !sc.Skip(depth) {
		return false
	}
	v, err := powertools.DecodeJSON(sc.B[start:sc.I])
	return err == nil && n.sch.Validate(v) == nil
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
	return n.format == nil || n.format.Validate(s) == nil
}

func (n *schemaFast) validNumber(sc *jsonscan.Scanner) bool {
	lit, ok := sc.Number()
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
