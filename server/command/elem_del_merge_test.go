package command

import (
	"fmt"
	"testing"
)

// Issue 8: a hash field or sorted-set member removed on one side of a
// split while the other side increments it. The removal removes the
// increments it saw: healed, the field counts only what it did not see
// (it counted everything again: 25 where 5 is right), in both merge
// orders, and counts on from there. The other field keeps the hash alive
// (keep) or not (alone: HDEL drops the hash too).
func TestHashFieldDelConcurrentWithIncr(t *testing.T) {
	for _, aFirst := range []bool{true, false} {
		for _, keep := range []bool{true, false} {
			t.Run(fmt.Sprintf("aFirst=%v/keep=%v", aFirst, keep), func(t *testing.T) {
				p := newRecSides(t)
				if keep {
					p.a.line("HSET h other x")
				}
				for range 20 {
					p.a.line("HINCRBY h f 1")
					p.a.kv.advance(1)
				}
				p.heal()
				p.a.line("HDEL h f")
				for range 5 {
					p.b.line("HINCRBY h f 1")
					p.b.kv.advance(1)
				}
				p.healOrdered(t, aFirst)
				p.both(t, "HGET h f", `"5"`)
				p.a.line("HINCRBY h f 1")
				p.heal()
				p.both(t, "HGET h f", `"6"`)
			})
		}
	}
}

// What the removing side writes to the field afterwards carries the
// removal: HINCRBY counts from 0, HSET sets a base the concurrent
// increments add to.
func TestHashFieldWriteAfterDelConcurrentWithIncr(t *testing.T) {
	for _, c := range []struct{ after, want string }{
		{"HINCRBY h f 3", `"8"`},
		{"HSET h f 100", `"105"`},
		{"HSETNX h f 100", `"105"`},
	} {
		for _, aFirst := range []bool{true, false} {
			p := newRecSides(t)
			p.a.line("HSET h other x")
			for range 20 {
				p.a.line("HINCRBY h f 1")
				p.a.kv.advance(1)
			}
			p.heal()
			p.a.line("HDEL h f")
			p.a.kv.advance(1)
			p.a.line(c.after)
			for range 5 {
				p.b.line("HINCRBY h f 1")
				p.b.kv.advance(1)
			}
			p.healOrdered(t, aFirst)
			t.Run(c.after, func(t *testing.T) { p.both(t, "HGET h f", c.want) })
		}
	}
}

// ZREM against ZINCRBY, and ZADD, ZINCRBY after the ZREM.
func TestZsetMemberRemConcurrentWithIncr(t *testing.T) {
	for _, c := range []struct{ after, want string }{
		{"", `"5"`},
		{"ZINCRBY z 3 m", `"8"`},
		{"ZADD z 100 m", `"105"`},
		{"ZADD z INCR 2 m", `"7"`},
	} {
		for _, aFirst := range []bool{true, false} {
			p := newRecSides(t)
			p.a.line("ZADD z 0 other")
			for range 20 {
				p.a.line("ZINCRBY z 1 m")
				p.a.kv.advance(1)
			}
			p.heal()
			p.a.line("ZREM z m")
			p.a.kv.advance(1)
			if c.after != "" {
				p.a.line(c.after)
			}
			for range 5 {
				p.b.line("ZINCRBY z 1 m")
				p.b.kv.advance(1)
			}
			p.healOrdered(t, aFirst)
			t.Run(c.after, func(t *testing.T) {
				p.both(t, "ZSCORE z m", c.want)
				p.both(t, "ZRANGE z 0 -1 WITHSCORES", p.a.line("ZRANGE z 0 -1 WITHSCORES").String())
			})
		}
	}
}
