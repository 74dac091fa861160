package engine

import (
	"fmt"

	"github.com/syndtr/goleveldb/leveldb/opt"

	"github.com/ringkv/ringkv/replica/version"
)

// Range calls fn for every stored key with lo <= hash <= hi, in (hash, key)
// order, with its set; tombstone-only sets included (filter with
// version.Set.HasLive or Live). It stops when fn returns false. Range reads
// a snapshot: writes made during the scan are not seen. fn owns key and s
// and may call the DB.
func (db *DB) Range(lo, hi uint64, fn func(hash uint64, key []byte, s version.Set) bool) error {
	if lo > hi {
		return nil
	}
	it := db.ldb.NewIterator(dataRange(lo, hi), &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	for it.Next() {
		h, key, ok := parseDataKey(it.Key())
		if !ok {
			return fmt.Errorf("%w: bad record key %x", ErrCorrupt, it.Key())
		}
		key = append([]byte(nil), key...)
		s, _, _, err := db.decodeRecord(it.Key(), key, append([]byte(nil), it.Value()...), false)
		if err != nil {
			return fmt.Errorf("%w: key %q: %w", ErrCorrupt, key, err)
		}
		if len(s) == 0 {
			continue // deleted while its blob was read
		}
		if !fn(h, key, s) {
			break
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("engine: range %016x-%016x: %w", lo, hi, closedErr(err))
	}
	return nil
}
