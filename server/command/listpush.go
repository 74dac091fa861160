package command

import (
	"errors"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// errNoListFacts refuses a push's group write (nothing written): the node
// holds no list facts at the header the write found, so the push cannot
// decide its element there; it runs the long way (listPush), which walks.
var errNoListFacts = errors.New("command: no list facts at the header found")

// listPushOne is LPUSH or RPUSH of one element as one group write that
// decides everything inside it, under the engine's lock: from the header
// it finds (coll.atHeader), it takes the list facts valid there
// (listcache.go), names the new element before the first (or after the
// last), counts it, and stores the facts at the header state it writes.
// So such pushes of one list hold its lock together (lockSingle) and the
// engine stores those that meet in one LevelDB batch (engine/combine.go),
// each seeing the header and facts the ones before it left. The facts'
// validity rule is kept: they are taken and changed only under the key's
// lock, by the one write that moves the header from the state they hold
// at to the one they are stored at (a write that then fails leaves an
// entry for a state no header reaches, never used). ok is false, with
// nothing written, when the store writes no groups or the node has no
// facts at the header found (a cold cache, or a header written
// elsewhere): the caller pushes the long way.
func (d *Dispatcher) listPushOne(s *Session, key, val []byte, left bool) (r resp.Reply, ok bool) {
	if _, isGroup := d.raw.(GroupKV); !isGroup {
		return resp.Reply{}, false
	}
	c, err := d.writeColl(s, key, version.KindList, true)
	if err != nil {
		return errorReply(err), true
	}
	defer c.close()
	var existed bool
	cache := d.listCache()
	var f listFacts
	var walked int64
	c.atHeader = func(h crdt.Header, now int64) error {
		existed = h.Live
		if !h.Live {
			f, walked = listFacts{}, now
			return nil
		}
		var hit bool
		if f, walked, hit = cache.get(key, h, now, c.cacheMaxAge()); !hit {
			return errNoListFacts
		}
		return nil
	}
	var id []byte
	_, err = c.touchUpdate(nil, func(stamp version.Dot) []byte {
		var a, b []byte
		if left {
			b = f.first
		} else {
			a = f.last
		}
		id = posID(posBetween(a, b), posTag(stamp))
		return id
	}, func([]*version.Sibling) (ElemChange, error) {
		// Decided under the new header (c.hdr): the facts hold there.
		f.pushed(id, left)
		cache.put(key, c.hdr, f, walked)
		return ElemChange{Op: ElemWrite, Body: val, Kind: version.KindString}, nil
	})
	switch {
	case errors.Is(err, errNoListFacts):
		return resp.Reply{}, false
	case err != nil:
		return errorReply(err), true
	}
	return d.pushed(s, key, left, f.n, existed), true
}
