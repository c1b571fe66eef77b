package schema_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/schema"
	"github.com/chipgraph/chipgraph/store"
)

// The datasheet Epoch links for Trainium3: the source of its statements.
var trainium3Datasheet = graph.SourceKeyForURL("https://awsdocs-neuron.readthedocs-hosted.com/en/latest/about-neuron/arch/neuron-hardware/trainium3.html")

// openProvStore opens an in-memory store holding the starter data, written
// by "starter" on a clock that starts at 2026-01-01 and ticks a second per write.
func openProvStore(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open("", &store.Options{InMemory: true, Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { now = now.Add(time.Second); return now }
	recs, err := starter.Records()
	if err != nil {
		tb.Fatalf("starter.Records: %v", err)
	}
	if _, err := s.Import(context.Background(), "starter", recs, nil); err != nil {
		tb.Fatalf("Import(starter): %v", err)
	}
	return s
}

// provJSON encodes a document and decodes it into plain JSON values.
func provJSON(tb testing.TB, doc *schema.ProvDocument) (raw []byte, nodes map[string]map[string]any) {
	tb.Helper()
	raw, err := schema.MarshalProv(doc, "  ")
	if err != nil {
		tb.Fatalf("MarshalProv: %v", err)
	}
	var top map[string]any
	if err := json.Unmarshal(raw, &top); err != nil {
		tb.Fatalf("document is not JSON: %v", err)
	}
	checkProvShape(tb, top)
	nodes = map[string]map[string]any{}
	for _, n := range top["@graph"].([]any) {
		m := n.(map[string]any)
		nodes[m["@id"].(string)] = m
	}
	return raw, nodes
}

// iriProps are the properties whose values are IRIs: each must be written
// {"@id": IRI}, since the context coerces nothing.
var iriProps = map[string]bool{
	"prov:wasDerivedFrom": true, "prov:entity": true, "prov:hadActivity": true,
	"prov:wasGeneratedBy": true, "prov:wasAssociatedWith": true, "prov:wasAttributedTo": true,
	"prov:specializationOf": true, "prov:wasRevisionOf": true, "prov:wasInvalidatedBy": true,
	"prov:used": true, "rdf:subject": true, "rdf:predicate": true, "schema:url": true,
	"cg:about": true, "cg:restates": true, "cg:supports": true, "cg:contradicts": true,
}

// checkProvShape checks the document's structure: an inline context of
// prefixes, a @graph whose nodes all have an absolute @id and a @type,
// IRI-valued properties written as {"@id": IRI} with an IRI that is
// absolute or uses a declared prefix, and every property a compact IRI
// with a declared prefix (or a keyword).
func checkProvShape(tb testing.TB, top map[string]any) {
	tb.Helper()
	ctx, ok := top["@context"].(map[string]any)
	if !ok {
		tb.Fatalf("@context=%v, want an inline object", top["@context"])
	}
	for _, p := range []string{"prov", "xsd", "rdfs", "schema", "dcterms", "cg"} {
		if _, ok := ctx[p].(string); !ok {
			tb.Errorf("@context has no prefix %q", p)
		}
	}
	graphNodes, ok := top["@graph"].([]any)
	if !ok || len(graphNodes) == 0 {
		tb.Fatalf("@graph=%v, want a non-empty array", top["@graph"])
	}
	iri := func(where, s string) {
		prefix, _, ok := strings.Cut(s, ":")
		if !ok || (prefix != "urn" && prefix != "http" && prefix != "https" && ctx[prefix] == nil) {
			tb.Errorf("%s: %q is not an absolute IRI or a compact IRI with a declared prefix", where, s)
		}
	}
	var walk func(where string, n map[string]any)
	walk = func(where string, n map[string]any) {
		for k, v := range n {
			if strings.HasPrefix(k, "@") {
				continue
			}
			iri(where+" property", k)
			vals, ok := v.([]any)
			if !ok {
				vals = []any{v}
			}
			for _, x := range vals {
				m, isObj := x.(map[string]any)
				switch {
				case iriProps[k]:
					id, ok := m["@id"].(string)
					if !isObj || !ok || len(m) != 1 {
						tb.Errorf("%s %s=%v, want {\"@id\": IRI}", where, k, x)
						continue
					}
					iri(where+" "+k, id)
				case isObj && m["@value"] != nil:
					if t, ok := m["@type"].(string); ok {
						iri(where+" "+k+" datatype", t)
					}
				case isObj:
					if id, ok := m["@id"].(string); ok {
						iri(where+" "+k, id)
					}
					walk(where+" "+k, m)
				}
			}
		}
	}
	for i, x := range graphNodes {
		n, ok := x.(map[string]any)
		if !ok {
			tb.Fatalf("@graph[%d] is not an object", i)
		}
		id, _ := n["@id"].(string)
		if !strings.HasPrefix(id, "urn:chipgraph:") {
			tb.Errorf("@graph[%d] @id=%q, want a urn:chipgraph: IRI", i, id)
		}
		if ts, ok := n["@type"].([]any); !ok || len(ts) == 0 {
			tb.Errorf("%s has no @type", id)
		}
		walk(id, n)
	}
}

// hasType reports whether a node has the type.
func hasType(n map[string]any, typ string) bool {
	ts, _ := n["@type"].([]any)
	for _, t := range ts {
		if t == typ {
			return true
		}
	}
	return false
}

func TestProvEntity(t *testing.T) {
	s := openProvStore(t)
	doc, err := schema.EntityProvenance(context.Background(), s, graph.View{}, "trainium3")
	if err != nil {
		t.Fatalf("EntityProvenance(trainium3): %v", err)
	}
	raw, nodes := provJSON(t, doc)
	text := string(raw)

	if got, want := doc.Graph[0]["@id"], "urn:chipgraph:entity:trainium3"; got != want {
		t.Errorf("first node %v, want %v", got, want)
	}
	e := nodes["urn:chipgraph:entity:trainium3"]
	if e["schema:name"] != "Trainium3" || !hasType(e, "prov:Entity") || !hasType(e, "cg:Chip") {
		t.Errorf("entity node %v, want a prov:Entity and cg:Chip named Trainium3", e)
	}
	ds := nodes["urn:chipgraph:source:"+trainium3Datasheet]
	if ds == nil || !hasType(ds, "prov:Entity") || !strings.Contains(ds["dcterms:title"].(string), "Trainium3") {
		t.Fatalf("datasheet source node %v, want a prov:Entity with its title", ds)
	}
	if got := ds["schema:url"].(map[string]any)["@id"]; !strings.Contains(got.(string), "trainium3.html") {
		t.Errorf("datasheet schema:url %v", got)
	}
	// The Epoch row quoted by the statements, with its offsets in the dataset text.
	for _, want := range []string{`"cg:quote": "Amazon Trainium3,Amazon AWS,GPU,`, `"cg:start": 826`, `"cg:verified": true`,
		`"prov:hadActivity": {`, `"urn:chipgraph:activity:import-epoch-ml-hardware"`, `"rdf:predicate": {`, `"@id": "cg:tdp"`,
		`"@value": "700"`, `"xsd:decimal"`, `"schema:unitText": "W"`, `"xsd:dateTime"`, `"prov:wasAssociatedWith"`} {
		if !strings.Contains(text, want) {
			t.Errorf("document does not contain %s", want)
		}
	}
	var statements, versions, activities, agents int
	for id, n := range nodes {
		switch {
		case hasType(n, "cg:Statement"):
			statements++
			if n["rdf:subject"] == nil || n["rdf:object"] == nil || n["prov:wasDerivedFrom"] == nil || n["prov:qualifiedDerivation"] == nil {
				t.Errorf("statement %s lacks subject, object or derivation: %v", id, n)
			}
		case hasType(n, "cg:Version"):
			versions++
			if n["prov:wasGeneratedBy"] == nil || n["prov:specializationOf"] == nil {
				t.Errorf("version %s lacks its generation: %v", id, n)
			}
		case hasType(n, "prov:Activity") && hasType(n, "cg:Recording"):
			activities++
			if n["cg:op"] != "add" || n["prov:endedAtTime"] == nil {
				t.Errorf("recording %s: %v, want op add and an end time", id, n)
			}
		case hasType(n, "prov:Agent") && strings.HasPrefix(id, "urn:chipgraph:agent:"):
			agents++
		}
	}
	if statements < 5 || versions != statements+1 || activities != versions || agents != 1 {
		t.Errorf("%d statements, %d versions, %d recordings, %d agents; want >= 5, one version and one recording each (and the entity's), one agent",
			statements, versions, activities, agents)
	}
	if a := nodes["urn:chipgraph:agent:starter"]; a == nil || a["rdfs:label"] != "starter" {
		t.Errorf("agent node %v, want urn:chipgraph:agent:starter", a)
	}
}

func TestProvEntityClaims(t *testing.T) {
	s := openProvStore(t)
	doc, err := schema.EntityProvenance(context.Background(), s, graph.View{}, "andy-jassy")
	if err != nil {
		t.Fatalf("EntityProvenance(andy-jassy): %v", err)
	}
	_, nodes := provJSON(t, doc)
	c := nodes["urn:chipgraph:claim:jassy-chips-business-run-rate"]
	if c == nil || !hasType(c, "cg:Claim") || !hasType(c, "prov:Entity") {
		t.Fatalf("claim node %v, want a cg:Claim", c)
	}
	if got := c["prov:wasAttributedTo"].(map[string]any)["@id"]; got != "urn:chipgraph:entity:andy-jassy" {
		t.Errorf("claim attributed to %v", got)
	}
	if c["cg:modality"] != "estimate" || !strings.Contains(c["cg:quote"].(string), "annual run rate") {
		t.Errorf("claim modality/quote: %v", c)
	}
	if v := c["cg:value"].(map[string]any); v["schema:currency"] != "USD" || v["schema:value"].(map[string]any)["@value"] != "50000000000" {
		t.Errorf("claim value %v, want USD 50000000000", v)
	}
	if j := nodes["urn:chipgraph:entity:andy-jassy"]; !hasType(j, "prov:Agent") {
		t.Errorf("claimant node %v, want a prov:Agent", j)
	}
}

func TestProvSource(t *testing.T) {
	s := openProvStore(t)
	doc, err := schema.SourceProvenance(context.Background(), s, graph.View{}, starter.SeedArticleKey)
	if err != nil {
		t.Fatalf("SourceProvenance(seed-article): %v", err)
	}
	raw, nodes := provJSON(t, doc)
	src := nodes["urn:chipgraph:source:seed-article"]
	if doc.Graph[0]["@id"] != "urn:chipgraph:source:seed-article" || !hasType(src, "prov:Entity") || !hasType(src, "cg:Source") {
		t.Fatalf("first node %v, want the seed article as a prov:Entity", doc.Graph[0])
	}
	if sha, _ := src["cg:sha256"].(string); len(sha) != 64 {
		t.Errorf("source cg:sha256=%q", sha)
	}
	if src["prov:invalidatedAtTime"] != nil {
		t.Errorf("current source is invalidated: %v", src)
	}
	var statements, claims int
	for _, n := range nodes {
		if hasType(n, "cg:Statement") {
			statements++
		}
		if hasType(n, "cg:Claim") {
			claims++
		}
	}
	if statements == 0 || claims != 6 {
		t.Errorf("%d statements and %d claims, want some and the 6 seed claims", statements, claims)
	}
	if v := nodes["urn:chipgraph:source:seed-article:version:20260101T000001Z"]; v == nil || v["cg:sha256"] != src["cg:sha256"] {
		t.Errorf("source version %v, want the first write with the text's hash", v)
	}
	if !strings.Contains(string(raw), `"cg:quote": "AWS AI chief Peter DeSantis"`) {
		t.Error("document lacks a seed statement's quote")
	}
}

func TestProvRetractionAndAsOf(t *testing.T) {
	s := openProvStore(t)
	ctx := context.Background()
	before := s.Now()
	res, err := s.Apply(ctx, "editor", []graph.Record{{Type: graph.RetractRecord,
		Retract: &graph.Retract{Source: starter.SeedArticleKey, Reason: "story withdrawn"}}})
	if err != nil {
		t.Fatalf("retract source: %v", err)
	}
	doc, err := schema.SourceProvenance(ctx, s, graph.View{}, starter.SeedArticleKey)
	if err != nil {
		t.Fatalf("SourceProvenance after retraction: %v", err)
	}
	_, nodes := provJSON(t, doc)
	src := nodes["urn:chipgraph:source:seed-article"]
	act, _ := src["prov:wasInvalidatedBy"].(map[string]any)
	if src["prov:invalidatedAtTime"] == nil || act == nil {
		t.Fatalf("retracted source %v, want prov:invalidatedAtTime and prov:wasInvalidatedBy", src)
	}
	a := nodes[act["@id"].(string)]
	if a["cg:op"] != "retract" || a["cg:reason"] != "story withdrawn" ||
		a["prov:wasAssociatedWith"].(map[string]any)["@id"] != "urn:chipgraph:agent:editor" {
		t.Errorf("retraction activity %v", a)
	}
	if got, want := a["prov:endedAtTime"].(map[string]any)["@value"], res.At.UTC().Format(time.RFC3339Nano); got != want {
		t.Errorf("retraction ended at %v, want %v", got, want)
	}

	// What the article supported is still there, retracted (or corrected).
	var retracted, claims int
	for _, n := range nodes {
		if (hasType(n, "cg:Statement") || hasType(n, "cg:Claim")) && n["prov:wasInvalidatedBy"] != nil {
			retracted++
		}
		if hasType(n, "cg:Claim") {
			claims++
		}
	}
	if retracted == 0 || claims != 6 {
		t.Errorf("%d invalidated statements and claims, %d claims; want some, and the 6 seed claims", retracted, claims)
	}

	// The entity whose only evidence was the article: its statements are
	// retracted, and the document says so.
	doc, err = schema.EntityProvenance(ctx, s, graph.View{}, "peter-desantis")
	if err != nil {
		t.Fatalf("EntityProvenance(peter-desantis): %v", err)
	}
	_, nodes = provJSON(t, doc)
	invalidated := 0
	for _, n := range nodes {
		if hasType(n, "cg:Statement") && n["prov:invalidatedAtTime"] != nil {
			invalidated++
		}
	}
	if invalidated == 0 {
		t.Error("no statement of peter-desantis is invalidated after the retraction of its only source")
	}

	// As of before the retraction: nothing is invalidated.
	doc, err = schema.SourceProvenance(ctx, s, graph.View{AsOf: before}, starter.SeedArticleKey)
	if err != nil {
		t.Fatalf("SourceProvenance as of %v: %v", before, err)
	}
	raw, _ := provJSON(t, doc)
	if strings.Contains(string(raw), "invalidated") || strings.Contains(string(raw), "story withdrawn") {
		t.Error("document as of before the retraction mentions it")
	}
	// As of before the starter data: no such source.
	_, err = schema.SourceProvenance(ctx, s, graph.View{AsOf: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, starter.SeedArticleKey)
	if graph.ErrorCode(err) != graph.ENOTFOUND {
		t.Errorf("SourceProvenance before the data: err=%v, want NOT_FOUND", err)
	}
	_, err = schema.EntityProvenance(ctx, s, graph.View{}, "no-such-entity")
	if graph.ErrorCode(err) != graph.ENOTFOUND {
		t.Errorf("EntityProvenance(no-such-entity): err=%v, want NOT_FOUND", err)
	}
}

func TestProvGraphQL(t *testing.T) {
	s := openProvStore(t)
	sc, err := schema.New(s, schema.Options{Logger: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatalf("schema.New: %v", err)
	}
	resp := sc.Exec(context.Background(), `{ chip(key: "trainium3") { provenance } source(key: "seed-article") { provenance } }`, "", nil)
	if len(resp.Errors) > 0 {
		t.Fatalf("errors: %v", resp.Errors)
	}
	var out struct {
		Chip, Source struct{ Provenance string }
	}
	if err := json.Unmarshal(resp.Data, &out); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]string{"chip": out.Chip.Provenance, "source": out.Source.Provenance} {
		var top map[string]any
		if err := json.Unmarshal([]byte(p), &top); err != nil {
			t.Fatalf("%s provenance is not JSON: %v", name, err)
		}
		checkProvShape(t, top)
	}
	if !strings.Contains(out.Chip.Provenance, trainium3Datasheet) {
		t.Error("chip provenance lacks the datasheet")
	}
}

// TestProvExpand expands the documents with jsonld.js, the reference
// JSON-LD processor, offline (testdata/prov/expand.mjs). It needs node and
// the jsonld package in $CHIPGRAPH_JSONLD_DIR (default
// ~/.cache/chipgraph-jsonld), as .ci/run installs it; it skips without
// them unless CHIPGRAPH_JSONLD_DIR is set, as in CI.
func TestProvExpand(t *testing.T) {
	required := os.Getenv("CHIPGRAPH_JSONLD_DIR") != ""
	skip := func(format string, args ...any) {
		t.Helper()
		if required {
			t.Fatalf("CHIPGRAPH_JSONLD_DIR is set but "+format, args...)
		}
		t.Skipf(format, args...)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node is not installed: the JSON-LD expansion check needs it")
	}
	s := openProvStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	type named struct {
		name string
		doc  *schema.ProvDocument
	}
	var docs []named
	add := func(name string, doc *schema.ProvDocument, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		docs = append(docs, named{name, doc})
	}
	doc, err := schema.EntityProvenance(ctx, s, graph.View{}, "trainium3")
	add("trainium3", doc, err)
	doc, err = schema.EntityProvenance(ctx, s, graph.View{}, "andy-jassy")
	add("andy-jassy", doc, err)
	doc, err = schema.SourceProvenance(ctx, s, graph.View{}, starter.SeedArticleKey)
	add("seed-article", doc, err)
	// With a retraction: invalidations, corrections and several versions.
	if _, err := s.Apply(ctx, "editor", []graph.Record{{Type: graph.RetractRecord,
		Retract: &graph.Retract{Source: starter.SeedArticleKey, Reason: "story withdrawn"}}}); err != nil {
		t.Fatal(err)
	}
	doc, err = schema.SourceProvenance(ctx, s, graph.View{}, starter.SeedArticleKey)
	add("seed-article-retracted", doc, err)
	doc, err = schema.EntityProvenance(ctx, s, graph.View{}, "aws")
	add("aws-after-retraction", doc, err)
	for _, d := range docs {
		name := d.name
		raw, _ := provJSON(t, d.doc)
		file := filepath.Join(dir, name+".jsonld")
		if err := os.WriteFile(file, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(node, filepath.Join("testdata", "prov", "expand.mjs"), file).CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 3 {
			skip("the jsonld npm package is not installed (see .ci/run): %s", strings.TrimSpace(string(out)))
		}
		if err != nil {
			t.Errorf("%s: jsonld expansion failed: %v\n%s", name, err, out)
			continue
		}
		t.Logf("%s: %s", name, strings.TrimSpace(string(out)))
	}
}
