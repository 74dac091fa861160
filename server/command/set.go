package command

import (
	"slices"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// Sets: an observed-remove set. A member is an element record with an
// empty body, present while any of its siblings is live. SREM (and SPOP,
// SMOVE's source) tombstones the versions it saw, so an SADD of the same
// member made concurrently on another replica survives it: the add wins.
// SADD always writes the member, even one already present, so that it
// wins over a concurrent removal of the version it re-added.
// set_pop.go has SPOP and SRANDMEMBER, set_ops.go the commands of several
// keys, set_scan.go SSCAN.

// setCommands are the set commands.
func (d *Dispatcher) setCommands() []*Command {
	const rw, rwf, ro, rof = Write | DenyOOM, Write | DenyOOM | Fast, ReadOnly, ReadOnly | Fast
	const g = "set"
	card := keyless("sintercard", -3, ro, g, d.sintercard)
	card.Keys = sintercardKeys
	return []*Command{
		spec("sadd", -3, rwf, 1, 1, 1, g, d.sadd),
		spec("srem", -3, Write|Fast, 1, 1, 1, g, d.srem),
		spec("sismember", 3, rof, 1, 1, 1, g, d.sismember),
		spec("smismember", -3, rof, 1, 1, 1, g, d.smismember),
		spec("scard", 2, rof, 1, 1, 1, g, d.scard),
		spec("smembers", 2, ro, 1, 1, 1, g, d.smembers),
		spec("spop", -2, Write|Fast, 1, 1, 1, g, d.spop),
		spec("srandmember", -2, ro, 1, 1, 1, g, d.srandmember),
		spec("smove", 4, Write|Fast, 1, 2, 1, g, d.smove),
		spec("sinter", -2, ro, 1, -1, 1, g, d.setAlgebra(opInter)),
		spec("sunion", -2, ro, 1, -1, 1, g, d.setAlgebra(opUnion)),
		spec("sdiff", -2, ro, 1, -1, 1, g, d.setAlgebra(opDiff)),
		spec("sinterstore", -3, rw, 1, -1, 1, g, d.setStore(opInter)),
		spec("sunionstore", -3, rw, 1, -1, 1, g, d.setStore(opUnion)),
		spec("sdiffstore", -3, rw, 1, -1, 1, g, d.setStore(opDiff)),
		card,
		spec("sscan", -3, ro, 1, 1, 1, g, d.sscan),
	}
}

// addMember is the element write of SADD and SMOVE's destination: the
// member with an empty body. It reports whether the member was absent.
func addMember(c *coll, member []byte) (bool, error) {
	var added bool
	_, err := c.update(member, func(live []*version.Sibling) (ElemChange, error) {
		added = len(live) == 0
		return ElemChange{Op: ElemWrite}, nil
	})
	return added, err
}

// removeMember tombstones the member's versions this command sees. It
// reports whether the member was present.
func removeMember(c *coll, member []byte) (bool, error) {
	ok, err := removeMembers(c, [][]byte{member})
	return ok[0], err
}

// removeMembers removes members as one group write (coll.updateAll),
// reporting which were present.
func removeMembers(c *coll, members [][]byte) ([]bool, error) {
	ok := make([]bool, len(members))
	ups := make([]elemUpdate, len(members))
	for i, m := range members {
		ups[i] = elemUpdate{member: m, fn: func(live []*version.Sibling) (ElemChange, error) {
			if len(live) == 0 {
				return ElemChange{}, nil
			}
			ok[i] = true
			return ElemChange{Op: ElemRemove}, nil
		}}
	}
	return ok, c.updateAll(ups)
}

// setEvent is one keyspace notification of a set command.
func setEvent(class int64, name string, key []byte) keyEvent {
	return keyEvent{class: class, name: name, key: key}
}

// notifySetEvents sends a set command's notifications (Redis's
// notifyKeyspaceEvent calls, in its order) and returns r with those this
// session receives put first. The handlers fire them, not notify.go's
// table, because which ones fire depends on what the command found (a
// key it created or emptied).
func (d *Dispatcher) notifySetEvents(s *Session, r resp.Reply, events []keyEvent) resp.Reply {
	if len(events) == 0 {
		return r
	}
	return d.emit(s, r, events)
}

// SADD key member [member ...]
func (d *Dispatcher) sadd(s *Session, args [][]byte) resp.Reply {
	c, existed, err := d.openForAdd(s, args[1], len(args) == 3)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	var added int64
	for _, m := range args[2:] {
		ok, err := addMember(c, m)
		if err != nil {
			return errorReply(err)
		}
		if ok {
			added++
		}
	}
	var ev []keyEvent
	if !existed {
		ev = append(ev, setEvent(notifyNew, "new", args[1]))
	}
	if added > 0 {
		ev = append(ev, setEvent(notifySet, "sadd", args[1]))
	}
	return d.notifySetEvents(s, resp.Int(added), ev)
}

// openForAdd opens a set to add members (header written). existed
// reports whether it existed before, which only new-key notifications
// need; without them it is true and the open costs one round trip less,
// and a command adding one member (single) runs beside others like it
// (writeColl).
func (d *Dispatcher) openForAdd(s *Session, key []byte, single bool) (*coll, bool, error) {
	if d.env.Settings.keyEvents.Load()&notifyNew == 0 {
		c, err := d.writeColl(s, key, version.KindSet, single)
		return c, true, err
	}
	c, err := d.openColl(s, key, version.KindSet, lockExclusive)
	if err != nil {
		return nil, false, err
	}
	existed := c.exists()
	if err := c.touchLater(); err != nil {
		c.close()
		return nil, false, err
	}
	return c, existed, nil
}

// SREM key member [member ...]
func (d *Dispatcher) srem(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindSet, lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return resp.Int(0)
	}
	var removed int64
	for _, m := range args[2:] {
		ok, err := removeMember(c, m)
		if err != nil {
			return errorReply(err)
		}
		if ok {
			removed++
		}
	}
	if removed == 0 {
		return resp.Int(0)
	}
	ev, err := removedEvents(c, "srem")
	if err != nil {
		return errorReply(err)
	}
	return d.notifySetEvents(s, resp.Int(removed), ev)
}

// removedEvents ends a command that removed members from c: it deletes c
// if it is empty now, and returns the notifications: name, then del if
// the key went.
func removedEvents(c *coll, name string) ([]keyEvent, error) {
	if err := c.dropIfEmpty(); err != nil {
		return nil, err
	}
	return afterRemovalEvents(c, name), nil
}

// afterRemovalEvents is removedEvents after the drop: name's event, and
// del if the set is gone.
func afterRemovalEvents(c *coll, name string) []keyEvent {
	ev := []keyEvent{setEvent(notifySet, name, c.key)}
	if !c.exists() {
		ev = append(ev, setEvent(notifyGeneric, "del", c.key))
	}
	return ev
}

// SISMEMBER key member
func (d *Dispatcher) sismember(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindSet, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	live, err := c.live(args[2])
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(int64(min(len(live), 1)))
}

// SMISMEMBER key member [member ...]
func (d *Dispatcher) smismember(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindSet, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	out := make([]resp.Reply, 0, len(args)-2)
	for _, m := range args[2:] {
		live, err := c.live(m)
		if err != nil {
			return errorReply(err)
		}
		out = append(out, resp.Int(int64(min(len(live), 1))))
	}
	return resp.Array(out...)
}

// SCARD key
func (d *Dispatcher) scard(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindSet, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	n, err := c.count()
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(n)
}

// SMEMBERS key
func (d *Dispatcher) smembers(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindSet, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	ms, err := members(c)
	if err != nil {
		return errorReply(err)
	}
	return memberSet(ms)
}

// members returns c's live members in member order.
func members(c *coll) ([][]byte, error) {
	var out [][]byte
	err := c.each(nil, func(m []byte, _ []*version.Sibling) bool {
		out = append(out, clone(m))
		return true
	})
	return out, err
}

// memberSet is a set reply (an array in RESP2) of ms in Redis's order.
func memberSet(ms [][]byte) resp.Reply {
	return resp.Set(memberBulks(redisOrder(ms))...)
}

func memberBulks(ms [][]byte) []resp.Reply {
	out := make([]resp.Reply, len(ms))
	for i, m := range ms {
		out[i] = resp.Bulk(m)
	}
	return out
}

// maxIntsetEntries is Redis's set-max-intset-entries default: a set of
// at most this many integers is an intset, which Redis lists in numeric
// order.
const maxIntsetEntries = 512

// redisOrder puts ms (in member order) in the order Redis lists the same
// set in where that order is deterministic: numeric for a small set of
// integers (an intset). Other sets Redis lists in hash table order, which
// no client can rely on; they stay in member order.
func redisOrder(ms [][]byte) [][]byte {
	if len(ms) > maxIntsetEntries {
		return ms
	}
	nums := make([]int64, len(ms))
	for i, m := range ms {
		n, ok := resp.ParseInt(m)
		if !ok {
			return ms
		}
		nums[i] = n
	}
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case nums[a] < nums[b]:
			return -1
		case nums[a] > nums[b]:
			return 1
		}
		return 0
	})
	out := make([][]byte, len(ms))
	for i, j := range idx {
		out[i] = ms[j]
	}
	return out
}
