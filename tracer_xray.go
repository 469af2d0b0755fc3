package powertools

// The X-Ray daemon's wire format: a UDP datagram holding the line {"format": "json", "version": 1}, a
// newline and one segment document. Ours are subsegment documents: the handler subsegment's parent is the
// function segment Lambda itself sends (the header's Parent=), so every document we send carries
// "type":"subsegment", "trace_id" and "parent_id"; nested subsegments are written inline.

import (
	"bytes"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/buffer"
)

const tracerDatagramHeader = `{"format": "json", "version": 1}` + "\n"

// tracerMaxDatagram is the largest datagram we send: the biggest UDP payload over IPv4, below the daemon's
// 64 KiB read buffer. A larger document is split (see emit).
const tracerMaxDatagram = 65507

var tracerBuffers = buffer.NewPool()

// emit sends s and its subtree; the caller holds tr.mu. A document over the datagram limit is split by
// sending s's completed children as documents of their own (each split again if needed); if s alone is
// still too big its largest metadata entries are dropped; if even that is not enough it is not sent. Every
// step shows in debug mode.
func (tr *tracerTrace) emit(s *tracerSpan) {
	buf := tracerBuffers.Get()
	defer buf.Free()
	tr.encodeDatagram(buf, s)
	if buf.Len() > tracerMaxDatagram {
		tr.streamChildren(s)
		tr.encodeDatagram(buf, s)
	}
	for buf.Len() > tracerMaxDatagram && tr.dropLargestMetadata(s) {
		tr.encodeDatagram(buf, s)
	}
	// Sent (or given up): what the document held is released. Its children still open are sent on their own
	// when they end, since their parent is now streamed.
	s.streamed = true
	s.annotations, s.metadata, s.children, s.cause = nil, nil, nil, nil
	if buf.Len() > tracerMaxDatagram {
		tr.root.app.debug.Debug("powertools: tracer: subsegment too large to send",
			zap.String("name", s.name), zap.Int("bytes", buf.Len()))
		return
	}
	tr.root.send(buf.Bytes())
}

// streamChildren sends s's completed children as documents of their own; they leave s's document.
func (tr *tracerTrace) streamChildren(s *tracerSpan) {
	for _, c := range s.children {
		if c.ended && !c.streamed {
			tr.emit(c)
		}
	}
}

// streamEnded sends every ended subtree under s that was not sent yet, and releases it; s stays open.
func (tr *tracerTrace) streamEnded(s *tracerSpan) {
	for _, c := range s.children {
		switch {
		case c.streamed:
		case c.ended:
			tr.emit(c)
		default:
			tr.streamEnded(c)
		}
	}
}

// dropLargestMetadata removes s's largest metadata entry; it reports false when there is none left.
func (tr *tracerTrace) dropLargestMetadata(s *tracerSpan) bool {
	if len(s.metadata) == 0 {
		return false
	}
	big := 0
	for i := range s.metadata {
		if len(s.metadata[i].raw) > len(s.metadata[big].raw) {
			big = i
		}
	}
	tr.root.app.debug.Debug("powertools: tracer: metadata dropped to fit the datagram",
		zap.String("name", s.name), zap.String("key", s.metadata[big].key), zap.Int("bytes", len(s.metadata[big].raw)))
	s.metadata = append(s.metadata[:big], s.metadata[big+1:]...)
	return true
}

func (tr *tracerTrace) encodeDatagram(buf *buffer.Buffer, s *tracerSpan) {
	buf.Reset()
	buf.AppendString(tracerDatagramHeader)
	tr.encodeSpan(buf, s, true)
}

// tracerTemplate holds the parts of a handler subsegment's document that are the same for every
// invocation, encoded once when the chain is built: the name, the two annotations the tracer gives it (one
// variant per cold start value) and the opening of the response's metadata. encodeSpan writes them as
// they are while the subsegment holds just what the tracer gave it, and encodes the parts otherwise.
type tracerTemplate struct {
	head     []byte                 // {"name":"## Handle","id":"
	ann      [2][2]tracerAnnotation // ColdStart and Service, for a warm and a cold start
	annBytes [2][]byte              // ,"annotations":{...} of each
	respKey  string
	respOpen []byte // ,"metadata":{"<service>":{"<respKey>":
}

func newTracerTemplate(r *tracerRoot, name, respKey string) *tracerTemplate {
	t := &tracerTemplate{respKey: respKey}
	b := tracerBuffers.Get()
	defer b.Free()
	encode := func(f func()) []byte {
		b.Reset()
		f()
		return bytes.Clone(b.Bytes())
	}
	t.head = encode(func() { tracerAppendName(b, name) })
	for i, cold := range []bool{false, true} {
		t.ann[i] = [2]tracerAnnotation{{key: "ColdStart", kind: tracerBool, b: cold}, {key: "Service", kind: tracerString, s: r.service}}
		t.annBytes[i] = encode(func() { tracerAppendAnnotations(b, t.ann[i][:]) })
	}
	t.respOpen = encode(func() { tracerAppendMetadataOpen(b, r.service); tracerAppendMetadataKey(b, respKey) })
	return t
}

// annotations are the handler subsegment's first annotations.
func (t *tracerTemplate) annotations(cold bool) [2]tracerAnnotation { return t.ann[boolIndex(cold)] }

// annotationBytes are the encoded annotations when as are still one of the two the tracer gives; nil
// otherwise (and for a subsegment without a template).
func (t *tracerTemplate) annotationBytes(as []tracerAnnotation) []byte {
	if t == nil || len(as) != 2 {
		return nil
	}
	for i := range t.ann {
		if t.ann[i] == [2]tracerAnnotation(as) {
			return t.annBytes[i]
		}
	}
	return nil
}

func tracerAppendName(buf *buffer.Buffer, name string) {
	buf.AppendString(`{"name":`)
	appendJSONString(buf, name)
	buf.AppendString(`,"id":"`)
}

func tracerAppendMetadataOpen(buf *buffer.Buffer, service string) {
	buf.AppendString(`,"metadata":{`)
	appendJSONString(buf, service)
	buf.AppendString(`:{`)
}

func tracerAppendMetadataKey(buf *buffer.Buffer, key string) {
	appendJSONString(buf, key)
	buf.AppendByte(':')
}

// encodeSpan writes one subsegment; standalone adds the fields a document sent on its own needs.
func (tr *tracerTrace) encodeSpan(buf *buffer.Buffer, s *tracerSpan, standalone bool) {
	t := s.tmpl
	if t != nil {
		buf.Write(t.head)
	} else {
		tracerAppendName(buf, s.name)
	}
	buf.Write(s.id[:])
	buf.AppendByte('"')
	if standalone {
		buf.AppendString(`,"trace_id":"`)
		buf.AppendString(tr.traceID)
		buf.AppendString(`","parent_id":"`)
		if s.parent == nil {
			buf.AppendString(tr.parent)
		} else {
			buf.Write(s.parent.id[:])
		}
		buf.AppendString(`","type":"subsegment"`)
	}
	buf.AppendString(`,"start_time":`)
	tracerAppendTime(buf, s.start)
	if s.ended {
		buf.AppendString(`,"end_time":`)
		tracerAppendTime(buf, s.end)
	} else {
		buf.AppendString(`,"in_progress":true`)
	}
	if s.namespace != "" {
		buf.AppendString(`,"namespace":`)
		appendJSONString(buf, s.namespace)
	}
	tracerAppendFlag(buf, "error", s.errFlag)
	tracerAppendFlag(buf, "throttle", s.throttle)
	tracerAppendFlag(buf, "fault", s.fault)
	tracerAppendCause(buf, s.cause)
	if s.http != nil && (s.http.method != "" || s.http.status != 0) {
		s.http.encode(buf)
	}
	if s.aws != nil {
		s.aws.encode(buf)
	}
	if b := t.annotationBytes(s.annotations); b != nil {
		buf.Write(b)
	} else {
		tracerAppendAnnotations(buf, s.annotations)
	}
	switch {
	case len(s.metadata) == 0:
	case t != nil && len(s.metadata) == 1 && s.metadata[0].key == t.respKey:
		buf.Write(t.respOpen)
		buf.Write(s.metadata[0].raw)
		buf.AppendString(`}}`)
	default:
		tracerAppendMetadataOpen(buf, tr.root.service)
		for i, m := range s.metadata {
			if i > 0 {
				buf.AppendByte(',')
			}
			tracerAppendMetadataKey(buf, m.key)
			buf.Write(m.raw)
		}
		buf.AppendString(`}}`)
	}
	first := true
	for _, c := range s.children {
		if c.streamed {
			continue
		}
		if first {
			buf.AppendString(`,"subsegments":[`)
			first = false
		} else {
			buf.AppendByte(',')
		}
		tr.encodeSpan(buf, c, false)
	}
	if !first {
		buf.AppendByte(']')
	}
	buf.AppendByte('}')
}

// tracerAppendTime writes t as epoch seconds with microseconds, without float rounding.
func tracerAppendTime(buf *buffer.Buffer, t time.Time) {
	us := t.UnixMicro()
	buf.AppendInt(us / 1e6)
	buf.AppendByte('.')
	frac := us % 1e6
	for d := int64(1e5); d > 0; d /= 10 {
		buf.AppendByte(byte('0' + frac/d%10))
	}
}

func tracerAppendFlag(buf *buffer.Buffer, name string, on bool) {
	if on {
		buf.AppendString(`,"`)
		buf.AppendString(name)
		buf.AppendString(`":true`)
	}
}

func tracerAppendCause(buf *buffer.Buffer, exs []tracerException) {
	if len(exs) == 0 {
		return
	}
	buf.AppendString(`,"cause":{"exceptions":[`)
	for i, e := range exs {
		if i > 0 {
			buf.AppendByte(',')
		}
		buf.AppendString(`{"id":"`)
		buf.Write(e.id[:])
		buf.AppendString(`","message":`)
		appendJSONString(buf, e.message)
		buf.AppendString(`,"type":`)
		appendJSONString(buf, e.typ)
		if e.remote {
			buf.AppendString(`,"remote":true`)
		}
		if e.cause >= 0 {
			buf.AppendString(`,"cause":"`)
			buf.Write(exs[e.cause].id[:])
			buf.AppendByte('"')
		}
		buf.AppendByte('}')
	}
	buf.AppendString(`]}`)
}

func tracerAppendAnnotations(buf *buffer.Buffer, as []tracerAnnotation) {
	if len(as) == 0 {
		return
	}
	buf.AppendString(`,"annotations":{`)
	for i, a := range as {
		if i > 0 {
			buf.AppendByte(',')
		}
		appendJSONString(buf, a.key)
		buf.AppendByte(':')
		switch a.kind {
		case tracerString:
			appendJSONString(buf, a.s)
		case tracerBool:
			buf.AppendBool(a.b)
		case tracerInt:
			buf.AppendInt(a.i)
		case tracerUint:
			buf.AppendUint(a.u)
		case tracerFloat:
			buf.AppendFloat(a.f, 64)
		}
	}
	buf.AppendByte('}')
}

// tracerHTTP is a subsegment's "http" object.
type tracerHTTP struct {
	method        string
	url           string
	status        int
	contentLength int64 // -1 when unknown
}

func (h *tracerHTTP) encode(buf *buffer.Buffer) {
	buf.AppendString(`,"http":{`)
	comma := false
	if h.method != "" || h.url != "" {
		buf.AppendString(`"request":{`)
		buf.AppendString(`"method":`)
		appendJSONString(buf, h.method)
		if h.url != "" {
			buf.AppendString(`,"url":`)
			appendJSONString(buf, h.url)
		}
		buf.AppendByte('}')
		comma = true
	}
	if h.status != 0 {
		if comma {
			buf.AppendByte(',')
		}
		buf.AppendString(`"response":{"status":`)
		buf.AppendInt(int64(h.status))
		if h.contentLength >= 0 {
			buf.AppendString(`,"content_length":`)
			buf.AppendInt(h.contentLength)
		}
		buf.AppendByte('}')
	}
	buf.AppendByte('}')
}

// tracerAWS is a subsegment's "aws" object for an AWS SDK call.
type tracerAWS struct {
	operation  string
	region     string
	requestID  string
	retries    int
	tableName  string
	tableNames []string
	queueURL   string
}

func (a *tracerAWS) encode(buf *buffer.Buffer) {
	buf.AppendString(`,"aws":{"operation":`)
	appendJSONString(buf, a.operation)
	tracerAppendOptString(buf, "region", a.region)
	tracerAppendOptString(buf, "request_id", a.requestID)
	tracerAppendOptString(buf, "table_name", a.tableName)
	tracerAppendOptString(buf, "queue_url", a.queueURL)
	if len(a.tableNames) > 0 {
		buf.AppendString(`,"table_names":[`)
		for i, n := range a.tableNames {
			if i > 0 {
				buf.AppendByte(',')
			}
			appendJSONString(buf, n)
		}
		buf.AppendByte(']')
	}
	buf.AppendString(`,"retries":`)
	buf.AppendInt(int64(a.retries))
	buf.AppendByte('}')
}

func tracerAppendOptString(buf *buffer.Buffer, key, v string) {
	if v == "" {
		return
	}
	buf.AppendString(`,"`)
	buf.AppendString(key)
	buf.AppendString(`":`)
	appendJSONString(buf, v)
}

// tracerStatusFlags sets error/throttle/fault from an HTTP status the way X-Ray defines them: 4xx is a
// client error, 429 also a throttle, 5xx a fault.
func (s *tracerSpan) statusFlags(status int) {
	switch {
	case status == 429:
		s.errFlag, s.throttle = true, true
	case status >= 400 && status < 500:
		s.errFlag = true
	case status >= 500:
		s.fault = true
	}
}
