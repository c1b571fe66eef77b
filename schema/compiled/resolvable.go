package compiled

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"unsafe"

	"github.com/graph-gophers/graphql-go/ast"
	"github.com/graph-gophers/graphql-go/decode"
)

// Resolvers: which Go method or struct field answers a schema field on a
// resolver type, found as graphql-go finds them (names compared without
// case and underscores; with field resolvers on, exported struct fields by
// name or `graphql` tag when there is no method). graphql-go has already
// checked at schema build time that every field has exactly one; this
// lookup only repeats its choice.

var (
	contextType   = reflect.TypeFor[context.Context]()
	errorType     = reflect.TypeFor[error]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
)

// object is a schema object, interface or union type answered by one Go
// resolver type.
type object struct {
	name     string
	goType   reflect.Type
	abstract bool                 // interface or union
	def      ast.NamedType        // its definition
	fields   map[string]*fieldDef // by name
	ifaces   map[string]bool      // interfaces an object type implements
	asserts  []*assertion         // abstract: conversions to its possible types, in schema order
	byName   map[string]*assertion
	builtErr error
}

// assertion converts an abstract type's resolver to one of its possible
// types: the resolver's To<Type> method.
type assertion struct {
	typeName string
	fn       reflect.Value // the method as a function taking the receiver
	obj      *object
	// direct is fn called without reflection (direct.go), nil if it
	// cannot be; it returns a *elem.
	direct func(unsafe.Pointer) (unsafe.Pointer, bool)
	elem   reflect.Type
}

// fieldDef answers one schema field on a resolver type.
type fieldDef struct {
	method int           // method index on the resolver type; -1 for a struct field
	fn     reflect.Value // the method as a function taking the receiver first
	index  []int         // struct field index
	hasCtx bool
	hasErr bool
	args   *structPacker // nil: the field has no arguments
	out    *output       // how its value is written
	direct direct        // how the method is called (direct.go)
}

// output writes a value of a schema type held in a Go type.
type output struct {
	kind    outKind
	nonNull bool
	obj     *object         // object-like types
	elem    *output         // lists
	enum    map[string]bool // enums: their values
	scalar  scalarKind      // scalars
	astType ast.Type        // the schema type
}

type outKind uint8

const (
	outObject outKind = iota
	outList
	outScalar
	outEnum
)

type scalarKind uint8

const (
	scalarMarshal   scalarKind = iota // encoding/json
	scalarMarshaler                   // a struct implementing json.Marshaler (run.marshaler)
	scalarString                      // a Go string
	scalarInt32
	scalarBool
)

// resolvers builds and keeps the objects and outputs of one schema and
// root resolver. It is used under the Engine's lock while compiling.
type resolvers struct {
	schema  *ast.Schema
	fieldRs bool // graphql-go's UseFieldResolvers
	objs    map[objKey]*object
	outs    map[outKey]*output
	packers *packers
}

type objKey struct {
	name string
	t    reflect.Type
}

type outKey struct {
	t  ast.Type
	gt reflect.Type
}

func newResolvers(s *ast.Schema, fieldResolvers bool) *resolvers {
	return &resolvers{schema: s, fieldRs: fieldResolvers, objs: map[objKey]*object{}, outs: map[outKey]*output{}, packers: newPackers()}
}

// object returns the object for schema type t (an object, interface or
// union definition) answered by Go type gt.
func (rs *resolvers) object(t ast.NamedType, gt reflect.Type) (*object, error) {
	k := objKey{t.TypeName(), gt}
	if o, ok := rs.objs[k]; ok {
		return o, o.builtErr
	}
	o := &object{name: t.TypeName(), goType: gt, def: t, fields: map[string]*fieldDef{}, byName: map[string]*assertion{}}
	rs.objs[k] = o
	o.builtErr = rs.build(o)
	return o, o.builtErr
}

func (rs *resolvers) build(o *object) error {
	if o.goType.Kind() == reflect.Interface {
		return unsupported("resolver type %s is an interface", o.goType)
	}
	var possible []*ast.ObjectTypeDefinition
	switch t := o.def.(type) {
	case *ast.ObjectTypeDefinition:
		o.ifaces = map[string]bool{}
		for _, i := range t.Interfaces {
			o.ifaces[i.Name] = true
		}
	case *ast.InterfaceTypeDefinition:
		o.abstract = true
		possible = t.PossibleTypes
	case *ast.Union:
		o.abstract = true
		possible = t.UnionMemberTypes
	default:
		return unsupported("type %s is not an object", o.name)
	}
	for _, p := range possible {
		m := findMethod(o.goType, "To"+p.Name)
		if m < 0 {
			return unsupported("%s has no To%s", o.goType, p.Name)
		}
		mt := o.goType.Method(m).Type
		if mt.NumIn() != 1 || mt.NumOut() != 2 || mt.Out(1).Kind() != reflect.Bool {
			return unsupported("%s.To%s has an unexpected signature", o.goType, p.Name)
		}
		a := &assertion{typeName: p.Name, fn: o.goType.Method(m).Func}
		if a.direct = assertFunc(a.fn, o.goType); a.direct != nil {
			a.elem = mt.Out(0).Elem()
		}
		o.asserts = append(o.asserts, a)
		o.byName[p.Name] = a
	}
	for _, a := range o.asserts {
		impl, _ := rs.schema.Types[a.typeName].(*ast.ObjectTypeDefinition)
		if impl == nil {
			return unsupported("possible type %s is not an object", a.typeName)
		}
		obj, err := rs.object(impl, a.fn.Type().Out(0))
		if err != nil {
			return err
		}
		a.obj = obj
	}
	return nil
}

// field returns the fieldDef of o's field name.
func (rs *resolvers) field(o *object, name string) (*fieldDef, error) {
	if f, ok := o.fields[name]; ok {
		return f, nil
	}
	var defs ast.FieldsDefinition
	switch t := o.def.(type) {
	case *ast.ObjectTypeDefinition:
		defs = t.Fields
	case *ast.InterfaceTypeDefinition:
		defs = t.Fields
	}
	fd := defs.Get(name)
	if fd == nil {
		return nil, unsupported("%s has no field %s", o.name, name)
	}
	if o.abstract {
		// graphql-go resolves such a field through the possible type when
		// the possible type's field takes arguments the interface's does
		// not; leave those to it.
		if t, ok := o.def.(*ast.InterfaceTypeDefinition); ok {
			for _, p := range t.PossibleTypes {
				if pf := p.Fields.Get(name); pf != nil {
					for _, a := range pf.Arguments {
						if fd.Arguments.Get(a.Name.Name) == nil {
							return nil, unsupported("%s.%s has implementation arguments", o.name, name)
						}
					}
				}
			}
		}
	}
	f := &fieldDef{method: findMethod(o.goType, name)}
	var mt reflect.Type
	var out reflect.Type
	if f.method >= 0 {
		mt = o.goType.Method(f.method).Type
		f.fn = o.goType.Method(f.method).Func
	} else {
		if !rs.fieldRs {
			return nil, unsupported("%s has no method for %s", o.goType, name)
		}
		st := o.goType
		if st.Kind() == reflect.Pointer {
			st = st.Elem()
		}
		if st.Kind() != reflect.Struct {
			return nil, unsupported("%s has no method for %s", o.goType, name)
		}
		f.index = findField(st, name, nil, tagCount(st, map[string]int{}))
		if len(f.index) == 0 {
			return nil, unsupported("%s has no method or field for %s", o.goType, name)
		}
		sf := st.FieldByIndex(f.index)
		if sf.Type.Kind() == reflect.Func {
			return nil, unsupported("func-valued struct field %s", sf.Name)
		}
		out = sf.Type
	}
	if mt != nil {
		in := make([]reflect.Type, 0, mt.NumIn())
		for i := 1; i < mt.NumIn(); i++ { // after the receiver
			in = append(in, mt.In(i))
		}
		if len(in) > 0 && in[0] == contextType {
			f.hasCtx = true
			in = in[1:]
		}
		if len(fd.Arguments) > 0 {
			if len(in) == 0 {
				return nil, unsupported("%s.%s takes no arguments struct", o.goType, name)
			}
			p, err := rs.packers.structPacker(fd.Arguments, in[0])
			if err != nil {
				return nil, err
			}
			f.args = p
			in = in[1:]
		}
		if len(in) > 0 || mt.NumOut() < 1 || mt.NumOut() > 2 {
			return nil, unsupported("%s.%s has an unexpected signature", o.goType, name)
		}
		if mt.NumOut() == 2 {
			if mt.Out(1) != errorType {
				return nil, unsupported("%s.%s has an unexpected signature", o.goType, name)
			}
			f.hasErr = true
		}
		out = mt.Out(0)
	}
	o.fields[name] = f
	var err error
	f.out, err = rs.output(fd.Type, out)
	if err != nil {
		delete(o.fields, name)
		return nil, err
	}
	if f.method >= 0 && !f.hasCtx && f.args == nil && !f.hasErr {
		if d := newDirect(f.fn, o.goType, out); d.writes(f.out) {
			f.direct = d
		}
	}
	return f, nil
}

// output returns how a value of schema type t held in Go type gt is
// written, checked as graphql-go's makeExec checks it.
func (rs *resolvers) output(t ast.Type, gt reflect.Type) (*output, error) {
	k := outKey{t, gt}
	if o, ok := rs.outs[k]; ok {
		return o, nil
	}
	o := &output{astType: t}
	inner := t
	if nn, ok := t.(*ast.NonNull); ok {
		o.nonNull, inner = true, nn.OfType
	}
	switch it := inner.(type) {
	case *ast.ObjectTypeDefinition, *ast.InterfaceTypeDefinition, *ast.Union:
		if !o.nonNull && gt.Kind() != reflect.Pointer && gt.Kind() != reflect.Interface {
			return nil, unsupported("%s is not a pointer", gt)
		}
		o.kind = outObject
		obj, err := rs.object(it.(ast.NamedType), gt)
		if err != nil {
			return nil, err
		}
		o.obj = obj
		rs.outs[k] = o
		return o, nil
	}
	leaf := gt
	if !o.nonNull {
		if gt.Kind() != reflect.Pointer {
			return nil, unsupported("%s is not a pointer", gt)
		}
		leaf = gt.Elem()
	}
	switch it := inner.(type) {
	case *ast.ScalarTypeDefinition:
		o.kind = outScalar
		if !implementsScalar(it, leaf) {
			return nil, unsupported("cannot use %s as %s", leaf, it.Name)
		}
		o.scalar = scalarMarshal
		if leaf.Kind() == reflect.Struct && leaf.Implements(marshalerType) {
			o.scalar = scalarMarshaler
		}
		switch leaf {
		case reflect.TypeFor[string]():
			o.scalar = scalarString
		case reflect.TypeFor[int32]():
			o.scalar = scalarInt32
		case reflect.TypeFor[bool]():
			o.scalar = scalarBool
		}
	case *ast.EnumTypeDefinition:
		o.kind = outEnum
		o.enum = map[string]bool{}
		for _, v := range it.EnumValuesDefinition {
			o.enum[v.EnumValue] = true
		}
	case *ast.List:
		if leaf.Kind() != reflect.Slice {
			return nil, unsupported("%s is not a slice", leaf)
		}
		o.kind = outList
		rs.outs[k] = o // lists of lists of the same pair are fine: elem differs
		e, err := rs.output(it.OfType, leaf.Elem())
		if err != nil {
			delete(rs.outs, k)
			return nil, err
		}
		o.elem = e
		return o, nil
	default:
		return nil, unsupported("output type %s", inner)
	}
	rs.outs[k] = o
	return o, nil
}

func implementsScalar(t *ast.ScalarTypeDefinition, gt reflect.Type) bool {
	switch r := reflect.New(gt).Interface().(type) {
	case *int32:
		return t.Name == "Int"
	case *float64:
		return t.Name == "Float"
	case *string:
		return t.Name == "String"
	case *bool:
		return t.Name == "Boolean"
	case decode.Unmarshaler:
		return r.ImplementsGraphQLType(t.Name)
	}
	return false
}

func stripUnderscore(s string) string { return strings.ReplaceAll(s, "_", "") }

// findMethod is graphql-go's: the first method whose name equals name,
// ignoring case and underscores.
func findMethod(t reflect.Type, name string) int {
	for i := 0; i < t.NumMethod(); i++ {
		if strings.EqualFold(stripUnderscore(name), stripUnderscore(t.Method(i).Name)) {
			return i
		}
	}
	return -1
}

// findField is graphql-go's field lookup: a `graphql` tag equal to name
// wins; otherwise the first field whose name equals name ignoring case
// and underscores, looking into embedded structs.
func findField(t reflect.Type, name string, index []int, tags map[string]int) []int {
	for i := 0; i < t.NumField(); i++ {
		field := t.Field(i)
		if field.Type.Kind() == reflect.Struct && field.Anonymous {
			if sub := findField(field.Type, name, []int{i}, tags); len(sub) > 1 {
				return append(index, sub...)
			}
		}
		if gt, ok := field.Tag.Lookup("graphql"); ok && gt == name {
			return append(index, i)
		}
		if tags[name] > 0 {
			continue
		}
		if strings.EqualFold(stripUnderscore(name), stripUnderscore(field.Name)) {
			return append(index, i)
		}
	}
	return index
}

// tagCount counts the `graphql` tags of t's fields (embedded ones too).
func tagCount(t reflect.Type, count map[string]int) map[string]int {
	for i := 0; i < t.NumField(); i++ {
		field := t.Field(i)
		if field.Type.Kind() == reflect.Struct && field.Anonymous {
			tagCount(field.Type, count)
			continue
		}
		if gt, ok := field.Tag.Lookup("graphql"); ok && gt != "" {
			count[gt]++
		}
	}
	return count
}
