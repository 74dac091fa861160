package replica

import (
	"context"
	"sync"

	"github.com/ringkv/ringkv/replica/version"
)

// reply is one replica's answer to a read.
type reply struct {
	node string
	set  version.Set
	err  error
}

// background detaches work that must outlive the client's request (the
// rest of the N writes, read repair) but not the coordinator's timeout.
func (c *Coordinator) background(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Timeout)
}

// replicate sends set to every replica but this node and returns how many
// acknowledged, counting this node, once want did or none can anymore. The
// sends still in flight finish in the background.
func (c *Coordinator) replicate(ctx context.Context, key []byte, set version.Set, list []string, want int) int {
	acks := make(chan bool, len(list))
	bctx, cancel := c.background(ctx)
	// Encode once, now: set's values may alias the client's read buffer,
	// which the next command overwrites while these sends are in flight.
	body := encodeKeySet(key, set)
	var wg sync.WaitGroup
	for _, node := range list {
		if node == c.cfg.Node {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.call(bctx, node, MethodMerge, body)
			if err != nil {
				c.log.Debug().Err(err).Str("peer", node).Msg("replica write failed")
			}
			acks <- err == nil
		}()
	}
	c.track(func() { wg.Wait(); cancel() })
	got, pending := 1, len(list)-1
	wait := ctxDone(ctx, c.cfg.Timeout)
	defer wait.stop()
	for got < want && pending > 0 {
		select {
		case ok := <-acks:
			pending--
			if ok {
				got++
			}
		case <-wait.done:
			return got
		}
	}
	return got
}

// quorumRead asks every replica for key, returns the merge of the first
// want answers, and repairs the replicas found behind in the background.
func (c *Coordinator) quorumRead(ctx context.Context, key []byte, list []string, want int) (version.Set, error) {
	replies := make(chan reply, len(list))
	bctx, cancel := c.background(ctx)
	for _, node := range list {
		c.track(func() {
			var r reply
			r.node = node
			if node == c.cfg.Node {
				r.set, r.err = c.store.Get(key)
			} else {
				r.set, r.err = c.getRemote(bctx, node, key)
			}
			replies <- r
		})
	}
	var seen []reply
	var merged version.Set
	got := 0
	wait := ctxDone(ctx, c.cfg.Timeout)
	defer wait.stop()
	for got < want && len(seen) < len(list) {
		select {
		case r := <-replies:
			seen = append(seen, r)
			if r.err == nil {
				got++
				merged = merged.Merge(r.set)
			}
			merged = merged.DropBefore(c.flushedAt())
		case <-wait.done:
			c.track(func() { c.repair(bctx, key, list, seen, replies); cancel() })
			return nil, &QuorumError{Op: 'R', Need: want, Got: got}
		}
	}
	c.track(func() { c.repair(bctx, key, list, seen, replies); cancel() })
	if got < want {
		return nil, &QuorumError{Op: 'R', Need: want, Got: got}
	}
	return merged, nil
}

// repair waits for the remaining answers of a read, then sends the merged
// set to every replica that answered with less (read repair).
func (c *Coordinator) repair(ctx context.Context, key []byte, list []string, seen []reply, replies chan reply) {
	for len(seen) < len(list) {
		select {
		case r := <-replies:
			seen = append(seen, r)
		case <-ctx.Done():
			return // a replica that did not answer gets anti-entropy instead
		}
	}
	var merged version.Set
	for _, r := range seen {
		if r.err == nil {
			merged = merged.Merge(r.set)
		}
	}
	merged = merged.DropBefore(c.flushedAt())
	for _, r := range seen {
		if r.err != nil || r.set.Equal(merged) {
			continue
		}
		var err error
		if r.node == c.cfg.Node {
			_, _, err = c.store.Merge(key, merged)
		} else {
			err = c.mergeRemote(ctx, r.node, key, merged)
		}
		if err != nil {
			c.log.Debug().Err(err).Str("peer", r.node).Msg("read repair failed")
		}
	}
}
