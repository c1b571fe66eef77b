package graph_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/chipgraph/chipgraph/graph"
)

var recordedAt = graph.Recorded{At: time.Date(2025, 12, 2, 10, 0, 0, 0, time.UTC), By: "import"}

// roundTripRecords holds one full record of each type; WriteRecord's output
// of each decodes back to it.
var roundTripRecords = []graph.Record{
	{Type: graph.SourceRecord, Source: &graph.Source{
		Key: "aws-blog", URL: "https://example.com/trainium3", Title: "Trainium3", Publisher: "AWS", Author: "A. Writer",
		Kind: graph.BlogPost, Published: graph.MustDate("2025-12-02"), Retrieved: graph.MustDate("2025-12"),
		Text: "Trainium3 is “sold out”.", SHA256: graph.TextHash("Trainium3 is “sold out”."), Recorded: recordedAt,
	}},
	{Type: graph.EntityRecord, Entity: &graph.Entity{
		Key: "trainium3", Kind: graph.Chip, Name: "Trainium3", Aliases: []string{"Trn3", "Trainium 3"},
		Description: "AWS's third AI chip.", Recorded: recordedAt,
	}},
	// An entity with only the required fields.
	{Type: graph.EntityRecord, Entity: &graph.Entity{Key: "tsmc", Kind: graph.Foundry, Name: "TSMC"}},
	{Type: graph.StatementRecord, Statement: &graph.Statement{
		Key: "st-1", Subject: "trainium3", Predicate: "peakPerformance",
		Object:     graph.Value{Type: graph.QuantityValue, Amount: 2.52, Unit: "PFLOP/s", Lower: ptr(2.5), Upper: ptr(2.6), Approximate: true},
		Qualifiers: graph.Qualifiers{ValidFrom: graph.MustDate("2025-Q4"), ValidTo: graph.MustDate("2026"), Extra: map[string]string{"precision": "FP8"}},
		Rank:       graph.Preferred,
		References: []graph.Reference{
			{Source: "aws-blog", Quote: "sold out", Locator: graph.Locator{Section: "Intro", Page: 2, Start: 14, End: 22},
				Retrieved: graph.MustDate("2025-12-02"), Verified: true, SourceSHA256: "abc"},
			{Source: "epoch", ImportedFrom: "epoch-dataset", Unverified: true, Quote: "x"},
		},
		Recorded:  recordedAt,
		Retracted: &graph.Retraction{At: recordedAt.At.Add(time.Hour), By: "editor", Reason: "typo"},
	}},
	// Statements with each other object type.
	{Type: graph.StatementRecord, Statement: &graph.Statement{Key: "st-2", Subject: "trainium3", Predicate: "designedBy",
		Object: graph.EntityRef("amazon"), Rank: graph.Normal, References: []graph.Reference{{Source: "aws-blog"}}}},
	{Type: graph.StatementRecord, Statement: &graph.Statement{Key: "st-3", Subject: "trainium3", Predicate: "price",
		Object: graph.Money(35000, "USD"), Rank: graph.Normal, References: []graph.Reference{{Source: "aws-blog"}},
		Qualifiers: graph.Qualifiers{PointInTime: graph.MustDate("2025-12")}}},
	{Type: graph.StatementRecord, Statement: &graph.Statement{Key: "st-4", Subject: "trainium3", Predicate: "releaseDate",
		Object: graph.DateOf(graph.MustDate("2025-12-02")), Rank: graph.Deprecated, References: []graph.Reference{{Source: "aws-blog"}}}},
	{Type: graph.StatementRecord, Statement: &graph.Statement{Key: "st-5", Subject: "trainium3", Predicate: "chipType",
		Object: graph.Text("ASIC"), Rank: graph.Normal, References: []graph.Reference{{Source: "aws-blog"}}}},
	{Type: graph.StatementRecord, Statement: &graph.Statement{Key: "st-6", Subject: "x", Predicate: "y",
		Object: graph.Bool(false), Rank: graph.Normal, References: []graph.Reference{{Source: "aws-blog"}}}},
	{Type: graph.ClaimRecord, Claim: &graph.Claim{
		Key: "jassy-sold-out", Claimant: "andy-jassy", Stated: graph.MustDate("2025-12-02"), Modality: graph.Forecast,
		Text: "Trainium is sold out.", Reference: graph.Reference{Source: "aws-blog", Quote: "sold out"},
		About:    []string{"trainium3"},
		Value:    &graph.ClaimValue{Amount: 5e10, Currency: "USD", Lower: ptr(4e10), Approximate: true, Condition: "if standalone"},
		Recorded: recordedAt, Retracted: &graph.Retraction{At: recordedAt.At, Reason: "wrong"},
	}},
	{Type: graph.RetractRecord, Retract: &graph.Retract{Statement: "st-1", Reason: "duplicate", Recorded: recordedAt}},
	{Type: graph.RetractRecord, Retract: &graph.Retract{Claim: "jassy-sold-out", Reason: "misquoted"}},
}

func TestWriteRecordRoundTrip(t *testing.T) {
	for _, rec := range roundTripRecords {
		var buf bytes.Buffer
		if err := graph.WriteRecord(&buf, rec); err != nil {
			t.Errorf("WriteRecord(%s %s) error: %v", rec.Type, rec.Key(), err)
			continue
		}
		line := buf.Bytes()
		if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
			t.Errorf("WriteRecord(%s %s) = %q, want one line", rec.Type, rec.Key(), line)
		}
		if !bytes.HasPrefix(line, []byte(`{"type":"`+string(rec.Type)+`",`)) {
			t.Errorf("WriteRecord(%s %s) = %s, want it to start with the type", rec.Type, rec.Key(), line)
		}
		got, err := graph.DecodeRecord(bytes.TrimSpace(line))
		if err != nil {
			t.Errorf("DecodeRecord(%s) error: %v", line, err)
			continue
		}
		if !reflect.DeepEqual(got, rec) {
			t.Errorf("DecodeRecord(%s) = %+v, want %+v", line, got, rec)
		}
	}
}

func TestRecordMarshalUnknownType(t *testing.T) {
	var buf bytes.Buffer
	if err := graph.WriteRecord(&buf, graph.Record{Type: "note"}); err == nil {
		t.Errorf("WriteRecord(type note) = nil, want an error")
	}
}

var decodeTests = []struct {
	line string
	typ  graph.RecordType
	key  string
}{
	{`{"type":"source","key":"aws-blog","url":"https://example.com/","kind":"blog_post"}`, graph.SourceRecord, "aws-blog"},
	{`{"type":"entity","key":"tsmc","kind":"Foundry","name":"TSMC"}`, graph.EntityRecord, "tsmc"},
	{`{"key":"tsmc","kind":"Foundry","name":"TSMC","type":"entity"}`, graph.EntityRecord, "tsmc"}, // type need not be first
	{`{"type":"statement","key":"st-1","subject":"trainium3","predicate":"memory","object":{"amount":144,"unit":"GB"},"references":[{"source":"aws-blog"}]}`, graph.StatementRecord, "st-1"},
	{`{"type":"claim","key":"c1","claimant":"andy-jassy","text":"x","reference":{"source":"aws-blog"}}`, graph.ClaimRecord, "c1"},
	{`{"type":"retract","statement":"st-1","reason":"dup"}`, graph.RetractRecord, "st-1"},
	{`{"type":"retract","claim":"c1","reason":"dup"}`, graph.RetractRecord, "c1"},
}

func TestDecodeRecord(t *testing.T) {
	for _, tt := range decodeTests {
		r, err := graph.DecodeRecord([]byte(tt.line))
		if err != nil {
			t.Errorf("DecodeRecord(%s) error: %v", tt.line, err)
			continue
		}
		if r.Type != tt.typ || r.Key() != tt.key {
			t.Errorf("DecodeRecord(%s) = %s %s, want %s %s", tt.line, r.Type, r.Key(), tt.typ, tt.key)
		}
	}
}

var badDecodeTests = []struct {
	line   string
	field  string // Error.Field
	reason string
	msg    string // in the message
}{
	// Type.
	{`{"type":"note","text":"x"}`, "type", graph.RBadValue, `unknown record type "note"`},
	{`{"key":"tsmc","kind":"Foundry","name":"TSMC"}`, "type", graph.RMissing, "no type"},
	{`{"type":"","key":"tsmc"}`, "type", graph.RMissing, "no type"},
	// Not an object.
	{`[1,2]`, "", graph.RBadValue, "not a JSON object"},
	{`{"type":"entity",`, "", graph.RBadValue, "not a JSON object"},
	// Unknown fields are named.
	{`{"type":"entity","key":"tsmc","kind":"Foundry","name":"TSMC","colour":"red"}`, "colour", graph.RBadValue, `unknown field "colour" in entity record`},
	{`{"type":"source","key":"a","title":"t","id":7}`, "id", graph.RBadValue, `unknown field "id" in source record`},
	// Wrong JSON types name the field.
	{`{"type":"entity","key":7,"kind":"Foundry","name":"TSMC"}`, "key", graph.RBadValue, "wrong JSON type: want string"},
	{`{"type":"entity","key":"tsmc","kind":"Foundry","name":"TSMC","aliases":"TSMC Ltd"}`, "aliases", graph.RBadValue, "wrong JSON type"},
	// Errors inside a value keep the value's field.
	{`{"type":"statement","subject":"a","predicate":"memory","object":{"amount":1},"references":[]}`, "object.unit", graph.RMissing, "unit"},
	{`{"type":"statement","subject":"a","predicate":"releaseDate","object":{"date":"2025-13"},"references":[]}`, "object.date", graph.RBadDate, "2025-13"},
	{`{"type":"statement","subject":"a","predicate":"memory","object":{"amount":1,"unit":"GB","foo":1},"references":[]}`, "object", graph.RBadValue, `unknown field "foo"`},
}

func TestDecodeRecordBad(t *testing.T) {
	for _, tt := range badDecodeTests {
		r, err := graph.DecodeRecord([]byte(tt.line))
		var ge *graph.Error
		if !errors.As(err, &ge) {
			t.Errorf("DecodeRecord(%s) = %+v, %v, want *graph.Error", tt.line, r, err)
			continue
		}
		if ge.Field != tt.field || ge.Reason != tt.reason || !strings.Contains(ge.Message, tt.msg) {
			t.Errorf("DecodeRecord(%s) error = {field %q reason %s} %q, want {field %q reason %s} containing %q",
				tt.line, ge.Field, ge.Reason, ge.Message, tt.field, tt.reason, tt.msg)
		}
	}
}

const recordsFile = `# chipgraph import
// a comment too

{"type":"source","key":"aws-blog","url":"https://example.com/","text":"Trainium3 is sold out."}
  {"type":"entity","key":"trainium3","kind":"Chip","name":"Trainium3"}` + "\r" + `
{"type":"statement","subject":"trainium3","predicate":"chipType","object":{"text":"ASIC"},"references":[{"source":"aws-blog","quote":"sold out"}]}
{"type":"claim","key":"c1","claimant":"andy-jassy","text":"Sold out.","reference":{"source":"aws-blog"}}
{"type":"retract","claim":"c1","reason":"test"}`

func TestReadRecords(t *testing.T) {
	recs, err := graph.ReadRecords(strings.NewReader(recordsFile), "seed.ndjson")
	if err != nil {
		t.Fatalf("ReadRecords() error: %v", err)
	}
	want := []struct {
		typ  graph.RecordType
		line int
	}{{graph.SourceRecord, 4}, {graph.EntityRecord, 5}, {graph.StatementRecord, 6}, {graph.ClaimRecord, 7}, {graph.RetractRecord, 8}}
	if len(recs) != len(want) {
		t.Fatalf("ReadRecords() = %d records, want %d", len(recs), len(want))
	}
	for i, w := range want {
		if recs[i].Type != w.typ || recs[i].Line != w.line {
			t.Errorf("ReadRecords()[%d] = %s at line %d, want %s at line %d", i, recs[i].Type, recs[i].Line, w.typ, w.line)
		}
	}
	// Records are validated: the source's hash and the statement's key are filled.
	if recs[0].Source.SHA256 != graph.TextHash("Trainium3 is sold out.") {
		t.Errorf("ReadRecords(): source SHA256 = %q, want the text's hash", recs[0].Source.SHA256)
	}
	if !strings.HasPrefix(recs[2].Statement.Key, "st-") {
		t.Errorf("ReadRecords(): statement key = %q, want a derived key", recs[2].Statement.Key)
	}
}

var readRecordsErrorTests = []struct {
	input  string
	line   int
	field  string
	reason string
}{
	// A decode error on line 3 (comments and blank lines count).
	{"# c\n\n{\"type\":\"gadget\"}\n", 3, "type", graph.RBadValue},
	// A validation error: a statement without references.
	{`{"type":"entity","key":"a","kind":"Chip","name":"A"}` + "\n" +
		`{"type":"statement","subject":"a","predicate":"chipType","object":{"text":"GPU"},"references":[]}`, 2, "references", graph.RMissingReference},
	// An entity with an unknown kind.
	{`{"type":"entity","key":"a","kind":"Gadget","name":"A"}`, 1, "kind", graph.RBadValue},
	// An unknown field on the last line, without a newline.
	{"\n\n\n\n" + `{"type":"entity","key":"a","kind":"Chip","name":"A","size":3}`, 5, "size", graph.RBadValue},
}

func TestReadRecordsError(t *testing.T) {
	for _, tt := range readRecordsErrorTests {
		_, err := graph.ReadRecords(strings.NewReader(tt.input), "in.ndjson")
		var le *graph.LineError
		if !errors.As(err, &le) {
			t.Errorf("ReadRecords(%q) error = %v, want *graph.LineError", tt.input, err)
			continue
		}
		if le.File != "in.ndjson" || le.Line != tt.line {
			t.Errorf("ReadRecords(%q) error at %s:%d, want in.ndjson:%d", tt.input, le.File, le.Line, tt.line)
		}
		if prefix := fmt.Sprintf("in.ndjson:%d: ", tt.line); !strings.HasPrefix(le.Error(), prefix) {
			t.Errorf("LineError.Error() = %q, want prefix %q", le.Error(), prefix)
		}
		checkError(t, "ReadRecords()", err, tt.field, tt.reason)
		if graph.ErrorCode(err) != graph.EINVALID {
			t.Errorf("ErrorCode(%v) = %s, want %s", err, graph.ErrorCode(err), graph.EINVALID)
		}
	}
}

func TestScanRecordsStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := graph.ScanRecords(strings.NewReader(recordsFile), "seed.ndjson", func(graph.Record) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	var le *graph.LineError
	if !errors.As(err, &le) || le.Line != 5 || !errors.Is(err, stop) {
		t.Errorf("ScanRecords() = %v, want the callback's error at line 5", err)
	}
}

// scanInput returns n entity lines (line i names entity e<i>), with the
// lines in bad replaced by an unknown record type, and a blank line, a
// comment and a comment longer than the reader's buffer among them.
func scanInput(n int, bad ...int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		switch {
		case slices.Contains(bad, i):
			b.WriteString(`{"type":"gadget"}`)
		case i%1000 == 500:
			// blank
		case i == n/2:
			b.WriteString("# " + strings.Repeat("x", 3<<20))
		case i%777 == 0:
			b.WriteString("// comment")
		default:
			fmt.Fprintf(&b, `{"type":"entity","key":"e%d","kind":"Chip","name":"E%d"}`, i, i)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestScanRecordsOrder reads inputs of many decoding batches: fn sees
// every record in order with its line, and the first bad line in file
// order ends the scan after fn has seen every record before it.
func TestScanRecordsOrder(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		bad     []int
		wantErr int // line of the error; 0: none
	}{
		{"Good", 40_000, nil, 0},
		{"BadFirst", 40_000, []int{1}, 1},
		{"BadLast", 40_000, []int{40_000}, 40_000},
		{"TwoBad", 40_000, []int{31_000, 9_001}, 9_001},
		{"BadAfterLongLine", 40_000, []int{20_001}, 20_001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := 0 // the line fn should see next
			next := func() {
				for want++; want <= tt.n; want++ {
					if want%1000 != 500 && want != tt.n/2 && want%777 != 0 {
						return
					}
				}
			}
			next()
			err := graph.ScanRecords(strings.NewReader(scanInput(tt.n, tt.bad...)), "in.ndjson", func(r graph.Record) error {
				if r.Line != want || r.Entity == nil || r.Entity.Key != fmt.Sprintf("e%d", want) {
					return fmt.Errorf("got line %d (%v), want line %d", r.Line, r.Entity, want)
				}
				next()
				return nil
			})
			var le *graph.LineError
			switch {
			case tt.wantErr == 0 && err != nil:
				t.Fatalf("ScanRecords() = %v, want nil", err)
			case tt.wantErr == 0 && want <= tt.n:
				t.Fatalf("ScanRecords() stopped before line %d, want every line", want)
			case tt.wantErr != 0 && (!errors.As(err, &le) || le.Line != tt.wantErr || le.File != "in.ndjson"):
				t.Fatalf("ScanRecords() = %v, want an error at in.ndjson:%d", err, tt.wantErr)
			case tt.wantErr != 0 && want != tt.wantErr:
				t.Fatalf("ScanRecords() called fn up to before line %d, want up to before line %d", want, tt.wantErr)
			}
		})
	}
}

// TestScanRecordsKeep: records outlive the batch they were decoded in
// (the scan reads later batches into the buffers of decoded ones), so
// records kept until the scan ends still hold their own strings.
func TestScanRecordsKeep(t *testing.T) {
	tests := []struct {
		name string
		line string // a record's line, formatted with its number twice
		key  func(graph.Record) string
		want string // key of the record, formatted with its number twice
	}{
		{"Entity", `{"type":"entity","key":"e%d","kind":"Chip","name":"E%d"}`,
			func(r graph.Record) string { return r.Entity.Key + "/" + r.Entity.Name }, "e%d/E%d"},
		{"Statement", `{"type":"statement","subject":"e%d","predicate":"divisionOf","object":{"entity":"c"},"references":[{"source":"s","quote":"q%d"}]}`,
			func(r graph.Record) string { return r.Statement.Subject + "/" + r.Statement.References[0].Quote }, "e%d/q%d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 30_000 // several batches
			var in strings.Builder
			for i := range n {
				fmt.Fprintf(&in, tt.line+"\n", i, i)
			}
			var kept []graph.Record
			if err := graph.ScanRecords(strings.NewReader(in.String()), "in.ndjson", func(r graph.Record) error {
				kept = append(kept, r)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if len(kept) != n {
				t.Fatalf("ScanRecords() gave %d records, want %d", len(kept), n)
			}
			for i, r := range kept {
				if got, want := tt.key(r), fmt.Sprintf(tt.want, i, i); got != want {
					t.Fatalf("record %d: got %q, want %q", i, got, want)
				}
			}
		})
	}
}

// TestScanRecordsReadError: a read error ends the scan after every
// record read before it.
func TestScanRecordsReadError(t *testing.T) {
	broken := errors.New("disk on fire")
	in := io.MultiReader(strings.NewReader(scanInput(3000)), iotest.ErrReader(broken))
	n := 0
	err := graph.ScanRecords(in, "in.ndjson", func(graph.Record) error { n++; return nil })
	if !errors.Is(err, broken) || !strings.HasPrefix(err.Error(), "in.ndjson: ") {
		t.Errorf("ScanRecords() = %v, want in.ndjson: %v", err, broken)
	}
	if want := 3000 - 3 - 3; n != want { // 3 blank lines (one the long comment's), 3 comments
		t.Errorf("ScanRecords() called fn %d times before the read error, want %d", n, want)
	}
}
