package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"
)

// metaFloor holds the counter floor: the current actor token, then the
// floor (uint64, big-endian).
const metaFloor = "floor"

// floorState caches the stored floor. cur is read on every write without
// a lock; mu serialises loading and raising it.
type floorState struct {
	mu  sync.Mutex
	cur atomic.Pointer[floorValue]
}

type floorValue struct {
	actor string
	c     uint64
}

// CounterFloor returns the highest counter of the current actor among the
// keys reaped so far: a key whose history holds none of this actor's
// dots had them all reaped (or made obsolete), and its next write starts
// above the floor so no dot repeats. 0 when none was reaped under this
// actor (a new actor starts over).
func (db *DB) CounterFloor() (uint64, error) {
	f := db.floor.cur.Load()
	if f == nil {
		db.floor.mu.Lock()
		err := db.loadFloor()
		db.floor.mu.Unlock()
		if err != nil {
			return 0, err
		}
		f = db.floor.cur.Load()
	}
	if f.actor != db.Actor() {
		return 0, nil
	}
	return f.c, nil
}

// RaiseCounterFloor durably raises the current actor's floor to at least
// c. Call it before reaping keys whose histories hold counters up to c.
func (db *DB) RaiseCounterFloor(c uint64) error {
	db.recoverWrites()
	db.floor.mu.Lock()
	defer db.floor.mu.Unlock()
	if err := db.loadFloor(); err != nil {
		return err
	}
	actor := db.Actor()
	if f := db.floor.cur.Load(); f.actor == actor && f.c >= c {
		return nil
	}
	v := binary.BigEndian.AppendUint64([]byte(actor), c)
	if err := db.ldb.Put(metaKey(metaFloor), v, &opt.WriteOptions{Sync: true}); err != nil {
		return fmt.Errorf("engine: %s: storing counter floor: %w", db.dir, closedErr(err))
	}
	db.floor.cur.Store(&floorValue{actor: actor, c: c})
	return nil
}

// loadFloor reads the stored floor once. The caller holds floor.mu.
func (db *DB) loadFloor() error {
	if db.floor.cur.Load() != nil {
		return nil
	}
	b, err := db.ldb.Get(metaKey(metaFloor), nil)
	f := &floorValue{}
	switch {
	case errors.Is(err, leveldb.ErrNotFound):
	case err != nil:
		return fmt.Errorf("engine: %s: reading counter floor: %w", db.dir, closedErr(err))
	case len(b) < 8:
		return fmt.Errorf("%w: counter floor of %d bytes", ErrCorrupt, len(b))
	default:
		f.actor, f.c = string(b[:len(b)-8]), binary.BigEndian.Uint64(b[len(b)-8:])
	}
	db.floor.cur.Store(f)
	return nil
}
