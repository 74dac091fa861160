package command

import (
	"context"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// userKV is the store as the handlers of plain keys see it: user keys in,
// user keys out. It maps a key to its internal key (cluster/ring: a key
// that starts with 0xFF is escaped, so no user key can name a
// collection's element record), and its Scan skips element records, so
// SCAN, KEYS and RANDOMKEY see each collection once, by its header.
type userKV struct{ KV }

func (u userKV) Get(ctx context.Context, key []byte, o replica.ReadOptions) (version.Set, error) {
	return u.KV.Get(ctx, ring.InternalKey(key), o)
}

func (u userKV) Update(ctx context.Context, key []byte, o replica.WriteOptions, fn replica.UpdateFunc) (replica.Result, error) {
	return u.KV.Update(ctx, ring.InternalKey(key), o, fn)
}

func (u userKV) Scan(ctx context.Context, cursor uint64, fn func(key []byte, s version.Set) bool) (uint64, error) {
	return u.KV.Scan(ctx, cursor, func(ik []byte, s version.Set) bool {
		k, ok := ring.UserKey(ik)
		if !ok {
			return true // an element record: its collection's header is the key
		}
		return fn(k, s)
	})
}
