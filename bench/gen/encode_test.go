package gen

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
)

// The hand-written encoder must write what graph.WriteRecord writes, less
// the recorded member (and an empty statement key).

var zeroRecorded = []byte(`,"recorded":{"at":"0001-01-01T00:00:00Z"}`)

// encodeBoth returns the encoder's line and encoding/json's line, with the
// zero recorded member cut out.
func encodeBoth(t *testing.T, r *graph.Record) (got, want []byte) {
	t.Helper()
	var e encoder
	switch r.Type {
	case graph.SourceRecord:
		e.source(r.Source)
	case graph.EntityRecord:
		e.entity(r.Entity)
	case graph.StatementRecord:
		e.statement(r.Statement)
	case graph.ClaimRecord:
		e.claim(r.Claim)
	}
	var buf bytes.Buffer
	if err := graph.WriteRecord(&buf, *r); err != nil {
		t.Fatalf("WriteRecord: %v", err)
	}
	return e.b, bytes.Replace(buf.Bytes(), zeroRecorded, nil, 1)
}

func TestEncoderMatchesEncodingJSON(t *testing.T) {
	d := New(Config{Scale: 0.01, Seed: 3})
	n := 0
	_, err := d.generate(context.Background(), io.Discard, func(r *graph.Record) {
		if r.Type == graph.StatementRecord {
			st := *r.Statement
			st.Key = graph.StatementKey(st.Subject, st.Predicate, st.Object, st.Qualifiers)
			r = &graph.Record{Type: graph.StatementRecord, Statement: &st}
		}
		got, want := encodeBoth(t, r)
		if !bytes.Equal(got, want) {
			t.Fatalf("record %d:\n got %s\nwant %s", n, got, want)
		}
		n++
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 1000 {
		t.Fatalf("compared %d records, want a dataset's worth", n)
	}
}

func f64(x float64) *float64 { return &x }

// Records the generator does not make, to cover the encoder's other paths.
var encoderCases = []graph.Record{
	// Escaping: quotes, backslash, controls, HTML characters, U+2028,
	// invalid UTF-8, non-ASCII.
	{Type: graph.EntityRecord, Entity: &graph.Entity{Key: "a", Kind: graph.Company, Name: "A \"B\" \\ <C> & D\n\t\r\b\f\x01",
		Aliases: []string{"Pérez\u2028x\u2029", "bad\xffutf8", "日本"}}},
	// Numbers in exponent form, dates of each precision, bounds.
	{Type: graph.StatementRecord, Statement: &graph.Statement{Key: "st-1", Subject: "x", Predicate: "memory",
		Object: graph.Value{Type: graph.QuantityValue, Amount: 1e21, Unit: "B", Lower: f64(1e-7), Upper: f64(2.5e22), Approximate: true},
		Qualifiers: graph.Qualifiers{ValidFrom: graph.MustDate("2024"), ValidTo: graph.MustDate("2025-Q3"),
			Extra: map[string]string{"precision": "FP8", "a": "b", "units": "1000"}},
		Rank: graph.Preferred,
		References: []graph.Reference{
			{Source: "s", Quote: "q", Locator: graph.Locator{Section: "2", Page: 3, Start: 4, End: 9}, Retrieved: graph.MustDate("2025-12-02"),
				ImportedFrom: "i", Verified: true, SourceSHA256: "ab", Unverified: true},
			{Source: "t", Locator: graph.Locator{End: 5}},
		}}},
	{Type: graph.StatementRecord, Statement: &graph.Statement{Key: "k", Subject: "x", Predicate: "releaseDate", Rank: graph.Normal,
		Object: graph.Value{Type: graph.DateValue, Date: graph.MustDate("2025-12"), Lower: f64(-0.000001)}, Qualifiers: graph.Qualifiers{PointInTime: graph.MustDate("2026")},
		References: []graph.Reference{{Source: "s"}}}},
	{Type: graph.StatementRecord, Statement: &graph.Statement{Key: "k", Subject: "x", Predicate: "p", Object: graph.Bool(true), References: nil}},
	{Type: graph.StatementRecord, Statement: &graph.Statement{Key: "k", Subject: "x", Predicate: "p", Object: graph.Money(-0.5, "EUR")}},
	{Type: graph.StatementRecord, Statement: &graph.Statement{Key: "k", Subject: "x", Predicate: "p", Object: graph.Value{}}},
	{Type: graph.ClaimRecord, Claim: &graph.Claim{Key: "c", Claimant: "p", Modality: graph.Plan, Text: "t",
		Reference: graph.Reference{Source: "s"}, Value: &graph.ClaimValue{Amount: 0, Currency: "USD", Lower: f64(0), Upper: f64(1), Approximate: true, Condition: "if"}}},
	{Type: graph.SourceRecord, Source: &graph.Source{Key: "s", Kind: graph.Dataset}},
}

func TestEncoderCases(t *testing.T) {
	for i, r := range encoderCases {
		got, want := encodeBoth(t, &r)
		if !bytes.Equal(got, want) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func TestEncoderLeavesEmptyKeyOut(t *testing.T) {
	var e encoder
	e.statement(&graph.Statement{Subject: "x", Predicate: "tdp", Object: graph.Quantity(700, "W"), Rank: graph.Normal,
		References: []graph.Reference{{Source: "s"}}})
	want := `{"type":"statement","subject":"x","predicate":"tdp","object":{"amount":700,"unit":"W"},"rank":"normal","references":[{"source":"s"}]}` + "\n"
	if got := string(e.b); got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	if _, err := graph.DecodeRecord(e.b); err != nil {
		t.Fatalf("DecodeRecord: %v", err)
	}
}

func TestEncoderFallsBackForRecordedTimes(t *testing.T) {
	r := graph.Record{Type: graph.ClaimRecord, Claim: &graph.Claim{Key: "c", Claimant: "p", Text: "t",
		Recorded: graph.Recorded{By: "me"}, Retracted: &graph.Retraction{Reason: "wrong"}}}
	var e encoder
	e.claim(r.Claim)
	want, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := bytes.TrimSuffix(e.b, []byte("\n")); !bytes.Equal(got, want) {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}
