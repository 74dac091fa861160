package transport

import (
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"time"
)

// Any matches every node in SetDrop and SetDelay rules.
const Any = "*"

// MemNetwork connects in-memory transports, for tests of the layers above.
// Every message is copied, so sender and receiver share no memory, and
// faults are injected between named nodes:
//
//   - Partition, Isolate and Down make calls fail at once with
//     ErrUnreachable (as a refused connection would).
//   - SetDrop loses a request or reply with a probability, drawn from the
//     network's seeded source: the call then fails with ErrTimeout at its
//     ctx deadline (it blocks until ctx is done). A lost reply means the
//     handler ran.
//   - SetDelay delays each message of a link; a caller whose ctx ends first
//     gets ErrTimeout.
//
// A node's calls to itself are never dropped, delayed or partitioned. The
// random draws happen in call order, so a single-goroutine test sees the
// same faults on every run with the same seed. The network uses only
// timers and goroutines, so it runs under testing/synctest with fake time.
type MemNetwork struct {
	mu       sync.Mutex
	rng      *rand.Rand
	nodes    map[string]*MemTransport
	drop     map[link]float64
	delay    map[link]time.Duration
	group    map[string]int // nil: no partition
	isolated map[string]bool
	down     map[string]bool
}

type link struct{ from, to string }

// NewMemNetwork returns an empty network drawing faults from seed.
func NewMemNetwork(seed int64) *MemNetwork {
	return &MemNetwork{
		rng:      rand.New(rand.NewSource(seed)),
		nodes:    make(map[string]*MemTransport),
		drop:     make(map[link]float64),
		delay:    make(map[link]time.Duration),
		isolated: make(map[string]bool),
		down:     make(map[string]bool),
	}
}

// SetDrop makes messages from -> to get lost with probability prob (0
// removes the rule). Either name may be Any; the most specific rule wins.
func (n *MemNetwork) SetDrop(from, to string, prob float64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	setRule(n.drop, link{from, to}, prob)
}

// SetDelay delays messages from -> to by d (0 removes the rule). Either name
// may be Any; the most specific rule wins.
func (n *MemNetwork) SetDelay(from, to string, d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	setRule(n.delay, link{from, to}, d)
}

func setRule[K, V comparable](m map[K]V, k K, v V) {
	var zero V
	if v == zero {
		delete(m, k)
	} else {
		m[k] = v
	}
}

// rule returns the most specific rule for l.
func rule[V any](m map[link]V, l link) V {
	for _, k := range [...]link{l, {l.from, Any}, {Any, l.to}, {Any, Any}} {
		if v, ok := m[k]; ok {
			return v
		}
	}
	var zero V
	return zero
}

// Partition splits the network: nodes talk only within their group. Nodes
// named in no group form one more group together. It replaces any earlier
// partition.
func (n *MemNetwork) Partition(groups ...[]string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.group = make(map[string]int)
	for i, g := range groups {
		for _, name := range g {
			n.group[name] = i + 1
		}
	}
}

// Isolate cuts node off from every other node until Heal.
func (n *MemNetwork) Isolate(node string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.isolated[node] = true
}

// Heal removes partitions and isolation (not Down, drop or delay rules).
func (n *MemNetwork) Heal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.group = nil
	clear(n.isolated)
}

// Down crashes node: it neither sends nor receives until Up. Its handlers
// already running finish, but their callers get ErrUnreachable.
func (n *MemNetwork) Down(node string) { n.setDown(node, true) }

// Up restarts a node taken Down.
func (n *MemNetwork) Up(node string) { n.setDown(node, false) }

func (n *MemNetwork) setDown(node string, down bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	setRule(n.down, node, down)
}

// errDropped marks a message the network lost.
var errDropped = errors.New("transport: message dropped")

// route decides the fate of one message from -> to: the receiving node and
// the delay, or ErrUnreachable, or errDropped.
func (n *MemNetwork) route(from, to string) (*MemTransport, time.Duration, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	dst := n.nodes[to]
	switch {
	case dst == nil || n.down[to] || n.down[from]:
		return nil, 0, fmt.Errorf("%w: %s is down", ErrUnreachable, to)
	case from == to:
		return dst, 0, nil
	case n.isolated[from] || n.isolated[to] || (n.group != nil && n.group[from] != n.group[to]):
		return nil, 0, fmt.Errorf("%w: %s is partitioned from %s", ErrUnreachable, to, from)
	}
	l := link{from, to}
	if p := rule(n.drop, l); p > 0 && n.rng.Float64() < p {
		return nil, 0, errDropped
	}
	return dst, rule(n.delay, l), nil
}
