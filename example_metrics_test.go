package powertools_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gopowertools/powertools"
)

// Metrics are added to the invocation's set and written as one EMF blob when the invocation ends.
func ExampleMetrics() {
	app, err := powertools.New(
		powertools.WithService("booking"),
		powertools.WithMetrics("ServerlessAirline"),
		powertools.WithDefaultDimensions(powertools.Dimension{Name: "environment", Value: "prod"}),
		powertools.WithMetricsOutput(os.Stdout), // the default; set here for the example
		powertools.WithClock(func() time.Time { return time.UnixMilli(1714736832494) }),
		powertools.WithEnv(map[string]string{}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := app.Wrap(func(ctx context.Context) error {
		m := powertools.Metrics(ctx)
		if err := m.AddDimension("operation", "confirm_booking"); err != nil {
			return err
		}
		if err := m.AddMetadata("booking_id", "b-123"); err != nil {
			return err
		}
		if err := m.Add("SuccessfulBooking", powertools.UnitCount, 1); err != nil {
			return err
		}
		return m.AddHighResolution("BookingLatency", powertools.UnitMilliseconds, 12.5)
	})
	if _, err := h.Invoke(context.Background(), []byte(`{}`)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"_aws":{"Timestamp":1714736832494,"CloudWatchMetrics":[{"Namespace":"ServerlessAirline","Dimensions":[["environment","operation","service"]],"Metrics":[{"Name":"SuccessfulBooking","Unit":"Count"},{"Name":"BookingLatency","Unit":"Milliseconds","StorageResolution":1}]}]},"environment":"prod","operation":"confirm_booking","service":"booking","booking_id":"b-123","SuccessfulBooking":[1.0],"BookingLatency":[12.5]}
}

// A bad unit, value or name is an error from the call; nothing of it reaches a blob.
func ExampleMetricSet_Add_badInput() {
	err := powertools.Metrics(context.Background()).Add("Latency", powertools.Unit("Parsecs"), 1)
	fmt.Println(err)
	// Output:
	// powertools: metrics: Add "Latency": "Parsecs" is not a CloudWatch unit
}

// Single writes one metric with dimensions of its own at once, apart from the invocation's set: its
// dimensions are the default ones and those given, without the service (Python's single_metric).
func ExampleMetricSet_Single() {
	app, _ := powertools.New(
		powertools.WithService("booking"),
		powertools.WithMetrics("ServerlessAirline"),
		powertools.WithClock(func() time.Time { return time.UnixMilli(1714736832494) }),
		powertools.WithEnv(map[string]string{}),
	)
	h := app.Wrap(func(ctx context.Context) error {
		return powertools.Metrics(ctx).Single("Payment", powertools.UnitCount, 1,
			powertools.Dimension{Name: "gateway", Value: "stripe"})
	})
	_, _ = h.Invoke(context.Background(), []byte(`{}`))
	// Output:
	// {"_aws":{"Timestamp":1714736832494,"CloudWatchMetrics":[{"Namespace":"ServerlessAirline","Dimensions":[["gateway"]],"Metrics":[{"Name":"Payment","Unit":"Count"}]}]},"gateway":"stripe","Payment":[1.0]}
}

// AddDimensionSet makes CloudWatch aggregate the blob's metrics by one more set of dimensions: the default
// dimensions, the set's own and the service. The first set is the invocation's dimensions.
func ExampleMetricSet_AddDimensionSet() {
	app, _ := powertools.New(
		powertools.WithService("booking"),
		powertools.WithMetrics("ServerlessAirline"),
		powertools.WithDefaultDimensions(powertools.Dimension{Name: "environment", Value: "prod"}),
		powertools.WithClock(func() time.Time { return time.UnixMilli(1714736832494) }),
		powertools.WithEnv(map[string]string{}),
	)
	h := app.Wrap(func(ctx context.Context) error {
		m := powertools.Metrics(ctx)
		if err := m.AddDimension("operation", "book"); err != nil {
			return err
		}
		if err := m.AddDimensionSet(powertools.Dimension{Name: "region", Value: "eu-west-1"}); err != nil {
			return err
		}
		return m.Add("Booked", powertools.UnitCount, 1)
	})
	_, _ = h.Invoke(context.Background(), []byte(`{}`))
	// Output:
	// {"_aws":{"Timestamp":1714736832494,"CloudWatchMetrics":[{"Namespace":"ServerlessAirline","Dimensions":[["environment","operation","service"],["environment","region","service"]],"Metrics":[{"Name":"Booked","Unit":"Count"}]}]},"environment":"prod","operation":"book","service":"booking","region":"eu-west-1","Booked":[1.0]}
}
