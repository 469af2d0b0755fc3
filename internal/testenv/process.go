package testenv

import (
	"bytes"
	"net"
	"os/exec"
	"sync"
	"testing"
)

// startOnFreePort runs start on a free port of 127.0.0.1 until it reports ok, five times at most (a free
// port can be taken between choosing and binding); it fails the test, with the last errText, otherwise.
func startOnFreePort(t testing.TB, name string, start func(port int) (errText string, ok bool)) {
	t.Helper()
	var lastErr string
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("testenv: choose a port: %v", err)
		}
		errText, ok := start(port)
		if ok {
			return
		}
		lastErr = errText
	}
	t.Fatalf("testenv: %s did not start: %s", name, lastErr)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ClosedAddr is an address on 127.0.0.1 ("127.0.0.1:PORT") that nothing listens on: a store that is down.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// process is a started server: exited is closed once it has exited.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// startProcess starts cmd and waits for it in the background.
func startProcess(cmd *exec.Cmd) (*process, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// stop kills the process and waits until it has exited.
func (p *process) stop() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// SyncBuffer is a bytes.Buffer safe for concurrent writes (the logs of concurrent invocations, a
// server's output).
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
