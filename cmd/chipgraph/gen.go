package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/chipgraph/chipgraph/bench/gen"
)

// extraCommands are listed in help after export. Tools around the service
// (the benchmark dataset generator) add themselves here.
var extraCommands = []*command{
	{"gen", "", "write the synthetic benchmark dataset as NDJSON", (*cli).gen},
}

const genAbout = `Gen writes chipgraph's synthetic benchmark dataset as NDJSON records, ready
for import: companies, foundries, people, chip families, chips, systems and
process nodes, with sources whose text the statements and claims quote.
The same scale and seed always give the same bytes. Scale 1 holds about
27,600 entities, 5,000 sources, 770,000 statements and 100,000 claims;
fractions such as 0.01 make small datasets for tests.`

// genConfig is the configuration of the gen command.
type genConfig struct {
	Scale float64
	Seed  int64
	Out   string // "" or "-" writes to stdout
}

func (c *cli) parseGenFlags(args []string) (genConfig, error) {
	cfg := genConfig{Scale: 1, Seed: 1}
	fs := c.newFlagSet("gen", "", genAbout)
	fs.Var((*positiveFloat)(&cfg.Scale), "scale", "dataset size `factor` (1 is the reference size)")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "random `seed`: names, structure and values")
	fs.StringVar(&cfg.Out, "out", "", "output `file` (default standard output)")
	pos, err := fs.parse(args)
	if err != nil {
		return cfg, err
	}
	if len(pos) > 0 {
		return cfg, fs.usageError(fmt.Sprintf("unexpected argument %q (use --out FILE to name the output)", pos[0]))
	}
	return cfg, nil
}

func (c *cli) gen(ctx context.Context, args []string) error {
	cfg, err := c.parseGenFlags(args)
	if err != nil {
		return err
	}
	start := time.Now()
	var st gen.Stats
	write := func(w io.Writer) (int, error) {
		bw := bufio.NewWriterSize(w, 1<<20)
		var werr error
		st, werr = gen.Generate(ctx, bw, gen.Config{Scale: cfg.Scale, Seed: cfg.Seed})
		if werr == nil {
			werr = bw.Flush()
		}
		return st.Records(), werr
	}
	if cfg.Out == "" || cfg.Out == "-" {
		_, err = write(c.stdout)
	} else {
		_, err = writeFileAtomic(cfg.Out, write)
	}
	if errors.Is(err, context.Canceled) {
		return errors.New("gen interrupted")
	} else if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(c.stderr, "wrote %s records (%s entities, %s facts, %s sources; %s MiB) in %s\n",
		commas(st.Records()), commas(st.Entities), commas(st.Facts()), commas(st.Sources),
		commas(int(st.Bytes>>20)), roundDuration(el))
	return nil
}
