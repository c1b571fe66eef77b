package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/chipgraph/chipgraph/graph"
)

// Record versions (the values of the version keys 0x01-0x04 and, after
// their 8-byte ts, of the head keys 0x05) are stored in a compact binary
// encoding. Stores written before it hold JSON; both read, told apart by
// the first byte:
//
//	'{' (0x7b)   JSON of the record (encoding/json), as written before
//	0x01         binary, layout below
//
// Binary layout (version 1). Byte 0 is the format byte 0x01, byte 1 the
// record type (rEntity, rSource, rStatement, rClaim), then the record's
// fields in the order listed, with no padding and nothing after them:
//
//	uvarint     unsigned LEB128 (encoding/binary.AppendUvarint)
//	varint      zig-zag signed LEB128 (encoding/binary.AppendVarint)
//	str         uvarint byte length, then the bytes as given
//	f64         uvarint of the float's IEEE 754 bits byte-reversed, so that
//	            round numbers (700, 5e10) take few bytes (as gob does)
//	enum        uvarint code: 0 = str follows (a value not in the table),
//	            c ≥ 1 = the table's entry c-1 (tables below; append only)
//	list(x)     uvarint count n, then n × x; 0 decodes as nil
//	time        varint Unix seconds, uvarint nanoseconds (< 1e9), varint
//	            UTC offset in seconds
//	date        uvarint precision p, then by p: 0 (the zero Date) nothing;
//	            1 year: varint year; 2 quarter: varint year, varint quarter;
//	            3 month: varint year, varint month; 4 day: varint year,
//	            varint month, varint day. Other precisions encode as 0.
//	[x]         x present only when the record's flags say so
//
//	Entity      str key, enum kind (graph.KindCode), str name,
//	            list(str) aliases, str description, Recorded
//	Source      uvarint flags (1 retracted), str key, str url, str title,
//	            str publisher, str author, enum kind (sourceKinds),
//	            date published, date retrieved, str text, str sha256,
//	            list(str) restates, Recorded, [Retraction]
//	Statement   uvarint flags (1 qualifiers, 2 retracted), str key,
//	            str subject, str predicate, Value object, [Qualifiers],
//	            enum rank (ranks), uvarint n+1 then n × Reference (0: nil
//	            references, which JSON keeps apart from an empty list),
//	            Recorded, [Retraction]
//	Claim       uvarint flags (1 value, 2 retracted), str key, str claimant,
//	            date stated, enum modality (modalities), str text,
//	            Reference, list(str) about, [ClaimValue],
//	            list(enum relation (linkRelations), str statement,
//	            str claim) links, Recorded, [Retraction]
//
//	Recorded    time at, str by, enum op (ops), str reason
//	Retraction  time at, str by, str reason
//	Value       uvarint type (graph.ValueType; 0 = no value, nothing
//	            follows), uvarint flags (1 lower, 2 upper, 4 approximate,
//	            8 boolean true), then by type: entity str; text str;
//	            quantity f64 amount, str unit; money f64 amount, str
//	            currency; date date; boolean nothing; then [f64 lower],
//	            [f64 upper]
//	Qualifiers  date validFrom, date validTo, date pointInTime,
//	            list(str key, str value) extra, sorted by key
//	Reference   uvarint flags (1 quote, 2 locator, 4 retrieved,
//	            8 importedFrom, 16 verified, 32 sourceSHA256,
//	            64 unverified), str source, [str quote], [str section,
//	            varint page, varint start, varint end], [date retrieved],
//	            [str importedFrom], [str sourceSHA256]
//	ClaimValue  uvarint flags (1 lower, 2 upper, 4 approximate), f64
//	            amount, str unit, str currency, [f64 lower], [f64 upper],
//	            str condition
//
// What the encoding keeps is what JSON keeps, so that a version reads the
// same whichever way it was stored: decode(encode(x)) is reflect.DeepEqual
// to json.Unmarshal(json.Marshal(x)) for every record JSON round-trips
// (codec_test.go checks it over the starter data, a generated dataset and
// records with every field set at random). The
// record ID (json:"-") is not stored; it is the key's. Empty lists and
// maps that JSON omits (omitempty) read as nil; a value's fields that its
// type does not use are dropped and a date keeps only the fields its
// precision shows (JSON writes Value and Date in their text forms). A time
// keeps its instant and its UTC offset, which is all RFC 3339 keeps; it
// reads back in UTC at offset 0, else, as time.Parse does, in time.Local
// when Local has that offset at that instant and in an unnamed fixed zone
// otherwise. Two things binary keeps and JSON does not: strings that are
// not valid UTF-8 (JSON replaces the bad bytes with U+FFFD) and numbers
// JSON cannot write (NaN, ±Inf, which JSON refuses).
const formatBinary byte = 0x01

// Enum tables: a value's code is its index + 1. Stored: append only.
var (
	ranks         = []string{string(graph.Preferred), string(graph.Normal), string(graph.Deprecated)}
	ops           = []string{string(graph.OpAdd), string(graph.OpUpdate), string(graph.OpRetract), string(graph.OpReassert), string(graph.OpRank), string(graph.OpCorrect)}
	modalities    = []string{string(graph.Asserted), string(graph.Estimate), string(graph.Forecast), string(graph.Plan), string(graph.Opinion), string(graph.Reported)}
	sourceKinds   = []string{string(graph.NewsArticle), string(graph.ShareholderLetter), string(graph.Datasheet), string(graph.Dataset), string(graph.Filing), string(graph.PressRelease), string(graph.BlogPost), string(graph.Interview), string(graph.WebPage), string(graph.Other)}
	linkRelations = []string{string(graph.Supports), string(graph.Contradicts)}
)

// Flags.
const (
	flagRetracted  = 1 << 1 // statement, claim; source uses 1
	flagQualifiers = 1      // statement
	flagClaimValue = 1      // claim

	valLower  = 1
	valUpper  = 2
	valApprox = 4
	valTrue   = 8

	refQuote        = 1
	refLocator      = 2
	refRetrieved    = 4
	refImportedFrom = 8
	refVerified     = 16
	refSHA          = 32
	refUnverified   = 64
)

// errMalformed is wrapped by every decode error of a binary version.
var errMalformed = errors.New("malformed record version")

// appendVersion appends the binary encoding of a record version: rec is a
// *graph.Entity, *graph.Source, *graph.Statement or *graph.Claim.
func appendVersion(b []byte, rec any) ([]byte, error) {
	switch x := rec.(type) {
	case *graph.Entity:
		return appendEntity(b, x), nil
	case *graph.Source:
		return appendSource(b, x), nil
	case *graph.Statement:
		return appendStatement(b, x), nil
	case *graph.Claim:
		return appendClaim(b, x), nil
	}
	// The type's name, not rec: rec would escape to the heap for every caller.
	return b, fmt.Errorf("store: cannot encode a %v as a record version", reflect.TypeOf(rec))
}

// encBufs recycles encoding buffers: a version is encoded into one and
// copied out at its exact size.
var encBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuf is the largest buffer kept for reuse (a source's text can
// be large; its buffer is left to the collector).
const maxPooledBuf = 64 << 10

// encodeHead returns a head value: ts (8 bytes, big-endian) followed by the
// binary encoding of rec, in a slice of exactly that size.
func encodeHead(ts uint64, rec any) ([]byte, error) { return encodeHeadIn(nil, ts, rec) }

// encodeHeadIn is encodeHead, the value's bytes taken from a.
func encodeHeadIn(a *slab, ts uint64, rec any) ([]byte, error) {
	p := encBufs.Get().(*[]byte)
	enc, err := appendVersion(u64((*p)[:0], ts), rec)
	var out []byte
	if err == nil {
		out = append(a.get(len(enc)), enc...) // before the buffer goes back to the pool
	}
	if cap(enc) <= maxPooledBuf {
		*p = enc
		encBufs.Put(p)
	}
	return out, err
}

// unmarshalVersion decodes a stored record version, binary or JSON, into v,
// a *graph.Entity, *graph.Source, *graph.Statement or *graph.Claim. The
// record's ID is left as it was (it is not stored).
func unmarshalVersion(b []byte, v any) error {
	return unmarshalVersionIn(b, v, nil)
}

// unmarshalVersionIn is unmarshalVersion drawing a statement's references
// from a, when not nil.
func unmarshalVersionIn(b []byte, v any, a *decodeArena) error {
	// b does not escape (callers decode from stack buffers): the JSON
	// decoder keeps its input, so it gets a copy.
	if len(b) > 0 && b[0] == '{' {
		return json.Unmarshal(bytes.Clone(b), v)
	}
	if len(b) < 2 || b[0] != formatBinary {
		return fmt.Errorf("%w: unknown format (first bytes %s)", errMalformed, hex.EncodeToString(b[:min(len(b), 2)]))
	}
	var want byte
	switch v.(type) {
	case *graph.Entity:
		want = rEntity
	case *graph.Source:
		want = rSource
	case *graph.Statement:
		want = rStatement
	case *graph.Claim:
		want = rClaim
	default:
		return fmt.Errorf("store: cannot decode a record version into a %T", v)
	}
	if b[1] != want {
		return fmt.Errorf("%w: record type %d, want %d", errMalformed, b[1], want)
	}
	d := decoder{s: string(b[2:]), a: a}
	switch x := v.(type) {
	case *graph.Entity:
		d.entity(x)
	case *graph.Source:
		d.source(x)
	case *graph.Statement:
		d.statement(x)
	case *graph.Claim:
		d.claim(x)
	}
	if d.err == nil && d.i != len(d.s) {
		d.fail("%d bytes after the record", len(d.s)-d.i)
	}
	if a != nil && a.left > 1 {
		a.left--
	}
	return d.err
}

// --- encoding

func appendEntity(b []byte, e *graph.Entity) []byte {
	b = append(b, formatBinary, rEntity)
	b = appendStr(b, e.Key)
	if c := graph.KindCode(e.Kind); c != 0 {
		b = binary.AppendUvarint(b, uint64(c))
	} else {
		b = appendStr(append(b, 0), string(e.Kind))
	}
	b = appendStr(b, e.Name)
	b = appendStrs(b, e.Aliases)
	b = appendStr(b, e.Description)
	return appendRecorded(b, &e.Recorded)
}

func appendSource(b []byte, s *graph.Source) []byte {
	b = append(b, formatBinary, rSource)
	flags := uint64(0)
	if s.Retracted != nil {
		flags |= 1
	}
	b = binary.AppendUvarint(b, flags)
	b = appendStr(b, s.Key)
	b = appendStr(b, s.URL)
	b = appendStr(b, s.Title)
	b = appendStr(b, s.Publisher)
	b = appendStr(b, s.Author)
	b = appendEnum(b, sourceKinds, string(s.Kind))
	b = appendDate(b, s.Published)
	b = appendDate(b, s.Retrieved)
	b = appendStr(b, s.Text)
	b = appendStr(b, s.SHA256)
	b = appendStrs(b, s.Restates)
	b = appendRecorded(b, &s.Recorded)
	if s.Retracted != nil {
		b = appendRetraction(b, s.Retracted)
	}
	return b
}

func appendStatement(b []byte, s *graph.Statement) []byte {
	b = append(b, formatBinary, rStatement)
	flags := uint64(0)
	if !s.Qualifiers.IsZero() {
		flags |= flagQualifiers
	}
	if s.Retracted != nil {
		flags |= flagRetracted
	}
	b = binary.AppendUvarint(b, flags)
	b = appendStr(b, s.Key)
	b = appendStr(b, s.Subject)
	b = appendStr(b, s.Predicate)
	b = appendValue(b, &s.Object)
	if flags&flagQualifiers != 0 {
		b = appendQualifiers(b, &s.Qualifiers)
	}
	b = appendEnum(b, ranks, string(s.Rank))
	if s.References == nil {
		b = append(b, 0)
	} else {
		b = binary.AppendUvarint(b, uint64(len(s.References))+1)
		for i := range s.References {
			b = appendReference(b, &s.References[i])
		}
	}
	b = appendRecorded(b, &s.Recorded)
	if s.Retracted != nil {
		b = appendRetraction(b, s.Retracted)
	}
	return b
}

func appendClaim(b []byte, c *graph.Claim) []byte {
	b = append(b, formatBinary, rClaim)
	flags := uint64(0)
	if c.Value != nil {
		flags |= flagClaimValue
	}
	if c.Retracted != nil {
		flags |= flagRetracted
	}
	b = binary.AppendUvarint(b, flags)
	b = appendStr(b, c.Key)
	b = appendStr(b, c.Claimant)
	b = appendDate(b, c.Stated)
	b = appendEnum(b, modalities, string(c.Modality))
	b = appendStr(b, c.Text)
	b = appendReference(b, &c.Reference)
	b = appendStrs(b, c.About)
	if c.Value != nil {
		v := c.Value
		f := uint64(0)
		if v.Lower != nil {
			f |= valLower
		}
		if v.Upper != nil {
			f |= valUpper
		}
		if v.Approximate {
			f |= valApprox
		}
		b = binary.AppendUvarint(b, f)
		b = appendF64(b, v.Amount)
		b = appendStr(b, v.Unit)
		b = appendStr(b, v.Currency)
		if v.Lower != nil {
			b = appendF64(b, *v.Lower)
		}
		if v.Upper != nil {
			b = appendF64(b, *v.Upper)
		}
		b = appendStr(b, v.Condition)
	}
	b = binary.AppendUvarint(b, uint64(len(c.Links)))
	for _, l := range c.Links {
		b = appendEnum(b, linkRelations, string(l.Relation))
		b = appendStr(b, l.Statement)
		b = appendStr(b, l.Claim)
	}
	b = appendRecorded(b, &c.Recorded)
	if c.Retracted != nil {
		b = appendRetraction(b, c.Retracted)
	}
	return b
}

func appendRecorded(b []byte, r *graph.Recorded) []byte {
	b = appendTime(b, r.At)
	b = appendStr(b, r.By)
	b = appendEnum(b, ops, string(r.Op))
	return appendStr(b, r.Reason)
}

func appendRetraction(b []byte, r *graph.Retraction) []byte {
	b = appendTime(b, r.At)
	b = appendStr(b, r.By)
	return appendStr(b, r.Reason)
}

// appendValue writes what Value.MarshalJSON writes: the fields of the
// value's type, the bounds and approximate; nothing for no value.
func appendValue(b []byte, v *graph.Value) []byte {
	if v.Type == graph.NoValue || v.Type > graph.BoolValue {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(v.Type))
	f := uint64(0)
	if v.Lower != nil {
		f |= valLower
	}
	if v.Upper != nil {
		f |= valUpper
	}
	if v.Approximate {
		f |= valApprox
	}
	if v.Type == graph.BoolValue && v.Bool {
		f |= valTrue
	}
	b = binary.AppendUvarint(b, f)
	switch v.Type {
	case graph.EntityValue:
		b = appendStr(b, v.Entity)
	case graph.TextValue:
		b = appendStr(b, v.Text)
	case graph.QuantityValue:
		b = appendStr(appendF64(b, v.Amount), v.Unit)
	case graph.MoneyValue:
		b = appendStr(appendF64(b, v.Amount), v.Currency)
	case graph.DateValue:
		b = appendDate(b, v.Date)
	}
	if v.Lower != nil {
		b = appendF64(b, *v.Lower)
	}
	if v.Upper != nil {
		b = appendF64(b, *v.Upper)
	}
	return b
}

func appendQualifiers(b []byte, q *graph.Qualifiers) []byte {
	b = appendDate(b, q.ValidFrom)
	b = appendDate(b, q.ValidTo)
	b = appendDate(b, q.PointInTime)
	b = binary.AppendUvarint(b, uint64(len(q.Extra)))
	if len(q.Extra) == 0 {
		return b
	}
	var arr [8]string
	keys := arr[:0]
	for k := range q.Extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = appendStr(appendStr(b, k), q.Extra[k])
	}
	return b
}

func appendReference(b []byte, r *graph.Reference) []byte {
	f := uint64(0)
	if r.Quote != "" {
		f |= refQuote
	}
	if r.Locator != (graph.Locator{}) {
		f |= refLocator
	}
	if !r.Retrieved.IsZero() {
		f |= refRetrieved
	}
	if r.ImportedFrom != "" {
		f |= refImportedFrom
	}
	if r.Verified {
		f |= refVerified
	}
	if r.SourceSHA256 != "" {
		f |= refSHA
	}
	if r.Unverified {
		f |= refUnverified
	}
	b = binary.AppendUvarint(b, f)
	b = appendStr(b, r.Source)
	if f&refQuote != 0 {
		b = appendStr(b, r.Quote)
	}
	if f&refLocator != 0 {
		b = appendStr(b, r.Locator.Section)
		b = binary.AppendVarint(b, int64(r.Locator.Page))
		b = binary.AppendVarint(b, int64(r.Locator.Start))
		b = binary.AppendVarint(b, int64(r.Locator.End))
	}
	if f&refRetrieved != 0 {
		b = appendDate(b, r.Retrieved)
	}
	if f&refImportedFrom != 0 {
		b = appendStr(b, r.ImportedFrom)
	}
	if f&refSHA != 0 {
		b = appendStr(b, r.SourceSHA256)
	}
	return b
}

func appendStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendStrs(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendStr(b, s)
	}
	return b
}

func appendEnum(b []byte, table []string, s string) []byte {
	if i := slices.Index(table, s); i >= 0 {
		return binary.AppendUvarint(b, uint64(i)+1)
	}
	return appendStr(append(b, 0), s)
}

func appendF64(b []byte, f float64) []byte {
	return binary.AppendUvarint(b, bits.ReverseBytes64(math.Float64bits(f)))
}

func appendTime(b []byte, t time.Time) []byte {
	_, off := t.Zone()
	b = binary.AppendVarint(b, t.Unix())
	b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	return binary.AppendVarint(b, int64(off))
}

// appendDate writes what Date.String shows: the year, and the quarter,
// month or month and day its precision adds.
func appendDate(b []byte, d graph.Date) []byte {
	switch d.Precision {
	case graph.Year:
		return binary.AppendVarint(append(b, byte(graph.Year)), int64(d.Year))
	case graph.Quarter:
		b = binary.AppendVarint(append(b, byte(graph.Quarter)), int64(d.Year))
		return binary.AppendVarint(b, int64((d.Month-1)/3+1))
	case graph.Month:
		b = binary.AppendVarint(append(b, byte(graph.Month)), int64(d.Year))
		return binary.AppendVarint(b, int64(d.Month))
	case graph.Day:
		b = binary.AppendVarint(append(b, byte(graph.Day)), int64(d.Year))
		b = binary.AppendVarint(b, int64(d.Month))
		return binary.AppendVarint(b, int64(d.Day))
	}
	return append(b, 0)
}

// --- decoding

// decoder reads the fields of a binary version. The encoded bytes are
// converted to one string, and every decoded string is a substring of it:
// one allocation for all of a record's strings. (A substring kept alive
// keeps the whole version's bytes alive; the store's callers keep whole
// records.) The first error sticks; reads after it return zero values.
type decoder struct {
	s   string
	i   int
	err error
	a   *decodeArena // nil: allocate each record's parts
}

// decodeArena holds the references of the records a read decodes in a
// batch (a page of statements) in shared slices: a few allocations per
// page rather than one per record. Each record's references are capped
// at their length, so appending to them copies. A slice holds one
// reference per record still to come (left), so that a page takes about
// what it uses.
//
// (Their text in shared chunks too saved another allocation per record
// but took half as many bytes again as a string each: chunks sized from
// the records at hand left parts empty. In process, scale 1, q6: 81.3 ->
// 84.1 KB/op.)
type decodeArena struct {
	left int // records still to decode, at least 1
	refs []graph.Reference
}

// references returns n zero references (nil a: a slice of their own).
func (a *decodeArena) references(n int) []graph.Reference {
	if a == nil {
		return make([]graph.Reference, n)
	}
	if len(a.refs) < n {
		a.refs = make([]graph.Reference, max(n, a.left))
	}
	r := a.refs[:n:n]
	a.refs = a.refs[n:]
	return r
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", errMalformed, d.i+2, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) uvarint() uint64 {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if d.i >= len(d.s) {
			d.fail("truncated")
			return 0
		}
		c := d.s[d.i]
		d.i++
		if shift == 63 && c > 1 {
			break
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	d.fail("varint overflows 64 bits")
	return 0
}

func (d *decoder) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// int reads a varint that must fit in an int.
func (d *decoder) int() int {
	v := d.varint()
	if int64(int(v)) != v {
		d.fail("integer %d overflows int", v)
		return 0
	}
	return int(v)
}

// length reads a length that cannot exceed the bytes left; what names it
// in the error ("count %d", "string of %d bytes").
func (d *decoder) length(what string) int {
	n := d.uvarint()
	if left := len(d.s) - d.i; n > uint64(left) {
		d.fail(what+" exceeds the %d bytes left", n, left)
		return 0
	}
	return int(n)
}

// count reads a list length; every element takes at least one byte, so a
// length beyond the bytes left is malformed (and allocates nothing).
func (d *decoder) count() int { return d.length("count %d") }

func (d *decoder) str() string {
	n := d.length("string of %d bytes")
	s := d.s[d.i : d.i+n]
	d.i += n
	return s
}

func (d *decoder) strs() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *decoder) enum(table []string) string {
	c := d.uvarint()
	switch {
	case c == 0:
		return d.str()
	case c <= uint64(len(table)):
		return table[c-1]
	}
	d.fail("unknown code %d", c)
	return ""
}

func (d *decoder) f64() float64 {
	return math.Float64frombits(bits.ReverseBytes64(d.uvarint()))
}

func (d *decoder) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint()
	off := d.varint()
	if d.err != nil {
		return time.Time{}
	}
	if nsec >= 1e9 || off != int64(int32(off)) {
		d.fail("bad time (%d ns, offset %d s)", nsec, off)
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	if off == 0 {
		return t.UTC()
	}
	// As time.Parse: Local when it has this offset then, else a fixed zone.
	if _, lo := t.Zone(); lo == int(off) {
		return t
	}
	return t.In(time.FixedZone("", int(off)))
}

func (d *decoder) date() graph.Date {
	p := d.uvarint()
	if p == 0 {
		return graph.Date{}
	}
	dt := graph.Date{Year: d.int(), Month: 1, Day: 1, Precision: graph.Precision(p)}
	switch graph.Precision(p) {
	case graph.Year:
	case graph.Quarter:
		dt.Month = (d.int()-1)*3 + 1
	case graph.Month:
		dt.Month = d.int()
	case graph.Day:
		dt.Month, dt.Day = d.int(), d.int()
	default:
		d.fail("unknown date precision %d", p)
		return graph.Date{}
	}
	return dt
}

func (d *decoder) flags(max uint64) uint64 {
	f := d.uvarint()
	if f > max {
		d.fail("unknown flags %#x", f)
		return 0
	}
	return f
}

func (d *decoder) recorded(r *graph.Recorded) {
	r.At = d.time()
	r.By = d.str()
	r.Op = graph.Op(d.enum(ops))
	r.Reason = d.str()
}

func (d *decoder) retraction() *graph.Retraction {
	r := &graph.Retraction{}
	r.At = d.time()
	r.By = d.str()
	r.Reason = d.str()
	return r
}

func (d *decoder) entity(e *graph.Entity) {
	*e = graph.Entity{ID: e.ID, Key: d.str()}
	if c := d.uvarint(); c == 0 {
		e.Kind = graph.Kind(d.str())
	} else if k, ok := graph.KindOfCode(byte(c)); ok && c <= 0xff {
		e.Kind = k
	} else {
		d.fail("unknown kind code %d", c)
	}
	e.Name = d.str()
	e.Aliases = d.strs()
	e.Description = d.str()
	d.recorded(&e.Recorded)
}

func (d *decoder) source(s *graph.Source) {
	*s = graph.Source{ID: s.ID}
	flags := d.flags(1)
	s.Key = d.str()
	s.URL = d.str()
	s.Title = d.str()
	s.Publisher = d.str()
	s.Author = d.str()
	s.Kind = graph.SourceKind(d.enum(sourceKinds))
	s.Published = d.date()
	s.Retrieved = d.date()
	s.Text = d.str()
	s.SHA256 = d.str()
	s.Restates = d.strs()
	d.recorded(&s.Recorded)
	if flags&1 != 0 {
		s.Retracted = d.retraction()
	}
}

func (d *decoder) statement(s *graph.Statement) {
	*s = graph.Statement{ID: s.ID}
	flags := d.flags(flagQualifiers | flagRetracted)
	s.Key = d.str()
	s.Subject = d.str()
	s.Predicate = d.str()
	d.value(&s.Object)
	if flags&flagQualifiers != 0 {
		d.qualifiers(&s.Qualifiers)
	}
	s.Rank = graph.Rank(d.enum(ranks))
	if n := d.uvarint(); n > 0 {
		if n-1 > uint64(len(d.s)-d.i) {
			d.fail("count %d exceeds the %d bytes left", n-1, len(d.s)-d.i)
			return
		}
		s.References = d.a.references(int(n - 1))
		for i := range s.References {
			d.reference(&s.References[i])
		}
	}
	d.recorded(&s.Recorded)
	if flags&flagRetracted != 0 {
		s.Retracted = d.retraction()
	}
}

func (d *decoder) claim(c *graph.Claim) {
	*c = graph.Claim{ID: c.ID}
	flags := d.flags(flagClaimValue | flagRetracted)
	c.Key = d.str()
	c.Claimant = d.str()
	c.Stated = d.date()
	c.Modality = graph.Modality(d.enum(modalities))
	c.Text = d.str()
	d.reference(&c.Reference)
	c.About = d.strs()
	if flags&flagClaimValue != 0 {
		v := &graph.ClaimValue{}
		f := d.flags(valLower | valUpper | valApprox)
		v.Amount = d.f64()
		v.Unit = d.str()
		v.Currency = d.str()
		v.Lower, v.Upper = d.bounds(f)
		v.Approximate = f&valApprox != 0
		v.Condition = d.str()
		c.Value = v
	}
	if n := d.count(); n > 0 {
		c.Links = make([]graph.ClaimLink, n)
		for i := range c.Links {
			l := &c.Links[i]
			l.Relation = graph.LinkRelation(d.enum(linkRelations))
			l.Statement = d.str()
			l.Claim = d.str()
		}
	}
	d.recorded(&c.Recorded)
	if flags&flagRetracted != 0 {
		c.Retracted = d.retraction()
	}
}

// bounds reads the optional lower and upper bounds flags announce, in one
// allocation when both are there.
func (d *decoder) bounds(f uint64) (lower, upper *float64) {
	switch f & (valLower | valUpper) {
	case valLower:
		lower = new(float64)
		*lower = d.f64()
	case valUpper:
		upper = new(float64)
		*upper = d.f64()
	case valLower | valUpper:
		p := new([2]float64)
		p[0], p[1] = d.f64(), d.f64()
		lower, upper = &p[0], &p[1]
	}
	return lower, upper
}

func (d *decoder) value(v *graph.Value) {
	t := d.uvarint()
	if t == 0 {
		return
	}
	if t > uint64(graph.BoolValue) {
		d.fail("unknown value type %d", t)
		return
	}
	f := d.flags(valLower | valUpper | valApprox | valTrue)
	v.Type = graph.ValueType(t)
	switch v.Type {
	case graph.EntityValue:
		v.Entity = d.str()
	case graph.TextValue:
		v.Text = d.str()
	case graph.QuantityValue:
		v.Amount = d.f64()
		v.Unit = d.str()
	case graph.MoneyValue:
		v.Amount = d.f64()
		v.Currency = d.str()
	case graph.DateValue:
		v.Date = d.date()
	}
	if f&valTrue != 0 && v.Type != graph.BoolValue {
		d.fail("boolean flag on a %s value", v.Type)
	}
	v.Bool = f&valTrue != 0
	v.Approximate = f&valApprox != 0
	v.Lower, v.Upper = d.bounds(f)
}

func (d *decoder) qualifiers(q *graph.Qualifiers) {
	q.ValidFrom = d.date()
	q.ValidTo = d.date()
	q.PointInTime = d.date()
	n := d.count()
	if n == 0 {
		return
	}
	q.Extra = make(map[string]string, n)
	for range n {
		k := d.str()
		q.Extra[k] = d.str()
	}
}

func (d *decoder) reference(r *graph.Reference) {
	f := d.flags(refQuote | refLocator | refRetrieved | refImportedFrom | refVerified | refSHA | refUnverified)
	r.Source = d.str()
	if f&refQuote != 0 {
		r.Quote = d.str()
	}
	if f&refLocator != 0 {
		r.Locator.Section = d.str()
		r.Locator.Page = d.int()
		r.Locator.Start = d.int()
		r.Locator.End = d.int()
	}
	if f&refRetrieved != 0 {
		r.Retrieved = d.date()
	}
	if f&refImportedFrom != 0 {
		r.ImportedFrom = d.str()
	}
	if f&refSHA != 0 {
		r.SourceSHA256 = d.str()
	}
	r.Verified = f&refVerified != 0
	r.Unverified = f&refUnverified != 0
}
