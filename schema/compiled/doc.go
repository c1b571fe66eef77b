// Package compiled executes GraphQL queries from plans compiled once per
// document, over the same resolvers graph-gophers/graphql-go uses.
//
// graphql-go parses, validates and plans a request every time it is sent,
// calls every resolver through reflection with freshly packed arguments,
// runs fields in goroutines and writes each value into a pooled buffer.
// Clients send the same few documents with different variables, so an
// Engine does that work once per document: it asks graphql-go to validate
// the document, parses it, and compiles each operation into a plan that
// knows, for every selection, which Go method or struct field answers it,
// how to pack its arguments and how to write its value. Executing a plan
// is one serial walk that writes the JSON answer into one buffer.
//
// The Engine answers only what it can answer exactly as graphql-go would:
// a valid query whose variables coerce, every resolver returning without
// an error, no null where the schema forbids one. Anything else (a
// mutation, introspection, a document it does not compile, a resolver
// error, a panic, a cancelled context) makes Exec report that it did not
// answer, and the caller executes the request with graphql-go, which
// produces the errors, paths and partial data the specification asks for.
// Queries have no side effects, so executing one twice changes nothing
// but its cost.
//
// The compiled answer mirrors graphql-go's field collection (fragments,
// type conditions, @skip and @include, aliases merged by first
// occurrence), its argument packing (defaults, pointers for nullable
// arguments, UnmarshalGraphQL scalars, lists, input objects) and its
// serialization (encoding/json for scalars, enum names checked against
// the schema), so both answer the same bytes; the tests compare them.
package compiled
