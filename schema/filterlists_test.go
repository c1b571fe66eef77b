package schema_test

import (
	"context"
	"testing"
)

// TestFiltersOnLists: the root entities list and typed relation lists take
// the same filters as filterEntities, with units converted.
func TestFiltersOnLists(t *testing.T) {
	e := mustOpen(t)
	ctx := context.Background()
	var d struct {
		A, B struct {
			TotalCount int
			Nodes      []struct{ Key string }
		}
		Nvidia struct {
			Chips, All struct{ TotalCount int }
		}
		GiB struct{ TotalCount int }
	}
	e.mustData(t, ctx, `{
		a: entities(kind: Chip, filter: {related: {predicate: "manufacturedBy", to: ["tsmc"]}, value: {predicate: "memory", gte: {amount: 96, unit: "GB"}}}, first: 500) { totalCount nodes { key } }
		b: filterEntities(filter: {kind: Chip, and: [{related: {predicate: "manufacturedBy", to: ["tsmc"]}}, {value: {predicate: "memory", gte: {amount: 96000000000, unit: "B"}}}]}, first: 500) { totalCount nodes { key } }
		gib: entities(kind: Chip, filter: {related: {predicate: "manufacturedBy", to: ["tsmc"]}, value: {predicate: "memory", gte: {amount: 89.40696716308594, unit: "GiB"}}}) { totalCount }
		nvidia: company(key: "nvidia") {
			chips(filter: {value: {predicate: "memory", gte: {amount: 96, unit: "GB"}}}) { totalCount }
			all: chips { totalCount }
		}
	}`, nil, &d)
	if d.A.TotalCount == 0 || d.A.TotalCount != d.B.TotalCount || d.A.TotalCount != d.GiB.TotalCount || len(d.A.Nodes) != d.A.TotalCount {
		t.Errorf("entities filter %d, filterEntities %d, in GiB %d: want equal and non-zero", d.A.TotalCount, d.B.TotalCount, d.GiB.TotalCount)
	}
	if n := d.Nvidia.Chips.TotalCount; n == 0 || n >= d.Nvidia.All.TotalCount {
		t.Errorf("nvidia chips with ≥96 GB = %d of %d, want some but not all", n, d.Nvidia.All.TotalCount)
	}
	r := e.run(t, ctx, `{ entities(name: "x", filter: {kind: Chip}) { totalCount } }`, nil)
	if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("name with filter: %+v, want BAD_USER_INPUT", r.Errors)
	}
}
