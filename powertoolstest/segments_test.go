package powertoolstest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

const testDoc = `{"format": "json", "version": 1}` + "\n" +
	`{"name":"## handle","id":"a000000000000001","trace_id":"1-5759e988-bd862e3fe1be46a994272793","parent_id":"53995c3f42cd8ad8","type":"subsegment","start_time":1620042432.494000,"end_time":1620042432.512250,"fault":true,"annotations":{"ColdStart":true,"Service":"orders"},"metadata":{"orders":{"handle response":{"ok":1}}},"subsegments":[{"name":"charge","id":"a000000000000002","start_time":1620042432.500000,"end_time":1620042432.510000,"error":true,"cause":{"exceptions":[{"id":"e1","message":"declined","type":"*errors.errorString"}]},"http":{"request":{"method":"POST"}}}]}`

func TestParseDatagram(t *testing.T) {
	s, err := ParseDatagram([]byte(testDoc))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "## handle" || s.ParentID != "53995c3f42cd8ad8" || !s.Fault || s.Annotations["ColdStart"] != true ||
		s.Duration() != 18250*time.Microsecond || len(s.Subsegments) != 1 {
		t.Errorf("decoded %+v (duration %s)", s, s.Duration())
	}
	if v, ok := s.MetadataValue("handle response"); !ok || v.(map[string]any)["ok"] != 1.0 {
		t.Errorf("metadata %v", s.Metadata)
	}
	c := s.Find("charge")
	if c == nil || !c.Error || c.Cause.Exceptions[0].Message != "declined" || c.HTTP["request"] == nil || c.Duration() != 10*time.Millisecond {
		t.Errorf("child %+v", c)
	}
	if s.Find("nope") != nil || len(s.FindAll("charge")) != 1 {
		t.Error("Find")
	}
	var tree bytes.Buffer
	s.Tree(&tree)
	want := "## handle  18.25ms  fault  [ColdStart=true Service=\"orders\"]\n  charge  10ms  error  cause: declined\n"
	if tree.String() != want {
		t.Errorf("tree:\n%s\nwant:\n%s", tree.String(), want)
	}

	for name, raw := range map[string]string{
		"no newline":   `{"format": "json", "version": 1}`,
		"wrong header": `{"format": "xml", "version": 1}` + "\n{}",
		"not JSON":     `{"format": "json", "version": 1}` + "\n{",
		"no id":        `{"format": "json", "version": 1}` + "\n" + `{"name":"x","trace_id":"t","start_time":1}`,
	} {
		if _, err := ParseDatagram([]byte(raw)); !errors.Is(err, ErrDatagram) {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

// A document sent on its own (its parent too big for one datagram) is nested back under its parent.
func TestAssemble(t *testing.T) {
	root, _ := ParseDatagram([]byte(testDoc))
	streamed, err := ParseDatagram([]byte(`{"format": "json", "version": 1}` + "\n" +
		`{"name":"load","id":"a000000000000003","trace_id":"1-5759e988-bd862e3fe1be46a994272793","parent_id":"a000000000000001","type":"subsegment","start_time":1620042432.495,"end_time":1620042432.499}`))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ParseDatagram([]byte(strings.NewReplacer("a000000000000001", "b000000000000001", "a000000000000002", "b000000000000002", "1620042432.494000", "1620042432.400000").Replace(testDoc)))
	roots := Assemble([]*Segment{streamed, root, other})
	if len(roots) != 2 || roots[0] != other || roots[1] != root {
		t.Fatalf("roots %v", roots)
	}
	if len(root.Subsegments) != 2 || root.Subsegments[0].Name != "load" || root.Subsegments[1].Name != "charge" {
		t.Errorf("children of the root, by start time: %+v", root.Subsegments)
	}
	self, _ := ParseDatagram([]byte(strings.Replace(testDoc, "53995c3f42cd8ad8", "a000000000000002", 1)))
	if roots := Assemble([]*Segment{self}); len(roots) != 1 {
		t.Error("a document naming its own child as parent stays a root")
	}
}

func FuzzParseDatagram(f *testing.F) {
	f.Add([]byte(testDoc))
	f.Add([]byte(`{"format": "json", "version": 1}` + "\n" + `{"name":"x","id":"1","trace_id":"t","start_time":1e300,"subsegments":[{"subsegments":[{}]}]}`))
	f.Add([]byte("\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseDatagram(b)
		if err != nil {
			return
		}
		var tree bytes.Buffer
		s.Tree(&tree)
		if Assemble([]*Segment{s})[0] != s {
			t.Fatal("a lone document is its own root")
		}
	})
}
