package idemtest

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/gopowertools/powertools"
)

// Bench measures a store through powertools.Idempotent: per call, a first execution (a new key) and a
// replay, beside raw (named rawName: the one request a hand-written guard would make, i is the call's
// number) in the same run; requests() counts the requests that reached the store, reported as
// requests/op.
func Bench(b *testing.B, store powertools.IdempotencyStore, requests func() int64, rawName string, raw func(ctx context.Context, i int) error) {
	app, err := powertools.New(powertools.WithEnv(map[string]string{}))
	if err != nil {
		b.Fatal(err)
	}
	fn := func(ctx context.Context, in json.RawMessage) (json.RawMessage, error) { return in, nil }
	ctx := context.Background()
	payload := func(i int) json.RawMessage {
		return json.RawMessage(`{"id":"o-` + strconv.Itoa(i) + `","amount":10,"customer":{"email":"a@example.com"}}`)
	}
	report := func(b *testing.B, before int64) {
		b.ReportMetric(float64(requests()-before)/float64(b.N), "requests/op")
	}
	b.Run(rawName, func(b *testing.B) {
		before := requests()
		for i := 0; b.Loop(); i++ {
			if err := raw(ctx, i); err != nil {
				b.Fatal(err)
			}
		}
		report(b, before)
	})
	b.Run("first", func(b *testing.B) {
		idem := powertools.Idempotent(app, store, fn, powertools.WithIdemKeyPrefix("first"+strconv.FormatInt(time.Now().UnixNano(), 10)))
		before := requests()
		for i := 0; b.Loop(); i++ {
			if _, err := idem(ctx, payload(i)); err != nil {
				b.Fatal(err)
			}
		}
		report(b, before)
	})
	b.Run("replay", func(b *testing.B) {
		idem := powertools.Idempotent(app, store, fn)
		if _, err := idem(ctx, payload(0)); err != nil {
			b.Fatal(err)
		}
		before := requests()
		for b.Loop() {
			if _, err := idem(ctx, payload(0)); err != nil {
				b.Fatal(err)
			}
		}
		report(b, before)
	})
}
