package graph

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The implementations StatementKey replaced: keys are stored, so the new
// one must give the same.

func oldDateString(d Date) string {
	switch d.Precision {
	case Year:
		return fmt.Sprintf("%04d", d.Year)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", d.Year, (d.Month-1)/3+1)
	case Month:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	case Day:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	return ""
}

func oldQualifiersString(q Qualifiers) string {
	parts := []string{"from=" + oldDateString(q.ValidFrom), "to=" + oldDateString(q.ValidTo), "at=" + oldDateString(q.PointInTime)}
	keys := make([]string, 0, len(q.Extra))
	for k := range q.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, k+"="+q.Extra[k])
	}
	return strings.Join(parts, "\x1f")
}

func oldValueString(v Value) string {
	var b strings.Builder
	b.WriteString(v.Type.String())
	b.WriteByte(':')
	switch v.Type {
	case EntityValue:
		b.WriteString(v.Entity)
	case TextValue:
		b.WriteString(v.Text)
	case QuantityValue:
		b.WriteString(formatFloat(v.Amount) + " " + v.Unit)
	case MoneyValue:
		b.WriteString(v.Currency + " " + formatFloat(v.Amount))
	case DateValue:
		b.WriteString(oldDateString(v.Date))
	case BoolValue:
		b.WriteString(strconv.FormatBool(v.Bool))
	}
	if v.Approximate {
		b.WriteString("~")
	}
	if v.Lower != nil {
		b.WriteString(">=" + formatFloat(*v.Lower))
	}
	if v.Upper != nil {
		b.WriteString("<=" + formatFloat(*v.Upper))
	}
	return b.String()
}

func oldStatementKey(subject, predicate string, object Value, q Qualifiers) string {
	s := subject + "\x1e" + predicate + "\x1e" + oldValueString(object) + "\x1e" + oldQualifiersString(q)
	return "st-" + TextHash(s)[:20]
}

// TestStatementKeyUnchanged: StatementKey gives the keys the former
// implementation gave, for every kind of value and qualifier.
func TestStatementKeyUnchanged(t *testing.T) {
	lo, hi := 1.5, 2e22
	dates := []Date{{}, {Year: 2024, Precision: Year}, {Year: 987, Month: 11, Precision: Quarter},
		{Year: 2024, Month: 3, Precision: Month}, {Year: 2024, Month: 3, Day: 9, Precision: Day}, {Year: -44, Month: 3, Day: 15, Precision: Day}}
	values := []Value{
		{Type: EntityValue, Entity: "nvidia"},
		{Type: TextValue, Text: "5 nm \x1e \u00e9"},
		{Type: QuantityValue, Amount: 80, Unit: "GB"},
		{Type: QuantityValue, Amount: 1e-7, Unit: "s", Approximate: true, Lower: &lo},
		{Type: MoneyValue, Amount: 2.5e9, Currency: "USD", Upper: &hi},
		{Type: BoolValue, Bool: true},
		{Type: BoolValue},
		{},
	}
	for _, d := range dates {
		values = append(values, Value{Type: DateValue, Date: d})
	}
	quals := []Qualifiers{{}, {Extra: map[string]string{"b": "2", "a": "1", "c": ""}}}
	for _, d := range dates {
		quals = append(quals, Qualifiers{ValidFrom: d}, Qualifiers{ValidTo: d, PointInTime: d})
	}
	long := strings.Repeat("x", 300) // past StatementKey's stack buffer
	for _, subject := range []string{"h100", "", long} {
		for _, v := range values {
			for _, q := range quals {
				got, want := StatementKey(subject, "memory", v, q), oldStatementKey(subject, "memory", v, q)
				if got != want {
					t.Errorf("StatementKey(%.10q, memory, %s, %s) = %s, want %s", subject, oldValueString(v), oldQualifiersString(q), got, want)
				}
			}
		}
	}
	for _, d := range dates {
		if got, want := d.String(), oldDateString(d); got != want {
			t.Errorf("Date%+v.String() = %q, want %q", d, got, want)
		}
	}
}

// BenchmarkStatementKey: a statement's key, as decoding computes one
// per statement.
func BenchmarkStatementKey(b *testing.B) {
	v := Value{Type: QuantityValue, Amount: 80, Unit: "GB"}
	q := Qualifiers{PointInTime: Date{Year: 2024, Month: 3, Precision: Month}}
	b.ReportAllocs()
	for b.Loop() {
		StatementKey("nvidia-h100-sxm5-80gb", "memory", v, q)
	}
}
