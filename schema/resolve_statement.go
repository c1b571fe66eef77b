package schema

import (
	"context"
	"sort"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
	graphql "github.com/graph-gophers/graphql-go"
)

type statementResolver struct {
	r *root
	v graph.View
	s *graph.Statement
	b *preloaded // entities and sources loaded with the statement's page; may be nil
}

// preloaded holds what a page of statements refers to, loaded in two
// reads for the whole page: subjects and entity objects, and sources.
type preloaded struct {
	ents map[string]*graph.Entity
	srcs map[string]*graph.Source
}

func (b *preloaded) entity(key string) *graph.Entity {
	if b == nil {
		return nil
	}
	return b.ents[key]
}

// preload reads the entities and sources a page of statements refers to.
func (r *root) preload(ctx context.Context, v graph.View, sts []*graph.Statement) (*preloaded, error) {
	var ents, srcs []string
	seenE, seenS := map[string]bool{}, map[string]bool{}
	addE := func(k string) {
		if k != "" && !seenE[k] {
			seenE[k] = true
			ents = append(ents, k)
		}
	}
	addS := func(k string) {
		if k != "" && !seenS[k] {
			seenS[k] = true
			srcs = append(srcs, k)
		}
	}
	for _, st := range sts {
		addE(st.Subject)
		if st.Object.Type == graph.EntityValue {
			addE(st.Object.Entity)
		}
		for _, ref := range st.References {
			addS(ref.Source)
			addS(ref.ImportedFrom)
		}
	}
	b := &preloaded{ents: make(map[string]*graph.Entity, len(ents)), srcs: make(map[string]*graph.Source, len(srcs))}
	es, err := r.svc.Entities(ctx, v, ents)
	if err != nil {
		return nil, err
	}
	for i, e := range es {
		if e != nil {
			b.ents[ents[i]] = e
		}
	}
	ss, err := r.svc.Sources(ctx, v, srcs)
	if err != nil {
		return nil, err
	}
	for i, src := range ss {
		if src != nil {
			b.srcs[srcs[i]] = src
		}
	}
	return b, nil
}

func (r *root) statement(v graph.View, s *graph.Statement) *statementResolver {
	if s == nil {
		return nil
	}
	return &statementResolver{r: r, v: v, s: s}
}

func (x *statementResolver) ID() graphql.ID { return globalID("Statement", x.s.Key) }
func (x *statementResolver) Key() string    { return x.s.Key }
func (x *statementResolver) Subject(ctx context.Context) (*entityResolver, error) {
	if e := x.b.entity(x.s.Subject); e != nil {
		return x.r.entity(x.v, e), nil
	}
	e, err := x.r.mustEntity(ctx, x.v, x.s.Subject)
	return x.r.entity(x.v, e), err
}
func (x *statementResolver) Predicate() *predicateResolver {
	p, _ := graph.Predicates.Lookup(x.s.Predicate)
	return &predicateResolver{p}
}
func (x *statementResolver) Object() *valueResolver {
	return &valueResolver{r: x.r, v: x.v, val: x.s.Object, b: x.b}
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
	if x.b != nil {
		if refs, ok := x.r.preloadedReferences(x.v, x.s.References, x.b.srcs); ok {
			return refs, nil
		}
	}
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
	return &sourceResolver{r: r, v: v, s: ss[0]}, nil
}

// --- values

type valueResolver struct {
	r   *root
	v   graph.View
	val graph.Value
	b   *preloaded
}

// entity returns the value's entity, preloaded or read.
func (x *valueResolver) entity(ctx context.Context) (*graph.Entity, error) {
	if e := x.b.entity(x.val.Entity); e != nil {
		return e, nil
	}
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
type referenceResolver struct {
	r        *root
	v        graph.View
	ref      *graph.Reference
	src, imp *graph.Source
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
		x := &referenceResolver{r: r, v: v, ref: &refs[i], src: srcs[seen[refs[i].Source]]}
		if x.src == nil {
			return nil, r.fail(graph.Errorf(graph.EINTERNAL, "source %q referenced but not found", refs[i].Source))
		}
		if k := refs[i].ImportedFrom; k != "" {
			x.imp = srcs[seen[k]]
		}
		out[i] = x
	}
	return out, nil
}

// preloadedReferences builds resolvers from sources already loaded; false
// when one is missing.
func (r *root) preloadedReferences(v graph.View, refs []graph.Reference, srcs map[string]*graph.Source) ([]*referenceResolver, bool) {
	out := make([]*referenceResolver, len(refs))
	for i := range refs {
		x := &referenceResolver{r: r, v: v, ref: &refs[i], src: srcs[refs[i].Source]}
		if x.src == nil {
			return nil, false
		}
		if k := refs[i].ImportedFrom; k != "" {
			if x.imp = srcs[k]; x.imp == nil {
				return nil, false
			}
		}
		out[i] = x
	}
	return out, true
}

func (x *referenceResolver) Source() *sourceResolver {
	return &sourceResolver{r: x.r, v: x.v, s: x.src}
}
func (x *referenceResolver) Quote() *string {
	if x.ref.Quote == "" {
		return nil
	}
	return &x.ref.Quote
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
	return &sourceResolver{r: x.r, v: x.v, s: x.imp}
}
func (x *referenceResolver) Verified() bool { return x.ref.Verified }
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

type predicateResolver struct{ p *graph.Predicate }

func (x *predicateResolver) Name() string        { return x.p.Name }
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
	nodes   []*statementResolver
	cursors []string
	total   int
	hasNext bool
}

// statementConnection builds a page of statements, with what they refer
// to loaded for the whole page.
func (r *root) statementConnection(ctx context.Context, v graph.View, p graph.Page[*graph.Statement]) (*statementConnection, error) {
	b, err := r.preload(ctx, v, p.Items)
	if err != nil {
		return nil, r.fail(err)
	}
	c := &statementConnection{total: p.Total, hasNext: p.HasNext}
	for i, st := range p.Items {
		sr := r.statement(v, st)
		sr.b = b
		c.nodes = append(c.nodes, sr)
		c.cursors = append(c.cursors, encodeCursor(p.Cursors[i]))
	}
	return c, nil
}

type statementEdge struct {
	cursor string
	node   *statementResolver
}

func (e *statementEdge) Cursor() string           { return e.cursor }
func (e *statementEdge) Node() *statementResolver { return e.node }

func (c *statementConnection) Edges() []*statementEdge {
	out := make([]*statementEdge, len(c.nodes))
	for i := range c.nodes {
		out[i] = &statementEdge{c.cursors[i], c.nodes[i]}
	}
	return out
}
func (c *statementConnection) Nodes() []*statementResolver {
	if c.nodes == nil {
		return []*statementResolver{}
	}
	return c.nodes
}
func (c *statementConnection) TotalCount() int32   { return int32(c.total) }
func (c *statementConnection) PageInfo() *pageInfo { return newPageInfo(c.cursors, c.hasNext) }
