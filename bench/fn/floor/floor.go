// Package floor is the least any instrumented variant of the benchmark function must do: decode the
// event through aws-lambda-go, write one log line and one EMF blob that are already built, send one trace
// document over UDP and answer. Its bytes are those ../core writes for one warm invocation (same keys,
// same values, same size; bench's TestEquivalentOutput checks it), built once at init, so its cost is the
// decode, the two writes, the one datagram and the answer: the physical floor of scenario 1.
package floor

import (
	"context"
	"io"
	"net"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/gopowertools/powertools/bench/fn/order"
)

// The pre-built output of one warm invocation of ../core, byte for byte as it writes it (the timestamps,
// the location's line and the subsegment id are those of one run).
const (
	LogLine = `{"level":"INFO","location":"Handle:16","message":"order processed","timestamp":"2026-12-01 09:20:41,820+0000","service":"bench","cold_start":false,"function_name":"bench-fn","function_memory_size":"128","function_arn":"arn:aws:lambda:us-east-1:123456789012:function:bench-fn","function_request_id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","order_id":"o-42","xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793"}` + "\n"
	EMF     = `{"_aws":{"Timestamp":1796116841820,"CloudWatchMetrics":[{"Namespace":"Bench","Dimensions":[["service"]],"Metrics":[{"Name":"Orders","Unit":"Count"}]}]},"service":"bench","Orders":[1.0]}` + "\n"
	// Datagram is the X-Ray daemon protocol: the header line, then the subsegment document.
	Datagram = `{"format": "json", "version": 1}` + "\n" + `{"name":"## Handle","id":"1409348e732459da","trace_id":"1-5759e988-bd862e3fe1be46a994272793","parent_id":"53995c3f42cd8ad8","type":"subsegment","start_time":1796116841.820883,"end_time":1796116841.820990,"annotations":{"ColdStart":false,"Service":"bench"},"metadata":{"bench":{"Handle response":{"ok":true,"id":"o-42"}}}}`
)

// Config is where the function writes.
type Config struct {
	Log, Metrics io.Writer // default os.Stdout
	DaemonAddr   string    // the X-Ray daemon's UDP address; default 127.0.0.1:2000
}

// Function holds the pre-built bytes and the connected UDP socket.
type Function struct {
	log, metrics io.Writer
	conn         *net.UDPConn
	line, emf    []byte
	datagram     []byte
}

// New builds the bytes once and dials the daemon (a connected UDP socket, as the library's tracer uses).
func New(cfg Config) (*Function, error) {
	if cfg.Log == nil {
		cfg.Log = os.Stdout
	}
	if cfg.Metrics == nil {
		cfg.Metrics = os.Stdout
	}
	if cfg.DaemonAddr == "" {
		cfg.DaemonAddr = "127.0.0.1:2000"
	}
	addr, err := net.ResolveUDPAddr("udp", cfg.DaemonAddr)
	if err != nil {
		return nil, err
	}
	conn, err := net.DialUDP("udp", nil, addr)
	if err != nil {
		return nil, err
	}
	return &Function{log: cfg.Log, metrics: cfg.Metrics, conn: conn,
		line: []byte(LogLine), emf: []byte(EMF), datagram: []byte(Datagram)}, nil
}

// Handle writes the line, the blob and the datagram, and answers as every variant does.
func (f *Function) Handle(ctx context.Context, in order.Event) (order.Result, error) {
	if _, err := f.log.Write(f.line); err != nil {
		return order.Result{}, err
	}
	if _, err := f.metrics.Write(f.emf); err != nil {
		return order.Result{}, err
	}
	// a lost datagram is not the function's failure (the tracer ignores it too)
	_, _ = f.conn.Write(f.datagram)
	return order.Result{OK: true, ID: in.ID}, nil
}

// Handler is Handle as the runtime runs it: through lambda.NewHandler (JSON in, JSON out).
func (f *Function) Handler() lambda.Handler { return lambda.NewHandler(f.Handle) }

// Close closes the UDP socket.
func (f *Function) Close() error { return f.conn.Close() }
