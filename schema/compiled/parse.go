package compiled

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The executable-document parser. graphql-go validates every document
// before it is compiled, so this parser need not explain what is wrong
// with a document: it either reads it completely or fails, and a failure
// only means the Engine leaves the document to graphql-go. It refuses
// what it does not read exactly as graphql-go does (block strings), so a
// document it accepts means what graphql-go took it to mean.

// errUnsupported marks documents, operations and values the Engine leaves
// to graphql-go.
var errUnsupported = errors.New("compiled: not supported")

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUnsupported, fmt.Sprintf(format, args...))
}

// document is a parsed executable document.
type document struct {
	ops   []*operation
	frags map[string]*fragment
}

type operation struct {
	typ  string // "query", "mutation" or "subscription"
	name string
	vars []*varDef
	sels []*selection
}

type varDef struct {
	name string
	typ  *typeRef
	def  *value // nil: no default
}

// typeRef is a type as written in a variable definition.
type typeRef struct {
	name    string   // named type; "" for a list
	elem    *typeRef // list element
	nonNull bool
}

type fragment struct {
	name string
	on   string
	sels []*selection
}

type selKind uint8

const (
	selField selKind = iota
	selInline
	selSpread
)

// selection is a field, an inline fragment or a fragment spread.
type selection struct {
	kind  selKind
	alias string // field: the response key (the name when not aliased)
	name  string // field: its name; spread: the fragment's name
	on    string // inline fragment: its type condition ("" when none)
	args  []*argument
	dirs  []*directive
	sels  []*selection
}

type argument struct {
	name string
	val  *value
}

type directive struct {
	name string
	args []*argument
}

type valKind uint8

const (
	valVar valKind = iota
	valInt
	valFloat
	valString
	valBool
	valNull
	valEnum
	valList
	valObject
)

// value is a literal or a variable. text holds a variable's name, a
// number's digits, a string's decoded text or an enum value's name.
type value struct {
	kind   valKind
	text   string
	b      bool
	list   []*value
	fields []*argument // object fields, in order
}

// hasVars reports whether v is or holds a variable.
func (v *value) hasVars() bool {
	switch v.kind {
	case valVar:
		return true
	case valList:
		for _, e := range v.list {
			if e.hasVars() {
				return true
			}
		}
	case valObject:
		for _, f := range v.fields {
			if f.val.hasVars() {
				return true
			}
		}
	}
	return false
}

// deserialize returns v as graphql-go's ast.Value.Deserialize does: Int
// literals as int32 (int64 beyond its range), Float as float64, strings,
// booleans, enum values as their names, lists as []any, objects as
// map[string]any and variables as vars holds them (nil when absent).
func (v *value) deserialize(vars map[string]any) (any, error) {
	switch v.kind {
	case valVar:
		return vars[v.text], nil
	case valInt:
		n, err := strconv.ParseInt(v.text, 10, 64)
		if err != nil {
			return nil, unsupported("integer %s", v.text)
		}
		if n < -1<<31 || n > 1<<31-1 {
			return n, nil
		}
		return int32(n), nil
	case valFloat:
		f, err := strconv.ParseFloat(v.text, 64)
		if err != nil {
			return nil, unsupported("float %s", v.text)
		}
		return f, nil
	case valString, valEnum:
		return v.text, nil
	case valBool:
		return v.b, nil
	case valNull:
		return nil, nil
	case valList:
		out := make([]any, len(v.list))
		for i, e := range v.list {
			x, err := e.deserialize(vars)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case valObject:
		out := make(map[string]any, len(v.fields))
		for _, f := range v.fields {
			x, err := f.val.deserialize(vars)
			if err != nil {
				return nil, err
			}
			out[f.name] = x
		}
		return out, nil
	}
	return nil, unsupported("value kind %d", v.kind)
}

// maxNesting bounds selection sets and values nested in each other.
const maxNesting = 256

type parser struct {
	src   string
	pos   int
	tok   string  // the current token: a punctuator, a name, a number or a string's source
	kind  tokKind // its kind
	str   string  // a string token's decoded text
	depth int
}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokPunct
	tokName
	tokInt
	tokFloat
	tokString
)

// parse parses an executable document.
func parse(src string) (doc *document, err error) {
	p := &parser{src: src}
	defer func() {
		if r := recover(); r != nil {
			perr, ok := r.(parseError)
			if !ok {
				panic(r)
			}
			doc, err = nil, perr.err
		}
	}()
	p.next()
	doc = &document{frags: map[string]*fragment{}}
	for p.kind != tokEOF {
		switch {
		case p.is(tokPunct, "{"):
			doc.ops = append(doc.ops, &operation{typ: "query", sels: p.selectionSet()})
		case p.is(tokName, "query"), p.is(tokName, "mutation"), p.is(tokName, "subscription"):
			doc.ops = append(doc.ops, p.operation())
		case p.is(tokName, "fragment"):
			f := p.fragment()
			if _, dup := doc.frags[f.name]; dup {
				p.fail("fragment %s defined twice", f.name)
			}
			doc.frags[f.name] = f
		default:
			p.fail("unexpected %q", p.tok)
		}
	}
	return doc, nil
}

type parseError struct{ err error }

func (p *parser) fail(format string, args ...any) {
	panic(parseError{unsupported("parse at byte %d: %s", p.pos, fmt.Sprintf(format, args...))})
}

func (p *parser) is(k tokKind, t string) bool { return p.kind == k && p.tok == t }

func (p *parser) expect(t string) {
	if p.kind != tokPunct || p.tok != t {
		p.fail("expected %q, found %q", t, p.tok)
	}
	p.next()
}

func (p *parser) name() string {
	if p.kind != tokName {
		p.fail("expected a name, found %q", p.tok)
	}
	n := p.tok
	p.next()
	return n
}

func (p *parser) operation() *operation {
	op := &operation{typ: p.name()}
	if p.kind == tokName {
		op.name = p.name()
	}
	if p.is(tokPunct, "(") {
		p.next()
		for !p.is(tokPunct, ")") {
			p.expect("$")
			v := &varDef{name: p.name()}
			p.expect(":")
			v.typ = p.typeRef()
			if p.is(tokPunct, "=") {
				p.next()
				v.def = p.value(true)
			}
			if p.is(tokPunct, "@") {
				p.directives() // variable directives do not change execution
			}
			op.vars = append(op.vars, v)
		}
		p.next()
	}
	p.directives() // operation directives do not change execution
	op.sels = p.selectionSet()
	return op
}

func (p *parser) fragment() *fragment {
	p.next() // "fragment"
	f := &fragment{name: p.name()}
	if f.name == "on" {
		p.fail("a fragment cannot be named on")
	}
	if p.tok != "on" || p.kind != tokName {
		p.fail("expected on")
	}
	p.next()
	f.on = p.name()
	p.directives() // graphql-go ignores a fragment definition's directives
	f.sels = p.selectionSet()
	return f
}

func (p *parser) typeRef() *typeRef {
	p.enter()
	defer p.leave()
	var t *typeRef
	if p.is(tokPunct, "[") {
		p.next()
		t = &typeRef{elem: p.typeRef()}
		p.expect("]")
	} else {
		t = &typeRef{name: p.name()}
	}
	if p.is(tokPunct, "!") {
		p.next()
		t.nonNull = true
	}
	return t
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxNesting {
		p.fail("nested deeper than %d", maxNesting)
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) directives() []*directive {
	var ds []*directive
	for p.is(tokPunct, "@") {
		p.next()
		d := &directive{name: p.name()}
		d.args = p.arguments(false)
		ds = append(ds, d)
	}
	return ds
}

func (p *parser) arguments(constant bool) []*argument {
	if !p.is(tokPunct, "(") {
		return nil
	}
	p.next()
	var as []*argument
	for !p.is(tokPunct, ")") {
		a := &argument{name: p.name()}
		p.expect(":")
		a.val = p.value(constant)
		as = append(as, a)
	}
	p.next()
	return as
}

func (p *parser) selectionSet() []*selection {
	p.enter()
	defer p.leave()
	p.expect("{")
	var sels []*selection
	for !p.is(tokPunct, "}") {
		sels = append(sels, p.selection())
	}
	p.next()
	if len(sels) == 0 {
		p.fail("empty selection set")
	}
	return sels
}

func (p *parser) selection() *selection {
	if p.is(tokPunct, "...") {
		p.next()
		if p.kind == tokName && p.tok != "on" {
			return &selection{kind: selSpread, name: p.name(), dirs: p.directives()}
		}
		s := &selection{kind: selInline}
		if p.is(tokName, "on") {
			p.next()
			s.on = p.name()
		}
		s.dirs = p.directives()
		s.sels = p.selectionSet()
		return s
	}
	s := &selection{kind: selField, name: p.name()}
	s.alias = s.name
	if p.is(tokPunct, ":") {
		p.next()
		s.name = p.name()
	}
	s.args = p.arguments(false)
	s.dirs = p.directives()
	if p.is(tokPunct, "{") {
		s.sels = p.selectionSet()
	}
	return s
}

func (p *parser) value(constant bool) *value {
	p.enter()
	defer p.leave()
	switch p.kind {
	case tokPunct:
		switch p.tok {
		case "$":
			if constant {
				p.fail("variable in a constant value")
			}
			p.next()
			return &value{kind: valVar, text: p.name()}
		case "[":
			p.next()
			v := &value{kind: valList}
			for !p.is(tokPunct, "]") {
				v.list = append(v.list, p.value(constant))
			}
			p.next()
			return v
		case "{":
			p.next()
			v := &value{kind: valObject}
			for !p.is(tokPunct, "}") {
				f := &argument{name: p.name()}
				p.expect(":")
				f.val = p.value(constant)
				v.fields = append(v.fields, f)
			}
			p.next()
			return v
		}
	case tokInt, tokFloat, tokString:
		v := &value{kind: valInt, text: p.tok}
		switch p.kind {
		case tokFloat:
			v.kind = valFloat
		case tokString:
			v.kind, v.text = valString, p.str
		}
		p.next()
		return v
	case tokName:
		var v *value
		switch p.tok {
		case "true", "false":
			v = &value{kind: valBool, b: p.tok == "true"}
		case "null":
			v = &value{kind: valNull}
		default:
			v = &value{kind: valEnum, text: p.tok}
		}
		p.next()
		return v
	}
	p.fail("expected a value, found %q", p.tok)
	return nil
}

// next reads the next token, skipping white space, commas, comments and
// a byte order mark.
func (p *parser) next() {
	src := p.src
	for p.pos < len(src) {
		c := src[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			p.pos++
			continue
		case c == '#':
			for p.pos < len(src) && src[p.pos] != '\n' && src[p.pos] != '\r' {
				p.pos++
			}
			continue
		case strings.HasPrefix(src[p.pos:], "\uFEFF"):
			p.pos += len("\uFEFF")
			continue
		}
		break
	}
	if p.pos >= len(src) {
		p.kind, p.tok = tokEOF, ""
		return
	}
	start := p.pos
	c := src[p.pos]
	switch {
	case strings.HasPrefix(src[p.pos:], "..."):
		p.pos += 3
		p.kind, p.tok = tokPunct, "..."
	case strings.IndexByte("!$&()[]{}:=@|", c) >= 0:
		p.pos++
		p.kind, p.tok = tokPunct, src[start:p.pos]
	case isNameStart(c):
		for p.pos < len(src) && isNameByte(src[p.pos]) {
			p.pos++
		}
		p.kind, p.tok = tokName, src[start:p.pos]
	case c == '-' || (c >= '0' && c <= '9'):
		p.number()
	case c == '"':
		p.string()
	default:
		p.fail("unexpected character %q", c)
	}
}

func isNameStart(c byte) bool { return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
func isNameByte(c byte) bool  { return isNameStart(c) || c >= '0' && c <= '9' }
func isDigit(c byte) bool     { return c >= '0' && c <= '9' }

// number reads an IntValue or FloatValue as the specification defines
// them: no leading zeros, and no name or dot straight after.
func (p *parser) number() {
	src, start := p.src, p.pos
	digits := func() int {
		n := 0
		for p.pos < len(src) && isDigit(src[p.pos]) {
			p.pos++
			n++
		}
		return n
	}
	if src[p.pos] == '-' {
		p.pos++
	}
	intStart := p.pos
	if digits() == 0 {
		p.fail("malformed number")
	}
	if src[intStart] == '0' && p.pos-intStart > 1 {
		p.fail("number with a leading zero")
	}
	float := false
	if p.pos < len(src) && src[p.pos] == '.' {
		p.pos++
		float = true
		if digits() == 0 {
			p.fail("malformed number")
		}
	}
	if p.pos < len(src) && (src[p.pos] == 'e' || src[p.pos] == 'E') {
		p.pos++
		float = true
		if p.pos < len(src) && (src[p.pos] == '+' || src[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			p.fail("malformed number")
		}
	}
	if p.pos < len(src) && (isNameStart(src[p.pos]) || src[p.pos] == '.') {
		p.fail("malformed number")
	}
	p.tok = src[start:p.pos]
	p.kind = tokInt
	if float {
		p.kind = tokFloat
	}
}

// string reads a quoted string and decodes its escapes. graphql-go reads
// strings as Go string literals, so only the escapes both languages share
// are read here; the others (\/, octal, \x) and block strings are left to
// graphql-go.
func (p *parser) string() {
	src, start := p.src, p.pos
	if strings.HasPrefix(src[p.pos:], `"""`) {
		p.fail("block strings are left to graphql-go")
	}
	p.pos++
	var b strings.Builder
	plain := p.pos // start of the run of bytes copied as they are
	for {
		if p.pos >= len(src) {
			p.fail("unterminated string")
		}
		c := src[p.pos]
		switch {
		case c == '"':
			s := src[plain:p.pos]
			if b.Len() > 0 {
				b.WriteString(s)
				s = b.String()
			}
			p.pos++
			p.kind, p.tok, p.str = tokString, src[start:p.pos], s
			return
		case c == '\n' || c == '\r':
			p.fail("line break in a string")
		case c < 0x20 && c != '\t':
			p.fail("control character in a string")
		case c == '\\':
			b.WriteString(src[plain:p.pos])
			if p.pos+1 >= len(src) {
				p.fail("unterminated string")
			}
			e := src[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r := p.hex4()
				if r >= 0xD800 && r <= 0xDFFF {
					p.fail("surrogate escapes are left to graphql-go")
				}
				b.WriteRune(r)
			default:
				p.fail("unknown escape \\%c", e)
			}
			plain = p.pos
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(src[p.pos:])
			if r == utf8.RuneError && n == 1 {
				p.fail("invalid UTF-8 in a string")
			}
			p.pos += n
		default:
			p.pos++
		}
	}
}

func (p *parser) hex4() rune {
	if p.pos+4 > len(p.src) {
		p.fail("short unicode escape")
	}
	n, err := strconv.ParseUint(p.src[p.pos:p.pos+4], 16, 32)
	if err != nil {
		p.fail("malformed unicode escape")
	}
	p.pos += 4
	return rune(n)
}
