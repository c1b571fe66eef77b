package store

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/chipgraph/chipgraph/graph"
	badger "github.com/dgraph-io/badger/v4"
)

// Export writes the store's whole history as native NDJSON: every version
// of every record, in the order it was recorded, each carrying its
// recorded time and author. Importing the output into an empty store
// rebuilds the same history, and exporting that store gives the same bytes.
func (s *Store) Export(ctx context.Context, w io.Writer) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	n := 0
	err := s.read(ctx, graph.View{}, func(r *reader) error {
		p := []byte{tagLog}
		it := r.txn.NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
		defer it.Close()
		for it.Seek(p); it.ValidForPrefix(p); it.Next() {
			if n%tickEvery == 0 {
				if err := r.tick(); err != nil {
					return err
				}
			}
			ts, rtype, id, err := parseLogKey(it.Item().Key())
			if err != nil {
				return err
			}
			if !r.sn.sees(ts) {
				continue
			}
			item, err := r.txn.Get(versionKey(versionTag(rtype), id, ts))
			if err != nil {
				return fmt.Errorf("export: version of log entry %d/%d/%d: %w", ts, rtype, id, err)
			}
			var rec graph.Record
			if err := item.Value(func(b []byte) error { return decodeVersion(rtype, b, &rec) }); err != nil {
				return err
			}
			if err := graph.WriteRecord(bw, rec); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

func decodeVersion(rtype byte, b []byte, rec *graph.Record) error {
	var v any
	switch rtype {
	case rEntity:
		rec.Type, rec.Entity = graph.EntityRecord, new(graph.Entity)
		v = rec.Entity
	case rSource:
		rec.Type, rec.Source = graph.SourceRecord, new(graph.Source)
		v = rec.Source
	case rStatement:
		rec.Type, rec.Statement = graph.StatementRecord, new(graph.Statement)
		v = rec.Statement
	case rClaim:
		rec.Type, rec.Claim = graph.ClaimRecord, new(graph.Claim)
		v = rec.Claim
	default:
		return fmt.Errorf("export: unknown record type %d", rtype)
	}
	return json.Unmarshal(b, v)
}
