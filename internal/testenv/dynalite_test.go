package testenv

import (
	"net"
	"strings"
	"testing"
)

func TestStartDynalite(t *testing.T) {
	endpoint := StartDynalite(t)
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
		t.Fatalf("endpoint %q is not on 127.0.0.1", endpoint)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(endpoint, "http://"))
	if err != nil {
		t.Fatalf("dynalite at %s does not accept connections: %v", endpoint, err)
	}
	conn.Close()
}
