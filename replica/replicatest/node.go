package replicatest

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/syndtr/goleveldb/leveldb/storage"

	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica"
)

// treeBits sizes each store's Merkle tree: small, so a restart saves and
// loads it quickly; it must be at least log2(Q).
const treeBits = 10

// node is one member: its storage outlives crashes (not wipes); the
// engine, transport and coordinator live from a start to a stop.
type node struct {
	name string
	disk storage.Storage // goleveldb's in-memory storage: the data directory
	db   *engine.DB
	tr   *transport.MemTransport
	c    *replica.Coordinator
	// crashed: stopped without a clean shutdown, so the next start takes
	// a new actor.
	crashed bool
	latency time.Duration // of messages to it, when not slowed
}

func newNode(name string, latency time.Duration) *node {
	return &node{name: name, disk: storage.NewMemStorage(), latency: latency}
}

func (n *node) running() bool { return n.c != nil }

// start opens n's store and starts its coordinator. After a crash the
// store takes a new actor, as an unclean open under appendfsync everysec
// does.
func (s *Sim) start(n *node, crashed bool) error {
	s.net.Down(n.name)               // unreachable until its coordinator is set
	time.Sleep(17 * time.Nanosecond) // its loops' ticks off the client steps' microseconds
	db, err := engine.Open("sim-"+n.name, engine.Options{Storage: n.disk, SweepInterval: -1,
		TreeBits: treeBits, HintMaxAge: s.cfg.HintMaxAge, Logger: s.cfg.Logger})
	if err != nil {
		return err
	}
	// The Sim's membership never changes: every node has acted on its
	// ring from the start, so no partition is in transit.
	members, _ := json.Marshal(s.place.Members())
	if err := db.SetHandoffState("ring", members); err != nil {
		return errors.Join(err, db.Close())
	}
	if crashed {
		if _, err := db.NewActor(); err != nil {
			return errors.Join(err, db.Close())
		}
	}
	cfg := replica.Config{Node: n.name, N: s.cfg.N, R: s.cfg.R, W: s.cfg.W, Timeout: s.cfg.Timeout,
		Up: s.views.fn(n.name), Logger: s.cfg.Logger,
		Hints:          replica.HintConfig{Interval: s.cfg.HintInterval},
		AAE:            replica.AAEConfig{Interval: s.cfg.AAEInterval},
		TombstoneGrace: s.cfg.TombstoneGrace}
	var c *replica.Coordinator
	tr := s.net.Node(n.name, transport.HandlerFunc(func(ctx context.Context, from string, m uint8, b []byte) ([]byte, error) {
		return c.ServePeer(ctx, from, m, b)
	}))
	rtt := func(to string) time.Duration { return n.latency + s.nodes[to].latency }
	if c, err = replica.New(cfg, db, s.place, caller{tr: tr, rtt: rtt}); err != nil {
		return errors.Join(err, tr.Close(), db.Close())
	}
	s.actors.see(n.name, db.Actor())
	n.db, n.tr, n.c = db, tr, c
	s.net.Up(n.name)
	c.Start()
	return nil
}

// stop takes n off the network first (its calls in flight fail at once),
// then stops its coordinator, transport and store.
func (s *Sim) stop(n *node) error {
	s.net.Down(n.name)
	n.c.Close()
	s.stopped.add(n)
	err := errors.Join(n.tr.Close(), n.db.Close())
	n.c, n.tr, n.db = nil, nil, nil
	return err
}

// wipe replaces n's storage: everything it held, hints included, is gone.
func (n *node) wipe() error {
	err := n.disk.Close()
	n.disk = storage.NewMemStorage()
	return err
}
