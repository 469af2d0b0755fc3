package testenv

import (
	"net"
	"strings"
	"testing"
)

func TestStartRedis(t *testing.T) {
	r := StartRedis(t)
	if !strings.HasPrefix(r.Addr, "127.0.0.1:") {
		t.Fatalf("address %q is not on 127.0.0.1", r.Addr)
	}
	c, err := net.Dial("tcp", r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	if !redisPing(c) {
		t.Fatal("no PONG")
	}
	c.Close()
	r.Stop()
	if c, err := net.Dial("tcp", r.Addr); err == nil {
		c.Close()
		t.Fatal("still accepting connections after Stop")
	}
}
