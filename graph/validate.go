package graph

import (
	"fmt"
	"strings"
)

// Lookup answers the questions validation asks of stored data: the kind of
// an entity key and whether a source exists (with its text, to locate
// quotes). The store implements it over committed data plus the records of
// the batch being written.
type Lookup interface {
	EntityKind(key string) (Kind, bool)
	SourceText(key string) (text string, sha string, ok bool)
}

// ValidateShape runs the statement checks that need no stored data: a
// known predicate, an object of the predicate's type and unit dimension,
// well-formed qualifiers, a known rank and at least one reference. It also
// sets Key from the statement's identity and Rank's default.
func (s *Statement) ValidateShape() error {
	if err := ValidateKey("subject", s.Subject); err != nil {
		return err
	}
	p, ok := Predicates.Lookup(s.Predicate)
	if !ok {
		if s.Predicate == "" {
			return Invalid("predicate", RMissing, "predicate is required")
		}
		hint := ""
		if q, ok := Predicates.ByInverse(s.Predicate); ok {
			hint = fmt.Sprintf(" (%q is the inverse of %q: swap subject and object)", s.Predicate, q.Name)
		}
		return Invalid("predicate", RUnknownPredicate, "unknown predicate %q%s", s.Predicate, hint)
	}
	if err := s.Object.Validate("object"); err != nil {
		return err
	}
	if want := p.ObjectType(); s.Object.Type != want {
		return Invalid("object", RTypeMismatch, "predicate %s takes a %s object, got a %s", p.Name, want, s.Object.Type)
	}
	if s.Object.Type == EntityValue {
		if err := ValidateKey("object.entity", s.Object.Entity); err != nil {
			return err
		}
	}
	if p.Unit != "" {
		if u, _ := LookupUnit(s.Object.Unit); u.Base != p.Unit {
			return Invalid("object.unit", RBadUnit, "predicate %s takes a quantity in %s (or a multiple), got unit %q", p.Name, p.Unit, s.Object.Unit)
		}
	}
	q := s.Qualifiers
	if !q.PointInTime.IsZero() && (!q.ValidFrom.IsZero() || !q.ValidTo.IsZero()) {
		return Invalid("qualifiers.pointInTime", RBadValue, "pointInTime excludes validFrom and validTo")
	}
	if !q.ValidFrom.IsZero() && !q.ValidTo.IsZero() && !q.ValidTo.End().After(q.ValidFrom.Start()) {
		return Invalid("qualifiers.validTo", RBadDate, "validTo %s is before validFrom %s", q.ValidTo, q.ValidFrom)
	}
	for k, v := range q.Extra {
		if strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return Invalid("qualifiers.extra", RBadValue, "qualifier %q has an empty name or value", k)
		}
	}
	r, err := ParseRank(string(s.Rank))
	if err != nil {
		return err
	}
	s.Rank = r
	if len(s.References) == 0 {
		return Invalid("references", RMissingReference, "a statement needs at least one reference")
	}
	for i := range s.References {
		if err := s.References[i].validateShape(referenceField(i)); err != nil {
			return err
		}
	}
	key := StatementKey(s.Subject, s.Predicate, s.Object, s.Qualifiers)
	if s.Key != "" && s.Key != key {
		return Invalid("key", RBadKey, "statement key %q does not match its content (want %q)", s.Key, key)
	}
	s.Key = key
	return nil
}

func (r *Reference) validateShape(field string) error {
	// The field names are built only for an error: an import validates
	// about a million references.
	if r.Source == "" || !validKey(r.Source) {
		return ValidateKey(field+".source", r.Source)
	}
	if r.ImportedFrom != "" && !validKey(r.ImportedFrom) {
		return ValidateKey(field+".importedFrom", r.ImportedFrom)
	}
	if r.Locator.Start < 0 || r.Locator.End < r.Locator.Start {
		return Invalid(field+".locator", RBadValue, "locator offsets %d..%d are not a range", r.Locator.Start, r.Locator.End)
	}
	return nil
}

// Resolve checks a reference against stored data: its sources exist, and
// when the source has text the quote is located in it (offsets and hash set,
// Verified true). A quote not in the text is refused unless Unverified
// accepts it; a reference without text to check against is not verified.
func (r *Reference) Resolve(field string, l Lookup) error {
	text, sha, ok := l.SourceText(r.Source)
	if !ok {
		return Invalid(field+".source", RUnknownSource, "unknown source %q", r.Source)
	}
	if r.ImportedFrom != "" {
		if _, _, ok := l.SourceText(r.ImportedFrom); !ok {
			return Invalid(field+".importedFrom", RUnknownSource, "unknown source %q", r.ImportedFrom)
		}
	}
	r.Verified, r.SourceSHA256 = false, ""
	if text == "" || r.Quote == "" {
		return nil
	}
	start, end, found := LocateQuote(text, r.Quote)
	if !found {
		if r.Unverified {
			return nil
		}
		return Invalid(field+".quote", RQuoteNotFound, "quote %q is not in the text of source %q (set unverified to accept it as unverified)", short(r.Quote), r.Source)
	}
	r.Locator.Start, r.Locator.End = start, end
	r.Verified, r.SourceSHA256, r.Unverified = true, sha, false
	return nil
}

func short(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// Resolve checks the statement against stored data: subject and object
// exist with kinds the predicate allows, and every reference resolves.
func (s *Statement) Resolve(l Lookup) error {
	p, _ := Predicates.Lookup(s.Predicate)
	k, ok := l.EntityKind(s.Subject)
	if !ok {
		return Invalid("subject", RUnknownEntity, "unknown entity %q", s.Subject)
	}
	if !p.AllowsSubject(k) {
		return Invalid("subject", RKindMismatch, "predicate %s does not apply to a %s (%s); it applies to %v", p.Name, k, s.Subject, p.Subjects)
	}
	if s.Object.Type == EntityValue {
		ok2 := false
		if k, ok2 = l.EntityKind(s.Object.Entity); !ok2 {
			return Invalid("object.entity", RUnknownEntity, "unknown entity %q", s.Object.Entity)
		}
		if !p.AllowsObject(k) {
			return Invalid("object.entity", RKindMismatch, "predicate %s takes a %v as object, %s is a %s", p.Name, p.ObjectKinds, s.Object.Entity, k)
		}
	}
	for i := range s.References {
		if err := s.References[i].Resolve(referenceField(i), l); err != nil {
			return err
		}
	}
	return nil
}

// referenceFields are the field names of a statement's first references.
var referenceFields = func() (f [8]string) {
	for i := range f {
		f[i] = fmt.Sprintf("references[%d]", i)
	}
	return f
}()

// referenceField names a statement's reference i ("references[2]"),
// without formatting it for the first few.
func referenceField(i int) string {
	if i < len(referenceFields) {
		return referenceFields[i]
	}
	return fmt.Sprintf("references[%d]", i)
}

// ValidateShape runs the claim checks that need no stored data.
func (c *Claim) ValidateShape() error {
	if err := ValidateKey("key", c.Key); err != nil {
		return err
	}
	if err := ValidateKey("claimant", c.Claimant); err != nil {
		return err
	}
	m, err := ParseModality(string(c.Modality))
	if err != nil {
		return err
	}
	c.Modality = m
	if strings.TrimSpace(c.Text) == "" {
		return Invalid("text", RMissing, "a claim needs a text")
	}
	if c.Reference.Source == "" {
		return Invalid("reference.source", RMissingReference, "a claim needs a source")
	}
	if err := c.Reference.validateShape("reference"); err != nil {
		return err
	}
	for i, a := range c.About {
		if err := ValidateKey(fmt.Sprintf("about[%d]", i), a); err != nil {
			return err
		}
	}
	for i, l := range c.Links {
		f := fmt.Sprintf("links[%d]", i)
		if LinkCode(l.Relation) == 0 {
			return Invalid(f+".relation", RBadValue, "unknown relation %q (want supports or contradicts)", l.Relation)
		}
		if (l.Statement == "") == (l.Claim == "") {
			return Invalid(f+".statement", RMissing, "a link names exactly one of statement and claim")
		}
		if l.Claim == c.Key {
			return Invalid(f+".claim", RBadValue, "a claim cannot link to itself")
		}
	}
	if v := c.Value; v != nil {
		if v.Unit != "" && v.Currency != "" {
			return Invalid("value.unit", RBadValue, "a claim value has a unit or a currency, not both")
		}
		if v.Unit != "" {
			if _, ok := LookupUnit(v.Unit); !ok {
				return Invalid("value.unit", RBadUnit, "unknown unit %q", v.Unit)
			}
		}
		if v.Currency != "" && (len(v.Currency) != 3 || strings.ToUpper(v.Currency) != v.Currency) {
			return Invalid("value.currency", RBadValue, "currency %q is not a three-letter ISO 4217 code", v.Currency)
		}
	}
	return nil
}

// Resolve checks the claim against stored data: the claimant is a person or
// an organization, the entities it is about exist, the reference resolves.
func (c *Claim) Resolve(l Lookup) error {
	k, ok := l.EntityKind(c.Claimant)
	if !ok {
		return Invalid("claimant", RUnknownEntity, "unknown entity %q", c.Claimant)
	}
	if k != Person && !k.IsOrganization() {
		return Invalid("claimant", RKindMismatch, "a claimant is a Person, Company or Foundry; %s is a %s", c.Claimant, k)
	}
	for i, a := range c.About {
		if _, ok := l.EntityKind(a); !ok {
			return Invalid(fmt.Sprintf("about[%d]", i), RUnknownEntity, "unknown entity %q", a)
		}
	}
	return c.Reference.Resolve("reference", l)
}
