package schema

import (
	"context"
	"testing"
)

func TestScanNames(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want docNames
	}{
		{``, 0},
		{`{ entity(key: "x") { key name } }`, nameEntity},
		{`{ chip(key: "x") { statements { totalCount nodes { references { source { key } } } } } }`,
			nameTotalCount | nameReferences | nameSource},
		{`query Q($subject: String) { a(subject: $subject) { claimant { key } } }`, nameSubject | nameClaimant},
		// Names inside strings, block strings and comments do not count.
		{`{ a(q: "references display \" source") { key } }`, 0},
		{`{ a(q: """ claimant "" subject \""" entity """) { key } }`, 0},
		{"{ a # references display\n { key } }", 0},
		// Variables and numbers are not names; a longer or shorter word is
		// another name.
		{`{ a(n: 1e5, v: $display) { sources referenced entit } }`, 0},
		// Fragments, aliases and type conditions count: more is loaded,
		// never less.
		{`{ ...F } fragment F on Chip { d: display ... on Claim { reference { quote } } }`, nameDisplay | nameReference},
		// An unterminated string ends the scan without a panic.
		{`{ a(q: "display`, 0},
		{`{ a(q: """display`, 0},
	} {
		if got := scanNames(tc.doc); got != tc.want {
			t.Errorf("scanNames(%q) = %b, want %b", tc.doc, got, tc.want)
		}
	}
}

func TestWantsOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  context.Context
		n    int
		want wants
	}{
		{"NoRecords", WithDocument(context.Background(), `{ references }`), 0, wants{}},
		{"Document", WithDocument(context.Background(), `{ x { references { source { key } } display } }`), 3,
			wants{objects: true, sources: true, claimSrcs: true}},
		{"NothingNamed", WithDocument(context.Background(), `{ x { key } }`), 3, wants{}},
		// Without a document every read a page can need is made.
		{"LoaderOnly", WithLoader(context.Background()), 3, wants{true, true, true, true, true}},
		{"NoLoader", context.Background(), 3, wants{true, true, true, true, true}},
	} {
		if got := wantsOf(tc.ctx, tc.n); got != tc.want {
			t.Errorf("%s: wantsOf = %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if !wantsTotal(context.Background()) || wantsTotal(WithDocument(context.Background(), `{ search { edges { score } } }`)) {
		t.Errorf("wantsTotal: want true without a document and false for one without totalCount")
	}
}
