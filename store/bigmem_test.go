package store

import "testing"

// TestBigMove: memory moved to another bigMem stays usable after the
// first releases, and goes with the second.
func TestBigMove(t *testing.T) {
	var src, dst bigMem
	s := bigAlloc[uint64](&src, 1<<16)
	s[len(s)-1] = 7
	if len(src.maps) == 0 {
		t.Skip("no mapped memory here: bigAlloc fell back to the heap")
	}
	bigMove(&dst, &src, s)
	if got, want := len(src.maps)+len(dst.maps), 1; got != want {
		t.Fatalf("mappings after the move: %d in src and dst; want %d", got, want)
	}
	src.release()
	if got := s[len(s)-1]; got != 7 {
		t.Errorf("after releasing src, s[last] = %d; want 7", got)
	}
	dst.release()
	if len(dst.maps) != 0 {
		t.Errorf("dst holds %d mappings after release", len(dst.maps))
	}
	bigMove(&dst, &src, []uint64(nil)) // nothing to move
}
