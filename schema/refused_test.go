package schema_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/chipgraph/chipgraph/schema"
)

// refusedTests are mutations the API must refuse without writing anything.
// code, reason and field are the error's extensions; "" means absent.
var refusedTests = []struct {
	name                string
	query               string
	code, reason, field string
	msg                 string // a substring of the message, if not ""
}{
	// A fact needs evidence.
	{"StatementEmptyReferences",
		`mutation { addStatement(input: {subject: "trainium2", predicate: "manufacturedBy", object: {entity: "tsmc"}, references: []}) { key } }`,
		"BAD_USER_INPUT", "MISSING_REFERENCE", "input.references", "at least one reference"},
	{"StatementNoReferences",
		`mutation { addStatement(input: {subject: "trainium2", predicate: "manufacturedBy", object: {entity: "tsmc"}}) { key } }`,
		"BAD_USER_INPUT", "MISSING_REFERENCE", "input.references", ""},

	// The predicate registry.
	{"UnknownPredicate",
		`mutation { addStatement(input: {subject: "trainium2", predicate: "fabbedAt", object: {entity: "tsmc"}, references: [{source: "seed-article"}]}) { key } }`,
		"BAD_USER_INPUT", "UNKNOWN_PREDICATE", "input.predicate", `"fabbedAt"`},
	// An inverse name is not a predicate; the message says which one to use.
	{"InversePredicate",
		`mutation { addStatement(input: {subject: "tsmc", predicate: "manufactures", object: {entity: "trainium2"}, references: [{source: "seed-article"}]}) { key } }`,
		"BAD_USER_INPUT", "UNKNOWN_PREDICATE", "input.predicate", "manufacturedBy"},
	{"SubjectKindMismatch",
		`mutation { addStatement(input: {subject: "aws", predicate: "manufacturedBy", object: {entity: "tsmc"}, references: [{source: "seed-article"}]}) { key } }`,
		"BAD_USER_INPUT", "KIND_MISMATCH", "input.subject", ""},
	{"ObjectKindMismatch",
		`mutation { addStatement(input: {subject: "trainium2", predicate: "manufacturedBy", object: {entity: "andy-jassy"}, references: [{source: "seed-article"}]}) { key } }`,
		"BAD_USER_INPUT", "KIND_MISMATCH", "input.object.entity", ""},
	{"LiteralForRelation",
		`mutation { addStatement(input: {subject: "trainium2", predicate: "manufacturedBy", object: {text: "TSMC"}, references: [{source: "seed-article"}]}) { key } }`,
		"BAD_USER_INPUT", "TYPE_MISMATCH", "input.object", ""},
	{"WrongUnit",
		`mutation { addStatement(input: {subject: "trainium2", predicate: "tdp", object: {amount: 500, unit: "GB"}, references: [{source: "seed-article"}]}) { key } }`,
		"BAD_USER_INPUT", "INVALID_UNIT", "input.object.unit", ""},

	// Dates.
	{"MalformedObjectDate",
		`mutation { addStatement(input: {subject: "trainium2", predicate: "releaseDate", object: {date: "2025-13-40"}, references: [{source: "seed-article"}]}) { key } }`,
		"BAD_USER_INPUT", "INVALID_DATE", "input.object.date", "2025-13-40"},
	{"MalformedValidFrom",
		`mutation { addStatement(input: {subject: "trainium2", predicate: "manufacturedBy", object: {entity: "tsmc"}, validFrom: "yesterday", references: [{source: "seed-article"}]}) { key } }`,
		"BAD_USER_INPUT", "INVALID_DATE", "input.validFrom", "yesterday"},
	{"MalformedPublished",
		`mutation { addSource(input: {title: "t", published: "June"}) { key } }`,
		"BAD_USER_INPUT", "INVALID_DATE", "input.published", ""},

	// Sources.
	{"MalformedURL",
		`mutation { addSource(input: {url: "not a url", title: "Bad"}) { key } }`,
		"BAD_USER_INPUT", "INVALID_URL", "input.url", ""},
	{"MalformedURLWithKey",
		`mutation { addSource(input: {key: "bad-url", url: "ftp://example.com/x", title: "Bad"}) { key } }`,
		"BAD_USER_INPUT", "INVALID_URL", "input.url", ""},
	{"URLTaken",
		`mutation { addSource(input: {key: "another-epoch", url: "https://epoch.ai/data/machine-learning-hardware", title: "Epoch again"}) { key } }`,
		"CONFLICT", "DUPLICATE", "input.url", ""},
	{"UnknownSource",
		`mutation { addStatement(input: {subject: "trainium2", predicate: "manufacturedBy", object: {entity: "tsmc"}, references: [{source: "no-such-source"}]}) { key } }`,
		"BAD_USER_INPUT", "UNKNOWN_SOURCE", "input.references[0].source", ""},
	{"QuoteNotInSource",
		`mutation { addStatement(input: {subject: "trainium2", predicate: "manufacturedBy", object: {entity: "tsmc"}, references: [{source: "seed-article", quote: "Trainium2 is made by TSMC"}]}) { key } }`,
		"BAD_USER_INPUT", "QUOTE_NOT_IN_SOURCE", "input.references[0].quote", "unverified"},
	{"ClaimQuoteNotInSource",
		`mutation { addClaim(input: {key: "made-up", claimant: "andy-jassy", text: "Made up.", reference: {source: "seed-article", quote: "words nobody wrote"}}) { key } }`,
		"BAD_USER_INPUT", "QUOTE_NOT_IN_SOURCE", "input.reference.quote", ""},

	// Entities.
	{"UnknownSubject",
		`mutation { addStatement(input: {subject: "trainium9", predicate: "manufacturedBy", object: {entity: "tsmc"}, references: [{source: "seed-article"}]}) { key } }`,
		"BAD_USER_INPUT", "UNKNOWN_ENTITY", "input.subject", "trainium9"},
	{"UnknownObject",
		`mutation { addStatement(input: {subject: "trainium2", predicate: "manufacturedBy", object: {entity: "globalfoundries"}, references: [{source: "seed-article"}]}) { key } }`,
		"BAD_USER_INPUT", "UNKNOWN_ENTITY", "input.object.entity", "globalfoundries"},
	{"UnknownClaimant",
		`mutation { addClaim(input: {key: "c1", claimant: "nobody", text: "x", reference: {source: "seed-article"}}) { key } }`,
		"BAD_USER_INPUT", "UNKNOWN_ENTITY", "input.claimant", ""},
	{"KindChange",
		`mutation { upsertEntity(input: {key: "trainium3", kind: Company, name: "Trainium3"}) { key } }`,
		"CONFLICT", "KIND_MISMATCH", "input.kind", ""},
	{"InvalidEntityKey",
		`mutation { upsertEntity(input: {key: "Trainium 5!", kind: Chip, name: "Trainium5"}) { key } }`,
		"BAD_USER_INPUT", "INVALID_KEY", "input.key", ""},
	{"InvalidSubjectKey",
		`mutation { addStatement(input: {subject: "Trainium2", predicate: "manufacturedBy", object: {entity: "tsmc"}, references: [{source: "seed-article"}]}) { key } }`,
		"BAD_USER_INPUT", "INVALID_KEY", "input.subject", ""},
	{"EmptyName",
		`mutation { upsertEntity(input: {key: "trainium5", kind: Chip, name: " "}) { key } }`,
		"BAD_USER_INPUT", "MISSING_FIELD", "input.name", ""},
	{"ClaimKeyTakenByEntity",
		`mutation { addClaim(input: {key: "trainium3", claimant: "andy-jassy", text: "x", reference: {source: "seed-article"}}) { key } }`,
		"CONFLICT", "DUPLICATE", "input.key", ""},

	// Retractions name their arguments, not an input object.
	{"RetractUnknownStatement",
		`mutation { retractStatement(key: "st-0000", reason: "wrong") { key } }`,
		"NOT_FOUND", "", "key", ""},
	{"RetractWithoutReason",
		`mutation { retractStatement(key: "st-0000", reason: " ") { key } }`,
		"BAD_USER_INPUT", "MISSING_FIELD", "reason", ""},
	{"RetractUnknownClaim",
		`mutation { retractClaim(key: "no-such-claim", reason: "wrong") { key } }`,
		"NOT_FOUND", "", "key", ""},
}

// TestRefusedMutations checks each refused mutation's error extensions and
// that it wrote nothing: the store's last change stays put after each case,
// and its exported history is byte for byte what it was after all of them.
func TestRefusedMutations(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	defer e.unchanged(t, true)()
	for _, tt := range refusedTests {
		t.Run(tt.name, func(t *testing.T) {
			defer e.unchanged(t, false)()
			r := e.run(t, writer(), tt.query, nil)
			checkRefused(t, r, tt.code, tt.reason, tt.field, tt.msg)
		})
	}
}

// unchanged notes the store's state; the function it returns fails the
// test if anything was written since. Every write moves the store's last
// change time, which is checked after each case; with export, the export
// of the whole history must also be the same bytes. (An export of the
// starter data is 3 MB, too slow to take twice per case.)
func (e *env) unchanged(t *testing.T, export bool) func() {
	t.Helper()
	last := e.Store.LastChange()
	var before []byte
	if export {
		before = e.export(t)
	}
	return func() {
		t.Helper()
		if got := e.Store.LastChange(); !got.Equal(last) {
			t.Errorf("the store changed: last change %v, was %v", got, last)
		}
		if export {
			if after := e.export(t); !bytes.Equal(after, before) {
				t.Errorf("the store's export changed (%d bytes, was %d)", len(after), len(before))
			}
		}
	}
}

// checkRefused checks that r has exactly one error, with the given
// extensions, and null data.
func checkRefused(t *testing.T, r result, code, reason, field, msg string) {
	t.Helper()
	checkError(t, r, code, reason, field, msg)
	if d := strings.TrimSpace(string(r.Data)); d != "null" {
		t.Errorf("data = %s, want null", d)
	}
}

// checkError checks that r has exactly one error, with the given
// extensions ("" for absent) and a message containing msg.
func checkError(t *testing.T, r result, code, reason, field, msg string) {
	t.Helper()
	if len(r.Errors) != 1 {
		t.Fatalf("errors = %+v, want exactly one", r.Errors)
	}
	got := r.Errors[0]
	ext := func(k string) string {
		s, _ := got.Extensions[k].(string)
		return s
	}
	if ext("code") != code {
		t.Errorf("extensions.code = %q, want %q (error %q)", ext("code"), code, got.Message)
	}
	if ext("reason") != reason {
		t.Errorf("extensions.reason = %q, want %q (error %q)", ext("reason"), reason, got.Message)
	}
	if ext("field") != field {
		t.Errorf("extensions.field = %q, want %q (error %q)", ext("field"), field, got.Message)
	}
	if msg != "" && !strings.Contains(got.Message, msg) {
		t.Errorf("message = %q, want it to contain %q", got.Message, msg)
	}
}

// A quote that is not in the source is accepted when the reference says
// unverified, and reported as not verified.
func TestUnverifiedQuote(t *testing.T) {
	t.Parallel()
	e := mustOpen(t)
	var got struct {
		AddStatement struct {
			Key        string
			References []struct {
				Quote    string
				Verified bool
				Locator  *struct{ Start, End *int }
			}
		}
	}
	e.mustData(t, writer(), `mutation {
		addStatement(input: {subject: "trainium2", predicate: "manufacturedBy", object: {entity: "tsmc"},
			references: [{source: "seed-article", quote: "Trainium2 is made by TSMC", unverified: true}]}) {
			key references { quote verified locator { start end } }
		}
	}`, nil, &got)
	refs := got.AddStatement.References
	if len(refs) != 1 {
		t.Fatalf("references = %+v, want 1", refs)
	}
	if refs[0].Verified {
		t.Errorf("verified = true, want false for an unverified quote")
	}
	if refs[0].Quote != "Trainium2 is made by TSMC" {
		t.Errorf("quote = %q, want it stored as given", refs[0].Quote)
	}
	if l := refs[0].Locator; l != nil && (l.Start != nil || l.End != nil) {
		t.Errorf("locator = %+v, want no offsets for an unverified quote", l)
	}
	var m struct {
		Chip struct{ Manufacturers struct{ TotalCount int } }
	}
	e.mustData(t, context.Background(), `{ chip(key: "trainium2") { manufacturers { totalCount } } }`, nil, &m)
	if got, want := m.Chip.Manufacturers.TotalCount, 1; got != want {
		t.Errorf("trainium2 manufacturers after the write = %d, want %d", got, want)
	}
}

// Mutations without a writer are refused before anything is read or written.
func TestMutationAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ctx  context.Context
		code string
	}{
		{"NoWriter", context.Background(), "UNAUTHENTICATED"},
		{"ReadOnly", schema.WithReadOnly(context.Background()), "FORBIDDEN"},
	}
	mutations := []struct{ name, query string }{
		{"UpsertEntity", `mutation { upsertEntity(input: {key: "trainium5", kind: Chip, name: "Trainium5"}) { key } }`},
		{"AddSource", `mutation { addSource(input: {key: "s", title: "A source"}) { key } }`},
		{"AddStatement", `mutation { addStatement(input: {subject: "trainium2", predicate: "manufacturedBy", object: {entity: "tsmc"}, references: [{source: "seed-article"}]}) { key } }`},
		{"AddClaim", `mutation { addClaim(input: {key: "c", claimant: "andy-jassy", text: "x", reference: {source: "seed-article"}}) { key } }`},
		{"RetractStatement", `mutation { retractStatement(key: "st-26f441610cbe72c9a950", reason: "test") { key } }`},
		{"RetractClaim", `mutation { retractClaim(key: "jassy-trainium4-timing", reason: "test") { key } }`},
		// Bad input is not examined without the right to write.
		{"AddStatementBadInput", `mutation { addStatement(input: {subject: "trainium2", predicate: "nope", object: {date: "2025-13-40"}}) { key } }`},
		{"AddSourceBadInput", `mutation { addSource(input: {url: "not a url", published: "June"}) { key } }`},
	}
	e := mustOpen(t)
	defer e.unchanged(t, true)()
	for _, tt := range tests {
		for _, m := range mutations {
			t.Run(tt.name+"/"+m.name, func(t *testing.T) {
				defer e.unchanged(t, false)()
				r := e.run(t, tt.ctx, m.query, nil)
				checkRefused(t, r, tt.code, "", "", "")
			})
		}
	}
}
