package replica_test

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// extended places every key on primaries, with the rest as fallbacks.
type extended struct{ primaries, fallbacks []string }

func (e extended) Replicas([]byte) []string  { return e.primaries }
func (e extended) Fallbacks([]byte) []string { return e.fallbacks }
func (e extended) Span(uint64) (lo, hi uint64, list []string) {
	return 0, math.MaxUint64, e.primaries
}
func (e extended) Members() []string {
	return append(append([]string{}, e.primaries...), e.fallbacks...)
}
func (e extended) Ring() *ring.Ring { return nil } // not a ring: no partition handoff

// liveness is the membership view the test controls: a node marked down
// is also unreachable on the network.
type liveness struct {
	mu   sync.Mutex
	down map[string]bool
	net  *transport.MemNetwork
}

func (l *liveness) Up(n string) bool { l.mu.Lock(); defer l.mu.Unlock(); return !l.down[n] }
func (l *liveness) set(n string, down bool) {
	l.mu.Lock()
	l.down[n] = down
	l.mu.Unlock()
	if down {
		l.net.Down(n)
	} else {
		l.net.Up(n)
	}
}

type ringCluster struct {
	*testCluster
	live *liveness
}

// newRing starts primaries+fallbacks over the in-memory network with
// N=len(primaries) and hinted handoff running every 20ms.
func newRing(t *testing.T, nPrimaries, nFallbacks, r, w int) *ringCluster {
	t.Helper()
	var place extended
	for i := range nPrimaries + nFallbacks {
		name := "n" + strconv.Itoa(i+1)
		if i < nPrimaries {
			place.primaries = append(place.primaries, name)
		} else {
			place.fallbacks = append(place.fallbacks, name)
		}
	}
	net := transport.NewMemNetwork(1)
	rc := &ringCluster{
		testCluster: &testCluster{net: net, coords: map[string]*replica.Coordinator{}, stores: map[string]*engine.DB{}},
		live:        &liveness{down: map[string]bool{}, net: net},
	}
	for _, name := range place.Members() {
		db, err := engine.OpenMem(engine.Options{SweepInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		cfg := replica.Config{Node: name, N: nPrimaries, R: r, W: w, Timeout: 2 * time.Second,
			Up: rc.live.Up, Hints: replica.HintConfig{Interval: 20 * time.Millisecond},
			AAE: replica.AAEConfig{Interval: -1}, TombstoneGrace: time.Millisecond,
			Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)}
		var c *replica.Coordinator
		tr := net.Node(name, transport.HandlerFunc(func(ctx context.Context, from string, m uint8, b []byte) ([]byte, error) {
			return c.ServePeer(ctx, from, m, b)
		}))
		if c, err = replica.New(cfg, db, place, tr); err != nil {
			t.Fatal(err)
		}
		c.Start()
		rc.coords[name], rc.stores[name] = c, db
		t.Cleanup(func() { c.Close(); _ = tr.Close(); _ = db.Close() })
	}
	return rc
}

func (rc *ringCluster) hintsPending() int64 {
	var n int64
	for _, db := range rc.stores {
		n += db.HintStats().Pending
	}
	return n
}

// Dynamo §4.6: with two of a key's three primaries down, a write at W=2
// succeeds through a fallback, which keeps a hint; when the primaries
// return the hints are delivered and deleted, and the primaries hold every
// key without anyone reading it.
func TestSloppyQuorumAndHintedHandoff(t *testing.T) {
	rc := newRing(t, 3, 2, 2, 2)
	ctx := context.Background()
	rc.live.set("n2", true)
	rc.live.set("n3", true)
	const keys = 50
	for i := range keys {
		if _, err := rc.coords["n1"].Update(ctx, []byte(fmt.Sprint("k", i)), replica.WriteOptions{}, set("v")); err != nil {
			t.Fatalf("write %d with two primaries down: %v", i, err)
		}
	}
	// W=2 returns after the first fallback; the second copy lands in the
	// background.
	eventually(t, func() bool {
		return rc.stores["n4"].HintStats().Pending+rc.stores["n5"].HintStats().Pending == 2*keys
	})
	eventually(t, func() bool { // counted just after the store
		return rc.coords["n4"].Stats().HintsStored.Load()+rc.coords["n5"].Stats().HintsStored.Load() == 2*keys
	})
	if n, _ := rc.stores["n4"].Get([]byte("k0")); len(n) != 0 {
		t.Fatal("a fallback stored the key as its own")
	}
	// A read at R=2 counts the fallback's hinted copy.
	if s, err := rc.coords["n1"].Get(ctx, []byte("k7"), replica.ReadOptions{}); err != nil || value(t, s) != "v" {
		t.Fatalf("read through a fallback = %v, %v", s, err)
	}
	// A strict quorum counts primaries only.
	_, err := rc.coords["n1"].Update(ctx, []byte("strict"), replica.WriteOptions{PW: 2}, set("v"))
	if err == nil || err.Error() != "NOQUORUM wanted PW=2, got 1" {
		t.Fatalf("PW=2 with one primary up: %v", err)
	}
	rc.live.set("n2", false)
	rc.live.set("n3", false)
	for _, c := range rc.coords {
		c.NodeUp("n2")
	}
	eventually(t, func() bool { return rc.hintsPending() == 0 })
	for _, p := range []string{"n2", "n3"} {
		for i := range keys {
			if s, _ := rc.stores[p].Get([]byte(fmt.Sprint("k", i))); value(t, s) != "v" {
				t.Fatalf("%s lacks k%d after handoff", p, i)
			}
		}
	}
	t.Logf("hints delivered: n4 %d, n5 %d", rc.coords["n4"].Stats().HintsDelivered.Load(), rc.coords["n5"].Stats().HintsDelivered.Load())
}

// With no fallback (3 nodes, N=3) the coordinator keeps the hint for the
// primary it could not reach, and delivers it when the primary is back.
func TestCoordinatorKeepsHintWithoutFallback(t *testing.T) {
	rc := newRing(t, 3, 0, 2, 2)
	ctx := context.Background()
	rc.live.set("n3", true)
	if _, err := rc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{}, set("v")); err != nil {
		t.Fatal(err)
	}
	if got := rc.stores["n1"].HintStats().Pending; got != 1 {
		t.Fatalf("coordinator holds %d hints, want 1", got)
	}
	rc.live.set("n3", false)
	rc.coords["n1"].NodeUp("n3")
	eventually(t, func() bool { return rc.hintsPending() == 0 })
	if s, _ := rc.stores["n3"].Get([]byte("k")); value(t, s) != "v" {
		t.Fatalf("n3 after handoff holds %v", s)
	}
}

// A primary that is up in membership but does not answer (its network is
// cut) gets its copy through the next fallback, with a hint.
func TestUnreachablePrimaryFailsOverToFallback(t *testing.T) {
	rc := newRing(t, 3, 1, 3, 3)
	ctx := context.Background()
	rc.net.Down("n3") // membership still says up
	if _, err := rc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{}, set("v")); err != nil {
		t.Fatalf("W=3 with a silent primary and a fallback: %v", err)
	}
	if got := rc.stores["n4"].HintStats().Pending; got != 1 {
		t.Fatalf("fallback holds %d hints, want 1", got)
	}
}

func incr(cur version.Set, now int64) (*replica.Change, error) {
	n := 0
	if w, ok := cur.Winner(now); ok {
		n, _ = strconv.Atoi(string(w.Value))
	}
	return &replica.Change{Context: cur.Context(), Value: []byte(strconv.Itoa(n + 1))}, nil
}

// Bug 2 of the never-lose-a-write issue: five INCRs at W=2 through n1
// while n3 was down, then one through n3 right after it came back, gave
// 1: n3 decided on its own stale copy. A read-modify-write now merges a
// quorum read first, so every acknowledged increment counts.
func TestReadModifyWriteCountsEveryAcknowledgedWrite(t *testing.T) {
	rc := newRing(t, 3, 0, 2, 2)
	ctx := context.Background()
	key := []byte("counter")
	rmw := replica.WriteOptions{Read: true}
	rc.live.set("n3", true)
	for range 5 {
		if _, err := rc.coords["n1"].Update(ctx, key, rmw, incr); err != nil {
			t.Fatal(err)
		}
	}
	rc.live.set("n3", false) // back: its hints race the INCRs through it
	acked := 5
	for i := range 30 {
		via := rc.coords[[]string{"n3", "n1", "n2"}[i%3]]
		if _, err := via.Update(ctx, key, rmw, incr); err != nil {
			t.Fatalf("INCR #%d via %s: %v", i, via.Node(), err)
		}
		acked++
	}
	s, err := rc.coords["n2"].Get(ctx, key, replica.ReadOptions{R: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := value(t, s); got != strconv.Itoa(acked) {
		t.Fatalf("after %d acknowledged INCRs the counter is %s (siblings %d)", acked, got, len(s.Live(math.MaxInt64-1)))
	}
}

// Bug 1: a node that lost its history (wiped directory, FLUSHALL, the
// tail of its journal) issued the same dot again for a different value,
// and replicas kept one of the two. The store's actor changes with the
// loss, so both writes survive as siblings.
func TestLostHistoryNeverReissuesADot(t *testing.T) {
	rc := newRing(t, 2, 0, 1, 2)
	ctx := context.Background()
	key := []byte("k")
	if _, err := rc.coords["n1"].Update(ctx, key, replica.WriteOptions{}, set("zzz")); err != nil {
		t.Fatal(err)
	}
	before, _ := rc.stores["n1"].Get(key)
	if _, err := rc.stores["n1"].NewActor(); err != nil { // what a wipe or unclean open does
		t.Fatal(err)
	}
	rc.net.Down("n2")
	if err := rc.stores["n1"].Flush(0); err != nil { // n1 lost the key; n2 still has it
		t.Fatal(err)
	}
	res, err := rc.coords["n1"].Update(ctx, key, replica.WriteOptions{W: 1}, set("aaa"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Dot == before[0].Dot {
		t.Fatalf("dot %v issued twice", res.Dot)
	}
	rc.net.Up("n2")
	merged := before.Merge(res.Set)
	if live := merged.Live(math.MaxInt64 - 1); len(live) != 2 {
		t.Fatalf("after merge %v: an acknowledged write was lost", merged)
	}
}

// A context that names writes its node never issued (forged, or from
// before a FLUSHALL) cannot make a write supersede that node's later
// writes: the coordinator keeps only the history it knows.
func TestForgedContextDoesNotObsoleteLaterWrites(t *testing.T) {
	rc := newRing(t, 2, 0, 1, 1)
	ctx := context.Background()
	key := []byte("k")
	res, err := rc.coords["n1"].Update(ctx, key, replica.WriteOptions{W: 2}, set("first"))
	if err != nil {
		t.Fatal(err)
	}
	// Through n2, a client claims n1's writes up to 9; only 1 exists.
	forged := res.Context.Join(version.Context{VV: version.VV{{Node: res.Dot.Node, Counter: 9}}})
	rc.net.Partition([]string{"n1"}, []string{"n2"})
	claim := func(version.Set, int64) (*replica.Change, error) {
		return &replica.Change{Context: forged, Value: []byte("forged")}, nil
	}
	if _, err := rc.coords["n2"].Update(ctx, key, replica.WriteOptions{W: 1}, claim); err != nil {
		t.Fatal(err)
	}
	// Meanwhile n1 issues its next write, (n1,2), over what it holds.
	later, err := rc.coords["n1"].Update(ctx, key, replica.WriteOptions{W: 1}, set("later"))
	if err != nil {
		t.Fatal(err)
	}
	rc.net.Heal()
	fromN2, _ := rc.stores["n2"].Get(key)
	merged := fromN2.Merge(later.Set)
	var vals []string
	for _, sb := range merged.Live(math.MaxInt64 - 1) {
		vals = append(vals, string(sb.Value))
	}
	if got := strings.Join(vals, ","); got != "forged,later" && got != "later,forged" {
		t.Fatalf("siblings %q: the acknowledged write \"later\" was obsoleted by a forged context", got)
	}
}

// A coordinator that is itself the fallback standing in for a down
// primary answers for it with the hints it holds: an R=1 read through the
// fallback, its own answer first, finds a write the primary missed.
func TestFallbackReadsItsOwnHints(t *testing.T) {
	rc := newRing(t, 3, 1, 1, 3)
	ctx := context.Background()
	rc.live.set("n3", true)
	if _, err := rc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{W: 3}, set("v")); err != nil {
		t.Fatal(err)
	}
	if s, _ := rc.stores["n4"].Get([]byte("k")); len(s) != 0 {
		t.Fatalf("the fallback n4 stored the key as its own: %v", s)
	}
	// n1 and n2 answer late: n4's own answer, as n3's stand-in, is first.
	rc.net.SetDelay("n4", "n1", 300*time.Millisecond)
	rc.net.SetDelay("n4", "n2", 300*time.Millisecond)
	s, err := rc.coords["n4"].Get(ctx, []byte("k"), replica.ReadOptions{R: 1})
	if err != nil || value(t, s) != "v" {
		t.Fatalf("R=1 read through the fallback n4 = %s, %v; want v", value(t, s), err)
	}
}

// A node leaving the cluster passes the hints it holds for a down node to
// another member, which delivers them when the node returns: the write is
// not lost with the leaver.
func TestPassOnHints(t *testing.T) {
	rc := newRing(t, 3, 2, 2, 3)
	ctx := context.Background()
	rc.live.set("n3", true)
	if _, err := rc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{W: 3}, set("v")); err != nil {
		t.Fatal(err)
	}
	holder := ""
	for _, n := range []string{"n4", "n5"} {
		if rc.stores[n].HintStats().Pending > 0 {
			holder = n
		}
	}
	if holder == "" {
		t.Fatal("no fallback holds a hint for n3")
	}
	if left := rc.coords[holder].PassOnHints(ctx); left != 0 {
		t.Fatalf("%s kept %d hints with other members up", holder, left)
	}
	if n := rc.stores[holder].HintStats().Pending; n != 0 {
		t.Fatalf("%s still holds %d hints after passing them on", holder, n)
	}
	rc.live.set(holder, true) // it leaves
	rc.live.set("n3", false)
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, _ := rc.stores["n3"].Get([]byte("k"))
		if value(t, s) == "v" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("n3 never received the write whose hint the leaver passed on")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
