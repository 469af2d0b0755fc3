package powertools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gopowertools/powertools"
	ptevents "github.com/gopowertools/powertools/events"
	"github.com/gopowertools/powertools/parser"
	"github.com/gopowertools/powertools/validation"
)

// The hostile-input suite feeds every public decoder invalid, huge (16 MiB), deeply nested, wrong-typed
// and cyclic input. Each pair runs in a child process (this test binary, re-executed), so an input that
// crashes the process, which recover cannot stop (a fatal stack overflow, say), fails its test instead
// of killing the test binary. A decoder must return (an error or a value) without panicking, within
// hostileTimeout.

const (
	hostileChildEnv = "POWERTOOLS_HOSTILE_CHILD" // "<target>/<input>" in the child
	hostileTimeout  = 5 * time.Minute
	hostileSurvived = "hostile: survived"
)

// hostileTarget is one public entry point that decodes what it is given.
type hostileTarget struct {
	name string
	run  func(payload []byte) error
}

type hostileItem struct {
	ID    string  `json:"id"`
	Price float64 `json:"price"`
}

var hostileSchema = validation.SchemaFor[hostileItem]()

func hostileTargets() []hostileTarget {
	ignore := func(_ any, err error) error { return err }
	sqsRecord := func(_ context.Context, _ events.SQSMessage, _ hostileItem) error { return nil }
	kinesisRecord := func(_ context.Context, _ events.KinesisEventRecord, _ hostileItem) error { return nil }
	ddbRecord := func(_ context.Context, _ events.DynamoDBEventRecord, _ hostileItem) error { return nil }
	app, err := powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithLogOutput(new(bytes.Buffer)))
	if err != nil {
		panic(err)
	}
	idemApp, err := powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithLogOutput(new(bytes.Buffer)),
		powertools.WithIdempotency(powertools.NewMemoryStore(), powertools.WithIdemKeyPath("[Records[0].body, id, headers]")))
	if err != nil {
		panic(err)
	}
	invoke := func(h powertools.Handler) func([]byte) error {
		return func(p []byte) error { _, err := h.Invoke(lambdaCtx("hostile"), p); return err }
	}
	return []hostileTarget{
		{"DecodeJSON", func(p []byte) error { return ignore(powertools.DecodeJSON(p)) }},
		{"Search", func(p []byte) error { return ignore(powertools.Search("Records[*].body", p)) }},
		{"SearchPowertoolsJSON", func(p []byte) error {
			return ignore(powertools.Search("Records[*].powertools_json(body)", p))
		}},
		{"EnvelopeSQS", func(p []byte) error { return ignore(powertools.Search(powertools.EnvelopeSQS, p)) }},
		{"EnvelopeKinesis", func(p []byte) error {
			return ignore(powertools.Search(powertools.EnvelopeKinesisDataStream, p))
		}},
		{"EnvelopeCloudWatchLogs", func(p []byte) error {
			return ignore(powertools.Search(powertools.EnvelopeCloudWatchLogs, p))
		}},
		{"Validate", func(p []byte) error { return validation.Validate(p, hostileSchema, "") }},
		{"ValidateSQS", func(p []byte) error { return validation.Validate(p, hostileSchema, powertools.EnvelopeSQS) }},
		{"Parse", func(p []byte) error { return ignore(parser.Parse[hostileItem](p, "")) }},
		{"ParseSQS", func(p []byte) error { return ignore(parser.ParseSQS[hostileItem](p)) }},
		{"ParseSNS", func(p []byte) error { return ignore(parser.ParseSNS[hostileItem](p)) }},
		{"ParseKinesis", func(p []byte) error { return ignore(parser.ParseKinesis[hostileItem](p)) }},
		{"ParseCloudWatchLogs", func(p []byte) error { return ignore(parser.ParseCloudWatchLogs[hostileItem](p)) }},
		{"ParseEventBridge", func(p []byte) error { return ignore(parser.ParseEventBridge[hostileItem](p)) }},
		{"ParseDynamoDBStream", func(p []byte) error { return ignore(parser.ParseDynamoDBStream[hostileItem](p)) }},
		{"ParseAPIGateway", func(p []byte) error { return ignore(parser.ParseAPIGateway[hostileItem](p)) }},
		{"WrapTyped", invoke(app.Wrap(func(_ context.Context, in hostileItem) (hostileItem, error) { return in, nil }))},
		{"BatchSQS", invoke(app.Wrap(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			return powertools.ProcessSQSTyped(ctx, ev, sqsRecord, powertools.WithBatchAllowAllFailed(true))
		}))},
		{"BatchKinesis", invoke(app.Wrap(func(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
			return powertools.ProcessKinesisTyped(ctx, ev, kinesisRecord, powertools.WithBatchAllowAllFailed(true))
		}))},
		{"BatchDynamoDB", invoke(app.Wrap(func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			return powertools.ProcessDynamoDBStreamTyped(ctx, ev, ddbRecord, powertools.WithBatchAllowAllFailed(true))
		}))},
		{"EventsDynamoDB", func(p []byte) error { return ignore(ptevents.DecodeDynamoDBEvent(p)) }},
		{"EventsDynamoDBImage", func(p []byte) error { return ignore(ptevents.ParseDynamoDBImage(p)) }},
		{"EventsCloudWatchLogs", func(p []byte) error { return ignore(ptevents.DecodeCloudWatchLogsData(string(p))) }},
		{"EventsS3Key", func(p []byte) error { return ignore(ptevents.DecodeS3Key(string(p))) }},
		{"EventsHTTPBody", func(p []byte) error {
			var req events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(p, &req); err != nil {
				return err
			}
			return ignore(ptevents.BodyJSON[hostileItem](ptevents.FromAPIGatewayV2(&req)))
		}},
		{"EventsS3FromSQS", func(p []byte) error {
			var ev events.SQSEvent
			if err := json.Unmarshal(p, &ev); err != nil {
				return err
			}
			for _, m := range ev.Records {
				if _, err := ptevents.S3FromSNSInSQS(m); err != nil {
					return err
				}
			}
			return nil
		}},
		{"EventsKafka", func(p []byte) error {
			var ev events.KafkaEvent
			if err := json.Unmarshal(p, &ev); err != nil {
				return err
			}
			for _, r := range ptevents.KafkaRecords(ev) {
				if _, err := ptevents.KafkaValueJSON[hostileItem](r); err != nil {
					return err
				}
			}
			return nil
		}},
		{"IdempotencyKey", invoke(idemApp.Wrap(func(_ context.Context, p json.RawMessage) (json.RawMessage, error) { return p, nil }))},
		{"HTTPHandler", invoke(app.Wrap(powertools.HTTPHandler(hostileMux())))},
		{"Environment", func(p []byte) error {
			v := string(p)
			env := map[string]string{}
			for _, k := range hostileEnvVars {
				env[k] = v
			}
			return ignore(powertools.New(powertools.WithEnv(env), powertools.WithLogOutput(new(bytes.Buffer))))
		}},
	}
}

// hostileMux echoes what the HTTP adapter made of the request: method, path, query, headers and body.
func hostileMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"m":%q,"p":%q,"q":%q,"h":%d,"b":%d}`, r.Method, r.URL.Path, r.URL.RawQuery, len(r.Header), len(body))
	})
	return mux
}

// hostileEnvVars are the variables New reads.
var hostileEnvVars = []string{
	"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL", "LOG_LEVEL", "AWS_LAMBDA_LOG_LEVEL",
	"POWERTOOLS_LOGGER_SAMPLE_RATE", "POWERTOOLS_LOGGER_LOG_EVENT", "POWERTOOLS_LOG_DEDUPLICATION_DISABLED",
	"POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_TRACE_DISABLED",
	"POWERTOOLS_TRACER_CAPTURE_RESPONSE", "POWERTOOLS_TRACER_CAPTURE_ERROR", "POWERTOOLS_TRACE_MIDDLEWARES",
	"POWERTOOLS_DEBUG", "AWS_XRAY_DAEMON_ADDRESS", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
	"POWERTOOLS_PARAMETERS_MAX_AGE", "POWERTOOLS_PARAMETERS_SSM_DECRYPT", "POWERTOOLS_IDEMPOTENCY_DISABLED",
	"POWERTOOLS_DEV", "POWERTOOLS_METRICS_FUNCTION_NAME", "AWS_LAMBDA_INITIALIZATION_TYPE",
}

// hostileInputs are the payloads every target gets.
func hostileInputs() map[string]func() []byte {
	const huge = 16 << 20
	deep := func(open, close string, n int) []byte {
		return []byte(strings.Repeat(open, n) + strings.Repeat(close, n))
	}
	record := func(field string) []byte {
		return []byte(`{"Records":[{"messageId":"m1","eventSource":"aws:sqs",` + field + `}]}`)
	}
	return map[string]func() []byte{
		"empty":     func() []byte { return nil },
		"truncated": func() []byte { return []byte(`{"Records":[{"body":"{\"id\":`) },
		"not-json":  func() []byte { return []byte("\x00\xff not json at all") },
		"null":      func() []byte { return []byte("null") },
		"wrong-types": func() []byte {
			return []byte(`{"Records":"x","body":5,"detail":[1],"data":{"a":1},"id":[],"price":"p"}`)
		},
		"wrong-records": func() []byte {
			return []byte(`{"Records":[1,"two",null,[],{"body":{"id":1},"kinesis":5,"dynamodb":"x"}]}`)
		},
		"bad-base64": func() []byte {
			return []byte(`{"Records":[{"kinesis":{"data":"!!!="}}],"awslogs":{"data":"%%%"},"body":"x","isBase64Encoded":true}`)
		},
		"deep-array":  func() []byte { return deep("[", "]", 1<<20) },
		"deep-object": func() []byte { return deep(`{"a":`, "}", 1<<18) },
		"deep-body": func() []byte {
			return record(`"body":"` + strings.Repeat("[", 1<<18) + strings.Repeat("]", 1<<18) + `"`)
		},
		"huge-body": func() []byte {
			return record(`"body":"` + strings.Repeat("A", huge) + `"`)
		},
		"huge-records": func() []byte {
			var b bytes.Buffer
			b.WriteString(`{"Records":[`)
			for i := 0; b.Len() < huge; i++ {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `{"messageId":"m%d","body":"{\"id\":\"%d\",\"price\":1}"}`, i, i)
			}
			b.WriteString(`]}`)
			return b.Bytes()
		},
		"huge-number": func() []byte { return []byte(`{"id":"x","price":1` + strings.Repeat("0", 1<<20) + `}`) },
		"dynamodb-bad-attributes": func() []byte {
			return []byte(`{"Records":[{"eventID":"e1","eventSource":"aws:dynamodb","dynamodb":{"SequenceNumber":"1",` +
				`"Keys":{"k":{"S":"a","N":"1"}},"NewImage":{"a":{"BS":[0]},"b":{"L":[{"BS":[0]}]},"c":{"M":{"d":{}}},"e":{"N":"x"}}}}]}`)
		},
		"http-shapes": func() []byte {
			return []byte(`{"version":"2.0","rawPath":"/a%zz","rawQueryString":"` + strings.Repeat("a=1&", 1<<18) +
				`","headers":{"x\r\ny":"\u0000"},"cookies":[1],"requestContext":{"http":{"method":"G E T"}},"body":"%%%","isBase64Encoded":true}`)
		},
		"control-chars": func() []byte {
			return []byte("{\"id\":\"\\u0000\\ud800\\udfff\\u2028\",\"price\":1e309,\"headers\":{\"a\\r\\nb\":\"\\u0007\"}}")
		},
	}
}

func TestHostileInputs(t *testing.T) {
	if child := os.Getenv(hostileChildEnv); child != "" {
		hostileRunChild(child)
		return
	}
	if testing.Short() {
		t.Skip("runs every decoder on hostile input in child processes; skipped with -short")
	}
	for _, target := range hostileTargets() {
		t.Run(target.name, func(t *testing.T) {
			t.Parallel()
			hostileRunParent(t, target.name)
		})
	}
}

// hostileRunParent runs one target's child, which feeds it every input in turn, printing a line before
// and after each: an input without its "after" line is the one that killed the process.
func hostileRunParent(t *testing.T, target string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), hostileTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", "^TestHostileInputs$", "-test.count", "1")
	cmd.Env = append(os.Environ(), hostileChildEnv+"="+target)
	out, err := cmd.CombinedOutput()
	for name := range hostileInputs() {
		if bytes.Contains(out, []byte(hostileSurvived+": "+target+"/"+name+" ")) {
			continue
		}
		why := "the process did not survive"
		if ctx.Err() != nil {
			why = fmt.Sprintf("still running after %v (a hang or a blow-up)", hostileTimeout)
		} else if !bytes.Contains(out, []byte("hostile: start "+target+"/"+name+"\n")) {
			why = "never reached: an earlier input killed the process"
		}
		tail := out
		if len(tail) > 4000 {
			tail = append([]byte("(cut) ..."), tail[len(tail)-4000:]...)
		}
		t.Errorf("%s/%s: %s (%v):\n%s", target, name, why, err, tail)
	}
}

func hostileRunChild(target string) {
	for _, tg := range hostileTargets() {
		if tg.name != target {
			continue
		}
		for name, gen := range hostileInputs() {
			fmt.Printf("hostile: start %s/%s\n", target, name)
			err := tg.run(gen())
			msg := "<nil>"
			if err != nil {
				msg = err.Error()
				if len(msg) > 300 {
					msg = msg[:300] + "..."
				}
			}
			fmt.Printf("%s: %s/%s -> %s\n", hostileSurvived, target, name, msg)
		}
	}
}

// TestHostileCyclicValues hands the decoders that take Go values a map and a slice that contain
// themselves: an error, never a crash. They run in a child process for the same reason.
func TestHostileCyclicValues(t *testing.T) {
	cyclic := func() (map[string]any, []any) {
		m := map[string]any{"id": "x"}
		m["self"] = m
		s := []any{1}
		s[0] = s
		return m, s
	}
	// The schema walks into "self" and every array item, as deep as the value goes.
	recursive := validation.SchemaJSON(`{"type":["object","array","string","number"],"properties":{"self":{"$ref":"#"}},"items":{"$ref":"#"}}`)
	cases := map[string]func() error{
		"Search-map":   func() error { m, _ := cyclic(); _, err := powertools.Search("self.self.id", m); return err },
		"Search-slice": func() error { _, s := cyclic(); _, err := powertools.Search("[0]", s); return err },
		"Validate-map": func() error { m, _ := cyclic(); return validation.Validate(m, recursive, "") },
		"Validate-slice": func() error {
			_, s := cyclic()
			return validation.Validate(s, recursive, "")
		},
	}
	if name := os.Getenv(hostileChildEnv + "_CYCLIC"); name != "" {
		err := cases[name]()
		fmt.Printf("%s: %s -> %v\n", hostileSurvived, name, err)
		return
	}
	for name := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), hostileTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", "^TestHostileCyclicValues$", "-test.count", "1")
			cmd.Env = append(os.Environ(), hostileChildEnv+"_CYCLIC="+name)
			out, err := cmd.CombinedOutput()
			if err != nil || !bytes.Contains(out, []byte(hostileSurvived)) {
				if len(out) > 4000 {
					out = out[:4000]
				}
				t.Errorf("%s: the process did not survive (%v):\n%s", name, err, out)
			}
		})
	}
}
