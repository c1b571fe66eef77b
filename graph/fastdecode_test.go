package graph

import (
	"reflect"
	"strings"
	"testing"
)

// fastDecodeTests are record lines and whether a fast path
// takes them; either way DecodeRecord must give what encoding/json gives.
var fastDecodeTests = []struct {
	line string
	fast bool
}{
	// The shapes generated data has.
	{`{"type":"statement","subject":"dohosys-networks-0","predicate":"foundedIn","object":{"date":"1998"},"rank":"normal","references":[{"source":"zoskevia-2020-4819"}]}`, true},
	{`{"type":"statement","subject":"d","predicate":"revenueRunRate","object":{"amount":2100000,"currency":"USD"},"qualifiers":{"pointInTime":"2025-Q1"},"rank":"normal","references":[{"source":"a"},{"source":"b"}]}`, true},
	{`{"type":"statement","subject":"t","predicate":"peakPerformance","object":{"amount":6,"unit":"TFLOP/s"},"qualifiers":{"extra":{"precision":"BF16"}},"rank":"normal","references":[{"source":"c","quote":"The Tensor Melol H500 delivers 6 TFLOP/s."}]}`, true},
	{`{"type":"statement","subject":"s","predicate":"chipType","object":{"text":"IPU"},"rank":"normal","references":[{"source":"f"}]}`, true},
	{`{"type":"statement","subject":"s","predicate":"designedBy","object":{"entity":"acme"},"references":[{"source":"f"}]}`, true},
	// Every member and value form it knows, with whitespace.
	{` { "type" : "statement" , "key" : "k" , "subject" : "s" , "predicate" : "launched" , "object" : { "date" : "2024-05-01" } , "qualifiers" : { "validFrom" : "2020" , "validTo" : "2021-03" , "pointInTime" : "" , "extra" : { } } , "rank" : "preferred" , "references" : [ ] } `, true},
	{"{\"type\":\"statement\",\n\t\"subject\":\"s\",\r\"predicate\":\"p\",\"object\":{\"boolean\":false},\"references\":[{\"quote\":\"q\",\"source\":\"x\"}]}", true},
	{`{"type":"statement","subject":"s","predicate":"p","object":{"amount":-0.5e-3,"unit":"W","lower":-1,"upper":1E+2,"approximate":true},"references":[{"source":"x"}]}`, true},
	{`{"type":"statement","subject":"s","predicate":"p","object":{"amount":0,"currency":"EUR","approximate":false},"references":[{"source":"x"}]}`, true},
	{`{"type":"statement","subject":"Zürich – 東京","predicate":"p","object":{"text":"ü\u2028"},"references":[{"source":"x"}]}`, false},
	{`{"type":"statement","subject":"Zürich – 東京","predicate":"p","object":{"text":"é"},"references":[{"source":"x"}]}`, true},
	{`{"type":"statement","predicate":"p"}`, true},
	{`{"subject":"s","type":"statement"}`, true},
	// What it leaves to encoding/json: errors, escapes, other members,
	// other spellings, repeated members, null, invalid UTF-8, odd numbers.
	{`{"type":"statement","subject":"a","predicate":"memory","object":{"amount":1},"references":[]}`, false},
	{`{"type":"statement","subject":"a","predicate":"releaseDate","object":{"date":"2025-13"},"references":[]}`, false},
	{`{"type":"statement","subject":"a","predicate":"m","object":{"amount":1,"unit":"GB","foo":1},"references":[]}`, false},
	{`{"type":"statement","subject":"a","predicate":"m","object":{"amount":1,"unit":"GB","currency":"USD"}}`, false},
	{`{"type":"statement","subject":"a","predicate":"m","object":{"text":"x","entity":"y"}}`, false},
	{`{"type":"statement","subject":"a","predicate":"m","object":{"unit":"GB"}}`, false},
	{`{"type":"statement","subject":"a","predicate":"m","object":{"amount":1e400,"unit":"GB"}}`, false},
	{`{"type":"statement","subject":"a","predicate":"m","object":{"amount":01,"unit":"GB"}}`, false},
	{`{"type":"statement","subject":"a","predicate":"m","object":{"amount":1.,"unit":"GB"}}`, false},
	{`{"type":"statement","subject":"a","predicate":"m","object":{"amount":"1","unit":"GB"}}`, false},
	{`{"type":"statement","subject":"a","predicate":"m","object":{"amount":1,"unit":"GB","approximate":1}}`, false},
	{`{"type":"statement","subject":"a","predicate":"m","object":null}`, false},
	{`{"type":"statement","subject":null,"predicate":"m"}`, false},
	{`{"type":"statement","subject":"a\"b","predicate":"m"}`, false},
	{`{"type":"statement","subject":"a\u0041","predicate":"m"}`, false},
	{"{\"type\":\"statement\",\"subject\":\"a\xffb\",\"predicate\":\"m\"}", false},
	{"{\"type\":\"statement\",\"subject\":\"a\tb\",\"predicate\":\"m\"}", false},
	{`{"type":"statement","Subject":"a","predicate":"m"}`, false},
	{`{"type":"statement","subject":"a","subject":"b","predicate":"m"}`, false},
	{`{"type":"statement","type":"statement","subject":"a"}`, false},
	{`{"type":"statement","subject":"a","colour":"red"}`, false},
	{`{"type":"statement","subject":"a","recorded":{"at":"2025-01-01T00:00:00Z"}}`, false},
	{`{"type":"statement","subject":"a","qualifiers":{"validFrom":"20x"}}`, false},
	{`{"type":"statement","subject":"a","qualifiers":{"validFrom":2020}}`, false},
	{`{"type":"statement","subject":"a","qualifiers":{"extra":{"k":"v","k":"w"}}}`, false},
	{`{"type":"statement","subject":"a","qualifiers":{"extra":{"k":1}}}`, false},
	{`{"type":"statement","subject":"a","references":[{"source":"x","locator":{"page":3}}]}`, false},
	{`{"type":"statement","subject":"a","references":[{"source":"x"},]}`, false},
	{`{"type":"statement","subject":"a","references":[null]}`, false},
	{`{"type":"statement","subject":"a","references":{}}`, false},
	{`{"type":"statement","subject":"a",}`, false},
	{`{"type":"statement","subject":"a"} {}`, false},
	{`{"type":"statement","subject":"a"}x`, false},
	{`{"type":"statement","subject":"a"`, false},
	{`{"type":"statement","subject"}`, false},
	{`{"type":"statements","subject":"a"}`, false},
	// Claims.
	{`{"type":"claim","key":"claim-0","claimant":"ruphi-compute-1329","stated":"2025-09-08","modality":"estimate","text":"Ruphi Compute estimates Itrira will ship about 0.3 million units next year.","reference":{"source":"the-accelerator-2025-2886","quote":"The Tensor Bremi R700 joined the lineup."},"about":["tensor-bremi-r700-11438","itrira-124"],"value":{"amount":0.3,"unit":"million","approximate":true}}`, true},
	{`{"type":"claim","key":"claim-1","claimant":"a","stated":"2025-05-23","modality":"opinion","text":"t","reference":{"source":"s"},"about":["x","y"]}`, true},
	{`{"type":"claim","key":"c","claimant":"a","text":"t","reference":{"source":"s"},"about":[],"value":{}}`, true},
	{`{"type":"claim","key":"c","claimant":"a","text":"t","reference":{"source":"s"},"value":{"amount":5e10,"currency":"USD","lower":1,"upper":2,"approximate":false}}`, true},
	{`{"type":"claim","key":"c","claimant":"a","text":"t","reference":{"source":"s"},"value":{"amount":1,"unit":"W","currency":"USD"}}`, true},
	{`{"type":"claim","key":"claim-4","claimant":"v","stated":"2026-10-07","modality":"forecast","text":"t","reference":{"source":"b","quote":"q"},"about":["b"],"value":{"amount":42300000000,"currency":"USD","lower":13680000000.000002,"approximate":true,"condition":"if high-bandwidth memory supply improves"}}`, true},
	{`{"type":"claim","key":"c"}`, true},
	{`{"type":"claim","key":"c","claimant":"a","text":"t","reference":{"source":"s"},"links":[{"relation":"supports","claim":"d"}]}`, false},
	{`{"type":"claim","key":"c","claimant":"a","text":"t","reference":{"source":"s","locator":{"page":1}}}`, false},
	{`{"type":"claim","key":"c","claimant":"a","text":"t","reference":null}`, false},
	{`{"type":"claim","key":"c","claimant":"a","text":"t","value":null}`, false},
	{`{"type":"claim","key":"c","claimant":"a","text":"t","about":["x",1]}`, false},
	{`{"type":"claim","key":"c","claimant":"a","text":"t","about":["x"],"about":["y"]}`, false},
	{`{"type":"claim","key":"c","claimant":"a","stated":"2025-99"}`, false},
	{`{"type":"claim","key":"c","claimant":"a","modality":7}`, false},
	{`{"type":"claim","key":"c","claimant":"a","value":{"amount":1,"unit":"W","foo":1}}`, false},
	{`{"type":"claim","key":"c","Claimant":"a"}`, false},
	{`{"type":"claim","key":"c","claimant":"a","text":"line\nbreak"}`, false},
	{`{"type":"claim","key":"c","subject":"a"}`, false},
	{`{"type":"statement","key":"c","claimant":"a"}`, false},
	// Entities.
	{`{"type":"entity","key":"dohosys-networks-0","kind":"Company","name":"Dohosys Networks","aliases":["Dohosys"],"description":"Chip designer founded in 1998."}`, true},
	{`{"type":"entity","key":"e","kind":"Chip","name":"Zürich \"Z1\"","aliases":[],"description":"a\/b\\c\bd\fe\nf\rg\th"}`, true},
	{`{"type":"entity","key":"e","kind":"Person","name":"Ana"}`, true},
	{`{"type":"entity","key":"e","kind":"Chip","name":"A\u00e9"}`, false},
	{`{"type":"entity","key":"e","kind":"Chip","name":"A\x"}`, false},
	{`{"type":"entity","key":"e","kind":"Chip","name":"A\`, false},
	{"{\"type\":\"entity\",\"key\":\"e\",\"kind\":\"Chip\",\"name\":\"A\xc3\\n\"}", false},
	{"{\"type\":\"entity\",\"key\":\"e\",\"kind\":\"Chip\",\"name\":\"\\n\xff\"}", false},
	{"{\"type\":\"entity\",\"key\":\"e\",\"kind\":\"Chip\",\"name\":\"A\nB\"}", false},
	{`{"type":"entity","key":"e","kind":"Chip","name":"A","aliases":["a\nb"]}`, false},
	{`{"type":"entity","key":"e","kind":"Chip","name":"A","recorded":{"by":"x"}}`, false},
	{`{"type":"entity","key":"e","kind":"Chip","name":"A","name":"B"}`, false},
	{`{"type":"entity","key":"e","kind":"Chip","name":null}`, false},
	{`{"type":"entity","key":"e","kind":"Chip","name":"A"} x`, false},
	// Sources.
	{`{"type":"source","key":"compute-weekly-2024-0","url":"https://compute-weekly.example/2024/09/x","title":"Myros Systems bets on the Titan line","publisher":"Compute Weekly","author":"Lena Ravison","kind":"news_article","published":"2024-09-23","retrieved":"2024-09-24","text":"Myros Systems bets\n\n\"Demand is running well ahead of supply,\" a spokesperson said."}`, true},
	{`{"type":"source","key":"s","kind":"datasheet","published":"2024","text":"t","sha256":"abc","restates":["a","b"]}`, true},
	{`{"type":"source","key":"s","kind":"datasheet","published":"2024-02-30"}`, false},
	{`{"type":"source","key":"s","kind":"datasheet","text":"caf\u00e9"}`, false},
	{`{"type":"source","key":"s","kind":"datasheet","retracted":{"reason":"x"}}`, false},
	{`{"type":"source","key":"s","kind":"datasheet","url":"http://x/a\/b"}`, false},
	{`{"type":"entity","key":"s","kind":"datasheet","url":"http://x"}`, false},
}

// decodeBoth decodes line with DecodeRecord and with encoding/json alone
// and fails t unless both give the same record or the same error.
func decodeBoth(t *testing.T, line []byte) {
	t.Helper()
	got, gerr := DecodeRecord(line)
	typ, quick := quickType(line)
	want, werr := decodeRecordJSON(line, typ, quick)
	if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
		t.Fatalf("DecodeRecord(%s) error = %v, want %v", line, gerr, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeRecord(%s) = %+v, want %+v", line, got, want)
	}
	// The fast paths alone, also on lines DecodeRecord does not give them.
	if st, ok := decodeStatementFast(line); ok {
		want, werr := decodeRecordJSON(line, "", false)
		if werr != nil || !reflect.DeepEqual(st, want.Statement) {
			t.Fatalf("decodeStatementFast(%s) = %+v, want %+v (error %v)", line, st, want.Statement, werr)
		}
	}
	if c, ok := decodeClaimFast(line); ok {
		want, werr := decodeRecordJSON(line, "", false)
		if werr != nil || !reflect.DeepEqual(c, want.Claim) {
			t.Fatalf("decodeClaimFast(%s) = %+v, want %+v (error %v)", line, c, want.Claim, werr)
		}
	}
	if e, ok := decodeEntityFast(line); ok {
		want, werr := decodeRecordJSON(line, "", false)
		if werr != nil || !reflect.DeepEqual(e, want.Entity) {
			t.Fatalf("decodeEntityFast(%s) = %+v, want %+v (error %v)", line, e, want.Entity, werr)
		}
	}
	if src, ok := decodeSourceFast(line); ok {
		want, werr := decodeRecordJSON(line, "", false)
		if werr != nil || !reflect.DeepEqual(src, want.Source) {
			t.Fatalf("decodeSourceFast(%s) = %+v, want %+v (error %v)", line, src, want.Source, werr)
		}
	}
}

// fastTakes reports whether a fast path takes line.
func fastTakes(line []byte) bool {
	_, st := decodeStatementFast(line)
	_, c := decodeClaimFast(line)
	_, e := decodeEntityFast(line)
	_, src := decodeSourceFast(line)
	return st || c || e || src
}

func TestDecodeRecordFast(t *testing.T) {
	for _, tt := range fastDecodeTests {
		if got := fastTakes([]byte(tt.line)); got != tt.fast {
			t.Errorf("fast path took %s: %v, want %v", tt.line, got, tt.fast)
		}
		decodeBoth(t, []byte(tt.line))
	}
}

func FuzzDecodeRecord(f *testing.F) {
	for _, tt := range fastDecodeTests {
		f.Add([]byte(tt.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) { decodeBoth(t, line) })
}

// BenchmarkDecodeRecord decodes lines of the shapes generated data has
// (the fast paths), reporting bytes per second.
func BenchmarkDecodeRecord(b *testing.B) {
	for _, tt := range []struct{ name, line string }{
		{"statement", fastDecodeTests[1].line},
		{"claim", `{"type":"claim","key":"claim-0","claimant":"ruphi-compute-1329","stated":"2025-09-08","modality":"estimate","text":"Ruphi Compute estimates Itrira will ship about 0.3 million units next year.","reference":{"source":"the-accelerator-2025-2886","quote":"The Tensor Bremi R700 joined the lineup."},"about":["tensor-bremi-r700-11438","itrira-124"],"value":{"amount":0.3,"unit":"million","approximate":true}}`},
		{"entity", `{"type":"entity","key":"dohosys-networks-0","kind":"Company","name":"Dohosys Networks","aliases":["Dohosys"],"description":"Chip designer founded in 1998."}`},
		{"source", `{"type":"source","key":"compute-weekly-2024-0","url":"https://compute-weekly.example/2024/09/x","title":"Myros Systems bets on the Titan line","kind":"news_article","published":"2024-09-23","text":"` + strings.Repeat(`Myros Systems introduced the Titan Cravitron T100, a FPGA in its line.\n\n\"Demand is running well ahead of supply,\" a spokesperson said. `, 20) + `"}`},
	} {
		line := []byte(tt.line)
		if !fastTakes(line) {
			b.Fatalf("no fast path takes the %s line", tt.name)
		}
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				if _, err := DecodeRecord(line); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
