package command

import (
	"bytes"
	"slices"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// The set commands of several keys: SINTER, SUNION, SDIFF, their STORE
// forms, SINTERCARD and SMOVE. The router runs a write of several keys
// whole at their coordinator when they share a partition (CROSSSLOT
// otherwise), and the writes here hold the collection locks of all their
// keys, so on that coordinator they are atomic as in Redis.

// setOp is a set algebra operation.
type setOp int

const (
	opInter setOp = iota
	opUnion
	opDiff
)

// storeName is the STORE form's command name (its notification).
func (op setOp) storeName() string {
	return [...]string{"sinterstore", "sunionstore", "sdiffstore"}[op]
}

var (
	errNumKeys      = resp.Err("ERR numkeys should be greater than 0")
	errNumKeysBig   = resp.Err("ERR Number of keys can't be greater than number of args")
	errLimitNegated = resp.Err("ERR LIMIT can't be negative")
)

// lockKeys takes the collection locks of keys (each stripe once, in
// stripe order, so two commands of several keys cannot deadlock) for a
// command that then opens its collections without locking.
func (d *Dispatcher) lockKeys(keys [][]byte) func() {
	var idx []int
	for _, k := range keys {
		idx = append(idx, int(ring.Hash(k)%uint64(len(d.colls.mu))))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, i := range idx {
		d.colls.mu[i].enter(lockExclusive)
	}
	return func() {
		for _, i := range slices.Backward(idx) {
			d.colls.mu[i].leave()
		}
	}
}

// combine computes op over the sets at keys, in member order. Every key
// is type-checked first, as Redis does; a missing key is an empty set.
func (d *Dispatcher) combine(s *Session, op setOp, keys [][]byte) ([][]byte, error) {
	colls := make([]*coll, 0, len(keys))
	defer func() {
		for _, c := range colls {
			c.close()
		}
	}()
	missing := false
	for _, k := range keys {
		c, err := d.openColl(s, k, version.KindSet, lockNone)
		if err != nil {
			return nil, err
		}
		colls = append(colls, c)
		missing = missing || !c.exists()
	}
	if (op == opInter && missing) || (op == opDiff && !colls[0].exists()) {
		return nil, nil
	}
	first, err := members(colls[0])
	if err != nil {
		return nil, err
	}
	in := make([]map[string]bool, len(colls))
	union := map[string]bool{}
	for i, c := range colls[1:] {
		ms, err := members(c)
		if err != nil {
			return nil, err
		}
		in[i+1] = map[string]bool{}
		for _, m := range ms {
			in[i+1][string(m)] = true
			union[string(m)] = true
		}
	}
	var out [][]byte
	for _, m := range first {
		keep := true
		for _, set := range in[1:] {
			if op != opUnion && set[string(m)] == (op == opDiff) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, m)
		}
		delete(union, string(m))
	}
	if op == opUnion {
		for m := range union {
			out = append(out, []byte(m))
		}
		slices.SortFunc(out, bytes.Compare)
	}
	return out, nil
}

// setAlgebra is SINTER / SUNION / SDIFF key [key ...].
func (d *Dispatcher) setAlgebra(op setOp) Handler {
	return func(s *Session, args [][]byte) resp.Reply {
		ms, err := d.combine(s, op, args[1:])
		if err != nil {
			return errorReply(err)
		}
		return memberSet(ms)
	}
}

// setStore is SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key
// [key ...]: the result replaces the destination, whatever it held; an
// empty result deletes it.
func (d *Dispatcher) setStore(op setOp) Handler {
	return func(s *Session, args [][]byte) resp.Reply {
		defer d.lockKeys(args[1:])()
		ms, err := d.combine(s, op, args[2:])
		if err != nil {
			return errorReply(err)
		}
		dst := args[1]
		existed, err := d.dropKey(s, dst)
		if err != nil {
			return errorReply(err)
		}
		if len(ms) == 0 {
			var ev []keyEvent
			if existed {
				ev = append(ev, setEvent(notifyGeneric, "del", dst))
			}
			return d.notifySetEvents(s, resp.Int(0), ev)
		}
		c, err := d.openColl(s, dst, version.KindSet, lockNone)
		if err != nil {
			return errorReply(err)
		}
		defer c.close()
		if err := c.touch(); err != nil {
			return errorReply(err)
		}
		for _, m := range ms {
			if _, err := addMember(c, m); err != nil {
				return errorReply(err)
			}
		}
		var ev []keyEvent
		if !existed {
			ev = append(ev, setEvent(notifyNew, "new", dst))
		}
		ev = append(ev, setEvent(notifySet, op.storeName(), dst))
		return d.notifySetEvents(s, resp.Int(int64(len(ms))), ev)
	}
}

// dropKey deletes key, of any type, as DEL does: a header tombstone
// superseding every version of the header it reads, so the removal clock
// of the header written next covers them all and the elements written
// under them are dead (crdt.ResolveHeader). It reports whether the key
// held a live value.
func (d *Dispatcher) dropKey(s *Session, key []byte) (bool, error) {
	existed := false
	res, err := d.raw.Update(s.Context(), ring.InternalKey(key), replica.WriteOptions{Read: true},
		func(cur version.Set, now int64) (*replica.Change, error) {
			if _, live := cur.Winner(now); !live {
				return nil, nil
			}
			existed = true
			return tombstone(cur), nil // a counter's removal record (kvops.go)
		})
	d.noteWrite(s, res, err)
	return existed, err
}

// sintercardKeys is SINTERCARD's Keys function: the numkeys keys after
// numkeys, none if numkeys is malformed.
func sintercardKeys(args [][]byte) [][]byte {
	n, ok := resp.ParseInt(args[1])
	if !ok || n < 1 || n > int64(len(args)-2) {
		return nil
	}
	return args[2 : 2+n]
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func (d *Dispatcher) sintercard(s *Session, args [][]byte) resp.Reply {
	n, ok := resp.ParseInt(args[1])
	switch {
	case !ok || n < 1:
		return errNumKeys
	case n > int64(len(args)-2):
		return errNumKeysBig
	}
	var limit int64
	for i := 2 + int(n); i < len(args); i += 2 {
		if !bytes.EqualFold(args[i], []byte("limit")) || i+1 >= len(args) {
			return errSyntax
		}
		l, ok := resp.ParseInt(args[i+1])
		if !ok || l < 0 {
			return errLimitNegated
		}
		limit = l
	}
	ms, err := d.combine(s, opInter, args[2:2+n])
	if err != nil {
		return errorReply(err)
	}
	card := int64(len(ms))
	if limit > 0 {
		card = min(card, limit)
	}
	return resp.Int(card)
}

// SMOVE source destination member
func (d *Dispatcher) smove(s *Session, args [][]byte) resp.Reply {
	src, dst, m := args[1], args[2], args[3]
	defer d.lockKeys(args[1:3])()
	from, err := d.openColl(s, src, version.KindSet, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer from.close()
	if !from.exists() {
		return resp.Int(0)
	}
	to, err := d.openColl(s, dst, version.KindSet, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer to.close()
	if bytes.Equal(src, dst) {
		live, err := from.live(m)
		if err != nil {
			return errorReply(err)
		}
		return resp.Int(int64(min(len(live), 1)))
	}
	ok, err := removeMember(from, m)
	if err != nil || !ok {
		return errorOr(err, resp.Int(0))
	}
	ev, err := removedEvents(from, "srem")
	if err != nil {
		return errorReply(err)
	}
	if in, err := to.live(m); err != nil || len(in) > 0 {
		// dst has it already: dst does not change (a WATCH on it holds),
		// as in Redis.
		return errorOr(err, d.notifySetEvents(s, resp.Int(1), ev))
	}
	if !to.exists() {
		ev = append(ev, setEvent(notifyNew, "new", dst))
	}
	if err := to.touch(); err != nil {
		return errorReply(err)
	}
	added, err := addMember(to, m)
	if err != nil {
		return errorReply(err)
	}
	if added {
		ev = append(ev, setEvent(notifySet, "sadd", dst))
	}
	return d.notifySetEvents(s, resp.Int(1), ev)
}

// errorOr is err's reply, or r if err is nil.
func errorOr(err error, r resp.Reply) resp.Reply {
	if err != nil {
		return errorReply(err)
	}
	return r
}
