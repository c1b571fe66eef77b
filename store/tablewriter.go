package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"

	"github.com/dgraph-io/badger/v4/fb"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
	flatbuffers "github.com/google/flatbuffers/go"
	"github.com/klauspost/compress/s2"
	"google.golang.org/protobuf/encoding/protowire"
)

// tableWriter writes Badger tables (SST files) straight to disk, byte
// for byte as Badger's table.Builder lays them out
// (TestTableWriterMatchesBuilder compares the two), for the bulk
// import's tables (buildTables).
//
// Badger's builder keeps a whole table in memory until it is done: every
// block uncompressed and compressed, in an allocator of twice the table
// size, then the table once more as one buffer to write. In a scale-1
// import on the machines we measure on, page faults were a fifth of the
// CPU samples; without the builder the import's peak memory is 0.6 GiB
// lower and it takes under a third of the page faults. A tableWriter
// compresses each block as it fills and writes the file through one
// buffer, and it keeps only the index (each block's first key, offset
// and length) and the keys' hashes for the bloom filter; all its buffers
// are reused from one table to the next.
//
// The layout, from table.Builder (badger/v4/table/builder.go):
//
//	table  block... | index | len(index) u32 BE | checksum(index) | len(checksum) u32 BE
//	block  entry... | entry offsets u32 native... | count u32 BE | checksum(block) | len(checksum) u32 BE,
//	       compressed whole (Snappy or ZSTD, as the store's options say)
//	entry  overlap u16 native | len(diff) u16 native | diff | meta | user meta | expiresAt uvarint | value
//
// where diff is the key (with its 8-byte version) less the prefix it
// shares with its block's first key, a checksum is a pb.Checksum message
// (CRC32C) and the index is a flatbuffers fb.TableIndex. Values are
// written inline, with no meta bits and no expiry: what the bulk import
// stores.
type tableWriter struct {
	opts     table.Options
	capacity uint64 // what table.Builder's ReachedCapacity compares with

	f   *os.File
	out []byte // bytes for f not yet written
	err error  // the first write error

	block   []byte   // the block being filled, uncompressed
	offsets []uint32 // where its entries start
	base    []byte   // its first key
	zbuf    []byte   // a compressed block

	blocks   []blockRef // the finished blocks
	baseKeys []byte     // their first keys, one after another
	hashes   []uint32   // the keys' hashes (y.Hash), for the bloom filter

	size         uint32 // bytes of finished blocks (as written)
	uncompressed uint32 // bytes of finished blocks, uncompressed
	lenOffsets   uint32 // table.Builder's estimate of the index
	maxVersion   uint64

	fbb  *flatbuffers.Builder
	uoff []flatbuffers.UOffsetT
}

// blockRef is a finished block: its first key (in baseKeys) and where
// it lies in the file.
type blockRef struct{ key, keyLen, off, n uint32 }

// tableWriterFlush is how many bytes a tableWriter gathers before it
// writes them to its file.
const tableWriterFlush = 1 << 20

// newTableWriter returns a writer of tables with options opts; it has
// no file open until create. Encryption (opts.DataKey) is not supported.
func newTableWriter(opts table.Options) *tableWriter {
	return &tableWriter{
		opts:     opts,
		capacity: uint64(float64(opts.TableSize) * 0.95),
		fbb:      flatbuffers.NewBuilder(1 << 16),
	}
}

// create starts a new table in a new file, name.
func (w *tableWriter) create(name string) error {
	if w.opts.DataKey != nil {
		return errors.New("table writer: encrypted tables are not supported")
	}
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	w.f, w.err = f, nil
	w.out, w.block, w.offsets, w.base = w.out[:0], w.block[:0], w.offsets[:0], w.base[:0]
	w.blocks, w.baseKeys, w.hashes = w.blocks[:0], w.baseKeys[:0], w.hashes[:0]
	w.size, w.uncompressed, w.lenOffsets, w.maxVersion = 0, 0, 0, 0
	return nil
}

// add appends key, which carries its 8-byte version (y.KeyWithTs) and
// sorts after every key added before, with value.
func (w *tableWriter) add(key, value []byte) {
	vlen := 3 + len(value) // meta, user meta, expiresAt 0, value
	if len(w.offsets) > 0 {
		// table.Builder.shouldFinishBlock, for an unencrypted table.
		offsets := (len(w.offsets)+1)*4 + 4 + 8 + 4
		if uint64(len(w.block))+6+uint64(len(key))+uint64(vlen)+uint64(offsets) > uint64(w.opts.BlockSize) {
			w.finishBlock()
		}
	}
	w.hashes = append(w.hashes, y.Hash(key[:len(key)-8]))
	if v := y.ParseTs(key); v > w.maxVersion {
		w.maxVersion = v
	}
	diff := key
	if len(w.offsets) == 0 {
		w.base = append(w.base[:0], key...)
	} else {
		n := 0
		for n < len(key) && n < len(w.base) && key[n] == w.base[n] {
			n++
		}
		diff = key[n:]
	}
	if len(key)-len(diff) > math.MaxUint16 || len(diff) > math.MaxUint16 {
		panic("table writer: key too long") // as table.Builder's assertions
	}
	w.offsets = append(w.offsets, uint32(len(w.block)))
	b := binary.NativeEndian.AppendUint16(w.block, uint16(len(key)-len(diff)))
	b = binary.NativeEndian.AppendUint16(b, uint16(len(diff)))
	b = append(b, diff...)
	b = append(b, 0, 0, 0) // meta, user meta, expiresAt (uvarint 0)
	w.block = append(b, value...)
}

// full reports whether the table has reached its size, as
// table.Builder.ReachedCapacity counts it.
func (w *tableWriter) full() bool {
	size := uint64(w.size)
	if w.opts.Compression == options.None {
		size = uint64(w.uncompressed)
	}
	size += uint64(len(w.offsets))*4 + 4 + 8 + 4 // the block being filled
	return size+4+uint64(w.lenOffsets) > w.capacity
}

// appendChecksum appends the pb.Checksum message of data's CRC32C, as
// proto.Marshal encodes it (fields holding 0, such as Algo for CRC32C,
// are left out), and its length, big-endian.
func appendChecksum(b, data []byte) []byte {
	sum := uint64(crc32.Checksum(data, y.CastagnoliCrcTable))
	n := len(b)
	if sum != 0 {
		b = protowire.AppendTag(b, 2, protowire.VarintType) // Sum
		b = protowire.AppendVarint(b, sum)
	}
	return binary.BigEndian.AppendUint32(b, uint32(len(b)-n))
}

// finishBlock ends the block being filled, compresses it and queues it
// for the file.
func (w *tableWriter) finishBlock() {
	if len(w.offsets) == 0 {
		return
	}
	b := w.block
	for _, o := range w.offsets {
		b = binary.NativeEndian.AppendUint32(b, o)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(w.offsets)))
	b = appendChecksum(b, b)
	w.block = b
	w.uncompressed += uint32(len(b))
	// table.Builder's estimate of the block's index entry.
	w.lenOffsets += uint32((len(w.base)+3)/4*4) + 40

	data := b
	switch w.opts.Compression {
	case options.Snappy:
		if n := s2.MaxEncodedLen(len(b)); cap(w.zbuf) < n {
			w.zbuf = make([]byte, n)
		}
		w.zbuf = s2.EncodeSnappy(w.zbuf[:cap(w.zbuf)], b)
		data = w.zbuf
	case options.ZSTD:
		z, err := y.ZSTDCompress(w.zbuf[:cap(w.zbuf)], b, w.opts.ZSTDCompressionLevel)
		if err != nil {
			w.fail(err)
		}
		w.zbuf = z
		data = z
	}
	w.blocks = append(w.blocks, blockRef{key: uint32(len(w.baseKeys)), keyLen: uint32(len(w.base)), off: w.size, n: uint32(len(data))})
	w.baseKeys = append(w.baseKeys, w.base...)
	w.size += uint32(len(data))
	w.out = append(w.out, data...)
	if len(w.out) >= tableWriterFlush {
		w.flush()
	}
	w.block, w.offsets = w.block[:0], w.offsets[:0]
}

func (w *tableWriter) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// flush writes the bytes gathered to the file.
func (w *tableWriter) flush() {
	if len(w.out) > 0 && w.err == nil {
		if _, err := w.f.Write(w.out); err != nil {
			w.fail(err)
		}
	}
	w.out = w.out[:0]
}

// finish ends the table: its last block and its index. It returns the
// table's file, written but not synced, for the caller to sync and
// close; on an error the file is closed.
func (w *tableWriter) finish() (*os.File, error) {
	w.finishBlock()
	index := w.buildIndex()
	w.out = append(w.out, index...)
	w.out = binary.BigEndian.AppendUint32(w.out, uint32(len(index)))
	w.out = appendChecksum(w.out, index)
	w.flush()
	f := w.f
	w.f = nil
	if w.err != nil {
		return nil, fmt.Errorf("table writer: %w", errors.Join(w.err, f.Close()))
	}
	return f, nil
}

// buildIndex returns the table's fb.TableIndex, as table.Builder's
// buildIndex writes it.
func (w *tableWriter) buildIndex() []byte {
	fbb := w.fbb
	fbb.Reset()
	w.uoff = w.uoff[:0]
	for _, bl := range w.blocks {
		k := fbb.CreateByteVector(w.baseKeys[bl.key : bl.key+bl.keyLen])
		fb.BlockOffsetStart(fbb)
		fb.BlockOffsetAddKey(fbb, k)
		fb.BlockOffsetAddOffset(fbb, bl.off)
		fb.BlockOffsetAddLen(fbb, bl.n)
		w.uoff = append(w.uoff, fb.BlockOffsetEnd(fbb))
	}
	fb.TableIndexStartOffsetsVector(fbb, len(w.uoff))
	for i := len(w.uoff) - 1; i >= 0; i-- {
		fbb.PrependUOffsetT(w.uoff[i])
	}
	offsets := fbb.EndVector(len(w.uoff))
	var bloom flatbuffers.UOffsetT
	if w.opts.BloomFalsePositive > 0 {
		bits := y.BloomBitsPerKey(len(w.hashes), w.opts.BloomFalsePositive)
		bloom = fbb.CreateByteVector(y.NewFilter(w.hashes, bits))
	}
	fb.TableIndexStart(fbb)
	fb.TableIndexAddOffsets(fbb, offsets)
	fb.TableIndexAddBloomFilter(fbb, bloom)
	fb.TableIndexAddMaxVersion(fbb, w.maxVersion)
	fb.TableIndexAddUncompressedSize(fbb, w.uncompressed)
	fb.TableIndexAddKeyCount(fbb, uint32(len(w.hashes)))
	fb.TableIndexAddOnDiskSize(fbb, w.size)
	fb.TableIndexAddStaleDataSize(fbb, 0)
	fbb.Finish(fb.TableIndexEnd(fbb))
	buf := fbb.FinishedBytes()
	// The size on disk counts the index too.
	fb.GetRootAsTableIndex(buf, 0).MutateOnDiskSize(w.size + uint32(len(buf)))
	return buf
}
