package schema_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden .json files under testdata/golden")

// checkGolden compares got with testdata/golden/<name>.json, or rewrites
// the file with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./schema -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("response differs from %s (rerun with -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// readQuery returns testdata/golden/<name>.graphql.
func readQuery(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name+".graphql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGolden runs every testdata/golden/*.graphql query against the
// starter data and compares the response with the .json beside it.
// Queries that need IDs from a first query are in node_test.go, and
// mutation responses in mutation_test.go (testdata/golden/node and
// testdata/golden/mutations).
func TestGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden queries in testdata/golden")
	}
	e := mustOpen(t) // read-only queries share one store
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".graphql")
		t.Run(name, func(t *testing.T) {
			got := e.exec(t, context.Background(), readQuery(t, name), nil)
			if r := decode(t, got); len(r.Errors) > 0 {
				t.Errorf("%s: unexpected errors: %+v", name, r.Errors)
			}
			checkGolden(t, name, got)
		})
	}
}

func decode(t *testing.T, b []byte) result {
	t.Helper()
	var r result
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("decode response: %v", err)
	}
	return r
}
