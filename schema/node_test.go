package schema_test

import (
	"context"
	"testing"
)

// nodeTests find an object's global ID with a first query; the test then
// fetches node(id:) and compares the response with
// testdata/golden/node/<name>.json.
var nodeTests = []struct {
	name    string
	idQuery string
	id      func(d idData) string
}{
	{"entity", `{ chip(key: "trainium3") { id } }`, func(d idData) string { return d.Chip.ID }},
	{"statement", `{ chip(key: "trainium3") { designers { edges { statement { id } } } } }`,
		func(d idData) string { return d.Chip.Designers.Edges[0].Statement.ID }},
	{"claim", `{ claim(key: "jassy-chips-business-run-rate") { id } }`, func(d idData) string { return d.Claim.ID }},
	{"source", `{ source(key: "seed-article") { id } }`, func(d idData) string { return d.Source.ID }},
}

type idData struct {
	Chip struct {
		ID        string
		Designers struct {
			Edges []struct{ Statement struct{ ID string } }
		}
	}
	Claim, Source struct{ ID string }
}

func TestGoldenNode(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	query := readQuery(t, "node/node")
	var ids []any
	for _, tt := range nodeTests {
		t.Run(tt.name, func(t *testing.T) {
			var d idData
			e.mustData(t, context.Background(), tt.idQuery, nil, &d)
			id := tt.id(d)
			if id == "" {
				t.Fatalf("%s: no ID", tt.idQuery)
			}
			ids = append(ids, id)
			got := e.exec(t, context.Background(), query, map[string]any{"id": id})
			r := decode(t, got)
			if len(r.Errors) > 0 {
				t.Fatalf("node(id: %q): %+v", id, r.Errors)
			}
			var n struct{ Node *struct{ ID string } }
			e.mustData(t, context.Background(), query, map[string]any{"id": id}, &n)
			if n.Node == nil || n.Node.ID != id {
				t.Errorf("node(id: %q) = %+v, want the object with that ID", id, n.Node)
			}
			checkGolden(t, "node/"+tt.name, got)
		})
	}

	// nodes(ids:) returns them in order, with null for an ID that names
	// nothing (a well-formed ID of a key that does not exist).
	t.Run("nodes", func(t *testing.T) {
		missing := "RW50aXR5Om5vLXN1Y2gtZW50aXR5" // base64url("Entity:no-such-entity")
		var got struct{ Nodes []*struct{ ID string } }
		e.mustData(t, context.Background(), `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
			map[string]any{"ids": append(ids, missing)}, &got)
		if len(got.Nodes) != len(ids)+1 {
			t.Fatalf("nodes returned %d, want %d", len(got.Nodes), len(ids)+1)
		}
		for i, id := range ids {
			if got.Nodes[i] == nil || got.Nodes[i].ID != id {
				t.Errorf("nodes[%d] = %+v, want ID %v", i, got.Nodes[i], id)
			}
		}
		if got.Nodes[len(ids)] != nil {
			t.Errorf("nodes[%d] = %+v, want null for a missing entity", len(ids), got.Nodes[len(ids)])
		}
	})

	t.Run("malformed", func(t *testing.T) {
		for _, id := range []string{"not base64!", "bm8tY29sb24", "V2lkZ2V0OngK"} { // "no-colon", "Widget:x"
			r := e.run(t, context.Background(), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
			checkError(t, r, "BAD_USER_INPUT", "INVALID_VALUE", "id", "malformed node ID")
		}
	})
}
