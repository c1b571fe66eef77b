package store

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"testing"
)

func TestByteCacheGetPut(t *testing.T) {
	c := newByteCache(4 << 20)
	for _, tc := range []struct {
		key, val string
	}{
		{"a", "1"},
		{"head-key", "some stored bytes"},
		{"empty", ""},
		{"a", "replaced"},
	} {
		c.put([]byte(tc.key), []byte(tc.val))
		got, ok := c.get([]byte("prefix:"), []byte(tc.key))
		if want := "prefix:" + tc.val; !ok || string(got) != want {
			t.Errorf("get(%q) = %q, %v; want %q, true", tc.key, got, ok, want)
		}
	}
	if got, ok := c.get(nil, []byte("missing")); ok {
		t.Errorf("get(missing) = %q, true; want a miss", got)
	}
	c.putParts([]byte("parts"), []byte("ab"), nil, []byte("cd"))
	if got, ok := c.get(nil, []byte("parts")); !ok || string(got) != "abcd" {
		t.Errorf("get(parts) = %q, %v; want abcd, true", got, ok)
	}
}

// TestByteCacheWrap fills a small cache many times over: the newest
// entries are found with their own values, the oldest are gone, a value
// too large for a shard is not cached, and the index does not grow
// beyond what the rings hold.
func TestByteCacheWrap(t *testing.T) {
	c := newByteCache(1) // the minimum: cacheShards × minShardRing
	val := bytes.Repeat([]byte{'v'}, 200)
	const n = 100_000 // ~21 MB through a 2 MB cache
	key := func(i int) []byte { return fmt.Appendf(nil, "key-%06d", i) }
	for i := range n {
		v := append(fmt.Appendf(nil, "%06d", i), val...)
		c.put(key(i), v)
	}
	for _, i := range []int{n - 1, n - 2, n - 100} {
		got, ok := c.get(nil, key(i))
		if want := fmt.Sprintf("%06d", i); !ok || !bytes.HasPrefix(got, []byte(want)) || len(got) != 206 {
			t.Errorf("recent entry %d: got %.10q (len %d), %v; want %s…, true", i, got, len(got), ok, want)
		}
	}
	for _, i := range []int{0, 1, n / 2} {
		if _, ok := c.get(nil, key(i)); ok {
			t.Errorf("old entry %d still found; want it overwritten", i)
		}
	}
	entries := 0
	for i := range c.shards {
		entries += c.shards[i].used
	}
	if max := 2 * cacheShards * minShardRing / (cacheHdr + 10 + 206); entries > max {
		t.Errorf("index holds %d entries; want at most %d (two laps of the rings)", entries, max)
	}
	big := make([]byte, minShardRing)
	c.put([]byte("big"), big)
	if _, ok := c.get(nil, []byte("big")); ok {
		t.Error("a value larger than an eighth of a shard was cached")
	}
}

// TestByteCacheGrow puts more entries than the index first has room for,
// without wrapping a ring: every one is found after the index grew,
// except one put before another of the same shard and tag, which that
// one replaced (a tag holds 30 bits of the hash beyond the shard's 5).
func TestByteCacheGrow(t *testing.T) {
	c := newByteCache(64 << 20)
	const n = 200_000 // ~6,000 a shard against 1,024 slots at first
	key := func(i int) []byte { return fmt.Appendf(nil, "k%d", i) }
	last := map[[2]uint64]int{} // shard and tag → the last key put with them
	for i := range n {
		c.put(key(i), fmt.Appendf(nil, "v%d", i))
		h := maphash.Bytes(c.seed, key(i))
		last[[2]uint64{h & c.mask, slotTag(h)}] = i
	}
	found := 0
	for i := range n {
		h := maphash.Bytes(c.seed, key(i))
		want := last[[2]uint64{h & c.mask, slotTag(h)}] == i
		got, ok := c.get(nil, key(i))
		if ok != want || ok && string(got) != fmt.Sprintf("v%d", i) {
			t.Fatalf("get(%s) = %q, %v; want found %v", key(i), got, ok, want)
		}
		if ok {
			found++
		}
	}
	used := 0
	for i := range c.shards {
		s := &c.shards[i]
		if 2*s.used > len(s.idx) {
			t.Errorf("shard %d: %d of %d slots in use; want at most half", i, s.used, len(s.idx))
		}
		used += s.used
	}
	if used != found {
		t.Errorf("%d slots in use for %d keys found", used, found)
	}
}

func TestByteCacheDisabled(t *testing.T) {
	c := newByteCache(0)
	c.put([]byte("k"), []byte("v"))
	if _, ok := c.get(nil, []byte("k")); ok {
		t.Error("a disabled cache returned a value")
	}
}

func TestPrefixEntry(t *testing.T) {
	var pe prefixEntry
	if got := pe.len(); got != 0 {
		t.Errorf("empty len = %d; want 0", got)
	}
	in := [][2]string{{"k1", "v1"}, {"key2", ""}, {"k3", "value3"}}
	for _, kv := range in {
		pe.add([]byte(kv[0]), []byte(kv[1]))
	}
	if got, want := pe.len(), len(in); got != want {
		t.Fatalf("len = %d; want %d", got, want)
	}
	for i, kv := range in {
		if got := string(pe.key(i)); got != kv[0] {
			t.Errorf("key(%d) = %q; want %q", i, got, kv[0])
		}
		if got := string(pe.val(i)); got != kv[1] {
			t.Errorf("val(%d) = %q; want %q", i, got, kv[1])
		}
	}
	// A caller appending to a returned key must not overwrite the value
	// that follows it.
	_ = append(pe.key(0), 'X')
	if got := string(pe.val(0)); got != "v1" {
		t.Errorf("after append to key(0), val(0) = %q; want v1", got)
	}
}
