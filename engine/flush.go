package engine

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// flushBatch is how many deletes Flush puts in one LevelDB batch.
const flushBatch = 1000

// Flush deletes every record and expiry index entry (FLUSHALL on one
// node) and remembers before (Unix ms, durably): from then on Merge drops
// incoming versions written at or before it, so a replica or a late
// message that missed the flush cannot bring a flushed key back. Writers
// wait while it runs and Len is 0 after; readers (Get, Range) are not held
// and may see part of the data gone. It then compacts the range so the
// space comes back.
func (db *DB) Flush(before int64) error {
	if err := db.flushLocked(before); err != nil {
		return err
	}
	err := db.ldb.CompactRange(util.Range{Start: []byte{prefixData}, Limit: []byte{prefixTomb + 1}}) // d through z: the indexes too
	if err != nil {
		return fmt.Errorf("engine: flush %s: compacting: %w", db.dir, closedErr(err))
	}
	return nil
}

// loadFlushed reads the latest Flush's time at Open.
func (db *DB) loadFlushed() error {
	b, err := db.ldb.Get(metaKey(metaFlushed), nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return nil
	}
	if err != nil || len(b) != 8 {
		return fmt.Errorf("engine: open %s: reading flush time: %v (the directory may be damaged)", db.dir, err)
	}
	db.flushedAt.Store(int64(binary.BigEndian.Uint64(b)))
	return nil
}

// FlushedAt is the time of the latest Flush (Unix ms), 0 if none.
func (db *DB) FlushedAt() int64 { return db.flushedAt.Load() }

func (db *DB) flushLocked(before int64) error {
	db.recoverWrites()
	db.gate.Lock()
	defer db.gate.Unlock()
	if db.closed {
		return ErrClosed
	}
	if before > db.flushedAt.Load() {
		err := db.ldb.Put(metaKey(metaFlushed), u64(uint64(before)), &opt.WriteOptions{Sync: true})
		if err != nil {
			return fmt.Errorf("engine: flush %s: %w", db.dir, closedErr(err))
		}
		db.flushedAt.Store(before)
	}
	if err := db.flushState(); err != nil {
		return err
	}
	db.staleTree() // until resetTree: a failure part way leaves it stale
	for _, p := range []byte{prefixData, prefixExpiry, prefixTomb} {
		if err := db.deletePrefix(p); err != nil {
			return fmt.Errorf("engine: flush %s: %w", db.dir, closedErr(err))
		}
	}
	db.resetTree()
	db.wc.clear()
	db.live.Store(0)
	db.dropAllBlobs()
	return nil
}

// deletePrefix deletes every key starting with p, in batches. The caller
// holds the gate exclusively.
func (db *DB) deletePrefix(p byte) error {
	it := db.ldb.NewIterator(util.BytesPrefix([]byte{p}), &opt.ReadOptions{DontFillCache: true})
	defer it.Release()
	var b leveldb.Batch
	for it.Next() {
		b.Delete(append([]byte(nil), it.Key()...))
		if b.Len() >= flushBatch {
			if err := db.ldb.Write(&b, db.wo); err != nil {
				return err
			}
			b.Reset()
		}
	}
	if err := it.Error(); err != nil {
		return err
	}
	db.dirty.Store(true)
	return db.ldb.Write(&b, db.wo)
}
