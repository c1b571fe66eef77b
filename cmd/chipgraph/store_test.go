package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/store"
)

// mustExport runs "chipgraph export" on dir and returns its output.
func mustExport(tb testing.TB, dir string) []byte {
	tb.Helper()
	r := runCLI(tb, nil, "", "export", "--data", dir)
	if r.code != 0 {
		tb.Fatalf("export: exit code %d: %s", r.code, r.stderr)
	}
	return []byte(r.stdout)
}

func TestImportExport(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	good := filepath.Join("testdata", "import", "good.ndjson")
	r := runCLI(t, map[string]string{"CHIPGRAPH_DATA": dir}, "", "import", good)
	if r.code != 0 {
		t.Fatalf("import: exit code %d: %s", r.code, r.stderr)
	}
	if want := good + ": 7 records, 7 written, 0 unchanged;"; !strings.HasPrefix(r.stdout, want) || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("import printed %q, want one line starting %q", r.stdout, want)
	}

	out := mustExport(t, dir)
	recs, err := graph.ReadRecords(bytes.NewReader(out), "export")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 {
		t.Fatalf("export has %d records, want 7", len(recs))
	}
	for _, rec := range recs {
		if rec.RecordedAt().IsZero() {
			t.Errorf("exported %s %s has no recorded time", rec.Type, rec.Key())
		}
	}
	if n := bytes.Count(out, []byte(`"by":"import:good.ndjson"`)); n != 7 {
		t.Errorf("%d records recorded by import:good.ndjson (the default --by), want 7", n)
	}

	// Importing the same file again, from stdin with --by, changes nothing.
	in, _ := os.ReadFile(good)
	r = runCLI(t, nil, string(in), "import", "--data", dir, "--by", "again", "-")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "stdin: 7 records, 0 written, 7 unchanged;") {
		t.Errorf("second import: exit code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if again := mustExport(t, dir); !bytes.Equal(again, out) {
		t.Errorf("export changed after importing unchanged records")
	}

	// --out writes the same bytes to a file.
	file := filepath.Join(t.TempDir(), "out.ndjson")
	if r := runCLI(t, nil, "", "export", "--data", dir, "--out", file); r.code != 0 {
		t.Fatalf("export --out: exit code %d: %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(file); !bytes.Equal(b, out) {
		t.Errorf("export --out wrote different bytes from export to stdout")
	}
}

func TestImportBadFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		line string // "file:line" the error must name
	}{
		{"bad-json.ndjson", "bad-json.ndjson:2:"},             // refused while reading
		{"unknown-entity.ndjson", "unknown-entity.ndjson:3:"}, // refused by the store
	}
	dir := t.TempDir()
	good := filepath.Join("testdata", "import", "good.ndjson")
	if r := runCLI(t, nil, "", "import", "--data", dir, good); r.code != 0 {
		t.Fatalf("import: exit code %d: %s", r.code, r.stderr)
	}
	before := mustExport(t, dir)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			bad := filepath.Join("testdata", "import", tt.file)
			// The good file goes first again: it stays imported (unchanged),
			// and the message says so.
			r := runCLI(t, nil, "", "import", "--data", dir, good, bad)
			if r.code != 1 {
				t.Errorf("exit code %d, want 1", r.code)
			}
			if !strings.Contains(r.stderr, tt.line) {
				t.Errorf("stderr %q does not name %s", r.stderr, tt.line)
			}
			if !strings.Contains(r.stderr, "nothing from "+bad+" was written") || !strings.Contains(r.stderr, "stay imported: "+good) {
				t.Errorf("stderr %q does not say what was and was not imported", r.stderr)
			}
			if after := mustExport(t, dir); !bytes.Equal(before, after) {
				t.Errorf("the store changed after a refused file")
			}
		})
	}
}

// TestExportImportExportStarter checks that an export imported into an
// empty store exports to the same bytes, with the starter data.
func TestExportImportExportStarter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := t.TempDir()
	st, err := openStore(ctx, a, true, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	first := mustExport(t, a)
	recs, err := starter.Records()
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(first, []byte("\n")); n != len(recs) {
		t.Fatalf("export of the starter store has %d lines, want %d", n, len(recs))
	}
	file := filepath.Join(t.TempDir(), "starter.ndjson")
	if err := os.WriteFile(file, first, 0o644); err != nil {
		t.Fatal(err)
	}
	b := t.TempDir()
	if r := runCLI(t, nil, "", "import", "--data", b, file); r.code != 0 {
		t.Fatalf("import: exit code %d: %s", r.code, r.stderr)
	}
	if second := mustExport(t, b); !bytes.Equal(first, second) {
		t.Errorf("export → import → export changed the bytes (%d, then %d bytes)", len(first), len(second))
	}
}

func TestQuery(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() // empty: query loads the starter data first
	r := runCLI(t, nil, "", "query", "--data", dir, `{ entity(key: "trainium3") { name } }`)
	if r.code != 0 {
		t.Fatalf("exit code %d: %s", r.code, r.stderr)
	}
	var res struct {
		Data struct{ Entity struct{ Name string } }
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
	}
	if res.Data.Entity.Name != "Trainium3" {
		t.Errorf("entity name %q, want Trainium3", res.Data.Entity.Name)
	}
	if !strings.Contains(r.stdout, "\n  ") {
		t.Errorf("output is not indented: %s", r.stdout)
	}
	if !strings.Contains(r.stderr, "starter records") {
		t.Errorf("stderr %q does not report the starter data loaded", r.stderr)
	}

	t.Run("Variables", func(t *testing.T) {
		r := runCLI(t, map[string]string{"CHIPGRAPH_DATA": dir}, `query Q($k: String) { entity(key: $k) { name } }`,
			"query", "--vars", `{"k":"trainium3"}`, "--operation", "Q")
		if r.code != 0 || !strings.Contains(r.stdout, `"name": "Trainium3"`) {
			t.Errorf("exit code %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stderr, "starter") {
			t.Errorf("starter data loaded again into a store that has data")
		}
	})
	t.Run("ErrorsExit1", func(t *testing.T) {
		r := runCLI(t, nil, "", "query", "--data", dir, `{ nope }`)
		if r.code != 1 {
			t.Errorf("exit code %d, want 1", r.code)
		}
		if !strings.Contains(r.stdout, `"errors"`) || !strings.Contains(r.stdout, "GRAPHQL_VALIDATION_FAILED") {
			t.Errorf("response not printed with its error code: %s", r.stdout)
		}
	})
	const mutation = `mutation { upsertEntity(input: {key: "trainium4", kind: Chip, name: "Trainium4"}) { key } }`
	t.Run("MutationNeedsWrite", func(t *testing.T) {
		r := runCLI(t, nil, "", "query", "--data", dir, mutation)
		if r.code != 1 || !strings.Contains(r.stdout, "--write") || !strings.Contains(r.stdout, graph.EFORBIDDEN) {
			t.Errorf("exit code %d, stdout %s", r.code, r.stdout)
		}
	})
	t.Run("Write", func(t *testing.T) {
		r := runCLI(t, nil, "", "query", "--data", dir, "--write", mutation)
		if r.code != 0 {
			t.Fatalf("exit code %d: %s%s", r.code, r.stdout, r.stderr)
		}
		st, err := store.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		recs, err := graph.ReadRecords(bytes.NewReader(mustExportStore(t, st)), "export")
		if err != nil {
			t.Fatal(err)
		}
		last := recs[len(recs)-1]
		if last.Key() != "trainium4" || last.Entity.Recorded.By != "cli" {
			t.Errorf("last record %s by %q, want trainium4 by cli", last.Key(), last.Entity.Recorded.By)
		}
	})
	t.Run("Locked", func(t *testing.T) {
		st, err := store.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		r := runCLI(t, nil, "", "query", "--data", dir, "{ __typename }")
		if r.code != 1 || !strings.Contains(r.stderr, "probably a chipgraph server") || !strings.Contains(r.stderr, "HTTP API") {
			t.Errorf("exit code %d, stderr %q; want a message about a running server", r.code, r.stderr)
		}
	})
}

func mustExportStore(tb testing.TB, st *store.Store) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if _, err := st.Export(context.Background(), &buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestGen(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "gen.ndjson")
	r := runCLI(t, nil, "", "gen", "--scale", "0.001", "--seed", "7", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit code %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := graph.ReadRecords(bytes.NewReader(b), out); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, nil, "", "gen", "--scale", "0.001", "--seed", "7")
	if r.stdout != string(b) {
		t.Errorf("gen to stdout differs from gen --out")
	}
}

// TestImportBulk: an import large enough for the bulk import, which the
// command writes as Badger tables of its own (store.Options.Exclusive),
// leaves a store that a second import of the same file finds complete.
func TestImportBulk(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "gen.ndjson")
	if r := runCLI(t, nil, "", "gen", "--scale", "0.025", "--seed", "5", "--out", file); r.code != 0 {
		t.Fatalf("gen: exit code %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	n := bytes.Count(b, []byte("\n"))
	if n < 20_000 {
		t.Fatalf("%d records; the bulk import takes 20,000 or more", n)
	}
	dir := filepath.Join(t.TempDir(), "data")
	r := runCLI(t, nil, "", "import", "--data", dir, file)
	if want := fmt.Sprintf(": %s records, %[1]s written, 0 unchanged;", commas(n)); r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Fatalf("import: exit code %d, stdout %q, stderr %q; want %q", r.code, r.stdout, r.stderr, want)
	}
	if entries, err := os.ReadDir(dir); err != nil {
		t.Fatal(err)
	} else {
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), "chipgraph-bulk") || strings.HasPrefix(e.Name(), "CHIPGRAPH-BULK") {
				t.Errorf("%s left in the store after the import", e.Name())
			}
		}
	}
	r = runCLI(t, nil, "", "import", "--data", dir, file)
	if want := fmt.Sprintf(": %s records, 0 written, %[1]s unchanged;", commas(n)); r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Errorf("second import: exit code %d, stdout %q, stderr %q; want %q", r.code, r.stdout, r.stderr, want)
	}
	recs, err := graph.ReadRecords(bytes.NewReader(mustExport(t, dir)), "export")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Errorf("export has %d records; imported %d", len(recs), n)
	}
}
