package schema_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/schema"
	"github.com/chipgraph/chipgraph/store"
)

// New builds the GraphQL schema over a store. Here the store is in memory
// and holds the starter data; the query asks who designs Trainium3 and
// which sources say so: the datasheet Epoch links, and Epoch's dataset.
func ExampleNew() {
	ctx := context.Background()
	s, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	recs, err := starter.Records()
	if err != nil {
		log.Fatal(err)
	}
	// Import, not Apply: the starter data is too large for one transaction.
	if _, err := s.Import(ctx, "example", recs, nil); err != nil {
		log.Fatal(err)
	}
	sc, err := schema.New(s, schema.Options{})
	if err != nil {
		log.Fatal(err)
	}

	resp := sc.Exec(ctx, `{
		chip(name: "Trainium3") {
			name
			designers { edges { node { name } references { source { url } } } }
		}
	}`, "", nil)
	if len(resp.Errors) > 0 {
		log.Fatal(resp.Errors)
	}
	var data struct {
		Chip struct {
			Name      string
			Designers struct {
				Edges []struct {
					Node       struct{ Name string }
					References []struct{ Source struct{ URL string } }
				}
			}
		}
	}
	if err := json.Unmarshal(resp.Data, &data); err != nil {
		log.Fatal(err)
	}
	for _, e := range data.Chip.Designers.Edges {
		fmt.Printf("%s is designed by %s\n", data.Chip.Name, e.Node.Name)
		for _, r := range e.References {
			fmt.Println("source:", r.Source.URL)
		}
	}
	// Output:
	// Trainium3 is designed by Amazon Web Services
	// source: https://awsdocs-neuron.readthedocs-hosted.com/en/latest/about-neuron/arch/neuron-hardware/trainium3.html
	// source: https://epoch.ai/data/machine-learning-hardware
}
