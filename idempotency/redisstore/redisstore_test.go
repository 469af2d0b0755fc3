package redisstore_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/idempotency/redisstore"
	"github.com/gopowertools/powertools/internal/idemtest"
	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/redis/go-redis/v9"
)

// countHook counts the commands that reach the server.
type countHook struct{ n atomic.Int64 }

func (h *countHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h *countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

func newClient(t testing.TB, addr string) redis.UniversalClient {
	c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{addr}, MaxRetries: -1,
		DialTimeout: time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, PoolSize: 80})
	t.Cleanup(func() { c.Close() })
	return c
}

func newStoreErr(c redis.UniversalClient) (*redisstore.Store, error) { return redisstore.New(c) }

func newStore(t *testing.T, c redis.UniversalClient, opts ...redisstore.Option) *redisstore.Store {
	s, err := redisstore.New(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRedisStore runs the store conformance suite against a real redis-server.
func TestRedisStore(t *testing.T) {
	srv := testenv.StartRedis(t)
	client := newClient(t, srv.Addr)
	hook := &countHook{}
	client.AddHook(hook)
	store := newStore(t, client)
	var down *testenv.Redis
	idemtest.Run(t, idemtest.Store{
		New:            func(t *testing.T) powertools.IdempotencyStore { return store },
		Requests:       hook.n.Load,
		RepeatRequests: 1, // SET ... NX GET returns the old record
		DownStore: func(t *testing.T) powertools.IdempotencyStore {
			down = testenv.StartRedis(t)
			return newStore(t, newClient(t, down.Addr))
		},
		Down: func(t *testing.T) { down.Stop() },
	})
}

// TestRedisLayout: the record is the Python edition's JSON, under the key itself, with a TTL.
func TestRedisLayout(t *testing.T) {
	srv := testenv.StartRedis(t)
	client := newClient(t, srv.Addr)
	store := newStore(t, client)
	app, err := powertools.New(powertools.WithEnv(map[string]string{"AWS_LAMBDA_FUNCTION_NAME": "orders"}),
		powertools.WithIdempotency(store, powertools.WithIdemKeyPath("id"), powertools.WithIdemPayloadValidationPath("amount")))
	if err != nil {
		t.Fatal(err)
	}
	inProgress := make(chan string, 1)
	h := app.Wrap(func(ctx context.Context, in map[string]any) (map[string]any, error) {
		keys, _ := client.Keys(ctx, "orders.*").Result()
		if len(keys) == 1 {
			v, _ := client.Get(ctx, keys[0]).Result()
			inProgress <- v
		}
		return map[string]any{"ok": true}, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := h.Invoke(ctx, []byte(`{"id":"o-1","amount":10}`)); err != nil {
		t.Fatal(err)
	}
	// python3 -c 'import hashlib,json; print(hashlib.md5(json.dumps("o-1").encode()).hexdigest())'
	keys, err := client.Keys(ctx, "orders.*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	const wantKey = "orders.TestRedisLayout.func1#cbcbdb948de16bfe7e49a81f91500ab1"
	if keys[0] != wantKey {
		t.Fatalf("key %s, want %s", keys[0], wantKey)
	}
	const hashOf10 = "d3d9446802a44259755d38e6d163e820" // md5("10")
	select {
	case v := <-inProgress:
		if !regexpMatch(`^\{"status":"INPROGRESS","expiration":\d{10},"in_progress_expiration":\d{13},"validation":"`+hashOf10+`"\}$`, v) {
			t.Fatalf("in-progress record %s", v)
		}
	default:
		t.Fatal("the handler did not see its record")
	}
	v, _ := client.Get(ctx, wantKey).Result()
	if !regexpMatch(`^\{"status":"COMPLETED","expiration":\d{10},"in_progress_expiration":\d{13},"validation":"`+hashOf10+`","data":"\{\\"ok\\":true\}"\}$`, v) {
		t.Fatalf("completed record %s", v)
	}
	ttl, _ := client.TTL(ctx, wantKey).Result()
	if ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("TTL %v, want about an hour", ttl)
	}
}

// TestRedisReadsPythonRecords: a record the Python edition wrote (json.dumps, its spacing, no
// in_progress_expiration on a completed record) is replayed.
func TestRedisReadsPythonRecords(t *testing.T) {
	client := newClient(t, testenv.StartRedis(t).Addr)
	now := time.Now()
	py := `{"data": "{\"ok\": true}", "status": "COMPLETED", "expiration": ` + itoa(now.Add(time.Hour).Unix()) + `}`
	got, err := acquireOver(t, client, newStore(t, client), "orders.handler#cbcbdb948de16bfe7e49a81f91500ab1", py, now)
	if err != nil || got == nil {
		t.Fatalf("%v, %v", got, err)
	}
	if got.Status != powertools.IdempotencyCompleted || string(got.Data) != `{"ok": true}` {
		t.Fatalf("%+v", got)
	}
}

func TestRedisBadRecord(t *testing.T) {
	client := newClient(t, testenv.StartRedis(t).Addr)
	store := newStore(t, client)
	for _, v := range []string{`not json`, `{"status":"DONE","expiration":1}`, `{"status":"COMPLETED","expiration":"x"}`} {
		if _, err := acquireOver(t, client, store, "k", v, time.Now()); !errors.Is(err, powertools.ErrIdempotencyBadRecord) {
			t.Fatalf("%s: %v, want ErrIdempotencyBadRecord", v, err)
		}
	}
}

// acquireOver stores val under key as another writer would, then acquires key over it at now.
func acquireOver(t *testing.T, client redis.UniversalClient, store *redisstore.Store, key, val string, now time.Time) (*powertools.IdempotencyRecord, error) {
	t.Helper()
	ctx := context.Background()
	if err := client.Set(ctx, key, val, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	return store.Acquire(ctx, idemtest.Held(key, now), now)
}

func TestRedisNewErrors(t *testing.T) {
	if _, err := redisstore.New(nil, redisstore.WithDataAttr(""), redisstore.WithLockTimeout(0)); !errors.Is(err, powertools.ErrConfig) {
		t.Fatalf("%v", err)
	}
}

// TestRedisDownAtStart: a server that is not there is a store error; the handler does not run.
func TestRedisDownAtStart(t *testing.T) {
	store := newStore(t, newClient(t, testenv.ClosedAddr(t)))
	app, err := powertools.New(powertools.WithEnv(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	fn := powertools.Idempotent(app, store, func(ctx context.Context, in string) (string, error) { ran = true; return in, nil })
	_, err = fn(context.Background(), "x")
	var se *powertools.IdempotencyStoreError
	if !errors.As(err, &se) || ran {
		t.Fatalf("%v (ran %v)", err, ran)
	}
}
