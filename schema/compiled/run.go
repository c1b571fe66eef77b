package compiled

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	"github.com/chipgraph/chipgraph/graph"
)

// Execution: one serial walk of a compiled set over the resolvers,
// writing the answer as it goes. Whatever graphql-go would answer with an
// error (a resolver's error, a panic, null for a non-null field, an
// argument that does not pack, an enum value the schema lacks) stops the
// walk: run panics with an abort, which Exec recovers.

// abort stops an execution the Engine leaves to graphql-go.
type abort struct{ err error }

func (r *run) abort(format string, args ...any) {
	panic(abort{fmt.Errorf(format, args...)})
}

type run struct {
	ctx  context.Context
	ctxv reflect.Value
	vars map[string]any
	buf  []byte
	in   [3]reflect.Value // arguments of one call, reused
}

// object writes the selections s of the resolver rv (not nil).
func (r *run) object(rv reflect.Value, s *set) {
	obj := s.obj
	list := s.lists[len(obj.asserts)]
	var conv reflect.Value // the resolver as the possible type found
	if obj.abstract {
		// Find the possible type, if the items assert one or ask its name.
		found := -1
		for i, a := range obj.asserts {
			if !s.own[i] {
				continue // the items do not assert this type
			}
			if a.direct != nil {
				if p, ok := a.direct(rv.UnsafePointer()); ok {
					found, conv = i, reflect.NewAt(a.elem, p)
					break
				}
				continue
			}
			r.in[0] = rv
			out := a.fn.Call(r.in[:1])
			if out[1].Bool() {
				found, conv = i, out[0]
				break
			}
		}
		if found >= 0 {
			list = s.lists[found]
		} else if s.exact {
			r.abort("%s: no possible type matches", obj.name)
		}
	}
	r.buf = append(r.buf, '{')
	for i, m := range list {
		if i > 0 {
			r.buf = append(r.buf, ',')
		}
		r.buf = append(r.buf, '"')
		r.buf = append(r.buf, m.alias...)
		r.buf = append(r.buf, '"', ':')
		if m.item.kind == itemTypename {
			name := m.typename
			if name == "" {
				r.abort("%s: type unknown for __typename", obj.name)
			}
			r.buf = append(r.buf, '"')
			r.buf = append(r.buf, name...)
			r.buf = append(r.buf, '"')
			continue
		}
		res := rv
		if m.via != nil {
			res = conv
		}
		if f := m.item.field; f.direct.kind > callPointer {
			r.direct(res, f, m.sub)
			continue
		}
		r.value(r.resolve(res, m.item), m.item.field.out, m.sub)
	}
	r.buf = append(r.buf, '}')
}

// direct writes the value of field f of rv, called without reflection
// (direct.go); s is the set its objects select.
func (r *run) direct(rv reflect.Value, f *fieldDef, s *set) {
	if err := r.ctx.Err(); err != nil {
		r.abort("%v", err)
	}
	recv := rv.UnsafePointer()
	switch f.direct.kind {
	case callString:
		v := f.direct.str(recv)
		if f.out.kind == outEnum {
			r.enum(f.out, v)
		} else {
			r.buf = graph.AppendJSONString(r.buf, v)
		}
	case callInt32:
		r.buf = strconv.AppendInt(r.buf, int64(f.direct.i32(recv)), 10)
	case callBool:
		r.buf = strconv.AppendBool(r.buf, f.direct.b(recv))
	case callPointers:
		r.buf = append(r.buf, '[')
		for i, p := range f.direct.ptrs(recv) {
			if i > 0 {
				r.buf = append(r.buf, ',')
			}
			r.value(reflect.NewAt(f.direct.elem, p), f.out.elem, s)
		}
		r.buf = append(r.buf, ']')
	}
}

// resolve calls the method or reads the struct field of item it on rv.
func (r *run) resolve(rv reflect.Value, it *item) reflect.Value {
	f := it.field
	if f.method < 0 {
		if rv.Kind() == reflect.Pointer {
			rv = rv.Elem()
		}
		return rv.FieldByIndex(f.index)
	}
	if err := r.ctx.Err(); err != nil {
		r.abort("%v", err)
	}
	if f.direct.kind == callPointer {
		return reflect.NewAt(f.direct.elem, f.direct.ptr(rv.UnsafePointer()))
	}
	in := append(r.in[:0], rv)
	if f.hasCtx {
		in = append(in, r.ctxv)
	}
	if it.args != nil {
		a := it.args.packed
		if !a.IsValid() {
			values, err := deserializeArgs(it.args.args, r.vars)
			if err != nil {
				panic(abort{err})
			}
			if a, err = it.args.packer.packMap(values); err != nil {
				panic(abort{err})
			}
		}
		in = append(in, a)
	}
	// Calling the method's function with the receiver first costs one
	// allocation less than calling the method value (reflect allocates
	// the method's code pointer for a method value).
	out := f.fn.Call(in)
	if f.hasErr && !out[1].IsNil() {
		panic(abort{out[1].Interface().(error)})
	}
	return out[0]
}

// value writes rv, a value of output o; s is the set its objects select.
func (r *run) value(rv reflect.Value, o *output, s *set) {
	if !rv.IsValid() || ((rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && rv.IsNil()) {
		if o.nonNull {
			r.abort("null for non-null %s", o.astType)
		}
		r.buf = append(r.buf, "null"...)
		return
	}
	if o.kind == outObject {
		r.object(rv, s)
		return
	}
	ptr := rv // a pointer to a struct scalar, for run.marshaler
	if rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		rv = rv.Elem()
	}
	switch o.kind {
	case outList:
		n := rv.Len()
		r.buf = append(r.buf, '[')
		for i := range n {
			if i > 0 {
				r.buf = append(r.buf, ',')
			}
			r.value(rv.Index(i), o.elem, s)
		}
		r.buf = append(r.buf, ']')
	case outScalar:
		switch o.scalar {
		case scalarString:
			r.buf = graph.AppendJSONString(r.buf, rv.String())
		case scalarInt32:
			r.buf = strconv.AppendInt(r.buf, rv.Int(), 10)
		case scalarBool:
			r.buf = strconv.AppendBool(r.buf, rv.Bool())
		case scalarMarshaler:
			if ptr.Kind() == reflect.Pointer && r.marshaler(ptr.Interface().(json.Marshaler)) {
				break
			}
			fallthrough
		default:
			b, err := json.Marshal(rv.Interface())
			if err != nil {
				panic(abort{err})
			}
			r.buf = append(r.buf, b...)
		}
	case outEnum:
		var name string
		if st, ok := rv.Interface().(fmt.Stringer); ok {
			name = st.String()
		} else {
			name = rv.String()
		}
		r.enum(o, name)
	}
}

// enum writes name, a value of the enum o.
func (r *run) enum(o *output, name string) {
	if !o.enum[name] {
		r.abort("invalid enum value %s", name)
	}
	r.buf = append(r.buf, '"')
	r.buf = append(r.buf, name...)
	r.buf = append(r.buf, '"')
}

// marshaler appends the JSON of m, a pointer to a struct scalar whose
// value implements json.Marshaler, when it is what json.Marshal of the
// struct writes: valid JSON from MarshalJSON that json.Marshal has nothing
// to compact or escape (no whitespace, no <, > or &, no U+2028 or U+2029).
// It reports false, having appended nothing, otherwise. Calling
// MarshalJSON through the pointer spares json.Marshal's copy of the value
// into an interface and its own work (in process, scale 0.05: q3 99 ->
// 89 allocs/op with Date.MarshalJSON, medians of 3).
func (r *run) marshaler(m json.Marshaler) bool {
	b, err := m.MarshalJSON()
	if err != nil || !json.Valid(b) {
		return false
	}
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r', '<', '>', '&', 0xe2: // 0xe2 starts U+2028 and U+2029
			return false
		}
	}
	r.buf = append(r.buf, b...)
	return true
}
