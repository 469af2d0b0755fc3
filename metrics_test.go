package powertools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
)

// metricsNow is the fixed clock of the metrics tests: 2024-05-03T11:47:12.494Z.
var metricsNow = time.Date(2024, 5, 3, 11, 47, 12, 494_000_000, time.UTC)

func metricsClock() time.Time { return metricsNow }

// metricsRecorder keeps every Write call separately, so tests can check one blob per Write.
type metricsRecorder struct {
	mu     sync.Mutex
	writes [][]byte
}

func (r *metricsRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, bytes.Clone(p))
	return len(p), nil
}

func (r *metricsRecorder) blobs() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.writes...)
}

// metricsApp builds an App writing blobs to a recorder, with a fixed clock and an environment of its own.
func metricsApp(t testing.TB, env map[string]string, opts ...Option) (*App, *metricsRecorder) {
	t.Helper()
	rec := &metricsRecorder{}
	if env == nil {
		env = map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "booking-fn"}
	}
	base := []Option{
		WithEnv(env), WithClock(metricsClock), WithService("booking"),
		WithLogOutput(io.Discard), WithMetricsOutput(rec),
	}
	app, err := New(append(base, opts...)...)
	require.NoError(t, err)
	return app, rec
}

func metricsHandler(fn func(ctx context.Context) error) Handler {
	return HandlerFunc(func(ctx context.Context, _ []byte) ([]byte, error) {
		if err := fn(ctx); err != nil {
			return nil, err
		}
		return []byte(`"ok"`), nil
	})
}

var (
	metricsSchemaOnce sync.Once
	metricsSchema     *jsonschema.Schema
	metricsSchemaErr  error
)

func metricsEMFSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	metricsSchemaOnce.Do(func() {
		metricsSchema, metricsSchemaErr = jsonschema.NewCompiler().Compile(filepath.Join("testdata", "metrics", "emf.schema.json"))
	})
	require.NoError(t, metricsSchemaErr)
	return metricsSchema
}

// metricsBlob is a decoded EMF blob.
type metricsBlob struct {
	Namespace  string
	Timestamp  int64
	Dimensions []string   // the first dimension set
	Sets       [][]string // the other dimension sets (AddDimensionSet)
	Metrics    map[string][]float64
	Units      map[string]string
	HighRes    map[string]bool
	Root       map[string]any
}

// metricsDecode checks one blob against the EMF rules and decodes it: one line ending in a newline, no
// key twice, valid against testdata/metrics/emf.schema.json, and every dimension and metric the
// directive names present at the root with the right type.
func metricsDecode(t testing.TB, blob []byte) metricsBlob {
	t.Helper()
	require.True(t, bytes.HasSuffix(blob, []byte("\n")), "blob must end with a newline: %q", blob)
	require.Equal(t, 1, bytes.Count(blob, []byte("\n")), "one blob per Write: %q", blob)
	metricsNoDuplicateKeys(t, blob)

	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(blob))
	require.NoError(t, err)
	require.NoError(t, metricsEMFSchema(t).Validate(inst), "blob: %s", blob)

	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(blob))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&root))
	aws := root["_aws"].(map[string]any)
	ts, err := aws["Timestamp"].(json.Number).Int64()
	require.NoError(t, err)
	cwm := aws["CloudWatchMetrics"].([]any)
	require.Len(t, cwm, 1)
	dir := cwm[0].(map[string]any)
	b := metricsBlob{Namespace: dir["Namespace"].(string), Timestamp: ts, Root: root,
		Metrics: map[string][]float64{}, Units: map[string]string{}, HighRes: map[string]bool{}}
	sets := dir["Dimensions"].([]any)
	require.NotEmpty(t, sets)
	for i, set := range sets {
		var names []string
		for _, d := range set.([]any) {
			name := d.(string)
			_, isString := root[name].(string)
			require.True(t, isString, "dimension %q must be a string at the root: %s", name, blob)
			names = append(names, name)
		}
		require.LessOrEqual(t, len(names), metricsMaxDimensions)
		if i == 0 {
			b.Dimensions = names
		} else {
			b.Sets = append(b.Sets, names)
		}
	}
	for _, m := range dir["Metrics"].([]any) {
		def := m.(map[string]any)
		name := def["Name"].(string)
		vals, ok := root[name].([]any)
		require.True(t, ok, "metric %q must be an array at the root: %s", name, blob)
		require.NotEmpty(t, vals)
		require.LessOrEqual(t, len(vals), metricsMaxValues)
		for _, v := range vals {
			f, err := v.(json.Number).Float64()
			require.NoError(t, err)
			b.Metrics[name] = append(b.Metrics[name], f)
		}
		b.Units[name] = def["Unit"].(string)
		if r, ok := def["StorageResolution"]; ok {
			require.Equal(t, "1", r.(json.Number).String(), "StorageResolution only for high resolution")
			b.HighRes[name] = true
		}
	}
	return b
}

// metricsNoDuplicateKeys walks the tokens of blob and fails when an object holds a key twice, which
// encoding/json would accept silently.
func metricsNoDuplicateKeys(t testing.TB, blob []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(blob))
	var walk func() error
	walk = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key := k.(string)
				if seen[key] {
					return errors.New("duplicate key " + strconv.Quote(key))
				}
				seen[key] = true
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for dec.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	require.NoError(t, walk(), "blob: %s", blob)
	_, err := dec.Token()
	require.ErrorIs(t, err, io.EOF, "one JSON value per blob")
}

func metricsDecodeAll(t testing.TB, blobs [][]byte) []metricsBlob {
	t.Helper()
	out := make([]metricsBlob, 0, len(blobs))
	for _, b := range blobs {
		out = append(out, metricsDecode(t, b))
	}
	return out
}

func TestMetricsGolden(t *testing.T) {
	type tc struct {
		name      string
		env       map[string]string
		opts      []Option
		noService bool // no WithService: the App has no service name
		handler   func(ctx context.Context) error
		wantErr   error
	}
	add := func(name string, unit Unit, v float64) func(ctx context.Context) error {
		return func(ctx context.Context) error { return Metrics(ctx).Add(name, unit, v) }
	}
	boom := errors.New("boom")
	cases := []tc{
		{name: "basic", opts: []Option{WithMetrics("ServerlessAirline")}, handler: add("SuccessfulBooking", UnitCount, 1)},
		{name: "namespace_from_env", env: map[string]string{"POWERTOOLS_METRICS_NAMESPACE": "FromEnv"}, handler: add("SuccessfulBooking", UnitCount, 1)},
		{name: "values_units_resolution", opts: []Option{WithMetrics("ServerlessAirline")}, handler: func(ctx context.Context) error {
			m := Metrics(ctx)
			return errors.Join(
				m.Add("Latency", UnitMilliseconds, 12.5),
				m.Add("Latency", UnitMilliseconds, 7),
				m.Add("Latency", UnitMilliseconds, 130.25),
				m.AddHighResolution("Hits", UnitCountPerSecond, 3),
				m.Add("Tiny", UnitPercent, 1e-5),
				m.Add("Huge", UnitBytes, 1e16),
				m.Add("NegativeZero", UnitNone, math.Copysign(0, -1)),
				m.Add("Large", UnitCount, 123456789),
				m.Add("Throughput", UnitMegabytesPerSecond, 0.0001),
			)
		}},
		{name: "dimensions_metadata", opts: []Option{WithMetrics("ServerlessAirline"),
			WithDefaultDimensions(Dimension{Name: "environment", Value: "prod"}, Dimension{Name: "team", Value: "core"})},
			handler: func(ctx context.Context) error {
				m := Metrics(ctx)
				return errors.Join(
					m.AddDimension("operation", "confirm_booking"),
					m.AddDimension("environment", "staging"),
					m.AddMetadata("booking_id", "b-123"),
					m.AddMetadata("attempt", 3),
					m.AddMetadata("retried", true),
					m.AddMetadata("ratio", 0.25),
					m.AddMetadata("ratio32", float32(0.1)),
					m.AddMetadata("tags", []string{"a", "b\"c"}),
					m.AddMetadata("nested", map[string]any{"k": "v", "n": 1}),
					m.AddMetadata("nothing", nil),
					m.AddMetadata("note", "line1\nline2 \u2028 é"),
					m.AddMetadata("attempt", uint8(4)), // replaces the first value
					m.Add("BookingConfirmation", UnitCount, 1),
				)
			}},
		{name: "service_override", opts: []Option{WithMetrics("ServerlessAirline")}, handler: func(ctx context.Context) error {
			return errors.Join(Metrics(ctx).AddDimension("service", "payments"), Metrics(ctx).Add("Charged", UnitCount, 2))
		}},
		{name: "timestamp", opts: []Option{WithMetrics("ServerlessAirline")}, handler: func(ctx context.Context) error {
			return errors.Join(Metrics(ctx).SetTimestamp(metricsNow.Add(-time.Hour)), Metrics(ctx).Add("Late", UnitSeconds, 3600))
		}},
		{name: "single_metric", opts: []Option{WithMetrics("ServerlessAirline"), WithDefaultDimensions(Dimension{Name: "environment", Value: "prod"})},
			handler: func(ctx context.Context) error {
				m := Metrics(ctx)
				return errors.Join(
					m.AddDimension("operation", "book"),
					m.AddMetadata("booking_id", "b-1"),
					m.Add("InSet", UnitCount, 1),
					m.Single("Payment", UnitCount, 1, Dimension{Name: "gateway", Value: "stripe"}, Dimension{Name: "environment", Value: "dev"}),
					m.SingleHighResolution("PaymentLatency", UnitMilliseconds, 42, Dimension{Name: "gateway", Value: "stripe"}),
				)
			}},
		{name: "cold_start", opts: []Option{WithMetrics("ServerlessAirline"), WithColdStartMetric(),
			WithDefaultDimensions(Dimension{Name: "environment", Value: "prod"})}, handler: add("SuccessfulBooking", UnitCount, 1)},
		{name: "cold_start_no_function_name", env: map[string]string{}, opts: []Option{WithMetrics("ServerlessAirline"), WithColdStartMetric()},
			handler: func(context.Context) error { return nil }},
		// Dimension order as Powertools for Python writes it: the default dimensions, the added ones, and the
		// service last (a "service" dimension set during the invocation keeps its place instead).
		{name: "dimension_order", opts: []Option{WithMetrics("ServerlessAirline"),
			WithDefaultDimensions(Dimension{Name: "environment", Value: "prod"}, Dimension{Name: "team", Value: "core"})},
			handler: func(ctx context.Context) error {
				m := Metrics(ctx)
				return errors.Join(m.AddDimension("operation", "book"), m.AddDimension("region", "eu-west-1"), m.Add("Booked", UnitCount, 1))
			}},
		{name: "service_override_keeps_place", opts: []Option{WithMetrics("ServerlessAirline"),
			WithDefaultDimensions(Dimension{Name: "environment", Value: "prod"})},
			handler: func(ctx context.Context) error {
				m := Metrics(ctx)
				return errors.Join(m.AddDimension("operation", "book"), m.AddDimension("service", "payments"),
					m.AddDimension("region", "eu-west-1"), m.Add("Booked", UnitCount, 1))
			}},
		// No service name: no service dimension at all, an empty dimension set when nothing else is set.
		{name: "no_service", noService: true, opts: []Option{WithMetrics("ServerlessAirline")}, handler: add("SuccessfulBooking", UnitCount, 1)},
		{name: "no_service_default_dimensions", noService: true, opts: []Option{WithMetrics("ServerlessAirline"),
			WithDefaultDimensions(Dimension{Name: "environment", Value: "prod"})}, handler: add("SuccessfulBooking", UnitCount, 1)},
		{name: "no_service_cold_start", noService: true, opts: []Option{WithMetrics("ServerlessAirline"), WithColdStartMetric(),
			WithDefaultDimensions(Dimension{Name: "environment", Value: "prod"})}, handler: add("SuccessfulBooking", UnitCount, 1)},
		{name: "no_service_single", noService: true, opts: []Option{WithMetrics("ServerlessAirline")}, handler: func(ctx context.Context) error {
			return Metrics(ctx).Single("Payment", UnitCount, 1)
		}},
		// The ColdStart blob's function_name: the option, then the variable, then the Lambda function name.
		{name: "cold_start_function_name_option", opts: []Option{WithMetrics("ServerlessAirline"), WithColdStartMetric(),
			WithMetricsFunctionName("booking-api")}, env: map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "booking-fn",
			"POWERTOOLS_METRICS_FUNCTION_NAME": "from-env"}, handler: add("SuccessfulBooking", UnitCount, 1)},
		{name: "cold_start_function_name_env", opts: []Option{WithMetrics("ServerlessAirline"), WithColdStartMetric()},
			env:     map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "booking-fn", "POWERTOOLS_METRICS_FUNCTION_NAME": "booking-api"},
			handler: add("SuccessfulBooking", UnitCount, 1)},
		// Provisioned concurrency: the first invocation is not a cold start, so no ColdStart blob.
		{name: "cold_start_provisioned_concurrency", opts: []Option{WithMetrics("ServerlessAirline"), WithColdStartMetric()},
			env:     map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "booking-fn", "AWS_LAMBDA_INITIALIZATION_TYPE": "provisioned-concurrency"},
			handler: add("SuccessfulBooking", UnitCount, 1)},
		// Dimension sets: the first set is the invocation's dimensions; each AddDimensionSet adds one, made of
		// the default dimensions, its own and the service.
		{name: "dimension_sets_two", opts: []Option{WithMetrics("ServerlessAirline"),
			WithDefaultDimensions(Dimension{Name: "environment", Value: "prod"})},
			handler: func(ctx context.Context) error {
				m := Metrics(ctx)
				return errors.Join(
					m.AddDimension("operation", "book"),
					m.AddDimensionSet(Dimension{Name: "region", Value: "eu-west-1"}, Dimension{Name: "tier", Value: "gold"}),
					m.AddMetadata("booking_id", "b-1"),
					m.Add("Booked", UnitCount, 1),
				)
			}},
		{name: "dimension_sets_three", opts: []Option{WithMetrics("ServerlessAirline"),
			WithDefaultDimensions(Dimension{Name: "environment", Value: "prod"})},
			handler: func(ctx context.Context) error {
				m := Metrics(ctx)
				return errors.Join(
					m.AddDimension("operation", "book"),
					m.AddDimensionSet(Dimension{Name: "region", Value: "eu-west-1"}),
					// a name shared with the first set and a default, with the same values: written once at the root
					m.AddDimensionSet(Dimension{Name: "operation", Value: "book"}, Dimension{Name: "environment", Value: "prod"},
						Dimension{Name: "channel", Value: "web"}),
					m.Add("Booked", UnitCount, 1),
					m.Flush(), // the sets stay for the rest of the invocation
					m.Add("Paid", UnitCount, 1),
				)
			}},
		{name: "dimension_sets_no_service", noService: true, opts: []Option{WithMetrics("ServerlessAirline")},
			handler: func(ctx context.Context) error {
				m := Metrics(ctx)
				return errors.Join(m.AddDimensionSet(Dimension{Name: "region", Value: "eu-west-1"}), m.Add("Booked", UnitCount, 1))
			}},
		// Non-ASCII text is escaped as Python's json.dumps writes it (ensure_ascii), a surrogate pair beyond U+FFFF.
		{name: "non_ascii", opts: []Option{WithMetrics("ServerlessAirline")}, handler: func(ctx context.Context) error {
			m := Metrics(ctx)
			return errors.Join(m.AddDimension("city", "Zürich"), m.AddMetadata("note", "🙂 ok\u2028"),
				m.AddMetadata("tags", map[string]string{"ß": "日本"}), m.Add("Visits", UnitCount, 1))
		}},
		{name: "manual_flush", opts: []Option{WithMetrics("ServerlessAirline")}, handler: func(ctx context.Context) error {
			m := Metrics(ctx)
			return errors.Join(m.Add("First", UnitCount, 1), m.Flush(), m.Flush(), m.Add("Second", UnitCount, 2))
		}},
		{name: "handler_error", opts: []Option{WithMetrics("ServerlessAirline")}, handler: func(ctx context.Context) error {
			_ = Metrics(ctx).Add("Failed", UnitCount, 1)
			return boom
		}, wantErr: boom},
		{name: "handler_panic", opts: []Option{WithMetrics("ServerlessAirline")}, handler: func(ctx context.Context) error {
			_ = Metrics(ctx).Add("Panicked", UnitCount, 1)
			panic("handler exploded")
		}, wantErr: &PanicError{}},
		{name: "middleware_panic", opts: []Option{WithMetrics("ServerlessAirline"), WithMiddleware(func(next Handler) Handler {
			return HandlerFunc(func(ctx context.Context, p []byte) ([]byte, error) {
				_ = Metrics(ctx).Add("BeforePanic", UnitCount, 1)
				panic("middleware exploded")
			})
		})}, handler: add("Unreached", UnitCount, 1), wantErr: &PanicError{}},
		{name: "empty", opts: []Option{WithMetrics("ServerlessAirline")}, handler: func(context.Context) error { return nil }},
		{name: "empty_raise", opts: []Option{WithMetrics("ServerlessAirline"), WithRaiseOnEmptyMetrics()},
			handler: func(context.Context) error { return nil }, wantErr: ErrNoMetrics},
		{name: "empty_raise_handler_error", opts: []Option{WithMetrics("ServerlessAirline"), WithRaiseOnEmptyMetrics()},
			handler: func(context.Context) error { return boom }, wantErr: boom},
		{name: "disabled_option", opts: []Option{WithMetrics("ServerlessAirline"), WithMetricsDisabled(true), WithColdStartMetric(), WithRaiseOnEmptyMetrics()},
			handler: add("Hidden", UnitCount, 1)},
		{name: "disabled_env", env: map[string]string{"POWERTOOLS_METRICS_DISABLED": "true"}, opts: []Option{WithMetrics("ServerlessAirline")},
			handler: func(ctx context.Context) error {
				// validation still applies when output is off
				if err := Metrics(ctx).Add("Bad", Unit("Parsecs"), 1); !errors.Is(err, ErrMetricUnit) {
					return errors.New("want ErrMetricUnit, got " + errString(err))
				}
				return Metrics(ctx).Add("Hidden", UnitCount, 1)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var app *App
			var rec *metricsRecorder
			if c.noService {
				rec = &metricsRecorder{}
				env := c.env
				if env == nil {
					env = map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "booking-fn"}
				}
				var err error
				app, err = New(append([]Option{WithEnv(env), WithClock(metricsClock), WithLogOutput(io.Discard), WithMetricsOutput(rec)}, c.opts...)...)
				require.NoError(t, err)
			} else {
				app, rec = metricsApp(t, c.env, c.opts...)
			}
			_, err := app.Wrap(metricsHandler(c.handler)).Invoke(context.Background(), []byte(`{}`))
			switch want := c.wantErr.(type) {
			case nil:
				require.NoError(t, err)
			case *PanicError:
				var pe *PanicError
				require.ErrorAs(t, err, &pe)
			default:
				require.ErrorIs(t, err, want)
			}
			blobs := rec.blobs()
			metricsDecodeAll(t, blobs)
			got := bytes.Join(blobs, nil)
			path := filepath.Join("testdata", "metrics", c.name+".golden")
			if *updateGolden {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
		})
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func TestMetricsLimits(t *testing.T) {
	cases := []struct {
		name      string
		add       func(m *MetricSet, i int) error
		n         int
		wantBlobs []int // metrics per blob
		wantVals  []int // values of the metric "M0" per blob
	}{
		{name: "99 distinct", n: 99, wantBlobs: []int{99}, add: func(m *MetricSet, i int) error {
			return m.Add("M"+strconv.Itoa(i), UnitCount, float64(i))
		}},
		{name: "100 distinct", n: 100, wantBlobs: []int{100}, add: func(m *MetricSet, i int) error {
			return m.Add("M"+strconv.Itoa(i), UnitCount, float64(i))
		}},
		{name: "101 distinct", n: 101, wantBlobs: []int{100, 1}, add: func(m *MetricSet, i int) error {
			return m.Add("M"+strconv.Itoa(i), UnitCount, float64(i))
		}},
		{name: "100 values", n: 100, wantBlobs: []int{1}, wantVals: []int{100}, add: func(m *MetricSet, i int) error {
			return m.Add("M0", UnitCount, float64(i))
		}},
		{name: "101 values", n: 101, wantBlobs: []int{1, 1}, wantVals: []int{100, 1}, add: func(m *MetricSet, i int) error {
			return m.Add("M0", UnitCount, float64(i))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app, rec := metricsApp(t, nil, WithMetrics("Limits"))
			h := app.Wrap(metricsHandler(func(ctx context.Context) error {
				m := Metrics(ctx)
				if err := m.AddDimension("operation", "limits"); err != nil {
					return err
				}
				if err := m.AddMetadata("request", "r-1"); err != nil {
					return err
				}
				for i := range c.n {
					if err := c.add(m, i); err != nil {
						return err
					}
				}
				return nil
			}))
			_, err := h.Invoke(context.Background(), nil)
			require.NoError(t, err)
			blobs := metricsDecodeAll(t, rec.blobs())
			require.Len(t, blobs, len(c.wantBlobs))
			next := 0.0
			for i, b := range blobs {
				require.Len(t, b.Metrics, c.wantBlobs[i])
				require.Equal(t, []string{"operation", "service"}, b.Dimensions, "dimensions stay after an automatic flush")
				require.Equal(t, "r-1", b.Root["request"], "metadata stays after an automatic flush")
				if c.wantVals != nil {
					require.Len(t, b.Metrics["M0"], c.wantVals[i])
					for _, v := range b.Metrics["M0"] {
						require.Equal(t, next, v, "values in order, none lost")
						next++
					}
				}
			}
		})
	}
}

func TestMetricsColdStartOncePerProcess(t *testing.T) {
	app, rec := metricsApp(t, nil, WithMetrics("ServerlessAirline"), WithColdStartMetric())
	h := app.Wrap(metricsHandler(func(ctx context.Context) error {
		return Metrics(ctx).Add("Invocation", UnitCount, 1)
	}))
	for range 3 {
		_, err := h.Invoke(context.Background(), nil)
		require.NoError(t, err)
	}
	blobs := metricsDecodeAll(t, rec.blobs())
	require.Len(t, blobs, 4)
	require.Equal(t, map[string][]float64{"ColdStart": {1}}, blobs[0].Metrics)
	require.Equal(t, []string{"function_name", "service"}, blobs[0].Dimensions)
	require.Equal(t, "booking-fn", blobs[0].Root["function_name"])
	require.Equal(t, "booking", blobs[0].Root["service"])
	for _, b := range blobs[1:] {
		require.Equal(t, map[string][]float64{"Invocation": {1}}, b.Metrics)
	}
}

// TestMetricsConcurrentInvocations runs 64 invocations at once, each adding its own metric and dimension:
// every blob must hold exactly one invocation's data, and exactly one blob the cold start.
func TestMetricsConcurrentInvocations(t *testing.T) {
	const n = 64
	app, rec := metricsApp(t, nil, WithMetrics("Concurrent"), WithColdStartMetric())
	h := app.Wrap(metricsHandler(func(ctx context.Context) error {
		id := RequestID(ctx)
		m := Metrics(ctx)
		if err := m.AddDimension("invocation", id); err != nil {
			return err
		}
		if err := m.AddMetadata("request", id); err != nil {
			return err
		}
		// goroutines of one invocation share its set
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for g := range 4 {
			wg.Go(func() { errs[g] = m.Add("m_"+id, UnitCount, float64(g)) })
		}
		wg.Wait()
		return errors.Join(errs...)
	}))
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			ctx := lambdacontextWithRequestID(context.Background(), "req-"+strconv.Itoa(i))
			<-start
			_, errs[i] = h.Invoke(ctx, nil)
		})
	}
	close(start)
	wg.Wait()
	require.NoError(t, errors.Join(errs...))

	blobs := metricsDecodeAll(t, rec.blobs())
	require.Len(t, blobs, n+1)
	seen := map[string]bool{}
	cold := 0
	for _, b := range blobs {
		if _, ok := b.Metrics["ColdStart"]; ok {
			cold++
			require.Len(t, b.Metrics, 1)
			continue
		}
		id, _ := b.Root["invocation"].(string)
		require.NotEmpty(t, id)
		require.False(t, seen[id], "one blob per invocation")
		seen[id] = true
		require.Equal(t, id, b.Root["request"])
		require.Equal(t, []string{"invocation", "service"}, b.Dimensions)
		require.Len(t, b.Metrics, 1, "only this invocation's metric: %v", b.Metrics)
		vals := b.Metrics["m_"+id]
		require.ElementsMatch(t, []float64{0, 1, 2, 3}, vals)
	}
	require.Equal(t, 1, cold)
	require.Len(t, seen, n)
}

func TestMetricsBadInput(t *testing.T) {
	long := strings.Repeat("x", 256)
	cases := []struct {
		name  string
		setup func(m *MetricSet) error // valid calls before the bad one
		call  func(m *MetricSet) error
		want  error
		noop  bool // the no-op set refuses it too (it needs no state)
	}{
		{name: "unknown unit", call: func(m *MetricSet) error { return m.Add("m", Unit("Parsecs"), 1) }, want: ErrMetricUnit, noop: true},
		{name: "empty unit", call: func(m *MetricSet) error { return m.Add("m", "", 1) }, want: ErrMetricUnit, noop: true},
		{name: "lower-case unit", call: func(m *MetricSet) error { return m.Add("m", "count", 1) }, want: ErrMetricUnit, noop: true},
		{name: "NaN", call: func(m *MetricSet) error { return m.Add("m", UnitCount, math.NaN()) }, want: ErrMetricValue, noop: true},
		{name: "+Inf", call: func(m *MetricSet) error { return m.Add("m", UnitCount, math.Inf(1)) }, want: ErrMetricValue, noop: true},
		{name: "-Inf high resolution", call: func(m *MetricSet) error { return m.AddHighResolution("m", UnitCount, math.Inf(-1)) }, want: ErrMetricValue, noop: true},
		{name: "too large", call: func(m *MetricSet) error { return m.Add("m", UnitCount, 1e200) }, want: ErrMetricValue, noop: true},
		{name: "too small", call: func(m *MetricSet) error { return m.Add("m", UnitCount, 1e-200) }, want: ErrMetricValue, noop: true},
		{name: "empty name", call: func(m *MetricSet) error { return m.Add("", UnitCount, 1) }, want: ErrMetricName, noop: true},
		{name: "blank name", call: func(m *MetricSet) error { return m.Add("   ", UnitCount, 1) }, want: ErrMetricName, noop: true},
		{name: "long name", call: func(m *MetricSet) error { return m.Add(long, UnitCount, 1) }, want: ErrMetricName, noop: true},
		{name: "control character", call: func(m *MetricSet) error { return m.Add("a\nb", UnitCount, 1) }, want: ErrMetricName, noop: true},
		{name: "invalid UTF-8", call: func(m *MetricSet) error { return m.Add("a\xffb", UnitCount, 1) }, want: ErrMetricName, noop: true},
		{name: "reserved _aws", call: func(m *MetricSet) error { return m.Add("_aws", UnitCount, 1) }, want: ErrMetricName, noop: true},
		{name: "unit changed", setup: func(m *MetricSet) error { return m.Add("m", UnitCount, 1) },
			call: func(m *MetricSet) error { return m.Add("m", UnitSeconds, 1) }, want: ErrMetricConflict},
		{name: "resolution changed", setup: func(m *MetricSet) error { return m.Add("m", UnitCount, 1) },
			call: func(m *MetricSet) error { return m.AddHighResolution("m", UnitCount, 1) }, want: ErrMetricConflict},
		{name: "metric named like a dimension", call: func(m *MetricSet) error { return m.Add("service", UnitCount, 1) }, want: ErrMetricConflict},
		{name: "dimension named like a metric", setup: func(m *MetricSet) error { return m.Add("m", UnitCount, 1) },
			call: func(m *MetricSet) error { return m.AddDimension("m", "v") }, want: ErrMetricConflict},
		{name: "metadata named like a dimension", call: func(m *MetricSet) error { return m.AddMetadata("service", "x") }, want: ErrMetricConflict},
		{name: "metric named like metadata", setup: func(m *MetricSet) error { return m.AddMetadata("k", 1) },
			call: func(m *MetricSet) error { return m.Add("k", UnitCount, 1) }, want: ErrMetricConflict},
		{name: "empty dimension name", call: func(m *MetricSet) error { return m.AddDimension("", "v") }, want: ErrDimension, noop: true},
		{name: "empty dimension value", call: func(m *MetricSet) error { return m.AddDimension("d", "") }, want: ErrDimension, noop: true},
		{name: "blank dimension value", call: func(m *MetricSet) error { return m.AddDimension("d", " \t") }, want: ErrDimension, noop: true},
		{name: "non-ASCII dimension name", call: func(m *MetricSet) error { return m.AddDimension("dé", "v") }, want: ErrDimension, noop: true},
		{name: "dimension name with colon first", call: func(m *MetricSet) error { return m.AddDimension(":d", "v") }, want: ErrDimension, noop: true},
		{name: "long dimension value", call: func(m *MetricSet) error { return m.AddDimension("d", strings.Repeat("v", 1025)) }, want: ErrDimension, noop: true},
		{name: "30th dimension", setup: func(m *MetricSet) error {
			var errs []error
			for i := range 27 { // + environment (default) + service = 29
				errs = append(errs, m.AddDimension("d"+strconv.Itoa(i), "v"))
			}
			return errors.Join(errs...)
		}, call: func(m *MetricSet) error { return m.AddDimension("d27", "v") }, want: ErrTooManyDimensions},
		{name: "single with 30 dimensions", call: func(m *MetricSet) error {
			dims := make([]Dimension, 30)
			for i := range dims {
				dims[i] = Dimension{Name: "d" + strconv.Itoa(i), Value: "v"}
			}
			return m.Single("s", UnitCount, 1, dims...)
		}, want: ErrTooManyDimensions},
		{name: "single bad dimension", call: func(m *MetricSet) error { return m.Single("s", UnitCount, 1, Dimension{Name: "d"}) }, want: ErrDimension, noop: true},
		{name: "single bad unit", call: func(m *MetricSet) error { return m.Single("s", "Furlongs", 1) }, want: ErrMetricUnit, noop: true},
		{name: "single named like its dimension", call: func(m *MetricSet) error { return m.Single("s", UnitCount, 1, Dimension{Name: "s", Value: "v"}) }, want: ErrMetricConflict, noop: true},
		{name: "single named like a default dimension", call: func(m *MetricSet) error { return m.Single("environment", UnitCount, 1) }, want: ErrMetricConflict},
		{name: "empty dimension set", call: func(m *MetricSet) error { return m.AddDimensionSet() }, want: ErrDimension, noop: true},
		{name: "dimension set with a bad dimension", call: func(m *MetricSet) error {
			return m.AddDimensionSet(Dimension{Name: "a", Value: "1"}, Dimension{Name: "b"})
		}, want: ErrDimension, noop: true},
		{name: "dimension set naming a dimension twice", call: func(m *MetricSet) error {
			return m.AddDimensionSet(Dimension{Name: "a", Value: "1"}, Dimension{Name: "a", Value: "1"})
		}, want: ErrDimension, noop: true},
		{name: "dimension set of 30", call: func(m *MetricSet) error {
			dims := make([]Dimension, 28) // + environment (default) + service = 30
			for i := range dims {
				dims[i] = Dimension{Name: "d" + strconv.Itoa(i), Value: "v"}
			}
			return m.AddDimensionSet(dims...)
		}, want: ErrTooManyDimensions},
		{name: "dimension set with another value of a dimension", setup: func(m *MetricSet) error { return m.AddDimension("region", "eu") },
			call: func(m *MetricSet) error { return m.AddDimensionSet(Dimension{Name: "region", Value: "us"}) }, want: ErrMetricConflict},
		{name: "dimension set with another service", call: func(m *MetricSet) error {
			return m.AddDimensionSet(Dimension{Name: "service", Value: "other"})
		}, want: ErrMetricConflict},
		{name: "dimension set named like a metric", setup: func(m *MetricSet) error { return m.Add("m", UnitCount, 1) },
			call: func(m *MetricSet) error { return m.AddDimensionSet(Dimension{Name: "m", Value: "v"}) }, want: ErrMetricConflict},
		{name: "dimension changing a dimension set's value", setup: func(m *MetricSet) error {
			return m.AddDimensionSet(Dimension{Name: "region", Value: "eu"})
		}, call: func(m *MetricSet) error { return m.AddDimension("region", "us") }, want: ErrMetricConflict},
		{name: "metadata named like a dimension set's", setup: func(m *MetricSet) error {
			return m.AddDimensionSet(Dimension{Name: "region", Value: "eu"})
		}, call: func(m *MetricSet) error { return m.AddMetadata("region", "x") }, want: ErrMetricConflict},
		{name: "empty metadata key", call: func(m *MetricSet) error { return m.AddMetadata("", 1) }, want: ErrMetadata, noop: true},
		{name: "metadata key _aws", call: func(m *MetricSet) error { return m.AddMetadata("_aws", 1) }, want: ErrMetadata, noop: true},
		{name: "metadata NaN", call: func(m *MetricSet) error { return m.AddMetadata("k", math.NaN()) }, want: ErrMetadata, noop: true},
		{name: "metadata float32 Inf", call: func(m *MetricSet) error { return m.AddMetadata("k", float32(math.Inf(1))) }, want: ErrMetadata, noop: true},
		{name: "metadata channel", call: func(m *MetricSet) error { return m.AddMetadata("k", make(chan int)) }, want: ErrMetadata, noop: true},
		{name: "metadata NaN in map", call: func(m *MetricSet) error { return m.AddMetadata("k", map[string]float64{"x": math.NaN()}) }, want: ErrMetadata, noop: true},
		{name: "timestamp 15 days old", call: func(m *MetricSet) error { return m.SetTimestamp(metricsNow.Add(-15 * 24 * time.Hour)) }, want: ErrMetricTimestamp},
		{name: "timestamp 3 hours ahead", call: func(m *MetricSet) error { return m.SetTimestamp(metricsNow.Add(3 * time.Hour)) }, want: ErrMetricTimestamp},
		{name: "zero timestamp", call: func(m *MetricSet) error { return m.SetTimestamp(time.Time{}) }, want: ErrMetricTimestamp, noop: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app, rec := metricsApp(t, nil, WithMetrics("Bad"), WithDefaultDimensions(Dimension{Name: "environment", Value: "prod"}))
			h := app.Wrap(metricsHandler(func(ctx context.Context) error {
				m := Metrics(ctx)
				if c.setup != nil {
					if err := c.setup(m); err != nil {
						return err
					}
				}
				err := c.call(m)
				if !errors.Is(err, c.want) {
					return errors.New("want " + c.want.Error() + ", got " + errString(err))
				}
				var me *MetricError
				if !errors.As(err, &me) || !strings.HasPrefix(err.Error(), "powertools: ") {
					return errors.New("want a *MetricError prefixed powertools:, got " + errString(err))
				}
				return nil
			}))
			_, err := h.Invoke(context.Background(), nil)
			require.NoError(t, err)
			for _, b := range metricsDecodeAll(t, rec.blobs()) {
				require.NotContains(t, b.Metrics, "s", "a refused single metric is not written")
			}
			if c.noop {
				require.ErrorIs(t, c.call(Metrics(context.Background())), c.want, "the no-op set checks its arguments too")
			}
		})
	}
}

func TestMetricsConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		opts []Option
		want string
	}{
		{name: "empty namespace", opts: []Option{WithMetrics("")}, want: `WithMetrics="": must not be empty`},
		{name: "long namespace", opts: []Option{WithMetrics(strings.Repeat("n", 256))}, want: "longer than 255 bytes"},
		{name: "non-ASCII namespace", env: map[string]string{"POWERTOOLS_METRICS_NAMESPACE": "Ñamespace"}, want: "POWERTOOLS_METRICS_NAMESPACE"},
		{name: "option without namespace", opts: []Option{WithColdStartMetric()}, want: "metrics are on (WithColdStartMetric) but no namespace is set"},
		{name: "default dimensions without namespace", opts: []Option{WithDefaultDimensions(Dimension{Name: "a", Value: "b"})}, want: "metrics are on (WithDefaultDimensions)"},
		{name: "raise on empty without namespace", opts: []Option{WithRaiseOnEmptyMetrics()}, want: "metrics are on (WithRaiseOnEmptyMetrics)"},
		{name: "nil output", opts: []Option{WithMetrics("ns"), WithMetricsOutput(nil)}, want: "WithMetricsOutput"},
		{name: "bad disabled value", env: map[string]string{"POWERTOOLS_METRICS_DISABLED": "maybe"}, want: "POWERTOOLS_METRICS_DISABLED"},
		{name: "bad default dimension", opts: []Option{WithMetrics("ns"), WithDefaultDimensions(Dimension{Name: "env"})}, want: "value: must not be empty"},
		{name: "duplicate default dimension", opts: []Option{WithMetrics("ns"),
			WithDefaultDimensions(Dimension{Name: "env", Value: "a"}, Dimension{Name: "env", Value: "b"})}, want: "duplicate dimension name"},
		{name: "service as default dimension", opts: []Option{WithMetrics("ns"), WithDefaultDimensions(Dimension{Name: "service", Value: "x"})}, want: "WithService"},
		{name: "too many default dimensions", opts: []Option{WithMetrics("ns"), WithDefaultDimensions(func() []Dimension {
			d := make([]Dimension, 29)
			for i := range d {
				d[i] = Dimension{Name: "d" + strconv.Itoa(i), Value: "v"}
			}
			return d
		}()...)}, want: "at most 28 default dimensions"},
		{name: "service unusable as dimension", opts: []Option{WithMetrics("ns"), WithService(strings.Repeat("s", 1025))}, want: "not usable as the service dimension"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := c.env
			if env == nil {
				env = map[string]string{}
			}
			_, err := New(append([]Option{WithEnv(env)}, c.opts...)...)
			require.Error(t, err)
			require.ErrorIs(t, err, ErrConfig)
			require.Contains(t, err.Error(), c.want)
			require.Contains(t, err.Error(), "powertools: ")
		})
	}
}

func TestMetricsOffOrOutsideInvocation(t *testing.T) {
	// metrics off: the set is a no-op, not nil, and nothing is written anywhere
	app, err := New(WithEnv(map[string]string{}), WithLogOutput(io.Discard))
	require.NoError(t, err)
	require.Nil(t, app.metrics)
	// an output alone does not turn metrics on
	app2, err := New(WithEnv(map[string]string{}), WithLogOutput(io.Discard), WithMetricsOutput(io.Discard), WithMetricsDisabled(true))
	require.NoError(t, err)
	require.Nil(t, app2.metrics)
	_, err = app.Wrap(metricsHandler(func(ctx context.Context) error {
		m := Metrics(ctx)
		require.Same(t, app.metricsOff, m, "the no-op set of an App without a namespace")
		return errors.Join(m.Add("m", UnitCount, 1), m.AddDimension("d", "v"), m.AddMetadata("k", "v"),
			m.SetTimestamp(time.Now()), m.Single("s", UnitCount, 1), m.Flush())
	})).Invoke(context.Background(), nil)
	require.NoError(t, err)

	for _, ctx := range []context.Context{context.Background(), nil} { //nolint:staticcheck // nil context on purpose
		m := Metrics(ctx)
		require.NotNil(t, m)
		require.NoError(t, m.Add("m", UnitCount, 1))
		require.NoError(t, m.Flush())
	}
}

func TestMetricsTimestampBounds(t *testing.T) {
	app, rec := metricsApp(t, nil, WithMetrics("Bounds"))
	_, err := app.Wrap(metricsHandler(func(ctx context.Context) error {
		m := Metrics(ctx)
		return errors.Join(
			m.SetTimestamp(metricsNow.Add(-metricsPastLimit)), m.Add("m", UnitCount, 1), m.Flush(),
			m.SetTimestamp(metricsNow.Add(metricsFutureLimit)), m.Add("m", UnitCount, 2),
		)
	})).Invoke(context.Background(), nil)
	require.NoError(t, err)
	blobs := metricsDecodeAll(t, rec.blobs())
	require.Len(t, blobs, 2)
	require.Equal(t, metricsNow.Add(-metricsPastLimit).UnixMilli(), blobs[0].Timestamp)
	require.Equal(t, metricsNow.Add(metricsFutureLimit).UnixMilli(), blobs[1].Timestamp)
}

func TestMetricsDebugMode(t *testing.T) {
	var debug bytes.Buffer
	app, rec := metricsApp(t, nil, WithMetrics("Debug"), WithDebug(true), WithDebugOutput(&debug))
	_, err := app.Wrap(metricsHandler(func(ctx context.Context) error {
		return Metrics(ctx).Add("m", UnitCount, 1)
	})).Invoke(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, rec.blobs(), 1)
	require.Contains(t, debug.String(), `"message":"powertools: metrics flushed"`)
	require.Contains(t, debug.String(), `"metrics":1`)
}

func TestMetricsSetClosedAfterInvocation(t *testing.T) {
	app, rec := metricsApp(t, nil, WithMetrics("Closed"))
	var kept *MetricSet
	_, err := app.Wrap(metricsHandler(func(ctx context.Context) error {
		kept = Metrics(ctx)
		return kept.Add("m", UnitCount, 1)
	})).Invoke(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, rec.blobs(), 1)
	for _, err := range []error{
		kept.Add("late", UnitCount, 1), kept.AddHighResolution("late", UnitCount, 1), kept.AddDimension("d", "v"),
		kept.AddMetadata("k", "v"), kept.SetTimestamp(metricsNow), kept.Single("late", UnitCount, 1), kept.Flush(),
	} {
		require.ErrorIs(t, err, ErrMetricsClosed)
	}
	require.Len(t, rec.blobs(), 1, "a late call writes nothing")
}

type metricsFailingWriter struct{ short bool }

func (w metricsFailingWriter) Write(p []byte) (int, error) {
	if w.short {
		return len(p) / 2, nil
	}
	return 0, errors.New("disk full")
}

func TestMetricsOutputFailure(t *testing.T) {
	for _, short := range []bool{false, true} {
		t.Run("short="+strconv.FormatBool(short), func(t *testing.T) {
			app, err := New(WithEnv(map[string]string{}), WithLogOutput(io.Discard), WithMetrics("ns"),
				WithMetricsOutput(metricsFailingWriter{short: short}))
			require.NoError(t, err)
			boom := errors.New("boom")
			fail := false
			h := app.Wrap(metricsHandler(func(ctx context.Context) error {
				if err := Metrics(ctx).Add("m", UnitCount, 1); err != nil {
					return err
				}
				if fail {
					return boom
				}
				return nil
			}))
			_, err = h.Invoke(context.Background(), nil)
			require.ErrorIs(t, err, ErrMetricsOutput, "a lost blob fails an invocation that succeeded")
			if short {
				require.ErrorIs(t, err, io.ErrShortWrite)
			}
			fail = true
			_, err = h.Invoke(context.Background(), nil)
			require.ErrorIs(t, err, boom, "the handler's own error stays the invocation's error")
		})
	}
}

func TestMetricsFloatFormat(t *testing.T) {
	// the strings Python's repr (and so Powertools for Python) writes
	cases := []struct {
		in   float64
		want string
	}{
		{1, "1.0"}, {0, "0.0"}, {math.Copysign(0, -1), "-0.0"}, {-3, "-3.0"}, {12.5, "12.5"}, {0.1, "0.1"},
		{1.0 / 3, "0.3333333333333333"}, {123456789, "123456789.0"}, {0.0001, "0.0001"}, {0.00001, "1e-05"},
		{1.5e-7, "1.5e-07"}, {9999999999999998, "9999999999999998.0"}, {1e16, "1e+16"}, {1.2345e20, "1.2345e+20"},
		{1e100, "1e+100"}, {-2.5e-5, "-2.5e-05"}, {math.MaxFloat64, "1.7976931348623157e+308"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, string(jsonAppendFloat(nil, c.in, 64)), "%v", c.in)
		var back float64
		require.NoError(t, json.Unmarshal(jsonAppendFloat(nil, c.in, 64), &back))
		require.Equal(t, c.in, back)
	}
	require.Equal(t, "0.1", string(jsonAppendFloat(nil, float64(float32(0.1)), 32)))
}

func TestMetricsStringEscaping(t *testing.T) {
	for _, s := range []string{"plain", `q"b\s`, "ctl\x00\x01\x1f", "nl\n\r\t", "é漢🙂", "bad\xff\xfe", "\u2028\u2029", ""} {
		got := jsonAppendString(nil, s)
		require.True(t, json.Valid(got), "%q -> %s", s, got)
		want, err := json.Marshal(s)
		require.NoError(t, err)
		var a, b string
		require.NoError(t, json.Unmarshal(got, &a))
		require.NoError(t, json.Unmarshal(want, &b))
		require.Equal(t, b, a, "decodes as encoding/json's encoding does")
	}
}

// TestMetricsFlushAllocs holds the allocation budget: adding 10 metrics and 3 dimensions and flushing
// allocates at most 2 times once the pools are warm.
func TestMetricsFlushAllocs(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	app, err := New(WithEnv(map[string]string{}), WithLogOutput(io.Discard), WithMetrics("Allocs"), WithMetricsOutput(io.Discard))
	require.NoError(t, err)
	r := app.metrics
	names := metricsBenchNames()
	run := func() {
		set := r.newSet()
		metricsBenchFill(set, names)
		if err := set.close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	run()
	allocs := testing.AllocsPerRun(200, run)
	t.Logf("allocations per invocation set (10 metrics, 3 dimensions, flush): %v", allocs)
	require.LessOrEqual(t, allocs, 2.0)

	set := r.newSet()
	defer set.close(context.Background())
	flushOnly := testing.AllocsPerRun(200, func() {
		metricsBenchFill(set, names)
		if err := set.Flush(); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocations per flush on a live set: %v", flushOnly)
	require.LessOrEqual(t, flushOnly, 2.0)
}

func metricsBenchNames() []string {
	names := make([]string, 10)
	for i := range names {
		names[i] = "Metric" + strconv.Itoa(i)
	}
	return names
}

func metricsBenchFill(set *MetricSet, names []string) {
	_ = set.AddDimension("operation", "confirm_booking")
	_ = set.AddDimension("environment", "prod")
	_ = set.AddDimension("region", "eu-west-1")
	for i, n := range names {
		_ = set.Add(n, UnitMilliseconds, float64(i)+0.5)
	}
}

// BenchmarkMetricsFlush compares the hand encoder with building the same blob with encoding/json:
// 10 metrics, 3 dimensions (+ service), one flush, per operation.
func BenchmarkMetricsFlush(b *testing.B) {
	app, err := New(WithEnv(map[string]string{}), WithLogOutput(io.Discard), WithMetrics("Bench"),
		WithService("booking"), WithMetricsOutput(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	names := metricsBenchNames()
	b.Run("powertools", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			set := app.metrics.newSet()
			metricsBenchFill(set, names)
			if err := set.close(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := metricsJSONBaseline(io.Discard, "Bench", "booking", names); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMetricsFlushRatio runs both sides of BenchmarkMetricsFlush interleaved in small batches, so a
// noisy, shared machine slows both alike, and reports the ratio: baseline time / hand encoder time.
func BenchmarkMetricsFlushRatio(b *testing.B) {
	app, err := New(WithEnv(map[string]string{}), WithLogOutput(io.Discard), WithMetrics("Bench"),
		WithService("booking"), WithMetricsOutput(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	names := metricsBenchNames()
	const batch = 16
	var ours, theirs time.Duration
	for b.Loop() {
		start := time.Now()
		for range batch {
			set := app.metrics.newSet()
			metricsBenchFill(set, names)
			if err := set.close(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		mid := time.Now()
		for range batch {
			if err := metricsJSONBaseline(io.Discard, "Bench", "booking", names); err != nil {
				b.Fatal(err)
			}
		}
		ours, theirs = ours+mid.Sub(start), theirs+time.Since(mid)
	}
	n := float64(b.N * batch)
	b.ReportMetric(float64(ours.Nanoseconds())/n, "powertools-ns/flush")
	b.ReportMetric(float64(theirs.Nanoseconds())/n, "encoding_json-ns/flush")
	b.ReportMetric(float64(theirs)/float64(ours), "x-faster")
}

// metricsJSONBaseline is the straightforward encoding/json version of the same work: collect the metric
// set in maps and slices, marshal the blob, write it.
func metricsJSONBaseline(w io.Writer, namespace, service string, names []string) error {
	type def struct {
		Name              string `json:"Name"`
		Unit              string `json:"Unit"`
		StorageResolution int    `json:"StorageResolution,omitempty"`
	}
	type directive struct {
		Namespace  string     `json:"Namespace"`
		Dimensions [][]string `json:"Dimensions"`
		Metrics    []def      `json:"Metrics"`
	}
	type awsMeta struct {
		Timestamp         int64       `json:"Timestamp"`
		CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
	}
	var dimKeys []string
	blob := map[string]any{"service": service}
	for _, d := range [][2]string{{"operation", "confirm_booking"}, {"environment", "prod"}, {"region", "eu-west-1"}} {
		dimKeys = append(dimKeys, d[0])
		blob[d[0]] = d[1]
	}
	dimKeys = append(dimKeys, "service")
	defs := make([]def, 0, len(names))
	for i, n := range names {
		defs = append(defs, def{Name: n, Unit: string(UnitMilliseconds)})
		blob[n] = []float64{float64(i) + 0.5}
	}
	blob["_aws"] = awsMeta{
		Timestamp:         time.Now().UnixMilli(),
		CloudWatchMetrics: []directive{{Namespace: namespace, Dimensions: [][]string{dimKeys}, Metrics: defs}},
	}
	out, err := json.Marshal(blob)
	if err != nil {
		return err
	}
	_, err = w.Write(append(out, '\n'))
	return err
}

// TestMetricsBaselineSameContent checks the benchmark compares like with like: both sides produce the same
// EMF content.
func TestMetricsBaselineSameContent(t *testing.T) {
	var ours, theirs metricsRecorder
	app, err := New(WithEnv(map[string]string{}), WithLogOutput(io.Discard), WithMetrics("Bench"),
		WithService("booking"), WithMetricsOutput(&ours))
	require.NoError(t, err)
	names := metricsBenchNames()
	set := app.metrics.newSet()
	metricsBenchFill(set, names)
	require.NoError(t, set.close(context.Background()))
	require.NoError(t, metricsJSONBaseline(&theirs, "Bench", "booking", names))
	a, b := metricsDecode(t, ours.blobs()[0]), metricsDecode(t, theirs.blobs()[0])
	require.Equal(t, b.Metrics, a.Metrics)
	require.Equal(t, b.Units, a.Units)
	require.Equal(t, b.Dimensions, a.Dimensions)
	require.Equal(t, b.Namespace, a.Namespace)
}

// FuzzMetricsBlob feeds arbitrary names, values and metadata to a set: every call either returns an
// error or ends up in a blob that passes the EMF checks and carries the value unchanged.
func FuzzMetricsBlob(f *testing.F) {
	f.Add("Latency", "Milliseconds", 12.5, "operation", "book", "note", "hello")
	f.Add("a\"b", "Count", 1e16, "d\\", "v\n", "k\x00", "\xff")
	f.Add("", "Parsecs", math.NaN(), "", "", "", "")
	f.Add("_aws", "None", math.Copysign(0, -1), ":x", " ", "service", "\u2028")
	f.Add("m", "Count/Second", 1e-109, "service", "other", "m", "dup")
	f.Fuzz(func(t *testing.T, name, unit string, value float64, dimName, dimValue, metaKey, metaValue string) {
		app, rec := metricsApp(t, map[string]string{}, WithMetrics("Fuzz"))
		var addErr error
		_, err := app.Wrap(metricsHandler(func(ctx context.Context) error {
			m := Metrics(ctx)
			_ = m.AddDimension(dimName, dimValue)
			_ = m.AddMetadata(metaKey, metaValue)
			addErr = m.Add(name, Unit(unit), value)
			_ = m.Single(name, Unit(unit), value, Dimension{Name: dimName, Value: dimValue})
			_ = m.AddDimensionSet(Dimension{Name: dimName, Value: dimValue}, Dimension{Name: metaKey, Value: metaValue})
			return nil
		})).Invoke(context.Background(), nil)
		require.NoError(t, err)
		var found bool
		for _, b := range metricsDecodeAll(t, rec.blobs()) {
			if vals, ok := b.Metrics[name]; ok && len(b.Metrics) == 1 {
				require.Equal(t, []float64{value}, vals)
				found = true
			}
		}
		if addErr == nil {
			require.True(t, found, "an accepted metric reaches a blob")
		}
	})
}

func lambdacontextWithRequestID(ctx context.Context, id string) context.Context {
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: id})
}

// TestMetricsGoldenMatchesPython checks the golden blobs against testdata/metrics/python_model.py, a model
// of how Powertools for Python lays out a blob (dimension order, service last, the ColdStart and
// single_metric identities, key order, float repr, ASCII escaping): each case it knows must be the golden
// file byte for byte. It needs python3 (standard library only).
func TestMetricsGoldenMatchesPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		testenv.Missing(t, "python3 is not installed (apt-get install python3)")
	}
	out, err := exec.Command(python, filepath.Join("testdata", "metrics", "python_model.py")).Output()
	require.NoError(t, err)
	var cases map[string][]string
	require.NoError(t, json.Unmarshal(out, &cases))
	require.GreaterOrEqual(t, len(cases), 10)
	for name, blobs := range cases {
		want := strings.Join(blobs, "\n") + "\n"
		got, err := os.ReadFile(filepath.Join("testdata", "metrics", name+".golden"))
		require.NoError(t, err, name)
		require.Equal(t, want, string(got), "golden %s differs from Powertools for Python's layout", name)
	}
}

// TestMetricsEmptyWarning: an invocation that ends without a metric writes Powertools for Python's warning
// once per process, as one WARNING line; later empty invocations stay silent (debug mode notes them);
// WithRaiseOnEmptyMetrics makes it an error instead; a Single counts as a metric.
func TestMetricsEmptyWarning(t *testing.T) {
	cases := []struct {
		name      string
		opts      []Option
		handler   func(ctx context.Context) error
		wantWarns int
		wantErr   error
	}{
		{name: "three empty invocations", handler: func(context.Context) error { return nil }, wantWarns: 1},
		{name: "single counts", handler: func(ctx context.Context) error { return Metrics(ctx).Single("s", UnitCount, 1) }},
		{name: "raise", opts: []Option{WithRaiseOnEmptyMetrics()}, handler: func(context.Context) error { return nil }, wantErr: ErrNoMetrics},
		{name: "disabled", opts: []Option{WithMetricsDisabled(true)}, handler: func(context.Context) error { return nil }},
		{name: "cold start blob aside", opts: []Option{WithColdStartMetric()}, handler: func(context.Context) error { return nil }, wantWarns: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs, debug bytes.Buffer
			app, _ := metricsApp(t, nil, append([]Option{WithMetrics("Empty"), WithLogOutput(&logs), WithDebug(true),
				WithDebugOutput(&debug)}, c.opts...)...)
			h := app.Wrap(metricsHandler(c.handler))
			for i := range 3 {
				_, err := h.Invoke(lambdacontextWithRequestID(context.Background(), "req-"+strconv.Itoa(i)), nil)
				if c.wantErr != nil {
					require.ErrorIs(t, err, c.wantErr)
				} else {
					require.NoError(t, err)
				}
			}
			var warns []map[string]any
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				if line == "" {
					continue
				}
				var m map[string]any
				require.NoError(t, json.Unmarshal([]byte(line), &m), line)
				if m["level"] == "WARNING" {
					warns = append(warns, m)
				}
			}
			require.Len(t, warns, c.wantWarns, "log: %s", logs.String())
			if c.wantWarns > 0 {
				require.Equal(t, metricsEmptyWarning, warns[0]["message"])
				require.Equal(t, "req-0", warns[0]["function_request_id"], "written by the first empty invocation")
				require.Contains(t, debug.String(), "no metrics to publish", "debug mode notes the later ones")
			}
		})
	}
}

// TestMetricsNoNamespaceWarning: without WithMetrics and POWERTOOLS_METRICS_NAMESPACE metrics stay off, but
// the first Add of the process writes one WARNING line naming both, and debug mode says it for every call.
func TestMetricsNoNamespaceWarning(t *testing.T) {
	for _, debugOn := range []bool{false, true} {
		t.Run("debug="+strconv.FormatBool(debugOn), func(t *testing.T) {
			var logs, debug, out bytes.Buffer
			app, err := New(WithEnv(map[string]string{}), WithLogOutput(&logs), WithMetricsOutput(&out),
				WithDebug(debugOn), WithDebugOutput(&debug))
			require.NoError(t, err)
			require.Nil(t, app.metrics, "metrics stay off")
			h := app.Wrap(metricsHandler(func(ctx context.Context) error {
				m := Metrics(ctx)
				return errors.Join(m.Add("Orders", UnitCount, 1), m.AddHighResolution("Latency", UnitMilliseconds, 3),
					m.Single("Paid", UnitCount, 1))
			}))
			for range 2 {
				_, err := h.Invoke(context.Background(), nil)
				require.NoError(t, err)
			}
			require.Empty(t, out.String(), "nothing is written as metrics")
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			require.Len(t, lines, 1, "one WARNING line per process: %s", logs.String())
			var line map[string]any
			require.NoError(t, json.Unmarshal([]byte(lines[0]), &line))
			require.Equal(t, "WARNING", line["level"])
			require.Contains(t, line["message"], "POWERTOOLS_METRICS_NAMESPACE")
			require.Contains(t, line["message"], "WithMetrics")
			require.Equal(t, "Orders", line["metric"])
			dropped := strings.Count(debug.String(), "metrics are off")
			if debugOn {
				require.Equal(t, 5, dropped, "debug mode: every later call (6 calls, the first is the warning)")
			} else {
				require.Zero(t, dropped)
			}
		})
	}
	// POWERTOOLS_METRICS_DISABLED without a namespace: off on purpose, no warning.
	var logs bytes.Buffer
	app, err := New(WithEnv(map[string]string{"POWERTOOLS_METRICS_DISABLED": "true"}), WithLogOutput(&logs))
	require.NoError(t, err)
	_, err = app.Wrap(metricsHandler(func(ctx context.Context) error { return Metrics(ctx).Add("m", UnitCount, 1) })).
		Invoke(context.Background(), nil)
	require.NoError(t, err)
	require.Empty(t, logs.String())
}

func TestMetricsFunctionNameConfig(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		opts []Option
		want string
	}{
		{name: "blank option", opts: []Option{WithMetrics("ns"), WithMetricsFunctionName(" ")}, want: "WithMetricsFunctionName"},
		{name: "too long env", env: map[string]string{"POWERTOOLS_METRICS_FUNCTION_NAME": strings.Repeat("f", 1025)}, opts: []Option{WithMetrics("ns")},
			want: "POWERTOOLS_METRICS_FUNCTION_NAME"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := c.env
			if env == nil {
				env = map[string]string{}
			}
			_, err := New(append([]Option{WithEnv(env)}, c.opts...)...)
			require.ErrorIs(t, err, ErrConfig)
			require.Contains(t, err.Error(), c.want)
			require.Equal(t, 1, strings.Count(err.Error(), "powertools:"), "one prefix: %v", err)
		})
	}
}

// TestMetricsErrorOnePrefix: a metrics error wrapping another library error reads with one "powertools:".
func TestMetricsErrorOnePrefix(t *testing.T) {
	err := &MetricError{Op: "Flush", Reason: "writing the EMF blob", Err: ErrMetricsOutput, Cause: &outputPanicError{value: "disk on fire"}}
	require.Equal(t, "powertools: metrics: Flush: writing the EMF blob: output writer panicked: disk on fire", err.Error())
	require.ErrorIs(t, err, ErrOutputPanicked)
}

type metricsPanickyMarshaler struct{}

func (metricsPanickyMarshaler) MarshalJSON() ([]byte, error) { panic("MarshalJSON exploded") }

type metricsPanickyError struct{}

func (metricsPanickyError) Error() string { panic("Error() exploded") }

type metricsErrMarshaler struct{}

func (metricsErrMarshaler) MarshalJSON() ([]byte, error) { return nil, metricsPanickyError{} }

// TestMetricsHostileMetadata: a metadata value whose MarshalJSON panics, or returns an error whose Error
// panics, is an ErrMetadata error with a readable message, not a panic.
func TestMetricsHostileMetadata(t *testing.T) {
	app, rec := metricsApp(t, nil, WithMetrics("Hostile"))
	_, err := app.Wrap(metricsHandler(func(ctx context.Context) error {
		m := Metrics(ctx)
		for _, v := range []any{metricsPanickyMarshaler{}, metricsErrMarshaler{}} {
			err := m.AddMetadata("k", v)
			if !errors.Is(err, ErrMetadata) {
				return errors.New("want ErrMetadata, got " + errString(err))
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "powertools: metrics: AddMetadata") || strings.Count(msg, "powertools:") != 1 {
				return errors.New("unexpected message " + msg)
			}
		}
		return m.Add("ok", UnitCount, 1)
	})).Invoke(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, metricsDecodeAll(t, rec.blobs()), 1)
}

// TestMetricsColdStartBeforeHandler: the ColdStart blob is out before the handler runs, so a handler that
// times out or crashes the process still counts its cold start.
func TestMetricsColdStartBeforeHandler(t *testing.T) {
	app, rec := metricsApp(t, nil, WithMetrics("ServerlessAirline"), WithColdStartMetric())
	var seen []metricsBlob
	_, err := app.Wrap(metricsHandler(func(ctx context.Context) error {
		seen = metricsDecodeAll(t, rec.blobs())
		return Metrics(ctx).Add("m", UnitCount, 1)
	})).Invoke(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, seen, 1, "written before the handler ran")
	require.Equal(t, map[string][]float64{"ColdStart": {1}}, seen[0].Metrics)
	require.Equal(t, []string{"function_name", "service"}, seen[0].Dimensions)
}
