package command

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// blockRun runs a command on a new session id in the background.
func blockRun(f *fixture, id uint64, args ...string) <-chan resp.Reply {
	return blockRunIn(f, id, nil, args...)
}

// blockRunIn is blockRun for a session whose connection is in (nil:
// none).
func blockRunIn(f *fixture, id uint64, in Inbox, args ...string) <-chan resp.Reply {
	s := f.d.NewSession(id, "127.0.0.1:6000", "127.0.0.1:6379")
	if in != nil {
		s.SetInbox(in)
	}
	ch := make(chan resp.Reply, 1)
	go func() { ch <- f.d.Do(context.Background(), s, bytesOf(args)) }()
	return ch
}

// flat is r's strings and numbers, space-separated.
func flat(r resp.Reply) string {
	switch r.Kind {
	case resp.KindBulk:
		return r.Text()
	case resp.KindDouble:
		return strconv.FormatFloat(r.Float, 'g', -1, 64)
	}
	if len(r.Elems) == 0 {
		return strings.Trim(strings.ReplaceAll(r.String(), "\n", " "), `"`)
	}
	var out []string
	for _, e := range r.Elems {
		out = append(out, flat(e))
	}
	return strings.Join(out, " ")
}

func blockGot(t *testing.T, what string, ch <-chan resp.Reply) string {
	t.Helper()
	select {
	case r := <-ch:
		return flat(r)
	case <-time.After(5 * time.Second):
		t.Fatalf("%s not answered", what)
	}
	return ""
}

// One push of 2 elements with 3 clients blocked serves the first two, in
// the order they blocked; the third stays blocked for the next push.
func TestBlockingServesInBlockingOrder(t *testing.T) {
	for i := 0; i < 20; i++ {
		f := newFixture(t)
		var done []<-chan resp.Reply
		for n := 0; n < 3; n++ {
			done = append(done, blockRun(f, uint64(100+n), "BLPOP", "q", "other", "0"))
			waitBlocked(t, f, n+1)
		}
		f.do("RPUSH", "q", "a", "b")
		if got := blockGot(t, "first", done[0]); got != "q a" {
			t.Fatalf("round %d: first waiter got %s", i, got)
		}
		if got := blockGot(t, "second", done[1]); got != "q b" {
			t.Fatalf("round %d: second waiter got %s", i, got)
		}
		waitBlocked(t, f, 1)
		f.do("RPUSH", "other", "c")
		if got := blockGot(t, "third", done[2]); got != "other c" {
			t.Fatalf("round %d: third waiter got %s", i, got)
		}
	}
}

// Redis's "BZMPOP with multiple blocked clients": pushes of two keys in
// one transaction serve the four waiters in order, each from the first
// of its keys with members.
func TestBlockingZmpopOrder(t *testing.T) {
	for i := 0; i < 10; i++ {
		f := newFixture(t)
		var done []<-chan resp.Reply
		for n, arg := range [][2]string{{"min", "1"}, {"max", "10"}, {"min", "10"}, {"max", "1"}} {
			done = append(done, blockRun(f, uint64(100+n), "BZMPOP", "0", "2", "z", "z2", arg[0], "COUNT", arg[1]))
			waitBlocked(t, f, n+1)
		}
		f.do("MULTI")
		f.do("ZADD", "z", "1", "a", "2", "b", "3", "c")
		f.do("ZADD", "z2", "1", "a", "2", "b")
		f.do("EXEC")
		for n, want := range []string{
			"z a 1",
			"z c 3 b 2",
			"z2 a 1 b 2",
		} {
			if got := blockGot(t, "waiter", done[n]); got != want {
				t.Fatalf("round %d: waiter %d got %q, want %q", i, n, got, want)
			}
		}
		waitBlocked(t, f, 1)
		f.do("ZADD", "z2", "1", "x")
		if got := blockGot(t, "fourth", done[3]); got != "z2 x 1" {
			t.Fatalf("round %d: fourth waiter got %q", i, got)
		}
	}
}

// A BRPOPLPUSH first in line whose destination holds another type answers
// WRONGTYPE when woken, and the next waiter gets the element (Redis's
// "BRPOPLPUSH with multiple blocked clients").
func TestBlockingMoveWrongTypeDestination(t *testing.T) {
	f := newFixture(t)
	f.do("SET", "t1", "nolist")
	d1 := blockRun(f, 100, "BRPOPLPUSH", "q", "t1", "0")
	waitBlocked(t, f, 1)
	d2 := blockRun(f, 101, "BRPOPLPUSH", "q", "t2", "0")
	waitBlocked(t, f, 2)
	f.do("LPUSH", "q", "foo")
	if got := blockGot(t, "first", d1); !strings.HasPrefix(got, "(error) WRONGTYPE") {
		t.Fatalf("first = %s", got)
	}
	if got := blockGot(t, "second", d2); got != "foo" {
		t.Fatalf("second = %s", got)
	}
	if r := f.do("LRANGE", "t2", "0", "-1"); len(r.Elems) != 1 {
		t.Fatalf("LRANGE t2 = %v", r)
	}
}

// A new blocking command does not take an element pushed for the clients
// already in line.
func TestBlockingNewcomerWaitsItsTurn(t *testing.T) {
	f := newFixture(t)
	d1 := blockRun(f, 100, "BLPOP", "q", "0")
	waitBlocked(t, f, 1)
	d2 := pushWithNewcomer(t, f, func() <-chan resp.Reply { return blockRun(f, 101, "BLPOP", "q", "0") })
	servedInOrder(t, f, d1, d2)
}

// servedInOrder checks that first got the element pushWithNewcomer pushed
// and that second, still blocked, gets the next one pushed.
func servedInOrder(t *testing.T, f *fixture, first, second <-chan resp.Reply) {
	t.Helper()
	if got := blockGot(t, "first", first); got != "q a" {
		t.Fatalf("first = %s", got)
	}
	waitBlocked(t, f, 1)
	f.do("RPUSH", "q", "b")
	if got := blockGot(t, "second", second); got != "q b" {
		t.Fatalf("second = %s", got)
	}
}

// pushWithNewcomer runs RPUSH q a and then newcomer, a blocking command
// on q, while the one client blocked on q cannot run (inside an exclusive
// section, as EXEC's), and returns once the newcomer is in line.
func pushWithNewcomer(t *testing.T, f *fixture, newcomer func() <-chan resp.Reply) <-chan resp.Reply {
	t.Helper()
	w := f.d.waiters(false)
	var ch <-chan resp.Reply
	f.d.exclusive(f.s, "multi", func() resp.Reply {
		f.d.call(f.s, words("RPUSH q a"))
		ch = newcomer()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			w.mu.Lock()
			n := len(w.all)
			w.mu.Unlock()
			if n == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("newcomer not in line")
			}
		}
		return resp.OK()
	})
	return ch
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR] answers a blocked command as at its
// timeout or with -UNBLOCKED, and 1; 0 for a client not blocked.
func TestClientUnblock(t *testing.T) {
	f := newFixture(t)
	f.script(`
> CLIENT UNBLOCK 100
(integer) 0
> CLIENT UNBLOCK 7
(integer) 0
> CLIENT UNBLOCK -1
(integer) 0
> CLIENT UNBLOCK x
(error) ERR value is not an integer or out of range
> CLIENT UNBLOCK x foo
(error) ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR
> CLIENT UNBLOCK 1 timeout x
(error) ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.
`)
	for _, c := range []struct {
		args []string
		mode string
		want string
	}{
		{[]string{"BLPOP", "q", "0"}, "", "(nil)"},
		{[]string{"BLMPOP", "0", "1", "q", "RIGHT"}, "TIMEOUT", "(nil)"},
		{[]string{"BRPOPLPUSH", "q", "r", "0"}, "timeout", "(nil)"},
		{[]string{"BZPOPMIN", "z", "0"}, "ERROR", "(error) UNBLOCKED client unblocked via CLIENT UNBLOCK"},
		{[]string{"BLMOVE", "q", "r", "LEFT", "LEFT", "0"}, "error", "(error) UNBLOCKED client unblocked via CLIENT UNBLOCK"},
	} {
		done := blockRun(f, 100, c.args...)
		waitBlocked(t, f, 1)
		if !f.d.isBlocked(100) {
			t.Fatal("client 100 not blocked (CLIENT LIST's b)")
		}
		args := []string{"CLIENT", "UNBLOCK", "100"}
		if c.mode != "" {
			args = append(args, c.mode)
		}
		if r := f.do(args...); r.Int != 1 {
			t.Fatalf("%v: %v = %v", c.args, args, r)
		}
		if got := blockGot(t, c.args[0], done); got != c.want {
			t.Fatalf("%v unblocked: %s, want %s", c.args, got, c.want)
		}
		waitBlocked(t, f, 0)
		if r := f.do(args...); r.Int != 0 {
			t.Fatalf("%v again = %v", args, r)
		}
	}
	// In a transaction nothing blocks.
	f.script(`
> MULTI
OK
> BLPOP q 0
QUEUED
> CLIENT UNBLOCK 7
QUEUED
> EXEC
1) (nil)
2) (integer) 0
`)
}

func TestWithBlockedFlag(t *testing.T) {
	for in, want := range map[string]string{
		"id=1 flags=N db=0":  "id=1 flags=b db=0",
		"id=1 flags=P db=0":  "id=1 flags=Pb db=0",
		"id=1 flags=e db=0":  "id=1 flags=be db=0",
		"id=1 flags=Pe db=0": "id=1 flags=Pbe db=0",
		"id=1 flags=N":       "id=1 flags=b",
	} {
		if got := withBlockedFlag(in); got != want {
			t.Errorf("withBlockedFlag(%q) = %q, want %q", in, got, want)
		}
	}
}

// Redis's "Circular BRPOPLPUSH": the clients a push unblocks are served
// before the push answers, a client's own push serving the next: RPUSH
// list1 foo with one client in BRPOPLPUSH list1 list2 and another in
// BRPOPLPUSH list2 list1 leaves foo back in list1 by the time RPUSH's
// reply is read. Before, the woken clients ran after the reply, and an
// LRANGE right after it found list1 empty (the Tcl unit failed 2 runs of 3).
func TestPushAnswersAfterTheClientsItServed(t *testing.T) {
	for i := 0; i < 20; i++ {
		f := newFixture(t)
		rd1 := blockRun(f, 100, "BRPOPLPUSH", "list1{t}", "list2{t}", "0")
		waitBlocked(t, f, 1)
		rd2 := blockRun(f, 101, "BRPOPLPUSH", "list2{t}", "list1{t}", "0")
		waitBlocked(t, f, 2)
		f.do("RPUSH", "list1{t}", "foo")
		if got := flat(f.do("LRANGE", "list1{t}", "0", "-1")); got != "foo" {
			t.Fatalf("round %d: list1 right after RPUSH = %q, want foo", i, got)
		}
		if got := f.do("LRANGE", "list2{t}", "0", "-1"); len(got.Elems) != 0 {
			t.Fatalf("round %d: list2 = %s, want empty", i, flat(got))
		}
		if got := blockGot(t, "rd1", rd1); got != "foo" {
			t.Fatalf("round %d: rd1 got %s", i, got)
		}
		if got := blockGot(t, "rd2", rd2); got != "foo" {
			t.Fatalf("round %d: rd2 got %s", i, got)
		}
	}
}

// arrivedAt is the Inbox of a connection whose input arrived at a given
// time, with nothing pending.
type arrivedAt int64

func (arrivedAt) BlockingBefore(int64, bool) (int64, bool) { return 0, false }
func (arrivedAt) AwaitInLine(int64, time.Time) bool        { return true }
func (arrivedAt) Backlog() (int64, bool)                   { return 0, false }
func (arrivedAt) Await(int64, time.Time) bool              { return true }
func (arrivedAt) Waiting(bool)                             {}
func (a arrivedAt) Arrived() int64                         { return int64(a) }

// blockRunArrived is blockRun for a command that arrived at at.
func blockRunArrived(f *fixture, id uint64, at int64, args ...string) <-chan resp.Reply {
	return blockRunIn(f, id, arrivedAt(at), args...)
}

// Blocked clients are served in the order their commands arrived, not
// the order their goroutines reached the line: Redis's "BRPOPLPUSH with
// multiple blocked clients" sends rd1's command, then rd2's, and here
// rd2's may run first. rd1, first in line, answers WRONGTYPE for its
// destination and rd2 gets the element.
func TestBlockingServesInArrivalOrder(t *testing.T) {
	f := newFixture(t)
	f.do("SET", "target1", "nolist")
	now := time.Now().UnixNano()
	rd2 := blockRunArrived(f, 102, now, "BRPOPLPUSH", "blist", "target2", "0")
	waitBlocked(t, f, 1)
	rd1 := blockRunArrived(f, 101, now-int64(time.Millisecond), "BRPOPLPUSH", "blist", "target1", "0")
	waitBlocked(t, f, 2)
	f.do("LPUSH", "blist", "foo")
	if got := blockGot(t, "rd1", rd1); !strings.HasPrefix(got, "(error) WRONGTYPE") {
		t.Fatalf("rd1 = %s", got)
	}
	if got := blockGot(t, "rd2", rd2); got != "foo" {
		t.Fatalf("rd2 = %s", got)
	}

	// One that arrives earlier while the first in line was given a turn
	// it has not taken yet (inside an exclusive section, as EXEC's) goes
	// ahead and takes that turn's element.
	late := blockRunArrived(f, 104, now+int64(time.Second), "BLPOP", "q", "0")
	waitBlocked(t, f, 1)
	early := pushWithNewcomer(t, f, func() <-chan resp.Reply {
		return blockRunArrived(f, 103, now+int64(time.Millisecond), "BLPOP", "q", "0")
	})
	servedInOrder(t, f, early, late)
}
