package integration

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// Redis's "BRPOPLPUSH with multiple blocked clients", over raw sockets to
// a real node: rd1 and rd2 send a BRPOPLPUSH each, one after the other,
// and a third client pushes at once. Redis runs the three in the order
// they arrived: rd1, whose destination holds a string, answers WRONGTYPE
// and rd2 gets the element. Here each connection has its own goroutine,
// and before blocked clients were ordered by the arrival the kernel
// stamped on their input, rd2 often ran first and took the element, and
// rd1 waited for ever (about half the rounds).
func TestBlockedClientsServedInArrivalOrder(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.DialTimeout("tcp", n.Addr(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}
	send := func(c net.Conn, args ...string) {
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
		if _, err := c.Write([]byte(b.String())); err != nil {
			t.Fatal(err)
		}
	}
	reply := func(c net.Conn, r *bufio.Reader) (string, error) {
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		line, err := r.ReadString('\n')
		if err != nil || line[0] != '$' {
			return strings.TrimSpace(line), err
		}
		body, err := r.ReadString('\n')
		return strings.TrimSpace(body), err
	}
	r, rr := dial()
	call := func(args ...string) string {
		send(r, args...)
		got, err := reply(r, rr)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return got
	}
	const rounds = 40
	wrong := 0
	for i := range rounds {
		rd1, r1 := dial()
		rd2, r2 := dial()
		for _, c := range []struct {
			c net.Conn
			r *bufio.Reader
		}{{rd1, r1}, {rd2, r2}} {
			send(c.c, "PING")
			if got, err := reply(c.c, c.r); got != "+PONG" {
				t.Fatalf("PING: %q, %v", got, err)
			}
		}
		call("DEL", "blist", "target1", "target2")
		call("SET", "target1", "nolist")
		send(rd1, "BRPOPLPUSH", "blist", "target1", "0")
		send(rd2, "BRPOPLPUSH", "blist", "target2", "0")
		call("LPUSH", "blist", "foo")
		got1, err1 := reply(rd1, r1)
		got2, err2 := reply(rd2, r2)
		if !strings.HasPrefix(got1, "-WRONGTYPE") || got2 != "foo" {
			wrong++
			t.Logf("round %d: rd1 %q (%v), rd2 %q (%v)", i, got1, err1, got2, err2)
		}
		rd1.Close()
		rd2.Close()
	}
	t.Logf("%d rounds, %d out of arrival order", rounds, wrong)
	if wrong > 0 {
		t.Fatalf("%d of %d rounds served the blocked clients out of the order their commands arrived", wrong, rounds)
	}
}
