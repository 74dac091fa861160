package command

import (
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

func TestHashBasics(t *testing.T) {
	f := newFixture(t)
	f.script(`
> HSET h a 1 b 2
(integer) 2
> HSET h a 3 c 4
(integer) 1
> HGET h a
"3"
> HGET h zz
(nil)
> HGET nokey a
(nil)
> HLEN h
(integer) 3
> HGETALL h
1# "a" => "3"
2# "b" => "2"
3# "c" => "4"
> HDEL h a zz
(integer) 1
> HLEN h
(integer) 2
> SET s x
OK
> HSET s a 1
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HDEL h b c
(integer) 2
> EXISTS h
(integer) 0
> HGETALL h
(empty hash)
> HSET h x 1
(integer) 1
> HGETALL h
1# "x" => "1"
> DEL h
(integer) 1
> HLEN h
(integer) 0
> HSET h y 2
(integer) 1
> HGETALL h
1# "y" => "2"
> DBSIZE
(integer) 2
> HSET h a
(error) ERR wrong number of arguments for 'hset' command
`)
}

func TestHashFieldCommands(t *testing.T) {
	f := newFixture(t)
	f.script(`
> HSETNX h a 1
(integer) 1
> HSETNX h a 2
(integer) 0
> HGET h a
"1"
> HSET h b hello c ""
(integer) 2
> HMGET h a zz b c
1) "1"
2) (nil)
3) "hello"
4) ""
> HMGET nokey a b
1) (nil)
2) (nil)
> HEXISTS h a
(integer) 1
> HEXISTS h zz
(integer) 0
> HEXISTS nokey a
(integer) 0
> HSTRLEN h b
(integer) 5
> HSTRLEN h c
(integer) 0
> HSTRLEN h zz
(integer) 0
> HSTRLEN nokey a
(integer) 0
> HKEYS h
1) "a"
2) "b"
3) "c"
> HVALS h
1) "1"
2) "hello"
3) ""
> HKEYS nokey
(empty array)
> HVALS nokey
(empty array)
> SET s x
OK
> HSETNX s a 1
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HMGET s a
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HEXISTS s a
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HSTRLEN s a
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HKEYS s
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HVALS s
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HSETNX h a
(error) ERR wrong number of arguments for 'hsetnx' command
> HMGET h
(error) ERR wrong number of arguments for 'hmget' command
`)
}

func TestHashIncr(t *testing.T) {
	f := newFixture(t)
	f.script(`
> HINCRBY h n 5
(integer) 5
> HINCRBY h n -7
(integer) -2
> HSTRLEN h n
(integer) 2
> HGET h n
"-2"
> HSET h n 10
(integer) 0
> HINCRBY h n 1
(integer) 11
> HSET h s abc i " 5" big 9223372036854775807
(integer) 3
> HINCRBY h s 1
(error) ERR hash value is not an integer
> HINCRBY h i 1
(error) ERR hash value is not an integer
> HINCRBY h big 1
(error) ERR increment or decrement would overflow
> HINCRBY h big -1
(integer) 9223372036854775806
> HINCRBY h n x
(error) ERR value is not an integer or out of range
> HINCRBY h n 1.0
(error) ERR value is not an integer or out of range
> HINCRBYFLOAT h n 0.5
"11.5"
> HINCRBY h n 1
(error) ERR hash value is not an integer
> HINCRBYFLOAT h n -0.5
"11"
> HINCRBY h n 1
(integer) 12
> HINCRBYFLOAT h f 5.0e3
"5000"
> HINCRBYFLOAT h f 0.1
"5000.1"
> HINCRBYFLOAT h s 1
(error) ERR hash value is not a float
> HINCRBYFLOAT h f x
(error) ERR value is not a valid float
> HINCRBYFLOAT h f nan
(error) ERR value is not a valid float
> HINCRBYFLOAT h f inf
(error) ERR value is NaN or Infinity
> HSET h inf inf
(integer) 1
> HINCRBYFLOAT h inf 1
(error) ERR increment would produce NaN or Infinity
> HINCRBYFLOAT h z -0.0
"0"
> HINCRBYFLOAT new a 3
"3"
> EXISTS new
(integer) 1
> SET str v
OK
> HINCRBY str a 1
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HINCRBY str a x
(error) ERR value is not an integer or out of range
> HINCRBYFLOAT str a 1
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HINCRBYFLOAT str a x
(error) ERR value is not a valid float
`)
}

// TestHashSetAbsorbs: HSET of a counter field sets its base and absorbs
// the increments its writer saw, so an HINCRBY concurrent with the HSET
// adds to the value set, and one the writer saw does not count twice
// (before the fix, HSET wrote a plain value that absorbed nothing: 14).
func TestHashSetAbsorbs(t *testing.T) {
	c0, err := crdt.Counter{}.SetBase(0, crdt.Stamp{Time: 1, Node: "A", Counter: 1}).Add("A", 3)
	if err != nil {
		t.Fatal(err)
	}
	s0 := &version.Sibling{Dot: version.Dot{Node: "A", Counter: 1}, Kind: version.KindCounter, Value: c0.AppendBinary(nil), Time: 1}
	ch := fieldWriter{now: 100, actor: "A", c: &coll{}}.assign([]*version.Sibling{s0}, []byte("10"))
	if ch.Op != ElemWrite || ch.Kind != version.KindCounter {
		t.Fatalf("HSET of a counter field wrote %+v, want an absorbing counter", ch)
	}
	s1 := &version.Sibling{Dot: version.Dot{Node: "A", Counter: 2}, Kind: ch.Kind, Value: ch.Body, Time: 100}
	c2, err := c0.Add("B", 1) // concurrent with the HSET: saw only s0
	if err != nil {
		t.Fatal(err)
	}
	s2 := &version.Sibling{Dot: version.Dot{Node: "B", Counter: 1}, Kind: version.KindCounter, Value: c2.AppendBinary(nil), Time: 50}
	if v, _ := fieldValue([]*version.Sibling{s1, s2}); string(v) != "11" {
		t.Errorf("HSET 10 || HINCRBY 1 after HINCRBY 3: %q, want 11", v)
	}
	// A plain value over a plain field stays plain (no overhead).
	ch = fieldWriter{now: 100, actor: "A", c: &coll{}}.assign([]*version.Sibling{{Dot: version.Dot{Node: "A", Counter: 1}, Value: []byte("x"), Time: 1}}, []byte("7"))
	if ch.Kind != version.KindString || string(ch.Body) != "7" {
		t.Errorf("HSET over a plain field wrote %+v", ch)
	}
}

func TestHashRandField(t *testing.T) {
	f := newFixture(t)
	f.script(`
> HRANDFIELD h
(nil)
> HRANDFIELD h 3
(empty array)
> HRANDFIELD h 3 WITHVALUES
(empty array)
> HSET h a 1 b 2 c 3
(integer) 3
> HRANDFIELD h 3
1) "a"
2) "b"
3) "c"
> HRANDFIELD h 9 WITHVALUES
1) "a"
2) "1"
3) "b"
4) "2"
5) "c"
6) "3"
> HRANDFIELD h 0
(empty array)
> HRANDFIELD h x
(error) ERR value is not an integer or out of range
> HRANDFIELD h -9223372036854775808
(error) ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807
> HRANDFIELD h 9223372036854775807 WITHVALUES
(error) ERR value is out of range
> HRANDFIELD h 5 WITHVALUE
(error) ERR syntax error
> HRANDFIELD h 5 WITHVALUES x
(error) ERR syntax error
> HRANDFIELD nokey 5 foo
(error) ERR syntax error
> HRANDFIELD h -2000000
(error) ERR HRANDFIELD count is too large (ringkv answers at most 1048576 fields)
> HSET one f v
(integer) 1
> HRANDFIELD one
"f"
> HRANDFIELD one -3
1) "f"
2) "f"
3) "f"
> HRANDFIELD one -2 WITHVALUES
1) "f"
2) "v"
3) "f"
4) "v"
> SET s x
OK
> HRANDFIELD s
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HRANDFIELD s 0
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HELLO 3
1# "server" => "redis"
2# "version" => "7.0.15"
3# "proto" => (integer) 3
4# "id" => (integer) 7
5# "mode" => "standalone"
6# "role" => "master"
7# "modules" => (empty array)
> HRANDFIELD one -2 WITHVALUES
1) 1) "f"
   2) "v"
2) 1) "f"
   2) "v"
> HRANDFIELD one 1 WITHVALUES
1) 1) "f"
   2) "v"
> HRANDFIELD nokey
(nil)
`)
	// Random draws: distinct fields of the hash, or any with repetition.
	for i := range 20 {
		f.do("HSET", "big", fmt.Sprint("f", i), fmt.Sprint(i))
	}
	seen := map[string]bool{}
	for range 50 {
		r := f.do("HRANDFIELD", "big", "5")
		if len(r.Elems) != 5 {
			t.Fatalf("HRANDFIELD big 5: %v", r)
		}
		uniq := map[string]bool{}
		for _, e := range r.Elems {
			uniq[string(e.Bytes)] = true
			seen[string(e.Bytes)] = true
		}
		if len(uniq) != 5 {
			t.Fatalf("HRANDFIELD big 5 repeated a field: %v", r)
		}
		r = f.do("HRANDFIELD", "big", "-30")
		if len(r.Elems) != 30 {
			t.Fatalf("HRANDFIELD big -30: %v", r)
		}
		if r := f.do("HRANDFIELD", "big"); r.Kind != resp.KindBulk {
			t.Fatalf("HRANDFIELD big: %v", r)
		}
	}
	if len(seen) != 20 {
		t.Errorf("250 draws saw %d of 20 fields", len(seen))
	}
	// RESP3 pairs hold a field and its own value.
	r := f.do("HRANDFIELD", "big", "-10", "WITHVALUES")
	for _, p := range r.Elems {
		if len(p.Elems) != 2 || "f"+string(p.Elems[1].Bytes) != string(p.Elems[0].Bytes) {
			t.Fatalf("HRANDFIELD WITHVALUES pair %v", p)
		}
	}
}

func TestHashScanCursors(t *testing.T) {
	f := newFixture(t)
	f.script(`
> HSCAN h 0
1) "0"
2) (empty array)
> HSCAN h 0 COUNT 0
1) "0"
2) (empty array)
> HSET h a 1 bb 2 c 3
(integer) 3
> HSCAN h 0
1) "0"
2) 1) "a"
   2) "1"
   3) "bb"
   4) "2"
   5) "c"
   6) "3"
> HSCAN h 0 MATCH b*
1) "0"
2) 1) "bb"
   2) "2"
> HSCAN h 0 COUNT 1
1) "4891727231975424"
2) 1) "a"
   2) "1"
> HSCAN h 4891727231975424 COUNT 1
1) "5174722627108864"
2) 1) "bb"
   2) "2"
> HSCAN h 5174722627108864 count 1 match *
1) "0"
2) 1) "c"
   2) "3"
> HSCAN h 5
1) "0"
2) 1) "a"
   2) "1"
   3) "bb"
   4) "2"
   5) "c"
   6) "3"
> HSCAN h -1 COUNT 1
1) "4891727231975424"
2) 1) "a"
   2) "1"
> HSCAN h x
(error) ERR invalid cursor
> HSCAN h 18446744073709551616
(error) ERR invalid cursor
> HSCAN h 0 COUNT 0
(error) ERR syntax error
> HSCAN h 0 COUNT x
(error) ERR value is not an integer or out of range
> HSCAN h 0 MATCH
(error) ERR syntax error
> HSCAN h 0 TYPE string
(error) ERR syntax error
> SET s x
OK
> HSCAN s 0
(error) WRONGTYPE Operation against a key holding the wrong kind of value
> HSCAN s x
(error) ERR invalid cursor
`)
	// Fields long and short, walked COUNT at a time: each once, in order.
	want := []string{""} // the empty field sorts first: a cursor after it must not restart
	f.do("HSET", "big", "", "v")
	for i := range 57 {
		field := fmt.Sprintf("%0*d", 1+i%12, i)
		f.do("HSET", "big", field, "v")
		want = append(want, field)
	}
	sort.Strings(want)
	var got []string
	cursor := "0"
	for calls := 0; ; calls++ {
		r := f.do("HSCAN", "big", cursor, "COUNT", []string{"1", "5"}[min(calls, 1)])
		if len(r.Elems) != 2 || calls > 30 {
			t.Fatalf("HSCAN big %s: %v", cursor, r)
		}
		for i := 0; i < len(r.Elems[1].Elems); i += 2 {
			got = append(got, string(r.Elems[1].Elems[i].Bytes))
		}
		if cursor = r.Elems[0].Text(); cursor == "0" {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("HSCAN COUNT 5 walked\n%q\nwant\n%q", got, want)
	}
}

// TestHashEvents: the hash commands' keyspace notifications, as Redis
// 7.0.15 sends them (new on creation, del when HDEL empties the hash).
func TestHashEvents(t *testing.T) {
	f := newFixture(t)
	sub := f.client(1)
	sub.do("PSUBSCRIBE", "__keyevent*")
	w := f.client(2)
	w.do("CONFIG", "SET", "notify-keyspace-events", "KEAn")
	expectKeyEvents(t, f, sub, []struct{ cmd, want string }{
		{"HSET e a 1 b 2", "new e;hset e"},
		{"HSETNX e a 1", ""},
		{"HSETNX e c 1", "hset e"},
		{"HMSET e d 1", "hset e"},
		{"HINCRBY e n 1", "hincrby e"},
		{"HINCRBYFLOAT e f 1.5", "hincrbyfloat e"},
		{"HINCRBY e n x", ""},
		{"HDEL e zz", ""},
		{"HDEL e a b", "hdel e"},
		{"HDEL e c d n f", "hdel e;del e"},
		{"HINCRBYFLOAT e3 n 1", "new e3;hincrbyfloat e3"},
		{"HINCRBY e4 n 1", "new e4;hincrby e4"},
		{"HGET e3 n", ""},
	})
}
