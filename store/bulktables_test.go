package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/y"
)

func TestAppendKeyVersion1(t *testing.T) {
	for _, k := range [][]byte{nil, {0}, []byte("chip"), bytes.Repeat([]byte{0xff}, 40)} {
		if got, want := appendKeyVersion1([]byte("junk")[:0], k), y.KeyWithTs(k, 1); !bytes.Equal(got, want) {
			t.Errorf("appendKeyVersion1(%x) = %x; want %x", k, got, want)
		}
	}
}

// TestWriteManifest: Badger reads the manifest writeManifest writes as
// it wrote it.
func TestWriteManifest(t *testing.T) {
	dir := t.TempDir()
	bo := badger.DefaultOptions(dir).WithLogger(nil).WithExternalMagic(7)
	db, err := badger.Open(bo)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	header, err := manifestHeader(filepath.Join(dir, badger.ManifestFilename))
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), badger.ManifestFilename)
	ids := []uint64{3, 4, 9}
	if err := writeManifest(name, header, ids, 6, options.ZSTD); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, _, err := badger.ReplayManifestFile(f, 7, bo)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]badger.TableManifest{}
	for _, id := range ids {
		want[id] = badger.TableManifest{Level: 6, Compression: options.ZSTD}
	}
	if !maps.Equal(m.Tables, want) {
		t.Errorf("tables = %v; want %v", m.Tables, want)
	}
	if m.Creations != len(ids) || m.Deletions != 0 {
		t.Errorf("creations, deletions = %d, %d; want %d, 0", m.Creations, m.Deletions, len(ids))
	}

	if _, err := manifestHeader(filepath.Join(dir, "KEYREGISTRY")); err == nil {
		t.Error("manifestHeader of a key registry: no error")
	}
}

// TestWriteTables builds tables small enough that every key range
// takes several, installs them into a closed Badger and reads them back:
// every key once, in order, at version 1, and nothing Badger held
// before.
func TestWriteTables(t *testing.T) {
	o, rng := testOverlay(t, 1)
	want := map[string]string{}
	for range 20000 {
		k := fmt.Appendf(nil, "%c%08x", 'a'+rng.IntN(3), rng.Uint32())
		v := bytes.Repeat([]byte{byte(rng.Uint32())}, rng.IntN(200))
		o.set(k, v)
		want[string(k)] = string(v)
	}
	o.set([]byte("big"), bytes.Repeat([]byte("x"), 100<<10)) // above the value threshold
	want["big"] = string(bytes.Repeat([]byte("x"), 100<<10))
	// Keys set again before they are read: the overlay holds an entry
	// for each write, and the last one is the value.
	i := 0
	for k := range want {
		if i++; i%10 == 0 {
			v := fmt.Sprint("again ", i)
			o.set([]byte(k), []byte(v))
			want[k] = v
		}
	}
	if o.appended == 0 {
		t.Fatal("the overlay indexed its keys: the test wants entries of one key")
	}

	dir := t.TempDir()
	bo := badger.DefaultOptions(dir).WithLogger(nil).WithBaseTableSize(1 << 10).WithValueThreshold(1 << 16)
	db, err := badger.Open(bo)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("before"), []byte("gone")) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	const parts = 2
	if err := writeTables(dir, bo, o, parts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, bulkStage)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("staging directory after writeTables: %v", err)
	}

	db, err = badger.Open(bo)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := db.Tables()
	if len(tables) <= parts*rangesPerWorker {
		t.Errorf("%d tables; want more than the %d key ranges", len(tables), parts*rangesPerWorker)
	}
	for _, ti := range tables {
		if ti.Level != bo.MaxLevels-1 {
			t.Errorf("table %d at level %d; want %d", ti.ID, ti.Level, bo.MaxLevels-1)
		}
	}
	got := map[string]string{}
	var keys []string
	if err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{AllVersions: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			if item.Version() != 1 {
				t.Errorf("key %q at version %d; want 1", item.Key(), item.Version())
			}
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			keys = append(keys, string(item.Key()))
			got[string(item.Key())] = string(v)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(keys) || len(keys) != len(got) {
		t.Errorf("%d keys read, %d distinct, sorted %v", len(keys), len(got), slices.IsSorted(keys))
	}
	if !maps.Equal(got, want) {
		t.Errorf("read %d keys; wrote %d (or different values)", len(got), len(want))
	}
	// Badger takes writes after them, at later versions.
	if err := db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("after"), []byte("1")) }); err != nil {
		t.Fatal(err)
	}
	if err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte("after"))
		if err == nil && item.Version() <= 1 {
			err = fmt.Errorf("written at version %d", item.Version())
		}
		return err
	}); err != nil {
		t.Errorf("a write after the tables: %v", err)
	}
}

// TestInstallTablesInterrupted: a crash after any step of installing
// the tables (the directory copied as the step left it) leaves a store
// that opens empty and takes an import; so does a failure at any step.
func TestInstallTablesInterrupted(t *testing.T) {
	ctx := context.Background()
	recs := chips(3000)
	defer func(f func(string, string) error) { bulkStep = f }(bulkStep)
	for _, step := range []string{"built", "moved", "installed"} {
		t.Run(step, func(t *testing.T) {
			dir, crashed := t.TempDir(), t.TempDir()
			s := openTest(t, dir, true)
			s.exclusive = true
			bulkStep = func(at, d string) error {
				if at == step {
					copyDir(t, d, crashed)
				}
				return nil
			}
			if _, err := s.Import(ctx, "test", cloneRecords(recs), nil); err != nil {
				t.Fatal(err)
			}
			if e, err := s.Entity(ctx, graph.View{}, "chip-2999"); err != nil || e.Name != "Chip 2999" {
				t.Errorf("chip-2999 after the import = %v, %v", e, err)
			}
			s.Close()
			checkEmptyAndUsable(t, crashed, "after a crash")

			failed := t.TempDir()
			s = openTest(t, failed, true)
			s.exclusive = true
			bulkStep = func(at, d string) error {
				if at == step {
					return errors.New("injected")
				}
				return nil
			}
			if _, err := s.Import(ctx, "test", cloneRecords(recs), nil); err == nil || err.Error() != "injected" {
				t.Errorf("import failing at %s: err = %v", step, err)
			}
			bulkStep = func(string, string) error { return nil }
			if !s.Empty() {
				t.Error("store not empty after a failed install")
			}
			if _, err := s.Import(ctx, "test", recs[:10], nil); err != nil {
				t.Fatal(err)
			}
			if e, err := s.Entity(ctx, graph.View{}, "chip-9"); err != nil || e.Name != "Chip 9" {
				t.Errorf("chip-9 after a failed install and an import = %v, %v", e, err)
			}
			s.Close()
			if _, err := os.Stat(filepath.Join(failed, bulkStage)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("staging directory after a failed install: %v", err)
			}
		})
	}
}

// checkEmptyAndUsable opens the store in dir: it must hold the format
// key only, have no marker or staging directory left, and take an import.
func checkEmptyAndUsable(t *testing.T, dir, when string) {
	t.Helper()
	s := openTest(t, dir, true)
	defer s.Close()
	if !s.Empty() {
		t.Errorf("store not empty %s", when)
	}
	if keys := dump(t, s); len(keys) != 1 {
		t.Errorf("%d keys %s, want 1 (format)", len(keys), when)
	}
	for _, name := range []string{bulkMarker, bulkStage} {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s %s: %v", name, when, err)
		}
	}
	if _, err := s.Import(context.Background(), "test", chips(3), nil); err != nil {
		t.Fatal(err)
	}
	if e, err := s.Entity(context.Background(), graph.View{}, "chip-2"); err != nil || e.Name != "Chip 2" {
		t.Errorf("chip-2 %s and an import = %v, %v", when, e, err)
	}
}

// copyDir copies the files under src (Badger closed) into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, in)
		return errors.Join(err, f.Close())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestKeyRanges: the ranges hold every entry once, in key order from
// range to range, all entries of a key in one range, and at most 256
// ranges however many are asked for.
func TestKeyRanges(t *testing.T) {
	o, rng := testOverlay(t, 3)
	var keys [][]byte
	for i := range 6000 {
		k := fmt.Appendf(nil, "%c%06x", 'a'+rng.IntN(4), rng.IntN(1<<20))
		if i%7 == 0 && len(keys) > 0 {
			k = keys[rng.IntN(len(keys))] // set again: a second entry
		}
		keys = append(keys, k)
		o.set(k, nil)
	}
	o.drain()
	for _, n := range []int{1, 3, 8, 1000} {
		rs, counts := o.keyRanges(n)
		if got := len(counts); got < 1 || got > min(n, 256) {
			t.Errorf("keyRanges(%d): %d ranges", n, got)
		}
		if len(rs) != len(o.ents) {
			t.Errorf("keyRanges(%d): ranges of %d entries; want %d", n, len(rs), len(o.ents))
		}
		seen := make([]bool, len(o.ents))
		var prev []sortEnt
		for r := range counts {
			ents := o.rangeEnts(nil, rs, r)
			if len(ents) != counts[r] {
				t.Errorf("keyRanges(%d): range %d has %d entries; counted %d", n, r, len(ents), counts[r])
			}
			for _, e := range ents {
				if seen[e.j] {
					t.Fatalf("keyRanges(%d): entry %d twice", n, e.j)
				}
				seen[e.j] = true
			}
			if len(prev) > 0 && len(ents) > 0 {
				maxLo := slices.MaxFunc(prev, o.cmpSort)
				minHi := slices.MinFunc(ents, o.cmpSort)
				if o.cmpKey(maxLo, minHi) >= 0 {
					t.Errorf("keyRanges(%d): range %d ends at %q, range %d starts at %q", n, r-1, o.bytes(o.ents[maxLo.j].k), r, o.bytes(o.ents[minHi.j].k))
				}
			}
			if len(ents) > 0 {
				prev = ents
			}
		}
		if i := slices.Index(seen, false); i >= 0 {
			t.Errorf("keyRanges(%d): entry %d in no range", n, i)
		}
		bigFree(&o.mem, rs)
	}
}

// testOverlay returns an empty overlay, released when the test ends,
// and a random source seeded with seed.
func testOverlay(t *testing.T, seed uint64) (*overlay, *rand.Rand) {
	t.Helper()
	mem := openTest(t, "", true)
	o := newOverlay(mem.db, 1000)
	t.Cleanup(func() {
		o.release()
		mem.Close()
	})
	return o, rand.New(rand.NewPCG(seed, seed+1))
}
