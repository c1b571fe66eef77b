package graph

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// Predicate describes one relation or attribute in the registry: which
// entity kinds it applies to, what its object must be, whether an entity
// has at most one current value, and its inverse's name.
type Predicate struct {
	// Code is the predicate's stored number (it appears in store keys).
	// Codes in predicates.json are append-only: never change or reuse one.
	Code         uint16   `json:"code"`
	Name         string   `json:"name"`
	Inverse      string   `json:"inverse,omitempty"`
	Description  string   `json:"description"`
	Subjects     []Kind   `json:"subjects"`
	ObjectKinds  []Kind   `json:"objectKinds,omitempty"` // set for entity-valued predicates
	Literal      string   `json:"literal,omitempty"`     // set for literal predicates: text, quantity, money, date, boolean
	Unit         string   `json:"unit,omitempty"`        // base unit for quantities
	Multi        bool     `json:"multi,omitempty"`
	Symmetric    bool     `json:"symmetric,omitempty"`
	Qualifiers   []string `json:"qualifiers,omitempty"`   // free qualifiers this predicate expects
	KeyQualifier string   `json:"keyQualifier,omitempty"` // a qualifier that separates values (peak performance per precision)
}

// ObjectType is the value type the predicate's object must have.
func (p *Predicate) ObjectType() ValueType {
	if len(p.ObjectKinds) > 0 {
		return EntityValue
	}
	t, _ := ParseValueType(p.Literal)
	return t
}

// IsRelation reports whether the object is an entity.
func (p *Predicate) IsRelation() bool { return len(p.ObjectKinds) > 0 }

// AllowsSubject reports whether an entity of kind k may be the subject.
func (p *Predicate) AllowsSubject(k Kind) bool { return slices.Contains(p.Subjects, k) }

// AllowsObject reports whether an entity of kind k may be the object.
func (p *Predicate) AllowsObject(k Kind) bool { return slices.Contains(p.ObjectKinds, k) }

// Single reports whether the predicate is single-valued.
func (p *Predicate) Single() bool { return !p.Multi }

//go:embed predicates.json
var predicatesJSON []byte

// Registry is the set of known predicates.
type Registry struct {
	list   []*Predicate
	byName map[string]*Predicate
	byCode map[uint16]*Predicate
}

// Predicates is the registry built from predicates.json.
var Predicates = mustRegistry(predicatesJSON)

func mustRegistry(b []byte) *Registry {
	r, err := NewRegistry(b)
	if err != nil {
		panic(err)
	}
	return r
}

// NewRegistry parses a registry from JSON and checks it: unique names and
// codes, known kinds and literal types, and no name used as another's inverse.
func NewRegistry(b []byte) (*Registry, error) {
	var list []*Predicate
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("predicate registry: %w", err)
	}
	r := &Registry{list: list, byName: map[string]*Predicate{}, byCode: map[uint16]*Predicate{}}
	for _, p := range list {
		if p.Code == 0 || p.Name == "" {
			return nil, fmt.Errorf("predicate registry: %q needs a code and a name", p.Name)
		}
		if _, dup := r.byName[p.Name]; dup {
			return nil, fmt.Errorf("predicate registry: duplicate name %q", p.Name)
		}
		if _, dup := r.byCode[p.Code]; dup {
			return nil, fmt.Errorf("predicate registry: duplicate code %d", p.Code)
		}
		if (len(p.ObjectKinds) > 0) == (p.Literal != "") {
			return nil, fmt.Errorf("predicate registry: %q needs exactly one of objectKinds and literal", p.Name)
		}
		if p.Literal != "" {
			if t, ok := ParseValueType(p.Literal); !ok || t == EntityValue {
				return nil, fmt.Errorf("predicate registry: %q has unknown literal type %q", p.Name, p.Literal)
			}
		}
		if p.Unit != "" {
			if u, ok := LookupUnit(p.Unit); !ok || u.Base != p.Unit {
				return nil, fmt.Errorf("predicate registry: %q unit %q is not a base unit", p.Name, p.Unit)
			}
		}
		for _, k := range append(append([]Kind(nil), p.Subjects...), p.ObjectKinds...) {
			if KindCode(k) == 0 {
				return nil, fmt.Errorf("predicate registry: %q names unknown kind %q", p.Name, k)
			}
		}
		r.byName[p.Name] = p
		r.byCode[p.Code] = p
	}
	for _, p := range list {
		if q, ok := r.byName[p.Inverse]; ok && q != p {
			return nil, fmt.Errorf("predicate registry: inverse %q of %q is also a predicate", p.Inverse, p.Name)
		}
	}
	return r, nil
}

// Lookup returns the predicate named name.
func (r *Registry) Lookup(name string) (*Predicate, bool) {
	p, ok := r.byName[name]
	return p, ok
}

// ByCode returns the predicate with the stored code c.
func (r *Registry) ByCode(c uint16) (*Predicate, bool) {
	p, ok := r.byCode[c]
	return p, ok
}

// ByInverse returns the predicate whose inverse is named name.
func (r *Registry) ByInverse(name string) (*Predicate, bool) {
	for _, p := range r.list {
		if p.Inverse == name {
			return p, true
		}
	}
	return nil, false
}

// All returns the predicates sorted by name.
func (r *Registry) All() []*Predicate {
	out := append([]*Predicate(nil), r.list...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
