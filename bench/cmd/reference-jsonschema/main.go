// Command reference-jsonschema is ../reference linking github.com/santhosh-tekuri/jsonschema/v6 and
// nothing else more: a diagnostic row of the cold-start table. That package compiles the meta-schemas of
// five JSON Schema drafts in its init, before main, in every binary that links it: only the functions
// importing powertools/validation (or parser) pay it since validation moved out of the root package.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/gopowertools/powertools/bench/fn/reference"
	_ "github.com/santhosh-tekuri/jsonschema/v6" // the init cost alone
)

func main() { lambda.Start(reference.Handle) }
