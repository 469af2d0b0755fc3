package powertools

import (
	"sync/atomic"
	"time"

	"go.uber.org/zap/buffer"
)

// logAppendTime writes t in UTC in layout. The two layouts the logger has, logTimeDefault
// (2021-05-03 11:47:12,494+0000) and logTimeRFC3339 (2021-05-03T11:47:12.494+00:00), are written digit by
// digit, which is several times cheaper than time.Time.AppendFormat parsing the layout on every line, the
// date and time of the second once per second (logTimeLast); any other layout, and a year outside
// 0..9999, go through AppendFormat. The bytes are AppendFormat's either way (logger_time_test.go compares
// them).
func logAppendTime(buf *buffer.Buffer, t time.Time, layout string) {
	t = t.UTC()
	if layout != logTimeDefault && layout != logTimeRFC3339 {
		buf.AppendTime(t, layout)
		return
	}
	c := logTimeSecondOf(t)
	if c == nil { // a year outside 0..9999
		buf.AppendTime(t, layout)
		return
	}
	ms := t.Nanosecond() / int(time.Millisecond)
	var b [29]byte
	copy(b[:19], c.b[:])
	b[19] = ','
	b[20] = byte('0' + ms/100)
	logPut2(b[21:], ms%100)
	if layout == logTimeRFC3339 {
		b[10], b[19] = 'T', '.'
		copy(b[23:], "+00:00")
		buf.Write(b[:29])
		return
	}
	copy(b[23:], "+0000")
	buf.Write(b[:28])
}

// logTimeSecond is the date and time of one second, "2021-05-03 11:47:12": the part of a timestamp
// that lines written within the same second share.
type logTimeSecond struct {
	sec int64
	b   [19]byte
}

// logTimeLast is the second written last, process-wide: a cache of a pure function of the time.
var logTimeLast atomic.Pointer[logTimeSecond]

// logTimeSecondOf returns the second of t (UTC), written once per second; nil for a year outside
// 0..9999, which the layouts' four digits cannot hold.
func logTimeSecondOf(t time.Time) *logTimeSecond {
	sec := t.Unix()
	if c := logTimeLast.Load(); c != nil && c.sec == sec {
		return c
	}
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return nil
	}
	hour, minute, second := t.Clock()
	c := &logTimeSecond{sec: sec}
	b := c.b[:]
	logPut4(b[0:], year)
	b[4] = '-'
	logPut2(b[5:], int(month))
	b[7] = '-'
	logPut2(b[8:], day)
	b[10] = ' '
	logPut2(b[11:], hour)
	b[13] = ':'
	logPut2(b[14:], minute)
	b[16] = ':'
	logPut2(b[17:], second)
	logTimeLast.Store(c)
	return c
}

// logPut2 writes v (0..99) as two digits.
func logPut2(b []byte, v int) {
	b[0] = byte('0' + v/10)
	b[1] = byte('0' + v%10)
}

// logPut4 writes v (0..9999) as four digits.
func logPut4(b []byte, v int) {
	logPut2(b, v/100)
	logPut2(b[2:], v%100)
}
