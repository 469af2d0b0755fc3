//go:build !amd64 && !arm64

package powertools

import "unsafe"

// logFramePointer is nil where frame pointers are not kept: the call site is then found with
// runtime.Callers (logCallSiteByCallers).
func logFramePointer() unsafe.Pointer { return nil }

const logHasFramePointers = false
