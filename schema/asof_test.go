package schema_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// asOfQueries reads through every Query field that takes asOf, each with
// asOf: $t (and $id, $st, $cl: IDs and keys of the starter data).
var asOfQueries = map[string]string{
	"node":           `node(id: $id, asOf: $t) { id ... on Entity { key name } }`,
	"nodes":          `nodes(ids: [$id], asOf: $t) { id }`,
	"entity":         `entity(key: "trainium3", asOf: $t) { key name statements(first: 50) { totalCount nodes { key predicate { name } object { display } references { source { key title } quote verified } } } }`,
	"chip":           `chip(key: "trainium3", asOf: $t) { key name designers { nodes { key } } manufacturers { nodes { key } } tdp { object { display } } claimsAbout(first: 20) { totalCount nodes { key quote } } }`,
	"company":        `company(key: "aws", asOf: $t) { key name chips(first: 20) { totalCount nodes { key } } }`,
	"foundry":        `foundry(key: "tsmc", asOf: $t) { key name }`,
	"person":         `person(name: "Andy Jassy", asOf: $t) { key name }`,
	"entities":       `entities(first: 50, asOf: $t) { totalCount nodes { key name } pageInfo { endCursor hasNextPage } }`,
	"statement":      `statement(key: $st, asOf: $t) { key object { display } references { quote } }`,
	"claims":         `claims(first: 50, asOf: $t) { totalCount nodes { key quote } pageInfo { endCursor } }`,
	"claim":          `claim(key: $cl, asOf: $t) { key quote }`,
	"source":         `source(key: "seed-article", asOf: $t) { key title }`,
	"sources":        `sources(first: 50, asOf: $t) { totalCount nodes { key title } }`,
	"search":         `search(query: "trainium", first: 20, asOf: $t) { totalCount edges { cursor score node { __typename ... on Chip { key } } } }`,
	"filterEntities": `filterEntities(filter: {kind: Chip}, first: 50, asOf: $t) { totalCount nodes { key } }`,
	"neighborhood":   `neighborhood(key: "trainium3", depth: 2, asOf: $t) { truncated nodes { entity { key } depth } edges { predicate from { key } to { key } } }`,
	"paths":          `paths(from: "aws", to: "tsmc", asOf: $t) { length nodes { key } }`,
	"aggregate":      `aggregate(groupBy: [{predicate: "manufacturedBy", skipMissing: true}], asOf: $t) { entityCount totalCount groups { count } }`,
	"conflicts":      `conflicts(first: 50, asOf: $t) { totalCount nodes { subject { key } predicate { name } resolved } }`,
}

// TestAsOfArguments holds the server's response cache to what it relies
// on (server/scan.go, cacheKey): an argument named asOf is always a read
// view's transaction time, so a read asOf the newest change, or any later
// instant, answers exactly as a current read does. Every argument named
// asOf is a Time on a Query field, no input object has an asOf field, and
// each such field answers the same current, asOf the newest change and
// asOf an hour later, and differently asOf before the starter data.
func TestAsOfArguments(t *testing.T) {
	e := mustOpen(t)
	addTDPConflict(t, e) // the last change
	var intro struct {
		Data struct {
			Schema struct {
				QueryType struct{ Name string }
				Types     []struct {
					Name   string
					Fields []struct {
						Name string
						Args []struct {
							Name string
							Type struct {
								Kind, Name string
							}
						}
					}
					InputFields []struct{ Name string }
				}
			} `json:"__schema"`
		}
	}
	if err := json.Unmarshal(e.exec(t, context.Background(), `{ __schema { queryType { name }
		types { name fields { name args { name type { kind name } } } inputFields { name } } } }`, nil), &intro); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, typ := range intro.Data.Schema.Types {
		for _, f := range typ.InputFields {
			if f.Name == "asOf" {
				t.Errorf("input %s has a field asOf: the response cache would take it for a read view's", typ.Name)
			}
		}
		for _, f := range typ.Fields {
			for _, a := range f.Args {
				if a.Name != "asOf" {
					continue
				}
				if typ.Name != intro.Data.Schema.QueryType.Name || a.Type.Kind != "SCALAR" || a.Type.Name != "Time" {
					t.Errorf("%s.%s(asOf: %s %s): want asOf a nullable Time on Query", typ.Name, f.Name, a.Type.Kind, a.Type.Name)
				}
				fields = append(fields, f.Name)
			}
		}
	}
	for f := range asOfQueries {
		if !slices.Contains(fields, f) {
			t.Errorf("asOfQueries reads %s, which takes no asOf", f)
		}
	}

	// IDs and keys for the queries that need them.
	var ids struct {
		Data struct {
			Entity struct {
				ID         string
				Statements struct{ Nodes []struct{ Key string } }
			}
			Claims struct{ Nodes []struct{ Key string } }
		}
	}
	if err := json.Unmarshal(e.exec(t, context.Background(), `{ entity(key: "trainium3") { id statements(first: 1) { nodes { key } } }
		claims(first: 1) { nodes { key } } }`, nil), &ids); err != nil || len(ids.Data.Entity.Statements.Nodes) == 0 || len(ids.Data.Claims.Nodes) == 0 {
		t.Fatalf("starter IDs: %+v, %v", ids, err)
	}
	last := e.Store.LastChange()
	for _, f := range fields {
		t.Run(f, func(t *testing.T) {
			sel, ok := asOfQueries[f]
			if !ok {
				t.Fatalf("Query.%s takes asOf: add a query to asOfQueries", f)
			}
			doc := asOfDoc(sel)
			run := func(at time.Time) string {
				vars := map[string]any{}
				for name, v := range map[string]string{"id": ids.Data.Entity.ID, "st": ids.Data.Entity.Statements.Nodes[0].Key, "cl": ids.Data.Claims.Nodes[0].Key} {
					if strings.Contains(doc, "$"+name+":") {
						vars[name] = v
					}
				}
				if !at.IsZero() {
					vars["t"] = at.Format(time.RFC3339Nano)
				}
				return string(e.exec(t, context.Background(), doc, vars))
			}
			current := run(time.Time{})
			if strings.Contains(current, `"errors"`) {
				t.Fatalf("current read: %s", current)
			}
			for _, at := range []time.Time{last, last.Add(time.Hour)} {
				if got := run(at); got != current {
					t.Errorf("asOf %s got\n%s\nwant the current answer\n%s", at.Format(time.RFC3339Nano), got, current)
				}
			}
			if got := run(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); got == current {
				t.Errorf("asOf 2000 answers as the current read (%s): the query does not show asOf", got)
			}
		})
	}
}

// asOfDoc wraps sel in an operation that defines $t and the other
// variables sel uses (GraphQL refuses unused ones).
func asOfDoc(sel string) string {
	defs := "$t: Time"
	for _, d := range []struct{ name, typ string }{{"id", "ID!"}, {"st", "String!"}, {"cl", "String!"}} {
		if strings.Contains(sel, "$"+d.name+")") || strings.Contains(sel, "$"+d.name+"]") || strings.Contains(sel, "$"+d.name+",") {
			defs += ", $" + d.name + ": " + d.typ
		}
	}
	return "query(" + defs + ") { " + sel + " }"
}
