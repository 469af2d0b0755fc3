package events

import (
	"encoding/json"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigRule(t *testing.T) {
	e := load[awsevents.ConfigEvent](t, "config_rule.json")
	ie, err := ConfigRuleInvokingEvent(e)
	require.NoError(t, err)
	assert.Equal(t, "ConfigurationItemChangeNotification", ie.MessageType)
	require.NotNil(t, ie.ConfigurationItem)
	assert.Equal(t, "AWS::EC2::Instance", ie.ConfigurationItem.ResourceType)
	assert.Equal(t, int64(1772359200000), ie.ConfigurationItem.ConfigurationStateID)
	assert.Nil(t, ie.ConfigurationItem.ResourceName)
	assert.Equal(t, "orders", ie.ConfigurationItem.Tags["team"])
	var conf struct {
		InstanceType string `json:"instanceType"`
	}
	require.NoError(t, json.Unmarshal(ie.ConfigurationItem.Configuration, &conf))
	assert.Equal(t, "t3.large", conf.InstanceType)
	assert.Equal(t, "t3.micro", ie.ConfigurationItemDiff.ChangedProperties["Configuration.InstanceType"].PreviousValue)
	// The parsed invoking event encodes back to the same JSON.
	out, _ := json.Marshal(ie)
	assert.JSONEq(t, e.InvokingEvent, string(out))

	type params struct {
		DesiredInstanceType string `json:"desiredInstanceType"`
		MaxCount            int    `json:"maxCount"`
	}
	p, err := ConfigRuleParameters[params](e)
	require.NoError(t, err)
	assert.Equal(t, params{"t3.micro", 3}, p)

	sched, err := ConfigRuleInvokingEvent(awsevents.ConfigEvent{InvokingEvent: `{"awsAccountId":"210987654321","notificationCreationTime":"2026-03-01T10:00:00.000Z","messageType":"ScheduledNotification","recordVersion":"1.0"}`})
	require.NoError(t, err)
	assert.Equal(t, "210987654321", sched.AWSAccountID)
	assert.Nil(t, sched.ConfigurationItem)

	_, err = ConfigRuleInvokingEvent(awsevents.ConfigEvent{InvokingEvent: "{"})
	checkErr(t, err, "config", -1, "invokingEvent", ErrBadJSON)
	_, err = ConfigRuleParameters[params](awsevents.ConfigEvent{RuleParameters: `{"maxCount":"three"}`})
	checkErr(t, err, "config", -1, "ruleParameters", ErrBadJSON)
	none, err := ConfigRuleParameters[params](awsevents.ConfigEvent{})
	require.NoError(t, err)
	assert.Equal(t, params{}, none)
}

func TestCodePipelineUserParameters(t *testing.T) {
	e := load[awsevents.CodePipelineJobEvent](t, "codepipeline.json")
	type up struct {
		Environment string `json:"environment"`
		Canary      int    `json:"canary"`
	}
	p, err := CodePipelineUserParameters[up](e)
	require.NoError(t, err)
	assert.Equal(t, up{"prod", 10}, p)
	e.CodePipelineJob.Data.ActionConfiguration.Configuration.UserParameters = "prod"
	_, err = CodePipelineUserParameters[up](e)
	checkErr(t, err, "codepipeline", -1, "UserParameters", ErrBadJSON)
	e.CodePipelineJob.Data.ActionConfiguration.Configuration.UserParameters = ""
	p, err = CodePipelineUserParameters[up](e)
	require.NoError(t, err)
	assert.Equal(t, up{}, p)
}
