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
	for range 100 {
		done := make(chan struct{})
		w.run(func() { close(done) })
		<-done
		waitFor(t, "one worker", func() bool { return w.n.Load() == 1 }) // the worker is back waiting, or still the one
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
