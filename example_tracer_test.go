package powertools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/gopowertools/powertools"
)

// The handler runs in a subsegment "## <handler>"; Capture and CaptureValue nest subsegments under it.
// Here a UDP socket stands in for the X-Ray daemon and prints what it receives.
func ExampleTracer() {
	daemon, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	defer daemon.Close()

	app, err := powertools.New(
		powertools.WithTracer(),
		powertools.WithService("checkout"),
		powertools.WithXRayDaemonAddress(daemon.LocalAddr().String()),
		powertools.WithEnv(nil), // ignore the process environment in this example
	)
	if err != nil {
		panic(err)
	}
	handler := powertools.WrapFunc(app, func(ctx context.Context, order struct{ ID string }) (string, error) {
		powertools.Tracer(ctx).Annotate("order_id", order.ID) // indexed: filter traces by it
		price, err := powertools.CaptureValue(ctx, "price", func(ctx context.Context) (float64, error) {
			return 12.5, nil // recorded as metadata "price response"
		})
		if err != nil {
			return "", err
		}
		err = powertools.Tracer(ctx).Capture("charge", func(ctx context.Context) error {
			powertools.Tracer(ctx).Metadata("amount", price)
			return nil
		})
		return "paid", err
	})

	// The Lambda runtime passes the trace header in the context (or _X_AMZN_TRACE_ID).
	//lint:ignore SA1029 aws-lambda-go's runtime loop passes the trace header under this string key
	ctx := context.WithValue(context.Background(), "x-amzn-trace-id",
		"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	out, _ := handler.Invoke(ctx, []byte(`{"ID":"o-42"}`))
	fmt.Println(string(out))

	buf := make([]byte, 65536)
	n, _ := daemon.Read(buf)
	header, body, _ := strings.Cut(string(buf[:n]), "\n")
	var doc struct {
		Name        string
		ParentID    string `json:"parent_id"`
		Annotations map[string]any
		Subsegments []struct{ Name string }
	}
	_ = json.Unmarshal([]byte(body), &doc)
	fmt.Println(header)
	fmt.Println(doc.Name, "parent", doc.ParentID)
	fmt.Println(doc.Annotations["order_id"], doc.Annotations["Service"], doc.Annotations["ColdStart"])
	for _, s := range doc.Subsegments {
		fmt.Println("  ", s.Name)
	}
	// Output:
	// "paid"
	// {"format": "json", "version": 1}
	// ## ExampleTracer.func1 parent 53995c3f42cd8ad8
	// o-42 checkout true
	//    price
	//    charge
}

// InstrumentAWS adds a subsegment per AWS SDK v2 call made with a client built from the config.
func ExampleInstrumentAWS() {
	cfg := aws.Config{Region: "eu-west-1"} // usually from config.LoadDefaultConfig
	powertools.InstrumentAWS(&cfg)
	fmt.Println(len(cfg.APIOptions))
	// Output: 1
}

// InstrumentHTTP traces outgoing requests made with the request's context and passes the trace on.
func ExampleInstrumentHTTP() {
	client := &http.Client{Transport: powertools.InstrumentHTTP(http.DefaultTransport)}
	_ = client // client.Do(req.WithContext(ctx)) inside the handler
	fmt.Println("ok")
	// Output: ok
}
