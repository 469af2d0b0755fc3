package validation

// The jsonschema struct tags SchemaFor reads, checked before invopop/jsonschema reads them: invopop
// skips a keyword it does not know (minLenght=3) and a value it cannot parse (minimum=abc) without a
// word, which gives a schema without the constraint. Here each is an error naming the type, the field
// and the tag, reported by New as a *powertools.ConfigError.

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	invopop "github.com/invopop/jsonschema"
)

// tagKeywords are the keywords of invopop's jsonschema tag, by the JSON type they apply to ("" for
// every type), with the parser of their value (nil: any text).
var tagKeywords = map[string]struct {
	types string // space-separated JSON types, "" for all
	parse func(v string) error
}{
	"title": {}, "description": {}, "type": {parse: tagType}, "anchor": {},
	"oneof_required": {}, "anyof_required": {}, "oneof_ref": {}, "anyof_ref": {},
	"oneof_type": {parse: tagTypeList}, "anyof_type": {parse: tagTypeList},
	"minLength": {types: "string", parse: tagUint}, "maxLength": {types: "string", parse: tagUint},
	"pattern": {types: "string array", parse: tagRegexp}, "format": {types: "string array"},
	"readOnly": {types: "string", parse: tagBool}, "writeOnly": {types: "string", parse: tagBool},
	"multipleOf": {types: "number integer", parse: tagNumber}, "minimum": {types: "number integer", parse: tagNumber},
	"maximum": {types: "number integer", parse: tagNumber}, "exclusiveMinimum": {types: "number integer", parse: tagNumber},
	"exclusiveMaximum": {types: "number integer", parse: tagNumber},
	"minItems":         {types: "array", parse: tagUint}, "maxItems": {types: "array", parse: tagUint},
	"uniqueItems": {types: "array", parse: tagBool},
	"default":     {}, "example": {}, "enum": {},
}

// tagFlags are the tag entries without "=" that invopop reads.
var tagFlags = map[string]bool{"required": true, "nullable": true}

func tagUint(v string) error {
	if _, err := strconv.ParseUint(v, 10, 31); err != nil {
		return errors.New("not a non-negative integer")
	}
	return nil
}

func tagNumber(v string) error {
	var n json.Number
	if err := json.Unmarshal([]byte(v), &n); err != nil {
		return errors.New("not a number")
	}
	return nil
}

func tagBool(v string) error {
	if _, err := strconv.ParseBool(v); err != nil {
		return errors.New("not true or false")
	}
	return nil
}

func tagRegexp(v string) error {
	if _, err := regexp.Compile(v); err != nil {
		return fmt.Errorf("not a regular expression: %v", err)
	}
	return nil
}

func tagType(v string) error {
	switch v {
	case "null", "boolean", "object", "array", "number", "string", "integer":
		return nil
	}
	return errors.New("not a JSON type")
}

func tagTypeList(v string) error {
	for _, t := range strings.Split(v, ";") {
		if err := tagType(t); err != nil {
			return fmt.Errorf("%q is %w", t, err)
		}
	}
	return nil
}

// TagError reports a jsonschema struct tag SchemaFor cannot honour: a keyword it does not know, a value
// that does not parse, or a keyword that does not apply to the field's type. It is the Err of the
// *SchemaError of SchemaFor's schema, so New reports it as a *powertools.ConfigError.
type TagError struct {
	Type    string // the struct type, e.g. "main.Order"
	Field   string // the Go field name
	Tag     string // the tag entry, e.g. "minLenght=3"
	Keyword string
	Reason  string
}

func (e *TagError) Error() string {
	return "field " + e.Type + "." + e.Field + ": jsonschema tag " + strconv.Quote(e.Tag) + ": " + e.Reason
}

// tagsCheck checks the jsonschema tags of t and of every type it reaches, returning every problem
// joined (at most 20, then their count).
func tagsCheck(t reflect.Type) error {
	var errs []error
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue
			}
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == "-" {
				continue // not in the schema
			}
			if tag, ok := f.Tag.Lookup("jsonschema"); ok {
				errs = append(errs, tagsCheckField(t, f, tag)...)
			}
			walk(f.Type)
		}
	}
	walk(t)
	switch {
	case len(errs) == 0:
		return nil
	case len(errs) == 1:
		return errs[0]
	}
	return tagErrors(errs)
}

// tagErrors is every problem of a type's tags, one sentence after the other (at most 20 listed).
type tagErrors []error

func (e tagErrors) Error() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(e)) + " tag problems: ")
	for i, err := range e {
		if i == 20 {
			b.WriteString("; " + strconv.Itoa(len(e)-i) + " more not listed")
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

func (e tagErrors) Unwrap() []error { return e }

// tagsCheckField checks the entries of one field's jsonschema tag.
func tagsCheckField(owner reflect.Type, f reflect.StructField, tag string) []error {
	entries := tagSplit(tag)
	if len(entries) > 0 && entries[0] == "-" {
		return nil
	}
	jsonType := tagJSONType(f.Type)
	var errs []error
	bad := func(entry, kw, reason string) {
		errs = append(errs, &TagError{Type: owner.String(), Field: f.Name, Tag: entry, Keyword: kw, Reason: reason})
	}
	for _, e := range entries {
		if e == "" {
			continue
		}
		kw, val, hasValue := strings.Cut(e, "=")
		if !hasValue {
			if !tagFlags[e] {
				bad(e, e, "unknown keyword "+strconv.Quote(e)+" (a keyword takes a value, as in minLength=3; the flags are required and nullable)")
			}
			continue
		}
		spec, known := tagKeywords[kw]
		if !known {
			bad(e, kw, "unknown keyword "+strconv.Quote(kw))
			continue
		}
		if kw == "type" {
			jsonType = val
		}
		if spec.types != "" && jsonType != "" && !strings.Contains(" "+spec.types+" ", " "+jsonType+" ") &&
			!(jsonType == "array" && tagItemsAccept(f.Type, kw)) {
			bad(e, kw, kw+" does not apply to a field of JSON type "+jsonType+" ("+spec.types+" only)")
			continue
		}
		if spec.parse != nil {
			if err := spec.parse(val); err != nil {
				bad(e, kw, "value "+strconv.Quote(val)+" of "+kw+": "+err.Error())
			}
		}
		if jsonType == "number" || jsonType == "integer" {
			if kw == "enum" || kw == "default" || kw == "example" {
				if err := tagNumber(val); err != nil {
					bad(e, kw, "value "+strconv.Quote(val)+" of "+kw+" on a numeric field: "+err.Error())
				}
			}
		}
		if jsonType == "boolean" && kw == "default" {
			if err := tagBool(val); err != nil {
				bad(e, kw, "value "+strconv.Quote(val)+" of default on a boolean field: "+err.Error())
			}
		}
	}
	return errs
}

// tagItemsAccept reports whether a keyword on a slice field applies to its items, as invopop passes
// them on (minLength on []string, minimum on []int).
func tagItemsAccept(t reflect.Type, kw string) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
		return false
	}
	spec := tagKeywords[kw]
	it := tagJSONType(t.Elem())
	return it == "" || strings.Contains(" "+spec.types+" ", " "+it+" ")
}

var (
	tagTextMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	tagJSONMarshaler = reflect.TypeFor[json.Marshaler]()
	tagReflector     = reflect.TypeFor[interface{ JSONSchema() *invopop.Schema }]()
)

// tagJSONType is the JSON type invopop gives a Go type; "" when it cannot tell (a type with its own
// schema or encoding, an interface), so that no keyword is refused for not applying.
func tagJSONType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[time.Time]() {
		return "string"
	}
	for _, it := range []reflect.Type{tagReflector, tagJSONMarshaler, tagTextMarshaler} {
		if t.Implements(it) || reflect.PointerTo(t).Implements(it) {
			return ""
		}
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "string" // []byte: base64
		}
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return ""
}

// tagSplit splits a tag on the commas not escaped by a backslash, as invopop does.
func tagSplit(tag string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(tag); i++ {
		switch {
		case tag[i] == '\\' && i+1 < len(tag) && tag[i+1] == ',':
			cur.WriteByte(',')
			i++
		case tag[i] == ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(tag[i])
		}
	}
	return append(out, cur.String())
}
