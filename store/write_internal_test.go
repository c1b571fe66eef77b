package store

import "testing"

// TestSourceCache: the last source found is served without the map, and
// a source set again is served as set, also when it was the last found.
func TestSourceCache(t *testing.T) {
	a1, a2, b := sourceInfo{id: 1, text: "a"}, sourceInfo{id: 1, text: "a, corrected"}, sourceInfo{id: 2, text: "b"}
	var c sourceCache
	if _, ok := c.get(""); ok {
		t.Fatal(`empty cache: get("") found a source`)
	}
	c.set("a", a1)
	c.set("b", b)
	steps := []struct {
		set  bool // set key to si instead of getting it
		key  string
		si   sourceInfo
		want bool // get: whether key is found, as si
	}{
		{key: "a", si: a1, want: true},
		{key: "a", si: a1, want: true}, // the last found
		{key: "b", si: b, want: true},
		{key: "c", want: false},
		{key: "b", si: b, want: true},
		{set: true, key: "b", si: sourceInfo{id: 2, text: "b2"}},
		{key: "b", si: sourceInfo{id: 2, text: "b2"}, want: true},
		{key: "a", si: a1, want: true},
		{set: true, key: "a", si: a2}, // a is the last found
		{key: "a", si: a2, want: true},
		{key: "", want: false},
	}
	for i, s := range steps {
		if s.set {
			c.set(s.key, s.si)
			continue
		}
		got, ok := c.get(s.key)
		if ok != s.want || ok && got != s.si {
			t.Errorf("step %d: get(%q) = %+v, %v; want %+v, %v", i, s.key, got, ok, s.si, s.want)
		}
	}
}
