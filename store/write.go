package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	badger "github.com/dgraph-io/badger/v4"
)

// change is the value of a log key.
type change struct {
	Op     string `json:"op"` // add, update, retract, reassert, rank
	Key    string `json:"key"`
	By     string `json:"by,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// writer applies records inside one transaction (Apply) or a chain of
// transactions under an import marker (Import).
type writer struct {
	s       *Store
	ctx     context.Context
	txn     *badger.Txn
	chunked bool
	by      string
	floor   uint64 // the store's clock when the write began
	last    uint64 // newest recorded time used so far
	sn      snapshot
	kinds   map[string]graph.Kind
	sources sourceCache
	res     *graph.WriteResult
	ops     int
	// keys caches key-index entries read or written by this write.
	keys map[string]keyEntry
	// dirty holds subject|predicate pairs of single-valued predicates
	// whose conflict state must be recomputed before commit.
	dirty map[string]struct{}
	// typoWords holds the search words whose typo dictionary entries this
	// writer has written or found (see indexTypos).
	typoWords map[string]bool
	// mem, when not nil, receives the writes instead of txn: a bulk import
	// into an empty store (bulk.go). txn is then unused.
	mem *overlay
	// prechecked means each record was prechecked just before it is
	// applied, against what the writer has written (bulkRun.add): its
	// statement or claim is resolved already, and resolving it again
	// against the same records would give the same result.
	prechecked bool
	// slab, in a bulk import, holds the bytes of the keys and values the
	// writer builds (nil: each its own allocation).
	slab *slab
	// entities holds, in a bulk import, the key-index entries of the
	// entities written so far (setKey). Statements look their subject and
	// object up two or three times each: this small map stays in the CPU
	// caches, where each overlay lookup reads three places in memory that
	// have left them.
	entities map[string]keyEntry
	// recent holds the entities lookupKey found last in entities: a
	// statement looks its subject up three times and its object twice,
	// and each lookup in the map of every entity misses the CPU caches.
	recent  [4]recentEntity
	nrecent int
	// occs hold the index keys of a statement's or claim's version
	// before and after a write (statementOcc, claimOcc) for the next
	// write to reuse: they are dropped once written (occupy).
	occs [2][]occ
}

// recentEntity is an entity's key-index entry, found by key.
type recentEntity struct {
	key string
	e   keyEntry
}

type sourceInfo struct {
	id        uint64
	text, sha string
}

// Apply validates records and writes them in one transaction: either every
// record is written or none is. Records are applied in order, so later
// ones may refer to earlier ones. by names the writer for the history.
//
// Errors are *graph.Error with code BAD_USER_INPUT (a record fails
// validation: unknown predicate, missing reference, kinds that do not fit,
// malformed date or URL, a quote not in its source), CONFLICT (a kind
// change, a URL or key already taken) or NOT_FOUND (retracting an unknown
// statement). A batch too large for one transaction is refused; use Import.
func (s *Store) Apply(ctx context.Context, by string, recs []graph.Record) (*graph.WriteResult, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	w := s.newWriter(ctx, by, false)
	defer func() { w.txn.Discard() }()
	if err := w.applyAll(recs); err != nil {
		return nil, err
	}
	if err := w.finish(); err != nil {
		return nil, err
	}
	if err := s.sync(); err != nil {
		return nil, err
	}
	s.publish(w.last)
	return w.res, nil
}

// Import writes a large batch. Every record is checked first; if any
// fails, nothing is written. The records are then written in a chain of
// transactions under an import marker: reads do not see them until the
// import completes, and if the process dies midway, the next Open makes
// the partial import invisible for good. progress, if not nil, is called
// after each transaction with the number of records done.
func (s *Store) Import(ctx context.Context, by string, recs []graph.Record, progress func(done int)) (*graph.WriteResult, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.importLocked(ctx, by, recs, progress)
}

// ImportFrom is Import of the records scan delivers: scan calls yield
// with each record in order and returns the first error yield returns,
// or its own (a bad line, a failed read). Into an empty store (the bulk
// import, bulk.go) each record is checked and applied as it arrives, so
// the records are never all in memory and reading them overlaps writing;
// otherwise they are collected and imported as Import does. Either way,
// if scan or a record fails, nothing is written. Other writes wait while
// scan runs. n is about how many records scan delivers (0: not known); it
// sizes the bulk import's tables, which otherwise grow as they fill.
func (s *Store) ImportFrom(ctx context.Context, by string, scan func(yield func(graph.Record) error) error, n int, progress func(done int)) (*graph.WriteResult, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var (
		recs []graph.Record
		b    *bulkRun
		werr error // the store's error, which ends the scan
	)
	defer func() {
		if b != nil {
			b.discard()
		}
	}()
	// Records are collected until there are enough for a bulk import.
	enough := max(s.bulkMin, 1)
	serr := scan(func(r graph.Record) error {
		if b != nil {
			werr = b.add(&r)
			return werr
		}
		recs = append(recs, r)
		if len(recs) != enough || !s.bulkEligible(len(recs)) {
			return nil
		}
		b = s.startBulk(ctx, by, n, progress)
		werr, recs = b.addAll(recs), nil
		return werr
	})
	switch {
	case werr != nil:
		return nil, werr
	case serr != nil:
		return nil, serr
	case b != nil:
		return b.finish()
	}
	return s.importLocked(ctx, by, recs, progress)
}

// importLocked is Import; s.wmu is held.
func (s *Store) importLocked(ctx context.Context, by string, recs []graph.Record, progress func(done int)) (*graph.WriteResult, error) {
	if s.bulkEligible(len(recs)) {
		b := s.startBulk(ctx, by, len(recs), progress)
		defer b.discard()
		if err := b.addAll(recs); err != nil {
			return nil, err
		}
		return b.finish()
	}
	if err := s.precheck(ctx, recs); err != nil {
		return nil, err
	}
	start := s.clock
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(metaKey("import"), u64(nil, start)) }); err != nil {
		return nil, err
	}
	if err := s.sync(); err != nil { // the marker must be on disk before any chunk
		return nil, err
	}
	w := s.newWriter(ctx, by, true)
	if err := w.applyChunked(recs, progress); err != nil {
		w.txn.Discard()
		if aerr := s.abortImport(start); aerr != nil {
			return nil, errors.Join(err, aerr)
		}
		return nil, err
	}
	// Every chunk reaches the disk before the marker goes.
	if err := s.sync(); err != nil {
		return nil, err
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(metaKey("import")) }); err != nil {
		return nil, err
	}
	if err := s.sync(); err != nil {
		return nil, err
	}
	if progress != nil {
		progress(len(recs))
	}
	s.publish(w.last)
	return w.res, nil
}

// importChunkOps is how many keys an import writes before it commits a
// chunk and recomputes the conflicts it touched.
const importChunkOps = 20000

// applyChunked applies recs in chunks of importChunkOps keys, reporting
// progress after each, and finishes the import. The bulk import
// (bulkRun.add) cuts chunks at the same records, so that both write the
// same conflict times.
func (w *writer) applyChunked(recs []graph.Record, progress func(done int)) error {
	for i := range recs {
		if err := w.apply(&recs[i]); err != nil {
			return recordError(&recs[i], i, err)
		}
		if w.ops >= importChunkOps {
			if err := w.commitChunk(); err != nil {
				return err
			}
			if progress != nil {
				progress(i + 1)
			}
		}
	}
	return w.finish()
}

// abortImport marks everything recorded after start as aborted.
func (s *Store) abortImport(start uint64) error {
	st := s.view.Load()
	sp := span{start + 1, max(s.clock, start+1)}
	aborted := append(slices.Clone(st.aborted), sp)
	enc := make([]byte, 0, 16*len(aborted))
	for _, a := range aborted {
		enc = u64(u64(enc, a.lo), a.hi)
	}
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(metaKey("aborted"), enc); err != nil {
			return err
		}
		if err := txn.Set(metaKey("clock"), u64(nil, sp.hi)); err != nil {
			return err
		}
		return txn.Delete(metaKey("import"))
	})
	if err == nil {
		err = s.sync()
	}
	if err == nil {
		s.clock = sp.hi
		s.view.Store(&viewState{visible: st.visible, aborted: aborted, gen: s.gen.Add(1)})
	}
	return err
}

// publish makes writes up to last visible. The generation goes up first,
// so no read can pair the new view with a cache entry of the old one; the
// new view carries it (Published), even when last adds nothing visible.
func (s *Store) publish(last uint64) {
	gen := s.gen.Add(1)
	st := s.view.Load()
	s.view.Store(&viewState{visible: max(last, st.visible), aborted: st.aborted, gen: gen})
}

func (s *Store) newWriter(ctx context.Context, by string, chunked bool) *writer {
	return &writer{
		s: s, ctx: ctx, txn: s.db.NewTransaction(true), chunked: chunked, by: by,
		floor: s.clock, last: s.clock, sn: s.latest(),
		kinds: map[string]graph.Kind{}, res: &graph.WriteResult{},
		dirty: map[string]struct{}{}, keys: map[string]keyEntry{},
	}
}

// recordError says which record of a batch failed: its line when it came
// from a file, else its position, type and key.
func recordError(r *graph.Record, i int, err error) error {
	if r.Line > 0 {
		return &graph.LineError{Line: r.Line, Err: err}
	}
	var ge *graph.Error
	if i == 0 || !errors.As(err, &ge) {
		return err
	}
	e := *ge
	e.Message = fmt.Sprintf("record %d (%s %s): %s", i+1, r.Type, r.Key(), e.Message)
	return &e
}

func (w *writer) applyAll(recs []graph.Record) error {
	for i := range recs {
		if err := w.apply(&recs[i]); err != nil {
			return recordError(&recs[i], i, err)
		}
	}
	return nil
}

// finish recomputes conflicts, persists the clock and commits.
func (w *writer) finish() error {
	if w.chunked && len(w.dirty) > 0 {
		// Commit first so that the conflict scans run on a transaction
		// without pending writes (Badger sorts those for every iterator).
		if err := w.commitChunk(); err != nil {
			return err
		}
	}
	if err := w.updateConflicts(); err != nil {
		return err
	}
	if w.last > w.floor {
		if err := w.set(metaKey("clock"), u64(nil, w.last)); err != nil {
			return err
		}
	}
	if w.mem != nil {
		// What the writer looked up goes before the sort and the stream.
		w.keys, w.kinds, w.dirty, w.typoWords, w.entities = nil, nil, nil, nil, nil
		w.sources = sourceCache{}
		if err := w.s.streamOverlay(w.ctx, w.mem); err != nil {
			return err
		}
	} else if err := w.txn.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	w.s.clock = w.last
	w.res.At = time.Unix(0, int64(w.last)).UTC()
	return nil
}

// commitChunk commits the current transaction of an import and starts the next.
func (w *writer) commitChunk() error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	// The clock goes with the chunk, or, when the chunk is too full for
	// it (a write just failed for want of room), first thing in the next:
	// an import interrupted in between is undone at the next Open, which
	// sets the clock itself.
	clock := u64(nil, max(w.last, w.floor))
	if w.mem != nil {
		// A bulk import commits nothing until the end, but it recomputes
		// conflicts where a chunked import would commit, so that both
		// write the same conflict intervals.
		full := !w.mem.fits(metaKey("clock"), len(clock))
		if !full {
			w.mem.set(metaKey("clock"), clock)
		}
		w.mem.newChunk()
		if full {
			w.mem.set(metaKey("clock"), clock)
		}
		w.ops = 0
		return w.updateConflicts()
	}
	err := w.txn.Set(metaKey("clock"), clock)
	full := errors.Is(err, badger.ErrTxnTooBig)
	if err != nil && !full {
		return err
	}
	if err := w.txn.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	w.s.clock = max(w.last, w.s.clock)
	w.txn = w.s.db.NewTransaction(true)
	if full {
		if err := w.txn.Set(metaKey("clock"), clock); err != nil {
			return err
		}
	}
	w.ops = 0
	return w.updateConflicts()
}

func (w *writer) set(k, v []byte) error {
	w.ops++
	if w.mem != nil {
		if !w.mem.fits(k, len(v)) {
			// Where the transaction of a chunked import would be full.
			if err := w.commitChunk(); err != nil {
				return err
			}
		}
		w.mem.set(k, v)
		return nil
	}
	err := w.txn.Set(k, v)
	if errors.Is(err, badger.ErrTxnTooBig) {
		if !w.chunked {
			return graph.Errorf(graph.EINVALID, "the batch is too large for one transaction; use import")
		}
		if err := w.commitChunk(); err != nil {
			return err
		}
		err = w.txn.Set(k, v)
	}
	return err
}

// get reads a key's value in the write transaction; nil when absent.
func (w *writer) get(k []byte) ([]byte, error) {
	if w.mem != nil {
		return w.mem.get(k), nil
	}
	v, err := getValue(w.txn, k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	return v, err
}

// recTs returns the recorded time for a record: the one it carries (an
// import restoring history; it must not precede the store's clock) or the
// write's own time.
func (w *writer) recTs(at time.Time) (uint64, error) {
	if !at.IsZero() {
		t := uint64(max(at.UnixNano(), 0))
		if t <= w.floor || t < w.last {
			return 0, graph.Invalid("recorded.at", graph.RBadValue,
				"recorded time %s is not after the store's latest change %s; history can only be appended (import into an empty store to restore an export, or leave recorded out)",
				at.UTC().Format(time.RFC3339Nano), time.Unix(0, int64(w.last)).UTC().Format(time.RFC3339Nano))
		}
		w.last = t
		return t, nil
	}
	if w.last <= w.floor {
		w.last = max(uint64(w.s.Now().UnixNano()), w.floor+1)
	}
	return w.last, nil
}

// recorded returns the Recorded of a new version at ts. A record that
// carries its own recorded time (an export being restored) keeps its
// author, op and reason; otherwise the writer is the author.
func (w *writer) recorded(given graph.Recorded, ts uint64, op graph.Op, reason string) graph.Recorded {
	r := graph.Recorded{At: time.Unix(0, int64(ts)).UTC(), By: w.by, Op: op, Reason: reason}
	if !given.At.IsZero() {
		r.Op, r.Reason = given.Op, given.Reason
		if r.Op == "" {
			r.Op = op
		}
	}
	if given.By != "" {
		r.By = given.By
	}
	return r
}

// restoring reports whether a record carries its recorded time: it is a
// version snapshot from an export, applied as is rather than merged.
func restoring(r graph.Recorded) bool { return !r.At.IsZero() }

func (w *writer) apply(r *graph.Record) error {
	if err := w.ctx.Err(); err != nil {
		return checkCtx(w.ctx)
	}
	if err := r.Validate(); err != nil {
		return err
	}
	w.res.Keys = append(w.res.Keys, r.Key())
	var changed bool
	var err error
	switch r.Type {
	case graph.SourceRecord:
		changed, err = w.applySource(r.Source)
	case graph.EntityRecord:
		changed, err = w.applyEntity(r.Entity)
	case graph.StatementRecord:
		changed, err = w.applyStatement(r.Statement)
	case graph.ClaimRecord:
		changed, err = w.applyClaim(r.Claim)
	case graph.RetractRecord:
		changed, err = w.applyRetract(r.Retract)
	case graph.RankRecord:
		changed, err = w.applyRank(r.Rank)
	}
	if err != nil {
		return err
	}
	if changed {
		w.res.Written++
	} else {
		w.res.Unchanged++
	}
	return nil
}

// keyEntry is a decoded key-index value.
type keyEntry struct {
	id      uint64
	created uint64
	kind    graph.Kind // entities only
}

func decodeKeyEntry(v []byte) (keyEntry, bool) {
	if len(v) < 16 {
		return keyEntry{}, false
	}
	e := keyEntry{id: binary.BigEndian.Uint64(v), created: binary.BigEndian.Uint64(v[8:])}
	if len(v) > 16 {
		e.kind, _ = graph.KindOfCode(v[16])
	}
	return e, true
}

func encodeKeyEntry(e keyEntry) []byte { return appendKeyEntry(make([]byte, 0, 17), e) }

// appendKeyEntry appends encodeKeyEntry(e) to b.
func appendKeyEntry(b []byte, e keyEntry) []byte {
	b = u64(u64(b, e.id), e.created)
	if e.kind != "" {
		b = append(b, graph.KindCode(e.kind))
	}
	return b
}

// lookupKey finds a record's ID by key as the writer sees it.
func (w *writer) lookupKey(rtype byte, key string) (keyEntry, bool, error) {
	var buf [64]byte
	if w.mem != nil {
		// A bulk import: every key that exists was written by it, into
		// the overlay. Reading it there spares w.keys, a map of a string
		// per record for the collector to mark; entities, which are few
		// and often looked up, are in w.entities too.
		if rtype == rEntity {
			for i := range w.recent {
				if r := &w.recent[i]; r.key == key && key != "" {
					return r.e, true, nil
				}
			}
			e, ok := w.entities[key]
			if ok {
				w.recent[w.nrecent%len(w.recent)] = recentEntity{key, e}
				w.nrecent++
			}
			return e, ok, nil
		}
		v := w.mem.get(appendKeyIndexKey(buf[:0], rtype, key))
		if v == nil {
			return keyEntry{}, false, nil
		}
		e, ok := decodeKeyEntry(v)
		return e, ok, nil
	}
	if e, ok := w.keys[string(append(append(buf[:0], rtype), key...))]; ok { // no allocation
		return e, true, nil
	}
	if w.floor == 0 {
		// The store was empty when this write began: every key that
		// exists was written by it and is in w.keys.
		return keyEntry{}, false, nil
	}
	v, err := w.get(keyIndexKey(rtype, key))
	if err != nil || v == nil {
		return keyEntry{}, false, err
	}
	e, ok := decodeKeyEntry(v)
	if !ok || !w.sn.sees(e.created) {
		return keyEntry{}, false, nil
	}
	w.keys[string(rune(rtype))+key] = e
	return e, true, nil
}

// setKey writes a key-index entry and remembers it for this write.
func (w *writer) setKey(rtype byte, key string, e keyEntry) error {
	switch {
	case w.mem == nil:
		w.keys[string(rune(rtype))+key] = e
	case rtype == rEntity:
		// As lookupKey would decode it from the overlay.
		w.entities[key], _ = decodeKeyEntry(encodeKeyEntry(e))
		w.recent = [len(w.recent)]recentEntity{}
	}
	return w.set(appendKeyIndexKey(w.slab.get(len(key)+3), rtype, key), appendKeyEntry(w.slab.get(17), e))
}

func (w *writer) newID() (uint64, error) {
	for {
		id, err := w.s.seq.Next()
		if err != nil || id != 0 {
			return id, err
		}
	}
}

// EntityKind implements graph.Lookup over the write transaction.
func (w *writer) EntityKind(key string) (graph.Kind, bool) {
	if k, ok := w.kinds[key]; ok {
		return k, true
	}
	e, ok, err := w.lookupKey(rEntity, key)
	if err != nil || !ok {
		return "", false
	}
	w.kinds[key] = e.kind
	return e.kind, true
}

// SourceText implements graph.Lookup over the write transaction.
func (w *writer) SourceText(key string) (string, string, bool) {
	si, ok, err := w.source(key)
	if err != nil || !ok {
		return "", "", false
	}
	return si.text, si.sha, true
}

func (w *writer) source(key string) (sourceInfo, bool, error) {
	if si, ok := w.sources.get(key); ok {
		return si, true, nil
	}
	e, ok, err := w.lookupKey(rSource, key)
	if err != nil || !ok {
		return sourceInfo{}, false, err
	}
	var src graph.Source
	if _, err := w.latestVersion(tagSource, e.id, &src); err != nil {
		return sourceInfo{}, false, err
	}
	si := sourceInfo{id: e.id, text: src.Text, sha: src.SHA256}
	w.sources.set(key, si)
	return si, true, nil
}

// sourceCache holds what a write knows of sources, by key, and the one
// it found last: consecutive references mostly cite the same source
// (639,059 of 978,932 at scale 1), which then needs no map lookup.
type sourceCache struct {
	m        map[string]sourceInfo
	lastKey  string // "": none
	lastInfo sourceInfo
}

func (c *sourceCache) get(key string) (sourceInfo, bool) {
	if key == c.lastKey && key != "" {
		return c.lastInfo, true
	}
	si, ok := c.m[key]
	if ok {
		c.lastKey, c.lastInfo = key, si
	}
	return si, ok
}

func (c *sourceCache) set(key string, si sourceInfo) {
	if c.m == nil {
		c.m = map[string]sourceInfo{}
	}
	c.m[key] = si
	c.lastKey, c.lastInfo = key, si
}

// latestVersion decodes the newest version of a record into v.
func (w *writer) latestVersion(tag byte, id uint64, v any) (bool, error) {
	if w.mem != nil {
		return w.mem.loadVersion(w.sn, tag, id, v)
	}
	return loadVersion(w.txn, w.sn, tag, id, v)
}

// has reports whether a key exists, as the writer sees it.
func (w *writer) has(k []byte) (bool, error) {
	if w.mem != nil {
		return w.mem.has(k), nil
	}
	_, err := w.txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// scan calls fn with every key under prefix and its value, in key order,
// as the writer sees them. fn must not keep k or v.
func (w *writer) scan(prefix []byte, fn func(k, v []byte) error) error {
	if w.mem != nil {
		return w.mem.scan(prefix, fn)
	}
	it := w.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		if err := item.Value(func(v []byte) error { return fn(item.Key(), v) }); err != nil {
			return err
		}
	}
	return nil
}

// writeVersion writes rec as the newest version of a record: the head
// holds it, and the version it replaces moves to its version key. fresh
// means the record is new, so there is no head to move.
func (w *writer) writeVersion(tag, rtype byte, id, ts uint64, rec any, key string, r graph.Recorded, fresh bool) error {
	ch := change{Op: string(r.Op), Key: key, By: r.By, Reason: r.Reason}
	head, err := encodeHeadIn(w.slab, ts, rec)
	if err != nil {
		return err
	}
	hk := appendHeadKey(w.slab.get(10), tag, id)
	if !fresh {
		cur, err := w.get(hk)
		if err != nil {
			return err
		}
		if len(cur) >= 8 {
			if hts := binary.BigEndian.Uint64(cur); hts != ts {
				if err := w.set(versionKey(tag, id, hts), cur[8:]); err != nil {
					return err
				}
			}
		}
	}
	if err := w.set(hk, head); err != nil {
		return err
	}
	// Room for the change as it is unless its strings need escapes.
	chb := w.slab.get(len(`{"op":"","key":"","by":"","reason":""}`) + len(ch.Op) + len(ch.Key) + len(ch.By) + len(ch.Reason))
	return w.set(appendLogKey(w.slab.get(18), ts, rtype, id), appendChange(chb, ch))
}

// appendChange appends ch to b as json.Marshal encodes it.
func appendChange(b []byte, ch change) []byte {
	b = append(b, `{"op":`...)
	b = graph.AppendJSONString(b, ch.Op)
	b = append(b, `,"key":`...)
	b = graph.AppendJSONString(b, ch.Key)
	if ch.By != "" {
		b = append(b, `,"by":`...)
		b = graph.AppendJSONString(b, ch.By)
	}
	if ch.Reason != "" {
		b = append(b, `,"reason":`...)
		b = graph.AppendJSONString(b, ch.Reason)
	}
	return append(b, '}')
}

// occ is one index key a record occupies while it is current; post is
// the posting header for edge and literal keys (posted), which plain
// intervals lack.
type occ struct {
	key    []byte
	post   posting
	posted bool
}

// occupy opens intervals for keys in now but not in before and closes
// those in before but not in now. fresh means the record is new, so none
// of its keys can exist yet and no reads are needed.
func (w *writer) occupy(before, now []occ, ts uint64, fresh bool) error {
	// A new record (no keys before) needs neither set.
	var was, is map[string]bool
	if len(before) > 0 {
		was = make(map[string]bool, len(before))
		for _, o := range before {
			was[string(o.key)] = true
		}
		is = make(map[string]bool, len(now))
	}
	for _, o := range now {
		if is != nil {
			is[string(o.key)] = true
		}
		if was[string(o.key)] {
			continue
		}
		var cur []byte
		if !fresh {
			var err error
			if cur, err = w.get(o.key); err != nil {
				return err
			}
		}
		if err := w.setOcc(o, cur, ts, true); err != nil {
			return err
		}
		if err := w.indexTypos(o.key); err != nil {
			return err
		}
	}
	for _, o := range before {
		if is[string(o.key)] {
			continue
		}
		cur, err := w.get(o.key)
		if err != nil {
			return err
		}
		if err := w.setOcc(o, cur, ts, false); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) setOcc(o occ, cur []byte, ts uint64, open bool) error {
	iv := cur
	if o.posted && cur != nil {
		_, x, err := decodePosting(cur)
		if err != nil {
			return err
		}
		iv = x
	}
	iv = w.cleanIntervals(iv)
	var changed bool
	// The value's bytes: the posting header, if any, then the intervals.
	var dst []byte // nil: openInterval and closeInterval allocate
	if w.slab != nil {
		dst = w.slab.get(len(iv) + 16)
	}
	if open {
		iv, changed = openInterval(dst, iv, ts)
	} else {
		iv, changed = closeInterval(dst, iv, ts)
	}
	if !changed && cur != nil {
		return nil
	}
	if o.posted {
		return w.set(o.key, encodePosting(w.slab.get(postingHeader+len(iv)), o.post, iv))
	}
	return w.set(o.key, iv)
}

// cleanIntervals drops intervals opened by aborted imports and reopens
// intervals an aborted import closed.
func (w *writer) cleanIntervals(iv []byte) []byte {
	if len(w.sn.aborted) == 0 {
		return iv
	}
	out := make([]byte, 0, len(iv))
	for i := 0; i+16 <= len(iv); i += 16 {
		from, to := binary.BigEndian.Uint64(iv[i:]), binary.BigEndian.Uint64(iv[i+8:])
		if !w.sn.sees(from) {
			continue
		}
		if to != 0 && !w.sn.sees(to) {
			to = 0
		}
		out = u64(u64(out, from), to)
	}
	return out
}

// --- entities

func entityOcc(a *slab, e *graph.Entity) []occ {
	out := []occ{{key: kindKey(graph.KindCode(e.Kind), e.ID)}}
	seen := map[string]bool{}
	for _, n := range e.Names() {
		norm := graph.Normalize(n)
		if norm == "" || seen[norm] {
			continue
		}
		seen[norm] = true
		out = append(out, occ{key: nameKey(norm, e.ID)})
	}
	return entitySearchOcc(out, a, e)
}

func sameEntity(a, b *graph.Entity) bool {
	return a.Kind == b.Kind && a.Name == b.Name && a.Description == b.Description && slices.Equal(a.Aliases, b.Aliases)
}

func (w *writer) applyEntity(in *graph.Entity) (bool, error) {
	e := *in
	old, exists, err := w.lookupKey(rEntity, e.Key)
	if err != nil {
		return false, err
	}
	if !exists {
		if _, taken, err := w.lookupKey(rClaim, e.Key); err != nil {
			return false, err
		} else if taken {
			return false, &graph.Error{Code: graph.ECONFLICT, Reason: graph.RDuplicate, Field: "key", Message: fmt.Sprintf("key %q is taken by a claim", e.Key)}
		}
		ts, err := w.recTs(e.Recorded.At)
		if err != nil {
			return false, err
		}
		if e.ID, err = w.newID(); err != nil {
			return false, err
		}
		e.Recorded = w.recorded(e.Recorded, ts, graph.OpAdd, "")
		if err := w.setKey(rEntity, e.Key, keyEntry{id: e.ID, created: ts, kind: e.Kind}); err != nil {
			return false, err
		}
		if err := w.writeVersion(tagEntity, rEntity, e.ID, ts, &e, e.Key, e.Recorded, true); err != nil {
			return false, err
		}
		w.kinds[e.Key] = e.Kind
		return true, w.occupy(nil, entityOcc(w.slab, &e), ts, true)
	}
	var prev graph.Entity
	if _, err := w.latestVersion(tagEntity, old.id, &prev); err != nil {
		return false, err
	}
	prev.ID = old.id
	if prev.Kind != e.Kind {
		return false, &graph.Error{Code: graph.ECONFLICT, Reason: graph.RKindMismatch, Field: "kind",
			Message: fmt.Sprintf("entity %q is a %s; its kind cannot change to %s", e.Key, prev.Kind, e.Kind)}
	}
	if sameEntity(&prev, &e) {
		return false, nil
	}
	ts, err := w.recTs(e.Recorded.At)
	if err != nil {
		return false, err
	}
	e.ID = old.id
	e.Recorded = w.recorded(e.Recorded, ts, graph.OpUpdate, "")
	if err := w.writeVersion(tagEntity, rEntity, e.ID, ts, &e, e.Key, e.Recorded, false); err != nil {
		return false, err
	}
	return true, w.occupy(entityOcc(w.slab, &prev), entityOcc(w.slab, &e), ts, false)
}

// --- sources

func sameSource(a, b *graph.Source) bool {
	return a.URL == b.URL && a.Title == b.Title && a.Publisher == b.Publisher && a.Author == b.Author &&
		a.Kind == b.Kind && a.Published == b.Published && a.Retrieved == b.Retrieved && a.SHA256 == b.SHA256 &&
		slices.Equal(a.Restates, b.Restates) && (a.Retracted == nil) == (b.Retracted == nil)
}

func (w *writer) applySource(in *graph.Source) (bool, error) {
	src := *in
	old, exists, err := w.lookupKey(rSource, src.Key)
	if err != nil {
		return false, err
	}
	if src.URL != "" {
		v, err := w.get(urlKey(src.URL))
		if err != nil {
			return false, err
		}
		if len(v) == 8 && (!exists || binary.BigEndian.Uint64(v) != old.id) {
			return false, &graph.Error{Code: graph.ECONFLICT, Reason: graph.RDuplicate, Field: "url",
				Message: fmt.Sprintf("another source already has URL %s", src.URL)}
		}
	}
	var prev graph.Source
	if exists {
		if _, err := w.latestVersion(tagSource, old.id, &prev); err != nil {
			return false, err
		}
		if sameSource(&prev, &src) {
			return false, nil
		}
		if prev.URL != "" && prev.URL != src.URL {
			return false, &graph.Error{Code: graph.ECONFLICT, Reason: graph.RBadURL, Field: "url",
				Message: fmt.Sprintf("source %q has URL %s; a URL cannot change", src.Key, prev.URL)}
		}
	}
	ts, err := w.recTs(src.Recorded.At)
	if err != nil {
		return false, err
	}
	op := graph.OpUpdate
	if exists {
		src.ID = old.id
		if !restoring(src.Recorded) && prev.Retracted != nil {
			// Writing a retracted source again brings it back.
			op = graph.OpReassert
		}
	} else {
		op = graph.OpAdd
		if src.ID, err = w.newID(); err != nil {
			return false, err
		}
		if err := w.setKey(rSource, src.Key, keyEntry{id: src.ID, created: ts}); err != nil {
			return false, err
		}
	}
	if src.URL != "" && prev.URL == "" {
		if err := w.set(urlKey(src.URL), u64(nil, src.ID)); err != nil {
			return false, err
		}
	}
	src.Recorded = w.recorded(src.Recorded, ts, op, "")
	if err := w.writeVersion(tagSource, rSource, src.ID, ts, &src, src.Key, src.Recorded, !exists); err != nil {
		return false, err
	}
	var before []occ
	if exists {
		before = sourceOcc(w.slab, &prev, src.ID)
	}
	if err := w.occupy(before, sourceOcc(w.slab, &src, src.ID), ts, !exists); err != nil {
		return false, err
	}
	w.sources.set(src.Key, sourceInfo{id: src.ID, text: src.Text, sha: src.SHA256})
	return true, nil
}

// sourceOcc returns the index keys a source occupies: its title's search
// tokens, while it is not retracted.
func sourceOcc(a *slab, src *graph.Source, id uint64) []occ {
	if src.Retracted != nil {
		return nil
	}
	return searchOcc(nil, a, rSource, id, []textField{{fieldSourceTitle, src.Title}})
}

// slab hands out room for the keys and values a bulk import's writer
// builds, cut from blocks of slabBlock bytes: one allocation per block
// instead of one per key and value (four million of them at scale 1),
// and blocks hold no pointers for the collector to scan. The overlay
// copies what it keeps, so a full block is used again once nothing
// holds its bytes (see endRecord); until then it stays as it is. A nil
// slab allocates each.
type slab struct {
	b []byte
	// mem, when not nil, is the overlay the writer writes to, whose
	// appender copies keys and values after they are set.
	mem *overlay
	// full holds the blocks filled while the current record is applied;
	// reuse, the blocks filled by records before, each with the number
	// of appender batches that must be copied before it is used again.
	full  [][]byte
	reuse []slabWait
}

// slabWait is a full block of a slab and the appender batches that must
// be copied before it is used again.
type slabWait struct {
	b     []byte
	after uint64
}

const slabBlock = 64 << 10

// get returns an empty slice with room for n bytes.
func (s *slab) get(n int) []byte {
	if s == nil || n > slabBlock/16 {
		return make([]byte, 0, n)
	}
	if cap(s.b)-len(s.b) < n {
		s.next()
	}
	i := len(s.b)
	s.b = s.b[:i+n]
	return s.b[i : i : i+n]
}

// next starts a new block: the oldest full one if nothing can hold its
// bytes any more, else a new one.
func (s *slab) next() {
	if s.b != nil {
		s.full = append(s.full, s.b)
	}
	if len(s.reuse) > 0 && s.reuse[0].after <= s.mem.batchesCopied() {
		s.b = s.reuse[0].b[:0]
		s.reuse[0] = slabWait{}
		s.reuse = s.reuse[1:]
		return
	}
	s.b = make([]byte, 0, slabBlock)
}

// endRecord notes that the writer has applied a record: it holds none
// of the bytes of the blocks filled so far, which the overlay holds
// until its appender has copied the keys and values queued so far.
func (s *slab) endRecord() {
	if s == nil || len(s.full) == 0 {
		return
	}
	after := s.mem.batchesQueued()
	for i, b := range s.full {
		s.reuse = append(s.reuse, slabWait{b, after})
		s.full[i] = nil
	}
	s.full = s.full[:0]
}
