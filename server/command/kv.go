package command

import (
	"context"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// KV is the store the handlers run on. In a node it is the replica
// coordinator; in handler tests it is a single local engine.
type KV interface {
	// Get returns key's merged sibling set read from o.R replicas (0: the
	// node's default R). A missing key is an empty set, not an error.
	Get(ctx context.Context, key []byte, o replica.ReadOptions) (version.Set, error)
	// Update applies fn atomically on a coordinating replica and returns
	// once o.W replicas (0: the node's default W) stored the result; with
	// o.Read fn sees a quorum read merged in first.
	Update(ctx context.Context, key []byte, o replica.WriteOptions, fn replica.UpdateFunc) (replica.Result, error)
	// Scan visits stored keys in placement-hash order starting at cursor
	// (a hash position), live or not (handlers filter), until fn returns
	// false. The key fn refused is not consumed: the returned cursor is its
	// hash, so the next Scan starts there. 0 means the keyspace is exhausted.
	Scan(ctx context.Context, cursor uint64, fn func(key []byte, s version.Set) bool) (next uint64, err error)
	// Len returns the number of keys holding a value (DBSIZE).
	Len(ctx context.Context) (int64, error)
	// Flush removes every key (FLUSHDB/FLUSHALL).
	Flush(ctx context.Context) error
	// Now is the node's clock in Unix ms.
	Now() int64
	// Actor is the name the coordinator's writes carry in their dots, the
	// actor a counter increment is credited to (crdt.Counter).
	Actor() string
}
