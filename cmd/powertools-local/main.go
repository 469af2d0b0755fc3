// Command powertools-local runs a Lambda function on this machine and shows what each invocation did:
// the response, the log lines, the EMF metrics as a table and the X-Ray trace as an indented tree with
// durations.
//
//	go run github.com/gopowertools/powertools/cmd/powertools-local [flags] ./path/to/fn event.json...
//
// It builds the function's package for the host (go build -tags lambda.norpc), starts it against an
// in-process Lambda Runtime API on 127.0.0.1 (no emulator to install, no container), invokes it once with
// each event file in turn (-n to repeat, -c to run that many at once, as Lambda Managed Instances do with
// AWS_LAMBDA_MAX_CONCURRENCY), receives the trace documents on a UDP listener set as
// AWS_XRAY_DAEMON_ADDRESS, and prints each invocation; -json prints one JSON object per invocation
// instead. The function sees only the variables Lambda sets (function name, memory, region, ...) and those
// given with -env, none of this shell's. The exit status is 0 when every invocation succeeded, 1 when one
// returned a function error, 2 when the flags or an event file were bad or the function could not be
// built or started.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
