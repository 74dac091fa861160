package engine

import (
	"bytes"
	"hash/crc32"
	"io"
	"runtime"
	"time"

	"github.com/ringkv/ringkv/replica/merkle"
	"github.com/ringkv/ringkv/replica/version"
)

// Large values without copies (doc.go, "Large values"). A large set is
// written to its blob from its siblings' own values (version.Set.
// WriteBinary), its size, checksum and Merkle digest computed on the way,
// so no buffer holds its encoding. A write reads a blob with room to grow
// after it (getSpare) and decodes it with version.DecodeOwnedSet, so an
// APPEND extends the value it read in place: growing a value with APPEND
// holds one copy of it, not three (the set read, the new value and its
// encoding).

// spareCap is the capacity of a blob read for a write of n bytes: room
// for an eighth more (at least 1 MiB, an APPEND's usual step), rounded as
// bigCap rounds.
func spareCap(n int) int {
	return bigCap(n + max(n/8, 1<<20))
}

// putBlobSet streams s (whose encoding is about size bytes) to a new blob
// for key and returns its id, its record and its set's Merkle digest. A
// failure is a DiskError, as putBlob's. The record carries the size
// written: the process's write format (version.WriteFormat) may change
// between s.EncodedLen and the stream, once, when the last old member of
// the ring goes, and that must not fail the write.
func (db *DB) putBlobSet(key []byte, s version.Set, size int) (id uint64, record []byte, digest uint64, err error) {
	id = db.blobSeq.Add(1)
	db.usedBig(size)
	crc := crc32.New(castagnoli)
	dg := merkle.NewDigester(key)
	err = db.blobs.putStream(id, key, func(w io.Writer) error {
		n, err := s.WriteBinary(io.MultiWriter(w, crc, dg))
		size = int(n)
		return err
	})
	if err != nil {
		return 0, nil, 0, &DiskError{Dir: db.dir, Err: err, Since: time.Now()}
	}
	digest = dg.Sum()
	return id, blobRecordOf(id, size, crc.Sum32(), digest, s.HasLive()), digest, nil
}

func (m *memBlobs) putStream(id uint64, key []byte, write func(io.Writer) error) error {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	return m.put(id, key, b.Bytes())
}

// getSpare returns a copy of blob id's encoding with room to grow: the
// stored one is shared with every reader.
func (m *memBlobs) getSpare(id uint64) ([]byte, error) {
	enc, err := m.get(id)
	if err != nil {
		return nil, err
	}
	return append(make([]byte, 0, spareCap(len(enc))), enc...), nil
}

// collectBig runs a collection before a read of size bytes if a large
// value was read, written or dropped since the last one it ran: that
// value's copy is garbage by now (its command is done) but the collector
// has not run, as the heap only doubled if that, so the new copy would
// come on top of it, and Go keeps the pages (an APPEND loop held two
// copies of the value at every step, a GET after a SET or an APPEND one
// more). The memory goroutine's collection after a drop runs while the
// dropping command still holds its copy. A collection of a heap whose
// bulk is large values' bytes takes a few ms, against the ~100 ms of
// reading a blob of 32 MB or more and writing it.
func (db *DB) collectBig(size int) {
	if size >= bigFree && db.bigUsed.Swap(false) {
		runtime.GC()
	}
}
