package graph

// SearchQuery is a full-text search over entity names, aliases and
// descriptions, claim texts and source titles.
type SearchQuery struct {
	// Text is what the user typed. It is split into words as Tokens does
	// (lowercase, accents folded); a record matches if any word does, and
	// records matching more of the words rank first.
	Text string
	// Kinds limits the results to entities of these kinds, claims
	// (ClaimKind) and sources (SourceResultKind). Empty means all.
	Kinds []Kind
	// After is the cursor of the previous page's last hit ("" for the
	// first page); First is the page size.
	After string
	First int
	// SkipTotal leaves Page.Total 0: a search need not count every hit,
	// and may stop reading once it has the page.
	SkipTotal bool
}

// SourceResultKind selects sources in SearchQuery.Kinds. Sources have no
// entity kind: it is not a stored kind and KindCode returns 0 for it.
const SourceResultKind Kind = "Source"

// SearchField is the text of a record that a search word matched.
type SearchField string

// Search fields.
const (
	FieldName        SearchField = "name"
	FieldAlias       SearchField = "alias"
	FieldDescription SearchField = "description"
	FieldClaimText   SearchField = "claimText"
	FieldSourceTitle SearchField = "sourceTitle"
)

// MatchKind says how a search word matched an indexed word.
type MatchKind string

// Match kinds, from the strongest.
const (
	ExactMatch  MatchKind = "exact"  // the same word
	PrefixMatch MatchKind = "prefix" // the indexed word starts with the search word
	FuzzyMatch  MatchKind = "fuzzy"  // the words differ by a typo or two
)

// SearchMatch is one reason a record matched: a word of the query found
// in one of the record's fields.
type SearchMatch struct {
	Field SearchField
	// Term is the query word (normalized); Matched is the indexed word of
	// the field it matched.
	Term    string
	Matched string
	Kind    MatchKind
}

// SearchHit is one search result. Exactly one of Entity, Claim and Source
// is set. Score is the relevance in (0, 1]: 1 when every query word is a
// record's whole name. Matches holds the best match of each query word in
// each field that matched.
type SearchHit struct {
	Entity  *Entity
	Claim   *Claim
	Source  *Source
	Score   float64
	Matches []SearchMatch
}
