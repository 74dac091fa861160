package command

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

// streamWithPEL fills s with entries 1-0..n-0 and has alice read them
// all in group g.
func streamWithPEL(f *fixture, n int) {
	f.t.Helper()
	for i := 1; i <= n; i++ {
		f.do("XADD", "s", fmt.Sprintf("%d-0", i), "f", fmt.Sprint(i))
	}
	if r := f.line("XGROUP CREATE s g 0"); r.String() != "OK" {
		f.t.Fatalf("XGROUP CREATE: %s", r)
	}
	f.line("XREADGROUP GROUP g alice STREAMS s >")
}

func TestXpending(t *testing.T) {
	f := newFixture(t)
	f.script(`
> XPENDING s g
(error) NOGROUP No such key 's' or consumer group 'g'
> XGROUP CREATE s g $ MKSTREAM
OK
> XPENDING s g
1) (integer) 0
2) (nil)
3) (nil)
4) (nil)
> XPENDING s g - + 10
(empty array)
> XADD s 1-0 a 1
"1-0"
> XADD s 2-0 b 2
"2-0"
> XADD s 3-0 c 3
"3-0"
> XGROUP SETID s g 0
OK
> XREADGROUP GROUP g bob COUNT 1 STREAMS s >
1) 1) "s"
   2) 1) 1) "1-0"
         2) 1) "a"
            2) "1"
!advance 100
> XREADGROUP GROUP g alice STREAMS s >
1) 1) "s"
   2) 1) 1) "2-0"
         2) 1) "b"
            2) "2"
      2) 1) "3-0"
         2) 1) "c"
            2) "3"
!advance 50
> XPENDING s g
1) (integer) 3
2) "1-0"
3) "3-0"
4) 1) 1) "alice"
      2) "2"
   2) 1) "bob"
      2) "1"
> XPENDING s g - + 10
1) 1) "1-0"
   2) "bob"
   3) (integer) 150
   4) (integer) 1
2) 1) "2-0"
   2) "alice"
   3) (integer) 50
   4) (integer) 1
3) 1) "3-0"
   2) "alice"
   3) (integer) 50
   4) (integer) 1
> XPENDING s g - + 1 alice
1) 1) "2-0"
   2) "alice"
   3) (integer) 50
   4) (integer) 1
> XPENDING s g IDLE 100 - + 10
1) 1) "1-0"
   2) "bob"
   3) (integer) 150
   4) (integer) 1
> XPENDING s g (1-0 (3-0 10
1) 1) "2-0"
   2) "alice"
   3) (integer) 50
   4) (integer) 1
> XPENDING s g - + 10 nobody
(empty array)
> XPENDING s g - + -1
(empty array)
> XPENDING s g - +
(error) ERR syntax error
> XPENDING s g IDLE 10 - +
(error) ERR syntax error
> XPENDING s g - + x
(error) ERR value is not an integer or out of range
> XPENDING s g x + 10
(error) ERR Invalid stream ID specified as stream command argument
> XPENDING s g - (0-0 10
(error) ERR invalid end ID for the interval
> XPENDING s nogroup
(error) NOGROUP No such key 's' or consumer group 'nogroup'
> SET str v
OK
> XPENDING str g
(error) WRONGTYPE Operation against a key holding the wrong kind of value
`)
}

func TestXclaim(t *testing.T) {
	f := newFixture(t)
	streamWithPEL(f, 4)
	f.script(`
!advance 100
# Too recent for 200 ms: nothing claimed, bob not created.
> XCLAIM s g bob 200 1-0
(empty array)
> XINFO CONSUMERS s g
1) 1# "name" => "alice"
   2# "pending" => (integer) 4
   3# "idle" => (integer) 100
> XCLAIM s g bob 50 1-0 2-0
1) 1) "1-0"
   2) 1) "f"
      2) "1"
2) 1) "2-0"
   2) 1) "f"
      2) "2"
> XPENDING s g - + 10 bob
1) 1) "1-0"
   2) "bob"
   3) (integer) 0
   4) (integer) 2
2) 1) "2-0"
   2) "bob"
   3) (integer) 0
   4) (integer) 2
# JUSTID leaves the delivery count; IDLE sets the delivery time.
> XCLAIM s g carol 0 1-0 IDLE 500 JUSTID
1) "1-0"
> XPENDING s g - 1-0 10
1) 1) "1-0"
   2) "carol"
   3) (integer) 500
   4) (integer) 2
> XCLAIM s g carol 0 2-0 TIME 1700000000000 RETRYCOUNT 9 JUSTID
1) "2-0"
> XPENDING s g 2-0 2-0 10
1) 1) "2-0"
   2) "carol"
   3) (integer) 100
   4) (integer) 9
# A deleted entry leaves the PEL and the reply.
> XDEL s 3-0
(integer) 1
> XCLAIM s g carol 0 3-0 4-0 JUSTID
1) "4-0"
> XPENDING s g
1) (integer) 3
2) "1-0"
3) "4-0"
4) 1) 1) "carol"
      2) "3"
# FORCE makes a NACK for an entry no one was delivered (counted 1,
# then up once as any claim); not for a missing entry.
> XACK s g 4-0
(integer) 1
> XCLAIM s g dave 0 4-0 3-0 FORCE
1) 1) "4-0"
   2) 1) "f"
      2) "4"
> XPENDING s g 4-0 + 10
1) 1) "4-0"
   2) "dave"
   3) (integer) 0
   4) (integer) 2
# LASTID raises the group's last delivered ID only.
> XCLAIM s g dave 0 LASTID 9-0
(empty array)
> XCLAIM s g dave 0 1-0 LASTID 5-0 JUSTID
1) "1-0"
> XINFO GROUPS s
1) 1# "name" => "g"
   2# "consumers" => (integer) 4
   3# "pending" => (integer) 3
   4# "last-delivered-id" => "9-0"
   5# "entries-read" => (integer) 4
   6# "lag" => (integer) 0
> XCLAIM s g bob abc 1-0
(error) ERR Invalid min-idle-time argument for XCLAIM
> XCLAIM s g bob 0 1-0 IDLE
(error) ERR Unrecognized XCLAIM option 'IDLE'
> XCLAIM s g bob 0 1-0 IDLE x
(error) ERR Invalid IDLE option argument for XCLAIM
> XCLAIM s g bob 0 1-0 TIME x
(error) ERR Invalid TIME option argument for XCLAIM
> XCLAIM s g bob 0 1-0 RETRYCOUNT x
(error) ERR Invalid RETRYCOUNT option argument for XCLAIM
> XCLAIM s g bob 0 1-0 LASTID x
(error) ERR Invalid stream ID specified as stream command argument
> XCLAIM s nogroup bob 0 1-0
(error) NOGROUP No such key 's' or consumer group 'nogroup'
> XCLAIM nokey g bob 0 1-0
(error) NOGROUP No such key 'nokey' or consumer group 'g'
> XCLAIM s g bob 0
(error) ERR wrong number of arguments for 'xclaim' command
`)
}

func TestXautoclaim(t *testing.T) {
	f := newFixture(t)
	streamWithPEL(f, 5)
	f.script(`
!advance 100
> XDEL s 2-0
(integer) 1
> XAUTOCLAIM s g bob 50 - COUNT 2
1) "3-0"
2) 1) 1) "1-0"
      2) 1) "f"
         2) "1"
3) 1) "2-0"
> XAUTOCLAIM s g bob 50 3-0 COUNT 2 JUSTID
1) "5-0"
2) 1) "3-0"
   2) "4-0"
3) (empty array)
> XAUTOCLAIM s g bob 50 (4-0
1) "0-0"
2) 1) 1) "5-0"
      2) 1) "f"
         2) "5"
3) (empty array)
> XPENDING s g
1) (integer) 4
2) "1-0"
3) "5-0"
4) 1) 1) "bob"
      2) "4"
# Delivery counts: JUSTID did not count 3-0 and 4-0.
> XPENDING s g - + 10
1) 1) "1-0"
   2) "bob"
   3) (integer) 0
   4) (integer) 2
2) 1) "3-0"
   2) "bob"
   3) (integer) 0
   4) (integer) 1
3) 1) "4-0"
   2) "bob"
   3) (integer) 0
   4) (integer) 1
4) 1) "5-0"
   2) "bob"
   3) (integer) 0
   4) (integer) 2
> XAUTOCLAIM s g bob 0 0 COUNT 0
(error) ERR COUNT must be > 0
> XAUTOCLAIM s g bob 0 0 COUNT 576460752303423488
(error) ERR COUNT must be > 0
> XAUTOCLAIM s g bob x 0
(error) ERR Invalid min-idle-time argument for XAUTOCLAIM
> XAUTOCLAIM s g bob 0 0 FOO
(error) ERR syntax error
> XAUTOCLAIM s nogroup bob 0 0
(error) NOGROUP No such key 's' or consumer group 'nogroup'
`)
}

// TestXautoclaimAttempts checks the attempts limit (COUNT*10 PEL entries
// looked at) across the PEL's batches: with nothing idle enough, the
// cursor is the entry after the last one looked at.
func TestXautoclaimAttempts(t *testing.T) {
	f := newFixture(t)
	streamWithPEL(f, 300)
	f.script(`
> XAUTOCLAIM s g bob 1000 0 COUNT 20
1) "201-0"
2) (empty array)
3) (empty array)
> XAUTOCLAIM s g bob 1000 0 COUNT 30
1) "0-0"
2) (empty array)
3) (empty array)
> XAUTOCLAIM s g bob 0 250 COUNT 1 JUSTID
1) "251-0"
2) 1) "250-0"
3) (empty array)
`)
	// bob was created only by the claim that claimed.
	if got := f.line("XINFO GROUPS s").String(); !strings.Contains(got, `2# "consumers" => (integer) 2`) {
		t.Errorf("XINFO GROUPS:\n%s", got)
	}
}

func TestXinfo(t *testing.T) {
	f := newFixture(t)
	f.script(`
> XINFO STREAM s
(error) ERR no such key
> XGROUP CREATE s g1 0 MKSTREAM
OK
> XINFO STREAM s
 1# "length" => (integer) 0
 2# "radix-tree-keys" => (integer) 0
 3# "radix-tree-nodes" => (integer) 1
 4# "last-generated-id" => "0-0"
 5# "max-deleted-entry-id" => "0-0"
 6# "entries-added" => (integer) 0
 7# "recorded-first-entry-id" => "0-0"
 8# "groups" => (integer) 1
 9# "first-entry" => (nil)
10# "last-entry" => (nil)
> XADD s 1-0 a 1
"1-0"
> XADD s 2-0 b 2
"2-0"
> XADD s 3-0 c 3
"3-0"
> XGROUP CREATE s g2 $
OK
> XREADGROUP GROUP g1 alice COUNT 1 STREAMS s >
1) 1) "s"
   2) 1) 1) "1-0"
         2) 1) "a"
            2) "1"
!advance 10
> XREADGROUP GROUP g1 bob COUNT 1 STREAMS s >
1) 1) "s"
   2) 1) 1) "2-0"
         2) 1) "b"
            2) "2"
> XGROUP CREATECONSUMER s g1 carol
(integer) 1
!advance 5
> XDEL s 3-0
(integer) 1
> XINFO STREAM s
 1# "length" => (integer) 2
 2# "radix-tree-keys" => (integer) 1
 3# "radix-tree-nodes" => (integer) 2
 4# "last-generated-id" => "3-0"
 5# "max-deleted-entry-id" => "3-0"
 6# "entries-added" => (integer) 3
 7# "recorded-first-entry-id" => "1-0"
 8# "groups" => (integer) 2
 9# "first-entry" => 1) "1-0"
    2) 1) "a"
       2) "1"
10# "last-entry" => 1) "2-0"
    2) 1) "b"
       2) "2"
> XINFO GROUPS s
1) 1# "name" => "g1"
   2# "consumers" => (integer) 3
   3# "pending" => (integer) 2
   4# "last-delivered-id" => "2-0"
   5# "entries-read" => (integer) 2
   6# "lag" => (nil)
2) 1# "name" => "g2"
   2# "consumers" => (integer) 0
   3# "pending" => (integer) 0
   4# "last-delivered-id" => "3-0"
   5# "entries-read" => (nil)
   6# "lag" => (integer) 0
> XINFO CONSUMERS s g1
1) 1# "name" => "alice"
   2# "pending" => (integer) 1
   3# "idle" => (integer) 15
2) 1# "name" => "bob"
   2# "pending" => (integer) 1
   3# "idle" => (integer) 5
3) 1# "name" => "carol"
   2# "pending" => (integer) 0
   3# "idle" => (integer) 5
> XINFO STREAM s FULL COUNT 1
1# "length" => (integer) 2
2# "radix-tree-keys" => (integer) 1
3# "radix-tree-nodes" => (integer) 2
4# "last-generated-id" => "3-0"
5# "max-deleted-entry-id" => "3-0"
6# "entries-added" => (integer) 3
7# "recorded-first-entry-id" => "1-0"
8# "entries" => 1) 1) "1-0"
      2) 1) "a"
         2) "1"
9# "groups" => 1) 1# "name" => "g1"
      2# "last-delivered-id" => "2-0"
      3# "entries-read" => (integer) 2
      4# "lag" => (nil)
      5# "pel-count" => (integer) 2
      6# "pending" => 1) 1) "1-0"
            2) "alice"
            3) (integer) 1700000000000
            4) (integer) 1
      7# "consumers" => 1) 1# "name" => "alice"
            2# "seen-time" => (integer) 1700000000000
            3# "pel-count" => (integer) 1
            4# "pending" => 1) 1) "1-0"
                  2) (integer) 1700000000000
                  3) (integer) 1
         2) 1# "name" => "bob"
            2# "seen-time" => (integer) 1700000000010
            3# "pel-count" => (integer) 1
            4# "pending" => 1) 1) "2-0"
                  2) (integer) 1700000000010
                  3) (integer) 1
         3) 1# "name" => "carol"
            2# "seen-time" => (integer) 1700000000010
            3# "pel-count" => (integer) 0
            4# "pending" => (empty array)
   2) 1# "name" => "g2"
      2# "last-delivered-id" => "3-0"
      3# "entries-read" => (nil)
      4# "lag" => (integer) 0
      5# "pel-count" => (integer) 0
      6# "pending" => (empty array)
      7# "consumers" => (empty array)
> XINFO CONSUMERS s nogroup
(error) NOGROUP No such consumer group 'nogroup' for key name 's'
> XINFO STREAM s FULL COUNT
(error) ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.
> XINFO stream s FULLX
(error) ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.
> XINFO STREAM s FULL COUNT x
(error) ERR value is not an integer or out of range
> XINFO GROUPS
(error) ERR wrong number of arguments for 'xinfo|groups' command
> XINFO HELP
1) XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:
2) CONSUMERS <key> <groupname>
3)     Show consumers of <groupname>.
4) GROUPS <key>
5)     Show the stream consumer groups.
6) STREAM <key> [FULL [COUNT <count>]
7)     Show information about the stream.
8) HELP
9)     Prints this help.
> SET str v
OK
> XINFO GROUPS str
(error) WRONGTYPE Operation against a key holding the wrong kind of value
`)
}

// TestXinfoLag follows Redis's "Consumer group read counter and lag
// sanity" and "lag with XDELs".
func TestXinfoLag(t *testing.T) {
	f := newFixture(t)
	lag := func(group string) string {
		r := f.line("XINFO GROUPS s")
		for _, g := range r.Elems {
			if len(g.Elems) == 12 && g.Elems[1].Text() == group {
				return g.Elems[9].String() + " " + g.Elems[11].String()
			}
		}
		t.Fatalf("no group %s in %s", group, r)
		return ""
	}
	for i := 1; i <= 5; i++ {
		f.do("XADD", "s", fmt.Sprintf("%d-0", i), "data", "x")
	}
	f.line("XGROUP CREATE s g1 0")
	check := func(group, want string) {
		t.Helper()
		if got := lag(group); got != want {
			t.Errorf("%s: entries-read, lag = %s, want %s", group, got, want)
		}
	}
	check("g1", "(nil) (integer) 5")
	f.line("XREADGROUP GROUP g1 c COUNT 1 STREAMS s >")
	check("g1", "(integer) 1 (integer) 4")
	f.line("XREADGROUP GROUP g1 c COUNT 10 STREAMS s >")
	check("g1", "(integer) 5 (integer) 0")
	f.line("XADD s 6-0 data x")
	check("g1", "(integer) 5 (integer) 1")
	f.line("XDEL s 3-0")
	f.line("XGROUP CREATE s g2 0")
	check("g2", "(nil) (nil)")
	f.line("XREADGROUP GROUP g2 c COUNT 1 STREAMS s >")
	check("g2", "(nil) (nil)")
	f.line("XREADGROUP GROUP g2 c STREAMS s >")
	check("g2", "(integer) 6 (integer) 0")
}

// TestXinfoStreamResp3 checks XINFO STREAM's RESP3 encoding: a map, and
// nulls for missing entries.
func TestXinfoStreamResp3(t *testing.T) {
	f := newFixture(t)
	f.line("XGROUP CREATE s g 0 MKSTREAM")
	f.line("HELLO 3")
	got := string(resp.Append(nil, f.line("XINFO STREAM s"), f.s.Proto))
	want := "%10\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n" +
		"$17\r\nlast-generated-id\r\n$3\r\n0-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n" +
		"$13\r\nentries-added\r\n:0\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n" +
		"$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n_\r\n$10\r\nlast-entry\r\n_\r\n"
	if got != want {
		t.Errorf("XINFO STREAM in RESP3:\n%q\nwant\n%q", got, want)
	}
	got = string(resp.Append(nil, f.line("XPENDING s g"), f.s.Proto))
	if want := "*4\r\n:0\r\n_\r\n_\r\n_\r\n"; got != want {
		t.Errorf("XPENDING in RESP3: %q, want %q", got, want)
	}
}

// TestXinfoFullCopy checks that XINFO STREAM FULL depends on the stored
// state alone: a COPY answers it as its source does (Redis's "COPY basic
// usage for stream-cgroups").
func TestXinfoFullCopy(t *testing.T) {
	f := newFixture(t)
	for i := 100; i <= 105; i++ {
		f.do("XADD", "x", fmt.Sprint(i), "k", fmt.Sprint(i))
	}
	for _, l := range []string{
		"XGROUP CREATE x g1 0", "XGROUP CREATE x g2 0",
		"XREADGROUP GROUP g1 Alice COUNT 1 STREAMS x >",
		"XREADGROUP GROUP g1 Bob COUNT 1 STREAMS x >",
		"XREADGROUP GROUP g1 Bob NOACK COUNT 1 STREAMS x >",
		"XREADGROUP GROUP g2 Charlie COUNT 4 STREAMS x >",
		"XGROUP SETID x g1 101",
		"XREADGROUP GROUP g1 Dave COUNT 3 STREAMS x >",
		"XDEL x 103",
	} {
		f.line(l)
	}
	info := f.line("XINFO STREAM x FULL").String()
	f.kv.advance(1000)
	if r := f.line("COPY x newx"); r.String() != "(integer) 1" {
		t.Fatalf("COPY: %s", r)
	}
	if got := f.line("XINFO STREAM newx FULL").String(); got != info {
		t.Errorf("copy's XINFO STREAM FULL:\n%s\nsource's:\n%s", got, info)
	}
	f.line("DEL x")
	if got := f.line("XINFO STREAM newx FULL").String(); got != info {
		t.Errorf("after DEL, copy's XINFO STREAM FULL:\n%s\nsource's:\n%s", got, info)
	}
}

func TestStreamRadixTree(t *testing.T) {
	for _, c := range []struct{ length, keys, nodes int64 }{
		{0, 0, 1}, {1, 1, 2}, {100, 1, 2}, {101, 2, 6}, {250, 3, 8}, {1000, 10, 22},
	} {
		if k, n := streamRadixTree(c.length); k != c.keys || n != c.nodes {
			t.Errorf("streamRadixTree(%d) = %d, %d, want %d, %d", c.length, k, n, c.keys, c.nodes)
		}
	}
}

// TestXclaimEvents: XCLAIM and XAUTOCLAIM notify xgroup-createconsumer
// when they create their consumer, as redis-server 7.0.15 does.
func TestXclaimEvents(t *testing.T) {
	f := newFixture(t)
	sub := f.client(1)
	sub.do("PSUBSCRIBE", "__keyevent*")
	f.client(2).do("CONFIG", "SET", "notify-keyspace-events", "Et")
	expectKeyEvents(t, f, sub, []struct{ cmd, want string }{
		{"XADD s 1-0 f v", "xadd s"},
		{"XGROUP CREATE s g 0", "xgroup-create s"},
		{"XREADGROUP GROUP g alice STREAMS s >", "xgroup-createconsumer s"},
		{"XCLAIM s g bob 0 1-0", "xgroup-createconsumer s"},
		{"XCLAIM s g bob 0 1-0", ""},
		{"XAUTOCLAIM s g carol 0 0", "xgroup-createconsumer s"},
		{"XAUTOCLAIM s g dave 1000000 0", ""},
		{"XPENDING s g", ""},
		{"XINFO STREAM s FULL", ""},
	})
}
