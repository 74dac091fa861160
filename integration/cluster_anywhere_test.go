package integration

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestClusterReadYourWritesAnywhere: any node accepts any key (DESIGN.md),
// so a 3-node cluster behaves, for plain Redis commands, as one Redis:
// keys written via one node read back via the others, and the keyspace
// commands (DEL, SCAN, DBSIZE, KEYS, FLUSHALL) cover the whole cluster.
func TestClusterReadYourWritesAnywhere(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	n1, n2, n3 := c.Client(c.Nodes[0]), c.Client(c.Nodes[1]), c.Client(c.Nodes[2])
	ctx := context.Background()

	// 300 keys via node 1: 200 SETs, 80 keys by MSET, 20 counters by INCR.
	want := map[string]string{}
	key := func(i int) string { return fmt.Sprintf("ryw:%03d", i) }
	for i := range 200 {
		k, v := key(i), "v"+strconv.Itoa(i)
		if err := n1.Set(ctx, k, v, 0).Err(); err != nil {
			t.Fatalf("SET %s via n1: %v", k, err)
		}
		want[k] = v
	}
	for i := 200; i < 280; i += 10 {
		var args []any
		for j := i; j < i+10; j++ {
			want[key(j)] = "m" + strconv.Itoa(j)
			args = append(args, key(j), want[key(j)])
		}
		if err := n1.MSet(ctx, args...).Err(); err != nil {
			t.Fatalf("MSET %v via n1: %v", args, err)
		}
	}
	for i := 280; i < 300; i++ {
		var got int64
		for range i - 279 {
			var err error
			if got, err = n1.Incr(ctx, key(i)).Result(); err != nil {
				t.Fatalf("INCR %s via n1: %v", key(i), err)
			}
		}
		if got != int64(i-279) {
			t.Fatalf("INCR %s: %d after %d increments", key(i), got, i-279)
		}
		want[key(i)] = strconv.Itoa(i - 279)
	}

	// Read back: GET via node 2, MGET via node 3.
	for i := range 300 {
		if got, err := n2.Get(ctx, key(i)).Result(); err != nil || got != want[key(i)] {
			t.Errorf("GET %s via n2 = %q, %v; want %q", key(i), got, err, want[key(i)])
		}
	}
	checkMGet(t, n3, "n3", want, key, 300)
	if t.Failed() {
		t.FailNow()
	}

	// DEL 30 keys via node 3 (one DEL with 10 keys, 20 single ones): the
	// replies count the keys that were live; then no node has them.
	var dels []string
	for i := 0; i < 300; i += 10 {
		dels = append(dels, key(i))
	}
	if got, err := n3.Del(ctx, dels[:10]...).Result(); err != nil || got != 10 {
		t.Errorf("DEL %v via n3 = %d, %v; want 10", dels[:10], got, err)
	}
	for _, k := range dels[10:] {
		if got, err := n3.Del(ctx, k).Result(); err != nil || got != 1 {
			t.Errorf("DEL %s via n3 = %d, %v; want 1", k, got, err)
		}
	}
	for _, k := range dels {
		delete(want, k)
		for i, cl := range []*redis.Client{n1, n2, n3} {
			if got, err := cl.Get(ctx, k).Result(); !errors.Is(err, redis.Nil) {
				t.Errorf("GET %s via n%d after DEL = %q, %v; want nil", k, i+1, got, err)
			}
		}
	}
	checkMGet(t, n1, "n1", want, key, 300)

	// SCAN via node 2, one full iteration: every live key, nothing else.
	seen := map[string]int{}
	cursor, calls := uint64(0), 0
	for {
		keys, next, err := n2.Scan(ctx, cursor, "ryw:*", 25).Result()
		if err != nil {
			t.Fatalf("SCAN %d via n2: %v", cursor, err)
		}
		for _, k := range keys {
			seen[k]++
		}
		if cursor = next; cursor == 0 {
			break
		}
		if calls++; calls > 10000 {
			t.Fatalf("SCAN via n2: no end after %d calls (cursor %d)", calls, cursor)
		}
	}
	for k := range want {
		if seen[k] == 0 {
			t.Errorf("SCAN via n2 never returned live key %s", k)
		}
	}
	for k := range seen {
		if _, ok := want[k]; !ok {
			t.Errorf("SCAN via n2 returned %s, which is not live", k)
		}
	}

	// DBSIZE counts the cluster's keys on every node (replicas may lag
	// the quorum for a moment, hence Eventually).
	for i, cl := range []*redis.Client{n1, n2, n3} {
		Eventually(t, 10*time.Second, fmt.Sprintf("DBSIZE via n%d = %d", i+1, len(want)), func() error {
			got, err := cl.DBSize(ctx).Result()
			if err != nil || got != int64(len(want)) {
				return fmt.Errorf("DBSIZE = %d, %v", got, err)
			}
			return nil
		})
	}

	// KEYS with a pattern, on every node.
	for _, pat := range []string{"ryw:1?5", "ryw:2[0-4]*", "ryw:*"} {
		var exp []string
		for k := range want {
			if ok, _ := path.Match(pat, k); ok {
				exp = append(exp, k)
			}
		}
		slices.Sort(exp)
		for i, cl := range []*redis.Client{n1, n2, n3} {
			got, err := cl.Keys(ctx, pat).Result()
			slices.Sort(got)
			if err != nil || !slices.Equal(got, exp) {
				t.Errorf("KEYS %s via n%d = %q, %v; want %q", pat, i+1, got, err, exp)
			}
		}
	}

	// FLUSHALL via node 2 empties every node, and nothing comes back.
	if err := n2.FlushAll(ctx).Err(); err != nil {
		t.Fatalf("FLUSHALL via n2: %v", err)
	}
	sample := slices.Sorted(maps.Keys(want))[:40]
	deadline := time.Now().Add(4 * time.Second)
	for round := 0; round == 0 || time.Now().Before(deadline); round++ {
		for i, cl := range []*redis.Client{n1, n2, n3} {
			if got, err := cl.DBSize(ctx).Result(); err != nil || got != 0 {
				t.Fatalf("DBSIZE via n%d %v after FLUSHALL = %d, %v; want 0", i+1, time.Until(deadline), got, err)
			}
			for _, k := range sample {
				if got, err := cl.Get(ctx, k).Result(); !errors.Is(err, redis.Nil) {
					t.Fatalf("GET %s via n%d after FLUSHALL (round %d) = %q, %v; want nil", k, i+1, round, got, err)
				}
			}
		}
		time.Sleep(200 * time.Millisecond) // watching for resurrection over a fixed span
	}
	for i, cl := range []*redis.Client{n1, n2, n3} {
		if got, err := cl.Keys(ctx, "*").Result(); err != nil || len(got) != 0 {
			t.Errorf("KEYS * via n%d after FLUSHALL = %q, %v; want none", i+1, got, err)
		}
	}
}

// checkMGet reads keys 0..count-1 with MGET in batches of 25 via cl and
// compares them with want (absent: nil).
func checkMGet(t *testing.T, cl *redis.Client, name string, want map[string]string, key func(int) string, count int) {
	t.Helper()
	for i := 0; i < count; i += 25 {
		var keys []string
		for j := i; j < min(i+25, count); j++ {
			keys = append(keys, key(j))
		}
		vals, err := cl.MGet(context.Background(), keys...).Result()
		if err != nil || len(vals) != len(keys) {
			t.Errorf("MGET %v via %s = %v, %v", keys, name, vals, err)
			continue
		}
		for j, k := range keys {
			w, live := want[k]
			switch got := vals[j]; {
			case !live && got != nil:
				t.Errorf("MGET via %s: %s = %#v, want nil", name, k, got)
			case live && got != w:
				t.Errorf("MGET via %s: %s = %#v, want %q", name, k, got, w)
			}
		}
	}
}
