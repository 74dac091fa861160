package command

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

func TestStreamBasics(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ cmd, want string }{
		{"XADD s 1-1 a 1", "1-1"},
		{"XADD s 1-* b 2", "1-2"},
		{"XADD s 1 c 3", "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item"},
		{"XADD s 2-* c 3 d 4", "2-0"},
		{"XADD s 0-0 x 1", "(error) ERR The ID specified in XADD must be greater than 0-0"},
		{"XADD s 3-1 odd", "(error) ERR wrong number of arguments for 'xadd' command"},
		{"XADD s NOMKSTREAM 3-1 e 5", "3-1"},
		{"XADD none NOMKSTREAM 3-1 e 5", "(nil)"},
		{"XLEN s", "(integer) 4"},
		{"XRANGE s - + COUNT 2", "1-1 a 1 1-2 b 2"},
		{"XRANGE s (1-1 2", "1-2 b 2 2-0 c 3 d 4"},
		{"XREVRANGE s + - COUNT 1", "3-1 e 5"},
		{"XDEL s 1-2 9-9", "(integer) 1"},
		{"XLEN s", "(integer) 3"},
		{"XTRIM s MAXLEN 1", "(integer) 2"},
		{"XRANGE s - +", "3-1 e 5"},
		{"XADD s 3-1 again 1", "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item"},
		{"XSETID s 2-0", "(error) ERR The ID specified in XSETID is smaller than the target stream top item"},
		{"XSETID s 9-0", "OK"},
		{"XADD s 9-* f 6", "9-1"},
		{"TYPE s", "stream"},
		{"SET str v", "OK"},
		{"XADD str 1-1 a 1", "(error) WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"XREAD STREAMS s str 0 0", "(error) WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"XREAD COUNT 1 STREAMS s 0", "s 3-1 e 5"},
		{"XREAD STREAMS s $", "(nil)"},
	} {
		if got := flat(f.line(c.cmd)); got != c.want {
			t.Errorf("%s = %q, want %q", c.cmd, got, c.want)
		}
	}
}

// Consumer groups: deliveries, the pending list, history reads and
// acknowledgements.
func TestStreamGroups(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ cmd, want string }{
		{"XGROUP CREATE s g 0", "(error) ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."},
		{"XGROUP CREATE s g $ MKSTREAM", "OK"},
		{"XGROUP CREATE s g $", "(error) BUSYGROUP Consumer Group name already exists"},
		{"XADD s 1-1 a 1", "1-1"},
		{"XADD s 2-1 b 2", "2-1"},
		{"XREADGROUP GROUP g alice COUNT 1 STREAMS s >", "s 1-1 a 1"},
		{"XREADGROUP GROUP g bob STREAMS s >", "s 2-1 b 2"},
		{"XREADGROUP GROUP g bob STREAMS s >", "(nil)"},
		{"XREADGROUP GROUP g alice STREAMS s 0", "s 1-1 a 1"},
		{"XACK s g 1-1 9-9", "(integer) 1"},
		{"XREADGROUP GROUP g alice STREAMS s 0", "s (empty array)"},
		{"XDEL s 2-1", "(integer) 1"},
		{"XREADGROUP GROUP g bob STREAMS s 0", "s 2-1 (nil)"},
		{"XREADGROUP GROUP nog bob STREAMS s >", "(error) NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option"},
		{"XGROUP CREATECONSUMER s g carol", "(integer) 1"},
		{"XGROUP CREATECONSUMER s g carol", "(integer) 0"},
		{"XGROUP DELCONSUMER s g bob", "(integer) 1"},
		{"XGROUP SETID s g 0", "OK"},
		{"XREADGROUP GROUP g dave NOACK STREAMS s >", "s 1-1 a 1"},
		{"XGROUP DESTROY s g", "(integer) 1"},
		{"XGROUP DESTROY s g", "(integer) 0"},
		{"XGROUP SETID s g 0", "(error) NOGROUP No such consumer group 'g' for key name 's'"},
	} {
		if got := flat(f.line(c.cmd)); got != c.want {
			t.Errorf("%s = %q, want %q", c.cmd, got, c.want)
		}
	}
}

// '~' trimming removes whole blocks of stream-node-max-entries, as Redis
// removes whole nodes: Redis's "XADD with MAXLEN option and the '~'
// argument" (1000 XADDs with MAXLEN ~ 555 leave 600).
func TestStreamApproxTrimRemovesWholeBlocks(t *testing.T) {
	f := newFixture(t)
	f.do("CONFIG", "SET", "stream-node-max-entries", "100")
	for i := range 1000 {
		if r := f.do("XADD", "s", "MAXLEN", "~", "555", fmt.Sprintf("%d-1", i+1), "f", "v"); r.Kind == resp.KindError {
			t.Fatal(r)
		}
	}
	if got := f.do("XLEN", "s").Int; got != 600 {
		t.Fatalf("XLEN after MAXLEN ~ 555 = %d, want 600", got)
	}
	if got := flat(f.do("XRANGE", "s", "-", "+", "COUNT", "1")); got != "401-1 f v" {
		t.Fatalf("first entry %q, want 401-1", got)
	}
	f.do("CONFIG", "SET", "stream-node-max-entries", "10")
	if got := f.do("XTRIM", "s", "MINID", "~", "425").Int; got != 20 {
		t.Fatalf("XTRIM MINID ~ 425 removed %d, want 20 (two whole blocks of 10)", got)
	}
}

// A blocked XREAD does not hold the node's gate: a transaction runs at
// once, and the XADD after it serves the reader. Before, EXEC waited for
// the reader's BLOCK to time out, and the reader answered null.
func TestStreamBlockedReadDoesNotHoldExec(t *testing.T) {
	f := newFixture(t)
	done := blockRun(f, 100, "XREAD", "BLOCK", "3000", "STREAMS", "s", "$")
	waitBlocked(t, f, 1)
	f.do("MULTI")
	f.do("XADD", "s", "1-1", "old", "x")
	f.do("DEL", "s")
	if r := f.do("EXEC"); r.Kind != resp.KindArray {
		t.Fatalf("EXEC = %v", r)
	}
	f.do("XADD", "s", "2-1", "new", "y")
	if got := blockGot(t, "XREAD", done); got != "s 2-1 new y" {
		t.Fatalf("blocked XREAD got %q, want the entry added after the transaction", got)
	}
}

// Every reader blocked on a stream gets an XADD (readers take nothing
// from each other); XREADGROUP readers of one group share it out.
func TestStreamXaddWakesEveryReader(t *testing.T) {
	f := newFixture(t)
	f.do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	var done []<-chan resp.Reply
	for i := range 3 {
		done = append(done, blockRun(f, uint64(100+i), "XREAD", "BLOCK", "3000", "STREAMS", "s", "$"))
		waitBlocked(t, f, i+1)
	}
	g := blockRun(f, 200, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "3000", "STREAMS", "s", ">")
	waitBlocked(t, f, 4)
	f.do("XADD", "s", "5-1", "k", "v")
	for i, ch := range done {
		if got := blockGot(t, "XREAD", ch); got != "s 5-1 k v" {
			t.Errorf("reader %d got %q", i, got)
		}
	}
	if got := blockGot(t, "XREADGROUP", g); got != "s 5-1 k v" {
		t.Errorf("group reader got %q", got)
	}
	if got := flat(f.do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0")); !strings.Contains(got, "5-1") {
		t.Errorf("the group read left no pending entry: %q", got)
	}
}

// A blocked XREADGROUP answers NOGROUP once its key is deleted or turned
// into another type (Redis's "Blocking XREADGROUP: key deleted" and "key
// type changed with SET"); it used to wait for its timeout.
func TestStreamBlockedGroupReadSeesItsKeyGo(t *testing.T) {
	for _, change := range [][]string{{"DEL", "s"}, {"SET", "s", "v"}, {"FLUSHALL"}} {
		f := newFixture(t)
		f.do("XADD", "s", "1-1", "f", "v")
		f.do("XGROUP", "CREATE", "s", "g", "$")
		done := blockRun(f, 100, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "4000", "STREAMS", "s", ">")
		waitBlocked(t, f, 1)
		f.do(change...)
		if got := blockGot(t, "XREADGROUP", done); !strings.Contains(got, "no longer exists") {
			t.Errorf("after %v the blocked XREADGROUP got %q", change, got)
		}
	}
}

// XADD takes the last ID from the last entry when the facts record a
// merge kept is older (two coordinators, the newer facts write holding
// the lower ID): an explicit ID at or below an entry that exists is
// refused, not written over it. Before, the facts were compared with the
// first entry, and XADD s 5-1 overwrote the acknowledged entry 5-1.
func TestStreamXaddAboveMergedEntries(t *testing.T) {
	a, b := newLawReplica("a", 1_000), newLawReplica("b", 1_000)
	a.do("XADD", "s", "5-1", "from", "a")
	b.kv.advance(10) // b's facts record is the newer one: it says 1-1
	b.do("XADD", "s", "1-1", "from", "b")
	u := union("u", 2_000, a, b)
	if got := u.do("XADD", "s", "5-1", "over", "written"); !strings.Contains(got, "equal or smaller than the target stream top item") {
		t.Errorf("XADD s 5-1 after the merge = %s", got)
	}
	if got := u.do("XADD", "s", "5-*", "next", "1"); got != `"5-2"` {
		t.Errorf("XADD s 5-* after the merge = %s, want 5-2", got)
	}
	if got := flat(u.d.Do(context.Background(), u.s, [][]byte{[]byte("XRANGE"), []byte("s"), []byte("5-1"), []byte("5-1")})); got != "5-1 from a" {
		t.Errorf("entry 5-1 = %q", got)
	}
}
