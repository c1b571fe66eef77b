package schema

import (
	"bytes"
	"context"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/schema/compiled"
	graphql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
)

// The SDL is schema.graphql plus any other *.graphql file beside it (each
// adding types and `extend type` blocks for one area of the API),
// concatenated in name order with schema.graphql first.
//
//go:embed *.graphql
var sdlFiles embed.FS

var sdl = loadSDL()

func loadSDL() string {
	names, err := fs.Glob(sdlFiles, "*.graphql")
	if err != nil {
		panic(err)
	}
	sort.SliceStable(names, func(i, j int) bool { return names[i] == "schema.graphql" && names[j] != "schema.graphql" })
	var b strings.Builder
	for _, n := range names {
		data, err := sdlFiles.ReadFile(n)
		if err != nil {
			panic(err)
		}
		b.Write(data)
		b.WriteString("\n")
	}
	return b.String()
}

// SDL returns the schema's SDL.
func SDL() string { return sdl }

// Options configure New.
type Options struct {
	// GraphQLGoOnly executes every request with graphql-go, without the
	// compiled executor (for comparison and diagnosis).
	GraphQLGoOnly bool
	// Verify executes every request the compiled executor answers with
	// graphql-go as well, and answers with graphql-go's response when the
	// two differ, logging the difference (Mismatches counts them). It
	// doubles the cost of queries; tests use it to check one against the
	// other on everything they run.
	Verify bool
	// MaxDepth limits query nesting (0: DefaultMaxDepth).
	MaxDepth int
	// MaxPageSize caps `first` on every connection (0: DefaultMaxPageSize).
	MaxPageSize int
	// Logger receives internal errors; nil uses log.Default().
	Logger *log.Logger
}

// Defaults for Options.
const (
	DefaultMaxDepth    = 15
	DefaultMaxPageSize = 500
)

// Schema is the executable schema. Queries are executed from plans
// compiled once per document (package compiled); what those do not
// answer (mutations, introspection, any request whose execution meets an
// error) is executed by graphql-go, whose methods Schema also has.
type Schema struct {
	*graphql.Schema
	compiled   *compiled.Engine // nil: graphql-go only
	verify     bool
	log        *log.Logger
	mismatches atomic.Int64
}

// Exec executes a request: from its compiled plan when it has one and
// executes without errors, otherwise with graphql-go. Both answer the same.
func (s *Schema) Exec(ctx context.Context, query, operationName string, variables map[string]any) *graphql.Response {
	if s.compiled != nil {
		if data, ok := s.compiled.Exec(ctx, query, operationName, variables); ok {
			if s.verify {
				ref := s.Schema.Exec(ctx, query, operationName, variables)
				if len(ref.Errors) > 0 || len(ref.Extensions) > 0 || !bytes.Equal(ref.Data, data) {
					s.mismatches.Add(1)
					s.log.Printf("schema: the compiled answer differs from graphql-go's for %q (operation %q, variables %v):\ncompiled:   %s\ngraphql-go: %s (errors %v)",
						query, operationName, variables, data, ref.Data, ref.Errors)
					return ref
				}
			}
			return &graphql.Response{Data: data}
		}
	}
	return s.Schema.Exec(ctx, query, operationName, variables)
}

// Release gives back the data of a response Exec returned, once the
// caller has written it and keeps no reference to res.Data: the compiled
// executor writes a later answer into it.
func (s *Schema) Release(res *graphql.Response) {
	if s.compiled != nil && res != nil {
		s.compiled.Release(res.Data)
	}
}

// CompiledStats returns how many requests the compiled executor answered
// and how many it left to graphql-go.
func (s *Schema) CompiledStats() (answered, left int64) {
	if s.compiled == nil {
		return 0, 0
	}
	return s.compiled.Stats()
}

// Mismatches returns how many compiled answers differed from
// graphql-go's (counted with Options.Verify).
func (s *Schema) Mismatches() int64 { return s.mismatches.Load() }

// New builds the executable schema over svc.
func New(svc Service, opts Options) (*Schema, error) {
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = DefaultMaxPageSize
	}
	if opts.Logger == nil {
		opts.Logger = log.Default()
	}
	r := &root{svc: svc, log: opts.Logger, maxPage: opts.MaxPageSize}
	gql, err := graphql.ParseSchema(sdl, r,
		graphql.MaxDepth(opts.MaxDepth),
		graphql.MaxParallelism(8),
		// Pages learn what to load from the document (WithDocument).
		graphql.DisableFieldSelections(),
		// Hot scalar fields are struct fields (sourceResolver).
		graphql.UseFieldResolvers(),
		graphql.Logger(panicLogger{opts.Logger}),
		graphql.PanicHandler(panicHandler{opts.Logger}),
	)
	if err != nil {
		return nil, err
	}
	s := &Schema{Schema: gql, verify: opts.Verify, log: opts.Logger}
	if !opts.GraphQLGoOnly {
		s.compiled = compiled.New(gql, r, compiled.Options{FieldResolvers: true})
	}
	return s, nil
}

// root resolves Query and Mutation fields.
type root struct {
	svc     Service
	log     *log.Logger
	maxPage int
}

// apiError is an error with GraphQL extensions: code (and, for bad input,
// reason and field).
type apiError struct {
	msg string
	ext map[string]any
}

func (e *apiError) Error() string              { return e.msg }
func (e *apiError) Extensions() map[string]any { return e.ext }

// fail converts err into an apiError. Errors that are not chipgraph's own
// are logged and shown only as "internal error".
func (r *root) fail(err error) error {
	if err == nil {
		return nil
	}
	var ge *graph.Error
	if !errors.As(err, &ge) {
		r.log.Printf("internal error: %v", err)
		return &apiError{msg: "internal error", ext: map[string]any{"code": graph.EINTERNAL}}
	}
	ext := map[string]any{"code": ge.Code}
	if ge.Reason != "" {
		ext["reason"] = ge.Reason
	}
	if ge.Field != "" {
		ext["field"] = ge.Field
	}
	return &apiError{msg: err.Error(), ext: ext}
}

// --- global IDs: base64("<Type>:<key>"), opaque to clients.

func globalID(typ, key string) graphql.ID {
	return graphql.ID(base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + key)))
}

func parseGlobalID(id graphql.ID) (typ, key string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(string(id))
	if err == nil {
		var ok bool
		if typ, key, ok = strings.Cut(string(b), ":"); ok && key != "" {
			return typ, key, nil
		}
	}
	return "", "", graph.Invalid("id", graph.RBadValue, "malformed node ID %q", string(id))
}

// --- cursors: the store's position, base64-wrapped so clients treat it as opaque.

func encodeCursor(c string) string { return base64.RawURLEncoding.EncodeToString([]byte(c)) }

func decodeCursor(c *string) (string, error) {
	if c == nil || *c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*c)
	if err != nil {
		return "", graph.Invalid("after", graph.RBadValue, "malformed cursor %q", *c)
	}
	return string(b), nil
}

// page validates first/after arguments.
func (r *root) page(first *int32, after *string) (int, string, error) {
	n := 50
	if first != nil {
		n = int(*first)
	}
	if n < 0 {
		return 0, "", graph.Invalid("first", graph.RBadValue, "first must not be negative, got %d", n)
	}
	if n > r.maxPage {
		return 0, "", &graph.Error{Code: graph.ETOOCOMPLEX, Reason: graph.RBadValue, Field: "first",
			Message: fmt.Sprintf("first must be between 0 and %d (the page size limit), got %d", r.maxPage, n)}
	}
	a, err := decodeCursor(after)
	return n, a, err
}

// storeFirst is the page size to ask the store for: the store reads a
// page size of 0 as its own maximum, so first: 0 asks for one item, which
// firstPage then drops.
func storeFirst(first int) int { return max(first, 1) }

// firstPage cuts a page read with storeFirst(first) down to first items.
func firstPage[T any](p graph.Page[T], first int) graph.Page[T] {
	if first == 0 {
		p.HasNext = len(p.Items) > 0
		p.Items, p.Cursors = nil, nil
	}
	return p
}

type panicLogger struct{ l *log.Logger }

func (p panicLogger) LogPanic(_ context.Context, v any) { p.l.Printf("graphql: panic: %v", v) }

type panicHandler struct{ l *log.Logger }

func (p panicHandler) MakePanicError(_ context.Context, v any) *gqlerrors.QueryError {
	p.l.Printf("graphql: panic in resolver: %v", v)
	return &gqlerrors.QueryError{Message: "internal error", Extensions: map[string]any{"code": graph.EINTERNAL}}
}
