package integration

// Multi-key commands of every family run atomically when their keys share
// a partition and answer CROSSSLOT otherwise (DESIGN.md), as transactions
// and scripts do: RENAME, COPY, MSETNX, BITOP, LCS, LMOVE, ZUNIONSTORE ...
// used to run across partitions key by key, without atomicity.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestMultiKeyCrossSlot(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	ctx := context.Background()
	a, b := "k0", ""
	la, err := c.Locate(c.Nodes[0], a)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 1000 && b == ""; i++ {
		if lb, err := c.Locate(c.Nodes[0], "k"+strconv.Itoa(i)); err == nil && lb.Partition != la.Partition {
			b = "k" + strconv.Itoa(i)
		}
	}
	if b == "" {
		t.Fatal("no key in another partition among 1000")
	}
	for i, n := range c.Nodes {
		cl := c.Client(n)
		if err := cl.Set(ctx, a, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range [][]any{
			{"RENAME", a, b}, {"RENAMENX", a, b}, {"COPY", a, b}, {"MSETNX", a, "1", b, "2"},
			{"BITOP", "AND", a, a, b}, {"LCS", a, b}, {"LMOVE", a, b, "LEFT", "RIGHT"},
			{"RPOPLPUSH", a, b}, {"ZUNIONSTORE", a, "2", a, b}, {"ZRANGESTORE", b, a, "0", "-1"},
		} {
			if err := cl.Do(ctx, cmd...).Err(); err == nil || !strings.HasPrefix(err.Error(), "CROSSSLOT") {
				t.Errorf("node %d: %v over two partitions: %v, want CROSSSLOT", i+1, cmd, err)
			}
		}
		if v, err := cl.Get(ctx, a).Result(); err != nil || v != "v" {
			t.Errorf("node %d: %s after the refused commands = %q, %v", i+1, a, v, err)
		}
		// Keys sharing a hash tag run, through any node.
		src, dst := fmt.Sprintf("{t%d}src", i), fmt.Sprintf("{t%d}dst", i)
		if err := cl.RPush(ctx, src, "x", "y").Err(); err != nil {
			t.Fatal(err)
		}
		if err := cl.Rename(ctx, src, dst).Err(); err != nil {
			t.Fatalf("node %d: tagged RENAME: %v", i+1, err)
		}
		if got, err := cl.LMove(ctx, dst, src, "LEFT", "RIGHT").Result(); err != nil || got != "x" {
			t.Fatalf("node %d: tagged LMOVE = %q, %v", i+1, got, err)
		}
		if n, err := cl.MSetNX(ctx, src+"2", "1", dst+"2", "2").Result(); err != nil || !n {
			t.Fatalf("node %d: tagged MSETNX = %v, %v", i+1, n, err)
		}
	}
}
