package schema_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chipgraph/chipgraph/schema"
)

// The fields of a statement and of a claim that their parent loads when
// they are part of a page (loaded.go), and read themselves otherwise.
const (
	statementFields = `key subject { key name } object { type display entity { key name } }
		references { quote verified source { key title } importedFrom { key } }`
	claimFields = `key claimant { key name } source { key title url }
		reference { quote source { key } importedFrom { key } }`
)

// TestLoadedMatchesRead checks that statements and claims resolve the
// same whether their parent loaded what they refer to (pages, relations,
// literals, paths, neighborhoods) or they read it themselves (a statement
// or claim asked for by key), with and without the per-request loader.
func TestLoadedMatchesRead(t *testing.T) {
	e := mustOpen(t)
	pages := `query {
	  chip(key: "trainium3") {
	    statements(first: 100) { nodes { ` + statementFields + ` } }
	    manufacturers { edges { statement { ` + statementFields + ` } references { quote source { key title } importedFrom { key } } } }
	    designers { edges { statement { ` + statementFields + ` } } }
	    family { statement { ` + statementFields + ` } }
	    releaseDate { ` + statementFields + ` }
	    peakPerformance { ` + statementFields + ` }
	    claimsAbout { nodes { ` + claimFields + ` } }
	  }
	  person(name: "Andy Jassy") { claims { edges { node { ` + claimFields + ` } } } }
	  neighborhood(key: "trainium3", depth: 1) { edges { statement { ` + statementFields + ` } references { source { key } } } }
	  paths(from: "aws", to: "nvidia", maxHops: 3, first: 3) { hops { statement { ` + statementFields + ` } references { source { key } } } }
	}`
	for _, tc := range []struct {
		name string
		ctx  context.Context
	}{
		{"Loader", schema.WithLoader(context.Background())},
		{"NoLoader", context.Background()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var data any
			e.mustData(t, tc.ctx, pages, nil, &data)
			stmts, claims := map[string]json.RawMessage{}, map[string]json.RawMessage{}
			collect(data, stmts, claims)
			if len(stmts) < 10 || len(claims) < 2 {
				t.Fatalf("found %d statements and %d claims in the pages, want at least 10 and 2", len(stmts), len(claims))
			}
			for key, got := range stmts {
				var one struct{ Statement json.RawMessage }
				e.mustData(t, tc.ctx, `query($k: String!) { statement(key: $k) { `+statementFields+` } }`, map[string]any{"k": key}, &one)
				if want := canonical(t, one.Statement); string(got) != want {
					t.Errorf("statement %s in a page:\n%s\nread alone:\n%s", key, got, want)
				}
			}
			for key, got := range claims {
				var one struct{ Claim json.RawMessage }
				e.mustData(t, tc.ctx, `query($k: String!) { claim(key: $k) { `+claimFields+` } }`, map[string]any{"k": key}, &one)
				if want := canonical(t, one.Claim); string(got) != want {
					t.Errorf("claim %s in a page:\n%s\nread alone:\n%s", key, got, want)
				}
			}
		})
	}
}

// collect finds the statements (objects with subject) and claims (objects
// with claimant) in a decoded response, by key, as canonical JSON.
func collect(v any, stmts, claims map[string]json.RawMessage) {
	switch v := v.(type) {
	case map[string]any:
		if key, ok := v["key"].(string); ok {
			b, _ := json.Marshal(v)
			if _, ok := v["subject"]; ok {
				stmts[key] = b
			} else if _, ok := v["claimant"]; ok {
				claims[key] = b
			}
		}
		for _, x := range v {
			collect(x, stmts, claims)
		}
	case []any:
		for _, x := range v {
			collect(x, stmts, claims)
		}
	}
}

// canonical re-encodes a JSON object with sorted keys, as collect does.
func canonical(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
