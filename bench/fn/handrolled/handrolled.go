// Package handrolled is the benchmark function instrumented by hand, the way a Go developer would without
// powertools: zap configured for the Powertools log dialect, the EMF blob built with encoding/json from a
// struct, and the subsegment recorded with aws-xray-sdk-go. Its output is equivalent to ../core's (same
// log keys, same EMF directive and values, one subsegment with the same name, annotations and metadata;
// bench's TestEquivalentOutput checks it), so the two costs compare like for like.
package handrolled

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/aws/aws-xray-sdk-go/xraylog"
	"github.com/gopowertools/powertools/bench/fn/order"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Config is what the function reads at init.
type Config struct {
	Log, Metrics io.Writer // default os.Stdout
	FunctionName string    // AWS_LAMBDA_FUNCTION_NAME
	MemorySize   string    // AWS_LAMBDA_FUNCTION_MEMORY_SIZE
	DaemonAddr   string    // X-Ray daemon; "" leaves the SDK's own default (AWS_XRAY_DAEMON_ADDRESS)
}

// ConfigFromEnv is the Config of a function running in Lambda.
func ConfigFromEnv() Config {
	return Config{FunctionName: os.Getenv("AWS_LAMBDA_FUNCTION_NAME"), MemorySize: os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")}
}

// Kit is the hand-written instrumentation: a zap logger, an EMF writer and the cold-start flag.
type Kit struct {
	log     *zap.Logger
	metrics io.Writer
	fn      string
	memory  string
	warm    atomic.Bool
}

// NewKit builds the logger and configures the X-Ray SDK.
func NewKit(cfg Config) (*Kit, error) {
	if cfg.Log == nil {
		cfg.Log = os.Stdout
	}
	if cfg.Metrics == nil {
		cfg.Metrics = os.Stdout
	}
	xray.SetLogger(xraylog.NullLogger)
	if cfg.DaemonAddr != "" {
		if err := xray.Configure(xray.Config{DaemonAddr: cfg.DaemonAddr}); err != nil {
			return nil, err
		}
	}
	enc := zapcore.NewJSONEncoder(zapcore.EncoderConfig{
		LevelKey:       "level",
		CallerKey:      "location",
		MessageKey:     "message",
		TimeKey:        "timestamp",
		StacktraceKey:  "stack_trace",
		LineEnding:     "\n",
		EncodeLevel:    zapcore.CapitalLevelEncoder,
		EncodeTime:     encodeTime,
		EncodeCaller:   encodeCaller,
		EncodeDuration: zapcore.MillisDurationEncoder,
	})
	log := zap.New(zapcore.NewCore(enc, zapcore.AddSync(cfg.Log), zapcore.InfoLevel), zap.AddCaller()).
		With(zap.String("service", order.Service))
	return &Kit{log: log, metrics: cfg.Metrics, fn: cfg.FunctionName, memory: cfg.MemorySize}, nil
}

func encodeTime(t time.Time, enc zapcore.PrimitiveArrayEncoder) {
	var b [32]byte
	enc.AppendByteString(t.UTC().AppendFormat(b[:0], "2006-01-02 15:04:05,000+0000"))
}

// encodeCaller writes function:line, as Powertools does.
func encodeCaller(c zapcore.EntryCaller, enc zapcore.PrimitiveArrayEncoder) {
	fn := c.Function
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	if i := strings.IndexByte(fn, '.'); i >= 0 {
		fn = fn[i+1:]
	}
	enc.AppendString(fn + ":" + strconv.Itoa(c.Line))
}

// Invocation is what Begin opened: the context carrying the subsegment, the subsegment and the
// invocation's logger.
type Invocation struct {
	Ctx  context.Context
	Seg  *xray.Segment
	Log  *zap.Logger
	Cold bool
}

// Begin opens the subsegment "## name" with the ColdStart and Service annotations and the invocation's
// logger carrying the Lambda context.
func (k *Kit) Begin(ctx context.Context, name string) Invocation {
	cold := !k.warm.Swap(true)
	ctx, seg := xray.BeginSubsegment(ctx, "## "+name)
	_ = seg.AddAnnotation("ColdStart", cold)
	_ = seg.AddAnnotation("Service", order.Service)
	lc, _ := lambdacontext.FromContext(ctx)
	if lc == nil {
		lc = &lambdacontext.LambdaContext{}
	}
	log := k.log.With(
		zap.Bool("cold_start", cold),
		zap.String("function_name", k.fn),
		zap.String("function_memory_size", k.memory), // as the runtime gives it, as Powertools writes it
		zap.String("function_arn", lc.InvokedFunctionArn),
		zap.String("function_request_id", lc.AwsRequestID),
		zap.String("xray_trace_id", traceRoot(ctx)),
	)
	return Invocation{Ctx: ctx, Seg: seg, Log: log, Cold: cold}
}

// End records the response as metadata "name response" and sends the subsegment.
func (k *Kit) End(inv Invocation, name string, response any, err error) {
	if err == nil {
		_ = inv.Seg.AddMetadataToNamespace(order.Service, name+" response", response)
	}
	inv.Seg.Close(err)
}

// traceRoot is the Root= part of the trace header the runtime put in the context.
func traceRoot(ctx context.Context) string {
	h, _ := ctx.Value("x-amzn-trace-id").(string)
	if h == "" {
		h = os.Getenv("_X_AMZN_TRACE_ID")
	}
	for part := range strings.SplitSeq(h, ";") {
		if root, ok := strings.CutPrefix(part, "Root="); ok {
			return root
		}
	}
	return ""
}

// EMF is the "_aws" member of a blob.
type EMF struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []EMFDirective `json:"CloudWatchMetrics"`
}

// EMFDirective names the namespace, dimensions and metrics of a blob.
type EMFDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []EMFMetric `json:"Metrics"`
}

// EMFMetric is one metric definition.
type EMFMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// NewEMF is the directive of one Count metric with the service dimension.
func NewEMF(metric string) EMF {
	return EMF{
		Timestamp: time.Now().UnixMilli(),
		CloudWatchMetrics: []EMFDirective{{
			Namespace:  order.Namespace,
			Dimensions: [][]string{{"service"}},
			Metrics:    []EMFMetric{{Name: metric, Unit: "Count"}},
		}},
	}
}

// WriteEMF encodes blob with encoding/json and writes it as one line.
func (k *Kit) WriteEMF(blob any) error {
	b, err := json.Marshal(blob)
	if err != nil {
		return err
	}
	_, err = k.metrics.Write(append(b, '\n'))
	return err
}

// blob is this function's EMF blob: one metric, Orders.
type blob struct {
	AWS     EMF       `json:"_aws"`
	Service string    `json:"service"`
	Orders  []float64 `json:"Orders"`
}

// Function is the hand-instrumented function.
type Function struct{ k *Kit }

// New builds the function.
func New(cfg Config) (*Function, error) {
	k, err := NewKit(cfg)
	if err != nil {
		return nil, err
	}
	return &Function{k: k}, nil
}

// Handle logs one line, writes one EMF blob and sends one subsegment.
func (f *Function) Handle(ctx context.Context, in order.Event) (res order.Result, err error) {
	inv := f.k.Begin(ctx, "Handle")
	defer func() { f.k.End(inv, "Handle", res, err) }()
	inv.Log.Info(order.Message, zap.String("order_id", in.ID))
	if err := f.k.WriteEMF(blob{AWS: NewEMF(order.Metric), Service: order.Service, Orders: []float64{1}}); err != nil {
		return order.Result{}, err
	}
	return order.Result{OK: true, ID: in.ID}, nil
}

// Handler is Handle through lambda.NewHandler.
func (f *Function) Handler() lambda.Handler { return lambda.NewHandler(f.Handle) }
