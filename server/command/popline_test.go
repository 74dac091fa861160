package command

import (
	"strconv"
	"sync"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

// Pops of one list from many clients at once meet in batches (popLines)
// and still pop each element exactly once, in list order: every client's
// LPOPs see rising elements and its RPOPs falling ones, and the list is
// gone when they all found it empty.
func TestPopsOfOneListMeetInBatches(t *testing.T) {
	testPopsMeet(t, "rpush", func(i int) []string { return []string{strconv.Itoa(i)} }, "lpop", "rpop",
		func(r resp.Reply) []resp.Reply {
			if r.Kind == resp.KindBulk {
				return []resp.Reply{r}
			}
			return r.Elems
		})
}

// As TestPopsOfOneListMeetInBatches, for ZPOPMIN and ZPOPMAX.
func TestPopsOfOneZsetMeetInBatches(t *testing.T) {
	testPopsMeet(t, "zadd", func(i int) []string { return []string{strconv.Itoa(i), strconv.Itoa(i)} }, "zpopmin", "zpopmax",
		func(r resp.Reply) []resp.Reply {
			var out []resp.Reply
			for i := 0; i < len(r.Elems); i += 2 {
				if r.Elems[i].Text() != r.Elems[i+1].Text() {
					return []resp.Reply{resp.Bulk([]byte("member " + r.Elems[i].Text() + " scored " + r.Elems[i+1].Text()))}
				}
				out = append(out, r.Elems[i])
			}
			return out
		})
}

// testPopsMeet fills key k with elements 0..n-1 (add's arguments for
// element i after add k), then 8 clients pop it at both ends (low, high),
// a quarter of them with a count of 3, until they find it empty; elems
// is a pop reply's elements.
func testPopsMeet(t *testing.T, add string, arg func(i int) []string, low, high string, elems func(resp.Reply) []resp.Reply) {
	const n = 3000
	d, s := filledKey(t, add, n, arg)
	var mu sync.Mutex
	seen := make(map[int]int)
	runClients(d, 8, func(c int, s *Session) {
		lastLow, lastHigh := -1, n
		for i := 0; i < 2*n; i++ {
			isLow := (c+i)%3 != 0
			cmd := high
			if isLow {
				cmd = low
			}
			args := []string{cmd, "k"}
			if i%4 == 0 {
				args = append(args, "3")
			}
			r := doWords(d, s, args...)
			switch {
			case r.Kind == resp.KindNull || r.Kind == resp.KindNullArray || r.Kind == resp.KindArray && len(r.Elems) == 0:
				return
			case r.Kind != resp.KindBulk && r.Kind != resp.KindArray:
				t.Errorf("%v = %v", args, r)
				return
			}
			for _, v := range elems(r) {
				e, err := strconv.Atoi(v.Text())
				if err != nil {
					t.Errorf("%v gave %q", args, v.Text())
					return
				}
				if isLow && e <= lastLow || !isLow && e >= lastHigh {
					t.Errorf("client %d: %s gave %d after %d (low) / %d (high)", c, cmd, e, lastLow, lastHigh)
				}
				if isLow {
					lastLow = e
				} else {
					lastHigh = e
				}
				mu.Lock()
				seen[e]++
				mu.Unlock()
			}
		}
		t.Errorf("client %d: the key never emptied", c)
	})
	allLeftOnce(t, d, s, n, seen)
}

// allLeftOnce checks the end of a pop test: each of elements 0..n-1 left
// k once (gone counts them), k is gone, pops met in batches and no line
// is left.
func allLeftOnce(t *testing.T, d *Dispatcher, s *Session, n int, gone map[int]int) {
	t.Helper()
	for e := range n {
		if gone[e] != 1 {
			t.Errorf("element %d left the key %d times", e, gone[e])
		}
	}
	if r := doWords(d, s, "exists", "k"); r.Int != 0 {
		t.Errorf("EXISTS k = %v after the pops found it empty", r)
	}
	if got := d.pops.joined.Load(); got == 0 {
		t.Error("no pop was served in another's batch")
	} else {
		t.Logf("%d pops were served in another's batch", got)
	}
	if len(d.pops.m) != 0 {
		t.Errorf("%d lines left", len(d.pops.m))
	}
}

// SPOPs of one set from many clients at once meet in batches, which draw
// their members together (popBatch): each member leaves exactly once,
// popped or removed by a client's SREM behind the pools' backs, and the
// set is gone when the pops found it empty.
func TestSpopsOfOneSetMeetInBatches(t *testing.T) {
	const n = 3000
	d, s := filledKey(t, "sadd", n, func(i int) []string { return []string{strconv.Itoa(i)} })
	var mu sync.Mutex
	gone := make(map[int]int) // popped or removed by SREM
	runClients(d, 8, func(c int, s *Session) {
		for i := 0; i < n; i++ {
			if c == 0 && i%3 == 0 {
				if r := doWords(d, s, "srem", "k", strconv.Itoa(i)); r.Int == 1 {
					mu.Lock()
					gone[i]++
					mu.Unlock()
				}
				continue
			}
			r := doWords(d, s, "spop", "k")
			switch r.Kind {
			case resp.KindNull:
				return
			case resp.KindBulk:
			default:
				t.Errorf("SPOP = %v", r)
				return
			}
			e, err := strconv.Atoi(r.Text())
			if err != nil {
				t.Errorf("SPOP gave %q", r.Text())
				return
			}
			mu.Lock()
			gone[e]++
			mu.Unlock()
		}
		t.Errorf("client %d: the set never emptied", c)
	})
	allLeftOnce(t, d, s, n, gone)
}

// filledKey is a dispatcher on a real engine whose key k holds elements
// 0..n-1, added with add (arg(i) its arguments for element i), and a
// session of it.
func filledKey(t *testing.T, add string, n int, arg func(i int) []string) (*Dispatcher, *Session) {
	coord, _ := engineNode(t)
	d := engineDispatcher(coord)
	s := d.NewSession(99, "127.0.0.1:5000", "127.0.0.1:6379")
	for i := 0; i < n; i += 100 {
		args := []string{add, "k"}
		for j := i; j < min(i+100, n); j++ {
			args = append(args, arg(j)...)
		}
		if r := doWords(d, s, args...); r.IsError() {
			t.Fatalf("%s: %v", add, r)
		}
	}
	return d, s
}
