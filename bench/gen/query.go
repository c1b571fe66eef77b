package gen

import (
	"cmp"
	"slices"
	"strings"
)

// This file gives a load generator what it needs to pick query parameters
// from a dataset without reading it back: keys and names by index, and
// entities with many connections. Indices run from 0 to the count in Size.

// Config returns the dataset's configuration.
func (d *Dataset) Config() Config { return d.cfg }

// Size returns how many of each record the dataset has.
func (d *Dataset) Size() Size { return d.size }

// ChipKey returns the key of chip i.
func (d *Dataset) ChipKey(i int) string { return d.chipKey[i] }

// ChipName returns the name of chip i; names are unique, so an exact name
// lookup finds exactly this chip.
func (d *Dataset) ChipName(i int) string { return d.chipName[i] }

// CompanyKey returns the key of company i.
func (d *Dataset) CompanyKey(i int) string { return d.companyKey[i] }

// CompanyName returns the name of company i.
func (d *Dataset) CompanyName(i int) string { return d.companyName[i] }

// FoundryKey returns the key of foundry i.
func (d *Dataset) FoundryKey(i int) string { return d.foundryKey[i] }

// PersonKey returns the key of person i.
func (d *Dataset) PersonKey(i int) string { return d.personKey[i] }

// FamilyKey returns the key of chip family i.
func (d *Dataset) FamilyKey(i int) string { return d.familyKey[i] }

// SystemKey returns the key of system i.
func (d *Dataset) SystemKey(i int) string { return d.systemKey[i] }

// ProcessNodeKey returns the key of process node i.
func (d *Dataset) ProcessNodeKey(i int) string { return d.nodeKey[i] }

// SourceKey returns the key of source i.
func (d *Dataset) SourceKey(i int) string { return d.sourceKey[i] }

// ChipDesigner returns the index of the company that designs chip i.
func (d *Dataset) ChipDesigner(i int) int { return int(d.families[d.chips[i].fam].designer) }

// ChipFoundry returns the index of the foundry that makes chip i (its
// preferred manufacturedBy).
func (d *Dataset) ChipFoundry(i int) int { return int(d.nodes[d.chips[i].node].foundry) }

// DesignedChips returns how many chips company i designs (as the family's
// designer; co-designs are not counted).
func (d *Dataset) DesignedChips(i int) int { return int(d.companies[i].chips) }

// TopDesigners returns the indices of the n companies that design the
// most chips, most first (at scale 1 the first designs about 400). Each is
// the subject of a sells and the object of a designedBy statement per chip,
// so they are among the entities with the most statements.
func (d *Dataset) TopDesigners(n int) []int {
	idx := make([]int, len(d.companies))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(d.companies[b].chips, d.companies[a].chips) })
	return idx[:min(n, len(idx))]
}

// TopFoundries returns the indices of the n foundries that run the most
// process nodes, most first. Chips are made where their nodes run, so these
// are the objects of the most manufacturedBy statements: the biggest hubs
// (thousands of statements each at scale 1).
func (d *Dataset) TopFoundries(n int) []int {
	idx := make([]int, len(d.foundries))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(d.foundries[b].nodes, d.foundries[a].nodes) })
	return idx[:min(n, len(idx))]
}

// CompanyPath returns the keys along a path of statements between two
// companies, for the i-th of the dataset's chip designers (wrapping
// around): designer customerOf foundry, and another designer customerOf the
// same foundry (two hops), extended when i is odd by a competesWith of the
// second designer, if it has one (three hops). Consecutive keys are the
// subject and object of a statement, in either direction. ok is false when
// the dataset has no two designers sharing a foundry.
func (d *Dataset) CompanyPath(i int) (path []string, ok bool) {
	var designers []int
	for k := range d.companies {
		if d.companies[k].families > 0 {
			designers = append(designers, k)
		}
	}
	// Foundry of each designer's first family; find a second customer.
	firstFoundry := func(k int) int { return int(d.families[d.designs.of(k)[0]].foundry) }
	for try := range designers {
		a := designers[(i+try)%len(designers)]
		fo := firstFoundry(a)
		for step := 1; step < len(designers); step++ {
			b := designers[(i+try+step)%len(designers)]
			if !d.customerOf(b, fo) {
				continue
			}
			path = []string{d.companyKey[a], d.foundryKey[fo], d.companyKey[b]}
			if i%2 == 1 {
				if c, ok := d.competitor(b); ok {
					path = append(path, d.companyKey[c])
				}
			}
			return path, true
		}
	}
	return nil, false
}

// customerOf reports whether designer k has a customerOf statement for
// foundry fo.
func (d *Dataset) customerOf(k, fo int) bool {
	for _, f := range d.designs.of(k) {
		if int(d.families[f].foundry) == fo {
			return true
		}
	}
	return false
}

// competitor returns a company that company k competesWith (as subject).
func (d *Dataset) competitor(k int) (int, bool) {
	picks := d.rivals(newRNG(), nil, k)
	if len(picks) == 0 {
		return 0, false
	}
	return picks[0], true
}

// ChipNameHits returns how many chip names contain word as a whole word
// (case-insensitive), as a one-word name search should find them.
func (d *Dataset) ChipNameHits(word string) int {
	n := 0
	for _, name := range d.chipName {
		for _, w := range strings.Fields(name) {
			if strings.EqualFold(w, word) {
				n++
				break
			}
		}
	}
	return n
}
