package schema

// PROV-O export (issue 3, "Sources as units"): the provenance of an entity
// or a source as a W3C PROV-O document in JSON-LD, built from the Service.

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chipgraph/chipgraph/graph"
)

// ProvVocab is the namespace of chipgraph's own terms in PROV documents
// (prefix "cg"): cg:Statement, cg:quote, cg:locator, cg:op and so on.
const ProvVocab = "https://chipgraph.dev/ns#"

// provContext is the inline @context of every PROV document. It only
// declares prefixes: every IRI value is written as {"@id": ...} and every
// typed literal as {"@value", "@type"}, so a processor expands the
// document offline, without fetching anything.
var provContext = map[string]string{
	"prov":    "http://www.w3.org/ns/prov#",
	"xsd":     "http://www.w3.org/2001/XMLSchema#",
	"rdf":     "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
	"rdfs":    "http://www.w3.org/2000/01/rdf-schema#",
	"schema":  "https://schema.org/",
	"dcterms": "http://purl.org/dc/terms/",
	"cg":      ProvVocab,
}

// ProvDocument is a W3C PROV-O document in JSON-LD: an inline @context
// and a flat @graph of node objects. Encode it with encoding/json.
//
// Nodes and their IRIs:
//   - urn:chipgraph:entity:KEY: the entity (prov:Entity, cg:<Kind>), with
//     schema:name; a claimant is also a prov:Agent.
//   - urn:chipgraph:statement:KEY: a statement (prov:Entity, rdf:Statement,
//     cg:Statement) with rdf:subject, rdf:predicate (cg:<predicate>),
//     rdf:object, prov:wasDerivedFrom each cited source and one
//     prov:qualifiedDerivation per reference (prov:entity, cg:quote,
//     cg:locator, cg:verified, cg:sourceSHA256; prov:hadActivity the import
//     activity when the reference came through a dataset).
//   - urn:chipgraph:claim:KEY: a claim (prov:Entity, cg:Claim),
//     prov:wasAttributedTo its claimant, derived from its source.
//   - urn:chipgraph:source:KEY: a source (prov:Entity, cg:Source) with
//     dcterms:title, schema:url, cg:sha256.
//   - RECORD:version:STAMP: one recorded version of a record
//     (prov:specializationOf it, prov:wasRevisionOf the previous version,
//     prov:wasGeneratedBy the recording).
//   - urn:chipgraph:activity:STAMP-TYPE-KEY: the recording of a version
//     (prov:Activity, cg:Recording) with prov:endedAtTime, cg:op,
//     cg:reason and prov:wasAssociatedWith the writer,
//     urn:chipgraph:agent:BY (prov:Agent).
//   - urn:chipgraph:activity:import-KEY: the import of dataset KEY
//     (prov:Activity, cg:Import; prov:used the dataset's source).
//
// A retracted record has prov:invalidatedAtTime and prov:wasInvalidatedBy
// the retraction. STAMP is the recorded time in UTC, 20060102T150405.999999999Z.
type ProvDocument struct {
	Context map[string]string `json:"@context"`
	Graph   []ProvNode        `json:"@graph"`
}

// ProvNode is a JSON-LD node object: "@id", "@type" and properties named
// by compact IRIs.
type ProvNode map[string]any

// provRef is an IRI value: {"@id": IRI}.
type provRef struct {
	ID string `json:"@id"`
}

// provLiteral is a typed literal: {"@value": ..., "@type": datatype}.
type provLiteral struct {
	Value string `json:"@value"`
	Type  string `json:"@type"`
}

// provPage is the page size of the list reads behind a document.
const provPage = 500

// IRIs of records, agents and activities.
func entityIRI(key string) string    { return "urn:chipgraph:entity:" + key }
func statementIRI(key string) string { return "urn:chipgraph:statement:" + key }
func claimIRI(key string) string     { return "urn:chipgraph:claim:" + key }
func sourceIRI(key string) string    { return "urn:chipgraph:source:" + key }
func agentIRI(by string) string      { return "urn:chipgraph:agent:" + url.PathEscape(by) }
func importIRI(dataset string) string {
	return "urn:chipgraph:activity:import-" + dataset
}

func recordIRI(typ graph.RecordType, key string) string {
	switch typ {
	case graph.EntityRecord:
		return entityIRI(key)
	case graph.StatementRecord:
		return statementIRI(key)
	case graph.ClaimRecord:
		return claimIRI(key)
	}
	return sourceIRI(key)
}

// stamp writes a recorded time for an IRI: UTC, no colons.
func stamp(t time.Time) string { return t.UTC().Format("20060102T150405.999999999Z") }

func activityIRI(typ graph.RecordType, key string, at time.Time) string {
	return "urn:chipgraph:activity:" + stamp(at) + "-" + string(typ) + "-" + key
}

func versionIRI(typ graph.RecordType, key string, at time.Time) string {
	return recordIRI(typ, key) + ":version:" + stamp(at)
}

// EntityProvenance returns the provenance of the entity with key as the
// view sees it: the entity and its versions; every statement it is the
// subject or object of (current ones, and retracted ones with their
// retraction), each with its references and versions; the claims by or
// about it; the sources all of these cite; and who recorded each version,
// when and why. Returns NOT_FOUND if the view has no such entity.
func EntityProvenance(ctx context.Context, svc Service, v graph.View, key string) (*ProvDocument, error) {
	e, err := svc.Entity(ctx, v, key)
	if err != nil {
		return nil, err
	}
	b := newProvBuilder(ctx, svc, v, entityIRI(key))
	b.entity(e)

	// The entity's history holds its own versions and those of every
	// statement it has taken part in.
	hist, err := allPages(func(after string) (graph.Page[graph.Version], error) {
		return svc.History(ctx, v, graph.EntityRecord, key, after, provPage)
	})
	if err != nil {
		return nil, err
	}
	var own []graph.Version
	stVersions := map[string][]graph.Version{}
	var histKeys []string
	for _, ver := range hist {
		switch {
		case ver.Entity != nil:
			own = append(own, ver)
		case ver.Statement != nil:
			k := ver.Statement.Key
			if _, ok := stVersions[k]; !ok {
				histKeys = append(histKeys, k)
			}
			stVersions[k] = append(stVersions[k], ver)
		}
	}
	b.versions(graph.EntityRecord, key, own)

	current, err := allPages(func(after string) (graph.Page[*graph.Statement], error) {
		return svc.EntityStatements(ctx, v, key, graph.EdgeQuery{Direction: graph.Both, After: after, First: provPage})
	})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var sts []*graph.Statement
	for _, st := range current {
		if !seen[st.Key] {
			seen[st.Key] = true
			sts = append(sts, st)
		}
	}
	// Statements in the history but not current: retracted ones.
	var gone []string
	for _, k := range histKeys {
		if !seen[k] {
			gone = append(gone, k)
		}
	}
	if len(gone) > 0 {
		old, err := svc.Statements(ctx, v, gone)
		if err != nil {
			return nil, err
		}
		for _, st := range old {
			if st != nil && !seen[st.Key] {
				seen[st.Key] = true
				sts = append(sts, st)
			}
		}
	}
	for _, st := range sts {
		b.statement(st)
		b.versions(graph.StatementRecord, st.Key, stVersions[st.Key])
	}

	var claims []*graph.Claim
	seenClaims := map[string]bool{}
	for _, q := range []graph.ClaimQuery{{Claimant: key}, {About: key}} {
		cs, err := allPages(func(after string) (graph.Page[*graph.Claim], error) {
			q.After, q.First = after, provPage
			return svc.ListClaims(ctx, v, q)
		})
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if !seenClaims[c.Key] {
				seenClaims[c.Key] = true
				claims = append(claims, c)
			}
		}
	}
	if err := b.claims(claims); err != nil {
		return nil, err
	}
	return b.document()
}

// SourceProvenance returns the provenance of the source with key as the
// view sees it: the source and its versions (text revisions keep their
// own hash), its retraction if any, and what it supports: the statements
// and claims citing it (or imported through it), each with its references,
// versions and recordings. For a retracted source, what it supported just
// before the retraction, as retracted or corrected since. Returns
// NOT_FOUND if the view has no such source.
func SourceProvenance(ctx context.Context, svc Service, v graph.View, key string) (*ProvDocument, error) {
	ss, err := svc.Sources(ctx, v, []string{key})
	if err != nil {
		return nil, err
	}
	if len(ss) != 1 || ss[0] == nil {
		return nil, graph.Errorf(graph.ENOTFOUND, "no source %q", key)
	}
	b := newProvBuilder(ctx, svc, v, sourceIRI(key))
	b.source(ss[0])
	if err := b.history(graph.SourceRecord, key); err != nil {
		return nil, err
	}
	sts, claims, err := sourceSupport(ctx, svc, v, key)
	if err != nil {
		return nil, err
	}
	if r := ss[0].Retracted; r != nil {
		// A retracted source supports nothing now: add what it supported
		// just before, as the view sees those records (retracted, or
		// corrected without its references).
		before := v
		before.AsOf = r.At.Add(-time.Nanosecond)
		oldSts, oldClaims, err := sourceSupport(ctx, svc, before, key)
		if err != nil {
			return nil, err
		}
		if sts, err = reread(sts, oldSts, func(s *graph.Statement) string { return s.Key },
			func(keys []string) ([]*graph.Statement, error) { return svc.Statements(ctx, v, keys) }); err != nil {
			return nil, err
		}
		if claims, err = reread(claims, oldClaims, func(c *graph.Claim) string { return c.Key },
			func(keys []string) ([]*graph.Claim, error) { return svc.Claims(ctx, v, keys) }); err != nil {
			return nil, err
		}
	}
	for _, st := range sts {
		b.statement(st)
		if err := b.history(graph.StatementRecord, st.Key); err != nil {
			return nil, err
		}
	}
	if err := b.claims(claims); err != nil {
		return nil, err
	}
	return b.document()
}

// sourceSupport lists the statements and claims citing a source in a view.
func sourceSupport(ctx context.Context, svc Service, v graph.View, key string) ([]*graph.Statement, []*graph.Claim, error) {
	sts, err := allPages(func(after string) (graph.Page[*graph.Statement], error) {
		return svc.SourceStatements(ctx, v, key, after, provPage)
	})
	if err != nil {
		return nil, nil, err
	}
	claims, err := allPages(func(after string) (graph.Page[*graph.Claim], error) {
		return svc.ListClaims(ctx, v, graph.ClaimQuery{Source: key, After: after, First: provPage})
	})
	return sts, claims, err
}

// reread appends to cur the records of old it lacks, read again with read.
func reread[T any](cur, old []*T, key func(*T) string, read func([]string) ([]*T, error)) ([]*T, error) {
	have := map[string]bool{}
	for _, x := range cur {
		have[key(x)] = true
	}
	var keys []string
	for _, x := range old {
		if k := key(x); !have[k] {
			have[k] = true
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return cur, nil
	}
	xs, err := read(keys)
	if err != nil {
		return nil, err
	}
	for _, x := range xs {
		if x != nil {
			cur = append(cur, x)
		}
	}
	return cur, nil
}

// allPages reads every page of a list.
func allPages[T any](read func(after string) (graph.Page[T], error)) ([]T, error) {
	var out []T
	after := ""
	for {
		p, err := read(after)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if !p.HasNext || len(p.Cursors) == 0 {
			return out, nil
		}
		after = p.Cursors[len(p.Cursors)-1]
	}
}

// provBuilder collects the nodes of one document. Entities and sources
// that records refer to are described at the end, in batch reads.
type provBuilder struct {
	ctx     context.Context
	svc     Service
	v       graph.View
	primary string // IRI of the entity or source the document is about
	nodes   map[string]ProvNode
	order   []string
	// Entities and sources referred to; pending ones are not described yet.
	entities, sources               map[string]bool
	pendingEntities, pendingSources []string
}

func newProvBuilder(ctx context.Context, svc Service, v graph.View, primary string) *provBuilder {
	return &provBuilder{ctx: ctx, svc: svc, v: v, primary: primary,
		nodes: map[string]ProvNode{}, entities: map[string]bool{}, sources: map[string]bool{}}
}

// node returns the node with id, created on first use, with types added.
func (b *provBuilder) node(id string, types ...string) ProvNode {
	n, ok := b.nodes[id]
	if !ok {
		n = ProvNode{"@id": id}
		b.nodes[id] = n
		b.order = append(b.order, id)
	}
	if len(types) > 0 {
		ts, _ := n["@type"].([]string)
		for _, t := range types {
			if !slices.Contains(ts, t) {
				ts = append(ts, t)
			}
		}
		n["@type"] = ts
	}
	return n
}

// add appends a value to a multi-valued property; an IRI already there is
// not repeated.
func add(n ProvNode, prop string, val any) {
	list, _ := n[prop].([]any)
	if r, ok := val.(provRef); ok && slices.Contains(list, any(r)) {
		return
	}
	n[prop] = append(list, val)
}

// setString sets prop when s is not empty.
func setString(n ProvNode, prop, s string) {
	if s != "" {
		n[prop] = s
	}
}

// entityRef refers to an entity, to be described at the end.
func (b *provBuilder) entityRef(key string) provRef {
	if !b.entities[key] {
		b.entities[key] = true
		b.pendingEntities = append(b.pendingEntities, key)
	}
	return provRef{entityIRI(key)}
}

// sourceRef refers to a source, to be described at the end.
func (b *provBuilder) sourceRef(key string) provRef {
	if !b.sources[key] {
		b.sources[key] = true
		b.pendingSources = append(b.pendingSources, key)
	}
	return provRef{sourceIRI(key)}
}

func (b *provBuilder) entity(e *graph.Entity) {
	b.entities[e.Key] = true
	n := b.node(entityIRI(e.Key), "prov:Entity", "cg:"+string(e.Kind))
	n["cg:key"] = e.Key
	n["schema:name"] = e.Name
	if len(e.Aliases) > 0 {
		n["schema:alternateName"] = append([]string{}, e.Aliases...)
	}
	setString(n, "schema:description", e.Description)
}

func (b *provBuilder) source(s *graph.Source) {
	b.sources[s.Key] = true
	n := b.node(sourceIRI(s.Key), "prov:Entity", "cg:Source")
	n["cg:key"] = s.Key
	n["cg:kind"] = string(s.Kind)
	setString(n, "dcterms:title", s.Title)
	if s.URL != "" {
		n["schema:url"] = provRef{s.URL}
	}
	setString(n, "dcterms:publisher", s.Publisher)
	setString(n, "dcterms:creator", s.Author)
	if !s.Published.IsZero() {
		n["dcterms:issued"] = dateLiteral(s.Published)
	}
	if !s.Retrieved.IsZero() {
		n["cg:retrieved"] = dateLiteral(s.Retrieved)
	}
	setString(n, "cg:sha256", s.SHA256)
	for _, r := range s.Restates {
		ref := b.sourceRef(r)
		add(n, "cg:restates", ref)
		add(n, "prov:wasDerivedFrom", ref)
	}
	b.invalidate(n, graph.SourceRecord, s.Key, s.Retracted)
}

func (b *provBuilder) statement(st *graph.Statement) {
	n := b.node(statementIRI(st.Key), "prov:Entity", "rdf:Statement", "cg:Statement")
	n["cg:key"] = st.Key
	n["rdf:subject"] = b.entityRef(st.Subject)
	n["rdf:predicate"] = provRef{"cg:" + st.Predicate}
	if o := b.value(st.Object); o != nil {
		n["rdf:object"] = o
	}
	q := st.Qualifiers
	for prop, d := range map[string]graph.Date{"cg:validFrom": q.ValidFrom, "cg:validTo": q.ValidTo, "cg:pointInTime": q.PointInTime} {
		if !d.IsZero() {
			n[prop] = dateLiteral(d)
		}
	}
	names := make([]string, 0, len(q.Extra))
	for k := range q.Extra {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		add(n, "cg:qualifier", ProvNode{"@type": "cg:Qualifier", "cg:name": k, "rdf:value": q.Extra[k]})
	}
	rank := st.Rank
	if rank == "" {
		rank = graph.Normal
	}
	n["cg:rank"] = string(rank)
	for _, r := range st.References {
		b.reference(n, r)
	}
	b.invalidate(n, graph.StatementRecord, st.Key, st.Retracted)
}

// claims describes claims with their versions (one history read each).
func (b *provBuilder) claims(cs []*graph.Claim) error {
	for _, c := range cs {
		b.claim(c)
		if err := b.history(graph.ClaimRecord, c.Key); err != nil {
			return err
		}
	}
	return nil
}

func (b *provBuilder) claim(c *graph.Claim) {
	n := b.node(claimIRI(c.Key), "prov:Entity", "cg:Claim")
	n["cg:key"] = c.Key
	if c.Claimant != "" {
		n["prov:wasAttributedTo"] = b.entityRef(c.Claimant)
		b.node(entityIRI(c.Claimant), "prov:Agent")
	}
	n["cg:modality"] = string(c.Modality)
	setString(n, "cg:text", c.Text)
	setString(n, "cg:quote", c.Reference.Quote)
	if !c.Stated.IsZero() {
		n["cg:stated"] = dateLiteral(c.Stated)
	}
	for _, a := range c.About {
		add(n, "cg:about", b.entityRef(a))
	}
	if cv := c.Value; cv != nil {
		val := amount(cv.Amount, cv.Lower, cv.Upper, cv.Approximate)
		if cv.Currency != "" {
			val["@type"], val["schema:currency"] = "schema:MonetaryAmount", cv.Currency
		} else {
			val["@type"] = "schema:QuantitativeValue"
		}
		setString(val, "schema:unitText", cv.Unit)
		setString(val, "cg:condition", cv.Condition)
		n["cg:value"] = val
	}
	if c.Reference.Source != "" {
		b.reference(n, c.Reference)
	}
	for _, l := range c.Links {
		target := provRef{statementIRI(l.Statement)}
		if l.Claim != "" {
			target = provRef{claimIRI(l.Claim)}
		}
		add(n, "cg:"+string(l.Relation), target)
	}
	b.invalidate(n, graph.ClaimRecord, c.Key, c.Retracted)
}

// reference adds a reference to a statement or claim: prov:wasDerivedFrom
// its source and a qualified derivation carrying the quote and locator.
func (b *provBuilder) reference(n ProvNode, r graph.Reference) {
	src := b.sourceRef(r.Source)
	add(n, "prov:wasDerivedFrom", src)
	d := ProvNode{"@type": "prov:Derivation", "prov:entity": src, "cg:verified": r.Verified}
	setString(d, "cg:quote", r.Quote)
	if l := r.Locator; l != (graph.Locator{}) {
		loc := ProvNode{"@type": "cg:Locator"}
		setString(loc, "cg:section", l.Section)
		if l.Page > 0 {
			loc["cg:page"] = l.Page
		}
		if l.End > 0 {
			loc["cg:start"], loc["cg:end"] = l.Start, l.End
		}
		d["cg:locator"] = loc
	}
	if !r.Retrieved.IsZero() {
		d["cg:retrieved"] = dateLiteral(r.Retrieved)
	}
	setString(d, "cg:sourceSHA256", r.SourceSHA256)
	if r.Unverified {
		d["cg:unverified"] = true
	}
	if r.ImportedFrom != "" {
		d["prov:hadActivity"] = provRef{b.importActivity(r.ImportedFrom)}
	}
	add(n, "prov:qualifiedDerivation", d)
}

// importActivity is the import of a dataset: it used the dataset's source.
func (b *provBuilder) importActivity(dataset string) string {
	id := importIRI(dataset)
	n := b.node(id, "prov:Activity", "cg:Import")
	n["prov:used"] = b.sourceRef(dataset)
	n["rdfs:label"] = "import from dataset " + dataset
	return id
}

// invalidate marks a retracted record: when and by which activity.
func (b *provBuilder) invalidate(n ProvNode, typ graph.RecordType, key string, r *graph.Retraction) {
	if r == nil {
		return
	}
	act := b.activity(typ, key, graph.Recorded{At: r.At, By: r.By, Op: graph.OpRetract, Reason: r.Reason})
	n["prov:invalidatedAtTime"] = dateTime(r.At)
	n["prov:wasInvalidatedBy"] = provRef{act}
}

// activity is the recording of one version of a record.
func (b *provBuilder) activity(typ graph.RecordType, key string, rec graph.Recorded) string {
	id := activityIRI(typ, key, rec.At)
	n := b.node(id, "prov:Activity", "cg:Recording")
	n["prov:endedAtTime"] = dateTime(rec.At)
	if rec.By != "" {
		agent := agentIRI(rec.By)
		a := b.node(agent, "prov:Agent")
		a["rdfs:label"] = rec.By
		n["prov:wasAssociatedWith"] = provRef{agent}
	}
	setString(n, "cg:op", string(rec.Op))
	setString(n, "cg:reason", rec.Reason)
	return id
}

// history reads a record's versions and describes them.
func (b *provBuilder) history(typ graph.RecordType, key string) error {
	vs, err := allPages(func(after string) (graph.Page[graph.Version], error) {
		return b.svc.History(b.ctx, b.v, typ, key, after, provPage)
	})
	if err != nil {
		return err
	}
	b.versions(typ, key, vs)
	return nil
}

// versions describes a record's versions, oldest first: each a
// specialization of the record, generated by its recording and a revision
// of the one before. A retraction invalidates the version it ends.
func (b *provBuilder) versions(typ graph.RecordType, key string, vs []graph.Version) {
	var prev ProvNode
	for _, ver := range vs {
		at := ver.Recorded.At
		n := b.node(versionIRI(typ, key, at), "prov:Entity", "cg:Version")
		n["prov:specializationOf"] = provRef{recordIRI(typ, key)}
		n["prov:generatedAtTime"] = dateTime(at)
		act := b.activity(typ, key, ver.Recorded)
		n["prov:wasGeneratedBy"] = provRef{act}
		switch {
		case ver.Source != nil:
			setString(n, "cg:sha256", ver.Source.SHA256)
		case ver.Statement != nil:
			for _, r := range ver.Statement.References {
				add(n, "prov:wasDerivedFrom", b.sourceRef(r.Source))
			}
		case ver.Claim != nil && ver.Claim.Reference.Source != "":
			add(n, "prov:wasDerivedFrom", b.sourceRef(ver.Claim.Reference.Source))
		}
		if prev != nil {
			n["prov:wasRevisionOf"] = provRef{prev["@id"].(string)}
			if ver.Recorded.Op == graph.OpRetract {
				prev["prov:wasInvalidatedBy"] = provRef{act}
				prev["prov:invalidatedAtTime"] = dateTime(at)
			}
		}
		prev = n
	}
}

// value renders a statement's object: an entity IRI, a string, a typed
// literal or a schema.org quantity; nil for no value.
func (b *provBuilder) value(v graph.Value) any {
	switch v.Type {
	case graph.EntityValue:
		return b.entityRef(v.Entity)
	case graph.TextValue:
		return v.Text
	case graph.QuantityValue:
		n := amount(v.Amount, v.Lower, v.Upper, v.Approximate)
		n["@type"], n["schema:unitText"] = "schema:QuantitativeValue", v.Unit
		return n
	case graph.MoneyValue:
		n := amount(v.Amount, v.Lower, v.Upper, v.Approximate)
		n["@type"], n["schema:currency"] = "schema:MonetaryAmount", v.Currency
		return n
	case graph.DateValue:
		return dateLiteral(v.Date)
	case graph.BoolValue:
		return v.Bool
	}
	return nil
}

// amount is a blank node with schema:value and optional bounds.
func amount(x float64, lower, upper *float64, approx bool) ProvNode {
	n := ProvNode{"schema:value": decimal(x)}
	if lower != nil {
		n["schema:minValue"] = decimal(*lower)
	}
	if upper != nil {
		n["schema:maxValue"] = decimal(*upper)
	}
	if approx {
		n["cg:approximate"] = true
	}
	return n
}

// decimal writes a number as xsd:decimal (no exponent), or xsd:double for
// the values decimal cannot hold.
func decimal(x float64) provLiteral {
	switch {
	case math.IsNaN(x):
		return provLiteral{"NaN", "xsd:double"}
	case math.IsInf(x, 1):
		return provLiteral{"INF", "xsd:double"}
	case math.IsInf(x, -1):
		return provLiteral{"-INF", "xsd:double"}
	}
	return provLiteral{strconv.FormatFloat(x, 'f', -1, 64), "xsd:decimal"}
}

func dateTime(t time.Time) provLiteral {
	return provLiteral{t.UTC().Format(time.RFC3339Nano), "xsd:dateTime"}
}

// dateLiteral types a date by its precision: xsd:gYear, cg:yearQuarter
// ("2025-Q4", which XML Schema has no type for), xsd:gYearMonth, xsd:date.
func dateLiteral(d graph.Date) provLiteral {
	typ := map[graph.Precision]string{graph.Year: "xsd:gYear", graph.Quarter: "cg:yearQuarter", graph.Month: "xsd:gYearMonth"}[d.Precision]
	if typ == "" {
		typ = "xsd:date"
	}
	return provLiteral{d.String(), typ}
}

// provGroup orders the nodes of a document: the subject first, then
// entities, statements, claims, sources, activities and agents.
func (b *provBuilder) provGroup(id string) int {
	if id == b.primary {
		return 0
	}
	for i, p := range []string{"urn:chipgraph:entity:", "urn:chipgraph:statement:", "urn:chipgraph:claim:", "urn:chipgraph:source:", "urn:chipgraph:activity:", "urn:chipgraph:agent:"} {
		if strings.HasPrefix(id, p) {
			return i + 1
		}
	}
	return 7
}

// document describes the entities and sources referred to, then returns
// the nodes in order.
func (b *provBuilder) document() (*ProvDocument, error) {
	for len(b.pendingSources) > 0 {
		keys := b.pendingSources
		b.pendingSources = nil
		ss, err := b.svc.Sources(b.ctx, b.v, keys)
		if err != nil {
			return nil, err
		}
		for i, s := range ss {
			if s != nil {
				b.source(s)
			} else {
				b.node(sourceIRI(keys[i]), "prov:Entity", "cg:Source")
			}
		}
	}
	if keys := b.pendingEntities; len(keys) > 0 {
		b.pendingEntities = nil
		es, err := b.svc.Entities(b.ctx, b.v, keys)
		if err != nil {
			return nil, err
		}
		for i, e := range es {
			if e != nil {
				b.entity(e)
			} else {
				b.node(entityIRI(keys[i]), "prov:Entity")
			}
		}
	}
	ids := slices.Clone(b.order)
	slices.SortStableFunc(ids, func(x, y string) int { return b.provGroup(x) - b.provGroup(y) })
	doc := &ProvDocument{Context: provContext, Graph: make([]ProvNode, len(ids))}
	for i, id := range ids {
		doc.Graph[i] = b.nodes[id]
	}
	return doc, nil
}

// MarshalProv encodes a document as JSON, with indent when it is not
// empty, leaving <, > and & unescaped.
func MarshalProv(doc *ProvDocument, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Provenance resolves Entity.provenance: the PROV-O JSON-LD document of
// the entity as the query's view sees it.
func (x *entityResolver) Provenance(ctx context.Context) (string, error) {
	return x.r.prov(EntityProvenance(ctx, x.r.svc, x.v, x.e.Key))
}

// Provenance resolves Source.provenance.
func (x *sourceResolver) Provenance(ctx context.Context) (string, error) {
	return x.r.prov(SourceProvenance(ctx, x.r.svc, x.v, x.s.Key))
}

func (r *root) prov(doc *ProvDocument, err error) (string, error) {
	if err != nil {
		return "", r.fail(err)
	}
	b, err := MarshalProv(doc, "")
	if err != nil {
		return "", r.fail(err)
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}
