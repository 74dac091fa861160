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

// locked runs fn with key's current set while holding the gate (shared)
// and key's stripe lock (keyLocked). fn may write the key with store.
func (db *DB) locked(h uint64, key []byte, fn func(h uint64, dk []byte, cur version.Set) error) error {
	return db.keyLocked(h, func() error {
		dk := dataKey(h, key)
		cur, err := db.load(dk, key)
		if err != nil {
			return err
		}
		return fn(h, dk, cur)
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

// store writes next over cur for key (hash h, record key dk) in one batch
// with the expiry index, and keeps the counters and the Merkle tree (so
// every change to a record must go through store). The caller holds
// key's lock and the gate.
func (db *DB) store(h uint64, dk, key []byte, cur, next version.Set) error {
	var b leveldb.Batch
	return db.storeBatch(&b, h, dk, key, cur, next)
}

// storeBatch is store with b's writes (hints) in the same batch.
func (db *DB) storeBatch(b *leveldb.Batch, h uint64, dk, key []byte, cur, next version.Set) error {
	oldExp, newExp := indexExpiry(cur.MinExpiry()), indexExpiry(next.MinExpiry())
	if oldExp != 0 && oldExp != newExp {
		b.Delete(expiryKey(oldExp, h, key))
	}
	if newExp != 0 && newExp != oldExp {
		b.Put(expiryKey(newExp, h, key), nil)
	}
	var enc []byte // next's encoding; nil when the record goes
	if len(next) == 0 {
		b.Delete(dk)
	} else {
		enc = next.AppendBinary(nil)
		b.Put(dk, enc)
	}
	if err := db.ldb.Write(b, db.wo); err != nil {
		db.health.suspect(dk, h, key, err)
		return fmt.Errorf("engine: write %q: %w", key, closedErr(err))
	}
	db.updateTree(h, key, cur, enc)
	db.live.Add(b2i(next.HasLive()) - b2i(cur.HasLive()))
	db.writes.Add(1)
	db.dirty.Store(true)
	return nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
