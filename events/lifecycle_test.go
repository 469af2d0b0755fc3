package events

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCodeDeployLifecycleHook(t *testing.T) {
	e := roundTrip[CodeDeployLifecycleHookEvent](t, "codedeploy_hook.json")
	assert.Equal(t, "d-7T3K9M2Q1", e.DeploymentID)
	assert.NotEmpty(t, e.LifecycleEventHookExecutionID)
}

func TestTransferFamily(t *testing.T) {
	e := roundTrip[TransferFamilyAuthorizerEvent](t, "transfer_authorizer.json")
	assert.Equal(t, "SFTP", e.Protocol)
	assert.Equal(t, "s3cr3t-pw", e.Password)

	tests := []struct {
		name string
		resp TransferFamilyAuthorizerResponse
		want string
	}{
		{"deny", TransferFamilyAuthorizerResponse{}, `{}`},
		{"s3 path", TransferFamilyAuthorizerResponse{Role: "arn:aws:iam::210987654321:role/sftp", HomeDirectoryType: "PATH", HomeDirectory: "/acme-partners/acme"},
			`{"Role":"arn:aws:iam::210987654321:role/sftp","HomeDirectoryType":"PATH","HomeDirectory":"/acme-partners/acme"}`},
		{"efs logical", TransferFamilyAuthorizerResponse{Role: "r", HomeDirectoryType: "LOGICAL",
			HomeDirectoryDetails: []TransferHomeDirectoryMap{{Entry: "/", Target: "/fs-0a1b/acme"}}, PosixProfile: &TransferPosixProfile{Uid: 1001, Gid: 1001}, PublicKeys: []string{"ssh-ed25519 AAAA"}},
			`{"Role":"r","HomeDirectoryType":"LOGICAL","HomeDirectoryDetails":[{"Entry":"/","Target":"/fs-0a1b/acme"}],"PosixProfile":{"Uid":1001,"Gid":1001},"PublicKeys":["ssh-ed25519 AAAA"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _ := json.Marshal(tt.resp)
			assert.JSONEq(t, tt.want, string(out))
		})
	}
}
