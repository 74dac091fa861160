package integration

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// acked records the writes the cluster acknowledged: key → value. Each key
// is written once, so an acknowledged value is the only right answer.
type acked map[string]string

// set writes key=val via cl; it must be acknowledged.
func (a acked) set(t *testing.T, cl *redis.Client, via, key, val string) {
	t.Helper()
	if err := cl.Set(context.Background(), key, val, 0).Err(); err != nil {
		t.Fatalf("SET %s via %s: %v", key, via, err)
	}
	a[key] = val
}

// check reads every acknowledged key via cl with MGET.
func (a acked) check(t *testing.T, cl *redis.Client, via string) {
	t.Helper()
	keys := slices.Sorted(maps.Keys(a))
	bad := 0
	for chunk := range slices.Chunk(keys, 50) {
		vals, err := cl.MGet(context.Background(), chunk...).Result()
		if err != nil {
			t.Fatalf("MGET of %d acknowledged keys via %s: %v", len(chunk), via, err)
		}
		for i, k := range chunk {
			if vals[i] != a[k] && bad < 10 {
				bad++
				t.Errorf("acknowledged %s=%q reads %#v via %s", k, a[k], vals[i], via)
			}
		}
	}
}

// TestClusterSurvivesOneNodeKilled: N=3, R=2, W=2 on 3 nodes tolerates one
// crashed node for reads and writes; with two down, both fail with
// NOQUORUM rather than silently (DESIGN.md "Quorum failure"). A killed
// node stays a ring member, marked failed (Dynamo §4.8), and on restart
// rejoins with no acknowledged write lost.
func TestClusterSurvivesOneNodeKilled(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{Args: []string{"--n", "3", "--r", "2", "--w", "2", "--request-timeout", "1000"}})
	n1, n2, n3 := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	cl1, cl2 := c.Client(n1), c.Client(n2)
	ctx := context.Background()
	ok := acked{}

	for i := range 100 {
		ok.set(t, cl1, "n1", fmt.Sprintf("kill:before:%03d", i), fmt.Sprint("b", i))
	}

	// kill -9 node 3: reads and writes via nodes 1 and 2 keep working.
	n3.Kill(t)
	ok.check(t, cl1, "n1 (n3 killed)")
	ok.check(t, cl2, "n2 (n3 killed)")
	for i := range 100 {
		cl, via := cl1, "n1"
		if i%2 == 1 {
			cl, via = cl2, "n2"
		}
		ok.set(t, cl, via, fmt.Sprintf("kill:one-down:%03d", i), fmt.Sprint("o", i))
	}
	ok.check(t, cl1, "n1 (n3 killed)")
	ok.check(t, cl2, "n2 (n3 killed)")
	vctx := clusterVSet(t, cl1, "n1", "kill:v", "x")
	if vals := clusterVGetValues(t, cl2, "n2", "kill:v"); !slices.Equal(vals, []string{"x"}) {
		t.Errorf("VGET kill:v via n2 = %q, want [x]", vals)
	}
	clusterVSet(t, cl2, "n2", "kill:v", "y", "CONTEXT", vctx)
	if vals := clusterVGetValues(t, cl1, "n1", "kill:v"); !slices.Equal(vals, []string{"y"}) {
		t.Errorf("VGET kill:v via n1 = %q, want [y]", vals)
	}
	ok["kill:v"] = "y"

	// Node 1 sees node 3 failed, and keeps it in the ring.
	c.WaitStates(t, detectTimeout, map[string]string{"n1": "alive", "n2": "alive", "n3": "failed"}, n1)
	info, err := c.Info(n1)
	if err != nil {
		t.Fatal(err)
	}
	if info.Fields["cluster_n"] != "3" {
		t.Errorf("INFO cluster on n1 with n3 failed: cluster_n:%s, want 3 (a failed node stays in the ring)\n%s",
			info.Fields["cluster_n"], info.Text)
	}
	ok.set(t, cl1, "n1", "kill:after-detect", "d")

	// kill -9 node 2 as well: W=2 and R=2 cannot be met. (A failed write
	// may still be stored on n1, as in Dynamo, so the writes use keys of
	// their own.)
	n2.Kill(t)
	err = cl1.Set(ctx, "kill:two-down", "z", 0).Err()
	if !isNoQuorum(err) {
		t.Errorf("SET via n1 with n2, n3 down: %v, want an error starting with NOQUORUM", err)
	}
	for _, k := range []string{"kill:before:007", "kill:never-written"} {
		v, err := cl1.Get(ctx, k).Result()
		if !isNoQuorum(err) {
			t.Errorf("GET %s via n1 with n2, n3 down: %q, %v; want an error starting with NOQUORUM", k, v, err)
		}
	}
	if v, err := cl1.Do(ctx, "VSET", "kill:v-two-down", "w").Result(); !isNoQuorum(err) {
		t.Errorf("VSET via n1 with n2, n3 down: %#v, %v; want an error starting with NOQUORUM", v, err)
	}

	// Restart both (same dirs and ports, --join node 1): they rejoin and
	// every acknowledged write reads back via every node.
	n2.Restart(t)
	n3.Restart(t)
	c.WaitAlive(t, formTimeout, c.Nodes...)
	// A peer's transport fails calls fast for a moment after a failed
	// dial (transport.Config.DialBackoff, 250ms), even once gossip has
	// seen the peer back: wait until quorum reads work via every node.
	alive := time.Now()
	for _, n := range c.Nodes {
		Eventually(t, 10*time.Second, "quorum reads via "+n.Opts.Name+" after the restarts", func() error {
			return c.Client(n).Get(ctx, "kill:before:001").Err()
		})
	}
	t.Logf("quorum reads worked via every node %v after INFO showed all alive", time.Since(alive))
	for _, n := range c.Nodes {
		ok.check(t, c.Client(n), n.Opts.Name+" (after restart)")
		if vals := clusterVGetValues(t, c.Client(n), n.Opts.Name, "kill:v"); !slices.Equal(vals, []string{"y"}) {
			t.Errorf("VGET kill:v via %s after restart = %q, want [y]", n.Opts.Name, vals)
		}
	}
	for i, n := range c.Nodes {
		ok.set(t, c.Client(n), n.Opts.Name, fmt.Sprintf("kill:healed:%d", i), "h")
	}
	for _, n := range c.Nodes {
		ok.check(t, c.Client(n), n.Opts.Name+" (healed)")
	}
}

// clusterVSet runs VSET key val [args...] via cl and returns the new context.
func clusterVSet(t *testing.T, cl *redis.Client, via, key, val string, args ...any) string {
	t.Helper()
	v, err := cl.Do(context.Background(), append([]any{"VSET", key, val}, args...)...).Result()
	if err != nil {
		t.Fatalf("VSET %s %s %v via %s: %v", key, val, args, via, err)
	}
	ctx, ok := v.(string)
	if !ok || ctx == "" {
		t.Fatalf("VSET %s via %s = %#v, want a context", key, via, v)
	}
	return ctx
}

// clusterVGet runs VGET key via cl and returns its context and values
// (sorted; DESIGN.md fixes their order, not which).
func clusterVGet(t *testing.T, cl *redis.Client, via, key string) (string, []string) {
	t.Helper()
	v, err := cl.Do(context.Background(), "VGET", key).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		t.Fatalf("VGET %s via %s: %v", key, via, err)
	}
	a, ok := v.([]any)
	if !ok || len(a) != 2 {
		t.Fatalf("VGET %s via %s = %#v, want [context, [values]]", key, via, v)
	}
	ctx, _ := a[0].(string)
	list, ok := a[1].([]any)
	if !ok {
		t.Fatalf("VGET %s via %s: values %#v are not an array", key, via, a[1])
	}
	vals := make([]string, len(list))
	for i, x := range list {
		if vals[i], ok = x.(string); !ok {
			t.Fatalf("VGET %s via %s: value %#v is not a string", key, via, x)
		}
	}
	slices.Sort(vals)
	return ctx, vals
}

func clusterVGetValues(t *testing.T, cl *redis.Client, via, key string) []string {
	t.Helper()
	_, vals := clusterVGet(t, cl, via, key)
	return vals
}
