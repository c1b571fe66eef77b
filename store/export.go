package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
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
		it := r.tx().NewIterator(badger.IteratorOptions{Prefix: p, PrefetchValues: false})
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
			var rec graph.Record
			if err := r.versionAt(rtype, id, ts, &rec); err != nil {
				return fmt.Errorf("export: version of log entry %d/%d/%d: %w", ts, rtype, id, err)
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
	return unmarshalVersion(b, v)
}

// versionAt decodes the version of a record recorded exactly at ts: a
// version key for older versions, the head for the newest.
func (r *reader) versionAt(rtype byte, id, ts uint64, rec *graph.Record) error {
	tag := versionTag(rtype)
	item, err := r.tx().Get(versionKey(tag, id, ts))
	if err == nil {
		return item.Value(func(b []byte) error { return decodeVersion(rtype, b, rec) })
	}
	if !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	if item, err = r.tx().Get(headKey(tag, id)); err != nil {
		return err
	}
	return item.Value(func(b []byte) error {
		if len(b) < 8 || binary.BigEndian.Uint64(b) != ts {
			return fmt.Errorf("no version at %d", ts)
		}
		return decodeVersion(rtype, b[8:], rec)
	})
}
