package command

import (
	"context"
	"fmt"
	"maps"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/replica/version"
)

// The data types' merge laws, over random histories: three replicas (each
// a dispatcher over its own store, with its own actor and clock) run
// random commands of every type on shared keys, exchanging their records
// now and then (anti-entropy in miniature: a record-wise version.Set
// merge). Then, whatever the order and grouping of the final merges, and
// merging a replica with itself, every type reads the same through any
// dispatcher: the rules are functions of the merged records, so they
// converge (commutative, associative, idempotent).

type lawReplica struct {
	kv *memKV
	d  *Dispatcher
	s  *Session
}

func newLawReplica(node string, now int64) *lawReplica {
	kv := newMemKV()
	kv.node, kv.now = node, now
	d := New(&Env{KV: kv, Clock: func() time.Time { return time.UnixMilli(kv.Now()) }})
	return &lawReplica{kv: kv, d: d, s: d.NewSession(1, "test", "")}
}

func (r *lawReplica) do(args ...string) string {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return r.d.Do(context.Background(), r.s, b).String()
}

// mergeInto merges every record of from into to.
func mergeInto(to, from *memKV) {
	from.mu.Lock()
	recs := maps.Clone(from.m)
	from.mu.Unlock()
	to.mu.Lock()
	defer to.mu.Unlock()
	for k, s := range recs {
		to.m[k] = to.m[k].Merge(s)
	}
}

// union is a fresh replica holding the merge of rs, in that order.
func union(node string, now int64, rs ...*lawReplica) *lawReplica {
	u := newLawReplica(node, now)
	for _, r := range rs {
		mergeInto(u.kv, r.kv)
	}
	return u
}

// view reads every type's keys the way a client would.
func (r *lawReplica) view() string {
	var b strings.Builder
	for _, q := range [][]string{
		{"HGETALL", "h"}, {"SMEMBERS", "s"}, {"ZRANGE", "z", "0", "-1", "WITHSCORES"},
		{"LRANGE", "l", "0", "-1"}, {"GET", "c"}, {"TYPE", "x"}, {"HGETALL", "x"}, {"SMEMBERS", "x"},
		{"XRANGE", "st", "-", "+"}, {"XLEN", "st"}, {"XINFO", "GROUPS", "st"}, {"XPENDING", "st", "g", "-", "+", "10"},
		{"DBSIZE"},
	} {
		fmt.Fprintf(&b, "%v => %s\n", q, r.do(q...))
	}
	return b.String()
}

// randomOp runs one random command on r.
func randomOp(rnd *rand.Rand, r *lawReplica) {
	m := fmt.Sprint("m", rnd.Intn(6))
	switch rnd.Intn(20) {
	case 0:
		r.do("HSET", "h", m, fmt.Sprint(rnd.Intn(100)))
	case 1:
		r.do("HDEL", "h", m)
	case 2:
		r.do("HINCRBY", "h", "n", fmt.Sprint(rnd.Intn(5)-2))
	case 3:
		r.do("SADD", "s", m)
	case 4:
		r.do("SREM", "s", m)
	case 5:
		r.do("ZADD", "z", fmt.Sprint(rnd.Intn(10)), m)
	case 6:
		r.do("ZINCRBY", "z", fmt.Sprint(rnd.Intn(4)), m)
	case 7:
		r.do("ZREM", "z", m)
	case 8:
		r.do("RPUSH", "l", m)
	case 9:
		r.do("LPUSH", "l", m)
	case 10:
		r.do("LPOP", "l")
	case 11:
		r.do("INCRBY", "c", fmt.Sprint(rnd.Intn(5)))
	case 12:
		r.do("SET", "c", fmt.Sprint(rnd.Intn(100)))
	case 13: // a key whose type changes
		[]func(){func() { r.do("HSET", "x", m, "v") }, func() { r.do("SADD", "x", m) }, func() { r.do("DEL", "x") }}[rnd.Intn(3)]()
	case 14:
		r.do("DEL", []string{"h", "s", "z", "l"}[rnd.Intn(4)])
	case 15:
		r.do("LREM", "l", "0", m)
	case 16:
		r.do("XADD", "st", "*", m, fmt.Sprint(rnd.Intn(100)))
	case 17:
		r.do("XTRIM", "st", "MAXLEN", fmt.Sprint(rnd.Intn(4)))
	case 18:
		r.do("XGROUP", "CREATE", "st", "g", "0", "MKSTREAM")
		r.do("XREADGROUP", "GROUP", "g", m, "COUNT", "1", "STREAMS", "st", ">")
	case 19:
		r.do("XDEL", "st", fmt.Sprintf("%d-0", r.kv.Now()-int64(rnd.Intn(4))))
	}
}

func TestTypeMergeLaws(t *testing.T) {
	for seed := int64(1); seed <= 60; seed++ {
		rnd := rand.New(rand.NewSource(seed))
		reps := []*lawReplica{newLawReplica("a", 1_000), newLawReplica("b", 1_000), newLawReplica("c", 1_000)}
		for step := 0; step < 80; step++ {
			i := rnd.Intn(3)
			reps[i].kv.advance(int64(rnd.Intn(3)))
			randomOp(rnd, reps[i])
			if rnd.Intn(8) == 0 { // a partial exchange
				j := rnd.Intn(3)
				mergeInto(reps[j].kv, reps[i].kv)
			}
		}
		a, b, c := reps[0], reps[1], reps[2]
		now := int64(1_000_000)
		want := union("r", now, a, b, c).view()
		for name, u := range map[string]*lawReplica{
			"c,b,a":         union("r", now, c, b, a),
			"b,a,c":         union("r", now, b, a, c),
			"(a,b),(b,c)":   union("r", now, union("x", now, a, b), union("y", now, b, c)),
			"a,a,b,b,c,c":   union("r", now, a, a, b, b, c, c),
			"(c,a),b,(a,c)": union("r", now, union("x", now, c, a), b, union("y", now, a, c)),
		} {
			if got := u.view(); got != want {
				t.Fatalf("seed %d: merging %s reads\n%s\nmerging a,b,c reads\n%s", seed, name, got, want)
			}
		}
		// Reading does not depend on which replica's actor reads.
		for _, node := range []string{"a", "b", "c"} {
			if got := union(node, now, a, b, c).view(); got != want {
				t.Fatalf("seed %d: read as %s differs:\n%s\nwant\n%s", seed, node, got, want)
			}
		}
		_ = slices.Clone(reps)
	}
}

// A sanity check that the histories exercise the rules: concurrent adds of
// distinct members on two replicas both survive their merge.
func TestTypeMergeKeepsConcurrentAdds(t *testing.T) {
	a, b := newLawReplica("a", 1_000), newLawReplica("b", 1_000)
	a.do("SADD", "s", "x")
	b.do("SADD", "s", "y")
	a.do("RPUSH", "l", "1")
	b.do("RPUSH", "l", "2")
	a.do("HINCRBY", "h", "n", "2")
	b.do("HINCRBY", "h", "n", "3")
	u := union("r", 2_000, a, b)
	for q, want := range map[string]string{
		"SMEMBERS s":   "1~ \"x\"\n2~ \"y\"",
		"LLEN l":       "(integer) 2",
		"HGET h n":     `"5"`,
		"SCARD s":      "(integer) 2",
		"TYPE s":       "set",
		"EXISTS s l h": "(integer) 3",
	} {
		if got := u.do(strings.Fields(q)...); got != want {
			t.Errorf("%s = %q, want %q", q, got, want)
		}
	}
	_ = version.KindSet
}
