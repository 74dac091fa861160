package replica

import "sync/atomic"

// Stats counts what the coordinator's background machinery did since
// start, for INFO.
type Stats struct {
	HintsStored    atomic.Int64 // hints written on this node for a primary a copy missed
	HintsDelivered atomic.Int64 // hints the target acknowledged, then deleted here
	HintsDropped   atomic.Int64 // hints not stored (full) or expired: left to anti-entropy
	ReadRepairs    atomic.Int64 // stale primaries sent the merged set after a read
}

// Stats returns the coordinator's counters.
func (c *Coordinator) Stats() *Stats { return &c.stats }
