package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// orderNode starts a node on a free loopback port and returns a function
// that opens a client connection to it, and the node's log.
func orderNode(t *testing.T) (func() *wireClient, *logBuffer) {
	t.Helper()
	log := &logBuffer{}
	s, err := New(testConfig(t, log))
	if err != nil {
		t.Fatal(err)
	}
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run() }()
	t.Cleanup(func() {
		if err := s.Shutdown(t.Context()); err != nil {
			t.Error(err)
		}
		if err := <-runErr; err != nil {
			t.Error(err)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for s.Addr() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the node did not listen within 10s; log:\n%s", log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return func() *wireClient {
		conn, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return &wireClient{t: t, conn: conn, rd: bufio.NewReader(conn)}
	}, log
}

// gaveUp is how many catch-ups the node's log says timed out: on a
// starved machine (the race detector, other jobs) a subscriber's
// goroutine may not run within the bound, and the PUBLISH then counts it,
// by design. Every other round must keep the order.
func gaveUp(log *logBuffer) int { return strings.Count(log.String(), catchUpGaveUp) }

// wireClient writes commands and reads replies separately, as the Tcl
// suite's deferring clients do.
type wireClient struct {
	t    *testing.T
	conn net.Conn
	rd   *bufio.Reader
}

func (c *wireClient) send(args ...string) {
	c.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.conn.Write([]byte(b.String())); err != nil {
		c.t.Fatal(err)
	}
}

// read reads one reply, RESP2 or RESP3 (a push reads as an array).
func (c *wireClient) read() resp.Reply {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	r, err := readWire(c.rd, 0)
	if err != nil {
		c.t.Fatalf("reading a reply: %v", err)
	}
	return r
}

func readWire(rd *bufio.Reader, depth int) (resp.Reply, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return resp.Reply{}, err
	}
	if len(line) < 3 || depth > 8 {
		return resp.Reply{}, fmt.Errorf("malformed line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', '#', ',':
		return resp.Simple(body), nil
	case '-':
		return resp.Err(body), nil
	case '_':
		return resp.Null(), nil
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		return resp.Int(n), err
	case '$', '=':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return resp.Null(), err
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(rd, b); err != nil {
			return resp.Reply{}, err
		}
		return resp.Bulk(b[:n]), nil
	case '*', '~', '>', '%':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return resp.NullArray(), err
		}
		if line[0] == '%' {
			n *= 2
		}
		elems := make([]resp.Reply, 0, n)
		for range n {
			e, err := readWire(rd, depth+1)
			if err != nil {
				return resp.Reply{}, err
			}
			elems = append(elems, e)
		}
		return resp.Array(elems...), nil
	}
	return resp.Reply{}, fmt.Errorf("unknown reply type in %q", line)
}

// confirmation reads frames up to the (un)subscribe confirmation verb,
// skipping messages.
func (c *wireClient) confirmation(verb string) {
	c.t.Helper()
	for range 10 {
		r := c.read()
		if len(r.Elems) == 0 {
			c.t.Fatalf("want a %s confirmation, got %s", verb, r.String())
		}
		switch string(r.Elems[0].Bytes) {
		case verb:
			return
		case "message", "pmessage", "smessage":
		default:
			c.t.Fatalf("want a %s confirmation, got %s", verb, r.String())
		}
	}
	c.t.Fatalf("no %s confirmation in 10 frames", verb)
}

func (c *wireClient) do(args ...string) resp.Reply {
	c.t.Helper()
	c.send(args...)
	return c.read()
}

// orderRounds is how many times the ordering tests repeat their race:
// without the catch-up half the rounds or more lose it.
const orderRounds = 200

// The Tcl suite's "PUBLISH/SUBSCRIBE after UNSUBSCRIBE without arguments"
// (and its PSUBSCRIBE twin): an UNSUBSCRIBE written by one client, not yet
// answered, runs before a PUBLISH another client writes after it, as in
// Redis's single event loop.
func TestPublishAfterUnreadUnsubscribe(t *testing.T) {
	dial, log := orderNode(t)
	sub, pub := dial(), dial()
	for _, v := range []struct{ sub, unsub, channel string }{
		{"SUBSCRIBE", "UNSUBSCRIBE", "chan1"},
		{"PSUBSCRIBE", "PUNSUBSCRIBE", "chan*"},
	} {
		lost, timedOut := 0, gaveUp(log)
		for range orderRounds {
			sub.send(v.sub, v.channel)
			sub.confirmation(strings.ToLower(v.sub)) // messages that came late, too
			sub.send(v.unsub)                        // the Tcl helper reads nothing back
			n := pub.do("PUBLISH", "chan1", "hello")
			if n.Int != 0 {
				lost++
			}
			sub.confirmation(strings.ToLower(v.unsub)) // after the message, if it got one
		}
		if timedOut = gaveUp(log) - timedOut; lost > timedOut {
			t.Errorf("%s then PUBLISH: %d of %d PUBLISHes counted the unsubscribed client (%d waits timed out)",
				v.unsub, lost, orderRounds, timedOut)
		}
	}
}

// PUBSUB NUMSUB and NUMPAT count after what the subscribers sent before.
func TestPubsubCountsAfterUnreadUnsubscribe(t *testing.T) {
	dial, log := orderNode(t)
	sub, q := dial(), dial()
	lost := 0
	for range orderRounds {
		sub.do("SUBSCRIBE", "chan1")
		sub.do("PSUBSCRIBE", "chan*")
		sub.send("UNSUBSCRIBE")
		sub.send("PUNSUBSCRIBE")
		numsub := q.do("PUBSUB", "NUMSUB", "chan1")
		numpat := q.do("PUBSUB", "NUMPAT")
		if len(numsub.Elems) != 2 || numsub.Elems[1].Int != 0 || numpat.Int != 0 {
			lost++
		}
		sub.read()
		sub.read()
	}
	if timedOut := gaveUp(log); lost > timedOut {
		t.Errorf("PUBSUB NUMSUB/NUMPAT after unread (P)UNSUBSCRIBE: %d of %d rounds counted the client (%d waits timed out)",
			lost, orderRounds, timedOut)
	}
}

// SPUBLISH waits for an unread SUNSUBSCRIBE as PUBLISH does.
func TestSpublishAfterUnreadSunsubscribe(t *testing.T) {
	dial, log := orderNode(t)
	sub, pub := dial(), dial()
	lost := 0
	for range orderRounds {
		sub.send("SSUBSCRIBE", "schan")
		sub.confirmation("ssubscribe")
		sub.send("SUNSUBSCRIBE")
		n := pub.do("SPUBLISH", "schan", "hello")
		if n.Int != 0 {
			lost++
		}
		sub.confirmation("sunsubscribe")
	}
	if timedOut := gaveUp(log); lost > timedOut {
		t.Errorf("SUNSUBSCRIBE then SPUBLISH: %d of %d counted the unsubscribed client (%d waits timed out)",
			lost, orderRounds, timedOut)
	}
}

// quick runs fn and fails if it takes longer than a PUBLISH that waits
// for nobody should (generous: the race detector and a shared machine).
func quick(t *testing.T, what string, fn func()) {
	t.Helper()
	start := time.Now()
	fn()
	if took := time.Since(start); took > time.Second {
		t.Errorf("%s took %v", what, took)
	}
}

// The catch-up never deadlocks: a RESP3 subscriber publishing to its own
// channel; two subscribers whose unread input publishes to each other's
// channel; PUBLISH inside MULTI/EXEC and a script while a subscriber has
// unread input.
func TestPublishCatchUpDoesNotDeadlock(t *testing.T) {
	dial, _ := orderNode(t)
	a, b, c := dial(), dial(), dial()
	for _, x := range []*wireClient{a, b} {
		x.do("HELLO", "3")
	}
	a.do("SUBSCRIBE", "ca")
	b.do("SUBSCRIBE", "cb")
	quick(t, "publishing to itself", func() {
		a.send("PUBLISH", "ca", "self")
		got := []string{a.read().String(), a.read().String()}
		if !strings.Contains(strings.Join(got, " "), "self") {
			t.Errorf("own message: %v", got)
		}
	})
	quick(t, "crossed publishes", func() {
		for range 50 {
			a.send("PUBLISH", "cb", "x")
			b.send("PUBLISH", "ca", "y")
			for range 2 { // a reply and a message on each
				a.read()
				b.read()
			}
		}
	})
	quick(t, "MULTI/EXEC and EVAL", func() {
		for range 20 {
			b.send("PING") // unread input on a subscriber of cb
			c.do("MULTI")
			c.do("PUBLISH", "cb", "in-multi")
			if r := c.do("EXEC"); len(r.Elems) != 1 || r.Elems[0].Int != 1 {
				t.Errorf("EXEC: %s", r.String())
			}
			if r := c.do("EVAL", "return redis.call('publish', 'cb', 'in-script')", "0"); r.Int != 1 {
				t.Errorf("EVAL: %s", r.String())
			}
			for range 3 { // PONG and two messages, in some order
				b.read()
			}
		}
	})
}

// A subscriber blocked in BLPOP (RESP3) is not waited for: its unread
// input cannot run before the BLPOP ends.
func TestPublishDoesNotWaitForBlockedSubscriber(t *testing.T) {
	dial, log := orderNode(t)
	sub, pub := dial(), dial()
	sub.do("HELLO", "3")
	sub.do("SUBSCRIBE", "chan1")
	sub.send("BLPOP", "nolist", "0")
	sub.send("UNSUBSCRIBE")
	time.Sleep(20 * time.Millisecond) // the BLPOP blocks
	for range 20 {
		start := time.Now()
		if n := pub.do("PUBLISH", "chan1", "hello"); n.Int != 1 {
			t.Fatalf("PUBLISH while the subscriber is blocked: %s", n.String())
		}
		if took := time.Since(start); took > 100*time.Millisecond {
			t.Fatalf("PUBLISH waited %v for a blocked subscriber", took)
		}
	}
	if n := gaveUp(log); n != 0 {
		t.Errorf("%d PUBLISHes waited for the blocked subscriber until the bound", n)
	}
}
