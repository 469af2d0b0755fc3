// Command handrolled is the benchmark function instrumented by hand with zap, encoding/json and
// aws-xray-sdk-go (../../fn/handrolled).
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/gopowertools/powertools/bench/fn/handrolled"
)

func main() {
	f, err := handrolled.New(handrolled.ConfigFromEnv())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(f.Handle)
}
