package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/schema"
)

// The prov command registers itself with the other tools, as bench does:
// a variable initializer runs before main.go's init reads extraCommands.
var _ = func() bool {
	extraCommands = append(extraCommands, &command{"prov", "", "print the provenance of an entity or source as W3C PROV-O JSON-LD", (*cli).prov})
	return true
}()

const provAbout = `Prov prints the provenance of one entity (--entity) or one source (--source)
as a W3C PROV-O document in JSON-LD, with an inline @context so that any
JSON-LD processor expands it offline.

For an entity: the entity, its statements (retracted ones too) and the
claims by or about it, each with the sources and quotes behind it, and
every recorded version with who wrote it, when and why. For a source: the
source and its text versions, and the statements and claims it supports.
With --as-of, the graph as it was recorded at that instant.

An empty store first receives the starter data, as query does. The store
must not be open in a running server: ask the server for the provenance
field instead.

Example:

	chipgraph prov --entity trainium3`

// provConfig is the configuration of the prov command.
type provConfig struct {
	DataDir string
	Entity  string
	Source  string
	AsOf    time.Time // zero: the current graph
}

func (c *cli) parseProvFlags(args []string) (provConfig, error) {
	cfg := provConfig{DataDir: DefaultDataDir}
	var asOf string
	fs := c.newFlagSet("prov", "", provAbout)
	fs.Var((*nonEmpty)(&cfg.DataDir), "data", "store `directory` (created and given the starter data if missing)")
	fs.StringVar(&cfg.Entity, "entity", "", "entity `key`, such as trainium3")
	fs.StringVar(&cfg.Source, "source", "", "source `key`, such as seed-article")
	fs.StringVar(&asOf, "as-of", "", "read the graph as recorded at this RFC 3339 `time`")
	pos, err := fs.parse(args)
	if err != nil {
		return cfg, err
	}
	if len(pos) > 0 {
		return cfg, fs.usageError(fmt.Sprintf("unexpected argument %q (name the record with --entity or --source)", pos[0]))
	}
	if (cfg.Entity == "") == (cfg.Source == "") {
		return cfg, fs.usageError("give exactly one of --entity and --source")
	}
	if asOf != "" {
		if cfg.AsOf, err = time.Parse(time.RFC3339Nano, asOf); err != nil {
			return cfg, fs.usageError(fmt.Sprintf("--as-of %q is not an RFC 3339 time", asOf))
		}
	}
	return cfg, nil
}

func (c *cli) prov(ctx context.Context, args []string) error {
	cfg, err := c.parseProvFlags(args)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.DataDir, true, log.New(c.stderr, "chipgraph: ", 0))
	if err != nil {
		return err
	}
	v := graph.View{AsOf: cfg.AsOf}
	var doc *schema.ProvDocument
	if cfg.Entity != "" {
		doc, err = schema.EntityProvenance(ctx, st, v, cfg.Entity)
	} else {
		doc, err = schema.SourceProvenance(ctx, st, v, cfg.Source)
	}
	if err = errors.Join(err, st.Close()); err != nil {
		return err
	}
	b, err := schema.MarshalProv(doc, "  ")
	if err != nil {
		return err
	}
	_, err = c.stdout.Write(b)
	return err
}
