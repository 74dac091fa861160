package engine

import (
	"fmt"

	"github.com/syndtr/goleveldb/leveldb"

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
	b := getBatch()
	defer putBatch(b)
	return db.storeBatch(b, r, next)
}

// storeBatch is store with b's writes (hints) in the same batch. A set
// whose encoding reaches Options.BlobMin goes to a blob first (blob.go).
func (db *DB) storeBatch(b *leveldb.Batch, r *keyRec, next version.Set) error {
	st, err := db.stage(b, r, next)
	if err != nil {
		return err
	}
	err = db.ldb.Write(b, db.wo)
	db.filed(st)
	if err != nil {
		if !db.health.suspect(r.dk, r.h, r.key, err) && st.blob != 0 {
			db.dropBlob(st.blob, 0) // its record is torn for good: no reopen brings it back
		}
		return fmt.Errorf("engine: write %q: %w", r.key, closedErr(err))
	}
	db.stored(st)
	return nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
