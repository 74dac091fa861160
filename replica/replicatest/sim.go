package replicatest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing/synctest"
	"time"

	"github.com/ringkv/ringkv/cluster/transport"
)

// Sim is a simulated cluster: Config.Nodes coordinators over one
// in-memory network, a client history, and the faults in force. Its
// methods are called from one goroutine, inside a synctest bubble.
type Sim struct {
	cfg       Config
	net       *transport.MemNetwork
	place     placement
	names     []string
	nodes     map[string]*node
	views     *views
	group     map[string]int // partition side of each node; nil: none
	hist      History
	actors    *actors         // readable names of write identities
	log       []string        // every op done, with its outcome
	seq       int             // ops done
	keys      map[string]bool // every key a client op named
	slowLinks map[string]bool // "a>b" links slowed
	stopped   Counts          // machinery counts of coordinators since stopped
	// faulted: a partition, slow link, crash or wipe happened.
	faulted bool
}

// New starts a cluster. It must be called inside a synctest bubble; Close
// stops it.
func New(cfg Config) (*Sim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Sim{cfg: cfg, net: transport.NewMemNetwork(1), nodes: map[string]*node{}, keys: map[string]bool{}, slowLinks: map[string]bool{}}
	for i := range cfg.Nodes {
		s.names = append(s.names, fmt.Sprintf("n%d", i+1))
	}
	var err error
	if s.place, err = newPlacement(cfg.Q, cfg.N, s.names); err != nil {
		return nil, err
	}
	s.views = newViews(s.names)
	s.actors = newActors()
	for i, name := range s.names {
		s.nodes[name] = newNode(name, latency(i))
		s.net.SetDelay(transport.Any, name, s.nodes[name].latency)
		time.Sleep(5 * time.Millisecond) // background loops out of phase
		if err := s.start(s.nodes[name], false); err != nil {
			return nil, errors.Join(err, s.Close())
		}
	}
	return s, nil
}

// Close stops every node and waits for their goroutines.
func (s *Sim) Close() error {
	var errs []error
	for _, name := range s.names {
		if n := s.nodes[name]; n != nil && n.running() {
			errs = append(errs, s.stop(n))
		}
	}
	time.Sleep(2 * time.Second) // goleveldb's pool drainer exits a second after Close
	synctest.Wait()
	return errors.Join(errs...)
}

// Nodes returns the members' names.
func (s *Sim) Nodes() []string { return slices.Clone(s.names) }

// History returns the client operations done so far.
func (s *Sim) History() *History { return &s.hist }

// Log returns every op done so far with its outcome, one per line.
func (s *Sim) Log() string { return strings.Join(s.log, "\n") }

// latency is the i-th node's: a message to it takes this long. All
// differ, so the answers to one request arrive in one order on every run.
func latency(i int) time.Duration { return time.Millisecond + time.Duration(i+1)*137*time.Microsecond }

// settle lets the cluster's background work run until every goroutine
// waits for a timer or a message.
func (s *Sim) settle(d time.Duration) {
	if d > 0 {
		time.Sleep(d)
	}
	synctest.Wait()
}

// reachable reports whether a and b can talk: both running and on the
// same side of any partition.
func (s *Sim) reachable(a, b string) bool {
	if !s.nodes[a].running() || !s.nodes[b].running() {
		return false
	}
	return a == b || s.group == nil || s.group[a] == s.group[b]
}
