package replica

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ringkv/ringkv/replica/version"
)

// Reads batched over the network, as replica copies are (mergebatch.go):
// a quorum read's request to one replica joins the reads other clients
// are sending it. While getInflight requests to a peer are out, new reads
// queue; the next request takes the whole queue (up to getBatchMax keys)
// as one MethodGetGroup, so under load one frame each way and one handler
// on the replica serve many reads, and an idle cluster still sends each
// read at once, as a MethodGet.
const (
	getInflight = 2
	getBatchMax = 128
)

// getCall is one key's read waiting in a batcher.
type getCall struct {
	key  []byte
	set  version.Set
	err  error
	done chan struct{}
	gone atomic.Bool // the caller gave up: not sent
}

// getBatcher batches the reads sent to one peer (hinted: of what it
// holds for a primary it stands in for as well).
type getBatcher struct {
	c      *Coordinator
	node   string
	hinted bool

	mu       sync.Mutex
	queue    []*getCall
	inflight int
}

// getBatched reads key from node (as MethodGet, or MethodGetHinted if
// hinted), batched with other reads of it.
func (c *Coordinator) getBatched(ctx context.Context, node string, hinted bool, key []byte) (version.Set, error) {
	b := c.getBatcher(node, hinted)
	g := &getCall{key: key, done: make(chan struct{})}
	b.mu.Lock()
	if b.inflight < getInflight {
		b.inflight++
		b.mu.Unlock()
		// Sent from this goroutine (no hand-off); the reads queued
		// meanwhile go on in another.
		b.send(ctx, []*getCall{g})
		if next := b.next(); next != nil {
			c.track(func() { b.run(next) })
		}
		return g.set, g.err
	}
	b.queue = append(b.queue, g)
	b.mu.Unlock()
	select {
	case <-g.done:
		return g.set, g.err
	case <-ctx.Done():
		g.gone.Store(true)
		return nil, ctx.Err()
	}
}

// getBatcher returns node's read batcher, made on first use.
func (c *Coordinator) getBatcher(node string, hinted bool) *getBatcher {
	k := batcherKey{node: node, hinted: hinted}
	c.batchMu.Lock()
	defer c.batchMu.Unlock()
	b := c.getBatchers[k]
	if b == nil {
		if c.getBatchers == nil {
			c.getBatchers = map[batcherKey]*getBatcher{}
		}
		b = &getBatcher{c: c, node: node, hinted: hinted}
		c.getBatchers[k] = b
	}
	return b
}

type batcherKey struct {
	node   string
	hinted bool
}

// run sends batch, then the batches queued meanwhile, until the queue is
// empty; it holds one of the peer's inflight slots throughout.
func (b *getBatcher) run(batch []*getCall) {
	for ; batch != nil; batch = b.next() {
		b.send(context.Background(), batch)
		for _, g := range batch {
			close(g.done)
		}
	}
}

// next takes the next batch off the queue, or, with none queued, gives
// the caller's inflight slot back and returns nil.
func (b *getBatcher) next() []*getCall {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queue = slices.DeleteFunc(b.queue, func(g *getCall) bool { return g.gone.Load() })
	if len(b.queue) == 0 {
		b.inflight--
		return nil
	}
	n := min(len(b.queue), getBatchMax)
	batch := append([]*getCall(nil), b.queue[:n]...)
	b.queue = append(b.queue[:0], b.queue[n:]...)
	return batch
}

// send reads a batch's keys: one as MethodGet (or MethodGetHinted), more
// as one MethodGetGroup; each call gets its set or the batch's error.
func (b *getBatcher) send(ctx context.Context, batch []*getCall) {
	if len(batch) == 1 {
		sets := []version.Set{nil}
		batch[0].err = b.c.getEachRemote(ctx, b.node, b.hinted, [][]byte{batch[0].key}, sets)
		batch[0].set = sets[0]
		return
	}
	b.c.stats.GetBatches.Add(1)
	b.c.stats.GetBatched.Add(int64(len(batch)))
	keys := make([][]byte, len(batch))
	for i, g := range batch {
		keys[i] = g.key
	}
	sets := make([]version.Set, len(batch))
	err := b.c.getGroupRemote(ctx, b.node, b.hinted, keys, sets)
	for i, g := range batch {
		g.set, g.err = sets[i], err
	}
}
