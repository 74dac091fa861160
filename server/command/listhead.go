package command

// The list head cache. LRANGE reads a list from its nearer end, an
// element record at a time (about 1 µs of CPU each: a LevelDB step and a
// decode), so a list read often and written seldom (a timeline, a
// leaderboard kept as a list, the newest N events) costs its whole range
// on every read. So every node also keeps, per list key, the first
// elements (values) its last head walk read, for the header state it
// read them at, under the list facts cache's validity rules
// (listcache.go): no element changes without a header write, the window
// is taken under the key's collection lock by a command that wrote
// nothing, and in a cluster it is trusted at most listCacheMaxAge after
// its walk. A write replaces the header state, so the next read walks
// again; nothing is carried over writes.

// listHeadMax is the longest head a node keeps (LRANGE key 0 1023).
const listHeadMax = 1024

// listHeadBytes bounds the bytes of values and identifiers the heads
// kept across keys take (least recently used key out first).
const listHeadBytes = 32 << 20

// listHead is a list's first elements at one header state.
type listHead struct {
	elems []listElem
	all   bool // elems is the whole list
	bytes int
}

func (d *Dispatcher) listHeads() *hdrCache[*listHead] {
	return nodeCache(&listHeadCaches, d, func() *hdrCache[*listHead] {
		return newHdrCache(listHeadBytes, func(h *listHead) int { return h.bytes })
	})
}

// newListHead packs es (a walk's, which the head must not share) into one
// buffer.
func newListHead(es []listElem, all bool) *listHead {
	n := 0
	for _, e := range es {
		n += len(e.id) + len(e.val)
	}
	buf := make([]byte, 0, n)
	h := &listHead{elems: make([]listElem, len(es)), all: all, bytes: n + 64*len(es) + 64}
	for i, e := range es {
		buf = append(buf, e.id...)
		id := buf[len(buf)-len(e.id):]
		buf = append(buf, e.val...)
		h.elems[i] = listElem{id: id[:len(id):len(id)], val: buf[len(buf)-len(e.val):]}
	}
	return h
}

// headN is endN(true, k) served from the head cache when it holds k
// elements (or the whole list) at this header state; otherwise the walk,
// which it then keeps if l has written nothing. The elements returned
// may be shared: the caller must not change them.
func (l *lst) headN(k int64) ([]listElem, error) {
	if k > listHeadMax {
		return l.endN(true, k)
	}
	now := l.d.raw.Now()
	hc := l.d.listHeads()
	if h, _, ok := hc.get(l.key, l.hdr, now, l.cacheMaxAge()); ok && (int64(len(h.elems)) >= k || h.all) {
		return h.elems[:min(int64(len(h.elems)), k)], nil
	}
	es, err := l.endN(true, k)
	if err == nil && l.stamp.Counter == 0 && !l.later && l.exists() {
		// Trusted from the older of the facts' walk and this one: the
		// walk started at the facts' seek point.
		hc.put(l.key, l.hdr, newListHead(es, int64(len(es)) < k), min(l.walked, now))
	}
	return es, err
}
