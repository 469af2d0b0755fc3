package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// testdata/mixed.jsonl is the real `go test -json` stream of three packages: one with a passing, a
// failing (with a failing subtest) and a skipped test, one whose test panics, one that does not build.
func TestReport(t *testing.T) {
	stream, err := os.ReadFile("testdata/mixed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		verbose bool
		want    []string // in this order
		absent  []string
	}{
		{name: "failures in full", want: []string{
			"--- FAIL: TestFails/sub_bad (example.com/trmod/a",
			"a_test.go:10: got 1, want 2",
			"--- FAIL: TestFails (example.com/trmod/a",
			"a_test.go:8: the context a reader needs",
			"FAIL\texample.com/trmod/a",
			"c/c_test.go:5:32: undefined: undefinedThing",
			"FAIL\texample.com/trmod/c",
			"--- FAIL: TestPanics (example.com/trmod/b",
			"b_test.go:6: before the panic",
			"panic: assignment to entry in nil map",
			"example.com/trmod/b.TestPanics(",
			"FAIL\texample.com/trmod/b",
		}, absent: []string{"quiet when passing", "--- PASS", "--- SKIP", "not today"}},
		{name: "verbose adds the verdicts", verbose: true, want: []string{
			"--- PASS: TestPasses (",
			"--- PASS: TestFails/sub_ok (",
			"--- FAIL: TestFails/sub_bad (",
			"--- SKIP: TestSkipped (",
		}, absent: []string{"quiet when passing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			failed, err := report(bytes.NewReader(stream), &out, tt.verbose)
			if err != nil {
				t.Fatal(err)
			}
			if !failed {
				t.Error("a stream with failures reported as passing")
			}
			rest := out.String()
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("missing (or out of order) %q in:\n%s", w, out.String())
				}
				rest = rest[i+len(w):]
			}
			for _, a := range tt.absent {
				if strings.Contains(out.String(), a) {
					t.Errorf("%q should not be printed:\n%s", a, out.String())
				}
			}
		})
	}
}

func TestReportPassing(t *testing.T) {
	stream := `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:3: chatter\n"}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0.01}
{"Action":"output","Package":"p","Output":"PASS\n"}
{"Action":"pass","Package":"p","Elapsed":0.5}
{"Action":"output","Package":"q","Output":"?   \tq\t[no test files]\n"}
{"Action":"skip","Package":"q","Elapsed":0}
`
	var out bytes.Buffer
	failed, err := report(strings.NewReader(stream), &out, false)
	if err != nil || failed {
		t.Fatalf("failed=%v err=%v", failed, err)
	}
	if want := "ok  \tp\t0.500s\n?   \tq\t[no test files]\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

// A stream cut in the middle of a test (go test killed) or holding no result at all is a failure, and
// what was written is shown.
func TestReportIncomplete(t *testing.T) {
	for name, stream := range map[string]string{
		"cut":     `{"Action":"run","Package":"p","Test":"TestA"}` + "\n" + `{"Action":"output","Package":"p","Test":"TestA","Output":"last words\n"}` + "\n",
		"no json": "go: cannot find main module\n",
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			failed, err := report(strings.NewReader(stream), &out, false)
			if err != nil || !failed {
				t.Fatalf("failed=%v err=%v", failed, err)
			}
			if !strings.Contains(out.String(), "last words") && !strings.Contains(out.String(), "cannot find main module") {
				t.Errorf("output lost: %q", out.String())
			}
		})
	}
}
