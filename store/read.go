package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
	badger "github.com/dgraph-io/badger/v4"
)

// MaxPage caps the page size of every list read.
const MaxPage = 1000

// loadVersion decodes into v the version of a record current at the
// snapshot: the head when the snapshot sees it, else the newest older
// version key it sees. It reports false when the record did not exist then.
func loadVersion(txn *badger.Txn, sn snapshot, tag byte, id uint64, v any) (bool, error) {
	item, err := txn.Get(headKey(tag, id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	found := false
	if err := item.Value(func(b []byte) error {
		if len(b) < 8 || !sn.sees(binary.BigEndian.Uint64(b)) {
			return nil
		}
		found = true
		return unmarshalVersion(b[8:], v)
	}); err != nil || found {
		return found, err
	}
	opts := badger.IteratorOptions{Prefix: versionPrefix(tag, id), PrefetchValues: false}
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Seek(versionKey(tag, id, sn.ts)); it.ValidForPrefix(opts.Prefix); it.Next() {
		_, _, vts, err := parseVersionKey(it.Item().Key())
		if err != nil {
			return false, err
		}
		if !sn.sees(vts) {
			continue
		}
		return true, it.Item().Value(func(b []byte) error { return unmarshalVersion(b, v) })
	}
	return false, nil
}

// reader runs reads in one Badger read transaction at one snapshot.
type reader struct {
	s   *Store
	ctx context.Context
	txn *badger.Txn // nil until tx first needs it
	sn  snapshot
	gen uint64 // the store's generation when the read began
	// arena, when not nil, holds the references of the statements
	// decoded (statementsByID sets it for a page).
	arena *decodeArena
}

// read calls fn with a reader at the snapshot of v. The Badger
// transaction begins when fn first reads from Badger (tx), after the
// snapshot was taken, so that it holds every write the snapshot sees; a
// read the caches answer begins none. Beginning and discarding one
// (Badger's watermark wakes a goroutine for each) took 8% of q6's CPU in
// process; q1 makes 7 reads per request. In process, scale 0.05, medians
// of 6 alternating runs: q1 75 -> 62 µs/op, q3 71 -> 35, q6 181 -> 107.
func (s *Store) read(ctx context.Context, v graph.View, fn func(r *reader) error) error {
	if err := checkCtx(ctx); err != nil {
		return err
	}
	s.reads.Add(1)
	gen := s.gen.Load() // before the transaction and the snapshot
	r := &reader{s: s, ctx: ctx, sn: s.snap(v), gen: gen}
	defer r.discard()
	return fn(r)
}

// tx returns the reader's Badger transaction, beginning it the first time.
func (r *reader) tx() *badger.Txn {
	if r.txn == nil {
		r.txn = r.s.db.NewTransaction(false)
	}
	return r.txn
}

// discard ends the reader's transaction, if it began one.
func (r *reader) discard() {
	if r.txn != nil {
		r.txn.Discard()
	}
}

// version returns the decoded version of a record at the snapshot, using
// the caches. newRec allocates the record type.
//
// Entities and sources, a few tens of thousands of records that most
// answers touch, are cached decoded. Statements and claims, millions at
// scale, are cached as their stored bytes in the byte cache (bytecache.go),
// which the garbage collector does not scan, and decoded per read.
func (r *reader) version(tag byte, id uint64, newRec func() any) (any, error) {
	if tag == tagStatement || tag == tagClaim {
		return r.versionRaw(tag, id, newRec)
	}
	// Fast path: the head key holds the newest version; it answers every
	// read whose snapshot is at or after that version (current reads, and
	// as-of reads of records that have not changed since). The head cache
	// answers without Badger while no write has been published since.
	ref := headRef{tag, id}
	if h, ok := r.s.heads.get(ref); ok && h.gen == r.s.gen.Load() && r.sn.sees(h.ts) {
		return h.v, nil
	}
	item, err := r.tx().Get(headKey(tag, id))
	if err == nil {
		var vts uint64
		var v any
		err = item.Value(func(b []byte) error {
			if len(b) < 8 {
				return fmt.Errorf("malformed head of record %d", id)
			}
			vts = binary.BigEndian.Uint64(b)
			if !r.sn.sees(vts) {
				return nil
			}
			vk := versionKey(tag, id, vts)
			if c, ok := r.s.cache.get(string(vk)); ok {
				v = c
				return nil
			}
			v = newRec()
			if err := unmarshalVersion(b[8:], v); err != nil {
				return fmt.Errorf("decode head of record %d: %w", id, err)
			}
			setID(v, id)
			r.s.cache.put(string(vk), v, 1)
			return nil
		})
		if v != nil && err == nil {
			r.s.heads.put(ref, headEntry{gen: r.gen, ts: vts, v: v}, 1)
		}
		if err != nil || v != nil {
			return v, err
		}
	} else if !errors.Is(err, badger.ErrKeyNotFound) {
		return nil, err
	}
	return r.olderVersion(tag, id, newRec, func(k []byte) (any, bool) { return r.s.cache.get(string(k)) },
		func(k []byte, v any, _ []byte) { r.s.cache.put(string(k), v, 1) })
}

// olderVersion finds the newest version the snapshot sees among the
// version keys of a record (the head was too new or is missing). get and
// put consult and fill a cache keyed by version key.
func (r *reader) olderVersion(tag byte, id uint64, newRec func() any, get func(k []byte) (any, bool), put func(k []byte, v any, b []byte)) (any, error) {
	opts := badger.IteratorOptions{Prefix: versionPrefix(tag, id)}
	it := r.tx().NewIterator(opts)
	defer it.Close()
	for it.Seek(versionKey(tag, id, r.sn.ts)); it.ValidForPrefix(opts.Prefix); it.Next() {
		k := it.Item().Key()
		_, _, vts, err := parseVersionKey(k)
		if err != nil {
			return nil, err
		}
		if !r.sn.sees(vts) {
			continue
		}
		if v, ok := get(k); ok {
			return v, nil
		}
		v := newRec()
		if err := it.Item().Value(func(b []byte) error {
			if err := unmarshalVersionIn(b, v, r.arena); err != nil {
				return err
			}
			setID(v, id)
			put(k, v, b)
			return nil
		}); err != nil {
			return nil, fmt.Errorf("decode %x: %w", k, err)
		}
		return v, nil
	}
	return nil, nil
}

// versionRaw is version for statements and claims. The byte cache holds
// a head as gen(8) ts(8) stored-record under its head key (valid while
// the store's generation is gen), and older versions as stored under
// their version keys (immutable, no generation).
func (r *reader) versionRaw(tag byte, id uint64, newRec func() any) (any, error) {
	v, hit, err := r.cachedHead(tag, id, newRec)
	if err != nil || hit == headHit {
		return v, err
	}
	if hit == headMiss {
		var kb [10]byte
		hk := appendHeadKey(kb[:0], tag, id)
		item, err := r.tx().Get(bytes.Clone(hk)) // Badger keeps the key: hk stays on the stack
		if err == nil {
			seen := false
			err = item.Value(func(b []byte) error {
				v, seen, err = r.headValue(tag, id, hk, b, newRec)
				return err
			})
			if err != nil || seen {
				return v, err
			}
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return nil, err
		}
	}
	return r.olderRaw(tag, id, newRec)
}

// What the byte cache says of a record's head (cachedHead).
const (
	headMiss   = iota // not cached under the current generation
	headHit           // cached and seen by the snapshot: decoded
	headTooNew        // cached, newer than the snapshot: read an older version
)

// cachedHead answers versionRaw from the byte cache when it holds the
// record's head under the current generation.
func (r *reader) cachedHead(tag byte, id uint64, newRec func() any) (any, int, error) {
	var kb [10]byte
	hk := appendHeadKey(kb[:0], tag, id)
	var vb [512]byte
	b, ok := r.s.raw.get(vb[:0], hk)
	if !ok || len(b) < 16 || binary.BigEndian.Uint64(b) != r.s.gen.Load() {
		return nil, headMiss, nil
	}
	if !r.sn.sees(binary.BigEndian.Uint64(b[8:])) {
		return nil, headTooNew, nil
	}
	v := newRec()
	if err := unmarshalVersionIn(b[16:], v, r.arena); err != nil {
		return nil, headMiss, fmt.Errorf("decode head of record %d: %w", id, err)
	}
	setID(v, id)
	return v, headHit, nil
}

// headValue handles b, the stored head of record id under key hk: it
// caches it in the byte cache under the reader's generation and, when the
// snapshot sees it, decodes it (seen). b is Badger's and is not kept.
func (r *reader) headValue(tag byte, id uint64, hk, b []byte, newRec func() any) (v any, seen bool, err error) {
	if len(b) < 8 {
		return nil, false, fmt.Errorf("malformed head of record %d", id)
	}
	var gb [8]byte
	binary.BigEndian.PutUint64(gb[:], r.gen)
	r.s.raw.putParts(hk, gb[:], b)
	if !r.sn.sees(binary.BigEndian.Uint64(b)) {
		return nil, false, nil
	}
	v = newRec()
	if err := unmarshalVersionIn(b[8:], v, r.arena); err != nil {
		return nil, false, fmt.Errorf("decode head of record %d: %w", id, err)
	}
	setID(v, id)
	return v, true, nil
}

// olderRaw is versionRaw for a record whose head the snapshot does not
// see (or that has none): the newest older version it sees, through the
// byte cache.
func (r *reader) olderRaw(tag byte, id uint64, newRec func() any) (any, error) {
	return r.olderVersion(tag, id, newRec,
		func(k []byte) (any, bool) {
			b, ok := r.s.raw.get(nil, k)
			if !ok {
				return nil, false
			}
			v := newRec()
			if unmarshalVersionIn(b, v, r.arena) != nil {
				return nil, false
			}
			setID(v, id)
			return v, true
		},
		func(k []byte, _ any, b []byte) { r.s.raw.put(k, b) })
}

func setID(v any, id uint64) {
	switch x := v.(type) {
	case *graph.Entity:
		x.ID = id
	case *graph.Source:
		x.ID = id
	case *graph.Statement:
		x.ID = id
	case *graph.Claim:
		x.ID = id
	}
}

// lookup finds a record ID by key at the snapshot.
func (r *reader) lookup(rtype byte, key string) (keyEntry, bool, error) {
	if e, ok := r.s.ids.get(rtype, key); ok {
		return e, r.sn.sees(e.created), nil
	}
	v, err := getValue(r.tx(), keyIndexKey(rtype, key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return keyEntry{}, false, nil
	} else if err != nil {
		return keyEntry{}, false, err
	}
	e, ok := decodeKeyEntry(v)
	if !ok || !r.sn.sees(e.created) {
		return keyEntry{}, false, nil
	}
	r.s.ids.put(rtype, key, e)
	return e, true, nil
}

func (r *reader) entityByID(id uint64) (*graph.Entity, error) {
	v, err := r.version(tagEntity, id, func() any { return new(graph.Entity) })
	if v == nil || err != nil {
		return nil, err
	}
	return v.(*graph.Entity), nil
}

func (r *reader) entity(key string) (*graph.Entity, error) {
	e, ok, err := r.lookup(rEntity, key)
	if !ok || err != nil {
		return nil, err
	}
	return r.entityByID(e.id)
}

func (r *reader) statementByID(id uint64) (*graph.Statement, error) {
	v, err := r.version(tagStatement, id, func() any { return new(graph.Statement) })
	if v == nil || err != nil {
		return nil, err
	}
	return v.(*graph.Statement), nil
}

func (r *reader) claimByID(id uint64) (*graph.Claim, error) {
	v, err := r.version(tagClaim, id, func() any { return new(graph.Claim) })
	if v == nil || err != nil {
		return nil, err
	}
	return v.(*graph.Claim), nil
}

func (r *reader) sourceByID(id uint64) (*graph.Source, error) {
	v, err := r.version(tagSource, id, func() any { return new(graph.Source) })
	if v == nil || err != nil {
		return nil, err
	}
	return v.(*graph.Source), nil
}

// missing is the NOT_FOUND error of a write naming a record that does not
// exist; field is the record field that names it ("statement", "source").
func missing(field, key string) error {
	return &graph.Error{Code: graph.ENOTFOUND, Field: field, Message: fmt.Sprintf("no %s %q", field, key)}
}

func notFound(what, key string) error {
	return &graph.Error{Code: graph.ENOTFOUND, Message: fmt.Sprintf("no %s %q", what, key)}
}

// Entity returns the entity with key as the view sees it.
// Returns NOT_FOUND if there is none.
func (s *Store) Entity(ctx context.Context, v graph.View, key string) (*graph.Entity, error) {
	var out *graph.Entity
	err := s.read(ctx, v, func(r *reader) (err error) {
		out, err = r.entity(key)
		return err
	})
	if err == nil && out == nil {
		return nil, notFound("entity", key)
	}
	return out, err
}

// Entities returns the entities with the given keys in one read; the
// result has one element per key, nil where the view has no such entity.
func (s *Store) Entities(ctx context.Context, v graph.View, keys []string) ([]*graph.Entity, error) {
	out := make([]*graph.Entity, len(keys))
	err := s.read(ctx, v, func(r *reader) error {
		for i, k := range keys {
			e, err := r.entity(k)
			if err != nil {
				return err
			}
			out[i] = e
		}
		return nil
	})
	return out, err
}

// Statements returns the statements with the given keys, nil where absent.
func (s *Store) Statements(ctx context.Context, v graph.View, keys []string) ([]*graph.Statement, error) {
	out := make([]*graph.Statement, len(keys))
	err := s.read(ctx, v, func(r *reader) error {
		for i, k := range keys {
			e, ok, err := r.lookup(rStatement, k)
			if err != nil {
				return err
			}
			if ok {
				if out[i], err = r.statementByID(e.id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// Claims returns the claims with the given keys, nil where absent.
func (s *Store) Claims(ctx context.Context, v graph.View, keys []string) ([]*graph.Claim, error) {
	out := make([]*graph.Claim, len(keys))
	err := s.read(ctx, v, func(r *reader) error {
		for i, k := range keys {
			e, ok, err := r.lookup(rClaim, k)
			if err != nil {
				return err
			}
			if ok {
				if out[i], err = r.claimByID(e.id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// Sources returns the sources with the given keys, nil where absent.
func (s *Store) Sources(ctx context.Context, v graph.View, keys []string) ([]*graph.Source, error) {
	out := make([]*graph.Source, len(keys))
	err := s.read(ctx, v, func(r *reader) error {
		for i, k := range keys {
			e, ok, err := r.lookup(rSource, k)
			if err != nil {
				return err
			}
			if ok {
				if out[i], err = r.sourceByID(e.id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// SourceByURL returns the source with the URL. Returns NOT_FOUND if none.
func (s *Store) SourceByURL(ctx context.Context, v graph.View, url string) (*graph.Source, error) {
	var out *graph.Source
	err := s.read(ctx, v, func(r *reader) error {
		b, err := getValue(r.tx(), urlKey(url))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		} else if err != nil || len(b) != 8 {
			return err
		}
		out, err = r.sourceByID(binary.BigEndian.Uint64(b))
		return err
	})
	if err == nil && out == nil {
		return nil, notFound("source with URL", url)
	}
	return out, err
}

// FindEntities returns entities whose name or an alias normalizes to
// name (or, with prefix, starts with it), optionally of one kind, at most
// limit, ordered by normalized name.
func (s *Store) FindEntities(ctx context.Context, v graph.View, name string, prefix bool, kind graph.Kind, limit int) ([]*graph.Entity, error) {
	norm := graph.Normalize(name)
	if norm == "" {
		return nil, graph.Invalid("name", graph.RMissing, "name is empty")
	}
	limit = clampPage(limit)
	var out []*graph.Entity
	err := s.read(ctx, v, func(r *reader) error {
		p := append([]byte{tagName}, norm...)
		seen := map[uint64]bool{}
		// add adds the entity of one name-index entry, if alive (in
		// this read's view) and of kind.
		add := func(k []byte, alive bool) error {
			_, id, err := parseNameKey(k)
			if err != nil || seen[id] || !alive {
				return err
			}
			seen[id] = true
			e, err := r.entityByID(id)
			if err == nil && e != nil && (kind == "" || e.Kind == kind) {
				out = append(out, e)
			}
			return err
		}
		if !prefix {
			// An exact name has few entries: read them through the
			// prefix cache, as edges are, rather than seek every level
			// of the tree for each lookup.
			pe, err := r.prefix(append(p, 0))
			if err != nil {
				return err
			}
			for i := 0; i < pe.len() && len(out) < limit; i++ {
				if err := add(pe.key(i), r.sn.alive(pe.val(i))); err != nil {
					return err
				}
			}
			return nil
		}
		it := r.tx().NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
		defer it.Close()
		for it.Seek(p); it.ValidForPrefix(p) && len(out) < limit; it.Next() {
			if err := r.tick(); err != nil {
				return err
			}
			alive := false
			if err := it.Item().Value(func(b []byte) error { alive = r.sn.alive(b); return nil }); err != nil {
				return err
			}
			if err := add(it.Item().Key(), alive); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

var tickEvery = 1024

// tick checks the context every so many steps of a scan, so that a
// request's cancellation reaches long scans.
func (r *reader) tick() error {
	return checkCtx(r.ctx)
}

func clampPage(n int) int {
	if n <= 0 || n > MaxPage {
		return MaxPage
	}
	return n
}

// scanPrealloc bounds the room scan makes for a page before it knows how
// many entries it keeps.
const scanPrealloc = 64

// scan walks the keys under prefix from the cursor after (exclusive),
// calling keep for each; keep reports whether the entry is in the list.
// It counts every kept entry and collects the first `first` after the
// cursor. A cursor is the hex of the index key.
func (r *reader) scan(prefixes [][]byte, after string, first int, keep func(k, v []byte) (bool, error)) (keys [][]byte, vals [][]byte, total int, hasNext bool, err error) {
	first = clampPage(first)
	var start []byte
	if after != "" {
		if start, err = hex.DecodeString(after); err != nil {
			return nil, nil, 0, false, graph.Invalid("after", graph.RBadValue, "malformed cursor")
		}
		okp := false
		for _, p := range prefixes {
			okp = okp || bytes.HasPrefix(start, p)
		}
		if !okp {
			return nil, nil, 0, false, graph.Invalid("after", graph.RBadValue, "cursor does not belong to this list")
		}
	}
	n := 0
	for _, p := range prefixes {
		pe, err := r.prefix(p)
		if err != nil {
			return nil, nil, 0, false, err
		}
		if keys == nil && pe.len() > 0 {
			// Room for a page of the usual size at once, rather than
			// growing from one.
			c := min(first, pe.len(), scanPrealloc)
			keys, vals = make([][]byte, 0, c), make([][]byte, 0, c)
		}
		for i := range pe.len() {
			k := pe.key(i)
			if n++; n%tickEvery == 0 {
				if err := r.tick(); err != nil {
					return nil, nil, 0, false, err
				}
			}
			ok, err := keep(k, pe.val(i))
			if err != nil {
				return nil, nil, 0, false, err
			}
			if !ok {
				continue
			}
			total++
			if start != nil && bytes.Compare(k, start) <= 0 {
				continue
			}
			if len(keys) < first {
				keys = append(keys, k)
				vals = append(vals, pe.val(i))
			} else {
				hasNext = true
			}
		}
	}
	return keys, vals, total, hasNext, nil
}

// prefix returns every key and value under an index prefix, from the
// prefix cache when no write has been published since it was filled.
// The slices are shared: callers must not modify them.
func (r *reader) prefix(p []byte) (prefixEntry, error) {
	if pe, ok := r.s.prefixes.get(string(p)); ok && pe.gen == r.s.gen.Load() {
		return pe, nil
	}
	pe := prefixEntry{gen: r.gen}
	it := r.tx().NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
	defer it.Close()
	n := 0
	for it.Seek(p); it.ValidForPrefix(p); it.Next() {
		if n++; n%tickEvery == 0 {
			if err := r.tick(); err != nil {
				return prefixEntry{}, err
			}
		}
		item := it.Item()
		if err := item.Value(func(v []byte) error { pe.add(item.Key(), v); return nil }); err != nil {
			return prefixEntry{}, err
		}
	}
	if n := pe.len(); n <= maxCachedPrefix {
		r.s.prefixes.put(string(p), pe, n)
	}
	return pe, nil
}

// cursors returns the cursor of each key: its hex. The cursors share one
// string, so a page costs two allocations rather than one per key.
func cursors(keys [][]byte) []string {
	n := 0
	for _, k := range keys {
		n += hex.EncodedLen(len(k))
	}
	var b strings.Builder
	b.Grow(n)
	for _, k := range keys {
		for _, c := range k {
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0x0f])
		}
	}
	all := b.String()
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i], all = all[:hex.EncodedLen(len(k))], all[hex.EncodedLen(len(k)):]
	}
	return out
}

const hexDigits = "0123456789abcdef"

// ListEntities lists entities of a kind (every kind when kind is empty)
// in ID order, one page at a time. The total is counted from the kind
// index without decoding records.
func (s *Store) ListEntities(ctx context.Context, v graph.View, kind graph.Kind, after string, first int) (graph.Page[*graph.Entity], error) {
	var page graph.Page[*graph.Entity]
	err := s.read(ctx, v, func(r *reader) error {
		var prefixes [][]byte
		if kind != "" {
			c := graph.KindCode(kind)
			if c == 0 {
				return graph.Invalid("kind", graph.RBadValue, "unknown kind %q", kind)
			}
			prefixes = [][]byte{{tagKind, c}}
		} else {
			for _, k := range graph.Kinds() {
				if k != graph.ClaimKind {
					prefixes = append(prefixes, []byte{tagKind, graph.KindCode(k)})
				}
			}
		}
		keys, _, total, hasNext, err := r.scan(prefixes, after, first, func(_, v []byte) (bool, error) { return r.sn.alive(v), nil })
		if err != nil {
			return err
		}
		page.Total, page.HasNext, page.Cursors = total, hasNext, cursors(keys)
		for _, k := range keys {
			c, id, err := parseKindKey(k)
			if err != nil {
				return err
			}
			if k, _ := graph.KindOfCode(c); k == graph.ClaimKind {
				continue
			}
			e, err := r.entityByID(id)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, e)
		}
		return nil
	})
	return page, err
}

// EntityStatements lists the statements an entity takes part in, as the
// view sees them (current or as of a time, optionally valid at a date),
// in predicate then statement order.
// Returns NOT_FOUND if the entity does not exist in the view.
func (s *Store) EntityStatements(ctx context.Context, v graph.View, key string, q graph.EdgeQuery) (graph.Page[*graph.Statement], error) {
	var page graph.Page[*graph.Statement]
	err := s.read(ctx, v, func(r *reader) error {
		e, ok, err := r.lookup(rEntity, key)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("entity", key)
		}
		var code []byte
		if q.Predicate != "" {
			p, ok := graph.Predicates.Lookup(q.Predicate)
			if !ok {
				return graph.Invalid("predicate", graph.RUnknownPredicate, "unknown predicate %q", q.Predicate)
			}
			code = binary.BigEndian.AppendUint16(nil, p.Code)
		}
		var prefixes [][]byte
		if q.Direction == graph.Outgoing || q.Direction == graph.Both {
			prefixes = append(prefixes, append(u64([]byte{tagOut}, e.id), code...))
		}
		if q.Direction == graph.Incoming || q.Direction == graph.Both {
			prefixes = append(prefixes, append(u64([]byte{tagIn}, e.id), code...))
		}
		keys, _, total, hasNext, err := r.scan(prefixes, q.After, q.First, func(_, v []byte) (bool, error) {
			p, iv, err := decodePosting(v)
			return err == nil && r.sn.validIn(p) && r.sn.alive(iv), err
		})
		if err != nil {
			return err
		}
		page.Total, page.HasNext, page.Cursors = total, hasNext, cursors(keys)
		page.Items, err = r.edgeStatements(keys)
		return err
	})
	return page, err
}

// SourceStatements lists the statements that cite a source (as source or
// as the dataset they were imported from).
func (s *Store) SourceStatements(ctx context.Context, v graph.View, key, after string, first int) (graph.Page[*graph.Statement], error) {
	var page graph.Page[*graph.Statement]
	err := s.read(ctx, v, func(r *reader) error {
		ids, cur, total, hasNext, err := r.bySource(key, rStatement, after, first)
		if err != nil {
			return err
		}
		page.Total, page.HasNext, page.Cursors = total, hasNext, cur
		if len(ids) > 0 {
			page.Items, err = r.statementsByID(ids)
		}
		return err
	})
	return page, err
}

func (r *reader) bySource(key string, rtype byte, after string, first int) ([]uint64, []string, int, bool, error) {
	e, ok, err := r.lookup(rSource, key)
	if err != nil {
		return nil, nil, 0, false, err
	}
	if !ok {
		return nil, nil, 0, false, notFound("source", key)
	}
	p := append(u64([]byte{tagBySource}, e.id), rtype)
	keys, _, total, hasNext, err := r.scan([][]byte{p}, after, first, func(_, v []byte) (bool, error) { return r.sn.alive(v), nil })
	if err != nil {
		return nil, nil, 0, false, err
	}
	ids := make([]uint64, len(keys))
	for i, k := range keys {
		if _, _, ids[i], err = parseBySourceKey(k); err != nil {
			return nil, nil, 0, false, err
		}
	}
	return ids, cursors(keys), total, hasNext, nil
}

// ListClaims lists claims by claimant, subject or source, or all claims.
// Returns NOT_FOUND if the named entity or source does not exist.
func (s *Store) ListClaims(ctx context.Context, v graph.View, q graph.ClaimQuery) (graph.Page[*graph.Claim], error) {
	var page graph.Page[*graph.Claim]
	err := s.read(ctx, v, func(r *reader) error {
		var ids []uint64
		var keys [][]byte
		var err error
		alive := func(_, v []byte) (bool, error) { return r.sn.alive(v), nil }
		switch {
		case q.Source != "":
			ids, page.Cursors, page.Total, page.HasNext, err = r.bySource(q.Source, rClaim, q.After, q.First)
			if err != nil {
				return err
			}
		case q.Claimant != "" || q.About != "":
			tag, key := byte(tagClaimant), q.Claimant
			if q.About != "" {
				tag, key = tagAbout, q.About
			}
			e, ok, err := r.lookup(rEntity, key)
			if err != nil {
				return err
			}
			if !ok {
				return notFound("entity", key)
			}
			if keys, _, page.Total, page.HasNext, err = r.scan([][]byte{u64([]byte{tag}, e.id)}, q.After, q.First, alive); err != nil {
				return err
			}
			for _, k := range keys {
				_, _, id, err := parseClaimIndexKey(k)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			page.Cursors = cursors(keys)
		default:
			if keys, _, page.Total, page.HasNext, err = r.scan([][]byte{{tagKind, graph.KindCode(graph.ClaimKind)}}, q.After, q.First, alive); err != nil {
				return err
			}
			for _, k := range keys {
				_, id, err := parseKindKey(k)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			page.Cursors = cursors(keys)
		}
		// A chip's claims are imported together, so their heads are
		// read in runs (versionsRaw) when the cache misses them.
		page.Items, err = r.claimsByID(ids)
		return err
	})
	return page, err
}

// ListSources lists sources in key order.
func (s *Store) ListSources(ctx context.Context, v graph.View, after string, first int) (graph.Page[*graph.Source], error) {
	var page graph.Page[*graph.Source]
	err := s.read(ctx, v, func(r *reader) error {
		keys, vals, total, hasNext, err := r.scan([][]byte{{tagKey, rSource}}, after, first, func(_, v []byte) (bool, error) {
			e, ok := decodeKeyEntry(v)
			return ok && r.sn.sees(e.created), nil
		})
		if err != nil {
			return err
		}
		page.Total, page.HasNext, page.Cursors = total, hasNext, cursors(keys)
		for _, v := range vals {
			e, _ := decodeKeyEntry(v)
			src, err := r.sourceByID(e.id)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, src)
		}
		return nil
	})
	return page, err
}
