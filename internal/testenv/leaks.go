package testenv

import (
	"testing"

	"go.uber.org/goleak"
)

// VerifyNoLeaks runs a package's tests, then fails the run when goroutines the tests started are still
// running (go.uber.org/goleak). Every test package's TestMain calls it, so a utility that leaves a
// goroutine behind (a flusher, a reader of a closed socket, a server not stopped) fails its own tests.
//
// net/http's server lingers up to half a second in closeWriteAndWait after it closes a connection: that is
// not a leak, and it is ignored.
func VerifyNoLeaks(m *testing.M, opts ...goleak.Option) {
	opts = append(opts, goleak.IgnoreAnyFunction("net/http.(*conn).closeWriteAndWait"))
	goleak.VerifyTestMain(m, opts...)
}
