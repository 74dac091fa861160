package engine

import (
	"bytes"
	"sync"
	"sync/atomic"
)

// The walk cache keeps the records a walk of a collection's elements
// read last, for the write that comes for them next: a pop reads ahead
// from a list's end, then removes what it read; SPOP draws its pool from
// a few walks, then removes those members. That write reads each record
// again under its lock (loadRec), and for elements written long ago each
// read is a table lookup: 21% of LPOP's CPU on one node (bench/RESULTS.md).
//
// An entry is good while its stripe's generation is the one it carries.
// A walk reads the generation before its iterator and fills its first
// walkCacheTake records only if no write of the stripe ended since. A
// write of a record in the stripe (stage, then written) moves the
// generation on when it ends and carries the stripe's other good entries
// with it, less the keys it wrote: no write, by any path that stores a
// data record, leaves an entry it made stale. Flush and a reopen empty
// the cache. Only writes read it (under their stripe's lock, which every
// writer of the stripe holds too), so a reader never meets an entry
// being carried.
type walkCache struct {
	hits   atomic.Int64 // writes that read a record here, not from LevelDB
	gens   [stripes]atomic.Uint64
	counts [stripes]atomic.Int32 // entries held per stripe: writes elsewhere skip the lock

	mu      sync.Mutex
	entries [walkCacheMax]walkEntry
	at      map[string]int // dk -> index in entries
	next    int            // the slot the next fill takes (round robin)
}

type walkEntry struct {
	dk     string
	raw    []byte
	stripe int
	gen    uint64
	used   bool
}

// walkFillHook, if set (tests), runs before a walk fills the cache.
var walkFillHook func()

const (
	walkCacheMax  = 256     // entries in all
	walkCacheTake = 64      // records of one walk kept
	walkCacheRaw  = 4 << 10 // a record larger is not kept
)

// gen is stripe s's generation, read before a walk's iterator is made.
func (c *walkCache) gen(s int) uint64 { return c.gens[s].Load() }

// fill keeps recs (data key, raw record; all of stripe s) if no write of
// s ended since gen g was read.
func (c *walkCache) fill(s int, g uint64, recs [][2][]byte) {
	if len(recs) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gens[s].Load() != g {
		return
	}
	if c.at == nil {
		c.at = make(map[string]int, walkCacheMax)
	}
	for _, r := range recs {
		if i, ok := c.at[string(r[0])]; ok {
			c.entries[i].raw, c.entries[i].gen = r[1], g
			continue
		}
		i := c.next
		c.next = (c.next + 1) % walkCacheMax
		c.drop(i)
		c.entries[i] = walkEntry{dk: string(r[0]), raw: r[1], stripe: s, gen: g, used: true}
		c.at[c.entries[i].dk] = i
		c.counts[s].Add(1)
	}
}

// drop empties slot i. The caller holds mu.
func (c *walkCache) drop(i int) {
	e := &c.entries[i]
	if !e.used {
		return
	}
	delete(c.at, e.dk)
	c.counts[e.stripe].Add(-1)
	*e = walkEntry{}
}

// get returns the raw record held for dk of stripe s, if good. The
// caller holds s's lock.
func (c *walkCache) get(s int, dk []byte) ([]byte, bool) {
	if c.counts[s].Load() == 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.at[string(dk)]
	if !ok || c.entries[i].gen != c.gens[s].Load() {
		return nil, false
	}
	c.hits.Add(1)
	return bytes.Clone(c.entries[i].raw), true // the caller's set may alias it
}

// wrote ends a write of dk in stripe s (whether LevelDB took it or not):
// the generation moves on and the stripe's other good entries with it.
// The caller holds s's lock.
func (c *walkCache) wrote(s int, dk []byte) {
	g := c.gens[s].Add(1)
	if c.counts[s].Load() == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.entries {
		e := &c.entries[i]
		switch {
		case !e.used || e.stripe != s:
		case e.gen != g-1 || e.dk == string(dk):
			c.drop(i)
		default:
			e.gen = g
		}
	}
}

// clear empties the cache and moves every generation on (Flush, a
// reopen: writes that did not go through wrote).
func (c *walkCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.entries {
		c.drop(i)
	}
	for s := range c.gens {
		c.gens[s].Add(1)
	}
}
