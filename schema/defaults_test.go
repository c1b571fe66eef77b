package schema_test

import (
	"context"
	"testing"
)

// TestUnsetVariablesTakeDefaults: a declared but unset (or null) variable
// for an optional argument takes the argument's default, as the GraphQL
// spec says, instead of failing.
func TestUnsetVariablesTakeDefaults(t *testing.T) {
	e := mustOpen(t)
	q := `query($f: Int, $d: Direction, $n: Int, $h: Int) {
		entities(first: $f) { totalCount edges { cursor } }
		chip(key: "trainium3") { statements(direction: $d, first: $f) { totalCount } designers(first: $f) { totalCount } }
		neighborhood(key: "tsmc", depth: $n, limit: $f) { nodes { depth } }
		paths(from: "apple", to: "amazon", maxHops: $h, first: $f) { hops { predicate } }
	}`
	for _, vars := range []map[string]any{nil, {"f": nil, "d": nil, "n": nil, "h": nil}} {
		var d struct {
			Entities struct {
				TotalCount int
				Edges      []struct{ Cursor string }
			}
			Chip struct {
				Statements struct{ TotalCount int }
				Designers  struct{ TotalCount int }
			}
			Paths []struct{ Hops []struct{ Predicate string } }
		}
		e.mustData(t, context.Background(), q, vars, &d)
		if len(d.Entities.Edges) != 50 || d.Chip.Statements.TotalCount == 0 || d.Chip.Designers.TotalCount != 1 || len(d.Paths) == 0 {
			t.Errorf("vars %v: %d edges (want the default 50), %d statements, %d designers, %d paths",
				vars, len(d.Entities.Edges), d.Chip.Statements.TotalCount, d.Chip.Designers.TotalCount, len(d.Paths))
		}
	}
}
