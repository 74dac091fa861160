package command

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// ZPOPMIN key [count]
func (d *Dispatcher) zpopmin(s *Session, args [][]byte) resp.Reply { return d.zpopCmd(s, args, false) }

// ZPOPMAX key [count]
func (d *Dispatcher) zpopmax(s *Session, args [][]byte) resp.Reply { return d.zpopCmd(s, args, true) }

func (d *Dispatcher) zpopCmd(s *Session, args [][]byte, max bool) resp.Reply {
	if len(args) > 3 {
		return errSyntax
	}
	count := int64(-1)
	if len(args) == 3 {
		n, ok := resp.ParseInt(args[2])
		if !ok || n < 0 {
			return resp.Err("ERR value is out of range, must be positive")
		}
		count = n
	}
	if count != 0 && d.popsJoin(s) {
		return d.zpopInLine(s, args[1], max, count)
	}
	return d.zpop(s, args[1:2], max, count, false)
}

// zpopInLine is ZPOPMIN or ZPOPMAX (count -1: one, flat reply) of key as
// one of the pops of key that meet (popLines), as listPopInLine.
func (d *Dispatcher) zpopInLine(s *Session, key []byte, max bool, count int64) resp.Reply {
	r := newPopReq(!max, max64(count, 1))
	d.inLine(s, key, r, d.serveZpops)
	switch {
	case r.err != nil:
		return errorReply(r.err)
	case !r.got:
		return resp.Array()
	case count < 0:
		return zReply(s, r.zents, true, zPairsFlat)
	}
	return zReply(s, r.zents, true, zPairsByProto)
}

// serveZpops serves a line's batch of pops of sorted set key under its
// lock, as zpop: one removal of each run's total count (one group write).
func (d *Dispatcher) serveZpops(s *Session, key []byte, batch []*popReq) {
	c, err := d.openZ(s, key, true)
	if err != nil {
		failAll(batch, err)
		return
	}
	defer c.close()
	existed := c.exists()
	v, err := c.view(true)
	if err == nil && v.n > 0 {
		err = c.beginPick()
	}
	if err != nil {
		failAll(batch, err)
		return
	}
	got := v.n > 0 && eachRun(batch, func(run []*popReq, lowest bool, total int64) error {
		popped, err := c.removePicks(func(v *zview) []zent {
			n := int(min(total, int64(v.n)))
			switch {
			case n == 0:
				return nil
			case !lowest:
				return v.span(v.n-n, v.n-1, true)
			}
			return v.span(0, n-1, false)
		})
		handOut(run, popped, func(r *popReq, mine []zent) { r.zents = mine })
		return err
	})
	c.ok = true
	if got {
		if err := c.dropIfEmpty(); err != nil {
			lastGot(batch).err = err
			return
		}
	}
	d.batchServed(s, batch, existed)
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]. It parses as BZMPOP
// does (zmpopParse): its own copy of the parse lacked the numkeys bound,
// and a numkeys near 2^63 overflowed into a negative index (found by
// FuzzCommands).
func (d *Dispatcher) zmpop(s *Session, args [][]byte) resp.Reply {
	keys, max, count, errr := zmpopParse(args, 1)
	if errr.IsError() {
		return errr
	}
	return d.zpop(s, keys, max, count, true)
}

// zpop pops count (-1: one, flat reply) of the lowest (highest if max)
// members of the first existing key of keys; mpop replies as ZMPOP.
func (d *Dispatcher) zpop(s *Session, keys [][]byte, max bool, count int64, mpop bool) resp.Reply {
	var c *zs
	for _, k := range keys {
		cc, err := d.openZ(s, k, true)
		if err != nil {
			return errorReply(err)
		}
		if cc.exists() {
			c = cc
			break
		}
		cc.close()
	}
	switch {
	case c == nil && mpop:
		return resp.NullArray()
	case c == nil:
		return resp.Array()
	}
	defer c.close()
	if count == 0 {
		return resp.Array()
	}
	v, err := c.view(true)
	if err != nil {
		return errorReply(err)
	}
	var popped []zent
	if v.n > 0 {
		// A removal rewrites the header (zcache.go), with the first
		// removal, or first if the header moved since the view was read.
		if err := c.beginPick(); err != nil {
			return errorReply(err)
		}
		popped, err = c.removePicks(func(v *zview) []zent {
			n := int(min(max64(count, 1), int64(v.n)))
			switch {
			case n == 0:
				return nil
			case max:
				return v.span(v.n-n, v.n-1, true)
			}
			return v.span(0, n-1, false)
		})
		if err != nil {
			return errorReply(err)
		}
		c.ok = true
	}
	var r resp.Reply
	switch {
	case mpop:
		r = resp.Array(resp.Bulk(c.key), zReply(s, popped, true, zPairsNested))
	case count < 0:
		r = zReply(s, popped, true, zPairsFlat)
	default:
		r = zReply(s, popped, true, zPairsByProto)
	}
	event := "zpopmin"
	if max {
		event = "zpopmax"
	}
	return d.zremoved(s, c, r, int64(len(popped)), event)
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// ZRANDMEMBER key [count [WITHSCORES]]
func (d *Dispatcher) zrandmember(s *Session, args [][]byte) resp.Reply {
	var count int64
	withScores := false
	if len(args) >= 3 {
		n, ok := resp.ParseInt(args[2])
		switch {
		case !ok:
			return errNotInteger
		case n == math.MinInt64:
			return resp.Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		case len(args) > 4 || (len(args) == 4 && !strings.EqualFold(string(args[3]), "withscores")):
			return errSyntax
		case len(args) == 4 && (n < -math.MaxInt64/2 || n > math.MaxInt64/2):
			return resp.Err("ERR value is out of range")
		}
		count, withScores = n, len(args) == 4
	}
	c, err := d.openColl(s, args[1], version.KindZSet, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if len(args) < 3 {
		if !c.exists() {
			return resp.Null()
		}
	} else if !c.exists() || count == 0 {
		return resp.Array()
	}
	ents, err := zload(c)
	if err != nil {
		return errorReply(err)
	}
	if len(ents) == 0 {
		if len(args) < 3 {
			return resp.Null()
		}
		return resp.Array()
	}
	if len(args) < 3 {
		return resp.Bulk(ents[rand.IntN(len(ents))].member)
	}
	var out []zent
	switch {
	case count < -maxRandRepeats: // the reply is built in memory: bounded, as SRANDMEMBER's
		return errRandTooMany
	case count < 0: // repeats allowed
		for range -count {
			out = append(out, ents[rand.IntN(len(ents))])
		}
	case count >= int64(len(ents)): // the whole set, highest first as Redis 7.0
		out = slices.Clone(ents)
		slices.Reverse(out)
	default: // count distinct members, in random order
		perm := rand.Perm(len(ents))
		for _, i := range perm[:count] {
			out = append(out, ents[i])
		}
	}
	return zReply(s, out, withScores, zPairsByProto)
}
