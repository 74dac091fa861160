package command

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// SPOP and SRANDMEMBER. One random member is picked without reading the
// whole set and without walking from its first member, where the
// tombstones of earlier pops pile up. A set of at most pickWindow members
// is read whole and one picked uniformly. A larger one is entered at a
// random seek point drawn uniformly in member key space between its first
// and last member (seekBetween); the pickWindow live members at or after
// it (wrapping around to the first) are read and one of them picked
// uniformly. A pick walks only the tombstones near a random point, plus
// those before the first and after the last member.
//
// How far from uniform: a member's chance is proportional to the key
// space spanned by the pickWindow gaps before it (a gap: from the previous
// member to it, in the big-endian reading of the 8 bytes after the first
// and last members' common prefix), and the first member's own gap is
// empty. For members spread evenly in key space (random IDs, hashes)
// gaps are about exponential, so the average of pickWindow of them keeps
// most members within 0.5–1.6x of the uniform 1/N (the middle 90%). Members
// bunched in key space are picked less often than those after a wide gap:
// a cluster of members under a long shared prefix, between outliers that
// do not share it, is picked in proportion to the key space it spans, and
// members that differ only beyond 8 bytes after the common prefix fall in
// one gap. Redis picks from its hash table (near) uniformly. Every reply
// is still one a set of those members could give, which is all SPOP and
// SRANDMEMBER promise. On a single node SPOP draws, in random order, from
// a pool of the poolWindow members found at each of up to poolSeeks seek
// points at once (popPick), so consecutive pops come from a few stretches
// of the set before the next refill moves elsewhere. The count forms read
// the whole set (O(N)) and are uniform, except SPOP with a count of at
// most popSeekMax on a larger set, which pops that many single picks.

// maxRandRepeats bounds SRANDMEMBER's negative count: its reply is built
// whole in memory (Redis streams it).
const maxRandRepeats = 1 << 22

// pickWindow is how many members one random pick chooses among.
const pickWindow = 4

// popSeekMax is the largest SPOP count answered by single picks.
const popSeekMax = 16

var (
	errNotPositive = resp.Err("ERR value is out of range, must be positive")
	errRandCount   = resp.Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
	errRandTooMany = resp.Err("ERR value is out of range, ringkv answers at most 4194304 repeated members")
)

// window returns up to n live members of c after after (nil: the first),
// and whether more follow.
func window(c *coll, after []byte, n int) ([][]byte, bool, error) {
	var out [][]byte
	more := false
	err := c.each(after, func(m []byte, _ []*version.Sibling) bool {
		if len(out) == n {
			more = true
			return false
		}
		out = append(out, clone(m))
		return true
	})
	return out, more, err
}

// window is the window function that walks over g's gaps.
func (g *gaps) window(c *coll, after []byte, n int) ([][]byte, bool, error) {
	var out [][]byte
	more := false
	err := g.walk(c, after, func(m []byte) bool {
		if len(out) == n {
			more = true
			return false
		}
		out = append(out, m)
		return true
	})
	return out, more, err
}

// headWindow is window(c, nil, pickWindow) from the first live member
// the picks found at this header state (setEnds), past the tombstones
// earlier pops left before it and over the gaps they learnt; it keeps
// the first member it finds. SPOP key count asks it on every call: from
// the set's start, popping a set to empty crossed every earlier pop's
// tombstone each time.
func headWindow(c *coll) ([][]byte, bool, error) {
	now := c.d.raw.Now()
	cache := c.d.setEndsCache()
	ends, walked, hinted := cache.get(c.key, c.hdr, now, c.cacheMaxAge())
	if !hinted || len(ends.first) == 0 {
		return window(c, nil, pickWindow)
	}
	g := slices.Clone(ends.gaps)
	ws, more, err := g.window(c, ends.first[:len(ends.first)-1], pickWindow)
	if err != nil || len(ws) == 0 {
		// None from the first found: in a cluster an element can come
		// in before its header write (pickOneOf), so look from the start.
		cache.drop(c.key)
		return window(c, nil, pickWindow)
	}
	last := ends.last
	if bytes.Compare(last, ws[0]) < 0 {
		last = ws[len(ws)-1]
	}
	cache.put(c.key, c.hdr, setEnds{first: ws[0], last: last, gaps: g}, walked)
	return ws, more, nil
}

// setEnds is what picks learnt of a set at one header state: bounds on
// its live members (none sorts below first or above last) and its dead
// stretches (set_gaps.go). A set's members are added only with a header
// write (touch), which makes a new header state, and removals keep both
// true, so an entry of the header cache (listcache.go's rule) holds while
// the header does. pickOne's walks start at the ends and jump the gaps.
type setEnds struct {
	first, last []byte
	gaps        gaps
	// pool is what popPick draws from: members the last refill found
	// live, less those popped since (a hint: a pop checks its member).
	pool [][]byte
}

// setEndsKeys bounds the sets one node remembers the ends of (units: a
// set's ends weigh one, and one more per gapsPerUnit gaps).
const setEndsKeys = 1 << 14

const gapsPerUnit = 16

var setEndsCaches sync.Map // *Dispatcher -> *hdrCache[setEnds]

func (d *Dispatcher) setEndsCache() *hdrCache[setEnds] {
	return nodeCache(&setEndsCaches, d, func() *hdrCache[setEnds] {
		return newHdrCache(setEndsKeys, func(e setEnds) int { return 1 + len(e.gaps)/gapsPerUnit })
	})
}

// pickOne returns a random live member of c, nil if c is empty. c holds
// its collection lock (shared at least: the pick reads and updates the
// set's cached ends).
func pickOne(c *coll) ([]byte, error) {
	m, _, err := pickOneOf(c)
	return m, err
}

// others is what a pick saw of the set's other live members.
type others int

const (
	othersUnknown others = iota // none seen; some may be there
	othersSome                  // another live member: a pop of the pick leaves the set non-empty
	othersNone                  // none: on one node, a pop of the pick empties the set
)

// pickOneOf is pickOne that also reports what it saw of the other live
// members (so a pop need not walk the set to learn whether it emptied
// it). Its walks from the set's ends start at the ends it found last
// time at this header state (setEnds), past the tombstones earlier pops
// left, and jump the dead stretches earlier picks crossed.
func pickOneOf(c *coll) (m []byte, rest others, err error) { return pick(c, 1, false) }

// pick draws one live member of c uniformly among its candidates: the
// whole set if it holds at most pickWindow members, else the pickWindow
// members at or after each of seeks random seek points (seekWindow),
// without repeats. rest is what the walks saw of the other members
// (othersSome when more than one member is live). With keep, each seek
// point gives poolWindow members, and the other candidates become the
// set's pool (popPick).
func pick(c *coll, seeks int, keep bool) (m []byte, rest others, err error) {
	now := c.d.raw.Now()
	cache := c.d.setEndsCache()
	ends, walked, hinted := cache.get(c.key, c.hdr, now, c.cacheMaxAge())
	var g gaps
	var from, before []byte // nil: the first member, the last
	if hinted {
		// Readers under the shared lock may pick at once: each works on
		// its own copy of the gaps, and the last to finish keeps its own.
		g = slices.Clone(ends.gaps)
		if len(ends.first) > 0 {
			from = ends.first[:len(ends.first)-1] // below first: the walk starts at it
		}
		before = append(clone(ends.last), 0) // the reverse walk starts at last
	} else {
		walked = now
	}
	first, more, err := g.window(c, from, pickWindow)
	if err == nil && len(first) == 0 && hinted {
		// Nothing from the ends found: in a cluster an element can come
		// in (anti-entropy, read repair) before its header write, so
		// look from the first member before calling the set empty.
		cache.drop(c.key)
		g, before, walked = nil, nil, now
		first, more, err = g.window(c, nil, pickWindow)
	}
	if err != nil || len(first) == 0 {
		return nil, othersUnknown, err
	}
	rest = othersSome
	cands, found := first, setEnds{first: first[0], last: first[len(first)-1]}
	if !more {
		// The walk saw every live member (none below first), unless in a
		// cluster one came in late (see above).
		switch {
		case len(first) > 1:
		case c.d.clustered():
			rest = othersUnknown
		default:
			rest = othersNone
		}
	} else {
		var last []byte
		err = g.walkBack(c, before, func(m []byte) bool {
			last = m
			return false
		})
		if err != nil {
			return nil, othersUnknown, err
		}
		if last == nil || bytes.Compare(last, first[0]) <= 0 { // removed meanwhile
			return first[rand.IntN(len(first))], rest, nil
		}
		size := pickWindow
		if keep {
			size = poolWindow
		}
		var seen [][]byte
		for range seeks {
			w, err := seekWindow(c, &g, first, last, size)
			if err != nil {
				return nil, othersUnknown, err
			}
			for _, m := range w {
				if !slices.ContainsFunc(seen, func(x []byte) bool { return bytes.Equal(x, m) }) {
					seen = append(seen, m)
				}
			}
		}
		if len(seen) > 0 {
			cands = seen
		}
		found.last = last
	}
	i := rand.IntN(len(cands))
	found.gaps = g
	if keep {
		found.pool = slices.Delete(slices.Clone(cands), i, i+1)
	}
	cache.put(c.key, c.hdr, found, walked)
	return cands[i], rest, nil
}

// seekWindow returns the size live members at or after a random
// seek point between first[0] and last (seekIn), wrapping around to the
// first members: first is the set's first live members, last its last.
func seekWindow(c *coll, g *gaps, first [][]byte, last []byte, size int) ([][]byte, error) {
	seek := seekIn(append(slices.Clip(first), last), first[0], last)
	// The live members after seek, up to the last (nothing live follows:
	// the walk would cross the tombstones there), then (wrapping around)
	// from the first.
	var w [][]byte
	if bytes.Compare(seek, last) < 0 {
		err := g.walk(c, seek, func(m []byte) bool {
			w = append(w, m)
			return len(w) < size && !bytes.Equal(m, last)
		})
		if err != nil {
			return nil, err
		}
	}
	for _, m := range first {
		if len(w) == size || bytes.Compare(m, seek) > 0 {
			break
		}
		w = append(w, m)
	}
	if tail := first[len(first)-1]; len(w) < size && bytes.Compare(tail, seek) < 0 {
		err := g.walk(c, tail, func(m []byte) bool {
			if bytes.Compare(m, seek) > 0 {
				return false
			}
			w = append(w, m)
			return len(w) < size
		})
		if err != nil {
			return nil, err
		}
	}
	return w, nil
}

// poolSeeks is how many seek points one refill of a pop's pool walks
// from, and poolWindow how many live members it takes at each: a refill
// of up to 64 members makes 10 walks (the two ends and 8 seek points), so
// a run of pops starts 0.18 walks per pop (4 members at 4 points: 0.41;
// a single pick walks three times). A seek walk costs about 17 µs, mostly
// in its seeks, so the neighbours it reads on are nearly free; the
// marginal chance of each member is no less even than a single pick's
// (it averages poolWindow gaps), and consecutive pops come from the 8
// stretches of one refill, in random order (SPOP of redis-benchmark's
// set: 62.6-66.5 µs of CPU per pop before, 53.3-55.2 after).
const poolSeeks = 8

const poolWindow = 8

// popPick is pickOneOf for a pop on a single node, where every change to
// the set goes through this node: it draws uniformly from a pool of
// members a refill found at up to poolSeeks random seek points (pick),
// each drawn once, and walks again only when one is
// left. A pooled member may have been removed since (SREM, SMOVE):
// the pop finds it gone and calls dropPool. rest is othersSome when
// another pooled member is still live (one point read), else what the
// refill saw. In a cluster, where other coordinators remove members
// unseen, every pop picks afresh (pickOneOf).
func popPick(c *coll) ([]byte, others, error) {
	if c.d.clustered() {
		return pickOneOf(c)
	}
	now := c.d.raw.Now()
	cache := c.d.setEndsCache()
	ends, walked, hinted := cache.get(c.key, c.hdr, now, 0)
	if !hinted || len(ends.pool) < 2 {
		// Refill while one pooled member is left: a pop from the pool
		// needs another pooled member to tell that the set stays
		// non-empty without walking it.
		return pick(c, poolSeeks, true)
	}
	pool := slices.Clone(ends.pool)
	i := rand.IntN(len(pool))
	m := pool[i]
	pool = slices.Delete(pool, i, i+1)
	rest, err := keepLivePool(c, ends, walked, pool)
	if err != nil {
		return nil, othersUnknown, err
	}
	return m, rest, nil
}

// keepLivePool stores pool as c's pool (in ends, taken at walked) from
// its first live member on, reading its members in turn: othersSome if
// one is live, else othersUnknown (and an empty pool).
func keepLivePool(c *coll, ends setEnds, walked int64, pool [][]byte) (others, error) {
	rest := othersUnknown
	for len(pool) > 0 {
		live, err := c.live(pool[0])
		if err != nil {
			return othersUnknown, err
		}
		if len(live) > 0 {
			rest = othersSome
			break
		}
		pool = pool[1:]
	}
	ends.pool = pool
	c.d.setEndsCache().put(c.key, c.hdr, ends, walked)
	return rest, nil
}

// dropPool forgets c's pool: a pop found a pooled member gone, so the
// next pick walks.
func dropPool(c *coll) {
	cache := c.d.setEndsCache()
	if e, w, ok := cache.get(c.key, c.hdr, c.d.raw.Now(), 0); ok && len(e.pool) > 0 {
		e.pool = nil
		cache.put(c.key, c.hdr, e, w)
	}
}

// seekLen is how many bytes after the common prefix a seek point draws.
const seekLen = 8

// seekIn draws a random seek point among members spread like samples,
// which hold the set's first member and its last: their common prefix,
// then seekLen bytes each drawn uniformly from the bytes the samples
// hold after that prefix (the members' alphabet: digits, hex, letters),
// the first of them between the first and last member's bytes there. It
// is uniform over the strings of that alphabet between the two, and
// members drawn from the same alphabet (IDs, numbers, hashes) spread
// about evenly over them.
func seekIn(samples [][]byte, lo, hi []byte) []byte {
	n := 0
	for n < len(lo) && n < len(hi) && lo[n] == hi[n] {
		n++
	}
	var has [256]bool
	for _, m := range samples {
		if len(m) > n {
			for _, b := range m[n:min(len(m), n+seekLen)] {
				has[b] = true
			}
		}
	}
	var alpha []byte
	for b, ok := range has {
		if ok {
			alpha = append(alpha, byte(b))
		}
	}
	seek := clone(lo[:n])
	if len(alpha) == 0 || n >= len(hi) {
		return seek
	}
	// The first byte: alphabet bytes from lo's (its least if lo ends
	// here) to hi's.
	i, j := 0, len(alpha)
	for i < j && n < len(lo) && alpha[i] < lo[n] {
		i++
	}
	for j > i && alpha[j-1] > hi[n] {
		j--
	}
	if i == j {
		return seek
	}
	seek = append(seek, alpha[i+rand.IntN(j-i)])
	for range seekLen - 1 {
		seek = append(seek, alpha[rand.IntN(len(alpha))])
	}
	return seek
}

// sample returns k distinct members of ms chosen at random, k < len(ms).
func sample(ms [][]byte, k int) [][]byte {
	out := make([][]byte, k)
	for i, j := range rand.Perm(len(ms))[:k] {
		out[i] = ms[j]
	}
	return out
}

// SPOP key [count]
func (d *Dispatcher) spop(s *Session, args [][]byte) resp.Reply {
	switch len(args) {
	case 2:
		if d.popsJoin(s) {
			return d.spopInLine(s, args[1])
		}
		return d.spopOne(s, args[1])
	case 3:
		n, ok := resp.ParseInt(args[2])
		if !ok || n < 0 {
			return errNotPositive
		}
		return d.spopCount(s, args[1], n)
	}
	return errSyntax
}

// spopOne is SPOP key: the popped member, nil if none.
func (d *Dispatcher) spopOne(s *Session, key []byte) resp.Reply {
	c, err := d.openColl(s, key, version.KindSet, lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	for range 3 { // a member removed meanwhile (elsewhere, or while pooled): pick again
		m, rest, err := popPick(c)
		if err != nil {
			return errorReply(err)
		}
		if m == nil {
			break
		}
		ok, err := removeMember(c, m)
		if err != nil {
			return errorReply(err)
		}
		if !ok {
			dropPool(c)
			continue
		}
		ev, err := spopEvents(c, rest)
		if err != nil {
			return errorReply(err)
		}
		return d.notifySetEvents(s, resp.Bulk(m), ev)
	}
	return resp.Null()
}

// spopInLine is SPOP key as one of the pops of key that meet
// (popLines): the batch draws its members together (popBatch).
func (d *Dispatcher) spopInLine(s *Session, key []byte) resp.Reply {
	r := newPopReq(true, 1)
	d.inLine(s, key, r, d.serveSpops)
	switch {
	case r.err != nil:
		return errorReply(r.err)
	case !r.got:
		return resp.Null()
	}
	return resp.Bulk(r.vals[0])
}

// serveSpops serves a line's batch of SPOPs of set key under its lock:
// one member each, drawn and removed together (popBatch), in a cluster
// too. There a pooled member another coordinator removed (only in a
// partition: a key's writes go to its one coordinator) is found gone by
// the removal's quorum read, and the pool is dropped: the next refill's
// quorum walk no longer finds it.
func (d *Dispatcher) serveSpops(s *Session, key []byte, batch []*popReq) {
	c, err := d.openColl(s, key, version.KindSet, lockExclusive)
	if err != nil {
		failAll(batch, err)
		return
	}
	defer c.close()
	existed := c.exists()
	if existed {
		eachRun(batch, func(run []*popReq, _ bool, total int64) error {
			ms, rest, err := popBatch(c, int(total))
			handOut(run, ms, func(r *popReq, mine [][]byte) { r.vals = mine })
			if err == nil && len(ms) > 0 {
				_, err = spopEvents(c, rest)
			}
			return err
		})
	}
	d.batchServed(s, batch, existed)
}

// popBatch pops up to n members of c for a line's batch of SPOPs: it
// draws them from the pool (popPick's, which in a cluster is trusted as
// long as the set's other cached facts: cacheMaxAge) without a read of
// each, and removes those drawn as one group write before each refill
// (whose walk must not find them again) and at the end. rest is what is
// known of the members left, as popPick's: othersSome when a pooled
// member left is live.
func popBatch(c *coll, n int) (popped [][]byte, rest others, err error) {
	cache := c.d.setEndsCache()
	var drawn [][]byte
	misses := 0
	flush := func() error {
		if len(drawn) == 0 {
			return nil
		}
		ok, err := removeMembers(c, drawn)
		for i, m := range drawn {
			if ok[i] {
				popped = append(popped, m)
			}
		}
		if err == nil && len(popped) < n && slices.Contains(ok, false) {
			dropPool(c) // removed meanwhile (SREM, SMOVE): walk again
			misses++
		}
		drawn = nil
		return err
	}
	for len(popped) < n && misses < 3 {
		if len(popped)+len(drawn) == n {
			if err := flush(); err != nil {
				return popped, rest, err
			}
			continue
		}
		ends, walked, hinted := cache.get(c.key, c.hdr, c.d.raw.Now(), c.cacheMaxAge())
		if hinted && len(ends.pool) >= 2 {
			pool := slices.Clone(ends.pool)
			for len(pool) >= 2 && len(popped)+len(drawn) < n {
				i := rand.IntN(len(pool))
				drawn = append(drawn, pool[i])
				pool = slices.Delete(pool, i, i+1)
			}
			ends.pool = pool
			cache.put(c.key, c.hdr, ends, walked)
			rest = othersUnknown // the pool left is read at the end
			continue
		}
		if len(drawn) > 0 { // before a refill, whose walk must not find them
			if err := flush(); err != nil {
				return popped, rest, err
			}
			continue
		}
		m, o, err := pick(c, poolSeeks, true)
		if err != nil || m == nil {
			return popped, rest, err
		}
		drawn, rest = append(drawn, m), o
	}
	ends, walked, hinted := cache.get(c.key, c.hdr, c.d.raw.Now(), c.cacheMaxAge())
	if !hinted || len(ends.pool) == 0 {
		return popped, rest, nil
	}
	left, err := keepLivePool(c, ends, walked, slices.Clone(ends.pool))
	if err != nil {
		return popped, othersUnknown, err
	}
	if left == othersSome {
		rest = othersSome
	}
	return popped, rest, nil
}

// spopCount is SPOP key count: a set of up to count members, removed.
func (d *Dispatcher) spopCount(s *Session, key []byte, count int64) resp.Reply {
	c, err := d.openColl(s, key, version.KindSet, lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() || count == 0 {
		return resp.Set()
	}
	var ms [][]byte
	if count <= popSeekMax {
		ws, more, err := headWindow(c)
		if err != nil {
			return errorReply(err)
		}
		if more {
			return d.spopPicks(s, c, int(count))
		}
		ms = ws
	} else if ms, err = members(c); err != nil {
		return errorReply(err)
	}
	if count < int64(len(ms)) {
		ms = sample(ms, int(count))
	} else {
		ms = redisOrder(ms)
	}
	popped := make([]resp.Reply, 0, len(ms))
	for _, m := range ms {
		ok, err := removeMember(c, m)
		if err != nil {
			return errorReply(err)
		}
		if ok {
			popped = append(popped, resp.Bulk(m))
		}
	}
	if len(popped) == 0 {
		return resp.Set()
	}
	ev, err := removedEvents(c, "spop")
	if err != nil {
		return errorReply(err)
	}
	return d.notifySetEvents(s, resp.Set(popped...), ev)
}

// spopEvents is removedEvents for pops by single picks, told what the
// last pick saw of the other members: a pick that saw another left the
// set non-empty, and one that saw every member emptied it, so no walk
// needs to check.
func spopEvents(c *coll, rest others) ([]keyEvent, error) {
	switch rest {
	case othersSome:
		return []keyEvent{setEvent(notifySet, "spop", c.key)}, nil
	case othersNone:
		if err := c.dropEmpty(); err != nil {
			return nil, err
		}
		return afterRemovalEvents(c, "spop"), nil
	}
	return removedEvents(c, "spop")
}

// spopPicks is SPOP key count for a small count on a set larger than
// pickWindow: count single picks, each removed.
func (d *Dispatcher) spopPicks(s *Session, c *coll, count int) resp.Reply {
	popped := make([]resp.Reply, 0, count)
	var rest others // what the last pick saw of the other members
	for misses := 0; len(popped) < count && misses < 3; {
		m, o, err := popPick(c)
		if err != nil {
			return errorReply(err)
		}
		if m == nil {
			break
		}
		rest = o
		ok, err := removeMember(c, m)
		if err != nil {
			return errorReply(err)
		}
		if !ok { // removed meanwhile (elsewhere, or while pooled)
			dropPool(c)
			misses++
			continue
		}
		popped = append(popped, resp.Bulk(m))
	}
	if len(popped) == 0 {
		return resp.Set()
	}
	ev, err := spopEvents(c, rest)
	if err != nil {
		return errorReply(err)
	}
	return d.notifySetEvents(s, resp.Set(popped...), ev)
}

// SRANDMEMBER key [count]
func (d *Dispatcher) srandmember(s *Session, args [][]byte) resp.Reply {
	var count int64
	switch len(args) {
	case 2:
	case 3:
		n, ok := resp.ParseInt(args[2])
		switch {
		case !ok:
			return errNotInteger
		case n == math.MinInt64:
			return errRandCount
		}
		count = n
	default:
		return errSyntax
	}
	mode := lockNone
	if len(args) == 2 {
		mode = lockShared // a pick uses and updates the set's cached ends
	}
	c, err := d.openColl(s, args[1], version.KindSet, mode)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if len(args) == 2 {
		m, err := pickOne(c)
		switch {
		case err != nil:
			return errorReply(err)
		case m == nil:
			return resp.Null()
		}
		return resp.Bulk(m)
	}
	if !c.exists() || count == 0 {
		return resp.Array()
	}
	ms, err := members(c)
	if err != nil {
		return errorReply(err)
	}
	switch {
	case len(ms) == 0:
		return resp.Array()
	case count < -maxRandRepeats:
		return errRandTooMany
	case count < 0: // repetitions allowed
		out := make([]resp.Reply, -count)
		for i := range out {
			out[i] = resp.Bulk(ms[rand.IntN(len(ms))])
		}
		return resp.Array(out...)
	case count >= int64(len(ms)):
		return resp.Array(memberBulks(redisOrder(ms))...)
	}
	return resp.Array(memberBulks(sample(ms, int(count)))...)
}
