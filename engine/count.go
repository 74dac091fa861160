package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/ringkv/ringkv/cluster/ring"
)

// Len returns the number of keys whose set holds a value sibling
// (version.Set.HasLive): expired values not yet swept count, tombstones
// do not, and neither do collections' element records (a collection
// counts once, by its header record).
func (db *DB) Len() int64 { return db.live.Load() }

// counted reports whether key's record counts in Len: every key but a
// collection's element record (cluster/ring's internal keys).
func counted(key []byte) bool { return !ring.IsElement(key) }

// countProgress is how often a recount logs.
const countProgress = 5 * time.Second

// loadCount restores the live count saved by a clean Close, deleting it
// (durably, so an unclean stop later cannot resurrect a stale count), or
// recounts when there is none.
func (db *DB) loadCount() error {
	k := metaKey(metaLive)
	b, err := db.ldb.Get(k, nil)
	if err == nil && len(b) == 8 {
		db.live.Store(int64(binary.BigEndian.Uint64(b)))
		if err := db.ldb.Delete(k, &opt.WriteOptions{Sync: true}); err != nil {
			return fmt.Errorf("engine: open %s: clearing live count: %w", db.dir, err)
		}
		return nil
	}
	if err != nil && !errors.Is(err, leveldb.ErrNotFound) {
		return fmt.Errorf("engine: open %s: reading live count: %w", db.dir, err)
	}
	n, err := db.recount()
	if err != nil {
		return fmt.Errorf("engine: open %s: recounting: %w", db.dir, err)
	}
	db.live.Store(n)
	return nil
}

// recount scans every record, logging progress every few seconds.
func (db *DB) recount() (int64, error) {
	db.log.Info().Str("dir", db.dir).Msg("no clean-shutdown count; recounting keys")
	start, last := time.Now(), time.Now()
	var n, seen int64
	it := db.ldb.NewIterator(util.BytesPrefix([]byte{prefixData}), &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	for it.Next() {
		live, err := recordLive(it.Value())
		if err != nil {
			return 0, fmt.Errorf("%w: %x: %w", ErrCorrupt, it.Key(), err)
		}
		seen++
		if _, key, ok := parseDataKey(it.Key()); live && ok && counted(key) {
			n++
		}
		if time.Since(last) >= countProgress {
			last = time.Now()
			db.log.Info().Int64("records", seen).Int64("live", n).Msg("recounting keys")
		}
	}
	if err := it.Error(); err != nil {
		return 0, err
	}
	db.log.Info().Int64("records", seen).Int64("live", n).
		Dur("took", time.Since(start)).Msg("recounted keys")
	return n, nil
}
