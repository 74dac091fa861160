package engine

import (
	"errors"
	"time"

	"github.com/syndtr/goleveldb/leveldb/opt"
)

// syncLoop is SyncEverySec's fsync goroutine.
func (db *DB) syncLoop() {
	defer db.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
			if !db.dirty.Load() {
				continue
			}
			if err := db.Sync(); err != nil {
				db.log.Error().Err(err).Msg("background fsync failed")
			}
		}
	}
}

// Sync fsyncs LevelDB's journal now, making every earlier write durable
// (but see doc.go on memtable rotation). It writes the tiny "m" "sync"
// key with Sync set: goleveldb has no bare fsync call.
func (db *DB) Sync() error {
	db.recoverWrites()
	dirty := db.dirty.Swap(false)
	if err := db.ldb.Put(metaKey(metaSync), nil, &opt.WriteOptions{Sync: true}); err != nil {
		if dirty {
			db.dirty.Store(true)
		}
		return closedErr(err)
	}
	return nil
}

// sweepLoop is the active expiry cycle: every SweepInterval, sweep batches
// while they come back full, for at most a quarter of the interval (as
// Redis's slow cycle spends at most 25% of its period).
func (db *DB) sweepLoop() {
	defer db.wg.Done()
	t := time.NewTicker(db.opt.SweepInterval)
	defer t.Stop()
	budget := db.opt.SweepInterval / 4
	failing := false
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
		}
		if db.sweepOff.Load() {
			continue
		}
		start := time.Now()
		for {
			n, _, err := db.sweep(db.opt.Now(), db.opt.SweepBatch)
			if errors.Is(err, ErrClosed) {
				return
			}
			failing = db.logSweepErr(err, failing)
			if err != nil || n < db.opt.SweepBatch || time.Since(start) >= budget {
				break
			}
		}
	}
}

// SetActiveExpiry turns the active expiry cycle on or off (DEBUG
// SET-ACTIVE-EXPIRE). Off, expired keys stay stored until it is back on,
// but still read as missing (Sibling.Live).
func (db *DB) SetActiveExpiry(on bool) { db.sweepOff.Store(!on) }

// logSweepErr logs the first error of a run of failing sweeps and the
// recovery, not every cycle's. It returns whether sweeps are failing.
func (db *DB) logSweepErr(err error, failing bool) bool {
	switch {
	case err != nil && !failing:
		db.log.Error().Err(err).Msg("expiry sweep failed; retrying every cycle")
	case err == nil && failing:
		db.log.Info().Msg("expiry sweep recovered")
	}
	return err != nil
}
