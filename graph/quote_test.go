package graph_test

import (
	"testing"

	"github.com/chipgraph/chipgraph/graph"
)

var locateQuoteTests = []struct {
	text, quote string
	ok          bool
	match       string // text[start:end] when ok
}{
	// Exact match.
	{"Trainium3 is sold out for 2026.", "sold out", true, "sold out"},
	{"sold out", "sold out", true, "sold out"},
	// Typographic apostrophe in the text, ASCII in the quote, and back.
	{"Amazon’s chips business", "Amazon's chips", true, "Amazon’s chips"},
	{"Amazon's chips business", "Amazon’s chips", true, "Amazon's chips"},
	// Typographic double quotes.
	{"He called it “fully subscribed” today.", `it "fully subscribed"`, true, "it “fully subscribed”"},
	{`He called it "fully subscribed" today.`, "“fully subscribed”", true, `"fully subscribed"`},
	// Whitespace runs and newlines match one space; the quote is trimmed.
	{"capacity is\n   fully\tcommitted", "is fully committed", true, "is\n   fully\tcommitted"},
	{"capacity is fully committed", "  is\n\nfully committed \n", true, "is fully committed"},
	// A no-break space counts as space.
	{"50\u00a0billion dollars", "50 billion", true, "50\u00a0billion"},
	// Multi-byte text before the match: offsets are bytes of the original.
	{"Über die Größe: 3 nm Prozess", "3 nm", true, "3 nm"},
	{"日本語のテキスト “TPU v7” です", `"TPU v7"`, true, "“TPU v7”"},
	{"Pérez said: ‘we’re sold out’", "'we're sold out'", true, "‘we’re sold out’"},
	// A multi-byte last rune ends the match after all its bytes.
	{"price: 35 000 €, tax", "35 000 €", true, "35 000 €"},
	// Not found: different words, case, or only a prefix present.
	{"Trainium3 is sold out", "sold-out", false, ""},
	{"Trainium3 is sold out", "Sold out", false, ""},
	{"Trainium3 is sold", "sold out", false, ""},
	{"", "anything", false, ""},
	// An empty or blank quote is never found.
	{"some text", "", false, ""},
	{"some text", " \n\t", false, ""},
}

func TestLocateQuote(t *testing.T) {
	for _, tt := range locateQuoteTests {
		start, end, ok := graph.LocateQuote(tt.text, tt.quote)
		if ok != tt.ok {
			t.Errorf("LocateQuote(%q, %q) = %d, %d, %v, want ok %v", tt.text, tt.quote, start, end, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if start < 0 || end < start || end > len(tt.text) {
			t.Errorf("LocateQuote(%q, %q) = %d, %d, not a range of the text", tt.text, tt.quote, start, end)
			continue
		}
		if got := tt.text[start:end]; got != tt.match {
			t.Errorf("LocateQuote(%q, %q) matched %q, want %q", tt.text, tt.quote, got, tt.match)
		}
	}
}
