package schema_test

import (
	"context"
	"io"
	"log"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/schema"
)

type pageInfo struct {
	HasNextPage, HasPreviousPage bool
	StartCursor, EndCursor       *string
}

type entityPage struct {
	Entities struct {
		TotalCount int
		PageInfo   pageInfo
		Edges      []struct {
			Cursor string
			Node   struct{ Key string }
		}
	}
}

// TestPaginationChips walks entities(kind: Chip) five at a time: pages do
// not overlap, totalCount stays the number of chips, and the last page
// says there is no next one.
func TestPaginationChips(t *testing.T) {
	t.Parallel()
	recs, err := starter.Records()
	if err != nil {
		t.Fatal(err)
	}
	chips := map[string]bool{}
	for _, r := range recs {
		if r.Type == graph.EntityRecord && r.Entity.Kind == graph.Chip {
			chips[r.Entity.Key] = true
		}
	}
	if len(chips) <= 5 {
		t.Fatalf("starter data has %d chips; the test needs more than one page", len(chips))
	}

	e := mustOpen(t)
	const q = `query($after: String) {
		entities(kind: Chip, first: 5, after: $after) {
			totalCount
			pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { cursor node { key } }
		}
	}`
	seen := map[string]int{}
	var after any // nil: the first page
	for page := 1; ; page++ {
		if page > len(chips) {
			t.Fatalf("more than %d pages: pagination does not end", len(chips))
		}
		var p entityPage
		e.mustData(t, context.Background(), q, map[string]any{"after": after}, &p)
		c := p.Entities
		if c.TotalCount != len(chips) {
			t.Errorf("page %d: totalCount = %d, want %d (the number of chips)", page, c.TotalCount, len(chips))
		}
		if len(c.Edges) == 0 || len(c.Edges) > 5 {
			t.Fatalf("page %d: %d edges, want 1 to 5", page, len(c.Edges))
		}
		if c.PageInfo.HasNextPage && len(c.Edges) != 5 {
			t.Errorf("page %d: %d edges and hasNextPage, want a full page of 5", page, len(c.Edges))
		}
		if c.PageInfo.StartCursor == nil || *c.PageInfo.StartCursor != c.Edges[0].Cursor {
			t.Errorf("page %d: startCursor = %v, want the first edge's cursor %q", page, c.PageInfo.StartCursor, c.Edges[0].Cursor)
		}
		last := c.Edges[len(c.Edges)-1].Cursor
		if c.PageInfo.EndCursor == nil || *c.PageInfo.EndCursor != last {
			t.Fatalf("page %d: endCursor = %v, want the last edge's cursor %q", page, c.PageInfo.EndCursor, last)
		}
		for _, ed := range c.Edges {
			if p, dup := seen[ed.Node.Key]; dup {
				t.Errorf("page %d: %s was already on page %d", page, ed.Node.Key, p)
			}
			seen[ed.Node.Key] = page
			if !chips[ed.Node.Key] {
				t.Errorf("page %d: %s is not a chip", page, ed.Node.Key)
			}
		}
		if !c.PageInfo.HasNextPage {
			break
		}
		after = *c.PageInfo.EndCursor
	}
	if len(seen) != len(chips) {
		t.Errorf("pages hold %d chips, want all %d", len(seen), len(chips))
	}
}

// pageErrorTests are connection arguments the API refuses.
var pageErrorTests = []struct {
	name                string
	query               string
	code, reason, field string
	msg                 string
}{
	{"TooLarge", `{ entities(first: 100000) { totalCount } }`,
		"QUERY_TOO_COMPLEX", "INVALID_VALUE", "first", "500"},
	{"TooLargeNested", `{ chip(key: "trainium3") { designers(first: 100000) { totalCount } } }`,
		"QUERY_TOO_COMPLEX", "INVALID_VALUE", "first", "500"},
	{"TooLargeClaims", `{ claims(first: 501) { totalCount } }`,
		"QUERY_TOO_COMPLEX", "INVALID_VALUE", "first", "500"},
	{"Negative", `{ entities(first: -1) { totalCount } }`,
		"BAD_USER_INPUT", "INVALID_VALUE", "first", ""},
	{"CursorNotBase64", `{ entities(kind: Chip, after: "!!!") { totalCount } }`,
		"BAD_USER_INPUT", "INVALID_VALUE", "after", "malformed cursor"},
	{"CursorNotAStorePosition", `{ entities(kind: Chip, after: "bm90LWhleA") { totalCount } }`,
		"BAD_USER_INPUT", "INVALID_VALUE", "after", "malformed cursor"},
	{"CursorNested", `{ chip(key: "trainium3") { statements(after: "!!!") { totalCount } } }`,
		"BAD_USER_INPUT", "INVALID_VALUE", "after", "malformed cursor"},
	{"CursorOfAnotherList", `query($c: String) { entities(kind: Company, after: $c) { totalCount } }`,
		"BAD_USER_INPUT", "INVALID_VALUE", "after", "does not belong"},
}

func TestPageErrors(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	// A cursor from the chip list, used on the company list.
	var chips entityPage
	e.mustData(t, context.Background(), `{ entities(kind: Chip, first: 1) { edges { cursor } } }`, nil, &chips)
	vars := map[string]any{"c": chips.Entities.Edges[0].Cursor}
	for _, tt := range pageErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			checkError(t, e.run(t, context.Background(), tt.query, vars), tt.code, tt.reason, tt.field, tt.msg)
		})
	}
}

// The limit is the one configured in Options, and the error names it.
func TestMaxPageSizeOption(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	sc, err := schema.New(e.Store, schema.Options{MaxPageSize: 20, Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	e.Schema = sc
	checkError(t, e.run(t, context.Background(), `{ entities(first: 21) { totalCount } }`, nil),
		"QUERY_TOO_COMPLEX", "INVALID_VALUE", "first", "20")
	var p entityPage
	e.mustData(t, context.Background(), `{ entities(first: 20) { totalCount edges { cursor } } }`, nil, &p)
	if got := len(p.Entities.Edges); got != 20 {
		t.Errorf("first: 20 under a limit of 20 gave %d edges, want 20", got)
	}
}

// first: 0 returns no edges but still counts them, on every connection.
func TestFirstZero(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	var got struct {
		Entities, ByPrefix, Sources, Claims struct {
			TotalCount int
			Edges      []any
			PageInfo   pageInfo
		}
		Chip struct {
			Statements, Designers, History struct {
				TotalCount int
				Edges      []any
				PageInfo   pageInfo
			}
		}
	}
	e.mustData(t, context.Background(), `{
		entities(kind: Chip, first: 0) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } }
		byPrefix: entities(namePrefix: "trainium", first: 0) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } }
		sources(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } }
		claims(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } }
		chip(key: "trainium3") {
			statements(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } }
			designers(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } }
			history(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } }
		}
	}`, nil, &got)
	for name, c := range map[string]struct {
		TotalCount int
		Edges      []any
		PageInfo   pageInfo
	}{
		"entities": got.Entities, "byPrefix": got.ByPrefix, "sources": got.Sources, "claims": got.Claims,
		"chip.statements": got.Chip.Statements, "chip.designers": got.Chip.Designers, "chip.history": got.Chip.History,
	} {
		if len(c.Edges) != 0 {
			t.Errorf("%s(first: 0): %d edges, want 0", name, len(c.Edges))
		}
		if c.TotalCount == 0 {
			t.Errorf("%s(first: 0): totalCount = 0, want the number of items", name)
		}
		if !c.PageInfo.HasNextPage || c.PageInfo.EndCursor != nil {
			t.Errorf("%s(first: 0): pageInfo = %+v, want hasNextPage and no endCursor", name, c.PageInfo)
		}
	}
}

// A name-prefix lookup counts every match, not just the page.
func TestNamePrefixTotalCount(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	var small, all entityPage
	e.mustData(t, context.Background(), `{ entities(namePrefix: "nvidia", first: 2) { totalCount pageInfo { hasNextPage } edges { node { key } } } }`, nil, &small)
	e.mustData(t, context.Background(), `{ entities(namePrefix: "nvidia", first: 500) { totalCount pageInfo { hasNextPage } edges { node { key } } } }`, nil, &all)
	if n := len(all.Entities.Edges); n <= 2 || all.Entities.TotalCount != n || all.Entities.PageInfo.HasNextPage {
		t.Fatalf("namePrefix nvidia, first 500: %d edges, totalCount %d, hasNextPage %v; want more than 2, all counted, no next page",
			n, all.Entities.TotalCount, all.Entities.PageInfo.HasNextPage)
	}
	if got, want := small.Entities.TotalCount, all.Entities.TotalCount; got != want {
		t.Errorf("namePrefix nvidia, first 2: totalCount = %d, want %d", got, want)
	}
	if len(small.Entities.Edges) != 2 || !small.Entities.PageInfo.HasNextPage {
		t.Errorf("namePrefix nvidia, first 2: %d edges, hasNextPage %v; want 2 and true", len(small.Entities.Edges), small.Entities.PageInfo.HasNextPage)
	}
}
