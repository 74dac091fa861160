package replica

import (
	"context"
	"math"

	"github.com/ringkv/ringkv/cluster/ring"

	"github.com/ringkv/ringkv/replica/version"
)

// Store is the local replica's storage; *engine.DB implements it.
type Store interface {
	Get(key []byte) (version.Set, error)
	Update(key []byte, fn func(cur version.Set) (next version.Set, changed bool, err error)) (version.Set, error)
	// UpdateHinted is Update that also merges the stored set into the hints
	// for targets, in the same durable write.
	UpdateHinted(key []byte, targets []string, fn func(cur version.Set) (next version.Set, changed bool, err error)) (version.Set, error)
	// UpdateGroupHinted is UpdateHinted for several distinct keys of one
	// placement: fn decides each in order, and what it changes is stored
	// in one durable write. A nil key is named by keyOf(i) in its turn
	// (and set in keys).
	UpdateGroupHinted(keys [][]byte, keyOf func(i int) []byte, targets []string, fn func(i int, cur version.Set) (next version.Set, changed bool, err error)) ([]version.Set, error)
	Merge(key []byte, in version.Set) (merged version.Set, changed bool, err error)
	Range(lo, hi uint64, fn func(hash uint64, key []byte, s version.Set) bool) error
	// Prefix visits the keys with prefix after after, in key order (one
	// collection's element records, which share a placement hash).
	Prefix(prefix, after []byte, fn func(key []byte, s version.Set) bool) error
	Len() int64
	// Flush removes every key and drops, from then on, merged versions
	// written at or before the given time (Unix ms).
	Flush(before int64) error
	FlushedAt() int64
	// Actor is the store's current write identity: it changes whenever the
	// store may have lost history (wiped, flushed, an unclean open that
	// may have lost the journal's tail), so no dot is issued twice.
	Actor() string
	// CounterFloor is the highest counter of the current actor among the
	// keys reaped so far; RaiseCounterFloor durably raises it before more
	// are reaped. A key with none of the actor's dots left continues above
	// it (version.Set.Put), so a reaped key's counters never restart.
	CounterFloor() (uint64, error)
	RaiseCounterFloor(c uint64) error
	// ExpireKey turns key's value siblings that expired at or before now
	// into tombstones, as the expiry sweep does (expiry on access).
	ExpireKey(key []byte, now int64) (bool, error)
	HintStore
	Trees
	Reaper
	HandoffStore
}

// HandoffStore is what partition handoff needs of the local store
// (*engine.DB implements it): paging a partition after a (hash, key)
// cursor, and small durable records of its own progress.
type HandoffStore interface {
	RangeFrom(lo, hi, afterHash uint64, afterKey []byte, fn func(hash uint64, key []byte, s version.Set) bool) error
	MergeBatch(keys [][]byte, sets []version.Set) error // Merge of each pair, a page in few writes
	HasRecords(lo, hi uint64) (bool, error)
	NextRecordHash(from uint64) (uint64, bool, error)
	RangeSize(lo, hi uint64) (int64, error)
	HandoffState(name string) ([]byte, error)
	SetHandoffState(name string, v []byte) error
	NoteHandoffState(name string, v []byte) error // unsynced: a transfer's cursor
	EachHandoffState(prefix string, fn func(name string, v []byte) bool) error
	// WriteBacklog is how far the store's compaction is behind (LevelDB's
	// level-0 tables): received pages wait while it nears the point where
	// the store would stall every write.
	WriteBacklog() int
}

// Reaper removes tombstones for good (see reap.go).
type Reaper interface {
	// Tombstones visits the records of tombstones only, all written
	// before olderThan (Unix ms), with their keys' hashes; its cost
	// follows those records, not the data.
	Tombstones(olderThan int64, fn func(h uint64, key []byte, s version.Set) bool) error
	// Reap deletes key's record if it still equals expect.
	Reap(key []byte, expect version.Set) (bool, error)
	// Drop deletes key's record if it still equals expect, values and all.
	Drop(key []byte, expect version.Set) (bool, error)
}

// HintStore keeps hints: versions of a key that another node (the target)
// must still receive (hinted handoff, Dynamo §4.6).
type HintStore interface {
	// PutHint durably merges s into the hint for (target, key).
	PutHint(target string, key []byte, s version.Set) error
	// HintedSet is the merge of every hint held for key.
	HintedSet(key []byte) (version.Set, error)
	// EachHint visits the hints for target until fn returns false.
	EachHint(target string, fn func(key []byte, s version.Set) bool) error
	// DeleteHint drops the hint for (target, key) if delivered covers it.
	DeleteHint(target string, key []byte, delivered version.Set) (bool, error)
	// HintTargets lists the nodes with hints pending.
	HintTargets() []string
	// DropExpiredHints drops, at now (Unix ms), the hints older than the
	// store's maximum age, counting them as dropped.
	DropExpiredHints(now int64) (int, error)
}

// Placement maps a key to its preference list: the distinct nodes that hold
// it, capped at the number of members. The first entries coordinate writes.
type Placement interface {
	Replicas(key []byte) []string
	// Fallbacks are the nodes after the preference list in the key's
	// extended preference list, in the order to try them when a replica
	// is down (sloppy quorum).
	Fallbacks(key []byte) []string
	// Span returns the hash range [lo, hi] of the partition that holds hash
	// position h, and that partition's replicas.
	Span(h uint64) (lo, hi uint64, replicas []string)
	// Members returns every node of the ring.
	Members() []string
	// Ring returns the current ring, which partition handoff compares
	// with the ring this node last acted on; nil for a placement that is
	// not a ring (tests), which turns handoff off.
	Ring() *ring.Ring
}

// Caller sends a request to another node and waits for its reply
// (cluster/transport's Transport). Nodes answer with Coordinator.ServePeer.
type Caller interface {
	Call(ctx context.Context, to string, method uint8, body []byte) ([]byte, error)
}

// Local is the Placement of a single node: every key lives on it alone.
type Local struct {
	self []string
	r    *ring.Ring
}

// NewLocal returns the placement of a one-node store named node.
func NewLocal(node string) Local {
	r, err := ring.New(1, []string{node})
	if err != nil {
		panic("replica: NewLocal: " + err.Error()) // only an empty name fails, which Config.Validate refuses
	}
	return Local{self: []string{node}, r: r}
}

// Ring is the one-partition ring of the node itself.
func (l Local) Ring() *ring.Ring { return l.r }

// Replicas returns the node itself.
func (l Local) Replicas([]byte) []string { return l.self }

// Fallbacks is empty: there is no other node.
func (l Local) Fallbacks([]byte) []string { return nil }

// Span is the whole hash space, held by the node itself.
func (l Local) Span(uint64) (lo, hi uint64, replicas []string) { return 0, math.MaxUint64, l.self }

// Members returns the node itself.
func (l Local) Members() []string { return l.self }
