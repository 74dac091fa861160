package command

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

// Pushes of one element to one list decide their element and reply
// inside one group write (listPushOne), so many clients' pushes meet in
// one LevelDB batch; each reply is still the length its push made (a
// permutation of 1..N over all pushes), every element is there once, and
// each client's elements keep its order. A node that holds no facts for
// the list (another dispatcher over the same store) pushes the long way
// and answers the same.
func TestSinglePushesOfOneListCombine(t *testing.T) {
	coord, db := engineNode(t)
	d := engineDispatcher(coord)
	do := doWords
	const clients, each = 8, 150
	var mu sync.Mutex
	replies := map[int64]int{}
	runClients(d, clients, func(c int, s *Session) {
		cmd := []string{"lpush", "rpush"}[c%2]
		for i := range each {
			r := do(d, s, cmd, "l", fmt.Sprintf("%d-%d", c, i))
			if r.Kind != resp.KindInt {
				t.Errorf("%s l %d-%d: %v", cmd, c, i, r)
				return
			}
			mu.Lock()
			replies[r.Int]++
			mu.Unlock()
		}
	})
	const n = clients * each
	for k := int64(1); k <= n; k++ {
		if replies[k] != 1 {
			t.Fatalf("%d pushes answered length %d, want exactly one (each push counts itself once)", replies[k], k)
		}
	}
	s := d.NewSession(99, "127.0.0.1:5000", "127.0.0.1:6379")
	if r := do(d, s, "llen", "l"); r.Int != n {
		t.Fatalf("LLEN = %v, want %d", r, n)
	}
	all := do(d, s, "lrange", "l", "0", "-1")
	if len(all.Elems) != n {
		t.Fatalf("LRANGE has %d elements, want %d", len(all.Elems), n)
	}
	pos := map[string]int{}
	for i, e := range all.Elems {
		if _, dup := pos[string(e.Bytes)]; dup {
			t.Fatalf("%s is in the list twice", e.Bytes)
		}
		pos[string(e.Bytes)] = i
	}
	for c := range clients {
		for i := 1; i < each; i++ {
			prev, cur := pos[fmt.Sprintf("%d-%d", c, i-1)], pos[fmt.Sprintf("%d-%d", c, i)]
			if c%2 == 0 && cur > prev || c%2 == 1 && cur < prev {
				t.Fatalf("client %d's pushes %d and %d are out of its order: positions %d, %d", c, i-1, i, prev, cur)
			}
		}
	}
	if got := db.Stats().Combined; got == 0 {
		t.Errorf("no push combined among %d clients pushing to one list", clients)
	} else {
		t.Logf("%d of %d pushes combined", got, n)
	}

	// A node with no facts for l: the long way, the same answers.
	d2 := engineDispatcher(coord)
	s2 := d2.NewSession(100, "127.0.0.1:5000", "127.0.0.1:6379")
	if r := do(d2, s2, "rpush", "l", "last"); r.Int != n+1 {
		t.Fatalf("RPUSH through a node without facts = %v, want %d", r, n+1)
	}
	if r := do(d2, s2, "lpush", "l", "first"); r.Int != n+2 {
		t.Fatalf("LPUSH after it = %v, want %d", r, n+2)
	}
	if r := do(d2, s2, "lindex", "l", "-1"); string(r.Bytes) != "last" {
		t.Fatalf("LINDEX l -1 = %v, want last", r)
	}
	if r := do(d2, s2, "lindex", "l", "0"); string(r.Bytes) != "first" {
		t.Fatalf("LINDEX l 0 = %v, want first", r)
	}
	if r := do(d2, s2, "set", "str", "x"); r.IsError() {
		t.Fatal(r)
	}
	if r := do(d2, s2, "lpush", "str", "y"); !strings.HasPrefix(r.String(), "(error) WRONGTYPE") {
		t.Fatalf("LPUSH on a string = %v, want WRONGTYPE", r)
	}
}
