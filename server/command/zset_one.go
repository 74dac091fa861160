package command

import (
	"errors"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// errZaddNoKey refuses ZADD XX's group write (nothing written): the key
// does not exist.
var errZaddNoKey = errors.New("command: ZADD XX on a missing key")

// zaddOne is ZADD (or ZINCRBY) of one member as one group write that
// decides everything inside it, under the engine's lock: whether the key
// exists (coll.atHeader), and the member's new score on the siblings it
// finds (zaddDecide). So such writes of one sorted set hold its lock
// together (lockSingle) and the engine stores those that meet in one
// LevelDB batch (engine/combine.go), as SADD and HSET of one member. It
// applies only while this node caches no view of the set (zcache.go):
// it does not update one, and its header write leaves one stale (valid
// no more: the next reader walks the set again), so a set that is read
// keeps the path that keeps its view current. Nor with new-key
// notifications, which need to know before the write whether the key
// existed (as openForAdd). ok is false, with nothing written, when it
// does not apply.
func (d *Dispatcher) zaddOne(s *Session, key []byte, o zaddOpts, score float64, member []byte) (r resp.Reply, ok bool) {
	if _, isGroup := d.raw.(GroupKV); !isGroup || d.env.Settings.keyEvents.Load()&notifyNew != 0 {
		return resp.Reply{}, false
	}
	c, err := d.writeColl(s, key, version.KindZSet, true)
	if err != nil {
		return errorReply(err), true
	}
	defer c.close()
	if d.zCache().has(key) { // checked under the lock: no reader stores one meanwhile
		return resp.Reply{}, false
	}
	var created bool
	c.atHeader = func(h crdt.Header, _ int64) error {
		created = !h.Live
		if created && o.xx {
			return errZaddNoKey
		}
		return nil
	}
	actor, now := d.env.KV.Actor(), d.raw.Now()
	var one zaddOutcome
	_, err = c.touchUpdate(member, nil, func(live []*version.Sibling) (ElemChange, error) {
		return c.zaddDecide(o, score, live, actor, now, &one)
	})
	switch {
	case errors.Is(err, errZaddNoKey):
		return zaddNothing(o), true
	case err != nil:
		return errorReply(err), true
	}
	var t zaddTally
	t.add(one)
	return d.zaddReply(s, key, o, created, t), true
}
