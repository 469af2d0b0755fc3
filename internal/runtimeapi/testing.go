package runtimeapi

import "testing"

// StartForTest starts a server for t and closes it when t ends; a server that cannot start fails t.
func StartForTest(t testing.TB) *Server {
	t.Helper()
	srv, err := Start()
	if err != nil {
		t.Fatalf("runtimeapi: start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}
