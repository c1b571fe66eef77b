package store

import (
	"bytes"
	"testing"
)

// TestOpenCloseInterval: the intervals after opening or closing one at
// ts, built in a new slice or appended to the room dst gives.
func TestOpenCloseInterval(t *testing.T) {
	ivs := func(vs ...uint64) []byte {
		var b []byte
		for _, v := range vs {
			b = u64(b, v)
		}
		return b
	}
	tests := []struct {
		name        string
		open        bool
		iv          []byte
		want        []byte
		wantChanged bool
	}{
		{"open empty", true, nil, ivs(5, 0), true},
		{"open after closed", true, ivs(1, 3), ivs(1, 3, 5, 0), true},
		{"open when open", true, ivs(1, 0), ivs(1, 0), false},
		{"close open", false, ivs(1, 3, 4, 0), ivs(1, 3, 4, 5), true},
		{"close closed", false, ivs(1, 3), ivs(1, 3), false},
		{"close empty", false, nil, nil, false},
	}
	for _, tc := range tests {
		for _, dst := range [][]byte{nil, make([]byte, 0, 64)} {
			f := closeInterval
			if tc.open {
				f = openInterval
			}
			in := bytes.Clone(tc.iv)
			got, changed := f(dst, in, 5)
			if !bytes.Equal(got, tc.want) || changed != tc.wantChanged {
				t.Errorf("%s (dst cap %d): got %x, %t; want %x, %t", tc.name, cap(dst), got, changed, tc.want, tc.wantChanged)
			}
			if !bytes.Equal(in, tc.iv) {
				t.Errorf("%s (dst cap %d): changed its input to %x", tc.name, cap(dst), in)
			}
		}
	}
}

// TestSlab: get hands out empty slices of the room asked for, which do
// not overlap, from a nil slab too.
func TestSlab(t *testing.T) {
	for _, s := range []*slab{nil, {}} {
		var got [][]byte
		for _, n := range []int{10, 0, slabBlock / 16, slabBlock/16 + 1, slabBlock / 2, 7} {
			b := s.get(n)
			if len(b) != 0 || cap(b) != n {
				t.Errorf("get(%d) (nil slab %t): len %d, cap %d; want 0, %d", n, s == nil, len(b), cap(b), n)
			}
			b = b[:n]
			for i := range b {
				b[i] = byte(len(got) + 1)
			}
			got = append(got, b)
		}
		for i, b := range got {
			for _, c := range b {
				if c != byte(i+1) {
					t.Fatalf("slice %d (nil slab %t) was overwritten: %x", i, s == nil, b)
				}
			}
		}
	}
}
