// Package powertools is Powertools for AWS Lambda (Go): production best practices for a Lambda function
// in one call — structured logging, CloudWatch metrics in the Embedded Metric Format, X-Ray tracing, a
// middleware factory, batch processing with partial failures, and (in the validation and parser
// subpackages) JSON Schema validation with envelopes and typed parsing. The Python edition of Powertools is the reference for behaviour and wire formats, so
// dashboards and Logs Insights queries written for it work unchanged.
//
// # The App
//
// One [New] call configures every utility: defaults, then the environment (read once, in New), then the
// options, in that order of precedence. New validates everything and returns every problem at once, each a
// [*ConfigError] naming the variable or option and the refused value. [App.Wrap] turns any handler
// lambda.Start accepts into a [Handler] running inside the App's middleware chain; [WrapFunc] is its typed,
// reflection-free twin; [Start] and [StartFunc] do New, Wrap and lambda.Start in one call.
//
//	func main() {
//		powertools.Start(handle, powertools.WithService("orders"), powertools.WithMetrics("Shop"))
//	}
//
// Everything that belongs to one invocation (request id, cold start, appended log keys, correlation id,
// sampling decision, metric set, trace segment) lives in the invocation's context, so one App serves any
// number of concurrent invocations (AWS_LAMBDA_MAX_CONCURRENCY > 1). Cold start is true for exactly one
// invocation per process.
//
// # Logger
//
// [Logger] returns the invocation's *zap.Logger, writing one JSON object per line in the Powertools
// dialect of the Python edition, byte for byte, keys in this order: level, location, message, timestamp,
// service, sampling_rate, cold_start, function_name, function_memory_size, function_arn,
// function_request_id, correlation_id, appended keys, per-call fields, exception, exception_name,
// stack_trace, xray_trace_id. Each key is written once: a later value replaces an earlier one in its
// place, the user's exception and exception_name win over the derived ones, the real trace id over a
// user's xray_trace_id; the reserved keys (level, location, message, timestamp) cannot be overwritten.
// Floats are written as Python's repr writes them (12.0), at any depth; top-level nulls are dropped;
// strings are escaped as json.dumps(ensure_ascii=False) escapes them. [Slog] gives the same lines through
// log/slog. [AppendKeys] and [RemoveKeys] change the keys of the rest of the invocation (of the record,
// inside a batch record function). zap.Error(err) renders exception, exception_name and, on ERROR and
// CRITICAL lines, the stack_trace object ([WithLogStackTrace]). Levels are DEBUG, INFO, WARNING, ERROR and
// CRITICAL (zap's DPanic). [WithLogSampleRate] turns DEBUG on for a random share of invocations;
// [WithLogEvent] logs each event; [WithCorrelationIDPath] extracts a correlation id with JMESPath;
// [WithLogBuffer] keeps DEBUG lines back and writes them only when the invocation logs an error or fails
// ([FlushLogBuffer] writes them on demand). POWERTOOLS_DEV=true indents the lines for a terminal and turns
// tracing off, for development only.
//
// # Metrics
//
// [WithMetrics] (or POWERTOOLS_METRICS_NAMESPACE) turns on CloudWatch Embedded Metric Format output.
// [Metrics] returns the invocation's [MetricSet]: Add, AddHighResolution, AddDimension, AddDimensionSet,
// AddMetadata, SetTimestamp, Single. The set is written as one JSON line when the invocation ends (on
// success, error and panic) and earlier at the 100th metric or the 100th value of one metric; concurrent
// invocations never share a blob. The blobs are Powertools for Python's: the default dimensions, the added
// ones, then service (none without a service name); [WithColdStartMetric] writes a ColdStart blob with
// exactly function_name ([WithMetricsFunctionName]) and service before the handler runs on the cold start
// (never with AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency); Single carries the default
// dimensions and its own, without service. An invocation without metrics logs Python's warning once per
// process ([WithRaiseOnEmptyMetrics] makes it an error); without a namespace metrics stay off and the first
// Add says so in one WARNING line. Bad input is a [*MetricError] and never a malformed blob.
//
// # Tracer
//
// [WithTracer] traces every sampled invocation in an X-Ray subsegment "## <handler>" annotated ColdStart
// and Service, with the response and the error as metadata. [Tracer] returns the invocation's
// [Subsegment]: Annotate, Metadata, Capture; [CaptureValue] also records a returned value. [InstrumentAWS]
// traces AWS SDK v2 calls and [InstrumentHTTP] HTTP calls. Documents are written by the library itself and
// sent over UDP to AWS_XRAY_DAEMON_ADDRESS; aws-xray-sdk-go is not linked (the xraybridge module bridges
// to it for code that uses it), through one UDP socket per daemon address shared by every App. Without a
// Sampled=1 trace header every call is a cheap no-op, and debug mode says why the invocation was not traced
// (the Lambda Runtime Interface Emulator, in its default mode, never passes the trace header on).
//
// # Middleware
//
// A [Middleware] wraps a [Handler]: it can read and replace the payload and the response, short-circuit,
// and see the handler's error. [WithMiddleware] registers them; the first registered runs outermost. The
// chain, outermost first: invocation state and logger context, tracer segment, metrics, user middleware,
// validation, idempotency, handler. It is built once, in Wrap. A panic in a middleware or the handler becomes a
// [*PanicError] for that invocation only, logged as one ERROR line with the stack.
//
// # Parameters
//
// [SSMProvider] (Get, GetMultiple, GetByName, Set), [SecretsProvider] (Get, Set), [DynamoDBProvider] (Get,
// GetMultiple) and [AppConfigProvider] (Get) read configuration and secrets, cached per provider for 5
// minutes ([WithParamMaxAge], POWERTOOLS_PARAMETERS_MAX_AGE), concurrent misses of one key sharing one
// call; [GetJSON] decodes into a Go type. Inside a handler, [SSM], [Secrets] and [AppConfig] return the
// App's providers, whose AWS SDK clients are built on first use. The SDK adapters live in the subpackage
// github.com/gopowertools/powertools/parameters (parameters.With() for the App,
// parameters.NewSSMProvider and the others over SDK clients), and one service's alone in
// parameters/ssmparams, secretsparams, appconfigparams and dynamodbparams: the SDK service packages cost
// a function 1.5 MiB and 8 ms of package init, paid only by the functions that import them.
//
// # Batch processing
//
// [ProcessSQS], [ProcessKinesis] and [ProcessDynamoDBStream] (and their Typed forms, which decode each
// record into a Go type) call a function per record and return the batchItemFailures response, so only
// failed records are retried. FIFO queues stop at the first failure; [WithBatchParallel] runs records
// concurrently; an all-failed batch is an error matching [ErrBatchAllFailed].
//
// # Validation, JMESPath and parsing
//
// JSON Schema validation and the typed parser live in two subpackages, so that a function that does not
// validate does not link a JSON Schema library (github.com/google/jsonschema-go) nor invopop/jsonschema:
// github.com/gopowertools/powertools/validation (validation.With for the App, Validate, SchemaJSON,
// SchemaFor) and github.com/gopowertools/powertools/parser (Parse and the ParseSQS, ParseSNS,
// ParseKinesis, ParseCloudWatchLogs, ParseEventBridge, ParseAPIGateway and ParseDynamoDBStream helpers).
// They plug in through [WithValidator] and unwrap events with [Envelope]. JMESPath stays here: [Search]
// knows powertools_json, powertools_base64 and powertools_base64_gzip (each takes one string: null or
// anything else fails the search, as in Python), and the Envelope* constants are the built-in envelopes.
// Expressions are bounded: [JMESPathMaxLength] bytes, [JMESPathMaxDepth] levels of nesting.
//
// # Idempotency
//
// [WithIdempotency] makes the handler, and [Idempotent] any function, run once per payload within an
// expiry window; duplicates get the stored response byte for byte, a duplicate of a running invocation
// gets [ErrIdempotencyAlreadyInProgress]. Records and keys are the Python edition's (the key hashes the
// key data as Python's json.dumps(data, sort_keys=True) writes it). The lease of a run is the time left
// before its context's deadline; a record whose lease passed is taken over, and completing or deleting
// a record is fenced on the lease the run wrote. Stores: [NewMemoryStore] here, and the subpackages
// idempotency/dynamodbstore and idempotency/redisstore, kept apart so that a function not using them
// links neither client.
//
// # Event source helpers
//
// Package github.com/gopowertools/powertools/events adds to aws-lambda-go's event types what the Python
// edition's data classes give (decoded bodies and keys, case-insensitive headers, DynamoDB images as
// map[string]any or Go types, decoded Kinesis, Firehose, CloudWatch Logs and Kafka records, authorizer
// policies) and the event types aws-lambda-go lacks (VPC Lattice, Bedrock Agent, AppSync direct resolvers
// and others). The batch utility and the parser convert DynamoDB images with the same code.
//
// # HTTP event handler
//
// [HTTPHandler] runs any net/http handler on API Gateway (REST and HTTP APIs), ALB, function URL and VPC
// Lattice events, answering in each event's shape; [HTTPRequestEvent] gives the event behind a request.
// The correlation id is the request id, the ServeMux pattern is the log key "route" and a subsegment's
// name, a panic is a 500 answer. [WithCORS], [WithCompression] and [WithStripPrefix] configure it. Typed,
// validated routes and the OpenAPI document are validation.Route and validation.NewAPI.
//
// # Testing and running locally
//
// Package github.com/gopowertools/powertools/powertoolstest is the test kit: an App whose log lines, EMF
// blobs and X-Ray documents are captured and decoded, and Invoke with the context the Lambda runtime gives
// (request id, ARN, deadline, sampled trace header, cold or warm start). The command
// github.com/gopowertools/powertools/cmd/powertools-local builds a function for the host, runs it against an
// in-process Lambda Runtime API and prints each invocation's response, log lines, metrics and trace.
//
// # Debug mode
//
// [WithDebug] or POWERTOOLS_DEBUG=true writes the library's own diagnostics (resolved configuration,
// flushes, emission failures) to standard error; it is silent by default.
//
// # Environment variables
//
// Read once, in New: POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, LOG_LEVEL, AWS_LAMBDA_LOG_LEVEL,
// POWERTOOLS_LOGGER_SAMPLE_RATE, POWERTOOLS_LOGGER_LOG_EVENT, POWERTOOLS_LOG_DEDUPLICATION_DISABLED
// (accepted; Go has no root logger to deduplicate), POWERTOOLS_METRICS_NAMESPACE,
// POWERTOOLS_METRICS_DISABLED, POWERTOOLS_METRICS_FUNCTION_NAME, POWERTOOLS_TRACE_DISABLED,
// POWERTOOLS_TRACER_CAPTURE_RESPONSE, POWERTOOLS_TRACER_CAPTURE_ERROR, POWERTOOLS_TRACE_MIDDLEWARES,
// AWS_XRAY_DAEMON_ADDRESS, AWS_SAM_LOCAL, AWS_LAMBDA_INITIALIZATION_TYPE, POWERTOOLS_PARAMETERS_MAX_AGE,
// POWERTOOLS_PARAMETERS_SSM_DECRYPT, POWERTOOLS_IDEMPOTENCY_DISABLED, POWERTOOLS_DEBUG, POWERTOOLS_DEV.
// Booleans accept 1, y, yes, t, true, on and 0, n, no, f, false, off in any case; anything else is an
// error from New.
package powertools
