package powertools_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/internal/runtimeapi"
	"github.com/gopowertools/powertools/validation"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeBlocks returns the fenced blocks of the given language in README.md, in order.
func readmeBlocks(t *testing.T, lang string) []string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	require.NoError(t, err)
	re := regexp.MustCompile("(?ms)^```" + regexp.QuoteMeta(lang) + "\n(.*?)^```")
	var out []string
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	return out
}

func readmeNormalise(s string) string { return strings.Join(strings.Fields(s), " ") }

// Every ```go block of the README is also in a test, an example or testdata/readme (whitespace aside), so
// the test suite compiles and runs it: a snippet cannot go stale.
func TestReadmeGoBlocksAreTested(t *testing.T) {
	var corpus []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".tools" || d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, "_test.go") || (strings.HasPrefix(path, filepath.Join("testdata", "readme")) && strings.HasSuffix(path, ".go")) {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			corpus = append(corpus, readmeNormalise(string(b)))
		}
		return nil
	})
	require.NoError(t, err)
	blocks := readmeBlocks(t, "go")
	require.NotEmpty(t, blocks)
	for _, block := range blocks {
		want := readmeNormalise(block)
		found := false
		for _, c := range corpus {
			if strings.Contains(c, want) {
				found = true
				break
			}
		}
		first, _, _ := strings.Cut(strings.TrimSpace(block), "\n")
		assert.True(t, found, "README snippet starting %q is in no test, example or testdata/readme file", first)
	}
}

// The quick start is testdata/readme/quickstart, built and run through the Lambda runtime protocol: the log
// line it writes is the one the README shows (the timestamp aside).
func TestReadmeQuickStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	src, err := os.ReadFile("testdata/readme/quickstart/main.go")
	require.NoError(t, err)
	blocks := readmeBlocks(t, "go")
	require.Equal(t, readmeNormalise(string(src)), readmeNormalise(blocks[0]), "the README's first snippet is testdata/readme/quickstart/main.go")

	var want map[string]any
	jsonBlocks := readmeBlocks(t, "json")
	require.NotEmpty(t, jsonBlocks)
	require.NoError(t, json.Unmarshal([]byte(jsonBlocks[0]), &want), "the README's first JSON block")

	bin := e2eBuild(t, "./testdata/readme/quickstart")
	srv := runtimeapi.StartForTest(t)
	fn := e2eStart(t, bin, srv, "AWS_LAMBDA_FUNCTION_NAME=orders", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256")
	res, err := srv.Invoke(e2eContext(t), []byte(`{"id":"o-1","amount":12.5}`),
		runtimeapi.WithRequestID(want["function_request_id"].(string)),
		runtimeapi.WithFunctionARN(want["function_arn"].(string)),
		runtimeapi.WithTraceID("Root="+want["xray_trace_id"].(string)+";Parent=53995c3f42cd8ad8;Sampled=0"))
	require.NoError(t, err)
	require.False(t, res.Failed(), "%s", res.Body)
	assert.JSONEq(t, `{"status":"accepted"}`, string(res.Body))
	lines := fn.stop(t)
	require.Len(t, lines, 1)
	got := lines[0]
	assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\+0000$`, got["timestamp"])
	got["timestamp"], want["timestamp"] = "", ""
	assert.Equal(t, want, got)
}

// The README's validation snippet.
func TestReadmeValidationSnippet(t *testing.T) {
	type Order struct {
		ID     string  `json:"id" jsonschema:"minLength=1"`
		Amount float64 `json:"amount"`
	}
	app, err := powertools.New(
		powertools.WithService("orders"),
		validation.With(validation.SchemaFor[Order](), validation.Schema{}, powertools.EnvelopeAPIGatewayREST),
	)
	require.NoError(t, err)
	h := app.Wrap(func(context.Context, json.RawMessage) (string, error) { return "handled", nil })
	_, err = h.Invoke(context.Background(), []byte(`{"body":"{\"id\":\"\",\"amount\":1}"}`))
	assert.ErrorIs(t, err, validation.ErrValidation, "the envelope's body is checked against the schema")
	out, err := h.Invoke(context.Background(), []byte(`{"body":"{\"id\":\"o-1\",\"amount\":1}"}`))
	require.NoError(t, err)
	assert.JSONEq(t, `"handled"`, string(out))
}
