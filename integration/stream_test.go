package integration

// Streams in a cluster: one stream read and written through every node,
// a consumer group shared by consumers on different nodes, and a blocked
// XREAD on one node woken by an XADD through another.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestStreamsInACluster(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	c.WaitAlive(t, 60*time.Second)
	ctx := context.Background()
	cls := make([]*redis.Client, len(c.Nodes))
	for i, n := range c.Nodes {
		cls[i] = n.Client(t, 2)
	}
	const key, entries = "orders", 30

	// XADD through each node in turn: IDs increase, whoever takes them.
	var ids []string
	for i := range entries {
		id, err := cls[i%3].XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []string{"n", fmt.Sprint(i)}}).Result()
		if err != nil {
			t.Fatalf("XADD %d via n%d: %v", i, i%3+1, err)
		}
		if len(ids) > 0 && !idLess(ids[len(ids)-1], id) {
			t.Fatalf("XADD %d via n%d gave %s after %s", i, i%3+1, id, ids[len(ids)-1])
		}
		ids = append(ids, id)
	}
	for i, cl := range cls {
		got, err := cl.XRange(ctx, key, "-", "+").Result()
		if err != nil || len(got) != entries || got[0].ID != ids[0] || got[entries-1].ID != ids[entries-1] {
			t.Fatalf("XRANGE via n%d: %d entries, %v", i+1, len(got), err)
		}
		if n, err := cl.XLen(ctx, key).Result(); err != nil || n != entries {
			t.Fatalf("XLEN via n%d = %d, %v", i+1, n, err)
		}
	}

	// One group, a consumer on each node: every entry delivered once.
	if err := cls[0].XGroupCreate(ctx, key, "g", "0").Err(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for round := 0; len(seen) < entries && round < 20; round++ {
		for i, cl := range cls {
			res, err := cl.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: fmt.Sprint("c", i+1),
				Streams: []string{key, ">"}, Count: 4, Block: -1}).Result()
			if err == redis.Nil {
				continue
			}
			if err != nil {
				t.Fatalf("XREADGROUP via n%d: %v", i+1, err)
			}
			for _, m := range res[0].Messages {
				if prev, dup := seen[m.ID]; dup {
					t.Fatalf("entry %s delivered to %s and c%d", m.ID, prev, i+1)
				}
				seen[m.ID] = fmt.Sprint("c", i+1)
			}
		}
	}
	if len(seen) != entries {
		t.Fatalf("the group delivered %d of %d entries", len(seen), entries)
	}
	p, err := cls[2].XPending(ctx, key, "g").Result()
	if err != nil || p.Count != entries {
		t.Fatalf("XPENDING via n3 = %+v, %v; want %d pending", p, err, entries)
	}
	var mine []string
	for id, by := range seen {
		if by == "c1" {
			mine = append(mine, id)
		}
	}
	if n, err := cls[1].XAck(ctx, key, "g", mine...).Result(); err != nil || n != int64(len(mine)) {
		t.Fatalf("XACK of c1's %d entries via n2 = %d, %v", len(mine), n, err)
	}
	if p, err := cls[0].XPending(ctx, key, "g").Result(); err != nil || p.Count != int64(entries-len(mine)) {
		t.Fatalf("XPENDING via n1 after XACK = %+v, %v; want %d", p, err, entries-len(mine))
	}

	// A reader blocked on n2 gets an XADD made through n3.
	got := make(chan []redis.XStream, 1)
	go func() {
		res, err := cls[1].XRead(ctx, &redis.XReadArgs{Streams: []string{key, "$"}, Block: 10 * time.Second}).Result()
		if err != nil {
			t.Errorf("blocked XREAD via n2: %v", err)
		}
		got <- res
	}()
	// $ is read when XREAD starts: add only once n2 counts it blocked.
	Eventually(t, 10*time.Second, "n2 has a blocked client", func() error {
		info, err := cls[1].Info(ctx, "clients").Result()
		if err != nil {
			return err
		}
		if !strings.Contains(info, "blocked_clients:1") {
			return fmt.Errorf("not yet: %q", info)
		}
		return nil
	})
	id, err := cls[2].XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []string{"late", "1"}}).Result()
	if err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-got:
		if len(res) != 1 || len(res[0].Messages) != 1 || res[0].Messages[0].ID != id {
			t.Fatalf("blocked XREAD via n2 got %+v, want %s", res, id)
		}
	case <-time.After(12 * time.Second):
		t.Fatal("blocked XREAD via n2 not woken by an XADD via n3")
	}
}

// TestStreamGroupDeliversOnceAcrossNodes: consumers of one group blocked
// in XREADGROUP on all three nodes while entries are added through every
// node: each entry goes to exactly one consumer, as in Redis. Before the
// group was read at the key's coordinator, consumers on different nodes
// read it side by side and could take the same entry.
func TestStreamGroupDeliversOnceAcrossNodes(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	c.WaitAlive(t, 60*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	const key, entries, perNode = "jobs", 150, 3
	if err := c.Nodes[0].Client(t, 2).XGroupCreateMkStream(ctx, key, "g", "$").Err(); err != nil {
		t.Fatal(err)
	}
	cs := startConsumers(ctx, c, perNode, 10*entries, func(cl *redis.Client, name string) ([]string, error) {
		res, err := cl.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: name,
			Streams: []string{key, ">"}, Count: 2, Block: 200 * time.Millisecond}).Result()
		if err == redis.Nil {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, m := range res[0].Messages {
			ids = append(ids, m.ID)
		}
		return ids, nil
	})
	for i := range entries {
		if err := c.Nodes[i%3].Client(t, 2).XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []string{"i", fmt.Sprint(i)}}).Err(); err != nil {
			t.Fatalf("XADD %d: %v", i, err)
		}
	}
	twice := cs.finish(t, "XREADGROUP", entries)
	t.Logf("%d entries, %d consumers on 3 nodes: %d delivered more than once", entries, 3*perNode, twice)
}

// idLess compares two stream IDs "ms-seq".
func idLess(a, b string) bool {
	var am, as, bm, bs uint64
	fmt.Sscanf(a, "%d-%d", &am, &as)
	fmt.Sscanf(b, "%d-%d", &bm, &bs)
	return am < bm || (am == bm && as < bs)
}
