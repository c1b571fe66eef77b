package schema_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/graph"
)

// announcement is the text of the source the mutation tests add.
const announcement = "AWS designs Trainium5, the successor of Trainium3. " +
	"It is made by TSMC and draws about 1,000 watts, DeSantis said."

// mutate runs a mutation as "tester", fails on errors, compares the
// response with testdata/golden/mutations/<name>.json and decodes its data
// into out (if not nil).
func mutate(t *testing.T, e *env, name, query string, vars map[string]any, out any) {
	t.Helper()
	got := e.exec(t, writer(), query, vars)
	r := decode(t, got)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: unexpected errors: %+v", name, r.Errors)
	}
	checkGolden(t, "mutations/"+name, got)
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatalf("%s: decode data: %v", name, err)
		}
	}
}

type stmt struct {
	ID         string
	Key        string
	Current    bool
	Recorded   struct{ At, By string }
	Retraction *struct{ At, By, Reason string }
	References []struct {
		Source   struct{ Key string }
		Quote    *string
		Verified bool
		Locator  *struct {
			Section    *string
			Start, End *int
		}
		SourceSHA256 *string
	}
}

const stmtFields = `
	id key current
	subject { key } predicate { name } object { type display }
	references { source { key } quote locator { section start end } verified sourceSHA256 }
	recorded { at by }
	retraction { at by reason }`

// TestGoldenMutations writes an entity, a source, statements and a claim, then
// retracts a statement, checking each response and what reads see after.
func TestGoldenMutations(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)

	var ent struct {
		UpsertEntity struct{ Key, Kind, Name string }
	}
	mutate(t, e, "upsert_entity", `mutation {
		upsertEntity(input: {key: "trainium5", kind: Chip, name: "Trainium5", aliases: ["Trn5"], description: "Test chip."}) {
			__typename id key kind name aliases description recorded { at by }
		}
	}`, nil, &ent)
	if got, want := ent.UpsertEntity.Kind, "Chip"; got != want {
		t.Errorf("upsertEntity kind = %q, want %q", got, want)
	}

	// Upserting the same entity again changes nothing; a new alias is an update.
	before := e.export(t)
	e.mustData(t, writer(), `mutation { upsertEntity(input: {key: "trainium5", kind: Chip, name: "Trainium5", aliases: ["Trn5"], description: "Test chip."}) { key } }`, nil, new(any))
	if after := e.export(t); string(after) != string(before) {
		t.Errorf("an identical upsertEntity wrote a new version")
	}

	var src struct {
		AddSource struct{ Key, URL, Sha256 string }
	}
	mutate(t, e, "add_source", `mutation($text: String!) {
		addSource(input: {url: "https://example.com/trainium5", title: "Trainium5 announced", publisher: "Example News",
			kind: PRESS_RELEASE, published: "2026-01", text: $text}) {
			id key url title publisher kind published text sha256 recorded { at by }
		}
	}`, map[string]any{"text": announcement}, &src)
	if got, want := src.AddSource.Key, graph.SourceKeyForURL("https://example.com/trainium5"); got != want {
		t.Errorf("addSource key = %q, want the key derived from its URL %q", got, want)
	}
	if got, want := src.AddSource.Sha256, graph.TextHash(announcement); got != want {
		t.Errorf("addSource sha256 = %q, want %q", got, want)
	}
	srcKey := src.AddSource.Key

	var first struct{ AddStatement stmt }
	mutate(t, e, "add_statement", `mutation($src: String!) {
		addStatement(input: {subject: "trainium5", predicate: "designedBy", object: {entity: "aws"},
			references: [{source: $src, quote: "AWS designs Trainium5", section: "first paragraph"}]}) {`+stmtFields+`
		}
	}`, map[string]any{"src": srcKey}, &first)
	st := first.AddStatement
	if len(st.References) != 1 {
		t.Fatalf("addStatement references = %d, want 1", len(st.References))
	}
	ref := st.References[0]
	if !ref.Verified {
		t.Errorf("addStatement reference verified = false, want true (the quote is in the source text)")
	}
	if l := ref.Locator; l == nil || l.Start == nil || l.End == nil {
		t.Errorf("addStatement locator = %+v, want start and end set", l)
	} else if got, want := announcement[*l.Start:*l.End], "AWS designs Trainium5"; got != want {
		t.Errorf("announcement[start:end] = %q, want %q", got, want)
	}
	if ref.SourceSHA256 == nil || *ref.SourceSHA256 != src.AddSource.Sha256 {
		t.Errorf("reference sourceSHA256 = %v, want %s", ref.SourceSHA256, src.AddSource.Sha256)
	}
	if got, want := st.Recorded.By, "tester"; got != want {
		t.Errorf("recorded.by = %q, want %q", got, want)
	}

	// The same subject, predicate and object from another source: one
	// statement, two references.
	e.mustData(t, writer(), `mutation { addSource(input: {key: "trn5-blog", title: "A blog post on Trainium5", kind: BLOG_POST}) { key } }`, nil, new(any))
	var second struct{ AddStatement stmt }
	mutate(t, e, "add_statement_second_reference", `mutation {
		addStatement(input: {subject: "trainium5", predicate: "designedBy", object: {entity: "aws"},
			references: [{source: "trn5-blog", quote: "Trainium5 is an AWS design", page: 2}]}) {`+stmtFields+`
		}
	}`, nil, &second)
	if got, want := second.AddStatement.Key, st.Key; got != want {
		t.Errorf("second addStatement key = %q, want the first statement's %q", got, want)
	}
	var refSources []string
	for _, r := range second.AddStatement.References {
		refSources = append(refSources, r.Source.Key)
	}
	if want := []string{srcKey, "trn5-blog"}; !slices.Equal(refSources, want) {
		t.Errorf("references after second addStatement = %q, want %q", refSources, want)
	}
	if r := second.AddStatement.References[1]; r.Verified {
		t.Errorf("reference to a source without text: verified = true, want false")
	}
	var designers struct {
		Chip struct {
			Designers struct {
				TotalCount int
				Edges      []struct{ References []any }
			}
		}
	}
	e.mustData(t, context.Background(), `{ chip(key: "trainium5") { designers { totalCount edges { references { quote } } } } }`, nil, &designers)
	if d := designers.Chip.Designers; d.TotalCount != 1 || len(d.Edges) != 1 || len(d.Edges[0].References) != 2 {
		t.Errorf("trainium5 designers = %+v, want one designer with two references", d)
	}

	var claim struct {
		AddClaim struct {
			Key       string
			Reference struct{ Verified bool }
		}
	}
	mutate(t, e, "add_claim", `mutation($src: String!) {
		addClaim(input: {key: "desantis-trainium5-power", claimant: "peter-desantis", stated: "2026-01-15", modality: ESTIMATE,
			text: "Trainium5 draws about 1,000 W.",
			reference: {source: $src, quote: "draws about 1,000 watts, DeSantis said"},
			about: ["trainium5"],
			value: {amount: 1000, unit: "W", approximate: true, condition: "per chip"}}) {
			id key claimant { key } stated modality text quote source { key }
			reference { quote locator { start end } verified }
			about { key }
			value { amount unit currency approximate condition display }
			recorded { at by } current
		}
	}`, map[string]any{"src": srcKey}, &claim)
	if !claim.AddClaim.Reference.Verified {
		t.Errorf("addClaim reference verified = false, want true")
	}
	var about struct {
		Chip struct{ ClaimsAbout struct{ TotalCount int } }
	}
	e.mustData(t, context.Background(), `{ chip(key: "trainium5") { claimsAbout { totalCount } } }`, nil, &about)
	if got, want := about.Chip.ClaimsAbout.TotalCount, 1; got != want {
		t.Errorf("trainium5 claimsAbout totalCount = %d, want %d", got, want)
	}

	// Retract: the statement leaves the current view, history keeps it.
	beforeRetraction := second.AddStatement.Recorded.At
	var ret struct{ RetractStatement stmt }
	mutate(t, e, "retract_statement", `mutation($key: String!) {
		retractStatement(key: $key, reason: "the blog post was a hoax") {`+stmtFields+`
		}
	}`, map[string]any{"key": st.Key}, &ret)
	r := ret.RetractStatement
	if r.Current {
		t.Errorf("retracted statement current = true, want false")
	}
	if r.Retraction == nil || r.Retraction.Reason != "the blog post was a hoax" || r.Retraction.By != "tester" {
		t.Errorf("retraction = %+v, want reason and by tester", r.Retraction)
	}
	if len(r.References) != 2 {
		t.Errorf("retracted statement references = %d, want the 2 it had", len(r.References))
	}

	var now struct {
		Entity struct {
			Statements struct {
				TotalCount int
				Nodes      []struct{ Key string }
			}
		}
		Statement stmt
		Before    stmt
	}
	e.mustData(t, context.Background(), `query($key: String!, $before: Time!) {
		entity(key: "trainium5") { statements { totalCount nodes { key } } }
		statement(key: $key) { key current retraction { reason } }
		before: statement(key: $key, asOf: $before) { key current retraction { reason } references { source { key } } }
	}`, map[string]any{"key": st.Key, "before": beforeRetraction}, &now)
	if n := now.Entity.Statements; n.TotalCount != 0 || len(n.Nodes) != 0 {
		t.Errorf("trainium5 statements after retraction = %+v, want none", n)
	}
	if now.Statement.Current {
		t.Errorf("statement(key) current = true after retraction, want false")
	}
	if !now.Before.Current || now.Before.Retraction != nil {
		t.Errorf("statement(key, asOf: %s) = %+v, want current with no retraction", beforeRetraction, now.Before)
	}
	if len(now.Before.References) != 2 {
		t.Errorf("statement(key, asOf: %s) references = %d, want 2", beforeRetraction, len(now.Before.References))
	}
	at, err := time.Parse(time.RFC3339, r.Retraction.At)
	if err != nil {
		t.Fatal(err)
	}
	var hist struct {
		Entity struct{ Statements struct{ TotalCount int } }
	}
	e.mustData(t, context.Background(), `query($before: Time!) { entity(key: "trainium5", asOf: $before) { statements { totalCount } } }`,
		map[string]any{"before": at.Add(-time.Nanosecond).Format(time.RFC3339Nano)}, &hist)
	if got, want := hist.Entity.Statements.TotalCount, 1; got != want {
		t.Errorf("trainium5 statements just before the retraction = %d, want %d", got, want)
	}

	// Retracting again changes nothing.
	before = e.export(t)
	e.mustData(t, writer(), `mutation($key: String!) { retractStatement(key: $key, reason: "again") { current } }`, map[string]any{"key": st.Key}, new(any))
	if after := e.export(t); string(after) != string(before) {
		t.Errorf("retracting a retracted statement wrote a new version")
	}
}
