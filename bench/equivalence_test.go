package bench

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopowertools/powertools/bench/fn/order"
)

// The comparison is only fair if every variant does the same work: one invocation of each instrumented
// variant must write the same log lines (same keys, same values but timestamp and location), the same
// EMF blob (Timestamp aside) and send exactly one datagram holding the same subsegment; every variant,
// the reference included, must answer the same.

// captured is what one invocation of a variant wrote.
type captured struct {
	response []byte
	logs     []map[string]any
	emf      []map[string]any
	doc      map[string]any // the subsegment document of the one datagram
	// sizes in bytes of the log output, the EMF output and the datagram
	rawLog, rawEMF, rawDatagram int
}

func decodeLines(t *testing.T, what string, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range bytes.Lines(b) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("%s line %q: %v", what, line, err)
		}
		out = append(out, m)
	}
	return out
}

func invokeOnce(t *testing.T, v variant, payload []byte) captured { return invokeNth(t, v, payload, 1) }

// invokeNth captures the nth invocation of one handler of v (n = 2: a warm one).
func invokeNth(t *testing.T, v variant, payload []byte, n int) captured {
	t.Helper()
	s := startSinkKeep(t, true)
	var logs, emf bytes.Buffer
	h := v.build(t, outputs{log: &logs, metrics: &emf, daemon: s.addr})
	for i := 1; i < n; i++ {
		if _, err := h.Invoke(invocationCtx(), payload); err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for v.name != "reference" && s.received.Load() < int64(i) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		logs.Reset()
		emf.Reset()
		s.mu.Lock()
		s.kept = nil
		s.mu.Unlock()
	}
	s.received.Store(0)
	out, err := h.Invoke(invocationCtx(), payload)
	if err != nil {
		t.Fatalf("%s: %v", v.name, err)
	}
	c := captured{response: out, logs: decodeLines(t, v.name+" log", logs.Bytes()), emf: decodeLines(t, v.name+" emf", emf.Bytes()),
		rawLog: logs.Len(), rawEMF: emf.Len()}
	if v.name == "reference" {
		return c
	}
	// Both tracers send before Invoke returns; wait for the datagram, then a little for any extra one.
	deadline := time.Now().Add(5 * time.Second)
	for s.received.Load() < 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.kept) != 1 {
		t.Fatalf("%s: %d datagrams, want 1", v.name, len(s.kept))
	}
	c.rawDatagram = len(s.kept[0])
	header, body, _ := strings.Cut(string(s.kept[0]), "\n")
	if header != `{"format": "json", "version": 1}` {
		t.Fatalf("%s: datagram header %q", v.name, header)
	}
	if err := json.Unmarshal([]byte(body), &c.doc); err != nil {
		t.Fatalf("%s: datagram body %q: %v", v.name, body, err)
	}
	return c
}

// comparable drops what legitimately differs between two runs: the time, the caller's line.
func comparableLog(m map[string]any) map[string]any {
	m = maps.Clone(m)
	delete(m, "timestamp")
	delete(m, "location")
	if e, ok := m["exception"].(string); ok { // the message, whatever the error's wrapping
		m["exception"] = strings.Contains(e, order.OutOfStock)
	}
	// exception_name is the Go type of the error, not something a reader compares; the library prefixes
	// its own messages.
	delete(m, "exception_name")
	// stack_trace (Python's frames object on ERROR lines) names the files and lines of each variant's own
	// code; the hand-rolled variants do not write one.
	delete(m, "stack_trace")
	if msg, ok := m["message"].(string); ok {
		m["message"] = strings.TrimPrefix(msg, "powertools: ")
	}
	return m
}

func comparableEMF(m map[string]any) map[string]any {
	m = maps.Clone(m)
	aws := maps.Clone(m["_aws"].(map[string]any))
	if _, ok := aws["Timestamp"].(float64); !ok {
		return m // left in: the comparison fails and shows it
	}
	delete(aws, "Timestamp")
	m["_aws"] = aws
	return m
}

func TestEquivalentOutput(t *testing.T) {
	traceRoot, parent := "1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8"
	for _, sc := range []struct {
		name     string
		variants []variant
		payload  []byte
		want     string // the response of every variant
		levels   []string
	}{
		{"single", singleVariants, order.Payload, `{"ok":true,"id":"o-42"}`, []string{"INFO"}},
		{"all", allVariants, order.SQSPayload, `{"batchItemFailures":[{"itemIdentifier":"m3"}]}`, []string{"ERROR", "INFO"}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			got := map[string]captured{}
			for _, v := range sc.variants {
				if v.name == "floor" {
					continue // TestFloorOutput: its bytes are a warm invocation's
				}
				c := invokeOnce(t, v, sc.payload)
				if string(c.response) != sc.want {
					t.Errorf("%s answered %s, want %s", v.name, c.response, sc.want)
				}
				got[v.name] = c
			}
			if ref := got["reference"]; len(ref.logs)+len(ref.emf) != 0 {
				t.Errorf("reference wrote %d log lines and %d blobs, want none", len(ref.logs), len(ref.emf))
			}
			pt := got["powertools"]
			for name, c := range got {
				if name == "reference" {
					continue
				}
				var levels []string
				for _, l := range c.logs {
					levels = append(levels, l["level"].(string))
					if l["service"] != order.Service || l["function_request_id"] != benchRequestID ||
						l["xray_trace_id"] != traceRoot || l["function_arn"] != benchARN || l["cold_start"] != true {
						t.Errorf("%s log line lacks the invocation's context: %v", name, l)
					}
				}
				if !slices.Equal(levels, sc.levels) {
					t.Errorf("%s logged levels %v, want %v", name, levels, sc.levels)
				}
				if len(c.emf) != 1 {
					t.Fatalf("%s wrote %d EMF blobs, want 1", name, len(c.emf))
				}
				doc := c.doc
				ann, _ := doc["annotations"].(map[string]any)
				meta, _ := doc["metadata"].(map[string]any)
				svc, _ := meta[order.Service].(map[string]any)
				var want any
				_ = json.Unmarshal([]byte(sc.want), &want)
				if doc["name"] != "## Handle" || doc["type"] != "subsegment" || doc["trace_id"] != traceRoot ||
					doc["parent_id"] != parent || ann["ColdStart"] != true || ann["Service"] != order.Service ||
					!jsonEqual(svc["Handle response"], want) {
					t.Errorf("%s subsegment: %v", name, doc)
				}
			}
			for name, c := range got {
				if name == "reference" || name == "powertools" || len(c.logs) != len(pt.logs) {
					continue // the levels check above failed already when the counts differ
				}
				for i := range pt.logs {
					p, o := comparableLog(pt.logs[i]), comparableLog(c.logs[i])
					if !maps.EqualFunc(p, o, jsonEqual) {
						t.Errorf("log line %d differs:\npowertools %v\n%s %v", i, p, name, o)
					}
				}
				if p, o := comparableEMF(pt.emf[0]), comparableEMF(c.emf[0]); !maps.EqualFunc(p, o, jsonEqual) {
					t.Errorf("EMF blobs differ:\npowertools %v\n%s %v", p, name, o)
				}
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestFloorOutput checks the floor writes what a warm invocation of powertools writes: the same log
// line, EMF blob and subsegment (the time, the location's line and the subsegment id aside) and, byte for
// byte, as many bytes of each, so the floor costs what writing that output costs, not less.
func TestFloorOutput(t *testing.T) {
	var pt, fl variant
	for _, v := range singleVariants {
		switch v.name {
		case "powertools":
			pt = v
		case "floor":
			fl = v
		}
	}
	p, f := invokeNth(t, pt, order.Payload, 2), invokeNth(t, fl, order.Payload, 1)
	if !bytes.Equal(p.response, f.response) {
		t.Errorf("floor answered %s, powertools %s", f.response, p.response)
	}
	if len(p.logs) != 1 || len(f.logs) != 1 || len(p.emf) != 1 || len(f.emf) != 1 {
		t.Fatalf("log lines %d/%d, EMF blobs %d/%d, want one each", len(p.logs), len(f.logs), len(p.emf), len(f.emf))
	}
	if a, b := comparableLog(p.logs[0]), comparableLog(f.logs[0]); !maps.EqualFunc(a, b, jsonEqual) {
		t.Errorf("log lines differ:\npowertools %v\nfloor      %v", a, b)
	}
	if a, b := comparableEMF(p.emf[0]), comparableEMF(f.emf[0]); !maps.EqualFunc(a, b, jsonEqual) {
		t.Errorf("EMF blobs differ:\npowertools %v\nfloor      %v", a, b)
	}
	doc := func(m map[string]any) map[string]any {
		m = maps.Clone(m)
		for _, k := range []string{"id", "start_time", "end_time"} {
			if _, ok := m[k]; !ok {
				t.Errorf("subsegment without %s: %v", k, m)
			}
			delete(m, k)
		}
		return m
	}
	if a, b := doc(p.doc), doc(f.doc); !maps.EqualFunc(a, b, jsonEqual) {
		t.Errorf("subsegments differ:\npowertools %v\nfloor      %v", a, b)
	}
	for _, c := range []struct {
		what string
		p, f int
	}{
		{"log line", p.rawLog, f.rawLog}, {"EMF blob", p.rawEMF, f.rawEMF}, {"datagram", p.rawDatagram, f.rawDatagram},
	} {
		if c.p != c.f {
			t.Errorf("%s: powertools wrote %d bytes, the floor %d", c.what, c.p, c.f)
		}
	}
}
