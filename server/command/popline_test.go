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
	coord, _ := engineNode(t)
	d := engineDispatcher(coord)
	s := d.NewSession(99, "127.0.0.1:5000", "127.0.0.1:6379")
	const n = 3000
	for i := 0; i < n; i += 100 {
		args := []string{"rpush", "l"}
		for j := i; j < i+100; j++ {
			args = append(args, strconv.Itoa(j))
		}
		doWords(d, s, args...)
	}
	var mu sync.Mutex
	seen := make(map[int]int)
	runClients(d, 8, func(c int, s *Session) {
		lastL, lastR := -1, n
		for i := 0; i < 2*n; i++ {
			left := (c+i)%3 != 0
			cmd := "rpop"
			if left {
				cmd = "lpop"
			}
			args := []string{cmd, "l"}
			if i%4 == 0 {
				args = append(args, "3")
			}
			r := doWords(d, s, args...)
			var vals []resp.Reply
			switch r.Kind {
			case resp.KindNull, resp.KindNullArray:
				return
			case resp.KindBulk:
				vals = []resp.Reply{r}
			case resp.KindArray:
				vals = r.Elems
			default:
				t.Errorf("%v = %v", args, r)
				return
			}
			for _, v := range vals {
				e, err := strconv.Atoi(v.Text())
				if err != nil {
					t.Errorf("%v gave %q", args, v.Text())
					return
				}
				if left && e <= lastL || !left && e >= lastR {
					t.Errorf("client %d: %s gave %d after %d (left) / %d (right)", c, cmd, e, lastL, lastR)
				}
				if left {
					lastL = e
				} else {
					lastR = e
				}
				mu.Lock()
				seen[e]++
				mu.Unlock()
			}
		}
		t.Errorf("client %d: the list never emptied", c)
	})
	for e := range n {
		if seen[e] != 1 {
			t.Errorf("element %d popped %d times", e, seen[e])
		}
	}
	if r := doWords(d, s, "exists", "l"); r.Int != 0 {
		t.Errorf("EXISTS l = %v after every element was popped", r)
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
