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

// Close stops the background loops and waits for them and for background
// replication and repair to finish (each bounded by the coordinator's
// timeout).
func (c *Coordinator) Close() {
	c.stopped.Do(func() { close(c.stop) })
	c.wg.Wait()
}

// waiter fires when the request's context ends or the timeout passes.
type waiter struct {
	done <-chan struct{}
	stop context.CancelFunc
}

func ctxDone(ctx context.Context, timeout time.Duration) waiter {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return waiter{done: ctx.Done(), stop: cancel}
}

// call sends one request to a peer, bounded by the coordinator's timeout
// whatever ctx allows: a half-open peer must not hold a client (or a
// background task) for longer.
func (c *Coordinator) call(ctx context.Context, to string, method uint8, body []byte) ([]byte, error) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= c.cfg.Timeout {
		// A request's own background context (background) is bounded
		// already: a second timer per call would only cost (a GET's
		// profile: context.WithTimeout at 6.7% of the coordinator's CPU).
		return c.peers.Call(ctx, to, method, body)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	return c.peers.Call(ctx, to, method, body)
}

// every runs round every period (and whenever wake fires, if not nil)
// until the coordinator closes: the one shape of the background loops
// (hinted handoff, anti-entropy, reaping). Each round's context ends when
// the coordinator closes.
func (c *Coordinator) every(period time.Duration, wake <-chan struct{}, round func(ctx context.Context)) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		case <-wake:
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-c.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		round(ctx)
		cancel()
	}
}
