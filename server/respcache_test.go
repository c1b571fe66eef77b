package server

import "testing"

func TestRespCacheStaleGeneration(t *testing.T) {
	c := newRespCache(1 << 20)
	k := [32]byte{1}
	c.put(k, 5, []byte("old"))
	if _, ok := c.get(k, 6); ok {
		t.Errorf("an entry of generation 5 was served at generation 6")
	}
	if b, ok := c.get(k, 5); !ok || string(b) != "old" {
		t.Errorf("get(5) = %q, %v; want old, true", b, ok)
	}
	for i := range 100000 {
		c.put([32]byte{byte(i), byte(i >> 8), byte(i >> 16)}, 5, make([]byte, 100))
	}
	if c.total > c.max {
		t.Errorf("cache holds %d bytes, over its bound %d", c.total, c.max)
	}
}
