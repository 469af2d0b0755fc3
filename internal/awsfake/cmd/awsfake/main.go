// Command awsfake serves the in-memory SSM, Secrets Manager and AppConfigData fake (package awsfake) on
// 127.0.0.1, for the demo: point the SDK at it with AWS_ENDPOINT_URL=http://127.0.0.1:PORT.
//
//	go run ./internal/awsfake/cmd/awsfake -port 4566 -seed seed.json
//
// The seed is a JSON document: {"parameters":[{"name":"/a","value":"1"}],"secrets":{"name":"value"},
// "appconfig":[{"application":"a","environment":"e","profile":"p","content":"{}"}]}. It prints
// "listening on http://127.0.0.1:PORT" once ready and serves until killed; with -v, one line per request
// on standard error.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gopowertools/powertools/internal/awsfake"
)

func main() {
	port := flag.Int("port", 0, "port on 127.0.0.1 (0: a free one)")
	seedFile := flag.String("seed", "", "JSON file with the initial parameters, secrets and configurations")
	verbose := flag.Bool("v", false, "write one line per request (the operation) to standard error")
	flag.Parse()

	var seed awsfake.Seed
	if *seedFile != "" {
		b, err := os.ReadFile(*seedFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "awsfake:", err)
			os.Exit(1)
		}
		if err := json.Unmarshal(b, &seed); err != nil {
			fmt.Fprintln(os.Stderr, "awsfake: seed:", err)
			os.Exit(1)
		}
	}
	s := awsfake.New(&seed)
	if *verbose {
		s.SetLog(os.Stderr)
	}
	url, err := s.Start(*port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("listening on", url)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	_ = s.Close()
}
