package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"log"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
	badger "github.com/dgraph-io/badger/v4"
)

// Golden hex dumps of the search key tags (see goldenKeys in keys_test.go).
var goldenSearchKeys = []struct {
	name string
	key  []byte
	hex  string
}{
	{"search", searchKey("tsmc", rEntity, 2, 7, fieldName|fieldWhole), "5274736d6300" + "81" + "0102" + "0000000000000007"},
	{"search format 1", []byte{tagSearchV1, 't', 's', 'm', 'c', 0, rEntity, 2, 0, 0, 0, 0, 0, 0, 0, 7, fieldName | fieldWhole}, "5074736d630001020000000000000007" + "81"},
	{"typo", typoKey("nvida", "nvidia"), "516e76696461006e7669646961"},
}

func TestSearchKeyGolden(t *testing.T) {
	for _, g := range goldenSearchKeys {
		if got := hex.EncodeToString(g.key); got != g.hex {
			t.Errorf("%s key = %s, want %s", g.name, got, g.hex)
		}
	}
}

func TestSearchKeyRoundTrip(t *testing.T) {
	tok, rt, kind, id, field, err := parseSearchKey(searchKey("trainium", rClaim, 8, 1<<40, fieldClaimText))
	if err != nil || string(tok) != "trainium" || rt != rClaim || kind != 8 || id != 1<<40 || field != fieldClaimText {
		t.Errorf("parseSearchKey = %q %d %d %d %d %v", tok, rt, kind, id, field, err)
	}
	if d, w, err := parseTypoKey(typoKey("trainum", "trainium")); err != nil || d != "trainum" || w != "trainium" {
		t.Errorf("parseTypoKey = %q %q %v", d, w, err)
	}
	for _, bad := range [][]byte{nil, {tagSearch, 'a', 0}, searchKey("a", 1, 1, 1, 1)[1:], {tagTypo, 0, 'a'}, {tagTypo, 'a', 0}} {
		if _, _, _, _, _, err := parseSearchKey(bad); err == nil {
			t.Errorf("parseSearchKey(%x) succeeded, want error", bad)
		}
		if _, _, err := parseTypoKey(bad); err == nil {
			t.Errorf("parseTypoKey(%x) succeeded, want error", bad)
		}
	}
	// A word sorts before its longer words, and its exact keys before them,
	// so a scan over tagSearch|word finds exact and prefix matches.
	keys := [][]byte{searchKey("trn", 1, 4, 9, 2), searchKey("trn1", 1, 4, 1, 2), searchKey("trn3", 1, 4, 2, 2)}
	if !slices.IsSortedFunc(keys, bytes.Compare) {
		t.Errorf("search keys not in word order")
	}
	// Within a word, keys sort by field, then record type, kind and ID:
	// one field's records are contiguous and in ranking order.
	keys = [][]byte{
		searchKey("trn", rEntity, 4, 9, fieldName), searchKey("trn", rEntity, 4, 10, fieldName),
		searchKey("trn", rEntity, 5, 1, fieldName), searchKey("trn", rClaim, 1, 2, fieldName),
		searchKey("trn", rEntity, 4, 1, fieldAlias), searchKey("trn", rEntity, 4, 1, fieldName|fieldWhole),
		searchKey("trn1", rEntity, 1, 1, fieldName),
	}
	if !slices.IsSortedFunc(keys, bytes.Compare) {
		t.Errorf("search keys of a word not in (field, record type, kind, ID) order")
	}
}

func TestSearchKeyFromV1(t *testing.T) {
	for _, k := range []struct {
		tok         string
		rtype, kind byte
		id          uint64
		field       byte
	}{{"tsmc", rEntity, 2, 7, fieldName | fieldWhole}, {"trainium", rClaim, 8, 1 << 40, fieldClaimText}, {"x", rSource, 0, 1, fieldSourceTitle}} {
		old := append([]byte{tagSearchV1}, k.tok...)
		old = append(old, 0, k.rtype, k.kind)
		old = append(u64(old, k.id), k.field)
		got, err := searchKeyFromV1(old)
		if want := searchKey(k.tok, k.rtype, k.kind, k.id, k.field); err != nil || !bytes.Equal(got, want) {
			t.Errorf("searchKeyFromV1(%x) = %x, %v, want %x", old, got, err, want)
		}
	}
	for _, bad := range [][]byte{nil, searchKey("tsmc", rEntity, 2, 7, fieldName), {tagSearchV1, 'a', 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}} {
		if _, err := searchKeyFromV1(bad); err == nil {
			t.Errorf("searchKeyFromV1(%x) succeeded, want error", bad)
		}
	}
}

// TestMigrateV1 turns a store's search keys back into format 1, reopens
// it, and checks that the migration restored every key and the format.
func TestMigrateV1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	recs := []graph.Record{}
	for i := range migrateChunk + 10 { // more than one chunk
		recs = append(recs, graph.Record{Type: graph.EntityRecord, Entity: &graph.Entity{
			Key: "chip-" + string(rune('a'+i%26)) + u64s(i), Kind: graph.Chip, Name: "Tensor Core " + u64s(i)}})
	}
	if _, err := s.Import(ctx, "test", recs, nil); err != nil {
		t.Fatal(err)
	}
	want := searchKeys(t, s, tagSearch)
	err = s.db.Update(func(txn *badger.Txn) error {
		for _, k := range want {
			n := len(k)
			old := append([]byte{tagSearchV1}, k[1:n-searchSuffix+1]...)
			old = append(old, k[n-10], k[n-9])
			old = append(append(old, k[n-8:]...), k[n-11])
			if err := txn.Set(old, iv(t, txn, k)); err != nil {
				return err
			}
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return txn.Set(metaKey("format"), []byte(formatV1))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(searchKeys(t, s, tagSearch)) != 0 || len(searchKeys(t, s, tagSearchV1)) != len(want) {
		t.Fatal("the store was not turned into format 1")
	}
	s.Close()
	var logged bytes.Buffer
	if s, err = Open(dir, &Options{Logger: log.New(&logged, "", 0)}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, want := logged.String(), fmt.Sprintf("%d search keys rewritten", len(want)); !strings.Contains(got, "migrating from "+formatV1) || !strings.Contains(got, want) {
		t.Errorf("the migration logged %q; want its start and %q", got, want)
	}
	if got := searchKeys(t, s, tagSearch); !slices.EqualFunc(got, want, bytes.Equal) {
		t.Errorf("after the migration %d search keys, want %d", len(got), len(want))
	}
	if n := len(searchKeys(t, s, tagSearchV1)); n != 0 {
		t.Errorf("%d format-1 keys left", n)
	}
	p, err := s.Search(ctx, graph.View{}, graph.SearchQuery{Text: "tensor", Kinds: []graph.Kind{graph.Chip}, First: 5})
	if err != nil || p.Total != len(recs) || len(p.Items) != 5 {
		t.Errorf("search after the migration: total %d, %d hits, %v; want %d, 5", p.Total, len(p.Items), err, len(recs))
	}
	_ = s.db.View(func(txn *badger.Txn) error {
		if v, err := getValue(txn, metaKey("format")); err != nil || string(v) != FormatVersion {
			t.Errorf("format after the migration = %q, %v; want %q", v, err, FormatVersion)
		}
		return nil
	})
}

func u64s(i int) string { return strconv.Itoa(i) }

func searchKeys(t *testing.T, s *Store, tag byte) [][]byte {
	t.Helper()
	var out [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{tag}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			out = append(out, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func iv(t *testing.T, txn *badger.Txn, k []byte) []byte {
	t.Helper()
	v, err := getValue(txn, k)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var typoAllowanceTests = []struct {
	word string
	want int
}{
	{"tsmc", 0},                  // too short
	{"nvidia", 1},                // five to eight letters
	{"trainium", 1},              //
	{"processor", 2},             // nine and more
	{"h100", 0},                  // digits: model numbers differ by one character
	{"trainium3", 0},             //
	{"pérez", 1},                 // runes, not bytes
	{"abcdefghijklmnopqrstu", 0}, // over maxTypoRunes
}

func TestTypoAllowance(t *testing.T) {
	for _, tt := range typoAllowanceTests {
		if got := typoAllowance(tt.word); got != tt.want {
			t.Errorf("typoAllowance(%q) = %d, want %d", tt.word, got, tt.want)
		}
	}
}

func TestDeletions(t *testing.T) {
	got := deletions("abca", 1)
	want := []string{"abca", "bca", "aca", "aba", "abc"}
	if !slices.Equal(got, want) {
		t.Errorf("deletions(abca, 1) = %q, want %q", got, want)
	}
	if n := len(deletions("processor", 2)); n < 30 || n > 1+9+36 {
		t.Errorf("deletions(processor, 2) has %d strings", n)
	}
}

var editDistanceTests = []struct {
	a, b string
	max  int
	want int
}{
	{"nvidia", "nvidia", 1, 0},
	{"nvidai", "nvidia", 1, 1},     // transposition
	{"trainum", "trainium", 1, 1},  // deletion
	{"trainiun", "trainium", 1, 1}, // substitution
	{"tensor", "sensor", 1, 1},
	{"trainum", "trainium3", 1, 2}, // over max: max+1
	{"perez", "pérez", 2, 1},
	{"abc", "xyzabc", 2, 3},
}

func TestEditDistance(t *testing.T) {
	for _, tt := range editDistanceTests {
		if got := editDistance([]rune(tt.a), []rune(tt.b), tt.max); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
}

// TestTypoDictionaryWrittenOnce checks that a word's dictionary entries
// are written by the first write that indexes it, and only read after.
func TestTypoDictionaryWrittenOnce(t *testing.T) {
	s, err := Open("", &Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	// count returns the number of dictionary entries for "trainium" and
	// the newest Badger version among them: a rewrite would raise it.
	count := func() (n int, newest uint64) {
		s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{tagTypo}})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				if _, w, _ := parseTypoKey(it.Item().Key()); w == "trainium" {
					n++
					newest = max(newest, it.Item().Version())
				}
			}
			return nil
		})
		return n, newest
	}
	var first uint64
	for i, name := range []string{"Trainium", "Trainium Family", "Trainium"} {
		recs := []graph.Record{{Type: graph.EntityRecord, Entity: &graph.Entity{Key: "trainium", Kind: graph.ChipFamily, Name: name}}}
		if _, err := s.Apply(ctx, "test", recs); err != nil {
			t.Fatal(err)
		}
		got, newest := count()
		if want := len(deletions("trainium", 1)); got != want {
			t.Fatalf("after write %d: %d dictionary entries for trainium, want %d", i+1, got, want)
		}
		if i == 0 {
			first = newest
		} else if newest != first {
			t.Errorf("after write %d: the dictionary entries were rewritten (version %d, first written at %d)", i+1, newest, first)
		}
	}
	// A second entity with the word in its description adds nothing.
	recs := []graph.Record{{Type: graph.EntityRecord, Entity: &graph.Entity{Key: "aws", Kind: graph.Company, Name: "AWS", Description: "Designs Trainium chips."}}}
	if _, err := s.Apply(ctx, "test", recs); err != nil {
		t.Fatal(err)
	}
	if got, newest := count(); got != len(deletions("trainium", 1)) || newest != first {
		t.Errorf("%d dictionary entries for trainium (newest version %d), want %d unchanged since %d", got, newest, len(deletions("trainium", 1)), first)
	}
}
