package command

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

func TestListBasics(t *testing.T) {
	f := newFixture(t)
	f.script(`
> RPUSH l a b c
(integer) 3
> LPUSH l z y
(integer) 5
> LRANGE l 0 -1
1) "y"
2) "z"
3) "a"
4) "b"
5) "c"
> LLEN l
(integer) 5
> LINDEX l -1
"c"
> LINDEX l 9
(nil)
> LSET l 1 Z
OK
> LSET l 5 q
(error) ERR index out of range
> LSET nokey 0 q
(error) ERR no such key
> LINSERT l BEFORE a a0
(integer) 6
> LINSERT l AFTER a a1
(integer) 7
> LINSERT l AFTER nope x
(integer) -1
> LRANGE l 0 -1
1) "y"
2) "Z"
3) "a0"
4) "a"
5) "a1"
6) "b"
7) "c"
> LPOP l
"y"
> RPOP l 2
1) "c"
2) "b"
> LPOS l a
(integer) 2
> LREM l 0 a1
(integer) 1
> LTRIM l 0 1
OK
> LRANGE l 0 -1
1) "Z"
2) "a0"
> LMOVE l m LEFT RIGHT
"Z"
> RPOPLPUSH l l
"a0"
> LMPOP 2 x l RIGHT COUNT 3
1) "l"
2) 1) "a0"
> EXISTS l
(integer) 0
> LPUSHX l a
(integer) 0
> SET s v
OK
> LPUSH s a
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> LMOVE m s LEFT LEFT
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> LRANGE m 0 -1
1) "Z"
> DEL m
(integer) 1
> RPUSH m 1
(integer) 1
> LRANGE m 0 -1
1) "1"
`)
}

// A list keeps its order through pushes at both ends, LSET, inserts in
// the middle and pops, against a plain slice.
func TestListAgainstSlice(t *testing.T) {
	f := newFixture(t)
	var want []string
	for i := range 80 {
		v := string(rune('a'+i%26)) + strconv.Itoa(i)
		switch i % 4 {
		case 0:
			f.do("RPUSH", "l", v)
			want = append(want, v)
		case 1:
			f.do("LPUSH", "l", v)
			want = append([]string{v}, want...)
		case 2: // after the element in the middle, renamed first
			k := len(want) / 2
			want[k] += "!"
			f.do("LSET", "l", strconv.Itoa(k), want[k])
			f.do("LINSERT", "l", "AFTER", want[k], v)
			want = append(want[:k+1], append([]string{v}, want[k+1:]...)...)
		case 3:
			if i%8 == 3 {
				f.do("LPOP", "l")
				want = want[1:]
			} else {
				f.do("RPOP", "l")
				want = want[:len(want)-1]
			}
		}
	}
	got := f.do("LRANGE", "l", "0", "-1")
	if len(got.Elems) != len(want) {
		t.Fatalf("LRANGE: %d elements, want %d", len(got.Elems), len(want))
	}
	for i, e := range got.Elems {
		if string(e.Bytes) != want[i] {
			t.Fatalf("element %d = %q, want %q (%v)", i, e.Bytes, want[i], got)
		}
	}
}

// waitBlocked waits until n clients are blocked.
func waitBlocked(t *testing.T, f *fixture, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for f.d.blockedClients() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d clients blocked, want %d", f.d.blockedClients(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// A blocked BLPOP is served by a later push; a timeout answers null; in
// MULTI it does not block.
func TestBlockingPop(t *testing.T) {
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
	done := run("BLPOP", "q", "0")
	waitBlocked(t, f, 1)
	if r := f.do("RPUSH", "q", "hello"); r.Int != 1 {
		t.Fatalf("RPUSH = %v", r)
	}
	select {
	case r := <-done:
		if len(r.Elems) != 2 || string(r.Elems[0].Bytes) != "q" || string(r.Elems[1].Bytes) != "hello" {
			t.Fatalf("BLPOP = %v", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("BLPOP not woken by RPUSH")
	}
	waitBlocked(t, f, 0)
	f.script(`
> EXISTS q
(integer) 0
> BLPOP q 0.05
(nil)
> BLMOVE q r LEFT LEFT 0.01
(nil)
> BLPOP q -1
(error) ERR timeout is negative
> BLPOP q x
(error) ERR timeout is not a float or out of range
> MULTI
OK
> BLPOP q 0
QUEUED
> BRPOPLPUSH q r 0
QUEUED
> EXEC
1) (nil)
2) (nil)
`)
	// BLMOVE woken by a push moves the element; a waiter on another key
	// stays blocked until its timeout.
	done = run("BLMOVE", "q", "r", "RIGHT", "LEFT", "5")
	waitBlocked(t, f, 1)
	f.do("LPUSH", "other", "x")
	f.do("LPUSH", "q", "x")
	if r := <-done; string(r.Bytes) != "x" {
		t.Fatalf("BLMOVE = %v", r)
	}
	if r := f.do("LRANGE", "r", "0", "-1"); len(r.Elems) != 1 {
		t.Fatalf("LRANGE r = %v", r)
	}
	waitBlocked(t, f, 0)
	// BLMPOP from the first key that gets elements.
	done = run("BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "2")
	waitBlocked(t, f, 1)
	f.do("RPUSH", "b", "1", "2", "3")
	if r := <-done; r.String() != "1) \"b\"\n2) 1) \"1\"\n   2) \"2\"" {
		t.Fatalf("BLMPOP = %q", r.String())
	}
}
