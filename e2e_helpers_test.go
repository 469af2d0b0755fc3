package powertools_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopowertools/powertools/internal/runtimeapi"
	"github.com/gopowertools/powertools/internal/testenv"
	"github.com/stretchr/testify/assert"
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

// e2eSampleEvent reads the sample event name of an example ("hello", "orders").
func e2eSampleEvent(t *testing.T, example, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("examples", example, "events", name))
	require.NoError(t, err)
	return b
}

// e2ePayload is event itself, or the example's sample event when event names a .json file.
func e2ePayload(t *testing.T, example, event string) []byte {
	t.Helper()
	if strings.HasSuffix(event, ".json") {
		return e2eSampleEvent(t, example, event)
	}
	return []byte(event)
}

// e2eFunctionError checks res is a function error of type errType whose message contains msg.
func e2eFunctionError(t *testing.T, res runtimeapi.Result, event, errType, msg string) {
	t.Helper()
	require.True(t, res.Failed(), "%s: want a function error, got %s", event, res.Body)
	assert.Equal(t, errType, res.ErrorType, event)
	fe, err := res.FunctionError()
	require.NoError(t, err)
	assert.Contains(t, fe.Message, msg, event)
}

// e2eEmulator is the Lambda Runtime Interface Emulator the end-to-end tests run functions under: $RIE,
// else <repo>/.tools/bin/aws-lambda-rie, where scripts/test.sh installs the pinned version. Without it the
// test fails under CI and skips, saying why, elsewhere.
func e2eEmulator(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("RIE"); p != "" {
		return p
	}
	p := filepath.Join(testenv.RepoRoot(), ".tools", "bin", "aws-lambda-rie")
	if _, err := os.Stat(p); err != nil {
		testenv.Missing(t, "the Lambda Runtime Interface Emulator is not installed at "+p+
			": bash scripts/test.sh installs it (or set RIE=/path/to/aws-lambda-rie)")
	}
	return p
}
