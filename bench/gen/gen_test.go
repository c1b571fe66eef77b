package gen_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/bench/gen"
	"github.com/chipgraph/chipgraph/graph"
)

// MustGenerate returns the dataset for cfg and what Generate reported.
func MustGenerate(tb testing.TB, cfg gen.Config) ([]byte, gen.Stats) {
	tb.Helper()
	var buf bytes.Buffer
	st, err := gen.Generate(context.Background(), &buf, cfg)
	if err != nil {
		tb.Fatalf("Generate(%+v): %v", cfg, err)
	}
	if st.Bytes != int64(buf.Len()) {
		tb.Fatalf("Stats.Bytes=%d, wrote %d", st.Bytes, buf.Len())
	}
	return buf.Bytes(), st
}

func TestDeterministic(t *testing.T) {
	cfg := gen.Config{Scale: 0.01, Seed: 7}
	a, _ := MustGenerate(t, cfg)
	b, _ := MustGenerate(t, cfg)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with the same seed differ")
	}
	// One worker must write what several write.
	prev := runtime.GOMAXPROCS(1)
	c, _ := MustGenerate(t, cfg)
	runtime.GOMAXPROCS(prev)
	if !bytes.Equal(a, c) {
		t.Fatal("GOMAXPROCS=1 changes the output")
	}
	d, _ := MustGenerate(t, gen.Config{Scale: 0.01, Seed: 8})
	if bytes.Equal(a, d) {
		t.Fatal("seeds 7 and 8 give the same output")
	}
}

func TestCounts(t *testing.T) {
	want := gen.Size{Companies: 2000, Foundries: 50, People: 1000, Chips: 20000, ChipFamilies: 2000,
		Systems: 2500, ProcessNodes: 40, Sources: 5000, Claims: 100000}
	if got := gen.Counts(1); got != want {
		t.Errorf("Counts(1)=%+v, want %+v", got, want)
	}
	if got, want := gen.Counts(1).Entities()+gen.Counts(1).Claims, 128000; math.Abs(float64(got-want)) > 0.1*float64(want) {
		t.Errorf("entities and claims at scale 1: %d, want about %d", got, want)
	}
	for _, scale := range []float64{1e-6, 0.0001, 0.01} {
		z := gen.Counts(scale)
		for i, n := range []int{z.Companies, z.Foundries, z.People, z.Chips, z.ChipFamilies, z.Systems, z.ProcessNodes, z.Sources, z.Claims} {
			if n < 1 {
				t.Errorf("Counts(%g): count %d is %d, want at least 1", scale, i, n)
			}
		}
	}
}

func TestLinear(t *testing.T) {
	_, a := MustGenerate(t, gen.Config{Scale: 0.01, Seed: 1})
	_, b := MustGenerate(t, gen.Config{Scale: 0.02, Seed: 1})
	for _, c := range []struct {
		name   string
		a, b   int
		within float64
	}{
		{"sources", a.Sources, b.Sources, 0.01},
		{"entities", a.Entities, b.Entities, 0.01},
		{"chips", a.Chips, b.Chips, 0.01},
		{"claims", a.Claims, b.Claims, 0.01},
		{"statements", a.Statements, b.Statements, 0.1},
		{"references", a.References, b.References, 0.1},
		{"bytes", int(a.Bytes), int(b.Bytes), 0.1},
	} {
		if r := float64(c.b) / float64(c.a); math.Abs(r-2) > 2*c.within {
			t.Errorf("%s: %d at scale 0.01, %d at 0.02 (ratio %.3f), want about 2", c.name, c.a, c.b, r)
		}
	}
}

// lookup is a graph.Lookup over the records read so far.
type lookup struct {
	kinds   map[string]graph.Kind
	sources map[string]*graph.Source
}

func (l *lookup) EntityKind(key string) (graph.Kind, bool) {
	k, ok := l.kinds[key]
	return k, ok
}

func (l *lookup) SourceText(key string) (string, string, bool) {
	s, ok := l.sources[key]
	if !ok {
		return "", "", false
	}
	return s.Text, s.SHA256, true
}

// TestRecordsResolve reads small datasets back and checks every record as
// the store would: its own checks, record order, unique keys, and every
// statement and claim resolved against the records before it, with every
// quote located in its source's text.
func TestRecordsResolve(t *testing.T) {
	for _, scale := range []float64{0.0001, 0.003, 0.01} {
		data, st := MustGenerate(t, gen.Config{Scale: scale, Seed: 11})
		recs, err := graph.ReadRecords(bytes.NewReader(data), "gen.ndjson") // runs Record.Validate
		if err != nil {
			t.Fatalf("scale %g: ReadRecords: %v", scale, err)
		}
		if got := len(recs); got != st.Records() {
			t.Fatalf("scale %g: read %d records, Stats.Records()=%d", scale, got, st.Records())
		}
		l := &lookup{kinds: map[string]graph.Kind{}, sources: map[string]*graph.Source{}}
		stmtKeys, claimKeys := map[string]bool{}, map[string]bool{}
		var order []graph.RecordType
		var refs, quoted int
		for i := range recs {
			r := &recs[i]
			if err := r.Validate(); err != nil {
				t.Fatalf("scale %g: line %d: Validate: %v", scale, r.Line, err)
			}
			if n := len(order); n == 0 || order[n-1] != r.Type {
				order = append(order, r.Type)
			}
			switch r.Type {
			case graph.SourceRecord:
				if l.sources[r.Source.Key] != nil {
					t.Fatalf("scale %g: line %d: duplicate source %q", scale, r.Line, r.Source.Key)
				}
				l.sources[r.Source.Key] = r.Source
			case graph.EntityRecord:
				if _, dup := l.kinds[r.Entity.Key]; dup {
					t.Fatalf("scale %g: line %d: duplicate entity %q", scale, r.Line, r.Entity.Key)
				}
				l.kinds[r.Entity.Key] = r.Entity.Kind
			case graph.StatementRecord:
				s := r.Statement
				if err := s.Resolve(l); err != nil {
					t.Fatalf("scale %g: line %d: %s %s %v: Resolve: %v", scale, r.Line, s.Subject, s.Predicate, s.Object, err)
				}
				if stmtKeys[s.Key] {
					t.Fatalf("scale %g: line %d: duplicate statement %s %s %v", scale, r.Line, s.Subject, s.Predicate, s.Object)
				}
				stmtKeys[s.Key] = true
				for _, ref := range s.References {
					refs++
					if ref.Quote != "" {
						quoted++
						if !ref.Verified {
							t.Fatalf("scale %g: line %d: quote not verified", scale, r.Line)
						}
					}
				}
			case graph.ClaimRecord:
				c := r.Claim
				if err := c.Resolve(l); err != nil {
					t.Fatalf("scale %g: line %d: claim %s: Resolve: %v", scale, r.Line, c.Key, err)
				}
				if !c.Reference.Verified {
					t.Fatalf("scale %g: line %d: claim %s: quote %q not verified", scale, r.Line, c.Key, c.Reference.Quote)
				}
				if n := len(c.About); n < 1 || n > 3 {
					t.Fatalf("scale %g: line %d: claim %s is about %d entities, want 1 to 3", scale, r.Line, c.Key, n)
				}
				if claimKeys[c.Key] {
					t.Fatalf("scale %g: line %d: duplicate claim %q", scale, r.Line, c.Key)
				}
				claimKeys[c.Key] = true
			default:
				t.Fatalf("scale %g: line %d: unexpected %s record", scale, r.Line, r.Type)
			}
		}
		want := []graph.RecordType{graph.SourceRecord, graph.EntityRecord, graph.StatementRecord, graph.ClaimRecord}
		if strings.Join(types(order), ",") != strings.Join(types(want), ",") {
			t.Errorf("scale %g: record order %v, want %v", scale, order, want)
		}
		if refs != st.References || quoted != st.QuotedReferences {
			t.Errorf("scale %g: read %d references (%d quoted), Stats say %d (%d)", scale, refs, quoted, st.References, st.QuotedReferences)
		}
	}
}

func types(ts []graph.RecordType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// TestScaleOne generates the reference dataset and checks its counts
// against the targets, within 10%.
func TestScaleOne(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the full reference dataset")
	}
	start := time.Now()
	w := bufio.NewWriterSize(io.Discard, 1<<20)
	st, err := gen.Generate(context.Background(), w, gen.Config{Scale: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("scale 1: %+v", st)
	t.Logf("scale 1: %d records, %d facts, %.1f MiB in %v (%.0f records/s)",
		st.Records(), st.Facts(), float64(st.Bytes)/(1<<20), el.Round(time.Millisecond), float64(st.Records())/el.Seconds())
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"companies", st.Companies, 2000},
		{"foundries", st.Foundries, 50},
		{"people", st.People, 1000},
		{"chips", st.Chips, 20000},
		{"chip families", st.ChipFamilies, 2000},
		{"process nodes", st.ProcessNodes, 40},
		{"sources", st.Sources, 5000},
		{"claims", st.Claims, 100000},
		{"entities and claims", st.Entities + st.Claims, 128000},
		{"facts (statements and claims)", st.Facts(), 870000},
		{"quoted references (per mille)", 1000 * st.QuotedReferences / st.References, 200},
	} {
		if math.Abs(float64(c.got-c.want)) > 0.1*float64(c.want) {
			t.Errorf("%s: %d, want %d within 10%%", c.name, c.got, c.want)
		}
	}
}

func TestSourceTexts(t *testing.T) {
	data, _ := MustGenerate(t, gen.Config{Scale: 0.05, Seed: 1})
	recs, err := graph.ReadRecords(bytes.NewReader(data), "gen.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	n, total := 0, 0
	for _, r := range recs {
		if r.Type != graph.SourceRecord {
			continue
		}
		if l := len(r.Source.Text); l < 200 || l > 3000 {
			t.Errorf("source %s: text of %d bytes, want a few hundred to about 2,000", r.Source.Key, l)
		}
		n, total = n+1, total+len(r.Source.Text)
	}
	if avg := total / n; avg < 1000 || avg > 2000 {
		t.Errorf("average source text is %d bytes, want 1,000 to 2,000", avg)
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := gen.Generate(ctx, io.Discard, gen.Config{Scale: 0.01, Seed: 1}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Generate with a canceled context: err=%v, want context.Canceled", err)
	}
}

var errFull = errors.New("disk full")

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n++; w.n > 3 {
		return 0, errFull
	}
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	if _, err := gen.Generate(context.Background(), &failingWriter{}, gen.Config{Scale: 0.05, Seed: 1}); !errors.Is(err, errFull) {
		t.Fatalf("Generate to a failing writer: err=%v, want %v", err, errFull)
	}
}

// TestQueryHelpers checks the helpers a load generator uses against the
// records themselves.
func TestQueryHelpers(t *testing.T) {
	cfg := gen.Config{Scale: 0.02, Seed: 5}
	d := gen.New(cfg)
	data, _ := MustGenerate(t, cfg)
	recs, err := graph.ReadRecords(bytes.NewReader(data), "gen.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{} // key -> name
	edges := map[[2]string]bool{}
	designs := map[string]int{}
	for _, r := range recs {
		switch r.Type {
		case graph.EntityRecord:
			names[r.Entity.Key] = r.Entity.Name
		case graph.StatementRecord:
			s := r.Statement
			if s.Object.Type == graph.EntityValue {
				edges[[2]string{s.Subject, s.Object.Entity}] = true
				edges[[2]string{s.Object.Entity, s.Subject}] = true
				if s.Predicate == "designedBy" {
					designs[s.Object.Entity]++
				}
			}
		}
	}
	z := d.Size()
	seen := map[string]bool{}
	for i := range z.Chips {
		if got := names[d.ChipKey(i)]; got != d.ChipName(i) {
			t.Fatalf("chip %d: key %q names %q, ChipName=%q", i, d.ChipKey(i), got, d.ChipName(i))
		}
		if seen[d.ChipName(i)] {
			t.Fatalf("chip name %q is not unique", d.ChipName(i))
		}
		seen[d.ChipName(i)] = true
	}
	for i := range z.Companies {
		if names[d.CompanyKey(i)] != d.CompanyName(i) {
			t.Fatalf("company %d: key %q not written with name %q", i, d.CompanyKey(i), d.CompanyName(i))
		}
	}
	for _, key := range []string{d.FoundryKey(0), d.PersonKey(0), d.FamilyKey(0), d.SystemKey(0), d.ProcessNodeKey(0)} {
		if names[key] == "" {
			t.Errorf("key %q was not written", key)
		}
	}

	top := d.TopDesigners(3)
	if got := designs[d.CompanyKey(top[0])]; got < d.DesignedChips(top[0]) || got < 20 {
		t.Errorf("top designer %s designs %d chips (DesignedChips %d), want many", d.CompanyKey(top[0]), got, d.DesignedChips(top[0]))
	}
	for _, k := range top[1:] {
		if d.DesignedChips(k) > d.DesignedChips(top[0]) {
			t.Errorf("TopDesigners not in order")
		}
	}
	if i := d.ChipDesigner(0); !edges[[2]string{d.ChipKey(0), d.CompanyKey(i)}] {
		t.Errorf("ChipDesigner(0)=%d, but no statement links them", i)
	}
	if f := d.ChipFoundry(0); !edges[[2]string{d.ChipKey(0), d.FoundryKey(f)}] {
		t.Errorf("ChipFoundry(0)=%d, but no statement links them", f)
	}

	for i := range 10 {
		path, ok := d.CompanyPath(i)
		if !ok {
			t.Fatalf("CompanyPath(%d): none", i)
		}
		if len(path) < 3 || len(path) > 4 {
			t.Fatalf("CompanyPath(%d)=%v, want 2 or 3 hops", i, path)
		}
		for j := 1; j < len(path); j++ {
			if !edges[[2]string{path[j-1], path[j]}] {
				t.Fatalf("CompanyPath(%d)=%v: no statement links %s and %s", i, path, path[j-1], path[j])
			}
		}
	}

	hits := 0
	for i := range z.Chips {
		if strings.Contains(" "+d.ChipName(i)+" ", " "+gen.SearchTerm+" ") {
			hits++
		}
	}
	if got := d.ChipNameHits(gen.SearchTerm); got != hits || hits < z.Chips/20 {
		t.Errorf("ChipNameHits(%q)=%d, counted %d of %d chips, want about a tenth", gen.SearchTerm, got, hits, z.Chips)
	}
}

func BenchmarkGenerate(b *testing.B) {
	cfg := gen.Config{Scale: 0.1, Seed: 1}
	var st gen.Stats
	w := bufio.NewWriterSize(io.Discard, 1<<20)
	for b.Loop() {
		var err error
		if st, err = gen.Generate(context.Background(), w, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(st.Bytes)
	b.ReportMetric(float64(st.Records())*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
