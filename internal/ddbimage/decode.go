package ddbimage

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Unmarshaler is implemented by a type that decodes itself from an attribute value; Decode calls it
// instead of its own rules (the counterpart of attributevalue.Unmarshaler).
type Unmarshaler interface {
	UnmarshalDynamoDBAttributeValue(events.DynamoDBAttributeValue) error
}

// TypeError reports an attribute value that cannot be stored in a Go value of the given type.
type TypeError struct {
	Value string       // the DynamoDB type: S, N, B, BOOL, NULL, L, M, SS, NS, BS
	Type  reflect.Type // the Go type
	Why   string       // more detail, may be empty
}

func (e *TypeError) Error() string {
	s := "cannot unmarshal " + e.Value + " into Go value of type " + e.Type.String()
	if e.Why != "" {
		s += ": " + e.Why
	}
	return s
}

// Decode stores an image in the value out points to, by the rules of aws-sdk-go-v2's attributevalue
// package: struct fields are named by their `dynamodbav` tag ("name,string"; "-" skips the field) or
// their Go name, matched exactly first and then case-insensitively; embedded structs are flattened;
// unknown attributes are ignored. S decodes into string kinds and time.Time (RFC 3339), or with the
// "string" option into a number; N into string kinds, integer kinds (overflow is an error), floats,
// json.Number and time.Time (whole seconds since the epoch); B into []byte and byte arrays; BOOL into
// bool; NULL into the zero value; L into slices and arrays; M into structs and maps with string, number
// or boolean keys; SS, NS and BS into slices; any value into an empty interface as Map converts it
// (numbers as json.Number: exact, where attributevalue gives float64). A type implementing Unmarshaler
// decodes itself.
func Decode(image map[string]events.DynamoDBAttributeValue, out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &Error{Path: "", Err: &TypeError{Value: "M", Type: reflect.TypeOf(out), Why: "not a non-nil pointer"}}
	}
	if image == nil {
		return nil
	}
	return decodeMap(image, rv.Elem())
}

// DecodeValue is Decode for one attribute value.
func DecodeValue(av events.DynamoDBAttributeValue, out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &TypeError{Value: typeName(av), Type: reflect.TypeOf(out), Why: "not a non-nil pointer"}
	}
	return decodeSafe(av, rv.Elem(), tagOpts{})
}

func decodeSafe(av events.DynamoDBAttributeValue, v reflect.Value, opts tagOpts) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = badf("no value (a zero DynamoDBAttributeValue)")
		}
	}()
	return decode(av, v, opts)
}

var (
	unmarshalerType = reflect.TypeFor[Unmarshaler]()
	timeType        = reflect.TypeFor[time.Time]()
	numberType      = reflect.TypeFor[json.Number]()
)

func typeName(av events.DynamoDBAttributeValue) string {
	switch av.DataType() {
	case events.DataTypeString:
		return "S"
	case events.DataTypeNumber:
		return "N"
	case events.DataTypeBinary:
		return "B"
	case events.DataTypeBoolean:
		return "BOOL"
	case events.DataTypeNull:
		return "NULL"
	case events.DataTypeList:
		return "L"
	case events.DataTypeMap:
		return "M"
	case events.DataTypeStringSet:
		return "SS"
	case events.DataTypeNumberSet:
		return "NS"
	case events.DataTypeBinarySet:
		return "BS"
	}
	return "unknown type"
}

func decodeMap(image map[string]events.DynamoDBAttributeValue, v reflect.Value) error {
	return decodeSafe(events.NewMapAttribute(image), v, tagOpts{})
}

func decode(av events.DynamoDBAttributeValue, v reflect.Value, opts tagOpts) error {
	dt := av.DataType()
	if dt == events.DataTypeNull {
		v.SetZero()
		return nil
	}
	// Pointers are allocated as needed; an Unmarshaler decodes itself.
	for {
		if v.Kind() != reflect.Pointer && v.CanAddr() && opts.unmarshaler(v.Type()) {
			return v.Addr().Interface().(Unmarshaler).UnmarshalDynamoDBAttributeValue(av)
		}
		if v.Kind() != reflect.Pointer {
			break
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Interface {
		if v.NumMethod() != 0 {
			return &TypeError{Value: typeName(av), Type: v.Type()}
		}
		x, err := value(av)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(&x).Elem())
		return nil
	}
	switch dt {
	case events.DataTypeString:
		s := av.String()
		if opts.asString {
			return decodeNumber(s, v, opts)
		}
		if v.Type() == timeType {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return &TypeError{Value: "S", Type: v.Type(), Why: err.Error()}
			}
			v.Set(reflect.ValueOf(t))
			return nil
		}
		if v.Kind() != reflect.String {
			return &TypeError{Value: "S", Type: v.Type()}
		}
		v.SetString(s)
		return nil
	case events.DataTypeNumber:
		return decodeNumber(av.Number(), v, opts)
	case events.DataTypeBinary:
		return decodeBinary(av.Binary(), v, "B")
	case events.DataTypeBoolean:
		if v.Kind() != reflect.Bool {
			return &TypeError{Value: "BOOL", Type: v.Type()}
		}
		v.SetBool(av.Boolean())
		return nil
	case events.DataTypeList:
		l := av.List()
		n, err := sequence(v, "L", len(l))
		if err != nil {
			return err
		}
		elem := tagOpts{um: umOf(v.Type().Elem())}
		for i := range n {
			if err := decode(l[i], v.Index(i), elem); err != nil {
				return errAt("", i, err)
			}
		}
		return nil
	case events.DataTypeMap:
		return decodeM(av.Map(), v)
	case events.DataTypeStringSet:
		ss := av.StringSet()
		n, err := sequence(v, "SS", len(ss))
		if err != nil {
			return err
		}
		for i := range n {
			e := v.Index(i)
			for e.Kind() == reflect.Pointer {
				if e.IsNil() {
					e.Set(reflect.New(e.Type().Elem()))
				}
				e = e.Elem()
			}
			switch e.Kind() {
			case reflect.String:
				e.SetString(ss[i])
			case reflect.Interface:
				if e.NumMethod() != 0 {
					return errAt("", i, &TypeError{Value: "SS", Type: v.Type()})
				}
				e.Set(reflect.ValueOf(ss[i]))
			default:
				return &TypeError{Value: "SS", Type: v.Type()}
			}
		}
		return nil
	case events.DataTypeNumberSet:
		ns := av.NumberSet()
		n, err := sequence(v, "NS", len(ns))
		if err != nil {
			return err
		}
		for i := range n {
			if err := decodeNumber(ns[i], v.Index(i), tagOpts{}); err != nil {
				return errAt("", i, err)
			}
		}
		return nil
	case events.DataTypeBinarySet:
		bs := av.BinarySet()
		n, err := sequence(v, "BS", len(bs))
		if err != nil {
			return err
		}
		for i := range n {
			if err := decodeBinary(bs[i], v.Index(i), "BS"); err != nil {
				return errAt("", i, err)
			}
		}
		return nil
	}
	return badf("unknown data type " + strconv.Itoa(int(dt)))
}

// sequence prepares a slice or an array for n elements and returns how many to decode.
func sequence(v reflect.Value, what string, n int) (int, error) {
	switch v.Kind() {
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 && what == "L" {
			// []byte from a list of numbers is not a rule of attributevalue either.
			return 0, &TypeError{Value: what, Type: v.Type()}
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		return n, nil
	case reflect.Array:
		if v.Len() < n {
			return 0, &TypeError{Value: what, Type: v.Type(), Why: strconv.Itoa(n) + " elements do not fit"}
		}
		v.SetZero()
		return n, nil
	}
	return 0, &TypeError{Value: what, Type: v.Type()}
}

func decodeNumber(n string, v reflect.Value, opts tagOpts) error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if !IsNumber(n) {
		return badf("N " + quote(n) + " is an invalid number literal")
	}
	switch {
	case v.Type() == numberType:
		v.SetString(n)
		return nil
	case v.Type() == timeType:
		sec, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return &TypeError{Value: "N", Type: v.Type(), Why: "a time in N is whole seconds since the epoch"}
		}
		v.Set(reflect.ValueOf(time.Unix(sec, 0).UTC()))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(n)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil || v.OverflowInt(i) {
			return &TypeError{Value: "N", Type: v.Type(), Why: "number " + quote(n) + " does not fit"}
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u, err := strconv.ParseUint(n, 10, 64)
		if err != nil || v.OverflowUint(u) {
			return &TypeError{Value: "N", Type: v.Type(), Why: "number " + quote(n) + " does not fit"}
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(n, v.Type().Bits())
		if err != nil || v.OverflowFloat(f) {
			return &TypeError{Value: "N", Type: v.Type(), Why: "number " + quote(n) + " does not fit"}
		}
		v.SetFloat(f)
	case reflect.Interface:
		if v.NumMethod() != 0 {
			return &TypeError{Value: "N", Type: v.Type()}
		}
		v.Set(reflect.ValueOf(json.Number(n)))
	default:
		return &TypeError{Value: "N", Type: v.Type()}
	}
	return nil
}

func decodeBinary(b []byte, v reflect.Value, what string) error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	switch {
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		v.SetBytes(append([]byte(nil), b...))
		return nil
	case v.Kind() == reflect.Array && v.Type().Elem().Kind() == reflect.Uint8:
		if v.Len() < len(b) {
			return &TypeError{Value: what, Type: v.Type(), Why: strconv.Itoa(len(b)) + " bytes do not fit"}
		}
		v.SetZero()
		reflect.Copy(v, reflect.ValueOf(b))
		return nil
	case v.Kind() == reflect.Interface && v.NumMethod() == 0:
		v.Set(reflect.ValueOf(append([]byte(nil), b...)))
		return nil
	}
	return &TypeError{Value: what, Type: v.Type()}
}

func decodeM(m map[string]events.DynamoDBAttributeValue, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Map:
		t := v.Type()
		kk := t.Key().Kind()
		isString := kk == reflect.String
		switch {
		case isString, kk == reflect.Bool, kk >= reflect.Int && kk <= reflect.Uint64, kk == reflect.Float32, kk == reflect.Float64:
		default:
			return &TypeError{Value: "M", Type: t, Why: "map keys are not strings, numbers or booleans"}
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(t, len(m)))
		}
		elem := reflect.New(t.Elem()).Elem()
		key := reflect.New(t.Key()).Elem()
		elemOpts := tagOpts{um: umOf(t.Elem())}
		for k, av := range m {
			if isString {
				key.SetString(k)
			} else if err := mapKey(k, key); err != nil {
				return errAt(k, -1, err)
			}
			elem.SetZero()
			if err := decode(av, elem, elemOpts); err != nil {
				return errAt(k, -1, err)
			}
			v.SetMapIndex(key, elem)
		}
		return nil
	case reflect.Struct:
		plan := structPlan(v.Type())
		for k, av := range m {
			f := plan.field(k)
			if f == nil {
				continue
			}
			fv, ok := fieldByIndex(v, f.index)
			if !ok {
				continue
			}
			if err := decode(av, fv, f.opts); err != nil {
				return errAt(k, -1, err)
			}
		}
		return nil
	}
	return &TypeError{Value: "M", Type: v.Type()}
}

// mapKey decodes a map key into a number or boolean key.
func mapKey(k string, key reflect.Value) error {
	if key.Kind() == reflect.Bool {
		b, err := strconv.ParseBool(k)
		if err != nil {
			return &TypeError{Value: "M", Type: key.Type(), Why: "map key " + quote(k) + " is not a boolean"}
		}
		key.SetBool(b)
		return nil
	}
	return decodeNumber(k, key, tagOpts{})
}

// fieldByIndex is reflect.Value.FieldByIndex allocating nil embedded pointers; it reports false for an
// embedded pointer to an unexported struct type, which cannot be allocated.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

type tagOpts struct {
	asString bool  // the "string" option: a number stored as S
	um       uint8 // whether the value's base type implements Unmarshaler: 0 unknown, umNo, umYes
}

const (
	umNo  = 1
	umYes = 2
)

// unmarshaler reports whether *t implements Unmarshaler, from what the caller knew of the base type.
func (o tagOpts) unmarshaler(t reflect.Type) bool {
	if o.um != 0 {
		return o.um == umYes
	}
	return isUnmarshaler(t)
}

// umOf is the um of a type: whether its base type (pointers followed) implements Unmarshaler.
func umOf(t reflect.Type) uint8 {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if isUnmarshaler(t) {
		return umYes
	}
	return umNo
}

type planField struct {
	name  string
	index []int
	opts  tagOpts
}

type plan struct {
	fields  []planField
	byName  map[string]int
	byLower map[string]int // lower-cased names: the common case-insensitive match without a scan
}

// field finds the field of an attribute: the exact name first, then case-insensitively.
func (p *plan) field(name string) *planField {
	if i, ok := p.byName[name]; ok {
		return &p.fields[i]
	}
	if i, ok := p.byLower[strings.ToLower(name)]; ok {
		return &p.fields[i]
	}
	for i := range p.fields {
		if strings.EqualFold(p.fields[i].name, name) {
			return &p.fields[i]
		}
	}
	return nil
}

var plans sync.Map // reflect.Type -> *plan

var unmarshalers sync.Map // reflect.Type -> bool: *T implements Unmarshaler

// isUnmarshaler reports whether *t implements Unmarshaler (cached: reflect's Implements is costly).
func isUnmarshaler(t reflect.Type) bool {
	if t.Name() == "" && t.Kind() != reflect.Struct {
		return false // unnamed non-struct types have no methods
	}
	if v, ok := unmarshalers.Load(t); ok {
		return v.(bool)
	}
	ok := reflect.PointerTo(t).Implements(unmarshalerType)
	unmarshalers.Store(t, ok)
	return ok
}

func structPlan(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := &plan{byName: map[string]int{}, byLower: map[string]int{}}
	collectFields(p, t, nil, map[reflect.Type]bool{})
	for i, f := range p.fields {
		if _, dup := p.byName[f.name]; !dup {
			p.byName[f.name] = i
		}
		if _, dup := p.byLower[strings.ToLower(f.name)]; !dup {
			p.byLower[strings.ToLower(f.name)] = i
		}
	}
	got, _ := plans.LoadOrStore(t, p)
	return got.(*plan)
}

// collectFields lists the decodable fields of t, outer fields before those of embedded structs (so an
// outer field wins a name both have).
func collectFields(p *plan, t reflect.Type, index []int, seen map[reflect.Type]bool) {
	if seen[t] {
		return
	}
	seen[t] = true
	var embedded []reflect.StructField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("dynamodbav")
		if tag == "-" {
			continue
		}
		name, rest, _ := strings.Cut(tag, ",")
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if sf.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			embedded = append(embedded, sf)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		opts := tagOpts{um: umOf(sf.Type)}
		for opt := range strings.SplitSeq(rest, ",") {
			if opt == "string" {
				opts.asString = true
			}
		}
		idx := append(append([]int(nil), index...), i)
		p.fields = append(p.fields, planField{name: name, index: idx, opts: opts})
	}
	for _, sf := range embedded {
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		collectFields(p, ft, append(append([]int(nil), index...), sf.Index...), seen)
	}
}
