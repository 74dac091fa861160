package engine

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/ringkv/ringkv/replica/merkle"
	"github.com/ringkv/ringkv/replica/version"
)

// Large sets live outside LevelDB (see doc.go, "Large values"): LevelDB
// copies a record several times on its way to a table (batch, memtable or
// transaction, table block, compactions) and keeps large buffers pooled,
// so a 64 MiB value cost over 1 GiB of memory there. A set whose encoding
// is Options.BlobMin bytes or more is written to a blob of its own, and
// its record in LevelDB only points at it.

// blobMarker starts a record that points at a blob (an encoded version.Set
// starts with its format byte, 1).
const blobMarker = 0xB0

// blobRecord is the LevelDB record of a set stored in blob id: the
// marker, id and size (uvarint), the CRC-32C of the encoding, its Merkle
// digest (so the tree's scans never read blobs) and whether it holds a
// live value (so a recount does not either).
func blobRecord(id uint64, enc []byte, digest uint64, live bool) []byte {
	return blobRecordOf(id, len(enc), crc32.Checksum(enc, castagnoli), digest, live)
}

// blobRecordOf is blobRecord from the encoding's size and CRC-32C (a set
// streamed to its blob, bigval_blob.go).
func blobRecordOf(id uint64, size int, crc uint32, digest uint64, live bool) []byte {
	b := []byte{blobMarker}
	b = binary.AppendUvarint(b, id)
	b = binary.AppendUvarint(b, uint64(size))
	b = binary.BigEndian.AppendUint32(b, crc)
	b = binary.BigEndian.AppendUint64(b, digest)
	return append(b, byte(b2i(live)))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// blobRef is a parsed blob record.
type blobRef struct {
	id, size uint64
	crc      uint32
	digest   uint64
	live     bool
}

// parseBlobRecord parses raw; ok is false if raw is not a blob record.
func parseBlobRecord(raw []byte) (r blobRef, ok bool, err error) {
	if len(raw) == 0 || raw[0] != blobMarker {
		return r, false, nil
	}
	b := raw[1:]
	var n int
	if r.id, n = binary.Uvarint(b); n <= 0 {
		return r, true, ErrCorrupt
	}
	b = b[n:]
	if r.size, n = binary.Uvarint(b); n <= 0 || len(b[n:]) != 4+8+1 {
		return r, true, ErrCorrupt
	}
	b = b[n:]
	r.crc, r.digest, r.live = binary.BigEndian.Uint32(b), binary.BigEndian.Uint64(b[4:]), b[12] == 1
	return r, true, nil
}

// recordDigest is the Merkle digest of a stored record's set.
func recordDigest(key, raw []byte) (uint64, error) {
	ref, ok, err := parseBlobRecord(raw)
	switch {
	case err != nil:
		return 0, err
	case ok:
		return ref.digest, nil
	}
	return merkle.Digest(key, raw), nil
}

// recordLive reports whether a stored record's set holds a value sibling.
func recordLive(raw []byte) (bool, error) {
	ref, ok, err := parseBlobRecord(raw)
	switch {
	case err != nil:
		return false, err
	case ok:
		return ref.live, nil
	}
	s, err := version.DecodeSet(raw)
	return s.HasLive(), err
}

// blobs stores the encodings of large sets by id.
type blobs interface {
	// put stores enc as blob id, written for key, durably.
	put(id uint64, key, enc []byte) error
	// putStream stores as blob id, written for key, durably, what write
	// writes to its writer (a large set's encoding, without a copy of it).
	putStream(id uint64, key []byte, write func(io.Writer) error) error
	// get returns blob id's encoding; fs.ErrNotExist if there is none.
	get(id uint64) ([]byte, error)
	// getSpare is get into a buffer of the caller's alone with room to
	// grow after the encoding (version.DecodeOwnedSet).
	getSpare(id uint64) ([]byte, error)
	// key returns the key blob id was written for.
	key(id uint64) ([]byte, error)
	remove(id uint64) error
	// list returns every stored id.
	list() ([]uint64, error)
}

// fileBlobs keeps each blob in a file of dir: a header ("RKB1", the key's
// length as a uvarint, the key) and the encoding.
type fileBlobs struct{ dir string }

const blobMagic = "RKB1"

func (f fileBlobs) path(id uint64) string {
	return filepath.Join(f.dir, fmt.Sprintf("%016x.blob", id))
}

func (f fileBlobs) put(id uint64, key, enc []byte) error {
	return f.putStream(id, key, func(w io.Writer) error {
		_, err := w.Write(enc)
		return err
	})
}

func (f fileBlobs) putStream(id uint64, key []byte, write func(io.Writer) error) (err error) {
	if err := os.MkdirAll(f.dir, 0o755); err != nil {
		return err
	}
	name := f.path(id)
	w, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(name)
		}
	}()
	hdr := binary.AppendUvarint([]byte(blobMagic), uint64(len(key)))
	if _, err := w.Write(append(hdr, key...)); err != nil {
		return err
	}
	if err := write(w); err != nil {
		return err
	}
	if err := w.Sync(); err != nil {
		return err
	}
	return syncDir(f.dir)
}

// syncDir fsyncs a directory, so the files created in it stay.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// split separates a blob file's key and encoding.
func splitBlob(b []byte) (key, enc []byte, err error) {
	if !bytes.HasPrefix(b, []byte(blobMagic)) {
		return nil, nil, ErrCorrupt
	}
	b = b[len(blobMagic):]
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return nil, nil, ErrCorrupt
	}
	b = b[w:]
	return b[:n:n], b[n:], nil
}

func (f fileBlobs) get(id uint64) ([]byte, error) { return f.read(id, false) }

func (f fileBlobs) getSpare(id uint64) ([]byte, error) { return f.read(id, true) }

// read reads blob id's file whole, with spare room (spareCap) if asked.
func (f fileBlobs) read(id uint64, spare bool) ([]byte, error) {
	r, err := os.Open(f.path(id))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	st, err := r.Stat()
	if err != nil {
		return nil, err
	}
	n := int(st.Size())
	c := bigCap(n)
	if spare {
		c = spareCap(n)
	}
	b := make([]byte, n, c)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	_, enc, err := splitBlob(b)
	return enc, err
}

func (f fileBlobs) key(id uint64) ([]byte, error) {
	r, err := os.Open(f.path(id))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	st, err := r.Stat()
	if err != nil {
		return nil, err
	}
	// The header's own length says how much to read: a key of any length
	// (a fixed-size read cut keys over 1 KiB, and the orphan sweep then
	// deleted their values).
	br := bufio.NewReader(r)
	magic := make([]byte, len(blobMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != blobMagic {
		return nil, ErrCorrupt
	}
	n, err := binary.ReadUvarint(br)
	if err != nil || n > uint64(st.Size()) {
		return nil, ErrCorrupt
	}
	key := make([]byte, n)
	if _, err := io.ReadFull(br, key); err != nil {
		return nil, ErrCorrupt
	}
	return key, nil
}

func (f fileBlobs) remove(id uint64) error {
	if err := os.Remove(f.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (f fileBlobs) list() ([]uint64, error) {
	ents, err := os.ReadDir(f.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, e := range ents {
		if name, ok := strings.CutSuffix(e.Name(), ".blob"); ok {
			if id, err := strconv.ParseUint(name, 16, 64); err == nil {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// memBlobs keeps blobs in memory, for a DB over a goleveldb Storage
// (OpenMem, tests).
type memBlobs struct {
	mu sync.Mutex
	m  map[uint64][2][]byte // key, encoding
}

func (m *memBlobs) put(id uint64, key, enc []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[uint64][2][]byte{}
	}
	m.m[id] = [2][]byte{bytes.Clone(key), bytes.Clone(enc)}
	return nil
}

func (m *memBlobs) get(id uint64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.m[id]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return b[1], nil
}

func (m *memBlobs) key(id uint64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.m[id]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return b[0], nil
}

func (m *memBlobs) remove(id uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, id)
	return nil
}

func (m *memBlobs) list() ([]uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := make([]uint64, 0, len(m.m))
	for id := range m.m {
		ids = append(ids, id)
	}
	return ids, nil
}
