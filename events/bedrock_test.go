package events

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBedrockAgent(t *testing.T) {
	e := roundTrip[BedrockAgentEvent](t, "bedrock_agent.json")
	assert.Equal(t, "/orders/{id}/status", e.APIPath)
	id, ok := e.Parameter("id")
	assert.True(t, ok)
	assert.Equal(t, "ord-1001", id)
	_, ok = e.Parameter("absent")
	assert.False(t, ok)
	assert.Equal(t, "true", e.BodyProperties("application/json")[0].Value)
	assert.Nil(t, BedrockAgentEvent{}.BodyProperties("application/json"))

	resp, err := NewBedrockAgentResponse(e, 200, map[string]string{"status": "shipped"})
	require.NoError(t, err)
	out, _ := json.Marshal(resp)
	assert.JSONEq(t, `{"messageVersion":"1.0","response":{"actionGroup":"OrderTracking","apiPath":"/orders/{id}/status","httpMethod":"GET","httpStatusCode":200,
		"responseBody":{"application/json":{"body":"{\"status\":\"shipped\"}"}}},"sessionAttributes":{"customer":"c-42"},"promptSessionAttributes":{"channel":"chat"}}`, string(out))
	_, err = NewBedrockAgentResponse(e, 200, make(chan int))
	assert.Error(t, err)
}

func TestBedrockAgentFunction(t *testing.T) {
	e := roundTrip[BedrockAgentFunctionEvent](t, "bedrock_agent_function.json")
	assert.Equal(t, "cancelOrder", e.Function)
	v, ok := e.Parameter("refund")
	assert.True(t, ok)
	assert.Equal(t, "true", v)
	out, _ := json.Marshal(NewBedrockAgentFunctionResponse(e, "", "Order ord-1001 cancelled"))
	assert.JSONEq(t, `{"messageVersion":"1.0","response":{"actionGroup":"OrderActions","function":"cancelOrder",
		"functionResponse":{"responseBody":{"TEXT":{"body":"Order ord-1001 cancelled"}}}},"sessionAttributes":{"customer":"c-42"}}`, string(out))
	out, _ = json.Marshal(NewBedrockAgentFunctionResponse(e, BedrockReprompt, "Which order?"))
	assert.Contains(t, string(out), `"responseState":"REPROMPT"`)
}
