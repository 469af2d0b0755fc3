package validation

// Compiling a schema: the draft it declares (draft 7 unless "$schema" says otherwise; draft 4, 6 and
// 2019-09 read as draft 7 or 2020-12 where they mean the same there), github.com/google/jsonschema-go's
// resolution, this package's own map of where each $ref leads (for the error walk, the formats and the
// fast path), and a check that no $ref chain loops.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	google "github.com/google/jsonschema-go/jsonschema"
)

// The "$schema" values the drafts are known by (with or without the trailing "#", http or https).
const (
	schemaDraft7URI    = "http://json-schema.org/draft-07/schema#"
	schemaDraft2020URI = "https://json-schema.org/draft/2020-12/schema"
)

// schemaDraftOf names the draft of a "$schema" value: 4, 6, 7, 2019 or 2020; 0 when unknown.
func schemaDraftOf(uri string) int {
	u := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(uri, "https://"), "http://"), "#")
	switch u {
	case "json-schema.org/draft-04/schema":
		return 4
	case "json-schema.org/draft-06/schema":
		return 6
	case "json-schema.org/draft-07/schema":
		return 7
	case "json-schema.org/draft/2019-09/schema":
		return 2019
	case "json-schema.org/draft/2020-12/schema":
		return 2020
	}
	return 0
}

// schemaKeywordError is a keyword of an older draft that means something else under the draft the
// schema is read as: the schema is refused, naming it.
type schemaKeywordError struct {
	Draft   string
	Keyword string
	At      string // JSON pointer of the subschema
	Reason  string
}

func (e *schemaKeywordError) Error() string {
	at := e.At
	if at == "" {
		at = "the root"
	}
	return "keyword " + strconv.Quote(e.Keyword) + " at " + at + " of a " + e.Draft + " schema " + e.Reason
}

// schemaSubschemaKeys are the keywords whose value is a subschema, an array of them or an object of
// them, by the shape of the value.
var (
	schemaOneSub  = map[string]bool{"additionalItems": true, "additionalProperties": true, "not": true, "contains": true, "propertyNames": true, "if": true, "then": true, "else": true, "unevaluatedItems": true, "unevaluatedProperties": true, "contentSchema": true, "items": true}
	schemaListSub = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true, "items": true}
	schemaMapSub  = map[string]bool{"properties": true, "patternProperties": true, "definitions": true, "$defs": true, "dependencies": true, "dependentSchemas": true}
)

// schemaWalkDoc calls visit for every subschema of a decoded schema document (objects and booleans),
// with its JSON pointer; visit may change the object it is given.
func schemaWalkDoc(v any, ptr string, visit func(s any, ptr string) error) error {
	if err := visit(v, ptr); err != nil {
		return err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	for k, sub := range m {
		p := ptr + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
		switch s := sub.(type) {
		case []any:
			if schemaListSub[k] {
				for i, e := range s {
					if err := schemaWalkDoc(e, p+"/"+strconv.Itoa(i), visit); err != nil {
						return err
					}
				}
			}
		case map[string]any:
			if schemaOneSub[k] {
				if err := schemaWalkDoc(s, p, visit); err != nil {
					return err
				}
			} else if schemaMapSub[k] {
				for name, e := range s {
					if _, isList := e.([]any); isList {
						continue // dependencies: a list of names
					}
					if err := schemaWalkDoc(e, p+"/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(name), visit); err != nil {
						return err
					}
				}
			}
		case bool:
			if schemaOneSub[k] {
				if err := visit(s, p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// schemaUpgrade reads a draft 4, 6 or 2019-09 document as draft 7 or 2020-12, where it means the same
// there, and refuses it with a *schemaKeywordError naming the keyword where it does not. doc is
// changed in place; the draft it is now read as is returned.
func schemaUpgrade(doc map[string]any, draft int) (int, error) {
	name := map[int]string{4: "draft 4", 6: "draft 6", 2019: "draft 2019-09"}[draft]
	refuse := func(kw, ptr, reason string) error {
		return &schemaKeywordError{Draft: name, Keyword: kw, At: ptr, Reason: reason}
	}
	err := schemaWalkDoc(doc, "", func(v any, ptr string) error {
		m, isObject := v.(map[string]any)
		if !isObject {
			if draft == 4 && ptr != "" {
				return refuse("(boolean schema)", ptr, "is not a schema in draft 4 (it is in draft 7, where true accepts and false refuses everything)")
			}
			return nil
		}
		switch draft {
		case 4:
			for _, kw := range []string{"exclusiveMinimum", "exclusiveMaximum"} {
				switch b := m[kw].(type) {
				case bool:
					if b {
						return refuse(kw, ptr, "is a boolean modifier of "+strings.ToLower(kw[9:10])+kw[10:]+" in draft 4 and a number in draft 7: write "+kw+": <bound> instead")
					}
					delete(m, kw) // false: the bound is inclusive, as without the keyword
				}
			}
			if id, ok := m["id"].(string); ok {
				if ptr != "" || id == "" || strings.HasPrefix(id, "#") {
					return refuse("id", ptr, "changes the base of references in draft 4; draft 7 calls it $id")
				}
				delete(m, "id") // the document's name at the root: references resolve inside the document
			}
			for _, kw := range []string{"const", "contains", "propertyNames", "if", "then", "else"} {
				if _, ok := m[kw]; ok {
					return refuse(kw, ptr, "is not a keyword of draft 4 (it is ignored there) but is asserted by draft 7")
				}
			}
		case 6:
			for _, kw := range []string{"if", "then", "else"} {
				if _, ok := m[kw]; ok {
					return refuse(kw, ptr, "is not a keyword of draft 6 (it is ignored there) but is asserted by draft 7")
				}
			}
		case 2019:
			if _, ok := m["items"].([]any); ok {
				return refuse("items", ptr, "as an array means prefixItems in draft 2020-12")
			}
			for _, kw := range []string{"additionalItems", "$recursiveRef", "$recursiveAnchor"} {
				if _, ok := m[kw]; ok {
					return refuse(kw, ptr, "is not a keyword of draft 2020-12")
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if draft == 2019 {
		doc["$schema"] = schemaDraft2020URI
		return 2020, nil
	}
	doc["$schema"] = schemaDraft7URI
	return 7, nil
}

// schemaParse decodes a schema document and settles its draft: the returned schema declares draft 7 or
// 2020-12.
func schemaParse(text []byte) (*google.Schema, int, error) {
	var doc any
	if err := json.Unmarshal(text, &doc); err != nil {
		return nil, 0, fmt.Errorf("not JSON: %w", err)
	}
	draft := 7
	if m, ok := doc.(map[string]any); ok {
		switch uri := m["$schema"].(type) {
		case nil:
			m["$schema"] = schemaDraft7URI // the Python edition's default
		case string:
			switch draft = schemaDraftOf(uri); draft {
			case 7:
				m["$schema"] = schemaDraft7URI
			case 2020:
				m["$schema"] = schemaDraft2020URI
			case 4, 6, 2019:
				var err error
				if draft, err = schemaUpgrade(m, draft); err != nil {
					return nil, 0, err
				}
			default:
				return nil, 0, fmt.Errorf("$schema %q is not a draft this package reads (draft 4, 6, 7, 2019-09 or 2020-12)", uri)
			}
		default:
			return nil, 0, errors.New("$schema must be a string")
		}
		var err error
		if text, err = json.Marshal(m); err != nil {
			return nil, 0, err
		}
	}
	var s google.Schema
	if err := json.Unmarshal(text, &s); err != nil {
		return nil, 0, err
	}
	return &s, draft, nil
}

// schemaBase is the URI a document without "$id" is resolved against (it is never fetched).
const schemaBase = "urn:powertools:schema"

// schemaRefs finds where each $ref of a resolved schema leads, as google/jsonschema-go resolves it
// inside the document: JSON pointers, $id URIs and anchors, against the base of the enclosing $id. A
// $ref it cannot follow stays out of the map (the walk then leaves that subschema to the library).
type schemaRefs struct {
	targets  map[*google.Schema]*google.Schema
	byURI    map[string]*google.Schema // base URIs ($id) and anchors (uri#name)
	baseOf   map[*google.Schema]string
	parentOf map[*google.Schema]*google.Schema
	dynamic  bool // $dynamicRef: resolved by where validation went, not here
}

func schemaResolveRefs(root *google.Schema) *schemaRefs {
	r := &schemaRefs{targets: map[*google.Schema]*google.Schema{}, byURI: map[string]*google.Schema{},
		baseOf: map[*google.Schema]string{}, parentOf: map[*google.Schema]*google.Schema{}}
	var index func(s *google.Schema, base string)
	index = func(s *google.Schema, base string) {
		if s == nil {
			return
		}
		if _, seen := r.baseOf[s]; seen {
			return
		}
		if s.ID != "" {
			if id, frag, _ := strings.Cut(s.ID, "#"); id != "" {
				base = schemaJoinURI(base, id)
				r.byURI[base] = s
				if frag != "" {
					r.byURI[base+"#"+frag] = s
				}
			} else if frag != "" { // draft 7: "$id": "#name" is an anchor
				r.byURI[base+"#"+frag] = s
			}
		}
		if s.Anchor != "" {
			r.byURI[base+"#"+s.Anchor] = s
		}
		if s.DynamicAnchor != "" {
			if _, ok := r.byURI[base+"#"+s.DynamicAnchor]; !ok {
				r.byURI[base+"#"+s.DynamicAnchor] = s
			}
		}
		if s.DynamicRef != "" {
			r.dynamic = true
		}
		r.baseOf[s] = base
		schemaChildren(s, func(c *google.Schema) {
			if _, seen := r.parentOf[c]; !seen {
				r.parentOf[c] = s
			}
			index(c, base)
		})
	}
	r.byURI[schemaBase] = root
	index(root, schemaBase)
	for s, base := range r.baseOf {
		if s.Ref != "" {
			if t := r.lookup(schemaJoinURI(base, s.Ref)); t != nil {
				r.targets[s] = t
			}
		}
	}
	return r
}

// lookup finds the schema a full URI names: a base ($id) or an anchor, or a JSON pointer from one.
func (r *schemaRefs) lookup(uri string) *google.Schema {
	if s, ok := r.byURI[uri]; ok {
		return s
	}
	base, frag, ok := strings.Cut(uri, "#")
	if !ok || !strings.HasPrefix(frag, "/") && frag != "" {
		if ok {
			return r.byURI[uri]
		}
		return nil
	}
	s := r.byURI[base]
	if s == nil {
		return nil
	}
	if frag == "" {
		return s
	}
	frag, err := url.PathUnescape(frag)
	if err != nil {
		return nil
	}
	unescape := strings.NewReplacer("~1", "/", "~0", "~").Replace
	toks := strings.Split(frag[1:], "/")
	for i := 0; i < len(toks); i++ {
		tok := unescape(toks[i])
		if schemaTwoStep[tok] || tok == "items" && s.ItemsArray != nil {
			if i++; i == len(toks) {
				return nil
			}
			s = schemaSecondStep(s, tok, unescape(toks[i]))
		} else {
			s = schemaOneStep(s, tok)
		}
		if s == nil {
			return nil
		}
	}
	return s
}

// schemaJoinURI resolves ref against base, as URIs do; a urn base takes fragments only.
func schemaJoinURI(base, ref string) string {
	if strings.HasPrefix(ref, "#") {
		b, _, _ := strings.Cut(base, "#")
		return b + ref
	}
	bu, err1 := url.Parse(base)
	ru, err2 := url.Parse(ref)
	if err1 != nil || err2 != nil {
		return ref
	}
	if ru.IsAbs() || bu.Opaque != "" {
		return ru.String()
	}
	return bu.ResolveReference(ru).String()
}

// schemaTwoStep are the keywords whose JSON pointer token is followed by a name or an index.
var schemaTwoStep = map[string]bool{"properties": true, "patternProperties": true, "$defs": true, "definitions": true,
	"dependencies": true, "dependentSchemas": true, "allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true}

// schemaOneStep follows a keyword holding one subschema.
func schemaOneStep(s *google.Schema, tok string) *google.Schema {
	switch tok {
	case "items":
		return s.Items
	case "additionalItems":
		return s.AdditionalItems
	case "additionalProperties":
		return s.AdditionalProperties
	case "not":
		return s.Not
	case "contains":
		return s.Contains
	case "propertyNames":
		return s.PropertyNames
	case "if":
		return s.If
	case "then":
		return s.Then
	case "else":
		return s.Else
	case "unevaluatedItems":
		return s.UnevaluatedItems
	case "unevaluatedProperties":
		return s.UnevaluatedProperties
	case "contentSchema":
		return s.ContentSchema
	}
	return nil
}

func schemaSecondStep(s *google.Schema, kw, tok string) *google.Schema {
	index := func(list []*google.Schema) *google.Schema {
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || i >= len(list) {
			return nil
		}
		return list[i]
	}
	switch kw {
	case "properties":
		return s.Properties[tok]
	case "patternProperties":
		return s.PatternProperties[tok]
	case "$defs":
		return s.Defs[tok]
	case "definitions":
		return s.Definitions[tok]
	case "dependencies":
		return s.DependencySchemas[tok]
	case "dependentSchemas":
		return s.DependentSchemas[tok]
	case "allOf":
		return index(s.AllOf)
	case "anyOf":
		return index(s.AnyOf)
	case "oneOf":
		return index(s.OneOf)
	case "prefixItems":
		return index(s.PrefixItems)
	case "items":
		return index(s.ItemsArray)
	}
	return nil
}

// schemaChildren calls visit for each direct subschema of s.
func schemaChildren(s *google.Schema, visit func(*google.Schema)) {
	one := func(c *google.Schema) {
		if c != nil {
			visit(c)
		}
	}
	list := func(cs []*google.Schema) {
		for _, c := range cs {
			one(c)
		}
	}
	byName := func(m map[string]*google.Schema) {
		for _, c := range m {
			one(c)
		}
	}
	byName(s.Defs)
	byName(s.Definitions)
	byName(s.DependencySchemas)
	byName(s.Properties)
	byName(s.PatternProperties)
	byName(s.DependentSchemas)
	list(s.PrefixItems)
	list(s.ItemsArray)
	list(s.AllOf)
	list(s.AnyOf)
	list(s.OneOf)
	for _, c := range []*google.Schema{s.Items, s.AdditionalItems, s.Contains, s.UnevaluatedItems, s.AdditionalProperties,
		s.PropertyNames, s.UnevaluatedProperties, s.Not, s.If, s.Then, s.Else, s.ContentSchema} {
		one(c)
	}
}

// schemaInPlace calls visit for each subschema of s applied to the same value as s: $ref and the
// in-place applicators. A cycle through these alone never ends: validation would recurse forever.
func (r *schemaRefs) schemaInPlace(s *google.Schema, visit func(*google.Schema)) {
	if t := r.targets[s]; t != nil {
		visit(t)
	}
	for _, list := range [][]*google.Schema{s.AllOf, s.AnyOf, s.OneOf} {
		for _, c := range list {
			visit(c)
		}
	}
	for _, c := range []*google.Schema{s.Not, s.If, s.Then, s.Else} {
		if c != nil {
			visit(c)
		}
	}
	for _, m := range []map[string]*google.Schema{s.DependencySchemas, s.DependentSchemas} {
		for _, c := range m {
			visit(c)
		}
	}
}

// checkCycles refuses a schema where a $ref chain comes back to where it started without descending
// into the value ({"$ref": "#"}, or a and b referring to each other): validating anything with it
// would never end.
func (r *schemaRefs) checkCycles() error {
	const (
		unvisited = iota
		onPath
		done
	)
	state := map[*google.Schema]int{}
	var path []*google.Schema
	var visit func(s *google.Schema) error
	visit = func(s *google.Schema) error {
		switch state[s] {
		case onPath:
			return fmt.Errorf("the $ref chain %s loops: validating any value with it would never end", r.describeCycle(path, s))
		case done:
			return nil
		}
		state[s] = onPath
		path = append(path, s)
		var err error
		r.schemaInPlace(s, func(c *google.Schema) {
			if err == nil {
				err = visit(c)
			}
		})
		path = path[:len(path)-1]
		state[s] = done
		return err
	}
	for s := range r.baseOf {
		if err := visit(s); err != nil {
			return err
		}
	}
	return nil
}

// describeCycle names the $ref values along the loop.
func (r *schemaRefs) describeCycle(path []*google.Schema, back *google.Schema) string {
	start := 0
	for i, s := range path {
		if s == back {
			start = i
		}
	}
	var refs []string
	for _, s := range path[start:] {
		if s.Ref != "" {
			refs = append(refs, strconv.Quote(s.Ref))
		}
	}
	if len(refs) == 0 {
		return "(through allOf/anyOf/oneOf/not)"
	}
	return strings.Join(refs, " -> ")
}

// schemaCompileRegexps compiles every pattern and patternProperties key once (google/jsonschema-go did
// too, in Resolve: these cannot fail here).
func schemaCompileRegexps(r *schemaRefs) map[string]*regexp.Regexp {
	out := map[string]*regexp.Regexp{}
	add := func(p string) {
		if _, ok := out[p]; !ok {
			if re, err := regexp.Compile(p); err == nil {
				out[p] = re
			}
		}
	}
	for s := range r.baseOf {
		if s.Pattern != "" {
			add(s.Pattern)
		}
		for p := range s.PatternProperties {
			add(p)
		}
	}
	return out
}

// schemaNoLoader refuses every external reference: validation does no I/O.
func schemaNoLoader(u *url.URL) (*google.Schema, error) {
	return nil, errors.New("external schema references are not loaded: " + u.String())
}

// schemaCheckTypes refuses a "type" that names no JSON type (google/jsonschema-go accepts it, and then
// no value matches).
func (r *schemaRefs) checkTypes() error {
	valid := func(t string) bool {
		switch t {
		case "null", "boolean", "object", "array", "number", "string", "integer":
			return true
		}
		return false
	}
	for s := range r.baseOf {
		for _, t := range append([]string{s.Type}, s.Types...) {
			if t != "" && !valid(t) {
				return fmt.Errorf("type %q is not a JSON type (null, boolean, object, array, number, string, integer)", t)
			}
		}
	}
	return nil
}
