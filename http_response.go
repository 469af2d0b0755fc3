package powertools

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// httpWriter is the http.ResponseWriter handlers write to: the answer is buffered, then encoded in the
// event's shape.
type httpWriter struct {
	header http.Header
	status int
	buf    *bytes.Buffer
}

var httpBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// httpMaxPooled keeps huge bodies from pinning memory in the pool.
const httpMaxPooled = 1 << 20

func (w *httpWriter) init() {
	w.header = make(http.Header, 4)
	w.buf = httpBuffers.Get().(*bytes.Buffer)
}

func (w *httpWriter) release() {
	if w.buf.Cap() <= httpMaxPooled {
		w.buf.Reset()
		httpBuffers.Put(w.buf)
	}
	w.buf = nil
}

func (w *httpWriter) Header() http.Header { return w.header }

func (w *httpWriter) WriteHeader(status int) {
	if w.status == 0 && status >= 200 {
		w.status = status
	}
}

func (w *httpWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.Write(p)
}

func (w *httpWriter) WriteString(s string) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.WriteString(s)
}

// Flush does nothing: a Lambda answer is sent whole. It is there for handlers that assert http.Flusher.
func (w *httpWriter) Flush() {}

// answerJSON replaces whatever was written with a JSON answer of the adapter's own.
func (w *httpWriter) answerJSON(status int, body []byte) {
	clear(w.header)
	w.header["Content-Type"] = []string{"application/json"}
	w.status = status
	w.buf.Reset()
	w.buf.Write(body)
}

// isPlainNotFound recognises http.NotFound's answer, which routers other than ServeMux use too.
func (w *httpWriter) isPlainNotFound() bool {
	return w.status == http.StatusNotFound && w.buf.String() == "404 page not found\n"
}

// jsonErrorAnswer turns ServeMux's plain-text 404 and 405 answers into JSON, keeping the Allow header.
func (w *httpWriter) jsonErrorAnswer() {
	if w.status != http.StatusNotFound && w.status != http.StatusMethodNotAllowed {
		return
	}
	allow := w.header["Allow"]
	w.answerJSON(w.status, httpMessage(w.status, ""))
	if allow != nil {
		w.header["Allow"] = allow
	}
}

// httpIsText reports whether a body of this Content-Type goes as text; any other is base64 encoded.
func httpIsText(ct string) bool {
	if ct == "" {
		return false
	}
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if strings.HasPrefix(mt, "text/") {
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/ecmascript",
		"application/x-www-form-urlencoded", "application/graphql", "application/x-ndjson", "application/yaml":
		return true
	}
	return strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml")
}

var httpOutBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// encode writes the answer in the event's shape. gz, when not nil, is the compressed body.
func (w *httpWriter) encode(kind HTTPEventKind, gz []byte) []byte {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	body := w.buf.Bytes()
	b64 := false
	if gz != nil {
		body, b64 = gz, true
	} else if len(body) > 0 {
		ct := w.header.Get("Content-Type")
		if ct == "" {
			ct = http.DetectContentType(body)
			w.header["Content-Type"] = []string{ct}
		}
		ce := w.header.Get("Content-Encoding")
		b64 = !httpIsText(ct) || (ce != "" && ce != "identity") || !utf8.Valid(body)
	}

	keys := make([]string, 0, 16)
	for k := range w.header {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	bp := httpOutBuffers.Get().(*[]byte)
	out := (*bp)[:0]
	out = append(out, `{"statusCode":`...)
	out = strconv.AppendInt(out, int64(status), 10)
	switch kind {
	case HTTPEventALB, HTTPEventALBMultiValue, HTTPEventVPCLattice, HTTPEventVPCLatticeV2:
		out = append(out, `,"statusDescription":`...)
		out = jsonAppendString(out, strconv.Itoa(status)+" "+http.StatusText(status))
	}
	switch kind {
	case HTTPEventAPIGatewayREST, HTTPEventALBMultiValue:
		out = append(out, `,"multiValueHeaders":{`...)
		for i, k := range keys {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(jsonAppendString(out, k), ':', '[')
			for j, v := range w.header[k] {
				if j > 0 {
					out = append(out, ',')
				}
				out = jsonAppendString(out, v)
			}
			out = append(out, ']')
		}
		out = append(out, '}')
	default:
		v2 := kind == HTTPEventAPIGatewayHTTP || kind == HTTPEventFunctionURL
		out = append(out, `,"headers":{`...)
		n := 0
		for _, k := range keys {
			vs := w.header[k]
			if len(vs) == 0 || (v2 && k == "Set-Cookie") {
				continue
			}
			if n > 0 {
				out = append(out, ',')
			}
			n++
			out = append(jsonAppendString(out, k), ':')
			if k == "Set-Cookie" { // one value only in this shape: the last one set wins
				out = jsonAppendString(out, vs[len(vs)-1])
				continue
			}
			out = append(out, '"')
			for j, v := range vs {
				if j > 0 {
					out = append(out, ',', ' ')
				}
				out = jsonAppendEscaped(out, v)
			}
			out = append(out, '"')
		}
		out = append(out, '}')
		if cookies := w.header["Set-Cookie"]; v2 && len(cookies) > 0 {
			out = append(out, `,"cookies":[`...)
			for j, c := range cookies {
				if j > 0 {
					out = append(out, ',')
				}
				out = jsonAppendString(out, c)
			}
			out = append(out, ']')
		}
	}
	out = append(out, `,"body":`...)
	if b64 {
		out = append(out, '"')
		out = base64.StdEncoding.AppendEncode(out, body)
		out = append(out, '"')
	} else {
		out = jsonAppendString(out, unsafeString(body))
	}
	out = append(out, `,"isBase64Encoded":`...)
	out = strconv.AppendBool(out, b64)
	out = append(out, '}')
	res := bytes.Clone(out)
	if cap(out) <= httpMaxPooled {
		*bp = out[:0]
		httpOutBuffers.Put(bp)
	}
	return res
}

// unsafeString views b as a string for the encoder, which only reads it.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
