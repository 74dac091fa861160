package command

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// Sorted sets: a member is an element record whose body is a float-mode
// counter (crdt.Counter). ZADD sets its base, stamped (time, actor) above
// every base its writer saw, so concurrent ZADDs of one member resolve
// last-writer-wins; ZINCRBY (and ZADD INCR) adds at this node's actor, so
// concurrent ZINCRBYs add up (and one concurrent with a ZADD is added on
// top of the ZADD's score). ZREM removes the member versions it saw:
// a concurrent ZADD or ZINCRBY keeps the member.
//
// Ordered queries (ZRANGE and friends, ZRANK, ZPOP*, ZCOUNT, ZCARD ...)
// use the node's cached ordered view of the set (zcache.go), loaded by
// reading the whole set (zload: c.each, member order, sorted by (score,
// member)) only when no valid view is cached; every zset write of this
// node keeps the view up to date. The set operations, ZRANDMEMBER and
// GEO queries still load.
//
// Scores are printed as Redis 7.0 prints them (addReplyDouble: %.17g, so
// ZADD z 1.1 a; ZSCORE z a is "1.1000000000000001"): a bulk string in
// RESP2, a double in RESP3. resp.Double formats the shortest round-trip
// text (Redis 7.2), so the zset replies build their own (zDouble).
//
// Rounding: a score is base + (sum of increments) - (sum of decrements)
// per actor, so a mix of positive and negative fractional ZINCRBYs may
// differ from Redis's running sum in the last digit.

// zsetCommands are the sorted-set commands.
func (d *Dispatcher) zsetCommands() []*Command {
	const rw, rwf, ro, rof = Write | DenyOOM, Write | DenyOOM | Fast, ReadOnly, ReadOnly | Fast
	const g = "sortedset"
	return append([]*Command{
		spec("zadd", -4, rwf, 1, 1, 1, g, d.zadd),
		spec("zincrby", 4, rwf, 1, 1, 1, g, d.zincrby),
		spec("zrem", -3, Write|Fast, 1, 1, 1, g, d.zrem),
		spec("zscore", 3, rof, 1, 1, 1, g, d.zscore),
		spec("zmscore", -3, rof, 1, 1, 1, g, d.zmscore),
		spec("zcard", 2, rof, 1, 1, 1, g, d.zcard),
		spec("zcount", 4, rof, 1, 1, 1, g, d.zcount),
		spec("zlexcount", 4, rof, 1, 1, 1, g, d.zlexcount),
		spec("zrange", -4, ro, 1, 1, 1, g, d.zrangeCmd),
		spec("zrangestore", -5, rw, 1, 2, 1, g, d.zrangestore),
		spec("zrevrange", -4, ro, 1, 1, 1, g, d.zrevrange),
		spec("zrangebyscore", -4, ro, 1, 1, 1, g, d.zrangebyscore),
		spec("zrevrangebyscore", -4, ro, 1, 1, 1, g, d.zrevrangebyscore),
		spec("zrangebylex", -4, ro, 1, 1, 1, g, d.zrangebylex),
		spec("zrevrangebylex", -4, ro, 1, 1, 1, g, d.zrevrangebylex),
		spec("zrank", 3, rof, 1, 1, 1, g, d.zrank),
		spec("zrevrank", 3, rof, 1, 1, 1, g, d.zrevrank),
		spec("zpopmin", -2, Write|Fast, 1, 1, 1, g, d.zpopmin),
		spec("zpopmax", -2, Write|Fast, 1, 1, 1, g, d.zpopmax),
		spec("zrandmember", -2, ro, 1, 1, 1, g, d.zrandmember),
		spec("zremrangebyrank", 4, Write, 1, 1, 1, g, d.zremrangebyrank),
		spec("zremrangebyscore", 4, Write, 1, 1, 1, g, d.zremrangebyscore),
		spec("zremrangebylex", 4, Write, 1, 1, 1, g, d.zremrangebylex),
		zkeys(keyless("zunion", -3, ro, g, d.zunion), 1, false),
		zkeys(keyless("zinter", -3, ro, g, d.zinter), 1, false),
		zkeys(keyless("zdiff", -3, ro, g, d.zdiff), 1, false),
		zkeys(spec("zunionstore", -4, rw, 1, 1, 1, g, d.zunionstore), 2, true),
		zkeys(spec("zinterstore", -4, rw, 1, 1, 1, g, d.zinterstore), 2, true),
		zkeys(spec("zdiffstore", -4, rw, 1, 1, 1, g, d.zdiffstore), 2, true),
		zkeys(keyless("zintercard", -3, ro, g, d.zintercard), 1, false),
		zkeys(keyless("zmpop", -4, Write, g, d.zmpop), 1, false),
		spec("zscan", -3, ro, 1, 1, 1, g, d.zscan),
	}, d.zsetBlockCommands()...)
}

// zkeys gives c a Keys function for a numkeys form: numkeys at args[at],
// the keys after it, and args[1] first if dst (the STORE forms).
func zkeys(c *Command, at int, dst bool) *Command {
	c.Keys = func(args [][]byte) [][]byte {
		var keys [][]byte
		if dst {
			keys = append(keys, args[1])
		}
		if at >= len(args) {
			return keys
		}
		n, err := strconv.ParseInt(string(args[at]), 10, 64)
		if err != nil || n <= 0 || n > int64(len(args)-at-1) {
			return keys
		}
		return append(keys, args[at+1:at+1+int(n)]...)
	}
	return c
}

// zent is one member with its score.
type zent struct {
	member []byte
	score  float64
}

// zcmp orders entries as a sorted set does: by score, then member bytes.
func zcmp(a, b zent) int {
	switch {
	case a.score < b.score:
		return -1
	case a.score > b.score:
		return 1
	}
	return bytes.Compare(a.member, b.member)
}

// zcounter resolves a member's live siblings to its score counter; ok is
// false if the member is absent.
func zcounter(live []*version.Sibling) (c crdt.Counter, ok bool, err error) {
	if len(live) == 0 {
		return crdt.NewFloat(), false, nil
	}
	c, err = crdt.ResolveCounter(live, true)
	if err != nil {
		return c, false, err
	}
	return c, true, nil
}

// zcounter is zcounter for the member being updated: one absent counts
// from what its removal records removed (crdt.RemovedCounter).
func (c *coll) zcounter(live []*version.Sibling) (crdt.Counter, bool, error) {
	if len(live) == 0 {
		return crdt.RemovedCounter(c.removals, true), false, nil
	}
	return zcounter(live)
}

// zscoreOf is a member's score from its live siblings.
func zscoreOf(live []*version.Sibling) (float64, bool, error) {
	c, ok, err := zcounter(live)
	if !ok || err != nil {
		return 0, ok, err
	}
	return c.Float(), true, nil
}

// zload reads the whole set, sorted by (score, member). O(n).
func zload(c *coll) ([]zent, error) {
	var out []zent
	var ferr error
	err := c.each(nil, func(member []byte, live []*version.Sibling) bool {
		f, ok, err := zscoreOf(live)
		if err != nil {
			ferr = err
			return false
		}
		if ok {
			out = append(out, zent{member: clone(member), score: f})
		}
		return true
	})
	if err == nil {
		err = ferr
	}
	slices.SortStableFunc(out, zcmp)
	return out, err
}

// zfmt formats a score as Redis 7.0's addReplyDouble (%.17g).
func zfmt(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// zDouble is a score reply: a bulk string in RESP2, a double in RESP3,
// both with Redis 7.0's digits.
func zDouble(s *Session, f float64) resp.Reply {
	if s.proto() == 3 {
		return resp.Raw([]byte("," + zfmt(f) + "\r\n"))
	}
	return resp.BulkString(zfmt(f))
}

// Pair layouts of a reply with scores.
const (
	zPairsByProto = iota // flat in RESP2, [member, score] pairs in RESP3
	zPairsFlat           // flat in both (ZPOPMIN without a count)
	zPairsNested         // pairs in both (ZMPOP)
)

// zReply is a list of entries: members only, or with scores laid out as
// layout says.
func zReply(s *Session, ents []zent, withScores bool, layout int) resp.Reply {
	out := make([]resp.Reply, 0, len(ents)*2)
	nested := layout == zPairsNested || (layout == zPairsByProto && s.proto() == 3)
	for _, e := range ents {
		m := resp.Bulk(e.member)
		switch {
		case !withScores:
			out = append(out, m)
		case nested:
			out = append(out, resp.Array(m, zDouble(s, e.score)))
		default:
			out = append(out, m, zDouble(s, e.score))
		}
	}
	return resp.Array(out...)
}

// zParseScore parses a score or increment (ZADD, ZINCRBY, WEIGHTS) as
// Redis's getDoubleFromObject: no NaN, no overflow.
func zParseScore(b []byte) (float64, bool) {
	f, ok := resp.ParseFloat(b)
	if !ok || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

var errZNaN = resp.Err("ERR resulting score is not a number (NaN)")

// zaddOpts are ZADD's flags.
type zaddOpts struct{ nx, xx, gt, lt, ch, incr bool }

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
func (d *Dispatcher) zadd(s *Session, args [][]byte) resp.Reply {
	var o zaddOpts
	i := 2
flags:
	for ; i < len(args); i++ {
		switch strings.ToLower(string(args[i])) {
		case "nx":
			o.nx = true
		case "xx":
			o.xx = true
		case "gt":
			o.gt = true
		case "lt":
			o.lt = true
		case "ch":
			o.ch = true
		case "incr":
			o.incr = true
		default:
			break flags
		}
	}
	rest := args[i:]
	switch {
	case len(rest) == 0 || len(rest)%2 != 0:
		return errSyntax
	case o.nx && o.xx:
		return resp.Err("ERR XX and NX options at the same time are not compatible")
	case (o.gt && o.nx) || (o.lt && o.nx) || (o.gt && o.lt):
		return resp.Err("ERR GT, LT, and/or NX options at the same time are not compatible")
	case o.incr && len(rest) > 2:
		return resp.Err("ERR INCR option supports a single increment-element pair")
	}
	return d.zaddPairs(s, args[1], o, rest)
}

// ZINCRBY key increment member
func (d *Dispatcher) zincrby(s *Session, args [][]byte) resp.Reply {
	return d.zaddPairs(s, args[1], zaddOpts{incr: true}, args[2:])
}

// zaddPairs runs ZADD's score/member pairs (all scores parsed first, so
// a bad one writes nothing) and replies as ZADD or, with INCR, ZINCRBY.
func (d *Dispatcher) zaddPairs(s *Session, key []byte, o zaddOpts, pairs [][]byte) resp.Reply {
	scores := make([]float64, len(pairs)/2)
	for j := range scores {
		f, ok := zParseScore(pairs[2*j])
		if !ok {
			return errNotFloat
		}
		scores[j] = f
	}
	if len(scores) == 1 {
		if r, ok := d.zaddOne(s, key, o, scores[0], pairs[1]); ok { // zset_one.go
			return r
		}
	}
	c, err := d.openZ(s, key, true)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	created := !c.exists()
	if created && o.xx {
		return zaddNothing(o)
	}
	if _, err := c.view(false); err != nil { // kept up to date if cached
		return errorReply(err)
	}
	if err := c.beginLater(); err != nil {
		return errorReply(err)
	}
	actor, now := d.env.KV.Actor(), d.raw.Now()
	var t zaddTally
	for j, score := range scores {
		var one zaddOutcome
		ch, err := c.update(pairs[2*j+1], func(live []*version.Sibling) (ElemChange, error) {
			return c.zaddDecide(o, score, live, actor, now, &one)
		})
		if err != nil {
			return errorReply(err)
		}
		if ch.Op == ElemWrite && c.v != nil {
			c.v.set(pairs[2*j+1], one.result)
		}
		t.add(one)
	}
	c.ok = true
	return d.zaddReply(s, key, o, created, t)
}

// zaddOutcome is what ZADD decided for one member.
type zaddOutcome struct {
	added, updated, processed bool
	result                    float64 // its score after, if processed
}

// zaddTally counts a ZADD's outcomes.
type zaddTally struct {
	added, updated, processed int64
	last                      float64 // the last processed member's score
}

func (t *zaddTally) add(one zaddOutcome) {
	if one.added {
		t.added++
	}
	if one.updated {
		t.updated++
	}
	if one.processed {
		t.processed++
		t.last = one.result
	}
}

// zaddDecide is ZADD's decision for one member, on its live siblings:
// the element write, and the outcome (out, reset first).
func (c *coll) zaddDecide(o zaddOpts, score float64, live []*version.Sibling, actor string, now int64, out *zaddOutcome) (ElemChange, error) {
	*out = zaddOutcome{}
	cur, exists, err := c.zcounter(live)
	if err != nil {
		return ElemChange{}, err
	}
	if !exists && o.xx || exists && o.nx {
		return ElemChange{}, nil
	}
	var next crdt.Counter
	if o.incr {
		next = cur.AddFloat(actor, score)
		out.result = next.Float()
		if math.IsNaN(out.result) {
			return ElemChange{}, &replyError{errZNaN}
		}
	} else {
		out.result = score
		if out.result == 0 {
			out.result = 0 // no -0, as Redis stores it
		}
		next = cur.SetBaseFloat(out.result, crdt.NextStamp(c.record(live), now, actor))
	}
	if exists {
		was := cur.Float()
		if (o.lt && out.result >= was) || (o.gt && out.result <= was) {
			return ElemChange{}, nil
		}
		out.processed = true
		if out.result == was {
			return ElemChange{}, nil
		}
		out.updated = true
	} else {
		out.added, out.processed = true, true
	}
	return ElemChange{Op: ElemWrite, Kind: version.KindCounter, Body: next.AppendBinary(nil)}, nil
}

// zaddNothing is ZADD's reply when XX finds no key.
func zaddNothing(o zaddOpts) resp.Reply {
	if o.incr {
		return resp.Null()
	}
	return resp.Int(0)
}

// zaddReply is ZADD's (or ZINCRBY's) reply and notifications, once its
// members are written; created: the key did not exist.
func (d *Dispatcher) zaddReply(s *Session, key []byte, o zaddOpts, created bool, t zaddTally) resp.Reply {
	var r resp.Reply
	switch {
	case o.incr && t.processed > 0:
		r = zDouble(s, t.last)
	case o.incr:
		r = resp.Null()
	case o.ch:
		r = resp.Int(t.added + t.updated)
	default:
		r = resp.Int(t.added)
	}
	if t.added+t.updated == 0 {
		return r
	}
	d.wakeWaiters(s, key) // BZPOPMIN/BZPOPMAX/BZMPOP (zset_block.go)
	var ev []keyEvent
	if created {
		ev = append(ev, keyEvent{class: notifyNew, name: "new", key: key})
	}
	name := "zadd"
	if o.incr {
		name = "zincr"
	}
	return d.emit(s, r, append(ev, keyEvent{class: notifyZSet, name: name, key: key}))
}

// ZREM key member [member ...]
func (d *Dispatcher) zrem(s *Session, args [][]byte) resp.Reply {
	c, err := d.openZ(s, args[1], true)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return resp.Int(0)
	}
	if _, err := c.view(false); err != nil {
		return errorReply(err)
	}
	if err := c.beginLater(); err != nil { // a removal rewrites the header (zcache.go)
		return errorReply(err)
	}
	var removed int64
	for _, m := range args[2:] {
		ok, err := c.remove(m)
		if err != nil {
			return errorReply(err)
		}
		if ok {
			removed++
		}
	}
	c.ok = true
	return d.zremoved(s, c, resp.Int(removed), removed, "zrem")
}

// remove removes member's versions and from the view; false if it was
// absent. begin must have run.
func (z *zs) remove(member []byte) (bool, error) {
	ok, err := z.removeAll([][]byte{member})
	return ok[0], err
}

// zremoved ends a command that removed n members: it deletes the key if
// empty and fires event (and del when the key went).
func (d *Dispatcher) zremoved(s *Session, c *zs, r resp.Reply, n int64, event string) resp.Reply {
	if n == 0 {
		return r
	}
	if err := c.dropIfEmpty(); err != nil {
		return errorReply(err)
	}
	ev := []keyEvent{{class: notifyZSet, name: event, key: c.key}}
	if !c.exists() {
		ev = append(ev, keyEvent{class: notifyGeneric, name: "del", key: c.key})
	}
	return d.emit(s, r, ev)
}

// ZSCORE key member
func (d *Dispatcher) zscore(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindZSet, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	live, err := c.live(args[2])
	if err != nil {
		return errorReply(err)
	}
	f, ok, err := zscoreOf(live)
	switch {
	case err != nil:
		return errorReply(err)
	case !ok:
		return resp.Null()
	}
	return zDouble(s, f)
}

// ZMSCORE key member [member ...]
func (d *Dispatcher) zmscore(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindZSet, lockNone)
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
		f, ok, err := zscoreOf(live)
		switch {
		case err != nil:
			return errorReply(err)
		case ok:
			out = append(out, zDouble(s, f))
		default:
			out = append(out, resp.Null())
		}
	}
	return resp.Array(out...)
}

// ZCARD key
func (d *Dispatcher) zcard(s *Session, args [][]byte) resp.Reply {
	c, err := d.openZ(s, args[1], false)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	v, err := c.view(true)
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(int64(v.n))
}
