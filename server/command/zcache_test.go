package command

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// TestZCacheSeesOtherNodesWrites: a view this node cached is not used
// once another node (a second dispatcher on the same store, or writes
// made through the store directly) changed the set: ZADD, ZINCRBY, ZREM,
// pops, ZREMRANGEBY*, DEL and recreation, and a header that expired.
func TestZCacheSeesOtherNodesWrites(t *testing.T) {
	f, _, other := newWalkFixture(t)
	f.script(`
> ZADD z 1 a 2 b 3 c
(integer) 3
> ZRANGE z 0 -1
1) "a"
2) "b"
3) "c"`)
	other.script(`
> ZREM z b
(integer) 1`)
	f.script(`
> ZCARD z
(integer) 2
> ZRANK z c
(integer) 1`)
	other.script(`
> ZPOPMIN z
1) "a"
2) "1"
> ZADD z 0 d
(integer) 1
> ZINCRBY z 10 d
"10"`)
	f.script(`
> ZRANGE z 0 -1 WITHSCORES
1) "c"
2) "3"
3) "d"
4) "10"
> ZPOPMAX z
1) "d"
2) "10"
> ZADD z 5 e
(integer) 1`)
	other.script(`
> ZREMRANGEBYSCORE z 5 5
(integer) 1`)
	f.script(`
> ZCOUNT z -inf +inf
(integer) 1
> ZPOPMAX z
1) "c"
2) "3"
> EXISTS z
(integer) 0
> ZADD z 1 a 2 b
(integer) 2
> ZCARD z
(integer) 2`)
	other.script(`
> ZPOPMIN z 2
1) "a"
2) "1"
3) "b"
4) "2"
> ZADD z 7 x
(integer) 1`)
	f.script(`
> ZRANGE z 0 -1
1) "x"
> ZREVRANK z x
(integer) 0`)
	other.script(`
> DEL z
(integer) 1
> ZADD z 9 y
(integer) 1`)
	f.script(`
> ZPOPMIN z
1) "y"
2) "9"
> EXISTS z
(integer) 0`)

	// Another coordinator's add and removal, as the store receives them:
	// a header rewrite, then the element write or tombstone.
	f.script(`
> ZADD q 1 a 2 b 3 c
(integer) 3
> ZCARD q
(integer) 3`)
	h := rawZTouch(t, f.kv, "q")
	rawZElem(t, f.kv, "q", "d", h, 0.5, true)
	f.script(`
> ZPOPMIN q
1) "d"
2) "0.5"`)
	h = rawZTouch(t, f.kv, "q")
	rawZElem(t, f.kv, "q", "a", h, 0, false)
	f.script(`
> ZPOPMIN q
1) "b"
2) "2"
> ZCARD q
(integer) 1`)

	// A header expiring by time (no write).
	f.script(`
> ZADD t 1 a
(integer) 1
> PEXPIRE t 100
(integer) 1
> ZCARD t
(integer) 1
!advance 200
> ZCARD t
(integer) 0
> ZADD t 2 b
(integer) 1
> ZRANGE t 0 -1
1) "b"`)
}

// TestZCacheAgreesWithStore: random zset writes on two nodes, every
// answer of the caching node equal to a fresh read of the store.
func TestZCacheAgreesWithStore(t *testing.T) {
	f, kv, other := newWalkFixture(t)
	fresh := &fixture{t: t, kv: f.kv}
	fresh.d = New(&Env{KV: kv, Settings: f.env.Settings, Clock: f.env.Clock})
	fresh.env = fresh.d.Env()
	fresh.s = fresh.d.NewSession(9, "127.0.0.1:5002", "127.0.0.1:6379")
	r := rand.New(rand.NewPCG(1, 2))
	mem := func() string { return "m" + strconv.Itoa(r.IntN(1500)) }
	score := func() string { return strconv.Itoa(r.IntN(100)) }
	for i := 0; i < 6000; i++ {
		w := f
		if r.IntN(10) == 0 {
			w = other
		}
		switch r.IntN(9) {
		case 0, 1, 2:
			w.do("ZADD", "z", score(), mem(), score(), mem())
		case 3:
			w.do("ZINCRBY", "z", score(), mem())
		case 4:
			w.do("ZREM", "z", mem(), mem())
		case 5:
			w.do("ZPOPMIN", "z", strconv.Itoa(r.IntN(3)))
		case 6:
			w.do("ZPOPMAX", "z")
		case 7:
			a := r.IntN(100)
			w.do("ZREMRANGEBYSCORE", "z", strconv.Itoa(a), strconv.Itoa(a))
		case 8:
			w.do("ZMPOP", "1", "z", "MIN", "COUNT", "2")
		}
		queries := [][]string{
			{"ZCARD", "z"},
			{"ZRANK", "z", mem()},
			{"ZREVRANK", "z", mem()},
			{"ZCOUNT", "z", score(), "(" + score()},
			{"ZRANGE", "z", strconv.Itoa(r.IntN(20) - 10), strconv.Itoa(r.IntN(20) - 10), "WITHSCORES"},
			{"ZRANGE", "z", "+inf", score(), "BYSCORE", "REV", "LIMIT", strconv.Itoa(r.IntN(3)), strconv.Itoa(r.IntN(4) - 1)},
			{"ZRANGEBYSCORE", "z", "(" + score(), score(), "LIMIT", strconv.Itoa(r.IntN(3)), strconv.Itoa(r.IntN(4) - 1)},
		}
		q := queries[r.IntN(len(queries))]
		fresh.d.zCache().drop([]byte("z"))
		want := fresh.do(q...).String()
		if got := f.do(q...).String(); got != want {
			t.Fatalf("step %d: %v = %s, a fresh read says %s", i, q, got, want)
		}
	}
	if f.do("ZCARD", "z").Int == 0 {
		t.Fatal("the set emptied: the test exercised little")
	}
}

// TestZCacheOpsWalkLittle: once the view is cached, pops, adds, ranks and
// short ranges visit no element record whatever the set's size.
func TestZCacheOpsWalkLittle(t *testing.T) {
	f, kv, _ := newWalkFixture(t)
	for i := 0; i < 20; i++ {
		args := []string{"ZADD", "z"}
		for j := 0; j < 100; j++ {
			args = append(args, strconv.Itoa(i*100+j), fmt.Sprintf("m%04d", i*100+j))
		}
		f.do(args...)
	}
	if r := f.do("ZCARD", "z"); r.Int != 2000 {
		t.Fatalf("ZCARD = %s", r)
	}
	kv.visited.Store(0)
	const ops = 200
	for i := 0; i < ops; i++ {
		f.do("ZPOPMIN", "z")
		f.do("ZPOPMAX", "z")
		f.do("ZADD", "z", "1000.5", fmt.Sprintf("x%d", i))
		f.do("ZRANK", "z", "m1000")
		f.do("ZRANGE", "z", "0", "1")
		f.do("ZCOUNT", "z", "10", "20")
		f.do("BZPOPMIN", "z", "0")
	}
	if v := kv.visited.Load(); v > ops {
		t.Errorf("%d operations visited %d element records", 7*ops, v)
	}
	f.script(`
> ZCARD z
(integer) 1600
> ZRANGE z 0 0
1) "m0400"
> ZRANK z m1000
(integer) 600`)
}

// TestZViewOrder: a view under random inserts and removals (splitting and
// emptying chunks) stays the sorted set of what it holds.
func TestZViewOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	v := newZView(nil)
	ref := map[string]float64{}
	for i := 0; i < 20000; i++ {
		m := "m" + strconv.Itoa(r.IntN(3000))
		if r.IntN(3) == 0 {
			v.del([]byte(m))
			delete(ref, m)
		} else {
			s := float64(r.IntN(50))
			v.set([]byte(m), s)
			ref[m] = s
		}
	}
	var want []zent
	for m, s := range ref {
		want = append(want, zent{member: []byte(m), score: s})
	}
	slices.SortFunc(want, zcmp)
	got := v.all()
	if v.n != len(want) || len(got) != len(want) {
		t.Fatalf("view holds %d (%d listed), want %d", v.n, len(got), len(want))
	}
	for i := range want {
		if zcmp(got[i], want[i]) != 0 {
			t.Fatalf("entry %d = %s %v, want %s %v", i, got[i].member, got[i].score, want[i].member, want[i].score)
		}
		if k, ok := v.rank(want[i].member); !ok || k != i {
			t.Fatalf("rank(%s) = %d %v, want %d", want[i].member, k, ok, i)
		}
	}
}

// rawZTouch rewrites a sorted set's header as another coordinator's touch
// would (actor "elsewhere") and returns its dot.
func rawZTouch(t *testing.T, kv *memKV, key string) version.Dot {
	t.Helper()
	kv.mu.Lock()
	defer kv.mu.Unlock()
	ik := string(ring.InternalKey([]byte(key)))
	cur := kv.m[ik]
	h, err := crdt.ResolveHeader(cur, kv.now)
	if err != nil {
		t.Fatal(err)
	}
	ns, dot := cur.Put("elsewhere", cur.Context(), version.Sibling{Kind: version.KindZSet, Value: crdt.EncodeHeader(h.Removed), Time: kv.now}, 0)
	kv.m[ik] = ns
	return dot
}

// rawZElem writes member with score (or, if !add, removes it) directly,
// as another coordinator's element write under header dot h.
func rawZElem(t *testing.T, kv *memKV, key, member string, h version.Dot, score float64, add bool) {
	t.Helper()
	kv.mu.Lock()
	defer kv.mu.Unlock()
	ek := string(ring.ElementKey(ring.ElemZSet, []byte(key), []byte(member)))
	cur := kv.m[ek]
	sb := version.Sibling{Tombstone: !add, Kind: version.KindCounter, Time: kv.now}
	if add {
		c := crdt.NewFloat().SetBaseFloat(score, crdt.NextStamp(cur, kv.now, "elsewhere"))
		sb.Value = crdt.EncodeElement(h, c.AppendBinary(nil))
	}
	kv.m[ek], _ = cur.Put("elsewhere", cur.Context(), sb, 0)
}
