package server

import (
	"sync/atomic"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
)

// placement is the current ring as the coordinator sees it; membership
// changes swap in a new ring atomically.
type placement struct {
	n   int // replicas per key
	cur atomic.Pointer[ringView]
}

type ringView struct {
	r       *ring.Ring
	members []string // r.Members(), kept to avoid a copy per call
}

var _ replica.Placement = (*placement)(nil)

func newPlacement(q, n int, members []string) (*placement, error) {
	p := &placement{n: n}
	return p, p.set(q, members)
}

// set builds the ring of members and makes it current.
func (p *placement) set(q int, members []string) error {
	r, err := ring.New(q, members)
	if err != nil {
		return err
	}
	p.cur.Store(&ringView{r: r, members: r.Members()})
	return nil
}

func (p *placement) ring() *ring.Ring { return p.cur.Load().r }

// Ring returns the current ring.
func (p *placement) Ring() *ring.Ring { return p.ring() }

// Replicas returns key's preference list.
func (p *placement) Replicas(key []byte) []string {
	r := p.ring()
	return r.Preference(r.KeyPartition(key), p.n)
}

// Fallbacks returns the nodes after key's preference list in its extended
// preference list (Dynamo §4.6).
func (p *placement) Fallbacks(key []byte) []string {
	r := p.ring()
	return r.Fallbacks(r.KeyPartition(key), p.n)
}

// Span returns the partition holding hash position h and its replicas.
func (p *placement) Span(h uint64) (lo, hi uint64, replicas []string) {
	r := p.ring()
	part := r.PartitionOf(h)
	lo, hi = r.Range(part)
	return lo, hi, r.Preference(part, p.n)
}

// Members returns the ring's members.
func (p *placement) Members() []string { return p.cur.Load().members }
