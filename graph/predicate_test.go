package graph_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
)

// TestPredicatesRegistry checks the embedded registry: every predicate is
// described, names, codes and inverses are unique, and no inverse is another
// predicate's name.
func TestPredicatesRegistry(t *testing.T) {
	all := graph.Predicates.All()
	if len(all) == 0 {
		t.Fatal("Predicates.All() is empty")
	}
	names := map[string]bool{}
	codes := map[uint16]string{}
	inverses := map[string]string{}
	for _, p := range all {
		if strings.TrimSpace(p.Description) == "" {
			t.Errorf("predicate %s has no description", p.Name)
		}
		if names[p.Name] {
			t.Errorf("predicate name %s is used twice", p.Name)
		}
		names[p.Name] = true
		if q, dup := codes[p.Code]; dup {
			t.Errorf("predicate code %d is used by %s and %s", p.Code, q, p.Name)
		}
		codes[p.Code] = p.Name
		if p.Inverse != "" {
			if q, dup := inverses[p.Inverse]; dup {
				t.Errorf("inverse %s is used by %s and %s", p.Inverse, q, p.Name)
			}
			inverses[p.Inverse] = p.Name
		}
		if len(p.Subjects) == 0 {
			t.Errorf("predicate %s has no subject kinds", p.Name)
		}
		// Lookups agree with All.
		if q, ok := graph.Predicates.Lookup(p.Name); !ok || q != p {
			t.Errorf("Predicates.Lookup(%q) = %v, %v, want %v", p.Name, q, ok, p)
		}
		if q, ok := graph.Predicates.ByCode(p.Code); !ok || q != p {
			t.Errorf("Predicates.ByCode(%d) = %v, %v, want %v", p.Code, q, ok, p)
		}
		// Quantities name a base unit; other types none.
		if (p.ObjectType() == graph.QuantityValue) != (p.Unit != "") {
			t.Errorf("predicate %s: type %s with unit %q", p.Name, p.ObjectType(), p.Unit)
		}
		if p.KeyQualifier != "" && !slices.Contains(p.Qualifiers, p.KeyQualifier) {
			t.Errorf("predicate %s: key qualifier %q is not among its qualifiers %q", p.Name, p.KeyQualifier, p.Qualifiers)
		}
		if p.Symmetric && p.Inverse != p.Name {
			t.Errorf("symmetric predicate %s has inverse %q, want itself", p.Name, p.Inverse)
		}
	}
	for inv, name := range inverses {
		if names[inv] && inv != name {
			t.Errorf("inverse %s of %s is also a predicate", inv, name)
		}
	}
	if !slices.IsSortedFunc(all, func(a, b *graph.Predicate) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("Predicates.All() is not sorted by name")
	}
}

// Codes end up in store keys: these must never change.
var stablePredicateCodes = []struct {
	name string
	code uint16
}{
	{"designedBy", 1},
	{"manufacturedBy", 2},
	{"memory", 16},
	{"peakPerformance", 18},
	{"price", 20},
	{"foundedIn", 37},
}

func TestPredicateCodesStable(t *testing.T) {
	for _, tt := range stablePredicateCodes {
		p, ok := graph.Predicates.Lookup(tt.name)
		if !ok || p.Code != tt.code {
			t.Errorf("Predicates.Lookup(%q) = %v, %v, want code %d", tt.name, p, ok, tt.code)
		}
	}
}

func TestPredicateByInverse(t *testing.T) {
	p, ok := graph.Predicates.ByInverse("designs")
	if !ok || p.Name != "designedBy" {
		t.Errorf("Predicates.ByInverse(%q) = %v, %v, want designedBy", "designs", p, ok)
	}
	if p, ok := graph.Predicates.ByInverse("nonsense"); ok {
		t.Errorf("Predicates.ByInverse(%q) = %v, true, want false", "nonsense", p)
	}
	if p, ok := graph.Predicates.Lookup("designs"); ok {
		t.Errorf("Predicates.Lookup(%q) = %v, true, want false (it is an inverse)", "designs", p)
	}
}

func TestPredicateAllows(t *testing.T) {
	p, _ := graph.Predicates.Lookup("designedBy")
	if !p.IsRelation() || p.ObjectType() != graph.EntityValue || !p.AllowsSubject(graph.Chip) || p.AllowsSubject(graph.Person) ||
		!p.AllowsObject(graph.Company) || p.AllowsObject(graph.Chip) || p.Single() {
		t.Errorf("designedBy = %+v: want a multi relation from chips to organizations", p)
	}
	m, _ := graph.Predicates.Lookup("memory")
	if m.IsRelation() || m.ObjectType() != graph.QuantityValue || m.Unit != "B" || !m.Single() {
		t.Errorf("memory = %+v: want a single quantity in B", m)
	}
}

var badRegistryTests = []struct {
	json string
	want string // in the error
}{
	// Duplicate name.
	{`[{"code":1,"name":"a","description":"x","subjects":["Chip"],"literal":"text"},
	   {"code":2,"name":"a","description":"x","subjects":["Chip"],"literal":"text"}]`, `duplicate name "a"`},
	// Duplicate code.
	{`[{"code":1,"name":"a","description":"x","subjects":["Chip"],"literal":"text"},
	   {"code":1,"name":"b","description":"x","subjects":["Chip"],"literal":"text"}]`, "duplicate code 1"},
	// Missing code or name.
	{`[{"name":"a","description":"x","subjects":["Chip"],"literal":"text"}]`, "needs a code and a name"},
	{`[{"code":1,"description":"x","subjects":["Chip"],"literal":"text"}]`, "needs a code and a name"},
	// Unknown subject and object kinds.
	{`[{"code":1,"name":"a","description":"x","subjects":["Gadget"],"literal":"text"}]`, `unknown kind "Gadget"`},
	{`[{"code":1,"name":"a","description":"x","subjects":["Chip"],"objectKinds":["Gadget"]}]`, `unknown kind "Gadget"`},
	// A unit that is not its dimension's base.
	{`[{"code":1,"name":"a","description":"x","subjects":["Chip"],"literal":"quantity","unit":"GB"}]`, `unit "GB" is not a base unit`},
	{`[{"code":1,"name":"a","description":"x","subjects":["Chip"],"literal":"quantity","unit":"furlong"}]`, `unit "furlong" is not a base unit`},
	// Both or neither of objectKinds and literal.
	{`[{"code":1,"name":"a","description":"x","subjects":["Chip"],"objectKinds":["Company"],"literal":"text"}]`, "exactly one of objectKinds and literal"},
	{`[{"code":1,"name":"a","description":"x","subjects":["Chip"]}]`, "exactly one of objectKinds and literal"},
	// Unknown literal type; entity is not a literal.
	{`[{"code":1,"name":"a","description":"x","subjects":["Chip"],"literal":"colour"}]`, `unknown literal type "colour"`},
	{`[{"code":1,"name":"a","description":"x","subjects":["Chip"],"literal":"entity"}]`, `unknown literal type "entity"`},
	// An inverse that is another predicate's name.
	{`[{"code":1,"name":"a","inverse":"b","description":"x","subjects":["Chip"],"objectKinds":["Chip"]},
	   {"code":2,"name":"b","description":"x","subjects":["Chip"],"objectKinds":["Chip"]}]`, `inverse "b" of "a" is also a predicate`},
	// Not JSON.
	{`{`, "predicate registry"},
}

func TestNewRegistryBad(t *testing.T) {
	for _, tt := range badRegistryTests {
		r, err := graph.NewRegistry([]byte(tt.json))
		if err == nil {
			t.Errorf("NewRegistry(%s) = %v, nil, want error containing %q", tt.json, r, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewRegistry(%s) error = %q, want it to contain %q", tt.json, err, tt.want)
		}
	}
}

func TestNewRegistryGood(t *testing.T) {
	// A symmetric predicate is its own inverse.
	r, err := graph.NewRegistry([]byte(`[
		{"code":1,"name":"rivals","inverse":"rivals","description":"x","subjects":["Company"],"objectKinds":["Company"],"symmetric":true},
		{"code":7,"name":"power","description":"x","subjects":["Chip"],"literal":"quantity","unit":"W"}]`))
	if err != nil {
		t.Fatalf("NewRegistry error: %v", err)
	}
	if p, ok := r.ByCode(7); !ok || p.Name != "power" {
		t.Errorf("ByCode(7) = %v, %v, want power", p, ok)
	}
	if p, ok := r.Lookup("rivals"); !ok || !p.Symmetric {
		t.Errorf("Lookup(%q) = %v, %v, want the symmetric predicate", "rivals", p, ok)
	}
}
