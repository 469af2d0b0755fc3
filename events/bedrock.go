package events

import (
	"encoding/json"
	"errors"
)

// BedrockAgentInfo is the agent of a Bedrock Agent event.
type BedrockAgentInfo struct {
	Name    string `json:"name"`
	ID      string `json:"id"`
	Alias   string `json:"alias"`
	Version string `json:"version"`
}

// BedrockAgentParameter is a parameter of an action group call.
type BedrockAgentParameter struct {
	Name  string `json:"name"`
	Type  string `json:"type"` // "string", "number", "integer", "boolean", "array"
	Value string `json:"value"`
}

// BedrockAgentRequestBody is the body of an API action group call: properties by content type.
type BedrockAgentRequestBody struct {
	Content map[string]struct {
		Properties []BedrockAgentParameter `json:"properties"`
	} `json:"content"`
}

// BedrockAgentEvent is the event a Bedrock agent sends to the Lambda function of an action group
// defined by an OpenAPI schema (the API form). It matches the Python edition's BedrockAgentEvent.
type BedrockAgentEvent struct {
	MessageVersion          string                   `json:"messageVersion"`
	Agent                   BedrockAgentInfo         `json:"agent"`
	InputText               string                   `json:"inputText"`
	SessionID               string                   `json:"sessionId"`
	ActionGroup             string                   `json:"actionGroup"`
	APIPath                 string                   `json:"apiPath"`
	HTTPMethod              string                   `json:"httpMethod"`
	Parameters              []BedrockAgentParameter  `json:"parameters"`
	RequestBody             *BedrockAgentRequestBody `json:"requestBody,omitempty"`
	SessionAttributes       map[string]string        `json:"sessionAttributes"`
	PromptSessionAttributes map[string]string        `json:"promptSessionAttributes"`
}

// Parameter is the value of the named parameter and whether the call has it.
func (e BedrockAgentEvent) Parameter(name string) (string, bool) {
	return bedrockParam(e.Parameters, name)
}

// BodyProperties is the request body's properties for a content type ("application/json").
func (e BedrockAgentEvent) BodyProperties(contentType string) []BedrockAgentParameter {
	if e.RequestBody == nil {
		return nil
	}
	return e.RequestBody.Content[contentType].Properties
}

// BedrockAgentFunctionEvent is the event a Bedrock agent sends to the Lambda function of an action
// group defined by function details (the function form). It matches the Python edition's
// BedrockAgentFunctionEvent.
type BedrockAgentFunctionEvent struct {
	MessageVersion          string                  `json:"messageVersion"`
	Agent                   BedrockAgentInfo        `json:"agent"`
	InputText               string                  `json:"inputText"`
	SessionID               string                  `json:"sessionId"`
	ActionGroup             string                  `json:"actionGroup"`
	Function                string                  `json:"function"`
	Parameters              []BedrockAgentParameter `json:"parameters"`
	SessionAttributes       map[string]string       `json:"sessionAttributes"`
	PromptSessionAttributes map[string]string       `json:"promptSessionAttributes"`
}

// Parameter is the value of the named parameter and whether the call has it.
func (e BedrockAgentFunctionEvent) Parameter(name string) (string, bool) {
	return bedrockParam(e.Parameters, name)
}

func bedrockParam(ps []BedrockAgentParameter, name string) (string, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// BedrockBody is a response body for one content type: {"body": "<text>"}.
type BedrockBody struct {
	Body string `json:"body"`
}

// BedrockAgentResponse is the response to a BedrockAgentEvent (the API form).
type BedrockAgentResponse struct {
	MessageVersion              string                     `json:"messageVersion"`
	Response                    BedrockAgentAPIResponse    `json:"response"`
	SessionAttributes           map[string]string          `json:"sessionAttributes,omitempty"`
	PromptSessionAttributes     map[string]string          `json:"promptSessionAttributes,omitempty"`
	KnowledgeBasesConfiguration []BedrockKnowledgeBaseConf `json:"knowledgeBasesConfiguration,omitempty"`
}

// BedrockAgentAPIResponse is the response member of a BedrockAgentResponse.
type BedrockAgentAPIResponse struct {
	ActionGroup    string                 `json:"actionGroup"`
	APIPath        string                 `json:"apiPath"`
	HTTPMethod     string                 `json:"httpMethod"`
	HTTPStatusCode int                    `json:"httpStatusCode"`
	ResponseBody   map[string]BedrockBody `json:"responseBody"`
}

// BedrockKnowledgeBaseConf configures a knowledge base for the rest of the session.
type BedrockKnowledgeBaseConf struct {
	KnowledgeBaseID        string          `json:"knowledgeBaseId"`
	RetrievalConfiguration json.RawMessage `json:"retrievalConfiguration"`
}

// NewBedrockAgentResponse answers an API action group call with a JSON body (v encoded) and a status
// code; the session attributes of the event are carried over.
func NewBedrockAgentResponse(e BedrockAgentEvent, status int, v any) (BedrockAgentResponse, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return BedrockAgentResponse{}, errors.New("powertools: bedrock agent response body: " + err.Error())
	}
	return BedrockAgentResponse{
		MessageVersion: "1.0",
		Response: BedrockAgentAPIResponse{
			ActionGroup: e.ActionGroup, APIPath: e.APIPath, HTTPMethod: e.HTTPMethod, HTTPStatusCode: status,
			ResponseBody: map[string]BedrockBody{"application/json": {Body: string(body)}},
		},
		SessionAttributes:       e.SessionAttributes,
		PromptSessionAttributes: e.PromptSessionAttributes,
	}, nil
}

// Bedrock function response states; the empty state is a success.
const (
	BedrockFailure  = "FAILURE"
	BedrockReprompt = "REPROMPT"
)

// BedrockAgentFunctionResponse is the response to a BedrockAgentFunctionEvent (the function form).
type BedrockAgentFunctionResponse struct {
	MessageVersion              string                     `json:"messageVersion"`
	Response                    BedrockFunctionResponse    `json:"response"`
	SessionAttributes           map[string]string          `json:"sessionAttributes,omitempty"`
	PromptSessionAttributes     map[string]string          `json:"promptSessionAttributes,omitempty"`
	KnowledgeBasesConfiguration []BedrockKnowledgeBaseConf `json:"knowledgeBasesConfiguration,omitempty"`
}

// BedrockFunctionResponse is the response member of a BedrockAgentFunctionResponse.
type BedrockFunctionResponse struct {
	ActionGroup      string                `json:"actionGroup"`
	Function         string                `json:"function"`
	FunctionResponse BedrockFunctionResult `json:"functionResponse"`
}

// BedrockFunctionResult is the result of a function: its state ("" for success, BedrockFailure,
// BedrockReprompt) and its body by content type ("TEXT").
type BedrockFunctionResult struct {
	ResponseState string                 `json:"responseState,omitempty"`
	ResponseBody  map[string]BedrockBody `json:"responseBody"`
}

// NewBedrockAgentFunctionResponse answers a function call with a text body and a state ("" for
// success); the session attributes of the event are carried over.
func NewBedrockAgentFunctionResponse(e BedrockAgentFunctionEvent, state, text string) BedrockAgentFunctionResponse {
	return BedrockAgentFunctionResponse{
		MessageVersion: "1.0",
		Response: BedrockFunctionResponse{
			ActionGroup: e.ActionGroup, Function: e.Function,
			FunctionResponse: BedrockFunctionResult{ResponseState: state, ResponseBody: map[string]BedrockBody{"TEXT": {Body: text}}},
		},
		SessionAttributes:       e.SessionAttributes,
		PromptSessionAttributes: e.PromptSessionAttributes,
	}
}
