package command

import (
	"context"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// A blocked BZPOPMIN/BZPOPMAX/BZMPOP is woken by ZADD, ZINCRBY and a
// STORE form on its key; a timeout answers null; in MULTI they answer at
// once; a WRONGTYPE key before a sorted set is an error.
func TestBlockingZPop(t *testing.T) {
	f := newFixture(t)
	other := f.d.NewSession(8, "127.0.0.1:5001", "127.0.0.1:6379")
	run := func(args ...string) <-chan resp.Reply {
		ch := make(chan resp.Reply, 1)
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		go func() { ch <- f.d.Do(context.Background(), other, b) }()
		return ch
	}
	wait := func(what string, ch <-chan resp.Reply, want string) {
		t.Helper()
		select {
		case r := <-ch:
			if r.String() != want {
				t.Fatalf("%s = %q, want %q", what, r.String(), want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s not woken", what)
		}
		waitBlocked(t, f, 0)
	}
	done := run("BZPOPMIN", "a", "z", "0")
	waitBlocked(t, f, 1)
	f.do("ZADD", "other", "1", "x")
	f.do("ZADD", "z", "2", "m", "1", "n")
	wait("BZPOPMIN", done, "1) \"z\"\n2) \"n\"\n3) \"1\"")

	done = run("BZPOPMAX", "y", "5")
	waitBlocked(t, f, 1)
	f.do("ZINCRBY", "y", "1.5", "p")
	wait("BZPOPMAX", done, "1) \"y\"\n2) \"p\"\n3) \"1.5\"")

	done = run("BZMPOP", "0", "2", "u", "v", "MAX", "COUNT", "5")
	waitBlocked(t, f, 1)
	f.do("ZUNIONSTORE", "v", "2", "z", "other")
	wait("BZMPOP", done, "1) \"v\"\n2) 1) 1) \"m\"\n      2) \"2\"\n   2) 1) \"x\"\n      2) \"1\"")

	f.script(`
> BZPOPMIN q 0.05
(nil)
> BZMPOP 0.01 1 q MIN
(nil)
> BZPOPMIN q -1
(error) ERR timeout is negative
> BZPOPMIN q x
(error) ERR timeout is not a float or out of range
> BZMPOP x 0 q MIN
(error) ERR numkeys should be greater than 0
> BZMPOP x 1 q FOO
(error) ERR syntax error
> BZMPOP x 1 q MIN
(error) ERR timeout is not a float or out of range
> BZMPOP 0 1 q MIN COUNT 0
(error) ERR count should be greater than 0
> SET s v
OK
> ZADD w 1 a
(integer) 1
> BZPOPMAX s w 0
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> BZPOPMAX q w 0
1) "w"
2) "a"
3) "1"
> EXISTS w
(integer) 0
> MULTI
OK
> BZPOPMIN q 0
QUEUED
> BZMPOP 0 1 q MIN
QUEUED
> ZADD q 3 c
QUEUED
> BZPOPMIN q 0
QUEUED
> EXEC
1) (nil)
2) (nil)
3) (integer) 1
4) 1) "q"
   2) "c"
   3) "3"
`)
	if r := f.do("COMMAND", "GETKEYS", "BZMPOP", "0", "2", "k1", "k2", "MIN"); r.String() != "1) \"k1\"\n2) \"k2\"" {
		t.Fatalf("GETKEYS BZMPOP = %q", r.String())
	}
	if r := f.do("COMMAND", "GETKEYS", "BZPOPMIN", "k1", "k2", "0"); r.String() != "1) \"k1\"\n2) \"k2\"" {
		t.Fatalf("GETKEYS BZPOPMIN = %q", r.String())
	}
}

// TestZBlockKeyEvents: the blocking pops' notifications, as redis-server
// 7.0.15 sends them (notify-keyspace-events Ezgn).
func TestZBlockKeyEvents(t *testing.T) {
	f := newFixture(t)
	sub := f.client(1)
	sub.do("PSUBSCRIBE", "__keyevent*")
	f.client(2).do("CONFIG", "SET", "notify-keyspace-events", "Ezgn")
	f.line("ZADD e 1 a 2 b 3 c")
	sub.box.take()
	expectKeyEvents(t, f, sub, []struct{ cmd, want string }{
		{"BZPOPMIN e 0", "zpopmin e"},
		{"BZPOPMAX e 0", "zpopmax e"},
		{"BZMPOP 0 1 e MIN", "zpopmin e;del e"},
		{"BZPOPMIN e 0.01", ""},
	})
}
