package store

import (
	"encoding/binary"
	"testing"
)

// BenchmarkOverlaySet sets 4M new 17-byte keys and then reads each
// once, as a bulk import's writer does (the table starts at a quarter
// of the final size and grows).
func BenchmarkOverlaySet(b *testing.B) {
	const n = 4 << 20
	keys := make([][]byte, n)
	for i := range keys {
		k := make([]byte, 17)
		k[0] = tagLog
		binary.BigEndian.PutUint64(k[1:], uint64(i)*0x9E3779B97F4A7C15)
		binary.BigEndian.PutUint64(k[9:], uint64(i))
		keys[i] = k
	}
	for b.Loop() {
		o := newTestOverlay()
		o.slots = make([]uint64, n/2) // grows twice
		for _, k := range keys {
			o.set(k, k[:8])
		}
		for _, k := range keys {
			if !o.has(k) {
				b.Fatal("key lost")
			}
		}
	}
}
