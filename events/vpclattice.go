package events

// VPCLatticeRequest is the event Amazon VPC Lattice sends to a Lambda target of a target group whose
// event structure version is V1 (the default). Headers and query parameters have one value each; a
// header sent several times arrives as one comma-separated value. The JSON names are snake_case, as VPC
// Lattice sends them. It matches the Python edition's VPCLatticeEvent.
type VPCLatticeRequest struct {
	// RawPath is the request path, with its query string.
	RawPath string `json:"raw_path"`
	// Method is the HTTP method: DELETE, GET, HEAD, OPTIONS, PATCH, POST or PUT.
	Method string `json:"method"`
	// Headers holds the request headers, one value each.
	Headers map[string]string `json:"headers"`
	// QueryStringParameters holds the query string parameters, one value each.
	QueryStringParameters map[string]string `json:"query_string_parameters"`
	// Body is the request body; base64 encoded when IsBase64Encoded is set.
	Body string `json:"body"`
	// IsBase64Encoded reports whether Body is base64 encoded.
	IsBase64Encoded bool `json:"is_base64_encoded"`
}

// VPCLatticeV2Request is the event Amazon VPC Lattice sends to a Lambda target of a target group whose
// event structure version is V2: multi-value headers and query parameters and a request context with
// the caller's identity. It matches the Python edition's VPCLatticeEventV2.
type VPCLatticeV2Request struct {
	// Version is the event structure version, "2.0".
	Version string `json:"version"`
	// Path is the request path, without the query string.
	Path string `json:"path"`
	// Method is the HTTP method.
	Method string `json:"method"`
	// Headers holds the request headers, every value of each (names are lower case).
	Headers map[string][]string `json:"headers"`
	// QueryStringParameters holds the query string parameters, every value of each.
	QueryStringParameters map[string][]string `json:"queryStringParameters,omitempty"`
	// Body is the request body; base64 encoded when IsBase64Encoded is set.
	Body string `json:"body"`
	// IsBase64Encoded reports whether Body is base64 encoded.
	IsBase64Encoded bool `json:"isBase64Encoded"`
	// RequestContext describes the service, the target group and the caller.
	RequestContext VPCLatticeV2RequestContext `json:"requestContext"`
}

// VPCLatticeV2RequestContext is the requestContext of a [VPCLatticeV2Request].
type VPCLatticeV2RequestContext struct {
	// ServiceNetworkARN is the ARN of the service network that delivered the request.
	ServiceNetworkARN string `json:"serviceNetworkArn"`
	// ServiceARN is the ARN of the service that received the request.
	ServiceARN string `json:"serviceArn"`
	// TargetGroupARN is the ARN of the target group that received the request.
	TargetGroupARN string `json:"targetGroupArn"`
	// Identity is the caller.
	Identity VPCLatticeV2Identity `json:"identity"`
	// Region is the AWS Region of the target group.
	Region string `json:"region"`
	// TimeEpoch is the time of the request, in microseconds since the Unix epoch, as a decimal string.
	TimeEpoch string `json:"timeEpoch"`
}

// VPCLatticeV2Identity is the caller of a [VPCLatticeV2Request]. Fields other than SourceVPCARN and Type
// are set only when the service network or the service uses AWS_IAM authentication (principal fields)
// or the caller is authenticated by IAM Roles Anywhere (X.509 fields).
type VPCLatticeV2Identity struct {
	// SourceVPCARN is the ARN of the VPC the request came from.
	SourceVPCARN string `json:"sourceVpcArn,omitempty"`
	// Type is "AWS_IAM" for a request authenticated by IAM, "NONE" otherwise.
	Type string `json:"type,omitempty"`
	// Principal is the authenticated principal.
	Principal string `json:"principal,omitempty"`
	// PrincipalOrgID is the ID of the organization of the authenticated principal.
	PrincipalOrgID string `json:"principalOrgID,omitempty"`
	// SessionName is the name of the authenticated principal's session.
	SessionName string `json:"sessionName,omitempty"`
	// X509SubjectCN is the subject common name of the Roles Anywhere certificate.
	X509SubjectCN string `json:"x509SubjectCn,omitempty"`
	// X509IssuerOU is the issuer organizational unit of the Roles Anywhere certificate.
	X509IssuerOU string `json:"x509IssuerOu,omitempty"`
	// X509SANDNS is the DNS subject alternative name of the Roles Anywhere certificate.
	X509SANDNS string `json:"x509SanDns,omitempty"`
	// X509SANURI is the URI subject alternative name of the Roles Anywhere certificate.
	X509SANURI string `json:"x509SanUri,omitempty"`
	// X509SANNameCN is the name/CN subject alternative name of the Roles Anywhere certificate.
	X509SANNameCN string `json:"x509SanNameCn,omitempty"`
}

// VPCLatticeResponse is what a Lambda target returns to VPC Lattice, for both event structure versions.
type VPCLatticeResponse struct {
	// IsBase64Encoded reports whether Body is base64 encoded.
	IsBase64Encoded bool `json:"isBase64Encoded"`
	// StatusCode is the HTTP status code.
	StatusCode int `json:"statusCode"`
	// StatusDescription is the status line text, such as "200 OK".
	StatusDescription string `json:"statusDescription,omitempty"`
	// Headers holds the response headers, one value each.
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the response body; base64 encoded when IsBase64Encoded is set.
	Body string `json:"body,omitempty"`
}

// VPCLatticeV2Response is the response to a [VPCLatticeV2Request]: the same shape as [VPCLatticeResponse].
type VPCLatticeV2Response = VPCLatticeResponse
