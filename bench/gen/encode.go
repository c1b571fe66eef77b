package gen

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"github.com/chipgraph/chipgraph/graph"
)

// encoder appends graph records as NDJSON lines of the native format.
//
// It writes what graph.WriteRecord writes, field for field and byte for
// byte (encoding/json's escaping and number format), except that the
// recorded member is left out (the store sets it on import) and so is an
// empty statement key (Statement.ValidateShape derives it). encode_test.go
// holds the encoder to that on every record of a generated dataset. A record
// the generator never builds (a retraction, a recorded time) falls back to
// encoding/json.
type encoder struct{ b []byte }

// source appends a source record.
func (e *encoder) source(s *graph.Source) {
	if !s.Recorded.At.IsZero() || s.Recorded.By != "" {
		e.fallback(graph.Record{Type: graph.SourceRecord, Source: s})
		return
	}
	e.b = append(e.b, `{"type":"source","key":`...)
	e.str(s.Key)
	e.optStr(`,"url":`, s.URL)
	e.optStr(`,"title":`, s.Title)
	e.optStr(`,"publisher":`, s.Publisher)
	e.optStr(`,"author":`, s.Author)
	e.b = append(e.b, `,"kind":`...)
	e.str(string(s.Kind))
	e.optDate(`,"published":`, s.Published)
	e.optDate(`,"retrieved":`, s.Retrieved)
	e.optStr(`,"text":`, s.Text)
	e.optStr(`,"sha256":`, s.SHA256)
	e.b = append(e.b, "}\n"...)
}

// entity appends an entity record.
func (e *encoder) entity(x *graph.Entity) {
	if !x.Recorded.At.IsZero() || x.Recorded.By != "" {
		e.fallback(graph.Record{Type: graph.EntityRecord, Entity: x})
		return
	}
	e.b = append(e.b, `{"type":"entity","key":`...)
	e.str(x.Key)
	e.b = append(e.b, `,"kind":`...)
	e.str(string(x.Kind))
	e.b = append(e.b, `,"name":`...)
	e.str(x.Name)
	if len(x.Aliases) > 0 {
		e.b = append(e.b, `,"aliases":`...)
		e.strs(x.Aliases)
	}
	e.optStr(`,"description":`, x.Description)
	e.b = append(e.b, "}\n"...)
}

// statement appends a statement record.
func (e *encoder) statement(s *graph.Statement) {
	if !s.Recorded.At.IsZero() || s.Recorded.By != "" || s.Retracted != nil {
		e.fallback(graph.Record{Type: graph.StatementRecord, Statement: s})
		return
	}
	e.b = append(e.b, `{"type":"statement",`...)
	if s.Key != "" {
		e.b = append(e.b, `"key":`...)
		e.str(s.Key)
		e.b = append(e.b, ',')
	}
	e.b = append(e.b, `"subject":`...)
	e.str(s.Subject)
	e.b = append(e.b, `,"predicate":`...)
	e.str(s.Predicate)
	e.b = append(e.b, `,"object":`...)
	e.value(&s.Object)
	if !s.Qualifiers.IsZero() {
		e.b = append(e.b, `,"qualifiers":`...)
		e.qualifiers(&s.Qualifiers)
	}
	e.b = append(e.b, `,"rank":`...)
	e.str(string(s.Rank))
	e.b = append(e.b, `,"references":`...)
	if s.References == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, '[')
		for i := range s.References {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.reference(&s.References[i])
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, "}\n"...)
}

// claim appends a claim record.
func (e *encoder) claim(c *graph.Claim) {
	if !c.Recorded.At.IsZero() || c.Recorded.By != "" || c.Retracted != nil {
		e.fallback(graph.Record{Type: graph.ClaimRecord, Claim: c})
		return
	}
	e.b = append(e.b, `{"type":"claim","key":`...)
	e.str(c.Key)
	e.b = append(e.b, `,"claimant":`...)
	e.str(c.Claimant)
	e.optDate(`,"stated":`, c.Stated)
	e.b = append(e.b, `,"modality":`...)
	e.str(string(c.Modality))
	e.b = append(e.b, `,"text":`...)
	e.str(c.Text)
	e.b = append(e.b, `,"reference":`...)
	e.reference(&c.Reference)
	if len(c.About) > 0 {
		e.b = append(e.b, `,"about":`...)
		e.strs(c.About)
	}
	if v := c.Value; v != nil {
		e.b = append(e.b, `,"value":{"amount":`...)
		e.float(v.Amount)
		e.optStr(`,"unit":`, v.Unit)
		e.optStr(`,"currency":`, v.Currency)
		e.optFloat(`,"lower":`, v.Lower)
		e.optFloat(`,"upper":`, v.Upper)
		if v.Approximate {
			e.b = append(e.b, `,"approximate":true`...)
		}
		e.optStr(`,"condition":`, v.Condition)
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, "}\n"...)
}

// fallback appends r through encoding/json, recorded member included.
func (e *encoder) fallback(r graph.Record) {
	b, err := json.Marshal(r)
	if err != nil {
		panic("gen: encoding a record: " + err.Error()) // every generated record marshals
	}
	e.b = append(append(e.b, b...), '\n')
}

// value appends a Value in the shape of graph's valueJSON: entity, text,
// amount, unit, currency, lower, upper, approximate, date, boolean.
func (e *encoder) value(v *graph.Value) {
	e.b = append(e.b, '{')
	n := len(e.b)
	switch v.Type {
	case graph.EntityValue:
		e.b = append(e.b, `"entity":`...)
		e.str(v.Entity)
	case graph.TextValue:
		e.b = append(e.b, `"text":`...)
		e.str(v.Text)
	case graph.QuantityValue, graph.MoneyValue:
		e.b = append(e.b, `"amount":`...)
		e.float(v.Amount)
		if v.Type == graph.QuantityValue {
			e.optStr(`,"unit":`, v.Unit)
		} else {
			e.optStr(`,"currency":`, v.Currency)
		}
	case graph.DateValue, graph.BoolValue:
	default:
		e.b = append(e.b[:n-1], "null"...)
		return
	}
	e.optFloat(`,"lower":`, v.Lower)
	e.optFloat(`,"upper":`, v.Upper)
	if v.Approximate {
		e.b = append(e.b, `,"approximate":true`...)
	}
	switch v.Type {
	case graph.DateValue:
		e.comma(n)
		e.b = append(e.b, `"date":`...)
		e.date(v.Date)
	case graph.BoolValue:
		e.comma(n)
		e.b = append(e.b, `"boolean":`...)
		e.b = strconv.AppendBool(e.b, v.Bool)
	}
	if len(e.b) > n && e.b[n] == ',' {
		e.b = append(e.b[:n], e.b[n+1:]...) // lower/upper/approximate came first
	}
	e.b = append(e.b, '}')
}

// comma appends a member separator unless the object opened at n is empty.
func (e *encoder) comma(n int) {
	if len(e.b) > n {
		e.b = append(e.b, ',')
	}
}

func (e *encoder) qualifiers(q *graph.Qualifiers) {
	e.b = append(e.b, '{')
	n := len(e.b)
	if !q.ValidFrom.IsZero() {
		e.b = append(e.b, `"validFrom":`...)
		e.date(q.ValidFrom)
	}
	if !q.ValidTo.IsZero() {
		e.comma(n)
		e.b = append(e.b, `"validTo":`...)
		e.date(q.ValidTo)
	}
	if !q.PointInTime.IsZero() {
		e.comma(n)
		e.b = append(e.b, `"pointInTime":`...)
		e.date(q.PointInTime)
	}
	if len(q.Extra) > 0 {
		e.comma(n)
		e.b = append(e.b, `"extra":{`...)
		var one [1]string
		keys := one[:0]
		for k := range q.Extra {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.str(k)
			e.b = append(e.b, ':')
			e.str(q.Extra[k])
		}
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, '}')
}

func (e *encoder) reference(r *graph.Reference) {
	e.b = append(e.b, `{"source":`...)
	e.str(r.Source)
	e.optStr(`,"quote":`, r.Quote)
	if l := r.Locator; l != (graph.Locator{}) {
		e.b = append(e.b, `,"locator":{`...)
		n := len(e.b)
		if l.Section != "" {
			e.b = append(e.b, `"section":`...)
			e.str(l.Section)
		}
		for _, f := range [...]struct {
			name string
			v    int
		}{{`"page":`, l.Page}, {`"start":`, l.Start}, {`"end":`, l.End}} {
			if f.v != 0 {
				e.comma(n)
				e.b = append(e.b, f.name...)
				e.b = strconv.AppendInt(e.b, int64(f.v), 10)
			}
		}
		e.b = append(e.b, '}')
	}
	e.optDate(`,"retrieved":`, r.Retrieved)
	e.optStr(`,"importedFrom":`, r.ImportedFrom)
	if r.Verified {
		e.b = append(e.b, `,"verified":true`...)
	}
	e.optStr(`,"sourceSHA256":`, r.SourceSHA256)
	if r.Unverified {
		e.b = append(e.b, `,"unverified":true`...)
	}
	e.b = append(e.b, '}')
}

func (e *encoder) optStr(member, s string) {
	if s != "" {
		e.b = append(e.b, member...)
		e.str(s)
	}
}

func (e *encoder) optDate(member string, d graph.Date) {
	if !d.IsZero() {
		e.b = append(e.b, member...)
		e.date(d)
	}
}

func (e *encoder) optFloat(member string, f *float64) {
	if f != nil {
		e.b = append(e.b, member...)
		e.float(*f)
	}
}

func (e *encoder) strs(ss []string) {
	e.b = append(e.b, '[')
	for i, s := range ss {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(s)
	}
	e.b = append(e.b, ']')
}

// date appends d as a JSON string in graph.Date's text form.
func (e *encoder) date(d graph.Date) {
	e.b = append(e.b, '"')
	e.b = appendDate(e.b, d)
	e.b = append(e.b, '"')
}

// appendDate appends d as graph.Date.String formats it.
func appendDate(b []byte, d graph.Date) []byte {
	if d.IsZero() {
		return b
	}
	b = appendPad(b, d.Year, 4)
	switch d.Precision {
	case graph.Quarter:
		b = append(b, "-Q"...)
		b = strconv.AppendInt(b, int64((d.Month-1)/3+1), 10)
	case graph.Month:
		b = append(b, '-')
		b = appendPad(b, d.Month, 2)
	case graph.Day:
		b = append(b, '-')
		b = appendPad(b, d.Month, 2)
		b = append(b, '-')
		b = appendPad(b, d.Day, 2)
	}
	return b
}

// appendPad appends a non-negative n zero-padded to width digits.
func appendPad(b []byte, n, width int) []byte {
	for d, x := 1, n; d < width; d++ {
		if x /= 10; x == 0 {
			b = append(b, '0')
		}
	}
	return strconv.AppendInt(b, int64(n), 10)
}

// float appends f as encoding/json formats a float64.
func (e *encoder) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		panic("gen: non-finite amount") // the generator only makes finite amounts
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(e.b); n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
}

// str appends s as a JSON string (graph.AppendJSONString).
func (e *encoder) str(s string) { e.b = graph.AppendJSONString(e.b, s) }
