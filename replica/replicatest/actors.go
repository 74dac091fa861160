package replicatest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ringkv/ringkv/replica/version"
)

// actors names write identities readably and the same on every run:
// node n's first actor prints as "n", its k-th (after a crash, a wipe or
// a reap) as "n#k". Actor tokens themselves are random.
type actors struct {
	mu    sync.Mutex
	name  map[string]string // "node.token" -> readable
	count map[string]int    // node -> actors seen
}

func newActors() *actors { return &actors{name: map[string]string{}, count: map[string]int{}} }

// see registers node's current token.
func (a *actors) see(node, token string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.register(node, node+"."+token)
}

func (a *actors) register(node, id string) string {
	if n, ok := a.name[id]; ok {
		return n
	}
	a.count[node]++
	a.name[id] = node
	if k := a.count[node]; k > 1 {
		a.name[id] = fmt.Sprintf("%s#%d", node, k)
	}
	return a.name[id]
}

// actor names the write identity id ("node.token"), registering it if
// it is new (the harness registers a node's actor when it starts and
// after every op; a reap changes it in the background).
func (a *actors) actor(id string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	node, _, ok := strings.Cut(id, ".")
	if !ok {
		return id
	}
	return a.register(node, id)
}

// Dot prints d as actor:counter.
func (a *actors) Dot(d version.Dot) string { return fmt.Sprintf("%s:%d", a.actor(d.Node), d.Counter) }

// Sibling prints one version: dot=value, or dot=DEL for a tombstone.
func (a *actors) Sibling(sb *version.Sibling) string {
	if sb.Tombstone {
		return a.Dot(sb.Dot) + "=DEL"
	}
	return fmt.Sprintf("%s=%q", a.Dot(sb.Dot), sb.Value)
}

// Set prints a sibling set in a fixed order, {} when empty.
func (a *actors) Set(s version.Set) string {
	out := make([]string, 0, len(s))
	for _, i := range a.sorted(s) {
		out = append(out, a.Sibling(&s[i]))
	}
	return "{" + strings.Join(out, " ") + "}"
}

// sorted returns s's indexes in readable-dot order.
func (a *actors) sorted(s version.Set) []int {
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		return cmp.Or(cmp.Compare(a.actor(s[i].Dot.Node), a.actor(s[j].Dot.Node)), cmp.Compare(s[i].Dot.Counter, s[j].Dot.Counter))
	})
	return idx
}

// Context prints a causal history: actor:max per node, then single dots.
func (a *actors) Context(c version.Context) string {
	var out []string
	for _, e := range c.VV {
		out = append(out, fmt.Sprintf("%s:%d", a.actor(e.Node), e.Counter))
	}
	slices.Sort(out)
	for _, d := range c.Dots {
		out = append(out, "+"+a.Dot(d))
	}
	return "[" + strings.Join(out, " ") + "]"
}
