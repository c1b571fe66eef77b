package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
	"google.golang.org/protobuf/proto"
)

// This file holds the bulk import's own table writer. When nothing else
// reads the store while it imports (Options.Exclusive) and the store is
// on disk, the sorted overlay does not go through a StreamWriter, which
// encodes every key and value as a protobuf message, decodes it again
// and copies it three times before its table builder sees it (about 9 s
// of CPU at scale 1, BENCHMARKS.md). Instead the import writes Badger's
// tables itself (tableWriter, in Badger's table format), one worker per
// core taking key ranges in turn (buildTables), and installs them:
//
//  1. Badger is closed (it flushes its memtables: the store then holds
//     only meta keys, which the overlay carries too).
//  2. The tables are built in a staging directory (bulkStage) with file
//     IDs above every table in the store, and synced; so is a manifest
//     naming them, all at Badger's last level, as a StreamWriter puts
//     them. Its header is copied from the store's own manifest, so it
//     carries the version this Badger writes and reads.
//  3. The tables move into the store directory, which is synced. A crash
//     now leaves the old manifest, and Badger's Open deletes tables it
//     does not name.
//  4. The new manifest replaces the old one by a rename, and the
//     directory is synced. From here Badger's Open sees the new tables
//     and deletes the old ones.
//  5. Badger is opened again.
//
// The bulk import's marker file (bulk.go) is in place throughout, so a
// crash at any step leaves an empty store, as a crash while streaming
// does. The keys and values are the StreamWriter's: version 1, no meta
// bits, every value in the table (TestBulkImportMatchesChunked compares
// both with a chunked import; TestWriteTables reads tables back).
// Encrypted stores stream: the tables would need the data key.

// bulkStage is the staging directory of a bulk import's tables, inside
// the store directory.
const bulkStage = "chipgraph-bulk-tables"

// errStoreClosed marks an error after which Badger could not be opened
// again: the store is unusable, and its next Open rolls the import back.
var errStoreClosed = errors.New("store closed")

// installTables writes the overlay's entries into the store as
// described above, with parts workers. On an error before the manifest
// is replaced the store is reopened as it was.
func (s *Store) installTables(o *overlay, parts int) error {
	bo := s.db.Opts()
	cerr := s.db.Close()
	var err error
	if cerr != nil {
		err = fmt.Errorf("bulk import: close store: %w", cerr)
	} else {
		err = writeTables(s.dir, bo, o, parts)
	}
	db, oerr := badger.Open(bo)
	if oerr != nil {
		return errors.Join(err, fmt.Errorf("bulk import: reopen store: %w: %w", errStoreClosed, oerr))
	}
	s.db = db
	return err
}

// writeTables is steps 2 to 4 of installTables, for a closed Badger
// with options bo in dir.
func writeTables(dir string, bo badger.Options, o *overlay, parts int) error {
	if len(bo.EncryptionKey) > 0 {
		return errors.New("bulk import: tables of an encrypted store need its data key")
	}
	header, err := manifestHeader(filepath.Join(dir, badger.ManifestFilename))
	if err != nil {
		return fmt.Errorf("bulk import: %w", err)
	}
	first, err := nextTableID(dir)
	if err != nil {
		return fmt.Errorf("bulk import: %w", err)
	}
	stage := filepath.Join(dir, bulkStage)
	if err := os.RemoveAll(stage); err != nil {
		return fmt.Errorf("bulk import: %w", err)
	}
	if err := os.Mkdir(stage, 0o755); err != nil {
		return fmt.Errorf("bulk import: %w", err)
	}
	defer os.RemoveAll(stage)
	ids, err := buildTables(stage, bulkTableOptions(bo), o, parts, first)
	if err != nil {
		return fmt.Errorf("bulk import: %w", err)
	}
	level := bo.MaxLevels - 1
	if err := writeManifest(filepath.Join(stage, badger.ManifestFilename), header, ids, level, bo.Compression); err != nil {
		return fmt.Errorf("bulk import: %w", err)
	}
	if err := syncDir(stage); err != nil {
		return fmt.Errorf("bulk import: %w", err)
	}
	if err := bulkStep("built", dir); err != nil {
		return err
	}
	for _, id := range ids {
		if err := os.Rename(table.NewFilename(id, stage), table.NewFilename(id, dir)); err != nil {
			return fmt.Errorf("bulk import: %w", err)
		}
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("bulk import: %w", err)
	}
	if err := bulkStep("moved", dir); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(stage, badger.ManifestFilename), filepath.Join(dir, badger.ManifestFilename)); err != nil {
		return fmt.Errorf("bulk import: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("bulk import: %w", err)
	}
	return bulkStep("installed", dir)
}

// bulkStep is called after each step of writeTables that a crash could
// end at (built, moved, installed), with the store directory; an error
// ends the import. Tests replace it.
var bulkStep = func(step, dir string) error { return nil }

// bulkTableOptions are the options of the tables a StreamWriter writes
// at the last level of a Badger with options bo (badger's
// buildTableOptions, its table size grown for the last level as the
// StreamWriter grows it).
func bulkTableOptions(bo badger.Options) table.Options {
	size := uint64(bo.BaseTableSize)
	for i := 2; i < bo.MaxLevels; i++ {
		size *= uint64(bo.TableSizeMultiplier)
	}
	return table.Options{
		TableSize:            size,
		BlockSize:            bo.BlockSize,
		BloomFalsePositive:   bo.BloomFalsePositive,
		ChkMode:              bo.ChecksumVerificationMode,
		Compression:          bo.Compression,
		ZSTDCompressionLevel: bo.ZSTDCompressionLevel,
	}
}

// manifestMagic is how every Badger manifest starts.
var manifestMagic = []byte("Bdgr")

// manifestHeader returns the first 8 bytes of the manifest at name:
// "Bdgr", the application's magic number and Badger's manifest version.
func manifestHeader(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := make([]byte, 8)
	if _, err := io.ReadFull(f, h); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", name, err)
	}
	if !bytes.Equal(h[:4], manifestMagic) {
		return nil, fmt.Errorf("manifest %s: not a Badger manifest", name)
	}
	return h, nil
}

// nextTableID returns an ID above every table file in dir.
func nextTableID(dir string) (uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	next := uint64(1)
	for _, e := range ents {
		if id, ok := table.ParseFileID(e.Name()); ok && id >= next {
			next = id + 1
		}
	}
	return next, nil
}

// writeManifest writes and syncs a Badger manifest at name: header, then
// one change set that creates the tables ids at level, as Badger
// rewrites its manifest (manifest.go, helpRewrite): the change set's
// length and CRC-32 (Castagnoli), big-endian, then the change set.
func writeManifest(name string, header []byte, ids []uint64, level int, c options.CompressionType) error {
	set := &pb.ManifestChangeSet{}
	for _, id := range ids {
		set.Changes = append(set.Changes, &pb.ManifestChange{
			Id:             id,
			Op:             pb.ManifestChange_CREATE,
			Level:          uint32(level),
			EncryptionAlgo: pb.EncryptionAlgo_aes, // as Badger writes it; key 0 means none
			Compression:    uint32(c),
		})
	}
	changes, err := proto.Marshal(set)
	if err != nil {
		return err
	}
	b := slices.Clone(header)
	b = binary.BigEndian.AppendUint32(b, uint32(len(changes)))
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(changes, y.CastagnoliCrcTable))
	b = append(b, changes...)
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// buildTables writes the overlay's entries as tables in dir, numbered
// from first, and returns the IDs of the tables written. The entries are
// cut into key ranges (keyRanges), which parts goroutines take in turn,
// each gathering a range's entries into its own buffer, sorting them and
// writing them as one or more tables with its own tableWriter: sorting
// overlaps writing, and no merge pass is needed. There are more ranges
// than goroutines so that they finish together although ranges differ
// in bytes (heads hold half the values).
func buildTables(dir string, topts table.Options, o *overlay, parts int, first uint64) ([]uint64, error) {
	parts = max(1, parts)
	rs, counts := o.keyRanges(parts * rangesPerWorker)
	defer bigFree(&o.mem, rs)
	largest := slices.Max(counts)
	bufs := make([][]sortEnt, parts)
	for i := range bufs {
		bufs[i] = bigAlloc[sortEnt](&o.mem, largest)
	}
	defer func() {
		for _, b := range bufs {
			bigFree(&o.mem, b)
		}
	}()
	ts := &tableSet{dir: dir}
	ts.next.Store(first)
	var taken atomic.Int64
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() {
			w := newTableWriter(topts)
			for r := int(taken.Add(1) - 1); r < len(counts); r = int(taken.Add(1) - 1) {
				if counts[r] == 0 {
					continue
				}
				part := o.rangeEnts(bufs[i][:0], rs, r)
				if err := o.writeRange(ts, w, part); err != nil {
					if w.f != nil {
						_ = w.f.Close() // the staging directory goes
					}
					ts.fail(err)
					return
				}
			}
		})
	}
	wg.Wait()
	ts.syncs.Wait()
	if err := errors.Join(ts.errs...); err != nil {
		return nil, err
	}
	slices.Sort(ts.ids)
	return ts.ids, nil
}

// tableSet is the tables buildTables writes: it numbers them and syncs
// each file on a goroutine of its own once written, so that the disk
// writes overlap building the next tables.
type tableSet struct {
	dir   string
	next  atomic.Uint64 // the next table's ID
	syncs sync.WaitGroup

	mu   sync.Mutex
	ids  []uint64
	errs []error
}

// create starts w's next table.
func (ts *tableSet) create(w *tableWriter) error {
	id := ts.next.Add(1) - 1
	if err := w.create(table.NewFilename(id, ts.dir)); err != nil {
		return err
	}
	ts.mu.Lock()
	ts.ids = append(ts.ids, id)
	ts.mu.Unlock()
	return nil
}

// finish ends w's table and syncs its file in the background.
func (ts *tableSet) finish(w *tableWriter) error {
	f, err := w.finish()
	if err != nil {
		return err
	}
	ts.syncs.Go(func() {
		if err := errors.Join(f.Sync(), f.Close()); err != nil {
			ts.fail(err)
		}
	})
	return nil
}

func (ts *tableSet) fail(err error) {
	ts.mu.Lock()
	ts.errs = append(ts.errs, err)
	ts.mu.Unlock()
}

// writeRange sorts part, a key range of the overlay's entries, and
// writes it with w as new tables of ts.
func (o *overlay) writeRange(ts *tableSet, w *tableWriter, part []sortEnt) error {
	if len(part) == 0 {
		return nil
	}
	o.sortEnts(part)
	if err := ts.create(w); err != nil {
		return err
	}
	dups := o.appended > 0 // else every key has one entry
	// The entries lie all over the overlay's memory: each batch first
	// loads its entries, the first byte of each key and every cache line
	// of each value, so that their cache misses overlap.
	var batch [prefetch]oent
	var sink byte
	var key []byte
	for len(part) > 0 {
		n := 0
		for len(part) > 0 && n < prefetch {
			// Of the entries of one key, the last is the value.
			if !dups || len(part) == 1 || !o.sameKey(part[0], part[1]) {
				batch[n] = o.ents[part[0].j]
				n++
			}
			part = part[1:]
		}
		for i := range n {
			sink += o.chunks[batch[i].k.c][batch[i].k.off]
			for v := o.bytes(batch[i].v); len(v) > 0; v = v[min(len(v), 64):] {
				sink += v[0]
			}
		}
		for i := range n {
			if w.full() {
				if err := ts.finish(w); err != nil {
					return err
				}
				if err := ts.create(w); err != nil {
					return err
				}
			}
			key = appendKeyVersion1(key[:0], o.bytes(batch[i].k))
			w.add(key, o.bytes(batch[i].v))
		}
	}
	prefetchSink.Add(uint32(sink))
	return ts.finish(w)
}

// keyRanges cuts the overlay's entries into about n key ranges (at most
// 256), at keys sampled from them: entry j is in range rs[j], range r
// holds counts[r] entries, and every key in range r sorts after every key
// of range r-1 (all entries of one key share a range). rs is the
// caller's to bigFree. The ranges' sort entries are not built here but
// by rangeEnts, range by range, into a buffer the caller reuses: an
// array of every entry's would be a quarter of a gigabyte at scale 1,
// touched for the first time late in the import. Finding each range's
// entries in rs takes about as long as the first touch of that array
// did, with an eighth of the memory.
func (o *overlay) keyRanges(n int) (rs []uint8, counts []int) {
	n = min(n, 256) // range numbers are bytes
	o.drain()
	size := len(o.ents)
	var wg sync.WaitGroup
	halves := [3]int{0, size / 2, size}

	// Cut at every len(sample)/n-th of a sorted sample of keys.
	const perRange = 64
	step := max(1, size/(n*perRange))
	var sample []sortEnt
	for j := 0; j < size; j += step {
		sample = append(sample, o.sortEnt(j))
	}
	slices.SortFunc(sample, o.cmpSort)
	var cuts []sortEnt
	for r := 1; r < n && len(sample) > 0; r++ {
		c := sample[r*len(sample)/n]
		if len(cuts) == 0 || o.cmpKey(cuts[len(cuts)-1], c) < 0 {
			cuts = append(cuts, c)
		}
	}
	// rangeOf is the number of cuts at or below e's key: a key equal to
	// a cut goes above it, with every entry of that key.
	rangeOf := func(e sortEnt) int {
		lo, hi := 0, len(cuts)
		for lo < hi {
			m := (lo + hi) / 2
			if o.cmpKey(cuts[m], e) <= 0 {
				lo = m + 1
			} else {
				hi = m
			}
		}
		return lo
	}
	// Each half's entries are counted per range on a core of its own.
	nr := len(cuts) + 1
	rs = bigAlloc[uint8](&o.mem, size)
	half := [2][]int{make([]int, nr), make([]int, nr)}
	for h := range 2 {
		wg.Go(func() {
			for j := halves[h]; j < halves[h+1]; j++ {
				r := rangeOf(o.sortEnt(j))
				rs[j] = uint8(r)
				half[h][r]++
			}
		})
	}
	wg.Wait()
	counts = make([]int, nr)
	for r := range counts {
		counts[r] = half[0][r] + half[1][r]
	}
	return rs, counts
}

// rangeEnts appends the sort entries of key range r to buf, in entry
// order; rs is what keyRanges returned. A range holds one entry in
// len(rs)/len(counts), scattered over the overlay's memory, so each
// batch first finds its entries, then loads their key references and
// then their keys, so that the cache misses of a batch overlap.
func (o *overlay) rangeEnts(buf []sortEnt, rs []uint8, r int) []sortEnt {
	var js [prefetch]int
	var ks [prefetch]oref
	for j := 0; ; {
		n := 0
		for ; n < prefetch; n++ {
			i := bytes.IndexByte(rs[j:], byte(r))
			if i < 0 {
				break
			}
			js[n] = j + i
			j += i + 1
		}
		for i := range n {
			ks[i] = o.ents[js[i]].k
		}
		for i := range n {
			buf = append(buf, keySortEnt(o.bytes(ks[i]), js[i]))
		}
		if n < prefetch {
			return buf
		}
	}
}

// rangesPerWorker is how many key ranges buildTables cuts per worker
// (8: the build phase took 1.27-1.33 s at scale 1, against 1.36-1.72 s
// with 4 and 1.30-1.69 s with 16, three imports each, alternating).
const rangesPerWorker = 8

// appendKeyVersion1 appends k as Badger stores it at version 1 (what
// y.KeyWithTs(k, 1) returns): the key, then MaxUint64 - 1, big-endian.
func appendKeyVersion1(b, k []byte) []byte {
	return binary.BigEndian.AppendUint64(append(b, k...), math.MaxUint64-1)
}

// prefetch is how many entries buildTables loads ahead.
const prefetch = 32

// prefetchSink keeps the compiler from dropping buildTables' loads ahead.
var prefetchSink atomic.Uint32
