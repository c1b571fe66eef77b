package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	badger "github.com/dgraph-io/badger/v4"
)

// FormatVersion is written under the meta key "format" when a store is
// created and checked at every open. Change it with any key or value
// layout change, together with a migration.
const FormatVersion = "chipgraph-store/2"

// Options configure Open.
type Options struct {
	// InMemory keeps everything in memory (tests); Dir is then ignored.
	InMemory bool
	// NoSync turns off the fsync after every write. Off by default: a
	// write acknowledged to a client survives a crash.
	NoSync bool
	// Logger receives Badger's warnings and errors; nil discards them.
	Logger *log.Logger
	// CacheEntries bounds the decoded-record cache of entities and
	// sources (0: DefaultCacheEntries).
	CacheEntries int
	// CacheBytes sizes the cache of stored statement and claim versions
	// (0: DefaultCacheBytes; negative: none), and with it the cache of
	// index lists (an entry per 128 bytes).
	CacheBytes int
	// MemTableBytes sizes Badger's memtable (0: DefaultMemTableBytes). A
	// write transaction holds at most 15% of it, which bounds the largest
	// batch a mutation can write; imports commit in chunks below that.
	MemTableBytes int
	// BlockCacheBytes sizes Badger's cache of decompressed table blocks
	// (0: DefaultBlockCacheBytes).
	BlockCacheBytes int
	// Exclusive promises that nothing reads the store while an import
	// runs (as in the command line's import). A bulk import into a store
	// on disk then closes Badger, installs the tables it built itself
	// and reopens Badger (bulktables.go), instead of streaming them
	// through Badger's StreamWriter.
	Exclusive bool
}

// DefaultBlockCacheBytes is the default size of Badger's block cache, the
// smallest the server accepts (Badger needs one for compressed tables).
// The read caches above it hold what repeats: at scale 1 the block cache
// hit 25-32% of block reads with 8 MiB, and its blocks (with those
// waiting to be admitted) held about 25 MB of heap, which the response
// cache puts to better use (BENCHMARKS.md, session J).
const DefaultBlockCacheBytes = 1 << 20

// DefaultMemTableBytes is the default size of Badger's memtable.
const DefaultMemTableBytes = 32 << 20

// DefaultCacheBytes is the default size of the byte cache of statements
// and claims (and, an entry per 128 bytes, of the index-list cache). At
// scale 1, 16 MiB served as fast as 64 MiB once a page's uncached
// statements were read with one iterator (BENCHMARKS.md, session H).
const DefaultCacheBytes = 16 << 20

func rawCacheBytes(o *Options) int {
	switch {
	case o.CacheBytes < 0:
		return 0
	case o.CacheBytes == 0:
		return DefaultCacheBytes
	}
	return o.CacheBytes
}

// DefaultCacheEntries is the default size of the decoded-record cache.
const DefaultCacheEntries = 30_000

// Store is chipgraph's graph store on Badger: records, their versions,
// every index and the change log, written in the same transactions.
// It is safe for concurrent use; writes are serialized.
type Store struct {
	db  *badger.DB
	seq *badger.Sequence
	// seqLease is how many IDs seq leases at a time (idLease but in a
	// bulk import).
	seqLease uint64
	wmu      sync.Mutex // one writer at a time; guards clock
	clock    uint64     // last recorded time handed out, Unix nanoseconds
	view     atomic.Pointer[viewState]
	cache    *genCache[string, any] // decoded versions by version key (cache.go)
	ids      *idCache               // rtype and key → key entry, for committed keys only (ids.go)

	reads atomic.Uint64 // read transactions begun (ReadCount)
	// gen counts published writes; heads and prefixes cache reads made
	// in the current generation (cache.go).
	gen      atomic.Uint64
	heads    *genCache[headRef, headEntry]
	prefixes *genCache[string, prefixEntry]
	// raw caches statements' and claims' stored versions (bytecache.go).
	raw *byteCache

	// Now returns the wall-clock time; tests may replace it before writing.
	Now func() time.Time

	noSync bool
	dir    string // "" in memory
	// noBulk turns the bulk import (bulk.go) off; tests compare the two.
	noBulk bool
	// bulkMin is the fewest records that take the bulk import: below it
	// the stream's fixed costs (buffers, table builders) outweigh what it
	// saves (BenchmarkImportStarter).
	bulkMin int
	// bulkStreams is how many streams a bulk import writes (0: one per
	// core, each of at least streamMinKeys keys); tests set it.
	bulkStreams int
	// exclusive is Options.Exclusive.
	exclusive bool
}

// sync makes committed writes durable (fsync), unless NoSync.
func (s *Store) sync() error {
	if s.noSync {
		return nil
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

// viewState is what current reads see: every version up to visible,
// minus the spans of imports that never finished.
type viewState struct {
	visible uint64
	aborted []span
	gen     uint64 // the generation this view was published at
}

type badgerLogger struct{ l *log.Logger }

func (b badgerLogger) Errorf(f string, a ...any)   { b.l.Printf("badger: "+f, a...) }
func (b badgerLogger) Warningf(f string, a ...any) { b.l.Printf("badger: "+f, a...) }
func (badgerLogger) Infof(string, ...any)          {}
func (badgerLogger) Debugf(string, ...any)         {}

// Open opens (or creates) the store in dir. It checks the format version
// and, if an import was interrupted by a crash, makes that import's
// partial writes invisible for good.
func Open(dir string, opts *Options) (*Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	bo := badger.DefaultOptions(dir).
		// Writes sync explicitly (Store.sync): after every Apply, and once
		// at the end of an import rather than after each of its chunks.
		WithSyncWrites(false).
		WithLogger(nil).
		// Sized for a 2-core machine serving in about 400 MB: small
		// memtables and caches (the OS page cache holds the tables too).
		WithMemTableSize(int64(cmp.Or(opts.MemTableBytes, DefaultMemTableBytes))).
		WithNumMemtables(2).
		WithBlockCacheSize(int64(cmp.Or(opts.BlockCacheBytes, DefaultBlockCacheBytes))).
		WithIndexCacheSize(16 << 20).
		WithValueThreshold(1 << 16).
		WithValueLogFileSize(256 << 20).
		WithNumCompactors(2).
		// Writers are serialized by Store.wmu, so Badger need not track
		// read sets to detect conflicts.
		WithDetectConflicts(false)
	if opts.InMemory {
		// Without a value log every value must fit the LSM tree.
		bo = bo.WithInMemory(true).WithDir("").WithValueDir("").WithValueThreshold(1 << 20)
	}
	if opts.Logger != nil {
		bo = bo.WithLogger(badgerLogger{opts.Logger})
	}
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	n := opts.CacheEntries
	if n <= 0 {
		n = DefaultCacheEntries
	}
	s := &Store{db: db, Now: time.Now, cache: newGenCache[string, any](n), ids: newIDCache(), noSync: opts.NoSync || opts.InMemory,
		heads: newGenCache[headRef, headEntry](n), prefixes: newGenCache[string, prefixEntry](prefixCacheBudget(opts)),
		raw: newByteCache(rawCacheBytes(opts))}
	s.bulkMin = 20_000
	s.exclusive = opts.Exclusive
	if !opts.InMemory {
		s.dir = dir
	}
	if err := s.recoverBulk(); err != nil {
		db.Close()
		return nil, err
	}
	logf := func(string, ...any) {}
	if opts.Logger != nil {
		logf = opts.Logger.Printf
	}
	if err := migrate(db, logf); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.sync(); err != nil {
		db.Close()
		return nil, err
	}
	s.seqLease = idLease
	if s.seq, err = db.GetSequence(metaKey("seq"), idLease); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store: id sequence: %w", err)
	}
	return s, nil
}

// init checks or writes the format version, loads the clock, and turns a
// pending import marker into an aborted span.
func (s *Store) init() error {
	return s.db.Update(func(txn *badger.Txn) error {
		switch v, err := getValue(txn, metaKey("format")); {
		case errors.Is(err, badger.ErrKeyNotFound):
			if err := s.requireEmpty(txn); err != nil {
				return err
			}
			if err := txn.Set(metaKey("format"), []byte(FormatVersion)); err != nil {
				return err
			}
		case err != nil:
			return err
		case string(v) != FormatVersion:
			return fmt.Errorf("store format is %q; this chipgraph reads %q", v, FormatVersion)
		}
		if v, err := getValue(txn, metaKey("clock")); err == nil && len(v) == 8 {
			s.clock = binary.BigEndian.Uint64(v)
		}
		var aborted []span
		if v, err := getValue(txn, metaKey("aborted")); err == nil {
			for i := 0; i+16 <= len(v); i += 16 {
				aborted = append(aborted, span{binary.BigEndian.Uint64(v[i:]), binary.BigEndian.Uint64(v[i+8:])})
			}
		}
		if v, err := getValue(txn, metaKey("import")); err == nil && len(v) == 8 {
			// An import crashed: everything it wrote was recorded after
			// its start and up to the clock it had persisted.
			sp := span{binary.BigEndian.Uint64(v) + 1, max(s.clock, binary.BigEndian.Uint64(v)+1)}
			aborted = append(aborted, sp)
			enc := make([]byte, 0, 16*len(aborted))
			for _, a := range aborted {
				enc = u64(u64(enc, a.lo), a.hi)
			}
			if err := txn.Set(metaKey("aborted"), enc); err != nil {
				return err
			}
			if err := txn.Delete(metaKey("import")); err != nil {
				return err
			}
			s.clock = sp.hi
			if err := txn.Set(metaKey("clock"), u64(nil, s.clock)); err != nil {
				return err
			}
		}
		s.view.Store(&viewState{visible: s.clock, aborted: aborted})
		return nil
	})
}

func (s *Store) requireEmpty(txn *badger.Txn) error {
	it := txn.NewIterator(badger.IteratorOptions{})
	defer it.Close()
	it.Rewind()
	if it.Valid() {
		return fmt.Errorf("open store: directory holds data but no chipgraph format version; is it a chipgraph store?")
	}
	return nil
}

// idLease is how many IDs the store's sequence leases at a time (a
// Badger write each; see leaseIDs).
const idLease = 1000

// leaseIDs makes the ID sequence lease n IDs at a time. The sequence
// releases what it leased before: its key then holds the next free ID,
// where the new lease starts, and no ID is lost. If that fails, IDs
// come from the sequence as it was.
func (s *Store) leaseIDs(n uint64) {
	n = max(n, 1)
	if s.seq == nil || n == s.seqLease || s.seq.Release() != nil {
		return
	}
	// A released sequence leases again when asked: if no new one comes,
	// the old one serves as it was.
	if seq, err := s.db.GetSequence(metaKey("seq"), n); err == nil {
		s.seq, s.seqLease = seq, n
	}
}

// Close releases the ID sequence and closes Badger cleanly.
func (s *Store) Close() error {
	var err error
	if s.seq != nil {
		err = s.seq.Release()
	}
	return errors.Join(err, s.db.Close())
}

// LastChange returns the recorded time of the newest visible change.
func (s *Store) LastChange() time.Time {
	v := s.view.Load().visible
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(v)).UTC()
}

// Empty reports whether the store holds no records.
func (s *Store) Empty() bool { return s.view.Load().visible == 0 }

// snap returns the snapshot for a read view.
func (s *Store) snap(v graph.View) snapshot {
	st := s.view.Load()
	sn := snapshot{ts: st.visible, aborted: st.aborted}
	if !v.AsOf.IsZero() {
		sn.ts = min(sn.ts, graph.RecordedNanos(v.AsOf))
	}
	if !v.ValidAt.IsZero() {
		sn.validAt, sn.hasValid = v.ValidAt.Unix(), true
	}
	return sn
}

// latest is the snapshot writers read: everything written so far, minus
// aborted imports.
func (s *Store) latest() snapshot {
	return snapshot{ts: math.MaxUint64, aborted: s.view.Load().aborted}
}

func getValue(txn *badger.Txn, key []byte) ([]byte, error) {
	item, err := txn.Get(key)
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// checkCtx returns the context's error as a chipgraph error.
func checkCtx(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return graph.Errorf(graph.ETIMEOUT, "request timed out")
		}
		return err
	}
	return nil
}

// Generation returns a number that changes whenever a write is published
// (or an import is abandoned): results computed from reads at one
// generation stay valid until it changes. The store's caches check it;
// the server's response cache uses Published.
func (s *Store) Generation() uint64 { return s.gen.Load() }

// Published returns the generation of the view reads now begin at and
// the recorded time of its newest change (Unix nanoseconds; 0 for an
// empty store), read together: a read whose AsOf is at or after visible
// (graph.RecordedNanos) sees what a current read sees at that
// generation. While a write is being published, Generation runs ahead of
// the generation returned here, which follows once the new view is.
func (s *Store) Published() (gen, visible uint64) {
	st := s.view.Load()
	return st.gen, st.visible
}
