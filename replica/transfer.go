package replica

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringkv/ringkv/cluster/ring"
)

// Partition handoff (Dynamo §4.9). When the ring changes, a node compares
// the new ring with the one it last acted on: a partition it now holds one
// of the N copies of, and did not before, is streamed to it from a
// previous holder (inbound transfer); a partition it no longer holds is,
// once every new holder is up, synced to each of them by Merkle exchange
// and then dropped here. Transfers page through the source's records in
// (hash, key) order and merge them (never overwrite), persisting the
// cursor, so they resume after either side crashes. Until a partition's
// transfer completes, this node answers a read of it with its previous
// holder's copy merged in (read-through), so the move costs no read a
// miss; writes go to the new holders at once and are merged, not lost.

// Records of the handoff state in the store (HandoffStore).
const (
	stateRing = "ring"  // the members of the ring last acted on
	stateIn   = "in/"   // + partition: an inbound transfer
	doneKept  = 256     // finished transfers kept for TRANSFERS
	pageBytes = 1 << 20 // bytes per transfer page
	// transferWorkers is how many partitions a node receives at once.
	transferWorkers = 4
)

// inbound is one partition being streamed to this node.
type inbound struct {
	Partition int      `json:"p"`
	Sources   []string `json:"src"`            // previous holders, in preference order
	Source    string   `json:"cur,omitempty"`  // the one streamed from now
	AfterHash uint64   `json:"h,omitempty"`    // cursor: last record received
	AfterKey  []byte   `json:"k,omitempty"`    // nil: from the start
	Streamed  bool     `json:"done,omitempty"` // stream complete; syncing with the other sources
	Keys      int64    `json:"keys,omitempty"`
	Bytes     int64    `json:"bytes,omitempty"`
	Started   int64    `json:"t0,omitempty"` // Unix ms
	Updated   int64    `json:"t1,omitempty"`
	Resumed   bool     `json:"-"` // loaded from the store at start
}

// Transfer is one inbound partition transfer as TRANSFERS shows it.
type Transfer struct {
	Node      string `json:"node"`
	Partition int    `json:"partition"`
	Source    string `json:"source"`
	State     string `json:"state"` // queued, active, syncing, done
	Keys      int64  `json:"keys"`
	Bytes     int64  `json:"bytes"`
	Rate      int64  `json:"rate"`   // bytes/s, 0 unknown
	ETAms     int64  `json:"eta_ms"` // -1 unknown
	StartedMs int64  `json:"started_ms"`
	UpdatedMs int64  `json:"updated_ms"`
}

// handoff is the coordinator's partition-handoff state.
type handoff struct {
	mu    sync.Mutex
	acted *ring.Ring // the ring last acted on; nil: never (a new node)
	// upgraded: the store held records at start but no ring acted on (a
	// directory from before partition handoff): its first ring is taken
	// as current, and anti-entropy checks it, rather than refetched.
	upgraded bool
	in       map[int]*inbound
	active   map[int]bool // partitions streaming now
	done     []Transfer
	foreign  atomic.Int64  // partitions held here that this node no longer owns, as of the last pass
	settled  atomic.Uint64 // version of the last ring whose handoff this node completed

	seen    uint64    // ring version last seen
	seenAt  time.Time // when it was first seen
	view    atomic.Pointer[throughView]
	pace    pacer // --transfer-rate, shared by the workers
	rateBps atomic.Int64
}

// throughView is, for one ring, which partitions read through to which
// previous holders.
type throughView struct {
	version uint64
	sources map[int][]string
	mu      sync.Mutex
	pulled  map[string]bool // collections pulled in whole (pullCollection)
}

func (c *Coordinator) loadHandoff() {
	h := &c.handoff
	h.in = map[int]*inbound{}
	h.active = map[int]bool{}
	r := c.place.Ring()
	if r == nil {
		return
	}
	b, err := c.store.HandoffState(stateRing)
	if err != nil {
		c.log.Error().Err(err).Msg("cannot read the handoff state; partition transfers start over")
		return
	}
	if b == nil {
		h.upgraded, _ = c.store.HasRecords(0, ^uint64(0))
	} else {
		var members []string
		if err := json.Unmarshal(b, &members); err == nil && len(members) > 0 {
			if acted, err := ring.New(r.Q(), members); err == nil {
				h.acted = acted
			}
		}
	}
	_ = c.store.EachHandoffState(stateIn, func(_ string, v []byte) bool {
		var in inbound
		if json.Unmarshal(v, &in) == nil {
			in.Resumed = true
			h.in[in.Partition] = &in
		}
		return true
	})
	c.stats.TransfersPending.Store(int64(len(h.in)))
	if len(h.in) > 0 {
		c.log.Info().Int("partitions", len(h.in)).Msg("resuming partition transfers")
	}
}

// handoffRingLoop plans and runs partition handoff until the coordinator
// closes.
func (c *Coordinator) handoffRingLoop() {
	c.every(c.cfg.Handoff.Interval, nil, func(ctx context.Context) { c.HandoffOnce(ctx) })
}

// HandoffOnce does one pass of partition handoff: plans transfers if the
// ring changed and has settled, streams pending partitions (re-checking
// the ring between partitions), then drops partitions no longer held.
func (c *Coordinator) HandoffOnce(ctx context.Context) {
	r := c.place.Ring()
	if r == nil || c.peers == nil {
		return
	}
	h := &c.handoff
	h.mu.Lock()
	if r.Version() != h.seen {
		h.seen, h.seenAt = r.Version(), time.Now()
	}
	settled := time.Since(h.seenAt) >= c.cfg.Handoff.Settle
	if settled && (h.acted == nil || h.acted.Version() != r.Version()) {
		c.plan(r)
	}
	h.mu.Unlock()
	if !settled {
		return
	}
	// A few partitions at once: per partition, the first page's round
	// trip and the Merkle check with the other previous holders are
	// latency, not work.
	var wg sync.WaitGroup
	var failedMu sync.Mutex
	failed := map[int]bool{} // interrupted this pass: retried next pass
	for range transferWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && c.place.Ring().Version() == r.Version() {
				failedMu.Lock()
				in := c.nextInbound(r, failed)
				failedMu.Unlock()
				if in == nil {
					return
				}
				if err := c.receive(ctx, r, in); err != nil {
					c.log.Warn().Err(err).Int("partition", in.Partition).Str("source", in.Source).
						Msg("partition transfer interrupted; it resumes from where it stopped")
					failedMu.Lock()
					failed[in.Partition] = true
					failedMu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if c.place.Ring().Version() != r.Version() {
		return // replan first
	}
	c.dropForeign(ctx, r)
	if pending, foreign := c.HandoffBusy(); pending == 0 && foreign == 0 && ctx.Err() == nil &&
		c.place.Ring().Version() == r.Version() {
		h.settled.Store(r.Version())
	} else {
		h.settled.Store(0) // records arrived for a partition held no longer, say
	}
}

// HandoffSettled is the version of the last ring whose handoff this node
// completed: every transfer it called for done, every partition it took
// away dropped. Equal to the current ring's version when none is left.
func (c *Coordinator) HandoffSettled() uint64 { return c.handoff.settled.Load() }

// plan compares ring r with the ring last acted on and queues the
// transfers r calls for. Called with h.mu held.
func (c *Coordinator) plan(r *ring.Ring) {
	h := &c.handoff
	self := c.cfg.Node
	old := h.acted
	if old == nil {
		if r.Len() == 1 {
			return // alone: nothing to fetch, and nothing to remember yet
		}
		if h.upgraded {
			old = r
		} else if others, err := ring.New(r.Q(), without(r.Members(), self)); err == nil {
			old = others // a new node: every partition it holds arrives
		} else {
			return
		}
	} else if r.Len() == 1 && old.Len() > 1 {
		return // seeing no one is not an ownership change
	}
	n := c.cfg.N
	var queued, cancelled int
	for p := range r.Q() {
		now, before := r.Preference(p, n), old.Preference(p, n)
		holds, held := slices.Contains(now, self), slices.Contains(before, self)
		in := h.in[p]
		switch {
		case holds && !held:
			if in == nil {
				in = &inbound{Partition: p}
				h.in[p] = in
				queued++
			}
			for _, s := range before {
				if s != self && !slices.Contains(in.Sources, s) {
					in.Sources = append(in.Sources, s)
				}
			}
			c.noteInbound(in) // made durable by the synced ring record below
		case !holds && in != nil:
			delete(h.in, p)
			if err := c.store.NoteHandoffState(stateIn+strconv.Itoa(p), nil); err != nil {
				c.log.Warn().Err(err).Int("partition", p).Msg("cannot delete a cancelled transfer's record; it is replanned after a restart")
			}
			cancelled++
		}
	}
	b, _ := json.Marshal(r.Members())
	if err := c.store.SetHandoffState(stateRing, b); err != nil {
		c.log.Error().Err(err).Msg("cannot save the ring acted on; the plan is redone after a restart")
	}
	h.acted = r
	h.view.Store(nil)
	c.stats.TransfersPending.Store(int64(len(h.in)))
	c.log.Info().Strs("members", r.Members()).Int("queued", queued).Int("cancelled", cancelled).
		Int("pending", len(h.in)).Msg("ring change: partition transfers planned")
}

func without(list []string, x string) []string {
	out := make([]string, 0, len(list))
	for _, m := range list {
		if m != x {
			out = append(out, m)
		}
	}
	return out
}

// noteInbound saves a transfer's progress after a page without waiting
// for the disk (engine.NoteHandoffState says why that is safe).
func (c *Coordinator) noteInbound(in *inbound) {
	b, _ := json.Marshal(in)
	if err := c.store.NoteHandoffState(stateIn+strconv.Itoa(in.Partition), b); err != nil {
		c.log.Warn().Err(err).Int("partition", in.Partition).Msg("cannot save transfer progress; it restarts from an earlier point after a crash")
	}
}

// deleteInbound forgets a finished transfer, without waiting for the
// disk: a crash that loses the delete makes the transfer run again, which
// merges what is already there.
func (c *Coordinator) deleteInbound(p int) {
	if err := c.store.NoteHandoffState(stateIn+strconv.Itoa(p), nil); err != nil {
		c.log.Warn().Err(err).Int("partition", p).Msg("cannot delete a finished transfer's record; it is redone after a restart")
	}
}

// nextInbound picks the pending transfer to run: the lowest partition
// with a source up.
func (c *Coordinator) nextInbound(r *ring.Ring, skip map[int]bool) *inbound {
	h := &c.handoff
	h.mu.Lock()
	defer h.mu.Unlock()
	var best *inbound
	for _, in := range h.in {
		if (best == nil || in.Partition < best.Partition) && !h.active[in.Partition] && !skip[in.Partition] && c.sourceUp(r, in) != "" {
			best = in
		}
	}
	if best != nil {
		h.active[best.Partition] = true
	}
	return best
}

// sourceUp is the source to stream in from: the current one while it is
// up, else the first previous holder that is up, else (every previous
// holder gone for good) another current holder.
func (c *Coordinator) sourceUp(r *ring.Ring, in *inbound) string {
	ok := func(s string) bool { return s != c.cfg.Node && c.cfg.Up(s) }
	if in.Source != "" && ok(in.Source) {
		return in.Source
	}
	for _, s := range in.Sources {
		if ok(s) {
			return s
		}
	}
	for _, s := range r.Preference(in.Partition, c.cfg.N) {
		if ok(s) && r.Contains(s) && !slices.Contains(in.Sources, s) {
			return s
		}
	}
	return ""
}

// pacer spaces received pages so that all transfers together stay under
// a rate: each page books the next slot after the last one booked (or
// now, after an idle spell), its length in time at the rate.
type pacer struct {
	mu   sync.Mutex
	next time.Time
}

// after books n bytes at rate bytes/s and returns when the caller may go
// on.
func (p *pacer) after(n, rate int64) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	p.next = p.next.Add(time.Duration(float64(n) / float64(rate) * float64(time.Second)))
	return p.next
}
