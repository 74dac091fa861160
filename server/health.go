package server

import (
	"sync/atomic"

	"github.com/ringkv/ringkv/cluster"
)

// health is membership's view of which nodes are alive, as the
// coordinator asks it on every request (replica.Config.Up): a snapshot
// swapped on each membership change, so a lookup takes no lock.
type health struct {
	alive atomic.Pointer[map[string]bool]
}

// Up reports whether node was alive at the last membership change; every
// node is up until gossip has reported anything.
func (h *health) Up(node string) bool {
	m := h.alive.Load()
	return m == nil || (*m)[node]
}

// update takes a new member list and returns the nodes that came up.
func (h *health) update(nodes []cluster.Node) (cameUp []string) {
	next := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		next[n.Name] = n.State == cluster.Alive
	}
	prev := h.alive.Swap(&next)
	for name, up := range next {
		if up && (prev == nil || !(*prev)[name]) {
			cameUp = append(cameUp, name)
		}
	}
	return cameUp
}
