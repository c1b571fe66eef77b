package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// gql posts a query to the running service and decodes data into out,
// failing on any GraphQL error.
func gql(tb testing.TB, url, query string, out any) {
	tb.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	resp, err := http.Post(url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(r.Errors) > 0 {
		tb.Fatalf("POST /graphql: status %d, errors %v", resp.StatusCode, r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		tb.Fatal(err)
	}
}

type ref struct {
	Quote    *string
	Verified bool
	Source   struct{ Key, Title, URL string }
}

type relEdge struct {
	Node       struct{ Name string }
	References []ref
}

// TestUserQuestions asks, over HTTP against the real service started on
// port 0 with the starter data, the questions the foundation issue lists.
func TestUserQuestions(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t, nil)
	url := m.URL()

	t.Run("who designs and who fabs Trainium3", func(t *testing.T) {
		var d struct {
			Chip struct {
				Designers, Manufacturers struct {
					TotalCount int
					Edges      []relEdge
				}
			}
		}
		gql(t, url, `{ chip(key: "trainium3") {
			designers { totalCount edges { node { name } references { quote verified source { key title url } } } }
			manufacturers { totalCount edges { node { name } references { quote verified source { key title url } } } } } }`, &d)
		for _, tc := range []struct {
			what string
			got  []relEdge
			want string
		}{{"designer", d.Chip.Designers.Edges, "Amazon Web Services"}, {"manufacturer", d.Chip.Manufacturers.Edges, "TSMC"}} {
			if len(tc.got) != 1 || tc.got[0].Node.Name != tc.want {
				t.Fatalf("%s = %+v, want %s", tc.what, tc.got, tc.want)
			}
			refs := tc.got[0].References
			if len(refs) < 2 || !strings.Contains(refs[0].Source.URL, "trainium3") {
				t.Errorf("%s references = %+v, want the Trainium3 datasheet first", tc.what, refs)
			}
			last := refs[len(refs)-1]
			if last.Source.Key != "epoch-ml-hardware" || last.Quote == nil || !strings.HasPrefix(*last.Quote, "Amazon Trainium3,") || !last.Verified {
				t.Errorf("%s dataset reference = %+v, want Epoch's row quoted and verified", tc.what, last)
			}
		}
	})

	t.Run("Trainium2 has no known foundry", func(t *testing.T) {
		var d struct {
			Chip struct {
				Name          string
				Manufacturers struct {
					TotalCount int
					Edges      []relEdge
				}
				Designers struct{ TotalCount int }
			}
		}
		gql(t, url, `{ chip(name: "Trainium2") { name manufacturers { totalCount edges { node { name } } } designers { totalCount } } }`, &d)
		if d.Chip.Name != "Trainium2" || d.Chip.Manufacturers.TotalCount != 0 || len(d.Chip.Manufacturers.Edges) != 0 {
			t.Errorf("Trainium2 manufacturers = %+v, want an empty answer", d.Chip.Manufacturers)
		}
		if d.Chip.Designers.TotalCount != 1 {
			t.Errorf("Trainium2 designers = %d, want 1 (the chip is known, only its foundry is not)", d.Chip.Designers.TotalCount)
		}
	})

	t.Run("everything Andy Jassy claimed", func(t *testing.T) {
		var d struct {
			Person struct {
				Claims struct {
					TotalCount int
					Nodes      []struct {
						Text, Modality string
						Quote          string
						Value          *struct {
							Amount      float64
							Currency    *string
							Unit        *string
							Condition   *string
							Approximate bool
						}
						Reference struct{ Verified bool }
						Source    struct{ Key string }
					}
				}
			}
		}
		gql(t, url, `{ person(name: "andy jassy") { claims { totalCount nodes { text modality quote
			value { amount currency unit condition approximate } reference { verified } source { key } } } } }`, &d)
		cs := d.Person.Claims.Nodes
		if d.Person.Claims.TotalCount < 3 || len(cs) != d.Person.Claims.TotalCount {
			t.Fatalf("Jassy's claims = %d, want at least 3", d.Person.Claims.TotalCount)
		}
		found := false
		for _, c := range cs {
			if c.Source.Key != "seed-article" || !c.Reference.Verified || c.Quote == "" {
				t.Errorf("claim %q: source %s verified %v, want the seed article with a verified quote", c.Text, c.Source.Key, c.Reference.Verified)
			}
			if v := c.Value; v != nil && v.Amount == 50e9 {
				found = true
				if c.Modality != "ESTIMATE" || v.Currency == nil || *v.Currency != "USD" || !v.Approximate || v.Condition == nil || !strings.Contains(*v.Condition, "standalone") {
					t.Errorf("$50B claim = %+v %+v, want an approximate USD estimate with its standalone condition", c, *v)
				}
			}
		}
		if !found {
			t.Errorf("no claim of Jassy's has the ~$50 billion value")
		}
	})

	t.Run("chips TSMC manufactures, with provenance", func(t *testing.T) {
		var d struct {
			Foundry struct {
				Chips struct {
					TotalCount int
					PageInfo   struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []relEdge
				}
			}
		}
		gql(t, url, `{ foundry(key: "tsmc") { chips(first: 100) { totalCount pageInfo { hasNextPage endCursor }
			edges { node { name } references { source { key url } } } } } }`, &d)
		c := d.Foundry.Chips
		// Epoch lists 85 rows with TSMC alone and one with "SMIC,TSMC".
		if c.TotalCount != 86 || len(c.Edges) != 86 || c.PageInfo.HasNextPage {
			t.Errorf("TSMC chips: total %d, page %d, hasNext %v; want 86, 86, false", c.TotalCount, len(c.Edges), c.PageInfo.HasNextPage)
		}
		var names []string
		for _, e := range c.Edges {
			names = append(names, e.Node.Name)
			if len(e.References) == 0 || e.References[0].Source.Key == "" {
				t.Errorf("%s: no reference", e.Node.Name)
			}
		}
		if !slices.Contains(names, "Trainium3") {
			t.Errorf("TSMC chips do not include Trainium3")
		}
	})

	t.Run("what a source tells us", func(t *testing.T) {
		var d struct {
			Source struct {
				Title      string
				SHA256     string
				Statements struct {
					TotalCount int
					Nodes      []struct {
						Predicate  struct{ Name string }
						Subject    struct{ Key string }
						References []ref
					}
				}
				Claims struct{ TotalCount int }
			}
			Sheet struct {
				Key        string
				Statements struct{ TotalCount int }
			}
		}
		gql(t, url, `{ source(key: "seed-article") { title sha256
			statements(first: 100) { totalCount nodes { predicate { name } subject { key } references { quote verified source { key } } } }
			claims { totalCount } }
			sheet: source(url: "https://awsdocs-neuron.readthedocs-hosted.com/en/latest/about-neuron/arch/neuron-hardware/trainium3.html") {
			key statements { totalCount } } }`, &d)
		s := d.Source
		if !strings.Contains(s.Title, "$50 Billion") || len(s.SHA256) != 64 {
			t.Errorf("seed article = %q, sha %q", s.Title, s.SHA256)
		}
		if s.Statements.TotalCount == 0 || s.Claims.TotalCount < 5 {
			t.Errorf("seed article supports %d statements and %d claims, want some and at least 5", s.Statements.TotalCount, s.Claims.TotalCount)
		}
		for _, st := range s.Statements.Nodes {
			for _, r := range st.References {
				if r.Source.Key == "seed-article" && r.Quote != nil && !r.Verified {
					t.Errorf("%s %s: quote %q from the seed article is not verified", st.Subject.Key, st.Predicate.Name, *r.Quote)
				}
			}
		}
		if d.Sheet.Statements.TotalCount < 5 {
			t.Errorf("Trainium3 datasheet (%s) supports %d statements, want its row's facts", d.Sheet.Key, d.Sheet.Statements.TotalCount)
		}
	})
}
