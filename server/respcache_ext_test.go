package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestResponseCache: answers keep their own variables (the variables are
// part of the cache key) and stay equal across a write, on the real schema.
// That hits are served from the cache, and that failed answers never are,
// is counted in TestResponseCacheHits and TestResponseCacheSkipsErrors.
func TestResponseCache(t *testing.T) {
	var gen atomic.Uint64
	s := NewTestServer(t, nil)
	s.Generation = func() (uint64, uint64) { return gen.Load(), 0 }
	h := s.Handler()
	post := func(body string) string {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Body.String()
	}
	q := `{"query":"query($s: String!) { echo(s: $s) }","variables":{"s":"a"}}`
	first := post(q)
	if !strings.Contains(first, `"echo":"a"`) {
		t.Fatalf("first response %s", first)
	}
	if got := post(q); got != first {
		t.Errorf("cached response %s, want %s", got, first)
	}
	// Different variables: a different entry.
	if got := post(`{"query":"query($s: String!) { echo(s: $s) }","variables":{"s":"b"}}`); !strings.Contains(got, `"echo":"b"`) {
		t.Errorf("other variables got %s", got)
	}
	gen.Add(1)
	if got := post(q); got != first {
		t.Errorf("after a write got %s, want a recomputed equal answer", got)
	}
	// Errors are not cached: boom fails every time.
	for range 2 {
		if got := post(`{"query":"{ boom }"}`); !strings.Contains(got, "errors") {
			t.Errorf("boom got %s, want an error", got)
		}
	}
}
