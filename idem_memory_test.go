package powertools_test

import (
	"testing"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/idemtest"
)

// TestMemoryStore runs the store conformance suite on the memory store.
func TestMemoryStore(t *testing.T) {
	idemtest.Run(t, idemtest.Store{
		New: func(t *testing.T) powertools.IdempotencyStore { return powertools.NewMemoryStore() },
	})
}
