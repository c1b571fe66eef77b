package server

import (
	"strconv"
	"unicode/utf8"
)

// parseBody reads a POST body in one pass: a JSON object with a string
// query and optionally operationName (a string or null), variables and
// extensions (objects or null), and any other members, which are
// ignored. It returns the values encoding/json would decode them to
// (numbers as float64, objects as map[string]any, arrays as []any). On
// anything else (a syntax error, a member of the wrong type, a duplicate
// member, an escape or byte encoding/json would rewrite) it returns false,
// and readPOST decodes the body with encoding/json, which then says what
// is wrong. Decoding with encoding/json first into raw members and then
// each of them was about 7% of the server's CPU under Q3 load.
func parseBody(b []byte) (*params, bool) {
	d := &bodyDecoder{b: b}
	p := &params{}
	var seen [4]bool
	if !d.byte('{') {
		return nil, false
	}
	if !d.peek('}') {
		for {
			key, ok := d.string()
			if !ok || !d.byte(':') {
				return nil, false
			}
			idx := -1
			switch key {
			case "query":
				idx = 0
			case "operationName":
				idx = 1
			case "variables":
				idx = 2
			case "extensions":
				idx = 3
			}
			if idx >= 0 {
				if seen[idx] {
					return nil, false
				}
				seen[idx] = true
			}
			switch idx {
			case 0:
				if p.Query, ok = d.string(); !ok {
					return nil, false
				}
			case 1:
				if d.null() {
					break
				}
				if p.OperationName, ok = d.string(); !ok {
					return nil, false
				}
			case 2, 3:
				if d.null() {
					break
				}
				d.ws()
				if !d.peek('{') {
					return nil, false
				}
				v, ok := d.value(0)
				if !ok {
					return nil, false
				}
				if idx == 2 {
					p.Variables = v.(map[string]any)
				} else {
					p.Extensions = v.(map[string]any)
				}
			default:
				if _, ok := d.value(0); !ok {
					return nil, false
				}
			}
			if d.byte(',') {
				continue
			}
			if d.byte('}') {
				break
			}
			return nil, false
		}
	} else {
		d.pos++
	}
	d.ws()
	if d.pos != len(d.b) || !seen[0] {
		return nil, false
	}
	return p, true
}

// maxBodyNesting bounds arrays and objects nested in a body's values; a
// deeper body is left to encoding/json.
const maxBodyNesting = 200

type bodyDecoder struct {
	b   []byte
	pos int
}

func (d *bodyDecoder) ws() {
	for d.pos < len(d.b) {
		switch d.b[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// byte consumes c after white space.
func (d *bodyDecoder) byte(c byte) bool {
	d.ws()
	if d.pos < len(d.b) && d.b[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

// peek reports whether c comes next after white space, without
// consuming it.
func (d *bodyDecoder) peek(c byte) bool {
	d.ws()
	return d.pos < len(d.b) && d.b[d.pos] == c
}

// null consumes a null.
func (d *bodyDecoder) null() bool {
	d.ws()
	if len(d.b)-d.pos >= 4 && string(d.b[d.pos:d.pos+4]) == "null" {
		d.pos += 4
		return true
	}
	return false
}

func (d *bodyDecoder) value(depth int) (any, bool) {
	if depth > maxBodyNesting {
		return nil, false
	}
	d.ws()
	if d.pos >= len(d.b) {
		return nil, false
	}
	switch c := d.b[d.pos]; {
	case c == '"':
		return d.string()
	case c == '{':
		d.pos++
		m := map[string]any{}
		if d.byte('}') {
			return m, true
		}
		for {
			k, ok := d.string()
			if !ok || !d.byte(':') {
				return nil, false
			}
			if _, dup := m[k]; dup {
				return nil, false
			}
			v, ok := d.value(depth + 1)
			if !ok {
				return nil, false
			}
			m[k] = v
			if d.byte(',') {
				continue
			}
			if d.byte('}') {
				return m, true
			}
			return nil, false
		}
	case c == '[':
		d.pos++
		l := []any{}
		if d.byte(']') {
			return l, true
		}
		for {
			v, ok := d.value(depth + 1)
			if !ok {
				return nil, false
			}
			l = append(l, v)
			if d.byte(',') {
				continue
			}
			if d.byte(']') {
				return l, true
			}
			return nil, false
		}
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range [...]struct {
			s string
			v any
		}{{"true", true}, {"false", false}, {"null", nil}} {
			if len(d.b)-d.pos >= len(lit.s) && string(d.b[d.pos:d.pos+len(lit.s)]) == lit.s {
				d.pos += len(lit.s)
				return lit.v, true
			}
		}
		return nil, false
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return nil, false
}

// number reads a JSON number as a float64, as encoding/json does into an
// interface value.
func (d *bodyDecoder) number() (any, bool) {
	start := d.pos
	digits := func() int {
		n := 0
		for d.pos < len(d.b) && d.b[d.pos] >= '0' && d.b[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.b[d.pos] == '-' {
		d.pos++
	}
	intStart := d.pos
	if n := digits(); n == 0 || (n > 1 && d.b[intStart] == '0') {
		return nil, false
	}
	if d.pos < len(d.b) && d.b[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return nil, false
		}
	}
	if d.pos < len(d.b) && (d.b[d.pos] == 'e' || d.b[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.b) && (d.b[d.pos] == '+' || d.b[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(string(d.b[start:d.pos]), 64)
	if err != nil {
		return nil, false
	}
	return f, true
}

// string reads a JSON string after white space. Escapes of surrogates and
// invalid UTF-8 (which encoding/json turns into U+FFFD) are refused.
func (d *bodyDecoder) string() (string, bool) {
	d.ws()
	if d.pos >= len(d.b) || d.b[d.pos] != '"' {
		return "", false
	}
	d.pos++
	start := d.pos
	var buf []byte // nil while the string has no escape
	for d.pos < len(d.b) {
		c := d.b[d.pos]
		switch {
		case c == '"':
			var s string
			if buf == nil {
				s = string(d.b[start:d.pos])
			} else {
				s = string(append(buf, d.b[start:d.pos]...))
			}
			d.pos++
			return s, true
		case c < 0x20:
			return "", false
		case c == '\\':
			buf = append(buf, d.b[start:d.pos]...)
			if d.pos+1 >= len(d.b) {
				return "", false
			}
			e := d.b[d.pos+1]
			d.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				if d.pos+4 > len(d.b) {
					return "", false
				}
				n, err := strconv.ParseUint(string(d.b[d.pos:d.pos+4]), 16, 32)
				if err != nil || (n >= 0xD800 && n <= 0xDFFF) {
					return "", false
				}
				d.pos += 4
				buf = utf8.AppendRune(buf, rune(n))
			default:
				return "", false
			}
			start = d.pos
		case c < utf8.RuneSelf:
			d.pos++
		default:
			r, n := utf8.DecodeRune(d.b[d.pos:])
			if r == utf8.RuneError && n == 1 {
				return "", false
			}
			d.pos += n
		}
	}
	return "", false
}
