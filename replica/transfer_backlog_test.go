package replica

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// backlogStore is a Store whose compaction backlog the test sets; only
// WriteBacklog is called.
type backlogStore struct {
	Store
	n atomic.Int32
}

func (s *backlogStore) WriteBacklog() int { return int(s.n.Load()) }

// A received page waits while the store's compaction is behind, and goes
// on as soon as it has caught up; with no backlog it does not wait.
func TestTransferWaitsForCompaction(t *testing.T) {
	st := &backlogStore{}
	c := &Coordinator{store: st}
	ctx := context.Background()

	start := time.Now()
	if err := c.waitBacklog(ctx); err != nil || time.Since(start) > 50*time.Millisecond || c.stats.TransferWaitMs.Load() != 0 {
		t.Fatalf("no backlog: waited %v (err %v, counted %d ms)", time.Since(start), err, c.stats.TransferWaitMs.Load())
	}

	st.n.Store(backlogWait + 2)
	time.AfterFunc(200*time.Millisecond, func() { st.n.Store(backlogWait - 1) })
	start = time.Now()
	if err := c.waitBacklog(ctx); err != nil {
		t.Fatal(err)
	}
	if w := time.Since(start); w < 190*time.Millisecond || w > 2*time.Second {
		t.Fatalf("with a backlog for 200 ms the page waited %v", w)
	}
	if ms := c.stats.TransferWaitMs.Load(); ms < 190 {
		t.Fatalf("TransferWaitMs = %d, want the ~200 ms waited", ms)
	}

	st.n.Store(backlogWait)
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := c.waitBacklog(cctx); err == nil {
		t.Fatal("a cancelled transfer went on waiting or merged")
	}
}
