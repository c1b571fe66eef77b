package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	badger "github.com/dgraph-io/badger/v4"
)

// Exploration reads: filtered and sorted entity lists, neighborhoods,
// shortest paths and aggregations. Each runs in one read transaction at
// one snapshot and works on sets of entity IDs (sorted slices) built from
// the kind, edge and literal indexes; records are decoded only for what
// is returned.

// ReadCount returns how many read transactions the store has begun. One
// store call is one read transaction, so a request's count shows whether
// it loads in batches or once per item (N+1).
func (s *Store) ReadCount() uint64 { return s.reads.Load() }

// --- ID sets

// idSet is a sorted set of entity IDs without duplicates.
type idSet []uint64

func toSet(ids []uint64) idSet {
	slices.Sort(ids)
	return slices.Compact(ids)
}

func (s idSet) has(id uint64) bool {
	_, ok := slices.BinarySearch(s, id)
	return ok
}

func intersectSets(a, b idSet) idSet {
	out := make(idSet, 0, min(len(a), len(b)))
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

func unionSets(a, b idSet) idSet {
	out := make(idSet, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

func minusSets(a, b idSet) idSet {
	out := make(idSet, 0, len(a))
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			continue
		}
		out = append(out, x)
	}
	return out
}

// --- the explorer: a reader with shared iterators and a step counter

type explorer struct {
	*reader
	steps int
	iters map[byte]*badger.Iterator // one per index tag, reused by seeks
	all   idSet                     // every entity (not claims); nil until needed
	kinds map[byte]idSet
	terms int // filter terms evaluated
}

func newExplorer(r *reader) *explorer {
	return &explorer{reader: r, iters: map[byte]*badger.Iterator{}, kinds: map[byte]idSet{}}
}

func (x *explorer) close() {
	for _, it := range x.iters {
		it.Close()
	}
}

// explore runs fn in one read transaction with an explorer.
func (s *Store) explore(ctx context.Context, v graph.View, fn func(x *explorer) error) error {
	return s.read(ctx, v, func(r *reader) error {
		x := newExplorer(r)
		defer x.close()
		return fn(x)
	})
}

// step counts one unit of work and checks the request's context every
// tickEvery units, so that cancellation reaches long scans.
func (x *explorer) step() error {
	if x.steps++; x.steps%tickEvery == 0 {
		return ctxErr(x.ctx)
	}
	return nil
}

// ctxErr returns a TIMEOUT error once ctx is done, whether its deadline
// passed or the request was cancelled.
func ctxErr(ctx context.Context) error {
	switch err := ctx.Err(); {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		return graph.Errorf(graph.ETIMEOUT, "request timed out")
	default:
		return graph.Errorf(graph.ETIMEOUT, "request was cancelled")
	}
}

// iter returns the explorer's iterator over keys starting with tag.
func (x *explorer) iter(tag byte) *badger.Iterator {
	it, ok := x.iters[tag]
	if !ok {
		it = x.tx().NewIterator(badger.IteratorOptions{Prefix: []byte{tag}, PrefetchValues: false})
		x.iters[tag] = it
	}
	return it
}

// each calls fn for every key under prefix from seek (prefix when nil)
// until fn returns false. v is valid only during the call. Calls must not
// nest for the same tag: they share its iterator.
func (x *explorer) each(prefix, seek []byte, fn func(k, v []byte) (bool, error)) error {
	it := x.iter(prefix[0])
	if seek == nil {
		seek = prefix
	}
	for it.Seek(seek); it.ValidForPrefix(prefix); it.Next() {
		if err := x.step(); err != nil {
			return err
		}
		item := it.Item()
		more := true
		if err := item.Value(func(v []byte) error {
			var err error
			more, err = fn(item.Key(), v)
			return err
		}); err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
	return nil
}

// live decodes a posting and reports whether the snapshot sees it.
func (x *explorer) live(v []byte) (posting, bool, error) {
	p, iv, err := decodePosting(v)
	if err != nil {
		return p, false, err
	}
	return p, x.sn.validIn(p) && x.sn.alive(iv), nil
}

// kindSet returns the entities of one kind code.
func (x *explorer) kindSet(code byte) (idSet, error) {
	if s, ok := x.kinds[code]; ok {
		return s, nil
	}
	var out idSet
	err := x.each([]byte{tagKind, code}, nil, func(k, v []byte) (bool, error) {
		if x.sn.alive(v) {
			out = append(out, binary.BigEndian.Uint64(k[2:]))
		}
		return true, nil
	})
	x.kinds[code] = out
	return out, err
}

// kindsSet returns the entities of any of kinds.
func (x *explorer) kindsSet(kinds []graph.Kind) (idSet, error) {
	var out idSet
	for _, k := range kinds {
		s, err := x.kindSet(graph.KindCode(k))
		if err != nil {
			return nil, err
		}
		out = unionSets(out, s)
	}
	return out, nil
}

// universe returns every entity.
func (x *explorer) universe() (idSet, error) {
	if x.all != nil {
		return x.all, nil
	}
	var kinds []graph.Kind
	for _, k := range graph.Kinds() {
		if k != graph.ClaimKind {
			kinds = append(kinds, k)
		}
	}
	s, err := x.kindsSet(kinds)
	if s == nil {
		s = idSet{}
	}
	x.all = s
	return s, err
}

// adj is one entity-valued statement seen from one of its ends.
type adj struct {
	stmt  uint64
	other uint64
	pred  uint16
	out   bool // the entity is the statement's subject
}

// edges appends the live entity-valued statements of entity id from the
// out (tagOut) or in (tagIn) index, of the predicates preds (all when nil).
// The postings come from the prefix cache (reader.prefix), so a search
// that visits an entity again, or another search through it, reads no
// keys until a write is published.
func (x *explorer) edges(dst []adj, tag byte, id uint64, preds []uint16) ([]adj, error) {
	base := u64([]byte{tag}, id)
	scan := func(prefix []byte) error {
		pe, err := x.prefix(prefix)
		if err != nil {
			return err
		}
		for i := range pe.len() {
			if err := x.step(); err != nil {
				return err
			}
			k := pe.key(i)
			p, ok, err := x.live(pe.val(i))
			if err != nil {
				return err
			}
			if !ok || p.other == 0 { // other 0: a literal
				continue
			}
			dst = append(dst, adj{
				stmt: binary.BigEndian.Uint64(k[11:19]), other: p.other,
				pred: binary.BigEndian.Uint16(k[9:11]), out: tag == tagOut,
			})
		}
		return nil
	}
	if preds == nil {
		return dst, scan(base)
	}
	for _, c := range preds {
		if err := scan(binary.BigEndian.AppendUint16(slices.Clip(base), c)); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// neighbors appends id's statements in direction dir.
func (x *explorer) neighbors(dst []adj, id uint64, preds []uint16, dir graph.Direction) ([]adj, error) {
	var err error
	if dir == graph.Outgoing || dir == graph.Both {
		if dst, err = x.edges(dst, tagOut, id, preds); err != nil {
			return dst, err
		}
	}
	if dir == graph.Incoming || dir == graph.Both {
		dst, err = x.edges(dst, tagIn, id, preds)
	}
	return dst, err
}

// hasEdge reports whether id has a live statement of pred in the index tag.
func (x *explorer) hasEdge(tag byte, id uint64, pred uint16) (bool, error) {
	found := false
	prefix := binary.BigEndian.AppendUint16(u64([]byte{tag}, id), pred)
	err := x.each(prefix, nil, func(_, v []byte) (bool, error) {
		_, ok, err := x.live(v)
		found = ok
		return !ok, err
	})
	return found, err
}

// entityIDs resolves entity keys; field names the input for errors.
func (x *explorer) entityIDs(field string, keys []string) (idSet, error) {
	out := make([]uint64, 0, len(keys))
	for _, k := range keys {
		e, ok, err := x.lookup(rEntity, k)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, graph.Invalid(field, graph.RUnknownEntity, "no entity %q", k)
		}
		out = append(out, e.id)
	}
	return toSet(out), nil
}

// --- filters

// Filter limits: each term may scan an index, so a filter is bounded in
// depth and size as well as by the request's timeout.
const (
	maxFilterDepth = 16
	maxFilterTerms = 128
)

func tooComplex(field, format string, args ...any) error {
	e := graph.Errorf(graph.ETOOCOMPLEX, format, args...)
	e.Field = field
	return e
}

// filter returns the entities matching f (every entity when f is nil).
func (x *explorer) filter(f *graph.EntityFilter) (idSet, error) {
	if f == nil {
		return x.universe()
	}
	return x.eval(f, "filter", 0)
}

func (x *explorer) eval(f *graph.EntityFilter, field string, depth int) (idSet, error) {
	if depth >= maxFilterDepth {
		return nil, tooComplex(field, "filter is nested deeper than %d levels", maxFilterDepth)
	}
	if x.terms++; x.terms > maxFilterTerms {
		return nil, tooComplex(field, "filter has more than %d terms", maxFilterTerms)
	}
	var sets []idSet
	add := func(s idSet, err error) error {
		if err == nil {
			sets = append(sets, s)
		}
		return err
	}
	if f.Kind != "" {
		c := graph.KindCode(f.Kind)
		if c == 0 || f.Kind == graph.ClaimKind {
			return nil, graph.Invalid(field+".kind", graph.RBadValue, "unknown kind %q", f.Kind)
		}
		if err := add(x.kindSet(c)); err != nil {
			return nil, err
		}
	}
	if f.Keys != nil {
		if err := add(x.entityIDs(field+".key", f.Keys)); err != nil {
			return nil, err
		}
	}
	if f.Related != nil {
		if err := add(x.related(f.Related, field+".related", depth)); err != nil {
			return nil, err
		}
	}
	if f.Value != nil {
		if err := add(x.values(f.Value, field+".value")); err != nil {
			return nil, err
		}
	}
	for i, g := range f.And {
		if err := add(x.eval(g, field+".and."+itoa(i), depth+1)); err != nil {
			return nil, err
		}
	}
	if len(f.Or) > 0 {
		var u idSet
		for i, g := range f.Or {
			s, err := x.eval(g, field+".or."+itoa(i), depth+1)
			if err != nil {
				return nil, err
			}
			u = unionSets(u, s)
		}
		sets = append(sets, u)
	}
	if f.Not != nil {
		s, err := x.eval(f.Not, field+".not", depth+1)
		if err != nil {
			return nil, err
		}
		all, err := x.universe()
		if err != nil {
			return nil, err
		}
		sets = append(sets, minusSets(all, s))
	}
	if len(sets) == 0 {
		return x.universe()
	}
	slices.SortFunc(sets, func(a, b idSet) int { return len(a) - len(b) })
	out := sets[0]
	for _, s := range sets[1:] {
		out = intersectSets(out, s)
	}
	return out, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// relationPredicate looks up an entity-valued predicate.
func relationPredicate(field, name string) (*graph.Predicate, error) {
	p, ok := graph.Predicates.Lookup(name)
	if !ok {
		return nil, graph.Invalid(field, graph.RUnknownPredicate, "unknown predicate %q", name)
	}
	if !p.IsRelation() {
		return nil, graph.Invalid(field, graph.RTypeMismatch, "predicate %q has %s values, not entities", name, p.Literal)
	}
	return p, nil
}

// literalPredicate looks up a literal predicate.
func literalPredicate(field, name string) (*graph.Predicate, error) {
	p, ok := graph.Predicates.Lookup(name)
	if !ok {
		return nil, graph.Invalid(field, graph.RUnknownPredicate, "unknown predicate %q", name)
	}
	if p.IsRelation() {
		return nil, graph.Invalid(field, graph.RTypeMismatch, "predicate %q links entities; it has no literal values", name)
	}
	return p, nil
}

// related evaluates a relation filter: for every entity the other end may
// be, the entities its edge postings name.
func (x *explorer) related(rf *graph.RelationFilter, field string, depth int) (idSet, error) {
	p, err := relationPredicate(field+".predicate", rf.Predicate)
	if err != nil {
		return nil, err
	}
	dir := rf.Direction
	if p.Symmetric {
		dir = graph.Both
	}
	var targets idSet
	restricted := false
	if rf.To != nil {
		if targets, err = x.entityIDs(field+".to", rf.To); err != nil {
			return nil, err
		}
		restricted = true
	}
	if rf.Where != nil {
		w, err := x.eval(rf.Where, field+".where", depth+1)
		if err != nil {
			return nil, err
		}
		if restricted {
			targets = intersectSets(targets, w)
		} else {
			targets = w
		}
		restricted = true
	}
	if !restricted {
		return x.hasRelation(p, dir)
	}
	var found []adj
	for _, t := range targets {
		// The entity is the subject (Outgoing): t's incoming postings name it.
		if dir == graph.Outgoing || dir == graph.Both {
			if found, err = x.edges(found, tagIn, t, []uint16{p.Code}); err != nil {
				return nil, err
			}
		}
		if dir == graph.Incoming || dir == graph.Both {
			if found, err = x.edges(found, tagOut, t, []uint16{p.Code}); err != nil {
				return nil, err
			}
		}
	}
	ids := make([]uint64, len(found))
	for i, a := range found {
		ids[i] = a.other
	}
	return toSet(ids), nil
}

// hasRelation returns the entities with at least one statement of p in
// direction dir, checking the entities of the kinds p allows there.
func (x *explorer) hasRelation(p *graph.Predicate, dir graph.Direction) (idSet, error) {
	var out []uint64
	check := func(kinds []graph.Kind, tag byte) error {
		cands, err := x.kindsSet(kinds)
		if err != nil {
			return err
		}
		for _, id := range cands {
			ok, err := x.hasEdge(tag, id, p.Code)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, id)
			}
		}
		return nil
	}
	if dir == graph.Outgoing || dir == graph.Both {
		if err := check(p.Subjects, tagOut); err != nil {
			return nil, err
		}
	}
	if dir == graph.Incoming || dir == graph.Both {
		if err := check(p.ObjectKinds, tagIn); err != nil {
			return nil, err
		}
	}
	return toSet(out), nil
}

// literalPrefix is the literal index prefix of one predicate.
func literalPrefix(code uint16) []byte {
	return binary.BigEndian.AppendUint16([]byte{tagLiteral}, code)
}

// values evaluates a value filter with one range scan of the literal index.
func (x *explorer) values(vf *graph.ValueFilter, field string) (idSet, error) {
	p, err := literalPredicate(field+".predicate", vf.Predicate)
	if err != nil {
		return nil, err
	}
	rng, err := vf.Range(p)
	if err != nil || rng.Empty() {
		return idSet{}, err
	}
	prefix := literalPrefix(p.Code)
	hi := sortableFloat(rng.Hi)
	type cand struct{ subject, stmt uint64 }
	var cands []cand
	err = x.each(prefix, u64(slices.Clip(prefix), sortableFloat(rng.Lo)), func(k, v []byte) (bool, error) {
		if binary.BigEndian.Uint64(k[3:11]) > hi {
			return false, nil
		}
		_, ok, err := x.live(v)
		if ok {
			cands = append(cands, cand{binary.BigEndian.Uint64(k[11:19]), binary.BigEndian.Uint64(k[19:27])})
		}
		return true, err
	})
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, 0, len(cands))
	for _, c := range cands {
		if vf.Precision != "" || rng.Currency != "" {
			st, err := x.statementByID(c.stmt)
			if err != nil {
				return nil, err
			}
			if st == nil || !precisionIs(st, vf.Precision) || (rng.Currency != "" && st.Object.Currency != rng.Currency) {
				continue
			}
		}
		ids = append(ids, c.subject)
	}
	return toSet(ids), nil
}

func precisionIs(st *graph.Statement, precision string) bool {
	return precision == "" || strings.EqualFold(st.Qualifiers.Extra["precision"], precision)
}

// --- filtered, sorted lists

// sortVal is one entity's value for one sort key.
type sortVal struct {
	missing bool
	num     float64
	key     string
}

type sortRow struct {
	id   uint64
	vals []sortVal
}

func compareRows(sorts []graph.EntitySort, a, b *sortRow) int {
	for j, s := range sorts {
		va, vb := a.vals[j], b.vals[j]
		if va.missing != vb.missing {
			if va.missing {
				return 1 // missing values last, in either direction
			}
			return -1
		}
		if va.missing {
			continue
		}
		var c int
		if s.Predicate == "" {
			c = strings.Compare(va.key, vb.key)
		} else {
			c = cmp.Compare(va.num, vb.num)
		}
		if s.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(a.id, b.id)
}

// sortHash identifies a sort order, so that a cursor made for one order is
// refused by another.
func sortHash(sorts []graph.EntitySort) uint32 {
	h := fnv.New32a()
	for _, s := range sorts {
		h.Write([]byte(s.Predicate + "\x00" + strings.ToLower(s.Precision) + "\x00"))
		if s.Desc {
			h.Write([]byte{1})
		}
		h.Write([]byte{0xff})
	}
	return h.Sum32()
}

// Cursors of filtered lists: 'f', the sort hash, then per sort key a flag
// (0 value, 1 missing) and the value (8-byte sortable float, or a 2-byte
// length and the entity key), then the entity ID; hex-encoded. They name a
// position in the order, not in a result, so a page continues after the
// last entity seen even when others were written in between.
func encodeSortCursor(sorts []graph.EntitySort, row *sortRow) string {
	b := binary.BigEndian.AppendUint32([]byte{'f'}, sortHash(sorts))
	for j, s := range sorts {
		v := row.vals[j]
		if v.missing {
			b = append(b, 1)
			continue
		}
		b = append(b, 0)
		if s.Predicate == "" {
			b = binary.BigEndian.AppendUint16(b, uint16(len(v.key)))
			b = append(b, v.key...)
		} else {
			b = u64(b, sortableFloat(v.num))
		}
	}
	return hex.EncodeToString(u64(b, row.id))
}

func decodeSortCursor(sorts []graph.EntitySort, c string) (*sortRow, error) {
	bad := graph.Invalid("after", graph.RBadValue, "malformed cursor")
	b, err := hex.DecodeString(c)
	if err != nil || len(b) < 13 || b[0] != 'f' {
		return nil, bad
	}
	if binary.BigEndian.Uint32(b[1:5]) != sortHash(sorts) {
		return nil, graph.Invalid("after", graph.RBadValue, "cursor belongs to another filter order")
	}
	b = b[5:]
	row := &sortRow{vals: make([]sortVal, len(sorts))}
	for j, s := range sorts {
		if len(b) < 1 {
			return nil, bad
		}
		flag := b[0]
		b = b[1:]
		if flag == 1 {
			row.vals[j].missing = true
			continue
		}
		if s.Predicate == "" {
			if len(b) < 2 || len(b) < 2+int(binary.BigEndian.Uint16(b)) {
				return nil, bad
			}
			n := int(binary.BigEndian.Uint16(b))
			row.vals[j].key, b = string(b[2:2+n]), b[2+n:]
		} else {
			if len(b) < 8 {
				return nil, bad
			}
			row.vals[j].num, b = unsortableFloat(binary.BigEndian.Uint64(b)), b[8:]
		}
	}
	if len(b) != 8 {
		return nil, bad
	}
	row.id = binary.BigEndian.Uint64(b)
	return row, nil
}

// sortValues fills column j of rows (sorted by ID) with each entity's
// value for sort s.
func (x *explorer) sortValues(rows []sortRow, j int, s graph.EntitySort) error {
	for i := range rows {
		rows[i].vals[j].missing = true
	}
	at := func(id uint64) *sortVal {
		i, ok := slices.BinarySearchFunc(rows, id, func(r sortRow, id uint64) int { return cmp.Compare(r.id, id) })
		if !ok {
			return nil
		}
		return &rows[i].vals[j]
	}
	if s.Predicate == "" {
		return x.each([]byte{tagKey, rEntity}, nil, func(k, v []byte) (bool, error) {
			e, ok := decodeKeyEntry(v)
			if !ok || !x.sn.sees(e.created) {
				return true, nil
			}
			if sv := at(e.id); sv != nil {
				*sv = sortVal{key: string(k[2 : len(k)-1])}
			}
			return true, nil
		})
	}
	p, err := literalPredicate("orderBy.predicate", s.Predicate)
	if err != nil {
		return err
	}
	if p.ObjectType() == graph.TextValue {
		return graph.Invalid("orderBy.predicate", graph.RTypeMismatch, "predicate %q has text values; sort by a quantity, money, date or boolean predicate", p.Name)
	}
	type cand struct {
		sv   *sortVal
		num  float64
		stmt uint64
	}
	var cands []cand
	err = x.each(literalPrefix(p.Code), nil, func(k, v []byte) (bool, error) {
		sv := at(binary.BigEndian.Uint64(k[11:19]))
		if sv == nil {
			return true, nil
		}
		_, ok, err := x.live(v)
		if ok {
			cands = append(cands, cand{sv, unsortableFloat(binary.BigEndian.Uint64(k[3:11])), binary.BigEndian.Uint64(k[19:27])})
		}
		return true, err
	})
	if err != nil {
		return err
	}
	for _, c := range cands {
		if s.Precision != "" {
			st, err := x.statementByID(c.stmt)
			if err != nil {
				return err
			}
			if st == nil || !precisionIs(st, s.Precision) {
				continue
			}
		}
		// Ascending sorts by an entity's smallest value, descending by its largest.
		if c.sv.missing || (!s.Desc && c.num < c.sv.num) || (s.Desc && c.num > c.sv.num) {
			*c.sv = sortVal{num: c.num}
		}
	}
	return nil
}

// FilterEntities lists the entities matching q.Filter in q.Sort order,
// one page at a time. The total counts the matching IDs; only the page's
// entities are decoded. Returns BAD_USER_INPUT for an unknown predicate,
// kind or entity key, a bound that does not fit its predicate, or a
// malformed cursor; QUERY_TOO_COMPLEX for a filter over the size limits;
// TIMEOUT when the request's context ends first.
func (s *Store) FilterEntities(ctx context.Context, v graph.View, q graph.EntityQuery) (graph.Page[*graph.Entity], error) {
	var page graph.Page[*graph.Entity]
	first := clampPage(q.First)
	err := s.explore(ctx, v, func(x *explorer) error {
		set, err := x.filter(q.Filter)
		if err != nil {
			return err
		}
		page.Total = len(set)
		var after *sortRow
		if q.After != "" {
			if after, err = decodeSortCursor(q.Sort, q.After); err != nil {
				return err
			}
		}
		rows := make([]sortRow, len(set))
		vals := make([]sortVal, len(set)*len(q.Sort))
		for i, id := range set {
			rows[i] = sortRow{id: id, vals: vals[i*len(q.Sort) : (i+1)*len(q.Sort)]}
		}
		for j, srt := range q.Sort {
			if err := x.sortValues(rows, j, srt); err != nil {
				return err
			}
		}
		if len(q.Sort) > 0 {
			slices.SortFunc(rows, func(a, b sortRow) int { return compareRows(q.Sort, &a, &b) })
		}
		start := 0
		if after != nil {
			start, _ = slices.BinarySearchFunc(rows, after, func(r sortRow, c *sortRow) int {
				if compareRows(q.Sort, &r, c) <= 0 {
					return -1
				}
				return 1
			})
		}
		end := min(start+first, len(rows))
		page.HasNext = end < len(rows)
		for i := start; i < end; i++ {
			e, err := x.entityByID(rows[i].id)
			if err != nil {
				return err
			}
			if e == nil {
				continue
			}
			page.Items = append(page.Items, e)
			page.Cursors = append(page.Cursors, encodeSortCursor(q.Sort, &rows[i]))
		}
		return nil
	})
	return page, err
}

// --- traversal

// predicateCodes resolves relation predicates; nil means all.
func predicateCodes(field string, names []string) ([]uint16, error) {
	if len(names) == 0 {
		return nil, nil
	}
	out := make([]uint16, 0, len(names))
	for _, n := range names {
		p, err := relationPredicate(field, n)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Code)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Neighborhood returns the entities within q.Depth statements of the
// entity key (breadth first, at most q.Limit including the start) and
// every statement between two of them that the predicates and direction
// allow (at most NeighborhoodEdgesPerNode × Limit). Returns NOT_FOUND if
// the entity does not exist in the view; BAD_USER_INPUT for a depth
// outside 1..MaxNeighborhoodDepth or an unknown predicate.
func (s *Store) Neighborhood(ctx context.Context, v graph.View, key string, q graph.TraversalQuery) (*graph.Neighborhood, error) {
	if q.Depth < 0 || q.Depth > graph.MaxNeighborhoodDepth {
		return nil, graph.Invalid("depth", graph.RBadValue, "depth must be between 0 and %d, got %d", graph.MaxNeighborhoodDepth, q.Depth)
	}
	preds, err := predicateCodes("predicates", q.Predicates)
	if err != nil {
		return nil, err
	}
	limit := clampPage(q.Limit)
	maxEdges := limit * graph.NeighborhoodEdgesPerNode
	out := &graph.Neighborhood{}
	err = s.explore(ctx, v, func(x *explorer) error {
		start, ok, err := x.lookup(rEntity, key)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("entity", key)
		}
		depth := map[uint64]int{start.id: 0}
		order := []uint64{start.id}
		seen := map[uint64]bool{}
		var edges []uint64
		frontier := []uint64{start.id}
		var buf []adj
		// Expand one level more than Depth, adding no node on the last,
		// so that edges between the outermost nodes are found too.
		for d := 1; d <= q.Depth+1 && len(frontier) > 0; d++ {
			var next []uint64
			for _, n := range frontier {
				if buf, err = x.neighbors(buf[:0], n, preds, q.Direction); err != nil {
					return err
				}
				for _, a := range buf {
					if seen[a.stmt] {
						continue
					}
					if _, in := depth[a.other]; !in {
						if d > q.Depth {
							continue
						}
						if len(order) >= limit {
							out.Truncated = true
							continue
						}
						depth[a.other] = d
						order = append(order, a.other)
						next = append(next, a.other)
					}
					if len(edges) >= maxEdges {
						out.Truncated = true
						continue
					}
					seen[a.stmt] = true
					edges = append(edges, a.stmt)
				}
			}
			frontier = next
		}
		for _, id := range order {
			e, err := x.entityByID(id)
			if err != nil {
				return err
			}
			if e != nil {
				out.Nodes = append(out.Nodes, graph.NeighborNode{Entity: e, Depth: depth[id]})
			}
		}
		for _, id := range edges {
			st, err := x.statementByID(id)
			if err != nil {
				return err
			}
			if st != nil {
				out.Edges = append(out.Edges, st)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// link is a BFS parent (or child) pointer: the entity one step closer to
// the side's start, and the statement between them.
type link struct {
	node uint64
	stmt uint64
	out  bool // node is the statement's subject
}

// bfsSide is one side of a bidirectional search. Its entities and links
// live in flat slices indexed by one map, so that a search allocates
// little per entity, and sides are pooled.
type bfsSide struct {
	index    map[uint64]int32 // entity ID → nodes index
	nodes    []bfsNode
	links    []bfsLink
	frontier []uint64
	next     []uint64
	depth    int
}

// bfsNode is an entity a side reached: its distance from the side's start
// and its links towards it, in the order found (a list in bfsSide.links).
type bfsNode struct {
	dist       int32
	head, tail int32 // -1: none (the start)
}

type bfsLink struct {
	link
	next int32
}

var bfsSides = sync.Pool{New: func() any { return &bfsSide{index: map[uint64]int32{}} }}

func newSide(start uint64) *bfsSide {
	side := bfsSides.Get().(*bfsSide)
	side.add(start, 0)
	side.frontier = append(side.frontier, start)
	return side
}

// release returns the side to the pool unless it grew very large.
func (side *bfsSide) release() {
	if len(side.nodes) > 1<<16 {
		return
	}
	clear(side.index)
	*side = bfsSide{index: side.index, nodes: side.nodes[:0], links: side.links[:0], frontier: side.frontier[:0], next: side.next[:0]}
	bfsSides.Put(side)
}

// dist returns the distance of an entity the side reached.
func (side *bfsSide) dist(id uint64) (int, bool) {
	i, ok := side.index[id]
	if !ok {
		return 0, false
	}
	return int(side.nodes[i].dist), true
}

func (side *bfsSide) add(id uint64, dist int) {
	side.index[id] = int32(len(side.nodes))
	side.nodes = append(side.nodes, bfsNode{dist: int32(dist), head: -1, tail: -1})
}

// addLink appends a link of entity id, which the side has reached.
func (side *bfsSide) addLink(id uint64, l link) {
	n := &side.nodes[side.index[id]]
	li := int32(len(side.links))
	side.links = append(side.links, bfsLink{link: l, next: -1})
	if n.tail < 0 {
		n.head = li
	} else {
		side.links[n.tail].next = li
	}
	n.tail = li
}

// Paths returns the shortest paths between q.From and q.To of at most
// q.MaxHops statements (following q.Predicates, all relations when empty,
// in either direction), at most q.First of them, in a deterministic order.
// It searches from both ends at once, a level at a time, expanding the
// smaller frontier. No path within MaxHops gives an empty result; From ==
// To gives one path without hops. Returns NOT_FOUND for an unknown entity,
// BAD_USER_INPUT for MaxHops outside 1..MaxPathHops, QUERY_TOO_COMPLEX
// when the search would visit more than MaxPathVisits entities.
func (s *Store) Paths(ctx context.Context, v graph.View, q graph.PathQuery) ([]graph.Path, error) {
	if q.MaxHops < 1 || q.MaxHops > graph.MaxPathHops {
		return nil, graph.Invalid("maxHops", graph.RBadValue, "maxHops must be between 1 and %d, got %d", graph.MaxPathHops, q.MaxHops)
	}
	preds, err := predicateCodes("predicates", q.Predicates)
	if err != nil {
		return nil, err
	}
	first := q.First
	if first <= 0 || first > graph.MaxPaths {
		first = graph.MaxPaths
	}
	var out []graph.Path
	err = s.explore(ctx, v, func(x *explorer) error {
		ids := make([]uint64, 2)
		for i, k := range []string{q.From, q.To} {
			e, ok, err := x.lookup(rEntity, k)
			if err != nil {
				return err
			}
			if !ok {
				return notFound("entity", k)
			}
			ids[i] = e.id
		}
		if ids[0] == ids[1] {
			e, err := x.entityByID(ids[0])
			if err != nil || e == nil {
				return err
			}
			out = []graph.Path{{Nodes: []*graph.Entity{e}}}
			return nil
		}
		fw, bw := newSide(ids[0]), newSide(ids[1])
		defer fw.release()
		defer bw.release()
		visits := 2
		var buf []adj
		var meet []uint64
		for fw.depth+bw.depth < q.MaxHops && len(fw.frontier) > 0 && len(bw.frontier) > 0 {
			side, other := fw, bw
			if len(bw.frontier) < len(fw.frontier) {
				side, other = bw, fw
			}
			side.depth++
			next := side.next[:0]
			for _, n := range side.frontier {
				if buf, err = x.neighbors(buf[:0], n, preds, graph.Both); err != nil {
					return err
				}
				for _, a := range buf {
					if a.other == n {
						continue
					}
					d, known := side.dist(a.other)
					switch {
					case !known:
						if visits++; visits > graph.MaxPathVisits {
							return tooComplex("maxHops", "path search visited more than %d entities; name predicates or lower maxHops", graph.MaxPathVisits)
						}
						side.add(a.other, side.depth)
						next = append(next, a.other)
						if _, ok := other.index[a.other]; ok {
							meet = append(meet, a.other)
						}
					case d != side.depth:
						continue
					}
					side.addLink(a.other, link{node: n, stmt: a.stmt, out: a.out})
				}
			}
			side.frontier, side.next = next, side.frontier
			if len(meet) > 0 {
				break
			}
		}
		if len(meet) == 0 {
			return nil
		}
		// Every node where the searches met lies on a shortest path at the
		// same distance from From, so each path is found through exactly one.
		slices.Sort(meet)
		var paths [][]pathStep
		for _, m := range meet {
			for _, head := range walk(fw, m, first-len(paths)) {
				for _, tail := range walk(bw, m, first-len(paths)) {
					if len(paths) >= first {
						break
					}
					paths = append(paths, joinPath(head, tail))
				}
			}
			if len(paths) >= first {
				break
			}
		}
		for _, steps := range paths {
			p, err := x.materialize(ids[0], steps)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	if out == nil && err == nil {
		out = []graph.Path{}
	}
	return out, err
}

// pathStep is one hop of a path being built.
type pathStep struct {
	stmt    uint64
	forward bool
}

// walk lists up to max chains of links from node m back to the side's
// start, each ordered from m towards the start.
func walk(side *bfsSide, m uint64, max int) [][]link {
	if max <= 0 {
		return nil
	}
	li := side.nodes[side.index[m]].head
	if li < 0 {
		return [][]link{nil} // m is the start
	}
	var out [][]link
	for ; li >= 0; li = side.links[li].next {
		l := side.links[li].link
		for _, rest := range walk(side, l.node, max-len(out)) {
			out = append(out, append([]link{l}, rest...))
			if len(out) >= max {
				return out
			}
		}
	}
	return out
}

// joinPath turns a chain from the meeting node back to From (head) and a
// chain from it on to To (tail) into steps from From to To.
func joinPath(head, tail []link) []pathStep {
	steps := make([]pathStep, 0, len(head)+len(tail))
	// head runs from m back to From; each link's node is the nearer From,
	// and walking From → m goes from that node, so forward is its out.
	for i := len(head) - 1; i >= 0; i-- {
		steps = append(steps, pathStep{stmt: head[i].stmt, forward: head[i].out})
	}
	for _, l := range tail {
		// Walking m → To goes to l.node; l.out says whether l.node is the
		// subject, so forward is its opposite.
		steps = append(steps, pathStep{stmt: l.stmt, forward: !l.out})
	}
	return steps
}

// materialize decodes a path's entities and statements, starting at from.
func (x *explorer) materialize(from uint64, steps []pathStep) (graph.Path, error) {
	var p graph.Path
	cur := from
	e, err := x.entityByID(cur)
	if err != nil {
		return p, err
	}
	p.Nodes = append(p.Nodes, e)
	for _, s := range steps {
		st, err := x.statementByID(s.stmt)
		if err != nil {
			return p, err
		}
		if st == nil {
			return p, errors.New("path names a statement that has no version")
		}
		// The next node is the statement's other end from cur.
		nextKey := st.Object.Entity
		if !s.forward {
			nextKey = st.Subject
		}
		ne, err := x.entity(nextKey)
		if err != nil {
			return p, err
		}
		p.Hops = append(p.Hops, graph.Hop{Statement: st, Forward: s.forward})
		p.Nodes = append(p.Nodes, ne)
	}
	return p, nil
}

// --- batches

// EntityStatementsBatch is EntityStatements for many entities in one read:
// the first page of each entity's statements selected by q (whose After
// must be empty), one page per key, empty for a key the view does not have.
func (s *Store) EntityStatementsBatch(ctx context.Context, v graph.View, keys []string, q graph.EdgeQuery) ([]graph.Page[*graph.Statement], error) {
	if q.After != "" {
		return nil, graph.Invalid("after", graph.RBadValue, "batch reads start at the first page")
	}
	var code []byte
	if q.Predicate != "" {
		p, ok := graph.Predicates.Lookup(q.Predicate)
		if !ok {
			return nil, graph.Invalid("predicate", graph.RUnknownPredicate, "unknown predicate %q", q.Predicate)
		}
		code = binary.BigEndian.AppendUint16(nil, p.Code)
	}
	out := make([]graph.Page[*graph.Statement], len(keys))
	err := s.read(ctx, v, func(r *reader) error {
		keep := func(_, v []byte) (bool, error) {
			p, iv, err := decodePosting(v)
			return err == nil && r.sn.validIn(p) && r.sn.alive(iv), err
		}
		for i, key := range keys {
			e, ok, err := r.lookup(rEntity, key)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			var prefixes [][]byte
			if q.Direction == graph.Outgoing || q.Direction == graph.Both {
				prefixes = append(prefixes, append(u64([]byte{tagOut}, e.id), code...))
			}
			if q.Direction == graph.Incoming || q.Direction == graph.Both {
				prefixes = append(prefixes, append(u64([]byte{tagIn}, e.id), code...))
			}
			ks, _, total, hasNext, err := r.scan(prefixes, "", q.First, keep)
			if err != nil {
				return err
			}
			page := graph.Page[*graph.Statement]{Total: total, HasNext: hasNext, Cursors: cursors(ks)}
			if page.Items, err = r.edgeStatements(ks); err != nil {
				return err
			}
			out[i] = page
		}
		return nil
	})
	return out, err
}

// EntityStatementsWhere is EntityStatements keeping only entity-valued
// statements whose other end matches where: a typed relation list with a
// filter ("this company's chips made by TSMC"). Cursors and the total are
// those of the filtered list. Returns NOT_FOUND if the entity does not
// exist in the view, and the errors of FilterEntities for the filter.
func (s *Store) EntityStatementsWhere(ctx context.Context, v graph.View, key string, q graph.EdgeQuery, where *graph.EntityFilter) (graph.Page[*graph.Statement], error) {
	var page graph.Page[*graph.Statement]
	var code []byte
	if q.Predicate != "" {
		p, ok := graph.Predicates.Lookup(q.Predicate)
		if !ok {
			return page, graph.Invalid("predicate", graph.RUnknownPredicate, "unknown predicate %q", q.Predicate)
		}
		code = binary.BigEndian.AppendUint16(nil, p.Code)
	}
	err := s.explore(ctx, v, func(x *explorer) error {
		e, ok, err := x.lookup(rEntity, key)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("entity", key)
		}
		set, err := x.filter(where)
		if err != nil {
			return err
		}
		var prefixes [][]byte
		if q.Direction == graph.Outgoing || q.Direction == graph.Both {
			prefixes = append(prefixes, append(u64([]byte{tagOut}, e.id), code...))
		}
		if q.Direction == graph.Incoming || q.Direction == graph.Both {
			prefixes = append(prefixes, append(u64([]byte{tagIn}, e.id), code...))
		}
		keys, _, total, hasNext, err := x.scan(prefixes, q.After, q.First, func(_, v []byte) (bool, error) {
			p, ok, err := x.live(v)
			return ok && p.other != 0 && set.has(p.other), err
		})
		if err != nil {
			return err
		}
		page.Total, page.HasNext, page.Cursors = total, hasNext, cursors(keys)
		page.Items, err = x.edgeStatements(keys)
		return err
	})
	return page, err
}

// --- aggregations

// gkey is a group key in one dimension: an entity, a number or a text.
type gkey struct {
	missing bool
	entity  uint64
	num     float64
	text    string
}

// dimension is a group-by or metric predicate resolved for reading.
type dimension struct {
	p         *graph.Predicate
	dir       graph.Direction
	part      graph.DatePart
	unit      string
	precision string
}

// chosen is one entity's value of a literal predicate: its preferred
// statement, else its first normal one, else its first.
type chosen struct {
	st  *graph.Statement // nil when read from the index alone
	num float64
}

// literalValues returns each entity's value of literal predicate d.p among
// set. Numbers come from the literal index; statements are decoded only to
// choose among several values, to check a precision, or to read text and
// money.
func (x *explorer) literalValues(d dimension, set idSet) (map[uint64]chosen, error) {
	out := map[uint64]chosen{}
	decode := d.precision != "" || d.p.ObjectType() == graph.MoneyValue
	if d.p.ObjectType() == graph.TextValue {
		// Text is not in the literal index: read each entity's statements.
		var buf []uint64
		for _, id := range set {
			buf = buf[:0]
			prefix := binary.BigEndian.AppendUint16(u64([]byte{tagOut}, id), d.p.Code)
			err := x.each(prefix, nil, func(k, v []byte) (bool, error) {
				_, ok, err := x.live(v)
				if ok {
					buf = append(buf, binary.BigEndian.Uint64(k[11:19]))
				}
				return true, err
			})
			if err != nil {
				return nil, err
			}
			if err := x.choose(out, id, buf, nil, d.precision); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	type cand struct {
		stmt uint64
		num  float64
	}
	cands := map[uint64][]cand{}
	err := x.each(literalPrefix(d.p.Code), nil, func(k, v []byte) (bool, error) {
		subj := binary.BigEndian.Uint64(k[11:19])
		if !set.has(subj) {
			return true, nil
		}
		_, ok, err := x.live(v)
		if ok {
			cands[subj] = append(cands[subj], cand{binary.BigEndian.Uint64(k[19:27]), unsortableFloat(binary.BigEndian.Uint64(k[3:11]))})
		}
		return true, err
	})
	if err != nil {
		return nil, err
	}
	for subj, cs := range cands {
		if len(cs) == 1 && !decode {
			out[subj] = chosen{num: cs[0].num}
			continue
		}
		slices.SortFunc(cs, func(a, b cand) int { return cmp.Compare(a.stmt, b.stmt) })
		stmts := make([]uint64, len(cs))
		nums := make([]float64, len(cs))
		for i, c := range cs {
			stmts[i], nums[i] = c.stmt, c.num
		}
		if err := x.choose(out, subj, stmts, nums, d.precision); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// choose decodes an entity's candidate statements (in statement order) and
// records the best one with the precision: preferred, else normal, else
// deprecated; the first of equal rank.
func (x *explorer) choose(out map[uint64]chosen, id uint64, stmts []uint64, nums []float64, precision string) error {
	best, bestRank := -1, 3
	var bestSt *graph.Statement
	for i, sid := range stmts {
		st, err := x.statementByID(sid)
		if err != nil {
			return err
		}
		if st == nil || !precisionIs(st, precision) {
			continue
		}
		r := rankOrder(st.Rank)
		if r < bestRank {
			best, bestRank, bestSt = i, r, st
		}
	}
	if best < 0 {
		return nil
	}
	c := chosen{st: bestSt}
	if nums != nil {
		c.num = nums[best]
	} else {
		c.num, _ = bestSt.Object.Number()
	}
	out[id] = c
	return nil
}

func rankOrder(r graph.Rank) int {
	switch r {
	case graph.Preferred:
		return 0
	case graph.Deprecated:
		return 2
	}
	return 1
}

// groupKeys returns each entity's keys in dimension d.
func (x *explorer) groupKeys(d dimension, set idSet) (map[uint64][]gkey, map[uint64]chosen, error) {
	out := map[uint64][]gkey{}
	if d.p.IsRelation() {
		dir := d.dir
		if d.p.Symmetric {
			dir = graph.Both
		}
		var buf []adj
		for _, id := range set {
			var err error
			if buf, err = x.neighbors(buf[:0], id, []uint16{d.p.Code}, dir); err != nil {
				return nil, nil, err
			}
			var ks []gkey
			for _, a := range buf {
				k := gkey{entity: a.other}
				if !slices.Contains(ks, k) {
					ks = append(ks, k)
				}
			}
			slices.SortFunc(ks, func(a, b gkey) int { return cmp.Compare(a.entity, b.entity) })
			out[id] = ks
		}
		return out, nil, nil
	}
	vals, err := x.literalValues(d, set)
	if err != nil {
		return nil, nil, err
	}
	for id, c := range vals {
		k := gkey{num: c.num}
		switch d.p.ObjectType() {
		case graph.TextValue:
			k = gkey{text: c.st.Object.Text}
		case graph.MoneyValue:
			k.text = c.st.Object.Currency
		case graph.DateValue:
			k.num = truncateDate(c.num, d.part)
		}
		out[id] = []gkey{k}
	}
	return out, vals, nil
}

// truncateDate truncates a date number (Unix seconds of its start) to the
// start of its year, quarter or month.
func truncateDate(n float64, part graph.DatePart) float64 {
	t := time.Unix(int64(n), 0).UTC()
	switch part {
	case graph.DateYear:
		t = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	case graph.DateQuarter:
		t = time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	case graph.DateMonth:
		t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	default:
		return n
	}
	return float64(t.Unix())
}

// dateOf turns a date number back into a Date of the part's precision.
func dateOf(n float64, part graph.DatePart) graph.Date {
	t := time.Unix(int64(n), 0).UTC()
	switch part {
	case graph.DateYear:
		return graph.Date{Year: t.Year(), Month: 1, Day: 1, Precision: graph.Year}
	case graph.DateQuarter:
		return graph.Date{Year: t.Year(), Month: int(t.Month()), Day: 1, Precision: graph.Quarter}
	case graph.DateMonth:
		return graph.Date{Year: t.Year(), Month: int(t.Month()), Day: 1, Precision: graph.Month}
	}
	return graph.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day(), Precision: graph.Day}
}

// aggGroup accumulates one group.
type aggGroup struct {
	keys    []gkey
	count   int
	metrics []graph.MetricValue
}

// Aggregate groups the entities matching q.Filter by q.GroupBy and computes
// q.Metrics for each group. Literal values count once per entity (its
// preferred statement, else its first); relations count every entity at
// the other end, so an entity made by two foundries is in both groups.
// Returns BAD_USER_INPUT for an unknown predicate, a unit of the wrong
// dimension, or a metric other than COUNT over a predicate without numbers.
func (s *Store) Aggregate(ctx context.Context, v graph.View, q graph.AggregateQuery) (*graph.Aggregate, error) {
	dims := make([]dimension, len(q.GroupBy))
	for i, g := range q.GroupBy {
		field := "groupBy." + itoa(i)
		p, ok := graph.Predicates.Lookup(g.Predicate)
		if !ok {
			return nil, graph.Invalid(field+".predicate", graph.RUnknownPredicate, "unknown predicate %q", g.Predicate)
		}
		if err := checkUnit(field+".unit", p, g.Unit); err != nil {
			return nil, err
		}
		if g.DatePart != graph.DateExact && p.ObjectType() != graph.DateValue {
			return nil, graph.Invalid(field+".datePart", graph.RTypeMismatch, "predicate %q has no dates", p.Name)
		}
		dims[i] = dimension{p: p, dir: g.Direction, part: g.DatePart, unit: g.Unit, precision: g.Precision}
	}
	mdims := make([]dimension, len(q.Metrics))
	for i, m := range q.Metrics {
		field := "metrics." + itoa(i)
		if m.Predicate == "" {
			if m.Op != graph.Count {
				return nil, graph.Invalid(field+".predicate", graph.RMissing, "%s needs a predicate", m.Op)
			}
			continue
		}
		p, err := literalPredicate(field+".predicate", m.Predicate)
		if err != nil {
			return nil, err
		}
		if m.Op != graph.Count {
			switch p.ObjectType() {
			case graph.TextValue, graph.BoolValue:
				return nil, graph.Invalid(field+".op", graph.RTypeMismatch, "%s of predicate %q: its values are not numbers", m.Op, p.Name)
			case graph.DateValue:
				if m.Op == graph.Sum || m.Op == graph.Avg {
					return nil, graph.Invalid(field+".op", graph.RTypeMismatch, "%s of dates is not meaningful; use MIN or MAX", m.Op)
				}
			}
		}
		if err := checkUnit(field+".unit", p, m.Unit); err != nil {
			return nil, err
		}
		mdims[i] = dimension{p: p, precision: m.Precision, unit: m.Unit}
	}
	first := q.First
	if first <= 0 || first > graph.MaxGroups {
		first = graph.MaxGroups
	}
	out := &graph.Aggregate{}
	err := s.explore(ctx, v, func(x *explorer) error {
		set, err := x.filter(q.Filter)
		if err != nil {
			return err
		}
		out.Entities = len(set)
		keys := make([]map[uint64][]gkey, len(dims))
		for i, d := range dims {
			if keys[i], _, err = x.groupKeys(d, set); err != nil {
				return err
			}
		}
		mvals := make([]map[uint64]chosen, len(mdims))
		for i, d := range mdims {
			if d.p == nil {
				continue
			}
			if mvals[i], err = x.literalValues(d, set); err != nil {
				return err
			}
		}
		groups := map[string]*aggGroup{}
		var order []*aggGroup
		combo := make([]gkey, len(dims))
		var add func(id uint64, i int) error
		add = func(id uint64, i int) error {
			if i == len(dims) {
				if err := x.step(); err != nil {
					return err
				}
				sig := groupSig(combo)
				g, ok := groups[sig]
				if !ok {
					g = &aggGroup{keys: slices.Clone(combo), metrics: make([]graph.MetricValue, len(q.Metrics))}
					for j := range g.metrics {
						g.metrics[j].Null = true
					}
					groups[sig] = g
					order = append(order, g)
				}
				g.count++
				for j, m := range q.Metrics {
					if mdims[j].p == nil {
						continue
					}
					c, ok := mvals[j][id]
					if !ok {
						continue
					}
					accumulate(&g.metrics[j], m.Op, c.num)
				}
				return nil
			}
			ks := keys[i][id]
			if len(ks) == 0 {
				if q.GroupBy[i].SkipMissing {
					return nil
				}
				ks = []gkey{{missing: true}}
			}
			for _, k := range ks {
				combo[i] = k
				if err := add(id, i+1); err != nil {
					return err
				}
			}
			return nil
		}
		for _, id := range set {
			if err := add(id, 0); err != nil {
				return err
			}
		}
		// Group entities are decoded to order by key and to return.
		ents := map[uint64]*graph.Entity{}
		for _, g := range order {
			for i, k := range g.keys {
				if !k.missing && dims[i].p.IsRelation() {
					if _, ok := ents[k.entity]; !ok {
						if ents[k.entity], err = x.entityByID(k.entity); err != nil {
							return err
						}
					}
				}
			}
		}
		compareKeys := func(a, b *aggGroup) int {
			for i := range dims {
				ka, kb := a.keys[i], b.keys[i]
				if ka.missing != kb.missing {
					if ka.missing {
						return 1
					}
					return -1
				}
				var c int
				switch {
				case ka.missing:
				case dims[i].p.IsRelation():
					c = strings.Compare(entityKeyOf(ents[ka.entity]), entityKeyOf(ents[kb.entity]))
				default:
					c = cmp.Or(strings.Compare(ka.text, kb.text), cmp.Compare(ka.num, kb.num))
				}
				if c != 0 {
					return c
				}
			}
			return 0
		}
		slices.SortFunc(order, func(a, b *aggGroup) int {
			if q.ByCount && a.count != b.count {
				return cmp.Compare(b.count, a.count)
			}
			return compareKeys(a, b)
		})
		out.TotalGroups = len(order)
		for _, g := range order[:min(first, len(order))] {
			grp := graph.Group{Count: g.count, Metrics: g.metrics}
			for j, m := range q.Metrics {
				mv := &grp.Metrics[j]
				switch {
				case m.Op == graph.Count && mdims[j].p == nil:
					*mv = graph.MetricValue{Value: float64(g.count), N: g.count}
				case m.Op == graph.Count:
					*mv = graph.MetricValue{Value: float64(mv.N), N: mv.N}
				case mv.Null:
				default:
					if m.Op == graph.Avg {
						mv.Value /= float64(mv.N)
					}
					if u := mdims[j].unit; u != "" && u != mdims[j].p.Unit {
						mv.Value, _ = graph.Convert(mv.Value, mdims[j].p.Unit, u)
					}
				}
			}
			for i, k := range g.keys {
				grp.Keys = append(grp.Keys, groupKey(dims[i], k, ents))
			}
			out.Groups = append(out.Groups, grp)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func entityKeyOf(e *graph.Entity) string {
	if e == nil {
		return ""
	}
	return e.Key
}

// checkUnit checks that unit (if any) measures what p does.
func checkUnit(field string, p *graph.Predicate, unit string) error {
	if unit == "" {
		return nil
	}
	if p.ObjectType() != graph.QuantityValue {
		return graph.Invalid(field, graph.RBadUnit, "predicate %q has no unit", p.Name)
	}
	if _, ok := graph.Convert(1, unit, p.Unit); !ok {
		return graph.Invalid(field, graph.RBadUnit, "unit %q does not measure what %q does (its unit is %s)", unit, p.Name, p.Unit)
	}
	return nil
}

// accumulate adds one value to a metric (Sum, Min, Max and Avg; Avg holds
// the sum until the end).
func accumulate(mv *graph.MetricValue, op graph.MetricOp, n float64) {
	first := mv.Null
	mv.Null = false
	mv.N++
	switch op {
	case graph.Sum, graph.Avg:
		mv.Value += n
	case graph.Min:
		if first || n < mv.Value {
			mv.Value = n
		}
	case graph.Max:
		if first || n > mv.Value {
			mv.Value = n
		}
	}
}

// groupSig is a map key for a combination of group keys.
func groupSig(ks []gkey) string {
	var b bytes.Buffer
	for _, k := range ks {
		if k.missing {
			b.WriteByte(0)
			continue
		}
		b.WriteByte(1)
		b.Write(u64(nil, k.entity))
		b.Write(u64(nil, math.Float64bits(k.num)))
		b.WriteString(k.text)
		b.WriteByte(0)
	}
	return b.String()
}

// groupKey turns a key into the domain's GroupKey.
func groupKey(d dimension, k gkey, ents map[uint64]*graph.Entity) graph.GroupKey {
	if k.missing {
		return graph.GroupKey{}
	}
	if d.p.IsRelation() {
		return graph.GroupKey{Entity: ents[k.entity]}
	}
	var v graph.Value
	switch d.p.ObjectType() {
	case graph.TextValue:
		v = graph.Text(k.text)
	case graph.MoneyValue:
		v = graph.Money(k.num, k.text)
	case graph.DateValue:
		v = graph.DateOf(dateOf(k.num, d.part))
	case graph.BoolValue:
		v = graph.Bool(k.num != 0)
	default:
		v = graph.Quantity(k.num, d.p.Unit)
		if d.unit != "" && d.unit != d.p.Unit {
			v.Amount, _ = graph.Convert(k.num, d.p.Unit, d.unit)
			v.Unit = d.unit
		}
	}
	return graph.GroupKey{Value: &v}
}
