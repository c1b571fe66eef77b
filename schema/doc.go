// Package schema is chipgraph's GraphQL API: the SDL in schema.graphql,
// embedded, and its resolvers. It reads and writes through the Service
// interface, which package store implements; global IDs and cursors are
// encoded here and nowhere else.
package schema
