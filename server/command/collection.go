package command

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// Collections (hashes, sets, sorted sets, lists) are a header record at
// the key plus one element record per field, member or list position
// (package crdt explains the merge rules, cluster/ring the internal keys).
// A command on a collection opens it (openColl), which reads the header
// with the read quorum and answers WRONGTYPE for a key of another type;
// a command that adds or changes elements first rewrites the header
// (touch), then writes each element stamped with that header write;
// removals write element tombstones; a command that may have removed the
// last element calls dropIfEmpty, which deletes the key as Redis does.
// Whole-collection reads walk the element records with the read quorum
// (each), so their cost grows with the collection, a single element's
// does not.

// GroupKV is the part of the store that writes several records of one
// placement as one (replica.Coordinator.UpdateGroup): a header and an
// element in one round and one write.
type GroupKV interface {
	UpdateGroupNamed(ctx context.Context, keys [][]byte, name replica.GroupKeyFunc, o replica.WriteOptions, fn replica.GroupFunc) ([]replica.Result, error)
}

// ElementKV is the part of the store that reads a collection's element
// records (replica.Coordinator.Elements).
type ElementKV interface {
	// Elements is replica.Coordinator.Elements: fn owns key and s (a
	// walk may keep them without a copy).
	Elements(ctx context.Context, prefix, after []byte, o replica.ReadOptions, fn func(key []byte, s version.Set) bool) error
}

// collLocks serializes the commands that write one collection on this
// node (the key's coordinator in a cluster), so that a command's header
// write, element writes and emptiness check do not interleave with
// another's. Reads that use the node's cached facts or views (LRANGE,
// ZRANGE ...) hold it shared: they run together, never beside a write.
// At most GOMAXPROCS readers of a stripe run at once; the others wait
// their turn in arrival order (a channel's queue): readers beyond the
// cores would only share them, and Go's scheduler shares them unevenly
// (unbounded, LRANGE_300's p99 doubled while its mean fell). A command
// whose whole write is one group write deciding everything on the records
// it reads under the engine's lock (HSET of one field, SADD of one
// member, HINCRBY) holds it in a third, shared kind (lockSingle): such
// writes run together, so the engine stores those that meet in one batch
// (engine/combine.go), never beside a read or another write. Striped by
// placement hash.
type collLocks struct {
	mu      [256]room
	once    sync.Once
	readers [256]chan struct{}
}

func (l *collLocks) lock(key []byte) func() { return l.lockAs(key, lockExclusive) }

// lockAs holds key's stripe as a write of kind (lockExclusive or
// lockSingle).
func (l *collLocks) lockAs(key []byte, kind lockMode) func() {
	m := &l.mu[ring.Hash(key)%uint64(len(l.mu))]
	m.enter(kind)
	return m.leave
}

func (l *collLocks) rlock(key []byte) func() {
	l.once.Do(func() {
		for i := range l.readers {
			l.readers[i] = make(chan struct{}, runtime.GOMAXPROCS(0))
		}
	})
	i := ring.Hash(key) % uint64(len(l.mu))
	l.readers[i] <- struct{}{}
	l.mu[i].enter(lockShared)
	return func() {
		l.mu[i].leave()
		<-l.readers[i]
	}
}

// lockMode is how a command holds its collection's lock (collLocks).
type lockMode int

const (
	lockNone      lockMode = iota // a read that uses no cached facts
	lockShared                    // a read that uses them
	lockExclusive                 // a write
	lockSingle                    // a write that is one group write (collLocks)
)

// elemKind is the element record kind of a collection kind.
func elemKind(k version.Kind) byte {
	switch k {
	case version.KindHash:
		return ring.ElemHash
	case version.KindSet:
		return ring.ElemSet
	case version.KindZSet:
		return ring.ElemZSet
	case version.KindStream:
		return ring.ElemStream
	default:
		return ring.ElemList
	}
}

// coll is one command's view of one collection.
type coll struct {
	d      *Dispatcher
	s      *Session
	key    []byte // the user key
	kind   version.Kind
	hdr    crdt.Header
	stamp  version.Dot // this command's header write; zero before touch
	expiry *int64      // the TTL the next touch sets; nil keeps the key's
	unlock func()
	// later defers touch to the first element write (touchLater), which
	// writes the header and that element as one group.
	later bool
	// expect, if set, is the header context that group must find: a
	// command that chose its element from facts read at that header
	// (a pop) gets errHeaderMoved, and nothing written, if it moved.
	expect *version.Context
	// atHeader, if set, is asked under the engine's lock about the header
	// that group finds (resolved at now) before the group writes it: an
	// error refuses the group, nothing written (listPushOne).
	atHeader func(h crdt.Header, now int64) error
	// removals are the removal records of the element being updated
	// (crdt.RemovalRecords, hashes and sorted sets only), for its update
	// function's writes to carry on (record, zcounter).
	removals version.Set
}

// errHeaderMoved is a deferred header write's refusal (coll.expect): the
// header changed since the command read it, so the element it chose may
// not be the one to write; the command begins again with touch.
var errHeaderMoved = errors.New("command: the collection's header moved since it was read")

// errNoHeaderWrite is a bug guard: an element written before touch would
// carry no header stamp.
var errNoHeaderWrite = errors.New("command: element write before the header write")

// openColl reads key's header for a command on a collection of kind,
// holding the key's collection lock as mode says until close. A key
// holding another type yields a replyError carrying WRONGTYPE.
func (d *Dispatcher) openColl(s *Session, key []byte, kind version.Kind, mode lockMode) (*coll, error) {
	c := &coll{d: d, s: s, key: key, kind: kind, unlock: func() {}}
	switch mode {
	case lockExclusive:
		c.unlock = d.colls.lock(key)
	case lockShared:
		c.unlock = d.colls.rlock(key)
	}
	set, err := d.raw.Get(s.Context(), ring.InternalKey(key), replica.ReadOptions{})
	if err == nil {
		c.hdr, err = crdt.ResolveHeader(set, d.raw.Now())
	}
	if err == nil && c.hdr.Live && c.hdr.Kind != kind {
		err = &replyError{resp.ErrWrongType()}
	}
	if err != nil {
		c.close()
		return nil, err
	}
	if c.exists() {
		d.env.Stats.KeyspaceHits.Add(1)
	} else {
		d.env.Stats.KeyspaceMisses.Add(1)
	}
	return c, nil
}

// writeColl opens key for a command that writes an element whatever the
// collection holds (HSET, SADD, HINCRBY ...): it takes the lock and
// defers the header write to the first element write (touchLater), whose
// quorum read also checks the type, sparing openColl's read (a WRONGTYPE
// error comes from that write). Close it as openColl's. A command that
// then writes one element only, and reads nothing outside that write, may
// say single: it holds the lock with other such writes (lockSingle).
func (d *Dispatcher) writeColl(s *Session, key []byte, kind version.Kind, single bool) (*coll, error) {
	mode := lockExclusive
	if single {
		if _, ok := d.raw.(GroupKV); ok { // else touchLater is its own write
			mode = lockSingle
		}
	}
	c := &coll{d: d, s: s, key: key, kind: kind, unlock: d.colls.lockAs(key, mode)}
	if err := c.touchLater(); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// close releases the collection lock.
func (c *coll) close() { c.unlock() }

// exists reports whether the collection has a live header.
func (c *coll) exists() bool { return c.hdr.Live && c.hdr.Kind == c.kind }

// touch rewrites the header before element writes: it creates the key,
// or re-stamps it keeping its TTL, carrying the removal clock forward. It
// decides on a quorum read, so a type written elsewhere is seen.
func (c *coll) touch() error {
	var hdr crdt.Header
	res, err := c.d.raw.Update(c.s.Context(), ring.InternalKey(c.key), replica.WriteOptions{Read: true},
		func(cur version.Set, now int64) (ch *replica.Change, err error) {
			ch, hdr, err = c.headerChange(cur, now)
			return ch, err
		})
	c.d.noteWrite(c.s, res, err)
	if err != nil {
		return err
	}
	c.touched(hdr, res)
	return nil
}

// headerChange is touch's decision on the header's current set: the
// re-stamp, and the header it found.
func (c *coll) headerChange(cur version.Set, now int64) (*replica.Change, crdt.Header, error) {
	h, err := crdt.ResolveHeader(cur, now)
	if err != nil {
		return nil, h, err
	}
	if h.Live && h.Kind != c.kind {
		return nil, h, &replyError{resp.ErrWrongType()}
	}
	var exp int64
	switch {
	case c.expiry != nil:
		exp = *c.expiry
	case h.Live:
		exp = h.Expiry
	}
	return &replica.Change{Context: cur.Context(), Kind: c.kind, Value: crdt.EncodeHeader(h.Removed), Expiry: exp}, h, nil
}

// touched records the header write res, made over the header found.
func (c *coll) touched(found crdt.Header, res replica.Result) {
	c.later = false
	c.stamp = res.Dot
	c.hdr = crdt.Header{Kind: c.kind, Live: true, Expiry: found.Expiry, Removed: found.Removed, Context: res.Set.Context()}
}

// touchLater is touch deferred to the command's first element write
// (update), which then writes the header and the element as one group:
// one round instead of two, and never a header without its element (an
// element the command then refuses, HINCRBY on a non-integer, leaves no
// trace). For commands that need nothing of the header write before
// their first element write (its stamp, a view's check). Without a store
// that writes groups it is touch.
func (c *coll) touchLater() error {
	if _, ok := c.d.raw.(GroupKV); !ok {
		return c.touch()
	}
	c.later = true
	return nil
}

// elemKey is member's internal key.
func (c *coll) elemKey(member []byte) []byte {
	return ring.ElementKey(elemKind(c.kind), c.key, member)
}

// live returns member's live siblings (bodies as values), empty if the
// member is absent. It reads with the read quorum.
func (c *coll) live(member []byte) ([]*version.Sibling, error) {
	if !c.exists() {
		return nil, nil
	}
	set, err := c.d.raw.Get(c.s.Context(), c.elemKey(member), replica.ReadOptions{})
	if err != nil {
		return nil, err
	}
	return c.liveOf(set, c.d.raw.Now())
}

// liveOf is an element record's live siblings under the collection's
// rule: a list element that a concurrent pop removed stays removed
// (crdt.LiveListElements); any other element lives while a write the
// removal did not see does (crdt.LiveElements).
func (c *coll) liveOf(s version.Set, now int64) ([]*version.Sibling, error) {
	if c.kind == version.KindList {
		return crdt.LiveListElements(s, now, c.hdr.Removed)
	}
	return crdt.LiveElements(s, now, c.hdr.Removed)
}

// liveOfOwned is liveOf for a walk, which owns the records ElementKV
// hands it: the live siblings are the record's own (crdt.LiveElementsOwned).
func (c *coll) liveOfOwned(s version.Set, now int64) ([]*version.Sibling, error) {
	if c.kind == version.KindList {
		return crdt.LiveListElementsOwned(s, now, c.hdr.Removed)
	}
	return crdt.LiveElementsOwned(s, now, c.hdr.Removed)
}

// ElemOp is what an element update decides.
type ElemOp int

// Element update outcomes.
const (
	ElemKeep   ElemOp = iota // write nothing
	ElemWrite                // write Body (of Kind) superseding the member's versions
	ElemRemove               // remove the member's versions (a tombstone)
)

// ElemChange is an element update's decision.
type ElemChange struct {
	Op   ElemOp
	Body []byte
	Kind version.Kind // KindString or KindCounter
}

// update runs fn on member's live siblings, as one read-modify-write of
// the element record decided on a quorum read, and writes its decision.
// A write needs touch first. It returns fn's decision.
func (c *coll) update(member []byte, fn func(live []*version.Sibling) (ElemChange, error)) (ElemChange, error) {
	if c.later {
		return c.touchUpdate(member, nil, fn)
	}
	var out ElemChange
	res, err := c.d.raw.Update(c.s.Context(), c.elemKey(member), replica.WriteOptions{Read: true},
		func(cur version.Set, now int64) (ch *replica.Change, err error) {
			ch, out, err = c.elemChange(cur, now, fn)
			return ch, err
		})
	c.d.noteWrite(c.s, res, err)
	return out, err
}

// touchUpdate is touch and update as one group write (touchLater). With
// member nil, the member is named by nameOf from the header write's
// stamp (a pushed list element's position id), a new record.
func (c *coll) touchUpdate(member []byte, nameOf func(stamp version.Dot) []byte, fn func(live []*version.Sibling) (ElemChange, error)) (ElemChange, error) {
	var out ElemChange
	var found crdt.Header
	was := c.hdr
	keys := [][]byte{ring.InternalKey(c.key), nil}
	var name replica.GroupKeyFunc
	if member != nil {
		keys[1] = c.elemKey(member)
	} else {
		name = func(_ int, done []replica.Result) []byte { return c.elemKey(nameOf(done[0].Dot)) }
	}
	res, err := c.d.raw.(GroupKV).UpdateGroupNamed(c.s.Context(), keys, name, replica.WriteOptions{Read: true},
		func(i int, cur version.Set, now int64, done []replica.Result) (ch *replica.Change, err error) {
			if i == 0 {
				ch, found, err = c.headerChange(cur, now)
				if err == nil && c.expect != nil && !cur.Context().Equal(*c.expect) {
					return nil, errHeaderMoved
				}
				if err == nil && c.atHeader != nil {
					err = c.atHeader(found, now)
				}
				return ch, err
			}
			c.touched(found, done[0]) // the element is decided under the new header
			ch, out, err = c.elemChange(cur, now, fn)
			return ch, err
		})
	for _, r := range res {
		c.d.noteWrite(c.s, r, err)
	}
	if err != nil && (len(res) == 0 || !res[0].Written()) {
		// Nothing written: the next element write tries the group again.
		c.later, c.stamp, c.hdr = true, version.Dot{}, was
		return out, err
	}
	c.later = false
	c.hdr.Context = res[0].Set.Context()
	return out, err
}

// elemUpdate is one element of updateAll: the member and its update.
type elemUpdate struct {
	member []byte
	fn     func(live []*version.Sibling) (ElemChange, error)
}

// groupMax bounds the elements of one group write: updateAll of more
// (LPOP key 100000, ZREMRANGEBYRANK of a big set) writes them group after
// group, so that no write is one frame to a replica of every element, nor
// one LevelDB batch of them all.
const groupMax = 256

// updateAll is update of several elements: with the header write pending
// (touchLater), the header and every element as one group write (one
// round, one LevelDB batch on each replica); else the elements as one
// (updateGroup), or one update each without a store that writes groups.
// Past groupMax elements, in groups of groupMax.
func (c *coll) updateAll(ups []elemUpdate) error {
	for len(ups) > groupMax {
		if err := c.updateAll(ups[:groupMax]); err != nil {
			return err
		}
		ups = ups[groupMax:]
	}
	if !c.later && len(ups) > 1 {
		if g, ok := c.d.raw.(GroupKV); ok {
			return c.updateGroup(g, ups)
		}
	}
	if !c.later {
		for _, u := range ups {
			if _, err := c.update(u.member, u.fn); err != nil {
				return err
			}
		}
		return nil
	}
	var found crdt.Header
	was := c.hdr
	keys := make([][]byte, 1, len(ups)+1)
	keys[0] = ring.InternalKey(c.key)
	for _, u := range ups {
		keys = append(keys, c.elemKey(u.member))
	}
	res, err := c.d.raw.(GroupKV).UpdateGroupNamed(c.s.Context(), keys, nil, replica.WriteOptions{Read: true},
		func(i int, cur version.Set, now int64, done []replica.Result) (ch *replica.Change, err error) {
			if i == 0 {
				ch, found, err = c.headerChange(cur, now)
				if err == nil && c.expect != nil && !cur.Context().Equal(*c.expect) {
					return nil, errHeaderMoved
				}
				return ch, err
			}
			if i == 1 {
				c.touched(found, done[0]) // the elements are decided under the new header
			}
			ch, _, err = c.elemChange(cur, now, ups[i-1].fn)
			return ch, err
		})
	for _, r := range res {
		c.d.noteWrite(c.s, r, err)
	}
	if err != nil && (len(res) == 0 || !res[0].Written()) {
		c.later, c.stamp, c.hdr = true, version.Dot{}, was
		return err
	}
	c.later = false
	c.hdr.Context = res[0].Set.Context()
	return err
}

// updateGroup is updateAll after the header write: the elements as one
// group write.
func (c *coll) updateGroup(g GroupKV, ups []elemUpdate) error {
	keys := make([][]byte, len(ups))
	for i, u := range ups {
		keys[i] = c.elemKey(u.member)
	}
	res, err := g.UpdateGroupNamed(c.s.Context(), keys, nil, replica.WriteOptions{Read: true},
		func(i int, cur version.Set, now int64, _ []replica.Result) (*replica.Change, error) {
			ch, _, err := c.elemChange(cur, now, ups[i].fn)
			return ch, err
		})
	for _, r := range res {
		c.d.noteWrite(c.s, r, err)
	}
	return err
}

// elemChange is update's decision on the element's current set: fn's
// decision, and the change that carries it out.
func (c *coll) elemChange(cur version.Set, now int64, fn func(live []*version.Sibling) (ElemChange, error)) (*replica.Change, ElemChange, error) {
	live, err := c.liveOf(cur, now)
	if err != nil {
		return nil, ElemChange{}, err
	}
	if !c.exists() {
		live = nil
	}
	c.removals = nil
	if c.keepsRemovals() {
		c.removals = crdt.RemovalRecords(cur)
	}
	ch, err := fn(live)
	switch {
	case err != nil:
		return nil, ch, err
	case ch.Op == ElemWrite && c.stamp.Counter == 0:
		return nil, ch, errNoHeaderWrite
	case ch.Op == ElemWrite:
		return &replica.Change{Context: cur.Context(), Kind: ch.Kind, Value: crdt.EncodeElement(c.stamp, ch.Body)}, ch, nil
	case ch.Op == ElemRemove && len(live) > 0:
		rm := &replica.Change{Context: cur.Context(), Delete: true}
		if c.keepsRemovals() {
			// What a concurrent increment must not count again.
			rm.Value = crdt.Removal(c.record(live))
		}
		return rm, ch, nil
	}
	return nil, ch, nil
}

// record is an element's live siblings (bodies) as a record, with the
// removal records of the element being updated (c.removals): what
// crdt.Assign, Incr and NextStamp read, so a write carries them on.
func (c *coll) record(live []*version.Sibling) version.Set {
	return append(fieldSet(live), c.removals...)
}

// keepsRemovals reports whether c's element removals keep removal
// records: hashes and sorted sets, whose elements can be counters.
func (c *coll) keepsRemovals() bool {
	return c.kind == version.KindHash || c.kind == version.KindZSet || c.kind == version.KindStream
}

// each visits the live members in member order from after on (nil: the
// first), with their live siblings, until fn returns false. It reads with
// the read quorum.
func (c *coll) each(after []byte, fn func(member []byte, live []*version.Sibling) bool) error {
	return c.eachRecord(after, func(m []byte, live []*version.Sibling) bool {
		return len(live) == 0 || fn(m, live)
	})
}

// eachRecord is each that also visits the removed members whose records
// remain (tombstones, live empty).
func (c *coll) eachRecord(after []byte, fn func(member []byte, live []*version.Sibling) bool) error {
	if !c.exists() {
		return nil
	}
	ek, ok := c.d.raw.(ElementKV)
	if !ok {
		return errors.New("command: this store cannot read collections")
	}
	var from []byte
	if after != nil {
		from = c.elemKey(after)
	}
	now := c.d.raw.Now()
	var ferr error
	err := ek.Elements(c.s.Context(), ring.ElementPrefix(elemKind(c.kind), c.key), from, c.walkOptions(),
		func(k []byte, s version.Set) bool {
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
		})
	if err == nil {
		err = ferr
	}
	return err
}

// walkOptions are the options of c's element walks: they carry the
// header c read under its lock (replica.ReadOptions.Header).
func (c *coll) walkOptions() replica.ReadOptions {
	h := c.hdr
	return replica.ReadOptions{Header: &h}
}

// count returns the number of live members.
func (c *coll) count() (int64, error) {
	var n int64
	err := c.each(nil, func([]byte, []*version.Sibling) bool { n++; return true })
	return n, err
}

// dropIfEmpty deletes the key when no live member is left, as Redis
// deletes an emptied collection. It leaves the header alone if it changed
// since this command read or wrote it (a concurrent coordinator wrote it):
// the elements that write made must not be covered by a tombstone.
func (c *coll) dropIfEmpty() error {
	if !c.exists() {
		return nil
	}
	empty := true
	if err := c.each(nil, func([]byte, []*version.Sibling) bool { empty = false; return false }); err != nil {
		return err
	}
	if !empty {
		return nil
	}
	return c.dropEmpty()
}

// dropEmpty is dropIfEmpty for a collection known to hold no live
// element: it deletes the header if unchanged since c read it.
func (c *coll) dropEmpty() error {
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
