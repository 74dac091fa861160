package command

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

func TestSetBasics(t *testing.T) {
	f := newFixture(t)
	f.script(`
> SADD s b a c
(integer) 3
> SADD s a d
(integer) 1
> SCARD s
(integer) 4
> SMEMBERS s
1~ "a"
2~ "b"
3~ "c"
4~ "d"
> SISMEMBER s a
(integer) 1
> SISMEMBER s zz
(integer) 0
> SISMEMBER nokey a
(integer) 0
> SMISMEMBER s a zz d
1) (integer) 1
2) (integer) 0
3) (integer) 1
> SMISMEMBER nokey a
1) (integer) 0
> SREM s a zz
(integer) 1
> SREM nokey a
(integer) 0
> SMEMBERS nokey
(empty set)
> SCARD nokey
(integer) 0
> SET str x
OK
> SADD str a
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> SMEMBERS str
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> SISMEMBER str a
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> SREM s b c d
(integer) 3
> EXISTS s
(integer) 0
> TYPE s
none
> SADD s 10 2 -1 3
(integer) 4
# a small set of integers lists in numeric order, as Redis's intset
> SMEMBERS s
1~ "-1"
2~ "2"
3~ "3"
4~ "10"
> TYPE s
set
> DEL s
(integer) 1
> SCARD s
(integer) 0
> SADD s x
(integer) 1
> SMEMBERS s
1~ "x"
> SADD s
(error) ERR wrong number of arguments for 'sadd' command
`)
}

func TestSetPopAndRandom(t *testing.T) {
	f := newFixture(t)
	f.script(`
> SPOP nokey
(nil)
> SPOP nokey 3
(empty set)
> SPOP nokey -1
(error) ERR value is out of range, must be positive
> SPOP nokey x
(error) ERR value is out of range, must be positive
> SPOP nokey 1 2
(error) ERR syntax error
> SRANDMEMBER nokey
(nil)
> SRANDMEMBER nokey 5
(empty array)
> SRANDMEMBER nokey x
(error) ERR value is not an integer or out of range
> SRANDMEMBER nokey -9223372036854775808
(error) ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807
> SRANDMEMBER nokey 1 2
(error) ERR syntax error
> SADD s 1 2 3
(integer) 3
> SPOP s 0
(empty set)
> SRANDMEMBER s 0
(empty array)
> SRANDMEMBER s 10
1) "1"
2) "2"
3) "3"
> SET str x
OK
> SPOP str
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> SRANDMEMBER str 1
(error) WRONGTYPE Operation against a key holding the wrong kind of value
`)
	all := []string{"1", "2", "3"}
	for range 20 {
		if r := f.do("SRANDMEMBER", "s"); !slices.Contains(all, r.Text()) {
			t.Fatalf("SRANDMEMBER = %v", r)
		}
		r := f.do("SRANDMEMBER", "s", "2")
		if len(r.Elems) != 2 || r.Elems[0].Text() == r.Elems[1].Text() {
			t.Fatalf("SRANDMEMBER s 2 = %v", r)
		}
		r = f.do("SRANDMEMBER", "s", "-7")
		if r.Kind != resp.KindArray || len(r.Elems) != 7 {
			t.Fatalf("SRANDMEMBER s -7 = %v", r)
		}
		for _, e := range r.Elems {
			if !slices.Contains(all, e.Text()) {
				t.Fatalf("SRANDMEMBER s -7 = %v", r)
			}
		}
	}
	// SPOP removes what it returns; the emptied key goes.
	r := f.do("SPOP", "s")
	if !slices.Contains(all, r.Text()) || f.do("SISMEMBER", "s", r.Text()).Int != 0 {
		t.Fatalf("SPOP = %v", r)
	}
	r = f.do("SPOP", "s", "1")
	if r.Kind != resp.KindSet || len(r.Elems) != 1 || f.do("SCARD", "s").Int != 1 {
		t.Fatalf("SPOP s 1 = %v", r)
	}
	r = f.do("SPOP", "s", "5")
	if len(r.Elems) != 1 || f.do("EXISTS", "s").Int != 0 {
		t.Fatalf("SPOP s 5 = %v, EXISTS %v", r, f.do("EXISTS", "s"))
	}
}

// A random pick in a set larger than one window still finds members all
// over it, and SPOP drains it exactly.
func TestSetPopLarge(t *testing.T) {
	f := newFixture(t)
	args := []string{"SADD", "big"}
	for i := range 300 {
		args = append(args, fmt.Sprintf("m:%03d", i))
	}
	f.do(args...)
	seen := map[string]bool{}
	for range 200 {
		seen[f.do("SRANDMEMBER", "big").Text()] = true
	}
	if len(seen) < 60 {
		t.Fatalf("200 SRANDMEMBERs of 300 members saw only %d distinct", len(seen))
	}
	popped := map[string]bool{}
	for range 300 {
		m := f.do("SPOP", "big").Text()
		if popped[m] || !strings.HasPrefix(m, "m:") {
			t.Fatalf("SPOP returned %q twice or bad", m)
		}
		popped[m] = true
	}
	if r := f.do("SPOP", "big"); r.Kind != resp.KindNull || f.do("EXISTS", "big").Int != 0 {
		t.Fatalf("SPOP of the emptied set = %v", r)
	}
}

func TestSetAlgebra(t *testing.T) {
	f := newFixture(t)
	f.script(`
> SADD a x y z 1
(integer) 4
> SADD b y z w
(integer) 3
> SINTER a b
1~ "y"
2~ "z"
> SUNION a b
1~ "1"
2~ "w"
3~ "x"
4~ "y"
5~ "z"
> SDIFF a b
1~ "1"
2~ "x"
> SINTER a nokey
(empty set)
> SDIFF nokey a
(empty set)
> SUNION nokey
(empty set)
> SET str v
OK
> SINTER nokey str
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> SUNION a str
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> SINTERCARD 2 a b
(integer) 2
> SINTERCARD 2 a b LIMIT 1
(integer) 1
> SINTERCARD 2 a b limit 0
(integer) 2
> SINTERCARD 1 nokey
(integer) 0
> SINTERCARD 0 a
(error) ERR numkeys should be greater than 0
> SINTERCARD x a
(error) ERR numkeys should be greater than 0
> SINTERCARD 3 a b
(error) ERR Number of keys can't be greater than number of args
> SINTERCARD 1 a LIMIT -1
(error) ERR LIMIT can't be negative
> SINTERCARD 1 a LIMIT
(error) ERR syntax error
> SINTERCARD 1 a FOO 1
(error) ERR syntax error
> SINTERCARD 2 a str
(error) WRONGTYPE Operation against a key holding the wrong kind of value
# STORE replaces the destination, whatever it held, and resets its TTL
> SINTERSTORE str a b
(integer) 2
> TYPE str
set
> SMEMBERS str
1~ "y"
2~ "z"
> SADD d old1 old2
(integer) 2
> EXPIRE d 100
(integer) 1
> SUNIONSTORE d a b
(integer) 5
> TTL d
(integer) -1
> SISMEMBER d old1
(integer) 0
> SCARD d
(integer) 5
> SDIFFSTORE d d a
(integer) 1
> SMEMBERS d
1~ "w"
# an empty result deletes the destination
> SINTERSTORE d a nokey
(integer) 0
> EXISTS d
(integer) 0
> SDIFFSTORE d a a
(integer) 0
> SINTERSTORE d a num
(integer) 0
> SET num 1
OK
> SUNIONSTORE d a num
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> SINTERSTORE a a
(integer) 4
> SMEMBERS a
1~ "1"
2~ "x"
3~ "y"
4~ "z"
`)
}

func TestSetMove(t *testing.T) {
	f := newFixture(t)
	f.script(`
> SADD src a b
(integer) 2
> SET str v
OK
> SMOVE nokey str a
(integer) 0
> SMOVE src str a
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> SMOVE str src a
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> SMOVE src src a
(integer) 1
> SMOVE src src zz
(integer) 0
> SMOVE src dst zz
(integer) 0
> EXISTS dst
(integer) 0
> SMOVE src dst a
(integer) 1
> SMEMBERS src
1~ "b"
> SMEMBERS dst
1~ "a"
> SADD dst b
(integer) 1
> SMOVE src dst b
(integer) 1
> EXISTS src
(integer) 0
> SMEMBERS dst
1~ "a"
2~ "b"
`)
}

func TestSetScan(t *testing.T) {
	f := newFixture(t)
	f.script(`
> SSCAN nokey 0
1) "0"
2) (empty array)
> SSCAN nokey 0 FOO
1) "0"
2) (empty array)
> SSCAN nokey x
(error) ERR invalid cursor
> SADD i 3 1 20
(integer) 3
> SSCAN i 0 COUNT 1
1) "0"
2) 1) "1"
   2) "3"
   3) "20"
> SSCAN i 0 MATCH 2*
1) "0"
2) 1) "20"
> SSCAN i 0 COUNT 0
(error) ERR syntax error
> SSCAN i 0 COUNT x
(error) ERR value is not an integer or out of range
> SSCAN i 0 TYPE string
(error) ERR syntax error
> SSCAN i 0 MATCH
(error) ERR syntax error
> SET str v
OK
> SSCAN str 0
(error) WRONGTYPE Operation against a key holding the wrong kind of value
`)
	args := []string{"SADD", "s"}
	for i := range 25 {
		args = append(args, fmt.Sprintf("m%02d", i))
	}
	f.do(args...)
	// A full iteration returns every member once, COUNT at a time; an
	// unknown cursor restarts the scan.
	var got []string
	cursor, calls := "0", 0
	for {
		r := f.do("SSCAN", "s", cursor, "COUNT", "7")
		calls++
		cursor = r.Elems[0].Text()
		for _, e := range r.Elems[1].Elems {
			got = append(got, e.Text())
		}
		if cursor == "0" || calls > 10 {
			break
		}
	}
	if len(got) != 25 || calls != 4 || !slices.IsSorted(got) {
		t.Fatalf("scan in %d calls: %v", calls, got)
	}
	r := f.do("SSCAN", "s", "12345", "COUNT", "3", "MATCH", "*1")
	if r.Elems[0].Text() == "0" || len(r.Elems[1].Elems) != 1 || r.Elems[1].Elems[0].Text() != "m01" {
		t.Fatalf("unknown cursor: %v", r)
	}
}

// TestSetNotifications: the events of the set commands, in Redis 7.0.15's
// order (checked with PSUBSCRIBE against redis-server).
func TestSetNotifications(t *testing.T) {
	f := newFixture(t)
	sub := f.client(1)
	sub.do("PSUBSCRIBE", "__keyevent@0__:*")
	f.do("CONFIG", "SET", "notify-keyspace-events", "KEAn")
	var got []string
	for _, c := range []string{"SADD a 1 2 3", "SADD a 1", "SREM a 9", "SREM a 1", "SPOP a 0", "SPOP a 1",
		"SPOP a 5", "SADD a x y", "SMOVE a b x", "SMOVE a b x", "SMOVE a a y", "SMOVE a b y",
		"SINTERSTORE d b", "SINTERSTORE d b", "SUNIONSTORE d nokey", "SDIFFSTORE d b b", "SINTER b d"} {
		if r := f.line(c); r.IsError() {
			t.Fatalf("%s: %v", c, r)
		}
		for _, ev := range strings.Split(sub.box.take(), "*4\r\n$8\r\npmessage\r\n")[1:] {
			parts := strings.Split(ev, "\r\n")
			got = append(got, strings.TrimPrefix(parts[3], "__keyevent@0__:")+" "+parts[5])
		}
	}
	want := []string{"new a", "sadd a", "srem a", "spop a", "spop a", "del a", "new a", "sadd a",
		"srem a", "new b", "sadd b", "srem a", "del a", "sadd b", "new d", "sinterstore d",
		"sinterstore d", "del d"}
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n got %q\nwant %q", got, want)
	}
}
