package schema

import (
	"context"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
	graphql "github.com/graph-gophers/graphql-go"
)

// viewArgs are the time-travel arguments of root fields.
type viewArgs struct {
	AsOf    *graphql.Time
	ValidAt *Date
}

func (a viewArgs) view() graph.View {
	var v graph.View
	if a.AsOf != nil {
		v.AsOf = a.AsOf.Time
	}
	if a.ValidAt != nil {
		v.ValidAt = a.ValidAt.Start()
	}
	return v
}

// nodeResolver resolves the Node interface.
type nodeResolver struct {
	e *entityResolver
	s *statementResolver
	c *claimResolver
	o *sourceResolver
}

func (n *nodeResolver) ID() graphql.ID {
	switch {
	case n.e != nil:
		return n.e.ID()
	case n.s != nil:
		return n.s.ID()
	case n.c != nil:
		return n.c.ID()
	}
	return n.o.ID()
}

func (n *nodeResolver) entityAs(k graph.Kind) (*entityResolver, bool) {
	if n.e == nil {
		return nil, false
	}
	return n.e.as(k)
}

func (n *nodeResolver) ToCompany() (*entityResolver, bool)      { return n.entityAs(graph.Company) }
func (n *nodeResolver) ToFoundry() (*entityResolver, bool)      { return n.entityAs(graph.Foundry) }
func (n *nodeResolver) ToPerson() (*entityResolver, bool)       { return n.entityAs(graph.Person) }
func (n *nodeResolver) ToChip() (*entityResolver, bool)         { return n.entityAs(graph.Chip) }
func (n *nodeResolver) ToChipFamily() (*entityResolver, bool)   { return n.entityAs(graph.ChipFamily) }
func (n *nodeResolver) ToSystem() (*entityResolver, bool)       { return n.entityAs(graph.System) }
func (n *nodeResolver) ToProcessNode() (*entityResolver, bool)  { return n.entityAs(graph.ProcessNode) }
func (n *nodeResolver) ToStatement() (*statementResolver, bool) { return n.s, n.s != nil }
func (n *nodeResolver) ToClaim() (*claimResolver, bool)         { return n.c, n.c != nil }
func (n *nodeResolver) ToSource() (*sourceResolver, bool)       { return n.o, n.o != nil }

func (r *root) node(ctx context.Context, v graph.View, id graphql.ID) (*nodeResolver, error) {
	typ, key, err := parseGlobalID(id)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "Entity":
		es, err := r.svc.Entities(ctx, v, []string{key})
		if err != nil || es[0] == nil {
			return nil, err
		}
		return &nodeResolver{e: r.entity(v, es[0])}, nil
	case "Statement":
		ss, err := r.svc.Statements(ctx, v, []string{key})
		if err != nil || ss[0] == nil {
			return nil, err
		}
		return &nodeResolver{s: r.statement(v, ss[0])}, nil
	case "Claim":
		cs, err := r.svc.Claims(ctx, v, []string{key})
		if err != nil || cs[0] == nil {
			return nil, err
		}
		return &nodeResolver{c: r.claim(v, cs[0])}, nil
	case "Source":
		ss, err := r.svc.Sources(ctx, v, []string{key})
		if err != nil || ss[0] == nil {
			return nil, err
		}
		return &nodeResolver{o: newSource(r, v, ss[0])}, nil
	}
	return nil, graph.Invalid("id", graph.RBadValue, "malformed node ID %q", string(id))
}

func (r *root) Node(ctx context.Context, args struct {
	ID graphql.ID
	viewArgs
}) (*nodeResolver, error) {
	n, err := r.node(ctx, args.view(), args.ID)
	return n, r.fail(err)
}

func (r *root) Nodes(ctx context.Context, args struct {
	IDs []graphql.ID
	viewArgs
}) ([]*nodeResolver, error) {
	if len(args.IDs) > r.maxPage {
		return nil, r.fail(&graph.Error{Code: graph.ETOOCOMPLEX, Field: "ids", Message: "too many IDs"})
	}
	out := make([]*nodeResolver, len(args.IDs))
	for i, id := range args.IDs {
		n, err := r.node(ctx, args.view(), id)
		if err != nil {
			return nil, r.fail(err)
		}
		out[i] = n
	}
	return out, nil
}

// maxNameMatches caps the entities a name or prefix lookup reads, and so
// its totalCount.
const maxNameMatches = 1000

type lookupArgs struct {
	Key  *string
	Name *string
	viewArgs
}

// lookup finds an entity by key or by name or alias, optionally of a kind.
func (r *root) lookup(ctx context.Context, a lookupArgs, kind graph.Kind) (*entityResolver, error) {
	v := a.view()
	switch {
	case a.Key != nil && a.Name != nil:
		return nil, r.fail(graph.Invalid("key", graph.RBadValue, "give key or name, not both"))
	case a.Key != nil:
		e, err := r.svc.Entity(ctx, v, *a.Key)
		if graph.ErrorCode(err) == graph.ENOTFOUND {
			return nil, nil
		} else if err != nil {
			return nil, r.fail(err)
		}
		if kind != "" && e.Kind != kind {
			return nil, nil
		}
		return r.entity(v, e), nil
	case a.Name != nil:
		es, err := r.svc.FindEntities(ctx, v, *a.Name, false, kind, 1)
		if err != nil {
			return nil, r.fail(err)
		}
		if len(es) == 0 {
			return nil, nil
		}
		return r.entity(v, es[0]), nil
	}
	return nil, r.fail(graph.Invalid("key", graph.RMissing, "give a key or a name"))
}

func (r *root) Entity(ctx context.Context, a lookupArgs) (*entityResolver, error) {
	return r.lookup(ctx, a, "")
}
func (r *root) Chip(ctx context.Context, a lookupArgs) (*entityResolver, error) {
	return r.lookup(ctx, a, graph.Chip)
}
func (r *root) Company(ctx context.Context, a lookupArgs) (*entityResolver, error) {
	return r.lookup(ctx, a, graph.Company)
}
func (r *root) Foundry(ctx context.Context, a lookupArgs) (*entityResolver, error) {
	return r.lookup(ctx, a, graph.Foundry)
}
func (r *root) Person(ctx context.Context, a lookupArgs) (*entityResolver, error) {
	return r.lookup(ctx, a, graph.Person)
}

func (r *root) Entities(ctx context.Context, a struct {
	Kind       *string
	Name       *string
	NamePrefix *string
	Filter     *entityFilterInput
	OrderBy    *[]*entitySortInput
	First      *int32
	After      *string
	viewArgs
}) (*entityConnection, error) {
	v := a.view()
	if a.Filter != nil || a.OrderBy != nil {
		if a.Name != nil || a.NamePrefix != nil {
			return nil, r.fail(graph.Invalid("filter", graph.RBadValue, "give name or namePrefix, or filter and orderBy, not both"))
		}
		c, err := r.filterEntities(ctx, v, a.Kind, a.Filter, a.OrderBy, a.First, a.After)
		return c, r.fail(err)
	}
	first, after, err := r.page(a.First, a.After)
	if err != nil {
		return nil, r.fail(err)
	}
	var kind graph.Kind
	if a.Kind != nil {
		kind = graph.Kind(*a.Kind)
	}
	if a.Name != nil || a.NamePrefix != nil {
		if a.Name != nil && a.NamePrefix != nil {
			return nil, r.fail(graph.Invalid("name", graph.RBadValue, "give name or namePrefix, not both"))
		}
		if after != "" {
			return nil, r.fail(graph.Invalid("after", graph.RBadValue, "name lookups return one page; narrow the name instead"))
		}
		name, prefix := "", a.NamePrefix != nil
		if prefix {
			name = *a.NamePrefix
		} else {
			name = *a.Name
		}
		// Read every match (up to maxNameMatches) so totalCount counts them all.
		es, err := r.svc.FindEntities(ctx, v, name, prefix, kind, maxNameMatches)
		if err != nil {
			return nil, r.fail(err)
		}
		c := &entityConnection{total: len(es)}
		if len(es) > first {
			es, c.hasNext = es[:first], true
		}
		for _, e := range es {
			c.nodes = append(c.nodes, r.entity(v, e))
			c.cursors = append(c.cursors, encodeCursor(e.Key))
		}
		return c, nil
	}
	p, err := r.svc.ListEntities(ctx, v, kind, after, storeFirst(first))
	if err != nil {
		return nil, r.fail(err)
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

func (r *root) Statement(ctx context.Context, a struct {
	Key string
	viewArgs
}) (*statementResolver, error) {
	v := a.view()
	ss, err := r.svc.Statements(ctx, v, []string{a.Key})
	if err != nil {
		return nil, r.fail(err)
	}
	return r.statement(v, ss[0]), nil
}

func (r *root) Claims(ctx context.Context, a struct {
	Claimant *string
	About    *string
	Source   *string
	First    *int32
	After    *string
	AsOf     *graphql.Time
}) (*claimConnection, error) {
	v := viewArgs{AsOf: a.AsOf}.view()
	var q graph.ClaimQuery
	n := 0
	for _, p := range []struct {
		s   *string
		dst *string
	}{{a.Claimant, &q.Claimant}, {a.About, &q.About}, {a.Source, &q.Source}} {
		if p.s != nil {
			*p.dst = *p.s
			n++
		}
	}
	if n > 1 {
		return nil, r.fail(graph.Invalid("claimant", graph.RBadValue, "give at most one of claimant, about and source"))
	}
	return r.claims(ctx, v, q, a.First, a.After)
}

func (r *root) Claim(ctx context.Context, a struct {
	Key  string
	AsOf *graphql.Time
}) (*claimResolver, error) {
	v := viewArgs{AsOf: a.AsOf}.view()
	cs, err := r.svc.Claims(ctx, v, []string{a.Key})
	if err != nil {
		return nil, r.fail(err)
	}
	return r.claim(v, cs[0]), nil
}

func (r *root) Source(ctx context.Context, a struct {
	Key  *string
	URL  *string
	AsOf *graphql.Time
}) (*sourceResolver, error) {
	v := viewArgs{AsOf: a.AsOf}.view()
	var src *graph.Source
	switch {
	case a.Key != nil && a.URL != nil:
		return nil, r.fail(graph.Invalid("key", graph.RBadValue, "give key or url, not both"))
	case a.Key != nil:
		ss, err := r.svc.Sources(ctx, v, []string{*a.Key})
		if err != nil {
			return nil, r.fail(err)
		}
		src = ss[0]
	case a.URL != nil:
		s, err := r.svc.SourceByURL(ctx, v, strings.TrimSpace(*a.URL))
		if err != nil && graph.ErrorCode(err) != graph.ENOTFOUND {
			return nil, r.fail(err)
		}
		src = s
	default:
		return nil, r.fail(graph.Invalid("key", graph.RMissing, "give a key or a url"))
	}
	if src == nil {
		return nil, nil
	}
	return newSource(r, v, src), nil
}

func (r *root) Sources(ctx context.Context, a struct {
	First *int32
	After *string
	AsOf  *graphql.Time
}) (*sourceConnection, error) {
	v := viewArgs{AsOf: a.AsOf}.view()
	first, after, err := r.page(a.First, a.After)
	if err != nil {
		return nil, r.fail(err)
	}
	p, err := r.svc.ListSources(ctx, v, after, storeFirst(first))
	if err != nil {
		return nil, r.fail(err)
	}
	p = firstPage(p, first)
	c := &sourceConnection{total: p.Total, hasNext: p.HasNext}
	for i, s := range p.Items {
		c.nodes = append(c.nodes, newSource(r, v, s))
		c.cursors = append(c.cursors, encodeCursor(p.Cursors[i]))
	}
	return c, nil
}

func (r *root) Predicates() []*predicateResolver {
	all := graph.Predicates.All()
	out := make([]*predicateResolver, len(all))
	for i, p := range all {
		out[i] = predicate(p.Name)
	}
	return out
}

func (r *root) Predicate(a struct{ Name string }) *predicateResolver { return predicate(a.Name) }
