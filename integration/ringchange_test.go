package integration

// Issue 9, growing and shrinking the ring against real processes: a join
// moves partitions to the new node (read through while they arrive), a
// leave hands them off before the node stops, a removed dead node's
// partitions are re-replicated, a transfer killed -9 resumes, and no
// acknowledged write is lost through any of it.

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadWriter writes unique keys through the running nodes in turn until
// stopped (bounded by count and time), recording each acknowledged write
// and counting the refused ones.
type loadWriter struct {
	c       *Cluster
	prefix  string
	stop    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	acked   map[string]string
	refused atomic.Int64
	errs    []string // the first refusals, for the log
}

func startLoad(t *testing.T, c *Cluster, prefix string, maxWrites int, maxTime time.Duration) *loadWriter {
	l := &loadWriter{c: c, prefix: prefix, stop: make(chan struct{}), done: make(chan struct{}), acked: map[string]string{}}
	go func() {
		defer close(l.done)
		deadline := time.Now().Add(maxTime)
		for i := 0; i < maxWrites && time.Now().Before(deadline); i++ {
			select {
			case <-l.stop:
				return
			default:
			}
			nodes := c.Running()
			if len(nodes) == 0 {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			n := nodes[i%len(nodes)]
			k, v := fmt.Sprintf("%s:%06d", prefix, i), fmt.Sprintf("v%d", i)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			err := c.Client(n).Set(ctx, k, v, 0).Err()
			cancel()
			if err != nil {
				l.refused.Add(1)
				l.mu.Lock()
				if len(l.errs) < 5 {
					l.errs = append(l.errs, fmt.Sprintf("SET %s via %s: %v", k, n.Opts.Name, err))
				}
				l.mu.Unlock()
				time.Sleep(5 * time.Millisecond)
				continue
			}
			l.mu.Lock()
			l.acked[k] = v
			l.mu.Unlock()
			time.Sleep(2 * time.Millisecond)
		}
	}()
	return l
}

func (l *loadWriter) finish() map[string]string {
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acked
}

// seed writes count keys prefix:i = v<i> through n.
func seed(t *testing.T, c *Cluster, n *Node, prefix string, count int) map[string]string {
	t.Helper()
	want := map[string]string{}
	pipe := c.Client(n).Pipeline()
	for i := range count {
		k, v := fmt.Sprintf("%s:%05d", prefix, i), fmt.Sprintf("v%d", i)
		want[k] = v
		pipe.Set(context.Background(), k, v, 0)
		if pipe.Len() == 100 || i == count-1 {
			if _, err := pipe.Exec(context.Background()); err != nil {
				t.Fatalf("seed %s: %v", prefix, err)
			}
		}
	}
	return want
}

// checkR1 reads every key with VGET R 1 through every node of on and
// fails on the first missing or wrong value.
func checkR1(t *testing.T, c *Cluster, want map[string]string, when string, on ...*Node) {
	t.Helper()
	checkR(t, c, want, 1, when, on...)
}

// checkR is checkR1 at read quorum r.
func checkR(t *testing.T, c *Cluster, want map[string]string, r int, when string, on ...*Node) {
	t.Helper()
	keys := keysOf(want)
	for _, n := range on {
		cl := c.Client(n)
		missed := 0
		var first string
		for _, k := range keys {
			_, vals, err := vgetR(cl, k, r)
			if err != nil || !slices.Equal(vals, []string{want[k]}) {
				missed++
				if first == "" {
					first = fmt.Sprintf("%s = %v (err %v), want %s", k, vals, err, want[k])
				}
			}
		}
		if missed > 0 {
			t.Fatalf("%s: VGET R %d through %s missed %d of %d keys; first: %s", when, r, n.Opts.Name, missed, len(keys), first)
		}
	}
}

func keysOf(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkCopies stops every node of all cleanly and checks, in each one's
// LevelDB, that every key of want is on exactly n of them with its value.
func checkCopies(t *testing.T, all []*Node, want map[string]string, n int) {
	t.Helper()
	keys := keysOf(want)
	copies := map[string]int{}
	holders := map[string][]string{}
	for _, nd := range all {
		if nd.Running() {
			if code := nd.Stop(t); code != 0 {
				t.Fatalf("%s exited %d on SIGTERM", nd.Opts.Name, code)
			}
		}
		v := readStore(t, nd, keys)
		for k, s := range v.Sets {
			if live := liveValues(s); slices.Equal(live, []string{want[k]}) {
				copies[k]++
				holders[k] = append(holders[k], nd.Opts.Name)
			} else if len(live) > 0 {
				t.Errorf("%s holds %s = %v, want %s", nd.Opts.Name, k, live, want[k])
			}
		}
	}
	bad := 0
	for _, k := range keys {
		if copies[k] != n {
			if bad < 5 {
				t.Errorf("%s is on %d nodes %v, want %d", k, copies[k], holders[k], n)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d keys are not on exactly %d nodes", bad, len(keys), n)
	}
}

// checkBalance checks, from RINGKV STATUS on n, that every ring member
// holds within ±15% of the mean number of partition copies.
func checkBalance(t *testing.T, c *Cluster, n *Node, members int) {
	t.Helper()
	v, err := c.Client(n).Do(context.Background(), "RINGKV", "STATUS").Result()
	if err != nil {
		t.Fatalf("RINGKV STATUS: %v", err)
	}
	st := respMap(v)
	list, _ := st["members"].([]any)
	var counts []float64
	for _, m := range list {
		mm := respMap(m)
		if mm["ring"] == "member" {
			n, _ := mm["replicas"].(int64)
			counts = append(counts, float64(n))
		}
	}
	if len(counts) != members {
		t.Fatalf("RINGKV STATUS shows %d ring members, want %d: %v", len(counts), members, st)
	}
	var sum float64
	for _, x := range counts {
		sum += x
	}
	mean := sum / float64(len(counts))
	for _, x := range counts {
		if math.Abs(x-mean) > 0.15*mean {
			t.Fatalf("partition copies per member %v: %v is beyond ±15%% of the mean %.1f", counts, x, mean)
		}
	}
}

// TestRingGrowShrinkUnderLoad: 3 → 4 → 5 → 3 nodes under a continuous
// write load at W=2. Right after each join, VGET R 1 through every node
// finds every key written before it (the new node reads through while
// its partitions arrive); after the transfers, too. The two new nodes then
// leave and stop by themselves. No acknowledged write is lost, and at the
// end every key is on exactly N=3 nodes' LevelDB (none on the leavers).
func TestRingGrowShrinkUnderLoad(t *testing.T) {
	t.Parallel()
	args := []string{"--n", "3", "--r", "2", "--w", "2", "--partitions", "256", "--request-timeout", "2000"}
	c := StartCluster(t, 3, ClusterOptions{Args: args})
	before := seed(t, c, c.Nodes[0], "pre", 1500)
	load := startLoad(t, c, "load", 50000, 4*time.Minute)

	n4 := c.AddNode(t, "n4", args...)
	checkR1(t, c, before, "right after n4 joined", c.Running()...)
	c.WaitHandoffDone(t, handoffTimeout, 4, c.Running()...)
	checkR1(t, c, before, "after n4's transfers", c.Running()...)
	if got := c.infoInt(t, n4, "handoff_keys_received"); got == 0 {
		t.Fatalf("n4 received no records by partition transfer")
	}
	checkBalance(t, c, n4, 4)

	n5 := c.AddNode(t, "n5", args...)
	checkR1(t, c, before, "right after n5 joined", c.Running()...)
	c.WaitHandoffDone(t, handoffTimeout, 5, c.Running()...)
	checkBalance(t, c, n5, 5)

	for _, leaver := range []*Node{n4, n5} {
		if err := c.Client(leaver).Do(context.Background(), "RINGKV", "LEAVE").Err(); err != nil {
			t.Fatalf("RINGKV LEAVE on %s: %v", leaver.Opts.Name, err)
		}
		if code := leaver.WaitExit(t, handoffTimeout); code != 0 {
			t.Fatalf("%s exited %d after leaving, want 0", leaver.Opts.Name, code)
		}
		if !strings.Contains(leaver.Log(), "left the cluster") {
			t.Fatalf("%s's log does not say it left:\n%s", leaver.Opts.Name, leaver.LogTail(20))
		}
	}
	acked := load.finish()
	t.Logf("load: %d writes acknowledged, %d refused %v", len(acked), load.refused.Load(), load.errs)
	if len(acked) < 100 {
		t.Fatalf("only %d writes acknowledged under load", len(acked))
	}
	c.WaitHandoffDone(t, handoffTimeout, 3, c.Nodes[:3]...)
	for k, v := range before {
		acked[k] = v
	}
	checkR1(t, c, acked, "after n4 and n5 left", c.Nodes[0])
	checkCopies(t, c.Nodes, acked, 3)
	// A node that left refuses to start on the same directory.
	n4.Opts.NoWait = true
	n4.Restart(t)
	if code := n4.WaitExit(t, readyTimeout); code == 0 {
		t.Fatalf("n4 restarted on its directory after leaving")
	}
	if !strings.Contains(n4.Log(), "empty --dir") {
		t.Fatalf("n4's refusal does not say what to do:\n%s", n4.LogTail(5))
	}
}

// respMap reads a RESP map, as RESP3 or as RESP2's flat array.
func respMap(v any) map[string]any {
	out := map[string]any{}
	switch m := v.(type) {
	case map[any]any:
		for k, x := range m {
			out[fmt.Sprint(k)] = x
		}
	case map[string]any:
		return m
	case []any:
		for i := 0; i+1 < len(m); i += 2 {
			out[fmt.Sprint(m[i])] = m[i+1]
		}
	}
	return out
}

// TestTransferResumesAfterKill: a joining node throttled to a slow
// transfer rate is killed -9 mid-transfer and restarted: the transfers
// resume from their saved cursors (the log says so, and fewer are
// pending than before the kill) and complete; every key is then read
// through every node at R=1 and is on exactly 3 nodes.
func TestTransferResumesAfterKill(t *testing.T) {
	t.Parallel()
	args := []string{"--n", "3", "--r", "2", "--w", "2", "--partitions", "64"}
	c := StartCluster(t, 3, ClusterOptions{Args: args})
	want := map[string]string{}
	pipe := c.Client(c.Nodes[0]).Pipeline()
	pad := strings.Repeat("x", 1000)
	for i := range 2000 {
		k, v := fmt.Sprintf("big:%05d", i), fmt.Sprintf("v%d-%s", i, pad)
		want[k] = v
		pipe.Set(context.Background(), k, v, 0)
		if pipe.Len() == 100 {
			if _, err := pipe.Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
	// About 1.5 MB to receive at 150 KB/s: ten seconds of transfer.
	n4 := c.AddNode(t, "n4", append(slices.Clone(args), "--transfer-rate", "150kb")...)
	var pendingBefore int64
	Eventually(t, 30*time.Second, "n4 mid-transfer", func() error {
		got, pending := c.infoInt(t, n4, "handoff_keys_received"), c.infoInt(t, n4, "handoff_transfers_pending")
		if got == 0 || pending < 2 {
			return fmt.Errorf("received %d records, %d transfers pending", got, pending)
		}
		pendingBefore = pending
		return nil
	})
	n4.Kill(t)
	n4.Restart(t)
	if !strings.Contains(n4.Log(), "resuming partition transfers") {
		t.Fatalf("n4 did not resume its transfers after the restart:\n%s", n4.LogTail(20))
	}
	if pending := c.infoInt(t, n4, "handoff_transfers_pending"); pending > pendingBefore {
		t.Fatalf("after the restart n4 has %d transfers pending, %d before the kill: it started over", pending, pendingBefore)
	}
	c.WaitAlive(t, formTimeout, c.Nodes...)
	c.WaitHandoffDone(t, handoffTimeout, 4, c.Nodes...)
	checkR1(t, c, want, "after the resumed transfers", c.Nodes...)
	checkCopies(t, c.Nodes, want, 3)
}

// TestRemoveDeadNode: five nodes, one killed -9. REMOVE refuses it while
// it is alive, then removes it once it is seen failed; its partitions are
// re-replicated from the survivors until every key is on exactly N=3 of
// the four; R=3 reads and W=3 writes succeed for every key.
func TestRemoveDeadNode(t *testing.T) {
	t.Parallel()
	args := []string{"--n", "3", "--r", "2", "--w", "2", "--partitions", "128"}
	c := StartCluster(t, 5, ClusterOptions{Args: args})
	want := seed(t, c, c.Nodes[0], "rm", 1500)
	n1, n5 := c.Nodes[0], c.Nodes[4]
	err := c.Client(n1).Do(context.Background(), "RINGKV", "REMOVE", "n5").Err()
	if err == nil || !strings.Contains(err.Error(), "is alive") {
		t.Fatalf("RINGKV REMOVE of a live node = %v, want an 'is alive' error", err)
	}
	n5.Kill(t)
	c.WaitStates(t, detectTimeout, map[string]string{"n1": "alive", "n2": "alive", "n3": "alive", "n4": "alive", "n5": "failed"}, n1)
	if err := c.Client(n1).Do(context.Background(), "RINGKV", "REMOVE", "n5").Err(); err != nil {
		t.Fatalf("RINGKV REMOVE n5 after it failed: %v", err)
	}
	err = c.Client(n1).Do(context.Background(), "RINGKV", "REMOVE", "n5").Err()
	if err == nil || !strings.Contains(err.Error(), "already left") {
		t.Fatalf("a second RINGKV REMOVE n5 = %v, want 'already left'", err)
	}
	live := c.Nodes[:4]
	c.WaitHandoffDone(t, handoffTimeout, 4, live...)
	cl := c.Client(c.Nodes[1])
	for _, k := range keysOf(want) {
		if _, vals, err := vgetR(cl, k, 3); err != nil || !slices.Equal(vals, []string{want[k]}) {
			t.Fatalf("VGET %s R 3 after the removal = %v, %v; want %s", k, vals, err, want[k])
		}
	}
	for i := range 200 {
		k := fmt.Sprintf("rmw3:%03d", i)
		if err := cl.Do(context.Background(), "VSET", k, "w3", "W", 3).Err(); err != nil {
			t.Fatalf("VSET %s W 3 after the removal: %v", k, err)
		}
		want[k] = "w3"
	}
	checkCopies(t, live, want, 3)
}

// TestLeaveOnTerminate: with --leave-on-terminate, SIGTERM makes a node
// leave the ring: it hands its partitions off and exits 0, and the three
// others then hold every key, each on exactly 3 of them.
func TestLeaveOnTerminate(t *testing.T) {
	t.Parallel()
	args := []string{"--n", "3", "--r", "2", "--w", "2", "--partitions", "64"}
	c := StartCluster(t, 3, ClusterOptions{Args: args})
	n4 := c.AddNode(t, "n4", append(slices.Clone(args), "--leave-on-terminate")...)
	c.WaitHandoffDone(t, handoffTimeout, 4, c.Nodes...)
	want := seed(t, c, n4, "lot", 1000)
	if code := n4.Stop(t); code != 0 {
		t.Fatalf("n4 exited %d on SIGTERM with --leave-on-terminate", code)
	}
	if !strings.Contains(n4.Log(), "left the cluster") {
		t.Fatalf("n4 stopped without leaving:\n%s", n4.LogTail(20))
	}
	c.WaitHandoffDone(t, handoffTimeout, 3, c.Nodes[:3]...)
	checkR1(t, c, want, "after n4 left on SIGTERM", c.Nodes[:3]...)
	checkCopies(t, c.Nodes, want, 3)
}

// TestRestartKeepsRing: a node restarted with only its own address in
// --join starts on the ring it last acted on (Dynamo §4.8: membership is
// persistent), not a ring of itself alone: INFO shows every member and N
// uncapped at once, writes through it right after the restart get their
// N copies, and it finds the others through their saved gossip addresses.
// Before, it served a one-node ring (N=R=W=1) until Serf's reconnect found
// it, and a SET it acknowledged then stayed on one node.
func TestRestartKeepsRing(t *testing.T) {
	t.Parallel()
	args := []string{"--n", "3", "--r", "2", "--w", "2", "--partitions", "64"}
	c := StartCluster(t, 4, ClusterOptions{Args: args})
	c.WaitHandoffDone(t, handoffTimeout, 4, c.Nodes...)
	n1 := c.Nodes[0]
	if code := n1.Stop(t); code != 0 {
		t.Fatalf("n1 exited %d", code)
	}
	n1.Restart(t)
	n1.WaitReady(t, readyTimeout) // a cluster node's Restart does not wait (NoWait)
	f, err := c.infoFields(n1, "cluster")
	if err != nil {
		t.Fatal(err)
	}
	if f["cluster_members"] != "4" || f["cluster_n"] != "3" {
		t.Fatalf("right after a restart n1 serves %s members with N=%s, want 4 and 3", f["cluster_members"], f["cluster_n"])
	}
	want := map[string]string{}
	for i := range 20 {
		k := fmt.Sprintf("restart:%02d", i)
		if err := c.Client(n1).Set(context.Background(), k, "v", 0).Err(); err == nil {
			want[k] = "v"
		}
	}
	c.WaitAlive(t, formTimeout, c.Nodes...)
	c.WaitHandoffDone(t, handoffTimeout, 4, c.Nodes...)
	checkCopies(t, c.Nodes, want, 3)
}

// TestDownDuringJoin: n3 is stopped, n4 joins and its transfers complete
// without n3 (from the other previous holders); n3 then returns, plans
// against the ring it last acted on, and drops what it no longer holds
// after handing it to the new holders: every key ends on exactly 3 nodes,
// writes made while n3 was away included.
func TestDownDuringJoin(t *testing.T) {
	t.Parallel()
	args := []string{"--n", "3", "--r", "2", "--w", "2", "--partitions", "64"}
	c := StartCluster(t, 3, ClusterOptions{Args: args})
	c.WaitHandoffDone(t, handoffTimeout, 3, c.Nodes...)
	want := seed(t, c, c.Nodes[0], "down", 800)
	n3 := c.Nodes[2]
	if code := n3.Stop(t); code != 0 {
		t.Fatalf("n3 exited %d", code)
	}
	c.AddNode(t, "n4", args...)
	up := []*Node{c.Nodes[0], c.Nodes[1], c.Nodes[3]}
	Eventually(t, formTimeout, "one ring on the nodes up", func() error {
		version := ""
		for _, n := range up {
			f, err := c.infoFields(n, "cluster")
			if err != nil {
				return err
			}
			if f["cluster_members"] != "4" || (version != "" && f["cluster_ring_version"] != version) {
				return fmt.Errorf("%s: %s members, ring %s", n.Opts.Name, f["cluster_members"], f["cluster_ring_version"])
			}
			version = f["cluster_ring_version"]
		}
		return nil
	})
	// Written at W=3 (a fallback stands in for n3), so that the R=1 reads
	// below do not race the background copies of a W=2 write.
	for i := range 300 {
		k, v := fmt.Sprintf("away:%03d", i), fmt.Sprintf("v%d", i)
		if err := c.Client(c.Nodes[1]).Do(context.Background(), "VSET", k, v, "W", 3).Err(); err != nil {
			t.Fatalf("VSET %s W 3 with n3 away: %v", k, err)
		}
		want[k] = v
	}
	Eventually(t, handoffTimeout, "n4's transfers done without n3", func() error {
		if p := c.infoInt(t, c.Nodes[3], "handoff_transfers_pending"); p != 0 || c.infoInt(t, c.Nodes[3], "handoff_transfers_done") == 0 {
			return fmt.Errorf("n4: %d transfers pending", p)
		}
		return nil
	})
	// R=2: with n3 down, a fallback answers in its place, and an R=1
	// read may take its empty answer (as Dynamo's and Riak's do).
	checkR(t, c, want, 2, "with n3 away", up...)
	n3.Restart(t)
	c.WaitAlive(t, formTimeout, c.Nodes...)
	c.WaitHandoffDone(t, handoffTimeout, 4, c.Nodes...)
	checkR1(t, c, want, "after n3 returned", c.Nodes...)
	checkCopies(t, c.Nodes, want, 3)
}
