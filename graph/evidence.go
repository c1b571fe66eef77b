package graph

import "sort"

// Evidence summarizes the references of a statement.
type Evidence struct {
	References  int        // every reference
	Sources     int        // distinct sources cited
	Independent int        // groups of sources that do not restate one another
	Groups      [][]string // the independent groups, each sorted, ordered by first key
}

// CountEvidence counts a statement's evidence honestly: the same source
// cited twice counts once, and sources that restate one another (an
// article reporting a shareholder letter, a dataset row copying a
// datasheet) count once together. A reference imported through a dataset
// (ImportedFrom) is restated by that dataset. restates returns the keys a
// source says it restates; it may be nil.
func CountEvidence(refs []Reference, restates func(source string) []string) Evidence {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if _, ok := parent[x]; !ok {
			parent[x] = x
		}
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	union := func(a, b string) {
		ra, rb := find(a), find(b)
		if ra != rb {
			if ra < rb {
				parent[rb] = ra
			} else {
				parent[ra] = rb
			}
		}
	}
	cited := map[string]bool{}
	for _, r := range refs {
		cited[r.Source] = true
		find(r.Source)
		if r.ImportedFrom != "" {
			union(r.Source, r.ImportedFrom)
		}
	}
	if restates != nil {
		// Follow restatement chains among the sources seen, transitively.
		queue := make([]string, 0, len(parent))
		for k := range parent {
			queue = append(queue, k)
		}
		sort.Strings(queue)
		seen := map[string]bool{}
		for len(queue) > 0 {
			k := queue[0]
			queue = queue[1:]
			if seen[k] {
				continue
			}
			seen[k] = true
			for _, o := range restates(k) {
				union(k, o)
				queue = append(queue, o)
			}
		}
	}
	groups := map[string][]string{}
	for k := range cited {
		root := find(k)
		groups[root] = append(groups[root], k)
	}
	ev := Evidence{References: len(refs), Sources: len(cited), Independent: len(groups)}
	for _, g := range groups {
		sort.Strings(g)
		ev.Groups = append(ev.Groups, g)
	}
	sort.Slice(ev.Groups, func(i, j int) bool { return ev.Groups[i][0] < ev.Groups[j][0] })
	return ev
}
