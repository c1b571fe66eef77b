package gen

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/chipgraph/chipgraph/graph"
)

// quotePercent is the chance that a statement's first reference quotes the
// source when the source has a sentence about the statement's subject;
// about 20% of all references end up quoted.
const quotePercent = 75

// secondRefPercent is the share of statements with a second reference.
const secondRefPercent = 15

// sink is one worker's scratch space: the output buffer, counts, random
// streams and records reused from one line to the next.
type sink struct {
	d     *Dataset
	enc   encoder
	st    Stats
	hook  func(*graph.Record)
	r     *rng // the current entity's stream
	sr    *rng // chip spec stream
	aux   *rng // other streams of their own (rivals)
	stmt  graph.Statement
	refs  [2]graph.Reference
	extra map[string]string
	ent   graph.Entity
	src   graph.Source
	claim graph.Claim
	cv    graph.ClaimValue
	about [3]string
	alias [1]string
	tmp   []byte
	picks []int
}

func (d *Dataset) newSink(hook func(*graph.Record)) *sink {
	return &sink{d: d, hook: hook, r: newRNG(), sr: newRNG(), aux: newRNG(), extra: map[string]string{}}
}

// quoteOf names the sentence a reference quotes.
type quoteOf uint8

const (
	qNone quoteOf = iota
	qChipIntro
	qChipSpec
	qCompany
	qFoundry
	qPerson
	qFamily
	qSystem
	qNode
)

// sentence rebuilds entity i's sentence q, as its source's text has it.
func (s *sink) sentence(q quoteOf, i int) string {
	d, b := s.d, s.tmp[:0]
	switch q {
	case qChipIntro:
		b = d.chipIntro(b, i)
	case qChipSpec:
		sp := d.chipSpec(s.sr, i)
		b = d.chipSpecSentence(b, i, &sp)
	case qCompany:
		b = d.companySentence(b, i)
	case qFoundry:
		b = d.foundrySentence(b, i)
	case qPerson:
		b = d.personSentence(b, i)
	case qFamily:
		b = d.familySentence(b, i)
	case qSystem:
		b = d.systemSentence(b, i)
	case qNode:
		b = d.nodeSentence(b, i)
	}
	s.tmp = b
	return string(b)
}

// fact starts a statement; emit finishes and writes it.
func (s *sink) fact(subject, predicate string, object graph.Value) *graph.Statement {
	s.stmt = graph.Statement{Subject: subject, Predicate: predicate, Object: object, Rank: graph.Normal}
	return &s.stmt
}

// with1 returns the one-entry qualifier map name=value (reused).
func (s *sink) with1(name, value string) map[string]string {
	clear(s.extra)
	s.extra[name] = value
	return s.extra
}

// emit writes the statement begun by fact, referencing source src (the
// subject's source, which has sentence q about entity qi) and sometimes a
// second source. The statement's key is left out: it derives from the
// content, and the import derives it (Statement.ValidateShape) at no extra
// cost, while computing it here would double the generator's time.
func (s *sink) emit(src int32, q quoteOf, qi int) {
	st, d := &s.stmt, s.d
	s.refs[0] = graph.Reference{Source: d.sourceKey[src]}
	st.References = s.refs[:1]
	if q != qNone && s.r.IntN(100) < quotePercent {
		s.refs[0].Quote = s.sentence(q, qi)
		s.st.QuotedReferences++
	}
	if n := d.size.Sources; n > 1 && s.r.IntN(100) < secondRefPercent {
		other := int32(s.r.IntN(n - 1))
		if other >= src {
			other++
		}
		s.refs[1] = graph.Reference{Source: d.sourceKey[other]}
		st.References = s.refs[:2]
	}
	s.st.Statements++
	s.st.References += len(st.References)
	s.enc.statement(st)
	if s.hook != nil {
		s.hook(&graph.Record{Type: graph.StatementRecord, Statement: st})
	}
}

func (s *sink) entity(key string, kind graph.Kind, name, description string, alias string) {
	s.ent = graph.Entity{Key: key, Kind: kind, Name: name, Description: description}
	if alias != "" {
		s.alias[0] = alias
		s.ent.Aliases = s.alias[:]
	}
	s.st.Entities++
	s.enc.entity(&s.ent)
	if s.hook != nil {
		s.hook(&graph.Record{Type: graph.EntityRecord, Entity: &s.ent})
	}
}

// distinct appends up to m distinct integers from [lo, hi) other than skip:
// an arithmetic progression modulo the range with a random start and a
// stride small enough not to wrap onto itself.
func distinct(r *rand.Rand, dst []int, lo, hi, m, skip int) []int {
	n := hi - lo
	if n <= 0 || m <= 0 {
		return dst
	}
	m = min(m, n)
	start, stride := r.IntN(n), 1+r.IntN(max(1, n/m))
	for j := 0; j < m; j++ {
		if v := lo + (start+j*stride)%n; v != skip {
			dst = append(dst, v)
		}
	}
	return dst
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func year(y int) graph.Date     { return graph.Date{Year: y, Month: 1, Day: 1, Precision: graph.Year} }
func month(y, m int) graph.Date { return graph.Date{Year: y, Month: m, Day: 1, Precision: graph.Month} }
func quarter(y, m int) graph.Date {
	return graph.Date{Year: y, Month: (m-1)/3*3 + 1, Day: 1, Precision: graph.Quarter}
}
func day(y, m, dd int) graph.Date {
	return graph.Date{Year: y, Month: m, Day: dd, Precision: graph.Day}
}

func website(b []byte, domain, path string) string {
	b = append(b, "https://"...)
	b = append(b, domain...)
	b = append(b, ".example"...)
	if path != "" {
		b = append(b, '/')
		b = append(b, path...)
	}
	return string(b)
}

// domain is a company's web domain (without its top-level part).
func (d *Dataset) domain(k int32) string { return slug(brand(d.companyName[k])) }

// Sources.

func (d *Dataset) writeSource(s *sink, i int) {
	so := &d.sources[i]
	s.tmp = d.sourceText(s.tmp[:0], i, s.sr)
	text := string(s.tmp)
	title := string(d.headline(s.tmp[:0], i))
	publisher, host := "", ""
	if so.publisher < 0 {
		publisher = d.companyName[-1-so.publisher] + " Newsroom"
		host = d.domain(-1 - so.publisher)
	} else {
		publisher = publishers[so.publisher]
		host = slug(publisher)
	}
	y, m, dd := int(so.published[0]), int(so.published[1]), int(so.published[2])
	path := string(appendPad(append(appendPad(nil, y, 4), '/'), m, 2)) + "/" + slug(title) + "-" + strconv.Itoa(i)
	rt := time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1+i%45)
	s.src = graph.Source{
		Key:       d.sourceKey[i],
		URL:       website(s.tmp[:0], host, path),
		Title:     title,
		Publisher: publisher,
		Author:    firstNames[(i*7)%len(firstNames)] + " " + firstNames[(i*13+5)%len(firstNames)] + "son",
		Kind:      graph.SourceKind(sourceKinds[so.kind]),
		Published: day(y, m, dd),
		Retrieved: day(rt.Year(), int(rt.Month()), rt.Day()),
		Text:      text,
		SHA256:    graph.TextHash(text),
	}
	s.st.Sources++
	s.enc.source(&s.src)
	if s.hook != nil {
		s.hook(&graph.Record{Type: graph.SourceRecord, Source: &s.src})
	}
}

// Entities.

func (d *Dataset) writeCompany(s *sink, k int) {
	c := &d.companies[k]
	alias := ""
	if b := brand(d.companyName[k]); b != d.companyName[k] && k%2 == 0 {
		alias = b
	}
	desc := roleWords[c.role]
	desc = string(append([]byte{desc[0] - 'a' + 'A'}, desc[1:]...)) + " founded in " + strconv.Itoa(int(c.founded)) + "."
	s.entity(d.companyKey[k], graph.Company, d.companyName[k], desc, alias)
	s.st.Companies++
}

func (d *Dataset) writeFoundry(s *sink, f int) {
	s.entity(d.foundryKey[f], graph.Foundry, d.foundryName[f], "Contract chip manufacturer founded in "+strconv.Itoa(int(d.foundries[f].founded))+".", "")
	s.st.Foundries++
}

func (d *Dataset) writePerson(s *sink, p int) {
	pe := &d.people[p]
	s.entity(d.personKey[p], graph.Person, d.personName[p], execRoles[pe.role]+" of "+d.companyName[pe.company]+".", "")
	s.st.People++
}

func (d *Dataset) writeFamily(s *sink, f int) {
	fa := &d.families[f]
	s.entity(d.familyKey[f], graph.ChipFamily, d.familyName[f], chipTypes[fa.ctype]+" family from "+d.companyName[fa.designer]+".", "")
	s.st.ChipFamilies++
}

func (d *Dataset) writeChip(s *sink, c int) {
	ch := &d.chips[c]
	fa := &d.families[ch.fam]
	alias := ""
	if c%3 == 0 {
		alias = brand(d.companyName[fa.designer]) + " " + chipModel(fa.letter, int(ch.gen), int(ch.varnt))
	}
	s.entity(d.chipKey[c], graph.Chip, d.chipName[c], chipTypes[fa.ctype]+" accelerator from "+d.companyName[fa.designer]+".", alias)
	s.st.Chips++
}

func (d *Dataset) writeSystem(s *sink, y int) {
	sy := &d.systems[y]
	desc := systemKind(sy.n) + " with " + strconv.Itoa(int(sy.n)) + " " + d.chipName[sy.chip] + " accelerators."
	if sy.n == 1 {
		desc = systemKind(sy.n) + " with one " + d.chipName[sy.chip] + " accelerator."
	}
	s.entity(d.systemKey[y], graph.System, d.systemName[y], desc, "")
	s.st.Systems++
}

func (d *Dataset) writeNode(s *sink, n int) {
	nd := &d.nodes[n]
	s.entity(d.nodeKey[n], graph.ProcessNode, d.nodeName[n], strconv.FormatFloat(float64(nd.nm10)/10, 'f', -1, 64)+" nm-class process node.", "")
	s.st.ProcessNodes++
}

// Statements.

func (d *Dataset) chipStatements(s *sink, c int) {
	r := s.r.seed(d.cfg.Seed, tagChip, c)
	sp := d.chipSpec(s.sr, c)
	ch := &d.chips[c]
	fa := &d.families[ch.fam]
	nd := &d.nodes[ch.node]
	K, src := d.chipKey[c], ch.src

	s.fact(K, "designedBy", graph.EntityRef(d.companyKey[fa.designer]))
	s.emit(src, qChipIntro, c)
	if ch.codesigner >= 0 {
		s.fact(K, "designedBy", graph.EntityRef(d.companyKey[ch.codesigner]))
		s.emit(src, qNone, 0)
	}
	st := s.fact(K, "manufacturedBy", graph.EntityRef(d.foundryKey[nd.foundry]))
	if ch.foundry2 >= 0 {
		st.Rank = graph.Preferred
	}
	s.emit(src, qChipIntro, c)
	if ch.foundry2 >= 0 {
		s.fact(K, "manufacturedBy", graph.EntityRef(d.foundryKey[ch.foundry2]))
		s.emit(src, qNone, 0)
	}
	s.fact(K, "processNode", graph.EntityRef(d.nodeKey[ch.node]))
	s.emit(src, qChipIntro, c)
	s.fact(K, "memberOf", graph.EntityRef(d.familyKey[ch.fam]))
	s.emit(src, qChipIntro, c)
	if c > int(fa.start) {
		s.fact(K, "successorOf", graph.EntityRef(d.chipKey[c-1]))
		s.emit(src, qNone, 0)
	}
	if ch.future() {
		s.fact(K, "expectedAvailability", graph.DateOf(quarter(int(ch.year), int(ch.month))))
	} else {
		s.fact(K, "releaseDate", graph.DateOf(month(int(ch.year), int(ch.month))))
	}
	s.emit(src, qChipIntro, c)
	s.fact(K, "chipType", graph.Text(chipTypes[fa.ctype]))
	s.emit(src, qChipIntro, c)

	memUnit := "GB"
	if sp.memGiB {
		memUnit = "GiB"
	}
	s.fact(K, "memory", graph.Quantity(float64(sp.memGB), memUnit))
	s.emit(src, qChipSpec, c)
	s.fact(K, "memoryBandwidth", graph.Quantity(sp.bw, "TB/s"))
	s.emit(src, qChipSpec, c)
	s.fact(K, "tdp", graph.Quantity(float64(sp.tdp), "W"))
	s.emit(src, qChipSpec, c)
	top := sp.topPrecision()
	for i, p := range precisions {
		if sp.prec&(1<<i) == 0 {
			continue
		}
		st := s.fact(K, "peakPerformance", graph.Quantity(sp.perf(i), "TFLOP/s"))
		st.Qualifiers.Extra = s.with1("precision", p.name)
		if i == top {
			s.emit(src, qChipSpec, c)
		} else {
			s.emit(src, qNone, 0)
		}
	}
	st = s.fact(K, "peakIntegerPerformance", graph.Quantity(round1(2*sp.fp16), "TOP/s"))
	st.Qualifiers.Extra = s.with1("precision", "INT8")
	s.emit(src, qNone, 0)
	if sp.int4 {
		st = s.fact(K, "peakIntegerPerformance", graph.Quantity(round1(4*sp.fp16), "TOP/s"))
		st.Qualifiers.Extra = s.with1("precision", "INT4")
		s.emit(src, qNone, 0)
	}
	if sp.price > 0 {
		s.fact(K, "price", graph.Money(float64(sp.price), "USD"))
		s.emit(src, qChipSpec, c)
	}
	s.fact(K, "dieSize", graph.Quantity(float64(sp.die), "mm2"))
	s.emit(src, qNone, 0)
	s.fact(K, "transistorCount", graph.Quantity(sp.transistor, "billion"))
	s.emit(src, qNone, 0)
	s.fact(K, "baseClock", graph.Quantity(float64(sp.baseMHz), "MHz"))
	s.emit(src, qNone, 0)
	s.fact(K, "boostClock", graph.Quantity(float64(sp.boostMHz)/1000, "GHz"))
	s.emit(src, qNone, 0)
	if sp.intraGBs > 0 {
		s.fact(K, "intranodeBandwidth", graph.Quantity(float64(sp.intraGBs), "GB/s"))
		s.emit(src, qNone, 0)
	}
	if sp.interGbit > 0 {
		s.fact(K, "internodeBandwidth", graph.Quantity(float64(sp.interGbit), "Gbit/s"))
		s.emit(src, qNone, 0)
	}
	if sp.website {
		s.fact(K, "website", graph.Text(website(s.tmp[:0], d.domain(fa.designer), "products/"+slug(d.chipName[c]))))
		s.emit(src, qNone, 0)
	}
	if sp.capacity >= 0 {
		s.fact(K, "capacityStatus", graph.Text(capacityStatuses[sp.capacity]))
		s.emit(src, qNone, 0)
	}
	s.picks = distinct(r.Rand, s.picks[:0], c+1, d.size.Chips, r.IntN(7), -1)
	for _, j := range s.picks {
		s.fact(K, "competesWith", graph.EntityRef(d.chipKey[j]))
		s.emit(src, qNone, 0)
	}
	s.fact(d.companyKey[fa.designer], "sells", graph.EntityRef(K))
	s.emit(src, qNone, 0)
}

func (d *Dataset) companyStatements(s *sink, k int) {
	r := s.r.seed(d.cfg.Seed, tagCompany, k)
	c := &d.companies[k]
	K, src := d.companyKey[k], c.src
	z := d.size

	if r.IntN(10) < 9 {
		s.fact(K, "foundedIn", graph.DateOf(year(int(c.founded))))
		s.emit(src, qCompany, k)
	}
	if r.IntN(10) < 8 {
		s.fact(K, "website", graph.Text(website(s.tmp[:0], d.domain(int32(k)), "")))
		s.emit(src, qNone, 0)
	}
	if r.IntN(2) == 0 {
		amount := math.Round(math.Pow(10, 6+4*r.Float64()*r.Float64())/1e5) * 1e5
		st := s.fact(K, "revenueRunRate", graph.Money(amount, "USD"))
		st.Qualifiers.PointInTime = quarter(2025, 1+3*r.IntN(4))
		s.emit(src, qNone, 0)
	}
	if c.parent >= 0 {
		pred := "subsidiaryOf"
		if c.division {
			pred = "divisionOf"
		}
		st := s.fact(K, pred, graph.EntityRef(d.companyKey[c.parent]))
		st.Qualifiers.ValidFrom = year(max(int(c.founded), int(d.companies[c.parent].founded)) + r.IntN(5))
		s.emit(src, qCompany, k)
	}
	// Designers buy wafers from their families' foundries.
	picks := s.picks[:0]
	for _, f := range d.designs.of(k) {
		if fo := int(d.families[f].foundry); !contains(picks, fo) {
			picks = append(picks, fo)
			s.fact(K, "customerOf", graph.EntityRef(d.foundryKey[fo]))
			s.emit(src, qNone, 0)
		}
	}
	if c.role == roleSupplier {
		picks = picks[:0]
		for range 1 + r.IntN(6) {
			f := r.IntN(z.ChipFamilies)
			if j := int(d.families[f].designer); j != k && !contains(picks, j) {
				picks = append(picks, j)
				s.fact(K, "supplierOf", graph.EntityRef(d.companyKey[j]))
				s.emit(src, qNone, 0)
			}
		}
	}
	picks = d.rivals(s.aux, picks[:0], k)
	for _, j := range picks {
		s.fact(K, "competesWith", graph.EntityRef(d.companyKey[j]))
		s.emit(src, qNone, 0)
	}
	// Everyone uses chips; the heaviest users are cloud providers.
	u := r.Float64()
	m := 15 + int(180*u*u)
	if c.role == roleCloud {
		m *= 2
	}
	picks = distinct(r.Rand, picks[:0], 0, z.Chips, m, -1)
	for _, j := range picks {
		s.fact(K, "uses", graph.EntityRef(d.chipKey[j]))
		s.emit(src, qNone, 0)
	}
	if c.role != roleDesigner { // ... and buy them from their designers
		bought := make([]int, 0, 5)
		for _, j := range picks[:min(5, len(picks))] {
			if des := int(d.families[d.chips[j].fam].designer); des != k && !contains(bought, des) {
				bought = append(bought, des)
				s.fact(K, "customerOf", graph.EntityRef(d.companyKey[des]))
				s.emit(src, qNone, 0)
			}
		}
	}
	if c.role == roleDistributor || c.role == roleOEM {
		picks = distinct(r.Rand, picks[:0], 0, z.Chips, 10+r.IntN(110), -1)
		for _, j := range picks {
			if int(d.families[d.chips[j].fam].designer) != k {
				s.fact(K, "sells", graph.EntityRef(d.chipKey[j]))
				s.emit(src, qNone, 0)
			}
		}
	}
	if owns := ownsCount(r.Rand, c.role); owns > 0 {
		picks = distinct(r.Rand, picks[:0], 0, z.Chips, owns, -1)
		for _, j := range picks {
			st := s.fact(K, "owns", graph.EntityRef(d.chipKey[j]))
			st.Qualifiers.Extra = s.with1("units", strconv.Itoa(1000*(1+r.IntN(400))))
			s.emit(src, qNone, 0)
		}
	}
	s.picks = picks
}

// ownsCount is how many chips a company with role owns units of: cloud
// providers many, server makers and a few others some.
func ownsCount(r *rand.Rand, role uint8) int {
	switch x := r.IntN(10); {
	case role == roleCloud:
		return 40 + r.IntN(120)
	case role == roleOEM && x < 5:
		return 10 + r.IntN(30)
	case x < 2:
		return 3 + r.IntN(10)
	}
	return 0
}

// rivals appends the companies that company k competesWith as subject:
// up to four of higher index, from a stream of their own so that
// CompanyPath can recompute them.
func (d *Dataset) rivals(r *rng, dst []int, k int) []int {
	r.seed(d.cfg.Seed, tagRivals, k)
	return distinct(r.Rand, dst, k+1, d.size.Companies, r.IntN(5), -1)
}

func (d *Dataset) foundryStatements(s *sink, f int) {
	r := s.r.seed(d.cfg.Seed, tagFoundry, f)
	fo := &d.foundries[f]
	K, src := d.foundryKey[f], fo.src
	s.fact(K, "foundedIn", graph.DateOf(year(int(fo.founded))))
	s.emit(src, qFoundry, f)
	s.fact(K, "website", graph.Text(website(s.tmp[:0], slug(brand(d.foundryName[f])), "")))
	s.emit(src, qNone, 0)
	if r.IntN(10) < 8 {
		st := s.fact(K, "revenueRunRate", graph.Money(math.Round(math.Pow(10, 8+3*r.Float64())/1e6)*1e6, "USD"))
		st.Qualifiers.PointInTime = quarter(2025, 1+3*r.IntN(4))
		s.emit(src, qNone, 0)
	}
	s.picks = distinct(r.Rand, s.picks[:0], f+1, d.size.Foundries, r.IntN(4), -1)
	for _, j := range s.picks {
		s.fact(K, "competesWith", graph.EntityRef(d.foundryKey[j]))
		s.emit(src, qNone, 0)
	}
}

func (d *Dataset) personStatements(s *sink, p int) {
	r := s.r.seed(d.cfg.Seed, tagPerson, p)
	pe := &d.people[p]
	K, src := d.personKey[p], pe.src
	st := s.fact(K, "executiveOf", graph.EntityRef(d.companyKey[pe.company]))
	st.Qualifiers.ValidFrom = year(int(pe.since))
	st.Qualifiers.Extra = s.with1("role", execRoles[pe.role])
	s.emit(src, qPerson, p)
	s.fact(K, "role", graph.Text(execRoles[pe.role]))
	s.emit(src, qPerson, p)
	if pe.prevCompany >= 0 {
		st := s.fact(K, "executiveOf", graph.EntityRef(d.companyKey[pe.prevCompany]))
		st.Qualifiers.ValidFrom = year(int(pe.prevFrom))
		st.Qualifiers.ValidTo = year(int(pe.since))
		st.Qualifiers.Extra = s.with1("role", execRoles[pe.prevRole])
		s.emit(src, qPerson, p)
		if pe.prevRole != pe.role {
			st := s.fact(K, "role", graph.Text(execRoles[pe.prevRole]))
			st.Qualifiers.ValidTo = year(int(pe.since))
			s.emit(src, qPerson, p)
		}
	}
	if r.IntN(10) == 0 {
		s.fact(K, "website", graph.Text(website(s.tmp[:0], slug(d.personName[p]), "")))
		s.emit(src, qNone, 0)
	}
}

func (d *Dataset) familyStatements(s *sink, f int) {
	r := s.r.seed(d.cfg.Seed, tagFamily, f)
	fa := &d.families[f]
	K, src := d.familyKey[f], fa.src
	s.fact(K, "designedBy", graph.EntityRef(d.companyKey[fa.designer]))
	s.emit(src, qFamily, f)
	s.fact(K, "manufacturedBy", graph.EntityRef(d.foundryKey[fa.foundry]))
	s.emit(src, qFamily, f)
	if fa.prev >= 0 {
		s.fact(K, "successorOf", graph.EntityRef(d.familyKey[fa.prev]))
		s.emit(src, qNone, 0)
	}
	if fa.end > fa.start {
		if ch := &d.chips[fa.start]; ch.future() {
			s.fact(K, "expectedAvailability", graph.DateOf(quarter(int(ch.year), int(ch.month))))
		} else {
			s.fact(K, "releaseDate", graph.DateOf(year(int(ch.year))))
		}
		s.emit(src, qFamily, f)
	}
	s.fact(K, "chipType", graph.Text(chipTypes[fa.ctype]))
	s.emit(src, qFamily, f)
	if fa.tier == tierDatacenter && r.IntN(10) < 3 {
		st := s.fact(K, "revenueRunRate", graph.Money(math.Round(math.Pow(10, 8+2.5*r.Float64())/1e6)*1e6, "USD"))
		st.Qualifiers.PointInTime = quarter(2025, 1+3*r.IntN(4))
		s.emit(src, qNone, 0)
	}
	if r.IntN(10) == 0 {
		s.fact(K, "capacityStatus", graph.Text(capacityStatuses[r.IntN(len(capacityStatuses))]))
		s.emit(src, qNone, 0)
	}
	if r.IntN(2) == 0 {
		s.fact(K, "website", graph.Text(website(s.tmp[:0], d.domain(fa.designer), slug(d.familyName[f]))))
		s.emit(src, qNone, 0)
	}
	if f+1 < d.size.ChipFamilies && r.IntN(10) < 5 {
		s.fact(K, "competesWith", graph.EntityRef(d.familyKey[f+1+r.IntN(d.size.ChipFamilies-f-1)]))
		s.emit(src, qNone, 0)
	}
}

func (d *Dataset) systemStatements(s *sink, y int) {
	r := s.r.seed(d.cfg.Seed, tagSystem, y)
	sy := &d.systems[y]
	K, src := d.systemKey[y], sy.src
	sp := d.chipSpec(s.sr, int(sy.chip))
	n := float64(sy.n)
	round2 := func(x float64) float64 { return math.Round(x*100) / 100 }

	s.fact(K, "designedBy", graph.EntityRef(d.companyKey[sy.designer]))
	s.emit(src, qSystem, y)
	if sy.maker >= 0 && sy.maker != sy.designer {
		s.fact(K, "manufacturedBy", graph.EntityRef(d.companyKey[sy.maker]))
		s.emit(src, qNone, 0)
	}
	if sy.prev >= 0 && r.IntN(10) < 6 {
		s.fact(K, "successorOf", graph.EntityRef(d.systemKey[sy.prev]))
		s.emit(src, qNone, 0)
	}
	if r.IntN(10) < 4 {
		s.fact(K, "memberOf", graph.EntityRef(d.familyKey[d.chips[sy.chip].fam]))
		s.emit(src, qNone, 0)
	}
	s.fact(K, "processNode", graph.EntityRef(d.nodeKey[d.chips[sy.chip].node]))
	s.emit(src, qNone, 0)
	if sy.year > 2026 {
		s.fact(K, "expectedAvailability", graph.DateOf(quarter(int(sy.year), int(sy.month))))
	} else {
		s.fact(K, "releaseDate", graph.DateOf(month(int(sy.year), int(sy.month))))
	}
	s.emit(src, qNone, 0)
	if mem := n * float64(sp.memGB); mem >= 1000 {
		s.fact(K, "memory", graph.Quantity(round2(mem/1000), "TB"))
	} else {
		s.fact(K, "memory", graph.Quantity(mem, "GB"))
	}
	s.emit(src, qSystem, y)
	s.fact(K, "memoryBandwidth", graph.Quantity(round2(n*sp.bw), "TB/s"))
	s.emit(src, qNone, 0)
	if w := n * float64(sp.tdp) * 1.3; w >= 1000 {
		s.fact(K, "tdp", graph.Quantity(round2(w/1000), "kW"))
	} else {
		s.fact(K, "tdp", graph.Quantity(math.Round(w), "W"))
	}
	s.emit(src, qNone, 0)
	for i, p := range precisions {
		if sp.prec&(1<<i) == 0 || (p.name != "FP8" && p.name != "BF16" && p.name != "FP4") {
			continue
		}
		var st *graph.Statement
		if t := n * sp.perf(i); t >= 1000 {
			st = s.fact(K, "peakPerformance", graph.Quantity(round2(t/1000), "PFLOP/s"))
		} else {
			st = s.fact(K, "peakPerformance", graph.Quantity(round1(t), "TFLOP/s"))
		}
		st.Qualifiers.Extra = s.with1("precision", p.name)
		s.emit(src, qNone, 0)
	}
	if sp.price > 0 && r.IntN(10) < 5 {
		s.fact(K, "price", graph.Money(math.Round(n*float64(sp.price)*1.4/100)*100, "USD"))
		s.emit(src, qNone, 0)
	}
	s.fact(K, "chipType", graph.Text(systemKind(sy.n)))
	s.emit(src, qSystem, y)
	if sp.interGbit > 0 && r.IntN(2) == 0 {
		s.fact(K, "internodeBandwidth", graph.Quantity(float64(sp.interGbit*max(1, int(sy.n)/8)), "Gbit/s"))
		s.emit(src, qNone, 0)
	}
	if r.IntN(10) < 3 {
		s.fact(K, "website", graph.Text(website(s.tmp[:0], d.domain(sy.designer), "systems/"+slug(d.systemName[y]))))
		s.emit(src, qNone, 0)
	}
	s.fact(d.chipKey[sy.chip], "partOf", graph.EntityRef(K))
	s.emit(src, qSystem, y)
	if sy.chip2 >= 0 {
		s.fact(d.chipKey[sy.chip2], "partOf", graph.EntityRef(K))
		s.emit(src, qSystem, y)
	}
}

func (d *Dataset) nodeStatements(s *sink, n int) {
	s.r.seed(d.cfg.Seed, tagNode, n)
	nd := &d.nodes[n]
	K, src := d.nodeKey[n], nd.src
	s.fact(K, "featureSize", graph.Quantity(float64(nd.nm10)/10, "nm"))
	s.emit(src, qNode, n)
	s.fact(K, "operatedBy", graph.EntityRef(d.foundryKey[nd.foundry]))
	s.emit(src, qNode, n)
	if nd.foundry2 >= 0 {
		s.fact(K, "operatedBy", graph.EntityRef(d.foundryKey[nd.foundry2]))
		s.emit(src, qNone, 0)
	}
}

// Claims.

var conditions = [...]string{
	"if advanced packaging capacity keeps pace",
	"if the chips business operated as a standalone company",
	"assuming export rules stay unchanged",
	"if high-bandwidth memory supply improves",
}

// ClaimKey is the key of the n-th claim.
func ClaimKey(n int) string { return "claim-" + strconv.Itoa(n) }

func (d *Dataset) writeClaim(s *sink, j int) {
	r := s.r.seed(d.cfg.Seed, tagClaim, j)
	z := d.size
	cl := &s.claim
	*cl = graph.Claim{Key: ClaimKey(j)}
	s.cv = graph.ClaimValue{}
	var src int32
	b := s.tmp[:0]
	if r.IntN(100) < 80 { // about a chip
		x, c := r.IntN(100), r.IntN(z.Chips)
		if x < 50 {
			c &^= 1 // a chip whose paragraph quotes its speaker (hasSaid)
		}
		ch := &d.chips[c]
		src = ch.src
		p, designer := d.chipSpeaker(c)
		chipName := d.chipName[c]
		cl.About = append(s.about[:0], d.chipKey[c], d.companyKey[designer])
		if r.IntN(10) < 3 {
			cl.About = append(cl.About, d.familyKey[ch.fam])
		}
		switch {
		case x < 50: // the speaker of the chip's quote sentence
			if p >= 0 {
				cl.Claimant = d.personKey[p]
				b = append(b, d.personName[p]...)
			} else {
				cl.Claimant = d.companyKey[designer]
				b = append(b, d.companyName[designer]...)
			}
			cl.Reference.Quote = string(d.chipPhrase(nil, c))
			switch (c / 3) % len(saidPhrases) {
			case 0:
				cl.Modality = graph.Asserted
				b = append(b, " said demand for the "...)
				b = append(b, chipName...)
				b = append(b, " exceeds supply."...)
			case 1:
				cl.Modality = graph.Forecast
				b = append(b, " forecast that "...)
				b = append(b, chipName...)
				b = append(b, " shipments will more than double next year."...)
				s.cv = graph.ClaimValue{Amount: 2, Unit: "1", Lower: ptr(2)}
				cl.Value = &s.cv
			case 2:
				cl.Modality = graph.Opinion
				b = append(b, " called the "...)
				b = append(b, chipName...)
				b = append(b, " the most efficient accelerator the company has built."...)
			case 3:
				cl.Modality = graph.Asserted
				b = append(b, " said customers deploy the "...)
				b = append(b, chipName...)
				b = append(b, " in production."...)
			default:
				cl.Modality = graph.Plan
				b = append(b, " said the company secured manufacturing capacity for the "...)
				b = append(b, chipName...)
				b = append(b, " through "...)
				b = strconv.AppendInt(b, int64(ch.year)+1, 10)
				b = append(b, '.')
			}
		case x < 70: // the designer, on the datasheet
			sp := d.chipSpec(s.sr, c)
			cl.Claimant = d.companyKey[designer]
			cl.Modality = graph.Asserted
			cl.Reference.Quote = string(d.chipSpecSentence(nil, c, &sp))
			pi := sp.topPrecision()
			b = append(b, d.companyName[designer]...)
			b = append(b, " states that the "...)
			b = append(b, chipName...)
			b = append(b, " reaches "...)
			b = appendFloat(b, sp.perf(pi))
			b = append(b, " TFLOP/s at "...)
			b = append(b, precisions[pi].name...)
			b = append(b, '.')
			s.cv = graph.ClaimValue{Amount: sp.perf(pi), Unit: "TFLOP/s"}
			cl.Value = &s.cv
		default: // an analyst or a customer, on what the article reports
			k := r.IntN(z.Companies)
			cl.Claimant = d.companyKey[k]
			cl.Reference.Quote = string(d.chipIntro(nil, c))
			b = append(b, d.companyName[k]...)
			switch r.IntN(3) {
			case 0:
				cl.Modality = graph.Estimate
				units := float64(1+r.IntN(40)) / 10
				b = append(b, " estimates "...)
				b = append(b, d.companyName[designer]...)
				b = append(b, " will ship about "...)
				b = appendFloat(b, units)
				b = append(b, " million "...)
				b = append(b, chipName...)
				b = append(b, " units next year"...)
				s.cv = graph.ClaimValue{Amount: units, Unit: "million", Approximate: true}
				if r.IntN(3) == 0 {
					s.cv.Condition = conditions[r.IntN(len(conditions))]
					b = append(b, ", "...)
					b = append(b, s.cv.Condition...)
				}
				b = append(b, '.')
				cl.Value = &s.cv
			case 1:
				cl.Modality = graph.Reported
				b = append(b, " reported that the "...)
				b = append(b, chipName...)
				b = append(b, " is made by "...)
				b = append(b, d.foundryName[d.nodes[ch.node].foundry]...)
				b = append(b, '.')
			default:
				cl.Modality = graph.Opinion
				b = append(b, " considers the "...)
				b = append(b, chipName...)
				b = append(b, " competitive with the best accelerators of its generation."...)
			}
		}
	} else { // about a company's business
		k := r.IntN(z.Companies)
		src = d.companies[k].src
		cl.About = append(s.about[:0], d.companyKey[k])
		cl.Reference.Quote = string(d.companySentence(nil, k))
		if p := d.companies[k].exec; p >= 0 && r.IntN(2) == 0 {
			cl.Claimant = d.personKey[p]
			b = append(b, d.personName[p]...)
		} else {
			a := r.IntN(z.Companies)
			cl.Claimant = d.companyKey[a]
			b = append(b, d.companyName[a]...)
		}
		bn := float64(1+r.IntN(500)) / 10
		amount := bn * 1e9
		if r.IntN(2) == 0 {
			cl.Modality = graph.Estimate
			b = append(b, " estimates that "...)
		} else {
			cl.Modality = graph.Forecast
			b = append(b, " forecasts that "...)
		}
		b = append(b, d.companyName[k]...)
		b = append(b, "'s AI chip revenue could reach about $"...)
		b = appendFloat(b, bn)
		b = append(b, " billion a year"...)
		s.cv = graph.ClaimValue{Amount: amount, Currency: "USD", Approximate: true}
		if r.IntN(3) == 0 {
			s.cv.Lower, s.cv.Upper = ptr(amount*0.8), ptr(amount*1.2)
		}
		if r.IntN(3) == 0 {
			s.cv.Condition = conditions[r.IntN(len(conditions))]
			b = append(b, ", "...)
			b = append(b, s.cv.Condition...)
		}
		b = append(b, '.')
		cl.Value = &s.cv
	}
	s.tmp = b
	cl.Text = string(b)
	pub := d.sources[src].published
	cl.Stated = day(int(pub[0]), int(pub[1]), int(pub[2]))
	cl.Reference.Source = d.sourceKey[src]
	s.st.Claims++
	s.enc.claim(cl)
	if s.hook != nil {
		s.hook(&graph.Record{Type: graph.ClaimRecord, Claim: cl})
	}
}

func ptr(x float64) *float64 { return &x }
