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
	limit int32
}

func newWorkers(ctx context.Context, limit int32) *workers {
	return &workers{ctx: ctx, jobs: make(chan func()), limit: limit}
}

// run runs fn on an idle worker, a new one, or past limit a goroutine of
// its own; it does not wait for fn.
func (w *workers) run(fn func()) {
	select {
	case w.jobs <- fn:
		return
	default:
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
		select {
		case fn = <-w.jobs:
		case <-w.ctx.Done():
			return
		}
	}
}
