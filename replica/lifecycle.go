package replica

import (
	"context"
	"time"
)

// track runs fn in a goroutine the coordinator waits for on Close.
func (c *Coordinator) track(fn func()) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		fn()
	}()
}

// Close waits for background replication and repair to finish (each is
// bounded by the coordinator's timeout).
func (c *Coordinator) Close() { c.wg.Wait() }

// waiter fires when the request's context ends or the timeout passes.
type waiter struct {
	done <-chan struct{}
	stop context.CancelFunc
}

func ctxDone(ctx context.Context, timeout time.Duration) waiter {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return waiter{done: ctx.Done(), stop: cancel}
}
