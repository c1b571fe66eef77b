package schema_test

import (
	"context"
	"testing"
)

// TestProvenanceAPI walks the provenance features through GraphQL on the
// starter data: a conflict listed and resolved by rank with both statements
// still returned, history, evidence, claim links, a source retraction that
// leaves a multiply-sourced statement standing, and asOf before and after.
func TestProvenanceAPI(t *testing.T) {
	e := mustOpen(t)
	ctx := context.Background()
	w := writer()

	addTDPConflict(t, e)
	type conflicts struct {
		Conflicts struct {
			TotalCount int
			Nodes      []struct {
				Subject    struct{ Key string }
				Predicate  struct{ Name string }
				Resolved   bool
				Preferred  *struct{ Key string }
				Statements []struct {
					Key    string
					Rank   string
					Object struct{ Amount float64 }
				}
			}
		}
	}
	var c conflicts
	e.mustData(t, ctx, `{ conflicts(kind: Chip, predicate: "tdp") { totalCount nodes { subject { key } predicate { name } resolved preferred { key } statements { key rank object { amount } } } } }`, nil, &c)
	if c.Conflicts.TotalCount != 1 || len(c.Conflicts.Nodes[0].Statements) != 2 || c.Conflicts.Nodes[0].Resolved {
		t.Fatalf("conflicts = %+v, want one unresolved conflict with two statements", c)
	}
	var sheet string
	for _, s := range c.Conflicts.Nodes[0].Statements {
		if s.Object.Amount == 700 {
			sheet = s.Key
		}
	}
	var rk struct{ SetRank struct{ Rank string } }
	e.mustData(t, w, `mutation($k: String!) { setRank(key: $k, rank: PREFERRED, reason: "vendor figure") { rank } }`, map[string]any{"k": sheet}, &rk)
	if rk.SetRank.Rank != "PREFERRED" {
		t.Errorf("setRank = %s", rk.SetRank.Rank)
	}
	e.mustData(t, ctx, `{ conflicts(entity: "trainium3") { totalCount nodes { subject { key } predicate { name } resolved preferred { key } statements { key rank object { amount } } } } }`, nil, &c)
	if n := c.Conflicts.Nodes; len(n) != 1 || !n[0].Resolved || n[0].Preferred == nil || n[0].Preferred.Key != sheet || len(n[0].Statements) != 2 {
		t.Errorf("after setRank: %+v, want resolved by the datasheet statement with both still listed", c)
	}
	var tdp struct {
		Chip struct {
			Tdp       struct{ Object struct{ Amount float64 } }
			Conflicts []struct{ Resolved bool }
		}
	}
	e.mustData(t, ctx, `{ chip(key: "trainium3") { tdp { object { amount } } conflicts { resolved } } }`, nil, &tdp)
	if tdp.Chip.Tdp.Object.Amount != 700 || len(tdp.Chip.Conflicts) != 1 {
		t.Errorf("chip tdp = %v with %d conflicts, want the preferred 700 W and the conflict listed", tdp.Chip.Tdp.Object.Amount, len(tdp.Chip.Conflicts))
	}

	// History of the statement: added, then re-ranked with who and why.
	var h struct {
		Statement struct {
			History struct {
				TotalCount int
				Edges      []struct {
					Recorded        struct{ Op, By, Reason *string }
					AddedReferences []struct{ Source struct{ Key string } }
				}
			}
			Evidence struct{ References, Sources, IndependentSources int }
		}
	}
	e.mustData(t, ctx, `query($k: String!) { statement(key: $k) { history { totalCount edges { recorded { op by reason } addedReferences { source { key } } } }
		evidence { references sources independentSources } } }`, map[string]any{"k": sheet}, &h)
	ed := h.Statement.History.Edges
	if len(ed) != 2 || *ed[0].Recorded.Op != "ADD" || *ed[1].Recorded.Op != "RANK" || *ed[1].Recorded.By != "tester" || *ed[1].Recorded.Reason != "vendor figure" {
		t.Errorf("history = %+v, want ADD then RANK by tester for 'vendor figure'", ed)
	}
	if ev := h.Statement.Evidence; ev.References != 2 || ev.Sources != 2 || ev.IndependentSources != 1 {
		t.Errorf("evidence = %+v, want 2 references from 2 sources counting as 1 (Epoch restates the datasheet)", ev)
	}

	// A claim contradicting the review's figure.
	var rev struct {
		Chip struct {
			Statements struct {
				Nodes []struct {
					Key    string
					Object struct{ Amount float64 }
				}
			}
		}
	}
	e.mustData(t, ctx, `{ chip(key: "trainium3") { statements(predicate: "tdp") { nodes { key object { amount } } } } }`, nil, &rev)
	var review string
	for _, n := range rev.Chip.Statements.Nodes {
		if n.Object.Amount == 1000 {
			review = n.Key
		}
	}
	var added struct {
		AddClaim struct {
			Recorded struct{ At string }
			Links    []struct {
				Relation  string
				Statement struct{ Key string }
			}
		}
	}
	e.mustData(t, w, `mutation($k: String!) { addClaim(input: {key: "aws-denies-1kw", claimant: "aws", text: "AWS says Trainium3 does not draw 1,000 W.", modality: ASSERTED,
		reference: {source: "trn3-review", quote: "We measured"}, about: ["trainium3"], links: [{relation: CONTRADICTS, statement: $k}]}) { recorded { at } links { relation statement { key } } } }`,
		map[string]any{"k": review}, &added)
	if l := added.AddClaim.Links; len(l) != 1 || l[0].Relation != "CONTRADICTS" || l[0].Statement.Key != review {
		t.Errorf("addClaim links = %+v, want CONTRADICTS %s", l, review)
	}
	var cb struct {
		Statement struct {
			ContradictedBy struct {
				Nodes []struct{ Key string }
			}
		}
	}
	e.mustData(t, ctx, `query($k: String!) { statement(key: $k) { contradictedBy { nodes { key } } } }`, map[string]any{"k": review}, &cb)
	if n := cb.Statement.ContradictedBy.Nodes; len(n) != 1 || n[0].Key != "aws-denies-1kw" {
		t.Errorf("contradictedBy = %+v", n)
	}

	// Retract the review: its statement leaves (only reference), its claim
	// leaves; asOf before the retraction shows both.
	asOf := added.AddClaim.Recorded.At
	var rs struct {
		RetractSource struct {
			Current    bool
			Retraction struct{ Reason string }
		}
	}
	e.mustData(t, w, `mutation { retractSource(key: "trn3-review", reason: "review withdrawn") { current retraction { reason } } }`, nil, &rs)
	if rs.RetractSource.Current || rs.RetractSource.Retraction.Reason != "review withdrawn" {
		t.Errorf("retractSource = %+v", rs)
	}
	type tdps struct {
		Chip struct {
			Statements  struct{ TotalCount int }
			ClaimsAbout struct{ TotalCount int }
		}
	}
	var after, was tdps
	e.mustData(t, ctx, `{ chip(key: "trainium3") { statements(predicate: "tdp") { totalCount } claimsAbout { totalCount } } }`, nil, &after)
	e.mustData(t, ctx, `query($t: Time) { chip(key: "trainium3", asOf: $t) { statements(predicate: "tdp") { totalCount } claimsAbout { totalCount } } }`, map[string]any{"t": asOf}, &was)
	if after.Chip.Statements.TotalCount != 1 || was.Chip.Statements.TotalCount != 2 {
		t.Errorf("tdp statements now %d, asOf %s %d; want 1 and 2", after.Chip.Statements.TotalCount, asOf, was.Chip.Statements.TotalCount)
	}
	if after.Chip.ClaimsAbout.TotalCount+1 != was.Chip.ClaimsAbout.TotalCount {
		t.Errorf("claims about trainium3 now %d, before %d; want the review's claim gone", after.Chip.ClaimsAbout.TotalCount, was.Chip.ClaimsAbout.TotalCount)
	}
	var hist struct {
		Chip struct {
			History struct {
				TotalCount int
				Edges      []struct {
					Type     string
					Recorded struct{ Op string }
				}
			}
		}
	}
	e.mustData(t, ctx, `{ chip(key: "trainium3") { history(first: 500) { totalCount edges { type recorded { op } } } } }`, nil, &hist)
	ops := map[string]int{}
	for _, ed := range hist.Chip.History.Edges {
		ops[ed.Recorded.Op]++
	}
	if ops["ADD"] == 0 || ops["RANK"] != 1 || ops["RETRACT"] != 1 {
		t.Errorf("entity history ops = %v, want adds, one RANK and one RETRACT", ops)
	}
}
