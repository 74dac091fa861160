package replica_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// static places every key on the same list of nodes.
type static []string

func (s static) Replicas([]byte) []string                   { return s }
func (s static) Fallbacks([]byte) []string                  { return nil }
func (s static) Span(uint64) (lo, hi uint64, list []string) { return 0, math.MaxUint64, s }
func (s static) Members() []string                          { return s }
func (s static) Ring() *ring.Ring                           { return nil } // not a ring: no partition handoff

type testCluster struct {
	net    *transport.MemNetwork
	coords map[string]*replica.Coordinator
	stores map[string]*engine.DB
	served map[string]*[256]atomic.Int64 // peer calls each node served, by method
}

// newCluster starts n coordinators over the in-memory network, every key
// replicated on all of them, with N=n and the given R and W.
func newCluster(t *testing.T, n, r, w int, outsiders ...string) *testCluster {
	t.Helper()
	return newClusterWith(t, clusterOpts{n: n, r: r, w: w, outsiders: outsiders})
}

// clusterOpts shape newClusterWith's cluster; zero fields take
// newCluster's defaults.
type clusterOpts struct {
	n, r, w   int
	outsiders []string // nodes started outside the placement
	timeout   time.Duration
	up        func(node string) bool               // replica.Config.Up
	store     func(*engine.DB) replica.Store       // wraps each node's store
	refuse    func(node string, method uint8) bool // the node answers the method with an error (an older build)
}

func newClusterWith(t *testing.T, o clusterOpts) *testCluster {
	t.Helper()
	if o.timeout == 0 {
		o.timeout = 200 * time.Millisecond
	}
	tc := &testCluster{net: transport.NewMemNetwork(1), coords: map[string]*replica.Coordinator{},
		stores: map[string]*engine.DB{}, served: map[string]*[256]atomic.Int64{}}
	var names static
	for i := 0; i < o.n; i++ {
		names = append(names, fmt.Sprintf("n%d", i+1))
	}
	for _, name := range append(slices.Clone(names), o.outsiders...) {
		db, err := engine.OpenMem(engine.Options{SweepInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		cfg := replica.Config{Node: name, N: o.n, R: o.r, W: o.w, Timeout: o.timeout, Up: o.up,
			Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)}
		var c *replica.Coordinator
		served := new([256]atomic.Int64)
		tc.served[name] = served
		tr := tc.net.Node(name, transport.HandlerFunc(func(ctx context.Context, from string, m uint8, b []byte) ([]byte, error) {
			served[m].Add(1)
			if o.refuse != nil && o.refuse(name, m) {
				return nil, fmt.Errorf("replica: unknown peer method %d from %s", m, from)
			}
			return c.ServePeer(ctx, from, m, b)
		}))
		var store replica.Store = db
		if o.store != nil {
			store = o.store(db)
		}
		c, err = replica.New(cfg, store, names, tr)
		if err != nil {
			t.Fatal(err)
		}
		tc.coords[name], tc.stores[name] = c, db
		t.Cleanup(func() { c.Close(); _ = tr.Close(); _ = db.Close() })
	}
	return tc
}

func set(v string) replica.UpdateFunc {
	return func(cur version.Set, now int64) (*replica.Change, error) {
		return &replica.Change{Context: cur.Context(), Value: []byte(v)}, nil
	}
}

func value(t *testing.T, s version.Set) string {
	t.Helper()
	w, ok := s.Winner(math.MaxInt64 - 1)
	if !ok {
		return "(nil)"
	}
	return string(w.Value)
}

// Dynamo §4.5: a put succeeds once W replicas acknowledged it; a get
// returns once R replicas answered, with their versions merged.
func TestQuorumWriteThenReadAnywhere(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	ctx := context.Background()
	if _, err := tc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{}, set("v1")); err != nil {
		t.Fatal(err)
	}
	for name, c := range tc.coords {
		s, err := c.Get(ctx, []byte("k"), replica.ReadOptions{})
		if err != nil || value(t, s) != "v1" {
			t.Fatalf("read via %s = %q, %v", name, value(t, s), err)
		}
	}
}

func TestNoQuorumWhenTooFewReplicas(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	ctx := context.Background()
	tc.net.Down("n2")
	if _, err := tc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{}, set("v1")); err != nil {
		t.Fatalf("W=2 with one replica down: %v", err)
	}
	tc.net.Down("n3")
	_, err := tc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{}, set("v2"))
	var qe *replica.QuorumError
	if !errors.As(err, &qe) || err.Error() != "NOQUORUM wanted W=2, got 1" {
		t.Fatalf("want NOQUORUM W=2 got 1, got %v", err)
	}
	if _, err := tc.coords["n1"].Get(ctx, []byte("k"), replica.ReadOptions{}); err == nil || err.Error() != "NOQUORUM wanted R=2, got 1" {
		t.Fatalf("want read NOQUORUM, got %v", err)
	}
	// Per-request quorums: W=1 and R=1 still work on the lone node.
	if _, err := tc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{W: 1}, set("v3")); err != nil {
		t.Fatal(err)
	}
	if s, err := tc.coords["n1"].Get(ctx, []byte("k"), replica.ReadOptions{R: 1}); err != nil || value(t, s) != "v3" {
		t.Fatalf("R=1 read = %q, %v", value(t, s), err)
	}
}

// Concurrent writes through different coordinators with the same context
// become siblings on every replica (§4.4).
func TestConcurrentCoordinatorsMakeSiblings(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	ctx := context.Background()
	tc.net.Partition([]string{"n1"}, []string{"n2", "n3"})
	if _, err := tc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{W: 1}, set("left")); err != nil {
		t.Fatal(err)
	}
	if _, err := tc.coords["n2"].Update(ctx, []byte("k"), replica.WriteOptions{W: 2}, set("right")); err != nil {
		t.Fatal(err)
	}
	tc.net.Heal()
	s, err := tc.coords["n3"].Get(ctx, []byte("k"), replica.ReadOptions{R: 3})
	if err != nil {
		t.Fatal(err)
	}
	if live := s.Live(0); len(live) != 2 {
		t.Fatalf("want 2 siblings after heal, got %v", s)
	}
	// Read repair brings every replica to the merged set.
	eventually(t, func() bool {
		for _, db := range tc.stores {
			local, _ := db.Get([]byte("k"))
			if !local.Equal(s) {
				return false
			}
		}
		return true
	})
	// A write with the merged context resolves them into one.
	resolve := func(cur version.Set, now int64) (*replica.Change, error) {
		return &replica.Change{Context: s.Context(), Value: []byte("both")}, nil
	}
	if _, err := tc.coords["n3"].Update(ctx, []byte("k"), replica.WriteOptions{W: 3}, resolve); err != nil {
		t.Fatal(err)
	}
	for name, db := range tc.stores {
		local, _ := db.Get([]byte("k"))
		if len(local) != 1 || value(t, local) != "both" {
			t.Fatalf("%s holds %v", name, local)
		}
	}
}

func TestClusterScanLenFlush(t *testing.T) {
	tc := newCluster(t, 3, 2, 3)
	ctx := context.Background()
	for i := 0; i < 600; i++ {
		if _, err := tc.coords["n1"].Update(ctx, []byte(fmt.Sprint("k", i)), replica.WriteOptions{}, set("v")); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := tc.coords["n2"].Len(ctx); err != nil || n != 600 {
		t.Fatalf("Len = %d, %v", n, err)
	}
	seen := map[string]bool{}
	var cursor uint64
	for round := 0; round < 100; round++ {
		count := 0
		next, err := tc.coords["n3"].Scan(ctx, cursor, func(key []byte, s version.Set) bool {
			if count == 50 {
				return false
			}
			count++
			seen[string(key)] = true
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	if len(seen) != 600 {
		t.Fatalf("scan saw %d keys, want 600", len(seen))
	}
	if err := tc.coords["n2"].Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for name, db := range tc.stores {
		if db.Len() != 0 {
			t.Fatalf("%s still holds %d keys", name, db.Len())
		}
	}
}

// A node outside the preference list has a replica coordinate the write.
func TestUpdateFromOutsideThePreferenceList(t *testing.T) {
	tc := newCluster(t, 3, 2, 2, "n4")
	ctx := context.Background()
	res, err := tc.coords["n4"].Update(ctx, []byte("k"), replica.WriteOptions{}, set("v"))
	if err != nil || !res.Written() || !strings.HasPrefix(res.Dot.Node, "n1.") {
		t.Fatalf("remote apply = %+v, %v", res, err)
	}
	if n, _ := tc.stores["n4"].Get([]byte("k")); len(n) != 0 {
		t.Fatalf("outsider stored the key: %v", n)
	}
	tc.net.Down("n1") // the next replica takes over
	if res, err = tc.coords["n4"].Update(ctx, []byte("k"), replica.WriteOptions{}, set("v2")); err != nil || !strings.HasPrefix(res.Dot.Node, "n2.") {
		t.Fatalf("failover apply = %+v, %v", res, err)
	}
	tc.net.Down("n3")
	_, err = tc.coords["n4"].Update(ctx, []byte("k"), replica.WriteOptions{}, set("v3"))
	if err == nil || !strings.HasPrefix(err.Error(), "NOQUORUM") {
		t.Fatalf("want NOQUORUM, got %v", err)
	}
}

func TestUpdateRefusedOffPreferenceList(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	c, _ := replica.New(replica.Config{Node: "outsider", N: 3, R: 2, W: 2, Timeout: time.Second}, tc.stores["n1"], static{"n1", "n2", "n3"}, nil)
	_, err := c.Update(context.Background(), []byte("k"), replica.WriteOptions{}, set("x"))
	var nc *replica.NotCoordinatorError
	if !errors.As(err, &nc) || len(nc.Replicas) != 3 {
		t.Fatalf("want NotCoordinatorError, got %v", err)
	}
}

// eventually polls cond for up to 5 s; for background work (read repair).
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// FLUSHALL while a replica is down: the flush reports it, the key never
// comes back through that replica once it returns, and the replica adopts
// the flush when it next talks to a flushed peer.
func TestFlushReachesAReplicaThatMissedIt(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	ctx := context.Background()
	if _, err := tc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{W: 3}, set("old")); err != nil {
		t.Fatal(err)
	}
	tc.net.Down("n3")
	if err := tc.coords["n1"].Flush(ctx); err == nil || !strings.Contains(err.Error(), "n3") {
		t.Fatalf("flush with n3 down: %v", err)
	}
	tc.net.Up("n3")
	for _, name := range []string{"n1", "n3"} {
		s, err := tc.coords[name].Get(ctx, []byte("k"), replica.ReadOptions{R: 3})
		if err != nil || len(s) != 0 {
			t.Fatalf("read via %s after flush = %v, %v", name, s, err)
		}
	}
	eventually(t, func() bool {
		local, _ := tc.stores["n3"].Get([]byte("k"))
		return len(local) == 0 && tc.stores["n3"].FlushedAt() != 0
	})
	for name, db := range tc.stores {
		if local, _ := db.Get([]byte("k")); len(local) != 0 {
			t.Fatalf("flushed key back on %s: %v", name, local)
		}
	}
	// Writes after the flush are kept everywhere.
	if _, err := tc.coords["n3"].Update(ctx, []byte("k"), replica.WriteOptions{W: 3}, set("new")); err != nil {
		t.Fatal(err)
	}
	if s, err := tc.coords["n2"].Get(ctx, []byte("k"), replica.ReadOptions{R: 3}); err != nil || value(t, s) != "new" {
		t.Fatalf("write after flush = %v, %v", s, err)
	}
}

// The server hands the coordinator keys and values that alias its read
// buffer, which the next command overwrites as soon as Update returns; the
// replication still in flight must not see the new bytes.
func TestBackgroundWorkDoesNotAliasCallerBuffers(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	tc.net.SetDelay("n1", "n3", 50*time.Millisecond) // n3 acks after W=2 is met
	ctx := context.Background()
	buf := []byte("key-A value-A")
	key, val := buf[:5], buf[6:]
	_, err := tc.coords["n1"].Update(ctx, key, replica.WriteOptions{}, func(cur version.Set, now int64) (*replica.Change, error) {
		return &replica.Change{Context: cur.Context(), Value: val}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	copy(buf, "key-B value-B") // the next pipelined command arrives
	eventually(t, func() bool {
		s, _ := tc.stores["n3"].Get([]byte("key-A"))
		return len(s) > 0
	})
	s, _ := tc.stores["n3"].Get([]byte("key-A"))
	if value(t, s) != "value-A" {
		t.Fatalf("n3 stored %q for key-A", value(t, s))
	}
	if b, _ := tc.stores["n3"].Get([]byte("key-B")); len(b) != 0 {
		t.Fatalf("n3 stored key-B: %v", b)
	}
}

// The same for a copy that fails after the client has its ack: the hint
// kept for the unreachable replica holds the value written, not what the
// caller's buffer holds by then. (Found by the multi-process handoff test:
// after the hints drained, a replica held another command's value.)
func TestHintForLateFailureDoesNotAliasCallerBuffers(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	tc.net.SetDrop("n1", "n3", 1) // n3's copy times out after W=2 is met
	ctx := context.Background()
	buf := []byte("key-A value-A")
	key, val := buf[:5], buf[6:]
	_, err := tc.coords["n1"].Update(ctx, key, replica.WriteOptions{}, func(cur version.Set, now int64) (*replica.Change, error) {
		return &replica.Change{Context: cur.Context(), Value: val}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	copy(buf, "key-B value-B") // the next pipelined command arrives
	tc.coords["n1"].Close()    // waits for the copy to fail and the hint to be kept
	var got []string
	if err := tc.stores["n1"].EachHint("n3", func(k []byte, s version.Set) bool {
		got = append(got, string(k)+"="+value(t, s))
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "key-A=value-A" {
		t.Fatalf("hints for n3 = %q, want [key-A=value-A]", got)
	}
}
