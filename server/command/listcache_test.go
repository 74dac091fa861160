package command

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

var _ ReverseElementKV = (*walkKV)(nil)

// walkKV is memKV counting the element records list commands visit, with
// a reverse walk of its own.
type walkKV struct {
	*memKV
	visited atomic.Int64
	walks   atomic.Int64 // walks started (each a LevelDB iterator in the real store)
}

func (k *walkKV) Elements(ctx context.Context, prefix, after []byte, o replica.ReadOptions, fn func([]byte, version.Set) bool) error {
	k.walks.Add(1)
	return k.memKV.Elements(ctx, prefix, after, o, func(key []byte, s version.Set) bool {
		k.visited.Add(1)
		return fn(key, s)
	})
}

func (k *walkKV) ElementsReverse(_ context.Context, prefix, before []byte, _ replica.ReadOptions, fn func([]byte, version.Set) bool) error {
	k.walks.Add(1)
	return k.memKV.elementsReverse(prefix, before, func(key []byte, s version.Set) bool {
		k.visited.Add(1)
		return fn(key, s)
	})
}

// newWalkFixture is a fixture over a walkKV, and a second dispatcher on
// the same store: another node whose writes this one's cache never saw.
func newWalkFixture(t *testing.T) (*fixture, *walkKV, *fixture) {
	t.Helper()
	f := newFixture(t)
	kv := &walkKV{memKV: f.kv}
	f.d = New(&Env{KV: kv, Settings: f.env.Settings, Clock: f.env.Clock})
	f.s = f.d.NewSession(7, "127.0.0.1:5000", "127.0.0.1:6379")
	return f, kv, f.node(kv, 8)
}

// node is another node on f's store (through kv): a dispatcher of its
// own, with caches that saw nothing, and session id.
func (f *fixture) node(kv KV, id uint64) *fixture {
	g := &fixture{t: f.t, kv: f.kv}
	g.d = New(&Env{KV: kv, Settings: f.env.Settings, Clock: f.env.Clock})
	g.env = g.d.Env()
	g.s = g.d.NewSession(id, fmt.Sprintf("127.0.0.1:%d", 4993+id), "127.0.0.1:6379")
	return g
}

// TestListCacheSeesOtherNodesWrites: facts this node cached are not used
// once another node (a second dispatcher on the same store, or writes
// made through the store directly, as a replica receives another
// coordinator's) changed the list: pushes, pops, LREM, LTRIM, LSET, DEL
// and recreation, and a header that expired by time.
func TestListCacheSeesOtherNodesWrites(t *testing.T) {
	f, kv, other := newWalkFixture(t)
	f.script(`
> RPUSH l a b c
(integer) 3
> LLEN l
(integer) 3`)
	other.script(`
> RPUSH l d
(integer) 4
> LPOP l
"a"`)
	f.script(`
> LLEN l
(integer) 3
> LINDEX l -1
"d"
> LINDEX l 0
"b"
> RPUSH l e
(integer) 4
> LRANGE l 0 -1
1) "b"
2) "c"
3) "d"
4) "e"`)
	other.script(`
> LREM l 0 c
(integer) 1
> LSET l -1 E
OK`)
	f.script(`
> LLEN l
(integer) 3
> RPOP l
"E"
> LPUSH l a
(integer) 3`)
	other.script(`
> LTRIM l 1 1
OK`)
	f.script(`
> LRANGE l -5 -1
1) "b"
> LLEN l
(integer) 1`)
	other.script(`
> DEL l
(integer) 1
> LPUSH l x y
(integer) 2`)
	f.script(`
> LLEN l
(integer) 2
> LPOP l
"y"
> RPOP l
"x"
> EXISTS l
(integer) 0`)

	// Another coordinator's push and pop, as the store receives them: a
	// header rewrite, then the element write or tombstone.
	f.script(`
> RPUSH q a b c
(integer) 3
> LLEN q
(integer) 3`)
	ids := listIDs(t, f.kv, "q")
	h := rawTouch(t, f.kv, "q")
	rawElem(t, f.kv, "q", posID(posAfter(ids[2]), posTag(h)), h, []byte("d"))
	f.script(`
> LLEN q
(integer) 4
> LINDEX q -1
"d"`)
	h = rawTouch(t, f.kv, "q")
	rawElem(t, f.kv, "q", ids[0], h, nil) // pops "a"
	f.script(`
> LPOP q
"b"
> LLEN q
(integer) 2
> RPOP q
"d"`)

	// A header expiring by time (no write): the list is gone, and pushes
	// start from nothing.
	f.script(`
> RPUSH t a b
(integer) 2
> PEXPIRE t 100
(integer) 1
> LLEN t
(integer) 2
!advance 200
> LLEN t
(integer) 0
> RPUSH t c
(integer) 1
> LRANGE t 0 -1
1) "c"`)
	_ = kv
}

// TestListCacheEndOpsWalkLittle: once the facts are cached, pushes, pops,
// LLEN and indexes near either end visit a few element records whatever
// the list's length, and popped elements' tombstones are not walked over.
func TestListCacheEndOpsWalkLittle(t *testing.T) {
	f, kv, _ := newWalkFixture(t)
	for i := 0; i < 20; i++ {
		args := []string{"RPUSH", "l"}
		for j := 0; j < 100; j++ {
			args = append(args, fmt.Sprint(i*100+j))
		}
		f.do(args...)
	}
	expectN := func(want int64, args ...string) {
		t.Helper()
		r := f.do(args...)
		if r.Kind != resp.KindInt || r.Int != want {
			t.Fatalf("%v = %s, want %d", args, r, want)
		}
	}
	expectN(2000, "LLEN", "l")
	// Pops at both ends, reads at both ends.
	kv.visited.Store(0)
	const ops = 200
	for i := 0; i < ops; i++ {
		f.do("LPOP", "l")
		f.do("RPOP", "l")
		expectN(int64(2000-2*(i+1)), "LLEN", "l")
		f.do("LINDEX", "l", "0")
		f.do("LINDEX", "l", "-3")
		f.do("LRANGE", "l", "-2", "-1")
		f.do("LRANGE", "l", "0", "1")
	}
	if v := kv.visited.Load(); v > 13*ops { // pops read listPopAhead past what they take
		t.Errorf("%d end operations visited %d element records (%.1f each)", 7*ops, v, float64(v)/(7*ops))
	}
	f.script(`
> LINDEX l 0
"200"
> LINDEX l -1
"1799"
> LLEN l
(integer) 1600`)
	// A queue (RPUSH, LPOP) and a stack (RPUSH, RPOP) churning: each op
	// walks to its end element only, never over earlier pops' tombstones.
	kv.visited.Store(0)
	for i := 0; i < ops; i++ {
		expectN(1601, "RPUSH", "l", "x")
		f.do("LPOP", "l")
		expectN(1601, "RPUSH", "l", "y")
		f.script(`
> RPOP l
"y"`)
	}
	if v := kv.visited.Load(); v > 4*ops {
		t.Errorf("%d queue and stack operations visited %d element records", 4*ops, v)
	}
	expectN(1600, "LLEN", "l")
}

// rawTouch rewrites l's header as another coordinator's touch would
// (actor "elsewhere") and returns its dot.
func rawTouch(t *testing.T, kv *memKV, key string) version.Dot {
	t.Helper()
	kv.mu.Lock()
	defer kv.mu.Unlock()
	ik := string(ring.InternalKey([]byte(key)))
	cur := kv.m[ik]
	h, err := crdt.ResolveHeader(cur, kv.now)
	if err != nil {
		t.Fatal(err)
	}
	ns, dot := cur.Put("elsewhere", cur.Context(), version.Sibling{Kind: version.KindList, Value: crdt.EncodeHeader(h.Removed), Time: kv.now}, 0)
	kv.m[ik] = ns
	return dot
}

// rawElem writes (or with val nil removes) list element id of key
// directly, as another coordinator's element write under header dot h.
func rawElem(t *testing.T, kv *memKV, key string, id []byte, h version.Dot, val []byte) {
	t.Helper()
	kv.mu.Lock()
	defer kv.mu.Unlock()
	ek := string(ring.ElementKey(ring.ElemList, []byte(key), id))
	cur := kv.m[ek]
	sb := version.Sibling{Tombstone: val == nil, Kind: version.KindString, Time: kv.now}
	if val != nil {
		sb.Value = crdt.EncodeElement(h, val)
	}
	kv.m[ek], _ = cur.Put("elsewhere", cur.Context(), sb, 0)
}

// listIDs returns key's live element identifiers in order.
func listIDs(t *testing.T, kv *memKV, key string) [][]byte {
	t.Helper()
	var ids [][]byte
	_ = kv.Elements(context.Background(), ring.ElementPrefix(ring.ElemList, []byte(key)), nil, replica.ReadOptions{}, func(k []byte, s version.Set) bool {
		if s.HasLive() {
			_, _, m, _ := ring.ParseElement(k)
			ids = append(ids, m)
		}
		return true
	})
	return ids
}

// A key written again takes its new value in its entry, allocating
// nothing (every push and pop of a hot list re-puts its facts), and the
// cache's weight and bounds still hold.
func TestHdrCachePutAgainReusesTheEntry(t *testing.T) {
	hc := newHdrCache(10, func(n int) int { return n })
	h := crdt.Header{Context: version.Context{}.With(version.Dot{Node: "a", Counter: 1})}
	key := []byte("mylist")
	hc.put(key, h, 3, 1)
	hc.put([]byte("other"), h, 2, 1)
	if n := testing.AllocsPerRun(100, func() { hc.put(key, h, 3, 2) }); n != 0 {
		t.Errorf("put of a cached key made %.0f allocations, want 0", n)
	}
	if v, walked, ok := hc.get(key, h, 3, 0); !ok || v != 3 || walked != 2 {
		t.Errorf("get = %d, %d, %v; want the new value", v, walked, ok)
	}
	hc.put(key, h, 9, 3) // 9 + 2 > 10: the other key goes
	if _, _, ok := hc.get([]byte("other"), h, 3, 0); ok || hc.used != 9 {
		t.Errorf("after a heavier value: other kept %v, used %d; want evicted, 9", ok, hc.used)
	}
	hc.put(key, h, 11, 4) // heavier than the cache: not kept
	if _, _, ok := hc.get(key, h, 4, 0); ok || hc.used != 0 || len(hc.m) != 0 {
		t.Errorf("a value heavier than the cache: kept %v, used %d, %d entries", ok, hc.used, len(hc.m))
	}
}
