// Command logger is the benchmark function with the powertools Logger alone (../../fn/logonly).
package main

import (
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/bench/fn/logonly"
)

func main() { powertools.StartFunc(logonly.Handle, logonly.Options()...) }
