package compiled_test

import (
	"context"
	"fmt"

	"github.com/chipgraph/chipgraph/schema/compiled"
	graphql "github.com/graph-gophers/graphql-go"
)

type exampleRoot struct{}

type exampleChip struct{ Key, Name string }

func (*exampleRoot) Chip(args struct{ Key string }) *exampleChip {
	if args.Key != "h100" {
		return nil
	}
	return &exampleChip{Key: "h100", Name: "H100"}
}

// An Engine answers queries graphql-go would answer without errors, from
// a plan compiled the first time a document is seen; for anything else
// Exec returns false and the caller asks graphql-go.
func ExampleEngine() {
	gql := graphql.MustParseSchema(`
		type Query { chip(key: String!): Chip }
		type Chip { key: String! name: String! }`,
		&exampleRoot{}, graphql.UseFieldResolvers())
	eng := compiled.New(gql, &exampleRoot{}, compiled.Options{FieldResolvers: true})

	const doc = `query($k: String!) { chip(key: $k) { key name } }`
	for _, key := range []string{"h100", "none"} {
		data, ok := eng.Exec(context.Background(), doc, "", map[string]any{"k": key})
		fmt.Println(string(data), ok)
	}
	// A mutation, introspection or a request that meets an error is left
	// to graphql-go.
	_, ok := eng.Exec(context.Background(), `{ __schema { queryType { name } } }`, "", nil)
	fmt.Println(ok)
	// Output:
	// {"chip":{"key":"h100","name":"H100"}} true
	// {"chip":null} true
	// false
}
