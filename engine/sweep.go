package engine

import (
	"fmt"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
)

// Sweep expires up to limit keys whose expiry index entry is at or before
// now: their expired value siblings become tombstones (version.Set.Expire)
// and their index entries move to the next expiry or go. It returns how
// many keys changed.
func (db *DB) Sweep(now int64, limit int) (expired int, err error) {
	_, expired, err = db.sweep(now, limit)
	return expired, err
}

// sweep also returns how many index entries it visited, so the sweeper
// knows whether the batch was full.
func (db *DB) sweep(now int64, limit int) (visited, expired int, err error) {
	it := db.ldb.NewIterator(expiredRange(now), &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	for visited < limit && it.Next() {
		visited++
		exp, h, key, ok := parseExpiryKey(it.Key())
		if !ok {
			return visited, expired, fmt.Errorf("%w: bad index key %x", ErrCorrupt, it.Key())
		}
		changed, err := db.expireKey(exp, h, append([]byte(nil), key...), now)
		if err != nil {
			return visited, expired, err
		}
		expired += int(b2i(changed))
	}
	if err := it.Error(); err != nil {
		return visited, expired, fmt.Errorf("engine: sweep: %w", closedErr(err))
	}
	db.sweeps.Add(1)
	db.expired.Add(int64(expired))
	return visited, expired, nil
}

// expireKey expires key's set at now under its lock. An index entry that
// no longer matches the record (it cannot happen while batches are atomic,
// but would otherwise be revisited forever) is deleted.
func (db *DB) expireKey(exp, h uint64, key []byte, now int64) (expired bool, err error) {
	err = db.locked(h, key, func(r *keyRec) error {
		if indexExpiry(r.cur.MinExpiry()) != exp {
			db.log.Warn().Bytes("key", key).Uint64("expiry", exp).Msg("dropping stray expiry index entry")
			var b leveldb.Batch
			b.Delete(expiryKey(exp, h, key))
			return closedErr(db.ldb.Write(&b, db.wo))
		}
		next, changed := r.cur.Expire(now)
		if !changed {
			return nil
		}
		expired = true
		return db.store(r, next)
	})
	return expired, err
}

// ExpireKey expires key's value siblings whose expiry is at or before now,
// as the sweeper will: Redis's expiry on access, so a key read after it
// expired stops counting in Len (DBSIZE, INFO keyspace) at once, not at
// the next sweep. It reports whether anything changed.
func (db *DB) ExpireKey(key []byte, now int64) (expired bool, err error) {
	err = db.locked(Hash(key), key, func(r *keyRec) error {
		if m := r.cur.MinExpiry(); m == 0 || m > now {
			return nil
		}
		next, changed := r.cur.Expire(now)
		if !changed {
			return nil
		}
		expired = true
		return db.store(r, next)
	})
	if expired {
		db.expired.Add(1)
	}
	return expired, err
}
