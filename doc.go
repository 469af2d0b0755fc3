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
// # Middleware
//
// A [Middleware] wraps a [Handler]: it can read and replace the payload and the response, short-circuit,
// and see the handler's error. [WithMiddleware] registers them; the first registered runs outermost. The
// chain, outermost first: invocation state and logger context, tracer segment, metrics, user middleware,
// validation, handler. It is built once, in Wrap. A panic in a middleware or the handler becomes a
// [*PanicError] for that invocation only, logged as one ERROR line with the stack.
//
// # Logger
//
// [Logger] returns the invocation's *zap.Logger, writing one JSON object per line in the Powertools
// dialect, keys in this order: level, location, message, timestamp, service, sampling_rate, cold_start,
// function_name, function_memory_size, function_arn, function_request_id, correlation_id, appended keys,
// per-call fields, exception, exception_name, xray_trace_id. [Slog] gives the same lines through log/slog.
// [AppendKeys] and [RemoveKeys] change the keys of the rest of the invocation; a later value of a key
// replaces an earlier one, and the reserved keys (level, location, message, timestamp) cannot be
// overwritten. zap.Error(err) renders exception and exception_name. Levels are DEBUG, INFO, WARNING, ERROR
// and CRITICAL (zap's DPanic). [WithLogSampleRate] turns DEBUG on for a random share of invocations;
// [WithLogEvent] logs each event; [WithCorrelationIDPath] extracts a correlation id with JMESPath.
//
// # Metrics
//
// [WithMetrics] (or POWERTOOLS_METRICS_NAMESPACE) turns on CloudWatch Embedded Metric Format output.
// [Metrics] returns the invocation's [MetricSet]: Add, AddHighResolution, AddDimension, AddMetadata,
// SetTimestamp, Single. The set is written as one JSON line when the invocation ends (on success, error
// and panic) and earlier at the 100th metric or the 100th value of one metric; concurrent invocations never
// share a blob. [WithColdStartMetric] adds a ColdStart blob on the cold start. Bad input is a
// [*MetricError] and never a malformed blob.
//
// # Tracer
//
// [WithTracer] traces every sampled invocation in an X-Ray subsegment "## <handler>" annotated ColdStart
// and Service, with the response and the error as metadata. [Tracer] returns the invocation's
// [Subsegment]: Annotate, Metadata, Capture; [CaptureValue] also records a returned value. [InstrumentAWS]
// traces AWS SDK v2 calls and [InstrumentHTTP] HTTP calls. Documents are written by the library itself and
// sent over UDP to AWS_XRAY_DAEMON_ADDRESS; aws-xray-sdk-go is not linked (the xraybridge module bridges
// to it for code that uses it). Without a Sampled=1 trace header every call is a cheap no-op.
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
// validate does not link (nor initialise, at every cold start) a JSON Schema library:
// github.com/gopowertools/powertools/validation (validation.With for the App, Validate, SchemaJSON,
// SchemaFor) and github.com/gopowertools/powertools/parser (Parse and the ParseSQS, ParseSNS,
// ParseKinesis, ParseCloudWatchLogs, ParseEventBridge, ParseAPIGateway and ParseDynamoDBStream helpers).
// They plug in through [WithValidator] and unwrap events with [Envelope]. JMESPath stays here: [Search]
// knows powertools_json, powertools_base64 and powertools_base64_gzip, and the Envelope* constants are
// the built-in envelopes.
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
// # Debug mode
//
// [WithDebug] or POWERTOOLS_DEBUG=true writes the library's own diagnostics (resolved configuration,
// flushes, emission failures) to standard error; it is silent by default.
//
// # Environment variables
//
// POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, LOG_LEVEL, AWS_LAMBDA_LOG_LEVEL,
// POWERTOOLS_LOGGER_SAMPLE_RATE, POWERTOOLS_LOGGER_LOG_EVENT, POWERTOOLS_LOG_DEDUPLICATION_DISABLED
// (accepted; Go has no root logger to deduplicate), POWERTOOLS_METRICS_NAMESPACE,
// POWERTOOLS_METRICS_DISABLED, POWERTOOLS_TRACE_DISABLED, POWERTOOLS_TRACER_CAPTURE_RESPONSE,
// POWERTOOLS_TRACER_CAPTURE_ERROR, POWERTOOLS_TRACE_MIDDLEWARES, AWS_XRAY_DAEMON_ADDRESS, AWS_SAM_LOCAL,
// POWERTOOLS_PARAMETERS_MAX_AGE, POWERTOOLS_PARAMETERS_SSM_DECRYPT, POWERTOOLS_DEBUG. Booleans accept 1, y, yes, t, true,
// on and 0, n, no, f, false, off in any case; anything else is an error from New.
package powertools
