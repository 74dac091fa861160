package integration

// Issue 6, active anti-entropy and tombstone reaping against real
// processes: a wiped node is restored without anyone reading its keys and
// never re-issues a dot (bug 1); deleted keys stay deleted after a
// replica that missed the delete returns, after anti-entropy, and after
// the tombstones are reaped.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ringkv/ringkv/replica/version"
)

// TestAAEWipedNodeRestored: 3 nodes, N=3, --aae-interval 500ms. Keys whose
// first primary is n3 are written (blind VSETs coordinated by n3: it
// issues their dots); n3 is killed -9
// and its data directory wiped; it restarts empty.
//   - Right away, blind VSETs through n3 to half of the keys: their dots
//     must not be any dot n3 issued before the wipe (a new actor), so
//     every replica keeps the old and the new value as siblings.
//   - Without anyone reading them, anti-entropy restores every key on n3
//     (INFO engine_keys on n3 reaches the count).
//   - A VSET through n3 with the context of a VGET supersedes the old
//     value properly.
//
// Finally every node's store, read directly, holds exactly that.
func TestAAEWipedNodeRestored(t *testing.T) {
	t.Parallel()
	requireFlags(t, "aae-interval")
	const keys = 200
	c := StartCluster(t, 3, ClusterOptions{Args: []string{"--n", "3", "--r", "2", "--w", "2",
		"--request-timeout", "1000", "--aae-interval", "500ms"}})
	n3 := c.Nodes[2]
	cl3 := c.Client(n3)
	// Keys whose first primary is n3: n3 coordinates their writes.
	names, _ := pickKeys(t, c, n3, "wipe", keys, 20*keys, func(l Location) bool { return l.Replicas[0] == "n3" })
	if len(names) != keys {
		t.Fatalf("only %d keys have n3 as their first primary", len(names))
	}
	type keyDot struct {
		key string
		dot version.Dot
	}
	oldDots := map[keyDot]bool{} // the dots issued for each key before the wipe
	oldActors := map[string]bool{}
	for _, k := range names {
		for _, d := range issuedDots(t, "", clusterVSet(t, cl3, "n3", k, "old-"+k)) {
			oldDots[keyDot{k, d}] = true
			oldActors[d.Node] = true
		}
	}
	waitEngineKeys(t, c, c.Nodes, keys)

	n3.Kill(t)
	wipeDir(t, n3.Opts.Dir)
	n3.Restart(t)
	c.WaitAlive(t, formTimeout, c.Nodes...)

	// Blind writes through the empty n3 before anti-entropy reaches them.
	blind := names[:keys/2]
	collisions := 0
	newActors := map[string]bool{}
	for _, k := range blind {
		for _, d := range issuedDots(t, "", clusterVSet(t, cl3, "n3", k, "new-"+k)) {
			newActors[d.Node] = true
			if oldDots[keyDot{k, d}] {
				collisions++
				if collisions <= 5 {
					t.Errorf("VSET %s through the wiped n3 issued dot %v again: it named an older write of the key before the wipe", k, d)
				}
			}
		}
	}
	t.Logf("n3's actors before the wipe %v, after %v; dot collisions=%d", sortedKeys(oldActors), sortedKeys(newActors), collisions)

	// Anti-entropy alone restores the rest on n3.
	start := time.Now()
	waitEngineKeysTimeout(t, c, []*Node{n3}, keys, aaeTimeout)
	t.Logf("anti-entropy restored n3's %d keys %v after its writes", keys, time.Since(start))
	for _, f := range []string{"aae_exchanges", "aae_keys_repaired"} {
		sum, per, err := sumInfo(c, c.Nodes, "aae", f)
		if err != nil || sum == 0 {
			t.Errorf("INFO aae %s: %s %v, want > 0 in all", f, per, err)
		}
		t.Logf("%s: %s", f, per)
	}

	// Superseding writes through n3 with a VGET's context.
	rest := names[keys/2:]
	for _, k := range rest {
		ctx, vals := clusterVGet(t, cl3, "n3", k)
		if !slices.Equal(vals, []string{"old-" + k}) {
			t.Errorf("VGET %s via n3 after anti-entropy = %q, want [old-%s]", k, vals, k)
		}
		for _, d := range issuedDots(t, ctx, clusterVSet(t, cl3, "n3", k, "next-"+k, "CONTEXT", ctx)) {
			if oldDots[keyDot{k, d}] {
				collisions++
				t.Errorf("VSET %s CONTEXT through n3 issued dot %v again: it named an older write of the key before the wipe", k, d)
			}
		}
	}

	want := map[string][]string{}
	for _, k := range blind {
		want[k] = []string{"new-" + k, "old-" + k}
	}
	for _, k := range rest {
		want[k] = []string{"next-" + k}
	}
	lost := 0
	for _, n := range c.Nodes {
		for _, k := range names {
			_, vals, err := vgetR(c.Client(n), k, 3)
			if err != nil || !slices.Equal(vals, want[k]) {
				lost++
				if lost <= 10 {
					t.Errorf("VGET %s R 3 via %s = %q, %v; want %q", k, n.Opts.Name, vals, err, want[k])
				}
			}
		}
	}
	t.Logf("VGET R 3 via every node: %d of %d answers differ from the acknowledged writes", lost, 3*keys)

	c.StopAll(t)
	diverged := 0
	for _, n := range c.Nodes {
		s := readStore(t, n, names)
		for _, k := range names {
			if live := s.Live(k); !slices.Equal(live, want[k]) {
				diverged++
				if diverged <= 10 {
					t.Errorf("%s's store: %s = %q, want %q", n.Opts.Name, k, live, want[k])
				}
			}
		}
	}
	t.Logf("stores: diverged=%d (node, key) pairs", diverged)
}

// TestAAETombstonesStayDeleted: 3 nodes, N=3, --aae-interval 500ms,
// --tombstone-grace 1s. Keys are written, n3 is killed -9, two thirds of
// them are deleted (W=2), n3 restarts with the old values. In the
// "hints dropped" case (--hint-max-age 1s) n3 stays away until the hints
// carrying its tombstones were dropped, and the tombstones are past their
// grace: only anti-entropy can tell n3, and a node that reaped while n3
// was away would get the old values back from it. The deleted keys in
// group A are read through every node right after n3's return; those in
// group B are not touched until the end. After n3 returns, after
// anti-entropy exchanges ran, and after every node reaped the tombstones,
// GET and EXISTS through every node answer nil and 0, VGET R 3 shows no
// value, the kept keys keep their values, and no store holds a live value
// for a deleted key.
func TestAAETombstonesStayDeleted(t *testing.T) {
	t.Parallel()
	requireFlags(t, "aae-interval", "tombstone-grace", "hint-max-age")
	for _, tc := range []struct {
		name    string
		dropped bool
	}{{"hints delivered", false}, {"hints dropped", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tombstonesStayDeleted(t, tc.dropped)
		})
	}
}

func tombstonesStayDeleted(t *testing.T, dropHints bool) {
	const keys = 150
	args := []string{"--n", "3", "--r", "2", "--w", "2",
		"--request-timeout", "1000", "--aae-interval", "500ms", "--tombstone-grace", "1s"}
	if dropHints {
		args = append(args, "--hint-max-age", "1s")
	}
	c := StartCluster(t, 3, ClusterOptions{Args: args})
	n1, n2, n3 := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	ctx := context.Background()
	var groupA, groupB, kept, all []string
	for i := range keys {
		k := fmt.Sprintf("tomb:%04d", i)
		if err := c.Client(c.Nodes[i%3]).Set(ctx, k, "v-"+k, 0).Err(); err != nil {
			t.Fatalf("SET %s: %v", k, err)
		}
		all = append(all, k)
		switch i % 3 {
		case 0:
			groupA = append(groupA, k)
		case 1:
			groupB = append(groupB, k)
		default:
			kept = append(kept, k)
		}
	}
	waitEngineKeys(t, c, c.Nodes, keys)

	n3.Kill(t)
	deleted := slices.Concat(groupA, groupB)
	for i, k := range deleted {
		via := []*Node{n1, n2}[i%2]
		if n, err := c.Client(via).Del(ctx, k).Result(); err != nil || n != 1 {
			t.Fatalf("DEL %s via %s with n3 down = %d, %v; want 1", k, via.Opts.Name, n, err)
		}
	}
	t.Logf("deleted %d keys at W=2 with n3 down; %d kept", len(deleted), len(kept))
	if dropHints {
		// n3 stays away until its hints are dropped (older than 1s, so the
		// tombstones are past their grace too).
		Eventually(t, 20*time.Second, "n1 and n2 drop the hints for n3", func() error {
			sum, per, err := sumInfo(c, []*Node{n1, n2}, "handoff", "hints_dropped")
			if err == nil && sum < int64(len(deleted)) {
				err = fmt.Errorf("hints_dropped %s", per)
			}
			return err
		})
		logHandoff(t, c, []*Node{n1, n2})
	}
	n3.Restart(t)
	c.WaitAlive(t, formTimeout, c.Nodes...)
	waitQuorumOK(t, c, kept[0], c.Nodes...)

	check := func(ks []string, when string) {
		t.Helper()
		bad := checkDeleted(t, c, ks, when, false)
		bad += checkKept(t, c, kept, when)
		t.Logf("%s: %d deleted and %d kept keys checked through every node; wrong=%d", when, len(ks), len(kept), bad)
	}
	check(groupA, "right after n3 returned")

	// Anti-entropy runs: the node with the lower name starts a pair's
	// exchange, so the cluster's count grows by at least two per pair
	// (three pairs) once every pair exchanged twice.
	before, per, err := sumInfo(c, c.Nodes, "aae", "aae_exchanges")
	if err != nil {
		t.Fatal(err)
	}
	Eventually(t, aaeTimeout, "six more anti-entropy exchanges in the cluster (from "+per+")", func() error {
		sum, now, err := sumInfo(c, c.Nodes, "aae", "aae_exchanges")
		if err == nil && sum < before+6 {
			err = fmt.Errorf("aae_exchanges %s", now)
		}
		return err
	})
	check(groupA, "after anti-entropy ran")

	// tombstones_reaped counts the tombstone records a node deleted since
	// it started; with 3 nodes and N=3 each node holds every tombstone, so
	// each reaps every deleted key. tombstones_pending counts those past
	// the grace not yet reaped.
	start := time.Now()
	for _, n := range c.Nodes {
		Eventually(t, aaeTimeout, fmt.Sprintf("%s reaps the %d tombstones", n.Opts.Name, len(deleted)), func() error {
			f, err := infoFields(c, n, "aae")
			if err != nil {
				return err
			}
			reaped, _ := strconv.Atoi(f["tombstones_reaped"])
			if reaped < len(deleted) || f["tombstones_pending"] != "0" {
				return fmt.Errorf("tombstones_reaped:%q tombstones_pending:%q", f["tombstones_reaped"], f["tombstones_pending"])
			}
			return nil
		})
	}
	t.Logf("tombstones reaped on every node %v after the exchanges", time.Since(start))
	for _, f := range []string{"tombstones_reaped", "tombstones_pending", "aae_exchanges", "aae_keys_repaired"} {
		_, per, _ := sumInfo(c, c.Nodes, "aae", f)
		t.Logf("%s: %s", f, per)
	}
	bad := checkDeleted(t, c, deleted, "after reaping", true)
	bad += checkKept(t, c, kept, "after reaping")
	t.Logf("after reaping: %d deleted (%d never read before) and %d kept keys through every node; wrong=%d",
		len(deleted), len(groupB), len(kept), bad)

	c.StopAll(t)
	resurrected, tombs := 0, 0
	for _, n := range c.Nodes {
		s := readStore(t, n, all)
		for _, k := range deleted {
			if live := s.Live(k); len(live) > 0 {
				resurrected++
				t.Errorf("%s's store holds deleted %s = %q", n.Opts.Name, k, live)
			} else if _, ok := s.Sets[k]; ok {
				tombs++
			}
		}
		for _, k := range kept {
			if live := s.Live(k); !slices.Equal(live, []string{"v-" + k}) {
				t.Errorf("%s's store: kept %s = %q", n.Opts.Name, k, live)
			}
		}
	}
	t.Logf("stores: resurrected=%d, tombstones left=%d of %d", resurrected, tombs, 3*len(deleted))
}

// checkDeleted reads deleted keys through every node: GET nil, EXISTS 0,
// and (with vget) VGET R 3 no value. It returns the wrong answers.
func checkDeleted(t *testing.T, c *Cluster, ks []string, when string, vget bool) int {
	t.Helper()
	ctx := context.Background()
	bad := 0
	report := func(format string, args ...any) {
		bad++
		if bad <= 10 {
			t.Errorf(when+": "+format, args...)
		}
	}
	for _, n := range c.Nodes {
		cl := c.Client(n)
		for _, k := range ks {
			if v, err := cl.Get(ctx, k).Result(); !errors.Is(err, redis.Nil) {
				report("GET deleted %s via %s = %q, %v; want nil", k, n.Opts.Name, v, err)
			}
			if e, err := cl.Exists(ctx, k).Result(); err != nil || e != 0 {
				report("EXISTS deleted %s via %s = %d, %v; want 0", k, n.Opts.Name, e, err)
			}
			if vget {
				if _, vals, err := vgetR(cl, k, 3); err != nil || len(vals) != 0 {
					report("VGET %s R 3 via %s = %q, %v; want no value", k, n.Opts.Name, vals, err)
				}
			}
		}
	}
	return bad
}

// checkKept reads kept keys through every node with MGET.
func checkKept(t *testing.T, c *Cluster, ks []string, when string) int {
	t.Helper()
	bad := 0
	for _, n := range c.Nodes {
		vals, err := c.Client(n).MGet(context.Background(), ks...).Result()
		if err != nil {
			t.Errorf("%s: MGET of %d kept keys via %s: %v", when, len(ks), n.Opts.Name, err)
			return len(ks)
		}
		for i, k := range ks {
			if vals[i] != "v-"+k {
				bad++
				if bad <= 10 {
					t.Errorf("%s: kept %s via %s = %#v, want %q", when, k, n.Opts.Name, vals[i], "v-"+k)
				}
			}
		}
	}
	return bad
}

// issuedDots is the dot a VSET issued: the writes its reply context
// names that the context it was given (before; "" for none) does not.
func issuedDots(t *testing.T, before, after string) []version.Dot {
	t.Helper()
	dots, err := contextDots(after)
	if err != nil {
		t.Fatal(err)
	}
	if before == "" {
		return dots
	}
	prev, err := version.DecodeContext(before)
	if err != nil {
		t.Fatalf("decode context %q: %v", before, err)
	}
	return slices.DeleteFunc(dots, prev.Covers)
}

// waitEngineKeys waits until INFO engine_keys is want on each node of on.
func waitEngineKeys(t *testing.T, c *Cluster, on []*Node, want int) {
	t.Helper()
	waitEngineKeysTimeout(t, c, on, want, 15*time.Second)
}

func waitEngineKeysTimeout(t *testing.T, c *Cluster, on []*Node, want int, timeout time.Duration) {
	t.Helper()
	for _, n := range on {
		Eventually(t, timeout, fmt.Sprintf("engine_keys on %s reaches %d", n.Opts.Name, want), func() error {
			k, err := engineKeys(c, n)
			if err == nil && k != want {
				err = fmt.Errorf("engine_keys:%d", k)
			}
			return err
		})
	}
}

// wipeDir empties a stopped node's data directory.
func wipeDir(t *testing.T, dir string) {
	t.Helper()
	if err := removeContents(dir); err != nil {
		t.Fatalf("wipe %s: %v", dir, err)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
