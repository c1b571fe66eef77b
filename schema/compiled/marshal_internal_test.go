package compiled

import (
	"bytes"
	"encoding/json"
	"testing"
)

// rawScalar's MarshalJSON returns its bytes as they are.
type rawScalar struct{ b string }

func (s rawScalar) MarshalJSON() ([]byte, error) { return []byte(s.b), nil }

// TestMarshaler checks that run.marshaler appends what json.Marshal
// writes, or nothing when it leaves the value to json.Marshal.
func TestMarshaler(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want bool // run.marshaler writes it
	}{
		{`"2025-12-02"`, true},
		{`"2025-Q4"`, true},
		{`12.5`, true},
		{`{"a":[1,2]}`, true},
		{`""`, true},
		{`{"a": 1}`, false},      // json.Marshal compacts it
		{"[1,\n2]", false},       // likewise
		{`"<b>"`, false},         // json.Marshal escapes it
		{`"a&b"`, false},         // likewise
		{"\"\u2028\"", false},    // likewise
		{"\"\u2013\"", false},    // starts with 0xe2 too: left to json.Marshal
		{`"unterminated`, false}, // invalid: json.Marshal fails
		{`1 2`, false},           // invalid
	} {
		v := rawScalar{tc.raw}
		r := &run{buf: []byte("x")}
		got := r.marshaler(&v)
		if got != tc.want {
			t.Errorf("marshaler(%q) = %v, want %v", tc.raw, got, tc.want)
			continue
		}
		if !got {
			if string(r.buf) != "x" {
				t.Errorf("marshaler(%q) appended %q, want nothing", tc.raw, r.buf[1:])
			}
			continue
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%q): %v", tc.raw, err)
		}
		if !bytes.Equal(r.buf[1:], want) {
			t.Errorf("marshaler(%q) appended %s, want %s", tc.raw, r.buf[1:], want)
		}
	}
}
