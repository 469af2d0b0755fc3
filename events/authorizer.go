package events

import (
	"errors"
	"strings"

	awsevents "github.com/aws/aws-lambda-go/events"
)

// MethodARN is a parsed API Gateway method ARN:
// arn:<partition>:execute-api:<region>:<account>:<api id>/<stage>/<method>/<resource path>.
type MethodARN struct {
	Partition string // "aws", "aws-cn", "aws-us-gov"
	Region    string
	AccountID string
	APIID     string
	Stage     string
	Method    string // "GET", or "*"
	Resource  string // the path without its leading slash: "pets/7"; "" for the root
}

// ParseMethodARN parses the methodArn of a REST authorizer event (or the routeArn of an HTTP API one).
// A string of another form is an error wrapping ErrBadARN.
func ParseMethodARN(arn string) (MethodARN, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "execute-api" || parts[1] == "" || parts[3] == "" || parts[4] == "" {
		return MethodARN{}, eventsKind(ErrBadARN, errors.New(quoteField(arn)))
	}
	path := strings.SplitN(parts[5], "/", 4)
	if len(path) < 3 || path[0] == "" || path[1] == "" || path[2] == "" {
		return MethodARN{}, eventsKind(ErrBadARN, errors.New(quoteField(arn)+" has no api id/stage/method"))
	}
	m := MethodARN{Partition: parts[1], Region: parts[3], AccountID: parts[4], APIID: path[0], Stage: path[1], Method: path[2]}
	if len(path) == 4 {
		m.Resource = path[3]
	}
	return m, nil
}

// String is the ARN.
func (m MethodARN) String() string {
	return "arn:" + m.Partition + ":execute-api:" + m.Region + ":" + m.AccountID + ":" + m.APIID + "/" + m.Stage + "/" + m.Method + "/" + m.Resource
}

// PolicyStatement is a statement of an authorizer's IAM policy. aws-lambda-go's IAMPolicyStatement has no
// Condition, so the builder writes this one: the same JSON with "Condition" added.
type PolicyStatement struct {
	Action    []string       `json:"Action"`
	Effect    string         `json:"Effect"`
	Resource  []string       `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// PolicyDocument is an authorizer's IAM policy.
type PolicyDocument struct {
	Version   string            `json:"Version"`
	Statement []PolicyStatement `json:"Statement"`
}

// AuthorizerResponse is the IAM policy response of a REST API token or request authorizer, and of an
// HTTP API authorizer using the IAM policy format: the JSON of awsevents.APIGatewayCustomAuthorizerResponse
// with conditions. UsageIdentifierKey is the API key of a usage plan (REST only).
type AuthorizerResponse struct {
	PrincipalID        string         `json:"principalId"`
	PolicyDocument     PolicyDocument `json:"policyDocument"`
	Context            map[string]any `json:"context,omitempty"`
	UsageIdentifierKey string         `json:"usageIdentifierKey,omitempty"`
}

// PolicyCondition is one condition of a route: {"<Operator>": {"<Key>": <Value>}}, such as
// {Operator: "IpAddress", Key: "aws:SourceIp", Value: []string{"203.0.113.0/24"}}.
type PolicyCondition struct {
	Operator string
	Key      string
	Value    any
}

// ErrNoStatements reports a policy built without any route allowed or denied.
var ErrNoStatements = errors.New("powertools: authorizer policy has no statements")

// Policy builds the IAM policy an authorizer returns, as the Python edition's
// APIGatewayAuthorizerResponse: routes allowed and denied on one API and stage, routes without
// conditions grouped in one statement per effect, each route with conditions in its own statement.
// Build it with NewPolicy, or NewPolicyFor from the event's method ARN.
type Policy struct {
	arn     MethodARN
	allow   []string
	deny    []string
	cond    []PolicyStatement
	context map[string]any
	usage   string
	invalid error
	id      string
}

// NewPolicy starts a policy for principalID on the API and stage of arn (its method and resource are
// ignored).
func NewPolicy(principalID string, arn MethodARN) *Policy {
	return &Policy{id: principalID, arn: arn}
}

// NewPolicyFor is NewPolicy with the method ARN parsed from the event's methodArn (or routeArn).
func NewPolicyFor(principalID, methodARN string) (*Policy, error) {
	arn, err := ParseMethodARN(methodARN)
	if err != nil {
		return nil, err
	}
	return NewPolicy(principalID, arn), nil
}

// AllowRoute allows method ("GET", or "*" for every method) on resource ("/pets/*", "/" for the root),
// with the conditions given.
func (p *Policy) AllowRoute(method, resource string, conditions ...PolicyCondition) *Policy {
	return p.route("Allow", method, resource, conditions)
}

// DenyRoute is AllowRoute denying the route.
func (p *Policy) DenyRoute(method, resource string, conditions ...PolicyCondition) *Policy {
	return p.route("Deny", method, resource, conditions)
}

// AllowAllRoutes allows every method on every resource of the API and stage.
func (p *Policy) AllowAllRoutes() *Policy { return p.route("Allow", "*", "*", nil) }

// DenyAllRoutes denies every method on every resource of the API and stage.
func (p *Policy) DenyAllRoutes() *Policy { return p.route("Deny", "*", "*", nil) }

// WithContext sets the context passed to the integration (values: strings, numbers, booleans).
func (p *Policy) WithContext(ctx map[string]any) *Policy { p.context = ctx; return p }

// WithUsageIdentifierKey sets the API key of the usage plan (REST APIs).
func (p *Policy) WithUsageIdentifierKey(key string) *Policy { p.usage = key; return p }

var policyMethods = map[string]bool{"GET": true, "POST": true, "PUT": true, "PATCH": true, "HEAD": true, "DELETE": true, "OPTIONS": true, "*": true}

func (p *Policy) route(effect, method, resource string, conditions []PolicyCondition) *Policy {
	method = strings.ToUpper(method)
	if !policyMethods[method] {
		p.invalid = errors.Join(p.invalid, errors.New("powertools: authorizer policy: invalid HTTP method "+quoteField(method)))
		return p
	}
	for _, c := range resource {
		if !(c == '/' || c == '.' || c == '-' || c == '_' || c == '*' || c == '{' || c == '}' || c == '+' ||
			c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			p.invalid = errors.Join(p.invalid, errors.New("powertools: authorizer policy: invalid resource path "+quoteField(resource)))
			return p
		}
	}
	arn := p.arn
	arn.Method = method
	arn.Resource = strings.TrimPrefix(resource, "/")
	res := arn.String()
	if len(conditions) == 0 {
		if effect == "Allow" {
			p.allow = append(p.allow, res)
		} else {
			p.deny = append(p.deny, res)
		}
		return p
	}
	cond := map[string]any{}
	for _, c := range conditions {
		m, _ := cond[c.Operator].(map[string]any)
		if m == nil {
			m = map[string]any{}
			cond[c.Operator] = m
		}
		m[c.Key] = c.Value
	}
	p.cond = append(p.cond, PolicyStatement{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{res}, Condition: cond})
	return p
}

// Response is the authorizer response. A policy without any route, or with an invalid method or
// resource, is an error (ErrNoStatements, or one naming the bad value).
func (p *Policy) Response() (AuthorizerResponse, error) {
	if p.invalid != nil {
		return AuthorizerResponse{}, p.invalid
	}
	var st []PolicyStatement
	if len(p.allow) > 0 {
		st = append(st, PolicyStatement{Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: p.allow})
	}
	if len(p.deny) > 0 {
		st = append(st, PolicyStatement{Action: []string{"execute-api:Invoke"}, Effect: "Deny", Resource: p.deny})
	}
	st = append(st, p.cond...)
	if len(st) == 0 {
		return AuthorizerResponse{}, ErrNoStatements
	}
	return AuthorizerResponse{
		PrincipalID:        p.id,
		PolicyDocument:     PolicyDocument{Version: "2012-10-17", Statement: st},
		Context:            p.context,
		UsageIdentifierKey: p.usage,
	}, nil
}

// SimpleResponse is the simple response of an HTTP API Lambda authorizer (payload format 2.0 with
// simple responses enabled): authorized or not, with the context passed to the integration.
func SimpleResponse(authorized bool, context map[string]any) awsevents.APIGatewayV2CustomAuthorizerSimpleResponse {
	return awsevents.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: authorized, Context: context}
}
