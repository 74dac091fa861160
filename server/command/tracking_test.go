package command

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// sessionList is a Clients that finds sessions by ID (REDIRECT targets).
type sessionList struct {
	noClients
	mu   sync.Mutex
	byID map[uint64]*Session
}

func (l *sessionList) Session(id uint64) *Session {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byID[id]
}

// trackFixture is a fixture whose clients are findable by ID.
func trackFixture(t *testing.T) (*fixture, *sessionList) {
	f := newFixture(t)
	l := &sessionList{byID: map[uint64]*Session{}}
	f.env.Clients = l
	return f, l
}

func (l *sessionList) add(c *client) *client {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byID[c.s.ID] = c.s
	return c
}

const (
	inv   = ">2\r\n$10\r\ninvalidate\r\n"
	invK  = inv + "*1\r\n$1\r\nk\r\n"
	invNN = inv + "_\r\n"
)

func TestTrackingDefaultMode(t *testing.T) {
	f, l := trackFixture(t)
	a, b := l.add(f.client(1)), l.add(f.client(2))
	a.do("HELLO", "3")
	expect(t, "TRACKING on", a.do("CLIENT", "TRACKING", "on"), "+OK\r\n")
	expect(t, "GET k", a.do("GET", "k"), "_\r\n")
	expect(t, "nothing yet", a.box.take(), "")
	expect(t, "SET k by b", b.do("SET", "k", "1"), "+OK\r\n")
	expect(t, "a invalidated", a.box.take(), invK)
	expect(t, "SET k again: not read since", b.do("SET", "k", "2"), "+OK\r\n")
	expect(t, "no second message", a.box.take(), "")
	a.do("GET", "k")
	a.do("SET", "k", "3")
	expect(t, "own write invalidates (no NOLOOP)", a.box.take(), invK)
	a.do("GET", "k")
	expect(t, "SETNX on an existing key changes nothing", b.do("SETNX", "k", "x"), ":0\r\n")
	expect(t, "no message", a.box.take(), "")
	b.do("DEL", "k")
	expect(t, "DEL invalidates", a.box.take(), invK)
	a.do("MGET", "k", "other")
	b.do("FLUSHALL")
	expect(t, "FLUSHALL: a null", a.box.take(), invNN)
	b.do("SET", "k", "1")
	expect(t, "flush forgot the keys", a.box.take(), "")
}

func TestTrackingNoloopAndResp2(t *testing.T) {
	f, l := trackFixture(t)
	a, b := l.add(f.client(1)), l.add(f.client(2))
	a.do("HELLO", "3")
	a.do("CLIENT", "TRACKING", "on", "NOLOOP")
	a.do("GET", "k")
	a.do("SET", "k", "1")
	expect(t, "NOLOOP: own write silent", a.box.take(), "")
	b.do("CLIENT", "TRACKING", "on")
	b.do("GET", "k")
	a.do("SET", "k", "2")
	expect(t, "RESP2 without redirect gets nothing", b.box.take(), "")
}

func TestTrackingRedirect(t *testing.T) {
	f, l := trackFixture(t)
	a, sub := l.add(f.client(1)), l.add(f.client(2))
	expect(t, "missing target", a.do("CLIENT", "TRACKING", "on", "REDIRECT", "9"),
		"-ERR The client ID you want redirect to does not exist\r\n")
	sub.do("SUBSCRIBE", "__redis__:invalidate")
	expect(t, "on", a.do("CLIENT", "TRACKING", "on", "REDIRECT", "2"), "+OK\r\n")
	expect(t, "GETREDIR", a.do("CLIENT", "GETREDIR"), ":2\r\n")
	a.do("GET", "k")
	a.do("SET", "k", "1")
	expect(t, "pub/sub message to the RESP2 target", sub.box.take(),
		"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n")
	expect(t, "none to a", a.box.take(), "")
	if line := a.do("CLIENT", "INFO"); !strings.Contains(line, " flags=t ") || !strings.Contains(line, " redir=2 ") {
		t.Errorf("CLIENT INFO: %q", line)
	}
	l.mu.Lock()
	delete(l.byID, 2)
	l.mu.Unlock()
	a.do("HELLO", "3")
	a.do("GET", "k")
	a.do("SET", "k", "2")
	expect(t, "broken redirect", a.box.take(), ">2\r\n$21\r\ntracking-redir-broken\r\n:2\r\n")
	if line := a.do("CLIENT", "INFO"); !strings.Contains(line, " flags=tR ") {
		t.Errorf("CLIENT INFO: %q", line)
	}
}

func TestTrackingBcast(t *testing.T) {
	f, l := trackFixture(t)
	a, b := l.add(f.client(1)), l.add(f.client(2))
	a.do("HELLO", "3")
	a.do("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b")
	b.do("MSET", "b2", "x", "a1", "y", "b1", "z", "c", "w")
	expect(t, "one message per prefix, keys sorted", a.box.take(),
		inv+"*1\r\n$2\r\na1\r\n"+inv+"*2\r\n$2\r\nb1\r\n$2\r\nb2\r\n")
	expect(t, "overlap", a.do("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab"),
		"-ERR Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a single client must not overlap.\r\n")
	expect(t, "TRACKINGINFO", a.do("CLIENT", "TRACKINGINFO"),
		"%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n")
	if line := a.do("CLIENT", "INFO"); !strings.Contains(line, " flags=tB ") {
		t.Errorf("CLIENT INFO: %q", line)
	}
	a.do("CLIENT", "TRACKING", "off")
	b.do("SET", "a1", "x")
	expect(t, "off: nothing", a.box.take(), "")
	if n := f.d.pubsub.track.on.Load(); n != 0 {
		t.Errorf("tracking sessions after off: %d", n)
	}
}

func TestTrackingOptInOut(t *testing.T) {
	f, l := trackFixture(t)
	a, b := l.add(f.client(1)), l.add(f.client(2))
	a.do("HELLO", "3")
	a.do("CLIENT", "TRACKING", "on", "OPTIN")
	a.do("GET", "k")
	b.do("SET", "k", "1")
	expect(t, "OPTIN without CACHING yes: not tracked", a.box.take(), "")
	expect(t, "CACHING yes", a.do("CLIENT", "CACHING", "yes"), "+OK\r\n")
	a.do("GET", "k")
	a.do("GET", "j") // CACHING yes held for the GET k only
	b.do("MSET", "k", "2", "j", "2")
	expect(t, "k only", a.box.take(), invK)
	expect(t, "CACHING no in OPTIN", a.do("CLIENT", "CACHING", "no"),
		"-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n")
	expect(t, "switch", a.do("CLIENT", "TRACKING", "on", "OPTOUT"),
		"-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.\r\n")
	a.do("CLIENT", "TRACKING", "off")
	a.do("CLIENT", "TRACKING", "on", "OPTOUT")
	a.do("CLIENT", "CACHING", "no")
	a.do("GET", "k")
	b.do("SET", "k", "3")
	expect(t, "OPTOUT with CACHING no: not tracked", a.box.take(), "")
}

func TestTrackingErrors(t *testing.T) {
	f, _ := trackFixture(t)
	f.script(`
		> CLIENT TRACKING on PREFIX a
		(error) ERR PREFIX option requires BCAST mode to be enabled
		> CLIENT TRACKING on OPTIN OPTOUT
		(error) ERR You can't specify both OPTIN mode and OPTOUT mode
		> CLIENT TRACKING on BCAST OPTIN
		(error) ERR OPTIN and OPTOUT are not compatible with BCAST
		> CLIENT TRACKING on REDIRECT x
		(error) ERR value is not an integer or out of range
		> CLIENT TRACKING maybe
		(error) ERR syntax error
		> CLIENT TRACKING on BCAST PREFIX a PREFIX ab
		(error) ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap.
		> CLIENT CACHING yes
		(error) ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled
		> CLIENT GETREDIR
		(integer) -1
		> CLIENT TRACKING on
		OK
		> CLIENT TRACKING on BCAST
		(error) ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.
		> CLIENT GETREDIR
		(integer) 0
	`)
}

// TestTrackingIdleCost checks that a node where nobody tracks keeps no
// state for reads and writes.
func TestTrackingIdleCost(t *testing.T) {
	f, _ := trackFixture(t)
	f.do("GET", "k")
	f.do("SET", "k", "1")
	if f.d.pubsub.track.keys != nil || f.d.pubsub.track.active() {
		t.Error("tracking state without a tracking session")
	}
}

// TestTrackingExpiry: a tracked key that expires is invalidated, by the
// expiry timer of the node that ran the write giving it the expiry.
func TestTrackingExpiry(t *testing.T) {
	f, l := trackFixture(t)
	a, b := l.add(f.client(1)), l.add(f.client(2))
	t.Cleanup(f.d.StopKeyEvents)
	a.do("HELLO", "3")
	a.do("CLIENT", "TRACKING", "on")
	b.do("SET", "k", "v", "PX", "20")
	a.do("GET", "k")
	f.kv.advance(30) // the timer fires after 20 ms of real time and finds the key expired
	got := ""
	for end := time.Now().Add(5 * time.Second); got == "" && time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		got = a.box.take()
	}
	expect(t, "invalidated at expiry", got, invK)
}

// TestTrackingTableLimit: past the table's limit, keys are dropped and
// invalidated as if modified (Redis's tracking-table-max-keys).
func TestTrackingTableLimit(t *testing.T) {
	f, l := trackFixture(t)
	a := l.add(f.client(1))
	f.do("CONFIG", "SET", "tracking-table-max-keys", "2")
	a.do("HELLO", "3")
	a.do("CLIENT", "TRACKING", "on")
	a.do("MGET", "k1", "k2")
	expect(t, "within the limit", a.box.take(), "")
	a.do("GET", "k3")
	got := a.box.take()
	if strings.Count(got, ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk") != 1 {
		t.Errorf("one key dropped and invalidated, got %q", got)
	}
	if n := len(f.d.pubsub.track.keys); n != 2 {
		t.Errorf("table holds %d keys, want 2", n)
	}
	// A lowered limit applies without a new key being tracked, and its
	// invalidations reach a NOLOOP client (nobody modified the key); the
	// Tcl suite's "Tracking gets notification on tracking table key
	// eviction" waited for them forever.
	a.do("CLIENT", "TRACKING", "on", "NOLOOP")
	a.do("CONFIG", "SET", "tracking-table-max-keys", "1")
	if got := a.box.take(); strings.Count(got, ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk") != 1 {
		t.Errorf("lowering the limit to 1: one key dropped and invalidated, got %q", got)
	}
	if n := len(f.d.pubsub.track.keys); n != 1 {
		t.Errorf("table holds %d keys, want 1", n)
	}
}

// TestTrackingScriptsAndTransactions: writes inside a script or EXEC
// invalidate like any other.
func TestTrackingScriptsAndTransactions(t *testing.T) {
	f, l := trackFixture(t)
	a, b := l.add(f.client(1)), l.add(f.client(2))
	a.do("HELLO", "3")
	a.do("CLIENT", "TRACKING", "on")
	a.do("GET", "k")
	b.do("EVAL", "return redis.call('set', KEYS[1], 'x')", "1", "k")
	expect(t, "EVAL's SET", a.box.take(), invK)
	a.do("GET", "k")
	b.do("MULTI")
	b.do("INCR", "n")
	b.do("DEL", "k")
	b.do("EXEC")
	expect(t, "EXEC's DEL", a.box.take(), invK)
}

// A transaction's or script's BCAST messages are sent at its end, one per
// prefix (Redis collects them until the event loop's next pass); before,
// each INCR of a MULTI sent its own, and the Tcl suite's "Clients can
// enable the BCAST mode with prefixes" read a:1 and a:2 apart.
func TestTrackingBcastOncePerTransaction(t *testing.T) {
	f, l := trackFixture(t)
	a, b := l.add(f.client(1)), l.add(f.client(2))
	a.do("HELLO", "3")
	a.do("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:", "PREFIX", "b:")
	b.do("MULTI")
	for _, k := range []string{"b:2", "a:1", "c:1", "a:2", "b:1"} {
		b.do("INCR", k)
	}
	b.do("EXEC")
	expect(t, "EXEC: one message per prefix", a.box.take(),
		inv+"*2\r\n$3\r\na:1\r\n$3\r\na:2\r\n"+inv+"*2\r\n$3\r\nb:1\r\n$3\r\nb:2\r\n")
	b.do("EVAL", "redis.call('set', 'a:1', 'x') redis.call('set', 'a:3', 'y')", "0")
	expect(t, "EVAL: one message", a.box.take(), inv+"*2\r\n$3\r\na:1\r\n$3\r\na:3\r\n")
	b.do("SET", "b:9", "1")
	expect(t, "a plain command: at once", a.box.take(), inv+"*1\r\n$3\r\nb:9\r\n")
}

// A read inside a script tracks the keys the script declared, and a
// read-only script command tracks nothing by itself (Redis 7.0.15's
// call(); the Tcl suite's "Tracking only occurs for scripts when a command
// calls a read-only command").
func TestTrackingScriptReadsTrackDeclaredKeys(t *testing.T) {
	f, l := trackFixture(t)
	a, b := l.add(f.client(1)), l.add(f.client(2))
	a.do("HELLO", "3")
	a.do("CLIENT", "TRACKING", "on")
	a.do("EVAL", "redis.call('set', 'k3', 'bar')", "2", "k1", "k2")
	b.do("MSET", "k2", "1", "k1", "1")
	expect(t, "a script that reads nothing tracks nothing", a.box.take(), "")
	a.do("EVAL", "redis.call('get', 'k3')", "2", "k1", "k2")
	b.do("MSET", "k2", "2", "k1", "2", "k3", "2")
	expect(t, "a script that reads tracks its declared keys", a.box.take(),
		inv+"*1\r\n$2\r\nk2\r\n"+inv+"*1\r\n$2\r\nk1\r\n")
	a.do("EVAL_RO", "redis.call('ping')", "2", "k1", "k2")
	b.do("MSET", "k2", "3", "k1", "3")
	expect(t, "EVAL_RO without a read tracks nothing", a.box.take(), "")
	a.do("EVAL_RO", "redis.call('get', 'k1')", "2", "k1", "k2")
	b.do("MSET", "k2", "4", "k1", "4")
	expect(t, "EVAL_RO with a read tracks its declared keys", a.box.take(),
		inv+"*1\r\n$2\r\nk2\r\n"+inv+"*1\r\n$2\r\nk1\r\n")
}

// TestTrackingTableWhileNobodyTracks: as in Redis 7.0.15, the keys of
// sessions that stopped tracking stay in the table (and INFO) until they
// are modified or flushed, which drops them though nobody tracks; reads
// of non-tracking sessions feed nothing; an emptied table holds no map.
func TestTrackingTableWhileNobodyTracks(t *testing.T) {
	f, l := trackFixture(t)
	a, b := l.add(f.client(1)), l.add(f.client(2))
	tr := &f.d.pubsub.track
	for _, step := range []struct {
		do   func()
		want string
	}{
		{func() {
			a.do("CLIENT", "TRACKING", "on")
			b.do("CLIENT", "TRACKING", "on")
			a.do("MGET", "k1", "k2", "k3")
			b.do("GET", "k1")
			a.do("CLIENT", "TRACKING", "off")
			f.d.EndSession(b.s) // b disconnects
		}, "tracking_clients:0 tracking_total_keys:3 tracking_total_items:4 tracking_total_prefixes:0"},
		{func() { a.do("GET", "k4"); f.do("GET", "k5") },
			"tracking_clients:0 tracking_total_keys:3 tracking_total_items:4 tracking_total_prefixes:0"},
		{func() { f.do("SET", "k1", "v") },
			"tracking_clients:0 tracking_total_keys:2 tracking_total_items:2 tracking_total_prefixes:0"},
		{func() { f.do("DEL", "k2", "k3") }, // k2 and k3 do not exist: DEL modifies nothing
			"tracking_clients:0 tracking_total_keys:2 tracking_total_items:2 tracking_total_prefixes:0"},
		{func() { f.do("MSET", "k2", "v", "k3", "v") },
			"tracking_clients:0 tracking_total_keys:0 tracking_total_items:0 tracking_total_prefixes:0"},
		{func() {
			a.do("CLIENT", "TRACKING", "on")
			a.do("GET", "k6")
			a.do("CLIENT", "TRACKING", "off")
			f.do("FLUSHALL")
		},
			"tracking_clients:0 tracking_total_keys:0 tracking_total_items:0 tracking_total_prefixes:0"},
	} {
		step.do()
		if got := trackingInfo(f); got != step.want {
			t.Errorf("got  %s\nwant %s", got, step.want)
		}
	}
	if tr.keys != nil || tr.active() {
		t.Errorf("emptied table: keys %v, active %v", tr.keys, tr.active())
	}
}
