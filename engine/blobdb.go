package engine

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/syndtr/goleveldb/leveldb"

	"github.com/ringkv/ringkv/replica/version"
)

// openBlobs sets up the blob store (initBlobs) and removes the blobs no
// record points at (a crash between a blob's write and its record's, or
// between a record's change and its old blob's removal). It runs after
// checkFormat, whose migration (migrate.go) rewrites blobs under new keys.
func (db *DB) openBlobs() error {
	if err := db.initBlobs(); err != nil {
		return fmt.Errorf("engine: open %s: %w", db.dir, err)
	}
	ids, err := db.blobs.list()
	if err != nil {
		return fmt.Errorf("engine: open %s: listing blobs: %w", db.dir, err)
	}
	orphans := 0
	for _, id := range ids {
		used, err := db.blobUsed(id)
		if err != nil {
			return fmt.Errorf("engine: open %s: blob %d: %w", db.dir, id, err)
		}
		if !used {
			orphans++
			if err := db.blobs.remove(id); err != nil {
				return fmt.Errorf("engine: open %s: removing orphan blob %d: %w", db.dir, id, err)
			}
		}
	}
	if orphans > 0 {
		db.log.Info().Int("blobs", orphans).Msg("removed large values no record points at (left by a crash)")
	}
	return nil
}

// initBlobs sets up the blob store (files under dir/blobs, or memory for
// a DB over a goleveldb Storage) and continues the id sequence, once.
func (db *DB) initBlobs() error {
	if db.blobs != nil {
		return nil
	}
	var bs blobs = fileBlobs{dir: filepath.Join(db.dir, "blobs")}
	if db.opt.Storage != nil {
		bs = &memBlobs{}
	}
	ids, err := bs.list()
	if err != nil {
		return fmt.Errorf("listing blobs: %w", err)
	}
	for _, id := range ids {
		db.blobSeq.Store(max(db.blobSeq.Load(), id))
	}
	db.blobs = bs
	return nil
}

// blobUsed reports whether the record of the key blob id was written for
// points at it.
func (db *DB) blobUsed(id uint64) (bool, error) {
	key, err := db.blobs.key(id)
	if errors.Is(err, ErrCorrupt) {
		return false, nil // torn by a crash before its record was written
	}
	if err != nil {
		return false, err
	}
	raw, err := db.ldb.Get(dataKey(Hash(key), key), nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ref, ok, err := parseBlobRecord(raw)
	return ok && err == nil && ref.id == id, nil
}

// putBlob stores a large encoding as a new blob and returns its record.
// A failure is a DiskError (the client's MISCONF), though it does not
// make other writes fail.
func (db *DB) putBlob(key, enc []byte, digest uint64, live bool) (id uint64, record []byte, err error) {
	id = db.blobSeq.Add(1)
	db.usedBig(len(enc))
	if err := db.blobs.put(id, key, enc); err != nil {
		return 0, nil, &DiskError{Dir: db.dir, Err: err, Since: time.Now()}
	}
	return id, blobRecord(id, enc, digest, live), nil
}

// dropBlob removes a blob no record points at any more; a failure leaves
// an orphan for the next Open.
func (db *DB) dropBlob(id, size uint64) {
	if err := db.blobs.remove(id); err != nil {
		db.log.Warn().Err(err).Uint64("blob", id).Msg("removing a large value's file failed; the next start removes it")
	}
	db.noteFreed(size)
}

// dropAllBlobs removes every blob once Flush deleted every record; one
// that cannot be removed is an orphan for the next Open.
func (db *DB) dropAllBlobs() {
	ids, err := db.blobs.list()
	if err != nil {
		db.log.Warn().Err(err).Msg("listing large values to remove after FLUSHALL failed; the next start removes them")
	}
	for _, id := range ids {
		db.dropBlob(id, bigFree)
	}
}

// decodeRecord returns the set a stored record holds, reading its blob if
// it has one; blob is its id (0 if inline) and size its bytes. If the blob
// is gone (a write replaced the record after raw was read), it reads the
// current record; the second time, under the key's stripe lock (unless
// held says the caller has it), which no write can pass. A write (held)
// gets a blob's set in a buffer of its own with room to grow
// (bigval_blob.go).
func (db *DB) decodeRecord(dk, key, raw []byte, held bool) (s version.Set, blob, size uint64, err error) {
	for try := 0; try < 3; try++ {
		if try == 2 && !held {
			mu := &db.keyMu[Hash(key)%stripes]
			mu.Lock()
			defer mu.Unlock()
			if raw, err = db.ldb.Get(dk, nil); errors.Is(err, leveldb.ErrNotFound) {
				return nil, 0, 0, nil
			} else if err != nil {
				return nil, 0, 0, err
			}
		}
		ref, ok, err := parseBlobRecord(raw)
		if err != nil {
			return nil, 0, 0, err
		}
		if !ok {
			s, err := version.DecodeSet(raw)
			return s, 0, 0, err
		}
		db.collectBig(int(ref.size))
		db.usedBig(int(ref.size))
		get, decode := db.blobs.get, version.DecodeSet
		if held {
			// A write's own copy, which an APPEND may grow in place
			// (bigval_blob.go).
			get, decode = db.blobs.getSpare, version.DecodeOwnedSet
		}
		enc, err := get(ref.id)
		if errors.Is(err, fs.ErrNotExist) {
			raw, err = db.ldb.Get(dk, nil)
			if errors.Is(err, leveldb.ErrNotFound) {
				return nil, 0, 0, nil
			}
			if err != nil {
				return nil, 0, 0, err
			}
			continue
		}
		if err != nil {
			return nil, 0, 0, err
		}
		if uint64(len(enc)) != ref.size || crc32.Checksum(enc, castagnoli) != ref.crc {
			return nil, 0, 0, fmt.Errorf("blob %d: size or checksum mismatch", ref.id)
		}
		s, err = decode(enc)
		return s, ref.id, ref.size, err
	}
	return nil, 0, 0, errors.New("blob missing")
}
