package integration

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/engine"
)

// TestClusterEveryKeyOnExactlyNReplicas: with 5 nodes and N=3, every key
// is stored on exactly the N distinct nodes of its preference list (Dynamo
// §4.3, §6.2 strategy 3), which every node computes alike and RINGKV
// LOCATE names. The nodes' stores are read directly once they are stopped.
func TestClusterEveryKeyOnExactlyNReplicas(t *testing.T) {
	t.Parallel()
	const keys, nrep = 500, 3
	c := StartCluster(t, 5, ClusterOptions{Args: []string{"--n", strconv.Itoa(nrep)}})
	ctx := context.Background()
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))

	// Write via random nodes: a node outside a key's preference list
	// forwards the write to one inside it.
	value := func(i int) string { return "val-" + strconv.Itoa(i) }
	key := func(i int) string { return fmt.Sprintf("nrep:%04d", i) }
	for i := range keys {
		n := c.Nodes[rng.IntN(len(c.Nodes))]
		if err := c.Client(n).Set(ctx, key(i), value(i), 0).Err(); err != nil {
			t.Fatalf("SET %s via %s: %v", key(i), n.Opts.Name, err)
		}
	}

	// LOCATE on one node for every key; every node agrees on a sample.
	where := make([]Location, keys)
	for i := range keys {
		loc, err := c.Locate(c.Nodes[0], key(i))
		if err != nil {
			t.Fatal(err)
		}
		if len(loc.Replicas) != nrep || len(compactSorted(loc.Replicas)) != nrep {
			t.Fatalf("LOCATE %s = %+v: want %d distinct replicas", key(i), loc, nrep)
		}
		for _, r := range loc.Replicas {
			if slices.Contains(loc.Fallbacks, r) {
				t.Errorf("LOCATE %s = %+v: %s is both a replica and a fallback", key(i), loc, r)
			}
		}
		where[i] = loc
	}
	for i := 0; i < keys; i += 7 {
		for _, n := range c.Nodes[1:] {
			loc, err := c.Locate(n, key(i))
			if err != nil {
				t.Fatal(err)
			}
			if loc.Partition != where[i].Partition || !slices.Equal(loc.Replicas, where[i].Replicas) {
				t.Errorf("LOCATE %s: %s says %+v, n1 says %+v", key(i), n.Opts.Name, loc, where[i])
			}
		}
	}

	// Let the replica writes beyond W land: all nodes together hold N
	// copies of every key (INFO's engine_keys, per node). If they do not,
	// the stores below say which copies are missing.
	err := poll(15*time.Second, func() error {
		total := 0
		var per []string
		for _, n := range c.Nodes {
			k, err := engineKeys(c, n)
			if err != nil {
				return err
			}
			total += k
			per = append(per, fmt.Sprintf("%s:%d", n.Opts.Name, k))
		}
		if total != keys*nrep {
			return fmt.Errorf("engine_keys %v, total %d", per, total)
		}
		return nil
	})
	if err != nil {
		t.Errorf("sum of engine_keys = %d: not within 15s: %v", keys*nrep, err)
	}

	c.StopAll(t)
	holders := make([][]string, keys)
	for _, n := range c.Nodes {
		db, err := engine.Open(n.Opts.Dir, engine.Options{SweepInterval: -1})
		if err != nil {
			t.Fatalf("open %s's store %s: %v", n.Opts.Name, n.Opts.Dir, err)
		}
		found := 0
		for i := range keys {
			set, err := db.Get([]byte(key(i)))
			if err != nil {
				t.Fatalf("%s: engine Get %s: %v", n.Opts.Name, key(i), err)
			}
			if len(set) == 0 {
				continue
			}
			found++
			holders[i] = append(holders[i], n.Opts.Name)
			if w, ok := set.Winner(time.Now().UnixMilli()); !ok || string(w.Value) != value(i) {
				t.Errorf("%s stores %s as %+v, want one live version %q", n.Opts.Name, key(i), set, value(i))
			}
		}
		if got := db.Len(); got != int64(found) {
			t.Errorf("%s: engine Len = %d, but it holds %d of the written keys", n.Opts.Name, got, found)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close %s's store: %v", n.Opts.Name, err)
		}
		t.Logf("%s stores %d keys", n.Opts.Name, found)
	}
	bad := 0
	for i := range keys {
		got, want := compactSorted(holders[i]), compactSorted(where[i].Replicas)
		if !slices.Equal(got, want) && bad < 20 {
			bad++
			t.Errorf("%s (partition %d) is stored on %v, want exactly its replicas %v",
				key(i), where[i].Partition, got, want)
		}
	}
}

// engineKeys is INFO's engine_keys on node n: keys with a value it stores.
func engineKeys(c *Cluster, n *Node) (int, error) {
	text, err := c.Client(n).Info(context.Background(), "ringkv").Result()
	if err != nil {
		return 0, fmt.Errorf("INFO ringkv on %s: %w", n.Opts.Name, err)
	}
	for line := range strings.Lines(text) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "engine_keys:"); ok {
			return strconv.Atoi(v)
		}
	}
	return 0, fmt.Errorf("INFO ringkv on %s has no engine_keys:\n%s", n.Opts.Name, text)
}

// compactSorted is a sorted copy of names without duplicates.
func compactSorted(names []string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}
