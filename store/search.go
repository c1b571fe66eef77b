package store

import (
	"github.com/chipgraph/chipgraph/graph"
)

// Search fields: which text of a record a token came from. Stored in
// keys: do not reorder.
const (
	fieldName        byte = 1
	fieldAlias       byte = 2
	fieldDescription byte = 3
	fieldClaimText   byte = 4
	fieldSourceTitle byte = 5
)

// textField is one searchable text of a record.
type textField struct {
	field byte
	text  string
}

// searchKey indexes one token of one field of a record:
//
//	byte 0      tagSearch (0x50)
//	bytes 1..n  token (graph.Tokens form: lowercase, accents folded; never 0x00)
//	byte n+1    0x00
//	byte n+2    record type (rEntity, rSource, rClaim)
//	bytes +8    record ID
//	byte last   field (fieldName ...)
//
// The value is intervals, so search honours asOf like every other read.
func searchKey(token string, rtype byte, id uint64, field byte) []byte {
	b := make([]byte, 0, len(token)+12)
	b = append(b, tagSearch)
	b = append(b, token...)
	b = append(b, 0, rtype)
	b = u64(b, id)
	return append(b, field)
}

// searchOcc returns the search keys a record occupies while current.
func searchOcc(rtype byte, id uint64, fields []textField) []occ {
	var out []occ
	seen := map[string]bool{}
	for _, f := range fields {
		for _, tok := range graph.Tokens(f.text) {
			k := searchKey(tok, rtype, id, f.field)
			if seen[string(k)] || len(tok) > 64 {
				continue
			}
			seen[string(k)] = true
			out = append(out, occ{key: k})
		}
	}
	return out
}

func entityText(e *graph.Entity) []textField {
	out := []textField{{fieldName, e.Name}}
	for _, a := range e.Aliases {
		out = append(out, textField{fieldAlias, a})
	}
	if e.Description != "" {
		out = append(out, textField{fieldDescription, e.Description})
	}
	return out
}
