package events

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCloudWatchAlarm(t *testing.T) {
	e := roundTrip[CloudWatchAlarmEvent](t, "cloudwatch_alarm.json")
	assert.Equal(t, "ALARM", e.AlarmData.State.Value)
	assert.Equal(t, "OK", e.AlarmData.PreviousState.Value)
	m := e.AlarmData.Configuration.Metrics[0]
	require.NotNil(t, m.MetricStat)
	assert.Equal(t, "orders-api", m.MetricStat.Metric.Dimensions["FunctionName"])
	rd, err := e.AlarmData.State.ReasonDataJSON()
	require.NoError(t, err)
	assert.Equal(t, 5.0, rd["threshold"])
	none, err := e.AlarmData.PreviousState.ReasonDataJSON()
	require.NoError(t, err)
	assert.Nil(t, none)
	_, err = CloudWatchAlarmState{ReasonData: "{"}.ReasonDataJSON()
	checkErr(t, err, "cloudwatch alarm", -1, "reasonData", ErrBadJSON)

	// A composite alarm: rule and suppressor, no metrics.
	var c CloudWatchAlarmEvent
	require.NoError(t, json.Unmarshal([]byte(`{"alarmData":{"configuration":{"alarmRule":"ALARM(a) OR ALARM(b)","actionsSuppressor":"s","actionsSuppressorWaitPeriod":120},
		"previousState":{"value":"ALARM","actionsSuppressedBy":"WaitPeriod"}}}`), &c))
	assert.Equal(t, 120, c.AlarmData.Configuration.ActionsSuppressorWaitPeriod)
	assert.Equal(t, "WaitPeriod", c.AlarmData.PreviousState.ActionsSuppressedBy)
}

func TestCloudWatchWidget(t *testing.T) {
	e := roundTrip[CloudWatchWidgetEvent](t, "cloudwatch_widget.json")
	require.NotNil(t, e.WidgetContext)
	c := *e.WidgetContext
	assert.Equal(t, "orders", c.DashboardName)
	assert.Equal(t, int64(3600000), c.TimeRange.RelativeStart)
	assert.Equal(t, int64(1772357400000), c.TimeRange.Zoom.Start)
	assert.Equal(t, "eu-west-3", c.Forms.All["region"])
	type params struct {
		Status string `json:"status"`
		Limit  int    `json:"limit"`
	}
	p, err := WidgetParams[params](c)
	require.NoError(t, err)
	assert.Equal(t, params{"open", 10}, p)
	c.Params = json.RawMessage(`"x"`)
	_, err = WidgetParams[params](c)
	checkErr(t, err, "cloudwatch widget", -1, "params", ErrBadJSON)

	var d CloudWatchWidgetEvent
	require.NoError(t, json.Unmarshal([]byte(`{"describe":true}`), &d))
	assert.True(t, d.Describe)
	assert.Nil(t, d.WidgetContext)
}
