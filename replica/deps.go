package replica

import (
	"context"
	"math"

	"github.com/ringkv/ringkv/replica/version"
)

// Store is the local replica's storage; *engine.DB implements it.
type Store interface {
	Get(key []byte) (version.Set, error)
	Update(key []byte, fn func(cur version.Set) (next version.Set, changed bool, err error)) (version.Set, error)
	Merge(key []byte, in version.Set) (merged version.Set, changed bool, err error)
	Range(lo, hi uint64, fn func(hash uint64, key []byte, s version.Set) bool) error
	Len() int64
	// Flush removes every key and drops, from then on, merged versions
	// written at or before the given time (Unix ms).
	Flush(before int64) error
	FlushedAt() int64
}

// Placement maps a key to its preference list: the distinct nodes that hold
// it, capped at the number of members. The first entries coordinate writes.
type Placement interface {
	Replicas(key []byte) []string
	// Span returns the hash range [lo, hi] of the partition that holds hash
	// position h, and that partition's replicas.
	Span(h uint64) (lo, hi uint64, replicas []string)
	// Members returns every node of the ring.
	Members() []string
}

// Caller sends a request to another node and waits for its reply
// (cluster/transport's Transport). Nodes answer with Coordinator.ServePeer.
type Caller interface {
	Call(ctx context.Context, to string, method uint8, body []byte) ([]byte, error)
}

// Local is the Placement of a single node: every key lives on it alone.
type Local struct{ self []string }

// NewLocal returns the placement of a one-node store named node.
func NewLocal(node string) Local { return Local{self: []string{node}} }

// Replicas returns the node itself.
func (l Local) Replicas([]byte) []string { return l.self }

// Span is the whole hash space, held by the node itself.
func (l Local) Span(uint64) (lo, hi uint64, replicas []string) { return 0, math.MaxUint64, l.self }

// Members returns the node itself.
func (l Local) Members() []string { return l.self }
