// Package graph holds chipgraph's domain: entities, sources, statements with
// their references and qualifiers, claims, the predicate registry, typed
// values (quantities with units, money, dates with precision), name
// normalization, quote location and the NDJSON interchange records.
//
// It depends on the standard library only. Storage lives in package store,
// the GraphQL API in package schema.
package graph
