// Command full is the benchmark function with every utility the library has (../../fn/full).
package main

import (
	"github.com/gopowertools/powertools"
	"github.com/gopowertools/powertools/bench/fn/full"
)

func main() { powertools.StartFunc(full.Handle, full.Options()...) }
