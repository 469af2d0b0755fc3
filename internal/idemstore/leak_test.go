package idemstore

import (
	"testing"

	"github.com/gopowertools/powertools/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }
