package store_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/store"
)

const article = `Jassy noted that current Trainium capacity has sold out almost instantly. Nvidia has grown to rival Apple as the foundry’s largest customer.`

// MustOpen opens an in-memory store with a deterministic clock.
func MustOpen(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	s.Now = fakeClock()
	return s
}

func fakeClock() func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func mustRecords(tb testing.TB, ndjson string) []graph.Record {
	tb.Helper()
	recs, err := graph.ReadRecords(strings.NewReader(ndjson), "test.ndjson")
	if err != nil {
		tb.Fatal(err)
	}
	return recs
}

var base = `{"type":"source","key":"art","title":"An article","kind":"news_article","text":` + jsonString(article) + `}
{"type":"source","key":"ds","url":"https://example.com/ds","title":"Datasheet","kind":"datasheet"}
{"type":"entity","key":"aws","kind":"Company","name":"Amazon Web Services","aliases":["AWS"]}
{"type":"entity","key":"tsmc","kind":"Foundry","name":"TSMC"}
{"type":"entity","key":"nvidia","kind":"Company","name":"Nvidia","aliases":["NVIDIA"]}
{"type":"entity","key":"apple","kind":"Company","name":"Apple"}
{"type":"entity","key":"andy-jassy","kind":"Person","name":"Andy Jassy"}
{"type":"entity","key":"trainium3","kind":"Chip","name":"Trainium3","aliases":["Trn3"]}
{"type":"statement","subject":"trainium3","predicate":"designedBy","object":{"entity":"aws"},"references":[{"source":"ds"}]}
{"type":"statement","subject":"trainium3","predicate":"manufacturedBy","object":{"entity":"tsmc"},"references":[{"source":"ds"}]}
{"type":"statement","subject":"trainium3","predicate":"tdp","object":{"amount":700,"unit":"W"},"references":[{"source":"ds"}]}
{"type":"statement","subject":"nvidia","predicate":"customerOf","object":{"entity":"tsmc"},"references":[{"source":"art","quote":"Nvidia has grown to rival Apple as the foundry's largest customer"}]}
{"type":"claim","key":"jassy-sold-out","claimant":"andy-jassy","modality":"asserted","text":"Trainium capacity sold out","reference":{"source":"art","quote":"current Trainium capacity has sold out almost instantly"},"about":["trainium3"]}
`

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func TestApplyAndRead(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	res, err := s.Apply(ctx, "test", mustRecords(t, base))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Written, 13; got != want {
		t.Errorf("Written = %d, want %d", got, want)
	}
	// Applying the same records again changes nothing.
	res, err = s.Apply(ctx, "test", mustRecords(t, base))
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 0 || res.Unchanged != 13 {
		t.Errorf("re-apply Written=%d Unchanged=%d, want 0 and 13", res.Written, res.Unchanged)
	}

	e, err := s.Entity(ctx, graph.View{}, "trainium3")
	if err != nil || e.Name != "Trainium3" || e.Kind != graph.Chip {
		t.Fatalf("Entity(trainium3) = %+v, %v", e, err)
	}
	if _, err := s.Entity(ctx, graph.View{}, "nope"); graph.ErrorCode(err) != graph.ENOTFOUND {
		t.Errorf("Entity(nope) error code = %q, want NOT_FOUND", graph.ErrorCode(err))
	}
	found, err := s.FindEntities(ctx, graph.View{}, "aws", false, "", 10)
	if err != nil || len(found) != 1 || found[0].Key != "aws" {
		t.Errorf("FindEntities(aws) = %v, %v", found, err)
	}
	found, _ = s.FindEntities(ctx, graph.View{}, "TRN", true, graph.Chip, 10)
	if len(found) != 1 || found[0].Key != "trainium3" {
		t.Errorf("FindEntities(TRN prefix) = %v", found)
	}
	page, err := s.EntityStatements(ctx, graph.View{}, "trainium3", graph.EdgeQuery{Predicate: "manufacturedBy"})
	if err != nil || page.Total != 1 || page.Items[0].Object.Entity != "tsmc" {
		t.Fatalf("manufacturedBy = %+v, %v", page, err)
	}
	in, _ := s.EntityStatements(ctx, graph.View{}, "tsmc", graph.EdgeQuery{Direction: graph.Incoming})
	if got, want := in.Total, 2; got != want {
		t.Errorf("tsmc incoming total = %d, want %d", got, want)
	}
	// Quote verification: located in the source text with typographic quotes folded.
	st := in.Items[len(in.Items)-1]
	if st.Predicate != "customerOf" || !st.References[0].Verified || st.References[0].Locator.End == 0 {
		t.Errorf("customerOf reference = %+v, want verified with offsets", st.References[0])
	}
	claims, err := s.ListClaims(ctx, graph.View{}, graph.ClaimQuery{Claimant: "andy-jassy"})
	if err != nil || claims.Total != 1 || claims.Items[0].Key != "jassy-sold-out" {
		t.Errorf("claims by andy-jassy = %+v, %v", claims, err)
	}
	about, _ := s.ListClaims(ctx, graph.View{}, graph.ClaimQuery{About: "trainium3"})
	if about.Total != 1 {
		t.Errorf("claims about trainium3 total = %d, want 1", about.Total)
	}
	bysrc, err := s.SourceStatements(ctx, graph.View{}, "ds", "", 10)
	if err != nil || bysrc.Total != 3 {
		t.Errorf("statements of ds = %d, %v; want 3", bysrc.Total, err)
	}
	if src, err := s.SourceByURL(ctx, graph.View{}, "https://example.com/ds"); err != nil || src.Key != "ds" {
		t.Errorf("SourceByURL = %v, %v", src, err)
	}
}

func TestPagination(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	if _, err := s.Apply(ctx, "test", mustRecords(t, base)); err != nil {
		t.Fatal(err)
	}
	var keys []string
	after := ""
	for {
		p, err := s.ListEntities(ctx, graph.View{}, "", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 6 {
			t.Fatalf("Total = %d, want 6", p.Total)
		}
		for _, e := range p.Items {
			keys = append(keys, e.Key)
		}
		if !p.HasNext {
			break
		}
		after = p.Cursors[len(p.Cursors)-1]
	}
	if got := strings.Join(keys, ","); len(keys) != 6 {
		t.Errorf("paged keys = %s, want 6 distinct", got)
	}
	if _, err := s.ListEntities(ctx, graph.View{}, "", "zz", 2); graph.ErrorCode(err) != graph.EINVALID {
		t.Errorf("bad cursor error = %v, want BAD_USER_INPUT", err)
	}
}

var refusals = []struct {
	name, line, reason, field string
}{
	{"no reference", `{"type":"statement","subject":"trainium3","predicate":"tdp","object":{"amount":1,"unit":"W"},"references":[]}`, graph.RMissingReference, "references"},
	{"unknown predicate", `{"type":"statement","subject":"trainium3","predicate":"fabbedBy","object":{"entity":"tsmc"},"references":[{"source":"ds"}]}`, graph.RUnknownPredicate, "predicate"},
	{"kind mismatch", `{"type":"statement","subject":"tsmc","predicate":"designedBy","object":{"entity":"aws"},"references":[{"source":"ds"}]}`, graph.RKindMismatch, "subject"},
	{"object kind mismatch", `{"type":"statement","subject":"trainium3","predicate":"manufacturedBy","object":{"entity":"andy-jassy"},"references":[{"source":"ds"}]}`, graph.RKindMismatch, "object.entity"},
	{"bad date", `{"type":"statement","subject":"trainium3","predicate":"releaseDate","object":{"date":"2025-13-45"},"references":[{"source":"ds"}]}`, graph.RBadDate, "object.date"},
	{"bad url", `{"type":"source","key":"x","url":"not a url","kind":"datasheet"}`, graph.RBadURL, "url"},
	{"wrong unit", `{"type":"statement","subject":"trainium3","predicate":"tdp","object":{"amount":1,"unit":"GB"},"references":[{"source":"ds"}]}`, graph.RBadUnit, "object.unit"},
	{"quote not in text", `{"type":"statement","subject":"nvidia","predicate":"customerOf","object":{"entity":"tsmc"},"references":[{"source":"art","quote":"Nvidia is TSMC's only customer"}]}`, graph.RQuoteNotFound, "references[0].quote"},
	{"unknown source", `{"type":"statement","subject":"trainium3","predicate":"tdp","object":{"amount":1,"unit":"W"},"references":[{"source":"nowhere"}]}`, graph.RUnknownSource, "references[0].source"},
}

func TestRefusedWritesChangeNothing(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	if _, err := s.Apply(ctx, "test", mustRecords(t, base)); err != nil {
		t.Fatal(err)
	}
	var before bytes.Buffer
	if _, err := s.Export(ctx, &before); err != nil {
		t.Fatal(err)
	}
	good := `{"type":"entity","key":"new-chip","kind":"Chip","name":"New"}`
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			for _, write := range []string{"apply", "import"} {
				recs, err := graph.ReadRecords(strings.NewReader(good+"\n"+tt.line+"\n"), "bad.ndjson")
				if err == nil {
					if write == "apply" {
						_, err = s.Apply(ctx, "test", recs)
					} else {
						_, err = s.Import(ctx, "test", recs, nil)
					}
				}
				var ge *graph.Error
				if !errors.As(err, &ge) {
					t.Fatalf("%s: err = %v, want a *graph.Error", write, err)
				}
				if ge.Reason != tt.reason || ge.Field != tt.field {
					t.Errorf("%s: reason, field = %s, %s; want %s, %s (%v)", write, ge.Reason, ge.Field, tt.reason, tt.field, err)
				}
				if !strings.Contains(err.Error(), ":2:") {
					t.Errorf("%s: error %q does not name line 2", write, err)
				}
			}
			var after bytes.Buffer
			if _, err := s.Export(ctx, &after); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before.Bytes(), after.Bytes()) {
				t.Errorf("store changed after a refused write")
			}
		})
	}
}

func TestRetractionAndAsOf(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	if _, err := s.Apply(ctx, "test", mustRecords(t, base)); err != nil {
		t.Fatal(err)
	}
	t1 := s.LastChange()
	page, _ := s.EntityStatements(ctx, graph.View{}, "trainium3", graph.EdgeQuery{Predicate: "tdp"})
	key := page.Items[0].Key
	if _, err := s.Apply(ctx, "analyst", []graph.Record{{Type: graph.RetractRecord, Retract: &graph.Retract{Statement: key, Reason: "datasheet revised"}}}); err != nil {
		t.Fatal(err)
	}
	now, _ := s.EntityStatements(ctx, graph.View{}, "trainium3", graph.EdgeQuery{Predicate: "tdp"})
	then, _ := s.EntityStatements(ctx, graph.View{AsOf: t1}, "trainium3", graph.EdgeQuery{Predicate: "tdp"})
	if now.Total != 0 || then.Total != 1 {
		t.Errorf("tdp statements now=%d asOf=%d, want 0 and 1", now.Total, then.Total)
	}
	sts, _ := s.Statements(ctx, graph.View{}, []string{key})
	if r := sts[0].Retracted; r == nil || r.Reason != "datasheet revised" || r.By != "analyst" {
		t.Errorf("retracted statement = %+v, want reason and author kept", r)
	}
	old, _ := s.Statements(ctx, graph.View{AsOf: t1}, []string{key})
	if old[0].Retracted != nil {
		t.Errorf("statement as of before the retraction is retracted")
	}
	// Read again: the older version now comes from the byte cache, the
	// current one from the cached head; both decode to the same records.
	for _, tc := range []struct {
		view graph.View
		want *graph.Statement
	}{{graph.View{AsOf: t1}, old[0]}, {graph.View{}, sts[0]}} {
		again, err := s.Statements(ctx, tc.view, []string{key})
		if err != nil || len(again) != 1 || !reflect.DeepEqual(again[0], tc.want) {
			t.Errorf("second read asOf %v = %+v, %v; want %+v", tc.view.AsOf, again, err, tc.want)
		}
	}
	before := graph.View{AsOf: t1.Add(-time.Hour)}
	if _, err := s.Entity(ctx, before, "trainium3"); graph.ErrorCode(err) != graph.ENOTFOUND {
		t.Errorf("entity before it was recorded: err = %v, want NOT_FOUND", err)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := MustOpen(t)
	if _, err := a.Apply(ctx, "test", mustRecords(t, base)); err != nil {
		t.Fatal(err)
	}
	more := `{"type":"statement","subject":"trainium3","predicate":"tdp","object":{"amount":700,"unit":"W"},"rank":"preferred","references":[{"source":"art"}]}
{"type":"entity","key":"aws","kind":"Company","name":"Amazon Web Services","aliases":["AWS","Amazon AWS"]}`
	if _, err := a.Apply(ctx, "test", mustRecords(t, more)); err != nil {
		t.Fatal(err)
	}
	page, _ := a.EntityStatements(ctx, graph.View{}, "trainium3", graph.EdgeQuery{Predicate: "designedBy"})
	if _, err := a.Apply(ctx, "test", []graph.Record{{Type: graph.RetractRecord, Retract: &graph.Retract{Statement: page.Items[0].Key, Reason: "test"}}}); err != nil {
		t.Fatal(err)
	}
	var out1 bytes.Buffer
	if _, err := a.Export(ctx, &out1); err != nil {
		t.Fatal(err)
	}
	recs, err := graph.ReadRecords(bytes.NewReader(out1.Bytes()), "export.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	b := MustOpen(t)
	if _, err := b.Import(ctx, "restore", recs, nil); err != nil {
		t.Fatal(err)
	}
	var out2 bytes.Buffer
	if _, err := b.Export(ctx, &out2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out1.Bytes(), out2.Bytes()) {
		t.Errorf("export after import differs:\n%s\n---\n%s", out1.String(), out2.String())
	}
	if n := strings.Count(out1.String(), "\n"); n != 16 {
		t.Errorf("export has %d lines, want 16 (13 records, 2 updates, 1 retraction)", n)
	}
}

func TestImportCrashLeavesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, "test", mustRecords(t, base)); err != nil {
		t.Fatal(err)
	}
	// An import whose context is cancelled after the first chunk stops
	// midway, as a crash would; its partial writes must stay invisible.
	var recs []graph.Record
	for i := range 30000 {
		recs = append(recs, graph.Record{Type: graph.EntityRecord, Entity: &graph.Entity{Key: "chip-" + itoa(i), Kind: graph.Chip, Name: "Chip " + itoa(i)}})
	}
	cctx, cancel := context.WithCancel(ctx)
	_, err = s.Import(cctx, "test", recs, func(done int) {
		if done < len(recs) {
			cancel()
		}
	})
	if err == nil {
		t.Fatal("import with a cancelled context succeeded")
	}
	p, _ := s.ListEntities(ctx, graph.View{}, graph.Chip, "", 10)
	if p.Total != 1 {
		t.Errorf("chips after aborted import = %d, want 1", p.Total)
	}
	s.Close()
	s, err = store.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, _ = s.ListEntities(ctx, graph.View{}, graph.Chip, "", 10)
	if p.Total != 1 {
		t.Errorf("chips after reopen = %d, want 1", p.Total)
	}
	// The aborted keys can be written again.
	if _, err := s.Apply(ctx, "test", recs[:1]); err != nil {
		t.Fatal(err)
	}
	if e, err := s.Entity(ctx, graph.View{}, "chip-0"); err != nil || e.Name != "Chip 0" {
		t.Errorf("chip-0 after rewrite = %v, %v", e, err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestFindEntitiesRenamed looks an entity up by exact name before and
// after a rename, now and as of before it, twice each: the second lookup
// of a name is answered from the prefix cache, which a write must not
// leave stale and which every view filters for itself.
func TestFindEntitiesRenamed(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	if _, err := s.Apply(ctx, "test", mustRecords(t, base)); err != nil {
		t.Fatal(err)
	}
	keys := func(view graph.View, name string) string {
		t.Helper()
		es, err := s.FindEntities(ctx, view, name, false, "", 10)
		if err != nil {
			t.Fatalf("FindEntities(%q): %v", name, err)
		}
		var ks []string
		for _, e := range es {
			ks = append(ks, e.Key)
		}
		return strings.Join(ks, ",")
	}
	for range 2 {
		if got, want := keys(graph.View{}, "Trainium3"), "trainium3"; got != want {
			t.Errorf("before the rename: FindEntities(Trainium3) = %q, want %q", got, want)
		}
		if got, want := keys(graph.View{}, "Trainium 3"), ""; got != want {
			t.Errorf("before the rename: FindEntities(Trainium 3) = %q, want %q", got, want)
		}
	}
	t1 := s.LastChange()
	renamed := `{"type":"entity","key":"trainium3","kind":"Chip","name":"Trainium 3","aliases":["Trn3"]}`
	if _, err := s.Apply(ctx, "test", mustRecords(t, renamed)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		for _, tc := range []struct {
			view       graph.View
			name, want string
		}{
			{graph.View{}, "Trainium3", ""},
			{graph.View{}, "Trainium 3", "trainium3"},
			{graph.View{}, "Trn3", "trainium3"},
			{graph.View{AsOf: t1}, "Trainium3", "trainium3"},
			{graph.View{AsOf: t1}, "Trainium 3", ""},
		} {
			if got := keys(tc.view, tc.name); got != tc.want {
				t.Errorf("after the rename, asOf %v: FindEntities(%q) = %q, want %q", tc.view.AsOf, tc.name, got, tc.want)
			}
		}
	}
}

// TestPublished: the generation and the newest change come as a pair that
// moves with every published write, and far-future asOf reads the current
// view (time.Time.UnixNano is undefined there).
func TestPublished(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	if gen, visible := s.Published(); gen != s.Generation() || visible != 0 {
		t.Errorf("empty store: Published() = %d, %d; want %d, 0", gen, visible, s.Generation())
	}
	var gens []uint64
	for i, recs := range [][]graph.Record{mustRecords(t, base), {{Type: graph.RetractRecord, Retract: &graph.Retract{Statement: "missing", Reason: "x"}}}} {
		_, err := s.Apply(ctx, "test", recs)
		if i == 0 && err != nil {
			t.Fatal(err)
		}
		gen, visible := s.Published()
		if got, want := gen, s.Generation(); got != want {
			t.Errorf("write %d: Published gen %d, Generation %d", i+1, got, want)
		}
		if got, want := visible, uint64(s.LastChange().UnixNano()); got != want {
			t.Errorf("write %d: Published visible %d, LastChange %d", i+1, got, want)
		}
		gens = append(gens, gen)
	}
	if gens[0] == 0 {
		t.Errorf("a published write left generation 0")
	}
	for _, asOf := range []time.Time{s.LastChange(), time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)} {
		page, err := s.EntityStatements(ctx, graph.View{AsOf: asOf}, "trainium3", graph.EdgeQuery{})
		cur, _ := s.EntityStatements(ctx, graph.View{}, "trainium3", graph.EdgeQuery{})
		if err != nil || page.Total != cur.Total || page.Total == 0 {
			t.Errorf("asOf %s: %d statements, %v; want the current %d", asOf, page.Total, err, cur.Total)
		}
	}
}
