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
