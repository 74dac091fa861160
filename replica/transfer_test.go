package replica_test

// Partition handoff, deterministically: coordinators over the in-memory
// network and real (in-memory) LevelDB stores, a ring the test changes,
// and handoff passes (HandoffOnce) the test runs in the order it chooses.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
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

const handoffQ = 16

// ringPlace is a ring placement the test swaps, shared by every node.
type ringPlace struct {
	n, q int
	cur  atomic.Pointer[ring.Ring]
}

func (p *ringPlace) set(t testing.TB, members ...string) {
	t.Helper()
	r, err := ring.New(p.q, members)
	if err != nil {
		t.Fatal(err)
	}
	p.cur.Store(r)
}

func (p *ringPlace) Ring() *ring.Ring { return p.cur.Load() }
func (p *ringPlace) Replicas(key []byte) []string {
	r := p.Ring()
	return r.Preference(r.KeyPartition(key), p.n)
}
func (p *ringPlace) Fallbacks(key []byte) []string {
	r := p.Ring()
	return r.Fallbacks(r.KeyPartition(key), p.n)
}
func (p *ringPlace) Span(h uint64) (lo, hi uint64, list []string) {
	r := p.Ring()
	part := r.PartitionOf(h)
	lo, hi = r.Range(part)
	return lo, hi, r.Preference(part, p.n)
}
func (p *ringPlace) Members() []string { return p.Ring().Members() }

type handoffCluster struct {
	net    *transport.MemNetwork
	place  *ringPlace
	coords map[string]*replica.Coordinator
	stores map[string]*engine.DB
	mu     sync.Mutex
	down   map[string]bool
}

// newHandoffCluster starts nodes n1..n<total> with N=3 over the ring of
// the first `members` of them, which have acted on it already (as an
// established cluster has); the others are new, empty nodes.
func newHandoffCluster(t *testing.T, total, members int) *handoffCluster {
	return newHandoffClusterQ(t, total, members, members, handoffQ)
}

// newHandoffClusterQ is newHandoffCluster with Q partitions, of which the
// first acted nodes have acted on the ring.
func newHandoffClusterQ(t *testing.T, total, members, acted, q int) *handoffCluster {
	t.Helper()
	hc := &handoffCluster{net: transport.NewMemNetwork(1), place: &ringPlace{n: 3, q: q},
		coords: map[string]*replica.Coordinator{}, stores: map[string]*engine.DB{}, down: map[string]bool{}}
	var names []string
	for i := range total {
		names = append(names, fmt.Sprintf("n%d", i+1))
	}
	hc.place.set(t, names[:members]...)
	actedRing, _ := json.Marshal(names[:members])
	for i, name := range names {
		db, err := engine.OpenMem(engine.Options{SweepInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		if i < acted {
			if err := db.SetHandoffState("ring", actedRing); err != nil {
				t.Fatal(err)
			}
		}
		// A generous timeout: a ring of 64 coordinators under -race, beside
		// CI's other packages, answered a quorum read late at 200 ms (a
		// dead node's calls fail at once: hc.up and the network say so).
		cfg := replica.Config{Node: name, N: 3, R: 2, W: 2, Timeout: 2 * time.Second,
			Up:      hc.up,
			Handoff: replica.HandoffConfig{Settle: time.Nanosecond},
			Logger:  zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)}
		var c *replica.Coordinator
		tr := hc.net.Node(name, transport.HandlerFunc(func(ctx context.Context, from string, m uint8, b []byte) ([]byte, error) {
			return c.ServePeer(ctx, from, m, b)
		}))
		if c, err = replica.New(cfg, db, hc.place, tr); err != nil {
			t.Fatal(err)
		}
		hc.coords[name], hc.stores[name] = c, db
		t.Cleanup(func() { c.Close(); _ = tr.Close(); _ = db.Close() })
	}
	return hc
}

func (hc *handoffCluster) up(n string) bool {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	return !hc.down[n]
}

func (hc *handoffCluster) kill(n string) {
	hc.mu.Lock()
	hc.down[n] = true
	hc.mu.Unlock()
	hc.net.Down(n)
}

func (hc *handoffCluster) revive(n string) {
	hc.mu.Lock()
	delete(hc.down, n)
	hc.mu.Unlock()
	hc.net.Up(n)
}

// pass runs one handoff pass on each named node, in order.
func (hc *handoffCluster) pass(t *testing.T, nodes ...string) {
	t.Helper()
	for _, n := range nodes {
		hc.coords[n].HandoffOnce(context.Background())
	}
}

// write writes every key at W=3, so no copy is still in flight after.
func (hc *handoffCluster) write(t *testing.T, via string, keys []string, v string) {
	t.Helper()
	for _, k := range keys {
		if _, err := hc.coords[via].Update(context.Background(), []byte(k), replica.WriteOptions{W: 3}, set(v+k)); err != nil {
			t.Fatalf("write %s via %s: %v", k, via, err)
		}
	}
}

// checkPlaced checks that every key is stored on exactly the N holders
// the current ring names, and on no other node of nodes.
func (hc *handoffCluster) checkPlaced(t *testing.T, keys []string, v string, nodes ...string) {
	t.Helper()
	r := hc.place.Ring()
	for _, k := range keys {
		holders := r.Preference(r.KeyPartition([]byte(k)), 3)
		for _, n := range nodes {
			s, err := hc.stores[n].Get([]byte(k))
			if err != nil {
				t.Fatal(err)
			}
			has := len(s) > 0
			if has && value(t, s) != v+k {
				t.Fatalf("%s holds %s = %s, want %s", n, k, value(t, s), v+k)
			}
			if want := slices.Contains(holders, n); has != want {
				t.Fatalf("%s holds %s: %v, want %v (holders %v)", n, k, has, want, holders)
			}
		}
	}
}

func handoffKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%03d", i)
	}
	return keys
}

// TestHandoffJoin: a fourth node joins; before any pass, reads at R=1
// through it find every key (read-through); after its transfers and the
// old holders' drop passes, every key is on exactly its three holders.
// A write during the move is kept.
func TestHandoffJoin(t *testing.T) {
	hc := newHandoffCluster(t, 4, 3)
	keys := handoffKeys(300)
	hc.write(t, "n1", keys, "a")
	hc.place.set(t, "n1", "n2", "n3", "n4")
	// A scan through any node reads each partition from a replica that
	// holds it whole, not from n4 while it is arriving there.
	for _, via := range []string{"n4", "n1"} {
		seen := map[string]bool{}
		for cursor := uint64(0); ; {
			next, err := hc.coords[via].Scan(context.Background(), cursor, func(key []byte, s version.Set) bool {
				seen[string(key)] = true
				return true
			})
			if err != nil {
				t.Fatalf("scan via %s: %v", via, err)
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
		if len(seen) != len(keys) {
			t.Fatalf("scan via %s before n4's transfers found %d of %d keys", via, len(seen), len(keys))
		}
	}
	for _, k := range keys {
		s, err := hc.coords["n4"].Get(context.Background(), []byte(k), replica.ReadOptions{R: 1})
		if err != nil || value(t, s) != "a"+k {
			t.Fatalf("R=1 read of %s through n4 before its transfers: %v, %v", k, value(t, s), err)
		}
	}
	if hc.coords["n4"].Stats().ReadThroughs.Load() == 0 {
		t.Fatal("n4 answered without reading through")
	}
	hc.write(t, "n2", keys[:50], "b") // during the move
	hc.pass(t, "n4")
	if p, _ := hc.coords["n4"].HandoffBusy(); p != 0 {
		t.Fatalf("n4 has %d transfers pending after a pass with every source up", p)
	}
	hc.pass(t, "n1", "n2", "n3")
	for _, n := range []string{"n1", "n2", "n3", "n4"} {
		if p, f := hc.coords[n].HandoffBusy(); p != 0 || f != 0 {
			t.Fatalf("%s: %d transfers pending, %d partitions to drop after the passes", n, p, f)
		}
		if got, want := hc.coords[n].HandoffSettled(), hc.place.Ring().Version(); got != want {
			t.Fatalf("%s settled ring %x, want %x", n, got, want)
		}
	}
	hc.checkPlaced(t, keys[:50], "b", "n1", "n2", "n3", "n4")
	hc.checkPlaced(t, keys[50:], "a", "n1", "n2", "n3", "n4")
}

// TestHandoffSourceDown: the joining node's first source is down; it
// streams from another previous holder. An old holder does not drop a
// partition while one of its new holders is down.
func TestHandoffSourceDown(t *testing.T) {
	hc := newHandoffCluster(t, 4, 3)
	keys := handoffKeys(200)
	hc.write(t, "n1", keys, "a")
	hc.place.set(t, "n1", "n2", "n3", "n4")
	hc.kill("n1")
	hc.pass(t, "n4")
	if p, _ := hc.coords["n4"].HandoffBusy(); p != 0 {
		t.Fatalf("n4 has %d transfers pending with two of three sources up", p)
	}
	hc.kill("n4")
	hc.pass(t, "n2", "n3")
	if _, f := hc.coords["n2"].HandoffBusy(); f == 0 {
		t.Fatal("n2 dropped partitions while a new holder (n4) was down, or had none to drop")
	}
	hc.revive("n1")
	hc.revive("n4")
	hc.pass(t, "n1", "n2", "n3", "n4")
	hc.checkPlaced(t, keys, "a", "n1", "n2", "n3", "n4")
}

// TestHandoffRemoveDead: five nodes, n5 dies and is removed from the
// ring; the survivors re-replicate its partitions from the surviving
// copies until every key is on exactly three of the four.
func TestHandoffRemoveDead(t *testing.T) {
	hc := newHandoffCluster(t, 5, 5)
	keys := handoffKeys(300)
	hc.write(t, "n1", keys, "a")
	hc.kill("n5")
	hc.place.set(t, "n1", "n2", "n3", "n4")
	hc.pass(t, "n1", "n2", "n3", "n4")
	hc.pass(t, "n1", "n2", "n3", "n4") // drops after the others received
	hc.checkPlaced(t, keys, "a", "n1", "n2", "n3", "n4")
}

// TestHandoffResumes: a transfer interrupted after some pages resumes
// from its saved cursor when the coordinator is rebuilt over the same
// store, and completes.
func TestHandoffResumes(t *testing.T) {
	hc := newHandoffCluster(t, 4, 3)
	keys := handoffKeys(200)
	hc.write(t, "n1", keys, "a")
	hc.place.set(t, "n1", "n2", "n3", "n4")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the pass plans, then stops before streaming anything
	hc.coords["n4"].HandoffOnce(ctx)
	pending, _ := hc.coords["n4"].HandoffBusy()
	if pending == 0 {
		t.Fatal("n4 planned no transfers")
	}
	// A new coordinator over n4's store (a restart) finds them.
	cfg := replica.Config{Node: "n4", N: 3, R: 2, W: 2, Timeout: 200 * time.Millisecond, Up: hc.up,
		Handoff: replica.HandoffConfig{Settle: time.Nanosecond}}
	c, err := replica.New(cfg, hc.stores["n4"], hc.place, hc.net.Node("n4b", nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if got, _ := c.HandoffBusy(); got != pending {
		t.Fatalf("after a restart n4 has %d transfers pending, want the %d saved", got, pending)
	}
	c.HandoffOnce(context.Background())
	if got, _ := c.HandoffBusy(); got != 0 {
		t.Fatalf("the resumed transfers left %d pending", got)
	}
	if c.Stats().TransferKeys.Load() == 0 {
		t.Fatal("the resumed transfers received nothing")
	}
	hc.pass(t, "n1", "n2", "n3")
	hc.checkPlaced(t, keys, "a", "n1", "n2", "n3", "n4")
}

// TestHandoffCollectionReadThrough: a walk of a collection's elements at
// R=1 through a node still receiving its partition pulls the collection
// from a previous holder first, so no element is missed.
func TestHandoffCollectionReadThrough(t *testing.T) {
	hc := newHandoffCluster(t, 4, 3)
	next, err := ring.New(handoffQ, []string{"n1", "n2", "n3", "n4"})
	if err != nil {
		t.Fatal(err)
	}
	name := "h0" // a hash whose partition n4 will hold
	for i := 0; !slices.Contains(next.Preference(next.KeyPartition([]byte(name)), 3), "n4"); i++ {
		name = fmt.Sprintf("h%d", i)
	}
	var members []string
	for i := range 120 {
		members = append(members, string(ring.ElementKey('h', []byte(name), fmt.Appendf(nil, "f%03d", i))))
	}
	hc.write(t, "n1", members, "a")
	hc.place.set(t, "n1", "n2", "n3", "n4")
	prefix := ring.ElementPrefix('h', []byte(name))
	var got int
	err = hc.coords["n4"].Elements(context.Background(), prefix, nil, replica.ReadOptions{R: 1}, func(key []byte, s version.Set) bool {
		got++
		return true
	})
	if err != nil || got != len(members) {
		t.Fatalf("R=1 walk through n4 before its transfers found %d of %d elements (err %v)", got, len(members), err)
	}
}

// TestScanJustFormed: in a cluster just formed every node is new, so each
// partition may be arriving on every replica; a scan reads one anyway
// rather than failing.
func TestScanJustFormed(t *testing.T) {
	hc := newHandoffClusterQ(t, 3, 3, 0, handoffQ)
	keys := handoffKeys(50)
	hc.write(t, "n1", keys, "a")
	seen := map[string]bool{}
	for cursor := uint64(0); ; {
		next, err := hc.coords["n2"].Scan(context.Background(), cursor, func(key []byte, s version.Set) bool {
			seen[string(key)] = true
			return true
		})
		if err != nil {
			t.Fatalf("scan of a cluster just formed: %v", err)
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	if len(seen) != len(keys) {
		t.Fatalf("scan found %d of %d keys", len(seen), len(keys))
	}
}
