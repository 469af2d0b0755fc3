package validation

// The walk. github.com/google/jsonschema-go gives the verdict and stops at the first failure, with a
// message naming schema locations but not the value's path, and it leaves "format" unchecked. This walk
// evaluates the same keywords over the same resolved schema, to list every failing value with its
// JSONPath, the keyword and the reason, and to assert "format" (see format.go). The suite test holds it
// to the JSON-Schema-Test-Suite case by case. It leaves unevaluatedProperties, unevaluatedItems and
// $dynamicRef to the library (a schema using them is "partial": its errors come from the library's
// message, and its formats are annotations).

import (
	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	google "github.com/google/jsonschema-go/jsonschema"
)

// schemaEval walks one compiled schema.
type schemaEval struct {
	root     *google.Schema
	draft7   bool
	refs     *schemaRefs
	patterns map[string]*regexp.Regexp
	partial  bool // the walk cannot judge the schema alone (see above)
	formats  bool // some subschema has "format"
}

func newSchemaEval(root *google.Schema, draft int, refs *schemaRefs) *schemaEval {
	ev := &schemaEval{root: root, draft7: draft == 7, refs: refs, patterns: schemaCompileRegexps(refs)}
	ev.partial = refs.dynamic
	for s := range refs.baseOf {
		if s.UnevaluatedItems != nil || s.UnevaluatedProperties != nil || s.DynamicRef != "" || s.Ref != "" && refs.targets[s] == nil {
			ev.partial = true
		}
		if s.Format != "" {
			ev.formats = true
		}
	}
	return ev
}

// schemaEvalMaxDepth bounds the walk; JSON decoded by encoding/json nests at most 10 000 levels, and
// $ref cycles that stay on one value are refused at compile time.
const schemaEvalMaxDepth = 20000

// schemaWalk is one walk of a value: issues collects every failure when not nil; when nil the walk only
// answers, stopping at the first failure.
type schemaWalk struct {
	ev     *schemaEval
	issues *[]ValidationIssue
}

func (w schemaWalk) fail(path, keyword, reason string) bool {
	if w.issues != nil {
		*w.issues = append(*w.issues, ValidationIssue{Path: path, Keyword: keyword, Reason: reason})
	}
	return false
}

// quiet is the walk that only answers, for the branches of anyOf, oneOf, not, if and contains.
func (w schemaWalk) quiet() schemaWalk { return schemaWalk{ev: w.ev} }

// valid reports whether v satisfies the whole schema (formats included).
func (ev *schemaEval) valid(v any) bool { return schemaWalk{ev: ev}.check(ev.root, v, "$", 0) }

// explain lists every failing value.
func (ev *schemaEval) explain(v any) []ValidationIssue {
	var out []ValidationIssue
	schemaWalk{ev: ev, issues: &out}.check(ev.root, v, "$", 0)
	return out
}

// schemaTypeOf is the JSON type of a decoded value, "integer" for a whole number.
func schemaTypeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if _, f := math.Modf(x); f == 0 {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func schemaTypeMatches(want, got string) bool {
	return want == got || want == "number" && got == "integer"
}

// check walks s over v at path; ok is whether v satisfies s.
func (w schemaWalk) check(s *google.Schema, v any, path string, depth int) bool {
	if depth > schemaEvalMaxDepth {
		return w.fail(path, "", "the value nests deeper than "+strconv.Itoa(schemaEvalMaxDepth)+" levels")
	}
	if schemaIsFalseSchema(s) {
		return w.fail(path, "false", "no value is allowed here")
	}
	ok := true
	if s.Ref != "" {
		if t := w.ev.refs.targets[s]; t != nil {
			ok = w.check(t, v, path, depth+1)
		}
		if w.ev.draft7 {
			return ok // draft 7: siblings of $ref are ignored
		}
	}
	bad := func(keyword, reason string) {
		ok = false
		w.fail(path, keyword, reason)
	}
	stop := func() bool { return !ok && w.issues == nil }

	got := schemaTypeOf(v)
	if s.Type != "" && !schemaTypeMatches(s.Type, got) {
		bad("type", "must be "+s.Type+", not "+schemaTypeName(got))
	} else if len(s.Types) > 0 {
		match := false
		for _, t := range s.Types {
			match = match || schemaTypeMatches(t, got)
		}
		if !match {
			bad("type", "must be one of "+strings.Join(s.Types, ", ")+", not "+schemaTypeName(got))
		}
	}
	if stop() {
		return false
	}
	if s.Enum != nil {
		found := false
		for _, e := range s.Enum {
			if schemaEqual(e, v) {
				found = true
				break
			}
		}
		if !found {
			bad("enum", "must be one of "+schemaList(s.Enum))
		}
	}
	if s.Const != nil && !schemaEqual(*s.Const, v) {
		bad("const", "must be "+schemaJSONText(*s.Const))
	}
	if stop() {
		return false
	}
	switch x := v.(type) {
	case float64:
		w.checkNumber(s, x, bad)
	case string:
		w.checkString(s, x, bad)
	}
	if s.Format != "" && !schemaFormatValid(s.Format, v) {
		bad("format", "must be a valid "+strconv.Quote(s.Format)+" ("+schemaShort(v)+" is not)")
	}
	if stop() {
		return false
	}

	// in place
	for _, sub := range s.AllOf {
		if !w.check(sub, v, path, depth+1) {
			ok = false
			if stop() {
				return false
			}
		}
	}
	if s.AnyOf != nil {
		match := false
		for _, sub := range s.AnyOf {
			if w.quiet().check(sub, v, path, depth+1) {
				match = true
				break
			}
		}
		if !match {
			if len(s.AnyOf) == 1 {
				ok = w.check(s.AnyOf[0], v, path, depth+1) && ok
			} else {
				bad("anyOf", "must match at least one of the "+strconv.Itoa(len(s.AnyOf))+" schemas of anyOf, matches none")
			}
		}
	}
	if s.OneOf != nil {
		n := 0
		for _, sub := range s.OneOf {
			if w.quiet().check(sub, v, path, depth+1) {
				n++
			}
		}
		if n != 1 {
			bad("oneOf", "must match exactly one of the "+strconv.Itoa(len(s.OneOf))+" schemas of oneOf, matches "+strconv.Itoa(n))
		}
	}
	if s.Not != nil && w.quiet().check(s.Not, v, path, depth+1) {
		bad("not", "must not match the schema of not")
	}
	if s.If != nil {
		if w.quiet().check(s.If, v, path, depth+1) {
			if s.Then != nil && !w.check(s.Then, v, path, depth+1) {
				ok = false
			}
		} else if s.Else != nil && !w.check(s.Else, v, path, depth+1) {
			ok = false
		}
	}
	if stop() {
		return false
	}
	switch x := v.(type) {
	case []any:
		if !w.checkArray(s, x, path, depth, bad) {
			ok = false
		}
	case map[string]any:
		if !w.checkObject(s, x, path, depth, bad) {
			ok = false
		}
	}
	return ok
}

// schemaOnlyNot reports whether s has nothing but "not" (and "$schema"): the decoded form of false.
func schemaOnlyNot(s *google.Schema) bool {
	c := *s
	c.Not, c.Schema = nil, ""
	return reflect.ValueOf(c).IsZero()
}

func schemaTypeName(t string) string {
	switch t {
	case "integer", "number":
		return "a number"
	case "array", "object":
		return "an " + t
	case "null":
		return "null"
	}
	return "a " + t
}

func (w schemaWalk) checkNumber(s *google.Schema, x float64, bad func(keyword, reason string)) {
	num := strconv.FormatFloat(x, 'g', -1, 64)
	if s.MultipleOf != nil {
		if _, f := math.Modf(x / *s.MultipleOf); f != 0 {
			bad("multipleOf", "must be a multiple of "+schemaNum(*s.MultipleOf)+", not "+num)
		}
	}
	if s.Minimum != nil && x < *s.Minimum {
		bad("minimum", "must be >= "+schemaNum(*s.Minimum)+", not "+num)
	}
	if s.Maximum != nil && x > *s.Maximum {
		bad("maximum", "must be <= "+schemaNum(*s.Maximum)+", not "+num)
	}
	if s.ExclusiveMinimum != nil && x <= *s.ExclusiveMinimum {
		bad("exclusiveMinimum", "must be > "+schemaNum(*s.ExclusiveMinimum)+", not "+num)
	}
	if s.ExclusiveMaximum != nil && x >= *s.ExclusiveMaximum {
		bad("exclusiveMaximum", "must be < "+schemaNum(*s.ExclusiveMaximum)+", not "+num)
	}
}

func schemaNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func (w schemaWalk) checkString(s *google.Schema, x string, bad func(keyword, reason string)) {
	if s.MinLength != nil || s.MaxLength != nil {
		n := utf8.RuneCountInString(x)
		if s.MinLength != nil && n < *s.MinLength {
			bad("minLength", "must be at least "+strconv.Itoa(*s.MinLength)+" characters long, not "+strconv.Itoa(n))
		}
		if s.MaxLength != nil && n > *s.MaxLength {
			bad("maxLength", "must be at most "+strconv.Itoa(*s.MaxLength)+" characters long, not "+strconv.Itoa(n))
		}
	}
	if s.Pattern != "" {
		if re := w.ev.patterns[s.Pattern]; re != nil && !re.MatchString(x) {
			bad("pattern", "must match the pattern "+strconv.Quote(s.Pattern))
		}
	}
}

func (w schemaWalk) checkArray(s *google.Schema, x []any, path string, depth int, bad func(keyword, reason string)) bool {
	ok := true
	item := func(sub *google.Schema, i int) {
		if sub != nil && !w.check(sub, x[i], path+"["+strconv.Itoa(i)+"]", depth+1) {
			ok = false
		}
	}
	prefix, rest := s.PrefixItems, s.Items
	if w.ev.draft7 && s.ItemsArray != nil {
		prefix, rest = s.ItemsArray, s.AdditionalItems
	} else if w.ev.draft7 && s.Items != nil {
		prefix = nil
	}
	for i := range x {
		if i < len(prefix) {
			item(prefix[i], i)
		} else {
			item(rest, i)
		}
		if !ok && w.issues == nil {
			return false
		}
	}
	if s.MinItems != nil && len(x) < *s.MinItems {
		bad("minItems", "must have at least "+strconv.Itoa(*s.MinItems)+" items, not "+strconv.Itoa(len(x)))
		ok = false
	}
	if s.MaxItems != nil && len(x) > *s.MaxItems {
		bad("maxItems", "must have at most "+strconv.Itoa(*s.MaxItems)+" items, not "+strconv.Itoa(len(x)))
		ok = false
	}
	if s.UniqueItems {
	unique:
		for i := range x {
			for j := i + 1; j < len(x); j++ {
				if schemaEqual(x[i], x[j]) {
					bad("uniqueItems", "items "+strconv.Itoa(i)+" and "+strconv.Itoa(j)+" are equal")
					ok = false
					break unique
				}
			}
		}
	}
	if s.Contains != nil {
		n := 0
		for i := range x {
			if w.quiet().check(s.Contains, x[i], path, depth+1) {
				n++
			}
		}
		minC := 1
		if s.MinContains != nil {
			minC = *s.MinContains
		}
		if n < minC {
			bad("contains", "must have at least "+strconv.Itoa(minC)+" items matching the schema of contains, not "+strconv.Itoa(n))
			ok = false
		}
		if s.MaxContains != nil && n > *s.MaxContains {
			bad("maxContains", "must have at most "+strconv.Itoa(*s.MaxContains)+" items matching the schema of contains, not "+strconv.Itoa(n))
			ok = false
		}
	}
	return ok
}

func (w schemaWalk) checkObject(s *google.Schema, x map[string]any, path string, depth int, bad func(keyword, reason string)) bool {
	ok := true
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	sort.Strings(keys) // issues in a stable order
	for _, k := range keys {
		val := x[k]
		p := schemaPathKey(path, k)
		evaluated := false
		if sub, found := s.Properties[k]; found {
			evaluated = true
			if !w.check(sub, val, p, depth+1) {
				ok = false
			}
		}
		for pat, sub := range s.PatternProperties {
			if re := w.ev.patterns[pat]; re != nil && re.MatchString(k) {
				evaluated = true
				if !w.check(sub, val, p, depth+1) {
					ok = false
				}
			}
		}
		if !evaluated && s.AdditionalProperties != nil {
			if schemaIsFalseSchema(s.AdditionalProperties) {
				ok = w.fail(p, "additionalProperties", "property "+strconv.Quote(k)+" is not allowed") && ok
			} else if !w.check(s.AdditionalProperties, val, p, depth+1) {
				ok = false
			}
		}
		if s.PropertyNames != nil && !w.quiet().check(s.PropertyNames, k, p, depth+1) {
			ok = w.fail(p, "propertyNames", "the name "+strconv.Quote(k)+" does not match the schema of propertyNames") && ok
		}
		if !ok && w.issues == nil {
			return false
		}
	}
	if s.MinProperties != nil && len(x) < *s.MinProperties {
		bad("minProperties", "must have at least "+strconv.Itoa(*s.MinProperties)+" properties, not "+strconv.Itoa(len(x)))
		ok = false
	}
	if s.MaxProperties != nil && len(x) > *s.MaxProperties {
		bad("maxProperties", "must have at most "+strconv.Itoa(*s.MaxProperties)+" properties, not "+strconv.Itoa(len(x)))
		ok = false
	}
	for _, r := range s.Required {
		if _, found := x[r]; !found {
			bad("required", "missing property "+strconv.Quote(r))
			ok = false
		}
	}
	depRequired, depSchemas, kwReq, kwSch := s.DependentRequired, s.DependentSchemas, "dependentRequired", "dependentSchemas"
	if w.ev.draft7 {
		depRequired, depSchemas, kwReq, kwSch = s.DependencyStrings, s.DependencySchemas, "dependencies", "dependencies"
	}
	for _, k := range schemaSortedKeys(depRequired) {
		if _, found := x[k]; found {
			for _, r := range depRequired[k] {
				if _, has := x[r]; !has {
					bad(kwReq, "property "+strconv.Quote(k)+" requires property "+strconv.Quote(r))
					ok = false
				}
			}
		}
	}
	for k, sub := range depSchemas {
		if _, found := x[k]; found && !w.check(sub, x, path, depth+1) {
			ok = false
			_ = kwSch
		}
	}
	return ok
}

// schemaIsFalseSchema reports whether s is the schema false.
func schemaIsFalseSchema(s *google.Schema) bool {
	return s.Not != nil && reflect.ValueOf(*s.Not).IsZero() && schemaOnlyNot(s)
}

func schemaSortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// schemaPathKey appends an object key to a JSONPath.
func schemaPathKey(path, k string) string {
	if schemaIsIdent(k) {
		return path + "." + k
	}
	return path + "[" + strconv.Quote(k) + "]"
}

// schemaEqual is JSON equality of decoded values (numbers by value).
func schemaEqual(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !schemaEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, found := y[k]
			if !found || !schemaEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return a == b
}

// schemaList renders the values of an enum, every one of them up to a bound, with the count past it.
func schemaList(values []any) string {
	const max = 25
	var parts []string
	for i, v := range values {
		if i == max {
			parts = append(parts, "... ("+strconv.Itoa(len(values))+" values in all)")
			break
		}
		parts = append(parts, schemaJSONText(v))
	}
	return strings.Join(parts, ", ")
}

// schemaJSONText is v as JSON text.
func schemaJSONText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// schemaShort renders a value for a message, cut past 60 bytes.
func schemaShort(v any) string {
	s := schemaJSONText(v)
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
