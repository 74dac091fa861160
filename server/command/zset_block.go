package command

import (
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// Blocking sorted-set pops (BZPOPMIN, BZPOPMAX, BZMPOP): they pop at once
// when a key holds a sorted set, else wait on d.block (blocking.go) like
// BLPOP, woken by the zset writes that can create a key (ZADD, ZINCRBY,
// the STORE forms: d.wakeWaiters in zset.go) and, in a cluster, by
// d.block's periodic look. Inside MULTI they answer at once (null when
// nothing is there, as Redis); BZPOPMIN/MAX are noscript, BZMPOP may be
// called from a script and answers at once there.

// zsetBlockCommands are the blocking sorted-set commands.
func (d *Dispatcher) zsetBlockCommands() []*Command {
	const f, g = Write | NoScript | Fast | Atomic | Blocking, "sortedset"
	return []*Command{
		spec("bzpopmin", -3, f, 1, -2, 1, g, d.bzpopmin),
		spec("bzpopmax", -3, f, 1, -2, 1, g, d.bzpopmax),
		zkeys(keyless("bzmpop", -5, Write|Atomic|Blocking, g, d.bzmpop), 2, false),
	}
}

// BZPOPMIN key [key ...] timeout
func (d *Dispatcher) bzpopmin(s *Session, args [][]byte) resp.Reply { return d.bzpop(s, args, false) }

// BZPOPMAX key [key ...] timeout
func (d *Dispatcher) bzpopmax(s *Session, args [][]byte) resp.Reply { return d.bzpop(s, args, true) }

// bzpop answers [key, member, score] from the first key holding a
// sorted set (a WRONGTYPE key before it is an error, as Redis).
func (d *Dispatcher) bzpop(s *Session, args [][]byte, max bool) resp.Reply {
	return d.blockFirst(s, classZset, args, func(k []byte) (resp.Reply, bool) {
		if r, ok := d.popAtCoordinator(s, k, "ZMPOP", "1", k, side(max, "MAX", "MIN"), "COUNT", "1"); ok {
			// [key, [[member, score]]] -> [key, member, score]
			if r.Kind == resp.KindArray && len(r.Elems) == 2 && len(r.Elems[1].Elems) == 1 && len(r.Elems[1].Elems[0].Elems) == 2 {
				ms := r.Elems[1].Elems[0].Elems
				return resp.Array(r.Elems[0], ms[0], ms[1]), true
			}
			return r, r.IsError()
		}
		r := d.zpop(s, [][]byte{k}, max, -1, false)
		if r.IsError() {
			return r, true
		}
		if len(r.Elems) > 0 {
			return resp.Array(append([]resp.Reply{resp.Bulk(k)}, r.Elems...)...), true
		}
		return resp.Reply{}, false
	})
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
func (d *Dispatcher) bzmpop(s *Session, args [][]byte) resp.Reply {
	keys, max, count, errr := zmpopParse(args, 2)
	if errr.IsError() {
		return errr
	}
	timeout, errr, ok := parseTimeout(args[1], d.env.KV.Now())
	if !ok {
		return errr
	}
	return d.block(s, classZset, keys, timeout, func(keys [][]byte) (resp.Reply, tryOutcome) {
		if len(keys) == 0 {
			return resp.Reply{}, tryNothing
		}
		words := []any{"ZMPOP", strconv.Itoa(len(keys))}
		for _, k := range keys {
			words = append(words, k)
		}
		n := count
		if n < 1 {
			n = 1 // no COUNT
		}
		words = append(words, side(max, "MAX", "MIN"), "COUNT", strconv.FormatInt(n, 10))
		if r, ok := d.popAtCoordinator(s, keys[0], words...); ok {
			return r, outcome(r, r.Kind != resp.KindNullArray && r.Kind != resp.KindNull)
		}
		r := d.zpop(s, keys, max, count, true)
		return r, outcome(r, r.Kind != resp.KindNullArray)
	}, resp.NullArray(), resp.NullArray())
}

// zmpopParse parses "numkeys key [key ...] MIN|MAX [COUNT count]" with
// numkeys at args[at], in Redis's order of checks (zmpopGenericCommand).
func zmpopParse(args [][]byte, at int) (keys [][]byte, max bool, count int64, errr resp.Reply) {
	n, ok := resp.ParseInt(args[at])
	if !ok || n <= 0 {
		return nil, false, 0, resp.Err("ERR numkeys should be greater than 0")
	}
	if n >= int64(len(args)-at-1) { // the keys and MIN|MAX must follow numkeys
		return nil, false, 0, errSyntax
	}
	where := at + 1 + int(n)
	switch strings.ToLower(string(args[where])) {
	case "min":
	case "max":
		max = true
	default:
		return nil, false, 0, errSyntax
	}
	count = -1
	for j := where + 1; j < len(args); j++ {
		if count != -1 || !strings.EqualFold(string(args[j]), "count") || j+1 >= len(args) {
			return nil, false, 0, errSyntax
		}
		j++
		c, ok := resp.ParseInt(args[j])
		if !ok || c <= 0 {
			return nil, false, 0, resp.Err("ERR count should be greater than 0")
		}
		count = c
	}
	if count == -1 {
		count = 1
	}
	return args[at+1 : where], max, count, resp.Reply{}
}
