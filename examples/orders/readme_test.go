package main

import (
	"os"
	"regexp"
	"testing"

	"github.com/gopowertools/powertools/powertoolstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's sample output for the mixed batch shows locations and exception names the function really
// writes for it.
func TestReadmeSampleOutput(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	block := regexp.MustCompile("(?s)What the function writes for the mixed batch.*?```json\n(.*?)```").FindSubmatch(readme)
	require.NotNil(t, block, "the README's sample output block")
	claims := regexp.MustCompile(`"(location|exception_name)":"([^"]+)"`).FindAllSubmatch(block[1], -1)
	require.NotEmpty(t, claims)

	rec, h := newTestHandler(t, nil)
	inv := rec.Invoke(h, readEvent(t, "mixed-batch.json"), powertoolstest.WithWarmStart())
	require.NoError(t, inv.Err)
	written := map[string]bool{}
	for _, l := range inv.Logs() {
		written["location="+l.Location] = true
		written["exception_name="+l.ExceptionName] = true
	}
	for _, c := range claims {
		assert.True(t, written[string(c[1])+"="+string(c[2])], "the README shows %s %q, which the function does not write", c[1], c[2])
	}
}
