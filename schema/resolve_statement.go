package schema

import (
	"context"
	"sort"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
	graphql "github.com/graph-gophers/graphql-go"
)

// statementResolver resolves a statement read on its own (a node, a
// history entry, a mutation's result): its subject, object entity and
// references are read when asked for. Statements of a page resolve as
// loadedStatement instead.
//
// KeyF and PredicateF are read without a reflective call (see
// sourceResolver); init sets them: build a statementResolver no other way.
type statementResolver struct {
	r *root
	v graph.View
	s *graph.Statement

	KeyF       string             `graphql:"key"`
	PredicateF *predicateResolver `graphql:"predicate"`
}

// init sets x to resolve s as v sees it.
func (x *statementResolver) init(r *root, v graph.View, s *graph.Statement) {
	*x = statementResolver{r: r, v: v, s: s, KeyF: s.Key, PredicateF: predicate(s.Predicate)}
}

func (r *root) statement(v graph.View, s *graph.Statement) *statementResolver {
	if s == nil {
		return nil
	}
	x := new(statementResolver)
	x.init(r, v, s)
	return x
}

func (x *statementResolver) ID() graphql.ID { return globalID("Statement", x.s.Key) }
func (x *statementResolver) Subject(ctx context.Context) (*entityResolver, error) {
	e, err := x.r.mustEntity(ctx, x.v, x.s.Subject)
	return x.r.entity(x.v, e), err
}
func (x *statementResolver) Object() *valueResolver {
	return &valueResolver{r: x.r, v: x.v, val: &x.s.Object}
}
func (x *statementResolver) Qualifiers() []*qualifierResolver {
	q := x.s.Qualifiers.Extra
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]*qualifierResolver, len(names))
	for i, n := range names {
		out[i] = &qualifierResolver{n, q[n]}
	}
	return out
}
func (x *statementResolver) ValidFrom() *Date   { return dateOrNil(x.s.Qualifiers.ValidFrom) }
func (x *statementResolver) ValidTo() *Date     { return dateOrNil(x.s.Qualifiers.ValidTo) }
func (x *statementResolver) PointInTime() *Date { return dateOrNil(x.s.Qualifiers.PointInTime) }
func (x *statementResolver) Rank() string {
	if x.s.Rank == "" {
		return "NORMAL"
	}
	return strings.ToUpper(string(x.s.Rank))
}
func (x *statementResolver) References(ctx context.Context) ([]*referenceResolver, error) {
	return x.r.references(ctx, x.v, x.s.References)
}
func (x *statementResolver) Recorded() *recordedResolver { return &recordedResolver{x.s.Recorded} }
func (x *statementResolver) Current() bool               { return x.s.Retracted == nil }
func (x *statementResolver) Retraction() *retractionResolver {
	if x.s.Retracted == nil {
		return nil
	}
	return &retractionResolver{x.s.Retracted}
}

type qualifierResolver struct{ name, value string }

func (q *qualifierResolver) Name() string  { return q.name }
func (q *qualifierResolver) Value() string { return q.value }

type retractionResolver struct{ r *graph.Retraction }

func (x *retractionResolver) At() graphql.Time { return graphql.Time{Time: x.r.At} }
func (x *retractionResolver) By() *string {
	if x.r.By == "" {
		return nil
	}
	return &x.r.By
}
func (x *retractionResolver) Reason() string { return x.r.Reason }

// mustEntity loads an entity a record refers to; its absence is an
// internal inconsistency, not a user error.
func (r *root) mustEntity(ctx context.Context, v graph.View, key string) (*graph.Entity, error) {
	es, err := r.svc.Entities(ctx, v, []string{key})
	if err != nil {
		return nil, r.fail(err)
	}
	if es[0] == nil {
		return nil, r.fail(graph.Errorf(graph.EINTERNAL, "entity %q referenced but not found", key))
	}
	return es[0], nil
}

func (r *root) mustSource(ctx context.Context, v graph.View, key string) (*sourceResolver, error) {
	ss, err := r.svc.Sources(ctx, v, []string{key})
	if err != nil {
		return nil, r.fail(err)
	}
	if ss[0] == nil {
		return nil, r.fail(graph.Errorf(graph.EINTERNAL, "source %q referenced but not found", key))
	}
	return newSource(r, v, ss[0]), nil
}

// --- values

type valueResolver struct {
	r   *root
	v   graph.View
	val *graph.Value
}

// entity reads the value's entity.
func (x *valueResolver) entity(ctx context.Context) (*graph.Entity, error) {
	return x.r.mustEntity(ctx, x.v, x.val.Entity)
}

func (x *valueResolver) Type() string { return strings.ToUpper(x.val.Type.String()) }
func (x *valueResolver) Entity(ctx context.Context) (*entityResolver, error) {
	if x.val.Type != graph.EntityValue {
		return nil, nil
	}
	e, err := x.entity(ctx)
	return x.r.entity(x.v, e), err
}
func (x *valueResolver) Text() *string {
	if x.val.Type != graph.TextValue {
		return nil
	}
	return &x.val.Text
}
func (x *valueResolver) Amount() *float64 {
	if x.val.Type != graph.QuantityValue && x.val.Type != graph.MoneyValue {
		return nil
	}
	return &x.val.Amount
}
func (x *valueResolver) Unit() *string {
	if x.val.Type != graph.QuantityValue {
		return nil
	}
	return &x.val.Unit
}
func (x *valueResolver) Currency() *string {
	if x.val.Type != graph.MoneyValue {
		return nil
	}
	return &x.val.Currency
}
func (x *valueResolver) Lower() *float64   { return x.val.Lower }
func (x *valueResolver) Upper() *float64   { return x.val.Upper }
func (x *valueResolver) Approximate() bool { return x.val.Approximate }
func (x *valueResolver) Date() *Date {
	if x.val.Type != graph.DateValue {
		return nil
	}
	return dateOrNil(x.val.Date)
}
func (x *valueResolver) Boolean() *bool {
	if x.val.Type != graph.BoolValue {
		return nil
	}
	return &x.val.Bool
}
func (x *valueResolver) Display(ctx context.Context) (string, error) {
	if x.val.Type == graph.EntityValue {
		e, err := x.entity(ctx)
		if err != nil {
			return "", err
		}
		return e.Name, nil
	}
	return x.val.String(), nil
}
func (x *valueResolver) InUnit(args struct{ Unit string }) (*float64, error) {
	if x.val.Type != graph.QuantityValue {
		return nil, nil
	}
	if _, ok := graph.LookupUnit(args.Unit); !ok {
		return nil, x.r.fail(graph.Invalid("unit", graph.RBadUnit, "unknown unit %q", args.Unit))
	}
	f, ok := graph.Convert(x.val.Amount, x.val.Unit, args.Unit)
	if !ok {
		return nil, nil
	}
	return &f, nil
}

// --- references

// referenceResolver resolves a reference whose sources were loaded with
// its siblings' (references), so its fields need no reads of their own.
//
// Its exported fields are read without a reflective call, as
// sourceResolver's are; init sets them: build a referenceResolver no other
// way.
type referenceResolver struct {
	r   *root
	v   graph.View
	ref *graph.Reference
	src sourceResolver // the source cited, resolved without allocating
	imp *graph.Source  // the source imported through, if any

	SourceF   *sourceResolver `graphql:"source"` // &src
	QuoteF    *string         `graphql:"quote"`
	VerifiedF bool            `graphql:"verified"`
}

// init sets x to resolve ref, citing src and imported through imp (nil if
// none). x must not be copied afterwards: SourceF points into it.
func (x *referenceResolver) init(r *root, v graph.View, ref *graph.Reference, src, imp *graph.Source) {
	*x = referenceResolver{r: r, v: v, ref: ref, imp: imp, QuoteF: nonEmpty(&ref.Quote), VerifiedF: ref.Verified}
	x.src.init(r, v, src)
	x.SourceF = &x.src
}

// references builds resolvers for refs, loading every source they cite
// (and import through) in one read.
func (r *root) references(ctx context.Context, v graph.View, refs []graph.Reference) ([]*referenceResolver, error) {
	var keys []string
	seen := map[string]int{}
	for _, ref := range refs {
		for _, k := range []string{ref.Source, ref.ImportedFrom} {
			if _, ok := seen[k]; k != "" && !ok {
				seen[k] = len(keys)
				keys = append(keys, k)
			}
		}
	}
	srcs, err := r.svc.Sources(ctx, v, keys)
	if err != nil {
		return nil, r.fail(err)
	}
	out := make([]*referenceResolver, len(refs))
	for i := range refs {
		src := srcs[seen[refs[i].Source]]
		if src == nil {
			return nil, r.fail(graph.Errorf(graph.EINTERNAL, "source %q referenced but not found", refs[i].Source))
		}
		var imp *graph.Source
		if k := refs[i].ImportedFrom; k != "" {
			imp = srcs[seen[k]]
		}
		out[i] = new(referenceResolver)
		out[i].init(r, v, &refs[i], src, imp)
	}
	return out, nil
}

func (x *referenceResolver) Locator() *locatorResolver {
	l := x.ref.Locator
	if l == (graph.Locator{}) {
		return nil
	}
	return &locatorResolver{l}
}
func (x *referenceResolver) Retrieved() *Date { return dateOrNil(x.ref.Retrieved) }
func (x *referenceResolver) ImportedFrom() *sourceResolver {
	if x.imp == nil {
		return nil
	}
	return newSource(x.r, x.v, x.imp)
}
func (x *referenceResolver) SourceSHA256() *string {
	if x.ref.SourceSHA256 == "" {
		return nil
	}
	return &x.ref.SourceSHA256
}

type locatorResolver struct{ l graph.Locator }

func (x *locatorResolver) Section() *string {
	if x.l.Section == "" {
		return nil
	}
	return &x.l.Section
}
func intOrNil(n int) *int32 {
	if n == 0 {
		return nil
	}
	v := int32(n)
	return &v
}
func (x *locatorResolver) Page() *int32 { return intOrNil(x.l.Page) }
func (x *locatorResolver) Start() *int32 {
	if x.l.End == 0 {
		return nil
	}
	v := int32(x.l.Start)
	return &v
}
func (x *locatorResolver) End() *int32 { return intOrNil(x.l.End) }

// --- predicates

// predicateResolver resolves a predicate; NameF is read without a
// reflective call (see sourceResolver).
type predicateResolver struct {
	p     *graph.Predicate
	NameF string `graphql:"name"`
}

// predicateResolvers holds a resolver per predicate of the (fixed)
// registry, so that resolving one allocates nothing.
var predicateResolvers = func() map[string]*predicateResolver {
	all := graph.Predicates.All()
	m := make(map[string]*predicateResolver, len(all))
	for _, p := range all {
		m[p.Name] = &predicateResolver{p: p, NameF: p.Name}
	}
	return m
}()

// predicate resolves the predicate named name (nil if unknown).
func predicate(name string) *predicateResolver { return predicateResolvers[name] }

func (x *predicateResolver) Description() string { return x.p.Description }
func (x *predicateResolver) Inverse() *string {
	if x.p.Inverse == "" {
		return nil
	}
	return &x.p.Inverse
}
func kindNames(ks []graph.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
func (x *predicateResolver) SubjectKinds() []string { return kindNames(x.p.Subjects) }
func (x *predicateResolver) ObjectKinds() []string  { return kindNames(x.p.ObjectKinds) }
func (x *predicateResolver) LiteralType() *string {
	if x.p.Literal == "" {
		return nil
	}
	s := strings.ToUpper(x.p.Literal)
	return &s
}
func (x *predicateResolver) Unit() *string {
	if x.p.Unit == "" {
		return nil
	}
	return &x.p.Unit
}
func (x *predicateResolver) MultiValued() bool    { return x.p.Multi }
func (x *predicateResolver) Symmetric() bool      { return x.p.Symmetric }
func (x *predicateResolver) Qualifiers() []string { return append([]string{}, x.p.Qualifiers...) }

// --- statement connection

type statementConnection struct {
	nodes   []*loadedStatement
	cursors []string // as the store gives them; encoded when asked for
	total   int
	hasNext bool
}

// statementConnection builds a page of statements, with what the query
// selects below them loaded for the whole page.
func (r *root) statementConnection(ctx context.Context, v graph.View, p graph.Page[*graph.Statement]) (*statementConnection, error) {
	nodes, err := r.loadStatements(ctx, v, p.Items, wantsOf(ctx, len(p.Items)), nil)
	if err != nil {
		return nil, r.fail(err)
	}
	return &statementConnection{nodes: nodes, cursors: p.Cursors, total: p.Total, hasNext: p.HasNext}, nil
}

type statementEdge struct {
	cursor string
	node   *loadedStatement
}

func (e *statementEdge) Cursor() string         { return encodeCursor(e.cursor) }
func (e *statementEdge) Node() *loadedStatement { return e.node }

func (c *statementConnection) Edges() []*statementEdge {
	edges := make([]statementEdge, len(c.nodes))
	out := make([]*statementEdge, len(c.nodes))
	for i := range c.nodes {
		edges[i] = statementEdge{c.cursors[i], c.nodes[i]}
		out[i] = &edges[i]
	}
	return out
}
func (c *statementConnection) Nodes() []*loadedStatement {
	if c.nodes == nil {
		return []*loadedStatement{}
	}
	return c.nodes
}
func (c *statementConnection) TotalCount() int32   { return int32(c.total) }
func (c *statementConnection) PageInfo() *pageInfo { return rawPageInfo(c.cursors, c.hasNext) }
