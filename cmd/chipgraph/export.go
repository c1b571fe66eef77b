package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
)

const exportAbout = `Export writes the store's whole history as NDJSON: every version of every
record in the order it was recorded, with its recorded time and author.
Importing the output into an empty store rebuilds the same history, and
exporting that store gives the same bytes. With --out, the file is written
under a temporary name and renamed when complete. The store must not be
open in a running server.`

// exportConfig is the configuration of the export command.
type exportConfig struct {
	DataDir string
	Out     string // "" or "-" writes to stdout
}

func (c *cli) parseExportFlags(args []string) (exportConfig, error) {
	cfg := exportConfig{DataDir: DefaultDataDir}
	fs := c.newFlagSet("export", "", exportAbout)
	fs.Var((*nonEmpty)(&cfg.DataDir), "data", "store `directory`")
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

func (c *cli) export(ctx context.Context, args []string) error {
	cfg, err := c.parseExportFlags(args)
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.DataDir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no store at %s (set --data)", cfg.DataDir)
	}
	st, err := openStore(ctx, cfg.DataDir, false, log.New(c.stderr, "", 0))
	if err != nil {
		return err
	}
	if cfg.Out == "" || cfg.Out == "-" {
		_, err := st.Export(ctx, c.stdout)
		return errors.Join(err, st.Close())
	}
	n, err := writeFileAtomic(cfg.Out, func(w io.Writer) (int, error) { return st.Export(ctx, w) })
	if err = errors.Join(err, st.Close()); err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "exported %s records to %s\n", commas(n), cfg.Out)
	return nil
}

// writeFileAtomic writes name through a temporary file in the same
// directory, renamed over name only when write and sync succeed.
func writeFileAtomic(name string, write func(io.Writer) (int, error)) (int, error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return 0, err
	}
	tmp := f.Name()
	n, err := write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
		return n, err
	}
	return n, nil
}
