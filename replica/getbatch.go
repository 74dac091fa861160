package replica

import (
	"context"
	"slices"
	"sync"
	"time"

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
	key []byte
	set version.Set
	err error
	// finish takes the outcome: called once, by the goroutine that sent
	// the read, so it must not block.
	finish func(version.Set, error)
	// expires is when a read still queued fails (with
	// context.DeadlineExceeded) rather than wait on.
	expires time.Time
}

// end delivers the read's outcome.
func (g *getCall) end() { g.finish(g.set, g.err) }

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

// getSubmit queues a read of g.key from node (as MethodGet, or
// MethodGetHinted if hinted), batched with other reads of it, without
// waiting: g.finish takes the outcome. With a free inflight slot a
// goroutine sends it (and what queues meanwhile) at once, bounded by ctx.
// A quorum read so waits for its replicas in its own goroutine alone: a
// goroutine per remote read, to wait for the batch and hand its answer
// on, cost the coordinator of a GET a goroutine start, its stack growth
// and one more wake-up.
func (c *Coordinator) getSubmit(ctx context.Context, node string, hinted bool, g *getCall) {
	b := c.getBatcher(node, hinted)
	b.mu.Lock()
	if b.inflight < getInflight {
		b.inflight++
		b.mu.Unlock()
		c.track(func() { b.run(ctx, []*getCall{g}) })
		return
	}
	b.queue = append(b.queue, g)
	b.mu.Unlock()
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

// run sends batch (under ctx), then the batches queued meanwhile (each
// under the coordinator's timeout), until the queue is empty; it holds
// one of the peer's inflight slots throughout.
func (b *getBatcher) run(ctx context.Context, batch []*getCall) {
	for ; batch != nil; batch = b.next() {
		b.send(ctx, batch)
		for _, g := range batch {
			g.end()
		}
		ctx = context.Background() // c.call bounds it
	}
}

// next takes the next batch off the queue, or, with none queued, gives
// the caller's inflight slot back and returns nil. Expired reads (their
// quorum read is over) fail unsent.
func (b *getBatcher) next() []*getCall {
	var expired []*getCall
	defer func() {
		for _, g := range expired {
			g.set, g.err = nil, context.DeadlineExceeded
			g.end()
		}
	}()
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.queue = slices.DeleteFunc(b.queue, func(g *getCall) bool {
		if !g.expires.IsZero() && now.After(g.expires) {
			expired = append(expired, g)
			return true
		}
		return false
	})
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
