package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/bench/gen"
	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	badger "github.com/dgraph-io/badger/v4"
)

// newOf returns a new zero record of the same type as v (a pointer).
func newOf(v any) any { return reflect.New(reflect.TypeOf(v).Elem()).Interface() }

// jsonRoundTrip is what a version stored as JSON reads back as.
func jsonRoundTrip(tb testing.TB, v any) any {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("json.Marshal(%+v): %v", v, err)
	}
	out := newOf(v)
	if err := json.Unmarshal(b, out); err != nil {
		tb.Fatalf("json.Unmarshal(%s): %v", b, err)
	}
	return out
}

// binaryRoundTrip encodes v and decodes it into a new record.
func binaryRoundTrip(tb testing.TB, v any) any {
	tb.Helper()
	b, err := appendVersion(nil, v)
	if err != nil {
		tb.Fatalf("appendVersion(%T): %v", v, err)
	}
	if b[0] != formatBinary {
		tb.Fatalf("first byte %#x, want %#x", b[0], formatBinary)
	}
	out := newOf(v)
	if err := unmarshalVersion(b, out); err != nil {
		tb.Fatalf("unmarshalVersion(%x): %v", b, err)
	}
	return out
}

// payloads returns the record versions of recs (entities, sources,
// statements, claims), each also as the store would hold it: with a
// recorded time, author and op, and every fifth one retracted at a time
// given with a UTC offset.
func payloads(recs []graph.Record) []any {
	at := time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)
	off := time.FixedZone("", 2*3600)
	var out []any
	for i, r := range recs {
		at = at.Add(time.Duration(i) * time.Microsecond)
		rec := graph.Recorded{At: at, By: "importer", Op: graph.OpAdd, Reason: "test"}
		var ret *graph.Retraction
		if i%5 == 0 {
			ret = &graph.Retraction{At: at.In(off), By: "someone", Reason: "wrong"}
		}
		switch r.Type {
		case graph.EntityRecord:
			x := *r.Entity
			x.Recorded = rec
			out = append(out, r.Entity, &x)
		case graph.SourceRecord:
			x := *r.Source
			x.Recorded, x.Retracted = rec, ret
			out = append(out, r.Source, &x)
		case graph.StatementRecord:
			x := *r.Statement
			x.Recorded, x.Retracted = rec, ret
			out = append(out, r.Statement, &x)
		case graph.ClaimRecord:
			x := *r.Claim
			x.Recorded, x.Retracted = rec, ret
			out = append(out, r.Claim, &x)
		}
	}
	return out
}

var genOnce struct {
	sync.Once
	recs []graph.Record
	err  error
}

// genRecords is the generated dataset at a small scale.
func genRecords(tb testing.TB) []graph.Record {
	tb.Helper()
	genOnce.Do(func() {
		var buf bytes.Buffer
		if _, err := gen.Generate(context.Background(), &buf, gen.Config{Scale: 0.01, Seed: 1}); err != nil {
			genOnce.err = err
			return
		}
		genOnce.recs, genOnce.err = graph.ReadRecords(&buf, "gen.ndjson")
	})
	if genOnce.err != nil {
		tb.Fatal(genOnce.err)
	}
	return genOnce.recs
}

// TestCodecRoundTripData checks, for every record of the starter data and
// of a generated dataset, that binary reads back exactly what JSON did,
// and that a version read back encodes to itself.
func TestCodecRoundTripData(t *testing.T) {
	starterRecs, err := starter.Records()
	if err != nil {
		t.Fatal(err)
	}
	for _, ds := range []struct {
		name string
		recs []graph.Record
	}{
		{"starter", starterRecs},
		{"gen", genRecords(t)},
	} {
		t.Run(ds.name, func(t *testing.T) {
			counts := map[string]int{}
			jsonBytes, binBytes := 0, 0
			for _, v := range payloads(ds.recs) {
				counts[reflect.TypeOf(v).Elem().Name()]++
				j, _ := json.Marshal(v)
				b, _ := appendVersion(nil, v)
				jsonBytes, binBytes = jsonBytes+len(j), binBytes+len(b)
				want := jsonRoundTrip(t, v)
				if got := binaryRoundTrip(t, v); !reflect.DeepEqual(got, want) {
					t.Fatalf("binary round trip of %+v\n got %+v\nwant %+v", v, got, want)
				}
				if got := binaryRoundTrip(t, want); !reflect.DeepEqual(got, want) {
					t.Fatalf("binary round trip of %+v\n got %+v", want, got)
				}
			}
			for _, typ := range []string{"Entity", "Source", "Statement", "Claim"} {
				if counts[typ] == 0 {
					t.Errorf("no %s in the %s data", typ, ds.name)
				}
			}
			t.Logf("%v: %d bytes as JSON, %d as binary", counts, jsonBytes, binBytes)
		})
	}
}

// filler builds random records with every field set or not, as JSON can
// carry them (valid UTF-8, finite numbers, years 1-9999, a value's fields
// consistent with its type), so that a field the codec misses shows up as
// a difference from the JSON round trip.
type filler struct{ r *rand.Rand }

var (
	timeType  = reflect.TypeFor[time.Time]()
	dateType  = reflect.TypeFor[graph.Date]()
	valueType = reflect.TypeFor[graph.Value]()
)

func (f filler) str() string {
	words := []string{"", "a", "tsmc", "Trainium3", "Q\"uote\\d", "<b>&amp;</b>", "naïve – ü", "日本語", "tab\tnew\nline", "normal", "Company", "add"}
	n := f.r.IntN(3)
	var b strings.Builder
	for range n {
		b.WriteString(words[f.r.IntN(len(words))])
	}
	return b.String()
}

func (f filler) float() float64 {
	switch f.r.IntN(5) {
	case 0:
		return 0
	case 1:
		return math.Copysign(0, -1)
	case 2:
		return float64(f.r.IntN(2000) - 1000)
	case 3:
		return f.r.NormFloat64() * 1e12
	}
	return math.Float64frombits(f.r.Uint64()&^(0x7ff<<52) | uint64(f.r.IntN(0x7fe))<<52)
}

func (f filler) date() graph.Date {
	return graph.Date{Year: 1 + f.r.IntN(9999), Month: 1 + f.r.IntN(12), Day: 1 + f.r.IntN(28), Precision: graph.Precision(f.r.IntN(5))}
}

func (f filler) time() time.Time {
	if f.r.IntN(4) == 0 {
		return time.Time{}
	}
	t := time.Unix(f.r.Int64N(253402300799+62135596800)-62135596800, f.r.Int64N(1e9))
	switch f.r.IntN(4) {
	case 0:
		return t.UTC()
	case 1:
		return t.In(time.FixedZone("", 2*3600))
	case 2:
		return t.In(time.FixedZone("IST", 5*3600+1800))
	}
	return t.In(time.FixedZone("", -7*3600))
}

func (f filler) value() graph.Value {
	v := graph.Value{Type: graph.ValueType(f.r.IntN(7)), Entity: f.str(), Text: f.str(), Amount: f.float(),
		Unit: f.str(), Currency: f.str(), Approximate: f.r.IntN(2) == 0, Date: f.date(), Bool: f.r.IntN(2) == 0}
	if f.r.IntN(2) == 0 {
		x := f.float()
		v.Lower = &x
	}
	if f.r.IntN(2) == 0 {
		x := f.float()
		v.Upper = &x
	}
	// What Value.UnmarshalJSON requires of its type's fields.
	switch v.Type {
	case graph.QuantityValue:
		v.Unit = "W" + v.Unit
	case graph.MoneyValue:
		v.Currency = "USD" + v.Currency
	case graph.DateValue:
		v.Date.Precision = graph.Precision(1 + f.r.IntN(4))
	}
	return v
}

func (f filler) fill(v reflect.Value) {
	if f.r.IntN(4) == 0 {
		return // leave it zero
	}
	switch v.Type() {
	case timeType:
		v.Set(reflect.ValueOf(f.time()))
		return
	case dateType:
		v.Set(reflect.ValueOf(f.date()))
		return
	case valueType:
		v.Set(reflect.ValueOf(f.value()))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.str())
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int:
		v.SetInt(f.r.Int64N(1<<40) - 1<<39)
	case reflect.Uint64:
		v.SetUint(f.r.Uint64())
	case reflect.Float64:
		v.SetFloat(f.float())
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem())
		v.Set(p)
	case reflect.Slice:
		n := f.r.IntN(4)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			f.fill(s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range f.r.IntN(4) {
			m.SetMapIndex(reflect.ValueOf(f.str()), reflect.ValueOf(f.str()))
		}
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			f.fill(v.Field(i))
		}
	default:
		panic("filler: no rule for " + v.Type().String())
	}
}

// TestCodecRoundTripRandom fills every field of each record type at
// random, so that a field added to graph and missed here fails the test.
func TestCodecRoundTripRandom(t *testing.T) {
	f := filler{rand.New(rand.NewPCG(1, 2))}
	for _, typ := range []any{new(graph.Entity), new(graph.Source), new(graph.Statement), new(graph.Claim)} {
		t.Run(reflect.TypeOf(typ).Elem().Name(), func(t *testing.T) {
			for range 3000 {
				v := newOf(typ)
				f.fill(reflect.ValueOf(v).Elem())
				want := jsonRoundTrip(t, v)
				if got := binaryRoundTrip(t, v); !reflect.DeepEqual(got, want) {
					t.Fatalf("binary round trip of %+v\n got %+v\nwant %+v", v, got, want)
				}
				b, _ := appendVersion(nil, v)
				checkPrefixesFail(t, b, newOf(typ))
			}
		})
	}
}

// checkPrefixesFail checks that no proper prefix of a valid encoding
// decodes.
func checkPrefixesFail(tb testing.TB, b []byte, into any) {
	tb.Helper()
	for n := range len(b) {
		if err := unmarshalVersion(b[:n], into); err == nil {
			tb.Fatalf("prefix %x of %x decoded without an error", b[:n], b)
		}
	}
}

// TestCodecKeepsWhatJSONDoesNot covers the two things binary keeps
// exactly and JSON changes or refuses: invalid UTF-8 and non-finite
// numbers.
func TestCodecKeepsWhatJSONDoesNot(t *testing.T) {
	inf := math.Inf(1)
	st := &graph.Statement{Key: "st-\xff\xfe", Subject: "s", Predicate: "p",
		Object: graph.Value{Type: graph.QuantityValue, Amount: math.Inf(-1), Unit: "W", Upper: &inf}, References: []graph.Reference{}}
	got := binaryRoundTrip(t, st).(*graph.Statement)
	if got.Key != st.Key || !math.IsInf(got.Object.Amount, -1) || got.Object.Upper == nil || !math.IsInf(*got.Object.Upper, 1) {
		t.Errorf("got %+v, want %+v", got, st)
	}
	if got.References == nil {
		t.Errorf("got nil references, want the empty list")
	}
}

// goldenRecords are small records of each type with most fields set.
func goldenRecords() []any {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	lower := 650.0
	return []any{
		&graph.Entity{ID: 9, Key: "tsmc", Kind: graph.Foundry, Name: "TSMC", Aliases: []string{"Taiwan Semi"},
			Recorded: graph.Recorded{At: at, By: "ann", Op: graph.OpAdd}},
		&graph.Source{Key: "ds", URL: "https://x.io/d", Title: "DS", Kind: graph.Datasheet, Published: graph.MustDate("2025-Q3"),
			Restates: []string{"pr"}, Recorded: graph.Recorded{At: at, Op: graph.OpRetract},
			Retracted: &graph.Retraction{At: at, Reason: "gone"}},
		&graph.Statement{Key: "st-1", Subject: "t3", Predicate: "tdp",
			Object:     graph.Value{Type: graph.QuantityValue, Amount: 700, Unit: "W", Lower: &lower, Approximate: true},
			Qualifiers: graph.Qualifiers{ValidFrom: graph.MustDate("2025-12"), Extra: map[string]string{"p": "FP8"}},
			Rank:       graph.Normal,
			References: []graph.Reference{{Source: "ds", Quote: "700 W", Locator: graph.Locator{Page: 2}, Verified: true}},
			Recorded:   graph.Recorded{At: at, By: "ann", Op: graph.OpUpdate, Reason: "fix"}},
		&graph.Claim{Key: "c", Claimant: "ceo", Stated: graph.MustDate("2025-12-02"), Modality: graph.Forecast, Text: "big",
			Reference: graph.Reference{Source: "ds"}, About: []string{"t3"},
			Value:    &graph.ClaimValue{Amount: 5e10, Currency: "USD", Condition: "if"},
			Links:    []graph.ClaimLink{{Relation: graph.Supports, Statement: "st-1"}},
			Recorded: graph.Recorded{At: at, Op: graph.OpAdd}},
	}
}

// TestCodecGolden pins the layout: a change to these bytes is a change of
// the stored format and needs a new format byte (old stores keep theirs).
func TestCodecGolden(t *testing.T) {
	const at = "cad6b9950d" + "06" + "00" // 2026-01-02T03:04:05.000000006Z: sec, ns, offset
	want := []string{
		"0101" + "0474736d63" + "02" + "0454534d43" + // entity | key | kind Foundry | name
			"01" + "0b54616977616e2053656d69" + "00" + // aliases | description
			at + "03616e6e" + "01" + "00", // recorded: at, by, op add, reason
		"0102" + "01" + "026473" + "0e68747470733a2f2f782e696f2f64" + "024453" + "00" + "00" + // source | retracted | key url title publisher author
			"03" + "02d21f06" + "00" + "00" + "00" + "01027072" + // kind datasheet | published 2025-Q3 | retrieved text sha256 | restates
			at + "00" + "03" + "00" + // recorded: at, by, op retract, reason
			at + "00" + "04676f6e65", // retracted: at, by, reason
		"0103" + "01" + "0473742d31" + "027433" + "03746470" + // statement | qualifiers | key subject predicate
			"03" + "05" + "c08a8207" + "0157" + "c088c202" + // object: quantity, lower|approximate, 700, W, lower 650
			"03d21f18" + "00" + "00" + "01" + "0170" + "03465038" + // qualifiers: validFrom 2025-12, validTo, pointInTime, extra p=FP8
			"02" + "02" + // rank normal | 1 reference
			"13" + "026473" + "053730302057" + "00" + "04" + "00" + "00" + // quote|locator|verified, source, quote, section page start end
			at + "03616e6e" + "02" + "03666978", // recorded: at, by, op update, reason
		"0104" + "01" + "0163" + "0363656f" + "04d21f1804" + "03" + "03626967" + // claim | value | key claimant | stated 2025-12-02 | forecast | text
			"00" + "026473" + "01027433" + // reference: no flags, source | about
			"00" + "c2cea0b2871d" + "00" + "03555344" + "026966" + // value: flags, 5e10, unit, USD, condition
			"01" + "01" + "0473742d31" + "00" + // links: 1, supports, statement, claim
			at + "00" + "01" + "00", // recorded: at, by, op add, reason
	}
	for i, v := range goldenRecords() {
		b, err := appendVersion(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(b); got != want[i] {
			t.Errorf("%T encodes as\n %s\nwant\n %s", v, got, want[i])
		}
		got := newOf(v)
		if err := unmarshalVersion(b, got); err != nil {
			t.Fatal(err)
		}
		if want := jsonRoundTrip(t, v); !reflect.DeepEqual(got, want) {
			t.Errorf("%T decodes as %+v, want %+v", v, got, want)
		}
	}
}

// FuzzDecode feeds arbitrary bytes to the decoder: it must not panic, and
// whatever it accepts must encode to bytes that decode to the same record,
// none of whose proper prefixes decode.
func FuzzDecode(f *testing.F) {
	for _, v := range goldenRecords() {
		b, _ := appendVersion(nil, v)
		f.Add(b)
	}
	f.Add([]byte(`{"key":"x"}`))
	f.Add([]byte{formatBinary})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, typ := range []any{new(graph.Entity), new(graph.Source), new(graph.Statement), new(graph.Claim)} {
			v := newOf(typ)
			err := unmarshalVersion(b, v)
			if err != nil || len(b) == 0 || b[0] != formatBinary {
				if err != nil && len(b) > 0 && b[0] == formatBinary && !errors.Is(err, errMalformed) {
					t.Fatalf("error %v does not wrap errMalformed", err)
				}
				continue
			}
			enc, err := appendVersion(nil, v)
			if err != nil {
				t.Fatal(err)
			}
			again := newOf(typ)
			if err := unmarshalVersion(enc, again); err != nil {
				t.Fatalf("re-encoding %x of %x does not decode: %v", enc, b, err)
			}
			if enc2, _ := appendVersion(nil, again); !bytes.Equal(enc, enc2) {
				t.Fatalf("encoding is not stable: %x then %x", enc, enc2)
			}
			checkPrefixesFail(t, b, newOf(typ))
		}
	})
}

// TestDecodeErrors checks that malformed versions are refused with a
// decode error.
func TestDecodeErrors(t *testing.T) {
	st, _ := appendVersion(nil, goldenRecords()[2])
	for _, tt := range []struct {
		name string
		b    []byte
		into any
	}{
		{"empty", nil, new(graph.Statement)},
		{"unknown format", []byte{0x02, rStatement}, new(graph.Statement)},
		{"wrong type", st, new(graph.Entity)},
		{"trailing byte", append(bytes.Clone(st), 0), new(graph.Statement)},
		{"huge count", []byte{formatBinary, rEntity, 0, 1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}, new(graph.Entity)},
		{"varint overflow", append([]byte{formatBinary, rEntity}, bytes.Repeat([]byte{0xff}, 11)...), new(graph.Entity)},
		{"unknown flags", []byte{formatBinary, rStatement, 0x7f}, new(graph.Statement)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := unmarshalVersion(tt.b, tt.into)
			if !errors.Is(err, errMalformed) {
				t.Errorf("unmarshalVersion(%x) = %v, want errMalformed", tt.b, err)
			}
		})
	}
	if err := unmarshalVersion([]byte(`{"key":`), new(graph.Entity)); err == nil {
		t.Errorf("truncated JSON decoded without an error")
	}
}

// rewriteVersions rewrites every record version of the store at dir:
// as JSON (after the ts for heads), the way stores were written before the
// binary encoding, or as binary again (to give a store the same LSM shape
// as a rewritten one). It returns how many values it rewrote.
func rewriteVersions(tb testing.TB, dir string, asJSON bool) int {
	tb.Helper()
	s, err := Open(dir, &Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	type kv struct{ k, v []byte }
	var out []kv
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().KeyCopy(nil)
			if k[0] < tagEntity || k[0] > tagHead {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			tag, body, prefix := k[0], v, []byte(nil)
			if tag == tagHead {
				tag, body, prefix = k[1], v[8:], v[:8]
			}
			if body[0] != formatBinary {
				tb.Fatalf("value of %x is not binary: %x", k, body)
			}
			rec := map[byte]func() any{
				tagEntity: func() any { return new(graph.Entity) }, tagSource: func() any { return new(graph.Source) },
				tagStatement: func() any { return new(graph.Statement) }, tagClaim: func() any { return new(graph.Claim) },
			}[tag]()
			if err := unmarshalVersion(body, rec); err != nil {
				return err
			}
			enc, err := appendVersion(bytes.Clone(prefix), rec)
			if asJSON {
				var j []byte
				j, err = json.Marshal(rec)
				enc = append(bytes.Clone(prefix), j...)
			}
			if err != nil {
				return err
			}
			out = append(out, kv{k, enc})
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, x := range out {
		if err := wb.Set(x.k, x.v); err != nil {
			tb.Fatal(err)
		}
	}
	if err := wb.Flush(); err != nil {
		tb.Fatal(err)
	}
	return len(out)
}

// TestStoreReadsJSONVersions writes a store, rewrites its record versions
// as JSON (as stores were written before), and checks that it reads the
// same: export bytes, an entity, history, and that writes continue on it.
func TestStoreReadsJSONVersions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := starter.Records()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, "starter", recs, nil); err != nil {
		t.Fatal(err)
	}
	// Older versions: a rename, a rank change, a retracted claim.
	up, err := graph.ReadRecords(strings.NewReader(`{"type":"entity","key":"tsmc","kind":"Foundry","name":"TSMC Ltd","aliases":["TSMC"]}
{"type":"retract","source":"seed-article","reason":"test"}
`), "up.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, "editor", up); err != nil {
		t.Fatal(err)
	}
	var before bytes.Buffer
	if _, err := s.Export(ctx, &before); err != nil {
		t.Fatal(err)
	}
	histBefore, err := s.History(ctx, graph.View{}, graph.EntityRecord, "tsmc", "", MaxPage)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	if n := rewriteVersions(t, dir, true); n < len(recs) {
		t.Fatalf("rewrote %d values, want at least %d", n, len(recs))
	}
	s, err = Open(dir, &Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var after bytes.Buffer
	if _, err := s.Export(ctx, &after); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before.Bytes(), after.Bytes()) {
		t.Fatalf("export of the JSON store differs (%d bytes, want %d)", after.Len(), before.Len())
	}
	histAfter, err := s.History(ctx, graph.View{}, graph.EntityRecord, "tsmc", "", MaxPage)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(histAfter, histBefore) {
		t.Fatalf("history of tsmc\n got %+v\nwant %+v", histAfter, histBefore)
	}
	e, err := s.Entity(ctx, graph.View{}, "tsmc")
	if err != nil || e.Name != "TSMC Ltd" {
		t.Fatalf("Entity(tsmc) = %+v, %v, want TSMC Ltd", e, err)
	}

	// A write on the JSON store: its JSON head moves to a version key and
	// the new head is binary.
	up, err = graph.ReadRecords(strings.NewReader(`{"type":"entity","key":"tsmc","kind":"Foundry","name":"TSMC Limited"}`+"\n"), "up2.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, "editor", up); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, graph.View{}, graph.EntityRecord, "tsmc", "", MaxPage)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range h.Items {
		if v.Entity != nil {
			names = append(names, v.Entity.Name)
		}
	}
	if want := []string{"TSMC", "TSMC Ltd", "TSMC Limited"}; !reflect.DeepEqual(names, want) {
		t.Errorf("history names %q, want %q", names, want)
	}
	err = s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(headKey(tagEntity, e.ID))
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error {
			if b[8] != formatBinary {
				t.Errorf("new head starts %#x, want %#x", b[8], formatBinary)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// benchRecords are a typical statement (a quantity with a validity date
// and two quoted, located, verified references) and entity, as stored.
func benchRecords() map[string]any {
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	ref := func(src, quote string, start int) graph.Reference {
		return graph.Reference{Source: src, Quote: quote, Locator: graph.Locator{Section: "Specifications", Start: start, End: start + len(quote)},
			Retrieved: graph.MustDate("2025-12-03"), Verified: true, SourceSHA256: graph.TextHash(src)}
	}
	return map[string]any{
		"Statement": &graph.Statement{Key: "st-5f0c2a9e1b7d3c4a8e6f", Subject: "chip-0042-accel-x2", Predicate: "tdp",
			Object:     graph.Quantity(700, "W"),
			Qualifiers: graph.Qualifiers{ValidFrom: graph.MustDate("2025-12")},
			Rank:       graph.Normal,
			References: []graph.Reference{
				ref("datasheet-accel-x2-4c1d2e3f", "The Accel X2 has a thermal design power of 700 W.", 1204),
				ref("news-example-com-accel-x2-launch-9a8b7c6d", "the new accelerator draws up to 700 watts", 388),
			},
			Recorded: graph.Recorded{At: at, By: "importer", Op: graph.OpAdd}},
		"Entity": &graph.Entity{Key: "chip-0042-accel-x2", Kind: graph.Chip, Name: "Accel X2", Aliases: []string{"AX2", "Accel-X2"},
			Description: "Second-generation training accelerator.", Recorded: graph.Recorded{At: at, By: "importer", Op: graph.OpAdd}},
	}
}

func BenchmarkCodec(b *testing.B) {
	for _, name := range []string{"Statement", "Entity"} {
		v := benchRecords()[name]
		js, err := json.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		bin, err := appendVersion(nil, v)
		if err != nil {
			b.Fatal(err)
		}
		for _, bc := range []struct {
			op   string
			size int // the encoded size reported, 0 for none
			run  func() error
		}{
			{"decode/json", len(js), func() error { return unmarshalVersion(js, newOf(v)) }},
			{"decode/binary", len(bin), func() error { return unmarshalVersion(bin, newOf(v)) }},
			{"encode/json", 0, func() error { _, err := json.Marshal(v); return err }},
			{"encode/binary", 0, func() error { _, err := encodeHead(1, v); return err }},
		} {
			b.Run(name+"/"+bc.op, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := bc.run(); err != nil {
						b.Fatal(err)
					}
				}
				if bc.size > 0 {
					b.ReportMetric(float64(bc.size), "bytes")
				}
			})
		}
	}
}

// BenchmarkReadUncached reads statements from two copies of a store of
// the generated dataset, one with its versions rewritten as JSON (as
// stores were written before) and one as binary, with the decoded-record
// cache at one entry and no byte cache, so that every read decodes: the
// difference is the decoding.
func BenchmarkReadUncached(b *testing.B) {
	ctx := context.Background()
	base := b.TempDir()
	s, err := Open(base, &Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Import(ctx, "bench", genRecords(b), nil); err != nil {
		b.Fatal(err)
	}
	var keys []string
	for _, r := range genRecords(b) {
		if r.Type == graph.EntityRecord && r.Entity.Kind == graph.Chip {
			keys = append(keys, r.Entity.Key)
		}
	}
	asOf := graph.View{AsOf: s.LastChange()}
	s.Close()
	for _, format := range []string{"json", "binary"} {
		dir := b.TempDir()
		if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
			b.Fatal(err)
		}
		rewriteVersions(b, dir, format == "json")
		s, err := Open(dir, &Options{NoSync: true, CacheEntries: 1, CacheBytes: -1})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		for _, v := range []struct {
			name string
			view graph.View
		}{{"current", graph.View{}}, {"asOf", asOf}} {
			b.Run("EntityStatements/"+v.name+"/"+format, func(b *testing.B) {
				b.ReportAllocs()
				n, i := 0, 0
				for b.Loop() {
					p, err := s.EntityStatements(ctx, v.view, keys[i%len(keys)], graph.EdgeQuery{First: 50})
					if err != nil {
						b.Fatal(err)
					}
					n += len(p.Items)
					i++
				}
				b.ReportMetric(float64(n)/float64(i), "statements/op")
			})
		}
	}
}

// TestEncodeHeadConcurrent encodes from several goroutines at once, as
// parallel writers of different stores do: encodeHead's pooled buffers
// must never be shared between two encodings (run with -race as well).
func TestEncodeHeadConcurrent(t *testing.T) {
	recs := goldenRecords()
	want := make([]any, len(recs))
	for i, r := range recs {
		want[i] = binaryRoundTrip(t, r)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				k := (g + i) % len(recs)
				rec := recs[k]
				ts := uint64(g)<<32 | uint64(i)
				b, err := encodeHead(ts, rec)
				if err != nil {
					errs <- err.Error()
					return
				}
				got := newOf(rec)
				if binary.BigEndian.Uint64(b) != ts || unmarshalVersion(b[8:], got) != nil || !reflect.DeepEqual(got, want[k]) {
					errs <- fmt.Sprintf("goroutine %d, encoding %d: head %x does not decode to its record", g, i, b)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestDecodeArena decodes every statement of the generated data twice,
// once into one arena and once on its own: the two agree, and appending
// to one statement's references leaves the next statement's alone.
func TestDecodeArena(t *testing.T) {
	var encs [][]byte
	for _, v := range payloads(genRecords(t)) {
		if _, ok := v.(*graph.Statement); ok {
			b, err := appendVersion(nil, v)
			if err != nil {
				t.Fatal(err)
			}
			encs = append(encs, b)
		}
	}
	if len(encs) < 100 {
		t.Fatalf("%d statements; want at least 100", len(encs))
	}
	a := &decodeArena{left: len(encs)}
	got := make([]graph.Statement, len(encs))
	for i, b := range encs {
		if err := unmarshalVersionIn(b, &got[i], a); err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
	}
	for i, b := range encs {
		var want graph.Statement
		if err := unmarshalVersion(b, &want); err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
		if !reflect.DeepEqual(got[i], want) {
			t.Fatalf("statement %d decoded in an arena:\n%+v\nwant\n%+v", i, got[i], want)
		}
	}
	for i := 0; i+1 < len(got); i++ {
		next := slices.Clone(got[i+1].References)
		got[i].References = append(got[i].References, graph.Reference{Source: "appended"})
		if !reflect.DeepEqual(got[i+1].References, next) {
			t.Fatalf("appending to statement %d's references changed statement %d's", i, i+1)
		}
	}
}

func TestAppendChange(t *testing.T) {
	for _, ch := range []change{
		{Op: "add", Key: "st-0123456789abcdef0123"},
		{Op: "update", Key: "tsmc", By: "import:gen-s1-seed1.ndjson"},
		{Op: "retract", Key: "c1", By: "ann", Reason: "wrong <source> & \"quote\""},
		{Op: "", Key: ""},
		{Op: "rank", Key: "k\u2028\u2029\x00\x1f\\", Reason: "Zürich – 東京 \xff\xfe"},
	} {
		want, err := json.Marshal(ch)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendChange(nil, ch); !bytes.Equal(got, want) {
			t.Errorf("appendChange(%+v) = %s, want %s", ch, got, want)
		}
	}
}
