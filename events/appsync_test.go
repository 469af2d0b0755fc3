package events

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppSyncResolver(t *testing.T) {
	e := roundTrip[AppSyncResolverEvent](t, "appsync_resolver.json")
	type args struct {
		ID    string `json:"id"`
		Limit int    `json:"limit"`
	}
	a, err := AppSyncArguments[args](e)
	require.NoError(t, err)
	assert.Equal(t, args{"ord-1001", 5}, a)
	src, err := AppSyncSource[map[string]string](e)
	require.NoError(t, err)
	assert.Equal(t, "c-42", src["customerId"])
	assert.Equal(t, "acme", e.Header("X-Tenant"))
	assert.Equal(t, "Query", e.Info.ParentTypeName)
	assert.Equal(t, []string{"id", "total", "items", "items/sku"}, e.Info.SelectionSetList)
	assert.Equal(t, "acme", e.Stash["tenant"])
	assert.JSONEq(t, `{"allowed":true}`, string(e.Prev.Result))

	c, ok := e.CognitoIdentity()
	require.True(t, ok)
	assert.Equal(t, "alice", c.Username)
	assert.Equal(t, []string{"buyers"}, e.CognitoGroups())
	_, ok = e.IAMIdentity()
	assert.False(t, ok)
	_, ok = e.LambdaIdentity()
	assert.False(t, ok)

	e.Identity = json.RawMessage(`{"accountId":"210987654321","userArn":"arn:aws:iam::210987654321:user/bob","username":"AIDABOB","sourceIp":["10.0.0.1"]}`)
	iam, ok := e.IAMIdentity()
	require.True(t, ok)
	assert.Equal(t, "arn:aws:iam::210987654321:user/bob", iam.UserARN)
	_, ok = e.CognitoIdentity()
	assert.False(t, ok)
	e.Identity = json.RawMessage(`{"resolverContext":{"tenant":"acme"}}`)
	rc, ok := e.LambdaIdentity()
	require.True(t, ok)
	assert.Equal(t, "acme", rc["tenant"])

	e.Arguments = json.RawMessage(`[1]`)
	_, err = AppSyncArguments[args](e)
	checkErr(t, err, "appsync", -1, "arguments", ErrBadJSON)
	none, err := AppSyncSource[args](AppSyncResolverEvent{})
	require.NoError(t, err)
	assert.Equal(t, args{}, none)
}

func TestAppSyncScalars(t *testing.T) {
	at := time.Date(2026, 3, 1, 22, 15, 30, 0, time.FixedZone("CET", 3600))
	tests := []struct{ got, want string }{
		{AWSDate(at, 0), "2026-03-01Z"},
		{AWSDate(at, 5), "2026-03-02+05:00:00"},
		{AWSTime(at, 0), "21:15:30Z"},
		{AWSTime(at, -8), "13:15:30-08:00:00"},
		{AWSDateTime(at, 0), "2026-03-01T21:15:30Z"},
		{AWSDateTime(at, 12), "2026-03-02T09:15:30+12:00:00"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.got)
	}
	assert.Equal(t, int64(1772399730), AWSTimestamp(at))
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := MakeID(), MakeID()
	assert.Regexp(t, uuid, a)
	assert.NotEqual(t, a, b)
}
