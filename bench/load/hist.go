package load

import (
	"math/bits"
	"time"
)

// A hist counts latencies in microseconds without allocating per value:
// exactly below 128 µs, then in 64 buckets per power of two, each at most
// 1/64 of its values wide. Quantiles are the middle of their bucket, so
// within 0.8% of the exact value (and never above the maximum, which is
// kept exactly).
type hist struct {
	counts []uint32 // by bucket; nil until the first value
	n      int64
	max    time.Duration
}

const (
	histSubBits = 6
	histSub     = 1 << histSubBits
	// histMaxExp bounds the values: those from 2^(histMaxExp+7) µs (about
	// 38 hours) count in the last bucket.
	histMaxExp  = 31
	histBuckets = histMaxExp*histSub + 2*histSub
)

// histBucket returns the bucket of v microseconds: v itself below 128,
// else e*64 + v>>e, where e is how far v must be shifted to be below 128.
func histBucket(v uint64) int {
	e := max(0, bits.Len64(v)-histSubBits-1)
	if e > histMaxExp {
		return histBuckets - 1
	}
	return e*histSub + int(v>>e)
}

// histRange returns the smallest and largest value of bucket i.
func histRange(i int) (lo, hi uint64) {
	if i < 2*histSub {
		return uint64(i), uint64(i)
	}
	e := i/histSub - 1
	m := uint64(i - e*histSub)
	return m << e, (m+1)<<e - 1
}

func (h *hist) add(d time.Duration) {
	if h.counts == nil {
		h.counts = make([]uint32, histBuckets)
	}
	h.counts[histBucket(uint64(max(d, 0)/time.Microsecond))]++
	h.n++
	h.max = max(h.max, d)
}

func (h *hist) merge(o *hist) {
	if o.n == 0 {
		return
	}
	if h.counts == nil {
		h.counts = make([]uint32, histBuckets)
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the nearest-rank p-quantile, or 0 without values.
func (h *hist) quantile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := min(max(int64(float64(h.n)*p+0.999999), 1), h.n)
	var seen int64
	for i, c := range h.counts {
		seen += int64(c)
		if seen >= rank {
			lo, hi := histRange(i)
			return min(time.Duration(lo+(hi-lo)/2)*time.Microsecond, h.max)
		}
	}
	return h.max
}
