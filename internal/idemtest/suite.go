// Package idemtest is the conformance suite every idempotency store runs (the memory store in the root
// package's tests, the DynamoDB and Redis stores in theirs): each case through app.Wrap and through
// powertools.Idempotent, against the real store, plus the cases on the store itself (a binary response).
// Bench is the stores' shared benchmark, Held the INPROGRESS record their own tests acquire. It is
// test-only: nothing in the library imports it.
package idemtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/testenv"
)

// Store is one store under test.
type Store struct {
	// New returns the store; the suite makes its keys unique per case, so one store may serve them all.
	New func(t *testing.T) powertools.IdempotencyStore
	// Requests counts the requests that reached the store so far (nil: the store makes none).
	Requests func() int64
	// RepeatRequests is how many requests a repeat of a completed record costs: 1 where the failed
	// write returns the old record, 2 where the store reads it again.
	RepeatRequests int64
	// Down makes the store unreachable for the rest of the test (nil: the case is skipped). A store that
	// has it must come from DownStore, a store of its own.
	Down func(t *testing.T)
	// DownStore returns a store that Down takes down.
	DownStore func(t *testing.T) powertools.IdempotencyStore
	// Races is how many times the concurrent-duplicates race is run (100 unless set).
	Races int
}

// Clock is a fake clock for the App (WithClock).
type Clock struct{ ns atomic.Int64 }

// NewClock starts at a fixed time.
func NewClock() *Clock {
	c := &Clock{}
	c.ns.Store(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

// Now is the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// form is one way of making a function idempotent.
type form struct {
	name string
	// make builds the idempotent invoke over h.
	make func(t *testing.T, app *powertools.App, store powertools.IdempotencyStore, h func(context.Context, []byte) ([]byte, error), opts ...powertools.IdemOption) func(context.Context, []byte) ([]byte, error)
}

var forms = []form{
	{"Wrap", func(t *testing.T, app *powertools.App, store powertools.IdempotencyStore, h func(context.Context, []byte) ([]byte, error), opts ...powertools.IdemOption) func(context.Context, []byte) ([]byte, error) {
		return app.Wrap(powertools.HandlerFunc(h)).Invoke
	}},
	{"Idempotent", func(t *testing.T, app *powertools.App, store powertools.IdempotencyStore, h func(context.Context, []byte) ([]byte, error), opts ...powertools.IdemOption) func(context.Context, []byte) ([]byte, error) {
		fn := powertools.Idempotent(app, store, func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) {
			out, err := h(ctx, in)
			return json.RawMessage(out), err
		}, opts...)
		return func(ctx context.Context, payload []byte) (out []byte, err error) {
			defer func() {
				if r := recover(); r != nil {
					out, err = nil, fmt.Errorf("panic: %v", r)
				}
			}()
			return fn(ctx, json.RawMessage(payload))
		}
	}},
}

// env is one case's App and idempotent function.
type env struct {
	t      *testing.T
	clock  *Clock
	logs   *testenv.SyncBuffer
	app    *powertools.App
	store  powertools.IdempotencyStore
	invoke func(context.Context, []byte) ([]byte, error)
}

// setup builds the App (fake clock, an empty environment plus vars) and the idempotent function over h.
func setup(t *testing.T, f form, store powertools.IdempotencyStore, vars map[string]string, h func(context.Context, []byte) ([]byte, error), opts ...powertools.IdemOption) *env {
	t.Helper()
	e := &env{t: t, clock: NewClock(), logs: &testenv.SyncBuffer{}, store: store}
	envVars := map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "orders"}
	for k, v := range vars {
		envVars[k] = v
	}
	appOpts := []powertools.Option{powertools.WithEnv(envVars), powertools.WithClock(e.clock.Now), powertools.WithLogOutput(e.logs)}
	if f.name == "Wrap" {
		appOpts = append(appOpts, powertools.WithIdempotency(store, opts...))
	}
	app, err := powertools.New(appOpts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.app = app
	e.invoke = f.make(t, app, store, h, opts...)
	return e
}

var uniq atomic.Int64

// payload is an event unique to this test process and case, with extra fields.
func payload(extra string) []byte {
	p := fmt.Sprintf(`{"id":"evt-%d-%d"`, time.Now().UnixNano(), uniq.Add(1))
	if extra != "" {
		p += "," + extra
	}
	return []byte(p + "}")
}

// deadlineCtx is an invocation context with a deadline d from now, as the Lambda runtime gives.
func deadlineCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// Run runs every case against s.
func Run(t *testing.T, s Store) {
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			t.Run("replay", func(t *testing.T) { testReplay(t, s, f) })
			t.Run("expiry", func(t *testing.T) { testExpiry(t, s, f) })
			t.Run("takeover and fencing", func(t *testing.T) { testTakeover(t, s, f) })
			t.Run("tampering", func(t *testing.T) { testTampering(t, s, f) })
			t.Run("error and panic", func(t *testing.T) { testErrorPanic(t, s, f) })
			t.Run("falsy responses", func(t *testing.T) { testFalsy(t, s, f) })
			t.Run("missing key", func(t *testing.T) { testMissingKey(t, s, f) })
			t.Run("disabled", func(t *testing.T) { testDisabled(t, s, f) })
			t.Run("requests", func(t *testing.T) { testRequests(t, s, f) })
			t.Run("store down", func(t *testing.T) { testDown(t, s, f) })
		})
	}
	t.Run("race", func(t *testing.T) { testRace(t, s) })
	t.Run("binary response", func(t *testing.T) { testBinary(t, s) })
}

// Held is the INPROGRESS record of key an invocation at now writes: expiring in an hour, with a lease of
// one second.
func Held(key string, now time.Time) *powertools.IdempotencyRecord {
	return &powertools.IdempotencyRecord{Key: key, Status: powertools.IdempotencyInProgress,
		Expiration: now.Add(time.Hour).Unix(), InProgressExpiration: now.Add(time.Second).UnixMilli()}
}

// testBinary, on the store itself: a response that is not UTF-8 comes back byte for byte, and a second
// Complete of the same held record is fenced.
func testBinary(t *testing.T, s Store) {
	store := s.New(t)
	ctx := context.Background()
	now := time.Now()
	held := Held(fmt.Sprintf("bin-%d-%d", now.UnixNano(), uniq.Add(1)), now)
	if ex, err := store.Acquire(ctx, held, now); ex != nil || err != nil {
		t.Fatal(ex, err)
	}
	done := *held
	done.Status, done.Data = powertools.IdempotencyCompleted, []byte{0xff, 0xfe, '"'}
	if err := store.Complete(ctx, held, &done, now); err != nil {
		t.Fatal(err)
	}
	if err := store.Complete(ctx, held, &done, now); !errors.Is(err, powertools.ErrIdempotencyFenced) {
		t.Fatalf("second complete: %v, want ErrIdempotencyFenced", err)
	}
	got, err := store.Acquire(ctx, held, now)
	if err != nil || got == nil || string(got.Data) != string(done.Data) {
		t.Fatalf("%v, %v", got, err)
	}
}

// counter is a handler that counts its runs and answers {"run":n}.
type counter struct{ n atomic.Int64 }

func (c *counter) handle(context.Context, []byte) ([]byte, error) {
	n := c.n.Add(1)
	return []byte(fmt.Sprintf(`{"run":%d}`, n)), nil
}

func testReplay(t *testing.T, s Store, f form) {
	var c counter
	e := setup(t, f, s.New(t), nil, c.handle)
	p := payload("")
	first, err := e.invoke(deadlineCtx(t, 5*time.Second), p)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, err := e.invoke(deadlineCtx(t, 5*time.Second), p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, first) {
			t.Fatalf("replay %s, want %s", again, first)
		}
	}
	if c.n.Load() != 1 {
		t.Fatalf("handler ran %d times, want 1", c.n.Load())
	}
	// Another payload is another key.
	if _, err := e.invoke(deadlineCtx(t, 5*time.Second), payload("")); err != nil {
		t.Fatal(err)
	}
	if c.n.Load() != 2 {
		t.Fatalf("handler ran %d times, want 2", c.n.Load())
	}
}

func testExpiry(t *testing.T, s Store, f form) {
	var c counter
	e := setup(t, f, s.New(t), nil, c.handle, powertools.WithIdemExpiry(10*time.Minute))
	p := payload("")
	mustInvoke(t, e, p, `{"run":1}`)
	e.clock.Advance(9 * time.Minute)
	mustInvoke(t, e, p, `{"run":1}`)
	e.clock.Advance(2 * time.Minute) // past the expiry: the record is void, the handler runs again
	mustInvoke(t, e, p, `{"run":2}`)
	mustInvoke(t, e, p, `{"run":2}`)
}

func mustInvoke(t *testing.T, e *env, p []byte, want string) {
	t.Helper()
	out, err := e.invoke(deadlineCtx(t, 5*time.Second), p)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	if string(out) != want {
		t.Fatalf("got %s, want %s", out, want)
	}
}

// testTakeover: run A's lease passes while it is still running (a timed-out run); B takes the record
// over and runs; A, waking up late, can neither complete nor delete B's record.
func testTakeover(t *testing.T, s Store, f form) {
	for _, aFails := range []bool{false, true} {
		t.Run(fmt.Sprintf("late run fails=%v", aFails), func(t *testing.T) {
			store := s.New(t)
			aStarted, aGo := make(chan struct{}), make(chan struct{})
			bStarted, bGo := make(chan struct{}), make(chan struct{})
			var runs atomic.Int64
			h := func(ctx context.Context, _ []byte) ([]byte, error) {
				switch runs.Add(1) {
				case 1:
					close(aStarted)
					<-aGo
					if aFails {
						return nil, errors.New("run A failed")
					}
					return []byte(`"A"`), nil
				case 2:
					close(bStarted)
					<-bGo
					return []byte(`"B"`), nil
				}
				return []byte(`"C"`), nil
			}
			e := setup(t, f, store, nil, h)
			p := payload("")
			aDone := make(chan error, 1)
			go func() {
				out, err := e.invoke(deadlineCtx(t, time.Second), p) // a lease of one second
				if err == nil && string(out) != `"A"` {
					err = fmt.Errorf("run A got %s", out)
				}
				aDone <- err
			}()
			<-aStarted
			if _, err := e.invoke(deadlineCtx(t, 5*time.Second), p); !errors.Is(err, powertools.ErrIdempotencyAlreadyInProgress) {
				t.Fatalf("during A's lease: %v, want ErrIdempotencyAlreadyInProgress", err)
			}
			e.clock.Advance(2 * time.Second) // A's lease has passed
			bDone := make(chan error, 1)
			go func() {
				out, err := e.invoke(deadlineCtx(t, 30*time.Second), p)
				if err == nil && string(out) != `"B"` {
					err = fmt.Errorf("run B got %s", out)
				}
				bDone <- err
			}()
			<-bStarted
			close(aGo) // A wakes up late, while B holds the record
			aErr := <-aDone
			if aFails {
				if aErr == nil || !strings.Contains(aErr.Error(), "run A failed") {
					t.Fatalf("A: %v, want its own error", aErr)
				}
			} else if aErr != nil {
				t.Fatalf("A: %v", aErr)
			}
			// A neither completed nor deleted B's record: it is still B's, in progress.
			if _, err := e.invoke(deadlineCtx(t, 5*time.Second), p); !errors.Is(err, powertools.ErrIdempotencyAlreadyInProgress) {
				t.Fatalf("after A woke up: %v, want ErrIdempotencyAlreadyInProgress (B's record)", err)
			}
			if !strings.Contains(e.logs.String(), "took the record over") {
				t.Errorf("no WARNING about the lost lease in the logs:\n%s", e.logs.String())
			}
			close(bGo)
			if err := <-bDone; err != nil {
				t.Fatalf("B: %v", err)
			}
			mustInvoke(t, e, p, `"B"`)
			if runs.Load() != 2 {
				t.Fatalf("handler ran %d times, want 2", runs.Load())
			}
		})
	}
}

func testTampering(t *testing.T, s Store, f form) {
	var c counter
	e := setup(t, f, s.New(t), nil, c.handle,
		powertools.WithIdemKeyPath("id"), powertools.WithIdemPayloadValidationPath("[amount, currency]"))
	p := payload(`"amount":10,"currency":"EUR"`)
	mustInvoke(t, e, p, `{"run":1}`)
	tampered := bytes.Replace(p, []byte(`"amount":10`), []byte(`"amount":1000`), 1)
	if _, err := e.invoke(deadlineCtx(t, 5*time.Second), tampered); !errors.Is(err, powertools.ErrIdempotencyValidation) {
		t.Fatalf("tampered payload: %v, want ErrIdempotencyValidation", err)
	}
	// Fields outside both paths change nothing.
	other := bytes.Replace(p, []byte(`"currency"`), []byte(`"note":"x","currency"`), 1)
	mustInvoke(t, e, other, `{"run":1}`)
	if c.n.Load() != 1 {
		t.Fatalf("handler ran %d times", c.n.Load())
	}
}

func testErrorPanic(t *testing.T, s Store, f form) {
	var runs atomic.Int64
	h := func(ctx context.Context, p []byte) ([]byte, error) {
		switch runs.Add(1) {
		case 1:
			return nil, errors.New("boom")
		case 2:
			panic("kaboom")
		}
		return []byte(`"ok"`), nil
	}
	e := setup(t, f, s.New(t), nil, h)
	p := payload("")
	if _, err := e.invoke(deadlineCtx(t, 5*time.Second), p); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("first run: %v, want the handler's error", err)
	}
	// The record was deleted: the retry runs (and panics).
	if _, err := e.invoke(deadlineCtx(t, 5*time.Second), p); err == nil || !strings.Contains(err.Error(), "kaboom") {
		t.Fatalf("second run: %v, want the panic", err)
	}
	// Deleted again after the panic: the third run runs.
	mustInvoke(t, e, p, `"ok"`)
	mustInvoke(t, e, p, `"ok"`)
	if runs.Load() != 3 {
		t.Fatalf("handler ran %d times, want 3", runs.Load())
	}
}

func testFalsy(t *testing.T, s Store, f form) {
	for _, resp := range []string{`0`, `""`, `[]`, `{}`, `null`, `false`, `0.0`, `{"a": []}`, `"é\u00e9"`} {
		t.Run(resp, func(t *testing.T) {
			var runs atomic.Int64
			h := func(context.Context, []byte) ([]byte, error) {
				runs.Add(1)
				return []byte(resp), nil
			}
			e := setup(t, f, s.New(t), nil, h)
			p := payload("")
			for range 2 {
				out, err := e.invoke(deadlineCtx(t, 5*time.Second), p)
				if err != nil {
					t.Fatal(err)
				}
				want := resp
				if f.name == "Idempotent" { // R = json.RawMessage: stored as json.Marshal wrote it (compacted)
					want, out = compact(resp), []byte(compact(string(out)))
				}
				if string(out) != want {
					t.Fatalf("got %q, want %q", out, want)
				}
			}
			if runs.Load() != 1 {
				t.Fatalf("handler ran %d times, want 1", runs.Load())
			}
		})
	}
}

func testMissingKey(t *testing.T, s Store, f form) {
	t.Run("warn", func(t *testing.T) {
		var c counter
		e := setup(t, f, s.New(t), nil, c.handle, powertools.WithIdemKeyPath("order.id"))
		p := payload("")
		mustInvoke(t, e, p, `{"run":1}`)
		mustInvoke(t, e, p, `{"run":2}`) // unguarded: runs every time
		if n := strings.Count(e.logs.String(), `"level":"WARNING"`); n != 2 || !strings.Contains(e.logs.String(), "no key data") {
			t.Fatalf("want one WARNING line per run, got %d:\n%s", n, e.logs.String())
		}
	})
	t.Run("raise", func(t *testing.T) {
		var c counter
		e := setup(t, f, s.New(t), nil, c.handle, powertools.WithIdemKeyPath("order.id"), powertools.WithIdemRaiseOnMissingKey(true))
		if _, err := e.invoke(deadlineCtx(t, 5*time.Second), payload("")); !errors.Is(err, powertools.ErrIdempotencyKeyMissing) {
			t.Fatalf("got %v, want ErrIdempotencyKeyMissing", err)
		}
		if c.n.Load() != 0 {
			t.Fatal("handler ran")
		}
		// With the key present, it works as usual.
		p := payload(`"order":{"id":"o-1"}`)
		mustInvoke(t, e, p, `{"run":1}`)
		mustInvoke(t, e, p, `{"run":1}`)
	})
}

func testDisabled(t *testing.T, s Store, f form) {
	var c counter
	e := setup(t, f, s.New(t), map[string]string{"POWERTOOLS_IDEMPOTENCY_DISABLED": "true"}, c.handle)
	p := payload("")
	mustInvoke(t, e, p, `{"run":1}`)
	mustInvoke(t, e, p, `{"run":2}`)
	if n := strings.Count(e.logs.String(), "POWERTOOLS_IDEMPOTENCY_DISABLED"); n != 1 {
		t.Fatalf("want one WARNING line, got %d:\n%s", n, e.logs.String())
	}
	if s.Requests != nil {
		before := s.Requests()
		mustInvoke(t, e, p, `{"run":3}`)
		if d := s.Requests() - before; d != 0 {
			t.Fatalf("disabled: %d requests to the store", d)
		}
	}
}

func testRequests(t *testing.T, s Store, f form) {
	if s.Requests == nil {
		t.Skip("the store makes no requests")
	}
	var c counter
	e := setup(t, f, s.New(t), nil, c.handle)
	p := payload("")
	count := func(what string, want int64) {
		t.Helper()
		before := s.Requests()
		if _, err := e.invoke(deadlineCtx(t, 5*time.Second), p); err != nil {
			t.Fatal(err)
		}
		if got := s.Requests() - before; got != want {
			t.Fatalf("%s: %d requests, want %d", what, got, want)
		}
	}
	count("first execution", 2)
	count("repeat of a completed record", s.RepeatRequests)

	var c2 counter
	cached := setup(t, f, s.New(t), nil, c2.handle, powertools.WithIdemLocalCache(0))
	e = cached
	p = payload("")
	count("first execution, local cache on", 2)
	count("local-cache hit", 0)
	if c2.n.Load() != 1 {
		t.Fatalf("handler ran %d times", c2.n.Load())
	}
}

// testDown: the store goes away while the handler runs. The response cannot be stored: the caller gets
// an IdempotencyStoreError, not the response; the next call gets one too and the handler does not run.
func testDown(t *testing.T, s Store, f form) {
	if s.Down == nil {
		t.Skip("the store cannot go down")
	}
	var runs atomic.Int64
	h := func(ctx context.Context, _ []byte) ([]byte, error) {
		if runs.Add(1) == 1 {
			s.Down(t)
		}
		return []byte(`"done"`), nil
	}
	e := setup(t, f, s.DownStore(t), nil, h)
	p := payload("")
	var se *powertools.IdempotencyStoreError
	out, err := e.invoke(deadlineCtx(t, 10*time.Second), p)
	if !errors.As(err, &se) || se.Op != "complete" {
		t.Fatalf("store down while running: %q, %v; want an IdempotencyStoreError on complete", out, err)
	}
	if !strings.HasPrefix(err.Error(), "powertools: ") || strings.Count(err.Error(), "powertools:") != 1 {
		t.Errorf("message %q: want exactly one powertools: prefix", err)
	}
	_, err = e.invoke(deadlineCtx(t, 10*time.Second), p)
	if !errors.As(err, &se) || se.Op != "acquire" {
		t.Fatalf("store down: %v; want an IdempotencyStoreError on acquire", err)
	}
	if runs.Load() != 1 {
		t.Fatalf("handler ran %d times while the store was down, want 1", runs.Load())
	}
}

// testRace: 64 concurrent invocations with one key, released at once by a barrier: the handler runs
// exactly once; every other caller gets the stored response or ErrIdempotencyAlreadyInProgress.
func testRace(t *testing.T, s Store) {
	races := s.Races
	if races == 0 {
		races = 100
	}
	const callers = 64
	store := s.New(t)
	envs := make([]*env, len(forms))
	var runs atomic.Int64
	h := func(ctx context.Context, p []byte) ([]byte, error) {
		n := runs.Add(1)
		return []byte(fmt.Sprintf(`{"ran":%d}`, n)), nil
	}
	for i, f := range forms {
		envs[i] = setup(t, f, store, nil, h)
	}
	for r := range races {
		e := envs[r%len(envs)] // Wrap and Idempotent in turn
		p := payload("")
		before := runs.Load()
		var start sync.WaitGroup
		start.Add(1)
		var wg sync.WaitGroup
		outs := make([][]byte, callers)
		errs := make([]error, callers)
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				start.Wait()
				outs[i], errs[i] = e.invoke(ctx, p)
			}()
		}
		start.Done()
		wg.Wait()
		if got := runs.Load() - before; got != 1 {
			t.Fatalf("race %d: handler ran %d times, want exactly 1", r, got)
		}
		want := fmt.Sprintf(`{"ran":%d}`, before+1)
		for i := range callers {
			switch {
			case errs[i] == nil && string(outs[i]) == want:
			case errors.Is(errs[i], powertools.ErrIdempotencyAlreadyInProgress):
			default:
				t.Fatalf("race %d, caller %d: %q, %v", r, i, outs[i], errs[i])
			}
		}
		// Once done, everyone gets the response.
		out, err := e.invoke(context.Background(), p)
		if err != nil || string(out) != want {
			t.Fatalf("race %d: after: %q, %v", r, out, err)
		}
	}
}

func compact(s string) string {
	var b bytes.Buffer
	_ = json.Compact(&b, []byte(s))
	return b.String()
}
