package graph

import (
	"encoding/json"
	"testing"
)

var jsonStrings = []string{
	"", "plain", "Acme X100", `quote " and \ backslash / slash`, "<b>&amp;</b>", "tab\tnew\nline\rcr\bbs\fff nul\x00",
	"\x00\x01\x1f\x7f", "naïve – “quotes” 中文 😀 𝄞", "\u2028 and \u2029", "bad \xff\xfe utf8", "trunc \xe2\x80", "bad \xc3",
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range jsonStrings {
		want, _ := json.Marshal(s)
		if got := AppendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("AppendJSONString(%q) = %s, want x%s", s, got, want)
		}
	}
}

// FuzzAppendJSONString checks that AppendJSONString writes what
// json.Marshal writes.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
