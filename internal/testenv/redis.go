package testenv

import (
	"net"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Redis is a redis-server started by StartRedis.
type Redis struct {
	Addr string // 127.0.0.1:PORT

	stop func()
	once sync.Once
}

// Stop kills the server now (a test of a store going down); it is also stopped when the test ends.
func (r *Redis) Stop() { r.once.Do(r.stop) }

// StartRedis starts redis-server on 127.0.0.1 on a free port, without persistence (--save ""
// --appendonly no), waits until it accepts connections and stops it when the test ends. Without the
// binary (the Debian package redis-server; scripts/test.sh installs it), see Missing.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		Missing(t, "redis-server is not installed (apt-get install redis-server; scripts/test.sh does it)")
	}
	var r *Redis
	startOnFreePort(t, "redis-server", func(port int) (string, bool) {
		var errText string
		var ok bool
		r, errText, ok = runRedis(bin, port)
		return errText, ok
	})
	t.Cleanup(r.Stop)
	return r
}

func runRedis(bin string, port int) (*Redis, string, bool) {
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--protected-mode", "yes", "--loglevel", "warning")
	var out SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	p, err := startProcess(cmd)
	if err != nil {
		return nil, "start: " + err.Error(), false
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return nil, "exited: " + out.String(), false
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			ok := redisPing(c)
			c.Close()
			if ok {
				return &Redis{Addr: addr, stop: p.stop}, "", true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.stop()
	return nil, "not ready after 30s: " + out.String(), false
}

// redisPing sends PING and waits for +PONG (the server may accept before it loads).
func redisPing(c net.Conn) bool {
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	buf := make([]byte, 7)
	n, _ := c.Read(buf)
	return string(buf[:n]) == "+PONG\r\n"
}
