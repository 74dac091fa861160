package command

import (
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD read every
// source whole (sorted sets, or sets whose members score 1) and compute
// in memory, as Redis's zunionInterDiffGenericCommand.

// Set operations.
const (
	zOpUnion = iota
	zOpInter
	zOpDiff
)

// Aggregates.
const (
	zAggSum = iota
	zAggMin
	zAggMax
)

// zsrc is one source: its entries (by member) and weight.
type zsrc struct {
	ents   []zent
	byName map[string]float64
	weight float64
}

// zSource reads key as a sorted set or a set (scores 1); a missing key
// is empty.
func (d *Dispatcher) zSource(s *Session, key []byte) ([]zent, error) {
	c, err := d.openColl(s, key, version.KindZSet, lockNone)
	if err == nil {
		defer c.close()
		return zload(c)
	}
	var re *replyError
	if !errors.As(err, &re) {
		return nil, err
	}
	sc, err2 := d.openColl(s, key, version.KindSet, lockNone)
	if err2 != nil {
		return nil, err
	}
	defer sc.close()
	var out []zent
	err2 = sc.each(nil, func(member []byte, _ []*version.Sibling) bool {
		out = append(out, zent{member: clone(member), score: 1})
		return true
	})
	return out, err2
}

// zSetOp parses and runs a set operation: numkeys at args[at]; dst nil
// for the forms that reply (ZUNION ...), card for ZINTERCARD.
func (d *Dispatcher) zSetOp(s *Session, args [][]byte, at int, op int, dst []byte, card bool) resp.Reply {
	name := strings.ToLower(string(args[0]))
	n, ok := resp.ParseInt(args[at])
	switch {
	case !ok:
		return errNotInteger
	case n < 1:
		return resp.Errf("ERR at least 1 input key is needed for '%s' command", name)
	case n > int64(len(args)-at-1):
		return errSyntax
	}
	keys := args[at+1 : at+1+int(n)]
	srcs := make([]zsrc, len(keys))
	for i, k := range keys {
		ents, err := d.zSource(s, k)
		if err != nil {
			return errorReply(err)
		}
		srcs[i] = zsrc{ents: ents, weight: 1}
	}
	agg, withScores, limit := zAggSum, false, int64(0)
	for j := at + 1 + int(n); j < len(args); {
		left := len(args) - j
		switch opt := strings.ToLower(string(args[j])); {
		case op != zOpDiff && !card && left >= len(keys)+1 && opt == "weights":
			j++
			for i := range srcs {
				w, ok := zParseScore(args[j])
				if !ok {
					return resp.Err("ERR weight value is not a float")
				}
				srcs[i].weight = w
				j++
			}
		case op != zOpDiff && !card && left >= 2 && opt == "aggregate":
			switch strings.ToLower(string(args[j+1])) {
			case "sum":
				agg = zAggSum
			case "min":
				agg = zAggMin
			case "max":
				agg = zAggMax
			default:
				return errSyntax
			}
			j += 2
		case dst == nil && !card && opt == "withscores":
			withScores = true
			j++
		case card && left >= 2 && opt == "limit":
			l, ok := resp.ParseInt(args[j+1])
			if !ok || l < 0 {
				return resp.Err("ERR LIMIT can't be negative")
			}
			limit = l
			j += 2
		default:
			return errSyntax
		}
	}
	out := zCompute(srcs, op, agg, card, limit)
	switch {
	case card:
		return resp.Int(int64(len(out)))
	case dst != nil:
		return d.zstore(s, dst, out, name)
	}
	return zReply(s, out, withScores, zPairsByProto)
}

// zCompute is the operation's result, sorted. With card, only the
// intersection's members up to limit (0: all) are computed.
func zCompute(srcs []zsrc, op, agg int, card bool, limit int64) []zent {
	for i := range srcs {
		srcs[i].byName = make(map[string]float64, len(srcs[i].ents))
		for _, e := range srcs[i].ents {
			srcs[i].byName[string(e.member)] = e.score
		}
	}
	weighted := func(src *zsrc, f float64) float64 {
		v := f * src.weight
		if math.IsNaN(v) {
			return 0
		}
		return v
	}
	aggregate := func(acc, v float64) float64 {
		switch agg {
		case zAggMin:
			return math.Min(acc, v)
		case zAggMax:
			return math.Max(acc, v)
		}
		if r := acc + v; !math.IsNaN(r) {
			return r
		}
		return 0
	}
	var out []zent
	switch op {
	case zOpInter:
		// smallest first, as Redis: its order is the order scores add in
		slices.SortStableFunc(srcs, func(a, b zsrc) int { return len(a.ents) - len(b.ents) })
	next:
		for _, e := range srcs[0].ents {
			score := weighted(&srcs[0], e.score)
			for i := 1; i < len(srcs); i++ {
				f, ok := srcs[i].byName[string(e.member)]
				if !ok {
					continue next
				}
				score = aggregate(score, weighted(&srcs[i], f))
			}
			out = append(out, zent{member: e.member, score: score})
			if card && limit > 0 && int64(len(out)) >= limit {
				break
			}
		}
	case zOpUnion:
		slices.SortStableFunc(srcs, func(a, b zsrc) int { return len(a.ents) - len(b.ents) })
		at := map[string]int{}
		for i := range srcs {
			for _, e := range srcs[i].ents {
				v := weighted(&srcs[i], e.score)
				if j, ok := at[string(e.member)]; ok {
					out[j].score = aggregate(out[j].score, v)
					continue
				}
				at[string(e.member)] = len(out)
				out = append(out, zent{member: e.member, score: v})
			}
		}
	default:
	diff:
		for _, e := range srcs[0].ents {
			for i := 1; i < len(srcs); i++ {
				if _, ok := srcs[i].byName[string(e.member)]; ok {
					continue diff
				}
			}
			out = append(out, e)
		}
	}
	slices.SortFunc(out, zcmp)
	return out
}

// ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
func (d *Dispatcher) zunion(s *Session, args [][]byte) resp.Reply {
	return d.zSetOp(s, args, 1, zOpUnion, nil, false)
}

// ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
func (d *Dispatcher) zinter(s *Session, args [][]byte) resp.Reply {
	return d.zSetOp(s, args, 1, zOpInter, nil, false)
}

// ZDIFF numkeys key [key ...] [WITHSCORES]
func (d *Dispatcher) zdiff(s *Session, args [][]byte) resp.Reply {
	return d.zSetOp(s, args, 1, zOpDiff, nil, false)
}

// ZUNIONSTORE dst numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
func (d *Dispatcher) zunionstore(s *Session, args [][]byte) resp.Reply {
	return d.zSetOp(s, args, 2, zOpUnion, args[1], false)
}

// ZINTERSTORE dst numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
func (d *Dispatcher) zinterstore(s *Session, args [][]byte) resp.Reply {
	return d.zSetOp(s, args, 2, zOpInter, args[1], false)
}

// ZDIFFSTORE dst numkeys key [key ...]
func (d *Dispatcher) zdiffstore(s *Session, args [][]byte) resp.Reply {
	return d.zSetOp(s, args, 2, zOpDiff, args[1], false)
}

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
func (d *Dispatcher) zintercard(s *Session, args [][]byte) resp.Reply {
	return d.zSetOp(s, args, 1, zOpInter, nil, true)
}

// zstore replaces dst with ents (a STORE form's result) and replies with
// their count. It first writes a tombstone superseding every version of
// dst's header (whatever dst held): the removal clock it carries kills
// the old elements; then, unless ents is empty (then dst is just
// deleted, as Redis), it writes a new header and the members, each a
// base-setting counter write superseding the member's old versions.
func (d *Dispatcher) zstore(s *Session, dst []byte, ents []zent, event string) resp.Reply {
	unlock := d.colls.lock(dst)
	defer unlock()
	d.zCache().drop(dst) // its header is replaced: the view goes (zcache.go)
	existed := false
	res, err := d.raw.Update(s.Context(), ring.InternalKey(dst), replica.WriteOptions{Read: true},
		func(cur version.Set, now int64) (*replica.Change, error) {
			_, existed = cur.Winner(now)
			if len(cur) == 0 {
				return nil, nil
			}
			return tombstone(cur), nil // a counter's removal record (kvops.go)
		})
	d.noteWrite(s, res, err)
	if err != nil {
		return errorReply(err)
	}
	if len(ents) == 0 {
		if existed {
			return d.emit(s, resp.Int(0), []keyEvent{{class: notifyGeneric, name: "del", key: dst}})
		}
		return resp.Int(0)
	}
	c, err := d.openColl(s, dst, version.KindZSet, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if err := c.touch(); err != nil {
		return errorReply(err)
	}
	actor, now := d.env.KV.Actor(), d.raw.Now()
	for _, e := range ents {
		score := e.score
		if score == 0 {
			score = 0
		}
		_, err := c.update(e.member, func(live []*version.Sibling) (ElemChange, error) {
			next := crdt.RemovedCounter(c.removals, true).SetBaseFloat(score, crdt.NextStamp(c.record(live), now, actor))
			return ElemChange{Op: ElemWrite, Kind: version.KindCounter, Body: next.AppendBinary(nil)}, nil
		})
		if err != nil {
			return errorReply(err)
		}
	}
	var ev []keyEvent
	if !existed {
		ev = append(ev, keyEvent{class: notifyNew, name: "new", key: dst})
	}
	ev = append(ev, keyEvent{class: notifyZSet, name: event, key: dst})
	d.wakeWaiters(s, dst) // BZPOP* (zset_block.go)
	return d.emit(s, resp.Int(int64(len(ents))), ev)
}
