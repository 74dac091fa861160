package engine

import (
	"bytes"
	"fmt"

	"github.com/syndtr/goleveldb/leveldb/iterator"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/version"
)

// Range calls fn for every stored key with lo <= hash <= hi, in (hash, key)
// order, with its set; tombstone-only sets included (filter with
// version.Set.HasLive or Live). It stops when fn returns false. Range reads
// a snapshot: writes made during the scan are not seen. fn owns key and s
// and may call the DB.
func (db *DB) Range(lo, hi uint64, fn func(hash uint64, key []byte, s version.Set) bool) error {
	return db.RangeFrom(lo, hi, 0, nil, fn)
}

// Prefix calls fn for every stored key that starts with prefix and sorts
// after after (from the first when after is nil), in key order, with its
// set, tombstone-only sets included, until fn returns false. Every key
// with the prefix must share the prefix's placement hash, as a
// collection's element records do (cluster/ring.ElementPrefix), so they
// are one contiguous range. Like Range it reads a snapshot, and fn owns
// key and s.
func (db *DB) Prefix(prefix, after []byte, fn func(key []byte, s version.Set) bool) error {
	return db.walkPrefix(prefix, after, false, fn)
}

// PrefixReverse is Prefix walking backwards: it calls fn for every stored
// key that starts with prefix and sorts before before (from the last when
// before is nil), in descending key order, until fn returns false. The
// same rules hold: one placement hash per prefix, a snapshot, fn owns key
// and s.
func (db *DB) PrefixReverse(prefix, before []byte, fn func(key []byte, s version.Set) bool) error {
	return db.walkPrefix(prefix, before, true, fn)
}

// walkPrefix is Prefix (forwards from past bound) and PrefixReverse
// (backwards from before bound); a nil bound starts at the range's end.
func (db *DB) walkPrefix(prefix, bound []byte, reverse bool, fn func(key []byte, s version.Set) bool) error {
	h := Hash(prefix)
	r := &util.Range{Start: dataKey(h, prefix), Limit: dataRange(h, h).Limit}
	if end := ring.PrefixEnd(prefix); end != nil {
		r.Limit = dataKey(h, end)
	}
	switch {
	case bound == nil:
	case reverse:
		r.Limit = dataKey(h, bound) // exclusive: the first key at or past bound
	default:
		r.Start = append(dataKey(h, bound), 0) // the first key past bound
	}
	stripe := int(h % stripes)
	gen := db.wc.gen(stripe) // before the iterator: walkcache.go
	var keep [][2][]byte
	defer func() {
		if walkFillHook != nil {
			walkFillHook()
		}
		db.wc.fill(stripe, gen, keep)
	}()
	it := db.ldb.NewIterator(r, &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	first, step, what := it.First, it.Next, "prefix"
	if reverse {
		first, step, what = it.Last, it.Prev, "reverse prefix"
	}
	for more := first(); more; more = step() {
		_, key, raw, s, err := db.record(it)
		if err != nil {
			return err
		}
		if len(keep) < walkCacheTake && len(raw) <= walkCacheRaw {
			keep = append(keep, [2][]byte{dataKey(h, key), bytes.Clone(raw)}) // fn's set aliases raw
		}
		if len(s) == 0 {
			continue
		}
		if !fn(key, s) {
			break
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("engine: %s %q: %w", what, prefix, closedErr(err))
	}
	return nil
}

// record decodes the record under it: its placement hash, a copy of its
// key, a copy of the raw record, and its set (empty when the record was
// deleted while its blob was read).
func (db *DB) record(it iterator.Iterator) (uint64, []byte, []byte, version.Set, error) {
	dk, v := keyValue(it)
	h, key, ok := parseDataKey(dk)
	if !ok {
		return 0, nil, nil, nil, fmt.Errorf("%w: bad record key %x", ErrCorrupt, dk)
	}
	// One copy holds both (the iterator reuses its buffers); the key's
	// capacity ends where the value starts.
	buf := make([]byte, len(key)+len(v))
	copy(buf[copy(buf, key):], v)
	key = buf[:len(key):len(key)]
	raw := buf[len(key):]
	s, _, _, err := db.decodeRecord(dk, key, raw, false)
	if err != nil {
		return 0, nil, nil, nil, fmt.Errorf("%w: key %q: %w", ErrCorrupt, key, err)
	}
	return h, key, raw, s, nil
}
