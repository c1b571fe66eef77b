package store

import (
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Format migrations, run by Open before anything else reads the store.

// formatV1 is the format of stores whose search keys end with their field
// (tagSearchV1).
const formatV1 = "chipgraph-store/1"

// migrateChunk is how many keys one migration transaction moves.
const migrateChunk = 5_000

// migrate brings a store of an older format up to FormatVersion. A new or
// current store is left alone; an unknown format is for init to refuse.
// logf reports the start and end of a migration, which takes a while on a
// large store (11 s for the 1.76 million keys of a scale-1 store).
func migrate(db *badger.DB, logf func(format string, args ...any)) error {
	var format string
	err := db.View(func(txn *badger.Txn) error {
		v, err := getValue(txn, metaKey("format"))
		format = string(v)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		return err
	})
	if err != nil || format != formatV1 {
		return err
	}
	logf("store: migrating from %s to %s (rewriting the search index keys)", formatV1, FormatVersion)
	start := time.Now()
	n, err := migrateSearchKeys(db)
	if err != nil {
		return fmt.Errorf("open store: migrate %s to %s: %w", formatV1, FormatVersion, err)
	}
	if err := db.Update(func(txn *badger.Txn) error { return txn.Set(metaKey("format"), []byte(FormatVersion)) }); err != nil {
		return err
	}
	logf("store: migrated to %s: %d search keys rewritten in %s", FormatVersion, n, time.Since(start).Round(time.Millisecond))
	return nil
}

// migrateSearchKeys moves every tagSearchV1 key (token 0x00 rtype kind id
// field) to its tagSearch form (token 0x00 field rtype kind id) with the
// same value. Each chunk deletes the old keys in the transaction that
// writes the new ones, and a key maps to one new key, so a migration cut
// short by a crash resumes where it stopped when the store is next opened
// (the format changes only once every key is moved).
// It returns the number of keys moved.
func migrateSearchKeys(db *badger.DB) (int, error) {
	from := []byte{tagSearchV1} // each chunk seeks past the last, not over its deletions
	total := 0
	for {
		moved := 0
		err := db.Update(func(txn *badger.Txn) error {
			var olds, news, vals [][]byte
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{tagSearchV1}, PrefetchValues: false})
			for it.Seek(from); it.Valid() && len(olds) < migrateChunk; it.Next() {
				k := it.Item().KeyCopy(nil)
				nk, err := searchKeyFromV1(k)
				if err != nil {
					it.Close()
					return err
				}
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					it.Close()
					return err
				}
				olds, news, vals = append(olds, k), append(news, nk), append(vals, v)
			}
			it.Close()
			if moved = len(olds); moved > 0 {
				from = append(olds[moved-1], 0)
			}
			for i := range olds {
				if err := txn.Set(news[i], vals[i]); err != nil {
					return err
				}
				if err := txn.Delete(olds[i]); err != nil {
					return err
				}
			}
			return nil
		})
		total += moved
		if err != nil || moved < migrateChunk {
			return total, err
		}
	}
}

// searchKeyFromV1 converts a format-1 search key:
//
//	byte 0      tagSearchV1 (0x50)
//	bytes 1..n  token
//	byte n+1    0x00
//	byte n+2    record type
//	byte n+3    kind code
//	bytes +8    record ID
//	byte last   field
//
// to searchKey's layout.
func searchKeyFromV1(k []byte) ([]byte, error) {
	n := len(k)
	if n < 2+searchSuffix || k[0] != tagSearchV1 || k[n-searchSuffix] != 0 {
		return nil, fmt.Errorf("not a format-1 search key: %x", k)
	}
	out := make([]byte, 0, n)
	out = append(out, tagSearch)
	out = append(out, k[1:n-searchSuffix+1]...) // token and 0x00
	out = append(out, k[n-1], k[n-11], k[n-10]) // field, rtype, kind
	return append(out, k[n-9:n-1]...), nil      // id
}
