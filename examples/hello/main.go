// Command hello is a small Lambda function built with Powertools for AWS Lambda (Go): an HTTP API behind
// Amazon API Gateway (payload format 2.0) that greets whoever calls it.
//
//	GET  /hello?name=Ada            -> 200 {"message":"Hello, Ada!", ...}
//	POST /hello  {"name":"Grace"}   -> 200 {"message":"Hello, Grace!", ...}
//	a bad name or body              -> 400 {"error":"..."}
//	an event that is not an HTTP request (a direct invoke) -> a function error
//
// Every log line is one JSON object carrying the Lambda context (cold_start, function_request_id, ...),
// the API Gateway request id as correlation_id and the route appended with AppendKeys.
//
// Build it for Lambda (provided.al2023) as a binary named bootstrap:
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap .
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gopowertools/powertools"
	"go.uber.org/zap"
)

func main() {
	powertools.StartFunc(handle, options()...)
}

// options configures Powertools beyond what the environment (POWERTOOLS_SERVICE_NAME, ...) sets.
func options() []powertools.Option {
	return []powertools.Option{
		// The API Gateway request id becomes every line's correlation_id.
		powertools.WithCorrelationIDPath(powertools.CorrelationAPIGatewayHTTP),
	}
}

// maxNameLen bounds the name, in characters.
const maxNameLen = 64

// greeting is the body of a successful answer. RequestID lets a caller tie the answer to the function's
// logs.
type greeting struct {
	Message   string `json:"message"`
	Name      string `json:"name"`
	RequestID string `json:"request_id"`
	ColdStart bool   `json:"cold_start"`
}

type problem struct {
	Error string `json:"error"`
}

// errNotHTTP is returned for an event that is not an API Gateway HTTP API request: the caller invoked the
// function directly with something else, which is the caller's bug, reported as a function error.
var errNotHTTP = errors.New("hello: not an API Gateway HTTP API request (the event has no routeKey)")

func handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	log := powertools.Logger(ctx)
	if req.RouteKey == "" {
		log.Error("unsupported event", zap.Error(errNotHTTP))
		return events.APIGatewayV2HTTPResponse{}, errNotHTTP
	}
	powertools.AppendKeys(ctx, zap.String("route", req.RouteKey))

	name, err := nameOf(req)
	if err != nil {
		log.Warn("bad request", zap.Error(err))
		return jsonResponse(http.StatusBadRequest, problem{Error: err.Error()})
	}
	log.Info("greeting", zap.String("name", name))
	return jsonResponse(http.StatusOK, greeting{
		Message:   "Hello, " + name + "!",
		Name:      name,
		RequestID: powertools.RequestID(ctx),
		ColdStart: powertools.IsColdStart(ctx),
	})
}

// nameOf reads the name from the query string, else from a JSON body {"name": ...}; "world" when neither
// gives one.
func nameOf(req events.APIGatewayV2HTTPRequest) (string, error) {
	name, ok := req.QueryStringParameters["name"]
	if !ok && req.Body != "" {
		body := []byte(req.Body)
		if req.IsBase64Encoded {
			var err error
			if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
				return "", errors.New("body is not valid base64")
			}
		}
		var in struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return "", errors.New(`body must be a JSON object like {"name":"Ada"}`)
		}
		name, ok = in.Name, in.Name != ""
	}
	if !ok {
		return "world", nil
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", errors.New("name must not be blank")
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxNameLen:
		return "", errors.New("name must be valid UTF-8 of at most 64 characters")
	}
	return name, nil
}

func jsonResponse(status int, body any) (events.APIGatewayV2HTTPResponse, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}, nil
}
