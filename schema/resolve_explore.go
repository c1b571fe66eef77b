package schema

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/chipgraph/chipgraph/graph"
)

// --- inputs

type entityFilterInput struct {
	Kind    *string
	Key     *[]string
	Related *relationFilterInput
	Value   *valueFilterInput
	And     *[]*entityFilterInput
	Or      *[]*entityFilterInput
	Not     *entityFilterInput
}

type relationFilterInput struct {
	Predicate string
	Direction string
	To        *[]string
	Where     *entityFilterInput
}

type valueBoundInput struct {
	Amount   *float64
	Unit     *string
	Currency *string
	Date     *Date
	Boolean  *bool
}

type valueFilterInput struct {
	Predicate string
	Eq        *valueBoundInput
	Gt        *valueBoundInput
	Gte       *valueBoundInput
	Lt        *valueBoundInput
	Lte       *valueBoundInput
	Precision *string
}

type entitySortInput struct {
	Predicate *string
	Precision *string
	Direction string
}

type groupByInput struct {
	Predicate   string
	Direction   string
	DatePart    *string
	Unit        *string
	Precision   *string
	SkipMissing bool
}

type metricInput struct {
	Op        string
	Predicate *string
	Unit      *string
	Precision *string
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// domain converts the filter input; field names it in errors.
func (f *entityFilterInput) domain(field string) (*graph.EntityFilter, error) {
	if f == nil {
		return nil, nil
	}
	out := &graph.EntityFilter{}
	if f.Kind != nil {
		out.Kind = graph.Kind(*f.Kind)
	}
	if f.Key != nil {
		out.Keys = append([]string{}, *f.Key...)
	}
	if r := f.Related; r != nil {
		out.Related = &graph.RelationFilter{Predicate: r.Predicate, Direction: direction(r.Direction)}
		if r.To != nil {
			out.Related.To = append([]string{}, *r.To...)
		}
		w, err := r.Where.domain(field + ".related.where")
		if err != nil {
			return nil, err
		}
		out.Related.Where = w
	}
	if v := f.Value; v != nil {
		out.Value = &graph.ValueFilter{Predicate: v.Predicate, Precision: str(v.Precision)}
		for _, b := range []struct {
			name string
			in   *valueBoundInput
			dst  **graph.Value
		}{{"eq", v.Eq, &out.Value.Eq}, {"gt", v.Gt, &out.Value.Gt}, {"gte", v.Gte, &out.Value.Gte}, {"lt", v.Lt, &out.Value.Lt}, {"lte", v.Lte, &out.Value.Lte}} {
			if b.in == nil {
				continue
			}
			val, err := b.in.domain(field + ".value." + b.name)
			if err != nil {
				return nil, err
			}
			*b.dst = &val
		}
	}
	list := func(name string, in *[]*entityFilterInput) ([]*graph.EntityFilter, error) {
		if in == nil {
			return nil, nil
		}
		out := make([]*graph.EntityFilter, len(*in))
		for i, g := range *in {
			var err error
			if out[i], err = g.domain(field + "." + name); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	var err error
	if out.And, err = list("and", f.And); err != nil {
		return nil, err
	}
	if out.Or, err = list("or", f.Or); err != nil {
		return nil, err
	}
	if out.Not, err = f.Not.domain(field + ".not"); err != nil {
		return nil, err
	}
	return out, nil
}

// domain converts a bound: exactly one of an amount, a date and a boolean.
func (b *valueBoundInput) domain(field string) (graph.Value, error) {
	n := 0
	for _, set := range []bool{b.Amount != nil, b.Date != nil, b.Boolean != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return graph.Value{}, graph.Invalid(field, graph.RBadValue, "give exactly one of amount, date and boolean")
	}
	if b.Amount == nil && (b.Unit != nil || b.Currency != nil) {
		return graph.Value{}, graph.Invalid(field, graph.RBadValue, "unit and currency go with an amount")
	}
	switch {
	case b.Date != nil:
		return graph.DateOf(b.Date.Date), nil
	case b.Boolean != nil:
		return graph.Bool(*b.Boolean), nil
	case b.Currency != nil:
		if b.Unit != nil {
			return graph.Value{}, graph.Invalid(field, graph.RBadValue, "give a unit or a currency, not both")
		}
		return graph.Money(*b.Amount, *b.Currency), nil
	}
	return graph.Quantity(*b.Amount, str(b.Unit)), nil
}

func sortsOf(in *[]*entitySortInput) []graph.EntitySort {
	if in == nil {
		return nil
	}
	out := make([]graph.EntitySort, len(*in))
	for i, s := range *in {
		out[i] = graph.EntitySort{Predicate: str(s.Predicate), Precision: str(s.Precision), Desc: s.Direction == "DESC"}
	}
	return out
}

// --- filtered lists

type filterEntitiesArgs struct {
	Filter  *entityFilterInput
	OrderBy *[]*entitySortInput
	First   *int32
	After   *string
	viewArgs
}

func (r *root) FilterEntities(ctx context.Context, a filterEntitiesArgs) (*entityConnection, error) {
	v := a.view()
	c, err := r.filterEntities(ctx, v, nil, a.Filter, a.OrderBy, a.First, a.After)
	return c, r.fail(err)
}

// filterEntities lists the entities of kind (any when nil) matching filter
// in orderBy order, one page: what an entity list with filter and orderBy
// arguments (such as Query.entities) resolves to. Errors are not yet
// passed through fail.
func (r *root) filterEntities(ctx context.Context, v graph.View, kind *string, filter *entityFilterInput, orderBy *[]*entitySortInput, firstArg *int32, afterArg *string) (*entityConnection, error) {
	first, after, err := r.page(firstArg, afterArg)
	if err != nil {
		return nil, err
	}
	f, err := filter.domain("filter")
	if err != nil {
		return nil, err
	}
	if kind != nil {
		k := &graph.EntityFilter{Kind: graph.Kind(*kind)}
		if f != nil {
			k.And = []*graph.EntityFilter{f}
		}
		f = k
	}
	p, err := r.svc.FilterEntities(ctx, v, graph.EntityQuery{Filter: f, Sort: sortsOf(orderBy), After: after, First: storeFirst(first)})
	if err != nil {
		return nil, err
	}
	p = firstPage(p, first)
	c := &entityConnection{total: p.Total, hasNext: p.HasNext}
	keys := make([]string, len(p.Items))
	for i, e := range p.Items {
		c.nodes = append(c.nodes, r.entity(v, e))
		c.cursors = append(c.cursors, encodeCursor(p.Cursors[i]))
		keys[i] = e.Key
	}
	registerSiblings(ctx, v, keys)
	return c, nil
}

// filteredRelations is relations keeping the entities at the far end that
// match filter: what a typed relation list (Company.chips, Foundry.customers,
// Entity.related, ...) with a filter argument resolves to. Errors are
// passed through fail.
func (x *entityResolver) filteredRelations(ctx context.Context, predicate string, dir graph.Direction, filter *entityFilterInput, firstArg *int32, afterArg *string) (*relationConnection, error) {
	first, after, err := x.r.page(firstArg, afterArg)
	if err != nil {
		return nil, x.r.fail(err)
	}
	f, err := filter.domain("filter")
	if err != nil {
		return nil, x.r.fail(err)
	}
	p, err := x.r.svc.EntityStatementsWhere(ctx, x.v, x.e.Key, graph.EdgeQuery{Predicate: predicate, Direction: dir, After: after, First: storeFirst(first)}, f)
	if err != nil {
		return nil, x.r.fail(err)
	}
	p = firstPage(p, first)
	keys := make([]string, len(p.Items))
	for i, st := range p.Items {
		keys[i] = otherEnd(st, x.e.Key)
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
		if ents[i] != nil {
			c.edges = append(c.edges, x.relation(p.Cursors[i], ents[i], st, srcs))
		}
	}
	return c, nil
}

// --- neighborhood

type neighborhoodArgs struct {
	Key        string
	Depth      *int32
	Predicates *[]string
	Direction  *string
	Limit      *int32
	viewArgs
}

// orDefault returns *p, or def when p is nil.
func orDefault[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func (r *root) limit(field string, n int32) (int, error) {
	if n < 1 {
		return 0, graph.Invalid(field, graph.RBadValue, "%s must be at least 1, got %d", field, n)
	}
	if int(n) > r.maxPage {
		return 0, &graph.Error{Code: graph.ETOOCOMPLEX, Reason: graph.RBadValue, Field: field,
			Message: fmt.Sprintf("%s must be at most %d (the page size limit), got %d", field, r.maxPage, n)}
	}
	return int(n), nil
}

func (r *root) Neighborhood(ctx context.Context, a neighborhoodArgs) (*neighborhoodResolver, error) {
	v := a.view()
	limit, err := r.limit("limit", orDefault(a.Limit, 100))
	if err != nil {
		return nil, r.fail(err)
	}
	q := graph.TraversalQuery{Depth: int(orDefault(a.Depth, 1)), Direction: dirArg(a.Direction, graph.Both), Limit: limit}
	if a.Predicates != nil {
		q.Predicates = *a.Predicates
	}
	n, err := r.svc.Neighborhood(ctx, v, a.Key, q)
	if graph.ErrorCode(err) == graph.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, r.fail(err)
	}
	x := &neighborhoodResolver{r: r, v: v, n: n, byKey: map[string]*entityResolver{}}
	if wantsOf(ctx, len(n.Edges)).sources {
		if x.srcs, err = r.sourcesOf(ctx, v, n.Edges); err != nil {
			return nil, r.fail(err)
		}
	}
	keys := make([]string, len(n.Nodes))
	for i, nd := range n.Nodes {
		x.byKey[nd.Entity.Key] = r.entity(v, nd.Entity)
		keys[i] = nd.Entity.Key
	}
	registerSiblings(ctx, v, keys)
	return x, nil
}

type neighborhoodResolver struct {
	r     *root
	v     graph.View
	n     *graph.Neighborhood
	byKey map[string]*entityResolver
	srcs  map[string]*graph.Source // of the edges' references, when selected
}

func (x *neighborhoodResolver) Center() *entityResolver { return x.byKey[x.n.Nodes[0].Entity.Key] }
func (x *neighborhoodResolver) Truncated() bool         { return x.n.Truncated }
func (x *neighborhoodResolver) Nodes() []*neighborNodeResolver {
	out := make([]*neighborNodeResolver, len(x.n.Nodes))
	for i, nd := range x.n.Nodes {
		out[i] = &neighborNodeResolver{x.byKey[nd.Entity.Key], nd.Depth}
	}
	return out
}
func (x *neighborhoodResolver) Edges() []*graphEdgeResolver {
	out := make([]*graphEdgeResolver, 0, len(x.n.Edges))
	for _, st := range x.n.Edges {
		from, to := x.byKey[st.Subject], x.byKey[st.Object.Entity]
		if from == nil || to == nil {
			continue
		}
		out = append(out, &graphEdgeResolver{from: from, to: to, st: x.r.loadedEnds(x.v, st, from.e, to.e, x.srcs)})
	}
	return out
}

type neighborNodeResolver struct {
	e     *entityResolver
	depth int
}

func (x *neighborNodeResolver) Entity() *entityResolver { return x.e }
func (x *neighborNodeResolver) Depth() int32            { return int32(x.depth) }

type graphEdgeResolver struct {
	from, to *entityResolver
	st       *loadedStatement
}

func (x *graphEdgeResolver) From() *entityResolver            { return x.from }
func (x *graphEdgeResolver) To() *entityResolver              { return x.to }
func (x *graphEdgeResolver) Predicate() string                { return x.st.s.Predicate }
func (x *graphEdgeResolver) Statement() *loadedStatement      { return x.st }
func (x *graphEdgeResolver) References() []*referenceResolver { return x.st.References() }

// --- paths

type pathsArgs struct {
	From       string
	To         string
	MaxHops    *int32
	Predicates *[]string
	First      *int32
	viewArgs
}

func (r *root) Paths(ctx context.Context, a pathsArgs) ([]*pathResolver, error) {
	v := a.view()
	first := orDefault(a.First, 10)
	if first < 1 || first > graph.MaxPaths {
		return nil, r.fail(graph.Invalid("first", graph.RBadValue, "first must be between 1 and %d, got %d", graph.MaxPaths, first))
	}
	q := graph.PathQuery{From: a.From, To: a.To, MaxHops: int(orDefault(a.MaxHops, 3)), First: int(first)}
	if a.Predicates != nil {
		q.Predicates = *a.Predicates
	}
	ps, err := r.svc.Paths(ctx, v, q)
	if err != nil {
		return nil, r.fail(err)
	}
	var srcs map[string]*graph.Source
	if wantsOf(ctx, len(ps)).sources {
		var sts []*graph.Statement
		for _, p := range ps {
			for _, h := range p.Hops {
				sts = append(sts, h.Statement)
			}
		}
		if srcs, err = r.sourcesOf(ctx, v, sts); err != nil {
			return nil, r.fail(err)
		}
	}
	out := make([]*pathResolver, len(ps))
	for i, p := range ps {
		pr := &pathResolver{}
		for _, e := range p.Nodes {
			pr.nodes = append(pr.nodes, r.entity(v, e))
		}
		for j, h := range p.Hops {
			from, to := pr.nodes[j], pr.nodes[j+1]
			pr.hops = append(pr.hops, &hopResolver{from: from, to: to, forward: h.Forward, st: r.loadedEnds(v, h.Statement, from.e, to.e, srcs)})
		}
		out[i] = pr
	}
	return out, nil
}

type pathResolver struct {
	nodes []*entityResolver
	hops  []*hopResolver
}

func (x *pathResolver) Length() int32                   { return int32(len(x.hops)) }
func (x *pathResolver) Nodes() []*entityResolver        { return x.nodes }
func (x *pathResolver) Hops() []*hopResolver            { return append([]*hopResolver{}, x.hops...) }
func (x *hopResolver) From() *entityResolver            { return x.from }
func (x *hopResolver) To() *entityResolver              { return x.to }
func (x *hopResolver) Forward() bool                    { return x.forward }
func (x *hopResolver) Predicate() string                { return x.st.s.Predicate }
func (x *hopResolver) Statement() *loadedStatement      { return x.st }
func (x *hopResolver) References() []*referenceResolver { return x.st.References() }

type hopResolver struct {
	from, to *entityResolver
	forward  bool
	st       *loadedStatement
}

// --- aggregations

type aggregateArgs struct {
	Filter  *entityFilterInput
	GroupBy *[]*groupByInput
	Metrics *[]*metricInput
	OrderBy *string
	First   *int32
	viewArgs
}

var dateParts = map[string]graph.DatePart{"YEAR": graph.DateYear, "QUARTER": graph.DateQuarter, "MONTH": graph.DateMonth}

func (r *root) Aggregate(ctx context.Context, a aggregateArgs) (*aggregationResolver, error) {
	v := a.view()
	first, err := r.limit("first", orDefault(a.First, 100))
	if err != nil {
		return nil, r.fail(err)
	}
	f, err := a.Filter.domain("filter")
	if err != nil {
		return nil, r.fail(err)
	}
	q := graph.AggregateQuery{Filter: f, First: first, ByCount: orDefault(a.OrderBy, "KEY") == "COUNT"}
	if a.GroupBy != nil {
		for _, g := range *a.GroupBy {
			gb := graph.GroupBy{Predicate: g.Predicate, Direction: direction(g.Direction),
				Unit: str(g.Unit), Precision: str(g.Precision), SkipMissing: g.SkipMissing}
			if g.DatePart != nil {
				gb.DatePart = dateParts[*g.DatePart]
			}
			q.GroupBy = append(q.GroupBy, gb)
		}
	}
	if a.Metrics == nil {
		q.Metrics = []graph.Metric{{Op: graph.Count}}
	} else {
		for _, m := range *a.Metrics {
			op, _ := graph.ParseMetricOp(m.Op)
			q.Metrics = append(q.Metrics, graph.Metric{Op: op, Predicate: str(m.Predicate), Unit: str(m.Unit), Precision: str(m.Precision)})
		}
	}
	res, err := r.svc.Aggregate(ctx, v, q)
	if err != nil {
		return nil, r.fail(err)
	}
	return &aggregationResolver{r: r, v: v, q: q, a: res}, nil
}

type aggregationResolver struct {
	r *root
	v graph.View
	q graph.AggregateQuery
	a *graph.Aggregate
}

func (x *aggregationResolver) EntityCount() int32 { return int32(x.a.Entities) }
func (x *aggregationResolver) TotalCount() int32  { return int32(x.a.TotalGroups) }
func (x *aggregationResolver) Groups() []*aggregateGroupResolver {
	out := make([]*aggregateGroupResolver, len(x.a.Groups))
	for i := range x.a.Groups {
		out[i] = &aggregateGroupResolver{x: x, g: &x.a.Groups[i]}
	}
	return out
}

type aggregateGroupResolver struct {
	x *aggregationResolver
	g *graph.Group
}

func (g *aggregateGroupResolver) Count() int32 { return int32(g.g.Count) }
func (g *aggregateGroupResolver) Keys() []*groupKeyResolver {
	out := make([]*groupKeyResolver, len(g.g.Keys))
	for i, k := range g.g.Keys {
		out[i] = &groupKeyResolver{r: g.x.r, v: g.x.v, predicate: g.x.q.GroupBy[i].Predicate, k: k}
	}
	return out
}
func (g *aggregateGroupResolver) Metrics() []*metricValueResolver {
	out := make([]*metricValueResolver, len(g.g.Metrics))
	for i, m := range g.g.Metrics {
		out[i] = &metricValueResolver{m: g.x.q.Metrics[i], val: m}
	}
	return out
}

type groupKeyResolver struct {
	r         *root
	v         graph.View
	predicate string
	k         graph.GroupKey
}

func (x *groupKeyResolver) Predicate() string       { return x.predicate }
func (x *groupKeyResolver) Missing() bool           { return x.k.Missing() }
func (x *groupKeyResolver) Entity() *entityResolver { return x.r.entity(x.v, x.k.Entity) }
func (x *groupKeyResolver) Value() *valueResolver {
	if x.k.Value == nil {
		return nil
	}
	return &valueResolver{r: x.r, v: x.v, val: x.k.Value}
}
func (x *groupKeyResolver) Display() *string {
	var s string
	switch {
	case x.k.Entity != nil:
		s = x.k.Entity.Name
	case x.k.Value != nil:
		s = x.k.Value.String()
	default:
		return nil
	}
	return &s
}

type metricValueResolver struct {
	m   graph.Metric
	val graph.MetricValue
}

func (x *metricValueResolver) Op() string { return x.m.Op.String() }
func (x *metricValueResolver) Predicate() *string {
	if x.m.Predicate == "" {
		return nil
	}
	return &x.m.Predicate
}
func (x *metricValueResolver) Unit() *string {
	if x.m.Op == graph.Count || x.m.Predicate == "" {
		return nil
	}
	if x.m.Unit != "" {
		return &x.m.Unit
	}
	p, ok := graph.Predicates.Lookup(x.m.Predicate)
	if !ok || p.Unit == "" {
		return nil
	}
	return &p.Unit
}
func (x *metricValueResolver) Value() *float64 {
	if x.val.Null && x.m.Op != graph.Count {
		return nil
	}
	return &x.val.Value
}
func (x *metricValueResolver) Date() *Date {
	p, ok := graph.Predicates.Lookup(x.m.Predicate)
	if !ok || x.val.Null || p.ObjectType() != graph.DateValue || (x.m.Op != graph.Min && x.m.Op != graph.Max) {
		return nil
	}
	t := time.Unix(int64(x.val.Value), 0).UTC()
	return &Date{graph.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day(), Precision: graph.Day}}
}
func (x *metricValueResolver) Count() int32 { return int32(x.val.N) }

// --- batching: a per-request loader against N+1 reads

// A loader lives in a request's context (WithLoader). Entity lists
// register their entities as siblings (registerSiblings); when one of them
// reads the first page of its statements of a predicate, the page is read
// for every sibling at once, and the others find it ready. A relation
// reads the entities at the far ends in one more batch, and those form the
// next sibling group, so company → chips → manufacturers → ... costs two
// reads per level whatever the page sizes.
type loader struct {
	mu      sync.Mutex
	groups  map[siblingKey]*siblingGroup // made on first use
	batches map[batchKey]*statementBatch // made on first use
	names   docNames                     // the document's (WithDocument)
	known   bool                         // names are known
}

type loaderCtxKey struct{}

// WithLoader returns ctx with a new per-request batch loader. The server
// calls it for every request; a loader must not outlive its request.
func WithLoader(ctx context.Context) context.Context {
	if ctx.Value(loaderCtxKey{}) != nil {
		return ctx
	}
	return context.WithValue(ctx, loaderCtxKey{}, &loader{})
}

func loaderFrom(ctx context.Context) *loader {
	l, _ := ctx.Value(loaderCtxKey{}).(*loader)
	return l
}

// viewKey is a comparable form of a view.
type viewKey struct{ asOf, validAt int64 }

func keyOfView(v graph.View) viewKey {
	var k viewKey
	if !v.AsOf.IsZero() {
		k.asOf = v.AsOf.UnixNano()
	}
	if !v.ValidAt.IsZero() {
		k.validAt = v.ValidAt.Unix()
	}
	return k
}

type siblingKey struct {
	v   viewKey
	key string
}

type siblingGroup struct{ keys []string }

type batchKey struct {
	g     *siblingGroup
	pred  string
	dir   graph.Direction
	first int // as asked of the store
}

// statementBatch is one predicate's first page of statements for a
// sibling group and, once a relation asks, the entities at their far ends.
type statementBatch struct {
	once  sync.Once
	pages map[string]graph.Page[*graph.Statement]
	err   error

	entOnce sync.Once
	ents    map[string]*graph.Entity
	entErr  error

	// The sources the statements' references cite, once a relation
	// selects them.
	srcOnce sync.Once
	srcs    map[string]*graph.Source
	srcErr  error
}

// maxSiblings bounds a sibling group, and so a batch.
const maxSiblings = 1000

// registerSiblings records that the entities keys were listed together
// (one page of a connection), so that their statements load in one batch.
// An entity keeps the first group it was listed in. Without a loader in
// ctx it does nothing.
func registerSiblings(ctx context.Context, v graph.View, keys []string) {
	l := loaderFrom(ctx)
	if l == nil || len(keys) < 2 {
		return
	}
	if len(keys) > maxSiblings {
		keys = keys[:maxSiblings]
	}
	g := &siblingGroup{keys: keys}
	vk := keyOfView(v)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.groups == nil {
		l.groups = make(map[siblingKey]*siblingGroup, len(keys))
	}
	for _, k := range keys {
		sk := siblingKey{vk, k}
		if _, ok := l.groups[sk]; !ok {
			l.groups[sk] = g
		}
	}
}

// batch returns the batch holding x's statements of predicate in dir,
// read with storeFirst, loading it for x and its siblings if needed.
func (x *entityResolver) batch(ctx context.Context, l *loader, predicate string, dir graph.Direction, storeFirst int) (*statementBatch, *siblingGroup) {
	vk := keyOfView(x.v)
	l.mu.Lock()
	g, found := l.groups[siblingKey{vk, x.e.Key}]
	if !found {
		g = &siblingGroup{keys: []string{x.e.Key}}
		if l.groups == nil {
			l.groups = map[siblingKey]*siblingGroup{}
		}
		l.groups[siblingKey{vk, x.e.Key}] = g
	}
	bk := batchKey{g: g, pred: predicate, dir: dir, first: storeFirst}
	b, found := l.batches[bk]
	if !found {
		b = &statementBatch{}
		if l.batches == nil {
			l.batches = map[batchKey]*statementBatch{}
		}
		l.batches[bk] = b
	}
	l.mu.Unlock()
	b.once.Do(func() {
		pages, err := x.r.svc.EntityStatementsBatch(ctx, x.v, g.keys, graph.EdgeQuery{Predicate: predicate, Direction: dir, First: storeFirst})
		if err != nil {
			b.err = err
			return
		}
		b.pages = make(map[string]graph.Page[*graph.Statement], len(g.keys))
		for i, k := range g.keys {
			b.pages[k] = pages[i]
		}
	})
	return b, g
}

// batchedStatements is the first page of x's statements of predicate in
// dir (storeFirst items, as asked of the store), read through the
// request's loader. ok is false without a loader; the caller then reads on
// its own.
func (x *entityResolver) batchedStatements(ctx context.Context, predicate string, dir graph.Direction, storeFirst int) (p graph.Page[*graph.Statement], ok bool, err error) {
	l := loaderFrom(ctx)
	if l == nil {
		return p, false, nil
	}
	b, _ := x.batch(ctx, l, predicate, dir, storeFirst)
	return b.pages[x.e.Key], true, b.err
}

// batchedRelations is relations through the request's loader. ok is false
// when there is no loader or the page is not the first; the caller then
// reads on its own.
func (x *entityResolver) batchedRelations(ctx context.Context, predicate string, dir graph.Direction, first int, after string) (c *relationConnection, ok bool, err error) {
	l := loaderFrom(ctx)
	if l == nil || after != "" {
		return nil, false, nil
	}
	b, g := x.batch(ctx, l, predicate, dir, storeFirst(first))
	if b.err != nil {
		return nil, true, b.err
	}
	b.entOnce.Do(func() {
		var others []string
		seen := map[string]bool{}
		for _, k := range g.keys {
			for _, st := range b.pages[k].Items {
				if o := otherEnd(st, k); st.Object.Type == graph.EntityValue && !seen[o] {
					seen[o] = true
					others = append(others, o)
				}
			}
		}
		ents, err := x.r.svc.Entities(ctx, x.v, others)
		if err != nil {
			b.entErr = err
			return
		}
		b.ents = make(map[string]*graph.Entity, len(others))
		for i, k := range others {
			b.ents[k] = ents[i]
		}
		registerSiblings(ctx, x.v, others)
	})
	if b.entErr != nil {
		return nil, true, b.entErr
	}
	var srcs map[string]*graph.Source
	if wantsOf(ctx, len(b.pages[x.e.Key].Items)).sources {
		b.srcOnce.Do(func() {
			var sts []*graph.Statement
			for _, k := range g.keys {
				sts = append(sts, b.pages[k].Items...)
			}
			b.srcs, b.srcErr = x.r.sourcesOf(ctx, x.v, sts)
		})
		if b.srcErr != nil {
			return nil, true, b.srcErr
		}
		srcs = b.srcs
	}
	p := firstPage(b.pages[x.e.Key], first)
	c = &relationConnection{total: p.Total, hasNext: p.HasNext}
	for i, st := range p.Items {
		e := b.ents[otherEnd(st, x.e.Key)]
		if e == nil || st.Object.Type != graph.EntityValue {
			continue
		}
		c.edges = append(c.edges, x.relation(p.Cursors[i], e, st, srcs))
	}
	return c, true, nil
}
