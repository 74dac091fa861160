package integration

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestBlockedPopsTakeEachElementOnce: clients blocked in BLPOP and
// BZPOPMIN on all three nodes while elements are pushed in batches
// through every node: each element is popped by exactly one client, as
// in Redis. Before, a blocked client popped on its own node, beside pops
// at the key's coordinator and on the other nodes, and two clients could
// get one element.
func TestBlockedPopsTakeEachElementOnce(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	c.WaitAlive(t, 60*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	const batches, batch, perNode = 20, 10, 3
	const total = batches * batch
	for _, typ := range []string{"list", "zset"} {
		cs := startConsumers(ctx, c, perNode, 10*total, func(cl *redis.Client, _ string) ([]string, error) {
			if typ == "list" {
				res, err := cl.BLPop(ctx, 200*time.Millisecond, "q").Result()
				if err != nil {
					return nil, nil // redis.Nil: timed out; another error ends with ctx
				}
				return res[1:], nil
			}
			res, err := cl.BZPopMin(ctx, 200*time.Millisecond, "z").Result()
			if err != nil {
				return nil, nil
			}
			return []string{res.Member.(string)}, nil
		})
		for b := range batches {
			cl := c.Nodes[b%3].Client(t, 2)
			var err error
			if typ == "list" {
				vals := make([]any, batch)
				for i := range vals {
					vals[i] = fmt.Sprint(b*batch + i)
				}
				err = cl.RPush(ctx, "q", vals...).Err()
			} else {
				zs := make([]redis.Z, batch)
				for i := range zs {
					zs[i] = redis.Z{Score: float64(b*batch + i), Member: fmt.Sprint(b*batch + i)}
				}
				err = cl.ZAdd(ctx, "z", zs...).Err()
			}
			if err != nil {
				t.Fatalf("%s push %d: %v", typ, b, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		twice := cs.finish(t, typ, total)
		t.Logf("%s: %d elements, %d blocked clients on 3 nodes: %d popped more than once", typ, total, 3*perNode, twice)
	}
}

// consumers are clients on every node of a cluster taking items with a
// blocking read, side by side, counting who got what.
type consumers struct {
	mu   sync.Mutex
	got  map[string][]string // item -> the consumers that got it
	stop chan struct{}
	wg   sync.WaitGroup
	errs chan error
}

// startConsumers starts perNode consumers on every node of c, each
// calling take (a blocking read: the items it got) at most limit times,
// until finish.
func startConsumers(ctx context.Context, c *Cluster, perNode, limit int, take func(cl *redis.Client, name string) ([]string, error)) *consumers {
	cs := &consumers{got: map[string][]string{}, stop: make(chan struct{}), errs: make(chan error, 3*perNode)}
	for i, n := range c.Nodes {
		cl := c.Client(n)
		for j := range perNode {
			name := fmt.Sprintf("c%d.%d", i+1, j)
			cs.wg.Add(1)
			go func() {
				defer cs.wg.Done()
				for range limit {
					select {
					case <-cs.stop:
						return
					default:
					}
					items, err := take(cl, name)
					if err != nil {
						if ctx.Err() == nil {
							cs.errs <- fmt.Errorf("%s: %w", name, err)
						}
						return
					}
					cs.mu.Lock()
					for _, it := range items {
						cs.got[it] = append(cs.got[it], name)
					}
					cs.mu.Unlock()
				}
			}()
		}
	}
	return cs
}

// finish waits (at most 30 s) until total items were taken, stops the
// consumers, fails t for an error or an item taken twice, and returns
// how many were.
func (cs *consumers) finish(t *testing.T, what string, total int) int {
	t.Helper()
	err := poll(30*time.Second, func() error {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		if len(cs.got) < total {
			return fmt.Errorf("%d of %d taken", len(cs.got), total)
		}
		return nil
	})
	close(cs.stop)
	cs.wg.Wait()
	close(cs.errs)
	for e := range cs.errs {
		t.Errorf("%s: %v", what, e)
	}
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	twice := 0
	for it, by := range cs.got {
		if len(by) > 1 {
			twice++
			t.Errorf("%s: %s taken by %v", what, it, by)
		}
	}
	return twice
}
