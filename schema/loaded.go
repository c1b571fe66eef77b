package schema

import (
	"context"
	"fmt"

	"github.com/chipgraph/chipgraph/graph"
)

// Synchronous resolution of loaded records.
//
// graph-gophers runs the fields of a selection set in one goroutine each
// as soon as one of them is asynchronous: its resolver takes a context or
// arguments, returns an error, or has an asynchronous field below it. The
// records of a page (statements of an entity, relations, claims) would
// make every selection set below them asynchronous if their subject,
// object or sources were read by the fields that show them. Instead the
// field that reads the page (which has a context and an error of its own)
// loads, in one batch each, what the query selects below it, and the
// records resolve as loadedStatement and loadedClaim, whose fields take no
// context and return no error. Statements and claims read on their own (a
// node, a history entry, a mutation's result) keep statementResolver and
// claimResolver, whose fields read what they show.
//
// A loaded field whose data the parent did not load is a bug in wantsOf or
// in a parent: it panics, which the schema's panic handler reports as an
// internal error at that field.

// wants is what the fields below a field select, as far as the records of
// a page need reads for it.
type wants struct {
	subjects  bool // Statement.subject
	objects   bool // Value.entity, Value.display
	sources   bool // Statement.references (their sources)
	claimants bool // Claim.claimant
	claimSrcs bool // Claim.source, Claim.reference
}

// wantsOf returns what the fields below the field being resolved may
// select, for n records (nothing when n is 0), from the names the
// request's document holds (namesOf). It errs on the side of loading: a
// name anywhere in the document counts, whichever type it belongs to.
func wantsOf(ctx context.Context, n int) wants {
	if n == 0 {
		return wants{}
	}
	names := namesOf(ctx)
	return wants{
		subjects:  names&nameSubject != 0,
		objects:   names&(nameEntity|nameDisplay) != 0,
		sources:   names&nameReferences != 0,
		claimants: names&nameClaimant != 0,
		claimSrcs: names&(nameSource|nameReference) != 0,
	}
}

// notLoaded reports a loaded field whose data its parent did not load.
func notLoaded(what, key string) {
	panic(fmt.Sprintf("schema: %s %q was not loaded by the parent field", what, key))
}

// --- statements

// loadedStatement is a statement whose subject, entity object and
// reference sources were loaded by its parent as far as the query selects
// them, so that those fields resolve synchronously.
type loadedStatement struct {
	statementResolver
	subj *graph.Entity
	obj  loadedValue              // its object, with the entity if selected
	srcs map[string]*graph.Source // nil unless references were selected
	refs []*referenceResolver     // its references, when loaded with them (loadStatements)
}

func (x *loadedStatement) Subject() *entityResolver {
	if x.subj == nil {
		notLoaded("subject", x.s.Subject)
	}
	return x.r.entity(x.v, x.subj)
}

func (x *loadedStatement) Object() *loadedValue { return &x.obj }

func (x *loadedStatement) References() []*referenceResolver {
	if x.refs != nil {
		return x.refs
	}
	n := len(x.s.References)
	return x.references(make([]referenceResolver, n), make([]*referenceResolver, n))
}

// references sets rs and out, of one element per reference of x, to
// resolve x's references, and returns out.
func (x *loadedStatement) references(rs []referenceResolver, out []*referenceResolver) []*referenceResolver {
	refs := x.s.References
	for i := range refs {
		src := x.srcs[refs[i].Source]
		if src == nil {
			notLoaded("source", refs[i].Source)
		}
		var imp *graph.Source
		if k := refs[i].ImportedFrom; k != "" {
			imp = x.srcs[k] // absent when it was retracted: importedFrom is null
		}
		rs[i].init(x.r, x.v, &refs[i], src, imp)
		out[i] = &rs[i]
	}
	return out
}

// loadedValue is a statement's object, with its entity loaded.
type loadedValue struct {
	valueResolver
	ent *graph.Entity
}

func (x *loadedValue) loaded() *graph.Entity {
	if x.ent == nil {
		notLoaded("entity", x.val.Entity)
	}
	return x.ent
}

func (x *loadedValue) Entity() *entityResolver {
	if x.val.Type != graph.EntityValue {
		return nil
	}
	return x.r.entity(x.v, x.loaded())
}

func (x *loadedValue) Display() string {
	if x.val.Type == graph.EntityValue {
		return x.loaded().Name
	}
	return x.val.String()
}

// loadStatements wraps sts as loaded statements, reading what w selects
// in one batch each: subjects and entity objects, and the sources their
// references cite. self, when not nil, is an entity the caller holds and
// is not read again. A missing subject, object or cited source is an
// internal error, as it is when a statement's own field reads it.
func (r *root) loadStatements(ctx context.Context, v graph.View, sts []*graph.Statement, w wants, self *graph.Entity) ([]*loadedStatement, error) {
	ls := make([]loadedStatement, len(sts))
	out := make([]*loadedStatement, len(sts))
	for i, st := range sts {
		ls[i].statementResolver.init(r, v, st)
		ls[i].obj.valueResolver = valueResolver{r: r, v: v, val: &st.Object}
		out[i] = &ls[i]
	}
	if w.subjects || w.objects {
		// ents holds the keys to read, nil until read: one map, not a set
		// of the keys seen and a map of the entities read.
		keys := make([]string, 0, len(sts))
		ents := make(map[string]*graph.Entity, len(sts)+1)
		add := func(k string) {
			if self != nil && k == self.Key {
				return
			}
			if _, ok := ents[k]; !ok {
				ents[k] = nil
				keys = append(keys, k)
			}
		}
		for _, st := range sts {
			if w.subjects {
				add(st.Subject)
			}
			if w.objects && st.Object.Type == graph.EntityValue {
				add(st.Object.Entity)
			}
		}
		if len(keys) > 0 {
			es, err := r.svc.Entities(ctx, v, keys)
			if err != nil {
				return nil, err
			}
			for i, e := range es {
				if e == nil {
					return nil, graph.Errorf(graph.EINTERNAL, "entity %q referenced but not found", keys[i])
				}
				ents[keys[i]] = e
			}
		}
		if self != nil {
			ents[self.Key] = self
		}
		for i, st := range sts {
			if w.subjects {
				ls[i].subj = ents[st.Subject]
			}
			if w.objects && st.Object.Type == graph.EntityValue {
				ls[i].obj.ent = ents[st.Object.Entity]
			}
		}
	}
	if w.sources {
		srcs, err := r.sourcesOf(ctx, v, sts)
		if err != nil {
			return nil, err
		}
		// The references of all statements, built in two allocations
		// rather than two per statement (in process, scale 0.05: q6 210 ->
		// 162 allocs/op).
		n := 0
		for _, st := range sts {
			n += len(st.References)
		}
		rs, ptrs := make([]referenceResolver, n), make([]*referenceResolver, n)
		for i := range ls {
			ls[i].srcs = srcs
			k := len(sts[i].References)
			ls[i].refs = ls[i].references(rs[:k:k], ptrs[:k:k])
			rs, ptrs = rs[k:], ptrs[k:]
		}
	}
	return out, nil
}

// sourcesOf reads the sources the references of sts cite and import
// through, in one batch. A cited source that is missing is an internal
// error; one imported through may have been retracted since.
func (r *root) sourcesOf(ctx context.Context, v graph.View, sts []*graph.Statement) (map[string]*graph.Source, error) {
	// srcs holds the keys to read, nil until read (and for a source
	// imported through that was retracted): one map, not a set of the keys
	// seen and a map of the sources read.
	var keys []string
	srcs := map[string]*graph.Source{}
	for _, st := range sts {
		for _, ref := range st.References {
			for _, k := range [2]string{ref.Source, ref.ImportedFrom} {
				if _, ok := srcs[k]; k != "" && !ok {
					srcs[k] = nil
					keys = append(keys, k)
				}
			}
		}
	}
	if len(keys) == 0 {
		return srcs, nil
	}
	ss, err := r.svc.Sources(ctx, v, keys)
	if err != nil {
		return nil, err
	}
	for i, s := range ss {
		srcs[keys[i]] = s
	}
	for _, st := range sts {
		for _, ref := range st.References {
			if srcs[ref.Source] == nil {
				return nil, graph.Errorf(graph.EINTERNAL, "source %q referenced but not found", ref.Source)
			}
		}
	}
	return srcs, nil
}

// loadedEnds wraps st, a statement between the entities a and b (either
// way round) that the caller holds, as a loaded statement with the
// sources srcs.
func (r *root) loadedEnds(v graph.View, st *graph.Statement, a, b *graph.Entity, srcs map[string]*graph.Source) *loadedStatement {
	x := &loadedStatement{srcs: srcs}
	x.statementResolver.init(r, v, st)
	x.obj.valueResolver = valueResolver{r: r, v: v, val: &st.Object}
	if st.Subject == a.Key {
		x.subj, x.obj.ent = a, b
	} else {
		x.subj, x.obj.ent = b, a
	}
	if st.Object.Type != graph.EntityValue {
		x.obj.ent = nil
	}
	return x
}

// --- claims

// loadedClaim is a claim whose claimant and sources were loaded by its
// parent as far as the query selects them, so that those fields resolve
// synchronously.
type loadedClaim struct {
	claimResolver
	claimant *graph.Entity
	src, imp *graph.Source // imp: the source imported through, if any
}

func (x *loadedClaim) Claimant() *entityResolver {
	if x.claimant == nil {
		notLoaded("claimant", x.c.Claimant)
	}
	return x.r.entity(x.v, x.claimant)
}

func (x *loadedClaim) Source() *sourceResolver {
	if x.src == nil {
		notLoaded("source", x.c.Reference.Source)
	}
	return newSource(x.r, x.v, x.src)
}

func (x *loadedClaim) Reference() *referenceResolver {
	if x.src == nil {
		notLoaded("source", x.c.Reference.Source)
	}
	ref := new(referenceResolver)
	ref.init(x.r, x.v, &x.c.Reference, x.src, x.imp)
	return ref
}

// loadClaims wraps cs as loaded claims, reading what w selects in one
// batch each: claimants, and the sources cited and imported through. A
// missing claimant or cited source is an internal error, as it is when a
// claim's own field reads it.
func (r *root) loadClaims(ctx context.Context, v graph.View, cs []*graph.Claim, w wants) ([]*loadedClaim, error) {
	lc := make([]loadedClaim, len(cs))
	out := make([]*loadedClaim, len(cs))
	for i, c := range cs {
		lc[i].claimResolver.init(r, v, c)
		out[i] = &lc[i]
	}
	if w.claimants {
		keys, idx := dedupe(len(cs), func(i int) string { return cs[i].Claimant })
		es, err := r.svc.Entities(ctx, v, keys)
		if err != nil {
			return nil, err
		}
		for i, c := range cs {
			if lc[i].claimant = es[idx[i]]; lc[i].claimant == nil {
				return nil, graph.Errorf(graph.EINTERNAL, "entity %q referenced but not found", c.Claimant)
			}
		}
	}
	if w.claimSrcs {
		keys, idx := dedupe(2*len(cs), func(i int) string {
			if i%2 == 0 {
				return cs[i/2].Reference.Source
			}
			return cs[i/2].Reference.ImportedFrom
		})
		ss, err := r.svc.Sources(ctx, v, keys)
		if err != nil {
			return nil, err
		}
		for i, c := range cs {
			if lc[i].src = ss[idx[2*i]]; lc[i].src == nil {
				return nil, graph.Errorf(graph.EINTERNAL, "source %q referenced but not found", c.Reference.Source)
			}
			if c.Reference.ImportedFrom != "" {
				lc[i].imp = ss[idx[2*i+1]]
			}
		}
	}
	return out, nil
}

// dedupe returns the distinct non-empty keys of key(0..n-1) in order, and
// for each i the index of key(i) among them (0 for an empty key).
func dedupe(n int, key func(int) string) (keys []string, idx []int) {
	idx = make([]int, n)
	at := make(map[string]int, n)
	for i := range n {
		k := key(i)
		if k == "" {
			continue
		}
		j, ok := at[k]
		if !ok {
			j = len(keys)
			at[k] = j
			keys = append(keys, k)
		}
		idx[i] = j
	}
	return keys, idx
}
