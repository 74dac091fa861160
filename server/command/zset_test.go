package command

import (
	"fmt"
	"strings"
	"testing"
)

func TestZSetBasics(t *testing.T) {
	f := newFixture(t)
	f.script(`
> ZADD z 1 a 2 b 3 c
(integer) 3
> ZADD z 1.1 a
(integer) 0
> ZSCORE z a
"1.1000000000000001"
> ZADD z CH 5 a 2 b 4 d
(integer) 2
> ZCARD z
(integer) 4
> ZRANGE z 0 -1 WITHSCORES
1) "b"
2) "2"
3) "c"
4) "3"
5) "d"
6) "4"
7) "a"
8) "5"
> ZINCRBY z 2.5 b
"4.5"
> ZADD z INCR 1 b
"5.5"
> ZADD z NX INCR 1 b
(nil)
> ZADD z XX 1 nope
(integer) 0
> ZADD z GT 1 a
(integer) 0
> ZSCORE z a
"5"
> ZADD z LT CH 1 a
(integer) 1
> ZRANGE z 0 -1
1) "a"
2) "c"
3) "d"
4) "b"
> ZRANK z d
(integer) 2
> ZREVRANK z d
(integer) 1
> ZRANK z nope
(nil)
> ZREM z a nope
(integer) 1
> ZMSCORE z c nope
1) "3"
2) (nil)
> ZADD z inf x -inf y
(integer) 2
> ZINCRBY z -inf x
(error) ERR resulting score is not a number (NaN)
> ZRANGEBYSCORE z (3 +inf
1) "d"
2) "b"
3) "x"
> ZREVRANGEBYSCORE z +inf (3 LIMIT 1 1
1) "b"
> ZRANGE z +inf -inf BYSCORE REV LIMIT 0 2
1) "x"
2) "b"
> ZCOUNT z -inf 4
(integer) 3
> ZREVRANGE z 0 1
1) "x"
2) "b"
> ZPOPMIN z
1) "y"
2) "-inf"
> ZPOPMAX z 2
1) "x"
2) "inf"
3) "b"
4) "5.5"
> ZCARD z
(integer) 2
> ZREMRANGEBYRANK z 0 -1
(integer) 2
> EXISTS z
(integer) 0
> ZADD l 0 a 0 b 0 c 0 d
(integer) 4
> ZRANGEBYLEX l [b (d
1) "b"
2) "c"
> ZREVRANGEBYLEX l + - LIMIT 0 2
1) "d"
2) "c"
> ZLEXCOUNT l - +
(integer) 4
> ZREMRANGEBYLEX l - [b
(integer) 2
> ZRANGESTORE dst l 0 -1
(integer) 2
> ZRANGE dst 0 -1
1) "c"
2) "d"
> ZREMRANGEBYSCORE l -inf +inf
(integer) 2
> EXISTS l
(integer) 0
> SET s x
OK
> ZADD s 1 a
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> ZADD z 1 a 1
(error) ERR syntax error
> ZADD z x a
(error) ERR value is not a valid float
> ZRANGE z 0 -1 LIMIT 0 1
(error) ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX
`)
}

func TestZSetStoreAndOps(t *testing.T) {
	f := newFixture(t)
	f.script(`
> ZADD a 1 x 2 y 3 z
(integer) 3
> ZADD b 10 y 20 z 30 w
(integer) 3
> ZUNION 2 a b WITHSCORES
1) "x"
2) "1"
3) "y"
4) "12"
5) "z"
6) "23"
7) "w"
8) "30"
> ZINTER 2 a b WEIGHTS 2 1 AGGREGATE MAX
1) "y"
2) "z"
> ZDIFF 2 a b WITHSCORES
1) "x"
2) "1"
> ZINTERCARD 2 a b LIMIT 1
(integer) 1
> SET d v
OK
> ZUNIONSTORE d 2 a b
(integer) 4
> TYPE d
zset
> ZRANGE d 0 -1
1) "x"
2) "y"
3) "z"
4) "w"
> ZINTERSTORE d 2 a nokey
(integer) 0
> EXISTS d
(integer) 0
> ZDIFFSTORE a 1 b
(integer) 3
> ZRANGE a 0 -1 WITHSCORES
1) "y"
2) "10"
3) "z"
4) "20"
5) "w"
6) "30"
> ZMPOP 2 nokey a MAX COUNT 2
1) "a"
2) 1) 1) "w"
      2) "30"
   2) 1) "z"
      2) "20"
> ZSCAN a 0
1) "0"
2) 1) "y"
   2) "10"
`)
}

// A big set is scanned in pages whose cursors resume where the last ended.
func TestZScanPages(t *testing.T) {
	f := newFixture(t)
	args := []string{"ZADD", "big"}
	for i := range 300 {
		args = append(args, fmt.Sprint(i), fmt.Sprintf("m%03d", i))
	}
	if r := f.do(args...); r.Int != 300 {
		t.Fatalf("ZADD = %v", r)
	}
	seen := map[string]int{}
	cursor, calls := "0", 0
	for {
		r := f.do("ZSCAN", "big", cursor, "COUNT", "50")
		calls++
		cursor = r.Elems[0].Text()
		for i := 0; i < len(r.Elems[1].Elems); i += 2 {
			seen[r.Elems[1].Elems[i].Text()]++
		}
		if cursor == "0" || calls > 20 {
			break
		}
	}
	if len(seen) != 300 || calls != 6 {
		t.Fatalf("ZSCAN saw %d members in %d calls", len(seen), calls)
	}
	for m, n := range seen {
		if n != 1 {
			t.Fatalf("%s returned %d times", m, n)
		}
	}
}

// TestZSetKeyEvents: the zset commands' notifications, as redis-server
// 7.0.15 sends them for the same commands (notify-keyspace-events Ezgn).
func TestZSetKeyEvents(t *testing.T) {
	f := newFixture(t)
	sub := f.client(1)
	sub.do("PSUBSCRIBE", "__keyevent*")
	f.client(2).do("CONFIG", "SET", "notify-keyspace-events", "Ezgn")
	expectKeyEvents(t, f, sub, []struct{ cmd, want string }{
		{"ZADD z 1 a 2 b", "new z;zadd z"},
		{"ZADD z 1 a", ""},
		{"ZADD z NX 5 a", ""},
		{"ZINCRBY z 1 a", "zincr z"},
		{"ZADD z INCR 0 a", ""},
		{"ZREM z a", "zrem z"},
		{"ZPOPMIN z", "zpopmin z;del z"},
		{"ZADD z 1 a 2 b 3 c", "new z;zadd z"},
		{"ZREMRANGEBYRANK z 0 0", "zremrangebyrank z"},
		{"ZREMRANGEBYSCORE z 2 2", "zremrangebyscore z"},
		{"ZREMRANGEBYLEX z - +", "zremrangebylex z;del z"},
		{"ZADD y 1 a", "new y;zadd y"},
		{"ZUNIONSTORE d 1 y", "new d;zunionstore d"},
		{"ZINTERSTORE d 2 y nokey", "del d"},
		{"ZDIFFSTORE d 1 y", "new d;zdiffstore d"},
		{"ZRANGESTORE e y 0 -1", "new e;zrangestore e"},
		{"ZMPOP 1 y MAX", "zpopmax y;del y"},
		{"ZPOPMAX e 5", "zpopmax e;del e"},
	})
}

// The numkeys forms name their keys for routing (CROSSSLOT checks).
func TestZSetKeys(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ cmd, want string }{
		{"ZUNIONSTORE d 2 a b WEIGHTS 1 2", "d a b"},
		{"ZINTER 2 a b", "a b"},
		{"ZDIFFSTORE d x a", "d"},
		{"ZINTERCARD 3 a b", ""},
		{"ZMPOP 2 a b MIN", "a b"},
		{"ZRANGESTORE d s 0 -1", "d s"},
	} {
		args := strings.Fields(tc.cmd)
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		var got []string
		for _, k := range f.d.Lookup(b[0]).KeysOf(b) {
			got = append(got, string(k))
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: keys %q, want %q", tc.cmd, got, tc.want)
		}
	}
}

// ZMPOP's and BZMPOP's numkeys is bounded by the arguments before it is
// used: a numkeys near 2^63 overflowed into a negative index (found by
// FuzzCommands), and one naming every argument after it as a key indexed
// past them; both panicked. Redis answers a syntax error.
func TestZmpopNumkeysBound(t *testing.T) {
	f := newFixture(t)
	f.do("ZADD", "z", "1", "a", "2", "b")
	f.script(`
		> ZMPOP 9223372036854775807 z MIN
		(error) ERR syntax error
		> ZMPOP 2 z MIN
		(error) ERR syntax error
		> BZMPOP 0 2 z MIN
		(error) ERR syntax error
		> BZMPOP 0 9223372036854775807 z MIN
		(error) ERR syntax error
		> ZMPOP 0 z MIN
		(error) ERR numkeys should be greater than 0
		> ZMPOP 1 z MAX COUNT 0
		(error) ERR count should be greater than 0
		> ZMPOP 1 z MAX COUNT 5
		1) "z"
		2) 1) 1) "b"
		      2) "2"
		   2) 1) "a"
		      2) "1"
	`)
}
