package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/store"
)

// MustOpenStarter opens an in-memory store with the starter data (the seed
// article and Epoch's ML hardware data).
func MustOpenStarter(tb testing.TB) *store.Store {
	tb.Helper()
	s := MustOpen(tb)
	recs, err := starter.Records()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Import(context.Background(), "starter", recs, nil); err != nil {
		tb.Fatal(err)
	}
	return s
}

func apply(tb testing.TB, s *store.Store, by string, ndjson string) {
	tb.Helper()
	if _, err := s.Apply(context.Background(), by, mustRecords(tb, ndjson)); err != nil {
		tb.Fatal(err)
	}
}

func statements(tb testing.TB, s *store.Store, v graph.View, key, pred string) []*graph.Statement {
	tb.Helper()
	p, err := s.EntityStatements(context.Background(), v, key, graph.EdgeQuery{Predicate: pred})
	if err != nil {
		tb.Fatal(err)
	}
	return p.Items
}

func TestQuoteVerification(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStarter(t)
	// A quote that is not in the seed article's text is refused...
	bad := `{"type":"statement","subject":"nvidia","predicate":"competesWith","object":{"entity":"amd"},"references":[{"source":"seed-article","quote":"Nvidia fears AMD above all"}]}`
	_, err := s.Apply(ctx, "analyst", mustRecords(t, bad))
	if ge, ok := err.(*graph.LineError); !ok || graph.ErrorCode(ge) != graph.EINVALID {
		t.Fatalf("unverifiable quote: err = %v, want BAD_USER_INPUT", err)
	}
	if got := statements(t, s, graph.View{}, "nvidia", "competesWith"); slices.ContainsFunc(got, func(st *graph.Statement) bool { return st.Object.Entity == "amd" }) {
		t.Fatalf("refused statement was written")
	}
	// ...unless the writer accepts it as unverified: stored, reported unverified.
	apply(t, s, "analyst", `{"type":"statement","subject":"nvidia","predicate":"competesWith","object":{"entity":"amd"},"references":[{"source":"seed-article","quote":"Nvidia fears AMD above all","unverified":true}]}`)
	for _, st := range statements(t, s, graph.View{}, "nvidia", "competesWith") {
		if st.Object.Entity == "amd" {
			if r := st.References[0]; r.Verified || !r.Unverified {
				t.Errorf("accepted quote: verified=%v unverified=%v, want false, true", r.Verified, r.Unverified)
			}
			return
		}
	}
	t.Fatal("accepted unverified statement not found")
}

func TestConflictsAndRanks(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStarter(t)
	if p, _ := s.Conflicts(ctx, graph.View{}, graph.ConflictQuery{Entity: "trainium3"}); p.Total != 0 {
		t.Fatalf("conflicts on trainium3 before = %d, want 0", p.Total)
	}
	// A second source gives Trainium3 another TDP.
	apply(t, s, "analyst", `{"type":"source","key":"semianalysis-trn3","url":"https://newsletter.semianalysis.com/p/aws-trainium3-deep-dive-a-potential","title":"AWS Trainium3 deep dive","kind":"news_article"}
{"type":"statement","subject":"trainium3","predicate":"tdp","object":{"amount":1000,"unit":"W"},"references":[{"source":"semianalysis-trn3"}]}`)
	for _, q := range []graph.ConflictQuery{{Entity: "trainium3"}, {Predicate: "tdp"}, {Kind: graph.Chip}} {
		p, err := s.Conflicts(ctx, graph.View{}, q)
		if err != nil || p.Total != 1 || p.Items[0].Subject != "trainium3" || len(p.Items[0].Statements) != 2 || p.Items[0].Resolved() {
			t.Fatalf("Conflicts(%+v) = %+v, %v; want one unresolved tdp conflict with both statements", q, p, err)
		}
	}
	if p, _ := s.Conflicts(ctx, graph.View{}, graph.ConflictQuery{Kind: graph.Company}); p.Total != 0 {
		t.Errorf("company conflicts = %d, want 0", p.Total)
	}
	cs, _ := s.EntityConflicts(ctx, graph.View{}, "trainium3")
	if len(cs) != 1 || cs[0].Predicate != "tdp" {
		t.Fatalf("EntityConflicts = %+v", cs)
	}
	// Preferring the datasheet's figure resolves it; both stay.
	var sheet string
	for _, st := range cs[0].Statements {
		if st.Object.Amount == 700 {
			sheet = st.Key
		}
	}
	before := s.LastChange()
	apply(t, s, "analyst", `{"type":"rank","statement":"`+sheet+`","rank":"preferred","reason":"the vendor's own figure"}`)
	cs, _ = s.EntityConflicts(ctx, graph.View{}, "trainium3")
	if len(cs) != 1 || !cs[0].Resolved() || len(cs[0].Statements) != 2 {
		t.Fatalf("after rank: %+v, want one resolved conflict still listing both statements", cs)
	}
	old, _ := s.EntityConflicts(ctx, graph.View{AsOf: before}, "trainium3")
	if len(old) != 1 || old[0].Resolved() {
		t.Errorf("asOf before the rank change the conflict is resolved")
	}
	h, err := s.History(ctx, graph.View{}, graph.StatementRecord, sheet, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	last := h.Items[len(h.Items)-1].Recorded
	if last.Op != graph.OpRank || last.By != "analyst" || last.Reason != "the vendor's own figure" {
		t.Errorf("rank change recorded as %+v", last)
	}
}

func TestRetractionAsOfOnRealData(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStarter(t)
	t0 := s.LastChange()
	st := statements(t, s, graph.View{}, "trainium3", "manufacturedBy")
	if len(st) != 1 {
		t.Fatalf("trainium3 manufacturedBy = %d statements", len(st))
	}
	apply(t, s, "analyst", `{"type":"retract","statement":"`+st[0].Key+`","reason":"test retraction"}`)
	if got := statements(t, s, graph.View{}, "trainium3", "manufacturedBy"); len(got) != 0 {
		t.Errorf("after retraction: %d statements, want 0", len(got))
	}
	if got := statements(t, s, graph.View{AsOf: t0}, "trainium3", "manufacturedBy"); len(got) != 1 || got[0].Object.Entity != "tsmc" {
		t.Errorf("asOf before retraction: %v, want the TSMC statement", got)
	}
	in, _ := s.EntityStatements(ctx, graph.View{AsOf: t0}, "tsmc", graph.EdgeQuery{Predicate: "manufacturedBy", Direction: graph.Incoming})
	now, _ := s.EntityStatements(ctx, graph.View{}, "tsmc", graph.EdgeQuery{Predicate: "manufacturedBy", Direction: graph.Incoming})
	if in.Total != now.Total+1 {
		t.Errorf("TSMC chips asOf before = %d, now = %d; want one fewer now", in.Total, now.Total)
	}
}

func TestSourceRetraction(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStarter(t)
	// A second source confirms one of the article's statements.
	apply(t, s, "analyst", `{"type":"source","key":"tsmc-annual-report","title":"TSMC annual report","kind":"filing","text":"Our customers include Nvidia and Apple."}
{"type":"statement","subject":"nvidia","predicate":"customerOf","object":{"entity":"tsmc"},"references":[{"source":"tsmc-annual-report","quote":"Our customers include Nvidia"}]}`)
	t0 := s.LastChange()
	fromArticle, err := s.SourceStatements(ctx, graph.View{}, starter.SeedArticleKey, "", 1000)
	if err != nil || fromArticle.Total == 0 {
		t.Fatal(fromArticle.Total, err)
	}
	claims, _ := s.ListClaims(ctx, graph.View{}, graph.ClaimQuery{Source: starter.SeedArticleKey})
	apply(t, s, "editor", `{"type":"retract","source":"seed-article","reason":"story withdrawn"}`)

	nv := statements(t, s, graph.View{}, "nvidia", "customerOf")
	if len(nv) != 1 || len(nv[0].References) != 1 || nv[0].References[0].Source != "tsmc-annual-report" {
		t.Fatalf("nvidia customerOf tsmc after retraction = %+v, want it standing on the annual report alone", nv)
	}
	left, _ := s.SourceStatements(ctx, graph.View{}, starter.SeedArticleKey, "", 1000)
	if left.Total != 0 {
		t.Errorf("statements still citing the retracted article: %d", left.Total)
	}
	gone := 0
	for _, st := range fromArticle.Items {
		got, _ := s.Statements(ctx, graph.View{}, []string{st.Key})
		if got[0].Retracted != nil {
			gone++
		}
	}
	if gone != fromArticle.Total-1 {
		t.Errorf("retracted %d of %d article statements, want all but the confirmed one", gone, fromArticle.Total)
	}
	if c, _ := s.ListClaims(ctx, graph.View{}, graph.ClaimQuery{Source: starter.SeedArticleKey}); c.Total != 0 {
		t.Errorf("claims citing the retracted article: %d", c.Total)
	}
	// asOf before the retraction: everything as it was.
	was, _ := s.SourceStatements(ctx, graph.View{AsOf: t0}, starter.SeedArticleKey, "", 1000)
	wasClaims, _ := s.ListClaims(ctx, graph.View{AsOf: t0}, graph.ClaimQuery{Source: starter.SeedArticleKey})
	if was.Total != fromArticle.Total || wasClaims.Total != claims.Total {
		t.Errorf("asOf before: %d statements, %d claims; want %d and %d", was.Total, wasClaims.Total, fromArticle.Total, claims.Total)
	}
	src, _ := s.Sources(ctx, graph.View{}, []string{starter.SeedArticleKey})
	if src[0].Retracted == nil || src[0].Retracted.Reason != "story withdrawn" || src[0].Retracted.By != "editor" {
		t.Errorf("source retraction = %+v", src[0].Retracted)
	}
	// The confirmed statement's history shows the correction and the reference it lost.
	h, _ := s.History(ctx, graph.View{}, graph.StatementRecord, nv[0].Key, "", 10)
	last := h.Items[len(h.Items)-1]
	onlyArticle := len(last.Removed) > 0 && !slices.ContainsFunc(last.Removed, func(r graph.Reference) bool { return r.Source != starter.SeedArticleKey })
	if last.Recorded.Op != graph.OpCorrect || !onlyArticle {
		t.Errorf("last change = %+v (removed %v), want a correction removing the article's references", last.Recorded, last.Removed)
	}
}

func TestHistoryListsEveryChange(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStarter(t)
	st := statements(t, s, graph.View{}, "trainium3", "tdp")[0]
	apply(t, s, "a", `{"type":"source","key":"extra","title":"Extra","kind":"other"}
{"type":"statement","subject":"trainium3","predicate":"tdp","object":{"amount":700,"unit":"W"},"references":[{"source":"extra"}]}`)
	apply(t, s, "b", `{"type":"rank","statement":"`+st.Key+`","rank":"deprecated","reason":"superseded"}`)
	apply(t, s, "c", `{"type":"retract","statement":"`+st.Key+`","reason":"wrong"}`)
	apply(t, s, "d", `{"type":"statement","subject":"trainium3","predicate":"tdp","object":{"amount":700,"unit":"W"},"references":[{"source":"extra"}]}`)
	apply(t, s, "e", `{"type":"entity","key":"trainium3","kind":"Chip","name":"Trainium3","aliases":["Amazon Trainium3","Trn3","Trainium 3"]}`)
	h, err := s.History(ctx, graph.View{}, graph.StatementRecord, st.Key, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, v := range h.Items {
		ops = append(ops, string(v.Recorded.Op)+":"+v.Recorded.By)
	}
	want := []string{"add:starter", "update:a", "rank:b", "retract:c", "reassert:d"}
	if !slices.Equal(ops, want) {
		t.Errorf("statement history = %v, want %v", ops, want)
	}
	if h.Items[1].Added[0].Source != "extra" {
		t.Errorf("update added %v, want the extra reference", h.Items[1].Added)
	}
	eh, err := s.History(ctx, graph.View{}, graph.EntityRecord, "trainium3", "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range eh.Items {
		if v.Statement != nil && v.Statement.Key == st.Key {
			n++
		}
	}
	if n != 5 || eh.Items[len(eh.Items)-1].Entity == nil {
		t.Errorf("entity history has %d versions of the tdp statement (want 5) and ends with %+v (want the rename)", n, eh.Items[len(eh.Items)-1].Recorded)
	}
	// Paging through history returns every entry once.
	var all []graph.Version
	after := ""
	for {
		p, err := s.History(ctx, graph.View{}, graph.EntityRecord, "trainium3", after, 7)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, p.Items...)
		if !p.HasNext {
			break
		}
		after = p.Cursors[len(p.Cursors)-1]
	}
	if len(all) != eh.Total {
		t.Errorf("paged history = %d entries, want %d", len(all), eh.Total)
	}
}

func TestEvidenceAndLinks(t *testing.T) {
	ctx := context.Background()
	s := MustOpenStarter(t)
	st := statements(t, s, graph.View{}, "trainium3", "manufacturedBy")[0]
	srcs := map[string]*graph.Source{}
	restates := func(k string) []string {
		if srcs[k] == nil {
			ss, _ := s.Sources(ctx, graph.View{}, []string{k})
			srcs[k] = ss[0]
		}
		return srcs[k].Restates
	}
	// The datasheet and Epoch's row quoting it are one piece of evidence.
	if ev := graph.CountEvidence(st.References, restates); ev.References != 2 || ev.Sources != 2 || ev.Independent != 1 {
		t.Errorf("datasheet + Epoch row: %+v, want 2 references, 2 sources, 1 independent", ev)
	}
	// A letter, and an article restating it, confirm the fact: one more.
	apply(t, s, "analyst", `{"type":"source","key":"letter","title":"Shareholder letter","kind":"shareholder_letter","text":"Trainium3 is made by TSMC."}
{"type":"source","key":"report","title":"Report on the letter","kind":"news_article","restates":["letter"],"text":"The letter says Trainium3 is made by TSMC."}
{"type":"statement","subject":"trainium3","predicate":"manufacturedBy","object":{"entity":"tsmc"},"references":[{"source":"letter","quote":"Trainium3 is made by TSMC."},{"source":"report","quote":"Trainium3 is made by TSMC."}]}
{"type":"claim","key":"doubt","claimant":"nvidia","text":"Doubts the foundry","modality":"opinion","reference":{"source":"report","quote":"The letter says"},"links":[{"relation":"contradicts","statement":"`+st.Key+`"}]}
{"type":"claim","key":"agree","claimant":"apple","text":"Agrees","modality":"opinion","reference":{"source":"letter","quote":"Trainium3"},"links":[{"relation":"supports","statement":"`+st.Key+`"},{"relation":"contradicts","claim":"doubt"}]}`)
	st = statements(t, s, graph.View{}, "trainium3", "manufacturedBy")[0]
	if ev := graph.CountEvidence(st.References, restates); ev.References != 4 || ev.Independent != 2 {
		t.Errorf("with letter and its report: %+v, want 4 references, 2 independent", ev)
	}
	for _, tc := range []struct {
		q    graph.LinkQuery
		want string
	}{
		{graph.LinkQuery{Statement: st.Key, Relation: graph.Contradicts}, "doubt"},
		{graph.LinkQuery{Statement: st.Key, Relation: graph.Supports}, "agree"},
		{graph.LinkQuery{Claim: "doubt", Relation: graph.Contradicts}, "agree"},
	} {
		p, err := s.LinkedClaims(ctx, graph.View{}, tc.q)
		if err != nil || p.Total != 1 || p.Items[0].Key != tc.want {
			t.Errorf("LinkedClaims(%+v) = %+v, %v; want %s", tc.q, p.Items, err, tc.want)
		}
	}
	// A link to an unknown statement is refused.
	_, err := s.Apply(ctx, "analyst", mustRecords(t, `{"type":"claim","key":"bad","claimant":"apple","text":"x","reference":{"source":"letter"},"links":[{"relation":"supports","statement":"st-nope"}]}`))
	if graph.ErrorCode(err) != graph.EINVALID {
		t.Errorf("link to unknown statement: err = %v, want BAD_USER_INPUT", err)
	}
}

func TestSourceTextRevision(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	apply(t, s, "a", `{"type":"source","key":"doc","title":"Doc","kind":"other","text":"Version one says TSMC makes it."}
{"type":"entity","key":"c","kind":"Chip","name":"C"}
{"type":"entity","key":"tsmc","kind":"Foundry","name":"TSMC"}
{"type":"statement","subject":"c","predicate":"manufacturedBy","object":{"entity":"tsmc"},"references":[{"source":"doc","quote":"TSMC makes it"}]}`)
	apply(t, s, "a", `{"type":"source","key":"doc","title":"Doc","kind":"other","text":"Version two: Samsung makes it now."}`)
	vs, err := s.SourceVersions(ctx, graph.View{}, "doc")
	if err != nil || len(vs) != 2 || vs[0].SHA256 == vs[1].SHA256 {
		t.Fatalf("SourceVersions = %d, %v; want two with different hashes", len(vs), err)
	}
	st := statements(t, s, graph.View{}, "c", "manufacturedBy")[0]
	ref := st.References[0]
	if !ref.Verified || ref.SourceSHA256 != vs[0].SHA256 {
		t.Errorf("old reference: verified %v against %s, want the first version %s", ref.Verified, ref.SourceSHA256, vs[0].SHA256)
	}
	if got := vs[0].Text[ref.Locator.Start:ref.Locator.End]; got != "TSMC makes it" {
		t.Errorf("old reference offsets give %q in the version it quoted", got)
	}
	// New quotes are checked against the new text.
	_, err = s.Apply(ctx, "a", mustRecords(t, `{"type":"statement","subject":"c","predicate":"manufacturedBy","object":{"entity":"tsmc"},"references":[{"source":"doc","quote":"Version one says"}]}`))
	if graph.ErrorCode(err) != graph.EINVALID {
		t.Errorf("quote from the old text against the new one: err = %v, want BAD_USER_INPUT", err)
	}
}

func TestValidAt(t *testing.T) {
	s := MustOpenStarter(t)
	apply(t, s, "a", `{"type":"entity","key":"jane","kind":"Person","name":"Jane Doe"}
{"type":"statement","subject":"jane","predicate":"executiveOf","object":{"entity":"aws"},"qualifiers":{"validFrom":"2020","validTo":"2023-06","extra":{"role":"CFO"}},"references":[{"source":"seed-article"}]}
{"type":"statement","subject":"jane","predicate":"executiveOf","object":{"entity":"amazon"},"qualifiers":{"validFrom":"2023-07","extra":{"role":"CEO"}},"references":[{"source":"seed-article"}]}`)
	for _, tc := range []struct {
		at   string
		want []string
	}{
		{"2019-05-01", nil},
		{"2021-01-01", []string{"aws"}},
		{"2023-06-30", []string{"aws"}},
		{"2023-07-01", []string{"amazon"}},
		{"2030-01-01", []string{"amazon"}},
	} {
		d := graph.MustDate(tc.at)
		var got []string
		for _, st := range statements(t, s, graph.View{ValidAt: d.Start()}, "jane", "executiveOf") {
			got = append(got, st.Object.Entity)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("validAt %s: %v, want %v", tc.at, got, tc.want)
		}
	}
	if got := statements(t, s, graph.View{}, "jane", "executiveOf"); len(got) != 2 {
		t.Errorf("without validAt: %d statements, want 2", len(got))
	}
}
