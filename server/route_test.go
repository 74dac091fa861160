package server

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/server/command"
)

// fixed places every key on n1, n2, n3 (in that order) of a larger ring.
type fixed struct{ members []string }

func (f fixed) Replicas([]byte) []string  { return f.members[:3] }
func (f fixed) Fallbacks([]byte) []string { return f.members[3:] }
func (f fixed) Span(uint64) (lo, hi uint64, replicas []string) {
	return 0, math.MaxUint64, f.members[:3]
}
func (f fixed) Members() []string { return f.members }
func (f fixed) Ring() *ring.Ring  { return nil } // not a ring: no partition handoff

type testNode struct {
	route *router
	coord *replica.Coordinator
	db    *engine.DB
	sess  *command.Session
}

// routedCluster wires n1..n4 over the in-memory network: storage,
// coordinator, command layer and router, as New does with TCP. The
// coordinators run N=3, R=2, W=2, a 300ms timeout, then opts.
func routedCluster(t *testing.T, opts ...func(*replica.Config)) (*transport.MemNetwork, map[string]*testNode) {
	t.Helper()
	net := transport.NewMemNetwork(1)
	place := fixed{members: []string{"n1", "n2", "n3", "n4"}}
	nodes := map[string]*testNode{}
	for _, name := range place.members {
		db, err := engine.OpenMem(engine.Options{SweepInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		tr := net.Node(name, nil)
		cfg := replica.Config{Node: name, N: 3, R: 2, W: 2, Timeout: 300 * time.Millisecond}
		for _, o := range opts {
			o(&cfg)
		}
		coord, err := replica.New(cfg, db, place, tr)
		if err != nil {
			t.Fatal(err)
		}
		disp := command.New(&command.Env{KV: coord})
		r := &router{self: name, disp: disp, place: place, coord: coord, peers: tr, timeout: 300 * time.Millisecond}
		tr.SetHandler(transport.HandlerFunc(func(ctx context.Context, from string, m uint8, b []byte) ([]byte, error) {
			if m == MethodExec {
				return r.serveExec(ctx, from, b)
			}
			return coord.ServePeer(ctx, from, m, b)
		}))
		nodes[name] = &testNode{route: r, coord: coord, db: db, sess: disp.NewSession(1, "test", "")}
		t.Cleanup(func() { coord.Close(); _ = tr.Close(); _ = db.Close() })
	}
	return net, nodes
}

func (n *testNode) do(args ...string) string {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return n.route.exec(context.Background(), n.sess, b).String()
}

func stored(t *testing.T, n *testNode, key string) bool {
	t.Helper()
	s, err := n.db.Get([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return len(s) > 0
}

// Writes arriving at a node outside the key's preference list are
// forwarded whole to a replica (so read-modify-writes stay atomic there);
// multi-key commands are split and their replies put back together.
func TestRouterForwardsAndSplits(t *testing.T) {
	net, nodes := routedCluster(t)
	n4 := nodes["n4"]
	if got := n4.do("SET", "k", "v"); got != "OK" {
		t.Fatalf("SET via n4 = %s", got)
	}
	if stored(t, n4, "k") || !stored(t, nodes["n1"], "k") {
		t.Fatal("the write was not coordinated by the key's first replica")
	}
	for i := 1; i <= 3; i++ {
		if got := n4.do("INCR", "c"); got != fmt.Sprintf("(integer) %d", i) {
			t.Fatalf("INCR #%d via n4 = %s", i, got)
		}
	}
	if got := n4.do("MSET", "a", "1", "b", "2"); got != "OK" {
		t.Fatalf("MSET = %s", got)
	}
	if got := nodes["n2"].do("MGET", "a", "missing", "b"); got != "1) \"1\"\n2) (nil)\n3) \"2\"" {
		t.Fatalf("MGET = %q", got)
	}
	// More keys than maxReadParts: several keys per local part, order kept.
	mget, want := []string{"MGET"}, ""
	for i := range 40 {
		key := []string{"a", "b", "nope"}[i%3]
		mget = append(mget, key)
		want += fmt.Sprintf("%2d) %s\n", i+1, map[string]string{"a": `"1"`, "b": `"2"`, "nope": "(nil)"}[key])
	}
	if got := n4.do(mget...); got != strings.TrimSuffix(want, "\n") {
		t.Fatalf("MGET of 40 = %q", got)
	}
	if got := n4.do("EXISTS", "a", "b", "a", "missing"); got != "(integer) 3" {
		t.Fatalf("EXISTS = %s", got)
	}
	if got := n4.do("DEL", "a", "b", "missing"); got != "(integer) 2" {
		t.Fatalf("DEL = %s", got)
	}
	net.Down("n1") // the next replica coordinates
	if got := n4.do("SET", "k", "v2"); got != "OK" || !stored(t, nodes["n2"], "k") {
		t.Fatalf("SET with n1 down = %s", got)
	}
	if got := nodes["n3"].do("GET", "k"); got != `"v2"` {
		t.Fatalf("GET via n3 = %s", got)
	}
	net.Down("n2")
	net.Down("n3")
	if got := n4.do("SET", "k", "v3"); !strings.Contains(got, "NOQUORUM") {
		t.Fatalf("SET with every replica down = %s", got)
	}
}

// Bug: forwarded calls ran under the connection's Background context, so a
// half-open peer (it accepts but never answers) held the client for as long
// as the connection lived. Every peer call now has the request timeout.
func TestForwardToHalfOpenPeerTimesOut(t *testing.T) {
	net, nodes := routedCluster(t)
	n4 := nodes["n4"]
	for _, to := range []string{"n1", "n2", "n3"} {
		net.SetDelay("n4", to, time.Hour)
	}
	start := time.Now()
	got := n4.do("SET", "k", "v")
	if !strings.Contains(got, "NOQUORUM") {
		t.Fatalf("SET through a half-open cluster = %s", got)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("SET took %v", took)
	}
}

// A forwarded command that timed out may still run on its coordinator, so
// it is not run again on the next replica: an INCR must not count twice.
func TestTimedOutForwardIsNotRetriedElsewhere(t *testing.T) {
	net, nodes := routedCluster(t)
	net.SetDelay("n4", "n1", time.Hour) // n1 accepts but does not answer n4
	got := nodes["n4"].do("INCR", "c")
	if !strings.Contains(got, "may have run") {
		t.Fatalf("INCR through a silent coordinator = %s", got)
	}
	if v := nodes["n2"].do("GET", "c"); v != "(nil)" {
		t.Fatalf("the INCR ran on another replica after the timeout: GET = %s", v)
	}
}

// A blind write (SET without NX/XX/GET/KEEPTTL, MSET) arriving at one of
// its key's replicas is coordinated there, not forwarded to the first
// replica (Dynamo §6.4): with n1 silent towards n3, SET and MSET via n3
// still succeed on n3 and n2, while a read-modify-write (SET NX) still
// goes to n1, the key's one coordinator for those.
func TestBlindWritesRunOnAnyReplica(t *testing.T) {
	net, nodes := routedCluster(t)
	net.SetDelay("n3", "n1", time.Hour) // n1 accepts n3's calls but never answers
	n3 := nodes["n3"]
	if got := n3.do("SET", "k", "v", "EX", "100"); got != "OK" {
		t.Fatalf("SET via n3, a replica of k, with n1 silent = %s; want OK, coordinated on n3", got)
	}
	if got := n3.do("MSET", "a", "1", "b", "2"); got != "OK" {
		t.Fatalf("MSET via n3 with n1 silent = %s; want OK", got)
	}
	for _, k := range []string{"k", "a", "b"} {
		if !stored(t, n3, k) || !stored(t, nodes["n2"], k) {
			t.Fatalf("%s is not on n3 and n2 after a write through n3", k)
		}
	}
	if got := nodes["n2"].do("GET", "k"); got != `"v"` {
		t.Fatalf("GET k via n2 = %s", got)
	}
	if got := n3.do("SET", "k", "w", "NX"); !strings.Contains(got, "may have run") {
		t.Fatalf("SET NX via n3 with n1 silent = %s; want it forwarded to n1 (and timed out)", got)
	}
}
