package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/chipgraph/chipgraph/graph"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/ristretto/v2/z"
	"google.golang.org/protobuf/encoding/protowire"
)

// This file holds the bulk import: an import into a store that holds no
// records runs the same writer over an in-memory overlay instead of a
// chain of Badger transactions, sorts what it wrote and streams it into
// Badger's bottom level with a StreamWriter. That skips the write-ahead
// log, the memtables and every compaction, which dominate a large
// chunked import (and slow it down as the tree grows). The keys and
// values are the ones a chunked import writes, byte for byte: the
// overlay even reproduces where the chunked import's transactions would
// fill up, because conflicts are recomputed at each chunk's end.
//
// Crash safety: nothing reaches Badger until every record has been
// applied. Before the stream starts, a marker file is written and synced
// in the store directory; it goes once the stream is flushed and synced.
// Open finds a marker left by a crash and drops everything (the store
// held no records before the bulk import), so an interrupted bulk import
// leaves an empty store.

// bulkMarker is the name of the marker file of a bulk import in progress.
const bulkMarker = "CHIPGRAPH-BULK-IMPORT"

// bulkEligible reports whether an import of n records takes the bulk
// path: n is at least Store.bulkMin and the store holds nothing but meta
// keys (no record, not even an aborted one).
func (s *Store) bulkEligible(n int) bool {
	if s.noBulk || n < s.bulkMin {
		return false
	}
	txn := s.db.NewTransaction(false)
	defer txn.Discard()
	it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: false})
	defer it.Close()
	it.Seek([]byte{tagMeta + 1})
	return !it.Valid()
}

// bulkRun is a bulk import in progress (see bulkEligible): each record
// is prechecked and applied as it comes, into the overlay; nothing
// reaches Badger before finish. Its chunks end where a chunked import's
// would (applyChunked), so both write the same conflict times.
type bulkRun struct {
	w        *writer
	pre      *prechecker
	n        int // records added
	progress func(done int)
}

// startBulk starts a bulk import of about n records (0: not known).
// Sizing the overlay for them saved 1.4 s of growing it at scale 1.
func (s *Store) startBulk(ctx context.Context, by string, n int, progress func(done int)) *bulkRun {
	w := s.newWriter(ctx, by, true)
	w.txn.Discard()
	// A record writes about 8.3 keys (measured: scale-1 generated data).
	w.mem = newOverlay(s.db, 9*max(n, s.bulkMin))
	w.prechecked = true
	w.entities = map[string]keyEntry{}
	w.slab = &slab{mem: w.mem}
	w.res.Keys = make([]string, 0, max(n, s.bulkMin)) // one per record
	// A record takes at most one ID: lease them in one block (or a few,
	// if n is short). Each lease of the store's 1,000 is a Badger write
	// the applying goroutine waits for (scale 1: about 900 of them).
	s.leaseIDs(uint64(max(n, s.bulkMin) + n/8))
	pre := s.newPrechecker()
	pre.p.mem = w.mem
	pre.p.w = w
	return &bulkRun{w: w, pre: pre, progress: progress}
}

// add checks and applies the next record.
func (b *bulkRun) add(r *graph.Record) error {
	i := b.n
	b.n++
	if err := b.pre.check(r); err != nil {
		return recordError(r, i, err)
	}
	if err := b.w.apply(r); err != nil {
		return recordError(r, i, err)
	}
	if b.w.ops >= importChunkOps {
		if err := b.w.commitChunk(); err != nil {
			return err
		}
		if b.progress != nil {
			b.progress(i + 1)
		}
	}
	b.w.slab.endRecord()
	return nil
}

// addAll checks and applies recs, in order.
func (b *bulkRun) addAll(recs []graph.Record) error {
	for i := range recs {
		if err := b.add(&recs[i]); err != nil {
			return err
		}
	}
	return nil
}

// finish writes everything added into the store and publishes it.
func (b *bulkRun) finish() (*graph.WriteResult, error) {
	b.pre.close()
	b.pre = nil // its maps go before the sort and the stream
	if err := b.w.finish(); err != nil {
		return nil, err
	}
	if b.progress != nil {
		b.progress(b.n)
	}
	b.w.s.publish(b.w.last)
	return b.w.res, nil
}

// discard frees what the run holds; after finish or instead of it.
func (b *bulkRun) discard() {
	if b.pre != nil {
		b.pre.close()
	}
	b.w.mem.release()
	b.w.s.leaseIDs(idLease) // after a failure (finish did it otherwise)
}

// streamOverlay replaces the store's content (meta keys only; see
// bulkEligible) with the overlay plus those meta keys, and syncs it.
func (s *Store) streamOverlay(ctx context.Context, o *overlay) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	// The ID sequence writes its lease under a meta key: release it, so
	// that the key holds the next free ID, and stream that.
	if err := s.seq.Release(); err != nil {
		return fmt.Errorf("bulk import: release id sequence: %w", err)
	}
	s.seq = nil
	defer func() {
		seq, serr := s.db.GetSequence(metaKey("seq"), idLease)
		if serr != nil {
			err = errors.Join(err, fmt.Errorf("bulk import: id sequence: %w", serr))
		}
		s.seq, s.seqLease = seq, idLease
	}()
	// The meta keys stay unless the import changed them.
	meta := map[string][]byte{}
	if err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{tagMeta}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			meta[string(it.Item().Key())] = v
		}
		return nil
	}); err != nil {
		return err
	}
	for k, v := range meta {
		if !o.has([]byte(k)) {
			o.set([]byte(k), v)
		}
	}
	// Tables built here sort key range by key range as they are built;
	// a stream takes every key in order.
	tables := s.exclusive && s.dir != "" && len(s.db.Opts().EncryptionKey) == 0
	var order []uint32
	if tables {
		o.drain() // while gnext is there to grow
	} else {
		order = o.sorted()
	}
	bigFree(&o.mem, o.slots)
	bigFree(&o.mem, o.gslots)
	bigFree(&o.mem, o.gnext)
	o.slots, o.gslots, o.gnext = nil, nil, nil
	if err := s.setBulkMarker(); err != nil {
		return err
	}
	if tables {
		err = s.installTables(o, s.streams(len(o.ents)))
	} else {
		err = s.stream(o, order)
	}
	if errors.Is(err, errStoreClosed) {
		return err
	}
	if err != nil {
		// Leave the store as it was: empty, with its meta keys.
		if rerr := s.rollbackBulk(meta); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	return s.clearBulkMarker()
}

// stream writes the overlay's entries in order with a StreamWriter,
// which first drops everything in the store. The sorted entries are cut
// into one contiguous key range per core, each written as its own
// stream: Badger builds the tables of different streams in parallel.
func (s *Store) stream(o *overlay, order []uint32) error {
	sw := s.db.NewStreamWriter()
	if err := sw.Prepare(); err != nil {
		sw.Cancel()
		return fmt.Errorf("bulk import: %w", err)
	}
	parts := s.streams(len(order))
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for i := range parts {
		lo, hi := i*len(order)/parts, (i+1)*len(order)/parts
		wg.Go(func() { errs[i] = streamRange(sw, o, order[lo:hi], uint32(i+1)) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		sw.Cancel()
		return fmt.Errorf("bulk import: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("bulk import: %w", err)
	}
	return nil
}

// streams is how many key ranges a bulk import of n keys writes in
// parallel: one per core, each of at least streamMinKeys keys (or
// bulkStreams).
func (s *Store) streams(n int) int {
	if s.bulkStreams > 0 {
		return s.bulkStreams
	}
	return max(1, min(runtime.GOMAXPROCS(0), n/streamMinKeys))
}

// streamMinKeys is the fewest keys a stream of a bulk import gets.
const streamMinKeys = 100_000

// streamRange writes the entries of order, a sorted key range disjoint
// from every other stream's, as stream id.
func streamRange(sw *badger.StreamWriter, o *overlay, order []uint32, id uint32) error {
	const batch = 16 << 20
	buf := z.NewBuffer(1<<20, "chipgraph.bulk")
	defer func() { buf.Release() }()
	for _, j := range order {
		appendKV(buf, o.bytes(o.ents[j].k), o.bytes(o.ents[j].v), 1, id)
		if buf.LenNoPadding() >= batch {
			if err := sw.Write(buf); err != nil {
				return err
			}
			buf.Reset()
		}
	}
	return sw.Write(buf)
}

// appendKV appends a pb.KV of key, value, version and stream id to buf
// as badger.KVToBuffer does, without its reflective protobuf encoder
// (4 s of CPU at scale 1): field 1 key, 2 value, 4 version, 10 stream
// id, empty and zero fields left out.
func appendKV(buf *z.Buffer, key, value []byte, version uint64, stream uint32) {
	n := 0
	if len(key) > 0 {
		n += protowire.SizeTag(1) + protowire.SizeBytes(len(key))
	}
	if len(value) > 0 {
		n += protowire.SizeTag(2) + protowire.SizeBytes(len(value))
	}
	if version != 0 {
		n += protowire.SizeTag(4) + protowire.SizeVarint(version)
	}
	if stream != 0 {
		n += protowire.SizeTag(10) + protowire.SizeVarint(uint64(stream))
	}
	b := buf.SliceAllocate(n)[:0]
	if len(key) > 0 {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, key)
	}
	if len(value) > 0 {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, value)
	}
	if version != 0 {
		b = protowire.AppendTag(b, 4, protowire.VarintType)
		b = protowire.AppendVarint(b, version)
	}
	if stream != 0 {
		b = protowire.AppendTag(b, 10, protowire.VarintType)
		protowire.AppendVarint(b, uint64(stream))
	}
}

// rollbackBulk empties the store after a failed stream and writes back
// the meta keys it held before.
func (s *Store) rollbackBulk(meta map[string][]byte) error {
	if err := s.db.DropAll(); err != nil {
		return fmt.Errorf("bulk import rollback: %w", err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error {
		for k, v := range meta {
			if err := txn.Set([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("bulk import rollback: %w", err)
	}
	if err := s.sync(); err != nil {
		return err
	}
	return s.clearBulkMarker()
}

func (s *Store) setBulkMarker() error {
	if s.dir == "" {
		return nil
	}
	name := filepath.Join(s.dir, bulkMarker)
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("bulk import marker: %w", err)
	}
	_, err = f.WriteString("a bulk import into this empty store was in progress; Open empties the store\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(s.dir)
	}
	if err != nil {
		return fmt.Errorf("bulk import marker: %w", err)
	}
	return nil
}

func (s *Store) clearBulkMarker() error {
	if s.dir == "" {
		return nil
	}
	if err := os.Remove(filepath.Join(s.dir, bulkMarker)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("bulk import marker: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("bulk import marker: %w", err)
	}
	return nil
}

// recoverBulk runs at Open: a marker left by a crashed bulk import means
// the store held no records before it, so everything goes.
func (s *Store) recoverBulk() error {
	if s.dir == "" {
		return nil
	}
	if err := os.RemoveAll(filepath.Join(s.dir, bulkStage)); err != nil {
		return fmt.Errorf("open store: remove an interrupted bulk import's tables: %w", err)
	}
	if _, err := os.Stat(filepath.Join(s.dir, bulkMarker)); errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if err := s.db.DropAll(); err != nil {
		return fmt.Errorf("open store: roll back an interrupted bulk import: %w", err)
	}
	if err := s.db.Sync(); err != nil {
		return err
	}
	return s.clearBulkMarker()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}

// overlay is the in-memory store of a bulk import: every key written,
// with its value, plus the keys under each prefix the writer scans. It
// holds millions of small keys, so it keeps them out of the garbage
// collector's way: keys and values are copied into large byte chunks and
// found through an open-addressing table of entry numbers, with no
// pointer per key. Its arrays live outside the Go heap (bigMem) until
// release.
//
// Most keys a bulk import writes are never read back (the log, the
// search and typo postings, the by-source index of a file that retracts
// nothing), and finding a key's slot in a table far larger than the CPU
// caches costs a miss per key. So the table and the scan groups take a
// tag's keys (their first byte) only from the first read of one of them
// on: until then, set appends an entry without looking, and a key set
// again gets a second entry. The later entry wins: indexing a tag skips
// the earlier one, and scan and sorted drop it.
type overlay struct {
	mem    bigMem
	chunks [][]byte
	ents   []oent
	// slots hold the top 32 bits of an entry's hash and its index + 1
	// (low 32 bits; 0 is free), so that most probes of other keys read
	// no entry. nslot counts the entries in it.
	slots []uint64
	nslot int
	seed  maphash.Seed
	// The entries under each scan prefix (see groupPrefix) form a list:
	// gslots, a table like slots, holds the hash and index + 1 of each
	// prefix's last entry, and gnext links each entry to the one before
	// it under its prefix (index + 1; 0 ends the list).
	gslots []uint64
	gnext  []uint32
	ngroup int
	// indexed[t] means that slots hold the keys of tag t; grouped[t],
	// that the scan groups list them. unindexed[t] counts the entries of
	// tag t appended before (and not in slots: their hash is 0);
	// appended, every entry appended without a lookup.
	indexed, grouped [256]bool
	unindexed        [256]int
	appended         int
	// bg, when not nil, copies the entries of tags neither indexed nor
	// grouped on another goroutine (see appender); drain brings them in.
	bg *appender

	// A chunked import's transaction accounting (Badger's Txn.checkSize),
	// so that the bulk import recomputes conflicts at the same points.
	count, size       int64
	maxCount, maxSize int64
	threshold         int64
}

// oent is one key of the overlay; its value is the last one written.
// Its hash is 0 while it is not in slots (see hashKey).
type oent struct {
	hash uint64
	k, v oref
}

// oref locates bytes in the overlay's chunks.
type oref struct{ c, off, n uint32 }

const overlayChunk = 64 << 20

// newOverlay returns an empty overlay for about n keys.
func newOverlay(db *badger.DB, n int) *overlay {
	o := &overlay{seed: maphash.MakeSeed(),
		maxCount: db.MaxBatchCount(), maxSize: db.MaxBatchSize(), threshold: db.Opts().ValueThreshold}
	o.ents = bigAlloc[oent](&o.mem, n)[:0]
	// A quarter of the keys: a generated scale-1 import reads back the
	// tags of one key in eight (the key index, URLs, typo words), an
	// export's more; the table grows if need be.
	o.slots = bigAlloc[uint64](&o.mem, tableSize(n/4))
	o.gnext = bigAlloc[uint32](&o.mem, n)
	// About one scan group per 17 keys (measured: scale-1 generated data).
	o.gslots = bigAlloc[uint64](&o.mem, tableSize(n/16))
	o.newChunk()
	o.startAppender()
	return o
}

// tableSize is the size of an open-addressing table (slots, gslots) for
// n entries: a power of two, at least 1024, at most three quarters full.
func tableSize(n int) int {
	size := 1024
	for size*3 < n*4 {
		size *= 2
	}
	return size
}

// insertSlot puts s, a slot of a key hashing to h, in the first free
// slot of table from h's.
func insertSlot(table []uint64, h, s uint64) {
	mask := uint64(len(table) - 1)
	i := h & mask
	for table[i] != 0 {
		i = (i + 1) & mask
	}
	table[i] = s
}

// store copies b into the chunks.
func (o *overlay) store(b []byte) oref {
	if len(b) == 0 {
		return oref{}
	}
	last := len(o.chunks) - 1
	if last < 0 || cap(o.chunks[last])-len(o.chunks[last]) < len(b) {
		// Chunks double from 1 MiB, so a small import stays small.
		size := min(1<<(20+len(o.chunks)), overlayChunk)
		o.chunks = append(o.chunks, bigAlloc[byte](&o.mem, max(size, len(b)))[:0])
		last++
	}
	c := o.chunks[last]
	r := oref{uint32(last), uint32(len(c)), uint32(len(b))}
	o.chunks[last] = append(c, b...)
	return r
}

// bytes returns the bytes r locates; appending to them copies.
func (o *overlay) bytes(r oref) []byte {
	if r.n == 0 {
		return nil
	}
	return o.chunks[r.c][r.off : r.off+r.n : r.off+r.n]
}

// hashKey returns k's hash, never 0 (which marks entries not in slots).
func (o *overlay) hashKey(k []byte) uint64 {
	if h := maphash.Bytes(o.seed, k); h != 0 {
		return h
	}
	return 1
}

// tagOf returns the tag of key k, which selects whether it is indexed.
func tagOf(k []byte) byte {
	if len(k) == 0 {
		return 0
	}
	return k[0]
}

// lookup returns the entry of k, -1 if none, after indexing k's tag.
func (o *overlay) lookup(k []byte) int {
	if t := tagOf(k); !o.indexed[t] {
		o.index(t)
	}
	j, _ := o.find(k, o.hashKey(k))
	return j
}

// index puts the entries of tag t in slots, the later of two entries of
// one key winning, and every later key of tag t as it is set.
func (o *overlay) index(t byte) {
	o.indexed[t] = true
	if o.unindexed[t] == 0 {
		return
	}
	o.unindexed[t] = 0
	o.drain()
	for j := range o.ents {
		e := &o.ents[j]
		if e.hash != 0 {
			continue
		}
		k := o.bytes(e.k)
		if tagOf(k) != t {
			continue
		}
		h := o.hashKey(k)
		i, slot := o.find(k, h)
		if i >= 0 {
			o.ents[i].hash = 0 // out of slots for good: its tag is indexed
		} else {
			o.nslot++
		}
		e.hash = h
		o.slots[slot] = slotOf(h, j)
		if o.nslot*4 > len(o.slots)*3 {
			o.grow()
		}
	}
}

// find returns the entry of k (-1 if none) and its slot or the free slot
// where it would go; k hashes to h.
func (o *overlay) find(k []byte, h uint64) (int, int) {
	mask := uint64(len(o.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := o.slots[i]
		if s == 0 {
			return -1, int(i)
		}
		if s>>32 != h>>32 {
			continue
		}
		if j := uint32(s) - 1; string(o.bytes(o.ents[j].k)) == string(k) {
			return int(j), int(i)
		}
	}
}

// release frees the overlay's memory; it is unusable afterwards.
func (o *overlay) release() {
	if o.bg != nil {
		o.bg.stop()
	}
	o.mem.release()
	*o = overlay{}
}

func (o *overlay) grow() {
	bigFree(&o.mem, o.slots)
	o.slots = bigAlloc[uint64](&o.mem, 2*len(o.slots))
	for j := range o.ents {
		if h := o.ents[j].hash; h != 0 {
			insertSlot(o.slots, h, slotOf(h, j))
		}
	}
}

// slotOf is the slot of entry j, whose key hashes to h.
func slotOf(h uint64, j int) uint64 { return h>>32<<32 | uint64(j+1) }

// newChunk starts the accounting of a new transaction (Badger counts
// its commit marker up front).
func (o *overlay) newChunk() { o.count, o.size = 1, int64(len("!badger!txn")+10) }

func (o *overlay) estimate(k []byte, vlen int) int64 {
	if int64(vlen) < o.threshold {
		return int64(len(k)+vlen+2) + 10
	}
	return int64(len(k)+12+2) + 10
}

// fits reports whether a chunked import's transaction could take one
// more write of key k and a value of vlen bytes.
func (o *overlay) fits(k []byte, vlen int) bool {
	return o.count+1 < o.maxCount && o.size+o.estimate(k, vlen) < o.maxSize
}

// groupPrefix returns the length of the scan prefix a key is listed
// under, or 0: versions by record (tag|id), outgoing edges by subject and
// predicate (inConflict), by-source keys by source and type (citing).
func groupPrefix(k []byte) int {
	switch {
	case len(k) == 17 && k[0] >= tagEntity && k[0] <= tagClaim:
		return 9
	case len(k) == 19 && k[0] == tagOut:
		return 11
	case len(k) == 18 && k[0] == tagBySource:
		return 10
	}
	return 0
}

// isGroupPrefix reports whether the overlay lists the keys under p.
func isGroupPrefix(p []byte) bool {
	switch len(p) {
	case 9:
		return p[0] >= tagEntity && p[0] <= tagClaim
	case 11:
		return p[0] == tagOut
	case 10:
		return p[0] == tagBySource
	}
	return false
}

func (o *overlay) set(k, v []byte) {
	o.count++
	o.size += o.estimate(k, len(v))
	t := tagOf(k)
	if !o.indexed[t] {
		o.unindexed[t]++
		o.appended++
		if o.bg != nil && !o.grouped[t] {
			o.bg.add(k, v)
			return
		}
		o.add(k, v, 0)
		return
	}
	h := o.hashKey(k)
	j, slot := o.find(k, h)
	if j >= 0 {
		o.ents[j].v = o.store(v)
		return
	}
	j = o.add(k, v, h)
	o.slots[slot] = slotOf(h, j)
	o.nslot++
	if o.nslot*4 > len(o.slots)*3 {
		o.grow()
	}
}

// add appends an entry for k and v, whose hash is h (0: not in slots),
// lists it under its scan prefix if its tag is grouped, and returns it.
func (o *overlay) add(k, v []byte, h uint64) int {
	j := len(o.ents)
	if j == cap(o.ents) {
		ents := append(bigAlloc[oent](&o.mem, max(1024, 2*j))[:0], o.ents...)
		bigFree(&o.mem, o.ents)
		o.ents = ents
	}
	if j >= len(o.gnext) {
		gnext := bigAlloc[uint32](&o.mem, cap(o.ents))
		copy(gnext, o.gnext)
		bigFree(&o.mem, o.gnext)
		o.gnext = gnext
	}
	o.ents = append(o.ents, oent{hash: h, k: o.store(k), v: o.store(v)})
	if n := groupPrefix(k); n > 0 && o.grouped[k[0]] {
		o.addToGroup(k[:n], j)
	}
	return j
}

// groupTag lists the entries of tag t under their scan prefixes, and
// every later one as it is added.
func (o *overlay) groupTag(t byte) {
	o.grouped[t] = true
	o.drain()
	for j := range o.ents {
		k := o.bytes(o.ents[j].k)
		if tagOf(k) != t {
			continue
		}
		if n := groupPrefix(k); n > 0 {
			o.addToGroup(k[:n], j)
		}
	}
}

// findGroup returns the slot in gslots of the scan prefix p, which hashes
// to h, or the free slot where it would go.
func (o *overlay) findGroup(p []byte, h uint64) int {
	mask := uint64(len(o.gslots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := o.gslots[i]
		if s == 0 {
			return int(i)
		}
		if s>>32 != h>>32 {
			continue
		}
		if k := o.bytes(o.ents[uint32(s)-1].k); len(k) >= len(p) && string(k[:len(p)]) == string(p) {
			return int(i)
		}
	}
}

// addToGroup lists entry j under its scan prefix p.
func (o *overlay) addToGroup(p []byte, j int) {
	if len(o.gslots) == 0 {
		o.gslots = bigAlloc[uint64](&o.mem, 1024)
	}
	h := maphash.Bytes(o.seed, p)
	i := o.findGroup(p, h)
	if s := o.gslots[i]; s != 0 {
		o.gnext[j] = uint32(s)
	} else {
		o.gnext[j] = 0
		o.ngroup++
	}
	o.gslots[i] = slotOf(h, j)
	if o.ngroup*4 > len(o.gslots)*3 {
		old := o.gslots
		o.gslots = bigAlloc[uint64](&o.mem, 2*len(old))
		for _, s := range old {
			if s != 0 {
				k := o.bytes(o.ents[uint32(s)-1].k)
				insertSlot(o.gslots, maphash.Bytes(o.seed, k[:groupPrefix(k)]), s)
			}
		}
		bigFree(&o.mem, old)
	}
}

// group returns the entries under the scan prefix p.
func (o *overlay) group(p []byte) []uint32 {
	if !o.grouped[p[0]] {
		o.groupTag(p[0])
	}
	if len(o.gslots) == 0 {
		return nil
	}
	var idx []uint32
	for s := uint32(o.gslots[o.findGroup(p, maphash.Bytes(o.seed, p))]); s != 0; s = o.gnext[s-1] {
		idx = append(idx, s-1)
	}
	return idx
}

// get returns a key's value, nil when absent or empty (as Badger's
// ValueCopy returns an empty value).
func (o *overlay) get(k []byte) []byte {
	j := o.lookup(k)
	if j < 0 {
		return nil
	}
	return o.bytes(o.ents[j].v)
}

func (o *overlay) has(k []byte) bool { return o.lookup(k) >= 0 }

func (o *overlay) cmp(a, b uint32) int {
	return bytes.Compare(o.bytes(o.ents[a].k), o.bytes(o.ents[b].k))
}

// scan calls fn for the keys under prefix in order.
func (o *overlay) scan(prefix []byte, fn func(k, v []byte) error) error {
	var idx []uint32
	if isGroupPrefix(prefix) {
		idx = o.group(prefix)
	} else {
		o.drain()
		for j := range o.ents {
			if bytes.HasPrefix(o.bytes(o.ents[j].k), prefix) {
				idx = append(idx, uint32(j))
			}
		}
	}
	// Entries of one key sort by age; the last holds its value.
	slices.SortFunc(idx, func(a, b uint32) int { return cmp.Or(o.cmp(a, b), cmp.Compare(a, b)) })
	for i, j := range idx {
		k := o.bytes(o.ents[j].k)
		if i+1 < len(idx) && string(k) == string(o.bytes(o.ents[idx[i+1]].k)) {
			continue
		}
		if err := fn(k, o.bytes(o.ents[j].v)); err != nil {
			return err
		}
	}
	return nil
}

// loadVersion is loadVersion (read.go) over the overlay.
func (o *overlay) loadVersion(sn snapshot, tag byte, id uint64, v any) (bool, error) {
	if b := o.get(headKey(tag, id)); len(b) >= 8 && sn.sees(binary.BigEndian.Uint64(b)) {
		return true, unmarshalVersion(b[8:], v)
	}
	from := string(versionKey(tag, id, sn.ts))
	found := false
	err := o.scan(versionPrefix(tag, id), func(k, b []byte) error {
		if found || string(k) < from {
			return nil
		}
		_, _, vts, err := parseVersionKey(k)
		if err != nil || !sn.sees(vts) {
			return err
		}
		found = true
		return unmarshalVersion(b, v)
	})
	return found, err
}

// sorted returns the overlay's entries in key order, sorting on every
// core.
func (o *overlay) sorted() []uint32 { return o.sortedIn(runtime.GOMAXPROCS(0)) }

// sortEnt is an entry in the sort: the first 24 bytes of its key
// (big-endian, zero-padded) sit inline, so that most comparisons read no
// key bytes. 16 bytes left ties among search and edge keys, whose IDs
// start with zero bytes: o.cmp took 1.9 s of a scale-1 sort.
type sortEnt struct {
	hi, mid, lo uint64
	j           uint32
}

func (o *overlay) cmpSort(a, b sortEnt) int {
	if a.hi != b.hi {
		return cmp.Compare(a.hi, b.hi)
	}
	if a.mid != b.mid {
		return cmp.Compare(a.mid, b.mid)
	}
	if a.lo != b.lo {
		return cmp.Compare(a.lo, b.lo)
	}
	// Entries of one key (see overlay) sort by age.
	return cmp.Or(o.cmp(a.j, b.j), cmp.Compare(a.j, b.j))
}

// cmpKey compares the keys of a and b: cmpSort without the age.
func (o *overlay) cmpKey(a, b sortEnt) int {
	if c := o.cmpSort(a, b); c != 0 && !o.sameKey(a, b) {
		return c
	}
	return 0
}

// sameKey reports whether a and b, neighbours in the sort, are entries of
// one key.
func (o *overlay) sameKey(a, b sortEnt) bool {
	return a.hi == b.hi && a.mid == b.mid && a.lo == b.lo && o.cmp(a.j, b.j) == 0
}

// sortEnt returns the sort entry of entry j.
func (o *overlay) sortEnt(j int) sortEnt { return keySortEnt(o.bytes(o.ents[j].k), j) }

// keySortEnt returns the sort entry of entry j, whose key is k.
func keySortEnt(k []byte, j int) sortEnt {
	if len(k) < 24 {
		var pad [24]byte
		copy(pad[:], k)
		k = pad[:]
	}
	return sortEnt{binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(k[8:]), binary.BigEndian.Uint64(k[16:]), uint32(j)}
}

// sortedIn sorts the entries in runs parts in parallel and merges them;
// of the entries of one key, only the last is kept. The result lives as
// long as the overlay.
func (o *overlay) sortedIn(runs int) []uint32 {
	o.drain()
	n := len(o.ents)
	ents := bigAlloc[sortEnt](&o.mem, n)
	defer func() { bigFree(&o.mem, ents) }()
	for j := range o.ents {
		ents[j] = o.sortEnt(j)
	}
	runs = max(1, min(runs, n/4096)) // tiny overlays sort in one run
	bounds := make([]int, runs+1)
	for i := range bounds {
		bounds[i] = i * n / runs
	}
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() { o.sortEnts(ents[bounds[i]:bounds[i+1]]) })
	}
	wg.Wait()
	// Merge neighbouring runs pairwise, in parallel, until two are left.
	var buf []sortEnt
	if len(bounds) > 3 {
		buf = bigAlloc[sortEnt](&o.mem, n)
		defer func() { bigFree(&o.mem, buf) }()
	}
	for len(bounds) > 3 {
		var next []int
		for i := 0; i+1 < len(bounds); i += 2 {
			next = append(next, bounds[i])
			if i+2 >= len(bounds) { // an odd run out: copied as it is
				copy(buf[bounds[i]:bounds[i+1]], ents[bounds[i]:bounds[i+1]])
				continue
			}
			lo, mid, hi := bounds[i], bounds[i+1], bounds[i+2]
			wg.Go(func() {
				dst := buf[lo:lo]
				o.merge(ents[lo:mid], ents[mid:hi], func(e sortEnt) { dst = append(dst, e) })
			})
		}
		wg.Wait()
		bounds = append(next, n)
		ents, buf = buf, ents
	}
	out := bigAlloc[uint32](&o.mem, n)[:0]
	if len(bounds) == 2 {
		return o.mergeLatest(out, ents, nil)
	}
	return o.mergeLatest(out, ents[:bounds[1]], ents[bounds[1]:])
}

// mergeLatest appends the indexes of the merge of the sorted runs a and
// b to dst, keeping the last of the entries of one key.
func (o *overlay) mergeLatest(dst []uint32, a, b []sortEnt) []uint32 {
	dups := o.appended > 0 // else every key has one entry
	var last sortEnt
	o.merge(a, b, func(e sortEnt) {
		if dups && len(dst) > 0 && o.sameKey(last, e) {
			dst[len(dst)-1] = e.j
		} else {
			dst = append(dst, e.j)
		}
		last = e
	})
	return dst
}

// merge calls emit with the entries of the sorted runs a and b in order.
func (o *overlay) merge(a, b []sortEnt, emit func(sortEnt)) {
	for len(a) > 0 && len(b) > 0 {
		if o.cmpSort(a[0], b[0]) <= 0 {
			emit(a[0])
			a = a[1:]
		} else {
			emit(b[0])
			b = b[1:]
		}
	}
	for _, e := range a {
		emit(e)
	}
	for _, e := range b {
		emit(e)
	}
}

// appender copies entries into an overlay of its own on another
// goroutine, for a bulk import's overlay: the keys it does not look up
// (see overlay) need no more than a copy into its chunks, which costs
// the import's one writing goroutine 1 s at scale 1 (most of it cache
// misses on fresh memory) while the second core waits for it. The
// writer gives set keys and values it never changes afterwards (as a
// Badger transaction requires), so add only queues them.
type appender struct {
	o     *overlay      // the entries copied (only ents, chunks and mem)
	queue chan [][]byte // key, value, key, value...; nil asks for a sync
	free  chan [][]byte
	sync  chan struct{}
	done  chan struct{}
	batch [][]byte
	// sent counts the batches queued, copied those copied: the keys and
	// values of the first copied batches are in the appender's chunks,
	// so their bytes can change (the writer's slab reuses them).
	sent   uint64
	copied atomic.Uint64
}

// appendBatch is how many keys and values the appender takes at a time.
// The appender copies a batch faster than the writer fills one, then
// waits: each batch wakes it, and on this kind of VM a goroutine woken
// on an idle core starts late (a runtime trace showed the appender woken
// every 0.3 ms with batches of 1,024 entries). The queue holds 8 of
// them: as many entries (65,536) as 64 batches of 1,024 did, so that the
// writer's slab blocks wait no longer for the copy before their reuse
// (TestSlabReuse).
const appendBatch = 16 * 1024

// startAppender starts o's appender; o then copies the entries of tags
// neither indexed nor grouped on its goroutine.
func (o *overlay) startAppender() {
	a := &appender{o: &overlay{}, queue: make(chan [][]byte, 8), free: make(chan [][]byte, 8),
		sync: make(chan struct{}), done: make(chan struct{})}
	a.o.ents = bigAlloc[oent](&a.o.mem, max(1024, cap(o.ents)))[:0]
	go a.run()
	o.bg = a
}

func (a *appender) run() {
	defer close(a.done)
	for b := range a.queue {
		if b == nil {
			a.sync <- struct{}{}
			continue
		}
		o := a.o
		for i := 0; i+1 < len(b); i += 2 {
			if len(o.ents) == cap(o.ents) {
				ents := append(bigAlloc[oent](&o.mem, max(1024, 2*len(o.ents)))[:0], o.ents...)
				bigFree(&o.mem, o.ents)
				o.ents = ents
			}
			o.ents = append(o.ents, oent{k: o.store(b[i]), v: o.store(b[i+1])})
		}
		a.copied.Add(1)
		clear(b)
		select {
		case a.free <- b[:0]:
		default:
		}
	}
}

// add queues the entry of k and v.
func (a *appender) add(k, v []byte) {
	if a.batch == nil {
		select {
		case a.batch = <-a.free:
		default:
			a.batch = make([][]byte, 0, appendBatch)
		}
	}
	a.batch = append(a.batch, k, v)
	if len(a.batch) == cap(a.batch) {
		a.queue <- a.batch
		a.sent++
		a.batch = nil
	}
}

// batchesQueued returns how many batches of the appender must be copied
// before the keys and values set so far are in the overlay's chunks.
func (o *overlay) batchesQueued() uint64 {
	if o == nil || o.bg == nil {
		return 0
	}
	if len(o.bg.batch) > 0 {
		return o.bg.sent + 1 // the batch being filled too
	}
	return o.bg.sent
}

// batchesCopied returns how many batches the appender has copied; at
// least batchesQueued once drain has returned.
func (o *overlay) batchesCopied() uint64 {
	if o == nil || o.bg == nil {
		return 0
	}
	return o.bg.copied.Load()
}

// drain appends to o's entries, in order, every entry its appender took.
func (o *overlay) drain() {
	a := o.bg
	if a == nil {
		return
	}
	if len(a.batch) > 0 {
		a.queue <- a.batch
		a.sent++
		a.batch = nil
	}
	a.queue <- nil
	<-a.sync
	// The appender waits for the next batch: its overlay is o's now.
	b := a.o
	if len(b.ents) == 0 {
		return
	}
	if need := len(o.ents) + len(b.ents); need > cap(o.ents) {
		ents := append(bigAlloc[oent](&o.mem, max(need, 2*len(o.ents)))[:0], o.ents...)
		bigFree(&o.mem, o.ents)
		o.ents = ents
	}
	if len(o.gnext) < cap(o.ents) {
		gnext := bigAlloc[uint32](&o.mem, cap(o.ents))
		copy(gnext, o.gnext)
		bigFree(&o.mem, o.gnext)
		o.gnext = gnext
	}
	base := uint32(len(o.chunks))
	for _, e := range b.ents {
		e.k.c += base
		e.v.c += base
		o.ents = append(o.ents, e)
	}
	// The chunks change hands; the appender starts new ones.
	for _, c := range b.chunks {
		bigMove(&o.mem, &b.mem, c)
	}
	o.chunks = append(o.chunks, b.chunks...)
	b.chunks = nil
	b.ents = b.ents[:0]
}

// stop ends the appender's goroutine and frees what it holds.
func (a *appender) stop() {
	a.batch = nil
	close(a.queue)
	<-a.done
	a.o.mem.release()
}
