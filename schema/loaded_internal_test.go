package schema

import (
	"reflect"
	"testing"
)

// TestLoadedFieldsAreSynchronous checks that the fields under a page of
// records take no context and return no error: graph-gophers would
// otherwise run their selection sets in a goroutine per field (see
// loaded.go).
func TestLoadedFieldsAreSynchronous(t *testing.T) {
	for _, tc := range []struct {
		typ     any
		methods []string
	}{
		{(*statementConnection)(nil), []string{"Edges", "Nodes", "TotalCount", "PageInfo"}},
		{(*statementEdge)(nil), []string{"Cursor", "Node"}},
		{(*loadedStatement)(nil), []string{"Key", "Subject", "Predicate", "Object", "References", "Rank", "Current"}},
		{(*loadedValue)(nil), []string{"Type", "Entity", "Display", "Amount", "Unit", "Date"}},
		{(*referenceResolver)(nil), []string{"Source", "Quote", "Verified", "ImportedFrom", "Locator"}},
		{(*sourceResolver)(nil), []string{"Key", "Title", "URL"}},
		{(*relationConnection)(nil), []string{"Edges", "Nodes", "TotalCount", "PageInfo"}},
		{(*relationResolver)(nil), []string{"Cursor", "Node", "Statement", "References"}},
		{(*graphEdgeResolver)(nil), []string{"From", "To", "Predicate", "Statement", "References"}},
		{(*hopResolver)(nil), []string{"From", "To", "Forward", "Predicate", "Statement", "References"}},
		{(*claimConnection)(nil), []string{"Edges", "Nodes", "TotalCount", "PageInfo"}},
		{(*claimEdge)(nil), []string{"Cursor", "Node"}},
		{(*loadedClaim)(nil), []string{"Key", "Text", "Claimant", "Source", "Reference", "Quote", "Stated", "Modality"}},
	} {
		typ := reflect.TypeOf(tc.typ)
		for _, name := range tc.methods {
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
