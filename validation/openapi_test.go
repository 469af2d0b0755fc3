package validation_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite testdata/openapi.golden.json")

func TestOpenAPIDocument(t *testing.T) {
	api, h := routeAPI(t)
	a, _ := routeInvoke(t, h, routeEvent("GET", "/openapi.json", "", nil, ""))
	require.Equal(t, 200, a.StatusCode)
	assert.Equal(t, "application/json", a.Headers["Content-Type"])
	direct, err := api.OpenAPI()
	require.NoError(t, err)
	assert.Equal(t, string(direct), a.Body, "served and built alike")

	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(a.Body), &doc))
	assert.Equal(t, "3.1.0", doc["openapi"])
	paths := doc["paths"].(map[string]any)
	assert.ElementsMatch(t, []string{"/orders/{id}", "/orders"}, routeKeys(paths))
	post := paths["/orders/{id}"].(map[string]any)["post"].(map[string]any)
	assert.Equal(t, "post_orders_id", post["operationId"])
	assert.Equal(t, "Create an order", post["summary"])
	assert.ElementsMatch(t, []string{"201", "409", "422"}, routeKeys(post["responses"].(map[string]any)))
	assert.Equal(t, map[string]any{"$ref": "#/components/schemas/routeCreateOrder"},
		post["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"])
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	assert.Subset(t, routeKeys(schemas), []string{"routeCreateOrder", "routeOrder", "routeLineItem", "HTTPError", "ValidationError"})
	assert.NotContains(t, a.Body, "$defs", "every reference points into components")
	assert.Equal(t, "deleteOrder", paths["/orders/{id}"].(map[string]any)["delete"].(map[string]any)["operationId"])

	golden := filepath.Join("testdata", "openapi.golden.json")
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, direct, "", "  "))
	if *updateOpenAPI {
		require.NoError(t, os.WriteFile(golden, append(pretty.Bytes(), '\n'), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run with -update-openapi to create it")
	assert.Equal(t, string(want), pretty.String()+"\n")
}

func routeKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
