package command

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/resp"
)

// Pops at one end take the elements the last pop's walk read past what
// it popped: one walk per listPopAhead pops, not one per pop.
func TestListPopsTakeWhatTheirWalkReadAhead(t *testing.T) {
	testPopsReadAhead(t, false, listPopAhead)
}

// In a cluster, where a walk reads pages from the replicas, they read
// further ahead: one walk per listPopAheadCluster pops.
func TestListPopsReadFurtherAheadInACluster(t *testing.T) {
	testPopsReadAhead(t, true, listPopAheadCluster)
}

func testPopsReadAhead(t *testing.T, clustered bool, ahead int) {
	f, kv, _ := newWalkFixture(t)
	if clustered {
		f.d = New(&Env{KV: kv, Settings: f.env.Settings, Clock: f.env.Clock, Topology: fakeTopology{}})
		f.s = f.d.NewSession(7, "127.0.0.1:5000", "127.0.0.1:6379")
	}
	args := []string{"RPUSH", "l"}
	for i := range 1000 {
		args = append(args, strconv.Itoa(i))
	}
	f.do(args...)
	f.do("LLEN", "l")
	kv.walks.Store(0)
	const pops = 160
	for i := range pops {
		if got := f.do("LPOP", "l"); got.Text() != strconv.Itoa(i) {
			t.Fatalf("LPOP #%d = %s", i, got)
		}
		if got := f.do("RPOP", "l"); got.Text() != strconv.Itoa(999-i) {
			t.Fatalf("RPOP #%d = %s", i, got)
		}
	}
	if w := kv.walks.Load(); w > int64(2*pops/(ahead/2)) {
		t.Errorf("%d pops walked the list %d times", 2*pops, w)
	}
}

// Pops that take their elements from what earlier walks read agree with
// a model list through random pushes, pops of counts, LREM, LINSERT,
// LSET, LTRIM and DEL, from this node and from another whose writes this
// one's cache never saw.
func TestListPopsAheadFollowWrites(t *testing.T) {
	f, _, other := newWalkFixture(t)
	rng := rand.New(rand.NewSource(5))
	var model []string
	texts := func(r resp.Reply) []string {
		if r.Kind == resp.KindBulk {
			return []string{r.Text()}
		}
		var out []string
		for _, e := range r.Elems {
			out = append(out, e.Text())
		}
		return out
	}
	for i := range 1500 {
		w := f
		if rng.Intn(8) == 0 {
			w = other
		}
		v := fmt.Sprint("v", i)
		n := rng.Intn(4) + 1
		var got, want []string
		switch op := rng.Intn(12); op {
		case 0, 1:
			w.do("RPUSH", "l", v, v+"b")
			model = append(model, v, v+"b")
		case 2:
			w.do("LPUSH", "l", v)
			model = append([]string{v}, model...)
		case 3, 4, 5:
			got = texts(w.do("LPOP", "l", strconv.Itoa(n)))
			k := min(n, len(model))
			want, model = slices.Clone(model[:k]), model[k:]
		case 6, 7:
			got = texts(w.do("RPOP", "l", strconv.Itoa(n)))
			k := min(n, len(model))
			for range k {
				want, model = append(want, model[len(model)-1]), model[:len(model)-1]
			}
		case 8:
			if len(model) > 0 {
				x := model[rng.Intn(len(model))]
				w.do("LREM", "l", "1", x)
				model = slices.Delete(model, slices.Index(model, x), slices.Index(model, x)+1)
			}
		case 9:
			if len(model) > 0 {
				j := rng.Intn(len(model))
				w.do("LINSERT", "l", "BEFORE", model[j], v)
				model = slices.Insert(model, slices.Index(model, model[j]), v)
			}
		case 10:
			if len(model) > 0 {
				j := rng.Intn(len(model))
				w.do("LSET", "l", strconv.Itoa(j), v)
				model[j] = v
			}
		default:
			if rng.Intn(3) == 0 {
				w.do("DEL", "l")
				model = nil
			} else {
				w.do("LTRIM", "l", "1", "-1")
				if len(model) > 0 {
					model = model[1:]
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: popped %v, want %v", i, got, want)
		}
	}
	if got := texts(f.do("LRANGE", "l", "0", "-1")); !slices.Equal(got, model) {
		t.Fatalf("at the end: LRANGE %v, want %v", got, model)
	}
}

// A pop of count elements removes them and rewrites the header as one
// group write (one LevelDB batch on each replica), not one write each;
// an element found gone meanwhile is skipped, the next one popped.
func TestListPopOfCountIsOneWrite(t *testing.T) {
	f := newFixture(t)
	f.do("RPUSH", "l", "a", "", "c", "d", "e", "f")
	f.do("LLEN", "l")
	f.kv.takeWrites()
	if got := f.do("LPOP", "l", "3").String(); got != "1) \"a\"\n2) \"\"\n3) \"c\"" {
		t.Fatalf("LPOP l 3 = %q", got)
	}
	if got := f.do("RPOP", "l", "2").String(); got != "1) \"f\"\n2) \"e\"" {
		t.Fatalf("RPOP l 2 = %q", got)
	}
	if w := f.kv.takeWrites(); w != 2 {
		t.Errorf("two pops of counts made %d writes, want 2", w)
	}
	if got := f.do("LRANGE", "l", "0", "-1").String(); got != "1) \"d\"" {
		t.Errorf("LRANGE = %q, want d", got)
	}
	// More than the pops before read ahead: one write still.
	args := []string{"RPUSH", "m"}
	for i := range 3 * listPopAhead {
		args = append(args, strconv.Itoa(i))
	}
	f.do(args...)
	f.do("LPOP", "m")
	f.kv.takeWrites()
	got := f.do("LPOP", "m", strconv.Itoa(2*listPopAhead))
	if len(got.Elems) != 2*listPopAhead || got.Elems[0].Text() != "1" || got.Elems[2*listPopAhead-1].Text() != strconv.Itoa(2*listPopAhead) {
		t.Fatalf("LPOP m %d = %s", 2*listPopAhead, got)
	}
	if w := f.kv.takeWrites(); w != 1 {
		t.Errorf("a pop of more than was read ahead made %d writes, want 1", w)
	}
}

// hookKV runs before, once, ahead of the next group write: another
// coordinator's write landing between a command's reads and its write.
type hookKV struct {
	*memKV
	before func()
}

func (k *hookKV) UpdateGroupNamed(ctx context.Context, keys [][]byte, name replica.GroupKeyFunc, o replica.WriteOptions, fn replica.GroupFunc) ([]replica.Result, error) {
	if b := k.before; b != nil {
		k.before = nil
		b()
	}
	return k.memKV.UpdateGroupNamed(ctx, keys, name, o, fn)
}

// A pop of count whose header moved between its facts and its group write
// (another coordinator pushed to the head) writes nothing and begins
// again: it pops the new head, not the elements its facts named.
func TestListPopOfCountBeginsAgainWhenTheHeaderMoved(t *testing.T) {
	f := newFixture(t)
	kv := &hookKV{memKV: f.kv}
	f.d = New(&Env{KV: kv, Settings: f.env.Settings, Clock: f.env.Clock})
	f.s = f.d.NewSession(7, "127.0.0.1:5000", "127.0.0.1:6379")
	other := f.node(f.kv, 8)
	f.do("RPUSH", "l", "a", "b", "c")
	f.do("LLEN", "l")
	kv.before = func() { other.do("LPUSH", "l", "z") }
	if got := f.do("LPOP", "l", "2").String(); got != "1) \"z\"\n2) \"a\"" {
		t.Fatalf("LPOP l 2 = %q, want z a", got)
	}
	if got := f.do("LRANGE", "l", "0", "-1").String(); got != "1) \"b\"\n2) \"c\"" {
		t.Errorf("LRANGE = %q, want b c", got)
	}
}

// A pop or removal of many elements writes them in groups of groupMax at
// most, each one write, not one write of them all.
func TestRemovalsOfManyWriteBoundedGroups(t *testing.T) {
	f := newFixture(t)
	const n = 2*groupMax + 10
	list, zset := []string{"RPUSH", "l"}, []string{"ZADD", "z"}
	for i := range n {
		list = append(list, strconv.Itoa(i))
		zset = append(zset, strconv.Itoa(i), strconv.Itoa(i))
	}
	f.do(list...)
	f.do(zset...)
	writes := f.kv.takeWrites
	for _, cmd := range []string{"LPOP l", "ZPOPMIN z"} {
		writes()
		words := append(strings.Fields(cmd), strconv.Itoa(n))
		r := f.do(words...)
		step := len(r.Elems) / n
		if step == 0 || len(r.Elems) != step*n || r.Elems[0].Text() != "0" || r.Elems[step*(n-1)].Text() != strconv.Itoa(n-1) {
			t.Fatalf("%v = %d elements, want %d in order", words, len(r.Elems), n)
		}
		// The last group write deletes the emptied key: one more.
		if w, want := writes(), (n+groupMax-1)/groupMax+1; w != want {
			t.Errorf("%v made %d writes, want %d", words, w, want)
		}
	}
}
