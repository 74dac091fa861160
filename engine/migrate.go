package engine

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/merkle"
	"github.com/ringkv/ringkv/replica/version"
)

// migrateBatch is how many records one migration batch rewrites (a
// variable for tests).
var migrateBatch = 1000

// Meta keys of a migration in progress (see migrate).
const (
	// metaStaged prefixes a moved record waiting for its new place: "m"
	// "staged/" then the record's new LevelDB key.
	metaStaged = "staged/"
	// metaStagedAll marks that every record to move is staged.
	metaStagedAll = "staged"
)

// migrate moves a directory of format 1, 2 or 3 to format 4's layout,
// then indexes its tombstones (format 5, migrateTombIndex).
//
// Format 4 stores records under internal keys (cluster/ring/keys.go): a
// user key starting with 0xFF is escaped as 0xFF 0x00 key, which earlier
// formats stored as is; format 2 placed a key with a Redis hash tag
// ({user1}:cart) by the tag's hash, which format 1 did not. So every data,
// expiry-index and hint record is moved to key InternalKey(key) under
// hash Hash(InternalKey(key)) when either differs from what it has (a
// directory of format 2 or 3 only holds user keys, no element records).
//
// Whether a record was moved cannot be told from its key (an old user key
// may itself start with 0xFF 0x00 and place as its escaped form would), so
// the move has two phases, each in batches of synced writes. First each
// record to move is deleted and written to a staging area ("m" "staged/"
// new key) in the same batch; the last batch also writes "m" "staged".
// Then each staged record is moved to its new key. A crash in the first
// phase leaves the unmoved records where they were and the moved ones
// staged: the next Open stages the rest. After it, "m" "staged" makes the
// next Open skip to the second phase. Either way no record moves twice.
//
// A data record that points at a blob (blob.go) gets a new blob, written
// under the new key with the Merkle digest for it, before its record is
// staged, and the old blob is removed after; a crash in between leaves an
// orphan that openBlobs removes (it runs after this). Then the saved
// Merkle tree (laid out by hash, digests by key) is dropped, to be
// rebuilt, and the format marker is stamped, durably, in the batch that
// deletes "m" "staged".
func (db *DB) migrate(from uint64) error {
	fail := func(err error) error {
		return fmt.Errorf("engine: open %s: migrating format %d to %d: %w", db.dir, from, formatVersion, err)
	}
	if err := db.initBlobs(); err != nil {
		return fail(err)
	}
	switch _, err := db.ldb.Get(metaKey(metaStagedAll), nil); {
	case errors.Is(err, leveldb.ErrNotFound):
		if err := db.stageMoves(); err != nil {
			return fail(err)
		}
	case err != nil:
		return fail(err)
	}
	moved, err := db.unstage()
	if err != nil {
		return fail(err)
	}
	if err := db.deleteTree(); err != nil {
		return err
	}
	if _, err := db.buildTombIndex(); err != nil {
		return fail(err)
	}
	var b leveldb.Batch
	b.Put(metaKey(metaFormat), u64(formatVersion))
	b.Delete(metaKey(metaStagedAll))
	if err := db.ldb.Write(&b, &opt.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("engine: open %s: writing format: %w", db.dir, err)
	}
	db.log.Info().Int("records_moved", moved).Uint64("from", from).Uint64("format", formatVersion).
		Msg("data directory migrated: keys starting with 0xFF are now stored escaped, keys with hash tags placed by their tag")
	return nil
}

// migrateTombIndex moves a directory of format 4 to 5: it indexes the
// records of tombstones only, then stamps the format. A crash part way
// leaves format 4, and the next Open indexes again (the entries it wrote
// are the same).
func (db *DB) migrateTombIndex() error {
	n, err := db.buildTombIndex()
	if err != nil {
		return fmt.Errorf("engine: open %s: migrating format 4 to %d: %w", db.dir, formatVersion, err)
	}
	if err := db.ldb.Put(metaKey(metaFormat), u64(formatVersion), &opt.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("engine: open %s: writing format: %w", db.dir, err)
	}
	db.log.Info().Int64("tombstones", n).Uint64("format", formatVersion).
		Msg("data directory migrated: tombstones indexed, so reaping no longer scans every record")
	return nil
}

// buildTombIndex writes the tombstone index entry of every record of
// tombstones only, in synced batches, logging progress; it returns how
// many it indexed.
func (db *DB) buildTombIndex() (int64, error) {
	it := db.ldb.NewIterator(util.BytesPrefix([]byte{prefixData}), &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	var b leveldb.Batch
	var seen, n int64
	last := time.Now()
	for it.Next() {
		seen++
		h, key, ok := parseDataKey(it.Key())
		if !ok {
			continue
		}
		if _, blob, err := parseBlobRecord(it.Value()); err != nil || blob {
			continue // a blob holds a value: never tombstones only
		}
		s, err := version.DecodeSet(it.Value())
		if err != nil {
			return n, fmt.Errorf("%w: %x: %w", ErrCorrupt, it.Key(), err)
		}
		if t := tombIndex(s); t != 0 {
			b.Put(tombKey(t, h, key), nil)
			n++
		}
		if b.Len() >= migrateBatch {
			if err := db.ldb.Write(&b, &opt.WriteOptions{Sync: true}); err != nil {
				return n, err
			}
			b.Reset()
		}
		if time.Since(last) >= countProgress {
			last = time.Now()
			db.log.Info().Int64("records", seen).Int64("tombstones", n).Msg("indexing tombstones")
		}
	}
	if err := it.Error(); err != nil {
		return n, err
	}
	return n, db.ldb.Write(&b, &opt.WriteOptions{Sync: true})
}

// migrateCrash, if set (tests), is called before each synced batch of a
// migration with its phase (1 staging, 2 unstaging); an error stops the
// migration there, as a crash would.
var migrateCrash func(phase int) error

// stageMoves is the first phase of migrate: it moves every data,
// expiry-index and hint record whose key is not current to the staging
// area, and marks the phase done.
func (db *DB) stageMoves() error {
	var b leveldb.Batch
	var oldBlobs []blobRef
	flush := func(last bool) error {
		if last {
			b.Put(metaKey(metaStagedAll), nil)
		}
		if migrateCrash != nil {
			if err := migrateCrash(1); err != nil {
				return err
			}
		}
		if err := db.ldb.Write(&b, &opt.WriteOptions{Sync: true}); err != nil {
			return err
		}
		b.Reset()
		for _, ref := range oldBlobs {
			db.dropBlob(ref.id, ref.size)
		}
		oldBlobs = oldBlobs[:0]
		return nil
	}
	for _, pfx := range []byte{prefixData, prefixExpiry, prefixHint} {
		it := db.ldb.NewIterator(util.BytesPrefix([]byte{pfx}), &opt.ReadOptions{DontFillCache: true})
		for it.Next() {
			nk, ok := migratedKey(it.Key())
			if !ok {
				continue
			}
			v := bytes.Clone(it.Value())
			if pfx == prefixData {
				var old *blobRef
				var err error
				if v, old, err = db.reblob(it.Key(), nk, v); err != nil {
					it.Release()
					return err
				}
				if old != nil {
					oldBlobs = append(oldBlobs, *old)
				}
			}
			b.Delete(bytes.Clone(it.Key()))
			b.Put(stagedKey(nk), v)
			if b.Len() >= 2*migrateBatch {
				if err := flush(false); err != nil {
					it.Release()
					return err
				}
			}
		}
		it.Release()
		if err := it.Error(); err != nil {
			return err
		}
	}
	return flush(true)
}

// reblob returns the record to store under data key nk for the record raw
// moved from data key k: raw itself unless it points at a blob, in which
// case a copy of the blob is written for nk's key, with the digest for
// that key, and old is the blob to remove once the move is durable. A
// blob that is gone or damaged is left as it is (its reads fail either
// way), with a warning.
func (db *DB) reblob(k, nk, raw []byte) (record []byte, old *blobRef, err error) {
	ref, ok, err := parseBlobRecord(raw)
	if !ok || err != nil {
		return raw, nil, nil // inline (a damaged record fails its reads either way)
	}
	_, key, _ := parseDataKey(k)
	_, nkey, _ := parseDataKey(nk)
	if bytes.Equal(key, nkey) {
		return raw, nil, nil // rehashed only: the blob's key and digest hold
	}
	enc, err := db.blobs.get(ref.id)
	if err == nil && (uint64(len(enc)) != ref.size || crc32.Checksum(enc, castagnoli) != ref.crc) {
		err = ErrCorrupt
	}
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrCorrupt) {
		db.log.Warn().Err(err).Uint64("blob", ref.id).Bytes("key", key).
			Msg("migrating a record whose large value is missing or damaged: moved as it is")
		return raw, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if _, record, err = db.putBlob(nkey, enc, merkle.Digest(nkey, enc), ref.live); err != nil {
		return nil, nil, err
	}
	return record, &ref, nil
}

// unstage is the second phase of migrate: it moves every staged record to
// its new key, and returns how many it moved.
func (db *DB) unstage() (int, error) {
	pfx := metaKey(metaStaged)
	it := db.ldb.NewIterator(util.BytesPrefix(pfx), &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	var b leveldb.Batch
	moved := 0
	flush := func() error {
		if migrateCrash != nil {
			if err := migrateCrash(2); err != nil {
				return err
			}
		}
		err := db.ldb.Write(&b, &opt.WriteOptions{Sync: true})
		b.Reset()
		return err
	}
	for it.Next() {
		b.Delete(bytes.Clone(it.Key()))
		b.Put(bytes.Clone(it.Key()[len(pfx):]), bytes.Clone(it.Value()))
		if moved++; b.Len() >= 2*migrateBatch {
			if err := flush(); err != nil {
				return moved, err
			}
		}
	}
	if err := it.Error(); err != nil {
		return moved, err
	}
	return moved, flush()
}

func stagedKey(k []byte) []byte { return append(metaKey(metaStaged), k...) }

// migratedKey returns the key a record k of a directory of format 3 or
// older has in format 4, and false if it has it already (or is not a
// record that holds a user key). Only for records of such a directory:
// a format-4 key starting with 0xFF would be escaped again.
func migratedKey(k []byte) ([]byte, bool) {
	switch k[0] {
	case prefixData:
		if h, key, ok := parseDataKey(k); ok {
			if ik, nh, move := migrated(h, key); move {
				return dataKey(nh, ik), true
			}
		}
	case prefixExpiry:
		if exp, h, key, ok := parseExpiryKey(k); ok {
			if ik, nh, move := migrated(h, key); move {
				return expiryKey(exp, nh, ik), true
			}
		}
	case prefixHint:
		if target, h, key, ok := parseHintKey(k); ok {
			if ik, nh, move := migrated(h, key); move {
				return hintKey(target, nh, ik), true
			}
		}
	}
	return nil, false
}

// migrated returns the internal key and hash of a record stored under
// user key key and hash h, and whether either differs.
func migrated(h uint64, key []byte) (ik []byte, nh uint64, move bool) {
	ik = ring.InternalKey(key)
	nh = Hash(ik)
	return ik, nh, nh != h || len(ik) != len(key)
}
