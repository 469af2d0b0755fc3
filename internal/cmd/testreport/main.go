// Command testreport reads the output of `go test -json` on standard input and prints a short report:
// one line per package (ok or FAIL, with its time), the verdict line of each test when -v is given, and,
// for every test that failed, its whole output (t.Log lines, the failure messages, a panic's stack), as
// well as the output of a package that failed outside any test (a build error, a timeout). It exits with
// status 1 when anything failed, so `go test -json ./... | testreport` keeps a passing run short and a
// failing one readable.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	verbose := flag.Bool("v", false, "print the verdict line of every test (--- PASS, --- SKIP, --- FAIL)")
	flag.Parse()
	failed, err := report(os.Stdin, os.Stdout, *verbose)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}
