package powertools_test

import (
	"context"
	"fmt"

	"github.com/gopowertools/powertools"
)

type chargeRequest struct {
	OrderID string `json:"order_id"`
	Amount  int    `json:"amount"`
}

// The handler runs once per order id; a duplicate gets the stored response. In production the store is
// dynamodbstore.New(client, "idempotency") or redisstore.New(client).
func ExampleWithIdempotency() {
	store := powertools.NewMemoryStore()
	app, err := powertools.New(powertools.WithIdempotency(store, powertools.WithIdemKeyPath("order_id")))
	if err != nil {
		panic(err)
	}
	charges := 0
	h := app.Wrap(func(ctx context.Context, req chargeRequest) (string, error) {
		charges++
		return fmt.Sprintf("charged %s: %d", req.OrderID, req.Amount), nil
	})
	for range 2 {
		out, err := h.Invoke(context.Background(), []byte(`{"order_id":"o-1","amount":42}`))
		fmt.Println(string(out), err)
	}
	fmt.Println("charges:", charges)
	// Output:
	// "charged o-1: 42" <nil>
	// "charged o-1: 42" <nil>
	// charges: 1
}

// Any function becomes idempotent, inside a wrapped handler (a batch record handler) or outside one.
func ExampleIdempotent() {
	app, err := powertools.New()
	if err != nil {
		panic(err)
	}
	charge := powertools.Idempotent(app, powertools.NewMemoryStore(), func(ctx context.Context, req chargeRequest) (int, error) {
		fmt.Println("charging", req.OrderID)
		return req.Amount, nil
	}, powertools.WithIdemKeyPath("order_id"))
	for range 2 {
		n, err := charge(context.Background(), chargeRequest{OrderID: "o-2", Amount: 7})
		fmt.Println(n, err)
	}
	// Output:
	// charging o-2
	// 7 <nil>
	// 7 <nil>
}
