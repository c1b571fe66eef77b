package load

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/chipgraph/chipgraph/bench/gen"
	"github.com/chipgraph/chipgraph/graph"
)

// A Query is one kind of request of the benchmark: a GraphQL document and
// a way to draw its variables from the dataset.
type Query struct {
	// Name is "q1" to "q6".
	Name string
	// Title says what the query asks, as in issue 5's table.
	Title string
	// Doc is the GraphQL document, with one operation.
	Doc string
	// Root is the field every answer must hold (not null, not an empty
	// list) when the variables come from the dataset the server holds.
	Root string
	// Needs names the Query fields the document uses beyond the base API
	// (search, paths); Run refuses the query when the server lacks them.
	Needs []string
	// draw draws one set of variables into v.
	draw func(r *rand.Rand, v *Vars)
}

// Draw draws one set of q's variables from the dataset. It does not
// allocate: the values are the dataset's own strings.
func (q *Query) Draw(r *rand.Rand) Vars {
	var v Vars
	q.draw(r, &v)
	return v
}

// Vars draws one set of q's variables, as the map a GraphQL executor
// takes. It draws the same values as Draw from the same random state.
func (q *Query) Vars(r *rand.Rand) map[string]any {
	v := q.Draw(r)
	return v.Map()
}

// Vars is one request's variables, in order: at most two, all strings
// (every benchmark query takes strings only).
type Vars struct {
	n           int
	names, vals [2]string
}

func (v *Vars) add(name, val string) {
	v.names[v.n], v.vals[v.n] = name, val
	v.n++
}

// Len returns the number of variables.
func (v *Vars) Len() int { return v.n }

// Map returns the variables as a map.
func (v *Vars) Map() map[string]any {
	m := make(map[string]any, v.n)
	for i := range v.n {
		m[v.names[i]] = v.vals[i]
	}
	return m
}

// AppendJSON appends the variables to b as a JSON object, in order.
func (v *Vars) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	for i := range v.n {
		if i > 0 {
			b = append(b, ',')
		}
		b = graph.AppendJSONString(b, v.names[i])
		b = append(b, ':')
		b = graph.AppendJSONString(b, v.vals[i])
	}
	return append(b, '}')
}

// QueryNames lists the queries in order.
var QueryNames = []string{"q1", "q2", "q3", "q4", "q5", "q6"}

// Relations list their node and the references of the statement that
// links it: what "with designer and manufacturer and their references"
// asks for.
const relationFields = `node { key name } references { source { key title url } quote verified }`

// The GraphQL documents. They are exported through Queries; tests execute
// them in-process against the generated dataset, so a schema change that
// breaks one fails there first.
const (
	docQ1 = `query Q1($key: String, $name: String) {
  chip(key: $key, name: $name) {
    key name
    designers(first: 5) { edges { ` + relationFields + ` } }
    manufacturers(first: 5) { edges { ` + relationFields + ` } }
  }
}`
	docQ2 = `query Q2($key: String!) {
  company(key: $key) {
    key name
    chips(first: 100) {
      totalCount
      edges { node { key name ... on Chip { manufacturers(first: 3) { nodes { key name } } } } }
    }
  }
}`
	docQ3 = `query Q3($key: String!) {
  chip(key: $key) {
    key name
    claimsAbout(first: 20) {
      totalCount
      nodes { key text modality stated quote claimant { key name } source { key title url } }
    }
  }
}`
	docQ4 = `query Q4($q: String!) {
  search(query: $q, kinds: [Chip], first: 20) {
    edges { score node { __typename ... on Chip { key name } } }
  }
}`
	docQ5 = `query Q5($from: String!, $to: String!) {
  paths(from: $from, to: $to, maxHops: 3, first: 1) {
    length
    nodes { key name }
    hops { predicate forward statement { key } }
  }
}`
	docQ6 = `query Q6($key: String!, $asOf: Time!) {
  entity(key: $key, asOf: $asOf) {
    key name
    statements(first: 50) {
      totalCount
      nodes {
        key predicate { name } object { display }
        references { source { key title } quote verified }
      }
    }
  }
}`
)

// Queries returns the six queries with variables drawn from d. asOf is
// the past instant Q6 reads at; it should be after the dataset was
// imported, so that the answers hold the data.
func Queries(d *gen.Dataset, asOf time.Time) []*Query {
	z := d.Size()
	var designers []int
	for i := range z.Companies {
		if d.DesignedChips(i) > 0 {
			designers = append(designers, i)
		}
	}
	if len(designers) == 0 { // not at any positive scale; keep Vars total
		designers = []int{0}
	}
	// Q5's pairs: the ends of a path from each designer, found once
	// (CompanyPath walks the companies).
	var pairs [][2]string
	for i := range designers {
		if p, ok := d.CompanyPath(i); ok {
			pairs = append(pairs, [2]string{p[0], p[len(p)-1]})
		}
	}
	if len(pairs) == 0 {
		pairs = [][2]string{{d.CompanyKey(0), d.CompanyKey(0)}}
	}
	// Q4's words: the words of chip names, model tokens left out, and the
	// word many names start with. Drawn by chip, so common words come up
	// as often as they occur.
	word := func(r *rand.Rand) string {
		if r.IntN(4) == 0 {
			return gen.SearchTerm
		}
		name := d.ChipName(r.IntN(z.Chips))
		n := 0
		for range strings.FieldsSeq(name) {
			n++
		}
		k := r.IntN(max(1, n-1)) // the last word may be the model
		for w := range strings.FieldsSeq(name) {
			if k == 0 {
				return w
			}
			k--
		}
		return name // not reached: a chip name has a word
	}
	at := asOf.UTC().Format(time.RFC3339Nano)
	return []*Query{
		{Name: "q1", Title: "chip by key or exact name, with designer and manufacturer and their references",
			Doc: docQ1, Root: "chip", draw: func(r *rand.Rand, v *Vars) {
				i := r.IntN(z.Chips)
				if r.IntN(2) == 0 {
					v.add("key", d.ChipKey(i))
				} else {
					v.add("name", d.ChipName(i))
				}
			}},
		{Name: "q2", Title: "company → chips designed → each chip's manufacturer (2 hops)",
			Doc: docQ2, Root: "company", draw: func(r *rand.Rand, v *Vars) {
				v.add("key", d.CompanyKey(designers[r.IntN(len(designers))]))
			}},
		{Name: "q3", Title: "a chip's claims with claimant, source and quote",
			Doc: docQ3, Root: "chip", draw: func(r *rand.Rand, v *Vars) {
				v.add("key", d.ChipKey(r.IntN(z.Chips)))
			}},
		{Name: "q4", Title: "text search on chip names, top 20",
			Doc: docQ4, Root: "search", Needs: []string{"search"}, draw: func(r *rand.Rand, v *Vars) {
				v.add("q", word(r))
			}},
		{Name: "q5", Title: "shortest path between two companies, ≤ 3 hops",
			Doc: docQ5, Root: "paths", Needs: []string{"paths"}, draw: func(r *rand.Rand, v *Vars) {
				p := pairs[r.IntN(len(pairs))]
				v.add("from", p[0])
				v.add("to", p[1])
			}},
		{Name: "q6", Title: "an entity's statements with references, asOf a past instant",
			Doc: docQ6, Root: "entity", draw: func(r *rand.Rand, v *Vars) {
				v.add("key", d.ChipKey(r.IntN(z.Chips)))
				v.add("asOf", at)
			}},
	}
}

// Select returns the queries named by sel: one name ("q3"), "mix" (every
// query whose fields the server has, in turn), or a comma-separated list
// of names. have reports whether the server has a Query field; nil means
// every field.
func Select(all []*Query, sel string, have func(field string) bool) (mix bool, qs []*Query, err error) {
	byName := map[string]*Query{}
	for _, q := range all {
		byName[q.Name] = q
	}
	sel = strings.ToLower(strings.TrimSpace(sel))
	if sel == "mix" {
		for _, q := range all {
			if Missing(q, have) == "" {
				qs = append(qs, q)
			}
		}
		if len(qs) == 0 {
			return true, nil, fmt.Errorf("no query of the mix is served")
		}
		return true, qs, nil
	}
	for _, name := range strings.Split(sel, ",") {
		name = strings.TrimSpace(name)
		q, ok := byName[name]
		if !ok {
			return false, nil, fmt.Errorf("unknown query %q (want %s, or mix)", name, strings.Join(QueryNames, ", "))
		}
		if m := Missing(q, have); m != "" {
			return false, nil, fmt.Errorf("%s (%s): the API has no %s field yet", q.Name, q.Title, m)
		}
		qs = append(qs, q)
	}
	return false, qs, nil
}

// Missing returns the fields q needs that the server lacks, joined by "/",
// or "".
func Missing(q *Query, have func(field string) bool) string {
	if have == nil {
		return ""
	}
	var miss []string
	for _, f := range q.Needs {
		if !have(f) {
			miss = append(miss, f)
		}
	}
	return strings.Join(miss, "/")
}
