package events

import (
	"encoding/json"
)

// CloudWatchAlarmEvent is the event CloudWatch sends when an alarm whose action is a Lambda function
// changes state (metric and composite alarms). It matches the Python edition's CloudWatchAlarmEvent;
// aws-lambda-go only has the SNS-delivered alarm (CloudWatchAlarmSNSPayload).
type CloudWatchAlarmEvent struct {
	Source    string              `json:"source"`
	AlarmARN  string              `json:"alarmArn"`
	AccountID string              `json:"accountId"`
	Time      string              `json:"time"` // "2026-02-17T11:53:08.431+0000"
	Region    string              `json:"region"`
	AlarmData CloudWatchAlarmData `json:"alarmData"`
}

// CloudWatchAlarmData is the alarm, its new and previous states and its configuration.
type CloudWatchAlarmData struct {
	AlarmName     string                `json:"alarmName"`
	State         CloudWatchAlarmState  `json:"state"`
	PreviousState CloudWatchAlarmState  `json:"previousState"`
	Configuration CloudWatchAlarmConfig `json:"configuration"`
}

// CloudWatchAlarmState is a state of an alarm: "OK", "ALARM" or "INSUFFICIENT_DATA".
type CloudWatchAlarmState struct {
	Value                   string `json:"value"`
	Reason                  string `json:"reason"`
	ReasonData              string `json:"reasonData,omitempty"` // JSON text: see ReasonDataJSON
	Timestamp               string `json:"timestamp"`
	ActionsSuppressedBy     string `json:"actionsSuppressedBy,omitempty"`
	ActionsSuppressedReason string `json:"actionsSuppressedReason,omitempty"`
}

// ReasonDataJSON decodes the state's reasonData (a JSON string: datapoints of a metric alarm, triggering
// alarms of a composite one) into map[string]any; an empty one gives nil.
func (s CloudWatchAlarmState) ReasonDataJSON() (map[string]any, error) {
	if s.ReasonData == "" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s.ReasonData), &m); err != nil {
		return nil, eventsDecodeErr("cloudwatch alarm", -1, "reasonData", eventsKind(ErrBadJSON, err))
	}
	return m, nil
}

// CloudWatchAlarmConfig is the configuration of the alarm: Metrics for a metric alarm, AlarmRule and
// the suppressor for a composite one.
type CloudWatchAlarmConfig struct {
	Description                      string                  `json:"description,omitempty"`
	Metrics                          []CloudWatchAlarmMetric `json:"metrics,omitempty"`
	AlarmRule                        string                  `json:"alarmRule,omitempty"`
	ActionsSuppressor                string                  `json:"actionsSuppressor,omitempty"`
	ActionsSuppressorWaitPeriod      int                     `json:"actionsSuppressorWaitPeriod,omitempty"`
	ActionsSuppressorExtensionPeriod int                     `json:"actionsSuppressorExtensionPeriod,omitempty"`
}

// CloudWatchAlarmMetric is a metric or an expression of a metric alarm.
type CloudWatchAlarmMetric struct {
	ID         string `json:"id"`
	Expression string `json:"expression,omitempty"`
	Label      string `json:"label,omitempty"`
	ReturnData bool   `json:"returnData"`
	MetricStat *struct {
		Metric struct {
			Namespace  string            `json:"namespace"`
			Name       string            `json:"name"`
			Dimensions map[string]string `json:"dimensions"`
		} `json:"metric"`
		Period int    `json:"period"`
		Stat   string `json:"stat"`
		Unit   string `json:"unit,omitempty"`
	} `json:"metricStat,omitempty"`
}

// CloudWatchWidgetEvent is the event of a CloudWatch dashboard custom widget. Describe is set when the
// dashboard asks for the widget's documentation (return markdown). It matches the Python edition's
// CloudWatchDashboardCustomWidgetEvent.
type CloudWatchWidgetEvent struct {
	Describe      bool                     `json:"describe,omitempty"`
	WidgetContext *CloudWatchWidgetContext `json:"widgetContext,omitempty"`
}

// CloudWatchWidgetContext describes the dashboard and the widget.
type CloudWatchWidgetContext struct {
	DashboardName string `json:"dashboardName"`
	WidgetID      string `json:"widgetId"`
	Domain        string `json:"domain"`
	AccountID     string `json:"accountId"`
	Locale        string `json:"locale"`
	Timezone      struct {
		Label           string `json:"label"` // "UTC" or "Local"
		OffsetISO       string `json:"offsetISO"`
		OffsetInMinutes int    `json:"offsetInMinutes"`
	} `json:"timezone"`
	Period       int  `json:"period"`
	IsAutoPeriod bool `json:"isAutoPeriod"`
	TimeRange    struct {
		Mode          string `json:"mode"` // "relative" or "absolute"
		Start         int64  `json:"start"`
		End           int64  `json:"end"`
		RelativeStart int64  `json:"relativeStart,omitempty"`
		Zoom          *struct {
			Start int64 `json:"start"`
			End   int64 `json:"end"`
		} `json:"zoom,omitempty"`
	} `json:"timeRange"`
	Theme      string          `json:"theme"` // "light" or "dark"
	LinkCharts bool            `json:"linkCharts"`
	Title      string          `json:"title"`
	Params     json.RawMessage `json:"params,omitempty"`
	Forms      struct {
		All map[string]any `json:"all"`
	} `json:"forms"`
	Height int `json:"height"`
	Width  int `json:"width"`
}

// WidgetParams decodes the widget's parameters (the JSON or YAML-converted params of its definition)
// into T.
func WidgetParams[T any](c CloudWatchWidgetContext) (T, error) {
	var v T
	if len(c.Params) == 0 || string(c.Params) == "null" {
		return v, nil
	}
	if err := json.Unmarshal(c.Params, &v); err != nil {
		return v, eventsDecodeErr("cloudwatch widget", -1, "params", eventsKind(ErrBadJSON, err))
	}
	return v, nil
}
