package engine

import (
	"bytes"

	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/replica/version"
)

// Reap deletes key's record, and with it every trace of the key, if the
// stored set still equals expect (version.Set.Equal) and holds tombstones
// only. It runs under the key's lock, so a write that landed since the
// caller read expect wins and Reap returns false. The replica layer
// decides when a tombstone may go (every primary holds it, no hint is
// pending, the grace period has passed); the engine only executes.
func (db *DB) Reap(key []byte, expect version.Set) (reaped bool, err error) {
	err = db.locked(Hash(key), key, func(r *keyRec) error {
		if len(r.cur) == 0 || r.cur.HasLive() || !r.cur.Equal(expect) {
			return nil
		}
		if err := db.store(r, nil); err != nil {
			return err
		}
		reaped = true
		return nil
	})
	if reaped {
		db.reaped.Add(1)
	}
	return reaped, err
}

// Drop deletes key's record if it still equals expect, whether or not
// it holds values: for records the layer above has proven dead for good,
// such as a deleted collection's element records (replica's reaper).
func (db *DB) Drop(key []byte, expect version.Set) (dropped bool, err error) {
	err = db.locked(Hash(key), key, func(r *keyRec) error {
		if len(r.cur) == 0 || !r.cur.Equal(expect) {
			return nil
		}
		if err := db.store(r, nil); err != nil {
			return err
		}
		dropped = true
		return nil
	})
	return dropped, err
}

// Tombstones calls fn, in order of their newest time, for every record
// that holds tombstones only, all written before olderThan (Unix ms, by
// the coordinators' clocks): the candidates for Reap, with the key's hash.
// It walks the tombstone index ("z"), so its cost follows the tombstones
// old enough, not the data. key and s are fn's to keep. It stops when fn
// returns false.
func (db *DB) Tombstones(olderThan int64, fn func(h uint64, key []byte, s version.Set) bool) error {
	if olderThan <= 1 {
		return nil
	}
	it := db.ldb.NewIterator(&util.Range{Start: []byte{prefixTomb}, Limit: tombKey(uint64(olderThan), 0, nil)},
		&opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	for it.Next() {
		_, h, key, ok := parseTombKey(it.Key())
		if !ok {
			continue
		}
		key = bytes.Clone(key)
		r, err := db.loadRec(h, dataKey(h, key), key, false)
		if err != nil {
			return err
		}
		if reapable(r.cur, olderThan) && !fn(h, key, r.cur) {
			break
		}
	}
	return it.Error()
}

// reapable reports whether s is tombstones only, all older than t.
func reapable(s version.Set, t int64) bool {
	for i := range s {
		if !s[i].Tombstone || s[i].Time >= t {
			return false
		}
	}
	return len(s) > 0
}
