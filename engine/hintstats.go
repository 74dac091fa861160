package engine

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"
)

// HintStats counts the hints, for INFO's # Handoff section.
type HintStats struct {
	Targets   map[string]TargetHints // targets with pending hints
	Pending   int64                  // hints stored, all targets
	Bytes     int64                  // their size on disk (keys and values)
	Delivered int64                  // deleted by DeleteHint since Open
	// Dropped counts hints lost to anti-entropy since Open: refused by
	// PutHint (ErrHintsFull), expired (DropExpiredHints) or dropped
	// with their target (DropHints).
	Dropped int64
}

// TargetHints counts one target's pending hints.
type TargetHints struct {
	Pending int64 // hints stored
	Bytes   int64 // their size on disk
}

// HintStats returns the hint counters.
func (db *DB) HintStats() HintStats {
	hb := &db.hints
	hb.mu.Lock()
	defer hb.mu.Unlock()
	s := HintStats{
		Targets:   maps.Clone(hb.targets),
		Bytes:     hb.bytes,
		Delivered: hb.delivered.Load(),
		Dropped:   hb.dropped.Load(),
	}
	for _, t := range hb.targets {
		s.Pending += t.Pending
	}
	return s
}

// hintBook keeps the pending-hint counts in memory: rebuilt by a scan at
// Open, kept by every hint write.
type hintBook struct {
	mu      sync.Mutex
	targets map[string]TargetHints // guarded by mu; no zero entries
	bytes   int64                  // guarded by mu: sum of targets' Bytes

	delivered atomic.Int64
	dropped   atomic.Int64
}

// add moves target's counts by dn hints and dsize bytes, unless the
// growth would take the total past limit (if limit > 0): then it changes
// nothing and returns false. Reserving before the write keeps the bound
// exact under concurrent writers.
func (hb *hintBook) add(target string, dn, dsize, limit int64) bool {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	if limit > 0 && dsize > 0 && hb.bytes+dsize > limit {
		return false
	}
	if hb.targets == nil {
		hb.targets = make(map[string]TargetHints)
	}
	t := hb.targets[target]
	t.Pending += dn
	t.Bytes += dsize
	hb.bytes += dsize
	if t.Pending == 0 {
		delete(hb.targets, target)
	} else {
		hb.targets[target] = t
	}
	return true
}

// targetNames lists the targets with pending hints, sorted.
func (hb *hintBook) targetNames() []string {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	return slices.Sorted(maps.Keys(hb.targets))
}

// reset forgets every pending hint (Flush deleted them).
func (hb *hintBook) reset() {
	hb.mu.Lock()
	defer hb.mu.Unlock()
	clear(hb.targets)
	hb.bytes = 0
}
