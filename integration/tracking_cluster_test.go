package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTrackingCluster: a RESP3 client tracking keys on n1 is invalidated
// by writes sent to n3, whichever node coordinates them (a write runs on
// its key's coordinator, which announces nothing itself: n1 announced its
// tracking session to every node when CLIENT TRACKING on returned, and
// the coordinator's SET replies only after n1 took the invalidation).
// A key given an expiry through n3 is invalidated on n1 when it expires.
// Then BCAST, a FLUSHALL through n2 (a null), and a tracking session that
// ended gets nothing more. Then trackForwarded.
func TestTrackingCluster(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	n1, n2, n3 := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	tracker := DialRESP(t, n1.Addr())
	tracker.Do("HELLO", "3")
	writer, flusher := DialRESP(t, n3.Addr()), DialRESP(t, n2.Addr())
	if r := tracker.Do("CLIENT", "TRACKING", "on"); r.Raw != "+OK\r\n" {
		t.Fatalf("CLIENT TRACKING on: %s", r)
	}
	var keys []string
	for i := range 12 { // coordinated by all three nodes, in all likelihood
		k := fmt.Sprintf("tk%d", i)
		keys = append(keys, k)
		tracker.Do("GET", k)
	}
	for _, k := range keys {
		if r := writer.Do("SET", k, "v"); r.Raw != "+OK\r\n" {
			t.Fatalf("SET %s on n3: %s", k, r)
		}
	}
	want := ""
	for _, k := range keys {
		want += invalidation(k)
	}
	if got := pushesBefore(t, tracker, "m1"); got != want {
		t.Errorf("n1's invalidations after SETs on n3:\n got %q\nwant %q", got, want)
	}
	writer.Do("SET", keys[0], "w")
	if got := pushesBefore(t, tracker, "m2"); got != "" {
		t.Errorf("a key not read again was invalidated: %q", got)
	}

	// an expiry set through n3 invalidates on n1 when the key expires
	writer.Do("SET", "ek", "v", "PX", "300")
	tracker.Do("GET", "ek")
	got := ""
	for i := 0; got == "" && i < 200; i++ { // bounded: 200 x 50 ms
		time.Sleep(50 * time.Millisecond)
		got = pushesBefore(t, tracker, fmt.Sprintf("e%d", i))
	}
	if got != invalidation("ek") {
		t.Errorf("expiry of ek (set on n3): n1 got %q, want %q", got, invalidation("ek"))
	}

	tracker.Do("CLIENT", "TRACKING", "off")
	tracker.Do("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:")
	writer.Do("MSET", "user:1", "a", "other", "b") // split by key: each part on its coordinator
	writer.Do("SET", "user:2", "c")
	writer.Do("SET", "other", "d")
	if got, want := pushesBefore(t, tracker, "m3"), invalidation("user:1")+invalidation("user:2"); got != want {
		t.Errorf("BCAST user: after writes on n3:\n got %q\nwant %q", got, want)
	}
	if r := flusher.Do("FLUSHALL"); r.Raw != "+OK\r\n" {
		t.Fatalf("FLUSHALL on n2: %s", r)
	}
	if got := pushesBefore(t, tracker, "m4"); !strings.Contains(got, ">2\r\n$10\r\ninvalidate\r\n_\r\n") {
		t.Errorf("FLUSHALL on n2: n1 got %q, want a null invalidation", got)
	}
	tracker.Do("CLIENT", "TRACKING", "off")
	writer.Do("SET", "user:3", "e")
	if got := pushesBefore(t, tracker, "m5"); got != "" {
		t.Errorf("after TRACKING off: %q", got)
	}
	trackForwarded(t, c)
}

// trackForwarded: clients of n1 tracking keys whose coordinator is n2.
// A GET runs on n1 (reads are coordinated anywhere); writes, transactions
// and scripts run on n2, yet are tracked as if run on n1: their reads are
// remembered for the client, so a write through n3 invalidates them; a
// NOLOOP client's own write run on n2 sends it no invalidation (another
// tracking client of n1 gets one); CLIENT CACHING yes (OPTIN) and no
// (OPTOUT) hold for the next command, run on n2 or not, and apply to the
// reads of a transaction run on n2.
func trackForwarded(t *testing.T, c *Cluster) {
	n1, n2, n3 := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	keys, _ := pickKeys(t, c, n1, "fw", 10, 500, func(l Location) bool { return l.Replicas[0] == n2.Opts.Name })
	if len(keys) < 10 {
		t.Fatalf("only %d keys coordinated by n2 in 500", len(keys))
	}
	conns := make([]*RESPConn, 4)
	for i := range conns {
		conns[i] = DialRESP(t, n1.Addr())
		conns[i].Do("HELLO", "3")
	}
	tracker, noloop, in, out := conns[0], conns[1], conns[2], conns[3]
	writer := DialRESP(t, n3.Addr())
	tracker.Do("CLIENT", "TRACKING", "on")
	noloop.Do("CLIENT", "TRACKING", "on", "NOLOOP")
	in.Do("CLIENT", "TRACKING", "on", "OPTIN")
	out.Do("CLIENT", "TRACKING", "on", "OPTOUT")

	get, tx, script := keys[0], keys[1], keys[2]
	tracker.Do("GET", get)
	tracker.Do("MULTI")
	tracker.Do("GET", tx)
	if r := tracker.Do("EXEC"); r.Kind != '*' {
		t.Fatalf("EXEC: %s", r)
	}
	tracker.Do("EVAL", "return redis.call('GET', KEYS[1])", "1", script)
	for _, k := range []string{get, tx, script} {
		writer.Do("SET", k, "v")
	}
	if got, want := pushesBefore(t, tracker, "f1"), invalidation(get)+invalidation(tx)+invalidation(script); got != want {
		t.Errorf("reads on n1 (GET) and n2 (EXEC, EVAL), writes on n3:\n got %q\nwant %q", got, want)
	}

	own := keys[3]
	noloop.Do("GET", own)
	tracker.Do("GET", own)
	if r := noloop.Do("SET", own, "mine"); r.Raw != "+OK\r\n" {
		t.Fatalf("SET %s: %s", own, r)
	}
	if got := pushesBefore(t, noloop, "f2"); got != "" {
		t.Errorf("NOLOOP client's own write, run on n2, came back: %q", got)
	}
	if got := pushesBefore(t, tracker, "f3"); got != invalidation(own) {
		t.Errorf("another client's invalidation of %s: got %q", own, got)
	}

	// CACHING yes|no holds for the next command: a SET run on n2 takes it
	afterSet, inTx := keys[4], keys[5]
	for _, c := range []struct {
		conn *RESPConn
		yes  string
	}{{in, "yes"}, {out, "no"}} {
		c.conn.Do("CLIENT", "CACHING", c.yes)
		c.conn.Do("SET", keys[6], "x")
		c.conn.Do("GET", afterSet) // OPTIN: not tracked; OPTOUT: tracked
		c.conn.Do("CLIENT", "CACHING", c.yes)
		c.conn.Do("MULTI")
		c.conn.Do("GET", inTx) // run on n2; OPTIN: tracked; OPTOUT: not tracked
		c.conn.Do("EXEC")
	}
	writer.Do("SET", afterSet, "v")
	writer.Do("SET", inTx, "v")
	if got := pushesBefore(t, in, "f4"); got != invalidation(inTx) {
		t.Errorf("OPTIN: got %q, want only %q", got, invalidation(inTx))
	}
	if got := pushesBefore(t, out, "f5"); got != invalidation(afterSet) {
		t.Errorf("OPTOUT: got %q, want only %q", got, invalidation(afterSet))
	}
}

// invalidation is the RESP3 push of one invalidated key.
func invalidation(k string) string {
	return fmt.Sprintf(">2\r\n$10\r\ninvalidate\r\n*1\r\n$%d\r\n%s\r\n", len(k), k)
}

// pushesBefore sends PING mark on c and returns what c received before its
// reply.
func pushesBefore(t *testing.T, c *RESPConn, mark string) string {
	t.Helper()
	c.Send("PING", mark)
	var b strings.Builder
	for range 1000 {
		r, err := c.Read()
		if err != nil {
			t.Fatalf("PING %s: %v", mark, err)
		}
		if r.Kind == '$' && r.Str == mark {
			return b.String()
		}
		b.WriteString(r.Raw)
	}
	t.Fatalf("PING %s: no reply in 1000 frames", mark)
	return ""
}
