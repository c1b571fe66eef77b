package graph

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Recorded says when, by whom and why a record version was written: the
// change it made (Op) and the writer's reason, when one was given. The
// store sets it; an import that restores an export keeps it.
type Recorded struct {
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"`
	Op     Op        `json:"op,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// Op names the change a record version made.
type Op string

// Ops. Stored as strings.
const (
	OpAdd      Op = "add"      // the record was created
	OpUpdate   Op = "update"   // fields changed (an entity renamed, a reference added, a source text revised)
	OpRetract  Op = "retract"  // the record left the current view
	OpReassert Op = "reassert" // a retracted record came back
	OpRank     Op = "rank"     // a statement's rank changed
	OpCorrect  Op = "correct"  // references were removed (a source was retracted)
)

// Entity is a company, foundry, person, chip, chip family, system or
// process node. Key is stable and readable ("trainium3", "tsmc"); it is
// what import files, URLs and notebooks use.
type Entity struct {
	ID          uint64   `json:"-"`
	Key         string   `json:"key"`
	Kind        Kind     `json:"kind"`
	Name        string   `json:"name"`
	Aliases     []string `json:"aliases,omitempty"`
	Description string   `json:"description,omitempty"`
	Recorded    Recorded `json:"recorded"`
}

// Names returns the name followed by the aliases.
func (e *Entity) Names() []string { return append([]string{e.Name}, e.Aliases...) }

// ValidateKey checks a record key: lowercase letters, digits, '.', '_' and
// '-', starting with a letter or digit, at most 128 bytes.
func ValidateKey(field, key string) error {
	if key == "" {
		return Invalid(field, RMissing, "key is required")
	}
	if !validKey(key) {
		return Invalid(field, RBadKey, "key %q must be lowercase letters, digits, '.', '_' or '-' (at most 128)", key)
	}
	return nil
}

// validKey is ^[a-z0-9][a-z0-9._-]{0,127}$ without a regexp (it runs for
// every key of every record an import reads).
func validKey(key string) bool {
	if len(key) > 128 {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// Validate checks an entity before it is written.
func (e *Entity) Validate() error {
	if err := ValidateKey("key", e.Key); err != nil {
		return err
	}
	if _, err := ParseKind(string(e.Kind)); err != nil {
		return err
	}
	if e.Kind == ClaimKind {
		return Invalid("kind", RBadValue, "claims are written as claim records, not entities")
	}
	if strings.TrimSpace(e.Name) == "" {
		return Invalid("name", RMissing, "name is required")
	}
	for i, a := range e.Aliases {
		if strings.TrimSpace(a) == "" {
			return Invalid("aliases", RBadValue, "alias %d is empty", i)
		}
	}
	return nil
}

// Source is where facts come from: an article, a letter, a datasheet, a
// dataset. URL is unique when present. When Text is known, SHA256 is its
// hex digest and quotes that cite the source are located in it.
type Source struct {
	ID        uint64     `json:"-"`
	Key       string     `json:"key"`
	URL       string     `json:"url,omitempty"`
	Title     string     `json:"title,omitempty"`
	Publisher string     `json:"publisher,omitempty"`
	Author    string     `json:"author,omitempty"`
	Kind      SourceKind `json:"kind"`
	Published Date       `json:"published,omitzero"`
	Retrieved Date       `json:"retrieved,omitzero"`
	Text      string     `json:"text,omitempty"`
	SHA256    string     `json:"sha256,omitempty"`
	// Restates lists sources this one repeats (an article reporting a
	// shareholder letter): evidence from both counts once.
	Restates  []string    `json:"restates,omitempty"`
	Recorded  Recorded    `json:"recorded"`
	Retracted *Retraction `json:"retracted,omitempty"`
}

// TextHash returns the hex SHA-256 of text.
func TextHash(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:])
}

// ValidateURL checks that s is an absolute http(s) URL.
func ValidateURL(field, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \t\n") {
		return Invalid(field, RBadURL, "malformed URL %q (want an absolute http or https URL)", s)
	}
	return nil
}

// Validate checks a source and fills SHA256 from Text. A given SHA256 that
// does not match the text is refused.
func (s *Source) Validate() error {
	if s.Key == "" && s.URL != "" {
		s.Key = SourceKeyForURL(s.URL)
	}
	if err := ValidateKey("key", s.Key); err != nil {
		return err
	}
	if s.URL != "" {
		if err := ValidateURL("url", s.URL); err != nil {
			return err
		}
	}
	if s.URL == "" && s.Title == "" {
		return Invalid("title", RMissing, "a source needs a URL or a title")
	}
	for i, r := range s.Restates {
		if err := ValidateKey(fmt.Sprintf("restates[%d]", i), r); err != nil {
			return err
		}
		if r == s.Key {
			return Invalid(fmt.Sprintf("restates[%d]", i), RBadValue, "a source cannot restate itself")
		}
	}
	k, err := ParseSourceKind(string(s.Kind))
	if err != nil {
		return err
	}
	s.Kind = k
	if s.Text != "" {
		h := TextHash(s.Text)
		if s.SHA256 != "" && s.SHA256 != h {
			return Invalid("sha256", RBadValue, "sha256 %s does not match the text (its hash is %s)", s.SHA256, h)
		}
		s.SHA256 = h
	} else if s.SHA256 != "" {
		return Invalid("sha256", RBadValue, "sha256 given without text")
	}
	return nil
}

// SourceKeyForURL derives a readable key from a URL: host and path,
// lowercased, non-alphanumerics folded to '-', with a short hash of the full
// URL so that different URLs never share a key.
func SourceKeyForURL(raw string) string {
	s := strings.TrimSpace(raw)
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		s = strings.TrimPrefix(strings.ToLower(u.Host), "www.") + u.Path
	}
	slug := Slug(strings.ToLower(s), 80)
	if slug == "" {
		slug = "source"
	}
	return slug + "-" + TextHash(strings.TrimSpace(raw))[:8]
}

// Locator says where in a source a quote stands. Start and End are byte
// offsets into the source text, set when the quote was located there.
type Locator struct {
	Section string `json:"section,omitempty"`
	Page    int    `json:"page,omitempty"`
	Start   int    `json:"start,omitempty"`
	End     int    `json:"end,omitempty"`
}

// Reference ties a statement (or claim) to a source: the exact quote, where
// it stands, when it was retrieved, and, for imported data, the dataset it
// came through.
type Reference struct {
	Source       string  `json:"source"`
	Quote        string  `json:"quote,omitempty"`
	Locator      Locator `json:"locator,omitzero"`
	Retrieved    Date    `json:"retrieved,omitzero"`
	ImportedFrom string  `json:"importedFrom,omitempty"`
	// Verified is set by the store when the quote was found in the source's
	// text (SourceSHA256 is then the hash of that text version).
	Verified     bool   `json:"verified,omitempty"`
	SourceSHA256 string `json:"sourceSHA256,omitempty"`
	// Unverified is the writer's explicit acceptance of a quote that is not
	// in the source text.
	Unverified bool `json:"unverified,omitempty"`
}

// Qualifiers refine a statement: when it holds and free key/value pairs
// such as precision "FP8" or role "CEO".
type Qualifiers struct {
	ValidFrom   Date              `json:"validFrom,omitzero"`
	ValidTo     Date              `json:"validTo,omitzero"`
	PointInTime Date              `json:"pointInTime,omitzero"`
	Extra       map[string]string `json:"extra,omitempty"`
}

// IsZero reports whether no qualifier is set.
func (q Qualifiers) IsZero() bool {
	return q.ValidFrom.IsZero() && q.ValidTo.IsZero() && q.PointInTime.IsZero() && len(q.Extra) == 0
}

// ValidInterval is the valid-time interval [from, to) the qualifiers give;
// a zero bound is open.
func (q Qualifiers) ValidInterval() (from, to time.Time) {
	if !q.PointInTime.IsZero() {
		return q.PointInTime.Start(), q.PointInTime.End()
	}
	if !q.ValidFrom.IsZero() {
		from = q.ValidFrom.Start()
	}
	if !q.ValidTo.IsZero() {
		to = q.ValidTo.End()
	}
	return from, to
}

func (q Qualifiers) canonicalString() string { return string(q.appendCanonical(nil)) }

// appendCanonical appends q's canonical string to b: its dates, then its
// extra qualifiers by name, "\x1f" between.
func (q Qualifiers) appendCanonical(b []byte) []byte {
	b = append(b, "from="...)
	b = q.ValidFrom.appendString(b)
	b = append(b, "\x1fto="...)
	b = q.ValidTo.appendString(b)
	b = append(b, "\x1fat="...)
	b = q.PointInTime.appendString(b)
	if len(q.Extra) == 0 {
		return b
	}
	keys := make([]string, 0, len(q.Extra))
	for k := range q.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b = append(b, '\x1f')
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, q.Extra[k]...)
	}
	return b
}

// Retraction records that a statement or claim left the current view: who,
// when and why. History keeps the record.
type Retraction struct {
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"`
	Reason string    `json:"reason"`
}

// Statement is one fact: subject, predicate, object, qualifiers, rank and at
// least one reference. Key is derived from subject, predicate, object and
// qualifiers (StatementKey), so the same fact from two sources is one
// statement with two references.
type Statement struct {
	ID         uint64      `json:"-"`
	Key        string      `json:"key"`
	Subject    string      `json:"subject"`
	Predicate  string      `json:"predicate"`
	Object     Value       `json:"object"`
	Qualifiers Qualifiers  `json:"qualifiers,omitzero"`
	Rank       Rank        `json:"rank"`
	References []Reference `json:"references"`
	Recorded   Recorded    `json:"recorded"`
	Retracted  *Retraction `json:"retracted,omitempty"`
}

// StatementKey derives a statement's key from its identity.
func StatementKey(subject, predicate string, object Value, q Qualifiers) string {
	// TextHash(s)[:20] of s, subject|predicate|object|qualifiers with
	// "\x1e" between, built on the stack: decoding an import computes
	// one key per statement.
	var buf [256]byte
	b := append(buf[:0], subject...)
	b = append(b, '\x1e')
	b = append(b, predicate...)
	b = append(b, '\x1e')
	b = object.appendCanonical(b)
	b = append(b, '\x1e')
	b = q.appendCanonical(b)
	sum := sha256.Sum256(b)
	var key [3 + 20]byte
	copy(key[:], "st-")
	hex.Encode(key[3:], sum[:10])
	return string(key[:])
}

// Current reports whether the statement is in the current view.
func (s *Statement) Current() bool { return s.Retracted == nil }

// ClaimValue is the quantity a claim states, with its condition ("if the
// chips business operated as a standalone entity").
type ClaimValue struct {
	Amount      float64  `json:"amount"`
	Unit        string   `json:"unit,omitempty"`
	Currency    string   `json:"currency,omitempty"`
	Lower       *float64 `json:"lower,omitempty"`
	Upper       *float64 `json:"upper,omitempty"`
	Approximate bool     `json:"approximate,omitempty"`
	Condition   string   `json:"condition,omitempty"`
}

// Claim is an assertion an actor made: who (Claimant, a person or company),
// when, how (Modality), what (Text, in our words, and Quote, theirs as the
// source gives it), where (Reference), about which entities, and an optional
// value.
type Claim struct {
	ID        uint64      `json:"-"`
	Key       string      `json:"key"`
	Claimant  string      `json:"claimant"`
	Stated    Date        `json:"stated,omitzero"`
	Modality  Modality    `json:"modality"`
	Text      string      `json:"text"`
	Reference Reference   `json:"reference"`
	About     []string    `json:"about,omitempty"`
	Value     *ClaimValue `json:"value,omitempty"`
	// Links say which statements or claims this claim supports or contradicts.
	Links     []ClaimLink `json:"links,omitempty"`
	Recorded  Recorded    `json:"recorded"`
	Retracted *Retraction `json:"retracted,omitempty"`
}

// ClaimLink ties a claim to a statement or another claim it supports or
// contradicts. Exactly one of Statement and Claim is set.
type ClaimLink struct {
	Relation  LinkRelation `json:"relation"`
	Statement string       `json:"statement,omitempty"`
	Claim     string       `json:"claim,omitempty"`
}

// LinkRelation is how a claim bears on its target.
type LinkRelation string

// Link relations. Stored as strings; their codes (LinkCode) end up in keys.
const (
	Supports    LinkRelation = "supports"
	Contradicts LinkRelation = "contradicts"
)

// LinkCode returns the stored code of a relation, 0 if unknown.
func LinkCode(r LinkRelation) byte {
	switch r {
	case Supports:
		return 1
	case Contradicts:
		return 2
	}
	return 0
}

// LinkOfCode is the inverse of LinkCode.
func LinkOfCode(c byte) LinkRelation {
	switch c {
	case 1:
		return Supports
	case 2:
		return Contradicts
	}
	return ""
}

// Quote returns the claim's quote.
func (c *Claim) Quote() string { return c.Reference.Quote }

// Current reports whether the claim is in the current view.
func (c *Claim) Current() bool { return c.Retracted == nil }

// View selects what a read sees. The zero View is the current graph.
// AsOf reads the graph exactly as it was recorded at that instant
// (retractions and rank changes included); ValidAt keeps only statements
// whose valid time contains that instant.
type View struct {
	AsOf    time.Time
	ValidAt time.Time
}

// RecordedNanos is t as a recorded time: Unix nanoseconds, 0 for an
// instant before 1970 and math.MaxInt64 for one after 2262, where
// time.Time.UnixNano is undefined. A read whose AsOf is at or after the
// newest recorded change sees what a current read sees; the store and
// the server's response cache both compare AsOf through this function,
// so that they agree on when that is.
func RecordedNanos(t time.Time) uint64 {
	switch {
	case t.Unix() < 0:
		return 0
	case t.After(maxRecorded):
		return math.MaxInt64
	}
	return uint64(t.UnixNano())
}

// maxRecorded is the last instant time.Time.UnixNano represents.
var maxRecorded = time.Unix(0, math.MaxInt64)

// Direction selects statements by the entity's role: as subject
// (Outgoing), as entity object (Incoming), or both.
type Direction uint8

// Directions.
const (
	Outgoing Direction = iota
	Incoming
	Both
)

// Page is one page of a list read with cursor pagination. Cursors[i] is the
// opaque position of Items[i]; pass the last one as After to continue.
// Total counts every item of the list, not only this page.
type Page[T any] struct {
	Items   []T
	Cursors []string
	Total   int
	HasNext bool
}

// EdgeQuery selects an entity's statements.
type EdgeQuery struct {
	Predicate string    // "" for every predicate
	Direction Direction // Outgoing: the entity is the subject; Incoming: the object
	After     string
	First     int
}

// ClaimQuery selects claims. At most one of Claimant, About and Source
// may be set; none lists every claim.
type ClaimQuery struct {
	Claimant string // entity key of the person or organization that made them
	About    string // entity key the claims are about
	Source   string // source key
	After    string
	First    int
}

// WriteResult reports what a write did.
type WriteResult struct {
	Written   int       // records that produced a new version
	Unchanged int       // records identical to what was stored
	Keys      []string  // key of every record, in input order
	At        time.Time // recorded time of the write (the last one for imports)
}

// Conflict is a single-valued predicate of one subject with two or more
// current statements whose valid times overlap. Statements are all the
// current statements of that subject and predicate; a preferred one
// resolves the conflict for readers without hiding the others.
type Conflict struct {
	Subject    string
	Predicate  string
	Statements []*Statement
}

// Resolved reports whether one of the statements is preferred.
func (c *Conflict) Resolved() bool {
	for _, s := range c.Statements {
		if s.Rank == Preferred {
			return true
		}
	}
	return false
}

// ConflictQuery selects conflicts; empty fields match everything.
type ConflictQuery struct {
	Kind      Kind
	Predicate string
	Entity    string
	After     string
	First     int
}

// Version is one recorded version of a record, as history lists it.
// Exactly one of the pointers is set; Recorded says when, by whom, what
// changed (Op) and why.
type Version struct {
	Type      RecordType
	Entity    *Entity
	Source    *Source
	Statement *Statement
	Claim     *Claim
	Recorded  Recorded
	// Added and Removed are the references this version of a statement or
	// claim added or removed compared with its previous version.
	Added, Removed []Reference
}

// LinkQuery selects claims linked to a statement or claim.
type LinkQuery struct {
	Statement string
	Claim     string
	Relation  LinkRelation // "" for both
	After     string
	First     int
}

// Slug lowercases s (ASCII letters and digits kept, accents folded by the
// caller if wanted) and turns every run of other characters into one '-',
// trimmed, at most max bytes: "NVIDIA A100 SXM4 40 GB" gives
// "nvidia-a100-sxm4-40-gb".
func Slug(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if len(out) > max {
		out = strings.TrimRight(out[:max], "-")
	}
	return out
}
