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
//     only under the key's collection lock (shared by reads, exclusive
//     for writes), which every list write on this node holds from its
//     header write to its last element write,
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

// cacheMaxAge is the maxAge a node's header-cache lookups for c use:
// listCacheMaxAge in a cluster, none on one node.
func (c *coll) cacheMaxAge() int64 {
	if c.d.clustered() {
		return listCacheMaxAge
	}
	return 0
}

// listFacts is what a node knows of a list at one header state.
type listFacts struct {
	n int64 // live elements
	// first and last are the seek points: no live element sorts before
	// first or after last. Each is a live end element's identifier or a
	// removed one's; nil only if the list is empty.
	first, last []byte
	// ahead holds, per end (0 the head, 1 the tail), the identifiers of
	// the live elements next from that end, in pop order: the ones a
	// pop's walk read beyond what it popped (listPopAhead), so the next
	// pops there take them without a walk. Pops and pushes carry them (a
	// push puts its element first at its end); every other write drops
	// them (lst.begin). The slices are never written to.
	ahead [2][][]byte
}

// pushed records an element pushed at the head (left) or the tail: it
// counts as add does, and comes first at that end of what is kept ahead.
func (f *listFacts) pushed(id []byte, left bool) {
	f.add(id) // posBetween: before first (or after last), a seek point or not
	end := 1
	if left {
		end = 0
	}
	if ids := f.ahead[end]; len(ids) > 0 {
		f.ahead[end] = append([][]byte{id}, ids[:min(len(ids), 2*listPopAheadCluster-1)]...)
	}
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

// listCache is one dispatcher's LRU of list facts, one unit per key.
type listCache = hdrCache[listFacts]

// listCaches holds each dispatcher's cache (a Dispatcher has no field for
// it; one per node).
var listCaches sync.Map // *Dispatcher -> *listCache

// listHeadCaches holds each dispatcher's list head cache (listhead.go).
var listHeadCaches sync.Map // *Dispatcher -> *hdrCache[*listHead]

func (d *Dispatcher) listCache() *listCache {
	return nodeCache(&listCaches, d, func() *listCache { return newListCache(listCacheKeys) })
}

// nodeCache is the cache m holds for d, made by mk on first use (the
// list, sorted-set and set-ends caches are one per node's dispatcher).
func nodeCache[T any](m *sync.Map, d *Dispatcher, mk func() T) T {
	if c, ok := m.Load(d); ok {
		return c.(T)
	}
	c, _ := m.LoadOrStore(d, mk())
	return c.(T)
}

func newListCache(max int) *listCache {
	return newHdrCache(max, func(listFacts) int { return 1 })
}

// hdrCache is an LRU by key of what a node knows of a collection at one
// header state (the validity rule above; the sorted-set view cache,
// zcache.go, follows it too). Each entry weighs weight(value) units;
// the least recently used go first once the total passes max.
type hdrCache[T any] struct {
	mu     sync.Mutex
	max    int
	used   int
	weight func(T) int
	lru    *list.List // of *hdrEntry[T], most recent first
	m      map[string]*list.Element
}

// hdrEntry is one cached key.
type hdrEntry[T any] struct {
	key     string
	ctx     version.Context // the header state the value holds at
	removed version.Context
	val     T
	walked  int64 // when the walk the value descends from ran (Unix ms)
	w       int
}

func newHdrCache[T any](max int, weight func(T) int) *hdrCache[T] {
	return &hdrCache[T]{max: max, weight: weight, lru: list.New(), m: map[string]*list.Element{}}
}

// get returns key's value if it holds at header h (and, if maxAge > 0,
// was walked at most maxAge ms before now); an entry for another state
// is dropped. take also removes a valid entry (a command about to change
// the value in place puts it back once its writes succeeded).
func (hc *hdrCache[T]) get(key []byte, h crdt.Header, now, maxAge int64) (T, int64, bool) {
	return hc.lookup(key, h, now, maxAge, false)
}

func (hc *hdrCache[T]) take(key []byte, h crdt.Header, now, maxAge int64) (T, int64, bool) {
	return hc.lookup(key, h, now, maxAge, true)
}

func (hc *hdrCache[T]) lookup(key []byte, h crdt.Header, now, maxAge int64, take bool) (T, int64, bool) {
	var zero T
	hc.mu.Lock()
	defer hc.mu.Unlock()
	el, ok := hc.m[string(key)]
	if !ok {
		return zero, 0, false
	}
	e := el.Value.(*hdrEntry[T])
	if !e.ctx.Equal(h.Context) || !e.removed.Equal(h.Removed) || (maxAge > 0 && now-e.walked > maxAge) {
		hc.remove(el)
		return zero, 0, false
	}
	if take {
		hc.remove(el)
	} else {
		hc.lru.MoveToFront(el)
	}
	return e.val, e.walked, true
}

func (hc *hdrCache[T]) remove(el *list.Element) {
	e := el.Value.(*hdrEntry[T])
	hc.lru.Remove(el)
	delete(hc.m, e.key)
	hc.used -= e.w
}

// put records key's value at header h; a value heavier than the whole
// cache is not kept.
func (hc *hdrCache[T]) put(key []byte, h crdt.Header, v T, walked int64) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	w := hc.weight(v)
	if el, ok := hc.m[string(key)]; ok {
		if w > hc.max {
			hc.remove(el)
			return
		}
		// The entry of a key written again (every push and pop of a hot
		// list) takes the new value in place: a new entry, key string
		// and list element per write were 7% of LPUSH's allocated bytes.
		e := el.Value.(*hdrEntry[T])
		hc.used += w - e.w
		e.ctx, e.removed, e.val, e.walked, e.w = h.Context, h.Removed, v, walked, w
		hc.lru.MoveToFront(el)
	} else {
		if w > hc.max {
			return
		}
		e := &hdrEntry[T]{key: string(key), ctx: h.Context, removed: h.Removed, val: v, walked: walked, w: w}
		hc.m[e.key] = hc.lru.PushFront(e)
		hc.used += w
	}
	for hc.used > hc.max {
		hc.remove(hc.lru.Back())
	}
}

// has reports whether key has an entry, valid or not.
func (hc *hdrCache[T]) has(key []byte) bool {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	_, ok := hc.m[string(key)]
	return ok
}

// drop forgets key.
func (hc *hdrCache[T]) drop(key []byte) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if el, ok := hc.m[string(key)]; ok {
		hc.remove(el)
	}
}
