package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	badger "github.com/dgraph-io/badger/v4"
)

// precheck runs, without writing, every check the writer would make on an
// import: record shapes, references resolved against the store plus the
// records before them, kind changes, key and URL collisions, retraction
// targets and recorded-time order. Import writes only after it passes, so
// a bad file leaves nothing behind.
func (s *Store) precheck(ctx context.Context, recs []graph.Record) error {
	c := s.newPrechecker()
	defer c.close()
	for i := range recs {
		if i%4096 == 0 {
			if err := checkCtx(ctx); err != nil {
				return err
			}
		}
		if err := c.check(&recs[i]); err != nil {
			return recordError(&recs[i], i, err)
		}
	}
	return nil
}

// prechecker runs precheck one record at a time, each against the store
// and the records it checked before.
type prechecker struct {
	p           *preLookup
	floor, last uint64
}

func (s *Store) newPrechecker() *prechecker {
	return &prechecker{
		p: &preLookup{
			txn: s.db.NewTransaction(false), sn: s.latest(), kinds: map[string]graph.Kind{},
			urls: map[string]string{}, claims: map[string]bool{}, statements: map[string]bool{},
		},
		floor: s.clock, last: s.clock,
	}
}

func (c *prechecker) close() { c.p.txn.Discard() }

// check checks r, the next record.
func (c *prechecker) check(r *graph.Record) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if at := r.RecordedAt(); !at.IsZero() {
		t := uint64(max(at.UnixNano(), 0))
		if t <= c.floor || t < c.last {
			return graph.Invalid("recorded.at", graph.RBadValue,
				"recorded time %s is not after the store's latest change; history can only be appended (import into an empty store to restore an export, or leave recorded out)",
				at.UTC().Format(time.RFC3339Nano))
		}
		c.last = t
	}
	return c.p.check(r)
}

type preLookup struct {
	txn        *badger.Txn
	sn         snapshot
	kinds      map[string]graph.Kind
	sources    sourceCache
	urls       map[string]string // URL → source key, from the batch
	claims     map[string]bool
	statements map[string]bool
	// mem, in a bulk import, is the overlay the writer has applied every
	// record before this one to. The store holds no records then, and
	// the overlay's key index stands in for claims and statements (two
	// maps of 100,000 and 764,000 strings at scale 1).
	mem *overlay
	// w, in a bulk import, is the writer that applies each record right
	// after its check: its entities stand in for kinds (they hold the
	// same kinds), and a statement's or claim's entities, looked up
	// there, are among its recent ones when it applies the record, which
	// spares it a lookup in a map of every entity per reference.
	w *writer
}

func (p *preLookup) stored(rtype byte, key string) (keyEntry, bool) {
	if p.mem != nil {
		return keyEntry{}, false
	}
	v, err := getValue(p.txn, keyIndexKey(rtype, key))
	if err != nil {
		return keyEntry{}, false
	}
	e, ok := decodeKeyEntry(v)
	return e, ok && p.sn.sees(e.created)
}

// EntityKind implements graph.Lookup.
func (p *preLookup) EntityKind(key string) (graph.Kind, bool) {
	if p.w != nil {
		e, ok, _ := p.w.lookupKey(rEntity, key) // never fails in a bulk import
		return e.kind, ok
	}
	if k, ok := p.kinds[key]; ok {
		return k, true
	}
	e, ok := p.stored(rEntity, key)
	if ok {
		p.kinds[key] = e.kind
	}
	return e.kind, ok
}

// SourceText implements graph.Lookup.
func (p *preLookup) SourceText(key string) (string, string, bool) {
	if si, ok := p.sources.get(key); ok {
		return si.text, si.sha, true
	}
	src, ok, err := p.storedSource(key)
	if err != nil || !ok {
		return "", "", false
	}
	p.sources.set(key, sourceInfo{text: src.Text, sha: src.SHA256})
	return src.Text, src.SHA256, true
}

func (p *preLookup) storedSource(key string) (*graph.Source, bool, error) {
	e, ok := p.stored(rSource, key)
	if !ok {
		return nil, false, nil
	}
	var src graph.Source
	found, err := loadVersion(p.txn, p.sn, tagSource, e.id, &src)
	return &src, found, err
}

func (p *preLookup) check(r *graph.Record) error {
	switch r.Type {
	case graph.EntityRecord:
		e := r.Entity
		if k, ok := p.EntityKind(e.Key); ok && k != e.Kind {
			return &graph.Error{Code: graph.ECONFLICT, Reason: graph.RKindMismatch, Field: "kind",
				Message: fmt.Sprintf("entity %q is a %s; its kind cannot change to %s", e.Key, k, e.Kind)}
		}
		if _, ok := p.stored(rClaim, e.Key); ok || p.inBatch(rClaim, e.Key) {
			return &graph.Error{Code: graph.ECONFLICT, Reason: graph.RDuplicate, Field: "key", Message: fmt.Sprintf("key %q is taken by a claim", e.Key)}
		}
		if p.w == nil { // else the writer records it as it applies r
			p.kinds[e.Key] = e.Kind
		}
	case graph.SourceRecord:
		src := r.Source
		if src.URL != "" {
			if k, ok := p.urls[src.URL]; ok && k != src.Key {
				return &graph.Error{Code: graph.ECONFLICT, Reason: graph.RDuplicate, Field: "url", Message: fmt.Sprintf("another source (%q) already has URL %s", k, src.URL)}
			}
			if v, err := getValue(p.txn, urlKey(src.URL)); err == nil && len(v) == 8 {
				if e, ok := p.stored(rSource, src.Key); !ok || e.id != binary.BigEndian.Uint64(v) {
					return &graph.Error{Code: graph.ECONFLICT, Reason: graph.RDuplicate, Field: "url", Message: fmt.Sprintf("another source already has URL %s", src.URL)}
				}
			} else if err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
				return err
			}
			p.urls[src.URL] = src.Key
		}
		if prev, ok, err := p.storedSource(src.Key); err != nil {
			return err
		} else if ok && prev.URL != "" && prev.URL != src.URL {
			return &graph.Error{Code: graph.ECONFLICT, Reason: graph.RBadURL, Field: "url", Message: fmt.Sprintf("source %q has URL %s; a URL cannot change", src.Key, prev.URL)}
		}
		p.sources.set(src.Key, sourceInfo{text: src.Text, sha: src.SHA256})
	case graph.StatementRecord:
		st := *r.Statement
		if err := st.Resolve(p); err != nil {
			return err
		}
		r.Statement.References = st.References
		p.addToBatch(rStatement, st.Key)
	case graph.ClaimRecord:
		c := *r.Claim
		if err := c.Resolve(p); err != nil {
			return err
		}
		for i, l := range c.Links {
			if l.Statement != "" {
				if err := p.statementExists(l.Statement); err != nil {
					return graph.Invalid(fmt.Sprintf("links[%d].statement", i), graph.RUnknownEntity, "no statement %q", l.Statement)
				}
			} else if _, ok := p.stored(rClaim, l.Claim); !ok && !p.inBatch(rClaim, l.Claim) {
				return graph.Invalid(fmt.Sprintf("links[%d].claim", i), graph.RUnknownEntity, "no claim %q", l.Claim)
			}
		}
		r.Claim.Reference = c.Reference
		if _, ok := p.EntityKind(c.Key); ok {
			return &graph.Error{Code: graph.ECONFLICT, Reason: graph.RDuplicate, Field: "key", Message: fmt.Sprintf("key %q is taken by an entity", c.Key)}
		}
		p.addToBatch(rClaim, c.Key)
	case graph.RetractRecord:
		rt := r.Retract
		switch {
		case rt.Statement != "":
			return p.statementExists(rt.Statement)
		case rt.Claim != "":
			if _, ok := p.stored(rClaim, rt.Claim); !ok && !p.inBatch(rClaim, rt.Claim) {
				return missing("claim", rt.Claim)
			}
		default:
			if _, _, ok := p.SourceText(rt.Source); !ok {
				return missing("source", rt.Source)
			}
		}
	case graph.RankRecord:
		return p.statementExists(r.Rank.Statement)
	}
	return nil
}

func (p *preLookup) statementExists(key string) error {
	if _, ok := p.stored(rStatement, key); !ok && !p.inBatch(rStatement, key) {
		return missing("statement", key)
	}
	return nil
}

// inBatch reports whether a record checked before wrote the claim or
// statement key.
func (p *preLookup) inBatch(rtype byte, key string) bool {
	if p.mem != nil {
		var buf [64]byte
		return p.mem.has(appendKeyIndexKey(buf[:0], rtype, key))
	}
	if rtype == rClaim {
		return p.claims[key]
	}
	return p.statements[key]
}

// addToBatch notes that the record being checked writes the claim or
// statement key.
func (p *preLookup) addToBatch(rtype byte, key string) {
	switch {
	case p.mem != nil: // the writer puts it in the overlay
	case rtype == rClaim:
		p.claims[key] = true
	default:
		p.statements[key] = true
	}
}
