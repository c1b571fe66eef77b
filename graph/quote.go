package graph

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// quoteFold maps typographic quotes, apostrophes and dashes to their ASCII
// forms for quote location. Nothing else is normalized.
var quoteFold = map[rune]rune{
	'\u2018': '\'', '\u2019': '\'', '\u201A': '\'', '\u201B': '\'', '\u2032': '\'',
	'\u201C': '"', '\u201D': '"', '\u201E': '"', '\u201F': '"', '\u2033': '"',
	'\u00A0': ' ', '\u2007': ' ', '\u202F': ' ',
}

// foldedRunes returns s with whitespace runs collapsed to one space and
// typographic quotes folded, plus, for each rune kept, its byte offset in s.
func foldedRunes(s string) ([]rune, []int) {
	rs := make([]rune, 0, len(s))
	offs := make([]int, 0, len(s))
	inSpace := false
	for i, r := range s {
		if f, ok := quoteFold[r]; ok {
			r = f
		}
		if unicode.IsSpace(r) {
			if inSpace {
				continue
			}
			inSpace = true
			r = ' '
		} else {
			inSpace = false
		}
		rs = append(rs, r)
		offs = append(offs, i)
	}
	return rs, offs
}

// LocateQuote finds quote in text, allowing only whitespace differences and
// typographic quote marks (’ for ', “ for "). It returns the byte offsets
// [start, end) of the match in text and whether it was found.
func LocateQuote(text, quote string) (start, end int, ok bool) {
	if t := strings.TrimSpace(quote); t != "" {
		if i := strings.Index(text, t); i >= 0 {
			return i, i + len(t), true
		}
	}
	q, _ := foldedRunes(strings.TrimSpace(quote))
	if len(q) == 0 {
		return 0, 0, false
	}
	t, offs := foldedRunes(text)
	qs := string(q)
	ts := string(t)
	i := strings.Index(ts, qs)
	if i < 0 {
		return 0, 0, false
	}
	// Convert the byte index in ts to a rune index.
	ri := utf8.RuneCountInString(ts[:i])
	rj := ri + len(q) - 1
	start = offs[ri]
	_, size := utf8.DecodeRuneInString(text[offs[rj]:])
	return start, offs[rj] + size, true
}
