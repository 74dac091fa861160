package command

import (
	"bytes"
	"slices"
	"strings"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// Lists: a sequence CRDT on the collection framework. Each element is an
// element record whose member is a dense position identifier (listpos.go)
// and whose body is the value; member order is list order. Pushes make new
// identifiers (concurrent pushes on two coordinators are all kept, ordered
// by identifier the same way everywhere); LSET overwrites the value at an
// identifier (last writer wins); pops and removals tombstone the element
// records they saw (observed-remove: an element popped on either side of a
// partition stays removed; two concurrent pops may return the same
// element: at least once).
//
// Costs. Each node caches per list its length and the identifiers of its
// end elements (listcache.go), valid while the header is unchanged; every
// list write rewrites the header (pops and removals too), so a change
// made anywhere invalidates them, and the node's own writes update them.
// With them, pushes, pops (walking from the end element: forward for the
// head, backwards for the tail, stepping over no tombstone), LLEN, and
// LINDEX/LRANGE/LSET near either end cost O(1) in the list's size; a
// command that finds no valid facts walks the list once. LINSERT, LREM,
// LTRIM and LPOS walk the list, as Redis's are O(n).

// listCommands are the list commands.
func (d *Dispatcher) listCommands() []*Command {
	const rw, rwf, ro, rof, w, wf = Write | DenyOOM, Write | DenyOOM | Fast, ReadOnly, ReadOnly | Fast, Write, Write | Fast
	const g = "list"
	lmpop := spec("lmpop", -4, w, 0, 0, 0, g, d.lmpop)
	lmpop.Keys = lmpopKeys(1)
	return append([]*Command{
		spec("lpush", -3, rwf, 1, 1, 1, g, d.lpush),
		spec("rpush", -3, rwf, 1, 1, 1, g, d.rpush),
		spec("lpushx", -3, rwf, 1, 1, 1, g, d.lpushx),
		spec("rpushx", -3, rwf, 1, 1, 1, g, d.rpushx),
		spec("lpop", -2, wf, 1, 1, 1, g, d.lpop),
		spec("rpop", -2, wf, 1, 1, 1, g, d.rpop),
		spec("llen", 2, rof, 1, 1, 1, g, d.llen),
		spec("lrange", 4, ro, 1, 1, 1, g, d.lrange),
		spec("lindex", 3, ro, 1, 1, 1, g, d.lindex),
		spec("lset", 4, rw, 1, 1, 1, g, d.lset),
		spec("linsert", 5, rw, 1, 1, 1, g, d.linsert),
		spec("lrem", 4, w, 1, 1, 1, g, d.lrem),
		spec("ltrim", 4, w, 1, 1, 1, g, d.ltrim),
		spec("lpos", -3, ro, 1, 1, 1, g, d.lpos),
		spec("lmove", 5, rw, 1, 2, 1, g, d.lmove),
		spec("rpoplpush", 3, rw, 1, 2, 1, g, d.rpoplpush),
		lmpop,
	}, d.blockingCommands()...)
}

// lmpopKeys returns a Keys func for "numkeys key [key ...]" at position
// at; an invalid numkeys yields no keys (the handler answers the error).
func lmpopKeys(at int) func(args [][]byte) [][]byte {
	return func(args [][]byte) [][]byte {
		if at >= len(args) {
			return nil
		}
		n, ok := resp.ParseInt(args[at])
		if !ok || n <= 0 || n > int64(len(args)-at-1) {
			return nil
		}
		return args[at+1 : at+1+int(n)]
	}
}

// listLockPair takes the collection locks of two keys in stripe order (one
// lock if they share a stripe), so two commands moving between the same
// keys in opposite directions cannot deadlock.
func (l *collLocks) listLockPair(a, b []byte) func() {
	i, j := ring.Hash(a)%uint64(len(l.mu)), ring.Hash(b)%uint64(len(l.mu))
	if i == j {
		l.mu[i].enter(lockExclusive)
		return l.mu[i].leave
	}
	if j < i {
		i, j = j, i
	}
	l.mu[i].enter(lockExclusive)
	l.mu[j].enter(lockExclusive)
	return func() { l.mu[j].leave(); l.mu[i].leave() }
}

// openList opens key as a list, holding its lock as mode says.
func (d *Dispatcher) openList(s *Session, key []byte, mode lockMode) (*coll, error) {
	return d.openColl(s, key, version.KindList, mode)
}

// listElem is one element: its identifier and value.
type listElem struct{ id, val []byte }

// listVal is an element's value: the newest of its live siblings (LSET is
// last writer wins).
func listVal(live []*version.Sibling) []byte { return crdt.Newest(live).Value }

// lWalk visits the live elements from after on (nil: the first), copied,
// until fn returns false.
func (c *coll) lWalk(after []byte, fn func(e listElem) bool) error {
	return c.each(after, func(m []byte, live []*version.Sibling) bool {
		return fn(listElem{m, listVal(live)}) // the walk's to keep: ElementKV
	})
}

// lEnds returns the first and last identifiers (nil if empty) and the
// length: a full walk.
func (c *coll) lEnds() (first, last []byte, n int64, err error) {
	err = c.each(nil, func(m []byte, _ []*version.Sibling) bool {
		if first == nil {
			first = clone(m)
		}
		last = m
		n++
		return true
	})
	return first, clone(last), n, err
}

// lInsertAt writes val as a new element between a and b (nil: the ends);
// touch must have run. It returns the new identifier.
func (c *coll) lInsertAt(a, b, val []byte, tag []byte) ([]byte, error) {
	id := posID(posBetween(a, b), tag)
	_, err := c.update(id, func([]*version.Sibling) (ElemChange, error) {
		return ElemChange{Op: ElemWrite, Body: val, Kind: version.KindString}, nil
	})
	return id, err
}

// lSetAt overwrites the value at id; touch must have run.
func (c *coll) lSetAt(id, val []byte) error {
	_, err := c.update(id, func([]*version.Sibling) (ElemChange, error) {
		return ElemChange{Op: ElemWrite, Body: val, Kind: version.KindString}, nil
	})
	return err
}

// lRemove tombstones the element at id and returns its value; ok is false
// if it was already gone (removed by a concurrent command).
func (c *coll) lRemove(id []byte) (val []byte, ok bool, err error) {
	vals, err := c.lRemoveAll([]listElem{{id: id}})
	return vals[0], vals[0] != nil, err
}

// lRemoveAll tombstones the elements es as one group write (with the
// header's, if pending: coll.updateAll) and returns their values in
// order: nil for one already gone. On an error some may be removed
// (their values set).
func (c *coll) lRemoveAll(es []listElem) ([][]byte, error) {
	vals := make([][]byte, len(es))
	ups := make([]elemUpdate, len(es))
	for i, e := range es {
		ups[i] = elemUpdate{member: e.id, fn: func(live []*version.Sibling) (ElemChange, error) {
			if len(live) == 0 {
				return ElemChange{}, nil
			}
			vals[i] = append([]byte{}, listVal(live)...) // never nil: "" is a value
			return ElemChange{Op: ElemRemove}, nil
		}}
	}
	err := c.updateAll(ups)
	return vals, err
}

// listEvent is a list notification on key.
func listEvent(name string, key []byte) keyEvent {
	return keyEvent{class: notifyList, name: name, key: key}
}

// listDelEvent is the generic del notification of an emptied list.
func listDelEvent(key []byte) keyEvent { return keyEvent{class: notifyGeneric, name: "del", key: key} }

// listNotify publishes a list command's events (notify.go) and returns r.
// Redis fires some of a command's events before its reply and some after
// (RPUSH replies, then notifies): a subscriber that is the client itself
// (RESP3) gets the frames of before ahead of r, those of after behind it.
// Inside a transaction or script every frame goes ahead.
func (d *Dispatcher) listNotify(s *Session, r resp.Reply, before, after []keyEvent) resp.Reply {
	on := d.env.Settings.keyEvents.Load()
	if len(before)+len(after) == 0 || on&(notifyKeyspace|notifyKeyevent) == 0 {
		return r
	}
	if len(before) > 0 {
		r = d.emit(s, r, before)
	}
	if len(after) == 0 {
		return r
	}
	mark := len(s.ps.pushed)
	r = d.emit(s, r, after)
	if s.inExclusive || len(s.ps.pushed) == mark {
		return r
	}
	tail := s.ps.pushed[mark:]
	s.ps.pushed = s.ps.pushed[:mark:mark]
	return resp.Raw(append(resp.Append(nil, r, s.Proto), tail...))
}

// listPopEvents are a pop's events: lpop/rpop, and del if it emptied key.
func listPopEvents(c *coll, left bool) []keyEvent {
	name := "rpop"
	if left {
		name = "lpop"
	}
	ev := []keyEvent{listEvent(name, c.key)}
	if !c.hdr.Live {
		ev = append(ev, listDelEvent(c.key))
	}
	return ev
}

// LPUSH key element [element ...]
func (d *Dispatcher) lpush(s *Session, args [][]byte) resp.Reply {
	return d.listPush(s, args, true, false)
}

// RPUSH key element [element ...]
func (d *Dispatcher) rpush(s *Session, args [][]byte) resp.Reply {
	return d.listPush(s, args, false, false)
}

// LPUSHX key element [element ...]
func (d *Dispatcher) lpushx(s *Session, args [][]byte) resp.Reply {
	return d.listPush(s, args, true, true)
}

// RPUSHX key element [element ...]
func (d *Dispatcher) rpushx(s *Session, args [][]byte) resp.Reply {
	return d.listPush(s, args, false, true)
}

func (d *Dispatcher) listPush(s *Session, args [][]byte, left, xx bool) resp.Reply {
	key := args[1]
	if !xx && len(args) == 3 {
		if r, ok := d.listPushOne(s, key, args[2], left); ok {
			return r
		}
	}
	c, err := d.openLst(s, key, lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	existed := c.exists()
	if xx && !existed {
		return resp.Int(0)
	}
	n, err := c.pushVals(args[2:], left)
	if err != nil {
		return errorReply(err)
	}
	c.save()
	return d.pushed(s, key, left, n, existed)
}

// pushed ends a push that made key's list n long, under the list's lock:
// it wakes the clients blocked on key and answers n, with the push's
// notifications (and new, if the list did not exist).
func (d *Dispatcher) pushed(s *Session, key []byte, left bool, n int64, existed bool) resp.Reply {
	name := "rpush"
	if left {
		name = "lpush"
	}
	var ev []keyEvent
	if !existed {
		ev = append(ev, keyEvent{class: notifyNew, name: "new", key: key})
	}
	d.wakeWaiters(s, key)
	return d.listNotify(s, resp.Int(n), ev, []keyEvent{listEvent(name, key)})
}

// LPOP key [count]
func (d *Dispatcher) lpop(s *Session, args [][]byte) resp.Reply { return d.listPopCmd(s, args, true) }

// RPOP key [count]
func (d *Dispatcher) rpop(s *Session, args [][]byte) resp.Reply { return d.listPopCmd(s, args, false) }

func (d *Dispatcher) listPopCmd(s *Session, args [][]byte, left bool) resp.Reply {
	if len(args) > 3 {
		return errWrongArgs(strings.ToLower(string(args[0])))
	}
	count, hasCount := int64(1), len(args) == 3
	if hasCount {
		n, ok := resp.ParseInt(args[2])
		if !ok || n < 0 {
			return resp.Err("ERR value is out of range, must be positive")
		}
		count = n
	}
	if d.popsJoin(s) && count > 0 {
		return d.listPopInLine(s, args[1], left, hasCount, count)
	}
	c, err := d.openLst(s, args[1], lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		if hasCount {
			return resp.NullArray()
		}
		return resp.Null()
	}
	if hasCount && count == 0 {
		return resp.Array()
	}
	vals, err := c.pop(left, count)
	if err == nil && len(vals) > 0 {
		err = c.dropIfEmpty()
	}
	if err != nil {
		return errorReply(err)
	}
	c.save()
	var r resp.Reply
	switch {
	case len(vals) == 0 && hasCount:
		return resp.NullArray()
	case len(vals) == 0:
		return resp.Null()
	case hasCount:
		r = listBulks(vals)
	default:
		r = resp.Bulk(vals[0])
	}
	return d.listNotify(s, r, nil, listPopEvents(c.coll, left))
}

// popsJoin reports whether s's pops join their key's line (popLines).
func (d *Dispatcher) popsJoin(s *Session) bool {
	_, group := d.raw.(GroupKV)
	return group && !s.inExclusive && d.env.Settings.keyEvents.Load()&(notifyKeyspace|notifyKeyevent) == 0
}

// listPopInLine is LPOP or RPOP (count > 0) of key as one of the pops of
// key that meet (popLines): its reply is that of the pops run one after
// another in line order.
func (d *Dispatcher) listPopInLine(s *Session, key []byte, left, hasCount bool, count int64) resp.Reply {
	r := newPopReq(left, count)
	d.inLine(s, key, r, d.serveListPops)
	switch {
	case r.err != nil:
		return errorReply(r.err)
	case !r.got && hasCount:
		return resp.NullArray()
	case !r.got:
		return resp.Null()
	case hasCount:
		return listBulks(r.vals)
	}
	return resp.Bulk(r.vals[0])
}

// serveListPops serves a line's batch of pops of list key under its
// lock: one pop of each run's total count (one group write).
func (d *Dispatcher) serveListPops(s *Session, key []byte, batch []*popReq) {
	c, err := d.openLst(s, key, lockExclusive)
	if err != nil {
		failAll(batch, err)
		return
	}
	defer c.close()
	existed := c.exists()
	got := existed && eachRun(batch, func(run []*popReq, left bool, total int64) error {
		vals, err := c.pop(left, total)
		handOut(run, vals, func(r *popReq, mine [][]byte) { r.vals = mine })
		return err
	})
	if got {
		if err := c.dropIfEmpty(); err != nil {
			lastGot(batch).err = err
			return
		}
	}
	c.save()
	d.batchServed(s, batch, existed)
}

// bulks is an array of bulk strings.
func listBulks(vals [][]byte) resp.Reply {
	out := make([]resp.Reply, len(vals))
	for i, v := range vals {
		out[i] = resp.Bulk(v)
	}
	return resp.Array(out...)
}

// LLEN key
func (d *Dispatcher) llen(s *Session, args [][]byte) resp.Reply {
	c, err := d.openLst(s, args[1], lockShared)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	f, err := c.facts()
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(f.n)
}

// listRange is Redis's clamping of start/stop to [0, n): ok is false if
// the range is empty.
func listRange(start, stop, n int64) (int64, int64, bool) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= n {
		return 0, 0, false
	}
	if stop >= n {
		stop = n - 1
	}
	return start, stop, true
}

// LRANGE key start stop
func (d *Dispatcher) lrange(s *Session, args [][]byte) resp.Reply {
	start, ok1 := resp.ParseInt(args[2])
	stop, ok2 := resp.ParseInt(args[3])
	if !ok1 || !ok2 {
		return errNotInteger
	}
	c, err := d.openLst(s, args[1], lockShared)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	f, err := c.facts()
	if err != nil {
		return errorReply(err)
	}
	a, b, ok := listRange(start, stop, f.n)
	if !ok {
		return resp.Array()
	}
	// Walk from the nearer end.
	var elems []listElem
	if a <= f.n-1-b {
		if elems, err = c.headN(b + 1); int64(len(elems)) > a {
			elems = elems[a:]
		} else {
			elems = nil
		}
	} else {
		elems, err = c.endN(false, f.n-a)
		slices.Reverse(elems)
	}
	if err != nil {
		return errorReply(err)
	}
	c.save() // the seek points may have moved past tombstones
	out := make([]resp.Reply, 0, b-a+1)
	for i := int64(0); i <= b-a && i < int64(len(elems)); i++ {
		out = append(out, resp.Bulk(elems[i].val))
	}
	return resp.Array(out...)
}

// LINDEX key index
func (d *Dispatcher) lindex(s *Session, args [][]byte) resp.Reply {
	c, err := d.openLst(s, args[1], lockShared)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return resp.Null()
	}
	i, ok := resp.ParseInt(args[2])
	if !ok {
		return errNotInteger
	}
	e, ok, err := c.at(i)
	switch {
	case err != nil:
		return errorReply(err)
	case !ok:
		return resp.Null()
	}
	c.save() // the seek points may have moved past tombstones
	return resp.Bulk(e.val)
}

// LSET key index element
func (d *Dispatcher) lset(s *Session, args [][]byte) resp.Reply {
	c, err := d.openLst(s, args[1], lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return errNoSuchKey
	}
	i, ok := resp.ParseInt(args[2])
	if !ok {
		return errNotInteger
	}
	e, ok, err := c.at(i)
	switch {
	case err != nil:
		return errorReply(err)
	case !ok:
		return resp.Err("ERR index out of range")
	}
	if err := c.begin(); err != nil {
		return errorReply(err)
	}
	if err := c.lSetAt(e.id, args[3]); err != nil {
		return errorReply(err)
	}
	c.save()
	return d.listNotify(s, resp.OK(), nil, []keyEvent{listEvent("lset", args[1])})
}

// LINSERT key BEFORE|AFTER pivot element
func (d *Dispatcher) linsert(s *Session, args [][]byte) resp.Reply {
	var before bool
	switch strings.ToLower(string(args[2])) {
	case "before":
		before = true
	case "after":
	default:
		return errSyntax
	}
	c, err := d.openLst(s, args[1], lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return resp.Int(0)
	}
	// Find the pivot and its neighbour on the insert side.
	var prev, a, b []byte
	var found bool
	err = c.fromHead(func(e listElem) bool {
		if found { // after: the pivot's successor
			b = e.id
			return false
		}
		if bytes.Equal(e.val, args[3]) {
			found = true
			if before {
				a, b = prev, e.id
				return false
			}
			a = e.id
		}
		prev = e.id
		return true
	})
	if err != nil {
		return errorReply(err)
	}
	if !found {
		return resp.Int(-1)
	}
	if err := c.begin(); err != nil {
		return errorReply(err)
	}
	id, err := c.lInsertAt(a, b, args[4], posTag(c.stamp))
	if err != nil {
		return errorReply(err)
	}
	c.f.add(id)
	c.save()
	d.wakeWaiters(s, args[1])
	return d.listNotify(s, resp.Int(c.f.n), []keyEvent{listEvent("linsert", args[1])}, nil)
}

// LREM key count element
func (d *Dispatcher) lrem(s *Session, args [][]byte) resp.Reply {
	count, ok := resp.ParseInt(args[2])
	if !ok {
		return errNotInteger
	}
	c, err := d.openLst(s, args[1], lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return resp.Int(0)
	}
	all, err := c.all()
	if err != nil {
		return errorReply(err)
	}
	var match []int
	for i, e := range all {
		if bytes.Equal(e.val, args[3]) {
			match = append(match, i)
		}
	}
	switch {
	case count > 0 && int64(len(match)) > count:
		match = match[:count]
	case count < 0 && int64(len(match)) > -count:
		match = match[int64(len(match))+count:]
	}
	if len(match) == 0 {
		return resp.Int(0)
	}
	if err := c.begin(); err != nil {
		return errorReply(err)
	}
	gone := make([]bool, len(all))
	var removed int64
	for _, i := range match {
		_, ok, err := c.lRemove(all[i].id)
		if err != nil {
			return errorReply(err)
		}
		if ok {
			removed++
		}
		gone[i] = true
	}
	c.keepOnly(all, gone, removed == int64(len(match)))
	if removed == 0 {
		c.save()
		return resp.Int(0)
	}
	if err := c.dropIfEmpty(); err != nil {
		return errorReply(err)
	}
	c.save()
	ev := []keyEvent{listEvent("lrem", args[1])}
	if !c.hdr.Live {
		ev = append(ev, listDelEvent(args[1]))
	}
	return d.listNotify(s, resp.Int(removed), ev, nil)
}

// keepOnly sets the facts to the elements of all (the whole list, walked
// before begin) not gone, if begin carried the facts over and every
// removal found its element (exact); else they are walked again later.
func (l *lst) keepOnly(all []listElem, gone []bool, exact bool) {
	if !l.known || !exact {
		l.known = false
		return
	}
	l.f = listFacts{}
	for i, e := range all {
		if gone[i] {
			continue
		}
		if l.f.first == nil {
			l.f.first = e.id
		}
		l.f.last = e.id
		l.f.n++
	}
}

// LTRIM key start stop
func (d *Dispatcher) ltrim(s *Session, args [][]byte) resp.Reply {
	start, ok1 := resp.ParseInt(args[2])
	stop, ok2 := resp.ParseInt(args[3])
	if !ok1 || !ok2 {
		return errNotInteger
	}
	c, err := d.openLst(s, args[1], lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return resp.OK()
	}
	all, err := c.all()
	if err != nil {
		return errorReply(err)
	}
	a, b, keep := listRange(start, stop, int64(len(all)))
	gone := make([]bool, len(all))
	some, exact := false, true
	for i := range all {
		gone[i] = !keep || int64(i) < a || int64(i) > b
		some = some || gone[i]
	}
	if some {
		if err := c.begin(); err != nil {
			return errorReply(err)
		}
		for i, e := range all {
			if !gone[i] {
				continue
			}
			_, ok, err := c.lRemove(e.id)
			if err != nil {
				return errorReply(err)
			}
			exact = exact && ok
		}
		c.keepOnly(all, gone, exact)
	}
	if err := c.dropIfEmpty(); err != nil {
		return errorReply(err)
	}
	c.save()
	ev := []keyEvent{listEvent("ltrim", args[1])}
	if !c.hdr.Live {
		ev = append(ev, listDelEvent(args[1]))
	}
	return d.listNotify(s, resp.OK(), ev, nil)
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func (d *Dispatcher) lpos(s *Session, args [][]byte) resp.Reply {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(args); j++ {
		opt := strings.ToLower(string(args[j]))
		more := j+1 < len(args)
		switch {
		case opt == "rank" && more:
			j++
			v, ok := resp.ParseInt(args[j])
			if !ok {
				return errNotInteger
			}
			if v == 0 {
				return resp.Err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
			}
			rank = v
		case (opt == "count" || opt == "maxlen") && more:
			j++
			v, ok := resp.ParseInt(args[j])
			if !ok {
				return errNotInteger
			}
			if v < 0 {
				return resp.Err("ERR " + strings.ToUpper(opt) + " can't be negative")
			}
			if opt == "count" {
				count = v
			} else {
				maxlen = v
			}
		default:
			return errSyntax
		}
	}
	fromTail := rank < 0
	if fromTail {
		rank = -rank // MinInt64 stays negative, as in Redis: every match ranks
	}
	c, err := d.openLst(s, args[1], lockShared)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		if count != -1 {
			return resp.Array()
		}
		return resp.Null()
	}
	all, err := c.all()
	if err != nil {
		return errorReply(err)
	}
	n := int64(len(all))
	var out []resp.Reply
	var matches int64
	for k := int64(0); k < n && (maxlen == 0 || k < maxlen); k++ {
		i := k
		if fromTail {
			i = n - 1 - k
		}
		if !bytes.Equal(all[i].val, args[2]) {
			continue
		}
		matches++
		if matches < rank {
			continue
		}
		if count == -1 {
			return resp.Int(i)
		}
		out = append(out, resp.Int(i))
		if count != 0 && int64(len(out)) == count {
			break
		}
	}
	if count == -1 {
		return resp.Null()
	}
	return resp.Array(out...)
}

// listWhere is LEFT|RIGHT: left reports LEFT.
func listWhere(b []byte) (left bool, ok bool) {
	switch strings.ToLower(string(b)) {
	case "left":
		return true, true
	case "right":
		return false, true
	}
	return false, false
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
func (d *Dispatcher) lmove(s *Session, args [][]byte) resp.Reply {
	from, ok1 := listWhere(args[3])
	to, ok2 := listWhere(args[4])
	if !ok1 || !ok2 {
		return errSyntax
	}
	return d.listMove(s, args[1], args[2], from, to)
}

// RPOPLPUSH source destination
func (d *Dispatcher) rpoplpush(s *Session, args [][]byte) resp.Reply {
	return d.listMove(s, args[1], args[2], false, true)
}

// listMove pops one element of src (from the head if from) and pushes it on
// dst (at the head if to); src and dst may be one key. Null if src is
// empty.
func (d *Dispatcher) listMove(s *Session, src, dst []byte, from, to bool) resp.Reply {
	unlock := d.colls.listLockPair(src, dst)
	defer unlock()
	r, before, after, err := d.listMoveLocked(s, src, dst, from, to)
	if err != nil {
		return errorReply(err)
	}
	if r.Kind == resp.KindBulk {
		d.wakeWaiters(s, dst)
	}
	return d.listNotify(s, r, before, after)
}

// listMoveLocked is move under both keys' locks; it returns the reply and its
// events.
func (d *Dispatcher) listMoveLocked(s *Session, src, dst []byte, from, to bool) (r resp.Reply, before, after []keyEvent, err error) {
	sc, err := d.openLst(s, src, lockNone) // listMove holds the locks
	if err != nil {
		return resp.Reply{}, nil, nil, err
	}
	if !sc.exists() {
		return resp.Null(), nil, nil, nil
	}
	dc := sc
	if !bytes.Equal(src, dst) {
		if dc, err = d.openLst(s, dst, lockNone); err != nil {
			return resp.Reply{}, nil, nil, err
		}
	}
	ends, err := sc.endN(from, 1)
	if err != nil || len(ends) == 0 {
		return resp.Null(), nil, nil, err
	}
	elem := ends[0]
	var ev []keyEvent
	if !dc.exists() {
		ev = append(ev, keyEvent{class: notifyNew, name: "new", key: dst})
	}
	// Push first: with one key, the pushed copy keeps the list non-empty.
	if _, err := dc.pushVals([][]byte{elem.val}, to); err != nil {
		return resp.Reply{}, nil, nil, err
	}
	if dc != sc {
		if err := sc.begin(); err != nil { // removals rewrite the header too
			return resp.Reply{}, nil, nil, err
		}
	}
	pushName, popName := "rpush", "rpop"
	if to {
		pushName = "lpush"
	}
	if from {
		popName = "lpop"
	}
	ev = append(ev, listEvent(pushName, dst))
	after = []keyEvent{listEvent(popName, src)}
	val, ok, err := sc.lRemove(elem.id)
	if ok {
		sc.f.n-- // elem was at an end: the seek points stay good
	} else {
		sc.known = false
	}
	if err == nil {
		err = sc.dropIfEmpty()
	}
	if err != nil {
		return resp.Reply{}, nil, nil, err
	}
	sc.save()
	if dc != sc {
		dc.save()
	}
	if val == nil {
		val = elem.val
	}
	if !sc.hdr.Live {
		after = append(after, listDelEvent(src))
	}
	return resp.Bulk(val), ev, after, nil
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
func (d *Dispatcher) lmpop(s *Session, args [][]byte) resp.Reply {
	keys, left, count, errr := lmpopParse(args, 1)
	if errr.Kind == resp.KindError {
		return errr
	}
	r, ok := d.lmpopRun(s, keys, left, count)
	if !ok {
		return resp.NullArray()
	}
	return r
}

// lmpopParse parses "numkeys key [key ...] LEFT|RIGHT [COUNT count]" from
// position at, as Redis's lmpopGenericCommand; a failure is an error reply.
func lmpopParse(args [][]byte, at int) (keys [][]byte, left bool, count int64, r resp.Reply) {
	n, ok := resp.ParseInt(args[at])
	if !ok || n <= 0 {
		return nil, false, 0, resp.Err("ERR numkeys should be greater than 0")
	}
	if n >= int64(len(args)) {
		return nil, false, 0, errSyntax
	}
	where := int64(at) + n + 1
	if where >= int64(len(args)) {
		return nil, false, 0, errSyntax
	}
	if left, ok = listWhere(args[where]); !ok {
		return nil, false, 0, errSyntax
	}
	count = -1
	for j := where + 1; j < int64(len(args)); j++ {
		if count == -1 && strings.EqualFold(string(args[j]), "count") && j+1 < int64(len(args)) {
			j++
			v, ok := resp.ParseInt(args[j])
			if !ok || v <= 0 {
				return nil, false, 0, resp.Err("ERR count should be greater than 0")
			}
			count = v
			continue
		}
		return nil, false, 0, errSyntax
	}
	if count == -1 {
		count = 1
	}
	return args[at+1 : where], left, count, resp.Reply{}
}

// lmpopRun pops up to count elements from the first non-empty list of keys:
// [key, [elements]]; ok is false if all are empty (or on an error reply,
// returned in r with ok true).
func (d *Dispatcher) lmpopRun(s *Session, keys [][]byte, left bool, count int64) (resp.Reply, bool) {
	for _, k := range keys {
		r, ok := d.lmpopKey(s, k, left, count, true)
		if ok {
			return r, true
		}
	}
	return resp.Reply{}, false
}

// lmpopKey pops up to count elements of key: [key, [elements]] if many,
// else [key, element] (BLPOP's shape). ok is false if key is empty.
func (d *Dispatcher) lmpopKey(s *Session, key []byte, left bool, count int64, many bool) (resp.Reply, bool) {
	c, err := d.openLst(s, key, lockExclusive)
	if err != nil {
		return errorReply(err), true
	}
	defer c.close()
	if !c.exists() {
		return resp.Reply{}, false
	}
	vals, err := c.pop(left, count)
	if err == nil && len(vals) > 0 {
		err = c.dropIfEmpty()
	}
	if err != nil {
		return errorReply(err), true
	}
	c.save()
	if len(vals) == 0 {
		return resp.Reply{}, false
	}
	r := resp.Array(resp.Bulk(key), resp.Bulk(vals[0]))
	if many {
		r = resp.Array(resp.Bulk(key), listBulks(vals))
	}
	return d.listNotify(s, r, nil, listPopEvents(c.coll, left)), true
}
