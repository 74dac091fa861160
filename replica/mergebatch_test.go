package replica_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ringkv/ringkv/replica"
)

// Concurrent writes' copies for a replica travel in batches (one frame,
// one LevelDB write on the replica), and every copy lands.
func TestConcurrentWritesBatchTheirCopies(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	// Copies take a while to land, so concurrent writes' copies queue
	// behind the ones in flight whatever the scheduling (without the
	// delay an unloaded run could send every copy alone).
	tc.net.SetDelay("n1", "n2", 5*time.Millisecond)
	tc.net.SetDelay("n1", "n3", 5*time.Millisecond)
	const writes = 200
	if err := writeConcurrently(tc.coords["n1"], writes, replica.WriteOptions{W: 3}); err != nil {
		t.Fatal(err)
	}
	st := tc.coords["n1"].Stats()
	if st.MergeBatches.Load() == 0 || st.MergeBatched.Load() <= st.MergeBatches.Load() {
		t.Fatalf("%d concurrent writes sent %d batches of %d copies, want some batched", writes, st.MergeBatches.Load(), st.MergeBatched.Load())
	}
	if got := tc.served["n2"][replica.MethodMerge].Load() + tc.served["n2"][replica.MethodMergeBatch].Load(); got >= writes {
		t.Fatalf("n2 served %d merge frames for %d writes, want fewer", got, writes)
	}
	for _, n := range []string{"n2", "n3"} {
		for i := range writes {
			s, err := tc.stores[n].Get(fmt.Appendf(nil, "k%d", i))
			if err != nil || value(t, s) != fmt.Sprint(i) {
				t.Fatalf("%s holds k%d = %q, %v", n, i, value(t, s), err)
			}
		}
	}
}

// A malformed batch is refused whole, and nothing of it is merged.
func TestMergeBatchRefusesMalformed(t *testing.T) {
	tc := newCluster(t, 3, 2, 2)
	for _, body := range [][]byte{{}, {5}, {1, 200, 1}, {1, 2, 1, 'k'}, {0, 9}} {
		if _, err := tc.coords["n1"].ServePeer(context.Background(), "n2", replica.MethodMergeBatch, body); err == nil {
			t.Errorf("batch %v accepted", body)
		}
	}
}

// While a replica cannot be reached, its copies fail together and promptly
// (each write hints its copy), not one queued batch and one timeout after
// another while the queue grows; the writes still meet W.
func TestUnreachableReplicaFailsQueuedCopies(t *testing.T) {
	tc := newCluster(t, 2, 1, 1)             // n1's copies go to n2 alone
	tc.net.SetDelay("n1", "n2", time.Second) // beyond the 200 ms timeout: every call to n2 times out
	const writes = 100
	if err := writeConcurrently(tc.coords["n1"], writes, replica.WriteOptions{}); err != nil {
		t.Fatalf("W=1: %v", err)
	}
	tc.coords["n1"].Close() // waits for the copies to n2 still being sent
	if got := tc.coords["n1"].Stats().MergeBatched.Load(); got >= writes/2 {
		t.Fatalf("%d copies were sent to the unreachable n2 in batches: queued copies should fail with the send before them", got)
	}
	if h := tc.stores["n1"].HintStats(); h.Pending < writes {
		t.Fatalf("n1 holds %d hints for n2, want one per write (%d)", h.Pending, writes)
	}
}

// writeConcurrently writes k0..k(n-1) = "0".."n-1" through c, each from its
// own goroutine, and returns the first error.
func writeConcurrently(c *replica.Coordinator, n int, wo replica.WriteOptions) error {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := c.Update(context.Background(), fmt.Appendf(nil, "k%d", i), wo, set(fmt.Sprint(i)))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
