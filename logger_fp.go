//go:build amd64 || arm64

package powertools

import "unsafe"

// logFramePointer returns the frame pointer of its caller's frame (or of the ABI wrapper the linker puts
// between them): the head of the chain of saved frame pointers Go keeps on amd64 and arm64, each word
// above a saved frame pointer holding the return address into the frame it belongs to.
func logFramePointer() unsafe.Pointer

const logHasFramePointers = true
