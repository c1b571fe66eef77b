package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// Word pools. Names are made of syllables, so they look like industry
// names without being real ones; a share of them take a word from a small
// pool so that a one-word search matches many entities.
var (
	onsets = []string{"b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
		"b", "c", "d", "k", "l", "m", "n", "r", "s", "t", "v", "br", "cr", "dr", "gr", "kr", "tr", "st", "th", "ph", "x", "fl", "sk"}
	vowels = []string{"a", "e", "i", "o", "u", "a", "e", "i", "o", "a", "e", "o", "y"}
	codas  = []string{"", "", "n", "r", "x", "s", "l", "m", "th", "rk", "nt", "q", "ron", "lix", "tex", "nis", "ra", "via",
		"lus", "dera", "rent", "tron", "nex", "lux", "gon", "mind", "sys", "ria", "ptic"}

	companySuffixes = []string{"Semiconductor", "Systems", "Microsystems", "Silicon", "AI", "Labs",
		"Technologies", "Compute", "Devices", "Logic", "Networks", "Cloud", "Computing", "Electronics", "Dynamics"}
	foundrySuffixes = []string{"Foundry", "Fab", "Semiconductor Manufacturing", "Foundries", "Wafer Works"}
	firstNames      = []string{"Lena", "Arjun", "Mei", "Tomas", "Aiko", "Ravi", "Sofia", "Daniel", "Priya", "Kenji",
		"Elena", "Marcus", "Yuki", "Omar", "Ingrid", "Wei", "Carlos", "Hana", "Felix", "Anika",
		"Jonas", "Leila", "Mateo", "Sana", "Viktor", "Nadia", "Hiro", "Clara", "Tariq", "Eva",
		"Ming", "Rafael", "Sun", "Astrid", "Dev", "Lucia", "Pavel", "Noor", "Henrik", "Ada"}
	// familyWords start two-word family names (and SearchTerm, more often).
	familyWords = []string{"Nova", "Apex", "Titan", "Pulse", "Vector", "Quantum", "Fusion", "Neuron", "Photon", "Helix", "Atlas"}
	seriesWords = []string{"Core", "Edge", "Scale", "Flow", "Mind", "Forge", "Stream", "Wave", "Spark"}
	chipLetters = "XHMBGTRNAPSKVQ"
	systemWords = []string{"Rack", "Pod", "Server", "Node", "Cluster", "Station", "Board"}
	publishers  = []string{"ChipWire", "The Silicon Ledger", "Compute Weekly", "Semiconductor Digest", "Wafer Report",
		"AI Hardware Journal", "The Accelerator", "Node & Die", "Fabline", "Tensor Times"}
)

// SearchTerm is a word that many chip names start with: one chip family in
// ten is named "Tensor …", and every chip's name starts with its family's,
// so a word or prefix search for it finds about a tenth of the chips (about
// 2,000 at scale 1) and their families, and no other entity.
// Dataset.ChipNameHits counts the chips.
const SearchTerm = "Tensor"

// word makes a capitalized word of n syllables: consonant-vowel pairs and
// an ending, the first syllable sometimes starting on its vowel.
func word(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 || r.IntN(8) > 0 {
			b.WriteString(onsets[r.IntN(len(onsets))])
		}
		b.WriteString(vowels[r.IntN(len(vowels))])
	}
	b.WriteString(codas[r.IntN(len(codas))])
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

func pick(r *rand.Rand, pool []string) string { return pool[r.IntN(len(pool))] }

// slug lowercases s and folds every run of other characters to one '-'.
func slug(s string) string {
	b := make([]byte, 0, len(s))
	dash := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
			fallthrough
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			if dash && len(b) > 0 {
				b = append(b, '-')
			}
			b = append(b, c)
			dash = false
		default:
			dash = true
		}
	}
	return string(b)
}

// key is the readable key of the n-th entity of its kind named name.
func key(name string, n int) string { return slug(name) + "-" + strconv.Itoa(n) }

// namer hands out names whose slugs are unique across every kind it names,
// so names (and keys, which add the index) never collide. A map is only
// looked up here, never iterated.
type namer struct {
	r    *rand.Rand
	used map[string]bool
}

// unique calls gen until it returns a name with an unused slug. After a few
// tries it appends a generation number, which always ends the search.
func (nm *namer) unique(gen func() string) string {
	name := gen()
	for try := 0; nm.used[slug(name)]; try++ {
		if try < 8 {
			name = gen()
		} else {
			name += " " + strconv.Itoa(try-6)
		}
	}
	nm.used[slug(name)] = true
	return name
}

func (nm *namer) company() string {
	return nm.unique(func() string {
		w := word(nm.r, 2+nm.r.IntN(3)/2)
		if nm.r.IntN(10) < 6 {
			w += " " + pick(nm.r, companySuffixes)
		}
		return w
	})
}

func (nm *namer) foundry() string {
	return nm.unique(func() string { return word(nm.r, 2) + " " + pick(nm.r, foundrySuffixes) })
}

func (nm *namer) person() string {
	return nm.unique(func() string { return pick(nm.r, firstNames) + " " + word(nm.r, 2+nm.r.IntN(3)/2) })
}

// family names the f-th chip family: every tenth is "Tensor …" (see
// SearchTerm), a third of the others start with another common word, the
// rest end with a series word.
func (nm *namer) family(f int) string {
	return nm.unique(func() string {
		switch {
		case f%10 == 3:
			return SearchTerm + " " + word(nm.r, 2)
		case nm.r.IntN(3) == 0:
			return pick(nm.r, familyWords) + " " + word(nm.r, 2)
		}
		return word(nm.r, 2) + " " + pick(nm.r, seriesWords)
	})
}

// brand is the first word of a company or foundry name.
func brand(name string) string {
	if i := strings.IndexByte(name, ' '); i > 0 {
		return name[:i]
	}
	return name
}

var systemSizes = []int{1, 2, 4, 8, 8, 16, 32, 36, 72, 72, 144, 256}

func (nm *namer) system(designer string, chips int) string {
	return nm.unique(func() string {
		w := pick(nm.r, systemWords)
		if chips <= 2 {
			w = "Superchip"
		}
		return brand(designer) + " " + pick(nm.r, familyWords) + " " + w + " " + strconv.Itoa(chips)
	})
}

var nodeVariants = []string{"", "E", "P", "X", "LP", "HP"}

func (nm *namer) node(foundry string, nm10 int) string {
	return nm.unique(func() string {
		var b []byte
		b = append(b, brand(foundry)...)
		if nm10 < 20 { // angstrom-era naming: A18, A16, A14
			b = append(b, " A"...)
			b = strconv.AppendInt(b, int64(nm10), 10)
		} else {
			b = append(b, " N"...)
			b = strconv.AppendInt(b, int64(nm10/10), 10)
		}
		return string(b) + pick(nm.r, nodeVariants)
	})
}

// chipModel names the v-th variant of the g-th generation in a family with
// model letter l: X100, X150, X100 Ultra, X150 Ultra, X100 Max, X150 Max, ...
// The letter-and-digits token keeps chip keys apart from every other kind's.
func chipModel(l byte, g, v int) string {
	b := []byte{l}
	b = strconv.AppendInt(b, int64((g+1)*100+(v%2)*50), 10)
	switch v / 2 {
	case 0:
	case 1:
		b = append(b, " Ultra"...)
	case 2:
		b = append(b, " Max"...)
	case 3:
		b = append(b, " Lite"...)
	default:
		b = append(b, " Rev "...)
		b = strconv.AppendInt(b, int64(v/2-2), 10)
	}
	return string(b)
}
