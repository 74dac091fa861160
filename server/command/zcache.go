package command

import (
	"errors"
	"slices"
	"sort"
	"sync"

	"github.com/ringkv/ringkv/replica/version"
)

// The sorted-set view cache. An ordered query (ZPOPMIN/ZPOPMAX and their
// blocking and MPOP forms, ZRANGE and friends, ZRANK, ZCARD, ZCOUNT ...)
// would read the whole set and sort it each time (zload); instead every
// node keeps, per key, the set's ordered view (members with scores, in
// score-then-member order) at one header state, and each zset write made
// here applies its change to it. A command loads the set (zload) once
// when it finds no valid entry; after that a pop, an insert or a rank
// costs O(log n) plus a chunk's shift (zview), whatever the set's size.
//
// Validity is the list cache's (listcache.go, the same hdrCache): an
// entry holds while the header's context and removal clock are the ones
// it was taken or last updated at, for at most listCacheMaxAge after the
// walk that took it in a cluster. Its argument needs every change of a
// set's elements to come with a header write, on whatever node: ZADD,
// ZINCRBY, GEOADD (ZADD's path) and the STORE forms touch before they
// write, and ZREM, the pops and ZREMRANGEBY* touch before they remove
// (here, so another node's removal changes the context this node
// compares). Views are taken and changed only under the key's collection
// lock (zset reads that use the cache hold it shared, and only read a
// view, so they run together), and a command that
// changes one takes it out of the cache (take) and puts it back only
// once its writes all succeeded.

// zCacheEntries bounds the members one node remembers across keys (least
// recently used key out first; a larger set is not cached).
const zCacheEntries = 1 << 20

// zCaches holds each dispatcher's cache (one per node).
var zCaches sync.Map // *Dispatcher -> *hdrCache[*zview]

func (d *Dispatcher) zCache() *hdrCache[*zview] {
	return nodeCache(&zCaches, d, func() *hdrCache[*zview] {
		return newHdrCache(zCacheEntries, func(v *zview) int { return v.n + 1 })
	})
}

// zChunkMax is the most entries one chunk of a view holds.
const zChunkMax = 512

// zview is a sorted set's members in zcmp order: sorted chunks whose
// concatenation is sorted (insert and remove shift one chunk), and each
// member's score.
type zview struct {
	chunks [][]zent
	n      int
	score  map[string]float64
}

// newZView makes a view of sorted entries.
func newZView(sorted []zent) *zview {
	v := &zview{score: make(map[string]float64, len(sorted)), n: len(sorted)}
	for i := 0; i < len(sorted); i += zChunkMax / 2 {
		v.chunks = append(v.chunks, slices.Clone(sorted[i:min(i+zChunkMax/2, len(sorted))]))
	}
	for _, e := range sorted {
		v.score[string(e.member)] = e.score
	}
	return v
}

// chunkFor is the chunk e belongs in: the first whose last entry is not
// below e, else the last.
func (v *zview) chunkFor(e zent) int {
	i := sort.Search(len(v.chunks), func(i int) bool {
		c := v.chunks[i]
		return zcmp(c[len(c)-1], e) >= 0
	})
	return min(i, len(v.chunks)-1)
}

func (v *zview) insert(e zent) {
	v.n++
	if len(v.chunks) == 0 {
		v.chunks = [][]zent{{e}}
		return
	}
	ci := v.chunkFor(e)
	c := v.chunks[ci]
	j, _ := slices.BinarySearchFunc(c, e, zcmp)
	c = slices.Insert(c, j, e)
	if len(c) > zChunkMax {
		right := slices.Clone(c[len(c)/2:])
		c = c[:len(c)/2]
		v.chunks = slices.Insert(v.chunks, ci+1, right)
	}
	v.chunks[ci] = c
}

func (v *zview) remove(e zent) {
	if len(v.chunks) == 0 {
		return
	}
	ci := v.chunkFor(e)
	c := v.chunks[ci]
	j, ok := slices.BinarySearchFunc(c, e, zcmp)
	if !ok {
		return
	}
	v.n--
	if c = slices.Delete(c, j, j+1); len(c) == 0 {
		v.chunks = slices.Delete(v.chunks, ci, ci+1)
	} else {
		v.chunks[ci] = c
	}
}

// set gives member score, adding it if absent.
func (v *zview) set(member []byte, score float64) {
	if old, ok := v.score[string(member)]; ok {
		if old == score {
			return
		}
		v.remove(zent{member: member, score: old})
	}
	m := clone(member)
	v.score[string(m)] = score
	v.insert(zent{member: m, score: score})
}

// del removes member.
func (v *zview) del(member []byte) {
	if old, ok := v.score[string(member)]; ok {
		delete(v.score, string(member))
		v.remove(zent{member: member, score: old})
	}
}

// before counts the entries in the chunks before ci.
func (v *zview) before(ci int) int {
	r := 0
	for _, c := range v.chunks[:ci] {
		r += len(c)
	}
	return r
}

// rank is member's 0-based rank.
func (v *zview) rank(member []byte) (int, bool) {
	s, ok := v.score[string(member)]
	if !ok || len(v.chunks) == 0 {
		return 0, false
	}
	e := zent{member: member, score: s}
	ci := v.chunkFor(e)
	j, ok := slices.BinarySearchFunc(v.chunks[ci], e, zcmp)
	return v.before(ci) + j, ok
}

// search is the index of the first entry pred holds for (pred false
// then true along the order); v.n if none.
func (v *zview) search(pred func(zent) bool) int {
	ci := sort.Search(len(v.chunks), func(i int) bool {
		c := v.chunks[i]
		return pred(c[len(c)-1])
	})
	if ci == len(v.chunks) {
		return v.n
	}
	c := v.chunks[ci]
	return v.before(ci) + sort.Search(len(c), func(j int) bool { return pred(c[j]) })
}

// span copies the entries lo..hi (inclusive) in order, or from hi down
// to lo if rev.
func (v *zview) span(lo, hi int, rev bool) []zent {
	if lo > hi || lo < 0 || hi >= v.n {
		return nil
	}
	out := make([]zent, 0, hi-lo+1)
	i := 0
	for _, c := range v.chunks {
		if i+len(c) <= lo {
			i += len(c)
			continue
		}
		from := max(lo-i, 0)
		to := min(hi-i+1, len(c))
		out = append(out, c[from:to]...)
		i += len(c)
		if i > hi {
			break
		}
	}
	if rev {
		slices.Reverse(out)
	}
	return out
}

// all is every entry in order.
func (v *zview) all() []zent { return v.span(0, v.n-1, false) }

// scoreSpan is the index interval of r's scores (lo > hi: none).
func (v *zview) scoreSpan(r zScoreRange) (lo, hi int) {
	if r.empty() {
		return 0, -1
	}
	lo = v.search(func(e zent) bool { return r.gteMin(e.score) })
	hi = v.search(func(e zent) bool { return !r.lteMax(e.score) }) - 1
	return lo, hi
}

// zSelectView is zSelect over a view: ranks and scores by index, lex
// ranges over the entries.
func zSelectView(v *zview, q zRangeQuery) []zent {
	switch q.by {
	case zByRank:
		lo, hi, ok := zRankBounds(q.start, q.stop, v.n)
		if !ok {
			return nil
		}
		if q.rev {
			return v.span(v.n-1-hi, v.n-1-lo, true)
		}
		return v.span(lo, hi, false)
	case zByScore:
		if q.offset < 0 || (q.offset > 0 && q.offset >= int64(v.n)) {
			return nil
		}
		lo, hi := v.scoreSpan(q.score)
		if lo > hi {
			return nil
		}
		n := int64(hi - lo + 1)
		if q.offset >= n {
			return nil
		}
		take := n - q.offset
		if q.limit >= 0 {
			take = min(take, q.limit)
		}
		if take <= 0 {
			return nil
		}
		if q.rev {
			top := hi - int(q.offset)
			return v.span(top-int(take)+1, top, true)
		}
		first := lo + int(q.offset)
		return v.span(first, first+int(take)-1, false)
	}
	return zSelect(v.all(), q)
}

// zs is one sorted-set command's view of a set: the collection and its
// ordered view (nil: not known).
type zs struct {
	*coll
	v      *zview
	walked int64 // when the load v descends from ran
	write  bool  // v was taken out of the cache to be changed
	ok     bool  // the command's writes all succeeded: v may be stored
	// before is the header's context v holds at, while a deferred
	// header write (beginLater) is pending.
	before version.Context
}

// openZ opens key as a sorted set, under its collection lock: shared
// for reads (which use the view but never change it), exclusive when
// write, for commands that may change the set.
func (d *Dispatcher) openZ(s *Session, key []byte, write bool) (*zs, error) {
	mode := lockShared
	if write {
		mode = lockExclusive
	}
	c, err := d.openColl(s, key, version.KindZSet, mode)
	if err != nil {
		return nil, err
	}
	return &zs{coll: c, write: write}, nil
}

// view finds the set's view: empty for a missing key, else the cached
// one if it holds at the header read, else (if load) loaded with zload
// (a read stores it at once, a write once it succeeded). Without load a
// miss leaves z.v nil: the command's writes then maintain nothing.
func (z *zs) view(load bool) (*zview, error) {
	if z.v != nil {
		return z.v, nil
	}
	now := z.d.raw.Now()
	if !z.exists() {
		z.v, z.walked = newZView(nil), now
		return z.v, nil
	}
	maxAge := z.cacheMaxAge()
	zc := z.d.zCache()
	var v *zview
	var walked int64
	var ok bool
	if z.write {
		v, walked, ok = zc.take(z.key, z.hdr, now, maxAge)
	} else {
		v, walked, ok = zc.get(z.key, z.hdr, now, maxAge)
	}
	if ok {
		z.v, z.walked = v, walked
		return v, nil
	}
	if !load {
		return nil, nil
	}
	ents, err := zload(z.coll)
	if err != nil {
		return nil, err
	}
	z.v, z.walked = newZView(ents), now
	if !z.write && z.stamp.Counter == 0 {
		zc.put(z.key, z.hdr, z.v, now)
	}
	return z.v, nil
}

// begin rewrites the header before element writes or removals (touch),
// keeping the view when the write superseded exactly the state it holds
// at; else it is loaded again after it if load, or forgotten.
func (z *zs) begin(load bool) error {
	before := z.hdr.Context
	if err := z.touch(); err != nil {
		z.v = nil
		return err
	}
	if z.v != nil && !z.hdr.Context.Equal(before.With(z.stamp)) {
		z.v = nil // a header version from elsewhere merged in
		if load {
			_, err := z.view(true)
			return err
		}
	}
	return nil
}

// beginPick is begin(true) deferred, for a command that picks what it
// removes from the view (ZPOPMIN, ZREMRANGEBYSCORE ...): its first
// removal writes the header with it as one group (one LevelDB write where
// there were two), only if the header is still the one the view holds at
// (coll.expect). Else that removal writes nothing and answers
// errHeaderMoved (a coordinator elsewhere wrote the header, or a DEL
// here), and the command picks again from repick's view.
func (z *zs) beginPick() error {
	if _, ok := z.d.raw.(GroupKV); !ok {
		return z.begin(true)
	}
	ctx := z.hdr.Context
	z.expect = &ctx
	return z.beginLater()
}

// repick begins again after errHeaderMoved: the header write first, then
// the view read again at the header it wrote.
func (z *zs) repick() (*zview, error) {
	z.v = nil
	if err := z.begin(false); err != nil {
		return nil, err
	}
	return z.view(true)
}

// removePicks removes the members pick chooses from the view (beginPick
// must have run), with the header as one group write, picking again if
// the header moved since the view; it returns the members removed.
func (z *zs) removePicks(pick func(v *zview) []zent) ([]zent, error) {
	ents := pick(z.v)
	for {
		if len(ents) == 0 {
			return nil, nil // nothing to write: not even the header
		}
		members := make([][]byte, len(ents))
		for i, e := range ents {
			members[i] = e.member
		}
		ok, err := z.removeAll(members)
		if errors.Is(err, errHeaderMoved) {
			v, err := z.repick()
			if err != nil {
				return nil, err
			}
			ents = pick(v)
			continue
		}
		if err != nil {
			return nil, err
		}
		removed := ents[:0:0]
		for i, e := range ents {
			if ok[i] {
				removed = append(removed, e)
			}
		}
		return removed, nil
	}
}

// removeAll removes members' versions (removeMembers: with the header
// write pending, beginLater, as one group write) and from the view,
// kept as update keeps it; it reports which were present.
func (z *zs) removeAll(members [][]byte) ([]bool, error) {
	pending := z.later
	ok, err := removeMembers(z.coll, members)
	z.keepView(pending, err)
	switch {
	case err != nil:
		z.v = nil
	case z.v != nil:
		for i, m := range members {
			if _, known := z.v.score[string(m)]; known != ok[i] {
				z.v = nil // the view disagrees with the store: load it again
				break
			}
			z.v.del(m)
		}
	}
	return ok, err
}

// beginLater is begin(false) deferred to the first element write, which
// writes the header with it as one group (coll.touchLater); update then
// checks the view as begin does.
func (z *zs) beginLater() error {
	if _, ok := z.d.raw.(GroupKV); !ok {
		return z.begin(false)
	}
	z.before = z.hdr.Context
	return z.touchLater()
}

// update is coll.update that, when it made the deferred header write
// (beginLater), keeps the view only if that write superseded exactly the
// state the view holds at, as begin does.
func (z *zs) update(member []byte, fn func(live []*version.Sibling) (ElemChange, error)) (ElemChange, error) {
	pending := z.later
	ch, err := z.coll.update(member, fn)
	z.keepView(pending, err)
	return ch, err
}

// keepView keeps the view after an element write (pending: the deferred
// header write was still to make) only if that write superseded exactly
// the state the view holds at, as begin does.
func (z *zs) keepView(pending bool, err error) {
	switch {
	case !pending || z.v == nil:
	case err != nil:
		z.v = nil
	case !z.later && !z.hdr.Context.Equal(z.before.With(z.stamp)):
		z.v = nil // a header version from elsewhere merged in
	}
}

// dropIfEmpty deletes the emptied set's key, sparing the walk when the
// view knows (as lists: listfacts.go).
func (z *zs) dropIfEmpty() error {
	switch {
	case !z.exists():
		return nil
	case z.v != nil && z.v.n > 0:
		return nil
	case z.v != nil && !z.d.clustered():
		return z.dropKnownEmpty()
	}
	return z.coll.dropIfEmpty()
}

// close stores the view (a write's only if it succeeded, z.ok) and
// releases the lock.
func (z *zs) close() {
	if z.write && z.v != nil {
		switch {
		case !z.exists():
			z.d.zCache().drop(z.key)
		case z.stamp.Counter == 0 || z.ok:
			z.d.zCache().put(z.key, z.hdr, z.v, z.walked)
		}
	}
	z.coll.close()
}
