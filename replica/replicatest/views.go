package replicatest

import (
	"slices"
	"sync"
)

// views is every node's membership view (replica.Config.Up): which nodes
// it believes up. Views lag the network on purpose: a crash or partition
// is seen only at the next gossip, so coordinators also meet nodes they
// believe up that do not answer.
type views struct {
	mu sync.Mutex
	up map[string]map[string]bool // observer -> node -> believed up
}

func newViews(names []string) *views {
	v := &views{up: map[string]map[string]bool{}}
	for _, o := range names {
		v.up[o] = map[string]bool{}
		for _, n := range names {
			v.up[o][n] = true
		}
	}
	return v
}

// fn returns observer's Up function.
func (v *views) fn(observer string) func(string) bool {
	return func(node string) bool {
		v.mu.Lock()
		defer v.mu.Unlock()
		return v.up[observer][node]
	}
}

// learn sets observer's view to reach (node -> reachable) and returns
// the nodes whose state it changed, sorted.
func (v *views) learn(observer string, reach map[string]bool) (changed []string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for n, up := range reach {
		if v.up[observer][n] != up {
			changed = append(changed, n)
		}
		v.up[observer][n] = up
	}
	slices.Sort(changed)
	return changed
}
