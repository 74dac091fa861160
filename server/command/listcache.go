package command

import (
	"container/list"
	"sync"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// The list facts cache. A list's length and its two ends would each cost
// a walk of the whole list (the store counts nothing, and popped elements
// leave tombstones at the ends until they are reaped), so every node keeps,
// per list key, the facts its list commands learnt: the length and two
// seek points, identifiers no live element sorts before (head) or after
// (tail): the end elements, or the last ones popped there (so a pop walks
// over no tombstone of earlier pops). A command walks
// once when it finds no valid entry; after that, pushes, pops, LLEN and
// indexes near either end cost O(1) in the list's size.
//
// Validity. An entry holds for one header state: the header's context
// (every version of the header record) and its resolved removal clock.
// Why a command that finds that state may use the facts:
//
//  1. Every change of a list's elements is made by a command that first
//     rewrites the header (touch: pushes, LSET, LINSERT, and also pops,
//     LREM, LTRIM and LMOVE before they remove anything), on whatever
//     node it runs, and an element written is stamped with that header
//     write. DEL, expiry by a write, RESTORE, COPY/RENAME, FLUSHALL change
//     the header too. So an element change made after the facts were
//     taken comes with a header write, and a header read that includes
//     it has another context: the entry is dropped and the facts walked
//     again. A header sibling expiring by time, the one change without a
//     write, adds to the removal clock, which is compared as well.
//  2. The facts are taken (a walk) and updated (a command's own writes)
//     only under the key's collection lock, which every list write on
//     this node holds from its header write to its last element write,
//     and an entry is stored only after the command succeeded. So no
//     entry is taken halfway through a command of this node.
//  3. An update carries facts over a command's own header write only if
//     that write superseded exactly the state the facts were valid at:
//     the context after it must be the one before plus its own dot. If
//     the touch merged in a header version written elsewhere (a
//     concurrent coordinator, say on the other side of a partition), the
//     facts are walked again after the touch.
//  4. The facts are only used while the header is live (a missing or
//     expired header is an empty list).
//
// On one node this is exact: every write is made here, under the lock,
// and reads its own writes. In a cluster one hole is left: a header write
// from another coordinator can reach this node's read quorum before that
// command's element writes do (in flight, or hinted handoff to a primary
// that was down); a walk in between misses the element while the header
// context already covers it, and no later header write need follow.
// A fresh walk would show the element once it arrives, the cache would
// not. So in a cluster an entry lives at most listCacheMaxAge after the
// walk that took it (own updates do not extend it): answers are then
// those of a walk at most that old, plus this node's own writes, and an
// emptied list is dropped only after a real walk finds it empty.

// listCacheKeys bounds the keys one node remembers (least recently used
// out first).
const listCacheKeys = 16384

// listCacheMaxAge is how long (ms) an entry taken by a walk is trusted in
// a cluster (see above).
const listCacheMaxAge = 5000

// listFacts is what a node knows of a list at one header state.
type listFacts struct {
	n int64 // live elements
	// first and last are the seek points: no live element sorts before
	// first or after last. Each is a live end element's identifier or a
	// removed one's; nil only if the list is empty.
	first, last []byte
}

// add records a new element's identifier.
func (f *listFacts) add(id []byte) {
	if f.first == nil || string(id) < string(f.first) {
		f.first = id
	}
	if f.last == nil || string(id) > string(f.last) {
		f.last = id
	}
	f.n++
}

// listEntry is one cached key.
type listEntry struct {
	key     string
	ctx     version.Context // the header state the facts hold at
	removed version.Context
	facts   listFacts
	walked  int64 // when the walk the facts descend from ran (Unix ms)
}

// listCache is one dispatcher's LRU of list facts.
type listCache struct {
	mu  sync.Mutex
	max int
	lru *list.List // of *listEntry, most recent first
	m   map[string]*list.Element
}

// listCaches holds each dispatcher's cache (a Dispatcher has no field for
// it; one per node).
var listCaches sync.Map // *Dispatcher -> *listCache

func (d *Dispatcher) listCache() *listCache {
	if c, ok := listCaches.Load(d); ok {
		return c.(*listCache)
	}
	c, _ := listCaches.LoadOrStore(d, newListCache(listCacheKeys))
	return c.(*listCache)
}

func newListCache(max int) *listCache {
	return &listCache{max: max, lru: list.New(), m: map[string]*list.Element{}}
}

// get returns key's facts if they hold at header h (and, if maxAge > 0,
// were walked at most maxAge ms before now); an entry for another state
// is dropped.
func (lc *listCache) get(key []byte, h crdt.Header, now, maxAge int64) (listFacts, int64, bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	el, ok := lc.m[string(key)]
	if !ok {
		return listFacts{}, 0, false
	}
	e := el.Value.(*listEntry)
	if !e.ctx.Equal(h.Context) || !e.removed.Equal(h.Removed) || (maxAge > 0 && now-e.walked > maxAge) {
		lc.lru.Remove(el)
		delete(lc.m, e.key)
		return listFacts{}, 0, false
	}
	lc.lru.MoveToFront(el)
	return e.facts, e.walked, true
}

// put records key's facts at header h.
func (lc *listCache) put(key []byte, h crdt.Header, f listFacts, walked int64) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	e := &listEntry{key: string(key), ctx: h.Context, removed: h.Removed, facts: f, walked: walked}
	if el, ok := lc.m[e.key]; ok {
		el.Value = e
		lc.lru.MoveToFront(el)
		return
	}
	lc.m[e.key] = lc.lru.PushFront(e)
	for lc.lru.Len() > lc.max {
		old := lc.lru.Back()
		lc.lru.Remove(old)
		delete(lc.m, old.Value.(*listEntry).key)
	}
}

// drop forgets key.
func (lc *listCache) drop(key []byte) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if el, ok := lc.m[string(key)]; ok {
		lc.lru.Remove(el)
		delete(lc.m, string(key))
	}
}
