package command

import (
	"errors"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
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
// it finds, it takes the list facts valid there (listcache.go), names the
// new element before the first (or after the last), counts it, and
// stores the facts at the header state it writes. So such pushes of one
// list hold its lock together (lockSingle) and the engine stores those
// that meet in one LevelDB batch (engine/combine.go), each seeing the
// header and facts the ones before it left. The facts' validity rule is
// kept: they are taken and changed only under the key's lock, by the
// one write that moves the header from the state they hold at to the one
// they are stored at (a write that then fails leaves an entry for a state
// no header reaches, never used). ok is false, with nothing written, when
// the store writes no groups or the node has no facts at the header found
// (a cold cache, or a header written elsewhere): the caller pushes the
// long way.
func (d *Dispatcher) listPushOne(s *Session, key, val []byte, left bool) (r resp.Reply, ok bool) {
	gkv, isGroup := d.raw.(GroupKV)
	if !isGroup {
		return resp.Reply{}, false
	}
	c := &coll{d: d, s: s, key: key, kind: version.KindList, unlock: d.colls.lockAs(key, lockSingle)}
	defer c.close()
	cache := d.listCache()
	var found crdt.Header
	var f listFacts
	var walked int64
	var id []byte
	end := 1
	if left {
		end = 0
	}
	name := func(_ int, done []replica.Result) []byte {
		var a, b []byte
		if left {
			b = f.first
		} else {
			a = f.last
		}
		id = posID(posBetween(a, b), posTag(done[0].Dot))
		return c.elemKey(id)
	}
	res, err := gkv.UpdateGroupNamed(s.Context(), [][]byte{ring.InternalKey(key), nil}, name, replica.WriteOptions{Read: true},
		func(i int, cur version.Set, now int64, done []replica.Result) (*replica.Change, error) {
			if i == 0 {
				ch, h, err := c.headerChange(cur, now)
				if err != nil {
					return nil, err
				}
				found = h
				if !h.Live {
					f, walked = listFacts{}, now
					return ch, nil
				}
				var hit bool
				if f, walked, hit = cache.get(key, h, now, c.cacheMaxAge()); !hit {
					return nil, errNoListFacts
				}
				return ch, nil
			}
			c.touched(found, done[0]) // the element is decided under the new header
			ch, _, err := c.elemChange(cur, now, func([]*version.Sibling) (ElemChange, error) {
				return ElemChange{Op: ElemWrite, Body: val, Kind: version.KindString}, nil
			})
			if err != nil {
				return nil, err
			}
			f.add(id)
			if ids := f.ahead[end]; len(ids) > 0 { // the new end comes first there (insertEnd)
				f.ahead[end] = append([][]byte{id}, ids[:min(len(ids), 2*listPopAhead-1)]...)
			}
			cache.put(key, c.hdr, f, walked)
			return ch, nil
		})
	for _, x := range res {
		d.noteWrite(s, x, err)
	}
	switch {
	case errors.Is(err, errNoListFacts):
		return resp.Reply{}, false
	case err != nil:
		return errorReply(err), true
	}
	cmd := "rpush"
	if left {
		cmd = "lpush"
	}
	var ev []keyEvent
	if !found.Live {
		ev = append(ev, keyEvent{class: notifyNew, name: "new", key: key})
	}
	d.wakeWaiters(s, key)
	return d.listNotify(s, resp.Int(f.n), ev, []keyEvent{listEvent(cmd, key)}), true
}
