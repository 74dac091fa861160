package replicatest

import (
	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica"
)

// placement is the real ring's placement, as server's: a key's preference
// list is the first N nodes of its partition's walk, the rest are its
// fallbacks. Membership never changes in a Sim (crashed nodes stay
// members, as Serf keeps a failed node in the ring).
type placement struct {
	r *ring.Ring
	n int
}

var _ replica.Placement = placement{}

func newPlacement(q, n int, members []string) (placement, error) {
	r, err := ring.New(q, members)
	return placement{r: r, n: n}, err
}

func (p placement) Replicas(key []byte) []string {
	return p.r.Preference(p.r.KeyPartition(key), p.n)
}

func (p placement) Fallbacks(key []byte) []string {
	return p.r.Fallbacks(p.r.KeyPartition(key), p.n)
}

func (p placement) Span(h uint64) (lo, hi uint64, replicas []string) {
	part := p.r.PartitionOf(h)
	lo, hi = p.r.Range(part)
	return lo, hi, p.r.Preference(part, p.n)
}

func (p placement) Members() []string { return p.r.Members() }

func (p placement) Ring() *ring.Ring { return p.r }
