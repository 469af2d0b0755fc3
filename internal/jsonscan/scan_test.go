package jsonscan

import "testing"

// TestSpecialIn checks the eight-byte test against the byte table, byte by byte at every place.
func TestSpecialIn(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			b := []byte("abcdefgh")
			b[pos] = byte(c)
			w := uint64(0)
			for i := 7; i >= 0; i-- {
				w = w<<8 | uint64(b[i])
			}
			if got := SpecialIn(w); got != !plainByte[c] {
				t.Fatalf("byte %#x at %d: %v", c, pos, got)
			}
		}
	}
}
