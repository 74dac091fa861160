package engine

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/replica/version"
)

// RangeFrom is Range resumed after a cursor: it calls fn for every record
// with lo <= hash <= hi that sorts after (afterHash, afterKey) in the
// store's (hash, key) order, from lo when afterKey is nil. Partition
// handoff pages through a partition with it: many records can share a
// hash (a collection's elements), so a hash alone is not a cursor.
func (db *DB) RangeFrom(lo, hi, afterHash uint64, afterKey []byte, fn func(hash uint64, key []byte, s version.Set) bool) error {
	if lo > hi {
		return nil
	}
	r := dataRange(lo, hi)
	if afterKey != nil {
		// The smallest key after dataKey(afterHash, afterKey).
		r.Start = append(dataKey(afterHash, afterKey), 0)
	}
	it := db.ldb.NewIterator(r, &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	for it.Next() {
		h, key, _, s, err := db.record(it)
		if err != nil {
			return err
		}
		if len(s) == 0 {
			continue
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

// HasRecords reports whether any record has lo <= hash <= hi.
func (db *DB) HasRecords(lo, hi uint64) (bool, error) {
	it := db.ldb.NewIterator(dataRange(lo, hi), &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	found := it.Next()
	if err := it.Error(); err != nil {
		return false, fmt.Errorf("engine: range %016x-%016x: %w", lo, hi, closedErr(err))
	}
	return found, nil
}

// NextRecordHash returns the smallest hash >= from that has a record, and
// false when there is none: a walk over the partitions that hold data
// costs one seek per such partition, not one per partition.
func (db *DB) NextRecordHash(from uint64) (uint64, bool, error) {
	it := db.ldb.NewIterator(dataRange(from, ^uint64(0)), &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	if !it.Next() {
		if err := it.Error(); err != nil {
			return 0, false, fmt.Errorf("engine: seek %016x: %w", from, closedErr(err))
		}
		return 0, false, nil
	}
	h, _, ok := parseDataKey(it.Key())
	if !ok {
		return 0, false, fmt.Errorf("%w: bad record key %x", ErrCorrupt, it.Key())
	}
	return h, true, nil
}

// RangeSize is LevelDB's estimate of the bytes on disk of the records with
// lo <= hash <= hi (blobs not included).
func (db *DB) RangeSize(lo, hi uint64) (int64, error) {
	r := dataRange(lo, hi)
	sizes, err := db.ldb.SizeOf([]util.Range{*r})
	if err != nil {
		return 0, fmt.Errorf("engine: size of range %016x-%016x: %w", lo, hi, closedErr(err))
	}
	return sizes.Sum(), nil
}

// metaHandoff prefixes the meta records of partition handoff.
const metaHandoff = "handoff/"

// HandoffState returns the handoff record name, or nil if there is none.
func (db *DB) HandoffState(name string) ([]byte, error) {
	v, err := db.ldb.Get(metaKey(metaHandoff+name), nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("engine: read handoff state %q: %w", name, closedErr(err))
	}
	return v, nil
}

// SetHandoffState durably stores (v non-nil) or deletes (v nil) the
// handoff record name.
func (db *DB) SetHandoffState(name string, v []byte) error {
	var err error
	if v == nil {
		err = db.ldb.Delete(metaKey(metaHandoff+name), &opt.WriteOptions{Sync: true})
	} else {
		err = db.ldb.Put(metaKey(metaHandoff+name), v, &opt.WriteOptions{Sync: true})
	}
	if err != nil {
		return fmt.Errorf("engine: write handoff state %q: %w", name, closedErr(err))
	}
	return nil
}

// NoteHandoffState stores the handoff record name without waiting for
// the disk: for a transfer's cursor after each page. It shares LevelDB's
// journal with the records the page merged, written before it, so a crash
// can lose the cursor but never keep it ahead of those records (the
// transfer then merges a page again, which changes nothing).
func (db *DB) NoteHandoffState(name string, v []byte) error {
	var err error
	if v == nil {
		err = db.ldb.Delete(metaKey(metaHandoff+name), nil)
	} else {
		err = db.ldb.Put(metaKey(metaHandoff+name), v, nil)
	}
	if err != nil {
		return fmt.Errorf("engine: write handoff state %q: %w", name, closedErr(err))
	}
	return nil
}

// EachHandoffState calls fn for every handoff record whose name starts
// with prefix, in name order, until fn returns false.
func (db *DB) EachHandoffState(prefix string, fn func(name string, v []byte) bool) error {
	p := metaKey(metaHandoff + prefix)
	it := db.ldb.NewIterator(util.BytesPrefix(p), nil)
	defer it.Release()
	for it.Next() {
		name := string(bytes.TrimPrefix(it.Key(), metaKey(metaHandoff)))
		if !fn(name, append([]byte(nil), it.Value()...)) {
			break
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("engine: read handoff states: %w", closedErr(err))
	}
	return nil
}
