package store

import (
	"bytes"
	"encoding/hex"
	"math"
	"sort"
	"testing"
)

// Golden hex dumps: one per key tag, so the layout comments beside the
// constructors cannot drift from the bytes actually written.
var goldenKeys = []struct {
	name string
	key  []byte
	hex  string
}{
	{"meta", metaKey("format"), "00666f726d6174"},
	{"version", versionKey(tagEntity, 1, 2), "010000000000000001fffffffffffffffd"},
	{"head", headKey(tagStatement, 258), "05030000000000000102"},
	{"key", keyIndexKey(rEntity, "tsmc"), "080174736d6300"},
	{"url", urlKey("https://a.b/"), "0968747470733a2f2f612e622f00"},
	{"kind", kindKey(4, 258), "10040000000000000102"},
	{"name", nameKey("tsmc", 7), "1174736d63000000000000000007"},
	{"out", edgeKey(tagOut, 1, 2, 3), "20000000000000000100020000000000000003"},
	{"in", edgeKey(tagIn, 1, 2, 3), "21000000000000000100020000000000000003"},
	{"literal", literalKey(19, 700, 5, 6), "220013c085e0000000000000000000000000050000000000000006"},
	{"bysource", bySourceKey(9, rStatement, 10), "30000000000000000903000000000000000a"},
	{"claimant", claimIndexKey(tagClaimant, 1, 2), "3100000000000000010000000000000002"},
	{"about", claimIndexKey(tagAbout, 1, 2), "3200000000000000010000000000000002"},
	{"log", logKey(1, rClaim, 2), "400000000000000001040000000000000002"},
}

func TestKeyGolden(t *testing.T) {
	for _, g := range goldenKeys {
		if got := hex.EncodeToString(g.key); got != g.hex {
			t.Errorf("%s key = %s, want %s", g.name, got, g.hex)
		}
	}
}

func TestKeyRoundTrip(t *testing.T) {
	if tag, id, ts, err := parseVersionKey(versionKey(tagClaim, 42, 1e18)); err != nil || tag != tagClaim || id != 42 || ts != 1e18 {
		t.Errorf("parseVersionKey = %d %d %d %v, want %d 42 1e18", tag, id, ts, err, tagClaim)
	}
	if tag, id, err := parseHeadKey(headKey(tagSource, 77)); err != nil || tag != tagSource || id != 77 {
		t.Errorf("parseHeadKey = %d %d %v", tag, id, err)
	}
	if rt, k, err := parseKeyIndexKey(keyIndexKey(rSource, "seed-article")); err != nil || rt != rSource || k != "seed-article" {
		t.Errorf("parseKeyIndexKey = %d %q %v", rt, k, err)
	}
	if c, id, err := parseKindKey(kindKey(3, 99)); err != nil || c != 3 || id != 99 {
		t.Errorf("parseKindKey = %d %d %v", c, id, err)
	}
	if n, id, err := parseNameKey(nameKey("amazon web services", 5)); err != nil || n != "amazon web services" || id != 5 {
		t.Errorf("parseNameKey = %q %d %v", n, id, err)
	}
	if tag, e, p, s, err := parseEdgeKey(edgeKey(tagIn, 7, 300, 9)); err != nil || tag != tagIn || e != 7 || p != 300 || s != 9 {
		t.Errorf("parseEdgeKey = %d %d %d %d %v", tag, e, p, s, err)
	}
	for _, f := range []float64{-1e30, -2.5, 0, 1, 700, 1.5e16, math.Inf(1)} {
		p, n, subj, st, err := parseLiteralKey(literalKey(19, f, 3, 4))
		if err != nil || p != 19 || n != f || subj != 3 || st != 4 {
			t.Errorf("parseLiteralKey(%v) = %d %v %d %d %v", f, p, n, subj, st, err)
		}
	}
	if src, rt, rec, err := parseBySourceKey(bySourceKey(1, rClaim, 2)); err != nil || src != 1 || rt != rClaim || rec != 2 {
		t.Errorf("parseBySourceKey = %d %d %d %v", src, rt, rec, err)
	}
	if tag, e, c, err := parseClaimIndexKey(claimIndexKey(tagAbout, 8, 9)); err != nil || tag != tagAbout || e != 8 || c != 9 {
		t.Errorf("parseClaimIndexKey = %d %d %d %v", tag, e, c, err)
	}
	if ts, rt, id, err := parseLogKey(logKey(123, rEntity, 456)); err != nil || ts != 123 || rt != rEntity || id != 456 {
		t.Errorf("parseLogKey = %d %d %d %v", ts, rt, id, err)
	}
	for _, bad := range [][]byte{nil, {0x01}, {tagKey, 1, 'a'}, {tagName, 'a'}} {
		if _, _, _, err := parseVersionKey(bad); err == nil {
			t.Errorf("parseVersionKey(%x) succeeded, want error", bad)
		}
	}
}

func TestKeySortOrder(t *testing.T) {
	tests := []struct {
		name string
		keys [][]byte // in the order they must sort
	}{
		{"newest version first", [][]byte{versionKey(tagEntity, 1, 300), versionKey(tagEntity, 1, 200), versionKey(tagEntity, 1, 1), versionKey(tagEntity, 2, 500)}},
		{"ids numeric", [][]byte{kindKey(1, 2), kindKey(1, 255), kindKey(1, 256), kindKey(2, 1)}},
		{"name exact before longer names", [][]byte{nameKey("amd", 9), nameKey("amd", 10), nameKey("amd instinct", 1), nameKey("amdx", 1)}},
		{"literal by number", [][]byte{literalKey(19, -5, 9, 9), literalKey(19, 0, 9, 9), literalKey(19, 0.5, 1, 1), literalKey(19, 500, 1, 1), literalKey(19, 700, 1, 1), literalKey(19, 1e6, 1, 1), literalKey(20, -1, 1, 1)}},
		{"edges by predicate then statement", [][]byte{edgeKey(tagOut, 1, 1, 9), edgeKey(tagOut, 1, 2, 1), edgeKey(tagOut, 2, 1, 1), edgeKey(tagIn, 1, 1, 1)}},
		{"log by time", [][]byte{logKey(1, rSource, 5), logKey(1, rStatement, 1), logKey(2, rEntity, 1), logKey(1<<40, rEntity, 1)}},
	}
	for _, tt := range tests {
		sorted := sort.SliceIsSorted(tt.keys, func(i, j int) bool { return bytes.Compare(tt.keys[i], tt.keys[j]) < 0 })
		if !sorted {
			t.Errorf("%s: keys not in byte order", tt.name)
		}
	}
}
