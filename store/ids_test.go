package store

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestIDCache(t *testing.T) {
	c := newIDCache()
	long := strings.Repeat("k", 300) // longer than the stack buffer
	entries := []struct {
		rtype byte
		key   string
		e     keyEntry
	}{
		{rEntity, "h100", keyEntry{id: 1, created: 10}},
		{rSource, "h100", keyEntry{id: 2, created: 20}}, // same key, other type
		{rEntity, "", keyEntry{id: 3}},
		{rEntity, long, keyEntry{id: 4, created: 40}},
	}
	for _, x := range entries {
		if _, ok := c.get(x.rtype, x.key); ok {
			t.Errorf("get(%d, %.10q) found an entry before put", x.rtype, x.key)
		}
		c.put(x.rtype, x.key, x.e)
	}
	for _, x := range entries {
		got, ok := c.get(x.rtype, x.key)
		if !ok || got != x.e {
			t.Errorf("get(%d, %.10q) = %+v, %v; want %+v, true", x.rtype, x.key, got, ok, x.e)
		}
	}
	if _, ok := c.get(rClaim, "h100"); ok {
		t.Errorf("get(rClaim, h100) found an entry never put")
	}
}

// TestIDCacheConcurrent reads and writes from several goroutines (run
// with -race).
func TestIDCacheConcurrent(t *testing.T) {
	c := newIDCache()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				k := fmt.Sprint(i)
				c.put(rEntity, k, keyEntry{id: uint64(i)})
				if e, ok := c.get(rEntity, fmt.Sprint((i+g*7)%1000)); ok && e.id != uint64((i+g*7)%1000) {
					t.Errorf("get(%d) = %d", (i+g*7)%1000, e.id)
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkIDCacheGet(b *testing.B) {
	c := newIDCache()
	keys := make([]string, 100_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("chip-%06d", i)
		c.put(rEntity, keys[i], keyEntry{id: uint64(i)})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.get(rEntity, keys[i%len(keys)])
		i += 7919
	}
}
