package starter_test

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"strings"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
)

// MustEpochRecords converts the embedded Epoch CSV.
func MustEpochRecords(tb testing.TB) []graph.Record {
	tb.Helper()
	b, err := fs.ReadFile(starter.FS(), "epoch/ml_hardware.csv")
	if err != nil {
		tb.Fatal(err)
	}
	recs, err := starter.EpochRecords(bytes.NewReader(b), "ml_hardware.csv")
	if err != nil {
		tb.Fatal(err)
	}
	return recs
}

// statements returns the statements with the given subject and predicate.
func statements(recs []graph.Record, subject, predicate string) []*graph.Statement {
	var out []*graph.Statement
	for _, r := range recs {
		if r.Type == graph.StatementRecord && r.Statement.Subject == subject && r.Statement.Predicate == predicate {
			out = append(out, r.Statement)
		}
	}
	return out
}

// entities returns the entities by key.
func entities(recs []graph.Record) map[string]*graph.Entity {
	out := map[string]*graph.Entity{}
	for _, r := range recs {
		if r.Type == graph.EntityRecord {
			out[r.Entity.Key] = r.Entity
		}
	}
	return out
}

// sources returns the sources by key.
func sources(recs []graph.Record) map[string]*graph.Source {
	out := map[string]*graph.Source{}
	for _, r := range recs {
		if r.Type == graph.SourceRecord {
			out[r.Source.Key] = r.Source
		}
	}
	return out
}

func TestEpochRecords(t *testing.T) {
	recs := MustEpochRecords(t)
	ents := entities(recs)
	srcs := sources(recs)

	t.Run("Chips", func(t *testing.T) {
		n := 0
		for _, e := range ents {
			if e.Kind == graph.Chip {
				n++
			}
		}
		if got, want := n, 170; got != want {
			t.Fatalf("chips=%d, want %d", got, want)
		}
		e := ents["trainium3"]
		if e == nil {
			t.Fatal("no entity trainium3")
		}
		if got, want := e.Name, "Trainium3"; got != want {
			t.Errorf("trainium3 name=%q, want %q", got, want)
		}
		if !contains(e.Aliases, "Amazon Trainium3") {
			t.Errorf("trainium3 aliases=%q, want Epoch's name among them", e.Aliases)
		}
		h := ents["nvidia-h100-sxm5-80gb"]
		if h == nil {
			t.Fatal("no entity nvidia-h100-sxm5-80gb")
		}
		if !contains(h.Aliases, "H100 SXM5 80GB") {
			t.Errorf("H100 aliases=%q, want the name without its designer", h.Aliases)
		}
	})

	t.Run("Trainium3", func(t *testing.T) {
		const link = "https://awsdocs-neuron.readthedocs-hosted.com/en/latest/about-neuron/arch/neuron-hardware/trainium3.html"
		for _, c := range []struct{ predicate, object string }{{"designedBy", "aws"}, {"manufacturedBy", "tsmc"}} {
			ss := statements(recs, "trainium3", c.predicate)
			if len(ss) != 1 || ss[0].Object.Entity != c.object {
				t.Fatalf("trainium3 %s: got %v, want one statement with object %s", c.predicate, ss, c.object)
			}
			ref := ss[0].References[0]
			src := srcs[ref.Source]
			if src == nil || src.URL != link || src.Kind != graph.Datasheet {
				t.Errorf("trainium3 %s source=%+v, want the datasheet %s", c.predicate, src, link)
			}
			if got, want := ref.ImportedFrom, starter.EpochSourceKey; got != want {
				t.Errorf("importedFrom=%q, want %q", got, want)
			}
			if got, want := ref.Retrieved.String(), "2025-12-05"; got != want {
				t.Errorf("retrieved=%s, want %s", got, want)
			}
		}
		if got, want := ents["aws"].Kind, graph.Company; got != want {
			t.Errorf("aws kind=%s, want %s", got, want)
		}
		if got, want := ents["tsmc"].Kind, graph.Foundry; got != want {
			t.Errorf("tsmc kind=%s, want %s", got, want)
		}
	})

	t.Run("Trainium2NoFoundry", func(t *testing.T) {
		if ss := statements(recs, "trainium2", "manufacturedBy"); len(ss) != 0 {
			t.Fatalf("trainium2 manufacturedBy=%v, want none", ss)
		}
		if ss := statements(recs, "trainium2", "designedBy"); len(ss) != 1 {
			t.Fatalf("trainium2 designedBy=%v, want one", ss)
		}
	})

	t.Run("TwoFoundries", func(t *testing.T) {
		// The CSV's only "SMIC,TSMC" row.
		var got []string
		for _, s := range statements(recs, "huawei-ascend-910c", "manufacturedBy") {
			got = append(got, s.Object.Entity)
		}
		if strings.Join(got, ",") != "smic,tsmc" {
			t.Fatalf("huawei-ascend-910c manufacturedBy=%v, want [smic tsmc]", got)
		}
	})

	t.Run("Units", func(t *testing.T) {
		for _, c := range []struct {
			subject, predicate, want string
		}{
			{"trainium3", "tdp", "700 W"},
			{"trainium2", "memory", "96000000000 B"},
			{"trainium2", "memoryBandwidth", "2900000000000 B/s"},
			{"trainium2", "releaseDate", "2024-12-03"},
			{"nvidia-h100-sxm5-80gb", "transistorCount", "80000 million"},
		} {
			ss := statements(recs, c.subject, c.predicate)
			if len(ss) != 1 {
				t.Errorf("%s %s: %d statements, want 1", c.subject, c.predicate, len(ss))
				continue
			}
			if got := ss[0].Object.String(); got != c.want {
				t.Errorf("%s %s=%q, want %q", c.subject, c.predicate, got, c.want)
			}
		}
		var fp8 string
		for _, s := range statements(recs, "trainium3", "peakPerformance") {
			if s.Qualifiers.Extra["precision"] == "FP8" {
				fp8 = s.Object.String()
			}
		}
		if want := "2517000000000000 FLOP/s"; fp8 != want {
			t.Errorf("trainium3 FP8 peakPerformance=%q, want %q", fp8, want)
		}
		if ss := statements(recs, "trainium3", "processNode"); len(ss) != 0 {
			t.Errorf("trainium3 processNode=%v, want none (the cell is empty)", ss)
		}
		if ss := statements(recs, "node-7nm", "featureSize"); len(ss) != 1 || ss[0].Object.String() != "7 nm" {
			t.Errorf("node-7nm featureSize=%v, want one of 7 nm", ss)
		}
	})

	t.Run("PriceSource", func(t *testing.T) {
		ss := statements(recs, "nvidia-h100-sxm5-80gb", "price")
		if len(ss) != 1 {
			t.Fatalf("H100 price: %d statements, want 1", len(ss))
		}
		src := srcs[ss[0].References[0].Source]
		if src == nil || !strings.Contains(src.URL, "semianalysis.com") {
			t.Errorf("H100 price source=%+v, want the first link of \"Source for the price\"", src)
		}
	})

	t.Run("NoDatasheet", func(t *testing.T) {
		// "Baidu Kunlun RG800" has no datasheet link.
		ss := statements(recs, "baidu-kunlun-rg800", "designedBy")
		if len(ss) != 1 {
			t.Fatalf("designedBy: %d statements, want 1", len(ss))
		}
		ref := ss[0].References[0]
		if ref.Source != starter.EpochSourceKey || !strings.Contains(ref.Locator.Section, `row "Baidu Kunlun RG800"`) {
			t.Errorf("reference=%+v, want the dataset with the row in its section", ref)
		}
	})

	t.Run("Order", func(t *testing.T) {
		mustWriteOrder(t, recs)
		again := MustEpochRecords(t)
		if len(again) != len(recs) {
			t.Fatalf("second conversion: %d records, want %d", len(again), len(recs))
		}
		for i := range recs {
			if recs[i].Type != again[i].Type || recs[i].Key() != again[i].Key() {
				t.Fatalf("record %d: %s %s, then %s %s", i, recs[i].Type, recs[i].Key(), again[i].Type, again[i].Key())
			}
		}
	})

	t.Run("Valid", func(t *testing.T) {
		for _, r := range recs {
			if err := r.Validate(); err != nil {
				t.Errorf("%s %s: %v", r.Type, r.Key(), err)
			}
		}
		mustResolve(t, recs)
	})
}

// TestEpochRecords_Reordered converts rows with shuffled and missing
// columns; only the header says which is which.
func TestEpochRecords_Reordered(t *testing.T) {
	const in = `TDP (W),Foundry,Link to datasheet,Hardware name,Memory (bytes),Manufacturer,Last modified
700.0,TSMC,https://example.com/t3 ,Amazon Trainium3,,Amazon AWS,2025-12-05 21:21:23+00:00
500.0,,,Amazon Trainium2,96000000000.0,Amazon AWS,
`
	recs, err := starter.EpochRecords(strings.NewReader(in), "shuffled.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ subject, predicate, want string }{
		{"trainium3", "tdp", "700 W"},
		{"trainium3", "manufacturedBy", "tsmc"},
		{"trainium3", "designedBy", "aws"},
		{"trainium2", "tdp", "500 W"},
		{"trainium2", "memory", "96000000000 B"},
	} {
		ss := statements(recs, c.subject, c.predicate)
		if len(ss) != 1 || ss[0].Object.String() != c.want {
			t.Errorf("%s %s=%v, want %s", c.subject, c.predicate, ss, c.want)
		}
	}
	if ss := statements(recs, "trainium2", "manufacturedBy"); len(ss) != 0 {
		t.Errorf("trainium2 manufacturedBy=%v, want none", ss)
	}
	ref := statements(recs, "trainium3", "tdp")[0].References[0]
	if got, want := ref.Locator.Section, `shuffled.csv row "Amazon Trainium3", column "TDP (W)"`; got != want {
		t.Errorf("section=%q, want %q", got, want)
	}
	if got, want := ref.Source, graph.SourceKeyForURL("https://example.com/t3"); got != want {
		t.Errorf("source=%q, want %q", got, want)
	}
	mustResolve(t, recs)
}

// badEpochTests are CSVs EpochRecords refuses, with the error it gives.
var badEpochTests = []struct {
	name, in, want string
}{
	{"ErrNotANumber", "Hardware name,TDP (W)\nA,1\nB,abc\n", `t.csv:3: column "TDP (W)": "abc" is not a number`},
	// The error names the line the cell is on, after a multi-line cell.
	{"ErrNotANumberAfterNotes", "Hardware name,Notes,TDP (W)\nA,\"one\ntwo\",1\nB,,1e\n", `t.csv:4: column "TDP (W)": "1e" is not a number`},
	{"ErrNaN", "Hardware name,TDP (W)\nA,NaN\n", `t.csv:2: column "TDP (W)": "NaN" is not a number`},
	{"ErrBadDate", "Hardware name,Release date\nA,12/02/2025\n", `t.csv:2: column "Release date": "12/02/2025" is not a date (want YYYY-MM-DD)`},
	{"ErrNoNameColumn", "Name,TDP (W)\nA,1\n", `t.csv:1: no "Hardware name" column`},
	{"ErrEmptyName", "Hardware name,TDP (W)\n,1\n", `t.csv:2: column "Hardware name": hardware name is empty`},
	{"ErrDuplicate", "Hardware name\nNVIDIA A100\nNVIDIA-A100\n", `t.csv:3: column "Hardware name": hardware "NVIDIA-A100" has the same key "nvidia-a100" as the row on line 2`},
}

func TestEpochRecords_Errors(t *testing.T) {
	for _, tt := range badEpochTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := starter.EpochRecords(strings.NewReader(tt.in), "t.csv")
			if err == nil {
				t.Fatalf("EpochRecords(%q) got no error, want %q", tt.in, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Fatalf("EpochRecords(%q) error\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestEpochRecords_HeaderOnly checks a CSV with only a header converts to
// the dataset source alone.
func TestEpochRecords_HeaderOnly(t *testing.T) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"Hardware name", "TDP (W)"})
	w.Flush()
	recs, err := starter.EpochRecords(&buf, "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Key() != starter.EpochSourceKey {
		t.Fatalf("records=%v, want the dataset source alone", recs)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
