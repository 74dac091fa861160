package command

import (
	"context"
	"errors"
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

// ElementKV is the part of the store that reads a collection's element
// records (replica.Coordinator.Elements).
type ElementKV interface {
	Elements(ctx context.Context, prefix, after []byte, o replica.ReadOptions, fn func(key []byte, s version.Set) bool) error
}

// collLocks serializes the commands that write one collection on this
// node (the key's coordinator in a cluster), so that a command's header
// write, element writes and emptiness check do not interleave with
// another's. Striped by placement hash.
type collLocks struct{ mu [256]sync.Mutex }

func (l *collLocks) lock(key []byte) func() {
	m := &l.mu[ring.Hash(key)%uint64(len(l.mu))]
	m.Lock()
	return m.Unlock
}

// elemKind is the element record kind of a collection kind.
func elemKind(k version.Kind) byte {
	switch k {
	case version.KindHash:
		return ring.ElemHash
	case version.KindSet:
		return ring.ElemSet
	case version.KindZSet:
		return ring.ElemZSet
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
}

// errNoHeaderWrite is a bug guard: an element written before touch would
// carry no header stamp.
var errNoHeaderWrite = errors.New("command: element write before the header write")

// openColl reads key's header for a command on a collection of kind.
// write takes the key's collection lock until close. A key holding another
// type yields a replyError carrying WRONGTYPE.
func (d *Dispatcher) openColl(s *Session, key []byte, kind version.Kind, write bool) (*coll, error) {
	c := &coll{d: d, s: s, key: key, kind: kind, unlock: func() {}}
	if write {
		c.unlock = d.colls.lock(key)
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

// writeColl opens key for a command that writes elements whatever the
// collection holds (HSET, SADD, ZADD, LPUSH ...): it takes the lock and
// rewrites the header at once (touch), whose quorum read also checks the
// type, sparing openColl's read. Close it as openColl's.
func (d *Dispatcher) writeColl(s *Session, key []byte, kind version.Kind) (*coll, error) {
	c := &coll{d: d, s: s, key: key, kind: kind, unlock: d.colls.lock(key)}
	if err := c.touch(); err != nil {
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
		func(cur version.Set, now int64) (*replica.Change, error) {
			h, err := crdt.ResolveHeader(cur, now)
			if err != nil {
				return nil, err
			}
			if h.Live && h.Kind != c.kind {
				return nil, &replyError{resp.ErrWrongType()}
			}
			var exp int64
			switch {
			case c.expiry != nil:
				exp = *c.expiry
			case h.Live:
				exp = h.Expiry
			}
			hdr = h
			return &replica.Change{Context: cur.Context(), Kind: c.kind, Value: crdt.EncodeHeader(h.Removed), Expiry: exp}, nil
		})
	c.d.noteWrite(c.s, res, err)
	if err != nil {
		return err
	}
	c.stamp = res.Dot
	c.hdr = crdt.Header{Kind: c.kind, Live: true, Expiry: hdr.Expiry, Removed: hdr.Removed, Context: res.Set.Context()}
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
	return crdt.LiveElements(set, c.d.raw.Now(), c.hdr.Removed)
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
	var out ElemChange
	res, err := c.d.raw.Update(c.s.Context(), c.elemKey(member), replica.WriteOptions{Read: true},
		func(cur version.Set, now int64) (*replica.Change, error) {
			live, err := crdt.LiveElements(cur, now, c.hdr.Removed)
			if err != nil {
				return nil, err
			}
			if !c.exists() {
				live = nil
			}
			ch, err := fn(live)
			out = ch
			switch {
			case err != nil:
				return nil, err
			case ch.Op == ElemWrite && c.stamp.Counter == 0:
				return nil, errNoHeaderWrite
			case ch.Op == ElemWrite:
				return &replica.Change{Context: cur.Context(), Kind: ch.Kind, Value: crdt.EncodeElement(c.stamp, ch.Body)}, nil
			case ch.Op == ElemRemove && len(live) > 0:
				return &replica.Change{Context: cur.Context(), Delete: true}, nil
			}
			return nil, nil
		})
	c.d.noteWrite(c.s, res, err)
	return out, err
}

// each visits the live members in member order from after on (nil: the
// first), with their live siblings, until fn returns false. It reads with
// the read quorum.
func (c *coll) each(after []byte, fn func(member []byte, live []*version.Sibling) bool) error {
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
	err := ek.Elements(c.s.Context(), ring.ElementPrefix(elemKind(c.kind), c.key), from, replica.ReadOptions{},
		func(k []byte, s version.Set) bool {
			_, _, member, ok := ring.ParseElement(k)
			if !ok {
				return true
			}
			live, err := crdt.LiveElements(s, now, c.hdr.Removed)
			if err != nil {
				ferr = err
				return false
			}
			if len(live) == 0 {
				return true
			}
			return fn(member, live)
		})
	if err == nil {
		err = ferr
	}
	return err
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
