package powertools

import (
	"testing"
	"unsafe"
)

// TestInvocationStorageSize holds a traced invocation's storage, with the 8-byte header the allocator puts
// on an object of this size with pointers, within the 1408-byte size class: 8 bytes more put every
// invocation in the 1536-byte class (logInvocationBufSize says what the log keys may take).
func TestInvocationStorageSize(t *testing.T) {
	if n := unsafe.Sizeof(invocationTraced{}) + 8; n > 1408 {
		t.Errorf("a traced invocation takes %d bytes with its header, past the 1408-byte size class", n)
	}
}
