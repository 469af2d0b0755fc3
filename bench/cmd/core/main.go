// Command core is the benchmark function with the core three utilities, Logger, Metrics and Tracer
// (../../fn/core).
package main

import (
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/bench/fn/core"
)

func main() { powertools.StartFunc(core.Handle, core.Options()...) }
