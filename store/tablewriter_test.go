package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
	"google.golang.org/protobuf/proto"
)

// TestTableWriterMatchesBuilder: a tableWriter writes the bytes that
// Badger's own table.Builder makes of the same keys and values, with
// every compression and with and without a bloom filter, and Badger
// reads every key back from them.
func TestTableWriterMatchesBuilder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var keys, values [][]byte
	for i := range 3000 {
		// Runs of keys with long shared prefixes, and some without.
		k := fmt.Appendf(nil, "%c%06d/%s", 'a'+i/1000, i/7, bytes.Repeat([]byte{'k'}, rng.IntN(40)))
		k = fmt.Appendf(k, "%05d", i)
		keys = append(keys, appendKeyVersion1(nil, k))
		v := bytes.Repeat([]byte{byte(rng.Uint32())}, rng.IntN(300))
		switch i {
		case 10:
			v = nil
		case 1500:
			v = bytes.Repeat([]byte("v"), 20<<10) // larger than a block
		}
		values = append(values, v)
	}
	for _, tc := range []struct {
		name        string
		compression options.CompressionType
		bloom       float64
	}{
		{"none", options.None, 0.01},
		{"snappy", options.Snappy, 0.01},
		{"zstd", options.ZSTD, 0.01},
		{"snappy, no bloom filter", options.Snappy, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := table.Options{
				TableSize:            64 << 20,
				BlockSize:            4 << 10,
				BloomFalsePositive:   tc.bloom,
				Compression:          tc.compression,
				ZSTDCompressionLevel: 1,
			}
			b := table.NewTableBuilder(opts)
			defer b.Close()
			for i := range keys {
				b.Add(keys[i], y.ValueStruct{Value: values[i]}, 0)
			}
			want := b.Finish()

			// The second table of the writer: its buffers reused.
			w := newTableWriter(opts)
			dir := t.TempDir()
			for n, name := range []string{"1.sst", "2.sst"} {
				if err := w.create(filepath.Join(dir, name)); err != nil {
					t.Fatal(err)
				}
				for i := range keys[:len(keys)/(2-n)] {
					if w.full() {
						t.Fatalf("full after %d keys", i)
					}
					w.add(keys[i], values[i])
				}
				f, err := w.finish()
				if err != nil {
					t.Fatal(err)
				}
				f.Close()
			}
			got, err := os.ReadFile(filepath.Join(dir, "2.sst"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("tableWriter wrote %d bytes, table.Builder %d; first difference at byte %d",
					len(got), len(want), firstDiff(got, want))
			}

			tbl, err := table.OpenInMemoryTable(got, 1, &opts)
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.DecrRef()
			if got, want := tbl.KeyCount(), uint32(len(keys)); got != want {
				t.Errorf("KeyCount() = %d, want %d", got, want)
			}
			it := tbl.NewIterator(0)
			defer it.Close()
			i := 0
			for it.Rewind(); it.Valid(); it.Next() {
				if i < len(keys) && (!bytes.Equal(it.Key(), keys[i]) || !bytes.Equal(it.Value().Value, values[i])) {
					t.Fatalf("entry %d: key %q, %d value bytes; want %q, %d", i, it.Key(), len(it.Value().Value), keys[i], len(values[i]))
				}
				i++
			}
			if i != len(keys) {
				t.Errorf("read %d keys, want %d", i, len(keys))
			}
		})
	}
}

// TestTableWriterFull: a tableWriter reports a table full when Badger's
// table.Builder would (uncompressed, so that the builder counts its
// blocks as it finishes them), and not before, for tables of many sizes.
func TestTableWriterFull(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for size := uint64(64 << 10); size < 2<<20; size = size*5/4 + 1 {
		opts := table.Options{TableSize: size, BlockSize: 4 << 10, Compression: options.None}
		b := table.NewTableBuilder(opts)
		w := newTableWriter(opts)
		if err := w.create(filepath.Join(t.TempDir(), "1.sst")); err != nil {
			t.Fatal(err)
		}
		n := 0
		for ; n < 100000 && !b.ReachedCapacity(); n++ {
			if w.full() {
				t.Fatalf("table size %d: full after %d keys; table.Builder is not", size, n)
			}
			k := appendKeyVersion1(nil, fmt.Appendf(nil, "key%08d", n))
			v := make([]byte, rng.IntN(200))
			b.Add(k, y.ValueStruct{Value: v}, 0)
			w.add(k, v)
		}
		if !w.full() {
			t.Errorf("table size %d: not full after %d keys; table.Builder is", size, n)
		}
		if n == 100000 {
			t.Errorf("table size %d: never full", size)
		}
		b.Close()
		f, err := w.finish()
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

// TestAppendChecksum: appendChecksum encodes what proto.Marshal makes
// of Badger's pb.Checksum, then its length.
func TestAppendChecksum(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("a"), bytes.Repeat([]byte("block"), 1000)} {
		msg, err := proto.Marshal(&pb.Checksum{Algo: pb.Checksum_CRC32C, Sum: y.CalculateChecksum(data, pb.Checksum_CRC32C)})
		if err != nil {
			t.Fatal(err)
		}
		want := append(msg, y.U32ToBytes(uint32(len(msg)))...)
		if got := appendChecksum(nil, data); !bytes.Equal(got, want) {
			t.Errorf("appendChecksum(%d bytes) = %x, want %x", len(data), got, want)
		}
	}
}

// firstDiff returns the first index at which a and b differ.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
