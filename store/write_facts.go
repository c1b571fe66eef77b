package store

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/chipgraph/chipgraph/graph"
)

// This file holds the writer's statements, claims, retractions, rank
// changes and conflict bookkeeping.

func (w *writer) entityID(key string) (uint64, error) {
	e, ok, err := w.lookupKey(rEntity, key)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, graph.Invalid("entity", graph.RUnknownEntity, "unknown entity %q", key)
	}
	return e.id, nil
}

func (w *writer) sourceID(key string) (uint64, error) {
	si, ok, err := w.source(key)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, graph.Invalid("source", graph.RUnknownSource, "unknown source %q", key)
	}
	return si.id, nil
}

// referenceSources returns the distinct source IDs a record's references
// name (sources and importedFrom).
func (w *writer) referenceSources(refs []graph.Reference) ([]uint64, error) {
	var ids []uint64
	for _, r := range refs {
		for _, k := range []string{r.Source, r.ImportedFrom} {
			if k == "" {
				continue
			}
			id, err := w.sourceID(k)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// statementOcc appends the index keys a current statement occupies to
// out[:0] and returns them.
func (w *writer) statementOcc(out []occ, st *graph.Statement) ([]occ, error) {
	if !st.Current() {
		return nil, nil
	}
	p, _ := graph.Predicates.Lookup(st.Predicate)
	subj, err := w.entityID(st.Subject)
	if err != nil {
		return nil, err
	}
	vf, vt := validBounds(st.Qualifiers.ValidInterval())
	out = out[:0]
	a := w.slab
	if st.Object.Type == graph.EntityValue {
		obj, err := w.entityID(st.Object.Entity)
		if err != nil {
			return nil, err
		}
		out = append(out,
			occ{appendEdgeKey(a.get(19), tagOut, subj, p.Code, st.ID), posting{other: obj, validFrom: vf, validTo: vt}, true},
			occ{appendEdgeKey(a.get(19), tagIn, obj, p.Code, st.ID), posting{other: subj, validFrom: vf, validTo: vt}, true})
	} else {
		out = append(out, occ{appendEdgeKey(a.get(19), tagOut, subj, p.Code, st.ID), posting{validFrom: vf, validTo: vt}, true})
		if n, ok := st.Object.Number(); ok && !math.IsNaN(n) {
			out = append(out, occ{appendLiteralKey(a.get(27), p.Code, n, subj, st.ID), posting{other: subj, validFrom: vf, validTo: vt}, true})
		}
	}
	srcs, err := w.referenceSources(st.References)
	if err != nil {
		return nil, err
	}
	for _, id := range srcs {
		out = append(out, occ{key: appendBySourceKey(a.get(18), id, rStatement, st.ID)})
	}
	return out, nil
}

func sameRef(a, b graph.Reference) bool {
	return a.Source == b.Source && a.Quote == b.Quote && a.Locator.Section == b.Locator.Section &&
		a.Locator.Page == b.Locator.Page && a.ImportedFrom == b.ImportedFrom
}

// mergeStatement folds an incoming statement into the stored one: new
// references are added, a given rank replaces the stored one, and a
// retracted statement written again comes back.
func mergeStatement(prev, in *graph.Statement) (graph.Statement, graph.Op) {
	m := *prev
	m.References = slices.Clone(prev.References)
	var op graph.Op
	for _, r := range in.References {
		if !slices.ContainsFunc(m.References, func(x graph.Reference) bool { return sameRef(x, r) }) {
			m.References = append(m.References, r)
			op = graph.OpUpdate
		}
	}
	if in.Rank != "" && in.Rank != m.Rank {
		m.Rank = in.Rank
		if op == "" {
			op = graph.OpRank
		}
	}
	if m.Retracted != nil {
		m.Retracted = nil
		op = graph.OpReassert
	}
	return m, op
}

// applyStatement writes a statement record: a new statement, a reference
// added to an identical one, or (when the record carries its recorded
// time, as exports do) a version restored as is.
func (w *writer) applyStatement(in *graph.Statement) (bool, error) {
	st := *in
	if !w.prechecked {
		// Resolve sets fields of the references: not the caller's.
		st.References = slices.Clone(in.References)
		if err := st.Resolve(w); err != nil {
			return false, err
		}
	}
	prev, err := w.latestStatement(st.Key)
	if err != nil {
		return false, err
	}
	next, op := st, graph.OpAdd
	if restoring(st.Recorded) {
		if prev != nil {
			next.ID, op = prev.ID, st.Recorded.Op
		}
	} else if prev != nil {
		next, op = mergeStatement(prev, &st)
		if op == "" {
			return false, nil
		}
		next.Recorded = st.Recorded
	}
	if next.Rank == "" {
		next.Rank = graph.Normal
	}
	return true, w.writeStatement(prev, &next, op, "")
}

// latestStatement returns the newest version of a statement, or nil.
func (w *writer) latestStatement(key string) (*graph.Statement, error) {
	old, exists, err := w.lookupKey(rStatement, key)
	if err != nil || !exists {
		return nil, err
	}
	var prev graph.Statement
	if _, err := w.latestVersion(tagStatement, old.id, &prev); err != nil {
		return nil, err
	}
	prev.ID = old.id
	return &prev, nil
}

// writeStatement writes next as the new version of prev (nil for a new
// statement): the version, its head, the log entry and the index diff.
func (w *writer) writeStatement(prev, next *graph.Statement, op graph.Op, reason string) error {
	ts, err := w.recTs(next.Recorded.At)
	if err != nil {
		return err
	}
	next.Recorded = w.recorded(next.Recorded, ts, op, reason)
	if next.Retracted != nil && next.Retracted.At.IsZero() {
		next.Retracted.At, next.Retracted.By = next.Recorded.At, next.Recorded.By
	}
	if prev == nil {
		if next.ID, err = w.newID(); err != nil {
			return err
		}
		if err := w.setKey(rStatement, next.Key, keyEntry{id: next.ID, created: ts}); err != nil {
			return err
		}
	}
	var before []occ
	if prev != nil {
		if before, err = w.statementOcc(w.occs[0], prev); err != nil {
			return err
		}
	}
	now, err := w.statementOcc(w.occs[1], next)
	if err != nil {
		return err
	}
	w.occs[0], w.occs[1] = before, now
	if err := w.writeVersion(tagStatement, rStatement, next.ID, ts, next, next.Key, next.Recorded, prev == nil); err != nil {
		return err
	}
	if err := w.occupy(before, now, ts, prev == nil); err != nil {
		return err
	}
	if p, _ := graph.Predicates.Lookup(next.Predicate); p.Single() {
		subj, err := w.entityID(next.Subject)
		if err != nil {
			return err
		}
		w.dirty[string(conflictKey(p.Code, subj))] = struct{}{}
	}
	return nil
}

// applyRank changes a statement's rank.
func (w *writer) applyRank(r *graph.SetRank) (bool, error) {
	prev, err := w.latestStatement(r.Statement)
	if err != nil {
		return false, err
	}
	if prev == nil {
		return false, missing("statement", r.Statement)
	}
	if prev.Retracted != nil {
		return false, &graph.Error{Code: graph.ECONFLICT, Field: "statement", Message: fmt.Sprintf("statement %q is retracted; its rank cannot change", r.Statement)}
	}
	if prev.Rank == r.Rank {
		return false, nil
	}
	next := *prev
	next.Rank, next.Recorded = r.Rank, r.Recorded
	return true, w.writeStatement(prev, &next, graph.OpRank, r.Reason)
}

// --- conflicts

// conflictKey marks a subject whose single-valued predicate has two or
// more current statements whose valid times overlap:
//
//	byte 0      tagConflict (0x24)
//	bytes 1-2   predicate code
//	bytes 3-10  subject ID
//
// The value is intervals: open while the conflict stands. Ranks do not
// close a conflict; a preferred statement resolves it for readers.
func conflictKey(pred uint16, subject uint64) []byte {
	b := binary.BigEndian.AppendUint16([]byte{tagConflict}, pred)
	return u64(b, subject)
}

// parseConflictKey is the inverse of conflictKey.
func parseConflictKey(k []byte) (pred uint16, subject uint64, err error) {
	if len(k) != 11 || k[0] != tagConflict {
		return 0, 0, fmt.Errorf("not a conflict key: %x", k)
	}
	return binary.BigEndian.Uint16(k[1:3]), binary.BigEndian.Uint64(k[3:]), nil
}

// updateConflicts recomputes the conflict state of every dirty pair.
func (w *writer) updateConflicts() error {
	if len(w.dirty) == 0 {
		return nil
	}
	keys := make([]string, 0, len(w.dirty))
	for k := range w.dirty {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	clear(w.dirty)
	ts := w.last
	for _, k := range keys {
		pred, subj, err := parseConflictKey([]byte(k))
		if err != nil {
			return err
		}
		conflict, err := w.inConflict(subj, pred)
		if err != nil {
			return err
		}
		cur, err := w.get([]byte(k))
		if err != nil {
			return err
		}
		if cur == nil && !conflict {
			continue
		}
		if err := w.setOcc(occ{key: []byte(k)}, cur, ts, conflict); err != nil {
			return err
		}
	}
	return nil
}

// inConflict reports whether two current statements of subject and pred
// hold at the same valid time.
func (w *writer) inConflict(subj uint64, pred uint16) (bool, error) {
	prefix := binary.BigEndian.AppendUint16(u64([]byte{tagOut}, subj), pred)
	var live []posting
	if err := w.scan(prefix, func(_, v []byte) error {
		p, iv, err := decodePosting(v)
		if err == nil && w.sn.alive(iv) {
			live = append(live, p)
		}
		return err
	}); err != nil {
		return false, err
	}
	for i := range live {
		for j := i + 1; j < len(live); j++ {
			if live[i].validFrom < live[j].validTo && live[j].validFrom < live[i].validTo {
				return true, nil
			}
		}
	}
	return false, nil
}

// --- claims

// claimOcc appends the index keys a current claim occupies to out[:0]
// and returns them.
func (w *writer) claimOcc(out []occ, c *graph.Claim) ([]occ, error) {
	if !c.Current() {
		return nil, nil
	}
	claimant, err := w.entityID(c.Claimant)
	if err != nil {
		return nil, err
	}
	out = append(out[:0],
		occ{key: kindKey(graph.KindCode(graph.ClaimKind), c.ID)},
		occ{key: appendClaimIndexKey(w.slab.get(17), tagClaimant, claimant, c.ID)})
	for _, a := range c.About {
		id, err := w.entityID(a)
		if err != nil {
			return nil, err
		}
		k := appendClaimIndexKey(w.slab.get(17), tagAbout, id, c.ID)
		if !slices.ContainsFunc(out, func(o occ) bool { return string(o.key) == string(k) }) {
			out = append(out, occ{key: k})
		}
	}
	srcs, err := w.referenceSources([]graph.Reference{c.Reference})
	if err != nil {
		return nil, err
	}
	for _, id := range srcs {
		out = append(out, occ{key: appendBySourceKey(w.slab.get(18), id, rClaim, c.ID)})
	}
	for i, l := range c.Links {
		rtype, key := rStatement, l.Statement
		if l.Claim != "" {
			rtype, key = rClaim, l.Claim
		}
		e, ok, err := w.lookupKey(rtype, key)
		if err != nil {
			return nil, err
		}
		if !ok {
			what := map[byte]string{rStatement: "statement", rClaim: "claim"}[rtype]
			return nil, graph.Invalid(fmt.Sprintf("links[%d].%s", i, what), graph.RUnknownEntity, "no %s %q", what, key)
		}
		out = append(out, occ{key: linkKey(rtype, e.id, graph.LinkCode(l.Relation), c.ID)})
	}
	return searchOcc(out, w.slab, rClaim, c.ID, []textField{{fieldClaimText, c.Text}}), nil
}

// linkKey indexes a claim that supports or contradicts a statement or
// another claim, under the target:
//
//	byte 0      tagLink (0x34)
//	byte 1      target record type (rStatement or rClaim)
//	bytes 2-9   target ID
//	byte 10     relation (graph.LinkCode)
//	bytes 11-18 claim ID
func linkKey(rtype byte, target uint64, rel byte, claim uint64) []byte {
	b := make([]byte, 0, 19)
	b = append(b, tagLink, rtype)
	b = u64(b, target)
	b = append(b, rel)
	return u64(b, claim)
}

// parseLinkKey is the inverse of linkKey.
func parseLinkKey(k []byte) (rtype byte, target uint64, rel byte, claim uint64, err error) {
	if len(k) != 19 || k[0] != tagLink {
		return 0, 0, 0, 0, fmt.Errorf("not a link key: %x", k)
	}
	return k[1], binary.BigEndian.Uint64(k[2:10]), k[10], binary.BigEndian.Uint64(k[11:]), nil
}

// sameClaim compares claims ignoring IDs and recording, by their stored
// encodings: equal when they would read back the same.
func sameClaim(a, b *graph.Claim) bool {
	x, y := *a, *b
	x.Recorded, y.Recorded = graph.Recorded{}, graph.Recorded{}
	var buf [512]byte
	ea := appendClaim(buf[:0], &x)
	eb := appendClaim(ea[len(ea):], &y)
	return string(ea) == string(eb)
}

func (w *writer) latestClaim(key string) (*graph.Claim, error) {
	old, exists, err := w.lookupKey(rClaim, key)
	if err != nil || !exists {
		return nil, err
	}
	var prev graph.Claim
	if _, err := w.latestVersion(tagClaim, old.id, &prev); err != nil {
		return nil, err
	}
	prev.ID = old.id
	return &prev, nil
}

func (w *writer) applyClaim(in *graph.Claim) (bool, error) {
	c := *in
	if !w.prechecked {
		c.About = slices.Clone(in.About)
		if err := c.Resolve(w); err != nil {
			return false, err
		}
	}
	prev, err := w.latestClaim(c.Key)
	if err != nil {
		return false, err
	}
	op := graph.OpAdd
	switch {
	case prev == nil:
		if _, taken, err := w.lookupKey(rEntity, c.Key); err != nil {
			return false, err
		} else if taken {
			return false, &graph.Error{Code: graph.ECONFLICT, Reason: graph.RDuplicate, Field: "key", Message: fmt.Sprintf("key %q is taken by an entity", c.Key)}
		}
	case restoring(c.Recorded):
		op = c.Recorded.Op
	default:
		if c.Retracted == nil && prev.Retracted == nil && sameClaim(prev, &c) {
			return false, nil
		}
		op = graph.OpUpdate
		if prev.Retracted != nil {
			op = graph.OpReassert
		}
	}
	return true, w.writeClaim(prev, &c, op, "")
}

func (w *writer) writeClaim(prev, c *graph.Claim, op graph.Op, reason string) error {
	ts, err := w.recTs(c.Recorded.At)
	if err != nil {
		return err
	}
	c.Recorded = w.recorded(c.Recorded, ts, op, reason)
	if c.Retracted != nil && c.Retracted.At.IsZero() {
		c.Retracted.At, c.Retracted.By = c.Recorded.At, c.Recorded.By
	}
	if prev == nil {
		if c.ID, err = w.newID(); err != nil {
			return err
		}
		if err := w.setKey(rClaim, c.Key, keyEntry{id: c.ID, created: ts, kind: graph.ClaimKind}); err != nil {
			return err
		}
	} else {
		c.ID = prev.ID
	}
	var before []occ
	if prev != nil {
		if before, err = w.claimOcc(w.occs[0], prev); err != nil {
			return err
		}
	}
	now, err := w.claimOcc(w.occs[1], c)
	if err != nil {
		return err
	}
	w.occs[0], w.occs[1] = before, now
	if err := w.writeVersion(tagClaim, rClaim, c.ID, ts, c, c.Key, c.Recorded, prev == nil); err != nil {
		return err
	}
	return w.occupy(before, now, ts, prev == nil)
}

// --- retractions

func (w *writer) applyRetract(r *graph.Retract) (bool, error) {
	ret := &graph.Retraction{At: r.Recorded.At, By: r.Recorded.By, Reason: r.Reason}
	switch {
	case r.Statement != "":
		prev, err := w.latestStatement(r.Statement)
		if err != nil {
			return false, err
		}
		if prev == nil {
			return false, missing("statement", r.Statement)
		}
		if prev.Retracted != nil {
			return false, nil
		}
		next := *prev
		next.Retracted, next.Recorded = ret, r.Recorded
		return true, w.writeStatement(prev, &next, graph.OpRetract, r.Reason)
	case r.Claim != "":
		prev, err := w.latestClaim(r.Claim)
		if err != nil {
			return false, err
		}
		if prev == nil {
			return false, missing("claim", r.Claim)
		}
		if prev.Retracted != nil {
			return false, nil
		}
		next := *prev
		next.Retracted, next.Recorded = ret, r.Recorded
		return true, w.writeClaim(prev, &next, graph.OpRetract, r.Reason)
	}
	return w.retractSource(r, ret)
}

// retractSource withdraws a source: the statements and claims whose only
// evidence it is are retracted, the others lose its references (and any
// imported through it) and stay current. Nothing is deleted; an asOf read
// before the retraction shows everything as it was.
func (w *writer) retractSource(r *graph.Retract, ret *graph.Retraction) (bool, error) {
	e, ok, err := w.lookupKey(rSource, r.Source)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, missing("source", r.Source)
	}
	var src graph.Source
	if _, err := w.latestVersion(tagSource, e.id, &src); err != nil {
		return false, err
	}
	if src.Retracted != nil {
		return false, nil
	}
	src.ID = e.id
	before := sourceOcc(w.slab, &src, src.ID)
	stmts, err := w.citing(e.id, rStatement)
	if err != nil {
		return false, err
	}
	claims, err := w.citing(e.id, rClaim)
	if err != nil {
		return false, err
	}
	ts, err := w.recTs(r.Recorded.At)
	if err != nil {
		return false, err
	}
	src.Retracted = &graph.Retraction{At: ret.At, By: ret.By, Reason: ret.Reason}
	if src.Retracted.At.IsZero() {
		src.Retracted.At = timeOf(ts)
	}
	src.Recorded = w.recorded(r.Recorded, ts, graph.OpRetract, r.Reason)
	if src.Retracted.By == "" {
		src.Retracted.By = src.Recorded.By
	}
	if err := w.writeVersion(tagSource, rSource, src.ID, ts, &src, src.Key, src.Recorded, false); err != nil {
		return false, err
	}
	// Its title leaves the search index (as of now: earlier reads find it).
	if err := w.occupy(before, sourceOcc(w.slab, &src, src.ID), ts, false); err != nil {
		return false, err
	}
	w.sources.set(src.Key, sourceInfo{id: src.ID, text: src.Text, sha: src.SHA256})
	why := fmt.Sprintf("source %s retracted: %s", src.Key, r.Reason)
	at := graph.Recorded{At: r.Recorded.At, By: r.Recorded.By}
	for _, id := range stmts {
		var prev graph.Statement
		if _, err := w.latestVersion(tagStatement, id, &prev); err != nil {
			return false, err
		}
		prev.ID = id
		if prev.Retracted != nil {
			continue
		}
		next := prev
		next.Recorded = at
		next.References = slices.DeleteFunc(slices.Clone(prev.References), func(ref graph.Reference) bool {
			return ref.Source == src.Key || ref.ImportedFrom == src.Key
		})
		op := graph.OpCorrect
		if len(next.References) == 0 {
			next.References = prev.References
			next.Retracted, op = &graph.Retraction{Reason: why}, graph.OpRetract
		}
		if err := w.writeStatement(&prev, &next, op, why); err != nil {
			return false, err
		}
	}
	for _, id := range claims {
		var prev graph.Claim
		if _, err := w.latestVersion(tagClaim, id, &prev); err != nil {
			return false, err
		}
		prev.ID = id
		if prev.Retracted != nil {
			continue
		}
		next := prev
		next.Recorded = at
		next.Retracted = &graph.Retraction{Reason: why}
		if err := w.writeClaim(&prev, &next, graph.OpRetract, why); err != nil {
			return false, err
		}
	}
	return true, nil
}

// citing lists the IDs of current records of rtype that cite a source.
func (w *writer) citing(source uint64, rtype byte) ([]uint64, error) {
	prefix := append(u64([]byte{tagBySource}, source), rtype)
	var ids []uint64
	err := w.scan(prefix, func(k, v []byte) error {
		if !w.sn.alive(v) {
			return nil
		}
		_, _, id, err := parseBySourceKey(k)
		if err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	return ids, err
}
