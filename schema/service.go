package schema

import (
	"context"

	"github.com/chipgraph/chipgraph/graph"
)

// Service is what the API needs from storage. *store.Store implements it;
// the interface lives here, with its consumer.
type Service interface {
	// Reads. Batch reads return one element per key, nil where absent.
	Entity(ctx context.Context, v graph.View, key string) (*graph.Entity, error)
	Entities(ctx context.Context, v graph.View, keys []string) ([]*graph.Entity, error)
	Statements(ctx context.Context, v graph.View, keys []string) ([]*graph.Statement, error)
	Claims(ctx context.Context, v graph.View, keys []string) ([]*graph.Claim, error)
	Sources(ctx context.Context, v graph.View, keys []string) ([]*graph.Source, error)
	SourceByURL(ctx context.Context, v graph.View, url string) (*graph.Source, error)
	FindEntities(ctx context.Context, v graph.View, name string, prefix bool, kind graph.Kind, limit int) ([]*graph.Entity, error)
	ListEntities(ctx context.Context, v graph.View, kind graph.Kind, after string, first int) (graph.Page[*graph.Entity], error)
	EntityStatements(ctx context.Context, v graph.View, key string, q graph.EdgeQuery) (graph.Page[*graph.Statement], error)
	SourceStatements(ctx context.Context, v graph.View, key, after string, first int) (graph.Page[*graph.Statement], error)
	ListClaims(ctx context.Context, v graph.View, q graph.ClaimQuery) (graph.Page[*graph.Claim], error)
	ListSources(ctx context.Context, v graph.View, after string, first int) (graph.Page[*graph.Source], error)
	Search(ctx context.Context, v graph.View, q graph.SearchQuery) (graph.Page[graph.SearchHit], error)

	// Apply validates records and writes them atomically; by names the writer.
	Apply(ctx context.Context, by string, recs []graph.Record) (*graph.WriteResult, error)

	Provenance
	Explorer
}

// Explorer is what filters, traversals and aggregations need from
// storage; *store.Store implements it.
type Explorer interface {
	FilterEntities(ctx context.Context, v graph.View, q graph.EntityQuery) (graph.Page[*graph.Entity], error)
	Neighborhood(ctx context.Context, v graph.View, key string, q graph.TraversalQuery) (*graph.Neighborhood, error)
	Paths(ctx context.Context, v graph.View, q graph.PathQuery) ([]graph.Path, error)
	Aggregate(ctx context.Context, v graph.View, q graph.AggregateQuery) (*graph.Aggregate, error)
	// EntityStatementsBatch is EntityStatements's first page for many
	// entities in one read (After must be empty).
	EntityStatementsBatch(ctx context.Context, v graph.View, keys []string, q graph.EdgeQuery) ([]graph.Page[*graph.Statement], error)
	// EntityStatementsWhere is EntityStatements keeping the statements whose
	// other end matches where.
	EntityStatementsWhere(ctx context.Context, v graph.View, key string, q graph.EdgeQuery, where *graph.EntityFilter) (graph.Page[*graph.Statement], error)
}

// Provenance is what the provenance API needs from storage; *store.Store
// implements it.
type Provenance interface {
	History(ctx context.Context, v graph.View, typ graph.RecordType, key, after string, first int) (graph.Page[graph.Version], error)
	SourceVersions(ctx context.Context, v graph.View, key string) ([]*graph.Source, error)
	Conflicts(ctx context.Context, v graph.View, q graph.ConflictQuery) (graph.Page[*graph.Conflict], error)
	EntityConflicts(ctx context.Context, v graph.View, key string) ([]*graph.Conflict, error)
	LinkedClaims(ctx context.Context, v graph.View, q graph.LinkQuery) (graph.Page[*graph.Claim], error)
}
