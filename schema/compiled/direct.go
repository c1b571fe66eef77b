package compiled

import (
	"reflect"
	"unsafe"
)

// Direct calls: a resolver method on a pointer receiver that takes
// nothing else and returns one pointer, string, int32, bool or slice of
// pointers (or a pointer and a bool: a To<Type> assertion) is called as a
// Go function rather than through reflect.Value.Call. Call allocates the
// slice of results on every call, and a copy of every result that is not
// a pointer (in process, scale 0.05: 137 of q6's 337 allocations per
// request); a direct call allocates nothing.
//
// The method's function, which takes the receiver first, is stored into a
// variable of a function type that has unsafe.Pointer for the receiver
// and for every pointer in the results. Both types take and return the
// same machine words in the same places (a pointer, a string's two words,
// a slice's three), and the garbage collector sees pointers in both, so
// the call is the method's own.

// directKind says how a field's method is called.
type directKind uint8

const (
	callReflect  directKind = iota // reflect.Value.Call
	callPointer                    // func(*T) *U
	callString                     // func(*T) string
	callInt32                      // func(*T) int32
	callBool                       // func(*T) bool
	callPointers                   // func(*T) []*U
)

// direct is a method called without reflection (kind is not callReflect):
// the function of its kind is set.
type direct struct {
	kind directKind
	elem reflect.Type // callPointer, callPointers: U
	ptr  func(unsafe.Pointer) unsafe.Pointer
	str  func(unsafe.Pointer) string
	i32  func(unsafe.Pointer) int32
	b    func(unsafe.Pointer) bool
	ptrs func(unsafe.Pointer) []unsafe.Pointer
}

var (
	stringType = reflect.TypeFor[string]()
	int32Type  = reflect.TypeFor[int32]()
	boolType   = reflect.TypeFor[bool]()
)

// newDirect returns how to call fn, a method's function of type
// func(recv) out with the receiver first; callReflect unless recv is a
// pointer and out one of the types direct calls return.
func newDirect(fn reflect.Value, recv, out reflect.Type) direct {
	if recv.Kind() != reflect.Pointer {
		return direct{}
	}
	var d direct
	switch {
	case out.Kind() == reflect.Pointer:
		d = direct{kind: callPointer, elem: out.Elem()}
		setFunc(&d.ptr, fn)
	case out == stringType:
		d.kind = callString
		setFunc(&d.str, fn)
	case out == int32Type:
		d.kind = callInt32
		setFunc(&d.i32, fn)
	case out == boolType:
		d.kind = callBool
		setFunc(&d.b, fn)
	case out.Kind() == reflect.Slice && out.Elem().Kind() == reflect.Pointer:
		d = direct{kind: callPointers, elem: out.Elem().Elem()}
		setFunc(&d.ptrs, fn)
	}
	return d
}

// assertFunc returns fn, a To<Type> method's function of type
// func(recv) (*U, bool), as a direct call; nil unless recv is a pointer.
func assertFunc(fn reflect.Value, recv reflect.Type) func(unsafe.Pointer) (unsafe.Pointer, bool) {
	if recv.Kind() != reflect.Pointer || fn.Type().Out(0).Kind() != reflect.Pointer {
		return nil
	}
	var f func(unsafe.Pointer) (unsafe.Pointer, bool)
	setFunc(&f, fn)
	return f
}

// setFunc stores the function fn into *dst, a function variable of
// another type taking and returning the same words.
func setFunc[F any](dst *F, fn reflect.Value) {
	reflect.NewAt(fn.Type(), unsafe.Pointer(dst)).Elem().Set(fn)
}

// writes reports whether run.direct writes values of o from d's calls as
// run.value would write the reflected result.
func (d direct) writes(o *output) bool {
	switch d.kind {
	case callPointer:
		return true // the result goes to run.value
	case callString:
		return (o.kind == outScalar && o.scalar == scalarString) || o.kind == outEnum
	case callInt32:
		return o.kind == outScalar && o.scalar == scalarInt32
	case callBool:
		return o.kind == outScalar && o.scalar == scalarBool
	case callPointers:
		return o.kind == outList
	}
	return false
}
