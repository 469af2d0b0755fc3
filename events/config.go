package events

import (
	"encoding/json"

	awsevents "github.com/aws/aws-lambda-go/events"
)

// ConfigInvokingEvent is the invokingEvent of an AWS Config rule event, parsed from its JSON string:
// MessageType is "ConfigurationItemChangeNotification" (ConfigurationItem and ConfigurationItemDiff
// set), "OversizedConfigurationItemChangeNotification" (ConfigurationItemSummary set: fetch the item
// with GetResourceConfigHistory) or "ScheduledNotification" (AWSAccountID set). It matches the
// Python edition's AWSConfigRuleEvent.invoking_event.
type ConfigInvokingEvent struct {
	MessageType              string                 `json:"messageType"`
	NotificationCreationTime string                 `json:"notificationCreationTime"`
	RecordVersion            string                 `json:"recordVersion,omitempty"`
	ConfigurationItem        *ConfigurationItem     `json:"configurationItem,omitempty"`
	ConfigurationItemDiff    *ConfigurationItemDiff `json:"configurationItemDiff,omitempty"`
	ConfigurationItemSummary *ConfigurationItem     `json:"configurationItemSummary,omitempty"`
	AWSAccountID             string                 `json:"awsAccountId,omitempty"`
}

// ConfigurationItem is the recorded state of a resource. Configuration stays JSON: its shape depends on
// the resource type.
type ConfigurationItem struct {
	RelatedEvents                []string             `json:"relatedEvents"`
	Relationships                []ConfigRelationship `json:"relationships"`
	Configuration                json.RawMessage      `json:"configuration,omitempty"`
	SupplementaryConfiguration   map[string]any       `json:"supplementaryConfiguration"`
	Tags                         map[string]string    `json:"tags"`
	ConfigurationItemVersion     string               `json:"configurationItemVersion"`
	ConfigurationItemCaptureTime string               `json:"configurationItemCaptureTime"`
	ConfigurationStateID         int64                `json:"configurationStateId"`
	AWSAccountID                 string               `json:"awsAccountId"`
	ConfigurationItemStatus      string               `json:"configurationItemStatus"`
	ResourceType                 string               `json:"resourceType"`
	ResourceID                   string               `json:"resourceId"`
	ResourceName                 *string              `json:"resourceName"`
	ARN                          string               `json:"ARN"`
	AWSRegion                    string               `json:"awsRegion"`
	AvailabilityZone             string               `json:"availabilityZone"`
	ConfigurationStateMd5Hash    string               `json:"configurationStateMd5Hash"`
	ResourceCreationTime         string               `json:"resourceCreationTime,omitempty"`
	ChangeType                   string               `json:"changeType,omitempty"`
}

// ConfigRelationship relates a resource to another.
type ConfigRelationship struct {
	ResourceID   string  `json:"resourceId"`
	ResourceName *string `json:"resourceName"`
	ResourceType string  `json:"resourceType"`
	Name         string  `json:"name"`
}

// ConfigurationItemDiff is what changed since the previous item.
type ConfigurationItemDiff struct {
	ChangedProperties map[string]struct {
		PreviousValue any    `json:"previousValue"`
		UpdatedValue  any    `json:"updatedValue"`
		ChangeType    string `json:"changeType"`
	} `json:"changedProperties"`
	ChangeType string `json:"changeType"`
}

// ConfigRuleInvokingEvent parses the invokingEvent JSON string of an AWS Config rule event. Bad JSON is
// a *DecodeError wrapping ErrBadJSON.
func ConfigRuleInvokingEvent(e awsevents.ConfigEvent) (ConfigInvokingEvent, error) {
	var ie ConfigInvokingEvent
	if err := json.Unmarshal([]byte(e.InvokingEvent), &ie); err != nil {
		return ie, eventsDecodeErr("config", -1, "invokingEvent", eventsKind(ErrBadJSON, err))
	}
	return ie, nil
}

// ConfigRuleParameters parses the ruleParameters JSON string of an AWS Config rule event into T; a rule
// without parameters gives T's zero value.
func ConfigRuleParameters[T any](e awsevents.ConfigEvent) (T, error) {
	var v T
	if e.RuleParameters == "" {
		return v, nil
	}
	if err := json.Unmarshal([]byte(e.RuleParameters), &v); err != nil {
		return v, eventsDecodeErr("config", -1, "ruleParameters", eventsKind(ErrBadJSON, err))
	}
	return v, nil
}

// CodePipelineUserParameters parses the UserParameters of a CodePipeline job (the action's
// configuration, a string the pipeline author writes) as JSON into T; empty parameters give T's zero
// value. Text that is not JSON is a *DecodeError wrapping ErrBadJSON.
func CodePipelineUserParameters[T any](e awsevents.CodePipelineJobEvent) (T, error) {
	var v T
	p := e.CodePipelineJob.Data.ActionConfiguration.Configuration.UserParameters
	if p == "" {
		return v, nil
	}
	if err := json.Unmarshal([]byte(p), &v); err != nil {
		return v, eventsDecodeErr("codepipeline", -1, "UserParameters", eventsKind(ErrBadJSON, err))
	}
	return v, nil
}
