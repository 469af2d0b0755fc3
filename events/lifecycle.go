package events

// CodeDeployLifecycleHookEvent is the event CodeDeploy sends to a lifecycle hook function (Lambda and
// ECS deployments: BeforeAllowTraffic, AfterAllowTraffic...); the function reports the result with
// codedeploy:PutLifecycleEventHookExecutionStatus. It matches the Python edition's
// CodeDeployLifecycleHookEvent.
type CodeDeployLifecycleHookEvent struct {
	DeploymentID                  string `json:"DeploymentId"`
	LifecycleEventHookExecutionID string `json:"LifecycleEventHookExecutionId"`
}

// TransferFamilyAuthorizerEvent is the event of an AWS Transfer Family custom identity provider: a
// user authenticating with a password (or a public key, when Password is empty). It matches the Python
// edition's TransferFamilyAuthorizer.
type TransferFamilyAuthorizerEvent struct {
	Username string `json:"username"`
	Password string `json:"password,omitempty"`
	Protocol string `json:"protocol"` // "SFTP", "FTP" or "FTPS"
	ServerID string `json:"serverId"`
	SourceIP string `json:"sourceIp"`
}

// TransferFamilyAuthorizerResponse is the identity provider's answer. An empty response (no Role)
// denies the user. HomeDirectoryType "PATH" needs HomeDirectory, "LOGICAL" needs HomeDirectoryDetails.
type TransferFamilyAuthorizerResponse struct {
	Role                 string                     `json:"Role,omitempty"`
	Policy               string                     `json:"Policy,omitempty"`
	HomeDirectoryType    string                     `json:"HomeDirectoryType,omitempty"`
	HomeDirectory        string                     `json:"HomeDirectory,omitempty"`
	HomeDirectoryDetails []TransferHomeDirectoryMap `json:"HomeDirectoryDetails,omitempty"`
	PosixProfile         *TransferPosixProfile      `json:"PosixProfile,omitempty"`
	PublicKeys           []string                   `json:"PublicKeys,omitempty"`
}

// TransferHomeDirectoryMap maps a path the user sees to a bucket or file system path.
type TransferHomeDirectoryMap struct {
	Entry  string `json:"Entry"`
	Target string `json:"Target"`
}

// TransferPosixProfile is the user's POSIX identity on Amazon EFS.
type TransferPosixProfile struct {
	Uid           int64   `json:"Uid"` //nolint:revive // the wire name
	Gid           int64   `json:"Gid"`
	SecondaryGids []int64 `json:"SecondaryGids,omitempty"`
}
