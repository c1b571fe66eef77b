package schema

import "context"

// What a page loads for the fields below it.
//
// graph-gophers can hand every resolver the field names selected below it
// (graphql.SelectedFieldNames), but building them costs a context and a
// list of paths for every field with a selection set, on every request,
// whether a resolver asks or not. The schema is built with
// DisableFieldSelections instead, and the server hands the request's
// document to WithDocument: one pass over its tokens finds which of the
// few field names that need reads occur anywhere in it. A page then loads,
// for instance, the sources of its statements' references when the
// document names "references" anywhere. That errs on the side of loading,
// as the per-field selections did for a name under another type; without a
// document (a context from WithLoader alone, or none), a page loads all of
// it.

// docNames is a set of the field names that decide what a page loads.
type docNames uint16

const (
	nameSubject docNames = 1 << iota
	nameEntity
	nameDisplay
	nameReferences
	nameClaimant
	nameSource
	nameReference
	nameTotalCount

	allNames docNames = 1<<iota - 1
)

// loadNames maps each name to its bit.
var loadNames = map[string]docNames{
	"subject":    nameSubject,
	"entity":     nameEntity,
	"display":    nameDisplay,
	"references": nameReferences,
	"claimant":   nameClaimant,
	"source":     nameSource,
	"reference":  nameReference,
	"totalCount": nameTotalCount,
}

// scanNames returns the set of loadNames that occur as names in doc,
// outside strings, block strings and comments. It does not validate: a
// malformed document gives some set, and the parser rejects it anyway.
// Names that are not fields (arguments, aliases, fragment names) count
// too; that only loads more.
func scanNames(doc string) docNames {
	var set docNames
	for i := 0; i < len(doc); {
		c := doc[i]
		switch {
		case c == '#':
			for i < len(doc) && doc[i] != '\n' && doc[i] != '\r' {
				i++
			}
		case c == '"':
			if len(doc) >= i+3 && doc[i:i+3] == `"""` {
				i += 3
				for i < len(doc) {
					if doc[i] == '\\' && len(doc) >= i+4 && doc[i+1:i+4] == `"""` {
						i += 4
						continue
					}
					if len(doc) >= i+3 && doc[i:i+3] == `"""` {
						i += 3
						break
					}
					i++
				}
				continue
			}
			i++
			for i < len(doc) && doc[i] != '"' && doc[i] != '\n' {
				if doc[i] == '\\' {
					i++
				}
				i++
			}
			i++
		case isNameStart(c):
			j := i + 1
			for j < len(doc) && (isNameStart(doc[j]) || doc[j] >= '0' && doc[j] <= '9') {
				j++
			}
			if j-i >= len("entity") && j-i <= len("references") {
				set |= loadNames[doc[i:j]]
			}
			i = j
		case c >= '0' && c <= '9', c == '$':
			// A number (1e5, 0x...) or a variable: not a field name.
			j := i + 1
			for j < len(doc) && (isNameStart(doc[j]) || doc[j] >= '0' && doc[j] <= '9' || doc[j] == '.') {
				j++
			}
			i = j
		default:
			i++
		}
	}
	return set
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// WithDocument returns ctx with a new per-request loader (as WithLoader)
// that knows which of the names deciding what pages load occur in doc,
// the request's document. The server calls it for every request. When ctx
// has a loader already, ctx is returned as it is.
func WithDocument(ctx context.Context, doc string) context.Context {
	if ctx.Value(loaderCtxKey{}) != nil {
		return ctx
	}
	return context.WithValue(ctx, loaderCtxKey{}, &loader{names: scanNames(doc), known: true})
}

// namesOf returns the names the request's document holds, or every name
// when the context has no document.
func namesOf(ctx context.Context) docNames {
	if l := loaderFrom(ctx); l != nil && l.known {
		return l.names
	}
	return allNames
}
