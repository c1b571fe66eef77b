package gen

import (
	"math"
	"strconv"
)

// Source texts are made of sentences about the entities a source covers.
// Each sentence is a pure function of the plan (and of the entity's spec
// stream), so a statement or a claim can quote a source by rebuilding one
// sentence, and the quote is in the text verbatim.

var execRoles = [...]string{"CEO", "CTO", "CFO", "COO", "Chief AI Officer", "SVP of Hardware Engineering",
	"VP of Accelerated Computing", "Chief Scientist", "President", "Head of Silicon"}

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

var capacityStatuses = [...]string{"sold out through 2026", "fully committed", "allocation constrained",
	"sold out for the next four quarters", "available", "capacity expanding"}

var saidPhrases = [...]string{
	"Demand for the %c is running well ahead of supply",
	"We expect %c shipments to more than double next year",
	"The %c is the most efficient accelerator we have built",
	"Customers are already deploying the %c in production clusters",
	"We have secured capacity for the %c through %y",
}

var fillers = [...]string{
	"Analysts expect spending on AI accelerators to keep rising through %y.",
	"Supply of high-bandwidth memory remains the main constraint on shipments.",
	"Advanced packaging capacity has become a bottleneck for the whole industry.",
	"Several hyperscalers now design their own silicon to lower the cost of inference.",
	"Power delivery and cooling now shape data-center design as much as compute does.",
	"Software support, not raw performance, still decides most purchases.",
}

// Precisions, in the order a chip's peakPerformance statements list them,
// with their throughput relative to FP16 and the year they appeared.
var precisions = [...]struct {
	name  string
	ratio float64
	since int16
}{{"FP64", 1.0 / 16, 0}, {"FP32", 0.25, 0}, {"TF32", 0.5, 2020}, {"FP16", 1, 0}, {"BF16", 1, 2018}, {"FP8", 2, 2022}, {"FP4", 4, 2024}}

// spec is a chip's datasheet, drawn from the chip's own random stream.
type spec struct {
	memGB      int     // memory in GB (or GiB when memGiB)
	memGiB     bool    //
	bw         float64 // memory bandwidth, TB/s
	tdp        int     // W
	fp16       float64 // TFLOP/s
	prec       uint8   // bit i set: precisions[i] is listed
	int4       bool
	price      int // USD, 0 for none
	die        int // mm2
	transistor float64
	baseMHz    int
	boostMHz   int
	intraGBs   int // 0 for none
	interGbit  int // 0 for none
	website    bool
	capacity   int // index into capacityStatuses, -1 for none
}

var tierPerf = [...]float64{2, 20, 125}       // FP16 TFLOP/s in 2018
var tierMem = [...]float64{4, 16, 32}         // GB in 2016
var tierBW = [...]float64{0.05, 0.3, 0.9}     // TB/s in 2016
var tierTDP = [...]float64{15, 150, 300}      // W in 2016
var tierPrice = [...]float64{300, 4000, 9000} // USD in 2016
var tierDie = [...]float64{80, 400, 750}      // mm2

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// chipSpec draws chip c's datasheet.
func (d *Dataset) chipSpec(r *rng, c int) spec {
	r.seed(d.cfg.Seed, tagChipSpec, c)
	ch := &d.chips[c]
	fa := &d.families[ch.fam]
	t, y := fa.tier, float64(ch.year)
	jit := func() float64 { return 0.8 + 0.4*r.Float64() }
	var s spec
	s.fp16 = round1(max(0.5, tierPerf[t]*math.Pow(1.55, y-2018)*jit()))
	s.memGB = max(2, int(tierMem[t]*math.Pow(1.25, y-2016)*jit()/4)*4)
	s.memGiB = r.IntN(10) == 0
	s.bw = max(0.02, math.Round(tierBW[t]*math.Pow(1.25, y-2016)*jit()*100)/100)
	s.tdp = max(5, int(tierTDP[t]*math.Pow(1.12, y-2016)*jit()/5)*5)
	for i, p := range precisions {
		switch {
		case p.since > ch.year:
		case p.name == "FP16", p.name == "BF16", p.name == "FP8", p.name == "FP4":
			s.prec |= 1 << i
		case p.name == "FP64":
			if t == tierDatacenter && r.IntN(10) < 4 {
				s.prec |= 1 << i
			}
		default:
			if r.IntN(2) == 0 {
				s.prec |= 1 << i
			}
		}
	}
	s.int4 = ch.year < 2024 && r.IntN(10) < 4
	if r.IntN(100) < 15+15*int(t) {
		s.price = max(100, int(tierPrice[t]*math.Pow(1.18, y-2016)*jit()/100)*100)
	}
	s.die = min(858, int(tierDie[t]*(0.75+0.35*r.Float64())))
	s.transistor = round1(float64(s.die) * 0.05 * math.Pow(1.3, y-2016) * jit())
	s.baseMHz = 700 + 10*r.IntN(90)
	s.boostMHz = s.baseMHz + 100 + 10*r.IntN(60)
	if t > tierEdge && r.IntN(10) < 8 {
		s.intraGBs = int(100*float64(t)*math.Pow(1.3, y-2016)*jit()/10) * 10
	}
	if t > tierEdge && r.IntN(10) < 7 {
		s.interGbit = []int{100, 200, 400, 800, 1600}[min(4, max(0, int(y-2017)/2))]
	}
	s.website = r.IntN(10) < 5
	s.capacity = -1
	if ch.year >= 2024 && r.IntN(10) < 2 {
		s.capacity = r.IntN(len(capacityStatuses))
	}
	return s
}

// topPrecision is the lowest precision the chip lists, which its spec
// sentence quotes.
func (s *spec) topPrecision() int {
	for i := len(precisions) - 1; i >= 0; i-- {
		if s.prec&(1<<i) != 0 {
			return i
		}
	}
	return 3
}

func (s *spec) perf(i int) float64 { return max(0.1, round1(s.fp16*precisions[i].ratio)) }

// future reports whether the chip is announced but not released: its
// statements give expectedAvailability instead of releaseDate.
func (ch *chip) future() bool { return ch.year > 2026 || (ch.year == 2026 && ch.month > 10) }

// appendFloat appends x with at most two decimals.
func appendFloat(b []byte, x float64) []byte { return strconv.AppendFloat(b, x, 'f', -1, 64) }

// appendGrouped appends n with thousands separators: 12,500.
func appendGrouped(b []byte, n int) []byte {
	s := strconv.Itoa(n)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return b
}

func (d *Dataset) chipDate(b []byte, ch *chip) []byte {
	if ch.future() {
		b = append(b, "with availability expected in Q"...)
		b = strconv.AppendInt(b, int64((ch.month-1)/3+1), 10)
		b = append(b, ' ')
		return strconv.AppendInt(b, int64(ch.year), 10)
	}
	b = append(b, "in "...)
	b = append(b, monthNames[ch.month-1]...)
	b = append(b, ' ')
	return strconv.AppendInt(b, int64(ch.year), 10)
}

// chipIntro is the sentence that names the chip's designer, foundry,
// process node, family, type and date.
func (d *Dataset) chipIntro(b []byte, c int) []byte {
	ch := &d.chips[c]
	fa := &d.families[ch.fam]
	nd := &d.nodes[ch.node]
	designer, name, fo := d.companyName[fa.designer], d.chipName[c], d.foundryName[nd.foundry]
	typ, fam, nodeName := chipTypes[fa.ctype], d.familyName[ch.fam], d.nodeName[ch.node]
	switch c % 3 {
	case 0:
		b = append(b, designer...)
		b = append(b, " introduced the "...)
		b = append(b, name...)
		b = append(b, ", a "...)
		b = append(b, typ...)
		b = append(b, " in its "...)
		b = append(b, fam...)
		b = append(b, " line built by "...)
		b = append(b, fo...)
		b = append(b, " on the "...)
		b = append(b, nodeName...)
		b = append(b, " process, "...)
	case 1:
		b = append(b, "The "...)
		b = append(b, name...)
		b = append(b, " from "...)
		b = append(b, designer...)
		b = append(b, " is a "...)
		b = append(b, fam...)
		b = append(b, ' ')
		b = append(b, typ...)
		b = append(b, " manufactured by "...)
		b = append(b, fo...)
		b = append(b, " on "...)
		b = append(b, nodeName...)
		b = append(b, ", launched "...)
	default:
		b = append(b, fo...)
		b = append(b, " fabricates the "...)
		b = append(b, name...)
		b = append(b, " for "...)
		b = append(b, designer...)
		b = append(b, " on its "...)
		b = append(b, nodeName...)
		b = append(b, " process; the "...)
		b = append(b, typ...)
		b = append(b, " joined the "...)
		b = append(b, fam...)
		b = append(b, " lineup "...)
	}
	b = d.chipDate(b, ch)
	return append(b, '.')
}

// chipSpecSentence gives memory, bandwidth, power, peak performance at the
// chip's lowest precision and the price.
func (d *Dataset) chipSpecSentence(b []byte, c int, s *spec) []byte {
	unit := " GB"
	if s.memGiB {
		unit = " GiB"
	}
	p := s.topPrecision()
	if c%2 == 0 {
		b = append(b, "The "...)
		b = append(b, d.chipName[c]...)
		b = append(b, " pairs "...)
		b = strconv.AppendInt(b, int64(s.memGB), 10)
		b = append(b, unit...)
		b = append(b, " of memory with "...)
		b = appendFloat(b, s.bw)
		b = append(b, " TB/s of bandwidth, draws "...)
		b = strconv.AppendInt(b, int64(s.tdp), 10)
		b = append(b, " W and delivers "...)
		b = appendFloat(b, s.perf(p))
		b = append(b, " TFLOP/s of "...)
		b = append(b, precisions[p].name...)
		b = append(b, " compute"...)
	} else {
		b = append(b, "Specifications list "...)
		b = strconv.AppendInt(b, int64(s.memGB), 10)
		b = append(b, unit...)
		b = append(b, " at "...)
		b = appendFloat(b, s.bw)
		b = append(b, " TB/s, a "...)
		b = strconv.AppendInt(b, int64(s.tdp), 10)
		b = append(b, " W TDP and "...)
		b = appendFloat(b, s.perf(p))
		b = append(b, " TFLOP/s at "...)
		b = append(b, precisions[p].name...)
		b = append(b, " for the "...)
		b = append(b, d.chipName[c]...)
	}
	if s.price > 0 {
		b = append(b, ", at a list price of $"...)
		b = appendGrouped(b, s.price)
	}
	return append(b, '.')
}

// chipSpeaker is who speaks in the chip's quote sentence: the first
// executive of its designer (a person), or else the designer itself.
func (d *Dataset) chipSpeaker(c int) (p int32, designer int32) {
	designer = d.families[d.chips[c].fam].designer
	return d.companies[designer].exec, designer
}

// chipPhrase is the quoted part of the chip's quote sentence.
func (d *Dataset) chipPhrase(b []byte, c int) []byte {
	ph := saidPhrases[(c/3)%len(saidPhrases)]
	for i := 0; i < len(ph); i++ {
		if ph[i] == '%' && i+1 < len(ph) {
			i++
			switch ph[i] {
			case 'c':
				b = append(b, d.chipName[c]...)
			case 'y':
				b = strconv.AppendInt(b, int64(d.chips[c].year)+1, 10)
			}
			continue
		}
		b = append(b, ph[i])
	}
	return b
}

// hasSaid reports whether the chip's paragraph quotes its speaker (every
// other chip's does, which keeps texts short).
func hasSaid(c int) bool { return c%2 == 0 }

// chipSaid is the sentence quoting the chip's speaker.
func (d *Dataset) chipSaid(b []byte, c int) []byte {
	p, designer := d.chipSpeaker(c)
	b = append(b, '"')
	b = d.chipPhrase(b, c)
	b = append(b, `," `...)
	if p >= 0 {
		b = append(b, "said "...)
		b = append(b, d.personName[p]...)
		b = append(b, ", "...)
		b = append(b, execRoles[d.people[p].role]...)
		b = append(b, " of "...)
		b = append(b, d.companyName[designer]...)
		return append(b, '.')
	}
	b = append(b, "a spokesperson for "...)
	b = append(b, d.companyName[designer]...)
	return append(b, " said."...)
}

func (d *Dataset) companySentence(b []byte, k int) []byte {
	c := &d.companies[k]
	b = append(b, d.companyName[k]...)
	b = append(b, ", founded in "...)
	b = strconv.AppendInt(b, int64(c.founded), 10)
	b = append(b, ", is a "...)
	b = append(b, roleWords[c.role]...)
	if c.role == roleDesigner {
		b = append(b, " behind "...)
		b = strconv.AppendInt(b, int64(c.families), 10)
		b = append(b, " accelerator families"...)
	}
	if c.parent >= 0 {
		if c.division {
			b = append(b, " and a division of "...)
		} else {
			b = append(b, " and a subsidiary of "...)
		}
		b = append(b, d.companyName[c.parent]...)
	}
	return append(b, '.')
}

func (d *Dataset) foundrySentence(b []byte, f int) []byte {
	fo := &d.foundries[f]
	b = append(b, d.foundryName[f]...)
	b = append(b, ", founded in "...)
	b = strconv.AppendInt(b, int64(fo.founded), 10)
	b = append(b, ", runs "...)
	b = strconv.AppendInt(b, int64(fo.nodes), 10)
	return append(b, " process nodes for outside customers."...)
}

func (d *Dataset) personSentence(b []byte, p int) []byte {
	pe := &d.people[p]
	b = append(b, d.personName[p]...)
	b = append(b, " has served as "...)
	b = append(b, execRoles[pe.role]...)
	b = append(b, " of "...)
	b = append(b, d.companyName[pe.company]...)
	b = append(b, " since "...)
	b = strconv.AppendInt(b, int64(pe.since), 10)
	if pe.prevCompany >= 0 {
		b = append(b, ", after serving as "...)
		b = append(b, execRoles[pe.prevRole]...)
		b = append(b, " at "...)
		b = append(b, d.companyName[pe.prevCompany]...)
	}
	return append(b, '.')
}

func (d *Dataset) familySentence(b []byte, f int) []byte {
	fa := &d.families[f]
	b = append(b, "The "...)
	b = append(b, d.familyName[f]...)
	b = append(b, " family from "...)
	b = append(b, d.companyName[fa.designer]...)
	b = append(b, " debuted in "...)
	b = strconv.AppendInt(b, int64(fa.baseYear), 10)
	b = append(b, " as a line of "...)
	b = append(b, chipTypes[fa.ctype]...)
	b = append(b, " accelerators built by "...)
	b = append(b, d.foundryName[fa.foundry]...)
	return append(b, '.')
}

func (d *Dataset) systemSentence(b []byte, y int) []byte {
	sy := &d.systems[y]
	b = append(b, d.companyName[sy.designer]...)
	b = append(b, " builds the "...)
	b = append(b, d.systemName[y]...)
	b = append(b, ", a "...)
	b = append(b, systemKind(sy.n)...)
	if sy.n == 1 {
		b = append(b, " built around one "...)
		b = append(b, d.chipName[sy.chip]...)
		b = append(b, " accelerator"...)
	} else {
		b = append(b, " that combines "...)
		b = strconv.AppendInt(b, int64(sy.n), 10)
		b = append(b, ' ')
		b = append(b, d.chipName[sy.chip]...)
		b = append(b, " accelerators"...)
	}
	if sy.chip2 >= 0 {
		b = append(b, " with "...)
		b = append(b, d.chipName[sy.chip2]...)
		b = append(b, " parts"...)
	}
	return append(b, '.')
}

func systemKind(n int16) string {
	switch {
	case n <= 2:
		return "superchip module"
	case n <= 16:
		return "server"
	case n <= 72:
		return "rack-scale system"
	}
	return "pod"
}

func (d *Dataset) nodeSentence(b []byte, n int) []byte {
	nd := &d.nodes[n]
	b = append(b, d.nodeName[n]...)
	b = append(b, " is a "...)
	b = appendFloat(b, float64(nd.nm10)/10)
	b = append(b, " nm-class process that "...)
	b = append(b, d.foundryName[nd.foundry]...)
	b = append(b, " introduced in "...)
	b = strconv.AppendInt(b, int64(nd.year), 10)
	return append(b, '.')
}

// headline is the source's title and first line.
func (d *Dataset) headline(b []byte, s int) []byte {
	so := &d.sources[s]
	if so.chipHi == so.chipLo {
		b = append(b, "Accelerator market update, "...)
		b = append(b, monthNames[so.published[1]-1]...)
		b = append(b, ' ')
		return strconv.AppendInt(b, int64(so.published[0]), 10)
	}
	c := int(so.chipLo)
	designer := d.companyName[d.families[d.chips[c].fam].designer]
	switch sourceKinds[so.kind] {
	case "press_release":
		b = append(b, designer...)
		b = append(b, " announces the "...)
		return append(b, d.chipName[c]...)
	case "datasheet":
		b = append(b, d.chipName[c]...)
		return append(b, " datasheet"...)
	case "web_page":
		b = append(b, d.chipName[c]...)
		return append(b, " product overview"...)
	case "blog_post":
		b = append(b, "Inside the "...)
		return append(b, d.chipName[c]...)
	case "interview":
		b = append(b, "Talking silicon with "...)
		return append(b, designer...)
	case "filing", "shareholder_letter":
		b = append(b, designer...)
		b = append(b, " annual report "...)
		return strconv.AppendInt(b, int64(so.published[0]), 10)
	}
	b = append(b, designer...)
	b = append(b, " bets on the "...)
	b = append(b, d.familyName[d.chips[c].fam]...)
	return append(b, " line as the accelerator race heats up"...)
}

// sourceText builds source s's text: a headline, a paragraph per chip it
// covers (intro, specs and for every other chip a quote), a sentence for each other entity it
// mentions and a few general sentences.
func (d *Dataset) sourceText(b []byte, s int, r *rng) []byte {
	so := &d.sources[s]
	b = d.headline(b, s)
	for c := int(so.chipLo); c < int(so.chipHi); c++ {
		sp := d.chipSpec(r, c)
		b = append(b, "\n\n"...)
		b = d.chipIntro(b, c)
		b = append(b, ' ')
		b = d.chipSpecSentence(b, c, &sp)
		if hasSaid(c) {
			b = append(b, ' ')
			b = d.chipSaid(b, c)
		}
	}
	para := false
	sep := func() {
		if !para {
			b = append(b, "\n\n"...)
			para = true
		} else {
			b = append(b, ' ')
		}
	}
	for k, list := range d.inSource {
		for _, i := range list.of(s) {
			sep()
			switch k {
			case idxCompany:
				b = d.companySentence(b, int(i))
			case idxFoundry:
				b = d.foundrySentence(b, int(i))
			case idxPerson:
				b = d.personSentence(b, int(i))
			case idxFamily:
				b = d.familySentence(b, int(i))
			case idxSystem:
				b = d.systemSentence(b, int(i))
			case idxNode:
				b = d.nodeSentence(b, int(i))
			}
		}
	}
	n := (s * 7) % 3
	if so.chipHi == so.chipLo {
		n = 4 // a market update: general sentences
	}
	for i := range n {
		sep()
		f := fillers[(s+i*5)%len(fillers)]
		for j := 0; j < len(f); j++ {
			if f[j] == '%' && j+1 < len(f) && f[j+1] == 'y' {
				b = strconv.AppendInt(b, int64(so.published[0])+1, 10)
				j++
				continue
			}
			b = append(b, f[j])
		}
	}
	return b
}
