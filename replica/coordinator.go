package replica

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/replica/version"
)

// NotCoordinatorError reports that this node is not in the key's preference
// list, so it may not coordinate the write; Replicas says who may.
type NotCoordinatorError struct{ Replicas []string }

func (e *NotCoordinatorError) Error() string {
	return fmt.Sprintf("replica: not a replica of the key; coordinators: %v", e.Replicas)
}

// Coordinator runs reads and writes for keys over their preference lists.
type Coordinator struct {
	cfg   Config
	store Store
	place Placement
	peers Caller // nil on a single node
	log   zerolog.Logger
	wg    sync.WaitGroup // background replication, repair and loops

	flushSeen   atomic.Int64 // newest FLUSHALL time seen from peers
	readLatency atomic.Int64 // moving average of remote read latency, ns (speculateAfter)
	actor       atomic.Pointer[actorID]
	stats       Stats

	syncMu   sync.Mutex
	lastSync map[uint64]int64 // partition lo -> last completed exchange (Unix ms)

	handoff handoff // partition handoff (transfer.go)

	batchMu  sync.Mutex
	batchers map[string]*mergeBatcher // per peer: replica copies in flight (mergebatch.go)
	// per peer (and hinted or not): reads in flight (getbatch.go)
	getBatchers map[batcherKey]*getBatcher

	stop    chan struct{} // closed by Close: background loops end
	stopped sync.Once
	wake    chan struct{} // NodeUp: deliver hints now
}

// New returns a coordinator over the local store, the placement and the
// other nodes (peers may be nil when placement only ever names this node).
func New(cfg Config, store Store, place Placement, peers Caller) (*Coordinator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger.With().Str("component", "coordinator").Str("node", cfg.Node).Logger()
	c := &Coordinator{cfg: cfg, store: store, place: place, peers: peers, log: log,
		stop: make(chan struct{}), wake: make(chan struct{}, 1)}
	c.loadHandoff()
	return c, nil
}

// Now is the coordinator's clock in Unix ms, never earlier than the last
// FLUSHALL (a skewed clock must not date new writes before it).
func (c *Coordinator) Now() int64 { return max(c.cfg.Now(), c.flushedAt()+1) }

// Node is this node's name.
func (c *Coordinator) Node() string { return c.cfg.Node }

// Quorum returns the N, R and W in force for a preference list of size n.
func (c *Coordinator) Quorum(n int) (N, R, W int) {
	N = min(c.cfg.N, n)
	return N, min(c.cfg.R, N), min(c.cfg.W, N)
}

// replicas returns the key's preference list, cut to N.
func (c *Coordinator) replicas(key []byte) []string {
	list := c.place.Replicas(key)
	return list[:min(len(list), c.cfg.N)]
}

// Coordinators returns the key's primaries in the order to try them as its
// coordinator: those membership sees up first. Every node computes the
// same order from the same view, so a key's writes meet on one node (the
// first that is up), where read-modify-writes are atomic.
func (c *Coordinator) Coordinators(key []byte) []string {
	list := c.replicas(key)
	out := make([]string, 0, len(list))
	for _, n := range list {
		if c.up(n) {
			out = append(out, n)
		}
	}
	for _, n := range list {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// need turns a requested quorum (0: default) into one the list can meet.
func need(req, def, n int) int {
	if req <= 0 {
		req = def
	}
	return min(req, n)
}

// Update applies fn to key on this node if it is one of the key's
// replicas, then sends the resulting set to the others (or, for those
// down, to fallbacks with a hint) and returns once o.W of them (this one
// included) stored it. With o.Read it first merges a quorum read into the
// local copy, so fn decides on every acknowledged write. On a node outside
// the preference list it reads the key, lets fn decide, and has a replica
// coordinate the write (applyRemote). With too few acks in time it returns
// a *QuorumError; the write may still have reached some replicas, as in
// Dynamo.
func (c *Coordinator) Update(ctx context.Context, key []byte, o WriteOptions, fn UpdateFunc) (Result, error) {
	list := c.replicas(key)
	if len(list) > 1 || c.peers != nil {
		key = bytes.Clone(key) // background replication outlives the caller's buffer
	}
	if !slices.Contains(list, c.cfg.Node) {
		if c.peers == nil {
			return Result{}, &NotCoordinatorError{Replicas: list}
		}
		return c.applyRemote(ctx, key, o, list, fn)
	}
	if o.Read && len(list) > 1 {
		if err := c.catchUp(ctx, [][]byte{key}, o); err != nil {
			return Result{}, err
		}
	}
	return c.write(ctx, key, o, list, fn)
}

// catchUp merges a quorum read of keys (of one preference list, read
// together: quorumRead) into the local copies. A key whose local copy
// answered the read with its merge already is not merged again. The keys
// must stay unchanged after the call: read repair may still use them.
func (c *Coordinator) catchUp(ctx context.Context, keys [][]byte, o WriteOptions) error {
	list := c.replicas(keys[0])
	if len(list) == 1 && list[0] == c.cfg.Node {
		return nil
	}
	merged, local, err := c.quorumRead(ctx, keys, list, ReadOptions{R: o.R, PR: o.PR})
	if err != nil {
		return err
	}
	var mk [][]byte
	var ms []version.Set
	for i, s := range merged {
		if local == nil || !s.Equal(local[i]) {
			mk, ms = append(mk, keys[i]), append(ms, s)
		}
	}
	switch len(mk) {
	case 0:
		return nil
	case 1:
		_, _, err = c.store.Merge(mk[0], ms[0])
		return err
	}
	return c.store.MergeBatch(mk, ms)
}

// write coordinates fn's write here and replicates it over list: first it
// plans where the copies go (sloppy quorum), so the hints for primaries
// with no fallback are written with the local copy, in one batch.
func (c *Coordinator) write(ctx context.Context, key []byte, o WriteOptions, list []string, fn UpdateFunc) (Result, error) {
	var p writePlan
	if len(list) > 1 {
		others := slices.DeleteFunc(slices.Clone(list), func(n string) bool { return n == c.cfg.Node })
		fb := c.fallbacks(key, others)
		p.targets, p.orphans, p.spare = plan(others, fb, c.cfg.Up)
		if fb == nil { // all up: walk the fallbacks only if a copy fails
			p.spares = func() []string { _, _, spare := plan(others, c.place.Fallbacks(key), c.cfg.Up); return spare }
		}
	}
	res, err := c.applyLocal(key, p.orphans, fn)
	if err != nil || !res.Written() || len(list) == 1 {
		return res, err
	}
	c.stats.HintsStored.Add(int64(len(p.orphans)))
	if err := c.replicate(ctx, [][]byte{key}, []version.Set{res.Set}, list, o, p); err != nil {
		return res, err
	}
	return res, nil
}

// writePlan is where a write's copies go (plan).
type writePlan struct {
	targets        []copyTarget
	orphans, spare []string
	spares         func() []string // the spare fallbacks, when plan did not walk them
}

// up reports whether membership sees node up (this node always is).
func (c *Coordinator) up(n string) bool { return n == c.cfg.Node || c.cfg.Up(n) }

// fallbacks returns key's fallbacks, or nil when every node of list is up:
// the extended preference list is walked only when a copy needs a
// stand-in, not on every request.
func (c *Coordinator) fallbacks(key []byte, list []string) []string {
	if !slices.ContainsFunc(list, func(n string) bool { return !c.up(n) }) {
		return nil
	}
	return c.place.Fallbacks(key)
}

// applyLocal runs fn under the local key lock and stores the new sibling,
// stamped with this node's current actor, with hints for hintFor in the
// same write. The change's context is met
// with the history the local copy holds, so it cannot claim writes that
// were never issued.
func (c *Coordinator) applyLocal(key []byte, hintFor []string, fn UpdateFunc) (Result, error) {
	var res Result
	set, err := c.store.UpdateHinted(key, hintFor, func(cur version.Set) (version.Set, bool, error) {
		// Under the key lock (and the store's gate): a FLUSHALL cannot
		// change the actor between reading it and writing with it.
		actor := c.actorID()
		floor, err := c.store.CounterFloor()
		if err != nil {
			return cur, false, err
		}
		now := c.Now()
		ch, err := fn(cur, now)
		if err != nil || ch == nil {
			res.Set = cur
			return cur, false, err
		}
		seen := ch.Context.Meet(cur.Context())
		next, dot := cur.Put(actor, seen, ch.Sibling(now), floor)
		res.Dot, res.Context = dot, seen.With(dot)
		return next, true, nil
	})
	if err != nil {
		return Result{}, err
	}
	if res.Written() {
		res.Set = set
	}
	return res, nil
}

// getLocal reads key from this node's store. A value that has expired is
// expired there and then, as Redis expires a key on access: the sweep
// would turn it into the same tombstone later (every replica's sweep
// gives it the same stamp), so doing it now changes no outcome, only when
// DBSIZE stops counting it.
func (c *Coordinator) getLocal(ctx context.Context, key []byte) (version.Set, error) {
	s, err := c.store.Get(key)
	if err != nil {
		return s, err
	}
	s = c.readThrough(ctx, key, s)
	now := c.Now()
	if m := s.MinExpiry(); m == 0 || m > now {
		return s, nil
	}
	if _, err := c.store.ExpireKey(key, now); err != nil {
		c.log.Debug().Err(err).Msg("expiring a key on access failed; the sweep will")
	}
	s, _ = s.Expire(now)
	return s, nil
}

// Get reads key from its replicas (or, for those down, fallbacks) and
// returns once o.R of them answered, with their sets merged. Replicas found
// behind are repaired in the background (read repair, Dynamo §4.5/§5).
func (c *Coordinator) Get(ctx context.Context, key []byte, o ReadOptions) (version.Set, error) {
	list := c.replicas(key)
	if len(list) == 1 && list[0] == c.cfg.Node {
		return c.getLocal(ctx, key)
	}
	key = bytes.Clone(key) // read repair outlives the caller's buffer
	sets, _, err := c.quorumRead(ctx, [][]byte{key}, list, o)
	if err != nil {
		return nil, err
	}
	return sets[0], nil
}
