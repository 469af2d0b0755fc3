package powertoolstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"sort"
	"strings"
	"sync"
	"time"
)

// datagramHeader is the first line of every datagram sent to the X-Ray daemon.
const datagramHeader = `{"format": "json", "version": 1}`

// Segment is one decoded X-Ray subsegment and its children.
type Segment struct {
	Name      string
	ID        string
	TraceID   string // set on a document sent on its own, "" on a nested subsegment
	ParentID  string // likewise
	Type      string // "subsegment" on a document sent on its own
	Namespace string // "remote" or "aws" for a downstream call
	Start     time.Time
	End       time.Time // zero while InProgress

	InProgress, Error, Fault, Throttle bool

	Annotations map[string]any
	// Metadata maps a namespace (the service name, for what Subsegment.Metadata records) to its keys.
	Metadata map[string]map[string]any
	Cause    *Cause
	HTTP     map[string]any // the "http" object, as decoded
	AWS      map[string]any // the "aws" object, as decoded

	Subsegments []*Segment
}

// Cause is a subsegment's "cause": the exceptions recorded for its error.
type Cause struct {
	Exceptions []Exception `json:"exceptions"`
}

// Exception is one recorded error.
type Exception struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Type    string `json:"type"`
	Remote  bool   `json:"remote"`
	Cause   string `json:"cause"` // the id of the exception that caused this one
}

// Duration is End - Start; 0 while in progress.
func (s *Segment) Duration() time.Duration {
	if s.End.IsZero() {
		return 0
	}
	return s.End.Sub(s.Start)
}

// Find returns the first subsegment named name in s's tree, s included, depth first; nil when none is.
func (s *Segment) Find(name string) *Segment {
	if s == nil {
		return nil
	}
	if s.Name == name {
		return s
	}
	for _, c := range s.Subsegments {
		if f := c.Find(name); f != nil {
			return f
		}
	}
	return nil
}

// FindAll returns every subsegment named name in s's tree, depth first.
func (s *Segment) FindAll(name string) []*Segment {
	var out []*Segment
	s.walk(0, func(x *Segment, _ int) {
		if x.Name == name {
			out = append(out, x)
		}
	})
	return out
}

// MetadataValue returns the metadata value of key in any namespace, and whether there is one.
func (s *Segment) MetadataValue(key string) (any, bool) {
	for _, ns := range s.Metadata {
		if v, ok := ns[key]; ok {
			return v, true
		}
	}
	return nil, false
}

func (s *Segment) walk(depth int, fn func(*Segment, int)) {
	fn(s, depth)
	for _, c := range s.Subsegments {
		c.walk(depth+1, fn)
	}
}

// Tree writes s's tree, one subsegment a line, indented by depth: name, duration, flags, annotations.
func (s *Segment) Tree(w io.Writer) {
	s.walk(0, func(x *Segment, depth int) {
		var b strings.Builder
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteString(x.Name)
		if x.InProgress {
			b.WriteString("  (in progress)")
		} else {
			fmt.Fprintf(&b, "  %s", x.Duration().Round(time.Microsecond))
		}
		for _, f := range []struct {
			on   bool
			name string
		}{{x.Error, "error"}, {x.Throttle, "throttle"}, {x.Fault, "fault"}} {
			if f.on {
				b.WriteString("  " + f.name)
			}
		}
		if len(x.Annotations) > 0 {
			keys := make([]string, 0, len(x.Annotations))
			for k := range x.Annotations {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			b.WriteString("  [")
			for i, k := range keys {
				if i > 0 {
					b.WriteString(" ")
				}
				v, _ := json.Marshal(x.Annotations[k])
				fmt.Fprintf(&b, "%s=%s", k, v)
			}
			b.WriteString("]")
		}
		if x.Cause != nil && len(x.Cause.Exceptions) > 0 {
			fmt.Fprintf(&b, "  cause: %s", x.Cause.Exceptions[0].Message)
		}
		b.WriteString("\n")
		_, _ = io.WriteString(w, b.String())
	})
}

// wireSegment is a subsegment as the daemon receives it.
type wireSegment struct {
	Name        string                    `json:"name"`
	ID          string                    `json:"id"`
	TraceID     string                    `json:"trace_id"`
	ParentID    string                    `json:"parent_id"`
	Type        string                    `json:"type"`
	Namespace   string                    `json:"namespace"`
	StartTime   float64                   `json:"start_time"`
	EndTime     float64                   `json:"end_time"`
	InProgress  bool                      `json:"in_progress"`
	Error       bool                      `json:"error"`
	Fault       bool                      `json:"fault"`
	Throttle    bool                      `json:"throttle"`
	Annotations map[string]any            `json:"annotations"`
	Metadata    map[string]map[string]any `json:"metadata"`
	Cause       *Cause                    `json:"cause"`
	HTTP        map[string]any            `json:"http"`
	AWS         map[string]any            `json:"aws"`
	Subsegments []wireSegment             `json:"subsegments"`
}

func (w *wireSegment) segment() *Segment {
	s := &Segment{
		Name: w.Name, ID: w.ID, TraceID: w.TraceID, ParentID: w.ParentID, Type: w.Type, Namespace: w.Namespace,
		Start: epoch(w.StartTime), End: epoch(w.EndTime), InProgress: w.InProgress,
		Error: w.Error, Fault: w.Fault, Throttle: w.Throttle,
		Annotations: w.Annotations, Metadata: w.Metadata, Cause: w.Cause, HTTP: w.HTTP, AWS: w.AWS,
	}
	for i := range w.Subsegments {
		s.Subsegments = append(s.Subsegments, w.Subsegments[i].segment())
	}
	return s
}

func epoch(sec float64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(math.Round(frac*1e6))*1e3).UTC()
}

// ErrDatagram is matched by the errors of ParseDatagram.
var ErrDatagram = errors.New("powertoolstest: not an X-Ray daemon datagram")

// ParseDatagram decodes one datagram sent to the X-Ray daemon: the header line, a newline, one
// subsegment document (which must have a name, an id, a trace id and a start time).
func ParseDatagram(b []byte) (*Segment, error) {
	header, doc, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return nil, fmt.Errorf("%w: no newline after the header", ErrDatagram)
	}
	var h struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(header, &h); err != nil || h.Format != "json" || h.Version != 1 {
		return nil, fmt.Errorf("%w: header %q, want %s", ErrDatagram, header, datagramHeader)
	}
	var w wireSegment
	if err := json.Unmarshal(doc, &w); err != nil {
		return nil, fmt.Errorf("%w: document: %v", ErrDatagram, err)
	}
	if w.Name == "" || w.ID == "" || w.TraceID == "" || w.StartTime == 0 {
		return nil, fmt.Errorf("%w: document without name, id, trace_id or start_time: %.200s", ErrDatagram, doc)
	}
	return w.segment(), nil
}

// Assemble nests each document under the subsegment its parent_id names, when another document holds it
// (a document too large for one datagram is sent as several), and returns the trees left: the
// documents whose parent is outside them (the function segment Lambda sends), ordered by start time.
func Assemble(docs []*Segment) []*Segment {
	byID := map[string]*Segment{}
	for _, d := range docs {
		d.walk(0, func(x *Segment, _ int) { byID[x.ID] = x })
	}
	var roots []*Segment
	for _, d := range docs {
		if p := byID[d.ParentID]; p != nil && p != d && !within(d, p) {
			p.Subsegments = append(p.Subsegments, d)
			sort.SliceStable(p.Subsegments, func(i, j int) bool { return p.Subsegments[i].Start.Before(p.Subsegments[j].Start) })
			continue
		}
		roots = append(roots, d)
	}
	sort.SliceStable(roots, func(i, j int) bool { return roots[i].Start.Before(roots[j].Start) })
	return roots
}

// within reports whether p is in d's own tree (a cycle a broken document could make).
func within(d, p *Segment) bool {
	found := false
	d.walk(0, func(x *Segment, _ int) { found = found || x == p })
	return found
}

// splice removes every subsegment of the observing middleware from the trees, its children taking its
// place.
func splice(segs []*Segment) []*Segment {
	out := make([]*Segment, 0, len(segs))
	for _, s := range segs {
		s.Subsegments = splice(s.Subsegments)
		if isObserve(s.Name) {
			out = append(out, s.Subsegments...)
			continue
		}
		out = append(out, s)
	}
	return out
}

// daemon is a UDP listener on 127.0.0.1 standing in for the X-Ray daemon.
type daemon struct {
	conn *net.UDPConn
	done chan struct{}

	mu      sync.Mutex
	changed chan struct{} // closed and replaced when a datagram arrives
	raw     [][]byte
	errs    []error
}

func startDaemon() (*daemon, error) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("X-Ray listener: %w", err)
	}
	_ = conn.SetReadBuffer(4 << 20) // many invocations at once: keep their datagrams
	d := &daemon{conn: conn, done: make(chan struct{}), changed: make(chan struct{})}
	go d.read()
	return d, nil
}

func (d *daemon) addr() string { return d.conn.LocalAddr().String() }

func (d *daemon) read() {
	defer close(d.done)
	buf := make([]byte, 1<<16)
	for {
		n, err := d.conn.Read(buf)
		if err != nil {
			return
		}
		b := bytes.Clone(buf[:n])
		_, perr := ParseDatagram(b)
		d.mu.Lock()
		if perr != nil {
			d.errs = append(d.errs, perr)
		} else {
			d.raw = append(d.raw, b)
		}
		close(d.changed)
		d.changed = make(chan struct{})
		d.mu.Unlock()
	}
}

func (d *daemon) close() {
	_ = d.conn.Close()
	<-d.done
}

// docs decodes every datagram received so far, afresh (callers may change what they get).
func (d *daemon) docs() ([]*Segment, []error) {
	d.mu.Lock()
	raw, errs := d.raw, append([]error(nil), d.errs...)
	d.mu.Unlock()
	out := make([]*Segment, 0, len(raw))
	for _, b := range raw {
		s, _ := ParseDatagram(b) // parsed once already
		out = append(out, s)
	}
	return out, errs
}

// waitFor blocks until a document with each of ids has arrived, or timeout; it returns the ids missing.
func (d *daemon) waitFor(ids map[string]bool, timeout time.Duration) []string {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		d.mu.Lock()
		missing := map[string]bool{}
		for id := range ids {
			missing[id] = true
		}
		for _, b := range d.raw {
			for id := range missing {
				if bytes.Contains(b, []byte(`"id":"`+id+`"`)) {
					delete(missing, id)
				}
			}
		}
		changed := d.changed
		d.mu.Unlock()
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			var out []string
			for id := range missing {
				out = append(out, id)
			}
			sort.Strings(out)
			return out
		}
	}
}

// trees waits for the traced invocations' documents and assembles them, the observing middleware's
// subsegments included.
func (r *Recorder) trees() []*Segment {
	r.t.Helper()
	r.mu.Lock()
	want := map[string]bool{}
	for _, inv := range r.invocations {
		if inv.segmentID != "" {
			want[inv.segmentID] = true
		}
	}
	r.mu.Unlock()
	if missing := r.daemon.waitFor(want, traceWait); len(missing) > 0 {
		r.t.Errorf("powertoolstest: no trace document for the handler subsegments %v after %s", missing, traceWait)
	}
	docs, errs := r.daemon.docs()
	for _, err := range errs {
		r.t.Errorf("%v", err)
	}
	return Assemble(docs)
}

// Segments returns the subsegment trees of every finished invocation the App traced, assembled from the
// datagrams the listener received, ordered by start time. It waits for the datagram of each traced
// invocation that has finished (the handler's subsegment goes out as the invocation ends); one that does
// not come within 10 s fails the test, as does a datagram that is not in the X-Ray daemon's format.
func (r *Recorder) Segments() []*Segment {
	r.t.Helper()
	return splice(r.trees())
}

// isObserve reports whether a subsegment name is the one the tracer gives the Recorder's middleware.
func isObserve(name string) bool {
	clean := func(s string) string { return strings.NewReplacer("(", "", ")", "", "*", "").Replace(s) }
	return clean(name) == clean(observeName)
}
