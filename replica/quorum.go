package replica

import (
	"context"
	"sync"
	"time"

	"github.com/ringkv/ringkv/replica/version"
)

// reply is one node's answer to a read: its set of each key read.
type reply struct {
	target copyTarget
	sets   []version.Set
	err    error
}

// background detaches work that must outlive the client's request (the
// rest of the N writes, hints, read repair) but not the coordinator's
// timeout.
func (c *Coordinator) background(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Timeout)
}

// answer is one write target's outcome.
type answer struct{ ok, primary, wasPrimary bool }

// replicate sends the written records (keys[i] now holding sets[i], one
// key's or one group's) to the planned targets (a down replica's copy to a
// fallback, with a hint; hints with no fallback were written with the
// local copy) and returns once o.W (and o.PW) acknowledged,
// counting this node, or a *QuorumError once they cannot or the time is
// up. A group travels to each target in one frame and is merged there in
// one write. The sends still in flight finish in the background; every
// primary a copy did not reach gets a hint.
func (c *Coordinator) replicate(ctx context.Context, keys [][]byte, sets []version.Set, list []string, o WriteOptions, p writePlan) error {
	targets := p.targets
	// Encode once, now: the sets' values may alias the client's read
	// buffer, which the next command overwrites while these sends are in
	// flight.
	bodies := make([][]byte, len(keys))
	for i, k := range keys {
		bodies[i] = encodeKeySet(k, sets[i])
	}
	t := newTally(need(o.W, c.cfg.W, len(list)), need(o.PW, c.cfg.PW, len(list)), targets)
	t.self(true)
	answers := make(chan answer, len(targets))
	pool := &sparePool{nodes: p.spare, load: p.spares}
	// A primary's copy joins its batcher's queue with no goroutine of its
	// own (the batcher's sends it); only a failed one, a fallback's hints
	// and a large copy take one.
	var others []copyTarget
	expires := time.Now().Add(c.cfg.Timeout)
	alone := bodiesSize(bodies) >= mergeAlone
	for _, x := range targets {
		if x.For != "" || alone {
			others = append(others, x)
			continue
		}
		c.submit(x.Node, &mergeCopy{bodies: bodies, expires: expires, finish: func(err error) {
			if err == nil {
				answers <- answer{ok: true, primary: true, wasPrimary: true}
				return
			}
			c.log.Debug().Err(err).Str("peer", x.Node).Msg("replica write failed")
			c.track(func() {
				bctx, cancel := c.background(ctx)
				defer cancel()
				answers <- c.sendCopy(bctx, x, keys, bodies, pool, true)
			})
		}})
	}
	if len(others) > 0 {
		bctx, cancel := c.background(ctx)
		var wg sync.WaitGroup
		for _, x := range others {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers <- c.sendCopy(bctx, x, keys, bodies, pool, false)
			}()
		}
		c.track(func() { wg.Wait(); cancel() })
	}
	wait := ctxDone(ctx, c.cfg.Timeout)
	defer wait.stop()
	for !t.met() && !t.hopeless() {
		select {
		case a := <-answers:
			t.answer(a.ok, a.primary, a.wasPrimary)
		case <-wait.done:
			return t.err("W")
		}
	}
	if !t.met() {
		return t.err("W")
	}
	return nil
}

// sendCopy delivers one target's copy of the records (MethodMerge
// bodies): to a primary as a merge, to a fallback as hints for the
// primary it stands in for. A copy that fails (or failed already: tried)
// moves to the next spare fallback; with none left, this node keeps the
// hints.
func (c *Coordinator) sendCopy(ctx context.Context, x copyTarget, keys, bodies [][]byte, pool *sparePool, tried bool) answer {
	a := answer{wasPrimary: x.For == ""}
	owner := x.Node
	if x.For != "" {
		owner = x.For
	}
	node := x.Node
	if tried {
		node = pool.take()
	}
	for ; node != ""; node = pool.take() {
		var err error
		if node == owner {
			err = c.mergeTo(ctx, node, bodies...)
		} else {
			for _, body := range bodies {
				if _, err = c.call(ctx, node, MethodHint, encodeHint(owner, body)); err != nil {
					break
				}
			}
		}
		if err == nil {
			a.ok, a.primary = true, node == owner
			return a
		}
		c.log.Debug().Err(err).Str("peer", node).Str("for", owner).Msg("replica write failed")
		if ctx.Err() != nil {
			break
		}
	}
	// The client may have its ack by now, and the sets' values alias its
	// read buffer, which the next command overwrites: hint from the
	// bodies, which this request owns.
	for i, body := range bodies {
		if _, own, err := decodeKeySet(body); err == nil {
			c.hintHere(owner, keys[i], own)
		}
	}
	return a
}

// sparePool hands out the fallbacks no target took, each once; load, if
// set, finds them at the first take.
type sparePool struct {
	mu    sync.Mutex
	nodes []string
	load  func() []string
}

func (p *sparePool) take() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.load != nil {
		p.nodes, p.load = p.load(), nil
	}
	if len(p.nodes) == 0 {
		return ""
	}
	n := p.nodes[0]
	p.nodes = p.nodes[1:]
	return n
}

// hintHere stores a hint on this node for a primary no copy reached.
func (c *Coordinator) hintHere(owner string, key []byte, set version.Set) {
	if err := c.store.PutHint(owner, key, set); err != nil {
		c.log.Warn().Err(err).Str("for", owner).Msg("cannot store hint; anti-entropy will repair the replica")
		return
	}
	c.stats.HintsStored.Add(1)
}

// quorumRead asks as many of the keys' replicas (fallbacks for those
// down) as o.R (and o.PR) needs, this node first, and returns the merge of
// their answers for each key once they all answered; it asks the next one
// only when one fails or is slow (speculate), not all N on every read: at
// N=3 R=2 that is one remote read instead of two (Cassandra reads this
// way). The keys share list (one key, or a collection's records): each
// replica answers for all of them in one request. local is this node's
// own answer (nil if it gave none). The primaries that answered with less
// are repaired in the background; the ones not asked are anti-entropy's.
func (c *Coordinator) quorumRead(ctx context.Context, keys [][]byte, list []string, o ReadOptions) (merged, local []version.Set, err error) {
	targets, _, _ := plan(list, c.fallbacks(keys[0], list), c.up)
	t := newTally(need(o.R, c.cfg.R, len(list)), need(o.PR, c.cfg.PR, len(list)), targets)
	order := selfFirst(targets, c.cfg.Node)
	replies := make(chan reply, len(targets))
	bctx, cancel := c.background(ctx)
	asked, askedP := 0, 0
	ask := func() {
		x := order[asked]
		asked++
		if x.For == "" {
			askedP++
		}
		if x.Node == c.cfg.Node { // this node answers at once, so counts first
			replies <- c.readOne(bctx, x, keys)
			return
		}
		start := time.Now()
		answered := func(r reply) {
			if r.err == nil {
				c.noteReadLatency(time.Since(start))
			}
			replies <- r // buffered for every target: never blocks
		}
		if len(keys) == 1 {
			expires, _ := bctx.Deadline()
			c.getSubmit(bctx, x.Node, x.For != "", &getCall{key: keys[0], expires: expires,
				finish: func(s version.Set, err error) {
					answered(reply{target: x, sets: []version.Set{s}, err: err})
				}})
			return
		}
		c.track(func() { answered(c.readOne(bctx, x, keys)) })
	}
	for asked < len(order) && (asked < t.need || askedP < t.needP) {
		ask()
	}
	var seen []reply
	merged = make([]version.Set, len(keys))
	// The read ends when the client's request does (ctx) or at the
	// timeout, which bctx carries: no other timer for it.
	slow := time.NewTimer(c.speculateAfter())
	defer slow.Stop()
wait:
	for !t.met() && !t.hopeless() {
		select {
		case r := <-replies:
			seen = append(seen, r)
			t.answer(r.err == nil, r.target.For == "", r.target.For == "")
			if r.err == nil {
				for i, s := range r.sets {
					merged[i] = merged[i].Merge(s)
				}
				if r.target.Node == c.cfg.Node && r.target.For == "" {
					local = r.sets
				}
			} else if asked < len(order) {
				ask() // one failed: the next takes its place
			}
		case <-slow.C:
			if asked < len(order) {
				c.stats.SpeculativeReads.Add(1)
				ask()
				slow.Reset(c.speculateAfter())
			}
		case <-ctx.Done():
			break wait
		case <-bctx.Done(): // the timeout: bctx is cancelled only after this loop
			break wait
		}
	}
	flushed := c.flushedAt()
	for i := range merged {
		merged[i] = merged[i].DropBefore(flushed)
	}
	if len(seen) == asked && len(staleOf(seen, merged)) == 0 {
		cancel() // every replica asked answered, and alike: nothing to wait for or repair
	} else {
		c.track(func() { c.repair(bctx, keys, asked, seen, replies); cancel() })
	}
	if !t.met() {
		return nil, nil, t.err("R")
	}
	return merged, local, nil
}

// selfFirst orders a read's targets: this node first (its answer costs no
// round trip), then plan's order (primaries before stand-ins).
func selfFirst(targets []copyTarget, self string) []copyTarget {
	out := make([]copyTarget, 0, len(targets))
	for _, x := range targets {
		if x.Node == self {
			out = append(out, x)
		}
	}
	for _, x := range targets {
		if x.Node != self {
			out = append(out, x)
		}
	}
	return out
}

// Speculation bounds: a read asks one more replica when the ones asked
// have not answered within speculateFactor times the recent remote read
// latency, clamped to [minSpeculate, maxSpeculate].
const (
	speculateFactor = 4
	minSpeculate    = 2 * time.Millisecond
	maxSpeculate    = 50 * time.Millisecond
)

// noteReadLatency folds one remote read's latency into the moving average
// speculateAfter uses (weight 1/16).
func (c *Coordinator) noteReadLatency(d time.Duration) {
	old := c.readLatency.Load()
	if old == 0 {
		c.readLatency.Store(int64(d))
		return
	}
	c.readLatency.Store(old + (int64(d)-old)/16)
}

// speculateAfter is how long a read waits for the replicas it asked before
// asking another.
func (c *Coordinator) speculateAfter() time.Duration {
	d := time.Duration(c.readLatency.Load()) * speculateFactor
	return min(max(d, minSpeculate), maxSpeculate, c.cfg.Timeout)
}

// readOne reads keys from one target: a primary's copies, or what a
// fallback holds for it (its hints as well as any copy of its own). A
// quorum read sends a single key's remote read through the target's
// batcher instead (getSubmit).
func (c *Coordinator) readOne(ctx context.Context, x copyTarget, keys [][]byte) reply {
	r := reply{target: x, sets: make([]version.Set, len(keys))}
	switch {
	case x.Node == c.cfg.Node:
		for i, key := range keys {
			r.sets[i], r.err = c.getLocal(ctx, key)
			if r.err == nil && x.For != "" { // standing in: what it holds for the primary too
				var h version.Set
				h, r.err = c.store.HintedSet(key)
				r.sets[i] = r.sets[i].Merge(h)
			}
			if r.err != nil {
				break
			}
		}
	case len(keys) > 1:
		r.err = c.getGroupRemote(ctx, x.Node, x.For != "", keys, r.sets)
	default:
		r.err = c.getEachRemote(ctx, x.Node, x.For != "", keys, r.sets)
	}
	return r
}

// repair waits for the remaining answers of a read, then sends the merged
// sets to every primary that answered with less (read repair), the keys
// it lacks in one frame. Fallbacks are not repaired: their hints reach the
// primaries.
func (c *Coordinator) repair(ctx context.Context, keys [][]byte, asked int, seen []reply, replies chan reply) {
	for len(seen) < asked {
		select {
		case r := <-replies:
			seen = append(seen, r)
		case <-ctx.Done():
			return // a replica that did not answer gets anti-entropy instead
		}
	}
	merged, stale := toRepair(seen, len(keys), c.flushedAt())
	for _, s := range stale {
		var err error
		if s.target.Node == c.cfg.Node {
			for _, i := range s.keys {
				if _, _, err = c.store.Merge(keys[i], merged[i]); err != nil {
					break
				}
			}
		} else {
			bodies := make([][]byte, len(s.keys))
			for j, i := range s.keys {
				bodies[j] = encodeKeySet(keys[i], merged[i])
			}
			err = c.mergeTo(ctx, s.target.Node, bodies...)
		}
		if err != nil {
			c.log.Debug().Err(err).Str("peer", s.target.Node).Msg("read repair failed")
			continue
		}
		c.stats.ReadRepairs.Add(int64(len(s.keys)))
	}
}
