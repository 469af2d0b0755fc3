package powertools

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jmespath-community/go-jmespath"
	"github.com/jmespath-community/go-jmespath/pkg/functions"
	"github.com/jmespath-community/go-jmespath/pkg/interpreter"
	"github.com/jmespath-community/go-jmespath/pkg/parsing"
)

// Built-in envelopes: JMESPath expressions that unwrap the payload of common event sources, for
// validation.With, validation.Validate, Search and parser.Parse. They are the Python edition's, character for character.
const (
	// EnvelopeAPIGatewayREST is the JSON body of an API Gateway REST (v1) proxy event.
	EnvelopeAPIGatewayREST = "powertools_json(body)"
	// EnvelopeAPIGatewayHTTP is the JSON body of an API Gateway HTTP (v2) proxy event.
	EnvelopeAPIGatewayHTTP = EnvelopeAPIGatewayREST
	// EnvelopeSQS is the list of the JSON bodies of an SQS batch.
	EnvelopeSQS = "Records[*].powertools_json(body)"
	// EnvelopeSNS is the JSON message of the first record of an SNS event.
	EnvelopeSNS = "Records[0].Sns.Message | powertools_json(@)"
	// EnvelopeEventBridge is the detail of an EventBridge event.
	EnvelopeEventBridge = "detail"
	// EnvelopeCloudWatchEventsScheduled is the detail of a scheduled (CloudWatch Events) event.
	EnvelopeCloudWatchEventsScheduled = EnvelopeEventBridge
	// EnvelopeKinesisDataStream is the list of the JSON documents carried base64-encoded by a Kinesis batch.
	EnvelopeKinesisDataStream = "Records[*].kinesis.powertools_json(powertools_base64(data))"
	// EnvelopeCloudWatchLogs is the list of log events (id, timestamp, message) of a CloudWatch Logs
	// subscription, whose data is gzipped and base64-encoded.
	EnvelopeCloudWatchLogs = "awslogs.powertools_base64_gzip(data) | powertools_json(@).logEvents[*]"
	// EnvelopeS3SNSSQS is the list of S3 notification records delivered through SNS then SQS.
	EnvelopeS3SNSSQS = "Records[*].powertools_json(body).powertools_json(Message).Records[0]"
	// EnvelopeS3SQS is the list of S3 notification records delivered through SQS.
	EnvelopeS3SQS = "Records[*].powertools_json(body).Records[0]"
	// EnvelopeS3SNSKinesisFirehose is the list of S3 notification records delivered through SNS then
	// Kinesis Data Firehose.
	EnvelopeS3SNSKinesisFirehose = "records[*].powertools_json(powertools_base64(data)).powertools_json(Message).Records[0]"
	// EnvelopeS3KinesisFirehose is the list of S3 notification records delivered through Kinesis Data
	// Firehose.
	EnvelopeS3KinesisFirehose = "records[*].powertools_json(powertools_base64(data)).Records[0]"
	// EnvelopeS3EventBridgeSQS is the list of S3 EventBridge details delivered through SQS.
	EnvelopeS3EventBridgeSQS = "Records[*].powertools_json(body).detail"
)

// ErrJMESPath matches, through errors.Is, every *JMESPathError: an expression that does not compile or
// fails while evaluated.
var ErrJMESPath = errors.New("powertools: jmespath")

// ErrEnvelope matches, through errors.Is, an envelope that selected nothing from the event (the path is
// missing, or the event is of another source).
var ErrEnvelope = errors.New("powertools: envelope matched nothing")

// Sentinels for the decoding steps of the JMESPath functions and of the parser; a *DecodeError matches
// the one of its step.
var (
	ErrInvalidJSON   = errors.New("powertools: invalid JSON")
	ErrInvalidBase64 = errors.New("powertools: invalid base64")
	ErrInvalidGzip   = errors.New("powertools: invalid gzip")
)

// JMESPathError reports an expression that does not compile or cannot be evaluated.
type JMESPathError struct {
	Expr string
	Err  error
}

func (e *JMESPathError) Error() string {
	return "powertools: jmespath " + jmesQuoteExpr(e.Expr) + ": " + strings.TrimPrefix(e.Err.Error(), "powertools: ")
}

// jmesQuoteExpr quotes an expression for an error message, cut past 200 bytes (a hostile one may be
// megabytes long).
func jmesQuoteExpr(expr string) string {
	if len(expr) > 200 {
		return strconv.Quote(expr[:200]) + "... (" + strconv.Itoa(len(expr)) + " bytes)"
	}
	return strconv.Quote(expr)
}

func (e *JMESPathError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrJMESPath) true for every JMESPathError.
func (e *JMESPathError) Is(target error) bool { return target == ErrJMESPath }

// DecodeError reports data that could not be decoded: a payload or a string that is not JSON, not
// base64 or not gzip. Step is "json", "base64" or "gzip"; errors.Is matches ErrInvalidJSON,
// ErrInvalidBase64 or ErrInvalidGzip accordingly.
type DecodeError struct {
	Step string
	Err  error
}

func (e *DecodeError) Error() string {
	return "powertools: invalid " + e.Step + ": " + e.Err.Error()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Is matches the sentinel of the step that failed.
func (e *DecodeError) Is(target error) bool {
	switch e.Step {
	case "json":
		return target == ErrInvalidJSON
	case "base64":
		return target == ErrInvalidBase64
	case "gzip":
		return target == ErrInvalidGzip
	}
	return false
}

// jmesFunctions are the Powertools functions every expression can call. As in Python, each takes one
// string: anything else, null included, fails the search (see jmesArgError), so a projection never
// drops a record silently and an envelope over the wrong event source is an error, not an empty list.
// They take any argument and check it themselves, for the error to say what the value was.
// A function, not a table in a variable: a variable's table would be linked into every binary, and
// JMESPath with it (the logger-only benchmark binary was 237 KB larger), where only one that searches
// needs it.
func jmesFunctions() []jmespath.FunctionEntry {
	anyArg := []jmespath.ArgSpec{{Types: []jmespath.JpType{jmespath.JpAny}}}
	return []jmespath.FunctionEntry{
		{Name: "powertools_json", Arguments: anyArg, Handler: jmesFuncJSON},
		{Name: "powertools_base64", Arguments: anyArg, Handler: jmesFuncBase64},
		{Name: "powertools_base64_gzip", Arguments: anyArg, Handler: jmesFuncBase64Gzip},
	}
}

// jmesStringArg is the one string argument of a Powertools function.
func jmesStringArg(name string, args []any) (string, error) {
	if s, ok := args[0].(string); ok {
		return s, nil
	}
	return "", &jmesArgError{Func: name, Value: args[0]}
}

// jmesArgError is a Powertools function given something other than a string: Python's jmespath raises
// its type error ("invalid type for value: None, expected one of: ['string']") there. A null (the path the
// function reads is missing) also matches ErrEnvelope.
type jmesArgError struct {
	Func  string
	Value any
}

func (e *jmesArgError) Error() string {
	return "in function " + e.Func + "(), invalid type for value: " + jmesTypeName(e.Value) + ", expected a string"
}

// Is makes a null argument match ErrEnvelope: the path the function reads is missing.
func (e *jmesArgError) Is(target error) bool { return target == ErrEnvelope && e.Value == nil }

// jmesTypeName is the JMESPath type of a value.
func jmesTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64, int, int64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// jmesFuncJSON is powertools_json: the value the JSON text decodes to.
func jmesFuncJSON(args []any) (any, error) {
	s, err := jmesStringArg("powertools_json", args)
	if err != nil {
		return nil, err
	}
	return DecodeJSON([]byte(s))
}

// jmesFuncBase64 is powertools_base64: the base64 text decoded, as a string.
func jmesFuncBase64(args []any) (any, error) {
	s, err := jmesStringArg("powertools_base64", args)
	if err != nil {
		return nil, err
	}
	b, err := DecodeBase64(s)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// jmesFuncBase64Gzip is powertools_base64_gzip: the base64 text decoded then gunzipped, as a string.
func jmesFuncBase64Gzip(args []any) (any, error) {
	s, err := jmesStringArg("powertools_base64_gzip", args)
	if err != nil {
		return nil, err
	}
	b, err := DecodeBase64(s)
	if err == nil {
		b, err = Gunzip(b)
	}
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// DecodeJSON decodes one JSON document into the generic form JMESPath works on (float64 numbers), as
// powertools_json does. Trailing data after the document is an error, as in Python's json.loads. Errors
// are *DecodeError (ErrInvalidJSON). It is exported for the validation and parser subpackages.
func DecodeJSON(b []byte) (any, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, &DecodeError{Step: "json", Err: err}
	}
	return v, nil
}

// DecodeBase64 decodes base64 text as powertools_base64 does, which is Python's base64.b64decode: the
// standard alphabet, white space skipped, "=" padding ending the data (excess padding, and what follows
// a padded group, ignored: "eyJhIjoxfQ===" is {"a":1}). Two deliberate differences: text without its
// padding is accepted (Python refuses it), as some AWS services send it, and a character outside the
// alphabet is an error (Python skips it, so that "%%%" decodes to nothing). Errors are *DecodeError
// (ErrInvalidBase64). It is exported for the parser subpackage.
func DecodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil // canonical text: the common case
	}
	return jmesDecodeBase64Lenient(s)
}

// jmesDecodeBase64Lenient is the algorithm of CPython's binascii.a2b_base64 in its default (non-strict)
// mode, accepting an unpadded last group.
func jmesDecodeBase64Lenient(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)*3/4+3)
	var acc uint32
	quad, pads := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			if quad >= 2 {
				if pads++; quad+pads >= 4 {
					break // a padded group ends the data
				}
			}
			continue
		}
		v := jmesBase64Value(c)
		if v < 0 {
			if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
				continue // skipped, as Python does
			}
			return nil, &DecodeError{Step: "base64", Err: fmt.Errorf("illegal character %q at offset %d", c, i)}
		}
		pads = 0
		acc = acc<<6 | uint32(v)
		if quad++; quad == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, quad = 0, 0
		}
	}
	switch quad {
	case 1:
		return nil, &DecodeError{Step: "base64", Err: errors.New("a lone character in the last group (the data is cut)")}
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out, nil
}

func jmesBase64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}

// jmesMaxGunzip bounds what a gzip member may expand to, so a small hostile event cannot exhaust memory.
const jmesMaxGunzip = 256 << 20

// Gunzip decompresses a gzip member as powertools_base64_gzip does, refusing one that expands past
// 256 MiB. Errors are *DecodeError (ErrInvalidGzip). It is exported for the parser subpackage.
func Gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, &DecodeError{Step: "gzip", Err: err}
	}
	out, err := io.ReadAll(io.LimitReader(zr, jmesMaxGunzip+1))
	if err == nil && len(out) > jmesMaxGunzip {
		err = errors.New("expands past 256 MiB")
	}
	if err != nil {
		return nil, &DecodeError{Step: "gzip", Err: err}
	}
	return out, nil
}

// jmesQuery is a JMESPath expression compiled once, with the Powertools functions. It is safe for
// concurrent use.
type jmesQuery struct {
	expr string
	ast  parsing.ASTNode
	env  *Envelope // its exported face, made once with it so CompileEnvelope allocates nothing when warm
}

// jmesCaller calls the JMESPath built-in functions and the Powertools ones; it keeps no state. Made on
// first use, from a function only a search reaches (jmesFunctions says why).
func jmesCaller() interpreter.FunctionCaller {
	jmesCallerOnce.Do(func() {
		jmesCallerValue = interpreter.NewFunctionCaller(append(functions.GetDefaultFunctions(), jmesFunctions()...)...)
	})
	return jmesCallerValue
}

var (
	jmesCallerOnce  sync.Once
	jmesCallerValue interpreter.FunctionCaller
)

// Bounds on an expression: the parser recurses once per nesting level, and 500 000 nested parentheses
// overflow the goroutine stack, a fatal error no recover catches. Expressions are a few dozen bytes.
const (
	// JMESPathMaxLength is the longest expression Search and CompileEnvelope compile, in bytes.
	JMESPathMaxLength = 16 << 10
	// JMESPathMaxDepth is the deepest nesting of parentheses, brackets and braces they accept.
	JMESPathMaxDepth = 128
)

// jmesCheckBounds refuses an expression past JMESPathMaxLength or JMESPathMaxDepth, before it reaches
// the parser. Quoted identifiers, raw strings and JSON literals are skipped: their brackets nest nothing.
func jmesCheckBounds(expr string) error {
	if len(expr) > JMESPathMaxLength {
		return fmt.Errorf("expression is %d bytes long, past the limit of %d", len(expr), JMESPathMaxLength)
	}
	depth, maxDepth := 0, 0
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; c {
		case '"', '\'', '`':
			for i++; i < len(expr) && expr[i] != c; i++ {
				if expr[i] == '\\' {
					i++
				}
			}
		case '(', '[', '{':
			if depth++; depth > maxDepth {
				maxDepth = depth
			}
		case ')', ']', '}':
			depth--
		}
	}
	if maxDepth > JMESPathMaxDepth {
		return fmt.Errorf("expression nests %d levels deep, past the limit of %d", maxDepth, JMESPathMaxDepth)
	}
	return nil
}

// jmesPowertoolsFunc reports whether name is one of the Powertools functions.
func jmesPowertoolsFunc(name string) bool {
	for _, f := range jmesFunctions() {
		if f.Name == name {
			return true
		}
	}
	return false
}

// jmesRewrite makes the AST evaluate as Python's jmespath does. The Go interpreter stops a
// subexpression at a null left side (a.f(b) is null when a is null, f never called), where Python calls
// f with b evaluated against null: a type error for the Powertools functions. So a.f(x) becomes
// f(a.x) for them, which calls f with what Python passes it (x against a; a itself for @).
func jmesRewrite(n parsing.ASTNode) parsing.ASTNode {
	if len(n.Children) > 0 {
		children := make([]parsing.ASTNode, len(n.Children))
		for i, c := range n.Children {
			children[i] = jmesRewrite(c)
		}
		n.Children = children
	}
	if n.NodeType != parsing.ASTSubexpression || len(n.Children) != 2 {
		return n
	}
	left, right := n.Children[0], n.Children[1]
	if right.NodeType != parsing.ASTFunctionExpression {
		return n
	}
	if name, _ := right.Value.(string); !jmesPowertoolsFunc(name) {
		return n
	}
	return jmesRebase(right, left)
}

// jmesRebase evaluates the arguments of the function call f against left rather than the current node.
func jmesRebase(f, left parsing.ASTNode) parsing.ASTNode {
	args := make([]parsing.ASTNode, len(f.Children))
	for i, a := range f.Children {
		switch {
		case a.NodeType == parsing.ASTCurrentNode:
			args[i] = left
		case a.NodeType == parsing.ASTLiteral:
			args[i] = a
		case a.NodeType == parsing.ASTFunctionExpression:
			args[i] = jmesRebase(a, left)
		default:
			args[i] = parsing.ASTNode{NodeType: parsing.ASTSubexpression, Children: []parsing.ASTNode{left, a}}
		}
	}
	f.Children = args
	return f
}

// jmesCache holds compiled expressions by their text. It is bounded: past jmesCacheMax entries new
// expressions are compiled on every call rather than kept, so expressions built from data cannot grow
// it without limit. Reads are lock-free (sync.Map), which suits a set written once and read per event.
var jmesCache struct {
	m sync.Map // string -> *jmesQuery
	n atomic.Int64
}

const jmesCacheMax = 1024

// compileJMES returns the compiled expression, from the cache when it was compiled before.
func compileJMES(expr string) (*jmesQuery, error) {
	if q, ok := jmesCache.m.Load(expr); ok {
		return q.(*jmesQuery), nil
	}
	q, err := jmesCompile(expr)
	if err != nil {
		return nil, err
	}
	if jmesCache.n.Load() < jmesCacheMax {
		if prev, loaded := jmesCache.m.LoadOrStore(expr, q); loaded {
			return prev.(*jmesQuery), nil
		}
		jmesCache.n.Add(1)
	}
	return q, nil
}

// jmesCompile compiles without the cache; the parser recovers its own panics, this guards the rest.
func jmesCompile(expr string) (q *jmesQuery, err error) {
	defer func() {
		if v := recover(); v != nil {
			q, err = nil, &JMESPathError{Expr: expr, Err: fmt.Errorf("compile panicked: %v", v)}
		}
	}()
	if err := jmesCheckBounds(expr); err != nil {
		return nil, &JMESPathError{Expr: expr, Err: err}
	}
	ast, err := jmespath.NewParser().Parse(expr)
	if err != nil {
		return nil, &JMESPathError{Expr: expr, Err: err}
	}
	q = &jmesQuery{expr: expr, ast: jmesRewrite(ast)}
	q.env = &Envelope{q: q}
	return q, nil
}

// jmesResetCache empties the expression cache (benchmarks measure the cold path with it).
func jmesResetCache() {
	jmesCache.m.Clear()
	jmesCache.n.Store(0)
}

// search evaluates the query over generic JSON data. Errors are *JMESPathError, wrapping a *DecodeError
// when a Powertools function met bad data. A panic inside the interpreter becomes an error.
func (q *jmesQuery) search(data any) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, &JMESPathError{Expr: q.expr, Err: fmt.Errorf("evaluation panicked: %v", r)}
		}
	}()
	v, err = interpreter.NewInterpreter(data, jmesCaller(), nil).Execute(q.ast, data)
	if err != nil {
		return nil, &JMESPathError{Expr: q.expr, Err: err}
	}
	return v, nil
}

// searchString evaluates the query over a JSON document and returns the result when it is a string.
func (q *jmesQuery) searchString(doc []byte) (string, bool) {
	var data any
	if err := json.Unmarshal(doc, &data); err != nil {
		return "", false
	}
	v, err := q.search(data)
	if err != nil {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

// Search evaluates the JMESPath expression expr over data, with the Powertools functions
// powertools_json, powertools_base64 and powertools_base64_gzip available. data is JSON text ([]byte or
// json.RawMessage), a value decoded by encoding/json into any, or any other value, which is first
// encoded to JSON so that its json tags name its fields. Compiled expressions are cached. A result of nil
// is not an error: it is JMESPath's null for a path that does not exist.
func Search(expr string, data any) (any, error) {
	q, err := compileJMES(expr)
	if err != nil {
		return nil, err
	}
	doc, err := jmesDocument(data)
	if err != nil {
		return nil, err
	}
	return q.search(doc)
}

// jmesDocument brings data to the generic JSON form JMESPath evaluates.
func jmesDocument(data any) (any, error) {
	switch d := data.(type) {
	case nil, string, float64, bool, map[string]any, []any:
		return d, nil
	case []byte:
		return DecodeJSON(d)
	case json.RawMessage:
		return DecodeJSON(d)
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, &DecodeError{Step: "json", Err: err}
	}
	return DecodeJSON(b)
}

// jmesEnvelopeRoots names, for each built-in envelope, the one top-level key of the event it reads. An
// event unwrapped by one of them is decoded only under that key: the rest of the event (headers, request
// context, attributes...) is scanned but never built, which is most of the cost of a warm call. The
// result is the same as over the whole event, since the expression looks at nothing else.
var jmesEnvelopeRoots = map[string]string{
	EnvelopeAPIGatewayREST:       "body",
	EnvelopeSQS:                  "Records",
	EnvelopeSNS:                  "Records",
	EnvelopeEventBridge:          "detail",
	EnvelopeKinesisDataStream:    "Records",
	EnvelopeCloudWatchLogs:       "awslogs",
	EnvelopeS3SNSSQS:             "Records",
	EnvelopeS3SQS:                "Records",
	EnvelopeS3SNSKinesisFirehose: "records",
	EnvelopeS3KinesisFirehose:    "records",
	EnvelopeS3EventBridgeSQS:     "Records",
}

// jmesEventDocument decodes an event for the envelope q: only the key a built-in envelope reads, the
// whole event otherwise (or when the event is not a JSON object, so that errors stay those of a full
// decode).
func jmesEventDocument(payload []byte, q *jmesQuery) (any, error) {
	root, ok := "", false
	if q != nil {
		root, ok = jmesEnvelopeRoots[q.expr]
	}
	if !ok {
		return DecodeJSON(payload)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil {
		return DecodeJSON(payload)
	}
	raw, found := top[root]
	if !found {
		return map[string]any{}, nil
	}
	v, err := DecodeJSON(raw)
	if err != nil {
		return nil, err
	}
	return map[string]any{root: v}, nil
}

// envelopeSearch unwraps the payload of an event with an envelope; a nil result is ErrEnvelope.
func (q *jmesQuery) envelopeSearch(doc any) (any, error) {
	v, err := q.search(doc)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, &EnvelopeError{Envelope: q.expr}
	}
	return v, nil
}

// EnvelopeError reports an envelope that selected nothing (JMESPath null) from the event: the path is
// missing, or the event comes from another source. errors.Is matches ErrEnvelope.
type EnvelopeError struct {
	Envelope string
}

func (e *EnvelopeError) Error() string {
	return "powertools: envelope " + strconv.Quote(e.Envelope) + " matched nothing in the event"
}

// Is makes errors.Is(err, ErrEnvelope) true.
func (e *EnvelopeError) Is(target error) bool { return target == ErrEnvelope }

// Envelope is a compiled JMESPath envelope: an expression, with the Powertools functions, that unwraps
// the payload of an event (an Envelope* constant or any expression). It is the hook the validation and
// parser subpackages unwrap events with; functions that unwrap events themselves may use it too. A nil
// *Envelope unwraps nothing: the result is the whole event. It is safe for concurrent use.
type Envelope struct {
	q *jmesQuery
}

// CompileEnvelope compiles expr once per process (the cache Search uses). Errors are *JMESPathError.
func CompileEnvelope(expr string) (*Envelope, error) {
	q, err := compileJMES(expr)
	if err != nil {
		return nil, err
	}
	return q.env, nil
}

// String is the envelope's expression ("" for a nil Envelope).
func (e *Envelope) String() string {
	if e == nil {
		return ""
	}
	return e.q.expr
}

// Unwrap decodes the JSON event and returns what the envelope selects from it, in the generic form
// encoding/json decodes into any. For a built-in envelope only the top-level key it reads is decoded
// (the rest of the event is checked but not built). Errors are a *DecodeError for an event that is not
// JSON, a *JMESPathError for an expression that fails, an *EnvelopeError (ErrEnvelope) when it selects
// nothing.
func (e *Envelope) Unwrap(event []byte) (any, error) {
	if e == nil {
		return DecodeJSON(event)
	}
	doc, err := jmesEventDocument(event, e.q)
	if err != nil {
		return nil, err
	}
	return e.q.envelopeSearch(doc)
}

// UnwrapValue is Unwrap over data given in any form Search accepts: JSON text, a value decoded by
// encoding/json, or any other value, encoded to JSON first.
func (e *Envelope) UnwrapValue(data any) (any, error) {
	doc, err := jmesDocument(data)
	if err != nil || e == nil {
		return doc, err
	}
	return e.q.envelopeSearch(doc)
}
