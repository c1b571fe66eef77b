package graph_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
)

// fakeLookup is a graph.Lookup over fixed maps.
type fakeLookup struct {
	kinds map[string]graph.Kind
	texts map[string]string // source key to text; "" for a source without text
}

var _ graph.Lookup = fakeLookup{}

func (l fakeLookup) EntityKind(key string) (graph.Kind, bool) {
	k, ok := l.kinds[key]
	return k, ok
}

func (l fakeLookup) SourceText(key string) (string, string, bool) {
	t, ok := l.texts[key]
	if !ok || t == "" {
		return "", "", ok
	}
	return t, graph.TextHash(t), true
}

const blogText = "AWS said Trainium3 has 144\u00a0GB of HBM3e.\nCapacity is “fully  subscribed” through 2026, Jassy said: ‘we’re sold out’."

var testLookup = fakeLookup{
	kinds: map[string]graph.Kind{
		"trainium3":  graph.Chip,
		"trainium":   graph.ChipFamily,
		"amazon":     graph.Company,
		"tsmc":       graph.Foundry,
		"andy-jassy": graph.Person,
		"n3":         graph.ProcessNode,
	},
	texts: map[string]string{
		"aws-blog": blogText,
		"no-text":  "",
		"epoch":    "a dataset",
	},
}

// checkError reports whether err is a *graph.Error with the given field and
// reason, and reports a test error if not.
func checkError(t *testing.T, call string, err error, field, reason string) {
	t.Helper()
	var ge *graph.Error
	if !errors.As(err, &ge) {
		t.Errorf("%s = %v, want *graph.Error {field %q reason %s}", call, err, field, reason)
		return
	}
	if ge.Code != graph.EINVALID || ge.Field != field || ge.Reason != reason {
		t.Errorf("%s error = {code %s field %q reason %s} %q, want {code %s field %q reason %s}",
			call, ge.Code, ge.Field, ge.Reason, ge.Message, graph.EINVALID, field, reason)
	}
}

// newStatement returns a valid statement, changed by mod.
func newStatement(mod func(*graph.Statement)) *graph.Statement {
	s := &graph.Statement{
		Subject:    "trainium3",
		Predicate:  "memory",
		Object:     graph.Quantity(144, "GB"),
		References: []graph.Reference{{Source: "aws-blog", Quote: "144 GB of HBM3e"}},
	}
	if mod != nil {
		mod(s)
	}
	return s
}

var badShapeTests = []struct {
	name   string
	mod    func(*graph.Statement)
	field  string
	reason string
}{
	{"NoSubject", func(s *graph.Statement) { s.Subject = "" }, "subject", graph.RMissing},
	{"BadSubjectKey", func(s *graph.Statement) { s.Subject = "Trainium 3" }, "subject", graph.RBadKey},
	{"NoPredicate", func(s *graph.Statement) { s.Predicate = "" }, "predicate", graph.RMissing},
	{"UnknownPredicate", func(s *graph.Statement) { s.Predicate = "weight" }, "predicate", graph.RUnknownPredicate},
	// An inverse is not a predicate (its message hints at the swap).
	{"InversePredicate", func(s *graph.Statement) {
		s.Subject, s.Predicate, s.Object = "amazon", "designs", graph.EntityRef("trainium3")
	}, "predicate", graph.RUnknownPredicate},
	{"NoObject", func(s *graph.Statement) { s.Object = graph.Value{} }, "object", graph.RMissing},
	// The object's type must be the predicate's.
	{"TextForQuantity", func(s *graph.Statement) { s.Object = graph.Text("144 GB") }, "object", graph.RTypeMismatch},
	{"QuantityForEntity", func(s *graph.Statement) {
		s.Predicate, s.Object = "designedBy", graph.Quantity(1, "1")
	}, "object", graph.RTypeMismatch},
	{"MoneyForDate", func(s *graph.Statement) {
		s.Predicate, s.Object = "releaseDate", graph.Money(1, "USD")
	}, "object", graph.RTypeMismatch},
	{"BadObjectKey", func(s *graph.Statement) {
		s.Predicate, s.Object = "designedBy", graph.EntityRef("Amazon Inc")
	}, "object.entity", graph.RBadKey},
	{"EmptyText", func(s *graph.Statement) { s.Predicate, s.Object = "chipType", graph.Text("  ") }, "object.text", graph.RMissing},
	// The unit must be of the predicate's dimension.
	{"UnitWrongDimension", func(s *graph.Statement) { s.Object = graph.Quantity(3, "TB/s") }, "object.unit", graph.RBadUnit},
	{"BitsForBytes", func(s *graph.Statement) { s.Predicate, s.Object = "memoryBandwidth", graph.Quantity(3, "Gbit/s") }, "object.unit", graph.RBadUnit},
	{"UnknownUnit", func(s *graph.Statement) { s.Object = graph.Quantity(3, "parsec") }, "object.unit", graph.RBadUnit},
	{"NaNAmount", func(s *graph.Statement) { s.Object = graph.Quantity(math.NaN(), "GB") }, "object.amount", graph.RBadValue},
	{"LowerAboveUpper", func(s *graph.Statement) { s.Object.Lower, s.Object.Upper = ptr(200), ptr(100) }, "object.lower", graph.RBadValue},
	{"LowercaseCurrency", func(s *graph.Statement) { s.Predicate, s.Object = "price", graph.Money(1, "usd") }, "object.currency", graph.RBadValue},
	// Qualifiers.
	{"PointInTimeWithValidFrom", func(s *graph.Statement) {
		s.Qualifiers = graph.Qualifiers{PointInTime: graph.MustDate("2025"), ValidFrom: graph.MustDate("2024")}
	}, "qualifiers.pointInTime", graph.RBadValue},
	{"PointInTimeWithValidTo", func(s *graph.Statement) {
		s.Qualifiers = graph.Qualifiers{PointInTime: graph.MustDate("2025"), ValidTo: graph.MustDate("2026")}
	}, "qualifiers.pointInTime", graph.RBadValue},
	{"ValidToBeforeValidFrom", func(s *graph.Statement) {
		s.Qualifiers = graph.Qualifiers{ValidFrom: graph.MustDate("2026"), ValidTo: graph.MustDate("2024")}
	}, "qualifiers.validTo", graph.RBadDate},
	// validTo is inclusive: the day before validFrom is still before it.
	{"ValidToDayBeforeValidFrom", func(s *graph.Statement) {
		s.Qualifiers = graph.Qualifiers{ValidFrom: graph.MustDate("2025-03-02"), ValidTo: graph.MustDate("2025-03-01")}
	}, "qualifiers.validTo", graph.RBadDate},
	{"ValidToMonthBeforeValidFrom", func(s *graph.Statement) {
		s.Qualifiers = graph.Qualifiers{ValidFrom: graph.MustDate("2025-03"), ValidTo: graph.MustDate("2025-02")}
	}, "qualifiers.validTo", graph.RBadDate},
	{"EmptyExtraValue", func(s *graph.Statement) {
		s.Qualifiers.Extra = map[string]string{"precision": " "}
	}, "qualifiers.extra", graph.RBadValue},
	{"EmptyExtraName", func(s *graph.Statement) {
		s.Qualifiers.Extra = map[string]string{"": "FP8"}
	}, "qualifiers.extra", graph.RBadValue},
	{"UnknownRank", func(s *graph.Statement) { s.Rank = "top" }, "rank", graph.RBadValue},
	// References.
	{"NoReferences", func(s *graph.Statement) { s.References = nil }, "references", graph.RMissingReference},
	{"EmptyReferences", func(s *graph.Statement) { s.References = []graph.Reference{} }, "references", graph.RMissingReference},
	{"ReferenceWithoutSource", func(s *graph.Statement) {
		s.References = append(s.References, graph.Reference{Quote: "x"})
	}, "references[1].source", graph.RMissing},
	{"ReferenceBadImportedFrom", func(s *graph.Statement) { s.References[0].ImportedFrom = "Epoch AI" }, "references[0].importedFrom", graph.RBadKey},
	{"ReferenceBadLocator", func(s *graph.Statement) {
		s.References[0].Locator = graph.Locator{Start: 10, End: 5}
	}, "references[0].locator", graph.RBadValue},
	{"ReferenceNegativeLocator", func(s *graph.Statement) {
		s.References[0].Locator = graph.Locator{Start: -1}
	}, "references[0].locator", graph.RBadValue},
	// A given key must be the derived one.
	{"WrongKey", func(s *graph.Statement) { s.Key = "st-0000" }, "key", graph.RBadKey},
}

func TestStatementValidateShapeBad(t *testing.T) {
	for _, tt := range badShapeTests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStatement(tt.mod)
			checkError(t, "ValidateShape()", s.ValidateShape(), tt.field, tt.reason)
		})
	}
}

func TestStatementValidateShapeInverseHint(t *testing.T) {
	s := newStatement(func(s *graph.Statement) {
		s.Subject, s.Predicate, s.Object = "amazon", "designs", graph.EntityRef("trainium3")
	})
	err := s.ValidateShape()
	if want := `"designs" is the inverse of "designedBy"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ValidateShape(designs) error = %v, want it to contain %s", err, want)
	}
}

var goodShapeTests = []struct {
	name string
	mod  func(*graph.Statement)
}{
	{"Quantity", nil},
	{"QuantityInBase", func(s *graph.Statement) { s.Object = graph.Quantity(144e9, "B") }},
	{"Entity", func(s *graph.Statement) { s.Predicate, s.Object = "designedBy", graph.EntityRef("amazon") }},
	{"Money", func(s *graph.Statement) { s.Predicate, s.Object = "price", graph.Money(35000, "USD") }},
	{"Date", func(s *graph.Statement) {
		s.Predicate, s.Object = "releaseDate", graph.DateOf(graph.MustDate("2025-12"))
	}},
	{"Text", func(s *graph.Statement) { s.Predicate, s.Object = "chipType", graph.Text("ASIC") }},
	{"PointInTime", func(s *graph.Statement) { s.Qualifiers.PointInTime = graph.MustDate("2025-12-02") }},
	{"ValidRange", func(s *graph.Statement) {
		s.Qualifiers.ValidFrom, s.Qualifiers.ValidTo = graph.MustDate("2025"), graph.MustDate("2026-Q2")
	}},
	// A one-day range: validTo is inclusive.
	{"ValidSameDay", func(s *graph.Statement) {
		s.Qualifiers.ValidFrom, s.Qualifiers.ValidTo = graph.MustDate("2025-03-02"), graph.MustDate("2025-03-02")
	}},
	{"OpenEnded", func(s *graph.Statement) { s.Qualifiers.ValidFrom = graph.MustDate("2025") }},
	{"Extra", func(s *graph.Statement) {
		s.Predicate, s.Object = "peakPerformance", graph.Quantity(2.52, "PFLOP/s")
		s.Qualifiers.Extra = map[string]string{"precision": "FP8"}
	}},
	{"Preferred", func(s *graph.Statement) { s.Rank = graph.Preferred }},
	{"TwoReferences", func(s *graph.Statement) {
		s.References = append(s.References, graph.Reference{Source: "no-text", ImportedFrom: "epoch"})
	}},
}

func TestStatementValidateShape(t *testing.T) {
	for _, tt := range goodShapeTests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStatement(tt.mod)
			if err := s.ValidateShape(); err != nil {
				t.Fatalf("ValidateShape() = %v, want nil", err)
			}
			if want := graph.StatementKey(s.Subject, s.Predicate, s.Object, s.Qualifiers); s.Key != want {
				t.Errorf("ValidateShape() set Key %q, want %q", s.Key, want)
			}
			if s.Rank == "" {
				t.Errorf("ValidateShape() left Rank empty, want %q", graph.Normal)
			}
			// Validating again with the key now given succeeds.
			if err := s.ValidateShape(); err != nil {
				t.Errorf("second ValidateShape() = %v, want nil", err)
			}
		})
	}
	s := newStatement(nil)
	s.ValidateShape()
	if s.Rank != graph.Normal {
		t.Errorf("ValidateShape() set Rank %q, want %q", s.Rank, graph.Normal)
	}
}

func TestStatementKey(t *testing.T) {
	obj := graph.Quantity(2.52, "PFLOP/s")
	extra := func(pairs ...string) graph.Qualifiers {
		q := graph.Qualifiers{ValidFrom: graph.MustDate("2025")}
		q.Extra = map[string]string{}
		for i := 0; i < len(pairs); i += 2 {
			q.Extra[pairs[i]] = pairs[i+1]
		}
		return q
	}
	k := graph.StatementKey("trainium3", "peakPerformance", obj, extra("precision", "FP8", "sparsity", "dense", "source", "x"))
	if err := graph.ValidateKey("key", k); err != nil || !strings.HasPrefix(k, "st-") {
		t.Errorf("StatementKey() = %q (%v), want a valid key starting st-", k, err)
	}
	// Map iteration order varies; the key must not.
	for range 50 {
		if k2 := graph.StatementKey("trainium3", "peakPerformance", obj, extra("source", "x", "sparsity", "dense", "precision", "FP8")); k2 != k {
			t.Fatalf("StatementKey() = %q, then %q for the same content", k, k2)
		}
	}
	// Each part of the identity changes the key.
	others := []string{
		graph.StatementKey("trainium2", "peakPerformance", obj, extra("precision", "FP8", "sparsity", "dense", "source", "x")),
		graph.StatementKey("trainium3", "peakIntegerPerformance", obj, extra("precision", "FP8", "sparsity", "dense", "source", "x")),
		graph.StatementKey("trainium3", "peakPerformance", graph.Quantity(2.53, "PFLOP/s"), extra("precision", "FP8", "sparsity", "dense", "source", "x")),
		graph.StatementKey("trainium3", "peakPerformance", obj, extra("precision", "BF16", "sparsity", "dense", "source", "x")),
		graph.StatementKey("trainium3", "peakPerformance", obj, extra("precision", "FP8", "sparsity", "dense")),
		graph.StatementKey("trainium3", "peakPerformance", obj, graph.Qualifiers{}),
	}
	for i, o := range others {
		if o == k {
			t.Errorf("StatementKey variant %d = %q, the same as the original", i, o)
		}
	}
	// References and rank are not part of the identity.
	a := newStatement(nil)
	b := newStatement(func(s *graph.Statement) {
		s.Rank = graph.Preferred
		s.References = []graph.Reference{{Source: "epoch"}}
	})
	a.ValidateShape()
	b.ValidateShape()
	if a.Key != b.Key {
		t.Errorf("keys differ by references and rank: %q and %q", a.Key, b.Key)
	}
}

var badResolveTests = []struct {
	name   string
	mod    func(*graph.Statement)
	field  string
	reason string
}{
	{"UnknownSubject", func(s *graph.Statement) { s.Subject = "trainium9" }, "subject", graph.RUnknownEntity},
	// memory applies to chips and systems, not companies.
	{"SubjectKind", func(s *graph.Statement) { s.Subject = "amazon" }, "subject", graph.RKindMismatch},
	{"UnknownObject", func(s *graph.Statement) { s.Predicate, s.Object = "designedBy", graph.EntityRef("nvidia") }, "object.entity", graph.RUnknownEntity},
	// A person does not design chips.
	{"ObjectKind", func(s *graph.Statement) { s.Predicate, s.Object = "designedBy", graph.EntityRef("andy-jassy") }, "object.entity", graph.RKindMismatch},
	{"ObjectKindNode", func(s *graph.Statement) { s.Predicate, s.Object = "processNode", graph.EntityRef("tsmc") }, "object.entity", graph.RKindMismatch},
	{"UnknownSource", func(s *graph.Statement) { s.References[0].Source = "nowhere" }, "references[0].source", graph.RUnknownSource},
	{"UnknownImportedFrom", func(s *graph.Statement) { s.References[0].ImportedFrom = "nowhere" }, "references[0].importedFrom", graph.RUnknownSource},
	{"QuoteNotInText", func(s *graph.Statement) { s.References[0].Quote = "192 GB of HBM3e" }, "references[0].quote", graph.RQuoteNotFound},
	{"SecondQuoteNotInText", func(s *graph.Statement) {
		s.References = append(s.References, graph.Reference{Source: "aws-blog", Quote: "sold out for 2027"})
	}, "references[1].quote", graph.RQuoteNotFound},
}

func TestStatementResolveBad(t *testing.T) {
	for _, tt := range badResolveTests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStatement(tt.mod)
			if err := s.ValidateShape(); err != nil {
				t.Fatalf("ValidateShape() = %v, want nil", err)
			}
			checkError(t, "Resolve()", s.Resolve(testLookup), tt.field, tt.reason)
		})
	}
}

var resolveQuoteTests = []struct {
	name     string
	ref      graph.Reference
	verified bool
	match    string // blogText[Start:End] when verified
}{
	// Exact text, with a no-break space in the source.
	{"Exact", graph.Reference{Source: "aws-blog", Quote: "144 GB of HBM3e"}, true, "144\u00a0GB of HBM3e"},
	// ASCII quotes against typographic ones, and a whitespace run.
	{"Typographic", graph.Reference{Source: "aws-blog", Quote: `"fully subscribed" through 2026`}, true, "“fully  subscribed” through 2026"},
	{"Apostrophe", graph.Reference{Source: "aws-blog", Quote: "'we're sold out'"}, true, "‘we’re sold out’"},
	// Across a newline.
	{"Newline", graph.Reference{Source: "aws-blog", Quote: "HBM3e. Capacity"}, true, "HBM3e.\nCapacity"},
	// Found: Unverified is dropped.
	{"FoundAnyway", graph.Reference{Source: "aws-blog", Quote: "sold out", Unverified: true}, true, "sold out"},
	// Not found but accepted as unverified.
	{"Unverified", graph.Reference{Source: "aws-blog", Quote: "we have capacity", Unverified: true}, false, ""},
	// A source without text verifies nothing, whatever the writer says.
	{"NoText", graph.Reference{Source: "no-text", Quote: "anything", Verified: true, SourceSHA256: "abc"}, false, ""},
	// No quote: nothing to verify.
	{"NoQuote", graph.Reference{Source: "aws-blog"}, false, ""},
}

func TestReferenceResolve(t *testing.T) {
	for _, tt := range resolveQuoteTests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStatement(func(s *graph.Statement) { s.References = []graph.Reference{tt.ref} })
			if err := s.ValidateShape(); err != nil {
				t.Fatalf("ValidateShape() = %v, want nil", err)
			}
			if err := s.Resolve(testLookup); err != nil {
				t.Fatalf("Resolve() = %v, want nil", err)
			}
			r := s.References[0]
			if r.Verified != tt.verified {
				t.Errorf("Resolve(): Verified = %v, want %v", r.Verified, tt.verified)
			}
			if !tt.verified {
				if r.SourceSHA256 != "" {
					t.Errorf("Resolve(): unverified reference has SourceSHA256 %q, want none", r.SourceSHA256)
				}
				if r.Unverified != tt.ref.Unverified {
					t.Errorf("Resolve(): Unverified = %v, want %v", r.Unverified, tt.ref.Unverified)
				}
				return
			}
			if r.Unverified {
				t.Errorf("Resolve(): Unverified still set on a verified reference")
			}
			if want := graph.TextHash(blogText); r.SourceSHA256 != want {
				t.Errorf("Resolve(): SourceSHA256 = %q, want %q", r.SourceSHA256, want)
			}
			if got := blogText[r.Locator.Start:r.Locator.End]; got != tt.match {
				t.Errorf("Resolve(): Locator %d..%d = %q, want %q", r.Locator.Start, r.Locator.End, got, tt.match)
			}
		})
	}
}

// newClaim returns a valid claim, changed by mod.
func newClaim(mod func(*graph.Claim)) *graph.Claim {
	c := &graph.Claim{
		Key:       "jassy-sold-out",
		Claimant:  "andy-jassy",
		Stated:    graph.MustDate("2025-12-02"),
		Text:      "Trainium capacity is sold out.",
		Reference: graph.Reference{Source: "aws-blog", Quote: "we’re sold out"},
		About:     []string{"trainium3", "amazon"},
	}
	if mod != nil {
		mod(c)
	}
	return c
}

var badClaimShapeTests = []struct {
	name   string
	mod    func(*graph.Claim)
	field  string
	reason string
}{
	{"NoKey", func(c *graph.Claim) { c.Key = "" }, "key", graph.RMissing},
	{"BadClaimant", func(c *graph.Claim) { c.Claimant = "Andy Jassy" }, "claimant", graph.RBadKey},
	{"BadModality", func(c *graph.Claim) { c.Modality = "rumour" }, "modality", graph.RBadValue},
	{"NoText", func(c *graph.Claim) { c.Text = " " }, "text", graph.RMissing},
	{"NoSource", func(c *graph.Claim) { c.Reference.Source = "" }, "reference.source", graph.RMissingReference},
	{"BadAbout", func(c *graph.Claim) { c.About = []string{"amazon", "AWS"} }, "about[1]", graph.RBadKey},
	{"UnitAndCurrency", func(c *graph.Claim) { c.Value = &graph.ClaimValue{Amount: 1, Unit: "W", Currency: "USD"} }, "value.unit", graph.RBadValue},
	{"UnknownUnit", func(c *graph.Claim) { c.Value = &graph.ClaimValue{Amount: 1, Unit: "parsec"} }, "value.unit", graph.RBadUnit},
	{"BadCurrency", func(c *graph.Claim) { c.Value = &graph.ClaimValue{Amount: 1, Currency: "dollars"} }, "value.currency", graph.RBadValue},
}

func TestClaimValidateShapeBad(t *testing.T) {
	for _, tt := range badClaimShapeTests {
		t.Run(tt.name, func(t *testing.T) {
			checkError(t, "ValidateShape()", newClaim(tt.mod).ValidateShape(), tt.field, tt.reason)
		})
	}
}

var badClaimResolveTests = []struct {
	name   string
	mod    func(*graph.Claim)
	field  string
	reason string
}{
	{"UnknownClaimant", func(c *graph.Claim) { c.Claimant = "jeff-bezos" }, "claimant", graph.RUnknownEntity},
	// A chip cannot claim anything.
	{"ChipClaimant", func(c *graph.Claim) { c.Claimant = "trainium3" }, "claimant", graph.RKindMismatch},
	{"NodeClaimant", func(c *graph.Claim) { c.Claimant = "n3" }, "claimant", graph.RKindMismatch},
	{"UnknownAbout", func(c *graph.Claim) { c.About = []string{"amazon", "nvidia"} }, "about[1]", graph.RUnknownEntity},
	{"UnknownSource", func(c *graph.Claim) { c.Reference.Source = "nowhere" }, "reference.source", graph.RUnknownSource},
	{"QuoteNotInText", func(c *graph.Claim) { c.Reference.Quote = "we have plenty" }, "reference.quote", graph.RQuoteNotFound},
}

func TestClaimResolveBad(t *testing.T) {
	for _, tt := range badClaimResolveTests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClaim(tt.mod)
			if err := c.ValidateShape(); err != nil {
				t.Fatalf("ValidateShape() = %v, want nil", err)
			}
			checkError(t, "Resolve()", c.Resolve(testLookup), tt.field, tt.reason)
		})
	}
}

func TestClaimResolve(t *testing.T) {
	// A person, a company and a foundry may each be claimants.
	for _, claimant := range []string{"andy-jassy", "amazon", "tsmc"} {
		c := newClaim(func(c *graph.Claim) { c.Claimant = claimant })
		if err := c.ValidateShape(); err != nil {
			t.Fatalf("ValidateShape() = %v, want nil", err)
		}
		if c.Modality != graph.Asserted {
			t.Errorf("ValidateShape() set Modality %q, want %q", c.Modality, graph.Asserted)
		}
		if err := c.Resolve(testLookup); err != nil {
			t.Errorf("Resolve() with claimant %s = %v, want nil", claimant, err)
			continue
		}
		r := c.Reference
		if !r.Verified || r.SourceSHA256 != graph.TextHash(blogText) || blogText[r.Locator.Start:r.Locator.End] != "we’re sold out" {
			t.Errorf("Resolve(): reference = %+v, want verified at %q", r, "we’re sold out")
		}
	}
	// An unverified quote is kept, not verified.
	c := newClaim(func(c *graph.Claim) { c.Reference.Quote, c.Reference.Unverified = "we have plenty", true })
	if err := c.Resolve(testLookup); err != nil || c.Reference.Verified {
		t.Errorf("Resolve(unverified quote) = %v, Verified %v, want nil, false", err, c.Reference.Verified)
	}
}

var badURLs = []string{
	"/news/trainium3",            // relative
	"news/trainium3",             // relative
	"example.com/news",           // no scheme
	"ftp://example.com/file.txt", // not http(s)
	"mailto:press@example.com",   // not http(s)
	"https://",                   // no host
	"http:example.com",           // opaque, no host
	"https://example.com/a b",    // a space
	"https://exa mple.com/",      // a space in the host
	"https://example.com/\tx",    // a tab
}

func TestSourceValidateURL(t *testing.T) {
	for _, u := range badURLs {
		s := &graph.Source{URL: u, Title: "t"}
		checkError(t, "Source{URL: "+u+"}.Validate()", s.Validate(), "url", graph.RBadURL)
		checkError(t, "ValidateURL("+u+")", graph.ValidateURL("url", u), "url", graph.RBadURL)
	}
}

var sourceKeyTests = []struct {
	url    string
	prefix string // of the derived key, before the hash
}{
	{"https://www.aboutamazon.com/news/aws/trainium3", "aboutamazon-com-news-aws-trainium3-"},
	{"HTTPS://WWW.Example.COM/News/A_B.html", "example-com-news-a-b-html-"},
	{"https://example.com/", "example-com-"},
	{"http://1.2.3.4:8080/x", "1-2-3-4-8080-x-"},
	{"https://example.com/" + strings.Repeat("long-path/", 20), "example-com-long-path-"},
}

func TestSourceKeyForURL(t *testing.T) {
	for _, tt := range sourceKeyTests {
		k := graph.SourceKeyForURL(tt.url)
		if !strings.HasPrefix(k, tt.prefix) {
			t.Errorf("SourceKeyForURL(%q) = %q, want prefix %q", tt.url, k, tt.prefix)
		}
		if err := graph.ValidateKey("key", k); err != nil {
			t.Errorf("SourceKeyForURL(%q) = %q, not a valid key: %v", tt.url, k, err)
		}
		if k2 := graph.SourceKeyForURL(tt.url); k2 != k {
			t.Errorf("SourceKeyForURL(%q) = %q, then %q", tt.url, k, k2)
		}
		// Validate derives the same key.
		s := &graph.Source{URL: tt.url}
		if err := s.Validate(); err != nil || s.Key != k {
			t.Errorf("Source{URL: %q}.Validate() = %v, Key %q, want nil, %q", tt.url, err, s.Key, k)
		}
	}
	// URLs that differ only in the query get different keys.
	a, b := graph.SourceKeyForURL("https://example.com/a?x=1"), graph.SourceKeyForURL("https://example.com/a?x=2")
	if a == b {
		t.Errorf("SourceKeyForURL gives %q for two URLs", a)
	}
}

func TestSourceValidate(t *testing.T) {
	text := "Trainium3 is sold out."
	s := &graph.Source{Key: "aws-blog", URL: "https://example.com/", Text: text}
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate() = %v, want nil", err)
	}
	if s.SHA256 != graph.TextHash(text) {
		t.Errorf("Validate() set SHA256 %q, want %q", s.SHA256, graph.TextHash(text))
	}
	if s.Kind != graph.Other {
		t.Errorf("Validate() set Kind %q, want %q", s.Kind, graph.Other)
	}
	// The right hash, given, is kept.
	s2 := &graph.Source{Key: "aws-blog", Title: "Blog", Text: text, SHA256: graph.TextHash(text), Kind: graph.BlogPost}
	if err := s2.Validate(); err != nil {
		t.Errorf("Validate(right sha256) = %v, want nil", err)
	}
}

var badSourceTests = []struct {
	name   string
	src    graph.Source
	field  string
	reason string
}{
	{"WrongSHA256", graph.Source{Key: "a", Title: "t", Text: "text", SHA256: graph.TextHash("other")}, "sha256", graph.RBadValue},
	{"SHA256WithoutText", graph.Source{Key: "a", Title: "t", SHA256: graph.TextHash("text")}, "sha256", graph.RBadValue},
	{"NoURLNoTitle", graph.Source{Key: "a"}, "title", graph.RMissing},
	{"NoKeyNoURL", graph.Source{Title: "t"}, "key", graph.RMissing},
	{"BadKey", graph.Source{Key: "AWS Blog", Title: "t"}, "key", graph.RBadKey},
	{"BadKind", graph.Source{Key: "a", Title: "t", Kind: "tweet"}, "kind", graph.RBadValue},
}

func TestSourceValidateBad(t *testing.T) {
	for _, tt := range badSourceTests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.src
			checkError(t, "Validate()", s.Validate(), tt.field, tt.reason)
		})
	}
}
