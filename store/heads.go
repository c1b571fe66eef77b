package store

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"github.com/chipgraph/chipgraph/graph"
	badger "github.com/dgraph-io/badger/v4"
)

// Reading many heads at once.
//
// A page of an entity's statements names statements whose IDs are
// clustered: an import gives the statements of one subject IDs close
// together, and their head keys (tagHead | tagStatement | id, keys.go)
// sort by ID. A Badger Get per head seeks every level's table index and
// block again and allocates a dozen times; one iterator seeks once and
// steps from head to head through the same block. versionsRaw reads the
// heads the byte cache does not hold that way, in ID order.

// A run is a sequence of byte-cache misses, in ID order, each at most
// maxHeadSteps IDs after the one before: the iterator reaches the next
// head of a run with at most that many calls to Next, and seeks only at
// the start of a run. Runs of at least minIterRun heads are read with the
// iterator; shorter ones take a Get each, since the iterator costs about
// two Gets to set up and a seek costs more than a Get (BenchmarkVersionsRaw:
// a Get is cheaper for heads scattered over the store, equal for a run
// of two, and dearer for a run of four or more).
var minIterRun = 3 // a variable so that tests can send every run either way

const maxHeadSteps = 16

// statementsByID returns the statements with the given IDs as the
// snapshot sees them, in the order of ids, nil where it sees none. The
// statements are decoded into one slice allocated for them all, their
// references into a decodeArena.
func (r *reader) statementsByID(ids []uint64) ([]*graph.Statement, error) {
	if r.arena == nil {
		r.arena = &decodeArena{left: len(ids)}
		defer func() { r.arena = nil }()
	}
	out := make([]*graph.Statement, len(ids))
	slab := make([]graph.Statement, len(ids))
	newSt := func() any {
		if len(slab) == 0 { // a cached version failed to decode and was read again
			return new(graph.Statement)
		}
		st := &slab[0]
		slab = slab[1:]
		return st
	}
	err := r.versionsRaw(tagStatement, ids, newSt, func(i int, v any) { out[i] = v.(*graph.Statement) })
	return out, err
}

// claimsByID reads the claims ids name, as claimByID reads each one (nil
// for a claim the snapshot does not see), with versionsRaw.
func (r *reader) claimsByID(ids []uint64) ([]*graph.Claim, error) {
	out := make([]*graph.Claim, len(ids))
	err := r.versionsRaw(tagClaim, ids, func() any { return new(graph.Claim) }, func(i int, v any) { out[i] = v.(*graph.Claim) })
	return out, err
}

// versionsRaw is versionRaw for many records of one family: it calls set
// with the index in ids of each record the snapshot sees and its version.
// Heads in the byte cache are read from there, the others in ID order,
// runs of them (minIterRun) with one iterator over the head keys and the
// rest with a Get each. A head newer than the snapshot, or missing, sends
// its record to the older versions, as versionRaw does.
func (r *reader) versionsRaw(tag byte, ids []uint64, newRec func() any, set func(i int, v any)) error {
	// miss holds indexes into ids, on the stack for up to 64 misses:
	// grown from nil, 20 misses took 6 allocations.
	var mb [64]int
	miss := mb[:0]
	for i, id := range ids {
		v, hit, err := r.cachedHead(tag, id, newRec)
		if err != nil {
			return err
		}
		switch hit {
		case headHit:
			set(i, v)
		case headTooNew:
			if v, err = r.olderRaw(tag, id, newRec); err != nil {
				return err
			}
			if v != nil {
				set(i, v)
			}
		default:
			miss = append(miss, i)
		}
	}
	slices.SortFunc(miss, func(a, b int) int { return cmp.Compare(ids[a], ids[b]) })
	var hs *headSeeker
	for start := 0; start < len(miss); {
		end := start + 1
		for end < len(miss) && ids[miss[end]]-ids[miss[end-1]] <= maxHeadSteps {
			end++
		}
		run := miss[start:end]
		start = end
		if len(run) < minIterRun {
			for _, i := range run {
				v, err := r.versionRaw(tag, ids[i], newRec)
				if err != nil {
					return err
				}
				if v != nil {
					set(i, v)
				}
			}
			continue
		}
		if hs == nil {
			// The iterator's prefix is what the first and last head keys
			// share, so that Badger opens only the tables that may hold them.
			lo, hi := headKey(tag, ids[run[0]]), headKey(tag, ids[miss[len(miss)-1]])
			p := lo[:commonPrefix(lo, hi)]
			it := r.tx().NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
			defer it.Close()
			hs = &headSeeker{it: it, prefix: p}
		}
		var kb [10]byte
		for j, i := range run {
			id := ids[i]
			hk := appendHeadKey(kb[:0], tag, id)
			var v any
			seen := false
			if hs.seek(hk, j > 0) {
				err := hs.it.Item().Value(func(b []byte) error {
					var err error
					v, seen, err = r.headValue(tag, id, hk, b, newRec)
					return err
				})
				if err != nil {
					return err
				}
			}
			if !seen {
				var err error
				if v, err = r.olderRaw(tag, id, newRec); err != nil {
					return err
				}
			}
			if v != nil {
				set(i, v)
			}
		}
	}
	return nil
}

// headSeeker moves an iterator to keys sought in increasing order.
type headSeeker struct {
	it     *badger.Iterator
	prefix []byte
}

// seek moves to the first key at or after k and reports whether it is k.
// With near, k sorts at or after the key sought last and is a few keys on:
// the iterator steps to it with Next, and seeks only if it is more than
// maxHeadSteps keys on. Otherwise it seeks.
func (h *headSeeker) seek(k []byte, near bool) bool {
	if !near {
		h.it.Seek(k)
	} else {
		for n := 0; h.it.ValidForPrefix(h.prefix) && bytes.Compare(h.it.Item().Key(), k) < 0; n++ {
			if n == maxHeadSteps {
				h.it.Seek(k)
				break
			}
			h.it.Next()
		}
	}
	return h.it.ValidForPrefix(h.prefix) && bytes.Equal(h.it.Item().Key(), k)
}

// commonPrefix is the length of the longest common prefix of a and b.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// edgeStatements returns the statements that edge keys (edgeKey) name,
// in their order, nil for no keys. A key naming a statement the snapshot
// does not see is an error: the edge index and the versions are written
// together.
func (r *reader) edgeStatements(keys [][]byte) ([]*graph.Statement, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	ids := make([]uint64, len(keys))
	for i, k := range keys {
		_, _, _, sid, err := parseEdgeKey(k)
		if err != nil {
			return nil, err
		}
		ids[i] = sid
	}
	sts, err := r.statementsByID(ids)
	if err != nil {
		return nil, err
	}
	for i, st := range sts {
		if st == nil {
			return nil, fmt.Errorf("edge index names statement %d that has no version", ids[i])
		}
	}
	return sts, nil
}
