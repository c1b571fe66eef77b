package server

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/graph-gophers/graphql-go/ast"
)

// Query cost: an estimate, made before execution, of how many fields a
// request may resolve. A field costs one each time it may be resolved; its
// selections are resolved once per item it may return:
//
//   - `first` or `limit` items (as given, from a variable, or the schema's
//     default), times `depth` or `maxHops` when the field has one (a
//     neighborhood of depth 3 expands three levels; a path of 3 hops has 3
//     hops to resolve);
//   - as many items as its `ids` or `keys` list argument holds;
//   - one otherwise (a connection's edges and nodes are already counted
//     by the connection's `first`).
//
// So `chips(first: 100) { nodes { manufacturers(first: 3) { nodes { key } } } }`
// costs about 100 × (1 + 1 + 3 × 2). Fragments are costed once per type and
// reused, so documents that spread fragments many times over cost what
// they would resolve, computed in time linear in the document.

// DefaultMaxCost is the default limit on a query's cost.
const DefaultMaxCost = 1_000_000

// defaultListSize is the item count assumed for a page argument that has
// neither a value nor a schema default (the resolvers' own default).
const defaultListSize = 50

// maxValueNesting bounds nested lists and objects in argument values,
// so that parsing stays shallow.
const maxValueNesting = 64

var errCostParse = errors.New("cannot parse the document for its cost")

// coster computes query costs against one schema.
type coster struct {
	schema *ast.Schema

	// Parsed documents by source: clients send the same few documents
	// with different variables. Bounded in count and document size; the
	// set is dropped when full.
	mu   sync.Mutex
	docs map[string]*costDoc
}

const (
	maxCachedCostDocs   = 128
	maxCachedCostDocLen = 16 << 10
)

func newCoster(s Executor) *coster {
	if s == nil {
		return nil
	}
	return &coster{schema: s.ASTSchema(), docs: map[string]*costDoc{}}
}

// parse returns src parsed, from the cache when it was parsed before.
// A costDoc is not changed after parsing, so requests share it.
func (c *coster) parse(src string) (*costDoc, error) {
	c.mu.Lock()
	doc := c.docs[src]
	c.mu.Unlock()
	if doc != nil {
		return doc, nil
	}
	doc, err := parseDocument(src)
	if err != nil || len(src) > maxCachedCostDocLen {
		return doc, err
	}
	c.mu.Lock()
	if len(c.docs) >= maxCachedCostDocs {
		clear(c.docs)
	}
	c.docs[src] = doc
	c.mu.Unlock()
	return doc, nil
}

// cost returns the cost of the operation a request runs. It fails when
// the document does not parse or the operation cannot be chosen; the
// request is then left for execution to reject.
//
// An operation whose cost reads no variable (page sizes written in the
// document, as the benchmark's are) costs the same every time: it is
// computed once per cached document.
func (c *coster) cost(src, operationName string, vars map[string]any) (float64, error) {
	doc, err := c.parse(src)
	if err != nil {
		return 0, err
	}
	doc.mu.Lock()
	cost, ok := doc.constCost[operationName]
	doc.mu.Unlock()
	if ok {
		return cost, nil
	}
	cost, _, constant, err := c.walkDoc(doc, operationName, vars)
	if err == nil && constant {
		doc.mu.Lock()
		if doc.constCost == nil {
			doc.constCost = map[string]float64{}
		}
		doc.constCost[operationName] = cost
		doc.mu.Unlock()
	}
	return cost, err
}

// walk is cost, and also returns the number of selections it visited:
// at most one per selection of the document and fragment type condition,
// however often fragments spread (they are costed once per type).
func (c *coster) walk(src, operationName string, vars map[string]any) (cost float64, steps int, err error) {
	doc, err := c.parse(src)
	if err != nil {
		return 0, 0, err
	}
	cost, steps, _, err = c.walkDoc(doc, operationName, vars)
	return cost, steps, err
}

// walkDoc is walk on a parsed document; constant reports that the cost
// read no variable.
func (c *coster) walkDoc(doc *costDoc, operationName string, vars map[string]any) (cost float64, steps int, constant bool, err error) {
	var op *costOp
	for _, o := range doc.ops {
		if (operationName == "" && len(doc.ops) == 1) || (operationName != "" && o.name == operationName) {
			op = o
		}
	}
	if op == nil {
		return 0, 0, false, errCostParse
	}
	root, ok := c.schema.RootOperationTypes[op.typ]
	if !ok {
		return 0, 0, false, errCostParse
	}
	w := &costWalk{c: c, doc: doc, vars: map[string]any{}, memo: map[string]float64{}, busy: map[string]bool{}}
	for name, def := range op.defaults {
		w.vars[name] = def
	}
	for name, v := range vars {
		w.vars[name] = v
	}
	cost = w.selections(root.TypeName(), op.sels)
	return cost, w.steps, !w.readVar, nil
}

type costWalk struct {
	c    *coster
	doc  *costDoc
	vars map[string]any
	memo map[string]float64 // fragment name + "@" + type → unit cost
	busy map[string]bool    // fragments being costed (cycles cost nothing more)

	steps   int  // selections visited
	readVar bool // an argument's value came from a variable
}

// selections returns the cost of resolving sels once on type typ.
func (w *costWalk) selections(typ string, sels []*costSel) float64 {
	total := 0.0
	for _, s := range sels {
		w.steps++
		switch {
		case s.spread != "":
			total += w.fragment(s.spread, typ)
		case s.name == "":
			t := typ
			if s.on != "" {
				t = s.on
			}
			total += w.selections(t, s.sels)
		default:
			total += w.field(typ, s)
		}
	}
	return total
}

func (w *costWalk) fragment(name, typ string) float64 {
	f, ok := w.doc.frags[name]
	if !ok {
		return 0
	}
	key := name + "@" + typ
	if c, ok := w.memo[key]; ok {
		return c
	}
	if w.busy[key] {
		return 0 // a cycle: validation rejects the document
	}
	w.busy[key] = true
	t := typ
	if f.on != "" {
		t = f.on
	}
	c := w.selections(t, f.sels)
	delete(w.busy, key)
	w.memo[key] = c
	return c
}

// fieldDef finds a field of an object or interface type.
func (w *costWalk) fieldDef(typ, name string) *ast.FieldDefinition {
	switch t := w.c.schema.Types[typ].(type) {
	case *ast.ObjectTypeDefinition:
		return t.Fields.Get(name)
	case *ast.InterfaceTypeDefinition:
		return t.Fields.Get(name)
	}
	return nil
}

func (w *costWalk) field(typ string, s *costSel) float64 {
	def := w.fieldDef(typ, s.name)
	if def == nil || len(s.sels) == 0 {
		return 1 // a leaf, a meta field, or a field validation will reject
	}
	n := 1.0
	for _, page := range []string{"first", "limit"} {
		if a := def.Arguments.Get(page); a != nil {
			n = w.number(s, page, a.Default)
			break
		}
	}
	for _, deep := range []string{"depth", "maxHops"} {
		if a := def.Arguments.Get(deep); a != nil {
			n *= max(1, w.number(s, deep, a.Default))
		}
	}
	for _, list := range []string{"ids", "keys"} {
		if def.Arguments.Get(list) != nil {
			if l, ok := w.arg(s, list).([]any); ok {
				n = float64(len(l))
			}
		}
	}
	return 1 + n*w.selections(namedType(def.Type), s.sels)
}

// arg returns an argument's value with variables substituted.
func (w *costWalk) arg(s *costSel, name string) any {
	v, ok := s.args[name]
	if !ok {
		return nil
	}
	if ref, ok := v.(varRef); ok {
		w.readVar = true
		return w.vars[string(ref)]
	}
	return v
}

// argDefaults are the resolvers' defaults for optional numeric arguments,
// by "field.argument" and then by argument (the SDL declares none, so that
// an unset variable takes them: see schema.graphql).
var argDefaults = map[string]float64{
	"paths.first": 10, "aggregate.first": 100, "search.first": 20,
	"first": defaultListSize, "limit": 100, "depth": 1, "maxHops": 3,
}

// number returns a numeric argument: its value, else the schema default,
// else the resolver's default.
func (w *costWalk) number(s *costSel, name string, def ast.Value) float64 {
	if n, ok := toFloat(w.arg(s, name)); ok {
		return max(0, n)
	}
	if def != nil {
		if n, ok := toFloat(def.Deserialize(nil)); ok {
			return max(0, n)
		}
	}
	if n, ok := argDefaults[s.name+"."+name]; ok {
		return n
	}
	if n, ok := argDefaults[name]; ok {
		return n
	}
	return defaultListSize
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x)
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func namedType(t ast.Type) string {
	for {
		switch x := t.(type) {
		case *ast.List:
			t = x.OfType
		case *ast.NonNull:
			t = x.OfType
		case ast.NamedType:
			return x.TypeName()
		default:
			return ""
		}
	}
}

// --- a small parser of executable documents, keeping what cost needs

type costDoc struct {
	ops   []*costOp
	frags map[string]*costFrag

	mu        sync.Mutex
	constCost map[string]float64 // by operation name: costs that read no variable
}

type costOp struct {
	typ, name string
	defaults  map[string]any
	sels      []*costSel
}

type costFrag struct {
	on   string
	sels []*costSel
}

// costSel is a field (name set), a fragment spread (spread set) or an
// inline fragment (neither; on is its type condition, if any).
type costSel struct {
	name   string
	args   map[string]any
	spread string
	on     string
	sels   []*costSel
}

// varRef is a variable in an argument value.
type varRef string

type costParser struct {
	src string
	pos int
	tok string // current token: punctuator, name, number, or `"` for a string
	val string // a string token's value
}

func parseDocument(src string) (doc *costDoc, err error) {
	p := &costParser{src: src}
	defer func() {
		if r := recover(); r != nil {
			if r != errCostParse {
				panic(r)
			}
			doc, err = nil, errCostParse
		}
	}()
	p.next()
	doc = &costDoc{frags: map[string]*costFrag{}}
	for p.tok != "" {
		switch p.tok {
		case "{":
			doc.ops = append(doc.ops, &costOp{typ: "query", sels: p.selectionSet()})
		case "query", "mutation", "subscription":
			op := &costOp{typ: p.tok, defaults: map[string]any{}}
			p.next()
			if isName(p.tok) {
				op.name = p.tok
				p.next()
			}
			if p.tok == "(" {
				p.variableDefinitions(op)
			}
			p.directives()
			op.sels = p.selectionSet()
			doc.ops = append(doc.ops, op)
		case "fragment":
			p.next()
			name := p.name()
			if p.name() != "on" {
				p.fail()
			}
			f := &costFrag{on: p.name()}
			p.directives()
			f.sels = p.selectionSet()
			doc.frags[name] = f
		default:
			p.fail()
		}
	}
	return doc, nil
}

func (p *costParser) fail() { panic(errCostParse) }

func isName(t string) bool { return t != "" && isNameStart(t[0]) }

func (p *costParser) expect(t string) {
	if p.tok != t {
		p.fail()
	}
	p.next()
}

func (p *costParser) name() string {
	if !isName(p.tok) {
		p.fail()
	}
	n := p.tok
	p.next()
	return n
}

func (p *costParser) variableDefinitions(op *costOp) {
	p.expect("(")
	for p.tok != ")" {
		p.expect("$")
		name := p.name()
		p.expect(":")
		p.typeRef()
		if p.tok == "=" {
			p.next()
			op.defaults[name] = p.value(0)
		}
		p.directives()
	}
	p.next()
}

func (p *costParser) typeRef() {
	if p.tok == "[" {
		p.next()
		p.typeRef()
		p.expect("]")
	} else {
		p.name()
	}
	if p.tok == "!" {
		p.next()
	}
}

func (p *costParser) directives() {
	for p.tok == "@" {
		p.next()
		p.name()
		if p.tok == "(" {
			p.arguments()
		}
	}
}

func (p *costParser) arguments() map[string]any {
	args := map[string]any{}
	p.expect("(")
	for p.tok != ")" {
		name := p.name()
		p.expect(":")
		args[name] = p.value(0)
	}
	p.next()
	return args
}

func (p *costParser) selectionSet() []*costSel {
	p.expect("{")
	var sels []*costSel
	for p.tok != "}" {
		if p.tok == "" {
			p.fail()
		}
		sels = append(sels, p.selection())
	}
	p.next()
	return sels
}

func (p *costParser) selection() *costSel {
	if p.tok == "..." {
		p.next()
		s := &costSel{}
		switch {
		case p.tok == "on":
			p.next()
			s.on = p.name()
		case isName(p.tok):
			s.spread = p.name()
			p.directives()
			return s
		}
		p.directives()
		s.sels = p.selectionSet()
		return s
	}
	s := &costSel{name: p.name()}
	if p.tok == ":" {
		p.next()
		s.name = p.name()
	}
	if p.tok == "(" {
		s.args = p.arguments()
	}
	p.directives()
	if p.tok == "{" {
		s.sels = p.selectionSet()
	}
	return s
}

// value parses a value: numbers as float64, lists as []any, objects as
// map[string]any, variables as varRef, enums as their name.
func (p *costParser) value(depth int) any {
	if depth > maxValueNesting {
		p.fail()
	}
	t := p.tok
	switch {
	case t == "$":
		p.next()
		return varRef(p.name())
	case t == "[":
		p.next()
		l := []any{}
		for p.tok != "]" {
			if p.tok == "" {
				p.fail()
			}
			l = append(l, p.value(depth+1))
		}
		p.next()
		return l
	case t == "{":
		p.next()
		m := map[string]any{}
		for p.tok != "}" {
			name := p.name()
			p.expect(":")
			m[name] = p.value(depth + 1)
		}
		p.next()
		return m
	case t == `"`:
		v := p.val
		p.next()
		return v
	case t == "true" || t == "false":
		p.next()
		return t == "true"
	case t == "null":
		p.next()
		return nil
	case isName(t):
		p.next()
		return t
	case t != "" && (isDigit(t[0]) || t[0] == '-'):
		p.next()
		n, err := strconv.ParseFloat(t, 64)
		if err != nil {
			p.fail()
		}
		return n
	}
	p.fail()
	return nil
}

// next moves to the next token, skipping white space, commas, comments
// and a byte order mark.
func (p *costParser) next() {
	src := p.src
	for p.pos < len(src) {
		c := src[p.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			p.pos++
		case c == '#':
			for p.pos < len(src) && src[p.pos] != '\n' && src[p.pos] != '\r' {
				p.pos++
			}
		case strings.HasPrefix(src[p.pos:], "\uFEFF"):
			p.pos += 3
		default:
			p.token()
			return
		}
	}
	p.tok = ""
}

func (p *costParser) token() {
	src, i := p.src, p.pos
	c := src[i]
	switch {
	case strings.HasPrefix(src[i:], "..."):
		p.tok, p.pos = "...", i+3
	case strings.ContainsRune("!$&()=:@[]{}|", rune(c)):
		p.tok, p.pos = src[i:i+1], i+1
	case isNameStart(c):
		j := i + 1
		for j < len(src) && (isNameStart(src[j]) || isDigit(src[j])) {
			j++
		}
		p.tok, p.pos = src[i:j], j
	case isDigit(c) || c == '-':
		j := i + 1
		for j < len(src) && (isDigit(src[j]) || src[j] == '.' || src[j] == 'e' || src[j] == 'E' || src[j] == '+' || src[j] == '-') {
			j++
		}
		p.tok, p.pos = src[i:j], j
	case c == '"':
		end := skipString(src, i)
		p.tok, p.pos = `"`, end
		p.val = stringValue(src[i:end])
	default:
		p.fail()
	}
}

// stringValue decodes a string token well enough for cost: the text
// between the quotes, with escapes left as they are (only numbers and
// lists matter to cost).
func stringValue(tok string) string {
	if strings.HasPrefix(tok, `"""`) {
		return strings.TrimSuffix(strings.TrimPrefix(tok, `"""`), `"""`)
	}
	return strings.TrimSuffix(strings.TrimPrefix(tok, `"`), `"`)
}

// checkCost refuses a request whose cost is over the limit, before it
// runs. A document that does not parse is left for execution to reject.
func (h *handler) checkCost(p *params) *gqlError {
	if h.coster == nil {
		return nil
	}
	cost, err := h.coster.cost(p.Query, p.OperationName, p.Variables)
	if err != nil || cost <= h.maxCost {
		return nil
	}
	shown := "more than 1e15"
	if cost < 1e15 {
		shown = strconv.FormatFloat(math.Ceil(cost), 'f', 0, 64)
	}
	return &gqlError{
		Message: "query cost " + shown + " is over the limit of " + strconv.FormatFloat(h.maxCost, 'f', 0, 64) +
			" (cost counts the fields a query may resolve: page sizes times nesting, traversal limits times depth); ask for smaller pages or fewer levels",
		Extensions: map[string]any{"code": graph.ETOOCOMPLEX, "cost": math.Min(math.Ceil(cost), 1e15), "limit": h.maxCost},
	}
}
