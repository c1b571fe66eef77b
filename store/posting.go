package store

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Index values record when an index entry was part of the graph, so that
// one key serves current and as-of reads.
//
// intervals: n × (from(8) to(8)), big-endian Unix nanoseconds of recorded
// time; to = 0 means the interval is still open. An entry leaves the
// current view by closing its last interval, and comes back by appending a
// new one: nothing is deleted.
//
// posting (edge and literal indexes): other(8) validFrom(8) validTo(8)
// followed by intervals. other is the entity at the far end (the object
// for tagOut, the subject for tagIn and tagLiteral; 0 for a literal
// object). validFrom/validTo are the statement's valid-time bounds in Unix
// seconds (math.MinInt64 / math.MaxInt64 when open), so validAt filters
// need not decode statements.
const postingHeader = 24

// snapshot is what a read may see: versions recorded at or before ts and
// not in an aborted import.
type snapshot struct {
	ts       uint64
	aborted  []span
	validAt  int64 // Unix seconds; valid-time filter when hasValid
	hasValid bool
}

// span is an inclusive range of recorded times written by an import that
// did not finish; reads ignore them.
type span struct{ lo, hi uint64 }

func (s snapshot) sees(t uint64) bool {
	if t > s.ts {
		return false
	}
	for _, a := range s.aborted {
		if t >= a.lo && t <= a.hi {
			return false
		}
	}
	return true
}

// alive reports whether intervals hold an interval open at the snapshot.
func (s snapshot) alive(iv []byte) bool {
	for i := 0; i+16 <= len(iv); i += 16 {
		from := binary.BigEndian.Uint64(iv[i:])
		to := binary.BigEndian.Uint64(iv[i+8:])
		if s.sees(from) && (to == 0 || !s.sees(to)) {
			return true
		}
	}
	return false
}

// openInterval appends an open interval at ts unless the last one is open.
// The new intervals are appended to dst (nil: a new slice).
func openInterval(dst, iv []byte, ts uint64) ([]byte, bool) {
	if n := len(iv); n >= 16 && binary.BigEndian.Uint64(iv[n-8:]) == 0 {
		return iv, false
	}
	if dst == nil {
		dst = make([]byte, 0, len(iv)+16)
	}
	out := append(dst, iv...)
	out = u64(out, ts)
	return u64(out, 0), true
}

// closeInterval closes the last interval at ts if it is open.
// The new intervals are appended to dst (nil: a new slice).
func closeInterval(dst, iv []byte, ts uint64) ([]byte, bool) {
	n := len(iv)
	if n < 16 || binary.BigEndian.Uint64(iv[n-8:]) != 0 {
		return iv, false
	}
	if dst == nil {
		dst = make([]byte, 0, len(iv))
	}
	out := append(dst, iv...)
	binary.BigEndian.PutUint64(out[len(out)-8:], ts)
	return out, true
}

// posting is the decoded header of an edge or literal index value.
type posting struct {
	other     uint64
	validFrom int64
	validTo   int64
}

// encodePosting appends a posting value (header p, intervals iv) to b.
func encodePosting(b []byte, p posting, iv []byte) []byte {
	b = u64(b, p.other)
	b = u64(b, uint64(p.validFrom))
	b = u64(b, uint64(p.validTo))
	return append(b, iv...)
}

func decodePosting(v []byte) (posting, []byte, error) {
	if len(v) < postingHeader || (len(v)-postingHeader)%16 != 0 {
		return posting{}, nil, fmt.Errorf("malformed posting of %d bytes", len(v))
	}
	return posting{
		other:     binary.BigEndian.Uint64(v),
		validFrom: int64(binary.BigEndian.Uint64(v[8:])),
		validTo:   int64(binary.BigEndian.Uint64(v[16:])),
	}, v[postingHeader:], nil
}

// validIn reports whether the posting's valid time contains the snapshot's validAt.
func (s snapshot) validIn(p posting) bool {
	return !s.hasValid || (p.validFrom <= s.validAt && s.validAt < p.validTo)
}

// validBounds converts a valid-time interval to posting bounds.
func validBounds(from, to time.Time) (int64, int64) {
	f, t := int64(math.MinInt64), int64(math.MaxInt64)
	if !from.IsZero() {
		f = from.Unix()
	}
	if !to.IsZero() {
		t = to.Unix()
	}
	return f, t
}
