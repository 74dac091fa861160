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
		var mu sync.Mutex
		got := map[string]int{}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, n := range c.Nodes {
			cl := n.Client(t, 2)
			for range perNode {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := 0; k < 10*total; k++ { // bounded
						select {
						case <-stop:
							return
						default:
						}
						var v string
						if typ == "list" {
							res, err := cl.BLPop(ctx, 200*time.Millisecond, "q").Result()
							if err != nil {
								continue // redis.Nil: timed out; another error ends with ctx
							}
							v = res[1]
						} else {
							res, err := cl.BZPopMin(ctx, 200*time.Millisecond, "z").Result()
							if err != nil {
								continue
							}
							v = res.Member.(string)
						}
						mu.Lock()
						got[v]++
						mu.Unlock()
					}
				}()
			}
		}
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
		err := poll(30*time.Second, func() error {
			mu.Lock()
			defer mu.Unlock()
			if len(got) < total {
				return fmt.Errorf("%d of %d popped", len(got), total)
			}
			return nil
		})
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		twice := 0
		for v, n := range got {
			if n > 1 {
				twice++
				t.Errorf("%s element %s popped %d times", typ, v, n)
			}
		}
		t.Logf("%s: %d elements, %d blocked clients on 3 nodes: %d popped more than once", typ, total, 3*perNode, twice)
	}
}
