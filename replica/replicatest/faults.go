package replicatest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ringkv/ringkv/cluster/transport"
)

// partition splits the network into groups; nodes named in none form one
// more group. Views learn of it at the next gossip.
func (s *Sim) partition(groups [][]string) string {
	s.group = map[string]int{}
	for i, g := range groups {
		for _, n := range g {
			if s.nodes[n] == nil {
				return "error: no node " + n
			}
			s.group[n] = i + 1
		}
	}
	s.net.Partition(groups...)
	return "ok"
}

func (s *Sim) heal() string {
	s.group = nil
	s.net.Heal()
	return "ok"
}

// crash kills a running node (kill -9): its store keeps every write, and
// takes a new actor when it restarts. With wipe, the store is lost too.
func (s *Sim) crash(name string, wipe bool) string {
	n := s.nodes[name]
	switch {
	case n == nil:
		return "error: no node " + name
	case !n.running() && !wipe:
		return "skipped: already down"
	}
	if n.running() {
		if err := s.stop(n); err != nil {
			return "error: " + err.Error()
		}
	}
	n.crashed = true
	if wipe {
		if err := n.wipe(); err != nil {
			return "error: " + err.Error()
		}
		n.crashed = false // a fresh store has a fresh actor anyway
	}
	return "ok"
}

func (s *Sim) restart(name string) string {
	n := s.nodes[name]
	switch {
	case n == nil:
		return "error: no node " + name
	case n.running():
		return "skipped: running"
	}
	if err := s.start(n, n.crashed); err != nil {
		return "error: " + err.Error()
	}
	n.crashed = false
	s.views.learn(name, s.reach(name)) // it joins and learns the membership
	return "ok"
}

// gossip brings every running node's view up to date and tells it of the
// nodes it sees come back, as a membership event would. It reports the
// changes: "n2 down@n1,n3" means n1 and n3 now see n2 down.
func (s *Sim) gossip() string {
	seen := map[string][]string{} // "n2 up" -> observers
	var keys []string
	for _, o := range s.names {
		n := s.nodes[o]
		if !n.running() {
			continue
		}
		reach := s.reach(o)
		for _, c := range s.views.learn(o, reach) {
			k := c + " down"
			if reach[c] {
				k = c + " up"
				n.c.NodeUp(c)
			}
			if seen[k] == nil {
				keys = append(keys, k)
			}
			seen[k] = append(seen[k], o)
		}
	}
	if len(keys) == 0 {
		return "ok"
	}
	slices.Sort(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "@" + strings.Join(seen[k], ",")
	}
	return "ok: " + strings.Join(out, " ")
}

// reach is what observer can reach now.
func (s *Sim) reach(observer string) map[string]bool {
	m := map[string]bool{}
	for _, n := range s.names {
		m[n] = s.reachable(observer, n)
	}
	return m
}

// down lists the nodes not running.
func (s *Sim) down() []string {
	return slices.DeleteFunc(slices.Clone(s.names), func(n string) bool { return s.nodes[n].running() })
}

// slow makes every message to name take d (0: its usual latency), or,
// for name "a>b", every message from a to b (0: as any other to b). Past
// the coordinators' timeout, calls time out while the peer may still act
// on them: writes whose outcome the caller does not know.
func (s *Sim) slow(name string, d time.Duration) string {
	if from, to, ok := strings.Cut(name, ">"); ok {
		if s.nodes[from] == nil || s.nodes[to] == nil {
			return "error: no link " + name
		}
		s.net.SetDelay(from, to, d)
		if d > 0 {
			s.slowLinks[name] = true
		} else {
			delete(s.slowLinks, name)
		}
		return "ok"
	}
	n := s.nodes[name]
	if n == nil {
		return "error: no node " + name
	}
	if d == 0 {
		d = n.latency
	}
	s.net.SetDelay(transport.Any, name, d)
	return "ok"
}

// recover ends every fault: it heals the network, gives every link its
// usual latency, restarts the nodes that are down and lets gossip tell
// everyone.
func (s *Sim) recover() string {
	s.heal()
	for _, name := range slices.Concat(s.names, sortedMapKeys(s.slowLinks)) {
		s.slow(name, 0)
	}
	for _, name := range s.down() {
		if out := s.restart(name); out != "ok" {
			return fmt.Sprintf("error: restart %s: %s", name, out)
		}
	}
	return s.gossip()
}
