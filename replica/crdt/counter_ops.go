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

// maxBase returns the highest base stamp among cur's values and removal
// records (a removal's stamp is the highest base it removed).
func maxBase(cur version.Set) (m Stamp, ok bool) {
	for i := range cur {
		sb := &cur[i]
		if sb.Tombstone && sb.Kind != version.KindCounter {
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
// value. A key with no live value counts from 0, and so does one whose
// live bases a removal removed (resolveSet): its new base 0 is stamped
// above every base cur holds, and the totals the removals saw stay in its
// removed totals, so the per-actor totals stay monotone and a concurrent
// sibling still holding them does not bring them back. ErrNotInteger if
// its base is not an integer, ErrOverflow if the result would overflow.
func Incr(cur version.Set, now int64, actor string, n int64) (Counter, error) {
	c, fresh, err := resolveSet(cur, now)
	if err != nil {
		return Counter{}, err
	}
	if fresh {
		c.stamp = NextStamp(cur, now, actor)
	}
	return c.Add(actor, n)
}

// Assign is the write of the plain value v by actor at now on the record
// cur (SET, GETSET, INCRBYFLOAT, SETRANGE ...): if a live sibling is a
// counter or a removal removed counter totals, and v is an integer, an
// absorbing counter payload (base v; the increments the writer saw
// absorbed, those it saw removed kept as removed, the others still
// added), else v as a plain value (no overhead). An integer is also
// written as a counter when its plain stamp would fall below a base it
// saw (the writer's clock is behind), so that no sibling carrying that
// base can win over it.
func Assign(cur version.Set, now int64, actor string, v []byte) (version.Kind, []byte) {
	n, ok := resp.ParseInt(v)
	if !ok {
		return version.KindString, v
	}
	cs, err := candidates(cur.Live(now), false)
	if err != nil {
		return version.KindString, v
	}
	removed := removals(cur, now).seen // what a DEL or expiry removed stays removed
	seen, counter := removed, len(removed) > 0
	for _, c := range cs {
		if c.sib.Kind == version.KindCounter {
			counter = true
			seen = joinTotals(seen, c.c.seen)
			removed = joinTotals(removed, c.c.removed)
		}
	}
	if !counter && plainAbove(cur, now, actor) {
		return version.KindString, v
	}
	c := Counter{seen: seen, removed: removed}.SetBase(n, NextStamp(cur, now, actor))
	return version.KindCounter, c.AppendBinary(nil)
}

// Removal is the removal record a whole-key delete of cur keeps in its
// tombstone (replica.Change's Value with Delete; DEL, UNLINK, GETDEL ...):
// a counter payload holding the highest base stamp cur holds and the join
// of its counters' totals (those of its removal records included), so a
// counter sibling concurrent with the tombstone counts only the
// increments the delete did not see (resolveSet). Nil, a plain tombstone,
// when cur holds no counter and no integer value: nothing to remember.
// Float mode if a counter is (a sorted-set member's score), so its
// totals keep their float sums.
func Removal(cur version.Set) []byte {
	need, float := false, false
	var seen []total
	for i := range cur {
		sb := &cur[i]
		switch {
		case sb.Kind == version.KindCounter:
			if c, err := DecodeCounter(sb.Value); err == nil {
				need, float = true, float || c.float
				seen = joinTotals(seen, c.seen)
			}
		case sb.Kind == version.KindString && !sb.Tombstone:
			if _, ok := resp.ParseInt(sb.Value); ok {
				need = true
			}
		}
	}
	m, ok := maxBase(cur)
	if !need || !ok {
		return nil
	}
	return Counter{float: float, stamp: m, seen: seen}.AppendBinary(nil)
}
