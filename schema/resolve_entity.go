package schema

import (
	"context"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
	graphql "github.com/graph-gophers/graphql-go"
)

// entityResolver resolves every entity type; ToChip and friends pick the
// concrete GraphQL type by kind.
//
// KeyF and NameF are read without a reflective call (see sourceResolver);
// r.entity sets them: build an entityResolver no other way.
type entityResolver struct {
	r *root
	v graph.View
	e *graph.Entity

	KeyF  string `graphql:"key"`
	NameF string `graphql:"name"`
}

func (r *root) entity(v graph.View, e *graph.Entity) *entityResolver {
	if e == nil {
		return nil
	}
	return &entityResolver{r: r, v: v, e: e, KeyF: e.Key, NameF: e.Name}
}

func (x *entityResolver) ID() graphql.ID    { return globalID("Entity", x.e.Key) }
func (x *entityResolver) Kind() string      { return string(x.e.Kind) }
func (x *entityResolver) Aliases() []string { return append([]string{}, x.e.Aliases...) }
func (x *entityResolver) Description() *string {
	if x.e.Description == "" {
		return nil
	}
	return &x.e.Description
}
func (x *entityResolver) Recorded() *recordedResolver { return &recordedResolver{x.e.Recorded} }

func (x *entityResolver) as(k graph.Kind) (*entityResolver, bool) { return x, x.e.Kind == k }

func (x *entityResolver) ToCompany() (*entityResolver, bool)     { return x.as(graph.Company) }
func (x *entityResolver) ToFoundry() (*entityResolver, bool)     { return x.as(graph.Foundry) }
func (x *entityResolver) ToPerson() (*entityResolver, bool)      { return x.as(graph.Person) }
func (x *entityResolver) ToChip() (*entityResolver, bool)        { return x.as(graph.Chip) }
func (x *entityResolver) ToChipFamily() (*entityResolver, bool)  { return x.as(graph.ChipFamily) }
func (x *entityResolver) ToSystem() (*entityResolver, bool)      { return x.as(graph.System) }
func (x *entityResolver) ToProcessNode() (*entityResolver, bool) { return x.as(graph.ProcessNode) }

// Optional arguments are pointers: nil (null or left out) takes the default.
type pageArgs struct {
	First *int32
	After *string
}

type statementsArgs struct {
	Predicate *string
	Direction *string
	First     *int32
	After     *string
}

type relatedArgs struct {
	Predicate string
	Direction *string
	Filter    *entityFilterInput
	First     *int32
	After     *string
}

// relArgs are the arguments of typed relation lists.
type relArgs struct {
	Filter *entityFilterInput
	First  *int32
	After  *string
}

// rel resolves a typed relation list, filtered when a filter is given.
func (x *entityResolver) rel(ctx context.Context, predicate string, dir graph.Direction, a relArgs) (*relationConnection, error) {
	if a.Filter != nil {
		return x.filteredRelations(ctx, predicate, dir, a.Filter, a.First, a.After)
	}
	return x.relations(ctx, predicate, dir, a.First, a.After)
}

// dirArg reads an optional Direction argument.
func dirArg(s *string, def graph.Direction) graph.Direction {
	if s == nil {
		return def
	}
	return direction(*s)
}

func direction(s string) graph.Direction {
	switch s {
	case "INCOMING":
		return graph.Incoming
	case "BOTH":
		return graph.Both
	}
	return graph.Outgoing
}

func (x *entityResolver) Statements(ctx context.Context, args statementsArgs) (*statementConnection, error) {
	first, after, err := x.r.page(args.First, args.After)
	if err != nil {
		return nil, x.r.fail(err)
	}
	q := graph.EdgeQuery{Direction: dirArg(args.Direction, graph.Outgoing), After: after, First: storeFirst(first)}
	if args.Predicate != nil {
		q.Predicate = *args.Predicate
	}
	p, err := x.r.svc.EntityStatements(ctx, x.v, x.e.Key, q)
	if err != nil {
		return nil, x.r.fail(err)
	}
	p = firstPage(p, first)
	return x.r.statementConnection(ctx, x.v, p)
}

func (x *entityResolver) Related(ctx context.Context, args relatedArgs) (*relationConnection, error) {
	return x.rel(ctx, args.Predicate, dirArg(args.Direction, graph.Outgoing), relArgs{args.Filter, args.First, args.After})
}

func (x *entityResolver) ClaimsAbout(ctx context.Context, args pageArgs) (*claimConnection, error) {
	return x.r.claims(ctx, x.v, graph.ClaimQuery{About: x.e.Key}, args.First, args.After)
}

func (x *entityResolver) Claims(ctx context.Context, args pageArgs) (*claimConnection, error) {
	return x.r.claims(ctx, x.v, graph.ClaimQuery{Claimant: x.e.Key}, args.First, args.After)
}

// relations lists the entities related to x through predicate, in batch:
// one read for the statements, one for the entities at the other end.
func (x *entityResolver) relations(ctx context.Context, predicate string, dir graph.Direction, firstArg *int32, afterArg *string) (*relationConnection, error) {
	first, after, err := x.r.page(firstArg, afterArg)
	if err != nil {
		return nil, x.r.fail(err)
	}
	pred, ok := graph.Predicates.Lookup(predicate)
	if !ok {
		return nil, x.r.fail(graph.Invalid("predicate", graph.RUnknownPredicate, "unknown predicate %q", predicate))
	}
	if pred.Literal != "" {
		// A relation's edges are entities; a literal predicate has none,
		// and its statements would count in totalCount without an edge.
		return nil, x.r.fail(graph.Invalid("predicate", graph.RTypeMismatch,
			"predicate %q has %s values, not entities: its statements are listed by statements(predicate: %q)", predicate, pred.Literal, predicate))
	}
	// First pages load for the entity and its siblings at once (resolve_explore.go).
	if c, ok, err := x.batchedRelations(ctx, predicate, dir, first, after); ok {
		return c, x.r.fail(err)
	}
	p, err := x.r.svc.EntityStatements(ctx, x.v, x.e.Key, graph.EdgeQuery{Predicate: predicate, Direction: dir, After: after, First: storeFirst(first)})
	if err != nil {
		return nil, x.r.fail(err)
	}
	p = firstPage(p, first)
	keys := make([]string, 0, len(p.Items))
	for _, st := range p.Items {
		keys = append(keys, otherEnd(st, x.e.Key))
	}
	ents, err := x.r.svc.Entities(ctx, x.v, keys)
	if err != nil {
		return nil, x.r.fail(err)
	}
	registerSiblings(ctx, x.v, keys)
	var srcs map[string]*graph.Source
	if wantsOf(ctx, len(p.Items)).sources {
		if srcs, err = x.r.sourcesOf(ctx, x.v, p.Items); err != nil {
			return nil, x.r.fail(err)
		}
	}
	c := &relationConnection{total: p.Total, hasNext: p.HasNext}
	for i, st := range p.Items {
		if ents[i] == nil || st.Object.Type != graph.EntityValue {
			continue
		}
		c.edges = append(c.edges, x.relation(p.Cursors[i], ents[i], st, srcs))
	}
	return c, nil
}

// relation is the edge from x to other through st, at the store's cursor,
// with the sources of st's references (nil unless they are selected).
func (x *entityResolver) relation(cursor string, other *graph.Entity, st *graph.Statement, srcs map[string]*graph.Source) *relationResolver {
	return &relationResolver{cursor: cursor, node: x.r.entity(x.v, other), st: x.r.loadedEnds(x.v, st, x.e, other, srcs)}
}

// otherEnd is the entity at the far end of an entity-valued statement.
func otherEnd(st *graph.Statement, self string) string {
	if st.Subject == self {
		return st.Object.Entity
	}
	return st.Subject
}

// one returns the best single relation: a preferred statement if any,
// else the first that is not deprecated.
func (x *entityResolver) one(ctx context.Context, predicate string, dir graph.Direction) (*relationResolver, error) {
	n := int32(20)
	c, err := x.relations(ctx, predicate, dir, &n, nil)
	if err != nil || len(c.edges) == 0 {
		return nil, err
	}
	best := -1
	for i, e := range c.edges {
		switch {
		case e.st.s.Rank == graph.Preferred:
			return e, nil
		case best < 0 && e.st.s.Rank != graph.Deprecated:
			best = i
		}
	}
	if best < 0 {
		best = 0
	}
	return c.edges[best], nil
}

// literal returns the best single statement of a literal predicate.
func (x *entityResolver) literal(ctx context.Context, predicate string) (*loadedStatement, error) {
	sts, err := x.literals(ctx, predicate, "")
	if err != nil || len(sts) == 0 {
		return nil, err
	}
	best := sts[0]
	for _, s := range sts {
		if s.s.Rank == graph.Preferred {
			return s, nil
		}
		if best.s.Rank == graph.Deprecated && s.s.Rank != graph.Deprecated {
			best = s
		}
	}
	return best, nil
}

func (x *entityResolver) literals(ctx context.Context, predicate, precision string) ([]*loadedStatement, error) {
	p, ok, err := x.batchedStatements(ctx, predicate, graph.Outgoing, 100)
	if !ok {
		p, err = x.r.svc.EntityStatements(ctx, x.v, x.e.Key, graph.EdgeQuery{Predicate: predicate, First: 100})
	}
	if err != nil {
		return nil, x.r.fail(err)
	}
	var sts []*graph.Statement
	for _, st := range p.Items {
		if precision != "" && !strings.EqualFold(st.Qualifiers.Extra["precision"], precision) {
			continue
		}
		sts = append(sts, st)
	}
	out, err := x.r.loadStatements(ctx, x.v, sts, wantsOf(ctx, len(sts)), x.e)
	if len(out) == 0 {
		out = nil
	}
	return out, x.r.fail(err)
}

// Company and Foundry.
func (x *entityResolver) Chips(ctx context.Context, a relArgs) (*relationConnection, error) {
	switch x.e.Kind {
	case graph.Foundry:
		return x.rel(ctx, "manufacturedBy", graph.Incoming, a)
	case graph.ProcessNode:
		return x.rel(ctx, "processNode", graph.Incoming, a)
	}
	return x.rel(ctx, "designedBy", graph.Incoming, a)
}
func (x *entityResolver) Subsidiaries(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "subsidiaryOf", graph.Incoming, a)
}
func (x *entityResolver) Divisions(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "divisionOf", graph.Incoming, a)
}
func (x *entityResolver) Parent(ctx context.Context) (*relationResolver, error) {
	if r, err := x.one(ctx, "subsidiaryOf", graph.Outgoing); r != nil || err != nil {
		return r, err
	}
	return x.one(ctx, "divisionOf", graph.Outgoing)
}
func (x *entityResolver) People(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "executiveOf", graph.Incoming, a)
}
func (x *entityResolver) Suppliers(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "customerOf", graph.Outgoing, a)
}
func (x *entityResolver) Customers(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "customerOf", graph.Incoming, a)
}
func (x *entityResolver) Competitors(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "competesWith", graph.Both, a)
}
func (x *entityResolver) RevenueRunRate(ctx context.Context) (*loadedStatement, error) {
	return x.literal(ctx, "revenueRunRate")
}
func (x *entityResolver) ProcessNodes(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "operatedBy", graph.Incoming, a)
}

// Person.
func (x *entityResolver) Organizations(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "executiveOf", graph.Outgoing, a)
}

// Chip, ChipFamily, System.
func (x *entityResolver) Designers(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "designedBy", graph.Outgoing, a)
}
func (x *entityResolver) Manufacturers(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "manufacturedBy", graph.Outgoing, a)
}
func (x *entityResolver) Family(ctx context.Context) (*relationResolver, error) {
	return x.one(ctx, "memberOf", graph.Outgoing)
}
func (x *entityResolver) Predecessor(ctx context.Context) (*relationResolver, error) {
	return x.one(ctx, "successorOf", graph.Outgoing)
}
func (x *entityResolver) Successors(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "successorOf", graph.Incoming, a)
}
func (x *entityResolver) ProcessNode(ctx context.Context) (*relationResolver, error) {
	return x.one(ctx, "processNode", graph.Outgoing)
}
func (x *entityResolver) Systems(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "partOf", graph.Outgoing, a)
}
func (x *entityResolver) Members(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "memberOf", graph.Incoming, a)
}
func (x *entityResolver) Parts(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "partOf", graph.Incoming, a)
}
func (x *entityResolver) Foundries(ctx context.Context, a relArgs) (*relationConnection, error) {
	return x.rel(ctx, "operatedBy", graph.Outgoing, a)
}
func (x *entityResolver) ReleaseDate(ctx context.Context) (*loadedStatement, error) {
	return x.literal(ctx, "releaseDate")
}
func (x *entityResolver) Memory(ctx context.Context) (*loadedStatement, error) {
	return x.literal(ctx, "memory")
}
func (x *entityResolver) MemoryBandwidth(ctx context.Context) (*loadedStatement, error) {
	return x.literal(ctx, "memoryBandwidth")
}
func (x *entityResolver) Tdp(ctx context.Context) (*loadedStatement, error) {
	return x.literal(ctx, "tdp")
}
func (x *entityResolver) Price(ctx context.Context) (*loadedStatement, error) {
	return x.literal(ctx, "price")
}
func (x *entityResolver) ChipType(ctx context.Context) (*loadedStatement, error) {
	return x.literal(ctx, "chipType")
}
func (x *entityResolver) FeatureSize(ctx context.Context) (*loadedStatement, error) {
	return x.literal(ctx, "featureSize")
}
func (x *entityResolver) PeakPerformance(ctx context.Context, args struct{ Precision *string }) ([]*loadedStatement, error) {
	p := ""
	if args.Precision != nil {
		p = *args.Precision
	}
	out, err := x.literals(ctx, "peakPerformance", p)
	if out == nil && err == nil {
		out = []*loadedStatement{}
	}
	return out, err
}

// --- relations

type relationResolver struct {
	cursor string // as the store gives it; encoded when asked for
	node   *entityResolver
	st     *loadedStatement
}

func (x *relationResolver) Cursor() string                   { return encodeCursor(x.cursor) }
func (x *relationResolver) Node() *entityResolver            { return x.node }
func (x *relationResolver) Statement() *loadedStatement      { return x.st }
func (x *relationResolver) References() []*referenceResolver { return x.st.References() }

type relationConnection struct {
	edges   []*relationResolver
	total   int
	hasNext bool
}

func (c *relationConnection) Edges() []*relationResolver {
	if c.edges == nil {
		return []*relationResolver{}
	}
	return c.edges
}
func (c *relationConnection) Nodes() []*entityResolver {
	out := make([]*entityResolver, len(c.edges))
	for i, e := range c.edges {
		out[i] = e.node
	}
	return out
}
func (c *relationConnection) TotalCount() int32 { return int32(c.total) }
func (c *relationConnection) PageInfo() *pageInfo {
	p := &pageInfo{hasNext: c.hasNext}
	if n := len(c.edges); n > 0 {
		p.start, p.end = encodedPtr(c.edges[0].cursor), encodedPtr(c.edges[n-1].cursor)
	}
	return p
}

// --- page info

type pageInfo struct {
	start, end *string
	hasNext    bool
}

func newPageInfo(cursors []string, hasNext bool) *pageInfo {
	p := &pageInfo{hasNext: hasNext}
	if n := len(cursors); n > 0 {
		p.start, p.end = &cursors[0], &cursors[n-1]
	}
	return p
}

// rawPageInfo is newPageInfo of cursors as the store gives them.
func rawPageInfo(cursors []string, hasNext bool) *pageInfo {
	p := &pageInfo{hasNext: hasNext}
	if n := len(cursors); n > 0 {
		p.start, p.end = encodedPtr(cursors[0]), encodedPtr(cursors[n-1])
	}
	return p
}

func encodedPtr(c string) *string {
	e := encodeCursor(c)
	return &e
}

func (p *pageInfo) HasNextPage() bool     { return p.hasNext }
func (p *pageInfo) HasPreviousPage() bool { return false }
func (p *pageInfo) StartCursor() *string  { return p.start }
func (p *pageInfo) EndCursor() *string    { return p.end }

// --- entity connection

type entityConnection struct {
	nodes   []*entityResolver
	cursors []string
	total   int
	hasNext bool
}

type entityEdge struct {
	cursor string
	node   *entityResolver
}

func (e *entityEdge) Cursor() string        { return e.cursor }
func (e *entityEdge) Node() *entityResolver { return e.node }

func (c *entityConnection) Edges() []*entityEdge {
	out := make([]*entityEdge, len(c.nodes))
	for i := range c.nodes {
		out[i] = &entityEdge{c.cursors[i], c.nodes[i]}
	}
	return out
}
func (c *entityConnection) Nodes() []*entityResolver {
	if c.nodes == nil {
		return []*entityResolver{}
	}
	return c.nodes
}
func (c *entityConnection) TotalCount() int32   { return int32(c.total) }
func (c *entityConnection) PageInfo() *pageInfo { return newPageInfo(c.cursors, c.hasNext) }

type recordedResolver struct{ rec graph.Recorded }

func (r *recordedResolver) At() graphql.Time { return graphql.Time{Time: r.rec.At} }
func (r *recordedResolver) By() *string {
	if r.rec.By == "" {
		return nil
	}
	return &r.rec.By
}
