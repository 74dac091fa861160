package replica

import (
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringkv/ringkv/replica/version"
)

// MethodMergeBatch is MethodMerge for several keys in one frame. Body:
// uvarint count, then per key a uvarint length and a MethodMerge body;
// reply: empty once every key is merged (one LevelDB write for all).
const MethodMergeBatch uint8 = 17

// Group commit over the network: a write's copy for a replica joins the
// copies other writes are sending it. While mergeInflight batches to a
// peer are out, new copies queue; the next batch takes the whole queue
// (up to mergeBatchMax copies or mergeBatchBytes), so under load one
// frame each way and one LevelDB write on the replica carry many writes,
// and an idle cluster still sends each copy at once.
const (
	mergeInflight   = 2
	mergeBatchMax   = 128
	mergeBatchBytes = 1 << 20
	// mergeAlone is the body size from which a copy travels alone.
	mergeAlone = 64 << 10
)

// mergeCopy is one copy waiting in a batcher: one write's MethodMerge
// bodies (several for a group, which always travel in one frame).
type mergeCopy struct {
	bodies [][]byte
	done   chan error  // buffered: the sender never waits for a caller that gave up
	gone   atomic.Bool // the caller gave up (and hints the copy): not sent
	// finish, if set, takes the outcome instead of done: called once, by
	// the goroutine that sent the copy, so it must not block.
	finish func(error)
	// expires, if set, is when a copy still queued fails (with
	// context.DeadlineExceeded) rather than wait on.
	expires time.Time
}

// end delivers the copy's outcome.
func (m *mergeCopy) end(err error) {
	if m.finish != nil {
		m.finish(err)
		return
	}
	m.done <- err
}

// submit queues m for node without waiting: m.finish takes the outcome.
// With a free inflight slot a goroutine sends it (and what queues
// meanwhile) at once.
func (c *Coordinator) submit(node string, m *mergeCopy) {
	b := c.batcher(node)
	b.mu.Lock()
	if b.inflight < mergeInflight {
		b.inflight++
		b.mu.Unlock()
		c.track(func() { b.run([]*mergeCopy{m}) })
		return
	}
	b.queue = append(b.queue, m)
	b.mu.Unlock()
}

// mergeBatcher batches the copies sent to one peer.
type mergeBatcher struct {
	c    *Coordinator
	node string

	mu       sync.Mutex
	queue    []*mergeCopy
	inflight int
}

// mergeTo delivers one write's MethodMerge bodies to node, batched with
// other copies for it, and returns once node merged them (or the batch
// failed). Several bodies (a group) are merged there in one write.
func (c *Coordinator) mergeTo(ctx context.Context, node string, bodies ...[]byte) error {
	if size := bodiesSize(bodies); size >= mergeAlone {
		if len(bodies) == 1 {
			_, err := c.call(ctx, node, MethodMerge, bodies[0])
			return err
		}
		_, err := c.call(ctx, node, MethodMergeBatch, encodeMergeBatch([]*mergeCopy{{bodies: bodies}}))
		return err
	}
	b := c.batcher(node)
	m := &mergeCopy{bodies: bodies, done: make(chan error, 1)}
	b.mu.Lock()
	if b.inflight < mergeInflight {
		b.inflight++
		b.mu.Unlock()
		// Sent from this goroutine (no hand-off); the copies queued
		// meanwhile go on in another, so this caller returns now.
		err := b.send([]*mergeCopy{m})
		b.failQueueOn(err)
		if next := b.next(); next != nil {
			c.track(func() { b.run(next) })
		}
		return err
	}
	b.queue = append(b.queue, m)
	b.mu.Unlock()
	select {
	case err := <-m.done:
		return err
	case <-ctx.Done():
		m.gone.Store(true)
		return ctx.Err()
	}
}

// batcher returns node's batcher, made on first use.
func (c *Coordinator) batcher(node string) *mergeBatcher {
	c.batchMu.Lock()
	defer c.batchMu.Unlock()
	b := c.batchers[node]
	if b == nil {
		if c.batchers == nil {
			c.batchers = map[string]*mergeBatcher{}
		}
		b = &mergeBatcher{c: c, node: node}
		c.batchers[node] = b
	}
	return b
}

// run sends batch, then the batches queued meanwhile, until the queue is
// empty; it holds one of the peer's inflight slots throughout.
func (b *mergeBatcher) run(batch []*mergeCopy) {
	for ; batch != nil; batch = b.next() {
		err := b.send(batch)
		for _, m := range batch {
			m.end(err)
		}
		b.failQueueOn(err)
	}
}

// failQueueOn fails every queued copy with err when err says the peer
// could not be reached (not its refusal): they would fail alike, one
// batch and one timeout after another, while the queue grew.
func (b *mergeBatcher) failQueueOn(err error) {
	if err == nil || isRemoteErr(err) {
		return
	}
	b.mu.Lock()
	q := b.queue
	b.queue = nil
	b.mu.Unlock()
	for _, m := range q {
		m.end(err)
	}
}

// next takes the next batch off the queue, or, with none queued, gives
// the caller's inflight slot back and returns nil. Copies whose caller
// gave up leave the queue unsent; expired ones fail.
func (b *mergeBatcher) next() []*mergeCopy {
	var expired []*mergeCopy
	defer func() {
		for _, m := range expired {
			m.end(context.DeadlineExceeded)
		}
	}()
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.queue = slices.DeleteFunc(b.queue, func(m *mergeCopy) bool {
		if !m.expires.IsZero() && now.After(m.expires) && !m.gone.Load() {
			expired = append(expired, m)
			return true
		}
		return m.gone.Load()
	})
	if len(b.queue) == 0 {
		b.inflight--
		return nil
	}
	n, size := 0, 0
	for n < len(b.queue) && n < mergeBatchMax && size < mergeBatchBytes {
		size += bodiesSize(b.queue[n].bodies)
		n++
	}
	batch := append([]*mergeCopy(nil), b.queue[:n]...)
	b.queue = append(b.queue[:0], b.queue[n:]...)
	return batch
}

// send delivers a batch: one body as MethodMerge, more as one
// MethodMergeBatch. If the batch call fails, the copies are sent one by
// one, so one bad copy (or a peer that predates batches) costs only
// itself; a group stays one MethodMergeBatch, so a replica never merges
// part of it.
func (b *mergeBatcher) send(batch []*mergeCopy) error {
	ctx := context.Background()
	if len(batch) == 1 && len(batch[0].bodies) == 1 {
		_, err := b.c.call(ctx, b.node, MethodMerge, batch[0].bodies[0])
		return err
	}
	b.c.stats.MergeBatches.Add(1)
	b.c.stats.MergeBatched.Add(int64(len(batch)))
	if _, err := b.c.call(ctx, b.node, MethodMergeBatch, encodeMergeBatch(batch)); err == nil || !isRemoteErr(err) {
		return err
	}
	var errs []error
	for _, m := range batch {
		var err error
		if len(m.bodies) == 1 {
			_, err = b.c.call(ctx, b.node, MethodMerge, m.bodies[0])
		} else {
			_, err = b.c.call(ctx, b.node, MethodMergeBatch, encodeMergeBatch([]*mergeCopy{m}))
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// bodiesSize is the bytes of bodies.
func bodiesSize(bodies [][]byte) int {
	n := 0
	for _, b := range bodies {
		n += len(b)
	}
	return n
}

// isRemoteErr reports whether err is the peer's own answer (it was
// reached and refused), not a transport failure.
func isRemoteErr(err error) bool {
	var re interface{ Remote() string }
	return errors.As(err, &re)
}

func encodeMergeBatch(batch []*mergeCopy) []byte {
	n, count := binary.MaxVarintLen64, 0
	for _, m := range batch {
		n += len(m.bodies)*binary.MaxVarintLen64 + bodiesSize(m.bodies)
		count += len(m.bodies)
	}
	b := binary.AppendUvarint(make([]byte, 0, n), uint64(count))
	for _, m := range batch {
		for _, body := range m.bodies {
			b = binary.AppendUvarint(b, uint64(len(body)))
			b = append(b, body...)
		}
	}
	return b
}

// serveMergeBatch merges every copy of a MethodMergeBatch body in one
// store batch.
func (c *Coordinator) serveMergeBatch(body []byte) error {
	n, k := binary.Uvarint(body)
	if k <= 0 || n > uint64(len(body)) {
		return errors.New("replica: malformed merge batch")
	}
	body = body[k:]
	keys := make([][]byte, 0, n)
	sets := make([]version.Set, 0, n)
	for range n {
		l, k := binary.Uvarint(body)
		if k <= 0 || l > uint64(len(body)-k) {
			return errors.New("replica: malformed merge batch")
		}
		key, s, err := decodeKeySet(body[k : k+int(l)])
		if err != nil {
			return err
		}
		keys, sets = append(keys, key), append(sets, s)
		body = body[k+int(l):]
	}
	if len(body) != 0 {
		return errors.New("replica: malformed merge batch: trailing bytes")
	}
	return c.store.MergeBatch(keys, sets)
}
