package crdt

import (
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// NextStamp is the stamp of a base-setting write by actor at now over the
// record cur: above every base stamp cur holds, so a write that saw a base
// wins over it, whatever the writers' clocks (a hybrid clock: the wall
// clock unless a base it saw is stamped as late or later).
func NextStamp(cur version.Set, now int64, actor string) Stamp {
	st := Stamp{Time: now, Node: actor}
	m, ok := maxBase(cur)
	switch {
	case !ok || m.Less(st):
		return st
	case m.Time == now && m.Node == actor:
		return Stamp{Time: now, Node: actor, Counter: m.Counter + 1}
	}
	return Stamp{Time: m.Time + 1, Node: actor}
}

// plainAbove reports whether a plain write by actor at now, stamped
// (now, actor, its dot's counter), is above every base stamp cur holds: a
// base of actor's own carries a counter below the new dot's.
func plainAbove(cur version.Set, now int64, actor string) bool {
	m, ok := maxBase(cur)
	return !ok || m.Time < now || (m.Time == now && m.Node <= actor)
}

// maxBase returns the highest base stamp among cur's values.
func maxBase(cur version.Set) (m Stamp, ok bool) {
	for i := range cur {
		sb := &cur[i]
		if sb.Tombstone {
			continue
		}
		var st Stamp
		switch sb.Kind {
		case version.KindString:
			st = Stamp{sb.Time, sb.Dot.Node, sb.Dot.Counter}
		case version.KindCounter:
			c, err := DecodeCounter(sb.Value)
			if err != nil {
				continue
			}
			st = c.stamp
		default:
			continue
		}
		if !ok || m.Less(st) {
			m, ok = st, true
		}
	}
	return m, ok
}

// Incr is INCRBY n by actor at now on the record cur: the new counter
// payload (to write as one KindCounter sibling superseding cur) and its
// value. A key with no live value counts from 0; ErrNotInteger if its
// base is not an integer, ErrOverflow if the result would overflow.
func Incr(cur version.Set, now int64, actor string, n int64) (Counter, error) {
	live := cur.Live(now)
	cs, err := candidates(live, false)
	if err != nil {
		return Counter{}, err
	}
	var c Counter
	if len(cs) == 0 {
		c = c.SetBase(0, NextStamp(cur, now, actor))
	} else if c, err = ResolveCounter(live, false); err != nil {
		return Counter{}, err
	}
	return c.Add(actor, n)
}

// Assign is the write of the plain value v by actor at now on the record
// cur (SET, GETSET, INCRBYFLOAT, SETRANGE ...): if a live sibling is a
// counter and v is an integer, an absorbing counter payload (base v; the
// increments the writer saw absorbed, the others still added), else v as
// a plain value (no overhead). An integer is also written as a counter
// when its plain stamp would fall below a base it saw (the writer's clock
// is behind), so that no sibling carrying that base can win over it.
func Assign(cur version.Set, now int64, actor string, v []byte) (version.Kind, []byte) {
	n, ok := resp.ParseInt(v)
	if !ok {
		return version.KindString, v
	}
	cs, err := candidates(cur.Live(now), false)
	if err != nil {
		return version.KindString, v
	}
	var seen []total
	counter := false
	for _, c := range cs {
		if c.sib.Kind == version.KindCounter {
			counter = true
			seen = joinTotals(seen, c.c.seen)
		}
	}
	if !counter && plainAbove(cur, now, actor) {
		return version.KindString, v
	}
	c := Counter{seen: seen}.SetBase(n, NextStamp(cur, now, actor))
	return version.KindCounter, c.AppendBinary(nil)
}
