package replica

import (
	"context"
	"math"

	"github.com/ringkv/ringkv/replica/version"
)

// Scan visits the stored keys from hash position cursor on, in hash order,
// until fn refuses one; it returns that key's hash to resume from, or 0
// when the keyspace is exhausted.
func (c *Coordinator) Scan(ctx context.Context, cursor uint64, fn func(key []byte, s version.Set) bool) (uint64, error) {
	var next uint64
	err := c.store.Range(cursor, math.MaxUint64, func(h uint64, key []byte, s version.Set) bool {
		if ctx.Err() != nil || !fn(key, s) {
			next = h
			return false
		}
		return true
	})
	if err == nil {
		err = ctx.Err()
	}
	return next, err
}

// Len returns the number of keys holding a value.
func (c *Coordinator) Len(context.Context) (int64, error) { return c.store.Len(), nil }

// Flush removes every key.
func (c *Coordinator) Flush(context.Context) error { return c.store.Flush() }
