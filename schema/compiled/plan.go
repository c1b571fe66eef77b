package compiled

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/graph-gophers/graphql-go/ast"
)

// Compiling an operation: first its selections are flattened as
// graphql-go's selected package flattens them (fragments applied,
// @skip/@include decided, fields of other types turned into type
// assertions), into items; then the items of each selection set are
// merged by response key, once for each type the set's object may turn
// out to be, into the field lists execution walks.

type itemKind uint8

const (
	itemField itemKind = iota
	itemTypename
	itemAssert
)

// item mirrors a graphql-go selected.Selection.
type item struct {
	id     int // unique within a compilation
	kind   itemKind
	alias  string
	field  *fieldDef
	args   *argPlan
	sels   []*item // field: on its value's object; assertion: on the possible type
	assert *assertion
	obj    *object // typename: the object it was selected on
}

// argPlan is how a field's arguments are packed: once, when they hold no
// variable, or per request.
type argPlan struct {
	packer *structPacker
	packed reflect.Value // valid when constant
	args   []*argument
}

// set is a compiled selection set: the fields to write for each type its
// object may be.
type set struct {
	obj *object
	// lists[i] are the fields when the object is obj.asserts[i] (for an
	// abstract object whose items assert that type or select
	// __typename); lists[len(obj.asserts)] are the fields otherwise (for
	// an object type, always).
	lists [][]*mfield
	// own[i]: lists[i] was merged for obj.asserts[i] (the items assert
	// that type, or exact is set); otherwise it is the last list.
	own []bool
	// exact: an abstract object's type must be known exactly (a
	// __typename is selected on it).
	exact bool
}

// mfield is one response key of a set: the first item with that key, and
// the merged selections of all of them.
type mfield struct {
	alias    string
	item     *item
	via      *assertion // nil: resolved on the set's own object
	typename string     // __typename: the name to write ("" on an abstract object: the type found)
	sub      *set       // object-like values: the merged selections
}

// maxSelections is graphql-go's default limit on the selections one
// operation expands to; beyond it graphql-go refuses the operation.
const maxSelections = 100_000

// maxSets bounds the sets one operation compiles to.
const maxSets = 20_000

type compiler struct {
	rs       *resolvers
	conds    map[string]bool // values of the variables of @skip and @include
	doc      *document
	expanded int
	items    int // items made, for their ids
	sets     map[string]*set
}

func (c *compiler) item(it *item) *item {
	c.items++
	it.id = c.items
	return it
}

// compile compiles the selections sels of an operation on obj.
func (c *compiler) compile(obj *object, sels []*selection) (*set, error) {
	items, err := c.apply(obj, sels)
	if err != nil {
		return nil, err
	}
	return c.set(obj, items)
}

// apply mirrors graphql-go's applySelectionSet.
func (c *compiler) apply(obj *object, sels []*selection) ([]*item, error) {
	var out []*item
	for _, s := range sels {
		c.expanded++
		if c.expanded > maxSelections {
			return nil, unsupported("more than %d selections", maxSelections)
		}
		skip, err := c.skipped(s.dirs)
		if err != nil {
			return nil, err
		}
		if skip {
			continue
		}
		switch s.kind {
		case selField:
			switch s.name {
			case "__typename":
				out = append(out, c.item(&item{kind: itemTypename, alias: s.alias, obj: obj}))
				continue
			case "__schema", "__type":
				return nil, unsupported("introspection")
			}
			f, err := c.rs.field(obj, s.name)
			if err != nil {
				return nil, err
			}
			it := c.item(&item{kind: itemField, alias: s.alias, field: f})
			if f.args != nil {
				if it.args, err = planArgs(f.args, s.args); err != nil {
					return nil, err
				}
			}
			if vo := valueObject(f.out); vo != nil {
				if it.sels, err = c.apply(vo, s.sels); err != nil {
					return nil, err
				}
			}
			out = append(out, it)
		case selInline:
			items, err := c.fragment(obj, s.on, s.sels)
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
		case selSpread:
			fr := c.doc.frags[s.name]
			if fr == nil {
				return nil, unsupported("unknown fragment %s", s.name)
			}
			items, err := c.fragment(obj, fr.on, fr.sels)
			if err != nil {
				return nil, err
			}
			out = append(out, items...)
		}
	}
	return out, nil
}

// valueObject returns the object a field's value (through its lists) is
// written with, or nil for leaves.
func valueObject(o *output) *object {
	for o != nil {
		switch o.kind {
		case outObject:
			return o.obj
		case outList:
			o = o.elem
		default:
			return nil
		}
	}
	return nil
}

// fragment mirrors graphql-go's applyFragment.
func (c *compiler) fragment(obj *object, on string, sels []*selection) ([]*item, error) {
	if on != obj.name {
		t := c.rs.schema.Types[on]
		face, isIface := t.(*ast.InterfaceTypeDefinition)
		if !isIface && on != "" {
			a := obj.byName[on]
			if a == nil {
				return nil, unsupported("%s does not implement %s", on, obj.name)
			}
			items, err := c.apply(a.obj, sels)
			if err != nil {
				return nil, err
			}
			return []*item{c.item(&item{kind: itemAssert, assert: a, sels: items})}, nil
		}
		if obj.ifaces[on] {
			return c.interfaceFragment(obj, sels)
		}
		if isIface && len(face.PossibleTypes) > 0 {
			var out []*item
			for _, pt := range face.PossibleTypes {
				if pt.Name == obj.name {
					return c.apply(obj, sels)
				}
				if a := obj.byName[pt.Name]; a != nil {
					items, err := c.apply(a.obj, sels)
					if err != nil {
						return nil, err
					}
					out = append(out, c.item(&item{kind: itemAssert, assert: a, sels: items}))
				}
			}
			if len(out) == 0 {
				return nil, unsupported("%s does not implement %s", obj.name, on)
			}
			return out, nil
		}
	}
	return c.apply(obj, sels)
}

// interfaceFragment mirrors graphql-go's applyInterfaceFragment: in a
// fragment on an interface the object implements, fragments on other
// types (and fragments without a type condition) are dropped.
func (c *compiler) interfaceFragment(obj *object, sels []*selection) ([]*item, error) {
	var keep []*selection
	for _, s := range sels {
		switch s.kind {
		case selField:
			keep = append(keep, s)
		case selInline:
			if s.on == obj.name || obj.ifaces[s.on] {
				keep = append(keep, s)
			}
		case selSpread:
			fr := c.doc.frags[s.name]
			if fr == nil {
				return nil, unsupported("unknown fragment %s", s.name)
			}
			if fr.on == obj.name || obj.ifaces[fr.on] {
				keep = append(keep, s)
			}
		}
	}
	return c.apply(obj, keep)
}

// skipped mirrors graphql-go's skipByDirective. A condition on a variable
// takes the value the plan is compiled for (c.conds).
func (c *compiler) skipped(dirs []*directive) (bool, error) {
	cond := func(name string) (bool, bool, error) {
		for _, d := range dirs {
			if d.name != name {
				continue
			}
			for _, a := range d.args {
				if a.name != "if" {
					continue
				}
				switch a.val.kind {
				case valBool:
					return a.val.b, true, nil
				case valVar:
					v, ok := c.conds[a.val.text]
					if !ok {
						return false, false, unsupported("@%s on $%s, which has no value", name, a.val.text)
					}
					return v, true, nil
				}
				return false, false, unsupported("@%s with a condition of kind %d", name, a.val.kind)
			}
			return false, false, unsupported("@%s without a condition", name)
		}
		return false, false, nil
	}
	if v, ok, err := cond("skip"); err != nil || (ok && v) {
		return ok && v, err
	}
	v, ok, err := cond("include")
	if err != nil {
		return false, err
	}
	return ok && !v, nil
}

// condVars returns the variables the @skip and @include conditions of
// sels (and the fragments they spread) use, once each, in order.
func condVars(doc *document, sels []*selection) []string {
	var names []string
	seen := map[string]bool{}
	frags := map[string]bool{}
	var walk func([]*selection)
	walk = func(sels []*selection) {
		for _, s := range sels {
			for _, d := range s.dirs {
				if d.name != "skip" && d.name != "include" {
					continue
				}
				for _, a := range d.args {
					if a.name == "if" && a.val.kind == valVar && !seen[a.val.text] {
						seen[a.val.text] = true
						names = append(names, a.val.text)
					}
				}
			}
			walk(s.sels)
			if s.kind == selSpread && !frags[s.name] {
				frags[s.name] = true
				if fr := doc.frags[s.name]; fr != nil {
					walk(fr.sels)
				}
			}
		}
	}
	walk(sels)
	return names
}

// planArgs packs constant arguments once; arguments with variables are
// packed per request.
func planArgs(p *structPacker, args []*argument) (*argPlan, error) {
	ap := &argPlan{packer: p, args: args}
	for _, a := range args {
		if a.val.hasVars() {
			return ap, nil
		}
	}
	values, err := deserializeArgs(args, nil)
	if err != nil {
		return nil, err
	}
	v, err := p.packMap(values)
	if err != nil {
		// graphql-go reports this when it executes; leave it to it.
		return nil, unsupported("arguments: %v", err)
	}
	ap.packed = v
	return ap, nil
}

// deserializeArgs returns args as graphql-go hands them to its packer:
// nil when there are none.
func deserializeArgs(args []*argument, vars map[string]any) (map[string]any, error) {
	if len(args) == 0 {
		return nil, nil
	}
	m := make(map[string]any, len(args))
	for _, a := range args {
		v, err := a.val.deserialize(vars)
		if err != nil {
			return nil, err
		}
		m[a.name] = v
	}
	return m, nil
}

// set merges items on obj into a set, sharing sets compiled from the same
// items on the same object.
func (c *compiler) set(obj *object, items []*item) (*set, error) {
	var kb strings.Builder
	kb.WriteString(obj.name)
	kb.WriteByte('|')
	kb.WriteString(obj.goType.String())
	for _, it := range items {
		kb.WriteByte('|')
		kb.WriteString(strconv.Itoa(it.id))
	}
	key := kb.String()
	if s, ok := c.sets[key]; ok {
		return s, nil
	}
	if len(c.sets) >= maxSets {
		return nil, unsupported("more than %d selection sets", maxSets)
	}
	s := &set{obj: obj}
	c.sets[key] = s
	for _, it := range items {
		if it.kind == itemTypename && obj.abstract {
			s.exact = true
		}
	}
	s.lists = make([][]*mfield, len(obj.asserts)+1)
	s.own = make([]bool, len(obj.asserts))
	var err error
	none := len(obj.asserts)
	if s.lists[none], err = c.merge(obj, items, nil); err != nil {
		return nil, err
	}
	for i, a := range obj.asserts {
		if !s.exact && !asserts(items, a) {
			s.lists[i] = s.lists[none]
			continue
		}
		if s.lists[i], err = c.merge(obj, items, a); err != nil {
			return nil, err
		}
		s.own[i] = true
	}
	return s, nil
}

func asserts(items []*item, a *assertion) bool {
	for _, it := range items {
		if it.kind == itemAssert && it.assert == a {
			return true
		}
	}
	return false
}

// merge mirrors graphql-go's collectFieldsToResolve for an object that
// turns out to be the possible type of assertion p (nil: none of those
// the items assert): fields by response key, in order of first
// occurrence, the first occurrence resolving and the selections of all
// of them merged.
func (c *compiler) merge(obj *object, items []*item, p *assertion) ([]*mfield, error) {
	var out []*mfield
	subs := map[*mfield][]*item{}
	var collect func(items []*item, via *assertion)
	collect = func(items []*item, via *assertion) {
		for _, it := range items {
			switch it.kind {
			case itemField, itemTypename:
				var m *mfield
				for _, x := range out {
					if x.alias == it.alias {
						m = x
						break
					}
				}
				if m == nil {
					m = &mfield{alias: it.alias, item: it, via: via}
					if it.kind == itemTypename {
						m.typename = it.obj.name
						if it.obj.abstract {
							m.typename = "" // the type found at execution
							if p != nil {
								m.typename = p.typeName
							}
						}
					}
					out = append(out, m)
				}
				if it.kind == itemField {
					subs[m] = append(subs[m], it.sels...)
				}
			case itemAssert:
				if it.assert == p {
					collect(it.sels, it.assert)
				}
			}
		}
	}
	collect(items, nil)
	for _, m := range out {
		if m.item.kind != itemField {
			continue
		}
		vo := valueObject(m.item.field.out)
		if vo == nil {
			continue
		}
		sub, err := c.set(vo, subs[m])
		if err != nil {
			return nil, err
		}
		m.sub = sub
	}
	return out, nil
}
