package compiled

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/graph-gophers/graphql-go/ast"
)

// Options configure an Engine.
type Options struct {
	// FieldResolvers must match graphql-go's UseFieldResolvers option of
	// the schema: struct fields answer fields that have no method.
	FieldResolvers bool
	// MaxDocuments bounds the compiled documents kept (0: 256). When
	// full, the cache is emptied.
	MaxDocuments int
	// MaxDocumentBytes bounds the size of a document compiled (0: 64 KiB);
	// larger ones are left to graphql-go.
	MaxDocumentBytes int
}

// Engine executes queries of one schema from compiled plans. It is safe
// for concurrent use.
type Engine struct {
	gql    *graphql.Schema
	schema *ast.Schema
	root   reflect.Value
	opts   Options

	mu    sync.RWMutex // guards plans; mu held for writing guards rs
	plans map[planKey]*plan
	rs    *resolvers

	answered, left atomic.Int64

	bufs sync.Pool // *[]byte: answers' buffers given back by Release
}

// maxPooledAnswer bounds the capacity of a buffer Release keeps.
const maxPooledAnswer = 64 << 10

type planKey struct{ doc, op string }

// plan is one operation compiled; a nil set means the operation is left
// to graphql-go.
type plan struct {
	size atomic.Int64 // the length of the last answer, to size the next one's buffer
	set  *set         // the compiled operation, when no @skip or @include takes a variable
	vars []*planVar
	err  error // why the operation is not compiled

	// With @skip or @include on variables (conds), the operation is
	// compiled once for each combination of their values asked for.
	conds []string
	doc   *document
	op    *operation
	root  *object
	sets  map[uint32]*set // guarded by the Engine's mu
}

// maxConds bounds the condition variables of an operation compiled, and
// maxCondSets the combinations of their values compiled.
const (
	maxConds    = 16
	maxCondSets = 64
)

type planVar struct {
	name string
	typ  ast.Type
	def  *value
}

// New returns an Engine over the executable schema gql (which validates
// documents) and its root resolver root.
func New(gql *graphql.Schema, root any, opts Options) *Engine {
	if opts.MaxDocuments <= 0 {
		opts.MaxDocuments = 256
	}
	if opts.MaxDocumentBytes <= 0 {
		opts.MaxDocumentBytes = 64 << 10
	}
	s := gql.ASTSchema()
	return &Engine{
		gql: gql, schema: s, root: reflect.ValueOf(root), opts: opts,
		plans: map[planKey]*plan{},
		rs:    newResolvers(s, opts.FieldResolvers),
	}
}

// Stats returns how many requests Exec answered and how many it left to
// graphql-go.
func (e *Engine) Stats() (answered, left int64) { return e.answered.Load(), e.left.Load() }

// Exec executes a request. It returns the response's data and true when
// it answered: a query that executed without any error. Otherwise it
// returns false and the caller executes the request with graphql-go.
func (e *Engine) Exec(ctx context.Context, doc, operationName string, vars map[string]any) ([]byte, bool) {
	data, err := e.exec(ctx, doc, operationName, vars)
	if err != nil {
		e.left.Add(1)
		return nil, false
	}
	e.answered.Add(1)
	return data, true
}

// Release gives back the data of an answer Exec returned, once the caller
// has written it and holds it nowhere: the next answer is written into
// it, rather than into a new buffer per request (about 10 KB for q6,
// a ninth of what the server allocated per request).
func (e *Engine) Release(data []byte) {
	if c := cap(data); c == 0 || c > maxPooledAnswer {
		return
	}
	b := data[:0]
	e.bufs.Put(&b)
}

// buffer returns an empty buffer of capacity at least n, one Release gave
// back if it is large enough.
func (e *Engine) buffer(n int) []byte {
	if p, ok := e.bufs.Get().(*[]byte); ok && cap(*p) >= n {
		return *p
	}
	return make([]byte, 0, n)
}

// Explain returns why Exec leaves a request to graphql-go, or nil when it
// answers it; for tests and diagnosis.
func (e *Engine) Explain(ctx context.Context, doc, operationName string, vars map[string]any) error {
	_, err := e.exec(ctx, doc, operationName, vars)
	return err
}

func (e *Engine) exec(ctx context.Context, doc, operationName string, vars map[string]any) (data []byte, err error) {
	if len(doc) > e.opts.MaxDocumentBytes {
		return nil, unsupported("document longer than %d bytes", e.opts.MaxDocumentBytes)
	}
	p := e.plan(doc, operationName, vars)
	if p.err != nil {
		return nil, p.err
	}
	vars, err = p.variables(vars)
	if err != nil {
		return nil, err
	}
	set := p.set
	if set == nil {
		if set, err = e.condSet(p, vars); err != nil {
			return nil, err
		}
	}
	r := &run{ctx: ctx, ctxv: reflect.ValueOf(ctx), vars: vars, buf: e.buffer(max(512, int(p.size.Load())*5/4))}
	defer func() {
		if v := recover(); v != nil {
			if a, ok := v.(abort); ok {
				data, err = nil, a.err
				return
			}
			data, err = nil, fmt.Errorf("panic: %v", v)
		}
	}()
	r.object(e.root, set)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.size.Store(int64(len(r.buf)))
	return r.buf, nil
}

// plan returns the compiled operation, compiling it the first time.
func (e *Engine) plan(doc, operationName string, vars map[string]any) *plan {
	k := planKey{doc, operationName}
	e.mu.RLock()
	p := e.plans[k]
	e.mu.RUnlock()
	if p != nil {
		return p
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.plans[k]; p != nil {
		return p
	}
	p = e.compile(doc, operationName, vars)
	if len(e.plans) >= e.opts.MaxDocuments {
		clear(e.plans)
	}
	e.plans[k] = p
	return p
}

// compile validates the document with graphql-go and compiles the
// operation. The variables of the first request are only used to tell
// errors in the document from errors in those variables.
func (e *Engine) compile(src, operationName string, vars map[string]any) *plan {
	for _, qe := range e.gql.ValidateWithVariables(src, vars) {
		if qe.Rule != "VariablesOfCorrectType" {
			return &plan{err: fmt.Errorf("%w: %s", errInvalid, qe.Message)}
		}
	}
	doc, err := parse(src)
	if err != nil {
		return &plan{err: err}
	}
	var op *operation
	for _, o := range doc.ops {
		if (operationName == "" && len(doc.ops) == 1) || (operationName != "" && o.name == operationName) {
			op = o
		}
	}
	if op == nil {
		return &plan{err: fmt.Errorf("%w: operation %q not chosen", errInvalid, operationName)}
	}
	if op.typ != "query" {
		return &plan{err: unsupported("%s operation", op.typ)}
	}
	p := &plan{}
	for _, v := range op.vars {
		t, err := e.inputType(v.typ)
		if err != nil {
			return &plan{err: err}
		}
		p.vars = append(p.vars, &planVar{name: v.name, typ: t, def: v.def})
	}
	qt, _ := e.schema.RootOperationTypes["query"].(*ast.ObjectTypeDefinition)
	if qt == nil {
		return &plan{err: unsupported("no query type")}
	}
	root, err := e.rs.object(qt, e.root.Type())
	if err != nil {
		return &plan{err: err}
	}
	if p.conds = condVars(doc, op.sels); len(p.conds) > 0 {
		if len(p.conds) > maxConds {
			return &plan{err: unsupported("more than %d condition variables", maxConds)}
		}
		p.doc, p.op, p.root, p.sets = doc, op, root, map[uint32]*set{}
		return p
	}
	c := &compiler{rs: e.rs, doc: doc, sets: map[string]*set{}}
	if p.set, err = c.compile(root, op.sels); err != nil {
		return &plan{err: err}
	}
	return p
}

// condSet returns the operation of p compiled for the values vars gives
// its condition variables, compiling it the first time.
func (e *Engine) condSet(p *plan, vars map[string]any) (*set, error) {
	var bits uint32
	conds := make(map[string]bool, len(p.conds))
	for i, name := range p.conds {
		b, ok := vars[name].(bool)
		if !ok {
			return nil, fmt.Errorf("%w: condition variable $%s is not a boolean", errInvalid, name)
		}
		if b {
			bits |= 1 << i
		}
		conds[name] = b
	}
	e.mu.RLock()
	s, ok := p.sets[bits]
	e.mu.RUnlock()
	if !ok {
		e.mu.Lock()
		if s, ok = p.sets[bits]; !ok {
			if len(p.sets) >= maxCondSets {
				e.mu.Unlock()
				return nil, unsupported("more than %d condition combinations", maxCondSets)
			}
			c := &compiler{rs: e.rs, doc: p.doc, conds: conds, sets: map[string]*set{}}
			s, _ = c.compile(p.root, p.op.sels) // nil when it does not compile
			p.sets[bits] = s
		}
		e.mu.Unlock()
	}
	if s == nil {
		return nil, unsupported("operation does not compile for these conditions")
	}
	return s, nil
}

// inputType resolves a variable's type against the schema.
func (e *Engine) inputType(t *typeRef) (ast.Type, error) {
	var out ast.Type
	if t.elem != nil {
		elem, err := e.inputType(t.elem)
		if err != nil {
			return nil, err
		}
		out = &ast.List{OfType: elem}
	} else {
		nt, ok := e.schema.Types[t.name]
		if !ok {
			return nil, unsupported("unknown type %s", t.name)
		}
		out = nt
	}
	if t.nonNull {
		out = &ast.NonNull{OfType: out}
	}
	return out, nil
}

// variables checks a request's variables as graphql-go's validation
// checks them, refusing whatever it is not sure graphql-go accepts, and
// returns them with the operation's defaults for those not given.
func (p *plan) variables(vars map[string]any) (map[string]any, error) {
	var withDefaults map[string]any
	for _, v := range p.vars {
		x, given := vars[v.name]
		if !checkValue(v.typ, x) {
			return nil, fmt.Errorf("%w: variable %s", errInvalid, v.name)
		}
		if !given && v.def != nil {
			d, err := v.def.deserialize(nil)
			if err != nil {
				return nil, err
			}
			if withDefaults == nil {
				withDefaults = make(map[string]any, len(vars)+1)
				for k, x := range vars {
					withDefaults[k] = x
				}
			}
			withDefaults[v.name] = d
		}
	}
	if withDefaults != nil {
		return withDefaults, nil
	}
	return vars, nil
}

// checkValue reports whether graphql-go's validateValue accepts x for
// type t; input objects with @oneOf are refused.
func checkValue(t ast.Type, x any) bool {
	switch t := t.(type) {
	case *ast.NonNull:
		return x != nil && checkValue(t.OfType, x)
	case *ast.List:
		if x == nil {
			return true
		}
		l, ok := x.([]any)
		if !ok {
			return checkValue(t.OfType, x)
		}
		for _, e := range l {
			if !checkValue(t.OfType, e) {
				return false
			}
		}
		return true
	case *ast.EnumTypeDefinition:
		if x == nil {
			return true
		}
		s, ok := x.(string)
		if !ok {
			return false
		}
		for _, v := range t.EnumValuesDefinition {
			if v.EnumValue == s {
				return true
			}
		}
		return false
	case *ast.InputObject:
		if x == nil {
			return true
		}
		m, ok := x.(map[string]any)
		if !ok || t.Directives.Get("oneOf") != nil {
			return false
		}
		for name := range m {
			if t.Values.Get(name) == nil {
				return false
			}
		}
		for _, f := range t.Values {
			if !checkValue(f.Type, m[f.Name.Name]) {
				return false
			}
		}
		return true
	case *ast.ScalarTypeDefinition:
		return true // graphql-go checks scalars when it packs them, as run does
	}
	return false
}

// errInvalid marks requests graphql-go refuses before executing them.
var errInvalid = errors.New("compiled: invalid request")

// IsUnsupported reports whether err says the Engine left a request to
// graphql-go because it does not compile it (rather than because the
// request failed while executing).
func IsUnsupported(err error) bool { return errors.Is(err, errUnsupported) }
