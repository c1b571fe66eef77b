package store

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/bench/gen"
	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	badger "github.com/dgraph-io/badger/v4"
)

func TestCommonPrefix(t *testing.T) {
	for _, tc := range []struct {
		a, b []byte
		want int
	}{
		{nil, nil, 0},
		{[]byte{1, 2}, nil, 0},
		{[]byte{1, 2, 3}, []byte{1, 2, 3}, 3},
		{[]byte{1, 2, 3}, []byte{1, 2}, 2},
		{headKey(tagStatement, 0x1ff), headKey(tagStatement, 0x200), 8},
		{headKey(tagStatement, 7), headKey(tagStatement, 9), 9},
		{headKey(tagStatement, 7), headKey(tagClaim, 7), 1},
	} {
		if got := commonPrefix(tc.a, tc.b); got != tc.want {
			t.Errorf("commonPrefix(%x, %x) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestHeadSeeker seeks head keys among statement heads 10-29 and 40-41
// (and a claim head 30 and an entity version key that share the
// iterator's range): near seeks step with Next, far ones seek.
func TestHeadSeeker(t *testing.T) {
	s, err := Open("", &Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	present := []uint64{40, 41}
	for id := uint64(10); id < 30; id++ {
		present = append(present, id)
	}
	err = s.db.Update(func(txn *badger.Txn) error {
		for _, id := range present {
			if err := txn.Set(headKey(tagStatement, id), []byte{byte(id)}); err != nil {
				return err
			}
		}
		if err := txn.Set(headKey(tagClaim, 30), []byte{30}); err != nil {
			return err
		}
		return txn.Set(versionKey(tagEntity, 35, 1), []byte{35})
	})
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		id   uint64
		near bool
		want bool
	}
	for _, tc := range []struct {
		name  string
		lo    uint64 // the iterator's prefix is what headKey(lo) and headKey(50) share
		steps []step
	}{
		{"each", 10, []step{{10, false, true}, {11, true, true}, {12, true, true}, {12, true, true}, {29, true, true}}},
		{"gaps", 5, []step{{5, false, false}, {9, true, false}, {10, true, true}, {30, true, false}, {31, true, false}, {40, true, true}, {41, true, true}}},
		{"far", 10, []step{{10, false, true}, {28, true, true}, {29, true, true}}},
		{"past the end", 40, []step{{41, false, true}, {42, true, false}, {49, true, false}}},
		{"seek back", 10, []step{{29, false, true}, {11, false, true}, {12, true, true}}},
		{"none", 42, []step{{42, false, false}, {43, true, false}, {50, false, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.db.View(func(txn *badger.Txn) error {
				lo, hi := headKey(tagStatement, tc.lo), headKey(tagStatement, 50)
				p := lo[:commonPrefix(lo, hi)]
				it := txn.NewIterator(badger.IteratorOptions{Prefix: p})
				defer it.Close()
				h := headSeeker{it: it, prefix: p}
				for _, st := range tc.steps {
					if got := h.seek(headKey(tagStatement, st.id), st.near); got != st.want {
						t.Errorf("seek(%d, near %v) = %v, want %v", st.id, st.near, got, st.want)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// versionsHistory is a chip with ten statements, others' statements
// between them, and three later changes to them: after asOf1 two change
// rank, one is retracted and one is added; after asOf2 another is
// retracted.
var versionsHistory = []string{
	`{"type":"source","key":"ds","title":"Datasheet","kind":"datasheet"}
{"type":"entity","key":"acme","kind":"Company","name":"Acme"}
{"type":"entity","key":"x1","kind":"Chip","name":"X1"}
{"type":"entity","key":"x2","kind":"Chip","name":"X2"}
` + statementLines("x1", 100, 104) + statementLines("x2", 100, 102) + statementLines("x1", 105, 109) + `
{"type":"statement","subject":"x1","predicate":"designedBy","object":{"entity":"acme"},"references":[{"source":"ds"}]}`,
	statementLine("x1", 101, "preferred") + "\n" + statementLine("x1", 107, "deprecated") + `
{"type":"statement","subject":"x1","predicate":"tdp","object":{"amount":200,"unit":"W"},"references":[{"source":"ds"}]}`,
	"retract x1 103",
	"retract x1 108",
}

func statementLine(subject string, watts int, rank string) string {
	r := ""
	if rank != "" {
		r = `,"rank":"` + rank + `"`
	}
	return fmt.Sprintf(`{"type":"statement","subject":%q,"predicate":"tdp","object":{"amount":%d,"unit":"W"}%s,"references":[{"source":"ds"}]}`, subject, watts, r)
}

func statementLines(subject string, from, to int) string {
	var b strings.Builder
	for w := from; w <= to; w++ {
		b.WriteString(statementLine(subject, w, "") + "\n")
	}
	return b.String()
}

// writeHistory writes versionsHistory into s, the first step with Import
// (in bulk when s allows it), and returns the recorded time after each step.
func writeHistory(t *testing.T, s *Store) []time.Time {
	t.Helper()
	ctx := context.Background()
	var at []time.Time
	for i, step := range versionsHistory {
		var recs []graph.Record
		if subject, watts, ok := strings.Cut(strings.TrimPrefix(step, "retract "), " "); ok && strings.HasPrefix(step, "retract ") {
			p, err := s.EntityStatements(ctx, graph.View{}, subject, graph.EdgeQuery{Predicate: "tdp"})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range p.Items {
				if strconv.FormatFloat(st.Object.Amount, 'f', -1, 64) == watts {
					recs = append(recs, graph.Record{Type: graph.RetractRecord, Retract: &graph.Retract{Statement: st.Key, Reason: "test"}})
				}
			}
			if len(recs) != 1 {
				t.Fatalf("step %d: %d statements of %s at %s W", i, len(recs), subject, watts)
			}
		} else {
			var err error
			if recs, err = graph.ReadRecords(strings.NewReader(step), "history.ndjson"); err != nil {
				t.Fatal(err)
			}
		}
		var err error
		if i == 0 {
			_, err = s.Import(ctx, "test", recs, nil)
		} else {
			_, err = s.Apply(ctx, "test", recs)
		}
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		at = append(at, s.LastChange())
	}
	return at
}

// TestVersionsRaw reads every statement of versionsHistory, in a shuffled
// order with a repeat and IDs that name no statement, with versionsRaw at
// several views, and checks each against loadVersion (which reads Badger
// directly, no cache): with and without the byte cache, with the heads
// all missing from it (cold), all in it (warm) or every third (partial),
// with runs read through the iterator or with a Get each, and with the
// records in Badger's memtable or, imported in bulk, in its bottom level.
func TestVersionsRaw(t *testing.T) {
	for _, store := range []struct {
		name string
		bulk bool
	}{{"memtable", false}, {"bulk", true}} {
		for _, cache := range []struct {
			name  string
			bytes int
		}{{"nocache", -1}, {"cache", 0}} {
			t.Run(store.name+"/"+cache.name, func(t *testing.T) {
				testVersionsRaw(t, store.bulk, cache.bytes)
			})
		}
	}
}

func testVersionsRaw(t *testing.T, bulk bool, cacheBytes int) {
	opts := &Options{InMemory: !bulk, NoSync: true, CacheBytes: cacheBytes}
	dir := ""
	if bulk {
		dir = t.TempDir()
	}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	if bulk {
		s.bulkMin = 0
	}
	at := writeHistory(t, s)

	ids := headIDs(t, s, tagStatement)
	if len(ids) != 15 {
		t.Fatalf("%d statement heads, want 15", len(ids))
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	// A repeat, an entity's ID and an unused one.
	n := len(ids)
	var entity keyEntry
	if err := s.read(context.Background(), graph.View{}, func(r *reader) (err error) {
		entity, _, err = r.lookup(rEntity, "x1")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ids = append(ids, ids[3], entity.id, 1<<40)

	changed, added := 0, 0
	views := []struct {
		name string
		v    graph.View
	}{
		{"current", graph.View{}},
		{"asOf1", graph.View{AsOf: at[0]}},
		{"asOf2", graph.View{AsOf: at[1]}},
		{"asOf3", graph.View{AsOf: at[2]}},
		{"before", graph.View{AsOf: at[0].Add(-time.Hour)}},
		{"validAt", graph.View{AsOf: at[1], ValidAt: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, run := range []struct {
		name string
		min  int
	}{{"iter", 1}, {"default", minIterRun}, {"get", 1 << 30}} {
		for _, view := range views {
			for _, state := range []string{"cold", "warm", "partial"} {
				t.Run(run.name+"/"+view.name+"/"+state, func(t *testing.T) {
					defer func(n int) { minIterRun = n }(minIterRun)
					minIterRun = run.min
					switch state {
					case "cold":
						s.gen.Add(1) // as a published write does: no cached head is current
					case "partial":
						s.gen.Add(1)
						err := s.read(context.Background(), view.v, func(r *reader) error {
							for i := 0; i < len(ids); i += 3 {
								if _, err := r.versionRaw(tagStatement, ids[i], func() any { return new(graph.Statement) }); err != nil {
									return err
								}
							}
							return nil
						})
						if err != nil {
							t.Fatal(err)
						}
					}
					var got, want []*graph.Statement
					err := s.read(context.Background(), view.v, func(r *reader) (err error) {
						if got, err = r.statementsByID(ids); err != nil {
							return err
						}
						for _, id := range ids {
							st := new(graph.Statement)
							ok, err := loadVersion(r.tx(), r.sn, tagStatement, id, st)
							if err != nil {
								return err
							}
							if !ok {
								st = nil
							} else {
								st.ID = id
							}
							want = append(want, st)
						}
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
					for i, id := range ids {
						if !reflect.DeepEqual(got[i], want[i]) {
							t.Errorf("statement %d (ids[%d]) = %+v, want %+v", id, i, got[i], want[i])
						}
					}
					if view.name == "asOf1" && state == "cold" && run.name == "iter" {
						// The history does what it says: at asOf1 some
						// statements are older versions, one is not yet.
						var now []*graph.Statement
						if err := s.read(context.Background(), graph.View{}, func(r *reader) (err error) {
							now, err = r.statementsByID(ids)
							return err
						}); err != nil {
							t.Fatal(err)
						}
						for i := range n {
							switch {
							case got[i] == nil && now[i] != nil:
								added++
							case got[i] != nil && !reflect.DeepEqual(got[i], now[i]):
								changed++
							}
						}
					}
				})
			}
		}
	}
	if changed != 4 || added != 1 {
		t.Errorf("at asOf1, %d statements differ from now and %d are missing, want 4 and 1", changed, added)
	}
}

// openHeadsBench returns a store of the generated dataset, imported in
// bulk (every key in Badger's bottom level, as at scale 1), with a byte
// cache of cacheBytes (Options.CacheBytes); its chips' keys; the IDs of
// each chip's first 50 outgoing statements; and all of those IDs. The
// scale is 0.05 unless CHIPGRAPH_BENCH_SCALE says otherwise (as in
// bench/inproc).
func openHeadsBench(b *testing.B, cacheBytes int) (s *Store, chips []string, pages [][]uint64, all []uint64) {
	b.Helper()
	var buf bytes.Buffer
	scale := 0.05
	if e := os.Getenv("CHIPGRAPH_BENCH_SCALE"); e != "" {
		f, err := strconv.ParseFloat(e, 64)
		if err != nil || !(f > 0) {
			b.Fatalf("CHIPGRAPH_BENCH_SCALE=%q is not a positive number", e)
		}
		scale = f
	}
	if _, err := gen.Generate(context.Background(), &buf, gen.Config{Scale: scale, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	recs, err := graph.ReadRecords(&buf, "gen.ndjson")
	if err != nil {
		b.Fatal(err)
	}
	s, err = Open(b.TempDir(), &Options{NoSync: true, CacheBytes: cacheBytes})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if _, err := s.Import(context.Background(), "bench", recs, nil); err != nil {
		b.Fatal(err)
	}
	for _, r := range recs {
		if r.Type != graph.EntityRecord || r.Entity.Kind != graph.Chip {
			continue
		}
		p, err := s.EntityStatements(context.Background(), graph.View{}, r.Entity.Key, graph.EdgeQuery{First: 50})
		if err != nil {
			b.Fatal(err)
		}
		ids := make([]uint64, len(p.Items))
		for i, st := range p.Items {
			ids[i] = st.ID
		}
		pages, all = append(pages, ids), append(all, ids...)
		chips = append(chips, r.Entity.Key)
	}
	return s, chips, pages, all
}

// BenchmarkEntityStatementsPage reads the first page of 50 outgoing
// statements (Q6's) of each chip in turn, now and as of after the import:
// with no byte cache, every head from Badger; with the default cache,
// which at scale 0.05 holds every statement after the first round and at
// scale 1 (CHIPGRAPH_BENCH_SCALE=1) misses as the server does under Q6.
func BenchmarkEntityStatementsPage(b *testing.B) {
	for _, cache := range []struct {
		name  string
		bytes int
	}{{"nocache", -1}, {"cache", 0}} {
		b.Run(cache.name, func(b *testing.B) {
			s, chips, _, _ := openHeadsBench(b, cache.bytes)
			asOf := graph.View{AsOf: s.LastChange()}
			for _, v := range []struct {
				name string
				view graph.View
			}{{"current", graph.View{}}, {"asOf", asOf}} {
				b.Run(v.name, func(b *testing.B) {
					b.ReportAllocs()
					i, n := 0, 0
					for b.Loop() {
						p, err := s.EntityStatements(context.Background(), v.view, chips[i%len(chips)], graph.EdgeQuery{First: 50})
						if err != nil {
							b.Fatal(err)
						}
						i, n = i+1, n+len(p.Items)
					}
					b.ReportMetric(float64(n)/float64(i), "statements/op")
				})
			}
		})
	}
}

// BenchmarkVersionsRaw reads statement heads with no byte cache, a Get
// each (get) or with versionsRaw (batch): a chip's first page of outgoing
// statements (clustered IDs, page), the n lowest IDs of such a page (run),
// and n statements drawn at random from every chip's (scattered).
func BenchmarkVersionsRaw(b *testing.B) {
	s, _, pages, all := openHeadsBench(b, -1)
	newSt := func() any { return new(graph.Statement) }
	modes := []struct {
		name string
		read func(r *reader, ids []uint64) error
	}{
		{"get", func(r *reader, ids []uint64) error {
			for _, id := range ids {
				if _, err := r.versionRaw(tagStatement, id, newSt); err != nil {
					return err
				}
			}
			return nil
		}},
		{"batch", func(r *reader, ids []uint64) error {
			return r.versionsRaw(tagStatement, ids, newSt, func(int, any) {})
		}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	scattered := func(n int) [][]uint64 {
		out := make([][]uint64, 256)
		for i := range out {
			for range n {
				out[i] = append(out[i], all[rng.IntN(len(all))])
			}
		}
		return out
	}
	cases := []struct {
		name string
		sets [][]uint64
	}{{"page", pages}}
	for _, n := range []int{2, 3, 4, 6, 8} {
		var runs [][]uint64
		for _, p := range pages {
			if len(p) >= n {
				q := slices.Clone(p)
				slices.Sort(q)
				runs = append(runs, q[:n])
			}
		}
		cases = append(cases, struct {
			name string
			sets [][]uint64
		}{"run" + strconv.Itoa(n), runs})
	}
	for _, n := range []int{2, 4, 8, 25} {
		cases = append(cases, struct {
			name string
			sets [][]uint64
		}{"scattered" + strconv.Itoa(n), scattered(n)})
	}
	for _, c := range cases {
		for _, m := range modes {
			b.Run(c.name+"/"+m.name, func(b *testing.B) {
				b.ReportAllocs()
				i, n := 0, 0
				for b.Loop() {
					ids := c.sets[i%len(c.sets)]
					if err := s.read(context.Background(), graph.View{}, func(r *reader) error { return m.read(r, ids) }); err != nil {
						b.Fatal(err)
					}
					i, n = i+1, n+len(ids)
				}
				b.ReportMetric(float64(n)/float64(i), "heads/op")
			})
		}
	}
}

// TestEntityStatementsHistory lists x1's statements of versionsHistory
// now and as of each step, twice (the second time from the byte cache),
// with and without the byte cache: ranks changed and statements retracted
// or added after the instant read are as they were then.
func TestEntityStatementsHistory(t *testing.T) {
	for _, cacheBytes := range []int{-1, 0} {
		s, err := Open("", &Options{InMemory: true, CacheBytes: cacheBytes})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		at := writeHistory(t, s)
		for _, tc := range []struct {
			view graph.View
			want string // the tdp statements, amount:rank, in statement order
		}{
			{graph.View{AsOf: at[0]}, "100:normal 101:normal 102:normal 103:normal 104:normal 105:normal 106:normal 107:normal 108:normal 109:normal"},
			{graph.View{AsOf: at[1]}, "100:normal 101:preferred 102:normal 103:normal 104:normal 105:normal 106:normal 107:deprecated 108:normal 109:normal 200:normal"},
			{graph.View{AsOf: at[2]}, "100:normal 101:preferred 102:normal 104:normal 105:normal 106:normal 107:deprecated 108:normal 109:normal 200:normal"},
			{graph.View{}, "100:normal 101:preferred 102:normal 104:normal 105:normal 106:normal 107:deprecated 109:normal 200:normal"},
		} {
			for _, read := range []string{"first", "second"} {
				p, err := s.EntityStatements(context.Background(), tc.view, "x1", graph.EdgeQuery{Predicate: "tdp"})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, st := range p.Items {
					if st.Retracted != nil {
						t.Errorf("cache %d, asOf %v, %s read: statement %s is retracted", cacheBytes, tc.view.AsOf, read, st.Key)
					}
					got = append(got, fmt.Sprintf("%g:%s", st.Object.Amount, st.Rank))
				}
				if g := strings.Join(got, " "); g != tc.want || p.Total != len(got) {
					t.Errorf("cache %d, asOf %v, %s read: statements %q (total %d), want %q", cacheBytes, tc.view.AsOf, read, g, p.Total, tc.want)
				}
			}
		}
	}
}

func TestCursors(t *testing.T) {
	for _, tc := range []struct {
		keys [][]byte
		want []string
	}{
		{nil, []string{}},
		{[][]byte{{}}, []string{""}},
		{[][]byte{{0x00, 0xff}, {}, {0x20, 0x01, 0xab}}, []string{"00ff", "", "2001ab"}},
		{[][]byte{edgeKey(tagOut, 7, 3, 1<<40)}, []string{"2000000000000000070003000001" + "0000000000"}},
	} {
		if got := cursors(tc.keys); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("cursors(%x) = %q, want %q", tc.keys, got, tc.want)
		}
	}
}

// TestStatementsByIDBadCache reads, as of before they changed, statements
// whose older versions the byte cache holds as bytes that do not decode:
// they are read from Badger instead, one more record than statementsByID
// allocated for.
func TestStatementsByIDBadCache(t *testing.T) {
	s, err := Open("", &Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := writeHistory(t, s)
	asOf1 := graph.View{AsOf: at[0]}
	var ids []uint64 // the statements with older versions
	err = s.db.View(func(txn *badger.Txn) error {
		p := []byte{tagStatement}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
		defer it.Close()
		for it.Seek(p); it.ValidForPrefix(p); it.Next() {
			_, id, _, err := parseVersionKey(it.Item().Key())
			if err != nil {
				return err
			}
			s.raw.put(it.Item().KeyCopy(nil), []byte{0xff, 0xff})
			if len(ids) == 0 || ids[len(ids)-1] != id {
				ids = append(ids, id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 4 {
		t.Fatalf("%d statements with older versions, want 4", len(ids))
	}
	for _, n := range []int{1, len(ids)} {
		var got []*graph.Statement
		var want []*graph.Statement
		err := s.read(context.Background(), asOf1, func(r *reader) (err error) {
			if got, err = r.statementsByID(ids[:n]); err != nil {
				return err
			}
			for _, id := range ids[:n] {
				st := &graph.Statement{ID: id}
				if ok, err := loadVersion(r.tx(), r.sn, tagStatement, id, st); err != nil || !ok {
					return fmt.Errorf("loadVersion(%d) = %v, %v", id, ok, err)
				}
				st.ID = id
				want = append(want, st)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("statementsByID(%v) as of asOf1 = %+v, want %+v", ids[:n], got, want)
		}
	}
}

// TestClaimsByID reads every claim of the starter data, some of them
// retracted later, with claimsByID and with claimByID one at a time, now
// and as of before the retraction, with the byte cache on and off.
func TestClaimsByID(t *testing.T) {
	for _, cacheBytes := range []int{-1, 0} {
		t.Run(fmt.Sprint("cache", cacheBytes), func(t *testing.T) {
			ctx := context.Background()
			s, err := Open("", &Options{InMemory: true, CacheBytes: cacheBytes})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			s.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
			recs, err := starter.Records()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Import(ctx, "starter", recs, nil); err != nil {
				t.Fatal(err)
			}
			imported := clock
			up, err := graph.ReadRecords(strings.NewReader(`{"type":"retract","source":"seed-article","reason":"test"}`+"\n"), "up.ndjson")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Apply(ctx, "editor", up); err != nil {
				t.Fatal(err)
			}
			ids := headIDs(t, s, tagClaim)
			if len(ids) < 3 {
				t.Fatalf("%d claim heads, want some", len(ids))
			}
			ids = append(ids, ids[0], 1<<40) // a repeat and an unused ID
			for _, v := range []graph.View{{}, {AsOf: imported}, {AsOf: imported.Add(-time.Hour)}} {
				for round := range 2 { // the second round reads what the first cached
					err := s.read(ctx, v, func(r *reader) error {
						got, err := r.claimsByID(ids)
						if err != nil {
							return err
						}
						for i, id := range ids {
							want, err := r.claimByID(id)
							if err != nil {
								return err
							}
							if !reflect.DeepEqual(got[i], want) {
								t.Errorf("view %v round %d: claim %d = %+v, want %+v", v, round, id, got[i], want)
							}
						}
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

// headIDs returns the IDs of the records of family tag that have a head,
// in key order.
func headIDs(t *testing.T, s *Store, tag byte) []uint64 {
	t.Helper()
	var ids []uint64
	err := s.db.View(func(txn *badger.Txn) error {
		p := []byte{tagHead, tag}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: p})
		defer it.Close()
		for it.Seek(p); it.ValidForPrefix(p); it.Next() {
			_, id, err := parseHeadKey(it.Item().Key())
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
