package schema_test

import (
	"context"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
)

// trn3Datasheet is the datasheet Epoch's dataset links for Trainium3.
const trn3Datasheet = "https://awsdocs-neuron.readthedocs-hosted.com/en/latest/about-neuron/arch/neuron-hardware/trainium3.html"

// source(url:) finds the source keyed by graph.SourceKeyForURL, ignoring
// surrounding blanks; an unknown URL is null, not an error.
func TestSourceByURL(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	tests := []struct {
		url, wantKey string
	}{
		{trn3Datasheet, graph.SourceKeyForURL(trn3Datasheet)},
		{"  " + trn3Datasheet + "\n", graph.SourceKeyForURL(trn3Datasheet)},
		{"https://epoch.ai/data/machine-learning-hardware", "epoch-ml-hardware"},
		{"https://example.com/nothing-here", ""},
	}
	for _, tt := range tests {
		var got struct{ Source *struct{ Key string } }
		e.mustData(t, context.Background(), `query($url: String) { source(url: $url) { key } }`, map[string]any{"url": tt.url}, &got)
		key := ""
		if got.Source != nil {
			key = got.Source.Key
		}
		if key != tt.wantKey {
			t.Errorf("source(url: %q) key = %q, want %q", tt.url, key, tt.wantKey)
		}
	}
}

// Lookups that return null rather than an error, and those that are errors.
func TestLookupArguments(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	var got struct {
		Missing, WrongKind, Chip *struct{ Key string }
	}
	e.mustData(t, context.Background(), `{
		missing: entity(key: "no-such-entity") { key }
		wrongKind: company(key: "trainium3") { key }
		chip: chip(key: "trainium3") { key }
	}`, nil, &got)
	if got.Missing != nil || got.WrongKind != nil {
		t.Errorf("missing = %+v, wrongKind = %+v, want both null", got.Missing, got.WrongKind)
	}
	if got.Chip == nil || got.Chip.Key != "trainium3" {
		t.Errorf("chip(key: trainium3) = %+v", got.Chip)
	}
	tests := []struct{ name, query, field string }{
		{"KeyAndName", `{ entity(key: "aws", name: "AWS") { key } }`, "key"},
		{"Neither", `{ entity { key } }`, "key"},
		{"SourceKeyAndURL", `{ source(key: "seed-article", url: "https://example.com") { key } }`, "key"},
		{"NameAndPrefix", `{ entities(name: "aws", namePrefix: "a") { totalCount } }`, "name"},
		{"UnknownRelatedPredicate", `{ chip(key: "trainium3") { related(predicate: "fabbedAt") { totalCount } } }`, "predicate"},
		{"LiteralRelatedPredicate", `{ chip(key: "trainium3") { related(predicate: "tdp") { totalCount } } }`, "predicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(t, context.Background(), tt.query, nil)
			if len(r.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", r.Errors)
			}
			if got := r.Errors[0].Extensions["code"]; got != "BAD_USER_INPUT" {
				t.Errorf("code = %v, want BAD_USER_INPUT", got)
			}
			if got := r.Errors[0].Extensions["field"]; got != tt.field {
				t.Errorf("field = %v, want %q", got, tt.field)
			}
		})
	}
}
