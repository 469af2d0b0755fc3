package redisstore_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/gopowertools/powertools/internal/idemtest"
	"github.com/gopowertools/powertools/internal/testenv"
)

// BenchmarkRedis: per call, a first execution (new key) and a replay through Idempotent, against one raw
// SET NX on the same server in the same run; requests/op counted at the client.
func BenchmarkRedis(b *testing.B) {
	srv := testenv.StartRedis(b)
	client := newClient(b, srv.Addr)
	hook := &countHook{}
	client.AddHook(hook)
	store, err := newStoreErr(client)
	if err != nil {
		b.Fatal(err)
	}
	idemtest.Bench(b, store, hook.n.Load, "raw-SET-NX", func(ctx context.Context, i int) error {
		return client.SetNX(ctx, "raw-"+strconv.Itoa(i), `{"status":"INPROGRESS"}`, time.Hour).Err()
	})
}
