package graph

// Kind is the kind of an entity.
type Kind string

// Entity kinds. Their codes (KindCode) end up in store keys: append new kinds
// at the end of kindOrder, never reorder or remove one.
const (
	Company     Kind = "Company"
	Foundry     Kind = "Foundry"
	Person      Kind = "Person"
	Chip        Kind = "Chip"
	ChipFamily  Kind = "ChipFamily"
	System      Kind = "System"
	ProcessNode Kind = "ProcessNode"
	ClaimKind   Kind = "Claim"
)

// kindOrder fixes each kind's stored code (its index + 1).
// Do not reorder this list or remove any items.
var kindOrder = []Kind{Company, Foundry, Person, Chip, ChipFamily, System, ProcessNode, ClaimKind}

// Kinds returns every entity kind in code order.
func Kinds() []Kind { return append([]Kind(nil), kindOrder...) }

// KindCode returns the stored one-byte code of k, or 0 if k is unknown.
func KindCode(k Kind) byte {
	for i, x := range kindOrder {
		if x == k {
			return byte(i + 1)
		}
	}
	return 0
}

// KindOfCode is the inverse of KindCode.
func KindOfCode(c byte) (Kind, bool) {
	if c == 0 || int(c) > len(kindOrder) {
		return "", false
	}
	return kindOrder[c-1], true
}

// ParseKind validates a kind name.
func ParseKind(s string) (Kind, error) {
	if KindCode(Kind(s)) == 0 {
		return "", Invalid("kind", RBadValue, "unknown kind %q (want one of %v)", s, kindOrder)
	}
	return Kind(s), nil
}

// IsOrganization reports whether k is a company-like kind.
func (k Kind) IsOrganization() bool { return k == Company || k == Foundry }

func (k Kind) String() string { return string(k) }

// Rank orders statements about the same thing, as in Wikidata.
type Rank string

// Ranks. Stored as strings.
const (
	Preferred  Rank = "preferred"
	Normal     Rank = "normal"
	Deprecated Rank = "deprecated"
)

// ParseRank validates a rank; the empty string means Normal.
func ParseRank(s string) (Rank, error) {
	switch Rank(s) {
	case "":
		return Normal, nil
	case Preferred, Normal, Deprecated:
		return Rank(s), nil
	}
	return "", Invalid("rank", RBadValue, "unknown rank %q (want preferred, normal or deprecated)", s)
}

// Modality says how a claimant put a claim.
type Modality string

// Modalities.
const (
	Asserted Modality = "asserted"
	Estimate Modality = "estimate"
	Forecast Modality = "forecast"
	Plan     Modality = "plan"
	Opinion  Modality = "opinion"
	Reported Modality = "reported"
)

var modalities = []Modality{Asserted, Estimate, Forecast, Plan, Opinion, Reported}

// ParseModality validates a modality; the empty string means Asserted.
func ParseModality(s string) (Modality, error) {
	if s == "" {
		return Asserted, nil
	}
	for _, m := range modalities {
		if string(m) == s {
			return m, nil
		}
	}
	return "", Invalid("modality", RBadValue, "unknown modality %q (want one of %v)", s, modalities)
}

// SourceKind classifies a source.
type SourceKind string

// Source kinds.
const (
	NewsArticle       SourceKind = "news_article"
	ShareholderLetter SourceKind = "shareholder_letter"
	Datasheet         SourceKind = "datasheet"
	Dataset           SourceKind = "dataset"
	Filing            SourceKind = "filing"
	PressRelease      SourceKind = "press_release"
	BlogPost          SourceKind = "blog_post"
	Interview         SourceKind = "interview"
	WebPage           SourceKind = "web_page"
	Other             SourceKind = "other"
)

var sourceKinds = []SourceKind{NewsArticle, ShareholderLetter, Datasheet, Dataset, Filing, PressRelease, BlogPost, Interview, WebPage, Other}

// ParseSourceKind validates a source kind; the empty string means Other.
func ParseSourceKind(s string) (SourceKind, error) {
	if s == "" {
		return Other, nil
	}
	for _, k := range sourceKinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", Invalid("kind", RBadValue, "unknown source kind %q (want one of %v)", s, sourceKinds)
}

// SourceKinds lists the source kinds.
func SourceKinds() []SourceKind { return append([]SourceKind(nil), sourceKinds...) }

// Modalities lists the claim modalities.
func Modalities() []Modality { return append([]Modality(nil), modalities...) }
