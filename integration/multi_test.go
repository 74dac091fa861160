package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// txIncr increments key with go-redis's optimistic-locking recipe (WATCH,
// GET, MULTI, SET, EXEC; retried on TxFailedErr), the way applications use
// transactions. It returns the retries it took.
func txIncr(ctx context.Context, c *redis.Client, key string) (int, error) {
	for retry := 0; retry < 200; retry++ {
		err := c.Watch(ctx, func(tx *redis.Tx) error {
			n, err := tx.Get(ctx, key).Int()
			if err != nil && !errors.Is(err, redis.Nil) {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, key, n+1, 0)
				return nil
			})
			return err
		}, key)
		if !errors.Is(err, redis.TxFailedErr) {
			return retry, err
		}
	}
	return 200, fmt.Errorf("%s: 200 retries", key)
}

// checkWatchCounter runs clients×rounds optimistic increments of one key
// through the given clients at once and checks that none was lost: the
// WATCH of each must see every other's EXEC.
func checkWatchCounter(t *testing.T, key string, clients []*redis.Client, rounds int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	retries := 0
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				r, err := txIncr(ctx, c, key)
				mu.Lock()
				retries += r
				mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := clients[0].Get(ctx, key).Int()
	if err != nil || got != len(clients)*rounds {
		t.Fatalf("%s = %d (%v) after %d acknowledged transactions", key, got, err, len(clients)*rounds)
	}
	t.Logf("%s: %d transactions, %d WATCH retries", key, got, retries)
}

func TestTransactionsSingleNode(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	ctx := context.Background()
	c := n.Client(t, 2)
	cmds, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "a", "1", 0)
		p.Incr(ctx, "a")
		p.Get(ctx, "a")
		return nil
	})
	if err != nil || len(cmds) != 3 || cmds[2].(*redis.StringCmd).Val() != "2" {
		t.Fatalf("TxPipelined: %v %v", cmds, err)
	}
	clients := make([]*redis.Client, 4)
	for i := range clients {
		clients[i] = n.Client(t, 2+i%2)
	}
	checkWatchCounter(t, "counter", clients, 25)
}

// TestTransactionsCluster: in a 3-node cluster, transactions on keys that
// share a hash tag run through any node, atomically, and WATCH sees writes
// made through other nodes; keys in two partitions answer CROSSSLOT.
func TestTransactionsCluster(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	ctx := context.Background()
	var clients []*redis.Client
	for _, n := range c.Nodes {
		clients = append(clients, c.Client(n))
	}
	for i, cl := range clients {
		cmds, err := cl.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "{user1}:a", strconv.Itoa(i), 0)
			p.Set(ctx, "{user1}:b", strconv.Itoa(i), 0)
			p.MGet(ctx, "{user1}:a", "{user1}:b")
			return nil
		})
		if err != nil {
			t.Fatalf("node %d: tagged transaction: %v", i+1, err)
		}
		if got := cmds[2].(*redis.SliceCmd).Val(); !reflect.DeepEqual(got, []any{strconv.Itoa(i), strconv.Itoa(i)}) {
			t.Fatalf("node %d: MGET inside the transaction = %v", i+1, got)
		}
	}
	// Two keys certain to be in different partitions: find them.
	a, b := "x0", ""
	la, err := c.Locate(c.Nodes[0], a)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 1000 && b == ""; i++ {
		if lb, err := c.Locate(c.Nodes[0], "x"+strconv.Itoa(i)); err == nil && lb.Partition != la.Partition {
			b = "x" + strconv.Itoa(i)
		}
	}
	_, err = clients[1].TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, a, "1", 0)
		p.Set(ctx, b, "1", 0)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "EXECABORT") {
		t.Fatalf("transaction over two partitions: %v, want EXECABORT after CROSSSLOT", err)
	}
	if err := clients[1].Set(ctx, a, "2", 0).Err(); err != nil {
		t.Fatal(err)
	}
	checkWatchCounter(t, "{ctr}:n", clients, 10)
}

// pyTx uses redis-py's transaction helpers: a pipeline with
// transaction=True and r.transaction with WATCH.
const pyTx = `
import json, sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
out = {}
p = r.pipeline(transaction=True)
p.set("{py}:a", "1").incr("{py}:a").get("{py}:a")
out["multi"] = p.execute()
def incr(pipe):
    n = int(pipe.get("{py}:n") or 0)
    pipe.multi()
    pipe.set("{py}:n", n + 1)
for _ in range(5):
    r.transaction(incr, "{py}:n")
out["watched"] = r.get("{py}:n")
r2 = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
with r.pipeline() as pipe:
    pipe.watch("{py}:n")
    r2.set("{py}:n", "100")
    pipe.multi()
    pipe.set("{py}:n", "0")
    try:
        pipe.execute()
        out["abort"] = "ran"
    except redis.WatchError:
        out["abort"] = "WatchError"
out["after_abort"] = r.get("{py}:n")
print(json.dumps(out))
`

func TestTransactionsRedisPy(t *testing.T) {
	t.Parallel()
	py := requirePythonRedis(t)
	c := StartCluster(t, 3, ClusterOptions{})
	for _, n := range []*Node{c.Nodes[0], c.Nodes[2]} {
		if err := c.Client(n).FlushAll(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
		out, err := runTool(t, time.Minute, nil, py, "-c", pyTx, strconv.Itoa(n.Opts.Port))
		if err != nil {
			t.Fatalf("redis-py: %v\n%s", err, out)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("redis-py output: %v\n%s", err, out)
		}
		want := map[string]any{"multi": []any{true, 2.0, "2"}, "watched": "5",
			"abort": "WatchError", "after_abort": "100"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("redis-py through %s: got %v, want %v", n.Opts.Name, got, want)
		}
	}
}
