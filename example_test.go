package powertools_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools"
	"go.uber.org/zap"
)

// exampleCtx is what the Lambda runtime hands a handler.
func exampleCtx() context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		AwsRequestID:       "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
		InvokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:orders",
	})
}

// exampleOptions make the output deterministic: a fixed clock, stdout, an environment of their own.
func exampleOptions() []powertools.Option {
	return []powertools.Option{
		powertools.WithEnv(map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "orders", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}),
		powertools.WithClock(func() time.Time { return time.Date(2021, 5, 3, 11, 47, 12, 494e6, time.UTC) }),
		powertools.WithLogOutput(os.Stdout),
	}
}

type exOrder struct {
	ID     string  `json:"id"`
	Amount float64 `json:"amount"`
}

type exReceipt struct {
	OrderID string `json:"order_id"`
	Status  string `json:"status"`
}

func ExampleApp_Wrap() {
	app, err := powertools.New(append(exampleOptions(), powertools.WithService("orders"))...)
	if err != nil {
		panic(err)
	}
	handler := app.Wrap(func(ctx context.Context, o exOrder) (exReceipt, error) {
		powertools.Logger(ctx).Info("order accepted", zap.String("order_id", o.ID), zap.Float64("amount", o.Amount))
		return exReceipt{OrderID: o.ID, Status: "accepted"}, nil
	})
	// In a function: lambda.Start(handler), or powertools.Start(fn, opts...) for both steps.
	out, err := handler.Invoke(exampleCtx(), []byte(`{"id":"o-1","amount":12.5}`))
	fmt.Println(string(out), err)
	// Output:
	// {"level":"INFO","location":"ExampleApp_Wrap.func1:47","message":"order accepted","timestamp":"2021-05-03 11:47:12,494+0000","service":"orders","cold_start":true,"function_name":"orders","function_memory_size":"256","function_arn":"arn:aws:lambda:eu-west-1:123456789012:function:orders","function_request_id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","order_id":"o-1","amount":12.5}
	// {"order_id":"o-1","status":"accepted"} <nil>
}

func ExampleWrapFunc() {
	app, err := powertools.New(exampleOptions()...)
	if err != nil {
		panic(err)
	}
	handler := powertools.WrapFunc(app, func(_ context.Context, o exOrder) (exReceipt, error) {
		return exReceipt{OrderID: o.ID, Status: "typed"}, nil
	})
	out, _ := handler.Invoke(exampleCtx(), []byte(`{"id":"o-2"}`))
	fmt.Println(string(out))
	// Output: {"order_id":"o-2","status":"typed"}
}

func ExampleWithMiddleware() {
	timing := func(next powertools.Handler) powertools.Handler {
		return powertools.HandlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			fmt.Println("before, payload:", string(payload))
			out, err := next.Invoke(ctx, payload)
			fmt.Println("after, response:", string(out))
			return out, err
		})
	}
	app, err := powertools.New(append(exampleOptions(), powertools.WithMiddleware(timing))...)
	if err != nil {
		panic(err)
	}
	_, _ = app.Wrap(func(_ context.Context, name string) (string, error) { return "hello " + name, nil }).
		Invoke(exampleCtx(), []byte(`"gopher"`))
	// Output:
	// before, payload: "gopher"
	// after, response: "hello gopher"
}

func ExampleAppendKeys() {
	app, err := powertools.New(append(exampleOptions(), powertools.WithService("orders"),
		powertools.WithCorrelationIDPath(powertools.CorrelationAPIGatewayREST))...)
	if err != nil {
		panic(err)
	}
	handler := app.Wrap(func(ctx context.Context) error {
		powertools.AppendKeys(ctx, zap.String("customer_id", "c-42"))
		powertools.Logger(ctx).Warn("stock low", zap.Int("left", 3))
		return nil
	})
	_, _ = handler.Invoke(exampleCtx(), []byte(`{"requestContext":{"requestId":"r-77"}}`))
	// Output:
	// {"level":"WARNING","location":"ExampleAppendKeys.func1:99","message":"stock low","timestamp":"2021-05-03 11:47:12,494+0000","service":"orders","cold_start":true,"function_name":"orders","function_memory_size":"256","function_arn":"arn:aws:lambda:eu-west-1:123456789012:function:orders","function_request_id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","correlation_id":"r-77","customer_id":"c-42","left":3}
}

func ExampleWithLogBuffer() {
	app, err := powertools.New(append(exampleOptions(), powertools.WithService("orders"),
		powertools.WithLogBuffer(powertools.LogBufferConfig{}))...)
	if err != nil {
		panic(err)
	}
	handler := app.Wrap(func(ctx context.Context, o exOrder) error {
		log := powertools.Logger(ctx)
		log.Debug("loading order", zap.String("order_id", o.ID)) // kept back
		if o.Amount <= 0 {
			// The buffered DEBUG lines are written first, then this line.
			log.Error("bad amount", zap.Float64("amount", o.Amount))
		}
		return nil // a successful invocation drops what is left in the buffer
	})
	_, _ = handler.Invoke(exampleCtx(), []byte(`{"id":"o-1","amount":12.5}`))
	_, _ = handler.Invoke(exampleCtx(), []byte(`{"id":"o-2","amount":0}`))
	// Output:
	// {"level":"DEBUG","location":"ExampleWithLogBuffer.func1:115","message":"loading order","timestamp":"2021-05-03 11:47:12,494+0000","service":"orders","cold_start":false,"function_name":"orders","function_memory_size":"256","function_arn":"arn:aws:lambda:eu-west-1:123456789012:function:orders","function_request_id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","order_id":"o-2"}
	// {"level":"ERROR","location":"ExampleWithLogBuffer.func1:118","message":"bad amount","timestamp":"2021-05-03 11:47:12,494+0000","service":"orders","cold_start":false,"function_name":"orders","function_memory_size":"256","function_arn":"arn:aws:lambda:eu-west-1:123456789012:function:orders","function_request_id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","amount":0.0}
}

// LogBufferConfig's zero value is Python's LoggerBufferConfig defaults: 20 480 bytes, DEBUG lines,
// flushed on the first ERROR line.
func ExampleLogBufferConfig() {
	app, err := powertools.New(powertools.WithService("orders"), powertools.WithLogBuffer(powertools.LogBufferConfig{}))
	if err != nil {
		panic(err)
	}
	fmt.Println(app.Service())
	// Output: orders
}
