package powertools

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// httpDefaultCompressMin is the smallest body WithCompression compresses: below it gzip's 18-byte frame
// and the base64 expansion cost more than they save.
const httpDefaultCompressMin = 1024

// WithCompression gzips an answer's body when the request's Accept-Encoding allows gzip, the body is at
// least minSize bytes (1 KiB when minSize is 0 or absent), its type is text (see HTTPHandler) or SVG, and
// the handler did not encode it already. The answer carries Content-Encoding: gzip and Vary:
// Accept-Encoding, and its body goes base64 encoded, as the services require. Default: off.
func WithCompression(minSize ...int) HTTPOption {
	return func(c *httpConfig) {
		c.compress = true
		if len(minSize) > 0 && minSize[0] > 0 {
			c.compressMin = minSize[0]
		}
	}
}

type httpGzip struct {
	buf bytes.Buffer
	zw  *gzip.Writer
}

var httpGzips = sync.Pool{New: func() any {
	g := new(httpGzip)
	g.zw = gzip.NewWriter(&g.buf)
	return g
}}

// compress returns the compressed body, or nil when the answer is not to be compressed. The bytes belong
// to g, a pooled compressor the caller puts back after encoding the answer.
func (h *httpHandler) compress(r *http.Request, w *httpWriter) (out []byte, g *httpGzip) {
	body := w.buf.Bytes()
	if len(body) < h.cfg.compressMin || w.header.Get("Content-Encoding") != "" || !httpAcceptsGzip(r.Header["Accept-Encoding"]) {
		return nil, nil
	}
	ct := w.header.Get("Content-Type")
	if ct == "" {
		ct = http.DetectContentType(body)
		w.header["Content-Type"] = []string{ct}
	}
	if !httpIsText(ct) && !strings.HasPrefix(strings.ToLower(ct), "image/svg") {
		return nil, nil
	}
	g = httpGzips.Get().(*httpGzip)
	g.buf.Reset()
	g.zw.Reset(&g.buf)
	if _, err := g.zw.Write(body); err != nil || g.zw.Close() != nil {
		httpGzips.Put(g)
		return nil, nil
	}
	w.header["Content-Encoding"] = []string{"gzip"}
	w.header.Add("Vary", "Accept-Encoding")
	delete(w.header, "Content-Length")
	return g.buf.Bytes(), g
}

// httpAcceptsGzip reads Accept-Encoding: gzip (or *) with a q-value other than 0.
func httpAcceptsGzip(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			name = strings.TrimSpace(name)
			if !strings.EqualFold(name, "gzip") && name != "*" {
				continue
			}
			q := 1.0
			if p, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
				if f, err := strconv.ParseFloat(strings.TrimSpace(p), 64); err == nil {
					q = f
				}
			}
			if q > 0 {
				return true
			}
		}
	}
	return false
}
