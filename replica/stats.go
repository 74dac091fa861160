package replica

import "sync/atomic"

// Stats counts what the coordinator's background machinery did since
// start, for INFO.
type Stats struct {
	HintsStored      atomic.Int64 // hints written on this node for a primary a copy missed
	HintsDelivered   atomic.Int64 // hints the target acknowledged, then deleted here
	ReadRepairs      atomic.Int64 // keys sent to a stale primary after a read (one per key and replica)
	SpeculativeReads atomic.Int64 // replicas a read asked beyond R because the ones asked were slow
	MergeBatches     atomic.Int64 // MethodMergeBatch frames sent (mergebatch.go)
	MergeBatched     atomic.Int64 // replica copies those frames carried
	GetBatches       atomic.Int64 // MethodGetGroup frames sent for reads of different keys (getbatch.go)
	GetBatched       atomic.Int64 // reads those frames carried
	AAEExchanges     atomic.Int64 // anti-entropy exchanges of partition roots with a peer, started or answered
	AAEKeysRepaired  atomic.Int64 // keys whose sets anti-entropy found different and merged
	TombstonesReaped atomic.Int64 // tombstones this node decided to reap (every primary dropped them)
	// TombstonesPending is, as of the last reaping pass, the tombstones
	// past their grace that this node is first primary of and could not
	// reap yet (a primary lacks them, or a hint for the key is pending).
	TombstonesPending atomic.Int64
	// ElementsDropped counts element records dropped here because their
	// collection was deleted or expired since they were written.
	ElementsDropped atomic.Int64

	// Partition handoff (transfer.go): partitions this node newly holds
	// a copy of are streamed from a previous holder; partitions it no
	// longer holds are synced to their new holders, then dropped here.
	TransfersPending  atomic.Int64 // inbound transfers queued or running
	TransfersDone     atomic.Int64 // inbound transfers completed since start
	TransferKeys      atomic.Int64 // records received by transfers
	TransferBytes     atomic.Int64 // bytes of records received by transfers
	PartitionsDropped atomic.Int64 // partitions handed off and dropped here
	ReadThroughs      atomic.Int64 // reads of a partition still arriving, answered with its previous holder's copy merged in
	TransferWaitMs    atomic.Int64 // ms received pages waited for the store's compaction to catch up (WriteBacklog)
}

// Stats returns the coordinator's counters.
func (c *Coordinator) Stats() *Stats { return &c.stats }
