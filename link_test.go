package powertools_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCoreFunctionLinks builds a function using only the logger, metrics and tracer (testdata/link/logger)
// and reads its symbols: DESIGN.md's rule that such a function links no JSON Schema library, no AWS service
// client and no Redis client, and no JMESPath beyond its parser package's initialiser (a correlation id
// path, an envelope or an idempotency key brings the rest).
func TestCoreFunctionLinks(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "logger")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./testdata/link/logger")
	build.Env = append(build.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool nm: %v\n%s", err, out)
	}
	forbidden := []string{"jsonschema", "aws-sdk-go-v2/service/", "redis", "go-jmespath/pkg/interpreter.",
		"go-jmespath/pkg/functions.", "go-jmespath/pkg/parsing.(*Parser)"}
	var found []string
	for _, line := range strings.Split(string(out), "\n") {
		for _, f := range forbidden {
			if strings.Contains(line, f) {
				found = append(found, strings.TrimSpace(line))
				break
			}
		}
	}
	if len(found) > 0 {
		t.Errorf("the function links %d symbols it does not use, among them:\n%s", len(found), strings.Join(found[:min(len(found), 10)], "\n"))
	}
}
