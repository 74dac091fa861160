package command

import (
	"context"
	"sort"
	"sync"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// memKV is a KV over a map: one replica, sibling sets made by the real
// version.Set.Put, a manual clock and an injectable error.
type memKV struct {
	mu           sync.Mutex
	node         string
	m            map[string]version.Set
	sorted       []string // m's keys in order, see sortedKeys
	now          int64
	err          error // returned by every call when set
	lastR, lastW int
	onGroup      func(m map[string]version.Set) // runs, under the lock, before each UpdateGroup
	writes       int                            // Update and UpdateGroupNamed calls
}

var _ KV = (*memKV)(nil)

func newMemKV() *memKV {
	return &memKV{node: "test", m: map[string]version.Set{}, now: 1_700_000_000_000}
}

// takeWrites returns the writes counted since the last call.
func (k *memKV) takeWrites() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	w := k.writes
	k.writes = 0
	return w
}

func (k *memKV) Get(_ context.Context, key []byte, o replica.ReadOptions) (version.Set, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lastR = o.R
	if k.err != nil {
		return nil, k.err
	}
	return k.m[string(key)], nil
}

func (k *memKV) Update(_ context.Context, key []byte, o replica.WriteOptions, fn replica.UpdateFunc) (replica.Result, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lastW = o.W
	k.writes++
	if k.err != nil {
		return replica.Result{}, k.err
	}
	cur := k.m[string(key)]
	ch, err := fn(cur, k.now)
	if err != nil || ch == nil {
		return replica.Result{Set: cur}, err
	}
	nv := ch.Sibling(k.now)
	nv.Value = clone(nv.Value)
	ns, dot := cur.Put(k.node, ch.Context, nv, 0)
	k.m[string(key)] = ns
	return replica.Result{Set: ns, Dot: dot, Context: ch.Context.With(dot)}, nil
}

// UpdateGroupNamed is Update of each key in order, all stored or none,
// as replica.Coordinator.UpdateGroupNamed.
func (k *memKV) UpdateGroupNamed(_ context.Context, keys [][]byte, name replica.GroupKeyFunc, o replica.WriteOptions, fn replica.GroupFunc) ([]replica.Result, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lastW = o.W
	k.writes++
	if k.err != nil {
		return nil, k.err
	}
	if k.onGroup != nil {
		k.onGroup(k.m)
	}
	res := make([]replica.Result, len(keys))
	keys = append([][]byte(nil), keys...)
	for i, key := range keys {
		if key == nil {
			key = name(i, res[:i])
			keys[i] = key
		}
		cur := k.m[string(key)]
		res[i].Set = cur
		ch, err := fn(i, cur, k.now, res[:i])
		if err != nil {
			return nil, err
		}
		if ch == nil {
			continue
		}
		nv := ch.Sibling(k.now)
		nv.Value = clone(nv.Value)
		ns, dot := cur.Put(k.node, ch.Context, nv, 0)
		res[i] = replica.Result{Set: ns, Dot: dot, Context: ch.Context.With(dot)}
	}
	for i, key := range keys {
		if res[i].Written() {
			k.m[string(key)] = res[i].Set
		}
	}
	return res, nil
}

var _ GroupKV = (*memKV)(nil)

// hashKey is the placement hash (tags included), never 0 (the final cursor).
func hashKey(key string) uint64 { return ring.Hash([]byte(key)) | 1 }

func (k *memKV) Scan(_ context.Context, cursor uint64, fn func([]byte, version.Set) bool) (uint64, error) {
	k.mu.Lock()
	if k.err != nil {
		k.mu.Unlock()
		return 0, k.err
	}
	keys := make([]string, 0, len(k.m))
	for key := range k.m {
		if hashKey(key) >= cursor {
			keys = append(keys, key)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		hi, hj := hashKey(keys[i]), hashKey(keys[j])
		return hi < hj || (hi == hj && keys[i] < keys[j])
	})
	sets := make([]version.Set, len(keys))
	for i, key := range keys {
		sets[i] = k.m[key]
	}
	k.mu.Unlock()
	for i, key := range keys {
		if !fn([]byte(key), sets[i]) {
			return hashKey(key), nil
		}
	}
	return 0, nil
}

func (k *memKV) Len(context.Context) (int64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var n int64
	for key, s := range k.m {
		if _, ok := s.Winner(k.now); ok && !ring.IsElement([]byte(key)) { // as the engine counts
			n++
		}
	}
	return n, k.err
}

func (k *memKV) Flush(context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m, k.sorted = map[string]version.Set{}, nil
	return k.err
}

func (k *memKV) Now() int64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.now
}

func (k *memKV) Actor() string { return k.node }

func (k *memKV) advance(ms int64) {
	k.mu.Lock()
	k.now += ms
	k.mu.Unlock()
}
