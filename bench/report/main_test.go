package main

import "testing"

func TestParseBench(t *testing.T) {
	out := []byte("goos: linux\n" +
		"BenchmarkInvokeAll/powertools-2   \t  43804\t  91038 ns/op\t  1.000 datagrams/op\t  1.000 emf/op\t  2.000 lines/op\t  17424 B/op\t  346 allocs/op\n" +
		"BenchmarkInvoke/powertools-2   \t  186376\t  16367 ns/op\t  1.000 datagrams/op\t  1.000 emf/op\t  1.000 lines/op\t  2419 B/op\t  26 allocs/op\n" +
		"PASS\n")
	res, err := parseBench(out, "BenchmarkInvoke/powertools")
	if err != nil {
		t.Fatal(err)
	}
	want := result{"ns/op": 16367, "datagrams/op": 1, "emf/op": 1, "lines/op": 1, "B/op": 2419, "allocs/op": 26}
	for k, v := range want {
		if res[k] != v {
			t.Errorf("%s = %v, want %v (all: %v)", k, res[k], v, res)
		}
	}
	if _, err := parseBench(out, "BenchmarkInvoke/handrolled"); err == nil {
		t.Error("a missing benchmark parsed")
	}
	if _, err := parseBench([]byte("BenchmarkInvoke/x-2 1 abc ns/op\n"), "BenchmarkInvoke/x"); err == nil {
		t.Error("a bad value parsed")
	}
}

func TestMedian(t *testing.T) {
	rs := []result{{"ns/op": 3}, {"ns/op": 1}, {"ns/op": 10}, {"ns/op": 2}}
	if m := median(rs, "ns/op"); m != 2.5 {
		t.Errorf("median = %v", m)
	}
	if m := median(rs[:3], "ns/op"); m != 3 {
		t.Errorf("median = %v", m)
	}
}

func TestPerRound(t *testing.T) {
	inv := map[string][]result{
		"B/powertools": {{"ns/op": 13}, {"ns/op": 30}, {"ns/op": 12}},
		"B/floor":      {{"ns/op": 10}, {"ns/op": 20}, {"ns/op": 10}},
	}
	got := perRound(inv, "B/powertools", "B/floor")
	want := []float64{1.3, 1.5, 1.2}
	if len(got) != len(want) {
		t.Fatalf("perRound = %v, want %v", got, want)
	}
	for i := range want {
		if d := got[i] - want[i]; d > 1e-9 || d < -1e-9 {
			t.Errorf("round %d: %v, want %v", i, got[i], want[i])
		}
	}
	if m := medianOf(got); m < 1.3-1e-9 || m > 1.3+1e-9 {
		t.Errorf("median = %v, want 1.3", m)
	}
	if r := perRound(inv, "B/powertools", "B/missing"); len(r) != 0 {
		t.Errorf("a missing job gave %v", r)
	}
}
