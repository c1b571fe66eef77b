package schema

import (
	"context"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
	graphql "github.com/graph-gophers/graphql-go"
)

type searchArgs struct {
	Query string
	Kinds *[]string
	// First has no SDL default: graph-gophers passes an unset $first
	// variable as null, which a default-valued int32 argument refuses.
	First *int32
	After *string
	AsOf  *graphql.Time
}

// defaultSearchPage is the page size when first is null.
const defaultSearchPage = 20

// Search resolves Query.search.
func (r *root) Search(ctx context.Context, a searchArgs) (*searchConnection, error) {
	v := viewArgs{AsOf: a.AsOf}.view()
	if a.First == nil {
		n := int32(defaultSearchPage)
		a.First = &n
	}
	first, after, err := r.page(a.First, a.After)
	if err != nil {
		return nil, r.fail(err)
	}
	q := graph.SearchQuery{Text: a.Query, After: after, First: storeFirst(first), SkipTotal: !wantsTotal(ctx)}
	if a.Kinds != nil {
		for _, k := range *a.Kinds {
			q.Kinds = append(q.Kinds, graph.Kind(k)) // SearchKind values are graph.Kind names
		}
	}
	p, err := r.svc.Search(ctx, v, q)
	if err != nil {
		return nil, r.fail(err)
	}
	p = firstPage(p, first)
	c := &searchConnection{total: p.Total, hasNext: p.HasNext}
	for i, h := range p.Items {
		hit := &searchHit{cursor: encodeCursor(p.Cursors[i]), hit: h}
		switch {
		case h.Entity != nil:
			hit.node = &nodeResolver{e: r.entity(v, h.Entity)}
		case h.Claim != nil:
			hit.node = &nodeResolver{c: r.claim(v, h.Claim)}
		default:
			hit.node = &nodeResolver{o: newSource(r, v, h.Source)}
		}
		c.hits = append(c.hits, hit)
		c.cursors = append(c.cursors, hit.cursor)
	}
	return c, nil
}

// wantsTotal reports whether the request's document may select the
// connection's totalCount, which costs a search every hit (namesOf).
func wantsTotal(ctx context.Context) bool {
	return namesOf(ctx)&nameTotalCount != 0
}

type searchConnection struct {
	hits    []*searchHit
	cursors []string
	total   int
	hasNext bool
}

func (c *searchConnection) Edges() []*searchHit {
	if c.hits == nil {
		return []*searchHit{}
	}
	return c.hits
}

func (c *searchConnection) Nodes() []*nodeResolver {
	out := make([]*nodeResolver, len(c.hits))
	for i, h := range c.hits {
		out[i] = h.node
	}
	return out
}

func (c *searchConnection) TotalCount() int32   { return int32(c.total) }
func (c *searchConnection) PageInfo() *pageInfo { return newPageInfo(c.cursors, c.hasNext) }

// searchHit resolves SearchHit; its node resolves the SearchResult union
// through nodeResolver's ToChip, ToClaim, ToSource, ... methods.
type searchHit struct {
	cursor string
	node   *nodeResolver
	hit    graph.SearchHit
}

func (h *searchHit) Cursor() string      { return h.cursor }
func (h *searchHit) Node() *nodeResolver { return h.node }
func (h *searchHit) Score() float64      { return h.hit.Score }
func (h *searchHit) Matches() []*searchMatch {
	out := make([]*searchMatch, len(h.hit.Matches))
	for i := range h.hit.Matches {
		out[i] = &searchMatch{&h.hit.Matches[i]}
	}
	return out
}

type searchMatch struct{ m *graph.SearchMatch }

// searchFieldEnum maps domain fields to SearchField values.
var searchFieldEnum = map[graph.SearchField]string{
	graph.FieldName:        "NAME",
	graph.FieldAlias:       "ALIAS",
	graph.FieldDescription: "DESCRIPTION",
	graph.FieldClaimText:   "CLAIM_TEXT",
	graph.FieldSourceTitle: "SOURCE_TITLE",
}

func (m *searchMatch) Field() string   { return searchFieldEnum[m.m.Field] }
func (m *searchMatch) Term() string    { return m.m.Term }
func (m *searchMatch) Matched() string { return m.m.Matched }
func (m *searchMatch) Kind() string    { return strings.ToUpper(string(m.m.Kind)) }
