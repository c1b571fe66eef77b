package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/chipgraph/chipgraph/graph"
	badger "github.com/dgraph-io/badger/v4"
)

// Full-text search.
//
// The token index (tagSearch) holds one key per word of each searchable
// field of each record, with recorded-time intervals as its value, so it
// is written in the records' own transactions and honours asOf like every
// other index. A search ranks records from these keys alone (which field,
// exact, prefix or fuzzy, how many query words matched) and decodes only
// the page it returns; the total is the number of distinct records the
// keys name.
//
// Typo tolerance is a SymSpell-style deletion dictionary (tagTypo): every
// word long enough to tolerate typos is stored once under each string made
// by deleting up to its allowance of letters. A query word's own deletions
// find the candidate words; an edit distance check keeps the close ones,
// whose records are then read from the token index at the snapshot. The
// dictionary has no intervals: it only proposes words.

// Search fields: which text of a record a token came from. Stored in
// keys: do not reorder.
const (
	fieldName        byte = 1
	fieldAlias       byte = 2
	fieldDescription byte = 3
	fieldClaimText   byte = 4
	fieldSourceTitle byte = 5
)

// fieldWhole flags, in a search key's field byte, a field that is this one
// word: the name "TSMC", the alias "Trn3". An exact match of it ranks
// highest.
const fieldWhole byte = 0x80

// MaxSearchTerms caps the words of a search query.
const MaxSearchTerms = 8

const (
	maxTokenLen  = 64 // longer tokens are not indexed
	minPrefixLen = 2  // shorter query words match whole words only
	maxTypoRunes = 20 // longer words are not in the typo dictionary
)

// searchFields maps stored field codes to the domain's names.
var searchFields = [...]graph.SearchField{
	fieldName:        graph.FieldName,
	fieldAlias:       graph.FieldAlias,
	fieldDescription: graph.FieldDescription,
	fieldClaimText:   graph.FieldClaimText,
	fieldSourceTitle: graph.FieldSourceTitle,
}

// fieldWeight ranks fields: a name match counts most.
var fieldWeight = [...]float32{
	fieldName:        1.0,
	fieldAlias:       0.9,
	fieldDescription: 0.5,
	fieldClaimText:   0.6,
	fieldSourceTitle: 0.7,
}

// textField is one searchable text of a record.
type textField struct {
	field byte
	text  string
}

// searchKey indexes one token of one field of a record:
//
//	byte 0      tagSearch (0x52)
//	bytes 1..n  token (graph.Tokens form: lowercase, accents folded; never 0x00)
//	byte n+1    0x00
//	byte n+2    field (fieldName ...), | fieldWhole when the field is this one token
//	byte n+3    record type (rEntity, rSource, rClaim)
//	byte n+4    graph.KindCode of an entity or claim; 0 for a source
//	bytes +8    record ID
//
// The value is intervals, so search honours asOf like every other read.
// The kind lets a kind filter skip keys without reading records; a
// record's kind never changes. The 12 bytes after the token have a fixed
// width, so a key parses from its end and a scan over tagSearch|prefix
// finds words by prefix.
//
// The field comes before the record: the keys of one (token, field) pair,
// which all match a query word equally well, are contiguous and ordered
// by record type, kind and ID. Hits of equal score rank by record type
// and ID, so a search that needs only the best few hits reads each pair's
// records of the wanted kinds from the start and stops after a page
// (searcher.firstPage) instead of reading every posting of the word.
// Format 1 stores kept the field last under tagSearchV1; Open moves them
// to this layout (migrate.go).
func searchKey(token string, rtype, kind byte, id uint64, field byte) []byte {
	return appendSearchKey(make([]byte, 0, len(token)+1+searchSuffix), token, rtype, kind, id, field)
}

// appendSearchKey appends searchKey(token, rtype, kind, id, field) to b.
func appendSearchKey(b []byte, token string, rtype, kind byte, id uint64, field byte) []byte {
	b = append(b, tagSearch)
	b = append(b, token...)
	b = append(b, 0, field, rtype, kind)
	return u64(b, id)
}

// searchSuffix is the length of a search key after its token.
const searchSuffix = 12

// parseSearchKey is the inverse of searchKey. The token aliases k.
func parseSearchKey(k []byte) (token []byte, rtype, kind byte, id uint64, field byte, err error) {
	n := len(k)
	if n < 2+searchSuffix || k[0] != tagSearch || k[n-searchSuffix] != 0 {
		return nil, 0, 0, 0, 0, fmt.Errorf("not a search key: %x", k)
	}
	return k[1 : n-searchSuffix], k[n-10], k[n-9], binary.BigEndian.Uint64(k[n-8:]), k[n-11], nil
}

// typoKey is one entry of the typo dictionary:
//
//	byte 0      tagTypo (0x51)
//	bytes 1..n  deletion: word with up to typoAllowance(word) runes deleted (word itself included)
//	byte n+1    0x00
//	bytes n+2.. word (a token of the search index)
//
// The value is empty. The entry whose deletion is the word itself is
// written last, so its presence means the word's entries are all written.
func typoKey(deletion, word string) []byte {
	b := make([]byte, 0, len(deletion)+len(word)+2)
	b = append(b, tagTypo)
	b = append(b, deletion...)
	b = append(b, 0)
	return append(b, word...)
}

// parseTypoKey is the inverse of typoKey.
func parseTypoKey(k []byte) (deletion, word string, err error) {
	i := bytes.IndexByte(k, 0)
	if len(k) < 3 || k[0] != tagTypo || i < 2 || i == len(k)-1 {
		return "", "", fmt.Errorf("not a typo key: %x", k)
	}
	return string(k[1:i]), string(k[i+1:]), nil
}

// searchOcc returns the search keys a source or claim occupies while
// current; entities use entitySearchOcc, which adds their kind.
// They are appended to out, their bytes taken from a.
func searchOcc(out []occ, a *slab, rtype byte, id uint64, fields []textField) []occ {
	var kind byte
	if rtype == rClaim {
		kind = graph.KindCode(graph.ClaimKind)
	}
	return searchOccKind(out, a, rtype, kind, id, fields)
}

// entitySearchOcc appends the search keys an entity occupies while
// current to out, their bytes taken from a.
func entitySearchOcc(out []occ, a *slab, e *graph.Entity) []occ {
	return searchOccKind(out, a, rEntity, graph.KindCode(e.Kind), e.ID, entityText(e))
}

// searchOccKind appends the search keys of fields to out, once each.
func searchOccKind(out []occ, a *slab, rtype, kind byte, id uint64, fields []textField) []occ {
	start := len(out)
	var seen map[string]bool // past a few keys; until then a look through out
	for _, f := range fields {
		toks := graph.Tokens(f.text)
		out = slices.Grow(out, len(toks))
		fb := f.field
		if len(toks) == 1 {
			fb |= fieldWhole
		}
		for _, tok := range toks {
			if len(tok) > maxTokenLen {
				continue
			}
			k := appendSearchKey(a.get(len(tok)+1+searchSuffix), tok, rtype, kind, id, fb)
			if seen != nil {
				if seen[string(k)] {
					continue
				}
				seen[string(k)] = true
			} else if slices.ContainsFunc(out[start:], func(o occ) bool { return string(o.key) == string(k) }) {
				continue
			} else if len(out)-start == 32 {
				seen = make(map[string]bool, 64)
				for _, o := range out[start:] {
					seen[string(o.key)] = true
				}
				seen[string(k)] = true
			}
			out = append(out, occ{key: k})
		}
	}
	return out
}

func entityText(e *graph.Entity) []textField {
	out := []textField{{fieldName, e.Name}}
	for _, a := range e.Aliases {
		out = append(out, textField{fieldAlias, a})
	}
	if e.Description != "" {
		out = append(out, textField{fieldDescription, e.Description})
	}
	return out
}

// --- the typo dictionary

// typoAllowance is how many typos a word tolerates: none under five
// letters or with a digit (model numbers: H100 is not H200), one up to
// eight letters, two from nine. Words over maxTypoRunes tolerate none.
func typoAllowance(word string) int {
	n := 0
	for _, r := range word {
		if unicode.IsDigit(r) {
			return 0
		}
		n++
	}
	switch {
	case n < 5 || n > maxTypoRunes:
		return 0
	case n < 9:
		return 1
	}
	return 2
}

// deletions returns the distinct strings made by deleting up to d runes
// from word; the first is word itself.
func deletions(word string, d int) []string {
	out := []string{word}
	seen := map[string]bool{word: true}
	level := out
	for range d {
		var next []string
		for _, w := range level {
			rs := []rune(w)
			for i := range rs {
				s := string(rs[:i]) + string(rs[i+1:])
				if !seen[s] {
					seen[s] = true
					next = append(next, s)
				}
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}

// editDistance is the optimal string alignment distance of a and b
// (insertions, deletions, substitutions and adjacent transpositions), or
// max+1 if it exceeds max.
func editDistance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	var buf [3][maxTypoRunes + 8]int // rows of short words stay on the stack
	var prev2, prev, cur []int
	if n := len(b) + 1; n <= len(buf[0]) {
		prev2, prev, cur = buf[0][:n], buf[1][:n], buf[2][:n]
	} else {
		prev2, prev, cur = make([]int, n), make([]int, n), make([]int, n)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			low = min(low, v)
		}
		if low > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], max+1)
}

// indexTypos adds the word of a search key the writer opens to the typo
// dictionary, once per word: the writer remembers the words it has seen,
// so a bulk import reads each word's entry once.
func (w *writer) indexTypos(key []byte) error {
	if len(key) < 2+searchSuffix || key[0] != tagSearch {
		return nil
	}
	word := key[1 : len(key)-searchSuffix]
	if w.typoWords[string(word)] {
		return nil
	}
	if w.typoWords == nil {
		w.typoWords = map[string]bool{}
	}
	ws := string(word)
	w.typoWords[ws] = true
	d := typoAllowance(ws)
	if d == 0 {
		return nil
	}
	self := typoKey(ws, ws)
	switch found, err := w.has(self); {
	case err != nil:
		return err
	case found:
		return nil
	}
	for _, del := range deletions(ws, d)[1:] {
		if err := w.set(typoKey(del, ws), []byte{}); err != nil {
			return err
		}
	}
	return w.set(self, []byte{})
}

// --- search

// Search finds entities, claims and sources whose names, aliases,
// descriptions, claim texts or source titles contain the query's words, as
// the view's asOf sees them. Words match case- and accent-insensitively,
// as whole words, as prefixes of indexed words (from two letters: "trn"
// finds "Trn3"), and within a typo allowance (one typo from five letters,
// two from nine; none in words with digits). A record matches if any
// query word does. Hits are ranked by how many query words they match,
// then by where and how: a whole-name match first, then name, alias,
// source title, claim text, description; exact before prefix before
// fuzzy. Ties are broken by record type and ID, so pages are stable. The
// ranking and the total come from index keys; only the page's records are
// decoded. With q.SkipTotal, the first page of a one-word search reads
// only the keys it needs (searcher.firstPage) and leaves the total 0.
//
// Returns BAD_USER_INPUT if the query has no words or more than
// MaxSearchTerms, names an unknown kind, or the cursor is malformed or
// from another query; TIMEOUT or the context's error if ctx ends first.
func (s *Store) Search(ctx context.Context, v graph.View, q graph.SearchQuery) (graph.Page[graph.SearchHit], error) {
	var page graph.Page[graph.SearchHit]
	terms := searchTerms(q.Text)
	if len(terms) == 0 {
		return page, graph.Invalid("query", graph.RMissing, "the search query has no words")
	}
	if len(terms) > MaxSearchTerms {
		return page, graph.Invalid("query", graph.RBadValue, "the search query has %d words; at most %d are allowed", len(terms), MaxSearchTerms)
	}
	filter, err := newKindFilter(q.Kinds)
	if err != nil {
		return page, err
	}
	qhash := searchHash(terms, filter)
	var cur *searchPos
	if q.After != "" {
		if cur, err = parseSearchCursor(q.After, qhash); err != nil {
			return page, err
		}
	}
	first := clampPage(q.First)
	err = s.read(ctx, v, func(r *reader) error {
		sr := newSearcher(r, terms, filter)
		defer sr.release()
		if q.SkipTotal && cur == nil && len(terms) == 1 {
			return sr.firstPage(&page, qhash, first)
		}
		if err := sr.fullPage(&page, qhash, cur, first); err != nil {
			return err
		}
		page.Total = len(sr.accs)
		return nil
	})
	if err != nil {
		return graph.Page[graph.SearchHit]{}, err
	}
	return page, nil
}

// searchTerms splits a query into distinct normalized words, in order.
func searchTerms(text string) []string {
	var out []string
	for _, t := range graph.Tokens(text) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// kindFilter selects result types by kind code (entities and claims) and
// record type (sources).
type kindFilter struct {
	all     bool
	kinds   uint32 // bit KindCode
	sources bool
}

func newKindFilter(kinds []graph.Kind) (kindFilter, error) {
	f := kindFilter{all: len(kinds) == 0}
	for _, k := range kinds {
		if k == graph.SourceResultKind {
			f.sources = true
			continue
		}
		c := graph.KindCode(k)
		if c == 0 || c >= 32 {
			return f, graph.Invalid("kinds", graph.RBadValue, "unknown kind %q", k)
		}
		f.kinds |= 1 << c
	}
	return f, nil
}

func (f kindFilter) allows(rtype, kind byte) bool {
	switch {
	case f.all:
		return true
	case rtype == rSource:
		return f.sources
	}
	return kind < 32 && f.kinds&(1<<kind) != 0
}

// searchHash identifies a query's words and filter, so that a cursor of
// another search is refused rather than misread.
func searchHash(terms []string, f kindFilter) uint32 {
	h := fnv.New32a()
	for _, t := range terms {
		h.Write([]byte(t))
		h.Write([]byte{0})
	}
	b := binary.BigEndian.AppendUint32(nil, f.kinds)
	b = append(b, boolByte(f.all), boolByte(f.sources))
	h.Write(b)
	return h.Sum32()
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// hitAcc accumulates one record's matches during a search. Record IDs
// come from one sequence for every record type, so the ID alone names the
// record.
type hitAcc struct {
	id    uint64
	best  [MaxSearchTerms]float32 // best weight per query word
	first int32                   // head of its matches in searcher.matches; -1 if none
	rtype byte
}

// Match kinds as stored in matchRec.
const (
	matchExact uint8 = iota
	matchPrefix
	matchFuzzy
)

var matchKinds = [...]graph.MatchKind{matchExact: graph.ExactMatch, matchPrefix: graph.PrefixMatch, matchFuzzy: graph.FuzzyMatch}

// matchRec is the best match of one query word in one field of a record,
// linked to the record's other matches.
type matchRec struct {
	weight float32
	next   int32
	token  int32 // index in searcher.tokens
	term   uint8
	field  byte
	kind   uint8
}

// searcher runs one search in a reader. Searchers are pooled: a search
// over thousands of hits reuses the previous one's memory.
type searcher struct {
	r       *reader
	terms   []string
	filter  kindFilter
	index   map[uint64]int32 // record ID → accs index
	accs    []hitAcc
	matches []matchRec
	tokens  []string
	it      *badger.Iterator
	steps   int
}

var searchers = sync.Pool{New: func() any { return &searcher{index: map[uint64]int32{}} }}

func newSearcher(r *reader, terms []string, f kindFilter) *searcher {
	sr := searchers.Get().(*searcher)
	sr.r, sr.terms, sr.filter = r, terms, f
	return sr
}

// release returns the searcher to the pool unless it grew very large.
func (sr *searcher) release() {
	if len(sr.accs) > 1<<16 {
		return
	}
	clear(sr.index)
	*sr = searcher{index: sr.index, accs: sr.accs[:0], matches: sr.matches[:0], tokens: sr.tokens[:0]}
	searchers.Put(sr)
}

// run reads every index key that matches a query word.
func (sr *searcher) run() error {
	sr.it = sr.r.tx().NewIterator(badger.IteratorOptions{Prefix: []byte{tagSearch}, PrefetchValues: false})
	defer sr.it.Close()
	for i, t := range sr.terms {
		if err := sr.r.tick(); err != nil {
			return err
		}
		p := append([]byte{tagSearch}, t...)
		if utf8.RuneCountInString(t) < minPrefixLen {
			p = append(p, 0)
		}
		if err := sr.scan(p, i, t, 0); err != nil {
			return err
		}
		cands, err := sr.typoCandidates(t)
		if err != nil {
			return err
		}
		for _, c := range cands {
			if err := sr.scan(append([]byte{tagSearch}, c.word...), i, c.word, c.dist); err != nil {
				return err
			}
		}
	}
	return nil
}

// scan adds the live keys under prefix as matches of query word term.
// word is the query word itself (dist 0: exact and prefix matches) or a
// dictionary word at edit distance dist from it (fuzzy matches of the word
// and of words it begins).
func (sr *searcher) scan(prefix []byte, term int, word string, dist int) error {
	var tok []byte
	tokIdx := int32(-1)
	var kind uint8
	var base float32 // match weight of tok, before the field's
	it := sr.it
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		if sr.steps++; sr.steps%tickEvery == 0 {
			if err := sr.r.tick(); err != nil {
				return err
			}
		}
		item := it.Item()
		k := item.Key()
		ktok, rtype, kcode, id, field, err := parseSearchKey(k)
		if err != nil {
			return err
		}
		if !sr.filter.allows(rtype, kcode) {
			continue
		}
		alive := false
		if err := item.Value(func(b []byte) error { alive = sr.r.sn.alive(b); return nil }); err != nil {
			return err
		}
		if !alive {
			continue
		}
		if tokIdx < 0 || !bytes.Equal(ktok, tok) {
			tok = append(tok[:0], ktok...)
			tokIdx = int32(len(sr.tokens))
			sr.tokens = append(sr.tokens, string(ktok))
			kind, base = tokenMatch(word, dist, len(tok))
		}
		w, f, err := fieldMatch(kind, base, field)
		if err != nil {
			return fmt.Errorf("search key %x: %w", k, err)
		}
		sr.add(rtype, id, term, f, tokIdx, kind, w)
	}
	return nil
}

// tokenMatch rates an indexed token of tokLen bytes found by the scan of
// word (the query word, dist 0, or a dictionary word at edit distance
// dist from it): exact 0.9 (1 for a whole field), prefix in (0.55, 0.85)
// growing with the share of the word typed, fuzzy 0.5 or 0.4 by distance,
// less for a prefix of it.
func tokenMatch(word string, dist, tokLen int) (kind uint8, base float32) {
	ratio := float32(len(word)) / float32(tokLen)
	switch {
	case dist > 0:
		return matchFuzzy, (0.6 - 0.1*float32(dist)) * (0.8 + 0.2*ratio)
	case tokLen == len(word):
		return matchExact, 0.9
	}
	return matchPrefix, 0.55 + 0.3*ratio
}

// fieldMatch weighs a token match in a key's field byte: the match weight
// times the field's, 1 × the field's for an exact match of a whole field.
// It returns the field without fieldWhole.
func fieldMatch(kind uint8, base float32, field byte) (float32, byte, error) {
	w := base
	if kind == matchExact && field&fieldWhole != 0 {
		w = 1
	}
	f := field &^ fieldWhole
	if int(f) >= len(fieldWeight) || fieldWeight[f] == 0 {
		return 0, f, fmt.Errorf("unknown search field %d", f)
	}
	return w * fieldWeight[f], f, nil
}

// add records a match of query word term in a field of a record, keeping
// the best per (word, field).
func (sr *searcher) add(rtype byte, id uint64, term int, field byte, tok int32, kind uint8, w float32) {
	// A record's keys for one token and field are adjacent, and often its
	// only ones: check the last record first.
	i := int32(len(sr.accs) - 1)
	if i < 0 || sr.accs[i].id != id {
		var ok bool
		if i, ok = sr.index[id]; !ok {
			i = int32(len(sr.accs))
			sr.accs = append(sr.accs, hitAcc{id: id, rtype: rtype, first: -1})
			sr.index[id] = i
		}
	}
	a := &sr.accs[i]
	a.best[term] = max(a.best[term], w)
	for j := a.first; j >= 0; j = sr.matches[j].next {
		m := &sr.matches[j]
		if int(m.term) == term && m.field == field {
			if w > m.weight {
				m.token, m.weight, m.kind = tok, w, kind
			}
			return
		}
	}
	sr.matches = append(sr.matches, matchRec{weight: w, next: a.first, token: tok, term: uint8(term), field: field, kind: kind})
	a.first = int32(len(sr.matches) - 1)
}

// typoCand is a dictionary word close to a query word.
type typoCand struct {
	word string
	dist int
}

// typoCandidates returns the dictionary words within the typo allowance
// of t (of both words) that t's prefix scan did not already cover, in
// word order. Their own prefixes are searched too: "Trainum" finds
// "trainium" and so "trainium3".
func (sr *searcher) typoCandidates(t string) ([]typoCand, error) {
	d := typoAllowance(t)
	if d == 0 {
		return nil, nil
	}
	tr := []rune(t)
	it := sr.r.tx().NewIterator(badger.IteratorOptions{Prefix: []byte{tagTypo}, PrefetchValues: false})
	defer it.Close()
	seen := map[string]bool{}
	var out []typoCand
	for _, del := range deletions(t, d) {
		p := append(append([]byte{tagTypo}, del...), 0)
		for it.Seek(p); it.ValidForPrefix(p); it.Next() {
			word := it.Item().Key()[len(p):]
			if seen[string(word)] {
				continue
			}
			ws := string(word)
			seen[ws] = true
			if strings.HasPrefix(ws, t) {
				continue // the prefix scan found it
			}
			limit := min(d, typoAllowance(ws))
			if dist := editDistance(tr, []rune(ws), limit); dist <= limit {
				out = append(out, typoCand{ws, dist})
			}
		}
		if err := sr.r.tick(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b typoCand) int { return strings.Compare(a.word, b.word) })
	return out, nil
}

// ranked is a hit with its score.
type ranked struct {
	score float64
	acc   *hitAcc
}

// score rates an accumulated record. With n query words, a record
// matching c of them with best weights w_i (field weight × match weight,
// each at most 1) scores (c - 1 + Σw_i/n) / n: every record matching more
// words scores higher, and the score lies in (0, 1].
func (sr *searcher) score(a *hitAcc) float64 {
	n := float64(len(sr.terms))
	c, sum := 0, 0.0
	for _, w := range a.best[:len(sr.terms)] {
		if w > 0 {
			c++
			sum += float64(w)
		}
	}
	return (float64(c-1) + sum/n) / n
}

// comparePos orders hits: higher score first, then record type and ID.
func comparePos(sa float64, ta byte, ia uint64, sb float64, tb byte, ib uint64) int {
	switch {
	case sa > sb:
		return -1
	case sa < sb:
		return 1
	case ta != tb:
		return int(ta) - int(tb)
	case ia < ib:
		return -1
	case ia > ib:
		return 1
	}
	return 0
}

func compareRanked(a, b ranked) int {
	return comparePos(a.score, a.acc.rtype, a.acc.id, b.score, b.acc.rtype, b.acc.id)
}

// top returns the best n hits after the cursor (all hits when cur is nil),
// best first, and how many hits follow the cursor. It keeps the n best in
// a heap instead of sorting every hit.
func (sr *searcher) top(cur *searchPos, n int) ([]ranked, int) {
	h := make([]ranked, 0, min(n, len(sr.accs)))
	after := 0
	// h is a heap with the worst of the kept hits at its root.
	worse := func(i, j int) bool { return compareRanked(h[i], h[j]) > 0 }
	down := func(i int) {
		for {
			c := 2*i + 1
			if c >= len(h) {
				return
			}
			if c+1 < len(h) && worse(c+1, c) {
				c++
			}
			if !worse(c, i) {
				return
			}
			h[i], h[c] = h[c], h[i]
			i = c
		}
	}
	for i := range sr.accs {
		x := ranked{sr.score(&sr.accs[i]), &sr.accs[i]}
		if cur != nil && comparePos(cur.score, cur.rtype, cur.id, x.score, x.acc.rtype, x.acc.id) >= 0 {
			continue
		}
		after++
		switch {
		case len(h) < n:
			h = append(h, x)
			for j := len(h) - 1; j > 0; {
				p := (j - 1) / 2
				if !worse(j, p) {
					break
				}
				h[j], h[p] = h[p], h[j]
				j = p
			}
		case compareRanked(x, h[0]) < 0:
			h[0] = x
			down(0)
		}
	}
	slices.SortFunc(h, compareRanked)
	return h, after
}

// hit decodes a ranked record into a SearchHit.
func (sr *searcher) hit(x ranked) (graph.SearchHit, error) {
	a := x.acc
	h := graph.SearchHit{Score: x.score}
	var err error
	var found bool
	switch a.rtype {
	case rEntity:
		h.Entity, err = sr.r.entityByID(a.id)
		found = h.Entity != nil
	case rClaim:
		h.Claim, err = sr.r.claimByID(a.id)
		found = h.Claim != nil
	case rSource:
		h.Source, err = sr.r.sourceByID(a.id)
		found = h.Source != nil
	}
	if err != nil {
		return h, err
	}
	if !found {
		return h, fmt.Errorf("search index names record %d of type %d, which has no version at the snapshot", a.id, a.rtype)
	}
	var ms []*matchRec
	for j := a.first; j >= 0; j = sr.matches[j].next {
		ms = append(ms, &sr.matches[j])
	}
	slices.SortFunc(ms, func(x, y *matchRec) int {
		if x.term != y.term {
			return int(x.term) - int(y.term)
		}
		return int(x.field) - int(y.field)
	})
	for _, m := range ms {
		h.Matches = append(h.Matches, graph.SearchMatch{
			Field: searchFields[m.field], Term: sr.terms[m.term], Matched: sr.tokens[m.token], Kind: matchKinds[m.kind],
		})
	}
	return h, nil
}

// searchPos is a hit's place in the ranking, decoded from a cursor.
type searchPos struct {
	score float64
	rtype byte
	id    uint64
}

// searchCursor encodes a hit's position (hex):
//
//	bytes 0-3   hash of the query's words and kinds (searchHash)
//	bytes 4-11  score as sortableFloat
//	byte 12     record type
//	bytes 13-20 record ID
func searchCursor(qhash uint32, x ranked) string {
	b := make([]byte, 0, 21)
	b = binary.BigEndian.AppendUint32(b, qhash)
	b = u64(b, sortableFloat(x.score))
	b = append(b, x.acc.rtype)
	return hex.EncodeToString(u64(b, x.acc.id))
}

func parseSearchCursor(c string, qhash uint32) (*searchPos, error) {
	b, err := hex.DecodeString(c)
	if err != nil || len(b) != 21 {
		return nil, graph.Invalid("after", graph.RBadValue, "malformed cursor")
	}
	if binary.BigEndian.Uint32(b) != qhash {
		return nil, graph.Invalid("after", graph.RBadValue, "cursor does not belong to this search")
	}
	return &searchPos{score: unsortableFloat(binary.BigEndian.Uint64(b[4:])), rtype: b[12], id: binary.BigEndian.Uint64(b[13:])}, nil
}

// --- the first page of a one-word search

// maxPageGroups caps the (token, field) pairs firstPage reads: a short
// prefix of many words is cheaper to scan whole.
const maxPageGroups = 64

// wordScan is one scan of a search word's keys: the query word itself
// (dist 0: its exact and prefix matches) or a dictionary word at edit
// distance dist from it (fuzzy matches of it and of words it begins).
type wordScan struct {
	prefix []byte // tagSearch | word, and 0x00 when only the whole word matches
	word   string
	dist   int
}

// matches reports whether the scan finds the indexed token tok.
func (sc wordScan) matches(tok string) bool {
	if sc.prefix[len(sc.prefix)-1] == 0 {
		return tok == sc.word
	}
	return strings.HasPrefix(tok, sc.word)
}

// keyGroup is the keys of one (token, field) pair: every record among
// them matches the query word with the same weight.
type keyGroup struct {
	prefix []byte // tagSearch | token | 0x00 | field
	weight float32
}

// pageHit is a record on the first page and its score.
type pageHit struct {
	rtype byte
	id    uint64
	score float32
}

func comparePageHits(a, b pageHit) int {
	if a.rtype != b.rtype {
		return int(a.rtype) - int(b.rtype)
	}
	return cmp.Compare(a.id, b.id)
}

// wordScanOf is the scan of query word t's exact and prefix matches.
func wordScanOf(t string) wordScan {
	p := append([]byte{tagSearch}, t...)
	if utf8.RuneCountInString(t) < minPrefixLen {
		p = append(p, 0)
	}
	return wordScan{p, t, 0}
}

// wordScans lists the scans of a query word: itself, then its typo
// candidates in word order, as run does.
func (sr *searcher) wordScans(t string) ([]wordScan, error) {
	out := []wordScan{wordScanOf(t)}
	cands, err := sr.typoCandidates(t)
	if err != nil {
		return nil, err
	}
	for _, c := range cands {
		out = append(out, wordScan{append([]byte{tagSearch}, c.word...), c.word, c.dist})
	}
	return out, nil
}

// firstPage fills page with the first n hits of a one-word search and
// whether more follow, without the total, ranked as run and top rank them.
//
// A record's score is its best match's weight, which depends only on the
// (token, field) pair of the key. So the pairs are read from the best
// weight down, each pair's keys of the wanted kinds in (record type, ID)
// order, which is the ranking's order among equal scores: a pair
// contributes at most the n+1 records the page still needs that no better
// pair had, and the search stops once it has n+1. Records are counted
// once, at their best weight. The page's matches are found again in its
// records' text (pageMatches), which is what their live keys index.
//
// Fuzzy matches weigh at most fuzzyBound, so the typo dictionary is read
// only if the pairs of the word itself that weigh more do not fill the
// page, or a page record has a word a typo could match (mayBeFuzzy).
// Words with more than maxPageGroups pairs fall back to the full scan.
func (sr *searcher) firstPage(page *graph.Page[graph.SearchHit], qhash uint32, n int) error {
	t := sr.terms[0]
	scans := []wordScan{wordScanOf(t)}
	it := sr.r.tx().NewIterator(badger.IteratorOptions{Prefix: []byte{tagSearch}, PrefetchValues: false})
	sr.it = it
	closed := false
	defer func() {
		if !closed {
			it.Close()
		}
	}()
	fallback := func() error {
		it.Close()
		closed = true
		clear(sr.index)
		return sr.fullPage(page, qhash, nil, n)
	}
	// Stages: the word's own keys (above prefixBound only its exact
	// matches weigh), the words it begins (above fuzzyBound no fuzzy
	// match weighs), the typo candidates. Each stage reads the pairs that
	// no later stage can outweigh, and the next runs only if the page is
	// not full.
	pg := pager{sr: sr, need: n + 1}
	typos := typoAllowance(t) > 0
	var pending []keyGroup
	listed := 0
	stage := func(scans []wordScan, skip string, bound float32) (bool, error) {
		groups, ok, err := sr.keyGroups(scans, skip, listed)
		if err != nil || !ok {
			return false, err
		}
		listed += len(groups)
		pending = append(pending, groups...)
		sortGroups(pending)
		i := 0
		for i < len(pending) && pending[i].weight > bound {
			i++
		}
		if err := pg.read(pending[:i]); err != nil {
			return false, err
		}
		pending = pending[i:]
		return true, nil
	}
	last := float32(-1)
	if typos {
		last = fuzzyBound
	}
	ok, skip := true, ""
	var err error
	if sc := scans[0]; sc.prefix[len(sc.prefix)-1] != 0 { // a prefix scan: its exact keys first
		exact := wordScan{append(slices.Clip(sc.prefix), 0), t, 0}
		ok, err = stage([]wordScan{exact}, "", prefixBound)
		skip = t
	}
	if ok && err == nil && len(pg.hits) < pg.need {
		ok, err = stage(scans, skip, last)
	}
	if err != nil {
		return err
	}
	if !ok {
		return fallback()
	}
	fuzzyRead := false
	if len(pg.hits) < pg.need && typos {
		if scans, err = sr.wordScans(t); err != nil {
			return err
		}
		switch ok, err = stage(scans[1:], "", -1); {
		case err != nil:
			return err
		case !ok:
			return fallback()
		}
		fuzzyRead = true
	}
	if len(pg.hits) < pg.need {
		if err := pg.read(pending); err != nil {
			return err
		}
	}
	page.HasNext = len(pg.hits) > n
	hits := make([]graph.SearchHit, 0, min(n, len(pg.hits)))
	texts := make([][]fieldTokens, 0, cap(hits))
	for _, h := range pg.hits[:cap(hits)] {
		hit, fields, err := sr.pageHit(h)
		if err != nil {
			return err
		}
		hits, texts = append(hits, hit), append(texts, fields)
	}
	if typos && !fuzzyRead {
		switch fuzzy, err := sr.mayBeFuzzy(t, texts); {
		case err != nil:
			return err
		case fuzzy:
			if scans, err = sr.wordScans(t); err != nil {
				return err
			}
		}
	}
	for i, h := range pg.hits[:len(hits)] {
		if hits[i].Matches, err = pageMatches(t, scans, texts[i]); err != nil {
			return err
		}
		page.Items = append(page.Items, hits[i])
		page.Cursors = append(page.Cursors, searchCursor(qhash, ranked{float64(h.score), &hitAcc{id: h.id, rtype: h.rtype}}))
	}
	return nil
}

// Bounds of match weights: prefixBound is above every prefix match (at
// most 0.85 for the match times 1 for the field), fuzzyBound above every
// fuzzy match (0.5 × 1).
const (
	prefixBound = 0.86
	fuzzyBound  = 0.51
)

func sortGroups(gs []keyGroup) {
	slices.SortStableFunc(gs, func(a, b keyGroup) int { return cmp.Compare(b.weight, a.weight) })
}

// pager gathers a first page from key groups.
type pager struct {
	sr   *searcher
	need int
	hits []pageHit // best first
	tier []pageHit
}

// read takes records from groups, sorted by weight, best first, until it
// has need. Each run of equal weights is a tier: its records rank by
// (record type, ID) after those of better tiers (sr.index holds these).
func (pg *pager) read(groups []keyGroup) error {
	seen := pg.sr.index
	for i := 0; i < len(groups) && len(pg.hits) < pg.need; {
		j := i + 1
		for j < len(groups) && groups[j].weight == groups[i].weight {
			j++
		}
		pg.tier = pg.tier[:0]
		var err error
		for _, g := range groups[i:j] {
			if pg.tier, err = pg.sr.collect(pg.tier, g, pg.need-len(pg.hits), seen); err != nil {
				return err
			}
		}
		slices.SortFunc(pg.tier, comparePageHits)
		tier := slices.CompactFunc(pg.tier, func(a, b pageHit) bool { return a.id == b.id })
		for _, h := range tier[:min(len(tier), pg.need-len(pg.hits))] {
			h.score = groups[i].weight
			pg.hits = append(pg.hits, h)
			seen[h.id] = 0
		}
		i = j
	}
	return nil
}

// mayBeFuzzy reports whether a word of the texts could be a fuzzy match
// of t: whether it begins with a dictionary word within the typo
// allowance of t and of itself that does not begin with t. The typo
// candidates are these words, so without one they cannot match.
func (sr *searcher) mayBeFuzzy(t string, texts [][]fieldTokens) (bool, error) {
	d := typoAllowance(t)
	tr := []rune(t)
	checked := map[string]bool{}
	for _, fields := range texts {
		for _, f := range fields {
			for _, tok := range f.toks {
				rs := []rune(tok)
				for l := max(1, len(tr)-d); l <= min(len(rs), len(tr)+d); l++ {
					cr := rs[:l]
					if l >= len(tr) && slices.Equal(cr[:len(tr)], tr) || editDistance(tr, cr, d) > d {
						continue // begins with t, or too far from it
					}
					c := string(cr)
					if checked[c] {
						continue
					}
					checked[c] = true
					limit := min(d, typoAllowance(c))
					if editDistance(tr, cr, limit) > limit {
						continue
					}
					// A word with a typo allowance is in the dictionary
					// once its own entry is.
					switch _, err := sr.r.tx().Get(typoKey(c, c)); {
					case err == nil:
						return true, nil
					case !errors.Is(err, badger.ErrKeyNotFound):
						return false, err
					}
				}
			}
		}
	}
	return false, nil
}

// fullPage fills page with the n hits after cur (nil: from the top) by
// the full scan: every pair of the query's words is read and ranked. It
// serves every search but the first page of a word with few pairs
// (firstPage), and leaves page.Total to the caller (len(sr.accs)).
func (sr *searcher) fullPage(page *graph.Page[graph.SearchHit], qhash uint32, cur *searchPos, n int) error {
	if err := sr.run(); err != nil {
		return err
	}
	top, after := sr.top(cur, n)
	page.HasNext = after > len(top)
	for _, h := range top {
		hit, err := sr.hit(h)
		if err != nil {
			return err
		}
		page.Items = append(page.Items, hit)
		page.Cursors = append(page.Cursors, searchCursor(qhash, h))
	}
	return nil
}

// keyGroups lists the (token, field) pairs under the scans, with their
// weights, seeking from each pair to the next, leaving out the pairs of
// token skip; ok is false if there are more than maxPageGroups with the
// had already listed.
func (sr *searcher) keyGroups(scans []wordScan, skip string, had int) (_ []keyGroup, ok bool, _ error) {
	var out []keyGroup
	it := sr.it
	for _, sc := range scans {
		it.Seek(sc.prefix)
		for it.ValidForPrefix(sc.prefix) {
			if had+len(out) == maxPageGroups {
				return nil, false, nil
			}
			if err := sr.r.tick(); err != nil {
				return nil, false, err
			}
			k := it.Item().Key()
			tok, _, _, _, field, err := parseSearchKey(k)
			if err != nil {
				return nil, false, err
			}
			if skip != "" && string(tok) == skip {
				it.Seek(append(append([]byte{tagSearch}, skip...), 0, 0xff))
				continue
			}
			kind, base := tokenMatch(sc.word, sc.dist, len(tok))
			w, _, err := fieldMatch(kind, base, field)
			if err != nil {
				return nil, false, fmt.Errorf("search key %x: %w", k, err)
			}
			p := slices.Clone(k[:len(k)-searchSuffix+2])
			out = append(out, keyGroup{prefix: p, weight: w})
			next := append(slices.Clip(p), 0)[:len(p)]
			next[len(next)-1]++ // fields are below 0xff
			it.Seek(next)
		}
	}
	return out, true, nil
}

// collect appends to dst up to limit live records of pair g of the
// wanted kinds that are not in seen: for each (record type, kind) the
// filter allows, the first in ID order.
func (sr *searcher) collect(dst []pageHit, g keyGroup, limit int, seen map[uint64]int32) ([]pageHit, error) {
	it := sr.it
	base := len(g.prefix)
	sub := make([]byte, base+2) // g.prefix | rtype | kind
	copy(sub, g.prefix)
	rt, kd, ok := sr.filter.first()
	if !ok {
		return dst, nil
	}
	sub[base], sub[base+1] = rt, kd
	it.Seek(sub)
	for it.ValidForPrefix(g.prefix) {
		k := it.Item().Key()
		if len(k) != base+10 {
			return dst, fmt.Errorf("not a search key: %x", k)
		}
		rtype, kind := k[base], k[base+1]
		got := limit // as if full: seek to the next allowed (type, kind)
		if sr.filter.allows(rtype, kind) {
			got = 0
			sub[base], sub[base+1] = rtype, kind
			for ; it.ValidForPrefix(sub); it.Next() {
				if sr.steps++; sr.steps%tickEvery == 0 {
					if err := sr.r.tick(); err != nil {
						return dst, err
					}
				}
				item := it.Item()
				id := binary.BigEndian.Uint64(item.Key()[base+2:])
				if _, ok := seen[id]; ok {
					continue
				}
				alive := false
				if err := item.Value(func(b []byte) error { alive = sr.r.sn.alive(b); return nil }); err != nil {
					return dst, err
				}
				if !alive {
					continue
				}
				dst = append(dst, pageHit{rtype: rtype, id: id})
				if got++; got == limit {
					break
				}
			}
		}
		if got < limit {
			continue // the iterator is past (rtype, kind)
		}
		nr, nk, ok := sr.filter.next(rtype, kind)
		if !ok {
			break
		}
		sub[base], sub[base+1] = nr, nk
		it.Seek(sub)
	}
	return dst, nil
}

// next returns the first (record type, kind) after (rtype, kind) that the
// filter allows and search keys have: an entity's kind, a claim's kind
// (graph.ClaimKind), 0 for a source.
func (f kindFilter) next(rtype, kind byte) (byte, byte, bool) {
	for rt, k := int(rtype), int(kind)+1; rt <= int(rClaim); rt, k = rt+1, 0 {
		for ; k < 256; k++ {
			if f.allows(byte(rt), byte(k)) && (f.all || searchKeyKind(byte(rt), byte(k))) {
				return byte(rt), byte(k), true
			}
			if !f.all && (rt == int(rStatement) || rt == int(rSource) || k >= 32) {
				break // no other kinds of this type to allow
			}
		}
	}
	return 0, 0, false
}

// first returns the first (record type, kind) the filter allows and
// search keys have.
func (f kindFilter) first() (byte, byte, bool) {
	if f.allows(rEntity, 0) && (f.all || searchKeyKind(rEntity, 0)) {
		return rEntity, 0, true
	}
	return f.next(rEntity, 0)
}

// searchKeyKind reports whether search keys of record type rtype can have
// kind code kind.
func searchKeyKind(rtype, kind byte) bool {
	switch rtype {
	case rEntity:
		return kind != graph.KindCode(graph.ClaimKind)
	case rClaim:
		return kind == graph.KindCode(graph.ClaimKind)
	case rSource:
		return kind == 0
	}
	return false
}

// pageHit decodes a first-page record into a SearchHit without its
// matches, and returns its text fields' words.
func (sr *searcher) pageHit(h pageHit) (graph.SearchHit, []fieldTokens, error) {
	hit := graph.SearchHit{Score: float64(h.score)}
	var fields []textField
	var err error
	switch h.rtype {
	case rEntity:
		if hit.Entity, err = sr.r.entityByID(h.id); hit.Entity != nil {
			fields = entityText(hit.Entity)
		}
	case rClaim:
		if hit.Claim, err = sr.r.claimByID(h.id); hit.Claim != nil {
			fields = []textField{{fieldClaimText, hit.Claim.Text}}
		}
	case rSource:
		if hit.Source, err = sr.r.sourceByID(h.id); hit.Source != nil {
			fields = []textField{{fieldSourceTitle, hit.Source.Title}}
		}
	}
	if err != nil {
		return hit, nil, err
	}
	if fields == nil {
		return hit, nil, fmt.Errorf("search index names record %d of type %d, which has no version at the snapshot", h.id, h.rtype)
	}
	out := make([]fieldTokens, len(fields))
	for i, f := range fields {
		out[i] = fieldTokens{f.field, graph.Tokens(f.text)}
		if len(out[i].toks) == 1 {
			out[i].field |= fieldWhole
		}
	}
	return hit, out, nil
}

// fieldTokens is a text field of a record as the index has it: its words,
// and its field code with fieldWhole when it is one word.
type fieldTokens struct {
	field byte
	toks  []string
}

// pageMatches finds a record's matches of query word term in its text
// fields, as run finds them in the record's keys: per field the best
// weight, and among equal weights the first in scan and then token order.
func pageMatches(term string, scans []wordScan, fields []fieldTokens) ([]graph.SearchMatch, error) {
	type best struct {
		w    float32
		scan int
		tok  string
		kind uint8
	}
	var bests [len(fieldWeight)]best // w 0: none
	for _, f := range fields {
		fb := f.field
		for _, tok := range f.toks {
			if len(tok) > maxTokenLen {
				continue
			}
			for si, sc := range scans {
				if !sc.matches(tok) {
					continue
				}
				kind, base := tokenMatch(sc.word, sc.dist, len(tok))
				w, fc, err := fieldMatch(kind, base, fb)
				if err != nil {
					return nil, err
				}
				b := &bests[fc]
				if w > b.w || w == b.w && (si < b.scan || si == b.scan && tok < b.tok) {
					*b = best{w, si, tok, kind}
				}
			}
		}
	}
	var out []graph.SearchMatch
	for fc, b := range bests {
		if b.w > 0 {
			out = append(out, graph.SearchMatch{Field: searchFields[fc], Term: term, Matched: b.tok, Kind: matchKinds[b.kind]})
		}
	}
	return out, nil
}
