package events

import (
	"encoding/json"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMethodARN(t *testing.T) {
	tests := []struct {
		arn  string
		want MethodARN
		ok   bool
	}{
		{"arn:aws:execute-api:eu-west-3:210987654321:k3v9q2w1ab/prod/GET/orders/ord-1001",
			MethodARN{"aws", "eu-west-3", "210987654321", "k3v9q2w1ab", "prod", "GET", "orders/ord-1001"}, true},
		{"arn:aws-cn:execute-api:cn-north-1:210987654321:abc/$default/*/", MethodARN{"aws-cn", "cn-north-1", "210987654321", "abc", "$default", "*", ""}, true},
		{"arn:aws:execute-api:eu-west-3:210987654321:abc/prod/POST", MethodARN{"aws", "eu-west-3", "210987654321", "abc", "prod", "POST", ""}, true},
		{"arn:aws:lambda:eu-west-3:210987654321:function:x", MethodARN{}, false},
		{"arn:aws:execute-api:eu-west-3:210987654321:abc/prod", MethodARN{}, false},
		{"arn:aws:execute-api:eu-west-3::abc/prod/GET/x", MethodARN{}, false},
		{"not an arn", MethodARN{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			got, err := ParseMethodARN(tt.arn)
			if !tt.ok {
				assert.ErrorIs(t, err, ErrBadARN)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			if tt.want.Resource != "" {
				assert.Equal(t, tt.arn, got.String())
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	ev := load[awsevents.APIGatewayCustomAuthorizerRequest](t, "authorizer_token.json")
	const base = "arn:aws:execute-api:eu-west-3:210987654321:k3v9q2w1ab/prod/"
	tests := []struct {
		name  string
		build func(p *Policy) *Policy
		want  string
	}{
		{"allow one route", func(p *Policy) *Policy { return p.AllowRoute("get", "/orders/*") },
			`{"principalId":"user-42","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":["` + base + `GET/orders/*"]}]}}`},
		{"deny all", func(p *Policy) *Policy { return p.DenyAllRoutes() },
			`{"principalId":"user-42","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Deny","Resource":["` + base + `*/*"]}]}}`},
		{"allow all with context", func(p *Policy) *Policy {
			return p.AllowAllRoutes().WithContext(map[string]any{"tenant": "acme", "tier": 2}).WithUsageIdentifierKey("key-1")
		}, `{"principalId":"user-42","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":["` + base + `*/*"]}]},"context":{"tenant":"acme","tier":2},"usageIdentifierKey":"key-1"}`},
		{"grouped and conditioned", func(p *Policy) *Policy {
			return p.AllowRoute("GET", "/orders").AllowRoute("POST", "/orders").DenyRoute("DELETE", "/orders/*").
				AllowRoute("PUT", "/orders/{id}", PolicyCondition{"IpAddress", "aws:SourceIp", []string{"203.0.113.0/24"}}, PolicyCondition{"IpAddress", "aws:VpcSourceIp", "10.0.0.0/8"})
		}, `{"principalId":"user-42","policyDocument":{"Version":"2012-10-17","Statement":[
			{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":["` + base + `GET/orders","` + base + `POST/orders"]},
			{"Action":["execute-api:Invoke"],"Effect":"Deny","Resource":["` + base + `DELETE/orders/*"]},
			{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":["` + base + `PUT/orders/{id}"],"Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.0/24"],"aws:VpcSourceIp":"10.0.0.0/8"}}}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPolicyFor("user-42", ev.MethodArn)
			require.NoError(t, err)
			resp, err := tt.build(p).Response()
			require.NoError(t, err)
			out, _ := json.Marshal(resp)
			assert.JSONEq(t, tt.want, string(out))
			// The same JSON decodes into aws-lambda-go's response type (what API Gateway reads).
			var std awsevents.APIGatewayCustomAuthorizerResponse
			require.NoError(t, json.Unmarshal(out, &std))
			assert.Equal(t, "user-42", std.PrincipalID)
			assert.Equal(t, len(resp.PolicyDocument.Statement), len(std.PolicyDocument.Statement))
		})
	}
}

func TestPolicyErrors(t *testing.T) {
	arn, _ := ParseMethodARN("arn:aws:execute-api:eu-west-3:210987654321:k3v9q2w1ab/prod/GET/x")
	_, err := NewPolicy("u", arn).Response()
	assert.ErrorIs(t, err, ErrNoStatements)
	_, err = NewPolicy("u", arn).AllowRoute("FETCH", "/x").Response()
	assert.ErrorContains(t, err, `invalid HTTP method "FETCH"`)
	_, err = NewPolicy("u", arn).AllowRoute("GET", "/x y").Response()
	assert.ErrorContains(t, err, `invalid resource path "/x y"`)
	_, err = NewPolicyFor("u", "bad")
	assert.ErrorIs(t, err, ErrBadARN)
}

// TestRequestAuthorizer: a request authorizer's event has the same methodArn; HTTP API simple responses.
func TestRequestAuthorizer(t *testing.T) {
	ev := load[awsevents.APIGatewayCustomAuthorizerRequestTypeRequest](t, "authorizer_request.json")
	arn, err := ParseMethodARN(ev.MethodArn)
	require.NoError(t, err)
	assert.Equal(t, "POST", arn.Method)
	assert.Equal(t, "orders", arn.Resource)
	resp, err := NewPolicy(ev.Headers["X-Tenant"], arn).AllowRoute(arn.Method, "/"+arn.Resource).Response()
	require.NoError(t, err)
	assert.Equal(t, []string{ev.MethodArn}, resp.PolicyDocument.Statement[0].Resource)

	out, _ := json.Marshal(SimpleResponse(true, map[string]any{"tenant": "acme"}))
	assert.JSONEq(t, `{"isAuthorized":true,"context":{"tenant":"acme"}}`, string(out))
	out, _ = json.Marshal(SimpleResponse(false, nil))
	assert.JSONEq(t, `{"isAuthorized":false}`, string(out))
}
