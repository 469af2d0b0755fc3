package powertools

import (
	"context"
	"strconv"
	"sync"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// LogBufferConfig configures log buffering (WithLogBuffer), as the Python edition's LoggerBufferConfig.
type LogBufferConfig struct {
	// MaxBytes is the size of the invocation's buffer; when a line does not fit, the oldest lines are
	// evicted. 0 means the default, 20480.
	MaxBytes int
	// AtLevel is the most verbose level kept back: lines at this level and below (more verbose) are
	// buffered. DEBUG, INFO or WARNING; "" means the default, DEBUG.
	AtLevel string
	// FlushOnErrorLog writes the buffer before every ERROR or CRITICAL line. nil means the default, true;
	// new(false) turns it off.
	FlushOnErrorLog *bool
}

// Defaults of LogBufferConfig.
const (
	logBufferDefaultMaxBytes = 20480
	logBufferWarning         = "powertools: some log lines were evicted from the buffer before it was flushed; raise LogBufferConfig.MaxBytes to keep more"
	logBufferOversize        = "powertools: log line larger than the log buffer, written directly instead of buffered"
)

// logBufferConfig is LogBufferConfig resolved.
type logBufferConfig struct {
	maxBytes     int
	atLevel      zapcore.Level
	flushOnError bool
}

// WithLogBuffer keeps the invocation's lines at or below cfg.AtLevel (DEBUG by default) in a buffer of
// cfg.MaxBytes (20480 by default) instead of writing them, even when the log level would drop them. The
// buffer is written, in order and before the line that triggers it, when an ERROR or CRITICAL line is
// logged (unless FlushOnErrorLog is false), when the handler returns an error or panics, and on
// FlushLogBuffer; otherwise it is dropped when the invocation ends. When it is full the oldest lines are
// evicted, and the flush starts with one WARNING line saying how many. A line larger than the buffer is
// written directly with a WARNING line. Buffered lines keep their own timestamps and keys. An invocation
// sampled by WithLogSampleRate writes its lines directly. Each invocation has its own buffer. Default: no
// buffering.
func WithLogBuffer(cfg LogBufferConfig) Option {
	return func(c *config) {
		r := logBufferConfig{maxBytes: cfg.MaxBytes, atLevel: zapcore.DebugLevel, flushOnError: true}
		if r.maxBytes == 0 {
			r.maxBytes = logBufferDefaultMaxBytes
		}
		if r.maxBytes < 0 {
			c.addErr("WithLogBuffer", "MaxBytes="+strconv.Itoa(cfg.MaxBytes), "must not be negative")
			return
		}
		if cfg.AtLevel != "" {
			lvl, err := parseLevel(cfg.AtLevel)
			if err != nil || lvl > zapcore.WarnLevel {
				c.addErr("WithLogBuffer", "AtLevel="+cfg.AtLevel, "want DEBUG, INFO or WARNING")
				return
			}
			r.atLevel = lvl
		}
		if cfg.FlushOnErrorLog != nil {
			r.flushOnError = *cfg.FlushOnErrorLog
		}
		c.log.buffer = &r
	}
}

// FlushLogBuffer writes the lines the invocation's buffer holds (WithLogBuffer), in order, and empties it.
// Outside a wrapped handler, or without buffering, it does nothing.
func FlushLogBuffer(ctx context.Context) {
	if inv := invocationFrom(ctx); inv != nil {
		inv.flushLogBuffer()
	}
}

// logBuffer is one invocation's buffered lines: their bytes one after the other in data, oldest first,
// and where each one starts and ends. Evicting a line moves the start of the live part; the live part is
// moved back to the front when the dead part outgrows it, so a buffered line costs no allocation once
// data has grown to about twice the buffer's size.
type logBuffer struct {
	mu      sync.Mutex
	data    []byte
	spans   [][2]int // [start, end) of each line in data; spans[:head] are evicted
	head    int
	size    int // bytes of the live lines
	evicted int // lines evicted since the last flush
}

// bufferLine keeps a copy of line, evicting the oldest lines to make room; a line larger than the
// buffer is written directly, after a warning.
func (inv *invocation) bufferLine(line []byte) error {
	r := inv.app.log
	max := r.buffer.maxBytes
	if len(line) > max {
		inv.logDirect(zapcore.WarnLevel, logBufferOversize, zap.Int("line_bytes", len(line)), zap.Int("max_bytes", max))
		return (&logCore{root: r, inv: inv}).write(line)
	}
	b := inv.logBuf.Load()
	if b == nil {
		inv.logBuf.CompareAndSwap(nil, new(logBuffer))
		b = inv.logBuf.Load()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.size+len(line) > max && b.head < len(b.spans) {
		sp := b.spans[b.head]
		b.size -= sp[1] - sp[0]
		b.head++
		b.evicted++
	}
	if b.head == len(b.spans) {
		b.data, b.spans, b.head = b.data[:0], b.spans[:0], 0
	} else if start := b.spans[b.head][0]; start > b.size {
		// Move the live lines to the front.
		b.data = append(b.data[:0], b.data[start:]...)
		live := append(b.spans[:0], b.spans[b.head:]...)
		for i := range live {
			live[i][0] -= start
			live[i][1] -= start
		}
		b.spans, b.head = live, 0
	}
	start := len(b.data)
	b.data = append(b.data, line...)
	b.spans = append(b.spans, [2]int{start, len(b.data)})
	b.size += len(line)
	return nil
}

// flushLogBuffer writes the buffered lines, after one WARNING line counting the evicted ones.
func (inv *invocation) flushLogBuffer() {
	b := inv.logBuf.Load()
	if b == nil {
		return
	}
	// The lock is held while writing, so two flushes of one invocation never interleave their lines.
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.evicted > 0 {
		inv.logDirect(zapcore.WarnLevel, logBufferWarning, zap.Int("evicted_lines", b.evicted))
	}
	w := &logCore{root: inv.app.log, inv: inv}
	for _, sp := range b.spans[b.head:] {
		_ = w.write(b.data[sp[0]:sp[1]])
	}
	b.reset()
}

// reset empties the buffer, keeping its memory; the caller holds mu.
func (b *logBuffer) reset() {
	b.data, b.spans, b.head, b.size, b.evicted = b.data[:0], b.spans[:0], 0, 0, 0
}

// discardLogBuffer drops what the buffer holds, at the end of an invocation that did not fail.
func (inv *invocation) discardLogBuffer() {
	if b := inv.logBuf.Load(); b != nil {
		b.mu.Lock()
		b.reset()
		b.mu.Unlock()
	}
}

// logDirect logs one of the library's lines about the buffer: written, never buffered.
func (inv *invocation) logDirect(lvl zapcore.Level, msg string, fields ...zap.Field) {
	fields = append(fields, zap.Bool(logDirectKey, true))
	if ce := inv.zapLogger().WithOptions(zap.AddCaller(), zap.AddCallerSkip(1)).Check(lvl, msg); ce != nil {
		ce.Write(fields...)
	} else {
		// Below the level (AtLevel WARNING with level ERROR): the warning is still written.
		ent := zapcore.Entry{Level: lvl, Time: inv.app.log.clock.Now(), Message: msg}
		_ = (&logCore{root: inv.app.log, inv: inv}).Write(ent, fields)
	}
}

// logEnd ends the invocation's logging: the buffer is written when the handler failed and dropped
// otherwise, and a panic of the log writer during the invocation becomes its error when it has none.
func (inv *invocation) logEnd(out []byte, err error) ([]byte, error) {
	if inv.logBuf.Load() != nil {
		if err != nil {
			inv.flushLogBuffer()
		} else {
			inv.discardLogBuffer()
		}
	}
	if err == nil {
		if pe := inv.outErr.Load(); pe != nil {
			return nil, pe
		}
	}
	return out, err
}
