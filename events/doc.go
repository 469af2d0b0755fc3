// Package events is the event source helpers of Powertools for AWS Lambda (Go): it adds to the types of
// github.com/aws/aws-lambda-go/events what the Python edition's event source data classes give, and
// declares the event types that package lacks. It never redeclares a type aws-lambda-go has: helpers
// take and return those types.
//
// # What it adds
//
//   - HTTP events (API Gateway REST and HTTP APIs, ALB, Lambda function URLs, VPC Lattice v1 and v2):
//     decoded bodies, JSON bodies, case-insensitive headers, query values, cookies and path parameters,
//     the same for every shape through one small interface; the VPC Lattice request and response types.
//   - Authorizers: method ARNs, IAM policy responses, HTTP API simple responses.
//   - S3 keys decoded as S3 encodes them, S3 notifications inside SQS, SNS and EventBridge, S3 Batch
//     Operations.
//   - DynamoDB Streams images as map[string]any or a Go type, numbers exact.
//   - Kinesis, Firehose, CloudWatch Logs, Kafka, Amazon MQ, SNS and SQS payloads decoded.
//   - Types for Bedrock Agents, AppSync direct resolvers, CloudWatch alarm actions and dashboard custom
//     widgets, CodeDeploy lifecycle hooks, Cognito custom senders, Transfer Family authorizers, AWS Config
//     rules and CodePipeline user parameters.
//
// The package imports only aws-lambda-go and the module's internal packages, so the powertools package
// (batch processing, the HTTP adapter), the parser and the validation packages can all build on it.
//
// # Errors
//
// Bad input (malformed base64, broken gzip, bad JSON, a bad percent escape, a DynamoDB attribute value
// with no type or with two) is an error naming the record and the field, never a panic. Every message
// starts with "powertools: " once; errors.Is reaches the package's sentinel errors.
package events
