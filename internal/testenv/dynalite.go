// Package testenv starts the stand-ins the tests need (dynalite for DynamoDB, redis-server) on 127.0.0.1
// and stops them when the test ends, and holds the other helpers the tests share: event fixtures, the
// race and allocation switches, the goroutine leak check, SyncBuffer, ClosedAddr. It is test-only:
// nothing in the library imports it.
package testenv

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RepoRoot is the directory holding the library's go.mod.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Missing ends a test that needs a tool which is not installed: it fails when the environment variable CI
// is set (CI must have every tool) and skips, saying why, otherwise.
func Missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(what)
	}
	t.Skip(what)
}

// DynaliteBin is where the npm package dynalite@4.0.0 is installed for the tests:
// <repo root>/.tools/node_modules/.bin/dynalite (npm install --prefix <repo root>/.tools dynalite@4.0.0).
func DynaliteBin() string {
	return filepath.Join(RepoRoot(), ".tools", "node_modules", ".bin", "dynalite")
}

// StartDynalite starts an in-memory dynalite on 127.0.0.1 on a free port, waits until it accepts
// connections and returns its endpoint ("http://127.0.0.1:PORT"). It is killed when the test ends. Tables
// are created and deleted at once (no CREATING state). Without the binary, see Missing.
func StartDynalite(t testing.TB) string {
	t.Helper()
	bin := DynaliteBin()
	if _, err := os.Stat(bin); err != nil {
		Missing(t, "dynalite is not installed at "+bin+"; run: npm install --prefix "+
			filepath.Join(RepoRoot(), ".tools")+" dynalite@4.0.0")
	}
	var endpoint string
	startOnFreePort(t, "dynalite", func(port int) (string, bool) {
		var errText string
		var ok bool
		endpoint, errText, ok = runDynalite(t, bin, port)
		return errText, ok
	})
	return endpoint
}

// runDynalite starts one dynalite on port and waits for its "listening" line; ok is false when it exited
// or did not get ready in time.
func runDynalite(t testing.TB, bin string, port int) (endpoint, errText string, ok bool) {
	cmd := exec.Command(bin, "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
	var stderr SyncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("testenv: dynalite stdout: %v", err)
	}
	p, err := startProcess(cmd)
	if err != nil {
		t.Fatalf("testenv: start dynalite: %v", err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening at") {
				close(ready)
				break
			}
		}
		for sc.Scan() { // keep draining so dynalite never blocks on a full pipe
		}
	}()
	select {
	case <-ready:
		t.Cleanup(p.stop)
		return "http://127.0.0.1:" + strconv.Itoa(port), "", true
	case <-p.exited:
		return "", "exited: " + stderr.String(), false
	case <-time.After(30 * time.Second):
		p.stop()
		return "", "not ready after 30s: " + stderr.String(), false
	}
}
