package powertoolstest

import (
	"encoding/json"
	"fmt"
	"time"
)

// Blob is one decoded EMF blob (one line of metrics output).
type Blob struct {
	Timestamp     time.Time
	Namespace     string
	DimensionSets [][]string
	Definitions   []MetricDefinition // the _aws.CloudWatchMetrics[0].Metrics entries, in order
	// Values holds each metric's values (EMF writes them as an array; a single number is one value).
	Values map[string][]float64
	// Dimensions holds the value of every key named in a dimension set.
	Dimensions map[string]string
	// Metadata holds the other top-level keys: AddMetadata's, as encoding/json decodes them.
	Metadata map[string]any
	Raw      string
}

// MetricDefinition is a metric's entry in the blob's metadata.
type MetricDefinition struct {
	Name              string
	Unit              string
	StorageResolution int // 1 for high resolution, 0 (absent) for standard
}

// Metric is one metric as one blob holds it.
type Metric struct {
	Name              string
	Unit              string
	StorageResolution int
	Namespace         string
	Timestamp         time.Time
	Values            []float64
	Dimensions        map[string]string
	Metadata          map[string]any
}

// Metrics maps a metric name to the blobs holding it, one Metric each, in the order they were written:
// ["OrderValue"] has one entry per currency when each was written with its own dimensions.
type Metrics map[string][]Metric

// Values returns every value of the metric name across blobs, in the order written.
func (m Metrics) Values(name string) []float64 {
	var out []float64
	for _, e := range m[name] {
		out = append(out, e.Values...)
	}
	return out
}

// Sum returns the sum of every value of the metric name.
func (m Metrics) Sum(name string) float64 {
	var sum float64
	for _, v := range m.Values(name) {
		sum += v
	}
	return sum
}

// Blobs returns every EMF blob the App wrote, in the order written (a line that is not an EMF blob
// fails the test).
func (r *Recorder) Blobs() []Blob {
	r.t.Helper()
	return r.blobs(0, -1)
}

// Metrics returns every metric the App wrote, by name.
func (r *Recorder) Metrics() Metrics {
	r.t.Helper()
	return metricsOf(r.Blobs())
}

// blobs decodes lines [from, to) of the metrics output; to < 0 means to the end.
func (r *Recorder) blobs(from, to int) []Blob {
	r.t.Helper()
	lines := r.emf.snapshot()
	if to < 0 || to > len(lines) {
		to = len(lines)
	}
	var out []Blob
	for _, raw := range lines[from:to] {
		b, err := ParseBlob(raw)
		if err != nil {
			r.t.Errorf("powertoolstest: %v", err)
			continue
		}
		out = append(out, b)
	}
	return out
}

func metricsOf(blobs []Blob) Metrics {
	m := Metrics{}
	for _, b := range blobs {
		for _, d := range b.Definitions {
			m[d.Name] = append(m[d.Name], Metric{
				Name: d.Name, Unit: d.Unit, StorageResolution: d.StorageResolution,
				Namespace: b.Namespace, Timestamp: b.Timestamp, Values: b.Values[d.Name],
				Dimensions: b.Dimensions, Metadata: b.Metadata,
			})
		}
	}
	return m
}

// ParseBlob decodes one EMF blob and checks its structure: the _aws object with one CloudWatchMetrics
// directive, every metric and dimension it names present at the top level.
func ParseBlob(raw string) (Blob, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &top); err != nil {
		return Blob{}, fmt.Errorf("EMF blob is not a JSON object: %q: %w", raw, err)
	}
	var aws struct {
		Timestamp         *int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []MetricDefinition
		}
	}
	if err := json.Unmarshal(top["_aws"], &aws); err != nil || aws.Timestamp == nil || len(aws.CloudWatchMetrics) != 1 {
		return Blob{}, fmt.Errorf("EMF blob without a valid _aws object (Timestamp and one CloudWatchMetrics directive): %q", raw)
	}
	cwm := aws.CloudWatchMetrics[0]
	b := Blob{
		Timestamp: time.UnixMilli(*aws.Timestamp).UTC(), Namespace: cwm.Namespace, DimensionSets: cwm.Dimensions,
		Definitions: cwm.Metrics, Values: map[string][]float64{}, Dimensions: map[string]string{},
		Metadata: map[string]any{}, Raw: raw,
	}
	used := map[string]bool{"_aws": true}
	for _, d := range cwm.Metrics {
		v, ok := top[d.Name]
		if !ok {
			return Blob{}, fmt.Errorf("EMF blob: metric %q has no value: %q", d.Name, raw)
		}
		var vals []float64
		if err := json.Unmarshal(v, &vals); err != nil {
			var one float64
			if err := json.Unmarshal(v, &one); err != nil {
				return Blob{}, fmt.Errorf("EMF blob: metric %q: value is not a number or an array of numbers: %q", d.Name, raw)
			}
			vals = []float64{one}
		}
		b.Values[d.Name] = vals
		used[d.Name] = true
	}
	for _, set := range cwm.Dimensions {
		for _, name := range set {
			var v string
			if err := json.Unmarshal(top[name], &v); err != nil {
				return Blob{}, fmt.Errorf("EMF blob: dimension %q is not a string at the top level: %q", name, raw)
			}
			b.Dimensions[name] = v
			used[name] = true
		}
	}
	for k, v := range top {
		if used[k] {
			continue
		}
		var x any
		_ = json.Unmarshal(v, &x) // valid: the whole object decoded
		b.Metadata[k] = x
	}
	return b, nil
}
