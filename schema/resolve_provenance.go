package schema

import (
	"context"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
)

func (r *recordedResolver) Op() *string {
	if r.rec.Op == "" {
		return nil
	}
	s := strings.ToUpper(string(r.rec.Op))
	return &s
}

func (r *recordedResolver) Reason() *string { return nonEmpty(&r.rec.Reason) }

// --- history

type historyEntry struct {
	r      *root
	cursor string
	v      graph.Version
}

// view returns the view of the graph as of the version: nested fields of a
// history entry show the graph when the change was made.
func (h *historyEntry) view() graph.View { return graph.View{AsOf: h.v.Recorded.At} }

func (h *historyEntry) Cursor() string              { return h.cursor }
func (h *historyEntry) Recorded() *recordedResolver { return &recordedResolver{h.v.Recorded} }
func (h *historyEntry) Type() string                { return strings.ToUpper(string(h.v.Type)) }
func (h *historyEntry) Entity() *entityResolver     { return h.r.entity(h.view(), h.v.Entity) }
func (h *historyEntry) Statement() *statementResolver {
	return h.r.statement(h.view(), h.v.Statement)
}
func (h *historyEntry) Claim() *claimResolver { return h.r.claim(h.view(), h.v.Claim) }
func (h *historyEntry) Source() *sourceResolver {
	if h.v.Source == nil {
		return nil
	}
	return newSource(h.r, h.view(), h.v.Source)
}
func (h *historyEntry) AddedReferences(ctx context.Context) ([]*referenceResolver, error) {
	return h.r.references(ctx, h.view(), h.v.Added)
}
func (h *historyEntry) RemovedReferences(ctx context.Context) ([]*referenceResolver, error) {
	return h.r.references(ctx, h.view(), h.v.Removed)
}

type historyConnection struct {
	edges   []*historyEntry
	total   int
	hasNext bool
}

func (c *historyConnection) Edges() []*historyEntry { return c.edges }
func (c *historyConnection) TotalCount() int32      { return int32(c.total) }
func (c *historyConnection) PageInfo() *pageInfo {
	cur := make([]string, len(c.edges))
	for i, e := range c.edges {
		cur[i] = e.cursor
	}
	return newPageInfo(cur, c.hasNext)
}

func (r *root) history(ctx context.Context, v graph.View, typ graph.RecordType, key string, a pageArgs) (*historyConnection, error) {
	first, after, err := r.page(a.First, a.After)
	if err != nil {
		return nil, r.fail(err)
	}
	p, err := r.svc.History(ctx, v, typ, key, after, storeFirst(first))
	if err != nil {
		return nil, r.fail(err)
	}
	p = firstPage(p, first)
	c := &historyConnection{total: p.Total, hasNext: p.HasNext, edges: []*historyEntry{}}
	for i, ver := range p.Items {
		c.edges = append(c.edges, &historyEntry{r: r, cursor: encodeCursor(p.Cursors[i]), v: ver})
	}
	return c, nil
}

func (x *entityResolver) History(ctx context.Context, a pageArgs) (*historyConnection, error) {
	return x.r.history(ctx, x.v, graph.EntityRecord, x.e.Key, a)
}
func (x *statementResolver) History(ctx context.Context, a pageArgs) (*historyConnection, error) {
	return x.r.history(ctx, x.v, graph.StatementRecord, x.s.Key, a)
}
func (x *claimResolver) History(ctx context.Context, a pageArgs) (*historyConnection, error) {
	return x.r.history(ctx, x.v, graph.ClaimRecord, x.c.Key, a)
}
func (x *sourceResolver) History(ctx context.Context, a pageArgs) (*historyConnection, error) {
	return x.r.history(ctx, x.v, graph.SourceRecord, x.s.Key, a)
}

// --- conflicts

type conflictResolver struct {
	r *root
	v graph.View
	c *graph.Conflict
}

func (x *conflictResolver) Subject(ctx context.Context) (*entityResolver, error) {
	e, err := x.r.mustEntity(ctx, x.v, x.c.Subject)
	return x.r.entity(x.v, e), err
}
func (x *conflictResolver) Predicate() *predicateResolver { return predicate(x.c.Predicate) }
func (x *conflictResolver) Statements() []*statementResolver {
	out := make([]*statementResolver, len(x.c.Statements))
	for i, s := range x.c.Statements {
		out[i] = x.r.statement(x.v, s)
	}
	return out
}
func (x *conflictResolver) Resolved() bool { return x.c.Resolved() }
func (x *conflictResolver) Preferred() *statementResolver {
	for _, s := range x.c.Statements {
		if s.Rank == graph.Preferred {
			return x.r.statement(x.v, s)
		}
	}
	return nil
}

func (x *entityResolver) Conflicts(ctx context.Context) ([]*conflictResolver, error) {
	cs, err := x.r.svc.EntityConflicts(ctx, x.v, x.e.Key)
	if err != nil {
		return nil, x.r.fail(err)
	}
	out := make([]*conflictResolver, len(cs))
	for i, c := range cs {
		out[i] = &conflictResolver{r: x.r, v: x.v, c: c}
	}
	return out, nil
}

type conflictEdge struct {
	cursor string
	node   *conflictResolver
}

func (e *conflictEdge) Cursor() string          { return e.cursor }
func (e *conflictEdge) Node() *conflictResolver { return e.node }

type conflictConnection struct {
	edges   []*conflictEdge
	total   int
	hasNext bool
}

func (c *conflictConnection) Edges() []*conflictEdge { return c.edges }
func (c *conflictConnection) Nodes() []*conflictResolver {
	out := make([]*conflictResolver, len(c.edges))
	for i, e := range c.edges {
		out[i] = e.node
	}
	return out
}
func (c *conflictConnection) TotalCount() int32 { return int32(c.total) }
func (c *conflictConnection) PageInfo() *pageInfo {
	cur := make([]string, len(c.edges))
	for i, e := range c.edges {
		cur[i] = e.cursor
	}
	return newPageInfo(cur, c.hasNext)
}

func (r *root) Conflicts(ctx context.Context, a struct {
	Kind      *string
	Predicate *string
	Entity    *string
	First     *int32
	After     *string
	viewArgs
}) (*conflictConnection, error) {
	v := a.view()
	first, after, err := r.page(a.First, a.After)
	if err != nil {
		return nil, r.fail(err)
	}
	q := graph.ConflictQuery{Predicate: deref(a.Predicate), Entity: deref(a.Entity), After: after, First: storeFirst(first)}
	if a.Kind != nil {
		q.Kind = graph.Kind(*a.Kind)
	}
	p, err := r.svc.Conflicts(ctx, v, q)
	if err != nil {
		return nil, r.fail(err)
	}
	p = firstPage(p, first)
	c := &conflictConnection{total: p.Total, hasNext: p.HasNext, edges: []*conflictEdge{}}
	for i, cf := range p.Items {
		c.edges = append(c.edges, &conflictEdge{cursor: encodeCursor(p.Cursors[i]), node: &conflictResolver{r: r, v: v, c: cf}})
	}
	return c, nil
}

// --- evidence

type evidenceResolver struct {
	r     *root
	v     graph.View
	ev    graph.Evidence
	byKey map[string]*graph.Source
}

func (x *statementResolver) Evidence(ctx context.Context) (*evidenceResolver, error) {
	byKey := map[string]*graph.Source{}
	load := func(keys []string) error {
		var need []string
		for _, k := range keys {
			if _, ok := byKey[k]; !ok {
				need = append(need, k)
			}
		}
		if len(need) == 0 {
			return nil
		}
		ss, err := x.r.svc.Sources(ctx, x.v, need)
		for i, s := range ss {
			byKey[need[i]] = s
		}
		return err
	}
	var keys []string
	for _, ref := range x.s.References {
		keys = append(keys, ref.Source)
		if ref.ImportedFrom != "" {
			keys = append(keys, ref.ImportedFrom)
		}
	}
	if err := load(keys); err != nil {
		return nil, x.r.fail(err)
	}
	var lerr error
	ev := graph.CountEvidence(x.s.References, func(k string) []string {
		if err := load([]string{k}); err != nil {
			lerr = err
		}
		if s := byKey[k]; s != nil {
			if err := load(s.Restates); err != nil {
				lerr = err
			}
			return s.Restates
		}
		return nil
	})
	if lerr != nil {
		return nil, x.r.fail(lerr)
	}
	return &evidenceResolver{r: x.r, v: x.v, ev: ev, byKey: byKey}, nil
}

func (e *evidenceResolver) References() int32         { return int32(e.ev.References) }
func (e *evidenceResolver) Sources() int32            { return int32(e.ev.Sources) }
func (e *evidenceResolver) IndependentSources() int32 { return int32(e.ev.Independent) }
func (e *evidenceResolver) Groups() [][]*sourceResolver {
	out := make([][]*sourceResolver, 0, len(e.ev.Groups))
	for _, g := range e.ev.Groups {
		var grp []*sourceResolver
		for _, k := range g {
			if s := e.byKey[k]; s != nil {
				grp = append(grp, newSource(e.r, e.v, s))
			}
		}
		out = append(out, grp)
	}
	return out
}

// --- claim links

func (r *root) linked(ctx context.Context, v graph.View, q graph.LinkQuery, a pageArgs) (*claimConnection, error) {
	first, after, err := r.page(a.First, a.After)
	if err != nil {
		return nil, r.fail(err)
	}
	q.First, q.After = storeFirst(first), after
	p, err := r.svc.LinkedClaims(ctx, v, q)
	if err != nil {
		return nil, r.fail(err)
	}
	return r.claimConnection(ctx, v, firstPage(p, first))
}

func (x *statementResolver) SupportedBy(ctx context.Context, a pageArgs) (*claimConnection, error) {
	return x.r.linked(ctx, x.v, graph.LinkQuery{Statement: x.s.Key, Relation: graph.Supports}, a)
}
func (x *statementResolver) ContradictedBy(ctx context.Context, a pageArgs) (*claimConnection, error) {
	return x.r.linked(ctx, x.v, graph.LinkQuery{Statement: x.s.Key, Relation: graph.Contradicts}, a)
}
func (x *claimResolver) SupportedBy(ctx context.Context, a pageArgs) (*claimConnection, error) {
	return x.r.linked(ctx, x.v, graph.LinkQuery{Claim: x.c.Key, Relation: graph.Supports}, a)
}
func (x *claimResolver) ContradictedBy(ctx context.Context, a pageArgs) (*claimConnection, error) {
	return x.r.linked(ctx, x.v, graph.LinkQuery{Claim: x.c.Key, Relation: graph.Contradicts}, a)
}

type claimLinkResolver struct {
	rel   graph.LinkRelation
	stmt  *statementResolver
	claim *claimResolver
}

func (l *claimLinkResolver) Relation() string              { return strings.ToUpper(string(l.rel)) }
func (l *claimLinkResolver) Statement() *statementResolver { return l.stmt }
func (l *claimLinkResolver) Claim() *claimResolver         { return l.claim }

func (x *claimResolver) Links(ctx context.Context) ([]*claimLinkResolver, error) {
	out := make([]*claimLinkResolver, 0, len(x.c.Links))
	for _, l := range x.c.Links {
		lr := &claimLinkResolver{rel: l.Relation}
		if l.Statement != "" {
			ss, err := x.r.svc.Statements(ctx, x.v, []string{l.Statement})
			if err != nil {
				return nil, x.r.fail(err)
			}
			lr.stmt = x.r.statement(x.v, ss[0])
		} else {
			cs, err := x.r.svc.Claims(ctx, x.v, []string{l.Claim})
			if err != nil {
				return nil, x.r.fail(err)
			}
			lr.claim = x.r.claim(x.v, cs[0])
		}
		out = append(out, lr)
	}
	return out, nil
}

// --- sources

func (x *sourceResolver) Current() bool { return x.s.Retracted == nil }
func (x *sourceResolver) Retraction() *retractionResolver {
	if x.s.Retracted == nil {
		return nil
	}
	return &retractionResolver{x.s.Retracted}
}
func (x *sourceResolver) Restates(ctx context.Context) ([]*sourceResolver, error) {
	ss, err := x.r.svc.Sources(ctx, x.v, x.s.Restates)
	if err != nil {
		return nil, x.r.fail(err)
	}
	out := []*sourceResolver{}
	for _, s := range ss {
		if s != nil {
			out = append(out, newSource(x.r, x.v, s))
		}
	}
	return out, nil
}

type sourceVersionResolver struct{ s *graph.Source }

func (x *sourceVersionResolver) Sha256() *string             { return nonEmpty(&x.s.SHA256) }
func (x *sourceVersionResolver) Text() *string               { return nonEmpty(&x.s.Text) }
func (x *sourceVersionResolver) Recorded() *recordedResolver { return &recordedResolver{x.s.Recorded} }

func (x *sourceResolver) Versions(ctx context.Context) ([]*sourceVersionResolver, error) {
	vs, err := x.r.svc.SourceVersions(ctx, x.v, x.s.Key)
	if err != nil {
		return nil, x.r.fail(err)
	}
	out := make([]*sourceVersionResolver, 0, len(vs))
	for i, s := range vs {
		// A version that changed only other fields repeats the text: list
		// each text version once, at its first appearance.
		if i > 0 && s.SHA256 == vs[i-1].SHA256 {
			continue
		}
		out = append(out, &sourceVersionResolver{s})
	}
	return out, nil
}

func (x *referenceResolver) SourceVersion(ctx context.Context) (*sourceVersionResolver, error) {
	if x.ref.SourceSHA256 == "" {
		return nil, nil
	}
	vs, err := x.r.svc.SourceVersions(ctx, x.v, x.ref.Source)
	if err != nil {
		return nil, x.r.fail(err)
	}
	for _, s := range vs {
		if s.SHA256 == x.ref.SourceSHA256 {
			return &sourceVersionResolver{s}, nil
		}
	}
	return nil, nil
}

// --- mutations

func (r *root) SetRank(ctx context.Context, a struct {
	Key    string
	Rank   string
	Reason string
}) (*statementResolver, error) {
	rec := graph.Record{Type: graph.RankRecord, Rank: &graph.SetRank{Statement: a.Key, Rank: graph.Rank(strings.ToLower(a.Rank)), Reason: a.Reason}}
	if err := r.apply(ctx, rec, retractField); err != nil {
		return nil, err
	}
	ss, err := r.svc.Statements(ctx, graph.View{}, []string{a.Key})
	if err != nil {
		return nil, r.fail(err)
	}
	return r.statement(graph.View{}, ss[0]), nil
}

func (r *root) RetractSource(ctx context.Context, a retractArgs) (*sourceResolver, error) {
	if err := r.apply(ctx, graph.Record{Type: graph.RetractRecord, Retract: &graph.Retract{Source: a.Key, Reason: a.Reason}}, retractField); err != nil {
		return nil, err
	}
	ss, err := r.svc.Sources(ctx, graph.View{}, []string{a.Key})
	if err != nil || ss[0] == nil {
		return nil, r.fail(err)
	}
	return newSource(r, graph.View{}, ss[0]), nil
}
