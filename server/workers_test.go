package server

import (
	"context"
	"sync"
	"testing"
)

// Jobs run one after another reuse one worker; jobs at once beyond max
// run on goroutines of their own; the workers exit with their context.
func TestWorkersReuseAndBound(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w := newWorkers(ctx, 2)
	for i := range 100 {
		done := make(chan struct{})
		w.run(func() { close(done) })
		<-done
		// Once the worker is done, the next job is its, even before it
		// reaches its wait (before, a job sent in between started a
		// second worker, and this test failed under load).
		waitFor(t, "the worker to be done", func() bool { return w.idle.Load() == 1 })
		if n := w.n.Load(); n != 1 {
			t.Fatalf("after %d jobs one after another, %d workers live, want 1", i+1, n)
		}
	}
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		w.run(func() { <-release; wg.Done() })
	}
	if n := w.n.Load(); n > 2 {
		t.Errorf("%d workers live, want at most 2", n)
	}
	close(release)
	wg.Wait()
	cancel()
	waitFor(t, "the workers to exit", func() bool { return w.n.Load() == 0 })
}
