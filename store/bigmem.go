package store

import "unsafe"

// bigMem hands out large, pointer-free arrays outside the Go heap (see
// mapMem), for the overlay of a bulk import. Outside the heap they add
// nothing to the garbage collector's heap goal, which otherwise grows to
// twice the live overlay, and on Linux they are backed by huge pages, so
// that first touching them costs one page fault per 2 MiB instead of
// one per 4 KiB. Memory it could not map comes from the heap instead.
// Whatever it handed out is unusable after release.
type bigMem struct {
	// maps holds the mappings made, by start address.
	maps map[uintptr][]byte
}

// bigAlloc returns a zeroed slice of n values of T, which must hold no
// pointers (the garbage collector does not see this memory).
func bigAlloc[T any](m *bigMem, n int) []T {
	if n == 0 {
		return nil
	}
	size := n * int(unsafe.Sizeof(*new(T)))
	b := mapMem(size)
	if b == nil {
		return make([]T, n)
	}
	if m.maps == nil {
		m.maps = map[uintptr][]byte{}
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	m.maps[uintptr(p)] = b
	return unsafe.Slice((*T)(p), n)
}

// bigFree releases s, which bigAlloc returned; memory that it did not map
// (heap memory) is left to the garbage collector.
func bigFree[T any](m *bigMem, s []T) {
	if cap(s) == 0 {
		return
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	if b, ok := m.maps[p]; ok {
		delete(m.maps, p)
		unmapMem(b)
	}
}

// bigMove makes s, which src handed out, dst's to release or free.
func bigMove[T any](dst, src *bigMem, s []T) {
	if cap(s) == 0 {
		return
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	if b, ok := src.maps[p]; ok {
		delete(src.maps, p)
		if dst.maps == nil {
			dst.maps = map[uintptr][]byte{}
		}
		dst.maps[p] = b
	}
}

// release unmaps everything m handed out.
func (m *bigMem) release() {
	for p, b := range m.maps {
		delete(m.maps, p)
		unmapMem(b)
	}
}
