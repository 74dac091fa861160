package server

import (
	"context"
	"sync/atomic"
)

// workers runs functions on goroutines that wait for the next one when
// done, up to limit of them (beyond, each runs on a goroutine of its own).
// A command's call chain grows a new goroutine's stack several times,
// each growth a copy: runtime.copystack was 10% of a coordinator's CPU
// under SET -P 16 on three nodes, where every pipelined command started
// a goroutine. A worker keeps its stack for the next command (until a GC
// finds it idle and shrinks it).
type workers struct {
	ctx   context.Context // workers exit once it is done
	jobs  chan func()
	n     atomic.Int32 // live workers
	idle  atomic.Int32 // of which waiting, or about to wait, for a job no run has claimed
	limit int32
}

func newWorkers(ctx context.Context, limit int32) *workers {
	return &workers{ctx: ctx, jobs: make(chan func()), limit: limit}
}

// run runs fn on an idle worker, a new one, or past limit a goroutine of
// its own; it does not wait for fn.
func (w *workers) run(fn func()) {
	// Claim an idle worker, then hand it fn: it is in its wait or about
	// to be. (A send that found no worker in its wait yet, one that had
	// just finished a job, started a second worker for it.)
	for idle := w.idle.Load(); idle > 0; idle = w.idle.Load() {
		if !w.idle.CompareAndSwap(idle, idle-1) {
			continue
		}
		select {
		case w.jobs <- fn:
			return
		case <-w.ctx.Done(): // the claimed worker may have left
			go fn()
			return
		}
	}
	if w.n.Add(1) <= w.limit {
		go w.loop(fn)
		return
	}
	w.n.Add(-1)
	go fn()
}

func (w *workers) loop(fn func()) {
	defer w.n.Add(-1)
	for {
		fn()
		w.idle.Add(1)
		select {
		case fn = <-w.jobs: // its sender claimed this wait (idle)
		case <-w.ctx.Done():
			return
		}
	}
}
