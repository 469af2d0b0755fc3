package powertoolstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// lineSink is an io.Writer keeping what is written as lines; safe for concurrent use.
type lineSink struct {
	mu      sync.Mutex
	lines   []string
	partial []byte // an unfinished last line
}

func (s *lineSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial = append(s.partial, p...)
	for {
		i := bytes.IndexByte(s.partial, '\n')
		if i < 0 {
			break
		}
		if line := bytes.TrimRight(s.partial[:i], "\r"); len(line) > 0 {
			s.lines = append(s.lines, string(line))
		}
		s.partial = s.partial[i+1:]
	}
	if len(s.partial) == 0 {
		s.partial = nil
	}
	return len(p), nil
}

// snapshot returns the complete lines, and the unfinished one.
func (s *lineSink) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string(nil), s.lines...)
	if len(s.partial) > 0 {
		out = append(out, string(s.partial))
	}
	return out
}

func (s *lineSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lines)
}

func (s *lineSink) truncate(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = s.lines[:n]
	s.partial = nil
}

// Log is one decoded log line.
type Log struct {
	Level         string // DEBUG, INFO, WARNING, ERROR, CRITICAL
	Message       string
	Location      string // function:line of the caller
	Timestamp     string
	Service       string
	ColdStart     bool
	RequestID     string // function_request_id
	CorrelationID string
	XRayTraceID   string
	Exception     string
	ExceptionName string

	// Keys holds every key of the line, the ones above included, as encoding/json decodes them (numbers
	// are float64, objects map[string]any).
	Keys map[string]any
	// Order is the line's keys in the order they were written.
	Order []string
	// Raw is the line as written.
	Raw string
}

// Has reports whether the line has key.
func (l Log) Has(key string) bool {
	_, ok := l.Keys[key]
	return ok
}

// Logs returns every log line the App wrote, in the order they were written (a line that is not one JSON
// object, which the library never writes, fails the test).
func (r *Recorder) Logs() []Log {
	r.t.Helper()
	lines := r.logs.snapshot()
	out := make([]Log, 0, len(lines))
	for _, raw := range lines {
		l, err := ParseLog(raw)
		if err != nil {
			r.t.Errorf("powertoolstest: %v", err)
			continue
		}
		out = append(out, l)
	}
	return out
}

// LogsByRequest returns the log lines of each request id, each list in the order written, and the
// request ids sorted: what a test firing concurrent invocations compares.
func (r *Recorder) LogsByRequest() (ids []string, byID map[string][]Log) {
	byID = map[string][]Log{}
	for _, l := range r.Logs() {
		if _, ok := byID[l.RequestID]; !ok {
			ids = append(ids, l.RequestID)
		}
		byID[l.RequestID] = append(byID[l.RequestID], l)
	}
	sort.Strings(ids)
	return ids, byID
}

// ParseLog decodes one log line in the Powertools JSON dialect.
func ParseLog(raw string) (Log, error) {
	l := Log{Raw: raw, Keys: map[string]any{}}
	dec := json.NewDecoder(strings.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return Log{}, fmt.Errorf("log line is not a JSON object: %q", raw)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Log{}, fmt.Errorf("log line %q: %w", raw, err)
		}
		key, _ := tok.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return Log{}, fmt.Errorf("log line %q: key %q: %w", raw, key, err)
		}
		if _, dup := l.Keys[key]; dup {
			return Log{}, fmt.Errorf("log line %q: key %q twice", raw, key)
		}
		l.Keys[key] = v
		l.Order = append(l.Order, key)
	}
	if _, err := dec.Token(); err != nil {
		return Log{}, fmt.Errorf("log line %q: %w", raw, err)
	}
	if rest := strings.TrimSpace(raw[dec.InputOffset():]); rest != "" {
		return Log{}, fmt.Errorf("log line %q: more than one JSON value", raw)
	}
	str := func(k string) string { s, _ := l.Keys[k].(string); return s }
	l.Level, l.Message, l.Location, l.Timestamp = str("level"), str("message"), str("location"), str("timestamp")
	l.Service, l.RequestID, l.CorrelationID = str("service"), str("function_request_id"), str("correlation_id")
	l.XRayTraceID, l.Exception, l.ExceptionName = str("xray_trace_id"), str("exception"), str("exception_name")
	l.ColdStart, _ = l.Keys["cold_start"].(bool)
	return l, nil
}
