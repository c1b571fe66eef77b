package inproc_test

// The executor's floor: what graph-gophers/graphql-go costs on its own for
// the benchmark queries, with no store, no loader and no HTTP.
//
// BenchmarkExecutorFloor executes q1, q2, q3 and q6 against a schema of
// the same shape as chipgraph's (the types, fields and arguments these
// documents use; connection fields take a context and arguments and return
// an error, as chipgraph's do, and so run asynchronously), whose resolvers
// return answers computed beforehand: each variable set's answer from the
// real schema over the generated store, decoded into plain structs.
// TestExecutorFloorMatches checks that the floor schema answers every one
// of them byte for byte as the real one did, so both execute the same
// fields. Read next to BenchmarkGen, it says how much of a request is the
// executor's (parsing, validation, reflection, goroutines, JSON) and how
// much is chipgraph's (resolvers, store, loader).
//
// Two simplifications: Date is a String here (the answers hold the same
// strings), and fields take only the arguments the documents use.

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/schema"
	graphql "github.com/graph-gophers/graphql-go"
)

const floorSDL = `
schema { query: Query }
scalar Time
enum Modality { ASSERTED ESTIMATE FORECAST PLAN OPINION REPORTED }
type Query {
  chip(key: String, name: String, asOf: Time, validAt: String): Chip
  company(key: String, name: String, asOf: Time, validAt: String): Company
  entity(key: String, name: String, asOf: Time, validAt: String): Entity
}
interface Entity {
  key: String!
  name: String!
  statements(predicate: String, first: Int, after: String): StatementConnection!
}
type Chip implements Entity {
  key: String!
  name: String!
  statements(predicate: String, first: Int, after: String): StatementConnection!
  designers(first: Int, after: String): RelationConnection!
  manufacturers(first: Int, after: String): RelationConnection!
  claimsAbout(first: Int, after: String): ClaimConnection!
}
type Company implements Entity {
  key: String!
  name: String!
  statements(predicate: String, first: Int, after: String): StatementConnection!
  chips(first: Int, after: String): RelationConnection!
}
type Source { key: String! title: String url: String }
type Reference { source: Source! quote: String verified: Boolean! }
type Relation { node: Entity! references: [Reference!]! }
type RelationConnection { edges: [Relation!]! nodes: [Entity!]! totalCount: Int! }
type Claim {
  key: String! text: String! modality: Modality! stated: String quote: String
  claimant: Entity! source: Source!
}
type ClaimConnection { nodes: [Claim!]! totalCount: Int! }
type Predicate { name: String! }
type Value { display: String! }
type Statement { key: String! predicate: Predicate! object: Value! references: [Reference!]! }
type StatementConnection { nodes: [Statement!]! totalCount: Int! }
`

// An answer decoded: the fields the documents select, as the real schema
// answered them.
type (
	fEntity struct {
		KeyV           string      `json:"key"`
		NameV          string      `json:"name"`
		StatementsV    *fStConn    `json:"statements"`
		DesignersV     *fRelConn   `json:"designers"`
		ManufacturersV *fRelConn   `json:"manufacturers"`
		ChipsV         *fRelConn   `json:"chips"`
		ClaimsAboutV   *fClaimConn `json:"claimsAbout"`
	}
	fSource struct {
		KeyV   string  `json:"key"`
		TitleV *string `json:"title"`
		URLV   *string `json:"url"`
	}
	fRef struct {
		SourceV   *fSource `json:"source"`
		QuoteV    *string  `json:"quote"`
		VerifiedV bool     `json:"verified"`
	}
	fRel struct {
		NodeV       *fEntity `json:"node"`
		ReferencesV []*fRef  `json:"references"`
	}
	fRelConn struct {
		EdgesV      []*fRel    `json:"edges"`
		NodesV      []*fEntity `json:"nodes"`
		TotalCountV int32      `json:"totalCount"`
	}
	fClaim struct {
		KeyV      string   `json:"key"`
		TextV     string   `json:"text"`
		ModalityV string   `json:"modality"`
		StatedV   *string  `json:"stated"`
		QuoteV    *string  `json:"quote"`
		ClaimantV *fEntity `json:"claimant"`
		SourceV   *fSource `json:"source"`
	}
	fClaimConn struct {
		NodesV      []*fClaim `json:"nodes"`
		TotalCountV int32     `json:"totalCount"`
	}
	fSt struct {
		KeyV       string `json:"key"`
		PredicateV struct {
			NameV string `json:"name"`
		} `json:"predicate"`
		ObjectV struct {
			DisplayV string `json:"display"`
		} `json:"object"`
		ReferencesV []*fRef `json:"references"`
	}
	fStConn struct {
		NodesV      []*fSt `json:"nodes"`
		TotalCountV int32  `json:"totalCount"`
	}
)

// connArgs are a connection field's arguments.
type connArgs struct {
	Predicate *string
	First     *int32
	After     *string
}

func (e *fEntity) Key() string  { return e.KeyV }
func (e *fEntity) Name() string { return e.NameV }

// The chip nodes of q2 hold manufacturers; every other node resolves as
// a company, which the documents cannot tell apart (no __typename).
func (e *fEntity) ToChip() (*fEntity, bool) {
	return e, e.ManufacturersV != nil || e.ClaimsAboutV != nil
}
func (e *fEntity) ToCompany() (*fEntity, bool) {
	return e, e.ManufacturersV == nil && e.ClaimsAboutV == nil
}

func (e *fEntity) Statements(ctx context.Context, _ connArgs) (*fStConn, error) {
	return orEmpty(e.StatementsV), nil
}
func (e *fEntity) Designers(ctx context.Context, _ connArgs) (*fRelConn, error) {
	return orEmpty(e.DesignersV), nil
}
func (e *fEntity) Manufacturers(ctx context.Context, _ connArgs) (*fRelConn, error) {
	return orEmpty(e.ManufacturersV), nil
}
func (e *fEntity) Chips(ctx context.Context, _ connArgs) (*fRelConn, error) {
	return orEmpty(e.ChipsV), nil
}
func (e *fEntity) ClaimsAbout(ctx context.Context, _ connArgs) (*fClaimConn, error) {
	return orEmpty(e.ClaimsAboutV), nil
}

func orEmpty[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

func (s *fSource) Key() string    { return s.KeyV }
func (s *fSource) Title() *string { return s.TitleV }
func (s *fSource) URL() *string   { return s.URLV }

func (r *fRef) Source() *fSource { return r.SourceV }
func (r *fRef) Quote() *string   { return r.QuoteV }
func (r *fRef) Verified() bool   { return r.VerifiedV }

func (r *fRel) Node() *fEntity      { return r.NodeV }
func (r *fRel) References() []*fRef { return r.ReferencesV }

func (c *fRelConn) Edges() []*fRel      { return c.EdgesV }
func (c *fRelConn) Nodes() []*fEntity   { return c.NodesV }
func (c *fRelConn) TotalCount() int32   { return c.TotalCountV }
func (c *fClaimConn) Nodes() []*fClaim  { return c.NodesV }
func (c *fClaimConn) TotalCount() int32 { return c.TotalCountV }
func (c *fStConn) Nodes() []*fSt        { return c.NodesV }
func (c *fStConn) TotalCount() int32    { return c.TotalCountV }
func (c *fClaim) Key() string           { return c.KeyV }
func (c *fClaim) Text() string          { return c.TextV }
func (c *fClaim) Modality() string      { return c.ModalityV }
func (c *fClaim) Stated() *string       { return c.StatedV }
func (c *fClaim) Quote() *string        { return c.QuoteV }
func (c *fClaim) Claimant() *fEntity    { return c.ClaimantV }
func (c *fClaim) Source() *fSource      { return c.SourceV }
func (s *fSt) Key() string              { return s.KeyV }
func (s *fSt) Predicate() *fSt          { return s }
func (s *fSt) Object() *fSt             { return s }
func (s *fSt) Name() string             { return s.PredicateV.NameV }
func (s *fSt) Display() string          { return s.ObjectV.DisplayV }
func (s *fSt) References() []*fRef      { return s.ReferencesV }

// floorRoot answers the Query fields from the decoded answers, by the
// key or name the variables give.
type floorRoot struct {
	answers map[string]*fEntity // "field key-or-name"
}

type rootArgs struct {
	Key, Name, ValidAt *string
	AsOf               *floorTime
}

// floorTime is the Time scalar, parsed as chipgraph's is (RFC 3339).
type floorTime struct{ time.Time }

func (floorTime) ImplementsGraphQLType(name string) bool { return name == "Time" }
func (t *floorTime) UnmarshalGraphQL(input any) error {
	s, ok := input.(string)
	if !ok {
		return fmt.Errorf("Time: want a string, got %T", input)
	}
	var err error
	t.Time, err = time.Parse(time.RFC3339Nano, s)
	return err
}

func (r *floorRoot) find(field string, a rootArgs) (*fEntity, error) {
	k := a.Key
	if k == nil {
		k = a.Name
	}
	if k == nil {
		return nil, fmt.Errorf("no key or name")
	}
	e, ok := r.answers[field+" "+*k]
	if !ok {
		return nil, fmt.Errorf("no answer for %s %q", field, *k)
	}
	return e, nil
}

func (r *floorRoot) Chip(ctx context.Context, a rootArgs) (*fEntity, error) {
	return r.find("chip", a)
}
func (r *floorRoot) Company(ctx context.Context, a rootArgs) (*fEntity, error) {
	return r.find("company", a)
}
func (r *floorRoot) Entity(ctx context.Context, a rootArgs) (*fEntity, error) {
	return r.find("entity", a)
}

// floorQueries are the queries the floor schema serves.
var floorQueries = []string{"q1", "q2", "q3", "q6"}

// floorEnv executes every variable set of the floor queries on the real
// schema over e, and returns by query the floor schema answering the
// same (one per query: q1 and q3 ask for the same chips, with different
// fields), with the real answers.
func floorEnv(tb testing.TB, e *env) (map[string]*graphql.Schema, map[string][]string) {
	tb.Helper()
	schemas := map[string]*graphql.Schema{}
	real := map[string][]string{}
	base := schema.WithReadOnly(context.Background())
	for _, name := range floorQueries {
		root := &floorRoot{answers: map[string]*fEntity{}}
		doc := e.queries[name].Doc
		for _, v := range e.vars[name] {
			res := e.schema.Exec(schema.WithDocument(base, doc), doc, "", v)
			if len(res.Errors) > 0 {
				tb.Fatalf("%s %v: %v", name, v, res.Errors)
			}
			var data map[string]*fEntity
			if err := json.Unmarshal(res.Data, &data); err != nil {
				tb.Fatalf("%s: decode answer: %v", name, err)
			}
			for field, ent := range data {
				for _, arg := range []string{"key", "name"} {
					if k, ok := v[arg].(string); ok {
						root.answers[field+" "+k] = ent
					}
				}
			}
			real[name] = append(real[name], string(res.Data))
		}
		sch, err := graphql.ParseSchema(floorSDL, root, graphql.MaxParallelism(8), graphql.DisableFieldSelections())
		if err != nil {
			tb.Fatalf("floor schema: %v", err)
		}
		schemas[name] = sch
	}
	return schemas, real
}

// TestExecutorFloorMatches checks that the floor schema gives the real
// schema's answers, byte for byte, so that the floor benchmark executes
// the same fields.
func TestExecutorFloorMatches(t *testing.T) {
	e := generatedEnv(t, 0.01)
	schemas, real := floorEnv(t, e)
	for _, name := range floorQueries {
		doc := e.queries[name].Doc
		for i, v := range e.vars[name] {
			res := schemas[name].Exec(context.Background(), doc, "", v)
			if len(res.Errors) > 0 {
				t.Fatalf("%s %v: %v", name, v, res.Errors)
			}
			if got, want := string(res.Data), real[name][i]; got != want {
				t.Fatalf("%s %v:\n got %s\nwant %s", name, v, got, want)
			}
		}
	}
}

// BenchmarkExecutorFloor executes the floor queries on the floor schema
// (see the top of this file); compare with BenchmarkGen.
func BenchmarkExecutorFloor(b *testing.B) {
	e := generatedEnv(b, benchScale(b))
	schemas, _ := floorEnv(b, e)
	for _, name := range floorQueries {
		sch := schemas[name]
		doc := e.queries[name].Doc
		b.Run(name, func(b *testing.B) {
			measure(b, name, e.vars[name], func(v map[string]any) *graphql.Response {
				return sch.Exec(context.Background(), doc, "", v)
			})
		})
	}
}
