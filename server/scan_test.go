package server

import (
	"strings"
	"testing"
)

var scanTests = []struct {
	src       string
	opName    string
	wantDepth int
	wantType  string // "" when the operation cannot be told
}{
	{`{ hello }`, "", 1, "query"},
	{`query { a { b } }`, "", 2, "query"},
	{`mutation { set(v: "x") }`, "", 1, "mutation"},
	{`subscription S { tick }`, "", 1, "subscription"},
	{`mutation M($v: In = {a: {b: 1}}) @d(x: {y: 2}) { set }`, "", 2, "mutation"},
	{`query Q { a } mutation M { b }`, "M", 1, "mutation"},
	{`query Q { a } mutation M { b }`, "Q", 1, "query"},
	{`query Q { a } mutation M { b }`, "", 1, ""},
	{`query Q { a } mutation M { b }`, "X", 1, ""},
	{`query @dir { a }`, "dir", 1, ""}, // a directive name is not the operation's name
	{`fragment F on Query { a { b { c } } } mutation { ...F }`, "", 3, "mutation"},
	{`# mutation { x }` + "\n" + `{ a }`, "", 1, "query"},
	{`{ a(s: "mutation { {{{ ") }`, "", 1, "query"},
	{`{ a(s: "\" {{{") }`, "", 1, "query"},
	{`{ a(s: """ {{{ "" " """) }`, "", 1, "query"},
	{`{ a(s: """ \""" {{{ """) }`, "", 4, "query"}, // the parser ends the string at \"""
	{`{ a(n: 1e5, m: -2.5E-3) }`, "", 1, "query"},
	{`{ a(l: [[{x: 1}]]) }`, "", 2, "query"},
	{`{`, "", 1, "query"},
	{``, "", 0, ""},
	{`"unterminated`, "", 0, ""},
}

func TestScanDocument(t *testing.T) {
	for _, tt := range scanTests {
		t.Run(tt.src, func(t *testing.T) {
			info := scanDocument(tt.src, 0)
			if info.depth != tt.wantDepth {
				t.Errorf("scanDocument(%q) depth got %v, want %v", tt.src, info.depth, tt.wantDepth)
			}
			typ, _ := info.operationType(tt.opName)
			if typ != tt.wantType {
				t.Errorf("scanDocument(%q).operationType(%q) got %q, want %q", tt.src, tt.opName, typ, tt.wantType)
			}
		})
	}
}

func TestScanDocument_Limit(t *testing.T) {
	for _, tt := range []struct {
		src         string
		limit       int
		wantTooDeep bool
	}{
		{`{ a { b } }`, 2, false},
		{`{ a { b { c } } }`, 2, true},
		{strings.Repeat("{", 1000), 15, true},
		{`{ a(s: "` + strings.Repeat("{", 1000) + `") }`, 15, false},
	} {
		if got := scanDocument(tt.src, tt.limit).tooDeep; got != tt.wantTooDeep {
			t.Errorf("scanDocument(%.20q, %d).tooDeep got %v, want %v", tt.src, tt.limit, got, tt.wantTooDeep)
		}
	}
}

// A megabyte of flat query scans right (BenchmarkScanDocument measures
// how fast).
func TestScanDocument_Megabyte(t *testing.T) {
	src := "{ " + strings.Repeat(`a: echo(s: "x\"y") # c`+"\n", 1<<20/24) + "}"
	info := scanDocument(src, 15)
	if info.depth != 1 || info.tooDeep {
		t.Errorf("depth got %v (tooDeep %v), want 1", info.depth, info.tooDeep)
	}
}

func BenchmarkScanDocument(b *testing.B) {
	src := "{ " + strings.Repeat(`a: echo(s: "x\"y") # c`+"\n", 1<<20/24) + "}"
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		scanDocument(src, 15)
	}
}

var negotiateTests = []struct {
	accept string
	want   string // "" for 406
}{
	{"", mediaJSON},
	{"*/*", mediaJSON},
	{"application/*", mediaJSON},
	{"application/json", mediaJSON},
	{"application/json; charset=utf-8", mediaJSON},
	{"application/graphql-response+json", mediaGraphQLResponse},
	{"application/graphql-response+json; charset=utf-8, application/json; charset=utf-8", mediaGraphQLResponse},
	{"application/json, application/graphql-response+json", mediaGraphQLResponse},
	{"application/json, application/graphql-response+json;q=0.5", mediaJSON},
	{"application/graphql-response+json;q=0, application/json", mediaJSON},
	{"application/json;q=0, */*", mediaGraphQLResponse},
	{"application/json; charset=latin1", ""},
	{"text/html", ""},
	{"text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8", mediaJSON},
	{"garbage;;;", ""},
}

func TestNegotiate(t *testing.T) {
	for _, tt := range negotiateTests {
		got, ok := negotiate([]string{tt.accept})
		if !ok {
			got = ""
		}
		if got != tt.want {
			t.Errorf("negotiate(%q) got %q, want %q", tt.accept, got, tt.want)
		}
	}
}

// TestNegotiateCommon checks that the Accept and Content-Type headers
// answered without parsing get what parsing them gives.
func TestNegotiateCommon(t *testing.T) {
	for accept, want := range commonAccept {
		got, ok := negotiateParsed([]string{accept})
		if !ok || got != want {
			t.Errorf("negotiateParsed(%q) = %q, %v; commonAccept has %q", accept, got, ok, want)
		}
	}
	for _, ct := range []string{mediaJSON, "application/json; charset=utf-8", "application/json;charset=utf-8"} {
		if !jsonContentTypeParsed(ct) {
			t.Errorf("jsonContentTypeParsed(%q) = false; jsonContentType accepts it", ct)
		}
	}
}

// TestScanDocumentAsOf: a variable counts as used only as asOf when every
// use of it is the whole value of an argument named asOf.
func TestScanDocumentAsOf(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want string // docInfo.asOf, comma-separated
	}{
		{`query Q6($key: String!, $asOf: Time!) { entity(key: $key, asOf: $asOf) { key } }`, "asOf"},
		{`query($t: Time) { a: chip(asOf:$t) { key } b: company(key: "x", asOf: $t) { key } }`, "t"},
		{`query($t: Time) { chip(asOf: # a comment
			$t) { key } }`, "t"},
		{`query($t: Time, $u: Time) { chip(asOf: $t) { key } company(asOf: $u) { key } }`, "t,u"},
		// Used elsewhere too: validAt, a directive, a list, another argument.
		{`query($t: Time) { chip(asOf: $t, validAt: $t) { key } }`, ""},
		{`query($t: Time) { chip(asOf: $t) @include(if: $t) { key } }`, ""},
		{`query($t: Time) { chip(asOf: $t) { key } claims(asOf: [$t]) { key } }`, ""},
		{`query($t: Time) { chip(asOf: $t) { key } x: chip(key: $t) { key } }`, ""},
		// Not a variable, or not the asOf argument.
		{`{ chip(asOf: "2026-01-01T00:00:00Z") { key } }`, ""},
		{`query($asOf: Time) { chip(validAt: $asOf) { key } }`, ""},
		{`query($t: Time) { asOf { x(y: $t) } }`, ""},
		{`query($t: Time) { chip(asOf: "s" x: $t) { key } }`, ""},
		// A definition alone is no use.
		{`query($t: Time) { chip { key } }`, ""},
		// In a fragment.
		{`query($t: Time) { ...F } fragment F on Query { chip(asOf: $t) { key } }`, "t"},
		{`query($t: Time) { ...F chip(validAt: $t) { key } } fragment F on Query { chip(asOf: $t) { key } }`, ""},
	} {
		got := strings.Join(scanDocument(tt.src, 0).asOf, ",")
		if got != tt.want {
			t.Errorf("scanDocument(%q).asOf got %q, want %q", tt.src, got, tt.want)
		}
	}
}
