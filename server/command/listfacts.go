package command

import (
	"context"
	"errors"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// ReverseElementKV is a store that also walks a collection's element
// records backwards (replica.Coordinator.ElementsReverse): the records
// under prefix that sort before before (nil: from the last), descending.
type ReverseElementKV interface {
	ElementsReverse(ctx context.Context, prefix, before []byte, o replica.ReadOptions, fn func(key []byte, s version.Set) bool) error
}

// lst is one list command's view of a list: the collection and the facts
// (listcache.go) it knows of it.
type lst struct {
	*coll
	f      listFacts
	known  bool  // f holds at c.hdr (plus this command's own writes)
	walked int64 // when the walk f descends from ran
}

// openLst opens key as a list, holding its collection lock as mode says
// (list commands take it to read as well, shared: facts are taken under
// it). A caller that holds the lock already passes lockNone.
func (d *Dispatcher) openLst(s *Session, key []byte, mode lockMode) (*lst, error) {
	c, err := d.openList(s, key, mode)
	if err != nil {
		return nil, err
	}
	return &lst{coll: c}, nil
}

// facts returns the list's length and ends: from the cache when its entry
// holds at the header read, else by a walk of the whole list, cached if
// this command has not written yet (an entry is stored only once a
// command's writes are all done: listcache.go).
func (l *lst) facts() (listFacts, error) {
	if l.known {
		return l.f, nil
	}
	now := l.d.raw.Now()
	if !l.exists() {
		l.f, l.known, l.walked = listFacts{}, true, now
		return l.f, nil
	}
	if f, walked, ok := l.d.listCache().get(l.key, l.hdr, now, l.cacheMaxAge()); ok {
		l.f, l.known, l.walked = f, true, walked
		return f, nil
	}
	first, last, n, err := l.lEnds()
	if err != nil {
		return listFacts{}, err
	}
	l.f, l.known, l.walked = listFacts{n: n, first: first, last: last}, true, now
	if l.stamp.Counter == 0 {
		l.d.listCache().put(l.key, l.hdr, l.f, now)
	}
	return l.f, nil
}

// begin rewrites the header before element writes or removals (touch),
// carrying the facts over when the write superseded exactly the state they
// hold at; else they are walked again after it.
func (l *lst) begin() error {
	if _, err := l.facts(); err != nil {
		return err
	}
	l.f.ahead = [2][][]byte{} // only pops and pushes carry them
	before := l.hdr.Context
	if err := l.touch(); err != nil {
		l.known = false
		return err
	}
	if !l.hdr.Context.Equal(before.With(l.stamp)) {
		l.known = false // a header version from elsewhere merged in
		_, err := l.facts()
		return err
	}
	return nil
}

// beginLater is begin deferred to the first element write, which writes
// the header with it as one group (coll.touchLater), only if the header
// is still the one the facts hold at (coll.expect): else that write
// answers errHeaderMoved, having written nothing, and the command calls
// begin. Facts are read first, as begin reads them.
func (l *lst) beginLater() error {
	if _, err := l.facts(); err != nil {
		return err
	}
	if _, ok := l.d.raw.(GroupKV); !ok {
		return l.begin()
	}
	l.f.ahead = [2][][]byte{} // as begin
	ctx := l.hdr.Context
	l.expect = &ctx
	return l.touchLater()
}

// save stores the facts after a command's writes all succeeded.
func (l *lst) save() {
	switch {
	case !l.exists():
		l.d.listCache().drop(l.key)
	case l.known:
		l.d.listCache().put(l.key, l.hdr, l.f, l.walked)
	default:
		l.d.listCache().drop(l.key)
	}
}

// lBelow is a member just below id: a walk after it starts at id.
// Identifiers end with a byte of 2 or more (listpos.go).
func lBelow(id []byte) []byte {
	b := clone(id)
	if b[len(b)-1] > 0 {
		b[len(b)-1]--
		return b
	}
	return b[:len(b)-1]
}

// lAbove is the member right after id: a reverse walk before it starts
// at id.
func lAbove(id []byte) []byte { return append(clone(id), 0) }

// eachReverse is each backwards: the live members before before (nil:
// from the last), in descending member order.
func (c *coll) eachReverse(before []byte, fn func(member []byte, live []*version.Sibling) bool) error {
	return c.eachRecordReverse(before, func(m []byte, live []*version.Sibling) bool {
		return len(live) == 0 || fn(m, live)
	})
}

// eachRecordReverse is eachReverse that also visits the removed members
// whose records remain (tombstones, live empty).
func (c *coll) eachRecordReverse(before []byte, fn func(member []byte, live []*version.Sibling) bool) error {
	if !c.exists() {
		return nil
	}
	prefix := ring.ElementPrefix(elemKind(c.kind), c.key)
	var from []byte
	if before != nil {
		from = c.elemKey(before)
	}
	now := c.d.raw.Now()
	var ferr error
	visit := func(k []byte, s version.Set) bool {
		_, _, member, ok := ring.ParseElement(k)
		if !ok {
			return true
		}
		live, err := c.liveOfOwned(s, now)
		if err != nil {
			ferr = err
			return false
		}
		return fn(member, live)
	}
	var err error
	if rk, ok := c.d.raw.(ReverseElementKV); ok {
		err = rk.ElementsReverse(c.s.Context(), prefix, from, c.walkOptions(), visit)
	} else if ek, ok := c.d.raw.(ElementKV); ok {
		// No reverse walk: read forward, replay backwards.
		type rec struct {
			k []byte
			s version.Set
		}
		var all []rec
		err = ek.Elements(c.s.Context(), prefix, nil, c.walkOptions(), func(k []byte, s version.Set) bool {
			if from != nil && string(k) >= string(from) {
				return false
			}
			all = append(all, rec{k, s})
			return true
		})
		for i := len(all) - 1; err == nil && i >= 0 && visit(all[i].k, all[i].s); i-- {
		}
	} else {
		return errors.New("command: this store cannot read collections")
	}
	if err == nil {
		err = ferr
	}
	return err
}

// lWalkRev visits the live elements before before (nil: from the last),
// last first, copied, until fn returns false.
func (c *coll) lWalkRev(before []byte, fn func(e listElem) bool) error {
	return c.eachReverse(before, func(m []byte, live []*version.Sibling) bool {
		return fn(listElem{m, listVal(live)}) // the walk's to keep: ElementKV
	})
}

// endN returns up to k live elements from the head (left) or the tail,
// in that order, walking from the end's seek point.
func (l *lst) endN(left bool, k int64) ([]listElem, error) {
	f, err := l.facts()
	if err != nil || f.n == 0 || k <= 0 || f.first == nil {
		return nil, err
	}
	out := make([]listElem, 0, min(k, f.n, 1024)) // f.n is counted: a bound, not a promise
	fn := func(e listElem) bool {
		if len(out) == 0 { // all before it was dead: seek here next time
			if left {
				l.f.first = e.id
			} else {
				l.f.last = e.id
			}
		}
		out = append(out, e)
		return int64(len(out)) < k
	}
	if left {
		err = l.lWalk(lBelow(f.first), fn)
	} else {
		err = l.lWalkRev(lAbove(f.last), fn)
	}
	return out, err
}

// fromHead visits every live element from the first on (stepping over
// no tombstone before it).
func (l *lst) fromHead(fn func(e listElem) bool) error {
	f, err := l.facts()
	if err != nil || f.n == 0 || f.first == nil {
		return err
	}
	return l.lWalk(lBelow(f.first), fn)
}

// all returns every live element in order: O(n).
func (l *lst) all() ([]listElem, error) {
	var out []listElem
	err := l.fromHead(func(e listElem) bool { out = append(out, e); return true })
	return out, err
}

// at returns the element at Redis index i (negative from the tail),
// walking from the nearer end.
func (l *lst) at(i int64) (listElem, bool, error) {
	f, err := l.facts()
	if err != nil {
		return listElem{}, false, err
	}
	if i < 0 {
		i += f.n
	}
	if i < 0 || i >= f.n {
		return listElem{}, false, nil
	}
	if i <= f.n-1-i {
		es, err := l.endN(true, i+1)
		if err != nil || int64(len(es)) <= i {
			return listElem{}, false, err
		}
		return es[i], true, nil
	}
	k := f.n - i
	es, err := l.endN(false, k)
	if err != nil || int64(len(es)) < k {
		return listElem{}, false, err
	}
	return es[k-1], true, nil
}

// pushVals pushes vals one by one at the head (left) or the tail and
// returns the new length.
func (l *lst) pushVals(vals [][]byte, left bool) (int64, error) {
	if _, err := l.facts(); err != nil {
		return 0, err
	}
	ahead := l.f.ahead
	if err := l.beginLater(); err != nil {
		return 0, err
	}
	l.f.ahead = ahead // a push carries them (insertEnd)
	for _, v := range vals {
		err := l.insertEnd(v, left)
		if errors.Is(err, errHeaderMoved) {
			// Written elsewhere since the facts: begin again.
			if err = l.begin(); err == nil {
				err = l.insertEnd(v, left)
			}
		}
		if err != nil {
			return l.f.n, err
		}
	}
	return l.f.n, nil
}

// insertEnd writes v as the new first (left) or last element, after
// begin, or with the header write beginLater deferred (its position id
// then carries that write's stamp, named in the group).
func (l *lst) insertEnd(v []byte, left bool) error {
	var a, b []byte
	if left {
		b = l.f.first
	} else {
		a = l.f.last
	}
	var id []byte
	var err error
	if l.later {
		_, err = l.touchUpdate(nil, func(stamp version.Dot) []byte {
			id = posID(posBetween(a, b), posTag(stamp))
			return id
		}, func([]*version.Sibling) (ElemChange, error) {
			return ElemChange{Op: ElemWrite, Body: v, Kind: version.KindString}, nil
		})
	} else {
		id, err = l.lInsertAt(a, b, v, posTag(l.stamp))
	}
	if err != nil {
		l.known = false
		return err
	}
	l.f.pushed(id, left)
	return nil
}

// listPopAhead is how many live elements past those it pops a pop's walk
// reads, to keep for the next pops at that end (listFacts.ahead).
const listPopAhead = 16

// listPopAheadCluster is listPopAhead in a cluster, where a walk is a
// quorum read of element pages from the replicas: on 3 nodes 64 took
// LPOP from 4.8k to 6.8k requests/s and 330 to 235 µs of CPU per pop
// (the three nodes'); on one node it changed nothing measurable.
const listPopAheadCluster = 64

// popAhead is how many elements past those it pops a pop's walk reads.
func (l *lst) popAhead() int64 {
	if l.d.clustered() {
		return listPopAheadCluster
	}
	return listPopAhead
}

// pop removes up to n elements from the head (left) or the tail and
// returns their values in pop order, rewriting the header first. The
// caller calls dropIfEmpty.
func (l *lst) pop(left bool, count int64) ([][]byte, error) {
	f, err := l.facts()
	if err != nil || f.n == 0 {
		return nil, err
	}
	if err := l.beginLater(); err != nil {
		return nil, err
	}
	l.f.ahead = f.ahead // a pop carries them (beginLater dropped them)
	end := 1
	if left {
		end = 0
	}
	var out [][]byte
walk:
	for int64(len(out)) < count {
		need := count - int64(len(out))
		var batch []listElem
		if int64(len(l.f.ahead[end])) >= need {
			batch = l.takeAhead(end, need)
		} else {
			// Walk for them all (the ones kept ahead too, still live):
			// one group write removes them.
			l.f.ahead[end] = nil
		}
		if len(batch) == 0 {
			if batch, err = l.endN(left, need+l.popAhead()); err != nil {
				l.known = false
				return out, err
			}
			if int64(len(batch)) > need {
				l.keepAhead(end, batch[need:])
				batch = batch[:need]
			}
		}
		if len(batch) == 0 {
			l.f.n = 0 // walked past the last live element
			break
		}
		vals, err := l.lRemoveAll(batch)
		if errors.Is(err, errHeaderMoved) {
			// Written elsewhere since the facts: begin again, and
			// walk from the facts begin finds.
			if err := l.begin(); err != nil {
				return out, err
			}
			continue walk
		}
		for _, v := range vals {
			if v != nil {
				out = append(out, v)
				l.f.n--
			} else {
				l.known = false // counted live, found gone
			}
		}
		if err != nil {
			l.known = false
			return out, err
		}
		// The last one taken is the new seek point: nothing live before
		// it (after it, popping the tail) is left.
		taken := batch[len(batch)-1].id
		if left {
			l.f.first = taken
		} else {
			l.f.last = taken
		}
		l.f.ahead[1-end] = cutAhead(l.f.ahead[1-end], taken, left)
		if l.f.n < 0 {
			l.known = false
		}
	}
	return out, nil
}

// takeAhead takes up to n identifiers kept ahead at end (listFacts.ahead).
func (l *lst) takeAhead(end int, n int64) []listElem {
	ids := l.f.ahead[end]
	k := min(int64(len(ids)), n)
	out := make([]listElem, k)
	for i := range out {
		out[i].id = ids[i]
	}
	l.f.ahead[end] = ids[k:]
	return out
}

// keepAhead keeps es's identifiers (a walk's: copied into one buffer, so
// the records' values are not held) ahead at end.
func (l *lst) keepAhead(end int, es []listElem) {
	n := 0
	for _, e := range es {
		n += len(e.id)
	}
	buf := make([]byte, 0, n)
	ids := make([][]byte, len(es))
	for i, e := range es {
		buf = append(buf, e.id...)
		ids[i] = buf[len(buf)-len(e.id) : len(buf) : len(buf)]
	}
	l.f.ahead[end] = ids
}

// cutAhead drops from the other end's identifiers (in its pop order) those
// a pop from this end took: up to taken, from the head (left) or the tail.
func cutAhead(ids [][]byte, taken []byte, left bool) [][]byte {
	for len(ids) > 0 {
		last := string(ids[len(ids)-1])
		if (left && last > string(taken)) || (!left && last < string(taken)) {
			break
		}
		ids = ids[:len(ids)-1]
	}
	return ids
}

// dropIfEmpty deletes the emptied list's key. Facts of a non-empty list
// spare the walk; on one node, facts of an empty one spare it too (its
// tombstones may be many); in a cluster a walk confirms (listcache.go).
func (l *lst) dropIfEmpty() error {
	switch {
	case !l.exists():
		return nil
	case l.known && l.f.n > 0:
		return nil
	case l.known && !l.d.clustered():
		return l.dropKnownEmpty()
	}
	return l.coll.dropIfEmpty()
}

// dropKnownEmpty deletes the key of a collection known empty without a
// walk (cached facts, on one node: listcache.go), unless its header
// changed since this command read or wrote it (as dropIfEmpty).
func (c *coll) dropKnownEmpty() error {
	seen := c.hdr.Context
	res, err := c.d.raw.Update(c.s.Context(), ring.InternalKey(c.key), replica.WriteOptions{Read: true},
		func(cur version.Set, now int64) (*replica.Change, error) {
			if !cur.Context().Equal(seen) {
				return nil, nil
			}
			return &replica.Change{Context: cur.Context(), Delete: true}, nil
		})
	c.d.noteWrite(c.s, res, err)
	if err == nil && res.Written() {
		c.hdr.Live = false
	}
	return err
}
