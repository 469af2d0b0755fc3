package powertools

import (
	"testing"
	"time"

	"go.uber.org/zap/buffer"
)

// TestTracerTemplate holds the handler subsegment's document written with its template to the one the
// general encoder writes, for the annotations and metadata the tracer gives it and for those a handler
// changes or adds, and for names and a service that need escaping.
func TestTracerTemplate(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 20, 41, 820883000, time.UTC)
	for _, names := range []struct{ service, name, respKey string }{
		{"bench", "## Handle", "Handle response"},
		{`svc "q"\` + "\u2028", "## h\u00e9\"", "h\u00e9\" response"},
	} {
		root := &tracerRoot{service: names.service}
		tmpl := newTracerTemplate(root, names.name, names.respKey)
		for _, tc := range []struct {
			name string
			cold bool
			edit func(ann []tracerAnnotation, meta []tracerMetadata) ([]tracerAnnotation, []tracerMetadata)
		}{
			{"as given, warm", false, nil},
			{"as given, cold", true, nil},
			{"response", false, func(a []tracerAnnotation, m []tracerMetadata) ([]tracerAnnotation, []tracerMetadata) {
				return a, append(m, tracerMetadata{key: names.respKey, raw: []byte(`{"ok":true}`)})
			}},
			{"other metadata", false, func(a []tracerAnnotation, m []tracerMetadata) ([]tracerAnnotation, []tracerMetadata) {
				return a, append(m, tracerMetadata{key: "mine", raw: []byte(`1`)})
			}},
			{"two metadata", true, func(a []tracerAnnotation, m []tracerMetadata) ([]tracerAnnotation, []tracerMetadata) {
				return a, append(m, tracerMetadata{key: names.respKey, raw: []byte(`2`)}, tracerMetadata{key: "x", raw: []byte(`3`)})
			}},
			{"service overwritten", false, func(a []tracerAnnotation, m []tracerMetadata) ([]tracerAnnotation, []tracerMetadata) {
				a[1].s = "other"
				return a, m
			}},
			{"annotation added", true, func(a []tracerAnnotation, m []tracerMetadata) ([]tracerAnnotation, []tracerMetadata) {
				return append(a, tracerAnnotation{key: "order", kind: tracerString, s: "o-42"}), m
			}},
			{"no annotations", false, func(a []tracerAnnotation, m []tracerMetadata) ([]tracerAnnotation, []tracerMetadata) {
				return nil, m
			}},
		} {
			encode := func(withTemplate bool) string {
				ann := tmpl.annotations(tc.cold)
				as, meta := ann[:], []tracerMetadata(nil)
				if tc.edit != nil {
					as, meta = tc.edit(as, meta)
				}
				tr := &tracerTrace{root: root, traceID: "1-5759e988-bd862e3fe1be46a994272793", parent: "53995c3f42cd8ad8"}
				s := &tracerSpan{trace: tr, id: [16]byte([]byte("1409348e732459da")), name: names.name, respKey: names.respKey,
					start: start, end: start.Add(107 * time.Microsecond), ended: true, annotations: as, metadata: meta}
				if withTemplate {
					s.tmpl = tmpl
				}
				buf := buffer.NewPool().Get()
				defer buf.Free()
				tr.encodeDatagram(buf, s)
				return buf.String()
			}
			if got, want := encode(true), encode(false); got != want {
				t.Errorf("%q, %s:\ntemplate %s\ngeneral  %s", names.service, tc.name, got, want)
			}
		}
	}
}
