// Command handrolled-full is the batch function of ../full written by hand (../../fn/handrolledfull).
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/gopowertools/powertools/bench/fn/handrolled"
	"github.com/gopowertools/powertools/bench/fn/handrolledfull"
)

func main() {
	f, err := handrolledfull.New(handrolled.ConfigFromEnv())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(f.Handle)
}
