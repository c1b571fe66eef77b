package schema

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// hasTaggedField reports whether struct type t has an exported field
// tagged graphql:name, itself or in an embedded struct (as graph-gophers
// looks for it).
func hasTaggedField(t reflect.Type, name string) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && f.Tag.Get("graphql") == name {
			return true
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct && hasTaggedField(f.Type, name) {
			return true
		}
	}
	return false
}

// TestLoadedFieldsAreSynchronous checks that the fields under a page of
// records take no context and return no error: graph-gophers would
// otherwise run their selection sets in a goroutine per field (see
// loaded.go). A field may also be a struct field with a graphql tag, read
// without a call (sourceResolver).
func TestLoadedFieldsAreSynchronous(t *testing.T) {
	for _, tc := range []struct {
		typ     any
		methods []string
	}{
		{(*statementConnection)(nil), []string{"Edges", "Nodes", "TotalCount", "PageInfo"}},
		{(*statementEdge)(nil), []string{"Cursor", "Node"}},
		{(*loadedStatement)(nil), []string{"key", "Subject", "predicate", "Object", "References", "Rank", "Current"}},
		{(*loadedValue)(nil), []string{"Type", "Entity", "Display", "Amount", "Unit", "Date"}},
		{(*referenceResolver)(nil), []string{"source", "quote", "verified", "ImportedFrom", "Locator"}},
		{(*sourceResolver)(nil), []string{"key", "title", "url"}},
		{(*relationConnection)(nil), []string{"Edges", "Nodes", "TotalCount", "PageInfo"}},
		{(*relationResolver)(nil), []string{"Cursor", "Node", "Statement", "References"}},
		{(*graphEdgeResolver)(nil), []string{"From", "To", "Predicate", "Statement", "References"}},
		{(*hopResolver)(nil), []string{"From", "To", "Forward", "Predicate", "Statement", "References"}},
		{(*claimConnection)(nil), []string{"Edges", "Nodes", "TotalCount", "PageInfo"}},
		{(*claimEdge)(nil), []string{"Cursor", "Node"}},
		{(*loadedClaim)(nil), []string{"key", "text", "Claimant", "Source", "Reference", "quote", "Stated", "modality"}},
	} {
		typ := reflect.TypeOf(tc.typ)
		for _, name := range tc.methods {
			if name[0] >= 'a' && name[0] <= 'z' { // a struct field
				if !hasTaggedField(typ.Elem(), name) {
					t.Errorf("%v has no field tagged graphql:%q", typ, name)
				}
				for i := range typ.NumMethod() {
					if m := typ.Method(i).Name; strings.EqualFold(m, name) {
						t.Errorf("%v has a method %s: graph-gophers calls it, not the field", typ, m)
					}
				}
				continue
			}
			m, ok := typ.MethodByName(name)
			if !ok {
				t.Errorf("%v has no method %s", typ, name)
				continue
			}
			// In(0) is the receiver.
			if got := m.Type.NumIn() - 1; got != 0 {
				t.Errorf("%v.%s takes %d arguments, want none", typ, name, got)
			}
			if got := m.Type.NumOut(); got != 1 {
				t.Errorf("%v.%s returns %d values, want 1 (no error)", typ, name, got)
			}
		}
	}
}

// fieldResolverTypes are the resolvers with fields graph-gophers reads
// directly, with the function that builds them.
var fieldResolverTypes = map[string]bool{
	"sourceResolver": true, "referenceResolver": true, "statementResolver": true, "claimResolver": true,
	"entityResolver": true, "predicateResolver": true,
}

// fieldResolverBuilders are the functions allowed to build them.
var fieldResolverBuilders = map[string]bool{"init": true, "entity": true, "predicateResolvers": true}

// TestFieldResolversBuiltByInit checks that the resolvers with fields
// graph-gophers reads directly are built only by the functions that set
// those fields: a composite literal elsewhere would answer "" or null.
func TestFieldResolversBuiltByInit(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		// predicateResolvers is a package variable built by a function
		// literal: its literals are checked by hand (NameF is set there).
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil || fieldResolverBuilders[fn.Name.Name] {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				lit, ok := n.(*ast.CompositeLit)
				if !ok {
					return true
				}
				if id, ok := lit.Type.(*ast.Ident); ok && fieldResolverTypes[id.Name] {
					t.Errorf("%s: %s{...} in %s; use its init (or r.entity)", fset.Position(lit.Pos()), id.Name, fn.Name.Name)
				}
				return true
			})
		}
	}
}
