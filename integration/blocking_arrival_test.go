package integration

import (
	"strings"
	"testing"
)

// Redis's "BRPOPLPUSH with multiple blocked clients", over raw sockets to
// a real node: rd1 and rd2 send a BRPOPLPUSH each, one after the other,
// and a third client pushes at once. Redis runs the three in the order
// they arrived: rd1, whose destination holds a string, answers WRONGTYPE
// and rd2 gets the element. Here each connection has its own goroutine,
// and before blocked clients were ordered by the arrival the kernel
// stamped on their input, rd2 often ran first and took the element, and
// rd1 waited (about half the rounds; the test stops at the first).
func TestBlockedClientsServedInArrivalOrder(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	r := DialRESP(t, n.Addr())
	const rounds = 40
	for i := range rounds {
		rd1, rd2 := DialRESP(t, n.Addr()), DialRESP(t, n.Addr())
		for _, c := range []*RESPConn{rd1, rd2} {
			if got := c.Do("PING"); got.Str != "PONG" {
				t.Fatalf("PING: %+v", got)
			}
		}
		r.Do("DEL", "blist", "target1", "target2")
		r.Do("SET", "target1", "nolist")
		rd1.Send("BRPOPLPUSH", "blist", "target1", "0")
		rd2.Send("BRPOPLPUSH", "blist", "target2", "0")
		r.Do("LPUSH", "blist", "foo")
		got1, err1 := rd1.Read() // 10 s bound: a client left blocked ends the test
		got2, err2 := rd2.Read()
		if err1 != nil || !got1.IsError() || !strings.HasPrefix(got1.Str, "WRONGTYPE") || err2 != nil || got2.Str != "foo" {
			t.Fatalf("round %d of %d served the blocked clients out of the order their commands arrived: rd1 %q (%v), rd2 %q (%v)",
				i, rounds, got1.Str, err1, got2.Str, err2)
		}
		rd1.Close()
		rd2.Close()
	}
}
