package events

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
)

// AppSyncResolverEvent is the event of an AWS AppSync direct Lambda resolver (and of a batch resolver,
// as a list of them). Arguments, Source, Identity and Stash stay JSON: decode them with the helpers.
// It matches the Python edition's AppSyncResolverEvent.
type AppSyncResolverEvent struct {
	Arguments json.RawMessage `json:"arguments"`
	Identity  json.RawMessage `json:"identity,omitempty"`
	Source    json.RawMessage `json:"source,omitempty"`
	Request   AppSyncRequest  `json:"request"`
	Prev      *AppSyncPrev    `json:"prev,omitempty"`
	Info      AppSyncInfo     `json:"info"`
	Stash     map[string]any  `json:"stash,omitempty"`
}

// AppSyncRequest is the HTTP request AppSync received.
type AppSyncRequest struct {
	Headers    map[string]string `json:"headers"`
	DomainName *string           `json:"domainName"`
}

// AppSyncPrev is the result of the previous function of a pipeline resolver.
type AppSyncPrev struct {
	Result json.RawMessage `json:"result"`
}

// AppSyncInfo describes the GraphQL field being resolved.
type AppSyncInfo struct {
	FieldName           string         `json:"fieldName"`
	ParentTypeName      string         `json:"parentTypeName"`
	Variables           map[string]any `json:"variables"`
	SelectionSetList    []string       `json:"selectionSetList"`
	SelectionSetGraphQL string         `json:"selectionSetGraphQL"`
}

// AppSyncArguments decodes the field's arguments into T.
func AppSyncArguments[T any](e AppSyncResolverEvent) (T, error) {
	return appsyncDecode[T](e.Arguments, "arguments")
}

// AppSyncSource decodes the parent object (the source) into T.
func AppSyncSource[T any](e AppSyncResolverEvent) (T, error) {
	return appsyncDecode[T](e.Source, "source")
}

func appsyncDecode[T any](raw json.RawMessage, field string) (T, error) {
	var v T
	if len(raw) == 0 || string(raw) == "null" {
		return v, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, eventsDecodeErr("appsync", -1, field, eventsKind(ErrBadJSON, err))
	}
	return v, nil
}

// Header is a request header, found case-insensitively.
func (e AppSyncResolverEvent) Header(name string) string {
	if v := httpSingleLookup(e.Request.Headers, name, true); len(v) > 0 {
		return v[0]
	}
	return ""
}

// IAMIdentity is the caller authorized by AWS_IAM, if the identity is one (it has a userArn).
func (e AppSyncResolverEvent) IAMIdentity() (awsevents.AppSyncIAMIdentity, bool) {
	var id awsevents.AppSyncIAMIdentity
	if json.Unmarshal(e.Identity, &id) != nil || id.UserARN == "" {
		return awsevents.AppSyncIAMIdentity{}, false
	}
	return id, true
}

// CognitoIdentity is the caller authorized by an Amazon Cognito user pool or OpenID Connect, if the
// identity is one (it has a sub and no userArn).
func (e AppSyncResolverEvent) CognitoIdentity() (awsevents.AppSyncCognitoIdentity, bool) {
	var probe struct {
		UserARN string `json:"userArn"`
	}
	var id awsevents.AppSyncCognitoIdentity
	if json.Unmarshal(e.Identity, &id) != nil || json.Unmarshal(e.Identity, &probe) != nil || id.Sub == "" || probe.UserARN != "" {
		return awsevents.AppSyncCognitoIdentity{}, false
	}
	return id, true
}

// LambdaIdentity is the resolverContext a Lambda authorizer returned, if the identity is one.
func (e AppSyncResolverEvent) LambdaIdentity() (map[string]any, bool) {
	var id struct {
		ResolverContext map[string]any `json:"resolverContext"`
	}
	if json.Unmarshal(e.Identity, &id) != nil || id.ResolverContext == nil {
		return nil, false
	}
	return id.ResolverContext, true
}

// The AppSync scalar helpers, as the Python edition's scalar_types_utils: the current time in the
// formats of AppSync's AWSDate, AWSTime, AWSDateTime and AWSTimestamp scalars, with a time zone offset
// in whole hours (0 writes "Z", otherwise "+05:00:00"), and a random ID.

// AWSDate formats t as an AWSDate ("2026-03-01Z") shifted to the offset.
func AWSDate(t time.Time, offsetHours int) string { return appsyncFormat(t, "2006-01-02", offsetHours) }

// AWSTime formats t as an AWSTime ("10:15:30Z").
func AWSTime(t time.Time, offsetHours int) string { return appsyncFormat(t, "15:04:05", offsetHours) }

// AWSDateTime formats t as an AWSDateTime ("2026-03-01T10:15:30Z").
func AWSDateTime(t time.Time, offsetHours int) string {
	return appsyncFormat(t, "2006-01-02T15:04:05", offsetHours)
}

// AWSTimestamp is t as an AWSTimestamp: seconds since the Unix epoch.
func AWSTimestamp(t time.Time) int64 { return t.Unix() }

// MakeID is a random ID for the ID scalar: a version 4 UUID.
func MakeID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func appsyncFormat(t time.Time, layout string, offsetHours int) string {
	t = t.UTC()
	if offsetHours == 0 {
		return t.Format(layout) + "Z"
	}
	t = t.Add(time.Duration(offsetHours) * time.Hour)
	sign := "+"
	if offsetHours < 0 {
		sign, offsetHours = "-", -offsetHours
	}
	h := strconv.Itoa(offsetHours)
	if len(h) < 2 {
		h = "0" + h
	}
	return t.Format(layout) + sign + h + ":00:00"
}

// CognitoGroups is the user pool groups of a Cognito caller (aws-lambda-go's AppSyncCognitoIdentity
// has no groups field).
func (e AppSyncResolverEvent) CognitoGroups() []string {
	var id struct {
		Groups []string `json:"groups"`
	}
	_ = json.Unmarshal(e.Identity, &id)
	return id.Groups
}
