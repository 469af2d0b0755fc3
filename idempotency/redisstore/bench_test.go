package redisstore_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/testenv"
)

// BenchmarkRedis: per call, a first execution (new key) and a replay through Idempotent, against one raw
// SET NX on the same server in the same run; requests/op counted at the client.
func BenchmarkRedis(b *testing.B) {
	srv := testenv.StartRedis(b)
	client := newClientB(b, srv.Addr)
	hook := &countHook{}
	client.AddHook(hook)
	store, err := newStoreErr(client)
	if err != nil {
		b.Fatal(err)
	}
	app, err := powertools.New(powertools.WithEnv(map[string]string{}))
	if err != nil {
		b.Fatal(err)
	}
	fn := func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) { return in, nil }
	ctx := context.Background()
	payload := func(i int) json.RawMessage {
		return json.RawMessage(`{"id":"o-` + strconv.Itoa(i) + `","amount":10,"customer":{"email":"a@example.com"}}`)
	}
	requests := func(b *testing.B, before int64) {
		b.ReportMetric(float64(hook.n.Load()-before)/float64(b.N), "requests/op")
	}
	b.Run("raw-SET-NX", func(b *testing.B) {
		before := hook.n.Load()
		for i := 0; b.Loop(); i++ {
			if err := client.SetNX(ctx, "raw-"+strconv.Itoa(i), `{"status":"INPROGRESS"}`, time.Hour).Err(); err != nil {
				b.Fatal(err)
			}
		}
		requests(b, before)
	})
	b.Run("first", func(b *testing.B) {
		idem := powertools.Idempotent(app, store, fn, powertools.WithIdemKeyPrefix("first"+strconv.FormatInt(time.Now().UnixNano(), 10)))
		before := hook.n.Load()
		for i := 0; b.Loop(); i++ {
			if _, err := idem(ctx, payload(i)); err != nil {
				b.Fatal(err)
			}
		}
		requests(b, before)
	})
	b.Run("replay", func(b *testing.B) {
		idem := powertools.Idempotent(app, store, fn)
		if _, err := idem(ctx, payload(0)); err != nil {
			b.Fatal(err)
		}
		before := hook.n.Load()
		for b.Loop() {
			if _, err := idem(ctx, payload(0)); err != nil {
				b.Fatal(err)
			}
		}
		requests(b, before)
	})
}
