package integration

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Client-side caching (CLIENT TRACKING) against redis-server: scenarios of
// several connections, each step one command on one of them; after each
// step every connection is synced with a PING carrying a marker, so that
// whatever invalidation the step pushed to it (before the marker's reply)
// is part of the transcript. Both servers' transcripts must be the same,
// with client IDs written as $n (connection n's ID).

// trackStep is one command of a scenario.
type trackStep struct {
	conn  int
	args  []string // "$n" is connection n's CLIENT ID
	show  string   // "": the reply's bytes; "flags": CLIENT INFO's flags and redir; "tracking": INFO's tracking figures; "none"
	close bool     // close conn instead (and wait until the server dropped it)
	// nosync: no PING after the step (the PING would end a CLIENT CACHING
	// given for the next command)
	nosync bool
}

func ts(conn int, args ...string) trackStep { return trackStep{conn: conn, args: args} }

func tsShow(show string, conn int, args ...string) trackStep {
	return trackStep{conn: conn, args: args, show: show}
}

func tsNoSync(conn int, args ...string) trackStep {
	return trackStep{conn: conn, args: args, nosync: true}
}

var trackingScenarios = []struct {
	name  string
	conns int
	steps []trackStep
}{
	{"default RESP3", 2, []trackStep{
		tsShow("none", 0, "HELLO", "3"),
		ts(0, "CLIENT", "TRACKINGINFO"), ts(0, "CLIENT", "GETREDIR"), tsShow("flags", 0, "CLIENT", "INFO"),
		ts(0, "CLIENT", "TRACKING", "on"), ts(0, "GET", "k"), ts(1, "SET", "k", "1"), ts(1, "SET", "k", "2"),
		ts(0, "GET", "k"), ts(0, "SET", "k", "3"), ts(0, "MGET", "k", "a", "b"), ts(1, "MSET", "a", "1", "b", "2"),
		ts(0, "GET", "k"), ts(1, "SETNX", "k", "x"), ts(1, "SET", "k", "y", "NX"), ts(1, "DEL", "k"), ts(1, "DEL", "k"),
		ts(0, "STRLEN", "s"), ts(1, "APPEND", "s", "x"), ts(0, "EXISTS", "n"), ts(1, "INCR", "n"),
		ts(0, "HGET", "h", "f"), ts(1, "HSET", "h", "f", "v"), ts(0, "SCARD", "st"), ts(1, "SADD", "st", "m"),
		ts(0, "GET", "e"), ts(1, "SET", "e", "1"), ts(0, "GET", "e"), ts(1, "EXPIRE", "e", "100"),
		ts(0, "GET", "r"), ts(1, "SET", "r", "v"), ts(0, "GET", "r"), ts(1, "RENAME", "r", "r2"),
		ts(0, "GET", "x"), ts(1, "FLUSHALL"), ts(1, "SET", "x", "1"), ts(0, "GET", "x"), ts(0, "FLUSHDB"),
		ts(0, "CLIENT", "TRACKINGINFO"), ts(0, "CLIENT", "GETREDIR"), tsShow("flags", 0, "CLIENT", "INFO"),
		ts(0, "CLIENT", "TRACKING", "on"), ts(0, "CLIENT", "TRACKING", "off"), ts(0, "GET", "k"), ts(1, "SET", "k", "z"),
		ts(0, "CLIENT", "TRACKINGINFO"), tsShow("flags", 0, "CLIENT", "INFO"),
	}},
	{"NOLOOP", 2, []trackStep{
		tsShow("none", 0, "HELLO", "3"), ts(0, "CLIENT", "TRACKING", "on", "NOLOOP"), ts(0, "GET", "k"),
		ts(0, "SET", "k", "1"), ts(1, "SET", "k", "2"), ts(0, "GET", "k"), ts(1, "SET", "k", "3"),
		ts(0, "CLIENT", "TRACKINGINFO"), ts(0, "FLUSHALL"),
	}},
	{"BCAST", 2, []trackStep{
		tsShow("none", 0, "HELLO", "3"), ts(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b"),
		ts(1, "MSET", "b2", "x", "a1", "y", "b1", "z", "c", "w"), ts(1, "SET", "a1", "v"), ts(0, "SET", "b1", "v"),
		ts(0, "CLIENT", "TRACKINGINFO"), tsShow("flags", 0, "CLIENT", "INFO"),
		ts(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab"), ts(0, "CLIENT", "TRACKING", "on"),
		ts(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "c", "NOLOOP"), ts(0, "SET", "c1", "x"),
		ts(1, "SET", "c1", "y"), ts(0, "SET", "a", "z"), ts(0, "CLIENT", "TRACKINGINFO"),
		ts(0, "CLIENT", "TRACKING", "off"), ts(1, "SET", "a1", "v"),
		ts(0, "CLIENT", "TRACKING", "on", "BCAST"), ts(1, "SET", "zz", "1"), ts(0, "CLIENT", "TRACKINGINFO"),
		ts(1, "FLUSHALL"),
	}},
	{"OPTIN OPTOUT", 2, []trackStep{
		tsShow("none", 0, "HELLO", "3"), ts(0, "CLIENT", "TRACKING", "on", "OPTIN"), ts(0, "GET", "k"),
		ts(1, "SET", "k", "1"), tsNoSync(0, "CLIENT", "CACHING", "yes"), tsNoSync(0, "CLIENT", "TRACKINGINFO"),
		tsNoSync(0, "GET", "k"), ts(0, "GET", "j"), ts(1, "MSET", "k", "2", "j", "2"), ts(0, "CLIENT", "CACHING", "no"),
		ts(0, "CLIENT", "CACHING", "maybe"), ts(0, "CLIENT", "TRACKING", "on", "OPTOUT"),
		ts(0, "CLIENT", "TRACKING", "off"), ts(0, "CLIENT", "TRACKING", "on", "OPTOUT"),
		ts(0, "CLIENT", "CACHING", "yes"), tsNoSync(0, "CLIENT", "CACHING", "no"), ts(0, "GET", "k"),
		ts(1, "SET", "k", "3"), tsNoSync(0, "CLIENT", "CACHING", "no"), tsNoSync(0, "MULTI"), tsNoSync(0, "GET", "k"),
		tsNoSync(0, "GET", "k2"), ts(0, "EXEC"), ts(1, "MSET", "k", "3", "k2", "3"), ts(0, "GET", "k"), ts(1, "SET", "k", "4"), ts(0, "CLIENT", "TRACKINGINFO"),
	}},
	{"REDIRECT", 7, []trackStep{
		ts(1, "SUBSCRIBE", "__redis__:invalidate"), ts(0, "CLIENT", "TRACKING", "on", "REDIRECT", "$1"),
		ts(0, "CLIENT", "GETREDIR"), ts(0, "GET", "k"), ts(2, "SET", "k", "1"), tsShow("flags", 0, "CLIENT", "INFO"),
		ts(0, "CLIENT", "TRACKINGINFO"), ts(0, "CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", "$1"),
		ts(0, "CLIENT", "TRACKING", "off"), ts(0, "CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", "$1", "PREFIX", "p"),
		ts(2, "MSET", "p1", "x", "q", "y"), ts(0, "CLIENT", "TRACKING", "off"),
		ts(0, "CLIENT", "TRACKING", "on", "REDIRECT", "99999"), ts(0, "CLIENT", "TRACKING", "on", "REDIRECT", "$1", "REDIRECT", "$2"),
		ts(0, "CLIENT", "TRACKING", "on", "REDIRECT", "0"),
		// RESP2 without a redirect, or to a target not subscribed: nothing.
		ts(2, "CLIENT", "TRACKING", "on"), ts(2, "GET", "k"), ts(0, "SET", "k", "2"),
		ts(3, "CLIENT", "TRACKING", "on", "REDIRECT", "$2"), ts(3, "GET", "k"), ts(0, "SET", "k", "3"),
		// a RESP3 target gets a push
		tsShow("none", 4, "HELLO", "3"), ts(5, "CLIENT", "TRACKING", "on", "REDIRECT", "$4"), ts(5, "GET", "k"),
		ts(0, "SET", "k", "4"),
		// the target goes away
		tsShow("none", 5, "HELLO", "3"), ts(5, "GET", "k"), {conn: 4, close: true}, ts(0, "SET", "k", "5"),
		ts(5, "CLIENT", "TRACKINGINFO"), tsShow("flags", 5, "CLIENT", "INFO"), ts(5, "CLIENT", "GETREDIR"),
		ts(6, "FLUSHALL"),
	}},
	{"scripts and transactions", 2, []trackStep{
		tsShow("none", 0, "HELLO", "3"), ts(0, "CLIENT", "TRACKING", "on"), ts(0, "GET", "k"),
		ts(1, "EVAL", "return redis.call('set', KEYS[1], 'x')", "1", "k"), ts(0, "GET", "k"),
		// no PING while a connection is in MULTI (it would be queued)
		tsNoSync(1, "MULTI"), tsNoSync(1, "INCR", "n"), tsNoSync(1, "DEL", "k"), ts(1, "EXEC"), ts(0, "GET", "k"),
		tsNoSync(0, "MULTI"), tsNoSync(0, "SET", "k", "1"), tsNoSync(0, "GET", "k"), ts(0, "EXEC"), ts(1, "SET", "k", "2"),
		ts(0, "EVAL", "return redis.call('get', KEYS[1])", "1", "j"), ts(1, "SET", "j", "2"),
		ts(0, "GET", "k"), ts(0, "EVAL", "return redis.call('set', KEYS[1], 'z')", "1", "k"),
	}},
	{"errors", 1, []trackStep{
		ts(0, "CLIENT", "TRACKING"), ts(0, "CLIENT", "TRACKING", "maybe"), ts(0, "CLIENT", "TRACKING", "on", "foo"),
		ts(0, "CLIENT", "TRACKING", "on", "PREFIX", "a"), ts(0, "CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"),
		ts(0, "CLIENT", "TRACKING", "on", "BCAST", "OPTIN"), ts(0, "CLIENT", "TRACKING", "on", "BCAST", "OPTOUT"),
		ts(0, "CLIENT", "TRACKING", "on", "REDIRECT", "x"), ts(0, "CLIENT", "TRACKING", "on", "REDIRECT"),
		ts(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX"), ts(0, "CLIENT", "TRACKING", "off", "foo"),
		ts(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab"),
		ts(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "a"),
		ts(0, "CLIENT", "CACHING", "yes"), ts(0, "CLIENT", "CACHING"), ts(0, "CLIENT", "CACHING", "yes", "no"),
		ts(0, "CLIENT", "GETREDIR", "x"), ts(0, "CLIENT", "TRACKINGINFO", "x"),
		ts(0, "CLIENT", "TRACKING", "on", "bcast", "noloop", "prefix", "x"), ts(0, "CLIENT", "TRACKINGINFO"),
		ts(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "y", "PREFIX", "xy"),
		ts(0, "CLIENT", "TRACKING", "on", "OPTIN"), ts(0, "CLIENT", "TRACKING", "off"),
	}},
	{"nobody tracks RESP2", 3, nobodyTracks("2")},
	{"nobody tracks RESP3", 3, nobodyTracks("3")},
}

// nobodyTracks is the tracking table once its sessions stopped tracking
// (turned it off, disconnected), in RESP2 (hello "2") or RESP3: INFO's
// tracking figures keep their keys until writes or FLUSHALL drop them;
// reads then feed nothing; BCAST prefixes go with their sessions.
func nobodyTracks(hello string) []trackStep {
	info := func(conn int) trackStep { return tsShow("tracking", conn, "INFO") }
	return []trackStep{
		tsShow("none", 0, "HELLO", hello), tsShow("none", 1, "HELLO", hello),
		ts(0, "CLIENT", "TRACKING", "on"), ts(1, "CLIENT", "TRACKING", "on"), ts(0, "MGET", "a", "b", "c"),
		ts(1, "GET", "a"), ts(1, "GET", "d"), info(2),
		ts(0, "CLIENT", "TRACKING", "off"), {conn: 1, close: true}, info(2),
		ts(0, "GET", "e"), ts(2, "GET", "f"), info(2),
		ts(2, "SET", "a", "1"), info(2), ts(2, "DEL", "b"), info(2), ts(2, "MSET", "b", "1", "c", "1"), info(2),
		ts(2, "SET", "x", "1"), info(2),
		ts(0, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p"), info(2), ts(0, "CLIENT", "TRACKING", "off"), info(2),
		ts(2, "FLUSHALL"), info(0), ts(2, "SET", "d", "1"), info(2),
	}
}

// TestFidelityTracking runs each scenario on ringkv and redis-server and
// compares the transcripts line by line.
func TestFidelityTracking(t *testing.T) {
	t.Parallel()
	ref := StartRedisServer(t)
	n := StartNode(t, NodeOptions{})
	for _, sc := range trackingScenarios {
		t.Run(sc.name, func(t *testing.T) {
			want := runTracking(t, ref, sc.conns, sc.steps)
			got := runTracking(t, n.Addr(), sc.conns, sc.steps)
			var diffs []string
			for i := range want {
				if got[i] != want[i] {
					diffs = append(diffs, fmt.Sprintf("ringkv: %q\n   redis: %q", got[i], want[i]))
				}
			}
			if len(diffs) > 0 {
				t.Errorf("%d of %d steps differ from redis-server:\n%s", len(diffs), len(want), strings.Join(diffs, "\n"))
			}
		})
	}
}

// runTracking runs steps on fresh connections to addr and returns one
// transcript line per step.
func runTracking(t *testing.T, addr string, conns int, steps []trackStep) []string {
	t.Helper()
	cs := make([]*RESPConn, conns)
	ids := make([]string, conns)
	for i := range cs {
		cs[i] = DialRESP(t, addr)
		ids[i] = cs[i].Do("CLIENT", "ID").Str
	}
	cs[0].Do("FLUSHALL")
	open := make([]bool, conns)
	for i := range open {
		open[i] = true
	}
	out := make([]string, 0, len(steps))
	for n, st := range steps {
		if st.close {
			closeAndWait(t, cs, open, ids, st.conn)
			out = append(out, fmt.Sprintf("close %d", st.conn))
			continue
		}
		args := make([]string, len(st.args))
		for i, a := range st.args {
			args[i] = withIDs(a, ids)
		}
		line := fmt.Sprintf("%d> %s => %s", st.conn, strings.Join(st.args, " "), shown(cs[st.conn].Do(args...), st.show))
		for i, c := range cs {
			if open[i] && !st.nosync {
				if extra := syncConn(t, c, n); extra != "" {
					line += fmt.Sprintf(" | %d got %s", i, extra)
				}
			}
		}
		out = append(out, idNames(line, ids))
	}
	return out
}

// withIDs replaces "$n" by connection n's ID.
func withIDs(a string, ids []string) string {
	if len(a) == 2 && a[0] == '$' && a[1] >= '0' && int(a[1]-'0') < len(ids) {
		return ids[a[1]-'0']
	}
	return a
}

// idNames writes the connections' IDs in a transcript line as $n.
func idNames(line string, ids []string) string {
	for i, id := range ids {
		line = strings.ReplaceAll(line, ":"+id+"\\r\\n", fmt.Sprintf(":$%d\\r\\n", i))
		line = strings.ReplaceAll(line, "redir="+id+" ", fmt.Sprintf("redir=$%d ", i))
	}
	return line
}

var flagsField = regexp.MustCompile(` (flags|redir)=\S*`)

var trackingFigure = regexp.MustCompile(`tracking_[a-z_]+:\d+`)

// shown is what a transcript keeps of a reply.
func shown(r Reply, show string) string {
	switch show {
	case "none":
		return "-"
	case "flags":
		return strings.Join(flagsField.FindAllString(r.Raw, -1), "") + " "
	case "tracking": // INFO's tracking figures
		return strings.Join(trackingFigure.FindAllString(r.Raw, -1), " ")
	}
	return fmt.Sprintf("%q", r.Raw)
}

// syncConn sends PING with a marker and returns what c received before
// the marker's reply.
func syncConn(t *testing.T, c *RESPConn, n int) string {
	t.Helper()
	mark := fmt.Sprintf("sync-%d", n)
	c.Send("PING", mark)
	var extra []string
	for i := 0; i < 100; i++ {
		r, err := c.Read()
		if err != nil {
			t.Fatalf("sync: %v", err)
		}
		if strings.Contains(r.Raw, mark+"\r\n") {
			return strings.Join(extra, "")
		}
		extra = append(extra, fmt.Sprintf("%q", r.Raw))
	}
	t.Fatalf("sync: no PING reply in 100 replies")
	return ""
}

// closeAndWait closes connection i and waits (bounded) until the server
// no longer lists it.
func closeAndWait(t *testing.T, cs []*RESPConn, open []bool, ids []string, i int) {
	t.Helper()
	cs[i].Close()
	open[i] = false
	var other *RESPConn
	for j, c := range cs {
		if open[j] {
			other = c
			break
		}
	}
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); {
		r := other.Do("CLIENT", "LIST", "ID", ids[i])
		if !strings.Contains(r.Raw, "id="+ids[i]+" ") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("connection %d still listed 10s after closing it", i)
}
