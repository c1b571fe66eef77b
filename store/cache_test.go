package store

import "testing"

func TestPrefixCacheBudget(t *testing.T) {
	for _, tc := range []struct {
		cacheBytes int
		want       int
	}{
		{0, DefaultCacheBytes / 128}, // the default record cache
		{16 << 20, 131_072},
		{1 << 20, 10_000}, // the floor
		{-1, 10_000},      // no record cache
	} {
		if got := prefixCacheBudget(&Options{CacheBytes: tc.cacheBytes}); got != tc.want {
			t.Errorf("prefixCacheBudget(CacheBytes %d) = %d, want %d", tc.cacheBytes, got, tc.want)
		}
	}
}
