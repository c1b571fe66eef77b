package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Key tags: the first byte of every key. Stored values: do not reorder,
// reuse or remove a tag; add new ones with new numbers.
const (
	tagMeta      byte = 0x00 // meta | name                            → meta value
	tagEntity    byte = 0x01 // entity  | id | ^ts                      → graph.Entity older version (codec.go)
	tagSource    byte = 0x02 // source  | id | ^ts                      → graph.Source older version (codec.go)
	tagStatement byte = 0x03 // stmt    | id | ^ts                      → graph.Statement older version (codec.go)
	tagClaim     byte = 0x04 // claim   | id | ^ts                      → graph.Claim older version (codec.go)
	tagHead      byte = 0x05 // head    | tag | id                      → ts(8) + the newest version (codec.go)
	tagKey       byte = 0x08 // key     | rtype | key | 0x00            → id(8) created(8)
	tagURL       byte = 0x09 // url     | url | 0x00                    → source id(8)
	tagKind      byte = 0x10 // kind    | kindcode | id                 → intervals
	tagName      byte = 0x11 // name    | normalized | 0x00 | id        → intervals
	tagOut       byte = 0x20 // out     | subject | pred | stmt         → posting
	tagIn        byte = 0x21 // in      | object | pred | stmt          → posting
	tagLiteral   byte = 0x22 // literal | pred | number | subject | stmt → posting
	tagConflict  byte = 0x24 // conflict| pred | subject               → intervals
	tagBySource  byte = 0x30 // bysrc   | source | rtype | record       → intervals
	tagClaimant  byte = 0x31 // claimant| entity | claim                → intervals
	tagAbout     byte = 0x32 // about   | entity | claim                → intervals
	tagLink      byte = 0x34 // link    | rtype | target | rel | claim  → intervals
	tagLog       byte = 0x40 // log     | ts | rtype | id               → change
	tagSearchV1  byte = 0x50 // retired: search | token | 0x00 | rtype | kind | id | field (format 1; migrate.go)
	tagTypo      byte = 0x51 // typo    | deletion | 0x00 | token       → empty
	tagSearch    byte = 0x52 // search  | token | 0x00 | field | rtype | kind | id → intervals
)

// Record types (rtype): which version family an ID belongs to. Stored in
// keys: do not reorder.
const (
	rEntity    byte = 1
	rSource    byte = 2
	rStatement byte = 3
	rClaim     byte = 4
)

// versionTag returns the version key tag for a record type.
func versionTag(rtype byte) byte { return rtype } // tagEntity..tagClaim equal rEntity..rClaim

// u64 appends v big-endian: byte order equals numeric order.
func u64(b []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(b, v) }

// metaKey is the key of a meta value:
//
//	byte 0      tagMeta (0x00)
//	bytes 1..   name (ASCII)
func metaKey(name string) []byte { return append([]byte{tagMeta}, name...) }

// versionKey is the key of an older version of a record (the newest
// lives in the head, headKey; it moves here when a newer one replaces it):
//
//	byte 0      tagEntity, tagSource, tagStatement or tagClaim
//	bytes 1-8   record ID, big-endian
//	bytes 9-16  ^ts (bitwise NOT of the recorded time in Unix nanoseconds), big-endian
//
// Inverting ts makes the newest version sort first, so the version current
// at time T is the first key at or after versionKey(tag, id, T).
func versionKey(tag byte, id, ts uint64) []byte {
	b := make([]byte, 0, 17)
	b = append(b, tag)
	b = u64(b, id)
	return u64(b, ^ts)
}

// versionPrefix is the prefix of every version of one record (9 bytes).
func versionPrefix(tag byte, id uint64) []byte { return u64([]byte{tag}, id) }

// parseVersionKey is the inverse of versionKey.
func parseVersionKey(k []byte) (tag byte, id, ts uint64, err error) {
	if len(k) != 17 || k[0] < tagEntity || k[0] > tagClaim {
		return 0, 0, 0, fmt.Errorf("not a version key: %x", k)
	}
	return k[0], binary.BigEndian.Uint64(k[1:9]), ^binary.BigEndian.Uint64(k[9:17]), nil
}

// headKey holds a record's newest version, so that reads at or after it
// need one Get instead of an iterator:
//
//	byte 0      tagHead (0x05)
//	byte 1      version tag (tagEntity..tagClaim)
//	bytes 2-9   record ID
//
// The value is the version's ts (8 bytes, big-endian) followed by the
// version, encoded as codec.go describes.
func headKey(tag byte, id uint64) []byte { return appendHeadKey(make([]byte, 0, 10), tag, id) }

// appendHeadKey appends headKey(tag, id) to dst.
func appendHeadKey(dst []byte, tag byte, id uint64) []byte {
	return u64(append(dst, tagHead, tag), id)
}

// parseHeadKey is the inverse of headKey.
func parseHeadKey(k []byte) (tag byte, id uint64, err error) {
	if len(k) != 10 || k[0] != tagHead {
		return 0, 0, fmt.Errorf("not a head key: %x", k)
	}
	return k[1], binary.BigEndian.Uint64(k[2:]), nil
}

// keyIndexKey maps a record's readable key to its ID:
//
//	byte 0      tagKey (0x08)
//	byte 1      record type (rEntity, rSource, rStatement, rClaim)
//	bytes 2..n  key (UTF-8, never contains 0x00)
//	byte n+1    0x00 terminator
//
// The value is id(8) created-ts(8), plus the kind code (1) for entities
// and claims, so that validation needs no record read.
func keyIndexKey(rtype byte, key string) []byte {
	return appendKeyIndexKey(make([]byte, 0, len(key)+3), rtype, key)
}

// appendKeyIndexKey appends keyIndexKey(rtype, key) to dst.
func appendKeyIndexKey(dst []byte, rtype byte, key string) []byte {
	dst = append(dst, tagKey, rtype)
	dst = append(dst, key...)
	return append(dst, 0)
}

// parseKeyIndexKey is the inverse of keyIndexKey.
func parseKeyIndexKey(k []byte) (rtype byte, key string, err error) {
	if len(k) < 3 || k[0] != tagKey || k[len(k)-1] != 0 || bytes.IndexByte(k[2:], 0) != len(k)-3 {
		return 0, "", fmt.Errorf("not a key-index key: %x", k)
	}
	return k[1], string(k[2 : len(k)-1]), nil
}

// urlKey maps a source URL to its ID:
//
//	byte 0      tagURL (0x09)
//	bytes 1..n  URL as given (trimmed)
//	byte n+1    0x00
func urlKey(url string) []byte {
	b := append([]byte{tagURL}, url...)
	return append(b, 0)
}

// kindKey lists entities (and claims) by kind:
//
//	byte 0      tagKind (0x10)
//	byte 1      graph.KindCode
//	bytes 2-9   ID
func kindKey(kind byte, id uint64) []byte { return u64([]byte{tagKind, kind}, id) }

// parseKindKey is the inverse of kindKey.
func parseKindKey(k []byte) (kind byte, id uint64, err error) {
	if len(k) != 10 || k[0] != tagKind {
		return 0, 0, fmt.Errorf("not a kind key: %x", k)
	}
	return k[1], binary.BigEndian.Uint64(k[2:]), nil
}

// nameKey indexes an entity's normalized name or alias:
//
//	byte 0      tagName (0x11)
//	bytes 1..n  graph.Normalize(name) (never contains 0x00)
//	byte n+1    0x00
//	bytes +8    entity ID
//
// The terminator keeps exact lookups exact ("amd" does not match "amdx")
// while a scan over tagName|prefix finds names by prefix.
func nameKey(norm string, id uint64) []byte {
	b := make([]byte, 0, len(norm)+10)
	b = append(b, tagName)
	b = append(b, norm...)
	b = append(b, 0)
	return u64(b, id)
}

// parseNameKey is the inverse of nameKey.
func parseNameKey(k []byte) (norm string, id uint64, err error) {
	if len(k) < 10 || k[0] != tagName || k[len(k)-9] != 0 {
		return "", 0, fmt.Errorf("not a name key: %x", k)
	}
	return string(k[1 : len(k)-9]), binary.BigEndian.Uint64(k[len(k)-8:]), nil
}

// edgeKey indexes a statement under its subject (tagOut) or, for an
// entity-valued object, under the object (tagIn):
//
//	byte 0      tagOut (0x20) or tagIn (0x21)
//	bytes 1-8   entity ID (subject for tagOut, object for tagIn)
//	bytes 9-10  predicate code, big-endian
//	bytes 11-18 statement ID
//
// The value is a posting: the other end, valid time and recorded intervals.
// One key per statement means adding an edge never rewrites a hot key.
func edgeKey(tag byte, entity uint64, pred uint16, stmt uint64) []byte {
	return appendEdgeKey(make([]byte, 0, 19), tag, entity, pred, stmt)
}

// appendEdgeKey appends edgeKey(tag, entity, pred, stmt) to b.
func appendEdgeKey(b []byte, tag byte, entity uint64, pred uint16, stmt uint64) []byte {
	b = append(b, tag)
	b = u64(b, entity)
	b = binary.BigEndian.AppendUint16(b, pred)
	return u64(b, stmt)
}

// parseEdgeKey is the inverse of edgeKey.
func parseEdgeKey(k []byte) (tag byte, entity uint64, pred uint16, stmt uint64, err error) {
	if len(k) != 19 || (k[0] != tagOut && k[0] != tagIn) {
		return 0, 0, 0, 0, fmt.Errorf("not an edge key: %x", k)
	}
	return k[0], binary.BigEndian.Uint64(k[1:9]), binary.BigEndian.Uint16(k[9:11]), binary.BigEndian.Uint64(k[11:19]), nil
}

// literalKey orders literal statements of one predicate by value:
//
//	byte 0      tagLiteral (0x22)
//	bytes 1-2   predicate code
//	bytes 3-10  sortable float64 of graph.Value.Number (canonical units)
//	bytes 11-18 subject ID
//	bytes 19-26 statement ID
//
// It serves range filters and sorting ("TDP under 500 W").
func literalKey(pred uint16, num float64, subject, stmt uint64) []byte {
	return appendLiteralKey(make([]byte, 0, 27), pred, num, subject, stmt)
}

// appendLiteralKey appends literalKey(pred, num, subject, stmt) to b.
func appendLiteralKey(b []byte, pred uint16, num float64, subject, stmt uint64) []byte {
	b = append(b, tagLiteral)
	b = binary.BigEndian.AppendUint16(b, pred)
	b = u64(b, sortableFloat(num))
	b = u64(b, subject)
	return u64(b, stmt)
}

// parseLiteralKey is the inverse of literalKey.
func parseLiteralKey(k []byte) (pred uint16, num float64, subject, stmt uint64, err error) {
	if len(k) != 27 || k[0] != tagLiteral {
		return 0, 0, 0, 0, fmt.Errorf("not a literal key: %x", k)
	}
	return binary.BigEndian.Uint16(k[1:3]), unsortableFloat(binary.BigEndian.Uint64(k[3:11])),
		binary.BigEndian.Uint64(k[11:19]), binary.BigEndian.Uint64(k[19:27]), nil
}

// sortableFloat maps a float64 to a uint64 whose unsigned order is the
// float's numeric order (negative numbers flip all bits, others the sign).
func sortableFloat(f float64) uint64 {
	u := math.Float64bits(f)
	if u&(1<<63) != 0 {
		return ^u
	}
	return u | 1<<63
}

func unsortableFloat(u uint64) float64 {
	if u&(1<<63) != 0 {
		return math.Float64frombits(u &^ (1 << 63))
	}
	return math.Float64frombits(^u)
}

// pairKey is the layout shared by the by-source, claimant and about
// indexes:
//
//	byte 0      tagBySource (0x30): bytes 1-8 source ID, byte 9 rtype, bytes 10-17 record ID
//	byte 0      tagClaimant (0x31) or tagAbout (0x32): bytes 1-8 entity ID, bytes 9-16 claim ID
func bySourceKey(source uint64, rtype byte, rec uint64) []byte {
	return appendBySourceKey(make([]byte, 0, 18), source, rtype, rec)
}

// appendBySourceKey appends bySourceKey(source, rtype, rec) to b.
func appendBySourceKey(b []byte, source uint64, rtype byte, rec uint64) []byte {
	b = append(b, tagBySource)
	b = u64(b, source)
	b = append(b, rtype)
	return u64(b, rec)
}

// parseBySourceKey is the inverse of bySourceKey.
func parseBySourceKey(k []byte) (source uint64, rtype byte, rec uint64, err error) {
	if len(k) != 18 || k[0] != tagBySource {
		return 0, 0, 0, fmt.Errorf("not a by-source key: %x", k)
	}
	return binary.BigEndian.Uint64(k[1:9]), k[9], binary.BigEndian.Uint64(k[10:18]), nil
}

// claimIndexKey is a claimant (tagClaimant) or about (tagAbout) key.
func claimIndexKey(tag byte, entity, claim uint64) []byte {
	return appendClaimIndexKey(make([]byte, 0, 17), tag, entity, claim)
}

// appendClaimIndexKey appends claimIndexKey(tag, entity, claim) to b.
func appendClaimIndexKey(b []byte, tag byte, entity, claim uint64) []byte {
	b = append(b, tag)
	b = u64(b, entity)
	return u64(b, claim)
}

// parseClaimIndexKey is the inverse of claimIndexKey.
func parseClaimIndexKey(k []byte) (tag byte, entity, claim uint64, err error) {
	if len(k) != 17 || (k[0] != tagClaimant && k[0] != tagAbout) {
		return 0, 0, 0, fmt.Errorf("not a claim index key: %x", k)
	}
	return k[0], binary.BigEndian.Uint64(k[1:9]), binary.BigEndian.Uint64(k[9:17]), nil
}

// logKey orders every change by recorded time:
//
//	byte 0      tagLog (0x40)
//	bytes 1-8   ts (Unix nanoseconds)
//	byte 9      rtype
//	bytes 10-17 record ID
//
// The value is the change (op, by, reason). Export walks it in order.
func logKey(ts uint64, rtype byte, id uint64) []byte {
	return appendLogKey(make([]byte, 0, 18), ts, rtype, id)
}

// appendLogKey appends logKey(ts, rtype, id) to b.
func appendLogKey(b []byte, ts uint64, rtype byte, id uint64) []byte {
	b = append(b, tagLog)
	b = u64(b, ts)
	b = append(b, rtype)
	return u64(b, id)
}

// parseLogKey is the inverse of logKey.
func parseLogKey(k []byte) (ts uint64, rtype byte, id uint64, err error) {
	if len(k) != 18 || k[0] != tagLog {
		return 0, 0, 0, fmt.Errorf("not a log key: %x", k)
	}
	return binary.BigEndian.Uint64(k[1:9]), k[9], binary.BigEndian.Uint64(k[10:18]), nil
}

// timeOf converts a recorded time in Unix nanoseconds to a time.Time.
func timeOf(ts uint64) time.Time { return time.Unix(0, int64(ts)).UTC() }
