package engine

import (
	"time"

	"github.com/syndtr/goleveldb/leveldb"
)

// LevelStats is goleveldb's own accounting, for the metrics endpoint.
// Its counters restart from zero when the engine reopens LevelDB after a
// write failure (recover.go), as Prometheus counters may.
type LevelStats struct {
	Levels []LevelFacts // by level, from 0

	// Compactions done since the LevelDB handle opened, by trigger.
	MemCompactions       int64 // memtable flushed to a level-0 table
	Level0Compactions    int64 // level 0 merged into level 1
	NonLevel0Compactions int64 // a level from 1 merged into the next
	SeekCompactions      int64 // a table compacted because reads kept seeking past it

	ReadBytes  int64 // bytes read from storage
	WriteBytes int64 // bytes written to storage

	WriteDelays     int64         // writes delayed because compaction fell behind
	WriteDelayTotal time.Duration // time those writes waited
	WritePaused     bool          // writes are paused now (level 0 is full)
}

// LevelFacts describes one LevelDB level.
type LevelFacts struct {
	Tables     int           // table files
	Bytes      int64         // their size
	Compaction time.Duration // time spent compacting into this level
}

// LevelStats returns goleveldb's counters; it fails once the DB is closed.
func (db *DB) LevelStats() (LevelStats, error) {
	var ls leveldb.DBStats
	if err := db.ldb.Stats(&ls); err != nil {
		return LevelStats{}, err
	}
	s := LevelStats{
		MemCompactions: int64(ls.MemComp), Level0Compactions: int64(ls.Level0Comp),
		NonLevel0Compactions: int64(ls.NonLevel0Comp), SeekCompactions: int64(ls.SeekComp),
		ReadBytes: int64(ls.IORead), WriteBytes: int64(ls.IOWrite),
		WriteDelays: int64(ls.WriteDelayCount), WriteDelayTotal: ls.WriteDelayDuration,
		WritePaused: ls.WritePaused,
	}
	s.Levels = make([]LevelFacts, len(ls.LevelSizes))
	for i := range s.Levels { // goleveldb fills the three slices together
		s.Levels[i] = LevelFacts{Tables: ls.LevelTablesCounts[i], Bytes: ls.LevelSizes[i], Compaction: ls.LevelDurations[i]}
	}
	return s, nil
}
