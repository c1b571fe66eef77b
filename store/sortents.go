package store

import "slices"

// sortEnts sorts a in cmpSort's order: by the first 24 bytes of the keys
// (hi, mid, lo), then by whole key, then by age. It is a most
// significant byte first radix sort of those 24 bytes, done in place
// (American flag sort), which moves each entry a few times instead of
// comparing it some 20 times as a comparison sort of a million entries
// does; it skips the bytes that all entries of a bucket share, such as
// the key tag and the high bytes of IDs. Buckets of a few entries, and
// entries whose first 24 bytes are equal, are sorted with cmpSort.
func (o *overlay) sortEnts(a []sortEnt) {
	o.radixSort(a, 0)
}

// radixSortMin is the fewest entries radixSort distributes into buckets;
// fewer are sorted by comparison.
const radixSortMin = 48

// radixSort sorts a, whose entries share their first d bytes.
func (o *overlay) radixSort(a []sortEnt, d int) {
	for {
		if len(a) < radixSortMin || d >= 24 {
			slices.SortFunc(a, o.cmpSort)
			return
		}
		var count [256]int
		for i := range a {
			count[a[i].byteAt(d)]++
		}
		if count[a[0].byteAt(d)] == len(a) {
			d++ // one bucket: the next byte
			continue
		}
		var next, end [256]int
		at := 0
		for b := range 256 {
			next[b] = at
			at += count[b]
			end[b] = at
		}
		for b := range 256 {
			for next[b] < end[b] {
				e := a[next[b]]
				for c := e.byteAt(d); int(c) != b; c = e.byteAt(d) {
					e, a[next[c]] = a[next[c]], e
					next[c]++
				}
				a[next[b]] = e
				next[b]++
			}
		}
		start := 0
		for b := range 256 {
			if count[b] > 1 {
				o.radixSort(a[start:start+count[b]], d+1)
			}
			start += count[b]
		}
		return
	}
}

// byteAt returns byte d (0 to 23) of e's key, as hi, mid and lo hold
// them (big-endian, padded with zeros).
func (e *sortEnt) byteAt(d int) byte {
	w := e.hi
	if d >= 16 {
		w = e.lo
	} else if d >= 8 {
		w = e.mid
	}
	return byte(w >> (56 - 8*(d&7)))
}
