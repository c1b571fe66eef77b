package compiled

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"

	"github.com/graph-gophers/graphql-go/ast"
	"github.com/graph-gophers/graphql-go/decode"
)

// Argument packing, as graphql-go's packer does it: an arguments struct
// (or input object) gets its fields by name, ignoring case and
// underscores, from the argument values, and the schema's defaults for
// those not given; a nullable argument is a pointer, nil when absent or
// null; a list is a slice (a single value becomes a list of one); a type
// with UnmarshalGraphQL unmarshals itself; Int, Float, String, Boolean and
// enums convert as graphql-go's UnmarshalInput converts them. A value
// graphql-go would refuse is refused here too, and the request is left to
// graphql-go, which reports it.

type packer interface {
	pack(v any) (reflect.Value, error)
}

// packers builds packers once per schema type and Go type.
type packers struct {
	m map[outKey]*packerRef
}

// packerRef lets packers of recursive input types refer to each other.
type packerRef struct{ p packer }

func (r *packerRef) pack(v any) (reflect.Value, error) { return r.p.pack(v) }

func newPackers() *packers { return &packers{m: map[outKey]*packerRef{}} }

func (ps *packers) get(t ast.Type, gt reflect.Type) (*packerRef, error) {
	k := outKey{t, gt}
	if r, ok := ps.m[k]; ok {
		return r, nil
	}
	r := &packerRef{}
	ps.m[k] = r
	p, err := ps.make(t, gt)
	if err != nil {
		delete(ps.m, k)
		return nil, err
	}
	r.p = p
	return r, nil
}

func (ps *packers) make(t ast.Type, gt reflect.Type) (packer, error) {
	inner := t
	nn, nonNull := t.(*ast.NonNull)
	if nonNull {
		inner = nn.OfType
	}
	if !nonNull {
		if gt.Kind() != reflect.Pointer {
			return nil, unsupported("argument type %s is not a pointer", gt)
		}
		elemType, addPtr := gt.Elem(), true
		if _, ok := inner.(*ast.InputObject); ok {
			elemType, addPtr = gt, false
		}
		elem, err := ps.nonNull(inner, elemType)
		if err != nil {
			return nil, err
		}
		return &nullPacker{elem: elem, valueType: gt, addPtr: addPtr}, nil
	}
	return ps.nonNull(inner, gt)
}

func (ps *packers) nonNull(t ast.Type, gt reflect.Type) (packer, error) {
	if isNullable(gt) {
		return nil, unsupported("nullable argument type %s", gt)
	}
	if u, ok := reflect.New(gt).Interface().(decode.Unmarshaler); ok {
		if !u.ImplementsGraphQLType(t.String()) {
			return nil, unsupported("cannot unmarshal %s into %s", t, gt)
		}
		return &unmarshalerPacker{valueType: gt}, nil
	}
	switch t := t.(type) {
	case *ast.ScalarTypeDefinition:
		return &valuePacker{valueType: gt}, nil
	case *ast.EnumTypeDefinition:
		if gt.Kind() != reflect.String {
			return nil, unsupported("enum argument type %s", gt)
		}
		return &valuePacker{valueType: gt}, nil
	case *ast.InputObject:
		return ps.structPacker(t.Values, gt)
	case *ast.List:
		if gt.Kind() != reflect.Slice {
			return nil, unsupported("list argument type %s", gt)
		}
		elem, err := ps.get(t.OfType, gt.Elem())
		if err != nil {
			return nil, err
		}
		return &listPacker{sliceType: gt, elem: elem}, nil
	}
	return nil, unsupported("argument type %s", t)
}

// structPacker packs an arguments struct or an input object.
type structPacker struct {
	structType reflect.Type
	usePtr     bool
	fields     []*structField

	once     sync.Once
	defaults reflect.Value // the struct with every default set
	defErr   error
}

type structField struct {
	name   string
	index  []int
	def    ast.Value
	packer packer
}

func (ps *packers) structPacker(values ast.ArgumentsDefinition, t reflect.Type) (*structPacker, error) {
	st, usePtr := t, false
	if t.Kind() == reflect.Pointer {
		st, usePtr = t.Elem(), true
	}
	if st.Kind() != reflect.Struct {
		return nil, unsupported("arguments type %s is not a struct", t)
	}
	p := &structPacker{structType: st, usePtr: usePtr}
	for _, v := range values {
		name := v.Name.Name
		sf, ok := st.FieldByNameFunc(func(n string) bool {
			return strings.EqualFold(stripUnderscore(n), stripUnderscore(name))
		})
		if !ok || sf.PkgPath != "" {
			return nil, unsupported("%s has no exported field %s", st, name)
		}
		ft := v.Type
		if v.Default != nil {
			if nn, ok := ft.(*ast.NonNull); ok {
				ft = nn.OfType
			}
			ft = &ast.NonNull{OfType: ft}
		}
		fp, err := ps.get(ft, sf.Type)
		if err != nil {
			return nil, err
		}
		p.fields = append(p.fields, &structField{name: name, index: sf.Index, def: v.Default, packer: fp})
	}
	return p, nil
}

// defaultStruct returns the struct holding every field's default.
func (p *structPacker) defaultStruct() (reflect.Value, error) {
	p.once.Do(func() {
		p.defaults = reflect.New(p.structType).Elem()
		for _, f := range p.fields {
			if f.def == nil {
				continue
			}
			v, err := f.packer.pack(f.def.Deserialize(nil))
			if err != nil {
				p.defErr = err
				return
			}
			p.defaults.FieldByIndex(f.index).Set(v)
		}
	})
	return p.defaults, p.defErr
}

func (p *structPacker) pack(value any) (reflect.Value, error) {
	if value == nil {
		return reflect.Value{}, fmt.Errorf("got null for input object")
	}
	values, ok := value.(map[string]any)
	if !ok {
		return reflect.Value{}, fmt.Errorf("input object is a %T", value)
	}
	return p.packMap(values)
}

// packMap packs the arguments in values (nil for none).
func (p *structPacker) packMap(values map[string]any) (reflect.Value, error) {
	def, err := p.defaultStruct()
	if err != nil {
		return reflect.Value{}, err
	}
	v := reflect.New(p.structType)
	v.Elem().Set(def)
	for _, f := range p.fields {
		if x, ok := values[f.name]; ok {
			packed, err := f.packer.pack(x)
			if err != nil {
				return reflect.Value{}, err
			}
			v.Elem().FieldByIndex(f.index).Set(packed)
		}
	}
	if !p.usePtr {
		return v.Elem(), nil
	}
	return v, nil
}

type listPacker struct {
	sliceType reflect.Type
	elem      packer
}

func (p *listPacker) pack(value any) (reflect.Value, error) {
	list, ok := value.([]any)
	if !ok {
		list = []any{value}
	}
	v := reflect.MakeSlice(p.sliceType, len(list), len(list))
	for i := range list {
		packed, err := p.elem.pack(list[i])
		if err != nil {
			return reflect.Value{}, err
		}
		v.Index(i).Set(packed)
	}
	return v, nil
}

type nullPacker struct {
	elem      packer
	valueType reflect.Type
	addPtr    bool
}

func (p *nullPacker) pack(value any) (reflect.Value, error) {
	if value == nil {
		return reflect.Zero(p.valueType), nil
	}
	v, err := p.elem.pack(value)
	if err != nil {
		return reflect.Value{}, err
	}
	if p.addPtr {
		ptr := reflect.New(p.valueType.Elem())
		ptr.Elem().Set(v)
		return ptr, nil
	}
	return v, nil
}

type valuePacker struct{ valueType reflect.Type }

func (p *valuePacker) pack(value any) (reflect.Value, error) {
	if value == nil {
		return reflect.Value{}, fmt.Errorf("got null for non-null")
	}
	coerced, err := unmarshalInput(p.valueType, value)
	if err != nil {
		return reflect.Value{}, err
	}
	return reflect.ValueOf(coerced), nil
}

type unmarshalerPacker struct{ valueType reflect.Type }

func (p *unmarshalerPacker) pack(value any) (reflect.Value, error) {
	if value == nil {
		return reflect.Value{}, fmt.Errorf("got null for non-null")
	}
	v := reflect.New(p.valueType)
	if err := v.Interface().(decode.Unmarshaler).UnmarshalGraphQL(value); err != nil {
		return reflect.Value{}, err
	}
	return v.Elem(), nil
}

// unmarshalInput is graphql-go's UnmarshalInput.
func unmarshalInput(typ reflect.Type, input any) (any, error) {
	if reflect.TypeOf(input) == typ {
		return input, nil
	}
	switch typ.Kind() {
	case reflect.Int32:
		switch input := input.(type) {
		case int:
			if input >= math.MinInt32 && input <= math.MaxInt32 {
				return int32(input), nil
			}
		case int64:
			if input >= math.MinInt32 && input <= math.MaxInt32 {
				return int32(input), nil
			}
		case float64:
			if input >= math.MinInt32 && input <= math.MaxInt32 && math.Trunc(input) == input {
				return int32(input), nil
			}
		}
	case reflect.Float64:
		switch input := input.(type) {
		case int32:
			return float64(input), nil
		case int:
			return float64(input), nil
		case int64:
			return float64(input), nil
		}
	case reflect.String:
		if t := reflect.TypeOf(input); t != nil && t.ConvertibleTo(typ) {
			return reflect.ValueOf(input).Convert(typ).Interface(), nil
		}
	}
	return nil, fmt.Errorf("incompatible type %T for %s", input, typ)
}

// nullUnmarshaler is graphql-go's NullUnmarshaller: a type that takes
// null itself (graphql.NullString and its kin).
type nullUnmarshaler interface {
	decode.Unmarshaler
	Nullable()
}

func isNullable(t reflect.Type) bool {
	_, ok := reflect.New(t).Interface().(nullUnmarshaler)
	return ok
}
