package store

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"
)

// TestSortEnts: sortEnts puts entries in cmpSort's order, for keys
// shaped as the store's (a tag, then big-endian IDs), keys shorter than
// the 24 bytes compared first, long keys that share them, and keys set
// more than once (entries of one key sort by age).
func TestSortEnts(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  func(i int) []byte
	}{
		{"edges", func(i int) []byte {
			// tag, subject, predicate, statement: as edgeKey
			k := []byte{tagOut}
			k = binary.BigEndian.AppendUint64(k, uint64(i*7919%5000))
			k = binary.BigEndian.AppendUint16(k, uint16(i%13))
			return binary.BigEndian.AppendUint64(k, uint64(i))
		}},
		{"short", func(i int) []byte { return fmt.Appendf(nil, "%c%x", 'a'+i%3, i*31%4099) }},
		{"long, one prefix", func(i int) []byte {
			return fmt.Appendf(nil, "search|a-long-shared-token|%08d", i*7919%20011)
		}},
		{"mixed", func(i int) []byte {
			switch i % 3 {
			case 0:
				return binary.BigEndian.AppendUint64([]byte{tagHead, tagEntity}, uint64(i))
			case 1:
				return fmt.Appendf(nil, "\x52token%d\x00%d", i%50, i)
			}
			return []byte{byte(i % 7)}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, rng := testOverlay(t, 5)
			var keys [][]byte
			for i := range 20000 {
				k := tc.key(i)
				if i%5 == 0 && len(keys) > 0 {
					k = keys[rng.IntN(len(keys))] // set again: a second entry
				}
				keys = append(keys, k)
				o.set(k, nil)
			}
			o.drain()
			want := make([]sortEnt, len(o.ents))
			for j := range want {
				want[j] = o.sortEnt(j)
			}
			rng.Shuffle(len(want), func(i, j int) { want[i], want[j] = want[j], want[i] })
			got := slices.Clone(want)
			slices.SortFunc(want, o.cmpSort)
			o.sortEnts(got)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("entry %d of %d: key %q (entry %d); want %q (entry %d)", i, len(got),
						o.bytes(o.ents[got[i].j].k), got[i].j, o.bytes(o.ents[want[i].j].k), want[i].j)
				}
			}
		})
	}
}

func TestSortEntByteAt(t *testing.T) {
	e := sortEnt{hi: 0x0001020304050607, mid: 0x08090a0b0c0d0e0f, lo: 0x1011121314151617}
	for d := range 24 {
		if got := e.byteAt(d); got != byte(d) {
			t.Errorf("byteAt(%d) = %d, want %d", d, got, d)
		}
	}
}
