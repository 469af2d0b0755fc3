package powertoolstest

import (
	"strings"
	"testing"
)

func TestParseLog(t *testing.T) {
	tests := []struct {
		name, raw, err string
		check          func(t *testing.T, l Log)
	}{
		{name: "powertools line", raw: `{"level":"ERROR","location":"handle:17","message":"boom","timestamp":"2021-05-03 11:47:12,494+0000","service":"orders","cold_start":true,"function_request_id":"r-1","correlation_id":"c-1","n":2,"exception":"x","exception_name":"*errors.errorString","xray_trace_id":"1-a-b"}`,
			check: func(t *testing.T, l Log) {
				if l.Level != "ERROR" || l.Message != "boom" || l.Location != "handle:17" || l.Service != "orders" ||
					!l.ColdStart || l.RequestID != "r-1" || l.CorrelationID != "c-1" || l.Exception != "x" ||
					l.ExceptionName != "*errors.errorString" || l.XRayTraceID != "1-a-b" || l.Keys["n"] != 2.0 {
					t.Errorf("decoded %+v", l)
				}
				if got := strings.Join(l.Order, ","); got != "level,location,message,timestamp,service,cold_start,function_request_id,correlation_id,n,exception,exception_name,xray_trace_id" {
					t.Errorf("order %s", got)
				}
				if !l.Has("n") || l.Has("missing") {
					t.Error("Has")
				}
			}},
		{name: "not an object", raw: `[1]`, err: "not a JSON object"},
		{name: "not JSON", raw: `level=INFO`, err: "not a JSON object"},
		{name: "cut", raw: `{"level":"INFO"`, err: "EOF"},
		{name: "duplicate key", raw: `{"a":1,"a":2}`, err: `key "a" twice`},
		{name: "trailing value", raw: `{"a":1} {"b":2}`, err: "more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseLog(tt.raw)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, l)
		})
	}
}

// The sink splits writes into lines whatever their boundaries.
func TestLineSink(t *testing.T) {
	var s lineSink
	for _, w := range []string{`{"a":`, "1}\n{\"b\":2}\n", "\n", `{"c"`, ":3}\r\n", `{"d":4}`} {
		_, _ = s.Write([]byte(w))
	}
	got := strings.Join(s.snapshot(), "|")
	if want := `{"a":1}|{"b":2}|{"c":3}|{"d":4}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if s.count() != 3 {
		t.Errorf("count %d: the unfinished line is not counted", s.count())
	}
	s.truncate(1)
	if got := strings.Join(s.snapshot(), "|"); got != `{"a":1}` {
		t.Errorf("after truncate: %s", got)
	}
}

func FuzzParseLog(f *testing.F) {
	f.Add(`{"level":"INFO","message":"m","cold_start":false,"k":{"x":[1,2]}}`)
	f.Add(`{"a":1,"a":1}`)
	f.Add(`{"a":"\u2028"} `)
	f.Add(`{`)
	f.Fuzz(func(t *testing.T, raw string) {
		l, err := ParseLog(raw)
		if err != nil {
			return
		}
		if len(l.Order) != len(l.Keys) || l.Raw != raw {
			t.Fatalf("%d keys in order, %d decoded", len(l.Order), len(l.Keys))
		}
	})
}
