package integration

// Issue 6, sloppy quorum and hinted handoff against real processes: writes
// succeed at W=2 while replicas are killed (-9), and once they return the
// hints drain and the returning nodes' own LevelDB holds every key they
// own, without anyone having read those keys.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHandoffOneNodeDown: 3 nodes, N=3, W=2, one node killed -9. Every
// write succeeds; each missed copy leaves a hint; after the node restarts
// the hints drain to zero (INFO hints_pending summed over the nodes) and
// its store, read directly after a clean stop, holds every key with its
// acknowledged value. No key is read through the cluster before that.
func TestHandoffOneNodeDown(t *testing.T) {
	t.Parallel()
	const keys = 1000
	c := StartCluster(t, 3, ClusterOptions{Args: []string{"--n", "3", "--r", "2", "--w", "2", "--request-timeout", "1000"}})
	n1, n2, n3 := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	ctx := context.Background()

	// Writes right after the kill, before n1 and n2 see n3 failed (each
	// copy to n3 fails, then becomes a hint): through n1 and n2 at once,
	// one at a time for the first half of the keys, pipelined in batches
	// of 50 for the second.
	n3.Kill(t)
	want := map[string]string{}
	var names []string
	for i := range keys {
		k := fmt.Sprintf("handoff1:%04d", i)
		want[k] = fmt.Sprintf("v%d", i)
		names = append(names, k)
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for j, via := range []*Node{n1, n2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := c.Client(via)
			for i := j; i < keys/2; i += 2 {
				if err := cl.Set(ctx, names[i], want[names[i]], 0).Err(); err != nil {
					errs <- fmt.Errorf("SET %s via %s with n3 killed: %w", names[i], via.Opts.Name, err)
					return
				}
			}
			for b, batch := range slices.Collect(slices.Chunk(names[keys/2:], 50)) {
				if b%2 != j {
					continue
				}
				pipe := cl.Pipeline()
				for _, k := range batch {
					pipe.Set(ctx, k, want[k], 0)
				}
				if _, err := pipe.Exec(ctx); err != nil {
					errs <- fmt.Errorf("pipelined SETs of %s.. via %s with n3 killed: %w", batch[0], via.Opts.Name, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("acknowledged %d SETs at W=2 in %v with n3 killed (%d pipelined)", keys, time.Since(start), keys-keys/2)

	// Every copy n3 missed has a hint (on the coordinator: with 3 nodes
	// there is no fallback) before it returns.
	Eventually(t, 15*time.Second, "a hint for n3 per key written", func() error {
		sum, per, err := sumInfo(c, []*Node{n1, n2}, "handoff", "hints_pending")
		if err != nil {
			return err
		}
		if sum < keys {
			return fmt.Errorf("hints_pending %s: %d in all, want at least %d", per, sum, keys)
		}
		return nil
	})
	logHandoff(t, c, []*Node{n1, n2})

	n3.Restart(t)
	c.WaitAlive(t, formTimeout, c.Nodes...)
	took := waitHintsDrained(t, c, c.Nodes, drainTimeout)
	t.Logf("hints drained %v after every node saw n3 alive", took)
	logHandoff(t, c, c.Nodes)
	if dropped, per, err := sumInfo(c, c.Nodes, "handoff", "hints_dropped"); err != nil || dropped != 0 {
		t.Errorf("hints_dropped %s (%v): want 0, nothing should have been left to anti-entropy", per, err)
	}
	delivered, per, err := sumInfo(c, c.Nodes, "handoff", "hints_delivered")
	if err != nil || delivered < keys {
		t.Errorf("hints_delivered %s (%v): want at least %d in all", per, err, keys)
	}

	// n3's own store, read directly after a clean stop.
	if code := n3.Stop(t); code != 0 {
		t.Fatalf("n3 exited with %d after SIGTERM\n%s", code, n3.LogTail(30))
	}
	store := readStore(t, n3, names)
	missing, wrong := checkStore(t, "n3", store, want)
	t.Logf("n3's store after handoff: %d/%d keys, missing=%d wrong=%d, hints on disk=%d",
		len(store.Sets), keys, missing, wrong, store.Hints)
	if missing+wrong > 0 {
		t.Errorf("n3's store lacks %d keys and has %d wrong values after the hints drained", missing, wrong)
	}
	c.StopAll(t)
	for _, n := range []*Node{n1, n2} {
		if s := readStore(t, n, names); s.Hints != 0 || len(s.Sets) != keys {
			t.Errorf("%s's store: %d hints left on disk (want 0), %d/%d keys", n.Opts.Name, s.Hints, len(s.Sets), keys)
		}
	}
}

// TestHandoffTwoPrimariesDown: 5 nodes, N=3, W=2. For keys whose three
// primaries include n4 and n5, both killed -9: writes at W=2 succeed
// through the fallbacks (before and after the others see them failed),
// reads at R=2 find them, and once n4 and n5 return and the hints drain,
// every key is in the store of exactly its three primaries, with its
// value, and no hint is left anywhere.
func TestHandoffTwoPrimariesDown(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 5, ClusterOptions{Args: []string{"--n", "3", "--r", "2", "--w", "2", "--request-timeout", "1000"}})
	n1, n4, n5 := c.Nodes[0], c.Nodes[3], c.Nodes[4]
	up := c.Nodes[:3]
	ctx := context.Background()

	keys, locs := pickKeys(t, c, n1, "handoff2", 60, 600, func(l Location) bool {
		return slices.Contains(l.Replicas, "n4") && slices.Contains(l.Replicas, "n5")
	})
	if len(keys) < 30 {
		t.Fatalf("only %d of 600 keys have both n4 and n5 among their primaries", len(keys))
	}
	t.Logf("%d keys with n4 and n5 among their 3 primaries; e.g. %s: %+v", len(keys), keys[0], locs[keys[0]])

	n4.Kill(t)
	n5.Kill(t)
	want := map[string]string{}
	write := func(ks []string, when string) {
		t.Helper()
		for i, k := range ks {
			via := up[i%len(up)]
			v := "v-" + k
			var err error
			if i%2 == 0 {
				err = c.Client(via).Set(ctx, k, v, 0).Err()
			} else {
				err = c.Client(via).Do(ctx, "VSET", k, v, "W", 2).Err()
			}
			if err != nil {
				t.Fatalf("write %s at W=2 via %s %s: %v", k, via.Opts.Name, when, err)
			}
			want[k] = v
		}
		t.Logf("acknowledged %d writes at W=2 %s", len(ks), when)
	}
	half := len(keys) / 2
	write(keys[:half], "right after killing n4 and n5")
	c.WaitStates(t, detectTimeout, map[string]string{"n1": "alive", "n2": "alive", "n3": "alive", "n4": "failed", "n5": "failed"}, up...)
	write(keys[half:], "with n4 and n5 seen failed")
	if loc, err := c.Locate(n1, keys[0]); err == nil {
		t.Logf("LOCATE %s with n4, n5 down: %+v", keys[0], loc)
	}
	unread := 0
	for i, k := range keys {
		via := up[i%len(up)]
		if got, err := c.Client(via).Get(ctx, k).Result(); err != nil || got != want[k] {
			unread++
			if unread <= 5 {
				t.Errorf("GET %s at R=2 via %s with two of its primaries down = %q, %v; want %q", k, via.Opts.Name, got, err, want[k])
			}
		}
	}
	t.Logf("reads at R=2 with two primaries down: %d/%d answered the acknowledged value", len(keys)-unread, len(keys))
	logHandoff(t, c, up)

	n4.Restart(t)
	n5.Restart(t)
	c.WaitAlive(t, formTimeout, c.Nodes...)
	took := waitHintsDrained(t, c, c.Nodes, drainTimeout)
	t.Logf("hints drained %v after every node saw n4 and n5 alive", took)
	logHandoff(t, c, c.Nodes)

	c.StopAll(t)
	holders := map[string][]string{}
	for _, n := range c.Nodes {
		s := readStore(t, n, keys)
		for k := range s.Sets {
			holders[k] = append(holders[k], n.Opts.Name)
			if live := s.Live(k); !slices.Equal(live, []string{want[k]}) {
				t.Errorf("%s stores %s as %q, want [%q]", n.Opts.Name, k, live, want[k])
			}
		}
		if s.Hints != 0 {
			t.Errorf("%s: %d hints left on disk after the drain", n.Opts.Name, s.Hints)
		}
		t.Logf("%s stores %d of the keys, %d hints on disk", n.Opts.Name, len(s.Sets), s.Hints)
	}
	misplaced := 0
	for _, k := range keys {
		got, wantOn := compactSorted(holders[k]), compactSorted(locs[k].Replicas)
		if !slices.Equal(got, wantOn) {
			misplaced++
			if misplaced <= 10 {
				t.Errorf("%s is stored on %v, want exactly its primaries %v", k, got, wantOn)
			}
		}
	}
	t.Logf("keys on exactly their primaries: %d/%d (misplaced=%d)", len(keys)-misplaced, len(keys), misplaced)
}

// checkStore compares a store's keys with the acknowledged values.
func checkStore(t *testing.T, name string, s storeView, want map[string]string) (missing, wrong int) {
	t.Helper()
	for k, v := range want {
		live := s.Live(k)
		switch {
		case len(live) == 0:
			missing++
			if missing <= 5 {
				t.Errorf("%s's store has no value for %s (acknowledged %q)", name, k, v)
			}
		case !slices.Equal(live, []string{v}):
			wrong++
			if wrong <= 5 {
				t.Errorf("%s's store has %s = %s, want %q", name, k, strings.Join(live, ","), v)
			}
		}
	}
	return missing, wrong
}
