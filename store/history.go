package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/chipgraph/chipgraph/graph"
	badger "github.com/dgraph-io/badger/v4"
)

// versions returns every version of a record visible in the snapshot,
// oldest first.
func (r *reader) versions(rtype byte, id uint64) ([]graph.Version, error) {
	tag := versionTag(rtype)
	opts := badger.IteratorOptions{Prefix: versionPrefix(tag, id), PrefetchValues: false}
	it := r.tx().NewIterator(opts)
	defer it.Close()
	var out []graph.Version
	for it.Seek(opts.Prefix); it.ValidForPrefix(opts.Prefix); it.Next() {
		_, _, ts, err := parseVersionKey(it.Item().Key())
		if err != nil {
			return nil, err
		}
		if !r.sn.sees(ts) {
			continue
		}
		var rec graph.Record
		if err := it.Item().Value(func(b []byte) error { return decodeVersion(rtype, b, &rec) }); err != nil {
			return nil, err
		}
		out = append(out, versionOf(rec, id))
	}
	slices.Reverse(out)
	// The newest version lives in the head.
	if item, err := r.tx().Get(headKey(tag, id)); err == nil {
		var rec graph.Record
		var ts uint64
		if err := item.Value(func(b []byte) error {
			if len(b) < 8 {
				return fmt.Errorf("malformed head of record %d", id)
			}
			ts = binary.BigEndian.Uint64(b)
			if !r.sn.sees(ts) {
				return nil
			}
			return decodeVersion(rtype, b[8:], &rec)
		}); err != nil {
			return nil, err
		}
		if r.sn.sees(ts) {
			out = append(out, versionOf(rec, id))
		}
	} else if !errors.Is(err, badger.ErrKeyNotFound) {
		return nil, err
	}
	// Say which references each statement or claim version added or removed.
	var prev []graph.Reference
	for i := range out {
		var refs []graph.Reference
		switch {
		case out[i].Statement != nil:
			refs = out[i].Statement.References
		case out[i].Claim != nil:
			refs = []graph.Reference{out[i].Claim.Reference}
		default:
			continue
		}
		out[i].Added = diffRefs(refs, prev)
		out[i].Removed = diffRefs(prev, refs)
		prev = refs
	}
	return out, nil
}

// versionOf turns a decoded version of record id into a history entry.
func versionOf(rec graph.Record, id uint64) graph.Version {
	v := graph.Version{Type: rec.Type, Entity: rec.Entity, Source: rec.Source, Statement: rec.Statement, Claim: rec.Claim}
	switch {
	case rec.Entity != nil:
		rec.Entity.ID, v.Recorded = id, rec.Entity.Recorded
	case rec.Source != nil:
		rec.Source.ID, v.Recorded = id, rec.Source.Recorded
	case rec.Statement != nil:
		rec.Statement.ID, v.Recorded = id, rec.Statement.Recorded
	case rec.Claim != nil:
		rec.Claim.ID, v.Recorded = id, rec.Claim.Recorded
	}
	return v
}

// diffRefs returns the references in a that are not in b.
func diffRefs(a, b []graph.Reference) []graph.Reference {
	var out []graph.Reference
	for _, r := range a {
		if !slices.ContainsFunc(b, func(x graph.Reference) bool { return sameRef(x, r) }) {
			out = append(out, r)
		}
	}
	return out
}

// History lists every recorded change of a record, oldest first: for a
// statement, claim or source its versions; for an entity its own versions
// and every version of every statement it has been the subject or object
// of, including retracted ones. rtype is graph.EntityRecord,
// StatementRecord, ClaimRecord or SourceRecord. With a view's AsOf, only
// changes up to that instant. Returns NOT_FOUND if the record does not
// exist in the view.
func (s *Store) History(ctx context.Context, v graph.View, typ graph.RecordType, key, after string, first int) (graph.Page[graph.Version], error) {
	var page graph.Page[graph.Version]
	rtype, ok := map[graph.RecordType]byte{graph.EntityRecord: rEntity, graph.SourceRecord: rSource, graph.StatementRecord: rStatement, graph.ClaimRecord: rClaim}[typ]
	if !ok {
		return page, graph.Invalid("type", graph.RBadValue, "no history for %q records", typ)
	}
	first = clampPage(first)
	err := s.read(ctx, v, func(r *reader) error {
		e, ok, err := r.lookup(rtype, key)
		if err != nil {
			return err
		}
		if !ok {
			return notFound(string(typ), key)
		}
		all, err := r.versions(rtype, e.id)
		if err != nil {
			return err
		}
		if rtype == rEntity {
			// Every statement ever attached, current or not: the edge keys
			// stay when intervals close.
			seen := map[uint64]bool{}
			for _, tag := range []byte{tagOut, tagIn} {
				p := u64([]byte{tag}, e.id)
				it := r.tx().NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
				for it.Seek(p); it.ValidForPrefix(p); it.Next() {
					_, _, _, sid, err := parseEdgeKey(it.Item().Key())
					if err != nil {
						it.Close()
						return err
					}
					seen[sid] = true
				}
				it.Close()
			}
			ids := make([]uint64, 0, len(seen))
			for id := range seen {
				ids = append(ids, id)
			}
			sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
			for _, id := range ids {
				if err := r.tick(); err != nil {
					return err
				}
				vs, err := r.versions(rStatement, id)
				if err != nil {
					return err
				}
				all = append(all, vs...)
			}
		}
		// Oldest first; ties by record type then key, so pages are stable.
		sort.SliceStable(all, func(i, j int) bool {
			a, b := all[i].Recorded.At, all[j].Recorded.At
			if !a.Equal(b) {
				return a.Before(b)
			}
			return versionKeyOf(all[i]) < versionKeyOf(all[j])
		})
		start := 0
		if after != "" {
			c, err := hex.DecodeString(after)
			if err != nil || len(c) < 8 {
				return graph.Invalid("after", graph.RBadValue, "malformed cursor")
			}
			start = sort.Search(len(all), func(i int) bool { return bytes.Compare(historyCursor(all[i]), c) > 0 })
		}
		page.Total = len(all)
		for i := start; i < len(all); i++ {
			if len(page.Items) == first {
				page.HasNext = true
				break
			}
			page.Items = append(page.Items, all[i])
			page.Cursors = append(page.Cursors, hex.EncodeToString(historyCursor(all[i])))
		}
		return nil
	})
	return page, err
}

func versionKeyOf(v graph.Version) string {
	switch {
	case v.Entity != nil:
		return "1" + v.Entity.Key
	case v.Source != nil:
		return "2" + v.Source.Key
	case v.Statement != nil:
		return "3" + v.Statement.Key
	case v.Claim != nil:
		return "4" + v.Claim.Key
	}
	return ""
}

// historyCursor orders history entries: recorded time, then record.
func historyCursor(v graph.Version) []byte {
	b := u64(nil, uint64(v.Recorded.At.UnixNano()))
	return append(b, versionKeyOf(v)...)
}

// SourceVersions returns every version of a source in the view, oldest
// first: text revisions keep their own hash, so references can be checked
// against the text they quoted. Returns NOT_FOUND if there is none.
func (s *Store) SourceVersions(ctx context.Context, v graph.View, key string) ([]*graph.Source, error) {
	var out []*graph.Source
	err := s.read(ctx, v, func(r *reader) error {
		e, ok, err := r.lookup(rSource, key)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("source", key)
		}
		vs, err := r.versions(rSource, e.id)
		for _, x := range vs {
			out = append(out, x.Source)
		}
		return err
	})
	return out, err
}

// Conflicts lists subjects whose single-valued predicates have two or more
// current statements with overlapping valid times, with those statements.
// Filters: entity kind, predicate, entity key.
func (s *Store) Conflicts(ctx context.Context, v graph.View, q graph.ConflictQuery) (graph.Page[*graph.Conflict], error) {
	var page graph.Page[*graph.Conflict]
	err := s.read(ctx, v, func(r *reader) error {
		prefix := []byte{tagConflict}
		if q.Predicate != "" {
			p, ok := graph.Predicates.Lookup(q.Predicate)
			if !ok {
				return graph.Invalid("predicate", graph.RUnknownPredicate, "unknown predicate %q", q.Predicate)
			}
			prefix = binary.BigEndian.AppendUint16(prefix, p.Code)
		}
		var subj uint64
		if q.Entity != "" {
			e, ok, err := r.lookup(rEntity, q.Entity)
			if err != nil {
				return err
			}
			if !ok {
				return notFound("entity", q.Entity)
			}
			subj = e.id
		}
		kinds := map[uint64]graph.Kind{}
		keys, _, total, hasNext, err := r.scan([][]byte{prefix}, q.After, q.First, func(k, val []byte) (bool, error) {
			if !r.sn.alive(val) {
				return false, nil
			}
			_, id, err := parseConflictKey(k)
			if err != nil || (subj != 0 && id != subj) {
				return false, err
			}
			if q.Kind != "" {
				kind, ok := kinds[id]
				if !ok {
					e, err := r.entityByID(id)
					if err != nil || e == nil {
						return false, err
					}
					kind, kinds[id] = e.Kind, e.Kind
				}
				return kind == q.Kind, nil
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		page.Total, page.HasNext, page.Cursors = total, hasNext, cursors(keys)
		for _, k := range keys {
			pc, id, _ := parseConflictKey(k)
			c, err := r.conflict(pc, id)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, c)
		}
		return nil
	})
	return page, err
}

// EntityConflicts returns the conflicts on one entity.
func (s *Store) EntityConflicts(ctx context.Context, v graph.View, key string) ([]*graph.Conflict, error) {
	var out []*graph.Conflict
	err := s.read(ctx, v, func(r *reader) error {
		e, ok, err := r.lookup(rEntity, key)
		if err != nil || !ok {
			return err
		}
		for _, p := range graph.Predicates.All() {
			if !p.Single() || !p.AllowsSubject(e.kind) {
				continue
			}
			item, err := r.tx().Get(conflictKey(p.Code, e.id))
			if errors.Is(err, badger.ErrKeyNotFound) {
				continue
			} else if err != nil {
				return err
			}
			alive := false
			if err := item.Value(func(b []byte) error { alive = r.sn.alive(b); return nil }); err != nil {
				return err
			}
			if alive {
				c, err := r.conflict(p.Code, e.id)
				if err != nil {
					return err
				}
				out = append(out, c)
			}
		}
		return nil
	})
	return out, err
}

// conflict loads the statements of a conflict.
func (r *reader) conflict(pred uint16, subj uint64) (*graph.Conflict, error) {
	p, ok := graph.Predicates.ByCode(pred)
	if !ok {
		return nil, fmt.Errorf("conflict on unknown predicate code %d", pred)
	}
	e, err := r.entityByID(subj)
	if err != nil || e == nil {
		return nil, err
	}
	c := &graph.Conflict{Subject: e.Key, Predicate: p.Name}
	prefix := binary.BigEndian.AppendUint16(u64([]byte{tagOut}, subj), pred)
	keys, _, _, _, err := r.scan([][]byte{prefix}, "", MaxPage, func(_, v []byte) (bool, error) {
		ps, iv, err := decodePosting(v)
		return err == nil && r.sn.validIn(ps) && r.sn.alive(iv), err
	})
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		_, _, _, sid, _ := parseEdgeKey(k)
		st, err := r.statementByID(sid)
		if err != nil {
			return nil, err
		}
		c.Statements = append(c.Statements, st)
	}
	return c, nil
}

// LinkedClaims lists the current claims that support or contradict a
// statement or a claim. Returns NOT_FOUND if the target does not exist.
func (s *Store) LinkedClaims(ctx context.Context, v graph.View, q graph.LinkQuery) (graph.Page[*graph.Claim], error) {
	var page graph.Page[*graph.Claim]
	err := s.read(ctx, v, func(r *reader) error {
		rtype, key := rStatement, q.Statement
		if q.Claim != "" {
			rtype, key = rClaim, q.Claim
		}
		e, ok, err := r.lookup(rtype, key)
		if err != nil {
			return err
		}
		if !ok {
			return notFound(map[byte]string{rStatement: "statement", rClaim: "claim"}[rtype], key)
		}
		prefix := append([]byte{tagLink, rtype}, u64(nil, e.id)...)
		if q.Relation != "" {
			prefix = append(prefix, graph.LinkCode(q.Relation))
		}
		keys, _, total, hasNext, err := r.scan([][]byte{prefix}, q.After, q.First, func(_, v []byte) (bool, error) { return r.sn.alive(v), nil })
		if err != nil {
			return err
		}
		page.Total, page.HasNext, page.Cursors = total, hasNext, cursors(keys)
		for _, k := range keys {
			_, _, _, cid, err := parseLinkKey(k)
			if err != nil {
				return err
			}
			c, err := r.claimByID(cid)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, c)
		}
		return nil
	})
	return page, err
}
