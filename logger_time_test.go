package powertools

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/buffer"
)

func logTimeWant(t time.Time, layout string) string {
	return t.UTC().Format(layout)
}

func logTimeGot(t time.Time, layout string) string {
	buf := buffer.NewPool().Get()
	defer buf.Free()
	logAppendTime(buf, t, layout)
	return buf.String()
}

func TestLogAppendTime(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		name string
		t    time.Time
	}{
		{"epoch", time.Unix(0, 0)},
		{"millisecond truncated, not rounded", time.Date(2021, 5, 3, 11, 47, 12, 494999999, time.UTC)},
		{"end of a year", time.Date(1999, 12, 31, 23, 59, 59, 999000000, time.UTC)},
		{"leap day", time.Date(2024, 2, 29, 0, 0, 0, 1000000, time.UTC)},
		{"another zone is written in UTC", time.Date(2026, 1, 1, 0, 30, 0, 5000000, paris)},
		{"year 0", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year 9999", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"year 10000 (AppendFormat)", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year -1 (AppendFormat)", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"zero time", time.Time{}},
	} {
		for _, layout := range []string{logTimeDefault, logTimeRFC3339, time.RFC3339Nano} {
			if got, want := logTimeGot(tc.t, layout), logTimeWant(tc.t, layout); got != want {
				t.Errorf("%s, layout %q: %q, want %q", tc.name, layout, got, want)
			}
		}
	}
}

func TestLogAppendTimeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		tm := time.Unix(r.Int64N(253402300800), r.Int64N(1e9)) // 1970 .. 9999
		for _, layout := range []string{logTimeDefault, logTimeRFC3339} {
			if got, want := logTimeGot(tm, layout), logTimeWant(tm, layout); got != want {
				t.Fatalf("%v, layout %q: %q, want %q", tm, layout, got, want)
			}
		}
	}
}

func FuzzLogAppendTime(f *testing.F) {
	f.Add(int64(0), int64(0))
	f.Add(int64(1620042432), int64(494000000))
	f.Add(int64(-62135596800), int64(1))
	f.Add(int64(253402300799), int64(999999999))
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tm := time.Unix(sec, nsec)
		for _, layout := range []string{logTimeDefault, logTimeRFC3339} {
			if got, want := logTimeGot(tm, layout), logTimeWant(tm, layout); got != want {
				t.Fatalf("%v, layout %q: %q, want %q", tm, layout, got, want)
			}
		}
	})
}

func BenchmarkLogAppendTime(b *testing.B) {
	buf := buffer.NewPool().Get()
	tm := time.Date(2021, 5, 3, 11, 47, 12, 494000000, time.UTC)
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			buf.Reset()
			logAppendTime(buf, tm, logTimeDefault)
		}
	})
	b.Run("AppendFormat", func(b *testing.B) {
		for b.Loop() {
			buf.Reset()
			buf.AppendTime(tm.UTC(), logTimeDefault)
		}
	})
}

// TestLogAppendTimeSecondCache writes times within one second (the cached second reused), alternating
// between seconds (replaced each time), and from goroutines each in its own second at once.
func TestLogAppendTimeSecondCache(t *testing.T) {
	base := time.Date(2026, 12, 1, 23, 59, 59, 0, time.UTC)
	check := func(tm time.Time) error {
		for _, layout := range []string{logTimeDefault, logTimeRFC3339} {
			if got, want := logTimeGot(tm, layout), logTimeWant(tm, layout); got != want {
				return fmt.Errorf("%v, layout %q: %q, want %q", tm, layout, got, want)
			}
		}
		return nil
	}
	for ms := 0; ms < 1000; ms += 7 {
		if err := check(base.Add(time.Duration(ms) * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 100 {
		if err := check(base.Add(time.Duration(i%2)*time.Second + time.Duration(i)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				if err := check(base.Add(time.Duration(g)*time.Second + time.Duration(i)*time.Millisecond)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
