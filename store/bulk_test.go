package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/chipgraph/chipgraph/bench/gen"
	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
)

// openTest opens a store in dir ("" in memory) with a fixed clock.
func openTest(t *testing.T, dir string, bulk bool) *Store {
	t.Helper()
	s, err := Open(dir, &Options{InMemory: dir == ""})
	if err != nil {
		t.Fatal(err)
	}
	s.noBulk, s.bulkMin = !bulk, 0
	s.bulkStreams = 3 // more than one key range, more than the cores of CI
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { at = at.Add(time.Second); return at }
	return s
}

func decodeNDJSON(t *testing.T, b []byte) []graph.Record {
	t.Helper()
	var recs []graph.Record
	if err := graph.ScanRecords(bytes.NewReader(b), "test", func(r graph.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return recs
}

// dump returns every key and value in the store but the ID sequence's
// lease (compared separately).
func dump(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := string(it.Item().Key())
			if k == string(metaKey("seq")) {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[k] = string(v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// storeImage is what compareStores compares: every key and value, the
// next ID (taking it) and the export.
type storeImage struct {
	kv     map[string]string
	next   uint64
	export []byte
}

func imageOf(t *testing.T, s *Store) storeImage {
	t.Helper()
	next, err := s.seq.Next()
	if err != nil {
		t.Fatal(err)
	}
	var exp bytes.Buffer
	if _, err := s.Export(context.Background(), &exp); err != nil {
		t.Fatal(err)
	}
	return storeImage{dump(t, s), next, exp.Bytes()}
}

func compareStores(t *testing.T, bulk *Store, chunked storeImage) {
	t.Helper()
	got := imageOf(t, bulk)
	a, b := got.kv, chunked.kv
	if len(a) != len(b) {
		t.Errorf("bulk import wrote %d keys, chunked import %d", len(a), len(b))
	}
	bad := 0
	for k, v := range b {
		if got, ok := a[k]; !ok {
			t.Errorf("key %x: missing after bulk import", k)
			bad++
		} else if got != v {
			t.Errorf("key %x: bulk import wrote %x, chunked import %x", k, got, v)
			bad++
		}
		if bad > 10 {
			t.Fatal("too many differences")
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			t.Errorf("key %x: only after bulk import", k)
		}
	}
	if got.next != chunked.next {
		t.Errorf("next ID after bulk import = %d; after chunked import %d", got.next, chunked.next)
	}
	if !bytes.Equal(got.export, chunked.export) {
		t.Error("exports differ")
	}
}

// TestBulkImportMatchesChunked imports the same records into an empty
// store both ways and compares every key and value.
func TestBulkImportMatchesChunked(t *testing.T) {
	ctx := context.Background()
	starterRecs, err := starter.Records()
	if err != nil {
		t.Fatal(err)
	}
	var genOut bytes.Buffer
	if _, err := gen.Generate(ctx, &genOut, gen.Config{Scale: 0.02, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	genRecs := decodeNDJSON(t, genOut.Bytes())

	// An export restores versions with their own recorded times, so the
	// times of conflicts depend on where chunks end.
	// Several imports give the export several recorded times.
	src := openTest(t, "", false)
	defer src.Close()
	for i, n := 0, len(genRecs)/5; i < len(genRecs); i += n {
		if _, err := src.Import(ctx, "gen", cloneRecords(genRecs[i:min(i+n, len(genRecs))]), nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := src.Import(ctx, "starter", starterRecs, nil); err != nil {
		t.Fatal(err)
	}
	var exp bytes.Buffer
	if _, err := src.Export(ctx, &exp); err != nil {
		t.Fatal(err)
	}
	exported := decodeNDJSON(t, exp.Bytes())

	// Conflicts in versions restored with their own recorded times open
	// at the end of the chunk that made them: the bulk import must end
	// its chunks where the chunked import does.
	var conf bytes.Buffer
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := func() string {
		at = at.Add(time.Second)
		return `"recorded":{"at":"` + at.Format(time.RFC3339) + `","by":"t"}`
	}
	fmt.Fprintf(&conf, `{"type":"source","key":"src","title":"Chips","kind":"news_article","published":"2024-01-01",%s}`+"\n", rec())
	for i := range 3000 {
		fmt.Fprintf(&conf, `{"type":"entity","key":"chip-%d","kind":"Chip","name":"Chip %d",%s}`+"\n", i, i, rec())
		for _, gb := range []int{8, 16} {
			fmt.Fprintf(&conf, `{"type":"statement","subject":"chip-%d","predicate":"memory","object":{"amount":%d,"unit":"GB"},"references":[{"source":"src"}],%s}`+"\n", i, gb, rec())
		}
	}
	conflicts := decodeNDJSON(t, conf.Bytes())

	// Records that refer to statements written just before them or long
	// before: ranks, retractions and claims linked to statements.
	var refs bytes.Buffer
	fmt.Fprintln(&refs, `{"type":"source","key":"src","title":"Chips","kind":"news_article","published":"2024-01-01"}`)
	fmt.Fprintln(&refs, `{"type":"entity","key":"acme","kind":"Company","name":"Acme"}`)
	for i := range 3000 {
		fmt.Fprintf(&refs, `{"type":"entity","key":"chip-%d","kind":"Chip","name":"Chip %d"}`+"\n", i, i)
		fmt.Fprintf(&refs, `{"type":"statement","subject":"chip-%d","predicate":"memory","object":{"amount":8,"unit":"GB"},"references":[{"source":"src"}]}`+"\n", i)
		key := func(j int) string {
			return graph.StatementKey(fmt.Sprintf("chip-%d", j), "memory", graph.Quantity(8, "GB"), graph.Qualifiers{})
		}
		if i%3 == 0 {
			fmt.Fprintf(&refs, `{"type":"rank","statement":%q,"rank":"preferred","reason":"r"}`+"\n", key(i))
		}
		if i%5 == 4 {
			fmt.Fprintf(&refs, `{"type":"retract","statement":%q,"reason":"r"}`+"\n", key(i-2))
		}
		if i%7 == 6 {
			fmt.Fprintf(&refs, `{"type":"claim","key":"claim-%d","claimant":"acme","text":"t","reference":{"source":"src"},"about":["chip-%d"],"links":[{"relation":"supports","statement":%q}]}`+"\n", i, i, key(i/2))
		}
	}
	statementRefs := decodeNDJSON(t, refs.Bytes())

	for _, tc := range []struct {
		name string
		recs []graph.Record
	}{
		{"starter", starterRecs},
		{"generated", genRecs},
		{"export", exported},
		{"conflicts", conflicts},
		{"statement references", statementRefs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chunked := openTest(t, t.TempDir(), false)
			defer chunked.Close()
			chunks := 0
			rc, err := chunked.Import(ctx, "test", cloneRecords(tc.recs), func(int) { chunks++ })
			if err != nil {
				t.Fatal(err)
			}
			if tc.name != "starter" && chunks < 3 {
				t.Errorf("chunked import made %d chunks; the test wants several", chunks)
			}
			want := imageOf(t, chunked)
			// One stream, and key ranges written as several streams;
			// in memory (a StreamWriter), and on disk with the store
			// to itself (tables built and installed, bulktables.go).
			for _, streams := range []int{1, 3} {
				for _, exclusive := range []bool{false, true} {
					t.Run(fmt.Sprintf("streams=%d/exclusive=%v", streams, exclusive), func(t *testing.T) {
						dir := ""
						if exclusive {
							dir = t.TempDir()
						}
						bulk := openTest(t, dir, true)
						defer func() { bulk.Close() }()
						bulk.bulkStreams, bulk.exclusive = streams, exclusive
						rb, err := bulk.Import(ctx, "test", cloneRecords(tc.recs), nil)
						if err != nil {
							t.Fatal(err)
						}
						if fmt.Sprint(rb) != fmt.Sprint(rc) {
							t.Errorf("bulk import result %+v, chunked %+v", rb, rc)
						}
						if !exclusive {
							compareStores(t, bulk, want)
							return
						}
						// What the tables hold survives a reopen.
						kv := dump(t, bulk)
						if err := bulk.Close(); err != nil {
							t.Fatal(err)
						}
						bulk = openTest(t, dir, true)
						if got := dump(t, bulk); !maps.Equal(got, kv) {
							t.Errorf("after reopening: %d keys, before %d (or different values)", len(got), len(kv))
						}
						compareStores(t, bulk, want)
					})
				}
			}
			// ImportFrom: bulk once enough records are collected (Import
			// runs the same bulkRun from the first record), and
			// collected for a chunked import (Import's path). Not the
			// export, and collected for the starter only, to keep the
			// race run short.
			for _, from := range []struct {
				name    string
				bulkMin int
				noBulk  bool
			}{{"from/bulkMin=100", 100, false}, {"from/chunked", 0, true}} {
				if tc.name == "export" || from.noBulk && tc.name != "starter" {
					continue
				}
				t.Run(from.name, func(t *testing.T) {
					s := openTest(t, "", true)
					defer s.Close()
					s.bulkMin, s.noBulk = from.bulkMin, from.noBulk
					rb, err := s.ImportFrom(ctx, "test", scanOf(cloneRecords(tc.recs)), len(tc.recs)/2, nil)
					if err != nil {
						t.Fatal(err)
					}
					if fmt.Sprint(rb) != fmt.Sprint(rc) {
						t.Errorf("ImportFrom result %+v, chunked import %+v", rb, rc)
					}
					compareStores(t, s, want)
				})
			}
		})
	}
}

// scanOf returns a scan of recs for ImportFrom.
func scanOf(recs []graph.Record) func(func(graph.Record) error) error {
	return func(yield func(graph.Record) error) error {
		for _, r := range recs {
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestImportFromFails: a bad record or a failed scan, before or after
// the bulk import starts, writes nothing; the error names the record's
// line, and the store takes a later import.
func TestImportFromFails(t *testing.T) {
	ctx := context.Background()
	errRead := errors.New("read failed")
	// A statement about an entity no record defines, on line 1000 + i.
	bad := func(i int) graph.Record {
		return graph.Record{Type: graph.StatementRecord, Line: 1000 + i, Statement: &graph.Statement{
			Subject: "no-such-chip", Predicate: "memory", Object: graph.Quantity(8, "GB")}}
	}
	tests := []struct {
		name     string
		bulkMin  int
		noBulk   bool
		failAt   int  // records yielded before the failure
		readErr  bool // the scan fails instead of a record
		wantLine int  // 0: want errRead
	}{
		{"bulk/bad record", 0, false, 300, false, 1300},
		{"bulk/read error", 0, false, 300, true, 0},
		{"before bulk/bad record", 500, false, 300, false, 1300},
		{"collected bulk/bad record", 100, false, 99, false, 1099},
		{"before bulk/read error", 500, false, 300, true, 0},
		{"chunked/bad record", 0, true, 300, false, 1300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, t.TempDir(), true)
			defer s.Close()
			s.bulkMin, s.noBulk = tt.bulkMin, tt.noBulk
			recs := chips(tt.failAt)
			scan := func(yield func(graph.Record) error) error {
				for _, r := range recs {
					if err := yield(r); err != nil {
						return err
					}
				}
				if tt.readErr {
					return errRead
				}
				return yield(bad(tt.failAt))
			}
			_, err := s.ImportFrom(ctx, "test", scan, 0, nil)
			var le *graph.LineError
			switch {
			case tt.wantLine == 0 && !errors.Is(err, errRead):
				t.Errorf("ImportFrom error = %v, want %v", err, errRead)
			case tt.wantLine > 0 && (!errors.As(err, &le) || le.Line != tt.wantLine):
				t.Errorf("ImportFrom error = %v, want a *graph.LineError on line %d", err, tt.wantLine)
			}
			if !s.Empty() {
				t.Error("store not empty after a failed ImportFrom")
			}
			if s.seqLease != idLease {
				t.Errorf("after a failed ImportFrom the ID sequence leases %d IDs at a time, want %d", s.seqLease, idLease)
			}
			if _, err := s.ImportFrom(ctx, "test", scanOf(chips(3)), 3, nil); err != nil {
				t.Fatal(err)
			}
			if e, err := s.Entity(ctx, graph.View{}, "chip-2"); err != nil || e.Name != "Chip 2" {
				t.Errorf("chip-2 after a later import = %v, %v", e, err)
			}
		})
	}
}

// cloneRecords copies the records deep enough for Import, which resolves
// references in place.
func cloneRecords(recs []graph.Record) []graph.Record {
	out := make([]graph.Record, len(recs))
	for i, r := range recs {
		switch {
		case r.Statement != nil:
			st := *r.Statement
			st.References = append([]graph.Reference(nil), st.References...)
			r.Statement = &st
		case r.Claim != nil:
			c := *r.Claim
			r.Claim = &c
		}
		out[i] = r
	}
	return out
}

func chips(n int) []graph.Record {
	var recs []graph.Record
	for i := range n {
		recs = append(recs, graph.Record{Type: graph.EntityRecord, Entity: &graph.Entity{Key: fmt.Sprintf("chip-%d", i), Kind: graph.Chip, Name: fmt.Sprintf("Chip %d", i)}})
	}
	return recs
}

// TestBulkImportCancelled: a cancelled bulk import writes nothing and
// leaves an empty, usable store.
func TestBulkImportCancelled(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir, true)
	recs := chips(30000)
	cctx, cancel := context.WithCancel(ctx)
	_, err := s.Import(cctx, "test", recs, func(done int) {
		if done < len(recs) {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("import with a cancelled context: err = %v, want context.Canceled", err)
	}
	if !s.Empty() {
		t.Error("store not empty after a cancelled bulk import")
	}
	if n := len(dump(t, s)); n > 2 {
		t.Errorf("%d keys after a cancelled bulk import, want the format (and clock) only", n)
	}
	if _, err := s.Import(ctx, "test", recs[:10], nil); err != nil {
		t.Fatal(err)
	}
	if e, err := s.Entity(ctx, graph.View{}, "chip-9"); err != nil || e.Name != "Chip 9" {
		t.Errorf("chip-9 after reimport = %v, %v", e, err)
	}
	s.Close()
}

// TestBulkImportInterrupted: a bulk import that dies while streaming
// (its marker file is still there) is rolled back by the next Open.
func TestBulkImportInterrupted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir, true)
	if _, err := s.Import(ctx, "test", chips(100), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, bulkMarker)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("marker file after a finished bulk import: %v", err)
	}
	// As a crash while streaming would leave it.
	if err := s.setBulkMarker(); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openTest(t, dir, true)
	defer s.Close()
	if !s.Empty() {
		t.Error("store not empty after reopening an interrupted bulk import")
	}
	if keys := dump(t, s); len(keys) != 1 {
		t.Errorf("keys after reopening an interrupted bulk import = %d, want 1 (format)", len(keys))
	}
	if _, err := os.Stat(filepath.Join(dir, bulkMarker)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("marker file after recovery: %v", err)
	}
	if _, err := s.Import(ctx, "test", chips(3), nil); err != nil {
		t.Fatal(err)
	}
	if e, err := s.Entity(ctx, graph.View{}, "chip-2"); err != nil || e.Name != "Chip 2" {
		t.Errorf("chip-2 after reimport = %v, %v", e, err)
	}
}

// TestBulkImportOnlyIntoEmpty: a store with records takes the chunked path.
func TestBulkImportOnlyIntoEmpty(t *testing.T) {
	s := openTest(t, "", true)
	defer s.Close()
	s.bulkMin = 3
	if got := s.bulkEligible(2); got {
		t.Error("bulkEligible(2) with bulkMin 3 = true")
	}
	s.bulkMin = 0
	for i, want := range []bool{true, false} {
		if got := s.bulkEligible(2); got != want {
			t.Errorf("import %d: bulkEligible = %v; want %v", i, got, want)
		}
		if _, err := s.Import(context.Background(), "test", chips(2), nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOverlaySortedAndScan(t *testing.T) {
	o := newTestOverlay()
	keys := []string{"\x20b", "\x20", "\x20a\xff", "\x1f\xff", "\x21", "\x20a", "\x00x"}
	for _, k := range keys {
		o.set([]byte(k), []byte("v"+k))
	}
	var got []string
	o.set([]byte("\x20"), []byte("v\x20")) // overwritten
	for _, j := range o.sorted() {
		k, v := string(o.bytes(o.ents[j].k)), string(o.bytes(o.ents[j].v))
		if v != "v"+k {
			t.Errorf("value of %q = %q", k, v)
		}
		got = append(got, k)
	}
	if !o.has([]byte("\x21")) || o.has([]byte("\x22")) || string(o.get([]byte("\x20a"))) != "v\x20a" || o.get([]byte("\x22")) != nil {
		t.Error("has or get wrong")
	}
	want := []string{"\x00x", "\x1f\xff", "\x20", "\x20a", "\x20a\xff", "\x20b", "\x21"}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("sorted = %q, want %q", got, want)
	}
	// Grouped (edges by subject and predicate) and ungrouped prefixes.
	e1, e2 := edgeKey(tagOut, 7, 3, 2), edgeKey(tagOut, 7, 3, 1)
	o.set(e1, []byte("a"))
	o.set(e2, []byte("b"))
	o.set(edgeKey(tagOut, 7, 4, 1), []byte("c"))
	for _, tc := range []struct {
		prefix []byte
		want   string
	}{
		{e1[:11], "ba"},
		{e1[:9], "bac"},
		{[]byte{tagIn}, "v!"},
	} {
		var vs string
		if err := o.scan(tc.prefix, func(_, v []byte) error { vs += string(v); return nil }); err != nil {
			t.Fatal(err)
		}
		if vs != tc.want {
			t.Errorf("scan(%x) = %q, want %q", tc.prefix, vs, tc.want)
		}
	}
}

// TestOverlaySortedIn sorts keys that share long prefixes, and keys that
// differ only by trailing zero bytes within the inline 24-byte prefix,
// in one run and in several merged runs.
func TestOverlaySortedIn(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{0x00, 0x01, 'a', 0xff}
	seen := map[string]bool{}
	var want []string
	o := newTestOverlay()
	for len(want) < 50_000 {
		k := []byte{byte(rng.IntN(3))}
		for range rng.IntN(24) {
			k = append(k, alphabet[rng.IntN(len(alphabet))])
		}
		o.set(k, nil)
		if !seen[string(k)] {
			seen[string(k)] = true
			want = append(want, string(k))
		}
	}
	slices.Sort(want)
	for _, runs := range []int{1, 2, 3, 4, 7, 12} {
		got := o.sortedIn(runs)
		if len(got) != len(want) {
			t.Fatalf("sortedIn(%d) = %d entries, want %d", runs, len(got), len(want))
		}
		for i, j := range got {
			if k := string(o.bytes(o.ents[j].k)); k != want[i] {
				t.Fatalf("sortedIn(%d)[%d] = %x, want %x", runs, i, k, want[i])
			}
		}
	}
}

// TestOverlayLatestWins: a key set again before its tag is read back
// has several entries (see overlay); get, has, scan and sortedIn see
// only the last value, whether the tag is indexed and grouped later or
// not at all.
func TestOverlayLatestWins(t *testing.T) {
	edge := func(stmt uint64) []byte { return edgeKey(tagOut, 7, 3, stmt) }
	tests := []struct {
		name string
		read func(o *overlay) // reads before the last sets, or nil
	}{
		{"never read", nil},
		{"get", func(o *overlay) { o.get(edge(1)) }},
		{"has", func(o *overlay) { o.has(edge(9)) }},
		{"group scan", func(o *overlay) { o.scan(edge(1)[:11], func(_, _ []byte) error { return nil }) }},
	}
	for _, tc := range tests {
		for _, bg := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/appender=%t", tc.name, bg), func(t *testing.T) {
				o := newTestOverlay()
				if bg {
					o.startAppender()
				}
				defer o.release()
				testLatestWins(t, o, edge, tc.read)
			})
		}
	}
}

// testLatestWins sets keys twice before read and once after, then
// checks what sortedIn, scan, get and has see.
func testLatestWins(t *testing.T, o *overlay, edge func(uint64) []byte, read func(*overlay)) {
	t.Helper()
	o.set(edge(1), []byte("a1"))
	o.set(edge(2), []byte("b1"))
	o.set(edge(1), []byte("a2"))
	o.set([]byte{tagLog, 1}, []byte("l1"))
	if read != nil {
		read(o)
	}
	o.set(edge(2), []byte("b2"))
	o.set(edge(1), []byte("a3"))
	o.set([]byte{tagLog, 1}, []byte("l2"))
	want := map[string]string{string(edge(1)): "a3", string(edge(2)): "b2", string([]byte{tagLog, 1}): "l2"}
	for _, runs := range []int{1, 3} {
		got := map[string]string{}
		for _, j := range o.sortedIn(runs) {
			k := string(o.bytes(o.ents[j].k))
			if _, dup := got[k]; dup {
				t.Errorf("sortedIn(%d): key %x twice", runs, k)
			}
			got[k] = string(o.bytes(o.ents[j].v))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("sortedIn(%d) = %q, want %q", runs, got, want)
		}
	}
	for _, prefix := range [][]byte{edge(1)[:11], {tagOut}} {
		var vs []string
		if err := o.scan(prefix, func(_, v []byte) error { vs = append(vs, string(v)); return nil }); err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(vs), "[a3 b2]"; got != want {
			t.Errorf("scan(%x) = %s, want %s", prefix, got, want)
		}
	}
	for k, v := range want {
		if got := string(o.get([]byte(k))); got != v {
			t.Errorf("get(%x) = %q, want %q", k, got, v)
		}
	}
	if o.has(edge(3)) {
		t.Errorf("has(%x) = true, want false", edge(3))
	}
}

func newTestOverlay() *overlay {
	return &overlay{slots: make([]uint64, 4), seed: maphash.MakeSeed(), maxCount: 1 << 40, maxSize: 1 << 40, threshold: 1 << 20}
}

// TestAppendKV: appendKV writes the bytes badger.KVToBuffer writes.
func TestAppendKV(t *testing.T) {
	long := bytes.Repeat([]byte("v"), 70_000) // a three-byte length
	tests := []struct {
		key, value []byte
		version    uint64
		stream     uint32
	}{
		{[]byte("\x01key"), []byte("value"), 1, 1},
		{[]byte("\x00meta"), nil, 1, 2},
		{[]byte("k"), long, 1 << 40, 300},
		{bytes.Repeat([]byte("k"), 200), []byte{0}, 0, 0},
	}
	for _, tt := range tests {
		got, want := z.NewBuffer(1<<10, "test"), z.NewBuffer(1<<10, "test")
		appendKV(got, tt.key, tt.value, tt.version, tt.stream)
		badger.KVToBuffer(&pb.KV{Key: tt.key, Value: tt.value, Version: tt.version, StreamId: tt.stream}, want)
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("appendKV(%.20q, %d-byte value, %d, %d) = %x, want %x", tt.key, len(tt.value), tt.version, tt.stream, got.Bytes()[:min(64, len(got.Bytes()))], want.Bytes()[:min(64, len(want.Bytes()))])
		}
		got.Release()
		want.Release()
	}
}

// TestBulkPrecheckMatchesChunked: in a bulk import the precheck finds
// claims and statements of earlier records in the overlay; it must pass
// and refuse what the chunked import's precheck does, with the same
// errors.
func TestBulkPrecheckMatchesChunked(t *testing.T) {
	ctx := context.Background()
	base, err := starter.Records()
	if err != nil {
		t.Fatal(err)
	}
	base = cloneRecords(base)
	var claim, stmt string
	for i := range base {
		if err := base[i].Validate(); err != nil {
			t.Fatal(err)
		}
		switch {
		case base[i].Claim != nil && claim == "":
			claim = base[i].Claim.Key
		case base[i].Statement != nil && stmt == "":
			stmt = base[i].Statement.Key
		}
	}
	if claim == "" || stmt == "" {
		t.Fatal("the starter records hold no claim or no statement")
	}
	var c0 graph.Claim
	for _, r := range base {
		if r.Claim != nil && r.Claim.Key == claim {
			c0 = *r.Claim
		}
	}
	linked := func(l string) string {
		c := c0
		c.Key = "claim-linked"
		b, err := json.Marshal(struct {
			Type string `json:"type"`
			graph.Claim
		}{"claim", c})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Replace(string(b), `"type":"claim",`, `"type":"claim","links":[`+l+`],`, 1)
	}
	tests := []struct {
		name, line string
		ok         bool
	}{
		{"entity key taken by a claim", `{"type":"entity","key":"` + claim + `","kind":"Chip","name":"X"}`, false},
		{"link to a statement", linked(`{"relation":"supports","statement":"` + stmt + `"}`), true},
		{"link to an unknown statement", linked(`{"relation":"supports","statement":"no-such-statement"}`), false},
		{"link to a claim", linked(`{"relation":"supports","claim":"` + claim + `"}`), true},
		{"link to an unknown claim", linked(`{"relation":"supports","claim":"no-such-claim"}`), false},
		{"retract a claim", `{"type":"retract","claim":"` + claim + `","reason":"test"}`, true},
		{"retract an unknown claim", `{"type":"retract","claim":"no-such-claim","reason":"test"}`, false},
		{"retract a statement", `{"type":"retract","statement":"` + stmt + `","reason":"test"}`, true},
		{"retract an unknown statement", `{"type":"retract","statement":"no-such-statement","reason":"test"}`, false},
		{"rank a statement", `{"type":"rank","statement":"` + stmt + `","rank":"preferred","reason":"test"}`, true},
		{"rank an unknown statement", `{"type":"rank","statement":"no-such-statement","rank":"preferred","reason":"test"}`, false},
		// Entity kinds, which the bulk precheck reads from the writer.
		{"entity again", `{"type":"entity","key":"amazon","kind":"Company","name":"Amazon","description":"Changed."}`, true},
		{"entity kind change", `{"type":"entity","key":"amazon","kind":"Chip","name":"Amazon"}`, false},
		{"statement about a new entity", `{"type":"entity","key":"aws-2","kind":"Company","name":"AWS 2"}` + "\n" +
			`{"type":"statement","subject":"aws-2","predicate":"divisionOf","object":{"entity":"amazon"},"references":[{"source":"seed-article"}]}`, true},
		{"statement about an unknown entity", `{"type":"statement","subject":"no-such-entity","predicate":"divisionOf","object":{"entity":"amazon"},"references":[{"source":"seed-article"}]}`, false},
		{"statement to an unknown entity", `{"type":"statement","subject":"aws","predicate":"divisionOf","object":{"entity":"no-such-entity"},"references":[{"source":"seed-article"}]}`, false},
		{"statement subject of the wrong kind", `{"type":"statement","subject":"trainium4","predicate":"divisionOf","object":{"entity":"amazon"},"references":[{"source":"seed-article"}]}`, false},
		{"claim key taken by an entity", strings.Replace(linked(`{"relation":"supports","claim":"`+claim+`"}`), `"key":"claim-linked"`, `"key":"amazon"`, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := append(cloneRecords(base), decodeNDJSON(t, []byte(tt.line+"\n"))...)
			var errs [2]string
			for i, bulk := range []bool{true, false} {
				s := openTest(t, "", bulk)
				defer s.Close()
				_, err := s.ImportFrom(ctx, "test", scanOf(cloneRecords(recs)), 0, nil)
				if err != nil {
					errs[i] = err.Error()
				}
				if (err == nil) != tt.ok {
					t.Errorf("bulk=%v: import error = %v, want ok=%v", bulk, err, tt.ok)
				}
				if !tt.ok && !s.Empty() {
					t.Errorf("bulk=%v: store not empty after a failed import", bulk)
				}
			}
			if errs[0] != errs[1] {
				t.Errorf("bulk import error %q, chunked import error %q", errs[0], errs[1])
			}
		})
	}
}

// TestSlabReuse: a bulk import's slab uses a full block again once the
// overlay holds copies of what was set from it, and not before: every
// value reads back as it was set, and the slab makes far fewer blocks
// than it fills.
func TestSlabReuse(t *testing.T) {
	tests := []struct {
		name     string
		appender bool // the overlay copies unindexed keys on its appender
		tag      byte // of the keys set
	}{
		{"appender", true, tagLog},
		{"indexed", true, tagKey}, // copied as they are set
		{"no appender", false, tagLog},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, _ := testOverlay(t, 1)
			if !tt.appender {
				o.bg.stop()
				o.bg = nil
			}
			if tt.tag == tagKey {
				o.has([]byte{tagKey}) // the tag's keys are indexed from here on
			}
			const records, perRecord, vlen = 100_000, 4, 100
			key := func(r, i int) []byte {
				return append(binary.BigEndian.AppendUint64([]byte{tt.tag}, uint64(r)), byte(i))
			}
			value := func(dst []byte, r, i int) []byte {
				for j := range vlen {
					dst = append(dst, byte(r*7+i*13+j))
				}
				return dst
			}
			s := &slab{mem: o}
			blocks := map[*byte]bool{}
			for r := range records {
				for i := range perRecord {
					k := append(s.get(10), key(r, i)...)
					v := value(s.get(vlen), r, i)
					blocks[unsafe.SliceData(s.b)] = true
					o.set(k, v)
				}
				s.endRecord()
			}
			filled := records * perRecord * (10 + vlen) / slabBlock
			if got := len(blocks); got > filled/3 {
				t.Errorf("the slab made %d blocks to fill %d, want at most %d", got, filled, filled/3)
			}
			for r := range records {
				for i := range perRecord {
					if got, want := o.get(key(r, i)), value(nil, r, i); !bytes.Equal(got, want) {
						t.Fatalf("value of record %d key %d: got %x, want %x", r, i, got, want)
					}
				}
			}
		})
	}
}
