// Command reference is the bare benchmark function (../../fn/reference) as a Lambda binary: the baseline
// of cold start and binary size.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/gopowertools/powertools/bench/fn/reference"
)

func main() { lambda.Start(reference.Handle) }
