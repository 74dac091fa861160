package replica

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/ringkv/ringkv/replica/version"
)

// GroupFunc decides the change to key i of an UpdateGroup, as UpdateFunc
// does for one key, seeing the results of the keys before it (done[:i]):
// a collection's element write carries the dot of its header's write.
type GroupFunc func(i int, cur version.Set, now int64, done []Result) (*Change, error)

// GroupKeyFunc names key i of a group given as nil, once the keys before
// it are decided (done[:i]): a new record whose name carries an earlier
// key's dot, such as a list element whose position id carries its header
// write's stamp. No replica can hold it yet, so it is not read first. It
// must hash as the group's other keys.
type GroupKeyFunc func(i int, done []Result) []byte

// ErrGroupPlacement guards UpdateGroup's contract: the keys do not share
// one preference list (or the ring changed since the caller grouped them
// with Placement). Nothing was written.
var ErrGroupPlacement = errors.New("replica: UpdateGroup over keys that do not share one preference list")

// Placement names key's preference list: keys whose names are equal may
// be written by one UpdateGroup (until the ring changes, which
// UpdateGroup then reports as ErrGroupPlacement).
func (c *Coordinator) Placement(key []byte) string {
	return strings.Join(c.replicas(key), "\x00")
}

// UpdateGroup is Update for several distinct keys of one preference list
// (a collection's header and element records, which hash alike), written
// as one: with o.Read their quorum reads run in parallel, fn decides each
// key in order under their locks, the coordinator stores the changes in
// one write, and each replica receives them in one frame and merges them
// in one write. So a command that re-stamps a header and writes an
// element costs one round, and a coordinator never holds one without the
// other. A node outside the preference list updates the keys one by one
// (Update forwards each to a replica). It returns each key's Result; with
// too few acks in time, a *QuorumError, as Update.
func (c *Coordinator) UpdateGroup(ctx context.Context, keys [][]byte, o WriteOptions, fn GroupFunc) ([]Result, error) {
	return c.UpdateGroupNamed(ctx, keys, nil, o, fn)
}

// UpdateGroupNamed is UpdateGroup where a key given as nil (not the
// first) is named by name in its turn (GroupKeyFunc).
func (c *Coordinator) UpdateGroupNamed(ctx context.Context, keys [][]byte, name GroupKeyFunc, o WriteOptions, fn GroupFunc) ([]Result, error) {
	if len(keys) == 0 || keys[0] == nil {
		return nil, ErrGroupPlacement
	}
	list := c.replicas(keys[0])
	for i, k := range keys[1:] {
		switch {
		case k == nil && name == nil:
			return nil, ErrGroupPlacement
		case k == nil:
		case !slices.Equal(c.replicas(k), list) || slices.ContainsFunc(keys[:i+1], func(x []byte) bool { return bytes.Equal(x, k) }):
			return nil, ErrGroupPlacement
		}
	}
	if len(keys) == 1 || !slices.Contains(list, c.cfg.Node) {
		return c.updateEach(ctx, keys, name, o, fn)
	}
	keys = slices.Clone(keys) // named keys are filled in
	if len(list) > 1 || c.peers != nil {
		for i, k := range keys {
			keys[i] = bytes.Clone(k) // background replication outlives the caller's buffers
		}
	}
	if o.Read && len(list) > 1 {
		if err := c.catchUp(ctx, slices.DeleteFunc(slices.Clone(keys), func(k []byte) bool { return k == nil }), o); err != nil {
			return nil, err
		}
	}
	var p writePlan
	if len(list) > 1 {
		others := slices.DeleteFunc(slices.Clone(list), func(n string) bool { return n == c.cfg.Node })
		fb := c.fallbacks(keys[0], others)
		p.targets, p.orphans, p.spare = plan(others, fb, c.cfg.Up)
		if fb == nil {
			p.spares = func() []string { _, _, spare := plan(others, c.place.Fallbacks(keys[0]), c.cfg.Up); return spare }
		}
	}
	res, err := c.applyLocalGroup(keys, name, p.orphans, fn)
	if err != nil || len(list) == 1 {
		return res, err
	}
	var wk [][]byte
	var ws []version.Set
	for i, r := range res {
		if r.Written() {
			wk, ws = append(wk, keys[i]), append(ws, r.Set)
		}
	}
	if len(wk) == 0 {
		return res, nil
	}
	c.stats.HintsStored.Add(int64(len(p.orphans) * len(wk)))
	return res, c.replicate(ctx, wk, ws, list, o, p)
}

// updateEach is UpdateGroupNamed one key at a time.
func (c *Coordinator) updateEach(ctx context.Context, keys [][]byte, name GroupKeyFunc, o WriteOptions, fn GroupFunc) ([]Result, error) {
	res := make([]Result, 0, len(keys))
	for i, k := range keys {
		if k == nil {
			k = name(i, res)
		}
		r, err := c.Update(ctx, k, o, func(cur version.Set, now int64) (*Change, error) { return fn(i, cur, now, res) })
		if err != nil {
			return res, err
		}
		res = append(res, r)
	}
	return res, nil
}

// applyLocalGroup is applyLocal for a group: fn decides each key in
// order, each change is stamped as applyLocal stamps one, and the store
// writes them (and the hints for hintFor) at once.
func (c *Coordinator) applyLocalGroup(keys [][]byte, name GroupKeyFunc, hintFor []string, fn GroupFunc) ([]Result, error) {
	res := make([]Result, len(keys))
	var now int64
	var keyOf func(int) []byte
	if name != nil {
		keyOf = func(i int) []byte { return bytes.Clone(name(i, res[:i])) }
	}
	sets, err := c.store.UpdateGroupHinted(keys, keyOf, hintFor, func(i int, cur version.Set) (version.Set, bool, error) {
		actor := c.actorID()
		floor, err := c.store.CounterFloor()
		if err != nil {
			return cur, false, err
		}
		if i == 0 {
			now = c.Now()
		}
		ch, err := fn(i, cur, now, res[:i])
		if err != nil || ch == nil {
			res[i].Set = cur
			return cur, false, err
		}
		seen := ch.Context.Meet(cur.Context())
		next, dot := cur.Put(actor, seen, ch.Sibling(now), floor)
		res[i] = Result{Set: next, Dot: dot, Context: seen.With(dot)}
		return next, true, nil
	})
	if err != nil {
		return nil, err
	}
	for i := range res {
		res[i].Set = sets[i]
	}
	return res, nil
}
