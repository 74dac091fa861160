package engine

import (
	"github.com/syndtr/goleveldb/leveldb"
)

// Stats is a snapshot of the engine's counters, for INFO.
type Stats struct {
	Keys      int64    // Len()
	DiskBytes int64    // sum of LevelDB table sizes (journal excluded)
	Sync      SyncMode // fsync policy
	Writes    int64    // record writes since Open
	Combined  int64    // writes stored in the batch of another write to their stripe (combine.go)
	Sweeps    int64    // completed sweeps since Open
	Expired   int64    // keys expired by sweeps since Open
	Reaped    int64    // tombstone records deleted by Reap since Open
	Actor     string   // write identity token (DB.Actor)
	LevelDB   string   // goleveldb's "leveldb.stats" table

	// Hints counts pending, delivered and dropped hints (DB.HintStats).
	Hints HintStats
	// KeyFilter is the key filter's state (DB.KeyFilter).
	KeyFilter KeyFilterStats
}

// Stats returns the current counters. LevelDB's fields are empty once the
// DB is closed.
func (db *DB) Stats() Stats {
	s := Stats{
		Keys:     db.live.Load(),
		Sync:     db.opt.Sync,
		Writes:   db.writes.Load(),
		Combined: db.combinedW.Load(),
		Sweeps:   db.sweeps.Load(),
		Expired:  db.expired.Load(),
		Reaped:   db.reaped.Load(),
		Actor:    db.Actor(),
		Hints:    db.HintStats(),

		KeyFilter: db.KeyFilter(),
	}
	var ls leveldb.DBStats
	if db.ldb.Stats(&ls) == nil {
		for _, n := range ls.LevelSizes {
			s.DiskBytes += n
		}
	}
	s.LevelDB, _ = db.ldb.GetProperty("leveldb.stats")
	return s
}
