package events

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVPCLatticeRoundTrip(t *testing.T) {
	v1 := roundTrip[VPCLatticeRequest](t, "vpc_lattice_v1.json")
	assert.Equal(t, "/inventory/BOOK-7?warehouse=par1", v1.RawPath)
	assert.Equal(t, "par1", v1.QueryStringParameters["warehouse"])

	v2 := roundTrip[VPCLatticeV2Request](t, "vpc_lattice_v2.json")
	assert.Equal(t, "2.0", v2.Version)
	assert.Equal(t, []string{"acme", "beta"}, v2.Headers["x-tenant"])
	assert.Equal(t, []string{"par1", "lyo2"}, v2.QueryStringParameters["warehouse"])
	id := v2.RequestContext.Identity
	assert.Equal(t, "AWS_IAM", id.Type)
	assert.Equal(t, "o-7h2k9m4q1z", id.PrincipalOrgID)
	assert.Equal(t, "orders.internal", id.X509SubjectCN)
	assert.Equal(t, "platform", id.X509IssuerOU)
	assert.Equal(t, "orders.internal", id.X509SANDNS)
	assert.Equal(t, "spiffe://acme/orders", id.X509SANURI)
	assert.Equal(t, "orders", id.X509SANNameCN)
	assert.Equal(t, "1772359200123456", v2.RequestContext.TimeEpoch)
}

// TestVPCLatticeIdentityCase: Python's data class reads "X509SubjectCn" where the AWS documentation
// writes "x509SubjectCn"; encoding/json matches names case-insensitively, so both decode.
func TestVPCLatticeIdentityCase(t *testing.T) {
	var id VPCLatticeV2Identity
	require.NoError(t, json.Unmarshal([]byte(`{"X509SubjectCn":"a","X509IssuerOu":"b","X509SanUri":"c","X509SanNameCn":"d","x509SanDns":"e"}`), &id))
	assert.Equal(t, VPCLatticeV2Identity{X509SubjectCN: "a", X509IssuerOU: "b", X509SANURI: "c", X509SANNameCN: "d", X509SANDNS: "e"}, id)
}

func TestVPCLatticeResponse(t *testing.T) {
	tests := []struct {
		name string
		resp VPCLatticeResponse
		want string
	}{
		{"full", VPCLatticeResponse{StatusCode: 200, StatusDescription: "200 OK", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"ok":true}`},
			`{"isBase64Encoded":false,"statusCode":200,"statusDescription":"200 OK","headers":{"Content-Type":"application/json"},"body":"{\"ok\":true}"}`},
		{"binary", VPCLatticeV2Response{IsBase64Encoded: true, StatusCode: 201, Body: "AQI="},
			`{"isBase64Encoded":true,"statusCode":201,"body":"AQI="}`},
		{"empty", VPCLatticeResponse{StatusCode: 204}, `{"isBase64Encoded":false,"statusCode":204}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := json.Marshal(tt.resp)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(out))
		})
	}
}
