package command

import (
	"fmt"
	"math/rand"
	"slices"
	"strconv"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

// TestListHeadCacheSparesWalks: a list read again unchanged is answered
// from the head this node kept, not by walking its elements again, for
// the same range and any shorter one from the head; a longer one walks.
func TestListHeadCacheSparesWalks(t *testing.T) {
	f, kv, _ := newWalkFixture(t)
	args := []string{"RPUSH", "l"}
	for i := 0; i < 300; i++ {
		args = append(args, strconv.Itoa(i))
	}
	f.do(args...)
	walks := func(args ...string) (resp.Reply, int64) {
		before := kv.visited.Load()
		r := f.do(args...)
		return r, kv.visited.Load() - before
	}
	first, n := walks("LRANGE", "l", "0", "99")
	if len(first.Elems) != 100 || n < 100 {
		t.Fatalf("first LRANGE l 0 99: %d elements, %d records walked", len(first.Elems), n)
	}
	for _, rng := range [][2]string{{"0", "99"}, {"0", "9"}, {"5", "20"}, {"-300", "-250"}} {
		r, n := walks("LRANGE", "l", rng[0], rng[1])
		if n != 0 {
			t.Errorf("LRANGE l %s %s again: %d records walked, want 0 (the kept head)", rng[0], rng[1], n)
		}
		a, _ := strconv.Atoi(rng[0])
		if a < 0 {
			a += 300
		}
		if len(r.Elems) == 0 || r.Elems[0].Text() != strconv.Itoa(a) {
			t.Errorf("LRANGE l %s %s from the head: %v", rng[0], rng[1], r.Elems)
		}
	}
	if _, n := walks("LRANGE", "l", "0", "199"); n < 200 {
		t.Errorf("LRANGE l 0 199 past the kept 100: %d records walked, want a walk", n)
	}
	f.do("RPUSH", "short", "a", "b")
	walks("LRANGE", "short", "0", "99") // the whole list
	if r, n := walks("LRANGE", "short", "0", "500"); n != 0 || len(r.Elems) != 2 {
		t.Errorf("LRANGE of a whole kept list again: %v, %d records walked", r.Elems, n)
	}
}

// TestListHeadCacheFollowsWrites: over random list writes, made on this
// node and on another (a second dispatcher on the same store), this
// node's LRANGE from the head answers what a node with no cache answers.
func TestListHeadCacheFollowsWrites(t *testing.T) {
	f, kv, other := newWalkFixture(t)
	fresh := func() *fixture { return f.node(kv, 9) } // a node that has cached nothing
	rng := rand.New(rand.NewSource(3))
	hits := 0
	for i := 0; i < 400; i++ {
		w := f
		if rng.Intn(3) == 0 {
			w = other
		}
		v := fmt.Sprint("v", i)
		idx := strconv.Itoa(rng.Intn(6) - 3)
		switch rng.Intn(10) {
		case 0, 1:
			w.do("LPUSH", "l", v, v+"b")
		case 2:
			w.do("RPUSH", "l", v)
		case 3:
			w.do("LPOP", "l")
		case 4:
			w.do("RPOP", "l", "2")
		case 5:
			w.do("LSET", "l", idx, v)
		case 6:
			w.do("LREM", "l", "1", fmt.Sprint("v", rng.Intn(i+1)))
		case 7:
			w.do("LINSERT", "l", "BEFORE", fmt.Sprint("v", rng.Intn(i+1)), v)
		case 8:
			w.do("LTRIM", "l", "1", "-2")
		default:
			if rng.Intn(4) == 0 {
				w.do("DEL", "l")
			}
		}
		stop := strconv.Itoa(rng.Intn(12))
		for j := 0; j < 2; j++ { // the second read may be the kept head
			got := f.do("LRANGE", "l", "0", stop)
			want := fresh().do("LRANGE", "l", "0", stop)
			if !slices.EqualFunc(got.Elems, want.Elems, func(a, b resp.Reply) bool { return a.Text() == b.Text() }) {
				t.Fatalf("step %d: LRANGE l 0 %s: %v, a node with no cache: %v", i, stop, got.Elems, want.Elems)
			}
			if j == 1 && len(got.Elems) > 0 {
				hits++
			}
		}
	}
	if hits == 0 {
		t.Fatal("no LRANGE read a non-empty list: the test tests nothing")
	}
}
