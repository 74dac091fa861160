package replica

import (
	"context"
	"errors"
	"slices"
	"sort"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/version"
)

// view returns the read-through view of the current ring, rebuilding it
// when the ring or the transfers changed.
func (c *Coordinator) view() *throughView {
	r := c.place.Ring()
	if r == nil {
		return nil
	}
	v := c.handoff.view.Load()
	if v != nil && v.version == r.Version() {
		return v
	}
	return c.buildView(r)
}

// buildView computes, for ring r, the partitions this node holds whose
// data may still be arriving, and where to read them through from: the
// pending transfers' sources, and for a ring not yet acted on (the plan
// waits for the ring to settle), the previous holders by the ring last
// acted on (for a new node, every other node's ring).
func (c *Coordinator) buildView(r *ring.Ring) *throughView {
	h := &c.handoff
	h.mu.Lock()
	defer h.mu.Unlock()
	v := &throughView{version: r.Version(), sources: map[int][]string{}}
	for p, in := range h.in {
		v.sources[p] = slices.Clone(in.Sources)
	}
	old := h.acted
	if old == nil && r.Len() > 1 {
		old, _ = ring.New(r.Q(), without(r.Members(), c.cfg.Node))
	}
	if old != nil && old.Version() != r.Version() && r.Len() > 1 {
		for p := range r.Q() {
			if _, ok := v.sources[p]; ok {
				continue
			}
			now, before := r.Preference(p, c.cfg.N), old.Preference(p, c.cfg.N)
			if slices.Contains(now, c.cfg.Node) && !slices.Contains(before, c.cfg.Node) {
				v.sources[p] = without(before, c.cfg.Node)
			}
		}
	}
	h.view.Store(v)
	return v
}

// readThrough merges into s, the local set of key, a previous holder's
// copy when key's partition may still be arriving here; the merge is
// stored, so the key is then complete here whatever the transfer does.
func (c *Coordinator) readThrough(ctx context.Context, key []byte, s version.Set) version.Set {
	v := c.view()
	if v == nil || len(v.sources) == 0 || c.peers == nil {
		return s
	}
	r := c.place.Ring()
	srcs := v.sources[r.KeyPartition(key)]
	for _, n := range srcs {
		if n == c.cfg.Node || !c.cfg.Up(n) {
			continue
		}
		theirs, err := c.getRemote(ctx, n, MethodGetDirect, key)
		if err != nil {
			continue
		}
		c.stats.ReadThroughs.Add(1)
		if len(theirs) == 0 {
			return s
		}
		merged, _, err := c.store.Merge(key, theirs)
		if err != nil {
			return s.Merge(theirs)
		}
		return merged
	}
	return s
}

// errArriving refuses a scan of a partition still arriving here: the
// scanning coordinator reads another replica.
var errArriving = errors.New("replica: partition still arriving on this node; read another replica")

// arriving reports whether the partition holding hash h may still be
// arriving here (a transfer pending, or a ring not yet acted on).
func (c *Coordinator) arriving(h uint64) bool {
	v := c.view()
	if v == nil || len(v.sources) == 0 {
		return false
	}
	_, ok := v.sources[c.place.Ring().PartitionOf(h)]
	return ok
}

// pullCollection copies into the local store, once per view, a previous
// holder's element records under prefix when the collection's partition
// may still be arriving here: the read-through of an element walk.
func (c *Coordinator) pullCollection(ctx context.Context, prefix []byte) {
	v := c.view()
	if v == nil || len(v.sources) == 0 || c.peers == nil {
		return
	}
	srcs := v.sources[c.place.Ring().KeyPartition(prefix)]
	if len(srcs) == 0 {
		return
	}
	v.mu.Lock()
	done := v.pulled[string(prefix)]
	v.mu.Unlock()
	if done {
		return
	}
	for _, n := range srcs {
		if n == c.cfg.Node || !c.cfg.Up(n) {
			continue
		}
		if c.pullFrom(ctx, n, prefix) == nil {
			v.mu.Lock()
			if v.pulled == nil {
				v.pulled = map[string]bool{}
			}
			v.pulled[string(prefix)] = true
			v.mu.Unlock()
			c.stats.ReadThroughs.Add(1)
			return
		}
	}
}

// pullFrom merges node's element records under prefix into the store.
func (c *Coordinator) pullFrom(ctx context.Context, node string, prefix []byte) error {
	var after []byte
	for {
		req := append(encodeElements(prefix, after, elementsPage, false), elementsDirect)
		b, err := c.call(ctx, node, MethodElements, req)
		if err != nil {
			return err
		}
		page, more, err := decodeElements(b)
		if err != nil {
			return err
		}
		for _, e := range page {
			if _, _, err := c.store.Merge(e.key, e.set); err != nil {
				return err
			}
		}
		if !more || len(page) == 0 {
			return nil
		}
		after = page[len(page)-1].key
	}
}

// Transfers lists this node's inbound transfers: pending, active, and
// the recent finished ones.
func (c *Coordinator) Transfers() []Transfer {
	h := &c.handoff
	h.mu.Lock()
	defer h.mu.Unlock()
	out := slices.Clone(h.done)
	var pending []Transfer
	for _, in := range h.in {
		state := "queued"
		switch {
		case h.active[in.Partition] && in.Streamed:
			state = "syncing"
		case h.active[in.Partition]:
			state = "active"
		}
		pending = append(pending, c.transferInfo(in, state))
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].Partition < pending[j].Partition })
	return append(out, pending...)
}

func (c *Coordinator) transferInfo(in *inbound, state string) Transfer {
	t := Transfer{Node: c.cfg.Node, Partition: in.Partition, Source: in.Source, State: state,
		Keys: in.Keys, Bytes: in.Bytes, ETAms: -1, StartedMs: in.Started, UpdatedMs: in.Updated}
	if state == "active" {
		t.Rate = c.handoff.rateBps.Load()
	}
	return t
}

// HandoffBusy reports whether this node has partition handoff to do:
// transfers pending, or partitions it no longer holds still to drop.
func (c *Coordinator) HandoffBusy() (pending int, foreign int64) {
	h := &c.handoff
	h.mu.Lock()
	pending = len(h.in)
	h.mu.Unlock()
	return pending, h.foreign.Load()
}
