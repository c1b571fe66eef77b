package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/schema"
	"github.com/chipgraph/chipgraph/server"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
)

const queryAbout = `Query runs one GraphQL query against the store in this process, without a
server, and prints the JSON response. The query is the argument or, when
the argument is "-" or absent, standard input. The exit code is 1 when the
response has errors; the response is printed anyway.

An empty store first receives the starter data, as serve does. The store
must not be open in a running server: send the query to the server's HTTP
API instead (POST /graphql). Mutations need --write; they are recorded as
written by "cli".

Example:

	chipgraph query '{ entity(key: "trainium3") { name } }'`

// queryConfig is the configuration of the query command.
type queryConfig struct {
	DataDir   string
	Vars      map[string]any
	Operation string
	Write     bool
	Query     string
}

func (c *cli) parseQueryFlags(args []string) (queryConfig, error) {
	cfg := queryConfig{DataDir: DefaultDataDir}
	fs := c.newFlagSet("query", "[QUERY | -]", queryAbout)
	fs.Var((*nonEmpty)(&cfg.DataDir), "data", "store `directory` (created and given the starter data if missing)")
	fs.Var((*jsonObject)(&cfg.Vars), "vars", "query variables as a JSON `object`, such as '{\"key\":\"h100\"}'")
	fs.StringVar(&cfg.Operation, "operation", "", "`name` of the operation to run when the query document has several")
	fs.BoolVar(&cfg.Write, "write", false, "allow mutations, recorded as written by \"cli\"")
	pos, err := fs.parse(args)
	if err != nil {
		return cfg, err
	}
	switch {
	case len(pos) > 1:
		return cfg, fs.usageError("give one query (quote it), or - to read it from standard input")
	case len(pos) == 1 && pos[0] != "-":
		cfg.Query = pos[0]
	default:
		b, err := io.ReadAll(c.stdin)
		if err != nil {
			return cfg, fmt.Errorf("read query from standard input: %w", err)
		}
		cfg.Query = string(b)
	}
	if strings.TrimSpace(cfg.Query) == "" {
		return cfg, fs.usageError("empty query")
	}
	return cfg, nil
}

func (c *cli) query(ctx context.Context, args []string) error {
	cfg, err := c.parseQueryFlags(args)
	if err != nil {
		return err
	}
	logger := log.New(c.stderr, "chipgraph: ", 0)
	st, err := openStore(ctx, cfg.DataDir, true, logger)
	if err != nil {
		return err
	}
	out, err := runQuery(ctx, st, cfg, logger)
	if err = errors.Join(err, st.Close()); err != nil {
		return err
	}
	enc := json.NewEncoder(c.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	if n := len(out.Errors); n > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("the response has %d error%s", n, plural(n))}
	}
	return nil
}

// runQuery executes the query against st in this process.
func runQuery(ctx context.Context, st schema.Service, cfg queryConfig, logger *log.Logger) (*queryResponse, error) {
	sch, err := schema.New(st, schema.Options{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("build schema: %w", err)
	}
	if cfg.Write {
		ctx = schema.WithWriter(ctx, "cli")
	} else {
		ctx = schema.WithReadOnly(ctx)
	}
	res := sch.Exec(schema.WithDocument(ctx, cfg.Query), cfg.Query, cfg.Operation, cfg.Vars)
	out := &queryResponse{Data: res.Data, Errors: res.Errors, Extensions: res.Extensions}
	for _, qe := range out.Errors {
		code := addErrorCode(qe, len(res.Data) > 0)
		if !cfg.Write && (code == graph.EFORBIDDEN || code == graph.EUNAUTHORIZED) {
			// The schema's message speaks of a server and its token.
			qe.Message = "read-only: mutations need the --write flag"
		}
	}
	return out, nil
}

// queryResponse is a GraphQL response as printed: data first.
type queryResponse struct {
	Data       json.RawMessage         `json:"data,omitempty"`
	Errors     []*gqlerrors.QueryError `json:"errors,omitempty"`
	Extensions map[string]any          `json:"extensions,omitempty"`
}

// addErrorCode sets extensions.code (and reason and field) on an error
// that has none, as the HTTP server does, and returns the code. Unlike the
// server it keeps internal errors' text: the caller runs the store.
func addErrorCode(qe *gqlerrors.QueryError, executed bool) string {
	code, reason, field := server.ErrorCode(qe, executed)
	if qe.Extensions == nil {
		qe.Extensions = map[string]any{}
	}
	for k, v := range map[string]string{"code": code, "reason": reason, "field": field} {
		if _, set := qe.Extensions[k]; v != "" && !set {
			qe.Extensions[k] = v
		}
	}
	return code
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
