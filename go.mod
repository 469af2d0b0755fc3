module github.com/gopowertools/powertools

go 1.26

require (
	github.com/aws/aws-lambda-go v1.55.1
	github.com/jmespath-community/go-jmespath v1.1.1
	github.com/stretchr/testify v1.12.1
	go.uber.org/zap v1.28.0
	go.uber.org/zap/exp v0.3.0
)

require (
	go.uber.org/multierr v1.10.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/exp v0.0.0-20230314191032-db074128a8ec // indirect
)
