package powertools_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/testenv"
)

type idemOrder struct {
	ID     string `json:"id"`
	Amount int    `json:"amount"`
}

type idemReceipt struct {
	OrderID string `json:"order_id"`
	Charged int    `json:"charged"`
}

func idemHandle(ctx context.Context, o idemOrder) (idemReceipt, error) {
	return idemReceipt{OrderID: o.ID, Charged: o.Amount}, nil
}

// TestIdemKeyFormat: "<AWS_LAMBDA_FUNCTION_NAME>.<handler>#<md5>" (test-func outside Lambda, as in
// Python), or "<prefix>#<md5>"; the md5 is Python's for the same payload.
func TestIdemKeyFormat(t *testing.T) {
	// python3 -c 'import hashlib,json; print(hashlib.md5(json.dumps({"id":"o-1","amount":10}, sort_keys=True).encode()).hexdigest())'
	const sum = "e326bd075213cecb514eccf97213cf93"
	for _, c := range []struct {
		name string
		env  map[string]string
		opts []powertools.IdemOption
		key  string
	}{
		{"function name", map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "orders"}, nil, "orders.idemHandle#" + sum},
		{"outside Lambda", nil, nil, "test-func.idemHandle#" + sum},
		{"prefix", map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "orders"}, []powertools.IdemOption{powertools.WithIdemKeyPrefix("payments")}, "payments#" + sum},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := powertools.NewMemoryStore()
			h := powertools.WrapFunc(newApp(t, c.env, powertools.WithIdempotency(store, c.opts...)), idemHandle)
			_, err := h.Invoke(context.Background(), []byte(`{"id":"o-1","amount":10}`))
			require.NoError(t, err)
			rec, ok := store.Record(c.key)
			require.True(t, ok, "no record under %s", c.key)
			assert.Equal(t, powertools.IdempotencyCompleted, rec.Status)
			assert.Equal(t, `{"order_id":"o-1","charged":10}`, string(rec.Data))
		})
	}
}

// TestIdemKeyPathKeepsBigIntegers: powertools_json keeps numbers as written, so an id above 2^53 hashes
// as in Python.
func TestIdemKeyPathKeepsBigIntegers(t *testing.T) {
	store := powertools.NewMemoryStore()
	app := newApp(t, nil, powertools.WithIdempotency(store, powertools.WithIdemKeyPath("powertools_json(body).id"), powertools.WithIdemKeyPrefix("p")))
	h := app.Wrap(func(ctx context.Context) (string, error) { return "ok", nil })
	_, err := h.Invoke(context.Background(), []byte(`{"body":"{\"id\": 12345678901234567890123}"}`))
	require.NoError(t, err)
	// python3 -c 'import hashlib,json; print(hashlib.md5(json.dumps(12345678901234567890123).encode()).hexdigest())'
	_, ok := store.Record("p#53c179a3aab54999c4fb1c7374643090")
	assert.True(t, ok)
}

// TestIdemLease: in_progress_expiration is now plus the time left before ctx's deadline, by the App's
// clock; expiration is now plus the expiry, in seconds.
func TestIdemLease(t *testing.T) {
	store := powertools.NewMemoryStore()
	seen := make(chan powertools.IdempotencyRecord, 1)
	app := newApp(t, nil, powertools.WithClock(fixedClock), powertools.WithIdempotency(store, powertools.WithIdemKeyPrefix("p"), powertools.WithIdemKeyPath("id"), powertools.WithIdemExpiry(10*time.Minute)))
	h := app.Wrap(func(ctx context.Context, o idemOrder) (string, error) {
		// python3 -c 'import hashlib,json; print(hashlib.md5(json.dumps("o-1").encode()).hexdigest())'
		rec, _ := store.Record("p#cbcbdb948de16bfe7e49a81f91500ab1")
		seen <- rec
		return "ok", nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := h.Invoke(ctx, []byte(`{"id":"o-1"}`))
	require.NoError(t, err)
	rec := <-seen
	assert.Equal(t, powertools.IdempotencyInProgress, rec.Status)
	assert.Equal(t, fixedTime.Add(10*time.Minute).Unix(), rec.Expiration)
	lease := rec.InProgressExpiration - fixedTime.UnixMilli()
	assert.True(t, lease > 2000 && lease <= 3000, "lease %d ms, want about 3000", lease)
}

// TestIdempotentTyped: the function form with typed input and output, outside a wrapped handler and
// inside one (as a batch record handler would call it), sharing one store.
func TestIdempotentTyped(t *testing.T) {
	store := powertools.NewMemoryStore()
	app := newApp(t, nil)
	var mu sync.Mutex
	runs := 0
	charge := powertools.Idempotent(app, store, func(ctx context.Context, o idemOrder) (idemReceipt, error) {
		mu.Lock()
		runs++
		mu.Unlock()
		return idemReceipt{OrderID: o.ID, Charged: o.Amount * 2}, nil
	}, powertools.WithIdemKeyPath("id"))
	got, err := charge(context.Background(), idemOrder{ID: "o-1", Amount: 5})
	require.NoError(t, err)
	assert.Equal(t, idemReceipt{"o-1", 10}, got)

	h := app.Wrap(func(ctx context.Context, orders []idemOrder) ([]idemReceipt, error) {
		var out []idemReceipt
		for _, o := range orders {
			r, err := charge(ctx, o)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, nil
	})
	out, err := h.Invoke(context.Background(), []byte(`[{"id":"o-1","amount":5},{"id":"o-2","amount":1},{"id":"o-1","amount":5}]`))
	require.NoError(t, err)
	assert.JSONEq(t, `[{"order_id":"o-1","charged":10},{"order_id":"o-2","charged":2},{"order_id":"o-1","charged":10}]`, string(out))
	assert.Equal(t, 2, runs)
}

// TestIdemResponseHook: the hook runs on replays only, with the stored record.
func TestIdemResponseHook(t *testing.T) {
	var hooked []string
	hook := func(ctx context.Context, resp []byte, rec powertools.IdempotencyRecord) []byte {
		hooked = append(hooked, rec.Status)
		return []byte(strings.Replace(string(resp), "}", `,"replayed":true}`, 1))
	}
	h := powertools.WrapFunc(newApp(t, nil, powertools.WithIdempotency(powertools.NewMemoryStore(), powertools.WithIdemResponseHook(hook))), idemHandle)
	first, err := h.Invoke(context.Background(), []byte(`{"id":"o-1","amount":1}`))
	require.NoError(t, err)
	assert.Equal(t, `{"order_id":"o-1","charged":1}`, string(first))
	assert.Empty(t, hooked)
	again, err := h.Invoke(context.Background(), []byte(`{"id":"o-1","amount":1}`))
	require.NoError(t, err)
	assert.Equal(t, `{"order_id":"o-1","charged":1,"replayed":true}`, string(again))
	assert.Equal(t, []string{powertools.IdempotencyCompleted}, hooked)
}

// TestIdemLocalCache: the cache answers repeats, never holds an INPROGRESS record, and drops expired
// records.
func TestIdemLocalCache(t *testing.T) {
	clock := fixedTime
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	store := powertools.NewMemoryStore()
	started, release := make(chan struct{}), make(chan struct{})
	runs := 0
	h := newApp(t, nil, powertools.WithClock(now), powertools.WithIdempotency(store, powertools.WithIdemLocalCache(2), powertools.WithIdemExpiry(time.Minute))).
		Wrap(func(ctx context.Context) (int, error) {
			runs++
			if runs == 1 {
				close(started)
				<-release
			}
			return runs, nil
		})
	done := make(chan error)
	go func() { _, err := h.Invoke(context.Background(), []byte(`{"a":1}`)); done <- err }()
	<-started
	_, err := h.Invoke(context.Background(), []byte(`{"a":1}`))
	assert.ErrorIs(t, err, powertools.ErrIdempotencyAlreadyInProgress)
	close(release)
	require.NoError(t, <-done)
	out, err := h.Invoke(context.Background(), []byte(`{"a":1}`))
	require.NoError(t, err)
	assert.Equal(t, "1", string(out))
	mu.Lock()
	clock = clock.Add(2 * time.Minute)
	mu.Unlock()
	out, err = h.Invoke(context.Background(), []byte(`{"a":1}`))
	require.NoError(t, err)
	assert.Equal(t, "2", string(out), "an expired cached record must not be replayed")
}

// TestIdemAfterValidation: inbound validation runs before idempotency: an invalid event writes no record.
func TestIdemAfterValidation(t *testing.T) {
	store := powertools.NewMemoryStore()
	v := &testValidator{}
	h := newApp(t, nil, powertools.WithValidator(v), powertools.WithIdempotency(store, powertools.WithIdemKeyPrefix("p"))).
		Wrap(func(ctx context.Context, in any) (string, error) { return "ok", nil })
	_, err := h.Invoke(context.Background(), []byte(`null`))
	assert.ErrorIs(t, err, errTestNull)
	// md5("null"), the key of a null payload: nothing was written.
	_, ok := store.Record("p#37a6259cc0c1dae299a7866489dff0bd")
	assert.False(t, ok)
	out, err := h.Invoke(context.Background(), []byte(`{"a":1}`))
	require.NoError(t, err)
	assert.Equal(t, `"ok"`, string(out))
}

func TestIdemConfigErrors(t *testing.T) {
	_, err := powertools.New(powertools.WithEnv(map[string]string{"POWERTOOLS_IDEMPOTENCY_DISABLED": "maybe"}),
		powertools.WithIdempotency(powertools.NewMemoryStore(), powertools.WithIdemKeyPath("a[?"), powertools.WithIdemExpiry(0),
			powertools.WithIdemLocalCache(-1), powertools.WithIdemKeyPrefix(""), powertools.WithIdemResponseHook(nil),
			powertools.WithIdemPayloadValidationPath("]")))
	require.Error(t, err)
	for _, name := range []string{"POWERTOOLS_IDEMPOTENCY_DISABLED", "WithIdemKeyPath", "WithIdemExpiry", "WithIdemLocalCache",
		"WithIdemKeyPrefix", "WithIdemResponseHook", "WithIdemPayloadValidationPath"} {
		assert.Contains(t, err.Error(), "powertools: "+name+"=")
	}
	assert.ErrorIs(t, err, powertools.ErrConfig)
	_, err = powertools.New(powertools.WithIdempotency(nil))
	assert.ErrorIs(t, err, powertools.ErrConfig)

	fn := powertools.Idempotent(newApp(t, nil), powertools.NewMemoryStore(), idemHandle, powertools.WithIdemKeyPath("a[?"))
	_, err = fn(context.Background(), idemOrder{})
	var ce *powertools.ConfigError
	assert.ErrorAs(t, err, &ce)
	_, err = powertools.Idempotent[idemOrder, idemReceipt](nil, powertools.NewMemoryStore(), idemHandle)(context.Background(), idemOrder{})
	assert.ErrorAs(t, err, &ce)
}

// TestIdemBadPayload: a payload that is not JSON is a clear error, and the handler does not run.
func TestIdemBadPayload(t *testing.T) {
	ran := false
	h := newApp(t, nil, powertools.WithIdempotency(powertools.NewMemoryStore())).Wrap(powertools.HandlerFunc(func(ctx context.Context, p []byte) ([]byte, error) {
		ran = true
		return nil, nil
	}))
	_, err := h.Invoke(context.Background(), []byte(`{"a":`))
	assert.ErrorIs(t, err, powertools.ErrInvalidJSON)
	assert.True(t, strings.HasPrefix(err.Error(), "powertools: idempotency: payload"), err.Error())
	assert.False(t, ran)
}

// TestIdemStoreErrorMessage: one powertools: prefix, the cause kept.
func TestIdemStoreErrorMessage(t *testing.T) {
	err := error(&powertools.IdempotencyStoreError{Op: "acquire", Key: "k", Err: powertools.ErrIdempotencyBadRecord})
	assert.Equal(t, `powertools: idempotency store: acquire "k": idempotency: malformed stored record`, err.Error())
	assert.ErrorIs(t, err, powertools.ErrIdempotencyBadRecord)
	assert.False(t, errors.Is(err, powertools.ErrIdempotencyValidation))
}

// TestIdemMemoryAlloc: the memory store's replay and first execution stay within their allocation
// budgets.
func TestIdemMemoryAlloc(t *testing.T) {
	testenv.SkipAllocsUnderRace(t)
	store := powertools.NewMemoryStore()
	fn := powertools.Idempotent(newApp(t, nil), store, func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) { return in, nil })
	ctx := context.Background()
	in := json.RawMessage(`{"id":"o-1","amount":10,"customer":{"email":"a@example.com"}}`)
	if _, err := fn(ctx, in); err != nil {
		t.Fatal(err)
	}
	replay := testing.AllocsPerRun(200, func() { _, _ = fn(ctx, in) })
	t.Logf("replay: %.0f allocs", replay)
	if replay > 40 {
		t.Errorf("replay: %.0f allocs, budget 40", replay)
	}
}

// slowStore delays every call of the store it wraps, honouring the context as a networked store's
// client does.
type slowStore struct {
	powertools.IdempotencyStore
	delay time.Duration
}

func (s slowStore) wait(ctx context.Context) error {
	select {
	case <-time.After(s.delay):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s slowStore) Acquire(ctx context.Context, rec *powertools.IdempotencyRecord, now time.Time) (*powertools.IdempotencyRecord, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.IdempotencyStore.Acquire(ctx, rec, now)
}

func (s slowStore) Complete(ctx context.Context, held, done *powertools.IdempotencyRecord, now time.Time) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.IdempotencyStore.Complete(ctx, held, done, now)
}

// TestIdemSlowStore: a store slower than the invocation's deadline fails the invocation with an
// *IdempotencyStoreError and the handler does not run unguarded; a store that is slow but in time gives
// the normal result, recorded as done only once it is done (the replay is the stored response).
func TestIdemSlowStore(t *testing.T) {
	mem := powertools.NewMemoryStore()
	runs := 0
	app, err := powertools.New(powertools.WithEnv(map[string]string{}), powertools.WithLogOutput(io.Discard),
		powertools.WithIdempotency(slowStore{mem, 50 * time.Millisecond}, powertools.WithIdemKeyPath("id")))
	require.NoError(t, err)
	h := app.Wrap(func(_ context.Context, in struct{ ID string }) (string, error) { runs++; return "done " + in.ID, nil })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err = h.Invoke(ctx, []byte(`{"id":"late"}`))
	var se *powertools.IdempotencyStoreError
	require.ErrorAs(t, err, &se)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 0, runs, "the handler never runs unguarded after a store failure")

	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	out, err := h.Invoke(ctx2, []byte(`{"id":"slow"}`))
	require.NoError(t, err)
	assert.Equal(t, `"done slow"`, string(out))
	out, err = h.Invoke(ctx2, []byte(`{"id":"slow"}`))
	require.NoError(t, err)
	assert.Equal(t, `"done slow"`, string(out), "replayed")
	assert.Equal(t, 1, runs)
}
