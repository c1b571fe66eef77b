package gen

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
)

// Size is how many of each kind of record a dataset has. Statement counts
// are not here: they follow from random choices (Stats reports them).
type Size struct {
	Companies, Foundries, People, Chips, ChipFamilies, Systems, ProcessNodes int
	Sources, Claims                                                          int
}

// Entities is the number of entities of every kind.
func (s Size) Entities() int {
	return s.Companies + s.Foundries + s.People + s.Chips + s.ChipFamilies + s.Systems + s.ProcessNodes
}

// Counts returns the size of a dataset at scale: each count is its scale-1
// count times scale, rounded, and at least 1.
func Counts(scale float64) Size {
	n := func(base float64) int { return max(1, int(math.Round(base*scale))) }
	return Size{
		Companies: n(2000), Foundries: n(50), People: n(1000), Chips: n(20000), ChipFamilies: n(2000),
		Systems: n(2500), ProcessNodes: n(40), Sources: n(5000), Claims: n(100000),
	}
}

// Company roles. A company that designs a chip family is a designer; the
// others get one of the remaining roles, which decide what they sell, use
// and own.
const (
	roleOther uint8 = iota
	roleDesigner
	roleCloud
	roleOEM
	roleDistributor
	roleSupplier
)

var roleWords = [...]string{"technology company", "chip designer", "cloud provider", "server maker", "hardware distributor", "component supplier"}

type company struct {
	role     uint8
	founded  int16
	parent   int32 // subsidiaryOf or divisionOf this company, or -1
	division bool  // the parent relation is divisionOf
	exec     int32 // first person who is an executive here, or -1
	src      int32 // primary source
	families int32 // chip families designed
	chips    int32 // chips designed
	lastFam  int32 // latest family designed so far, or -1 (planning only)
	lastSys  int32 // latest system designed so far, or -1 (planning only)
}

type foundry struct {
	founded int16
	src     int32
	nodes   int32
}

type person struct {
	company, prevCompany int32 // prevCompany is -1 when there is no earlier post
	role, prevRole       uint8
	since, prevFrom      int16 // prevFrom..since-1 is the earlier post
	src                  int32
}

// Chip family tiers set the scale of the specs.
const (
	tierEdge uint8 = iota
	tierMid
	tierDatacenter
)

var chipTypes = [...]string{"GPU", "TPU", "NPU", "ASIC", "IPU", "LPU", "DPU", "FPGA"}

type family struct {
	designer   int32
	foundry    int32 // primary foundry
	start, end int32 // chips [start, end)
	prev       int32 // the designer's previous family, or -1
	src        int32
	baseYear   int16
	tier       uint8
	ctype      uint8
	letter     byte
	gens       uint8 // generations the chips span
}

type chip struct {
	fam        int32
	node       int32
	foundry2   int32 // a second foundry, or -1
	codesigner int32 // a second designer, or -1
	src        int32
	year       int16
	month      int8
	gen, varnt uint8
}

type system struct {
	designer    int32
	chip, chip2 int32 // chip2 is -1 for a single kind of chip
	prev        int32 // the designer's previous system, or -1
	maker       int32 // manufacturedBy company, or -1
	src         int32
	n           int16 // accelerators
	year        int16
	month       int8
}

type node struct {
	foundry, foundry2 int32
	nm10              int16 // feature size in tenths of a nanometre
	year              int16
	src               int32
}

type source struct {
	chipLo, chipHi int32 // the chips it covers, [chipLo, chipHi)
	kind           uint8
	publisher      int32 // index into publishers, or -1-company for a company's own page
	published      [3]int16
}

// Dataset is the plan of one dataset: names, keys and structure (who
// designs which chip, which family it is in, where it is made, which source
// covers it), held as compact per-entity arrays. Records are built from it
// when they are written; spec values and other per-entity details are drawn
// from a random stream of their own, so any of them can be rebuilt alone.
type Dataset struct {
	cfg  Config
	size Size

	companyName, companyKey []string
	foundryName, foundryKey []string
	personName, personKey   []string
	familyName, familyKey   []string
	systemName, systemKey   []string
	nodeName, nodeKey       []string
	chipName, chipKey       []string
	sourceKey               []string

	companies []company
	foundries []foundry
	people    []person
	families  []family
	chips     []chip
	systems   []system
	nodes     []node
	sources   []source

	// Entities other than chips that each source mentions, as CSR lists:
	// the entities of kind k in source s are byKind[k].items[start[s]:start[s+1]].
	inSource [nIndexed]csr

	nodesByYear  []int32 // process nodes by year of introduction
	foundryNodes csr     // each foundry's nodes, as positions in nodesByYear
	designs      csr     // each company's chip families
	oems         []int32 // companies that build systems
}

// Kinds whose entities are mentioned in sources through an index (chips are
// covered by contiguous ranges instead).
const (
	idxCompany = iota
	idxFoundry
	idxPerson
	idxFamily
	idxSystem
	idxNode
	nIndexed
)

type csr struct {
	start []int32
	items []int32
}

// buildCSR groups the indices 0..len(src)-1 by src[i] in [0, n), keeping
// index order within a group. Linear.
func buildCSR(n int, src []int32) csr {
	c := csr{start: make([]int32, n+1), items: make([]int32, len(src))}
	for _, s := range src {
		c.start[s+1]++
	}
	for i := 1; i <= n; i++ {
		c.start[i] += c.start[i-1]
	}
	fill := append([]int32(nil), c.start[:n]...)
	for i, s := range src {
		c.items[fill[s]] = int32(i)
		fill[s]++
	}
	return c
}

func (c csr) of(s int) []int32 { return c.items[c.start[s]:c.start[s+1]] }

// Stream tags keep the random streams of planning and of each kind of
// record apart.
const (
	tagPlan uint64 = iota + 1
	tagChipSpec
	tagChip
	tagCompany
	tagFoundry
	tagPerson
	tagFamily
	tagSystem
	tagNode
	tagClaim
	tagRivals
)

// streamSeed mixes a seed, a tag and an index into a PCG seed
// (SplitMix64's finalizer).
func streamSeed(seed int64, tag uint64, i int) (uint64, uint64) {
	z := uint64(seed) ^ tag*0x9E3779B97F4A7C15
	z += uint64(i) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31), tag<<32 | uint64(uint32(i))
}

// rng is a reseedable random source: one per worker, reseeded per entity.
type rng struct {
	pcg rand.PCG
	*rand.Rand
}

func newRNG() *rng {
	r := &rng{}
	r.Rand = rand.New(&r.pcg)
	return r
}

func (r *rng) seed(seed int64, tag uint64, i int) *rng {
	r.pcg.Seed(streamSeed(seed, tag, i))
	return r
}

// skewed returns an index in [0, n) that favours small indices: the
// probability of an index below x is (x/n)^(1/p).
func skewed(r *rand.Rand, n int, p float64) int {
	return min(n-1, int(float64(n)*math.Pow(r.Float64(), p)))
}

// New plans the dataset for cfg. It takes time and memory linear in the
// scale (tens of milliseconds and about 10 MB at scale 1).
func New(cfg Config) *Dataset {
	size := Counts(cfg.Scale)
	d := &Dataset{cfg: cfg, size: size}
	r := newRNG().seed(cfg.Seed, tagPlan, 0)
	nm := &namer{r: r.Rand, used: make(map[string]bool, size.Entities())}
	S := size.Sources

	// Companies and foundries.
	d.companies = make([]company, size.Companies)
	d.companyName = make([]string, size.Companies)
	d.companyKey = make([]string, size.Companies)
	for k := range d.companies {
		c := &d.companies[k]
		d.companyName[k] = nm.company()
		d.companyKey[k] = key(d.companyName[k], k)
		c.founded = int16(1968 + skewed(r.Rand, 57, 0.6))
		c.parent, c.exec, c.lastFam, c.lastSys = -1, -1, -1, -1
		if k > 0 && r.IntN(100) < 10 {
			c.parent = int32(r.IntN(k)) // parents come first: no cycles
			c.division = r.IntN(3) == 0
		}
		c.src = int32(r.IntN(S))
	}
	d.foundries = make([]foundry, size.Foundries)
	d.foundryName = make([]string, size.Foundries)
	d.foundryKey = make([]string, size.Foundries)
	for f := range d.foundries {
		d.foundryName[f] = nm.foundry()
		d.foundryKey[f] = key(d.foundryName[f], f)
		d.foundries[f] = foundry{founded: int16(1970 + r.IntN(50)), src: int32(r.IntN(S))}
	}

	// Process nodes: big foundries run most of them.
	nodeSizes := []int{280, 220, 160, 140, 120, 100, 80, 70, 60, 50, 40, 30, 20, 18, 16, 14}
	nodeYears := []int{2011, 2012, 2014, 2015, 2016, 2017, 2018, 2018, 2019, 2020, 2022, 2023, 2025, 2026, 2026, 2027}
	d.nodes = make([]node, size.ProcessNodes)
	d.nodeName = make([]string, size.ProcessNodes)
	d.nodeKey = make([]string, size.ProcessNodes)
	byYear := make([][]int32, 2028-2011)
	for n := range d.nodes {
		i := n % len(nodeSizes)
		if n >= len(nodeSizes) {
			i = r.IntN(len(nodeSizes))
		}
		fo := int32(skewed(r.Rand, size.Foundries, 2))
		fo2 := int32(-1)
		if size.Foundries > 1 && r.IntN(100) < 35 {
			if fo2 = int32(r.IntN(size.Foundries - 1)); fo2 >= fo {
				fo2++
			}
		}
		d.nodes[n] = node{foundry: fo, foundry2: fo2, nm10: int16(nodeSizes[i]), year: int16(nodeYears[i]), src: int32(r.IntN(S))}
		d.foundries[fo].nodes++
		d.nodeName[n] = nm.node(d.foundryName[fo], nodeSizes[i])
		d.nodeKey[n] = key(d.nodeName[n], n)
		byYear[nodeYears[i]-2011] = append(byYear[nodeYears[i]-2011], int32(n))
	}
	for _, ns := range byYear {
		d.nodesByYear = append(d.nodesByYear, ns...)
	}
	operator := make([]int32, len(d.nodesByYear)) // foundry of the i-th node by year
	for i, n := range d.nodesByYear {
		operator[i] = d.nodes[n].foundry
	}
	d.foundryNodes = buildCSR(size.Foundries, operator)

	// Chip families: a few companies design most of them.
	d.families = make([]family, size.ChipFamilies)
	d.familyName = make([]string, size.ChipFamilies)
	d.familyKey = make([]string, size.ChipFamilies)
	avg := float64(size.Chips) / float64(size.ChipFamilies)
	prevEnd := 0
	for f := range d.families {
		fa := &d.families[f]
		k := skewed(r.Rand, size.Companies, 2)
		c := &d.companies[k]
		fa.designer, fa.prev = int32(k), c.lastFam
		c.lastFam = int32(f)
		c.families++
		c.role = roleDesigner
		d.familyName[f] = nm.family(f)
		d.familyKey[f] = key(d.familyName[f], f)
		fa.tier = uint8(r.IntN(3))
		fa.ctype = uint8(skewed(r.Rand, len(chipTypes), 1.6))
		fa.letter = chipLetters[r.IntN(len(chipLetters))]
		fa.baseYear = int16(2014 + r.IntN(13))
		fa.foundry = d.nodes[r.IntN(len(d.nodes))].foundry
		fa.src = int32(r.IntN(S))
		// Cut points jitter around f*avg, so families hold about avg chips.
		end := size.Chips
		if f < size.ChipFamilies-1 {
			end = int(math.Round((float64(f+1) + 0.9*(r.Float64()-0.5)) * avg))
			end = min(max(end, prevEnd+1), size.Chips-(size.ChipFamilies-1-f))
			end = max(end, prevEnd) // fewer chips than families: some stay empty
		}
		fa.start, fa.end = int32(prevEnd), int32(end)
		prevEnd = end
	}

	// Chips.
	d.chips = make([]chip, size.Chips)
	d.chipName = make([]string, size.Chips)
	d.chipKey = make([]string, size.Chips)
	for f := range d.families {
		fa := &d.families[f]
		n := int(fa.end - fa.start)
		if n == 0 {
			continue
		}
		span := 2028 - int(fa.baseYear)
		gens := max(min(n, span), (n+5)/6)
		fa.gens = uint8(gens)
		per := (n + gens - 1) / gens
		for i := 0; i < n; i++ {
			ci := int(fa.start) + i
			ch := &d.chips[ci]
			ch.fam = int32(f)
			ch.gen, ch.varnt = uint8(i/per), uint8(i%per)
			ch.year = int16(min(2027, int(fa.baseYear)+int(ch.gen)))
			ch.month = int8(1 + r.IntN(12))
			ch.node = d.pickNode(r.Rand, fa.foundry, int(ch.year))
			ch.foundry2, ch.codesigner = -1, -1
			if size.Foundries > 1 && r.IntN(100) < 35 {
				if ch.foundry2 = int32(r.IntN(size.Foundries - 1)); ch.foundry2 >= d.nodes[ch.node].foundry {
					ch.foundry2++
				}
			}
			if size.Companies > 1 && r.IntN(100) < 5 {
				if ch.codesigner = int32(r.IntN(size.Companies - 1)); ch.codesigner >= fa.designer {
					ch.codesigner++
				}
			}
			d.chipName[ci] = d.familyName[f] + " " + chipModel(fa.letter, int(ch.gen), int(ch.varnt))
			d.chipKey[ci] = key(d.chipName[ci], ci)
			d.companies[fa.designer].chips++
		}
	}

	// Other roles, and the OEMs that build systems.
	for k := range d.companies {
		c := &d.companies[k]
		if c.role == roleDesigner {
			continue
		}
		switch x := r.IntN(100); {
		case x < 15:
			c.role = roleCloud
		case x < 35:
			c.role = roleOEM
		case x < 50:
			c.role = roleDistributor
		case x < 65:
			c.role = roleSupplier
		}
		if c.role == roleOEM {
			d.oems = append(d.oems, int32(k))
		}
	}

	// People: executives, mostly at the big designers.
	d.people = make([]person, size.People)
	d.personName = make([]string, size.People)
	d.personKey = make([]string, size.People)
	for p := range d.people {
		pe := &d.people[p]
		d.personName[p] = nm.person()
		d.personKey[p] = key(d.personName[p], p)
		pe.company = int32(skewed(r.Rand, size.Companies, 1.5))
		pe.role = uint8(skewed(r.Rand, len(execRoles), 1.3))
		pe.since = int16(2012 + r.IntN(14))
		pe.prevCompany = -1
		if size.Companies > 1 && r.IntN(100) < 30 {
			if pe.prevCompany = int32(r.IntN(size.Companies - 1)); pe.prevCompany >= pe.company {
				pe.prevCompany++
			}
			pe.prevRole = uint8(r.IntN(len(execRoles)))
			pe.prevFrom = pe.since - int16(1+r.IntN(8))
		}
		pe.src = int32(r.IntN(S))
		if c := &d.companies[pe.company]; c.exec < 0 {
			c.exec = int32(p)
		}
	}

	// Systems: racks, servers and superchips built around a family's chips.
	d.systems = make([]system, size.Systems)
	d.systemName = make([]string, size.Systems)
	d.systemKey = make([]string, size.Systems)
	for y := range d.systems {
		sy := &d.systems[y]
		f := r.IntN(size.ChipFamilies)
		for d.families[f].end == d.families[f].start {
			f = (f + 1) % size.ChipFamilies
		}
		fa := &d.families[f]
		sy.designer = fa.designer
		sy.chip = fa.end - 1 - int32(r.IntN(int(min(3, fa.end-fa.start))))
		sy.chip2 = -1
		if r.IntN(100) < 30 {
			if c2 := int32(r.IntN(size.Chips)); c2 != sy.chip {
				sy.chip2 = c2
			}
		}
		sy.n = int16(systemSizes[r.IntN(len(systemSizes))])
		ch := &d.chips[sy.chip]
		sy.year, sy.month = ch.year, ch.month+int8(1+r.IntN(5))
		if sy.month > 12 {
			sy.year, sy.month = min(sy.year+1, 2027), sy.month-12
		}
		dc := &d.companies[sy.designer]
		sy.prev, dc.lastSys = dc.lastSys, int32(y)
		sy.maker = -1
		if len(d.oems) > 0 && r.IntN(100) < 30 {
			sy.maker = d.oems[r.IntN(len(d.oems))]
		}
		sy.src = int32(r.IntN(S))
		d.systemName[y] = nm.system(d.companyName[sy.designer], int(sy.n))
		d.systemKey[y] = key(d.systemName[y], y)
	}

	// Sources. Each covers a contiguous run of chips (so mostly one family's),
	// about 3 to 5 of them or none, which sets its text's length.
	d.sources = make([]source, S)
	d.sourceKey = make([]string, S)
	weights := make([]int, S+1)
	for s := range d.sources {
		w := 0 // a market update that covers no chip
		if r.IntN(100) >= 8 {
			w = 3 + r.IntN(3)
		}
		weights[s+1] = weights[s] + w
	}
	if weights[S] == 0 {
		weights[S] = 1
	}
	for s := range d.sources {
		so := &d.sources[s]
		so.chipLo = int32(weights[s] * size.Chips / weights[S])
		so.chipHi = int32(weights[s+1] * size.Chips / weights[S])
		for c := so.chipLo; c < so.chipHi; c++ {
			d.chips[c].src = int32(s)
		}
		so.kind = uint8(pickSourceKind(r.Rand))
		so.publisher = int32(r.IntN(len(publishers)))
		if k := sourceKinds[so.kind]; (k == "press_release" || k == "datasheet" || k == "web_page") && so.chipHi > so.chipLo {
			so.publisher = -1 - d.families[d.chips[so.chipLo].fam].designer
		}
		y, m := 2014+r.IntN(13), 1+r.IntN(12)
		if so.chipHi > so.chipLo { // published soon after its newest chip's launch
			newest := &d.chips[so.chipLo]
			for c := so.chipLo + 1; c < so.chipHi; c++ {
				if ch := &d.chips[c]; ch.year > newest.year || (ch.year == newest.year && ch.month > newest.month) {
					newest = ch
				}
			}
			y, m = int(newest.year), int(newest.month)+r.IntN(3)
			if m > 12 {
				y, m = y+1, m-12
			}
			if y > 2026 || (y == 2026 && m > 10) {
				y, m = 2026, 10 // announcements of chips to come
			}
		}
		so.published = [3]int16{int16(y), int16(m), int16(1 + r.IntN(28))}
		d.sourceKey[s] = d.sourceKeyOf(s)
	}

	designer := make([]int32, size.ChipFamilies)
	for f := range d.families {
		designer[f] = d.families[f].designer
	}
	d.designs = buildCSR(size.Companies, designer)

	// Which sources mention which other entities.
	srcOf := func(n int, f func(i int) int32) []int32 {
		out := make([]int32, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	d.inSource[idxCompany] = buildCSR(S, srcOf(size.Companies, func(i int) int32 { return d.companies[i].src }))
	d.inSource[idxFoundry] = buildCSR(S, srcOf(size.Foundries, func(i int) int32 { return d.foundries[i].src }))
	d.inSource[idxPerson] = buildCSR(S, srcOf(size.People, func(i int) int32 { return d.people[i].src }))
	d.inSource[idxFamily] = buildCSR(S, srcOf(size.ChipFamilies, func(i int) int32 { return d.families[i].src }))
	d.inSource[idxSystem] = buildCSR(S, srcOf(size.Systems, func(i int) int32 { return d.systems[i].src }))
	d.inSource[idxNode] = buildCSR(S, srcOf(size.ProcessNodes, func(i int) int32 { return d.nodes[i].src }))
	return d
}

// pickNode chooses a process node for a chip of year made by foundry fo:
// one of the foundry's nodes introduced by then if there is one, else any
// node introduced by then, else the oldest. Binary searches keep it
// logarithmic in the number of nodes.
func (d *Dataset) pickNode(r *rand.Rand, fo int32, year int) int32 {
	upTo := func(n int, at func(i int) int32) int {
		return sort.Search(n, func(i int) bool { return int(d.nodes[at(i)].year) > year })
	}
	mine := d.foundryNodes.of(int(fo))
	if n := upTo(len(mine), func(i int) int32 { return d.nodesByYear[mine[i]] }); n > 0 {
		return d.nodesByYear[mine[r.IntN(n)]]
	}
	if n := upTo(len(d.nodesByYear), func(i int) int32 { return d.nodesByYear[i] }); n > 0 {
		return d.nodesByYear[r.IntN(n)]
	}
	return d.nodesByYear[0]
}

var sourceKinds = [...]string{"news_article", "press_release", "datasheet", "blog_post", "interview", "filing", "shareholder_letter", "web_page"}

func pickSourceKind(r *rand.Rand) int {
	switch x := r.IntN(100); {
	case x < 45:
		return 0
	case x < 60:
		return 1
	case x < 75:
		return 2
	case x < 83:
		return 3
	case x < 90:
		return 4
	case x < 95:
		return 5
	case x < 98:
		return 6
	}
	return 7
}

func (d *Dataset) sourceKeyOf(s int) string {
	so := &d.sources[s]
	var b []byte
	if so.publisher < 0 {
		b = append(b, brand(d.companyName[-1-so.publisher])...)
	} else {
		b = append(b, publishers[so.publisher]...)
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(so.published[0]), 10)
	return key(string(b), s)
}
