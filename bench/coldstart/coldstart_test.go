package coldstart

import (
	"context"
	"os"
	"testing"
	"time"
)

// The harness works end to end with one run of every function: each builds, starts, answers its first
// invocation correctly through the runtime API, and the time is plausible. The 20+ run measurement is
// the report's (scripts/bench.sh), not a test's.
func TestHarnessOneRun(t *testing.T) {
	bins := Functions()
	if err := Build(context.Background(), "..", t.TempDir(), bins); err != nil {
		t.Fatal(err)
	}
	for _, b := range bins {
		if fi, err := os.Stat(b.Path); err != nil || fi.Size() == 0 {
			t.Fatalf("%s: not built: %v", b.Name, err)
		}
	}
	h, err := NewHarness()
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	got, err := h.Run(context.Background(), bins, 1)
	if err != nil {
		t.Fatal(err)
	}
	// The tracing binaries send their subsegment before answering, the others nothing.
	tracing := map[string]bool{"core": true, "full": true, "handrolled": true, "handrolled-full": true}
	for _, b := range bins {
		before := h.Datagrams()
		if _, err := h.Measure(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Second)
		for tracing[b.Name] && h.Datagrams() == before && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if sent := h.Datagrams() - before; (sent > 0) != tracing[b.Name] {
			t.Errorf("%s sent %d datagrams to the X-Ray daemon", b.Name, sent)
		}
	}
	for _, b := range bins {
		in, err := InitTrace(context.Background(), b)
		if err != nil || in.Total <= 0 || in.Heaviest == "" {
			t.Errorf("%s: init trace %+v, %v", b.Name, in, err)
		}
	}
	for _, b := range bins {
		if len(got[b.Name]) != 1 || got[b.Name][0] <= 0 || got[b.Name][0] > 20*time.Second {
			t.Errorf("%s: %v", b.Name, got[b.Name])
		}
	}
}

// A binary that answers wrong or dies is an error, not a figure.
func TestHarnessRefusesWrongAnswer(t *testing.T) {
	bins := Functions()[:1]
	if err := Build(context.Background(), "..", t.TempDir(), bins); err != nil {
		t.Fatal(err)
	}
	h, err := NewHarness()
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	bins[0].Want = `{"ok":false}`
	if _, err := h.Measure(context.Background(), bins[0]); err == nil {
		t.Error("a wrong answer was measured")
	}
	bins[0].Path = "/bin/true"
	if _, err := h.Measure(context.Background(), bins[0]); err == nil {
		t.Error("a binary that exits was measured")
	}
}

func TestQuantile(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5}, {0.9, 9}, {1, 10}, {0, 1}} {
		if got := Quantile(ds, tc.q); got != tc.want {
			t.Errorf("Quantile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if Quantile(nil, 0.5) != 0 {
		t.Error("Quantile of nothing")
	}
}

func TestParseInitTrace(t *testing.T) {
	out := []byte("init runtime @0.046 ms, 0.087 ms clock, 0 bytes, 0 allocs\n" +
		"init github.com/santhosh-tekuri/jsonschema/v6 @2.0 ms, 4.8 ms clock, 1700512 bytes, 21278 allocs\n" +
		"2026/11/27 expected AWS Lambda environment variables\n" +
		"init os @0.85 ms, 0.019 ms clock, 416 bytes, 9 allocs\n")
	in, n := parseInitTrace(out)
	if n != 3 || in.Heaviest != "github.com/santhosh-tekuri/jsonschema/v6" ||
		in.Total != 4906*time.Microsecond || in.HeavyDur != 4800*time.Microsecond {
		t.Errorf("got %+v from %d lines", in, n)
	}
}
