package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gopowertools/powertools/powertoolstest"
)

// printer writes invocations readably, or as JSON lines with -json.
type printer struct {
	w    io.Writer
	json bool
}

func newPrinter(w io.Writer, asJSON bool) *printer { return &printer{w: w, json: asJSON} }

// logKeysShown are left out of a log line's key=value list: shown otherwise, or the same on every line.
var logKeysShown = map[string]bool{
	"level": true, "location": true, "message": true, "timestamp": true, "service": true, "cold_start": true,
	"function_name": true, "function_memory_size": true, "function_arn": true, "function_request_id": true,
	"xray_trace_id": true, "sampling_rate": true,
}

func (p *printer) invocation(r *result) {
	if p.json {
		b, err := json.Marshal(r)
		if err != nil {
			fmt.Fprintf(p.w, `{"index":%d,"error":{"errorMessage":%q}}`+"\n", r.Index, err.Error())
			return
		}
		fmt.Fprintf(p.w, "%s\n", b)
		return
	}
	start := "warm"
	if r.ColdStart {
		start = "cold start"
	}
	fmt.Fprintf(p.w, "\n=== %s  #%d  request %s  %s  %s\n", r.Event, r.Index+1, r.RequestID, start, r.Duration.Round(10*time.Microsecond))
	if r.Error != nil {
		fmt.Fprintf(p.w, "--- error: %s: %s\n", r.Error.Type, r.Error.Message)
	} else {
		fmt.Fprintln(p.w, "--- response")
		fmt.Fprintln(p.w, indentJSON(r.Response))
	}
	p.body(r)
}

// body prints an invocation's log lines, metrics, other output and trace.
func (p *printer) body(r *result) {
	if len(r.logs) > 0 {
		fmt.Fprintf(p.w, "--- logs (%d)\n", len(r.logs))
		for _, l := range r.logs {
			fmt.Fprintln(p.w, formatLog(l))
		}
	}
	if len(r.blobs) > 0 {
		fmt.Fprintf(p.w, "--- metrics (%d blobs)\n", len(r.blobs))
		metricsTable(p.w, r.blobs)
	}
	if len(r.Other) > 0 {
		fmt.Fprintln(p.w, "--- other output")
		for _, l := range r.Other {
			fmt.Fprintln(p.w, l)
		}
	}
	if len(r.segments) > 0 {
		fmt.Fprintf(p.w, "--- trace %s\n", r.TraceID)
		for _, s := range r.segments {
			s.Tree(p.w)
		}
	}
}

// summary ends the output: the shared output of concurrent invocations, then counts and latencies.
func (p *printer) summary(results []*result, shared *result) {
	if p.json {
		if shared != nil {
			p.invocation(shared)
		}
		return
	}
	if shared != nil {
		fmt.Fprintln(p.w, "\n=== output of the concurrent invocations together")
		p.body(shared)
	}
	if len(results) < 2 {
		return
	}
	var failed int
	durs := make([]time.Duration, 0, len(results))
	for _, r := range results {
		if r.Error != nil {
			failed++
		}
		durs = append(durs, r.Duration)
	}
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	pct := func(q float64) time.Duration { return durs[int(q*float64(len(durs)-1))].Round(10 * time.Microsecond) }
	fmt.Fprintf(p.w, "\n=== %d invocations, %d failed; duration p50 %s, p99 %s, max %s\n",
		len(results), failed, pct(0.5), pct(0.99), durs[len(durs)-1].Round(10*time.Microsecond))
}

// marshalPlain encodes v as JSON without encoding/json's HTML escaping ("\u003e" for ">"), so values read
// as the function wrote them.
func marshalPlain(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return []byte("null")
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// formatLog is one log line as "LEVEL  location  message  key=value ...".
func formatLog(l powertoolstest.Log) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %s  %s", l.Level, l.Location, l.Message)
	for _, k := range l.Order {
		if logKeysShown[k] {
			continue
		}
		v := marshalPlain(l.Keys[k])
		if s, ok := l.Keys[k].(string); ok && !strings.ContainsAny(s, " \t\n\"=") && s != "" {
			v = []byte(s)
		}
		fmt.Fprintf(&b, "  %s=%s", k, v)
	}
	return b.String()
}

// metricsTable prints one row per metric of each blob: namespace, name, unit, values, dimensions.
func metricsTable(w io.Writer, blobs []powertoolstest.Blob) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "namespace\tmetric\tunit\tvalues\tdimensions")
	for _, b := range blobs {
		dims := make([]string, 0, len(b.Dimensions))
		for k, v := range b.Dimensions {
			dims = append(dims, k+"="+v)
		}
		sort.Strings(dims)
		for _, d := range b.Definitions {
			vals := make([]string, 0, len(b.Values[d.Name]))
			for _, v := range b.Values[d.Name] {
				vals = append(vals, strconv.FormatFloat(v, 'g', -1, 64))
			}
			unit := d.Unit
			if d.StorageResolution == 1 {
				unit += " (1s)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", b.Namespace, d.Name, unit, strings.Join(vals, ","), strings.Join(dims, " "))
		}
	}
	_ = tw.Flush()
}

func indentJSON(raw []byte) string {
	if len(raw) == 0 {
		return "null"
	}
	// An API Gateway style answer carries its JSON body as a string: show it decoded.
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) == nil {
		var body string
		if json.Unmarshal(m["body"], &body) == nil && json.Valid([]byte(body)) && strings.TrimSpace(body) != "" {
			m["body"] = json.RawMessage(body)
			if b, err := json.Marshal(m); err == nil {
				raw = b
			}
		}
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return string(raw)
	}
	return out.String()
}
