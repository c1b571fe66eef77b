package schema_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// searchResult is the part of a search response the tests read.
type searchResult struct {
	Search struct {
		TotalCount int
		PageInfo   pageInfo
		Edges      []struct {
			Cursor  string
			Score   float64
			Matches []struct{ Field, Term, Matched, Kind string }
			Node    struct {
				Typename string `json:"__typename"`
				Key      string
			}
		}
		Nodes []struct {
			Typename string `json:"__typename"`
		}
	}
}

const searchQuery = `query($q: String!, $kinds: [SearchKind!], $first: Int, $after: String, $asOf: Time) {
	search(query: $q, kinds: $kinds, first: $first, after: $after, asOf: $asOf) {
		totalCount
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		edges {
			cursor score
			matches { field term matched kind }
			node {
				__typename
				... on Company { key } ... on Foundry { key } ... on Person { key } ... on Chip { key }
				... on ChipFamily { key } ... on System { key } ... on ProcessNode { key }
				... on Claim { key } ... on Source { key }
			}
		}
		nodes { __typename }
	}
}`

func (e *env) search(t *testing.T, vars map[string]any) searchResult {
	t.Helper()
	var got searchResult
	e.mustData(t, context.Background(), searchQuery, vars, &got)
	return got
}

func (r searchResult) keys() []string {
	var out []string
	for _, e := range r.Search.Edges {
		out = append(out, e.Node.Typename+":"+e.Node.Key)
	}
	return out
}

// The family named Trainium comes first, then its chips, each hit saying
// which field matched and how.
func TestSearchRanking(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	got := e.search(t, map[string]any{"q": "Trainium", "first": 5})
	keys := got.keys()
	if len(keys) != 5 || keys[0] != "ChipFamily:trainium" {
		t.Fatalf("search(Trainium) = %v, want the family first", keys)
	}
	if !sameElems(keys[1:], []string{"Chip:trainium1", "Chip:trainium2", "Chip:trainium3", "Chip:trainium4"}) {
		t.Errorf("search(Trainium) = %v, want the four chips after the family", keys)
	}
	first := got.Search.Edges[0]
	if first.Score != 1 || len(first.Matches) != 1 || first.Matches[0] != (struct{ Field, Term, Matched, Kind string }{"NAME", "trainium", "trainium", "EXACT"}) {
		t.Errorf("family hit = score %v, matches %+v; want 1 and an exact NAME match", first.Score, first.Matches)
	}
	if m := got.Search.Edges[1].Matches; len(m) == 0 || m[0].Field != "NAME" || m[0].Kind != "PREFIX" {
		t.Errorf("chip hit matches = %+v, want a NAME PREFIX match first", m)
	}
	if len(got.Search.Nodes) != 5 || got.Search.Nodes[0].Typename != "ChipFamily" {
		t.Errorf("nodes = %+v, want the edges' nodes", got.Search.Nodes)
	}
	if got.Search.TotalCount <= 5 || !got.Search.PageInfo.HasNextPage {
		t.Errorf("totalCount %d, hasNextPage %v; want more than 5 and true", got.Search.TotalCount, got.Search.PageInfo.HasNextPage)
	}
}

func sameElems(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestSearchTolerance(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	tests := []struct {
		query, first, kind string
	}{
		{"Trn", "Chip:trainium", "PREFIX"}, // any of trainium1..3, by alias
		{"Trainum", "ChipFamily:trainium", "FUZZY"},
		{"Nvidai", "Company:nvidia", "FUZZY"},
		{"tsmc", "Foundry:tsmc", "EXACT"},
		{"TSMÇ", "Foundry:tsmc", "EXACT"},
	}
	for _, tt := range tests {
		got := e.search(t, map[string]any{"q": tt.query, "first": 1})
		if len(got.Search.Edges) != 1 {
			t.Errorf("search(%q) found nothing", tt.query)
			continue
		}
		h := got.Search.Edges[0]
		if k := h.Node.Typename + ":" + h.Node.Key; len(k) < len(tt.first) || k[:len(tt.first)] != tt.first || h.Matches[0].Kind != tt.kind {
			t.Errorf("search(%q) first = %s %+v, want %s… with a %s match", tt.query, k, h.Matches, tt.first, tt.kind)
		}
	}
}

func TestSearchKinds(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	got := e.search(t, map[string]any{"q": "capacity", "kinds": []any{"Claim"}})
	if got.Search.TotalCount == 0 {
		t.Fatal("search(capacity, kinds: [Claim]) found nothing")
	}
	for _, h := range got.Search.Edges {
		if h.Node.Typename != "Claim" || h.Matches[0].Field != "CLAIM_TEXT" {
			t.Errorf("hit %s:%s matched %+v, want claims matched by CLAIM_TEXT", h.Node.Typename, h.Node.Key, h.Matches)
		}
	}
	got = e.search(t, map[string]any{"q": "challenge nvidia", "kinds": []any{"Source"}})
	if keys := got.keys(); len(keys) == 0 || keys[0] != "Source:seed-article" || got.Search.Edges[0].Matches[0].Field != "SOURCE_TITLE" {
		t.Errorf("search(challenge nvidia, kinds: [Source]) = %v, want the seed article by title first", keys)
	}
	got = e.search(t, map[string]any{"q": "trainium", "kinds": []any{"Chip", "ChipFamily"}})
	if !sameElems(got.keys(), []string{"ChipFamily:trainium", "Chip:trainium1", "Chip:trainium2", "Chip:trainium3", "Chip:trainium4"}) {
		t.Errorf("search(trainium, kinds: [Chip, ChipFamily]) = %v", got.keys())
	}
}

// Pages of 3 follow each other without gaps or repeats; first: 0 counts.
func TestSearchPages(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	all := e.search(t, map[string]any{"q": "nvidia amazon", "first": 500})
	var paged []string
	vars := map[string]any{"q": "nvidia amazon", "first": 3}
	for range 200 {
		got := e.search(t, vars)
		if got.Search.TotalCount != all.Search.TotalCount {
			t.Fatalf("totalCount = %d, want %d", got.Search.TotalCount, all.Search.TotalCount)
		}
		paged = append(paged, got.keys()...)
		if !got.Search.PageInfo.HasNextPage {
			break
		}
		vars["after"] = *got.Search.PageInfo.EndCursor
	}
	if want := all.keys(); !slices.Equal(paged, want) {
		t.Errorf("pages of 3 = %v\nwant %v", paged, want)
	}
	zero := e.search(t, map[string]any{"q": "nvidia", "first": 0})
	if zero.Search.TotalCount == 0 || len(zero.Search.Edges) != 0 || !zero.Search.PageInfo.HasNextPage {
		t.Errorf("first: 0 = %+v, want a count and no edges", zero.Search)
	}
}

func TestSearchAsOf(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	loaded := e.Store.LastChange()
	var up struct{ UpsertEntity struct{ Key string } }
	e.mustData(t, writer(), `mutation { upsertEntity(input: {key: "zephyr-x1", kind: Chip, name: "Zephyrine X1"}) { key } }`, nil, &up)
	now := e.search(t, map[string]any{"q": "zephyrine"})
	then := e.search(t, map[string]any{"q": "zephyrine", "asOf": loaded.Format(time.RFC3339Nano)})
	if !slices.Equal(now.keys(), []string{"Chip:zephyr-x1"}) || len(then.keys()) != 0 {
		t.Errorf("now %v, asOf before the write %v; want the chip, then nothing", now.keys(), then.keys())
	}
}

func TestSearchRefused(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	tests := []struct {
		name  string
		vars  map[string]any
		code  string
		field string
	}{
		{"NoWords", map[string]any{"q": "  ?! "}, "BAD_USER_INPUT", "query"},
		{"TooManyWords", map[string]any{"q": "one two three four five six seven eight nine"}, "BAD_USER_INPUT", "query"},
		{"BadCursor", map[string]any{"q": "nvidia", "after": "not-a-cursor"}, "BAD_USER_INPUT", "after"},
		{"PageTooLarge", map[string]any{"q": "nvidia", "first": 100000}, "QUERY_TOO_COMPLEX", "first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(t, context.Background(), searchQuery, tt.vars)
			if len(r.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", r.Errors)
			}
			if got := r.Errors[0].Extensions["code"]; got != tt.code {
				t.Errorf("code = %v, want %s", got, tt.code)
			}
			if got := r.Errors[0].Extensions["field"]; got != tt.field {
				t.Errorf("field = %v, want %q", got, tt.field)
			}
		})
	}
	// A cursor of another search is refused.
	a := e.search(t, map[string]any{"q": "nvidia", "first": 1})
	r := e.run(t, context.Background(), searchQuery, map[string]any{"q": "tsmc", "after": *a.Search.PageInfo.EndCursor})
	if len(r.Errors) != 1 || r.Errors[0].Extensions["field"] != "after" {
		t.Errorf("cursor of another search: errors = %+v, want one on after", r.Errors)
	}
}

// A search that does not select totalCount gets the same page; one that
// selects it under an alias or in a fragment still gets the count.
func TestSearchWithoutTotal(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	noTotal := strings.Replace(searchQuery, "totalCount", "", 1)
	const fragment = `query($q: String!) { search(query: $q) { n: totalCount ...more } }
		fragment more on SearchConnection { totalCount }`
	for _, vars := range []map[string]any{
		{"q": "trainium", "first": 2}, {"q": "trainium", "kinds": []any{"Chip"}, "first": 3},
		{"q": "trainum", "first": 20}, {"q": "nvidia", "first": 1}, {"q": "amazon chips", "first": 2},
	} {
		want := e.search(t, vars)
		var got searchResult
		e.mustData(t, context.Background(), noTotal, vars, &got)
		want.Search.TotalCount = 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("search(%v) without totalCount = %+v\nwant %+v", vars, got.Search, want.Search)
		}
		var counted struct{ Search struct{ N, TotalCount int } }
		e.mustData(t, context.Background(), fragment, map[string]any{"q": vars["q"]}, &counted)
		if all := e.search(t, map[string]any{"q": vars["q"]}); counted.Search.N != all.Search.TotalCount || counted.Search.TotalCount != all.Search.TotalCount {
			t.Errorf("search(%v) totalCount by alias and fragment = %+v, want %d", vars["q"], counted.Search, all.Search.TotalCount)
		}
	}
}
