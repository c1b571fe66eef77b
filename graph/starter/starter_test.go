package starter_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
)

// lookup is a graph.Lookup over a batch of records, as the store builds
// over committed data plus the batch it writes.
type lookup struct {
	kinds   map[string]graph.Kind
	sources map[string]*graph.Source
}

func newLookup(recs []graph.Record) *lookup {
	l := &lookup{kinds: map[string]graph.Kind{}, sources: map[string]*graph.Source{}}
	for _, r := range recs {
		switch r.Type {
		case graph.EntityRecord:
			l.kinds[r.Entity.Key] = r.Entity.Kind
		case graph.SourceRecord:
			l.sources[r.Source.Key] = r.Source
		}
	}
	return l
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

// mustResolve resolves every statement and claim against the records, as
// the store does on write.
func mustResolve(tb testing.TB, recs []graph.Record) {
	tb.Helper()
	l := newLookup(recs)
	for _, r := range recs {
		var err error
		switch r.Type {
		case graph.StatementRecord:
			err = r.Statement.Resolve(l)
		case graph.ClaimRecord:
			err = r.Claim.Resolve(l)
		}
		if err != nil {
			tb.Errorf("%s %s (line %d): %v", r.Type, r.Key(), r.Line, err)
		}
	}
}

// mustWriteOrder checks sources come first, then entities, then the rest,
// and that no key repeats within a type.
func mustWriteOrder(tb testing.TB, recs []graph.Record) {
	tb.Helper()
	rank := map[graph.RecordType]int{graph.SourceRecord: 0, graph.EntityRecord: 1, graph.StatementRecord: 2, graph.ClaimRecord: 2}
	seen := map[string]bool{}
	last := 0
	for i, r := range recs {
		if rank[r.Type] < last {
			tb.Fatalf("record %d (%s %s) comes after a later kind of record", i, r.Type, r.Key())
		}
		last = rank[r.Type]
		id := string(r.Type) + " " + r.Key()
		if seen[id] {
			tb.Errorf("%s appears twice", id)
		}
		seen[id] = true
	}
}

func MustRecords(tb testing.TB) []graph.Record {
	tb.Helper()
	recs, err := starter.Records()
	if err != nil {
		tb.Fatal(err)
	}
	return recs
}

func TestRecords(t *testing.T) {
	recs := MustRecords(t)

	t.Run("Valid", func(t *testing.T) {
		for _, r := range recs {
			if err := r.Validate(); err != nil {
				t.Errorf("%s %s: %v", r.Type, r.Key(), err)
			}
		}
	})

	t.Run("Order", func(t *testing.T) { mustWriteOrder(t, recs) })

	t.Run("Resolve", func(t *testing.T) {
		mustResolve(t, recs)
		// Every quote was located in its source's text.
		for _, r := range recs {
			var refs []graph.Reference
			switch r.Type {
			case graph.StatementRecord:
				refs = r.Statement.References
			case graph.ClaimRecord:
				refs = []graph.Reference{r.Claim.Reference}
			}
			for _, ref := range refs {
				if ref.Quote != "" && !ref.Verified {
					t.Errorf("%s %s: quote %q not verified", r.Type, r.Key(), ref.Quote)
				}
			}
		}
	})

	t.Run("SourcesCited", func(t *testing.T) {
		cited := map[string]bool{}
		for _, r := range recs {
			switch r.Type {
			case graph.StatementRecord:
				for _, ref := range r.Statement.References {
					cited[ref.Source], cited[ref.ImportedFrom] = true, true
				}
			case graph.ClaimRecord:
				cited[r.Claim.Reference.Source] = true
			}
		}
		for key := range sources(recs) {
			if !cited[key] {
				t.Errorf("source %s is cited by nothing", key)
			}
		}
	})

	t.Run("Sources", func(t *testing.T) {
		srcs := sources(recs)
		a := srcs[starter.SeedArticleKey]
		article, _ := fs.ReadFile(starter.FS(), "article.txt")
		if a == nil || a.Text != string(article) || a.Kind != graph.NewsArticle || a.URL != "" {
			t.Fatalf("seed article=%+v, want a news article with the text of article.txt and no URL", a)
		}
		if got, want := a.Title, "Amazon AWS Eyes $50 Billion AI Chip Market to Challenge Nvidia"; got != want {
			t.Errorf("seed article title=%q, want %q", got, want)
		}
		e := srcs[starter.EpochSourceKey]
		if e == nil || e.Kind != graph.Dataset || e.Publisher != "Epoch AI" || e.Retrieved.String() != "2025-12-24" {
			t.Errorf("epoch source=%+v, want Epoch AI's dataset retrieved 2025-12-24", e)
		}
	})

	t.Run("SharedEntities", func(t *testing.T) {
		ents := entities(recs)
		for _, c := range []struct {
			key  string
			kind graph.Kind
			name string
		}{
			{"amazon", graph.Company, "Amazon"},
			{"aws", graph.Company, "Amazon Web Services"},
			{"nvidia", graph.Company, "Nvidia"},
			{"intel", graph.Company, "Intel"},
			{"intel-foundry", graph.Foundry, "Intel Foundry"},
			{"samsung-foundry", graph.Foundry, "Samsung Foundry"},
			{"tsmc", graph.Foundry, "TSMC"},
			{"andy-jassy", graph.Person, "Andy Jassy"},
			{"peter-desantis", graph.Person, "Peter DeSantis"},
			{"trainium", graph.ChipFamily, "Trainium"},
			{"trainium3", graph.Chip, "Trainium3"},
			{"trainium4", graph.Chip, "Trainium4"},
		} {
			e := ents[c.key]
			if e == nil {
				t.Errorf("no entity %q", c.key)
				continue
			}
			if e.Kind != c.kind || e.Name != c.name {
				t.Errorf("%s: %s %q, want %s %q", c.key, e.Kind, e.Name, c.kind, c.name)
			}
		}
		// aws gets Epoch's spelling as an alias.
		if !contains(ents["aws"].Aliases, "Amazon AWS") || !contains(ents["aws"].Aliases, "AWS") {
			t.Errorf("aws aliases=%q, want AWS and Amazon AWS", ents["aws"].Aliases)
		}
	})

	t.Run("Seed", func(t *testing.T) {
		for _, c := range []struct{ subject, predicate, object string }{
			{"aws", "divisionOf", "amazon"},
			{"trainium4", "memberOf", "trainium"},
			{"trainium", "designedBy", "aws"},
			{"nvidia", "customerOf", "tsmc"},
			{"apple", "customerOf", "tsmc"},
			{"trainium3", "designedBy", "aws"},
			{"trainium3", "manufacturedBy", "tsmc"},
		} {
			ss := statements(recs, c.subject, c.predicate)
			if len(ss) != 1 || ss[0].Object.Entity != c.object {
				t.Errorf("%s %s=%v, want %s", c.subject, c.predicate, ss, c.object)
			}
		}
		ss := statements(recs, "nvidia", "revenueRunRate")
		if len(ss) != 1 || ss[0].Object.String() != "USD 326 billion" {
			t.Fatalf("nvidia revenueRunRate=%v, want USD 326 billion", ss)
		}
		if sec := ss[0].References[0].Locator.Section; !strings.Contains(sec, "unattributed") {
			t.Errorf("revenueRunRate section=%q, want it marked unattributed", sec)
		}
		for _, r := range recs {
			if r.Type == graph.ClaimRecord && r.Claim.Key == "jassy-chips-business-run-rate" {
				v := r.Claim.Value
				if r.Claim.Claimant != "andy-jassy" || r.Claim.Modality != graph.Estimate || v == nil ||
					v.Amount != 5e10 || v.Currency != "USD" || !v.Approximate || v.Condition == "" {
					t.Errorf("claim=%+v value=%+v, want Jassy's conditional ~USD 50e9 estimate", r.Claim, v)
				}
				return
			}
		}
		t.Error("no claim jassy-chips-business-run-rate")
	})
}

// TestSeedQuotes checks every quote in seed.ndjson is in article.txt.
func TestSeedQuotes(t *testing.T) {
	article, err := fs.ReadFile(starter.FS(), "article.txt")
	if err != nil {
		t.Fatal(err)
	}
	f, err := starter.FS().Open("seed.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := graph.ReadRecords(f, "seed.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		var refs []graph.Reference
		switch r.Type {
		case graph.StatementRecord:
			refs = r.Statement.References
		case graph.ClaimRecord:
			refs = []graph.Reference{r.Claim.Reference}
		}
		for _, ref := range refs {
			if ref.Source != starter.SeedArticleKey {
				continue
			}
			if ref.Quote == "" {
				t.Errorf("line %d: reference to the article without a quote", r.Line)
			}
			if _, _, ok := graph.LocateQuote(string(article), ref.Quote); !ok {
				t.Errorf("line %d: quote %q is not in article.txt", r.Line, ref.Quote)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no quotes checked")
	}
}

// TestFS checks the attribution travels with the dataset.
func TestFS(t *testing.T) {
	for _, name := range []string{"article.txt", "seed.ndjson", "epoch/ml_hardware.csv", "epoch/ATTRIBUTION.md", "epoch/README.md"} {
		if _, err := fs.Stat(starter.FS(), name); err != nil {
			t.Errorf("embedded %s: %v", name, err)
		}
	}
	b, _ := fs.ReadFile(starter.FS(), "epoch/ATTRIBUTION.md")
	if !strings.Contains(string(b), "CC BY 4.0") {
		t.Error("ATTRIBUTION.md does not name the licence")
	}
}
