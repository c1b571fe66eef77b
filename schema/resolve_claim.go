package schema

import (
	"context"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
	graphql "github.com/graph-gophers/graphql-go"
)

type claimResolver struct {
	r *root
	v graph.View
	c *graph.Claim

	KeyF      string  `graphql:"key"`
	TextF     string  `graphql:"text"`
	QuoteF    *string `graphql:"quote"`
	ModalityF string  `graphql:"modality"`
}

func (r *root) claim(v graph.View, c *graph.Claim) *claimResolver {
	if c == nil {
		return nil
	}
	x := new(claimResolver)
	x.init(r, v, c)
	return x
}

func (x *claimResolver) ID() graphql.ID { return globalID("Claim", x.c.Key) }

// init sets x to resolve c as v sees it, with the fields read without a
// reflective call (see sourceResolver): build a claimResolver no other way.
func (x *claimResolver) init(r *root, v graph.View, c *graph.Claim) {
	*x = claimResolver{r: r, v: v, c: c, KeyF: c.Key, TextF: c.Text, QuoteF: nonEmpty(&c.Reference.Quote),
		ModalityF: modalityName(c.Modality)}
}

func (x *claimResolver) Claimant(ctx context.Context) (*entityResolver, error) {
	e, err := x.r.mustEntity(ctx, x.v, x.c.Claimant)
	return x.r.entity(x.v, e), err
}
func (x *claimResolver) Stated() *Date { return dateOrNil(x.c.Stated) }

// modalityNames are the Modality enum's values, so that resolving a
// claim's modality allocates nothing.
var modalityNames = func() map[graph.Modality]string {
	m := map[graph.Modality]string{}
	for _, x := range graph.Modalities() {
		m[x] = strings.ToUpper(string(x))
	}
	return m
}()

func modalityName(m graph.Modality) string {
	if s, ok := modalityNames[m]; ok {
		return s
	}
	return strings.ToUpper(string(m))
}
func (x *claimResolver) Source(ctx context.Context) (*sourceResolver, error) {
	return x.r.mustSource(ctx, x.v, x.c.Reference.Source)
}
func (x *claimResolver) Reference(ctx context.Context) (*referenceResolver, error) {
	refs, err := x.r.references(ctx, x.v, []graph.Reference{x.c.Reference})
	if err != nil {
		return nil, err
	}
	return refs[0], nil
}
func (x *claimResolver) About(ctx context.Context) ([]*entityResolver, error) {
	es, err := x.r.svc.Entities(ctx, x.v, x.c.About)
	if err != nil {
		return nil, x.r.fail(err)
	}
	out := make([]*entityResolver, 0, len(es))
	for _, e := range es {
		if e != nil {
			out = append(out, x.r.entity(x.v, e))
		}
	}
	return out, nil
}
func (x *claimResolver) Value() *claimValueResolver {
	if x.c.Value == nil {
		return nil
	}
	return &claimValueResolver{x.c.Value}
}
func (x *claimResolver) Recorded() *recordedResolver { return &recordedResolver{x.c.Recorded} }
func (x *claimResolver) Current() bool               { return x.c.Retracted == nil }
func (x *claimResolver) Retraction() *retractionResolver {
	if x.c.Retracted == nil {
		return nil
	}
	return &retractionResolver{x.c.Retracted}
}

type claimValueResolver struct{ v *graph.ClaimValue }

// nonEmpty returns s, or nil when *s is empty. It points into the record
// rather than at a copy, so it allocates nothing.
func nonEmpty(s *string) *string {
	if *s == "" {
		return nil
	}
	return s
}

func (x *claimValueResolver) Amount() float64    { return x.v.Amount }
func (x *claimValueResolver) Unit() *string      { return nonEmpty(&x.v.Unit) }
func (x *claimValueResolver) Currency() *string  { return nonEmpty(&x.v.Currency) }
func (x *claimValueResolver) Lower() *float64    { return x.v.Lower }
func (x *claimValueResolver) Upper() *float64    { return x.v.Upper }
func (x *claimValueResolver) Approximate() bool  { return x.v.Approximate }
func (x *claimValueResolver) Condition() *string { return nonEmpty(&x.v.Condition) }
func (x *claimValueResolver) Display() string {
	val := graph.Quantity(x.v.Amount, x.v.Unit)
	if x.v.Currency != "" {
		val = graph.Money(x.v.Amount, x.v.Currency)
	} else if x.v.Unit == "" {
		val = graph.Quantity(x.v.Amount, "1")
	}
	val.Approximate = x.v.Approximate
	s := val.String()
	if x.v.Condition != "" {
		s += " (" + x.v.Condition + ")"
	}
	return s
}

// --- claim connection

type claimConnection struct {
	nodes   []*loadedClaim
	cursors []string // as the store gives them; encoded when asked for
	total   int
	hasNext bool
}

func (r *root) claims(ctx context.Context, v graph.View, q graph.ClaimQuery, firstArg *int32, afterArg *string) (*claimConnection, error) {
	first, after, err := r.page(firstArg, afterArg)
	if err != nil {
		return nil, r.fail(err)
	}
	q.First, q.After = storeFirst(first), after
	p, err := r.svc.ListClaims(ctx, v, q)
	if err != nil {
		return nil, r.fail(err)
	}
	return r.claimConnection(ctx, v, firstPage(p, first))
}

// claimConnection builds a page of claims, with what the query selects
// below them loaded for the whole page.
func (r *root) claimConnection(ctx context.Context, v graph.View, p graph.Page[*graph.Claim]) (*claimConnection, error) {
	nodes, err := r.loadClaims(ctx, v, p.Items, wantsOf(ctx, len(p.Items)))
	if err != nil {
		return nil, r.fail(err)
	}
	return &claimConnection{nodes: nodes, cursors: p.Cursors, total: p.Total, hasNext: p.HasNext}, nil
}

type claimEdge struct {
	cursor string
	node   *loadedClaim
}

func (e *claimEdge) Cursor() string     { return encodeCursor(e.cursor) }
func (e *claimEdge) Node() *loadedClaim { return e.node }

func (c *claimConnection) Edges() []*claimEdge {
	edges := make([]claimEdge, len(c.nodes))
	out := make([]*claimEdge, len(c.nodes))
	for i := range c.nodes {
		edges[i] = claimEdge{c.cursors[i], c.nodes[i]}
		out[i] = &edges[i]
	}
	return out
}
func (c *claimConnection) Nodes() []*loadedClaim {
	if c.nodes == nil {
		return []*loadedClaim{}
	}
	return c.nodes
}
func (c *claimConnection) TotalCount() int32   { return int32(c.total) }
func (c *claimConnection) PageInfo() *pageInfo { return rawPageInfo(c.cursors, c.hasNext) }

// --- sources

// sourceResolver resolves a Source. Its exported fields are the fields
// that nearly every answer citing a source shows; graph-gophers reads them
// without a reflective call (schema.New uses UseFieldResolvers; see
// BenchmarkExecutorFloor in BENCHMARKS.md for what that saves). newSource
// and init set them: build a sourceResolver no other way.
type sourceResolver struct {
	r *root
	v graph.View
	s *graph.Source

	KeyF   string  `graphql:"key"`
	URLF   *string `graphql:"url"`
	TitleF *string `graphql:"title"`
}

// newSource resolves s as v sees it.
func newSource(r *root, v graph.View, s *graph.Source) *sourceResolver {
	x := new(sourceResolver)
	x.init(r, v, s)
	return x
}

// init sets x to resolve s as v sees it.
func (x *sourceResolver) init(r *root, v graph.View, s *graph.Source) {
	*x = sourceResolver{r: r, v: v, s: s, KeyF: s.Key, URLF: nonEmpty(&s.URL), TitleF: nonEmpty(&s.Title)}
}

func (x *sourceResolver) ID() graphql.ID              { return globalID("Source", x.s.Key) }
func (x *sourceResolver) Publisher() *string          { return nonEmpty(&x.s.Publisher) }
func (x *sourceResolver) Author() *string             { return nonEmpty(&x.s.Author) }
func (x *sourceResolver) Kind() string                { return strings.ToUpper(string(x.s.Kind)) }
func (x *sourceResolver) Published() *Date            { return dateOrNil(x.s.Published) }
func (x *sourceResolver) Retrieved() *Date            { return dateOrNil(x.s.Retrieved) }
func (x *sourceResolver) Text() *string               { return nonEmpty(&x.s.Text) }
func (x *sourceResolver) Sha256() *string             { return nonEmpty(&x.s.SHA256) }
func (x *sourceResolver) Recorded() *recordedResolver { return &recordedResolver{x.s.Recorded} }
func (x *sourceResolver) Statements(ctx context.Context, a pageArgs) (*statementConnection, error) {
	first, after, err := x.r.page(a.First, a.After)
	if err != nil {
		return nil, x.r.fail(err)
	}
	p, err := x.r.svc.SourceStatements(ctx, x.v, x.s.Key, after, storeFirst(first))
	if err != nil {
		return nil, x.r.fail(err)
	}
	p = firstPage(p, first)
	return x.r.statementConnection(ctx, x.v, p)
}
func (x *sourceResolver) Claims(ctx context.Context, a pageArgs) (*claimConnection, error) {
	return x.r.claims(ctx, x.v, graph.ClaimQuery{Source: x.s.Key}, a.First, a.After)
}

type sourceConnection struct {
	nodes   []*sourceResolver
	cursors []string
	total   int
	hasNext bool
}

type sourceEdge struct {
	cursor string
	node   *sourceResolver
}

func (e *sourceEdge) Cursor() string        { return e.cursor }
func (e *sourceEdge) Node() *sourceResolver { return e.node }

func (c *sourceConnection) Edges() []*sourceEdge {
	out := make([]*sourceEdge, len(c.nodes))
	for i := range c.nodes {
		out[i] = &sourceEdge{c.cursors[i], c.nodes[i]}
	}
	return out
}
func (c *sourceConnection) Nodes() []*sourceResolver {
	if c.nodes == nil {
		return []*sourceResolver{}
	}
	return c.nodes
}
func (c *sourceConnection) TotalCount() int32   { return int32(c.total) }
func (c *sourceConnection) PageInfo() *pageInfo { return newPageInfo(c.cursors, c.hasNext) }
