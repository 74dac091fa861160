package engine

import (
	"fmt"

	"github.com/syndtr/goleveldb/leveldb"

	"github.com/ringkv/ringkv/replica/merkle"
	"github.com/ringkv/ringkv/replica/version"
)

// Update runs fn on key's current set (nil if none) under the key's lock
// and stores what fn returns, atomically with its expiry index entry. If fn
// returns changed=false or an error, nothing is written and Update returns
// the current set, or the error as is. Storing an empty set deletes the
// record. fn must not call the DB. Update returns the stored set.
func (db *DB) Update(key []byte, fn func(cur version.Set) (next version.Set, changed bool, err error)) (version.Set, error) {
	return db.UpdateHinted(key, nil, fn)
}

// locked runs fn with key's current record while holding the gate
// (shared) and key's stripe lock (keyLocked). fn may write the key with
// store.
func (db *DB) locked(h uint64, key []byte, fn func(r *keyRec) error) error {
	return db.keyLocked(h, func() error {
		r, err := db.loadRec(h, dataKey(h, key), key, true)
		if err != nil {
			return err
		}
		return fn(r)
	})
}

// Merge absorbs in into key's set (version.Set.Merge), less the versions
// written at or before the latest Flush. changed reports
// whether the stored set changed; merged is the stored set either way.
func (db *DB) Merge(key []byte, in version.Set) (merged version.Set, changed bool, err error) {
	merged, err = db.Update(key, func(cur version.Set) (version.Set, bool, error) {
		// Read the flush time under the gate (Update holds it shared, Flush
		// exclusively): read before it, a flush could slip in between and
		// this pre-flush version land after it.
		m := cur.Merge(in.DropBefore(db.flushedAt.Load()))
		changed = !m.Equal(cur)
		return m, changed, nil
	})
	if err != nil {
		return nil, false, err
	}
	return merged, changed, nil
}

// store writes next over r for its key in one batch with the expiry
// index, and keeps the counters, the Merkle tree and the blobs (so every
// change to a record must go through store). The caller holds the key's
// lock and the gate.
func (db *DB) store(r *keyRec, next version.Set) error {
	var b leveldb.Batch
	return db.storeBatch(&b, r, next)
}

// storeBatch is store with b's writes (hints) in the same batch. A set
// whose encoding reaches Options.BlobMin goes to a blob first (blob.go).
func (db *DB) storeBatch(b *leveldb.Batch, r *keyRec, next version.Set) error {
	h, dk, key, cur := r.h, r.dk, r.key, r.cur
	oldExp, newExp := indexExpiry(cur.MinExpiry()), indexExpiry(next.MinExpiry())
	if oldExp != 0 && oldExp != newExp {
		b.Delete(expiryKey(oldExp, h, key))
	}
	if newExp != 0 && newExp != oldExp {
		b.Put(expiryKey(newExp, h, key), nil)
	}
	var digest, blob uint64 // next's; 0 when the record goes, or is inline
	if len(next) == 0 {
		b.Delete(dk)
	} else {
		enc := next.AppendBinary(make([]byte, 0, encodedSizeHint(next)))
		digest = merkle.Digest(key, enc)
		if len(enc) < db.opt.BlobMin {
			b.Put(dk, enc)
		} else {
			var record []byte
			var err error
			if blob, record, err = db.putBlob(key, enc, digest, next.HasLive()); err != nil {
				return fmt.Errorf("engine: write %q: %w", key, err)
			}
			b.Put(dk, record)
		}
	}
	if err := db.ldb.Write(b, db.wo); err != nil {
		if !db.health.suspect(dk, h, key, err) && blob != 0 {
			db.dropBlob(blob, 0) // its record is torn for good: no reopen brings it back
		}
		return fmt.Errorf("engine: write %q: %w", key, closedErr(err))
	}
	if r.blob != 0 {
		db.dropBlob(r.blob, r.blobSize)
	}
	db.tree.t.Update(h, r.digest, digest)
	if counted(key) {
		db.live.Add(b2i(next.HasLive()) - b2i(cur.HasLive()))
	}
	db.writes.Add(1)
	db.dirty.Store(true)
	return nil
}

// encodedSizeHint is a capacity for next's encoding, so a large value is
// not copied again as the buffer grows.
func encodedSizeHint(s version.Set) int {
	n := 64
	for i := range s {
		n += len(s[i].Value) + 128
	}
	return bigCap(n)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
