package graph

import (
	"strconv"
	"unicode/utf8"
)

// This file holds the fast path of DecodeRecord for statement, claim,
// entity and source lines (statements and claims are 96% of an import at
// scale 1, sources most of its bytes): a scanner for the members and
// shapes such a line usually has, which gives up (ok false) on anything
// else. DecodeRecord then decodes the line with encoding/json, so
// the fast path never decides what a line means where the two could
// differ, and every error, with its field names and wording, comes from
// encoding/json's path.
//
// The scanner accepts only what encoding/json decodes to the same record:
// member names spelled exactly as their tags (encoding/json also matches
// other cases), each member at most once (encoding/json keeps the last),
// strings without control characters and in valid UTF-8 (encoding/json
// replaces invalid bytes), and without escapes, or with escapes other than
// \u where the member is free text (strEsc), no null, numbers in JSON's
// grammar that strconv.ParseFloat reads without error (as encoding/json
// reads a float64), and nothing but whitespace after the object. An empty
// array or object gives an empty, non-nil slice or map, as with
// encoding/json. A value, a date or a key it cannot take gives up too.

// fastDecoder scans one line.
type fastDecoder struct {
	b []byte
	i int
}

// decodeStatementFast decodes a statement line, or reports false when the
// line needs encoding/json.
func decodeStatementFast(line []byte) (*Statement, bool) {
	d := fastDecoder{b: line}
	st := &Statement{}
	ok := d.record(StatementRecord, func(name []byte) (bit uint, ok bool) {
		switch string(name) {
		case "key":
			bit = 2
			st.Key, ok = d.str()
		case "subject":
			bit = 4
			st.Subject, ok = d.str()
		case "predicate":
			bit = 8
			st.Predicate, ok = d.predicate()
		case "rank":
			bit = 16
			st.Rank, ok = d.rank()
		case "object":
			bit = 32
			st.Object, ok = d.value()
		case "qualifiers":
			bit = 64
			st.Qualifiers, ok = d.qualifiers()
		case "references":
			bit = 128
			st.References, ok = d.references()
		}
		return bit, ok
	})
	if !ok {
		return nil, false
	}
	return st, true
}

// members scans an object of known members, each at most once: member
// scans a member's value and returns the member's bit (0 and false for a
// member it does not know). members gives up on a bit seen before, and
// returns the bits it saw.
func (d *fastDecoder) members(member func(name []byte) (bit uint, ok bool)) (seen uint, ok bool) {
	ok = d.object(func(name []byte) bool {
		bit, ok := member(name)
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		return true
	})
	return seen, ok
}

// record scans a whole line: an object with a "type" member of typ and
// members member scans (each once; its bits, 2 and up, are its own), and
// nothing but whitespace after it.
func (d *fastDecoder) record(typ RecordType, member func(name []byte) (bit uint, ok bool)) bool {
	seen, ok := d.members(func(name []byte) (uint, bool) {
		if string(name) == "type" {
			s, ok := d.rawStr()
			return 1, ok && string(s) == string(typ)
		}
		return member(name)
	})
	if !ok || seen&1 == 0 {
		return false
	}
	d.ws()
	return d.i == len(d.b)
}

func (d *fastDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// consume skips whitespace and then c, reporting whether c was there.
func (d *fastDecoder) consume(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// peek skips whitespace and reports whether c comes next, without
// consuming it.
func (d *fastDecoder) peek(c byte) bool {
	d.ws()
	return d.i < len(d.b) && d.b[d.i] == c
}

// object scans an object, calling member with each member's name once the
// decoder stands before its value; member scans the value.
func (d *fastDecoder) object(member func(name []byte) bool) bool {
	if !d.consume('{') {
		return false
	}
	if d.consume('}') {
		return true
	}
	for {
		name, ok := d.rawStr()
		if !ok || !d.consume(':') || !member(name) {
			return false
		}
		if d.consume(',') {
			continue
		}
		return d.consume('}')
	}
}

// rawStr scans a string without escapes or control characters, in valid
// UTF-8, and returns its bytes (part of the line).
func (d *fastDecoder) rawStr() ([]byte, bool) {
	if !d.consume('"') {
		return nil, false
	}
	start, ascii := d.i, true
	for ; d.i < len(d.b); d.i++ {
		c := d.b[d.i]
		if plainByte[c] { // most bytes: one load and one branch
			continue
		}
		switch {
		case c == '"':
			s := d.b[start:d.i]
			d.i++
			return s, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		default: // c >= utf8.RuneSelf
			ascii = false
		}
	}
	return nil, false
}

// plainByte reports the bytes rawStr takes as they are: ASCII, neither
// a control character, '"' nor '\\'.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (d *fastDecoder) str() (string, bool) {
	s, ok := d.rawStr()
	return string(s), ok
}

// strEsc scans a string as str does, but also takes the escapes \" \\ \/
// \b \f \n \r and \t, as encoding/json reads them: source texts have
// line breaks and quotation marks. It gives up on \u, which encoding/json
// reads with rules of its own (surrogate pairs, replacement characters).
func (d *fastDecoder) strEsc() (string, bool) {
	if !d.consume('"') {
		return "", false
	}
	start, ascii := d.i, true
	var out []byte // the string so far, once an escape is seen
	for ; d.i < len(d.b); d.i++ {
		c := d.b[d.i]
		if plainByte[c] {
			continue
		}
		switch {
		case c == '"':
			s := d.b[start:d.i]
			d.i++
			if !ascii && !utf8.Valid(s) {
				return "", false
			}
			if out == nil {
				return string(s), true
			}
			out = append(out, s...)
			return string(out), true
		case c == '\\':
			if d.i+1 >= len(d.b) {
				return "", false
			}
			var e byte
			switch d.b[d.i+1] {
			case '"', '\\', '/':
				e = d.b[d.i+1]
			case 'b':
				e = '\b'
			case 'f':
				e = '\f'
			case 'n':
				e = '\n'
			case 'r':
				e = '\r'
			case 't':
				e = '\t'
			default:
				return "", false
			}
			s := d.b[start:d.i]
			if !ascii && !utf8.Valid(s) {
				return "", false // a sequence cut by the escape is invalid too
			}
			if out == nil {
				out = make([]byte, 0, len(d.b)-start)
			}
			out = append(append(out, s...), e)
			d.i++
			start, ascii = d.i+1, true
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// predicate scans a string as str does, but a known predicate's name is
// the registry's string instead of a copy: a statement names one of a few
// dozen predicates.
func (d *fastDecoder) predicate() (string, bool) {
	s, ok := d.rawStr()
	if p, known := Predicates.Lookup(string(s)); known {
		return p.Name, ok
	}
	return string(s), ok
}

// rank scans a string as str does, without a copy for the ranks there
// are.
func (d *fastDecoder) rank() (Rank, bool) {
	s, ok := d.rawStr()
	for _, r := range [...]Rank{Normal, Preferred, Deprecated} {
		if string(s) == string(r) {
			return r, ok
		}
	}
	return Rank(s), ok
}

// strPtr, numberPtr and booleanPtr scan as str, number and boolean do,
// into a new variable, for the optional members of valueJSON and
// ClaimValue.
func (d *fastDecoder) strPtr() (*string, bool) {
	s, ok := d.str()
	return &s, ok
}

func (d *fastDecoder) numberPtr() (*float64, bool) {
	f, ok := d.number()
	return &f, ok
}

func (d *fastDecoder) booleanPtr() (*bool, bool) {
	v, ok := d.boolean()
	return &v, ok
}

// number scans a number in JSON's grammar and parses it as encoding/json
// parses a float64.
func (d *fastDecoder) number() (float64, bool) {
	d.ws()
	b, start := d.b, d.i
	i := d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return 0, false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return 0, false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	f, err := strconv.ParseFloat(string(b[start:i]), 64)
	if err != nil {
		return 0, false
	}
	d.i = i
	return f, true
}

func (d *fastDecoder) boolean() (bool, bool) {
	d.ws()
	switch {
	case len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "true":
		d.i += 4
		return true, true
	case len(d.b)-d.i >= 5 && string(d.b[d.i:d.i+5]) == "false":
		d.i += 5
		return false, true
	}
	return false, false
}

// value scans an object's value (valueJSON) and gives up on any value
// Value.UnmarshalJSON would refuse.
func (d *fastDecoder) value() (Value, bool) {
	var w valueJSON
	_, ok := d.members(func(name []byte) (bit uint, ok bool) {
		switch string(name) {
		case "entity":
			bit = 1
			w.Entity, ok = d.strPtr()
		case "text":
			bit = 2
			w.Text, ok = d.strPtr()
		case "amount":
			bit = 4
			w.Amount, ok = d.numberPtr()
		case "unit":
			bit = 8
			w.Unit, ok = d.str()
		case "currency":
			bit = 16
			w.Currency, ok = d.str()
		case "lower":
			bit = 32
			w.Lower, ok = d.numberPtr()
		case "upper":
			bit = 64
			w.Upper, ok = d.numberPtr()
		case "approximate":
			bit = 128
			w.Approximate, ok = d.boolean()
		case "date":
			bit = 256
			w.Date, ok = d.strPtr()
		case "boolean":
			bit = 512
			w.Boolean, ok = d.booleanPtr()
		}
		return bit, ok
	})
	if !ok {
		return Value{}, false
	}
	v, err := w.value()
	return v, err == nil
}

// date scans a date string as Date.UnmarshalText reads it.
func (d *fastDecoder) date() (Date, bool) {
	s, ok := d.rawStr()
	if !ok {
		return Date{}, false
	}
	var x Date
	return x, x.UnmarshalText(s) == nil
}

func (d *fastDecoder) qualifiers() (Qualifiers, bool) {
	var q Qualifiers
	_, ok := d.members(func(name []byte) (bit uint, ok bool) {
		switch string(name) {
		case "validFrom":
			bit = 1
			q.ValidFrom, ok = d.date()
		case "validTo":
			bit = 2
			q.ValidTo, ok = d.date()
		case "pointInTime":
			bit = 4
			q.PointInTime, ok = d.date()
		case "extra":
			bit = 8
			q.Extra, ok = d.stringMap()
		}
		return bit, ok
	})
	return q, ok
}

// stringMap scans an object of strings into a new map.
func (d *fastDecoder) stringMap() (map[string]string, bool) {
	m := map[string]string{}
	ok := d.object(func(name []byte) bool {
		if _, dup := m[string(name)]; dup {
			return false
		}
		v, ok := d.str()
		m[string(name)] = v
		return ok
	})
	return m, ok
}

// references scans an array of references that have a source and
// perhaps a quote.
func (d *fastDecoder) references() ([]Reference, bool) {
	if !d.consume('[') {
		return nil, false
	}
	if d.consume(']') {
		return []Reference{}, true
	}
	var refs []Reference
	for {
		r, ok := d.reference()
		if !ok {
			return nil, false
		}
		if refs == nil {
			// Most statements have one reference: it gets a slice of its
			// own size.
			if d.consume(']') {
				return []Reference{r}, true
			}
			refs = make([]Reference, 0, 2)
		}
		refs = append(refs, r)
		if d.consume(',') {
			continue
		}
		if d.consume(']') {
			return refs, true
		}
		return nil, false
	}
}

// reference scans a reference that has a source and perhaps a quote.
func (d *fastDecoder) reference() (Reference, bool) {
	if !d.peek('{') {
		return Reference{}, false
	}
	var r Reference
	_, ok := d.members(func(name []byte) (bit uint, ok bool) {
		switch string(name) {
		case "source":
			bit = 1
			r.Source, ok = d.str()
		case "quote":
			bit = 2
			r.Quote, ok = d.str()
		}
		return bit, ok
	})
	return r, ok
}

// decodeClaimFast decodes a claim line, or reports false when the line
// needs encoding/json.
func decodeClaimFast(line []byte) (*Claim, bool) {
	d := fastDecoder{b: line}
	c := &Claim{}
	ok := d.record(ClaimRecord, func(name []byte) (bit uint, ok bool) {
		switch string(name) {
		case "key":
			bit = 2
			c.Key, ok = d.str()
		case "claimant":
			bit = 4
			c.Claimant, ok = d.str()
		case "stated":
			bit = 8
			c.Stated, ok = d.date()
		case "modality":
			bit = 16
			var s string
			s, ok = d.str()
			c.Modality = Modality(s)
		case "text":
			bit = 32
			c.Text, ok = d.str()
		case "reference":
			bit = 64
			c.Reference, ok = d.reference()
		case "about":
			bit = 128
			c.About, ok = d.stringList()
		case "value":
			bit = 256
			c.Value, ok = d.claimValue()
		}
		return bit, ok
	})
	if !ok {
		return nil, false
	}
	return c, true
}

// stringList scans an array of strings into a new slice.
func (d *fastDecoder) stringList() ([]string, bool) {
	if !d.consume('[') {
		return nil, false
	}
	out := []string{}
	if d.consume(']') {
		return out, true
	}
	for {
		s, ok := d.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if d.consume(',') {
			continue
		}
		if d.consume(']') {
			return out, true
		}
		return nil, false
	}
}

// claimValue scans a claim's value into a new ClaimValue.
func (d *fastDecoder) claimValue() (*ClaimValue, bool) {
	if !d.peek('{') {
		return nil, false
	}
	v := &ClaimValue{}
	_, ok := d.members(func(name []byte) (bit uint, ok bool) {
		switch string(name) {
		case "amount":
			bit = 1
			v.Amount, ok = d.number()
		case "unit":
			bit = 2
			v.Unit, ok = d.str()
		case "currency":
			bit = 4
			v.Currency, ok = d.str()
		case "lower":
			bit = 8
			v.Lower, ok = d.numberPtr()
		case "upper":
			bit = 16
			v.Upper, ok = d.numberPtr()
		case "approximate":
			bit = 32
			v.Approximate, ok = d.boolean()
		case "condition":
			bit = 64
			v.Condition, ok = d.str()
		}
		return bit, ok
	})
	return v, ok
}

// decodeEntityFast decodes an entity line, or reports false when the
// line needs encoding/json.
func decodeEntityFast(line []byte) (*Entity, bool) {
	d := fastDecoder{b: line}
	e := &Entity{}
	ok := d.record(EntityRecord, func(name []byte) (bit uint, ok bool) {
		switch string(name) {
		case "key":
			bit = 2
			e.Key, ok = d.str()
		case "kind":
			bit = 4
			var s string
			s, ok = d.str()
			e.Kind = Kind(s)
		case "name":
			bit = 8
			e.Name, ok = d.strEsc()
		case "aliases":
			bit = 16
			e.Aliases, ok = d.stringList()
		case "description":
			bit = 32
			e.Description, ok = d.strEsc()
		}
		return bit, ok
	})
	if !ok {
		return nil, false
	}
	return e, true
}

// decodeSourceFast decodes a source line, or reports false when the line
// needs encoding/json.
func decodeSourceFast(line []byte) (*Source, bool) {
	d := fastDecoder{b: line}
	src := &Source{}
	ok := d.record(SourceRecord, func(name []byte) (bit uint, ok bool) {
		switch string(name) {
		case "key":
			bit = 2
			src.Key, ok = d.str()
		case "url":
			bit = 4
			src.URL, ok = d.str()
		case "title":
			bit = 8
			src.Title, ok = d.strEsc()
		case "publisher":
			bit = 16
			src.Publisher, ok = d.strEsc()
		case "author":
			bit = 32
			src.Author, ok = d.strEsc()
		case "kind":
			bit = 64
			var s string
			s, ok = d.str()
			src.Kind = SourceKind(s)
		case "published":
			bit = 128
			src.Published, ok = d.date()
		case "retrieved":
			bit = 256
			src.Retrieved, ok = d.date()
		case "text":
			bit = 512
			src.Text, ok = d.strEsc()
		case "sha256":
			bit = 1024
			src.SHA256, ok = d.str()
		case "restates":
			bit = 2048
			src.Restates, ok = d.stringList()
		}
		return bit, ok
	})
	if !ok {
		return nil, false
	}
	return src, true
}
