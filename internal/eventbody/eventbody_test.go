package eventbody

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopowertools/powertools"
)

// Events is one event of each HTTP-shaped source, its body {"id":"o-1"} base64-encoded; the tests of
// the validation and parser subpackages decode the same shapes.
func events() map[string]string {
	b := base64.StdEncoding.EncodeToString([]byte(`{"id":"o-1"}`))
	return map[string]string{
		"rest":         `{"resource":"/","httpMethod":"POST","headers":{},"requestContext":{"stage":"prod"},"body":"` + b + `","isBase64Encoded":true}`,
		"http":         `{"version":"2.0","routeKey":"POST /","rawPath":"/","requestContext":{"http":{"method":"POST"}},"body":"` + b + `","isBase64Encoded":true}`,
		"alb":          `{"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/t/1"}},"httpMethod":"POST","path":"/","body":"` + b + `","isBase64Encoded":true}`,
		"function url": `{"version":"2.0","rawPath":"/","requestContext":{"domainName":"x.lambda-url.eu-west-1.on.aws","http":{"method":"POST"}},"body":"` + b + `","isBase64Encoded":true}`,
		"lattice v2":   `{"version":"2.0","path":"/","method":"POST","headers":{},"requestContext":{"serviceNetworkArn":"arn"},"body":"` + b + `","isBase64Encoded":true}`,
		"lattice v1":   `{"raw_path":"/","method":"POST","headers":{},"body":"` + b + `","is_base64_encoded":true}`,
	}
}

func TestBodyDecodesEveryHTTPSource(t *testing.T) {
	for name, ev := range events() {
		t.Run(name, func(t *testing.T) {
			assert.True(t, Base64([]byte(ev)))
			body, found, err := Body([]byte(ev))
			require.NoError(t, err)
			assert.True(t, found)
			assert.JSONEq(t, `{"id":"o-1"}`, string(body))
			out, changed, err := Decoded([]byte(ev))
			require.NoError(t, err)
			assert.True(t, changed)
			var top map[string]any
			require.NoError(t, json.Unmarshal(out, &top))
			assert.Equal(t, `{"id":"o-1"}`, top["body"])
			assert.False(t, Base64(out))
		})
	}
}

func TestBodyPlainAndBad(t *testing.T) {
	ev := []byte(`{"body":"{\"id\":1}","isBase64Encoded":false}`)
	assert.False(t, Base64(ev))
	out, changed, err := Decoded(ev)
	require.NoError(t, err)
	assert.False(t, changed)
	assert.Equal(t, ev, out)
	body, found, err := Body(ev)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, `{"id":1}`, string(body))

	_, found, err = Body([]byte(`{"isBase64Encoded":true}`))
	require.NoError(t, err)
	assert.False(t, found)
	_, _, err = Body([]byte(`{"body":"***","isBase64Encoded":true}`))
	assert.ErrorIs(t, err, powertools.ErrInvalidBase64)
	_, _, err = Body([]byte(`not json`))
	assert.ErrorIs(t, err, powertools.ErrInvalidJSON)
	assert.False(t, Base64([]byte(`{"a":{"isBase64Encoded":true}}`)), "only the top level counts")
}

func FuzzDecoded(f *testing.F) {
	for _, ev := range events() {
		f.Add([]byte(ev))
	}
	f.Add([]byte(`{"body":"x","isBase64Encoded":true,"isBase64Encoded":false}`))
	f.Fuzz(func(t *testing.T, ev []byte) {
		out, changed, err := Decoded(ev)
		if err == nil && changed && !json.Valid(out) {
			t.Fatalf("%q: decoded to invalid JSON %q", ev, out)
		}
	})
}
