package gen_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/chipgraph/chipgraph/bench/gen"
	"github.com/chipgraph/chipgraph/graph"
)

func ExampleGenerate() {
	var buf bytes.Buffer
	st, err := gen.Generate(context.Background(), &buf, gen.Config{Scale: 0.001, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Sources, "sources,", st.Entities, "entities,", st.Statements, "statements,", st.Claims, "claims")
	recs, err := graph.ReadRecords(&buf, "gen.ndjson")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first", recs[0].Type, "last", recs[len(recs)-1].Type)
	// Output:
	// 5 sources, 30 entities, 599 statements, 100 claims
	// first source last claim
}

func ExampleDataset() {
	d := gen.New(gen.Config{Scale: 0.01, Seed: 1})
	top := d.TopDesigners(1)[0]
	fmt.Println(d.CompanyKey(top), "designs", d.DesignedChips(top), "chips")
	fmt.Printf("%s is %q\n", d.ChipKey(0), d.ChipName(0))
	path, _ := d.CompanyPath(0)
	fmt.Println(path)
	fmt.Println(gen.SearchTerm, "is in", d.ChipNameHits(gen.SearchTerm), "of", d.Size().Chips, "chip names")
	// Output:
	// dohosys-networks-0 designs 66 chips
	// flihomind-spark-b100-0 is "Flihomind Spark B100"
	// [dohosys-networks-0 sypadera-foundries-0 ekrerent-networks-1]
	// Tensor is in 17 of 200 chip names
}
