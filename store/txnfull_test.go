package store

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/bench/gen"
)

// TestImportFillsTransactions imports into stores whose memtable is small
// enough that chunks fill Badger's transactions before importChunkOps:
// the write that finds no room ends the chunk, and the clock, which a
// chunk writes last, goes first into the next one (it once failed the
// import with "Txn is too big": 4 MiB memtables allow 629,145 bytes per
// transaction, and this dataset is 4.6 MB). The bulk path ends its chunks at the same
// places and writes the same keys and values.
func TestImportFillsTransactions(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	if _, err := gen.Generate(ctx, &out, gen.Config{Scale: 0.02, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	recs := decodeNDJSON(t, out.Bytes())
	open := func(dir string, bulk bool) *Store {
		s, err := Open(dir, &Options{NoSync: true, MemTableBytes: 4 << 20})
		if err != nil {
			t.Fatal(err)
		}
		s.noBulk, s.bulkMin = !bulk, 0
		at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { at = at.Add(time.Second); return at }
		return s
	}
	bulk, chunked := open(t.TempDir(), true), open(t.TempDir(), false)
	defer bulk.Close()
	defer chunked.Close()
	if _, err := chunked.Import(ctx, "test", cloneRecords(recs), nil); err != nil {
		t.Fatalf("chunked import: %v", err)
	}
	if _, err := bulk.Import(ctx, "test", cloneRecords(recs), nil); err != nil {
		t.Fatalf("bulk import: %v", err)
	}
	compareStores(t, bulk, imageOf(t, chunked))
}
