package powertools_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Helpers shared by the end-to-end tests of the examples (e2e_test.go for examples/hello,
// e2e_orders_test.go for examples/orders).

// e2eBuild builds the example package pkg ("./examples/hello") as Lambda runs it: a binary named
// bootstrap, without the RPC mode.
func e2eBuild(t *testing.T, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build %s:\n%s", pkg, out)
	return bin
}
