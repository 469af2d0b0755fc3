// Package validation is the JSON Schema validation of Powertools for AWS Lambda (Go): events checked
// before the handler runs and responses after it, with the JMESPath envelopes of the Python edition's
// validation utility. It is a package of its own so that only the functions that validate link a JSON
// Schema library (github.com/google/jsonschema-go, about 0.3 ms of package init; it replaced
// santhosh-tekuri/jsonschema/v6, whose init compiled the meta-schemas of five drafts, 4 to 7 ms of every
// cold start) and github.com/invopop/jsonschema.
//
// # Schemas
//
// A [Schema] is JSON text ([SchemaJSON]) or derived from a Go type ([SchemaFor], from json and
// jsonschema struct tags; a tag keyword that is unknown, does not parse or does not apply to the field is
// a [*TagError]). Drafts: 7 unless "$schema" says 2020-12; a draft 4, 6 or 2019-09 schema is read as
// draft 7 (2020-12 for 2019-09) where it means the same there, and refused naming the keyword where it
// does not (draft 4's boolean exclusiveMaximum, a const draft 4 would ignore, draft 2019-09's array
// items...). References resolve inside the document only, and a $ref chain that loops back without
// descending into the value is refused. "format" is asserted for the formats of drafts 7 and 2020-12
// and for those registered with [WithFormat]; an unknown format is an annotation. Each schema is compiled
// once per process, on first use or by [Schema.Compile], and shared: two Schemas of the same text or
// type use the same compiled form.
//
// github.com/google/jsonschema-go gives the verdict. A walk of the same schema lists every failing value
// with its JSONPath, keyword and reason, and asserts the formats (the library leaves "format" unchecked);
// for the few schemas it leaves to the library (unevaluatedProperties, unevaluatedItems, $dynamicRef) the
// error is the library's message and formats are annotations. Most valid documents are accepted by a
// fast path reading the JSON text itself, without decoding it or allocating, also through the API
// Gateway and SQS envelopes (the event is scanned for its bodies, not decoded); anything else is decoded
// and validated, which gives the verdict and the error.
//
// # With the App
//
// [With] is an option of powertools.New: it plugs in through powertools.WithValidator, after the user
// middleware, so the event (unwrapped by an envelope, one of the powertools.Envelope* constants or any
// JMESPath expression) is checked before the handler and the response after it.
//
//	app, err := powertools.New(
//		powertools.WithService("orders"),
//		validation.With(validation.SchemaFor[Order](), validation.Schema{}, powertools.EnvelopeAPIGatewayREST),
//	)
//
// A bad schema or envelope is a *powertools.ConfigError from New, named "validation.With" and joined with
// every other problem. A failing event is a [*ValidationError] with Stage "inbound" and the handler is not
// called; a failing response is one with Stage "outbound" in place of the response.
//
// # On its own
//
// [Validate] checks any value (JSON text, decoded JSON, or a Go value encoded to JSON first) against a
// schema, after an optional envelope. Errors: [*ValidationError] (errors.Is [ErrValidation]) with the
// JSONPath of every failing value and the keyword that failed, for anything the event causes: a value
// that does not satisfy the schema, but also an event or body that is not JSON or not base64 and an
// envelope that fails or selects nothing, whose *powertools.DecodeError, *JMESPathError or *EnvelopeError
// stays in the chain; [*SchemaError] ([ErrSchema]) for a schema that is not valid. Bodies marked
// isBase64Encoded (API Gateway REST and HTTP, ALB, Function URL, VPC Lattice) are decoded before the
// envelope runs. A decoded value that contains itself is refused before anything walks it.
//
// The typed parser, which validates values against the schema of their Go type before decoding them, is
// the sibling package github.com/gopowertools/powertools/parser.
package validation
