package replica_test

import (
	"context"
	"testing"
	"time"

	"github.com/ringkv/ringkv/replica"
)

// remoteGets is how many MethodGet calls nodes served.
func (tc *testCluster) remoteGets(nodes ...string) int64 {
	var n int64
	for _, name := range nodes {
		n += tc.served[name][replica.MethodGet].Load()
	}
	return n
}

// A read asks R replicas, not N: at N=3 R=2 through a replica, its own copy
// and one other; R=3 asks all.
func TestReadAsksROfN(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	ctx := context.Background()
	if _, err := tc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{W: 3}, set("v1")); err != nil {
		t.Fatal(err)
	}
	before := tc.remoteGets("n2", "n3")
	if _, err := tc.coords["n1"].Get(ctx, []byte("k"), replica.ReadOptions{R: 3}); err != nil {
		t.Fatal(err)
	}
	if got := tc.remoteGets("n2", "n3") - before; got != 2 {
		t.Fatalf("a read at R=3 made %d remote reads, want 2", got)
	}
	before = tc.remoteGets("n2", "n3")
	const reads = 20
	for range reads {
		if s, err := tc.coords["n1"].Get(ctx, []byte("k"), replica.ReadOptions{}); err != nil || value(t, s) != "v1" {
			t.Fatalf("read = %q, %v", value(t, s), err)
		}
	}
	tc.coords["n1"].Close() // waits for what the reads left running (read repair)
	spec := tc.coords["n1"].Stats().SpeculativeReads.Load()
	if got := tc.remoteGets("n2", "n3") - before; got != reads+spec {
		t.Fatalf("%d reads at R=2 made %d remote reads (%d speculative), want one each", reads, got, spec)
	}
}

// A replica that fails is replaced by the next one at once.
func TestReadAsksAnotherWhenOneFails(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	ctx := context.Background()
	if _, err := tc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{W: 3}, set("v1")); err != nil {
		t.Fatal(err)
	}
	tc.net.Down("n2") // the first remote asked
	for range 5 {
		if s, err := tc.coords["n1"].Get(ctx, []byte("k"), replica.ReadOptions{}); err != nil || value(t, s) != "v1" {
			t.Fatalf("read with n2 down = %q, %v", value(t, s), err)
		}
	}
	if got := tc.remoteGets("n3"); got < 5 {
		t.Fatalf("n3 served %d reads, want every read to ask it once n2 failed", got)
	}
}

// A replica that is slow does not hold the read: after the speculation
// delay (at most 50 ms) the next one is asked, well inside the timeout.
func TestReadAsksAnotherWhenOneIsSlow(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	ctx := context.Background()
	if _, err := tc.coords["n1"].Update(ctx, []byte("k"), replica.WriteOptions{W: 3}, set("v1")); err != nil {
		t.Fatal(err)
	}
	tc.net.SetDelay("n1", "n2", time.Second) // beyond the 200 ms request timeout
	if s, err := tc.coords["n1"].Get(ctx, []byte("k"), replica.ReadOptions{}); err != nil || value(t, s) != "v1" {
		t.Fatalf("read with n2 slow = %q, %v", value(t, s), err)
	}
	if got := tc.coords["n1"].Stats().SpeculativeReads.Load(); got < 1 {
		t.Fatalf("speculative reads = %d, want n3 asked when n2 was slow", got)
	}
}
