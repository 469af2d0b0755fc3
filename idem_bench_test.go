package powertools_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/gopowertools/powertools"
)

// BenchmarkIdemMemory: the memory store's overhead per call, against the same function without
// idempotency: a first execution (a new key each time) and a replay.
func BenchmarkIdemMemory(b *testing.B) {
	app, err := powertools.New(powertools.WithEnv(map[string]string{}))
	if err != nil {
		b.Fatal(err)
	}
	plain := func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) { return in, nil }
	payload := func(i int) json.RawMessage {
		return json.RawMessage(`{"id":"o-` + strconv.Itoa(i) + `","amount":10,"customer":{"email":"a@example.com"}}`)
	}
	ctx := context.Background()
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_, _ = plain(ctx, payload(i))
		}
	})
	b.Run("first", func(b *testing.B) {
		fn := powertools.Idempotent(app, powertools.NewMemoryStore(), plain)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := fn(ctx, payload(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		name string
		opts []powertools.IdemOption
	}{{"replay", nil}, {"replay-local-cache", []powertools.IdemOption{powertools.WithIdemLocalCache(0)}}} {
		b.Run(c.name, func(b *testing.B) {
			fn := powertools.Idempotent(app, powertools.NewMemoryStore(), plain, c.opts...)
			p := payload(0)
			if _, err := fn(ctx, p); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := fn(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
