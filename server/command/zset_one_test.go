package command

import (
	"fmt"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

// ZADD and ZINCRBY of one member run together on one sorted set
// (lockSingle), and the engine stores those that meet in one batch: no
// increment and no member is lost, and each ZADD of a new member answers
// 1. XX on a missing key writes nothing, another type answers WRONGTYPE,
// and a set whose view is cached (read by ZRANGE) keeps it current.
func TestSingleZaddsOfOneSetCombine(t *testing.T) {
	coord, db := engineNode(t)
	d := engineDispatcher(coord)
	do := doWords
	const clients, each = 8, 150
	runClients(d, clients, func(c int, s *Session) {
		for i := range each {
			if r := do(d, s, "zadd", "z", fmt.Sprint(i), fmt.Sprintf("%d-%d", c, i)); r.Kind != resp.KindInt || r.Int != 1 {
				t.Errorf("ZADD z %d %d-%d = %v, want 1", i, c, i, r)
				return
			}
			if r := do(d, s, "zincrby", "z", "1", "hot"); r.Kind == resp.KindError {
				t.Errorf("ZINCRBY z 1 hot: %v", r)
				return
			}
		}
	})
	s := d.NewSession(99, "127.0.0.1:5000", "127.0.0.1:6379")
	const n = clients * each
	if r := do(d, s, "zcard", "z"); r.Int != n+1 {
		t.Fatalf("ZCARD = %v, want %d", r, n+1)
	}
	if r := do(d, s, "zscore", "z", "hot"); r.Text() != fmt.Sprint(n) {
		t.Fatalf("ZSCORE z hot = %v, want %d (increments lost)", r, n)
	}
	if got := db.Stats().Combined; got == 0 {
		t.Errorf("no ZADD combined among %d clients writing one set", clients)
	} else {
		t.Logf("%d of %d writes combined", got, 2*n)
	}

	if r := do(d, s, "zadd", "none", "xx", "1", "a"); r.Kind != resp.KindInt || r.Int != 0 {
		t.Fatalf("ZADD none XX = %v, want 0", r)
	}
	if r := do(d, s, "zadd", "none", "xx", "incr", "1", "a"); r.Kind != resp.KindNull {
		t.Fatalf("ZADD none XX INCR = %v, want nil", r)
	}
	if r := do(d, s, "exists", "none"); r.Int != 0 {
		t.Fatal("ZADD XX created the key")
	}
	do(d, s, "set", "str", "x")
	if r := do(d, s, "zadd", "str", "1", "a"); !r.IsError() || r.Text()[:9] != "WRONGTYPE" {
		t.Fatalf("ZADD on a string = %v", r)
	}
	// With a cached view (ZRANGE stored it), ZADD keeps it current.
	if r := do(d, s, "zrange", "z", "0", "0"); len(r.Elems) != 1 {
		t.Fatalf("ZRANGE z 0 0 = %v", r)
	}
	if r := do(d, s, "zadd", "z", "-1", "first"); r.Int != 1 {
		t.Fatalf("ZADD z -1 first = %v", r)
	}
	if r := do(d, s, "zrange", "z", "0", "0"); len(r.Elems) != 1 || r.Elems[0].Text() != "first" {
		t.Fatalf("ZRANGE z 0 0 after ZADD = %v, want first", r)
	}
}
