package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json), build events included.
type event struct {
	Action      string
	Package     string
	ImportPath  string // build-output and build-fail events
	Test        string
	Elapsed     float64
	Output      string
	FailedBuild string
}

// testKey names one test of one package; Test is "" for the package's own output.
type testKey struct{ pkg, test string }

// report reads events from r and writes the report to w. It reports whether anything failed. A line that
// is not JSON (go test's own complaints before it starts) is copied through and counts as a failure only
// when no package result follows.
func report(r io.Reader, w io.Writer, verbose bool) (bool, error) {
	out := map[testKey]*bytes.Buffer{}
	build := map[string]*bytes.Buffer{}
	failed := false
	results := 0
	var stray bytes.Buffer
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil {
			stray.Write(line)
			stray.WriteByte('\n')
			continue
		}
		switch ev.Action {
		case "build-output":
			buf(build, ev.ImportPath).WriteString(ev.Output)
		case "build-fail":
			failed = true
			_, _ = io.Copy(w, buf(build, ev.ImportPath))
		case "output":
			k := testKey{ev.Package, ev.Test}
			b := out[k]
			if b == nil {
				b = new(bytes.Buffer)
				out[k] = b
			}
			b.WriteString(ev.Output)
		case "pass", "skip", "fail":
			if ev.Test == "" {
				results++
				if ev.Action == "fail" {
					failed = true
					fmt.Fprintf(w, "FAIL\t%s\t%.3fs\n", ev.Package, ev.Elapsed)
					if b := out[testKey{ev.Package, ""}]; b != nil {
						writeIndented(w, packageOutput(b.String()))
					}
				} else if ev.Action == "pass" {
					fmt.Fprintf(w, "ok  \t%s\t%.3fs\n", ev.Package, ev.Elapsed)
				} else {
					fmt.Fprintf(w, "?   \t%s\t[no test files]\n", ev.Package)
				}
				clearPackage(out, ev.Package)
				continue
			}
			k := testKey{ev.Package, ev.Test}
			if ev.Action == "fail" {
				failed = true
				fmt.Fprintf(w, "--- FAIL: %s (%s, %.2fs); its output:\n", ev.Test, ev.Package, ev.Elapsed)
				if b := out[k]; b != nil {
					writeIndented(w, b.String())
				}
			} else if verbose {
				fmt.Fprintf(w, "--- %s: %s (%.2fs)\n", strings.ToUpper(ev.Action), ev.Test, ev.Elapsed)
			}
			delete(out, k)
		}
	}
	if err := sc.Err(); err != nil {
		return true, err
	}
	if stray.Len() > 0 {
		_, _ = w.Write(stray.Bytes())
		if results == 0 {
			failed = true
		}
	}
	// Packages that never ended (the stream was cut): show what they wrote.
	var left []testKey
	for k := range out {
		left = append(left, k)
	}
	sort.Slice(left, func(i, j int) bool {
		if left[i].pkg != left[j].pkg {
			return left[i].pkg < left[j].pkg
		}
		return left[i].test < left[j].test
	})
	for _, k := range left {
		failed = true
		fmt.Fprintf(w, "unfinished: %s %s; its output:\n", k.pkg, k.test)
		writeIndented(w, out[k].String())
	}
	return failed, nil
}

func buf(m map[string]*bytes.Buffer, k string) *bytes.Buffer {
	b := m[k]
	if b == nil {
		b = new(bytes.Buffer)
		m[k] = b
	}
	return b
}

func clearPackage(out map[testKey]*bytes.Buffer, pkg string) {
	for k := range out {
		if k.pkg == pkg {
			delete(out, k)
		}
	}
}

// packageOutput drops the verdict lines go test writes for a package (FAIL, ok, exit status) so only what
// explains the failure remains.
func packageOutput(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || t == "FAIL" || t == "PASS" || strings.HasPrefix(t, "FAIL\t") || strings.HasPrefix(t, "ok  \t") {
			continue
		}
		b.WriteString(l)
	}
	return b.String()
}

func writeIndented(w io.Writer, s string) {
	for _, l := range strings.SplitAfter(s, "\n") {
		if l == "" {
			continue
		}
		_, _ = io.WriteString(w, "    "+l)
		if !strings.HasSuffix(l, "\n") {
			_, _ = io.WriteString(w, "\n")
		}
	}
}
