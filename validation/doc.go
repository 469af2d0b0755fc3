// Package validation is the JSON Schema validation of Powertools for AWS Lambda (Go): events checked
// before the handler runs and responses after it, with the JMESPath envelopes of the Python edition's
// validation utility. It is a package of its own so that only the functions that validate link a JSON
// Schema library (github.com/santhosh-tekuri/jsonschema/v6 compiles the meta-schemas of five drafts in
// its init, about 6 ms of every cold start) and github.com/invopop/jsonschema.
//
// # Schemas
//
// A [Schema] is JSON text ([SchemaJSON]; draft 7 unless "$schema" says draft 4, 6, 2019-09 or 2020-12;
// "format" asserted; references resolved inside the document only) or derived from a Go type
// ([SchemaFor], from json and jsonschema struct tags). Each is compiled once per process, on first use or
// by [Schema.Compile], and shared: two Schemas of the same text or type use the same compiled form. Most
// valid documents are accepted by a fast path reading the JSON text itself, without decoding it or
// allocating, also through the API Gateway and SQS envelopes (the event is scanned for its bodies, not
// decoded); anything else goes to the validator, which gives the verdict and the error.
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
// JSONPath of every failing value and the keyword that failed, [*SchemaError] ([ErrSchema]) for a schema
// that is not valid, and the powertools package's *DecodeError, *JMESPathError and *EnvelopeError for
// events that are not JSON or envelopes that fail or select nothing.
//
// The typed parser, which validates values against the schema of their Go type before decoding them, is
// the sibling package github.com/gopowertools/powertools/parser.
package validation
