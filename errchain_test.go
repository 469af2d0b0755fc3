package powertools

import (
	"errors"
	"testing"
)

func TestChainWrapOnePrefix(t *testing.T) {
	cause := &DecodeError{Step: "json", Err: errors.New("unexpected end of JSON input")}
	err := chainWrap("powertools: idempotency: payload", cause)
	if got, want := err.Error(), "powertools: idempotency: payload: invalid json: unexpected end of JSON input"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if !errors.Is(err, ErrInvalidJSON) {
		t.Fatal("the cause is not in the chain")
	}
	plain := chainWrap("powertools: step", errors.New("disk full"))
	if got := plain.Error(); got != "powertools: step: disk full" {
		t.Fatalf("got %q", got)
	}
}
