// Package parser is the typed parser of Powertools for AWS Lambda (Go): it decodes events, and the
// payloads they carry, into Go types after validating each value against the JSON Schema derived from its
// type (validation.SchemaFor, compiled once per type), so a missing required field or a broken
// constraint is an error naming the record and the path, not a zero value. It is the Python edition's
// parser utility; it imports the validation package, and only functions that import it link a JSON
// Schema library.
//
// # Envelopes
//
// [Parse] unwraps the event with a JMESPath envelope (one of the powertools.Envelope* constants, or any
// expression with the Powertools functions) and decodes what it selects:
//
//	orders, err := parser.Parse[[]Order](event, powertools.EnvelopeSQS)
//
// # Event helpers
//
// [ParseSQS], [ParseSNS], [ParseKinesis] (base64 data), [ParseCloudWatchLogs] (base64 and gzip),
// [ParseEventBridge], [ParseAPIGateway] (REST, HTTP, function URL and ALB, base64 bodies included) and
// [ParseDynamoDBStream] (images converted from DynamoDB attribute values to plain JSON, as the batch
// utility does) read the payload of their event source directly. A batch is all or nothing: the first
// failing record stops it (use the batch utility of the powertools package for partial failures).
//
// # Errors
//
// Every error is a [*ParseError] with the event source and the index of the failing record, wrapping a
// *validation.ValidationError, a *validation.SchemaError or the powertools package's *DecodeError,
// *JMESPathError or *EnvelopeError: errors.Is and errors.As reach each of them.
package parser
