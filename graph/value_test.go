package graph_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
)

func ptr(f float64) *float64 { return &f }

var valueJSONTests = []struct {
	v    graph.Value
	json string // the wire form Value.MarshalJSON writes
}{
	// Entity by key.
	{graph.EntityRef("tsmc"), `{"entity":"tsmc"}`},
	// Text.
	{graph.Text("GPU"), `{"text":"GPU"}`},
	// Quantity with a unit.
	{graph.Quantity(700, "W"), `{"amount":700,"unit":"W"}`},
	// A zero amount is still written.
	{graph.Quantity(0, "W"), `{"amount":0,"unit":"W"}`},
	// Quantity with bounds, approximate.
	{graph.Value{Type: graph.QuantityValue, Amount: 950, Unit: "W", Lower: ptr(900), Upper: ptr(1000), Approximate: true},
		`{"amount":950,"unit":"W","lower":900,"upper":1000,"approximate":true}`},
	// Money, approximate.
	{graph.Value{Type: graph.MoneyValue, Amount: 5e10, Currency: "USD", Approximate: true},
		`{"amount":50000000000,"currency":"USD","approximate":true}`},
	{graph.Money(35000, "EUR"), `{"amount":35000,"currency":"EUR"}`},
	// Dates keep their precision.
	{graph.DateOf(graph.MustDate("2025-12")), `{"date":"2025-12"}`},
	{graph.DateOf(graph.MustDate("2025-Q4")), `{"date":"2025-Q4"}`},
	{graph.DateOf(graph.MustDate("2025-12-02")), `{"date":"2025-12-02"}`},
	{graph.DateOf(graph.MustDate("2025")), `{"date":"2025"}`},
	// Booleans, false included.
	{graph.Bool(true), `{"boolean":true}`},
	{graph.Bool(false), `{"boolean":false}`},
	// No value.
	{graph.Value{}, `null`},
}

func TestValueJSON(t *testing.T) {
	for _, tt := range valueJSONTests {
		b, err := json.Marshal(tt.v)
		if err != nil {
			t.Errorf("json.Marshal(%+v) error: %v", tt.v, err)
			continue
		}
		if string(b) != tt.json {
			t.Errorf("json.Marshal(%+v) = %s, want %s", tt.v, b, tt.json)
		}
		var got graph.Value
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("json.Unmarshal(%s) error: %v", b, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.v) {
			t.Errorf("json.Unmarshal(%s) = %+v, want %+v", b, got, tt.v)
		}
	}
}

var badValueJSONTests = []struct {
	in     string
	field  string // Error.Field
	reason string // Error.Reason
}{
	// Two kinds at once.
	{`{"entity":"tsmc","text":"TSMC"}`, "object", graph.RBadValue},
	{`{"amount":1,"unit":"W","date":"2025"}`, "object", graph.RBadValue},
	// No kind at all.
	{`{}`, "object", graph.RBadValue},
	{`{"approximate":true}`, "object", graph.RBadValue},
	// An amount needs a unit or a currency, not both.
	{`{"amount":700}`, "object.unit", graph.RMissing},
	{`{"amount":700,"unit":"W","currency":"USD"}`, "object.unit", graph.RBadValue},
	// A unit or currency without an amount.
	{`{"text":"x","unit":"W"}`, "object", graph.RBadValue},
	{`{"entity":"x","currency":"USD"}`, "object", graph.RBadValue},
	// Unknown field.
	{`{"text":"x","colour":"red"}`, "object", graph.RBadValue},
	// Wrong JSON types.
	{`{"amount":"700","unit":"W"}`, "object", graph.RBadValue},
	{`"tsmc"`, "object", graph.RBadValue},
	// A malformed date.
	{`{"date":"2025-13"}`, "object.date", graph.RBadDate},
	{`{"date":""}`, "object.date", graph.RBadDate},
}

func TestValueJSONBad(t *testing.T) {
	for _, tt := range badValueJSONTests {
		var v graph.Value
		err := json.Unmarshal([]byte(tt.in), &v)
		var ge *graph.Error
		if !errors.As(err, &ge) {
			t.Errorf("json.Unmarshal(%s) = %+v, %v, want *graph.Error", tt.in, v, err)
			continue
		}
		if ge.Field != tt.field || ge.Reason != tt.reason {
			t.Errorf("json.Unmarshal(%s) error = {field %q reason %s} %q, want {field %q reason %s}", tt.in, ge.Field, ge.Reason, ge.Message, tt.field, tt.reason)
		}
	}
}

// TestValueJSONUnknownFieldNamed checks that the refusal of an unknown field
// names it.
func TestValueJSONUnknownFieldNamed(t *testing.T) {
	var v graph.Value
	err := json.Unmarshal([]byte(`{"text":"x","colour":"red"}`), &v)
	if want := `object: malformed value: unknown field "colour"`; err == nil || err.Error() != want {
		t.Errorf("json.Unmarshal(unknown field) error = %v, want %s", err, want)
	}
}

var canonicalTests = []struct {
	in   graph.Value
	want graph.Value
}{
	// Multiples convert to the base unit, bounds too.
	{graph.Quantity(192, "GB"), graph.Quantity(192e9, "B")},
	{graph.Quantity(2.5, "TFLOP/s"), graph.Quantity(2.5e12, "FLOP/s")},
	{graph.Quantity(1, "GiB"), graph.Quantity(1073741824, "B")},
	{graph.Quantity(3, "nm"), graph.Quantity(3, "nm")},
	{graph.Value{Type: graph.QuantityValue, Amount: 1, Unit: "kW", Lower: ptr(0.9), Upper: ptr(1.1), Approximate: true},
		graph.Value{Type: graph.QuantityValue, Amount: 1000, Unit: "W", Lower: ptr(900), Upper: ptr(1100), Approximate: true}},
	// An unknown unit is left alone.
	{graph.Quantity(5, "parsec"), graph.Quantity(5, "parsec")},
	// Other types are returned as is.
	{graph.Money(5e10, "USD"), graph.Money(5e10, "USD")},
	{graph.Text("GPU"), graph.Text("GPU")},
}

func TestValueCanonical(t *testing.T) {
	for _, tt := range canonicalTests {
		if got := tt.in.Canonical(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v.Canonical() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	// Canonical does not change its receiver's bounds.
	v := graph.Value{Type: graph.QuantityValue, Amount: 1, Unit: "kW", Lower: ptr(1)}
	v.Canonical()
	if *v.Lower != 1 {
		t.Errorf("Canonical() changed the receiver's lower bound to %v, want 1", *v.Lower)
	}
}

var numberTests = []struct {
	in   graph.Value
	want float64
	ok   bool
}{
	{graph.Quantity(192, "GB"), 192e9, true},
	{graph.Quantity(2.5, "PFLOP/s"), 2.5e15, true},
	{graph.Money(35000, "USD"), 35000, true},
	// Dates are the Unix seconds of their start.
	{graph.DateOf(graph.MustDate("1970")), 0, true},
	{graph.DateOf(graph.MustDate("2025-12")), 1764547200, true},
	{graph.DateOf(graph.MustDate("2025-12-02T15:00:00Z")), 1764633600, true},
	{graph.Bool(true), 1, true},
	{graph.Bool(false), 0, true},
	// Entities and text have no number.
	{graph.EntityRef("tsmc"), 0, false},
	{graph.Text("GPU"), 0, false},
}

func TestValueNumber(t *testing.T) {
	for _, tt := range numberTests {
		got, ok := tt.in.Number()
		if got != tt.want || ok != tt.ok {
			t.Errorf("%v.Number() = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

var convertTests = []struct {
	amount   float64
	from, to string
	want     float64
	ok       bool
}{
	{192, "GB", "B", 192e9, true},
	{2.5, "TFLOP/s", "FLOP/s", 2.5e12, true},
	{4000, "GFLOP/s", "TFLOP/s", 4, true},
	{1, "GiB", "MiB", 1024, true},
	{8, "TB/s", "GB/s", 8000, true},
	{1, "W", "W", 1, true},
	// Across dimensions: bytes are not bytes per second, bits not bytes.
	{1, "GB", "GB/s", 0, false},
	{1, "Gbit/s", "GB/s", 0, false},
	{1, "W", "Hz", 0, false},
	// Unknown units.
	{1, "GB", "furlong", 0, false},
	{1, "", "B", 0, false},
}

func TestConvert(t *testing.T) {
	for _, tt := range convertTests {
		got, ok := graph.Convert(tt.amount, tt.from, tt.to)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-9*math.Abs(tt.want) {
			t.Errorf("Convert(%v, %q, %q) = %v, %v, want %v, %v", tt.amount, tt.from, tt.to, got, ok, tt.want, tt.ok)
		}
	}
}

func TestUnits(t *testing.T) {
	for _, s := range graph.Units() {
		u, ok := graph.LookupUnit(s)
		if !ok || u.Symbol != s || u.Factor <= 0 {
			t.Errorf("LookupUnit(%q) = %+v, %v, want the unit with a positive factor", s, u, ok)
			continue
		}
		// Every dimension's base unit is itself a unit with factor 1.
		if b, ok := graph.LookupUnit(u.Base); !ok || b.Base != u.Base || b.Factor != 1 {
			t.Errorf("LookupUnit(%q) = %+v, %v: base unit of %q must have factor 1", u.Base, b, ok, s)
		}
	}
}

var valueStringTests = []struct {
	v    graph.Value
	want string
}{
	{graph.Quantity(700, "W"), "700 W"},
	{graph.Value{Type: graph.MoneyValue, Amount: 5e10, Currency: "USD", Approximate: true}, "~USD 50 billion"},
	{graph.Value{Type: graph.MoneyValue, Amount: 1.25e6, Currency: "EUR"}, "EUR 1.25 million"},
	{graph.Value{Type: graph.MoneyValue, Amount: 3e12, Currency: "USD"}, "USD 3 trillion"},
	{graph.Value{Type: graph.MoneyValue, Amount: -2.5e9, Currency: "USD"}, "USD -2.5 billion"},
	{graph.Value{Type: graph.MoneyValue, Amount: 1234567, Currency: "USD"}, "USD 1234567"},
	{graph.Value{Type: graph.MoneyValue, Amount: 999999, Currency: "USD"}, "USD 999999"},
	{graph.Value{Type: graph.MoneyValue, Amount: 5e24, Currency: "USD"}, "USD 5000000000000 trillion"},
	{graph.Quantity(0.5, "TB/s"), "0.5 TB/s"},
	{graph.Value{Type: graph.QuantityValue, Amount: 1.5e21, Unit: "FLOP", Approximate: true}, "~1.5e+21 FLOP"},
	{graph.Quantity(-3, "°C"), "-3 °C"},
	{graph.Value{Type: graph.MoneyValue, Amount: 19.99, Currency: "EUR"}, "EUR 19.99"},
	{graph.Quantity(1, strings.Repeat("u", 70)), "1 " + strings.Repeat("u", 70)}, // longer than the stack buffer
	{graph.DateOf(graph.MustDate("2025-12")), "2025-12"},
	{graph.EntityRef("tsmc"), "tsmc"},
	{graph.Bool(true), "true"},
}

func TestValueString(t *testing.T) {
	for _, tt := range valueStringTests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.v, got, tt.want)
		}
	}
}
