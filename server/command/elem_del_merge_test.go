package command

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// removedWhileIncremented plays issue 8's split on two sides: prep on a
// (if any), 20 incr on a, healed; then del and (if any) after on a, while
// b runs incr 5 times; then healed, a's records into b's first if aFirst.
func removedWhileIncremented(t *testing.T, aFirst bool, prep, incr, del, after string) *twoSides {
	t.Helper()
	p := newRecSides(t)
	if prep != "" {
		p.a.line(prep)
	}
	for range 20 {
		p.a.line(incr)
		p.a.kv.advance(1)
	}
	p.heal()
	p.a.line(del)
	p.a.kv.advance(1)
	if after != "" {
		p.a.line(after)
	}
	for range 5 {
		p.b.line(incr)
		p.b.kv.advance(1)
	}
	p.healOrdered(t, aFirst)
	return p
}

// Issue 8: a hash field or sorted-set member removed on one side of a
// split while the other side increments it. The removal removes the
// increments it saw: healed, the field counts only what it did not see
// (it counted everything again: 25 where 5 is right), in both merge
// orders, and counts on from there. The other field keeps the hash alive
// (keep) or not (alone: HDEL drops the hash too).
func TestHashFieldDelConcurrentWithIncr(t *testing.T) {
	for _, aFirst := range []bool{true, false} {
		for _, prep := range []string{"HSET h other x", ""} {
			t.Run(fmt.Sprintf("aFirst=%v/%s", aFirst, prep), func(t *testing.T) {
				p := removedWhileIncremented(t, aFirst, prep, "HINCRBY h f 1", "HDEL h f", "")
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
			t.Run(fmt.Sprintf("%s/aFirst=%v", c.after, aFirst), func(t *testing.T) {
				p := removedWhileIncremented(t, aFirst, "HSET h other x", "HINCRBY h f 1", "HDEL h f", c.after)
				p.both(t, "HGET h f", c.want)
			})
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
			t.Run(fmt.Sprintf("%s/aFirst=%v", c.after, aFirst), func(t *testing.T) {
				p := removedWhileIncremented(t, aFirst, "ZADD z 0 other", "ZINCRBY z 1 m", "ZREM z m", c.after)
				p.both(t, "ZSCORE z m", c.want)
				p.both(t, "ZRANGE z 0 -1 WITHSCORES", p.a.line("ZRANGE z 0 -1 WITHSCORES").String())
			})
		}
	}
}

// Random histories of increments and removals of one hash field and one
// sorted-set member on three replicas, with partial exchanges, against an
// oracle: a replica's value is the sum of the increments it has seen that
// no removal it has seen had seen (a removal removes what its replica had
// seen), present while any such increment is left. Every replica agrees
// with the oracle after each step, and all agree after a full exchange.
func TestElementRemovalHistoriesMatchOracle(t *testing.T) {
	type oracle struct{ seen, removed map[int]bool }
	for _, ty := range []struct{ incr, del, get, prep string }{
		{"HINCRBY h f %d", "HDEL h f", "HGET h f", "HSET h keep x"},
		{"ZINCRBY z %d f", "ZREM z f", "ZSCORE z f", "ZADD z 0 keep"},
	} {
		for seed := int64(1); seed <= 40; seed++ {
			rnd := rand.New(rand.NewSource(seed))
			names := []string{"a", "b", "c"}
			reps := make([]*lawReplica, 3)
			orc := make([]oracle, 3)
			for i, n := range names {
				reps[i] = newLawReplica(n, 1_000)
				orc[i] = oracle{map[int]bool{}, map[int]bool{}}
			}
			reps[0].do(strings.Fields(ty.prep)...)
			amount := map[int]int{}
			want := func(i int) string {
				sum, live := 0, false
				for id := range orc[i].seen {
					if !orc[i].removed[id] {
						sum, live = sum+amount[id], true
					}
				}
				if !live {
					return "(nil)"
				}
				return fmt.Sprintf("%q", fmt.Sprint(sum))
			}
			merge := func(to, from int) {
				mergeInto(reps[to].kv, reps[from].kv)
				for id := range orc[from].seen {
					orc[to].seen[id] = true
				}
				for id := range orc[from].removed {
					orc[to].removed[id] = true
				}
			}
			for step := range 60 {
				i := rnd.Intn(3)
				reps[i].kv.advance(int64(rnd.Intn(3)))
				switch r := rnd.Intn(10); {
				case r < 5:
					id := len(amount)
					amount[id] = rnd.Intn(9) + 1
					orc[i].seen[id] = true
					reps[i].do(strings.Fields(fmt.Sprintf(ty.incr, amount[id]))...)
				case r < 7:
					for id := range orc[i].seen {
						orc[i].removed[id] = true
					}
					reps[i].do(strings.Fields(ty.del)...)
				default:
					merge(rnd.Intn(3), i)
				}
				for j := range reps {
					if got := reps[j].do(strings.Fields(ty.get)...); got != want(j) {
						t.Fatalf("%s seed %d step %d: %s on %s = %s, oracle %s", ty.get, seed, step, ty.get, names[j], got, want(j))
					}
				}
			}
			for range 2 {
				for i := range reps {
					for j := range reps {
						merge(i, j)
					}
				}
			}
			for j := range reps {
				if got := reps[j].do(strings.Fields(ty.get)...); got != want(j) || want(j) != want(0) {
					t.Fatalf("%s seed %d: %s after the exchange = %s, oracle %s (a: %s)", ty.get, seed, names[j], got, want(j), want(0))
				}
			}
		}
	}
}
