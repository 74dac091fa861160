package replicatest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ringkv/ringkv/replica/version"
)

// State is what the running nodes store at one moment.
type State struct {
	Replicas map[string][]string               // key -> its preference list
	Copies   map[string]map[string]version.Set // key -> node -> its local set, where it has one
	Hints    map[string]int64                  // node -> hints it holds
}

// State reads every running node's store for the keys the run touched.
func (s *Sim) State() State {
	st := State{Replicas: map[string][]string{}, Copies: map[string]map[string]version.Set{}, Hints: map[string]int64{}}
	for _, key := range s.sortedKeys() {
		st.Replicas[key] = slices.Clone(s.place.Replicas([]byte(key)))
		st.Copies[key] = map[string]version.Set{}
		for _, name := range s.names {
			if n := s.nodes[name]; n.running() {
				if set, err := n.db.Get([]byte(key)); err == nil && len(set) > 0 {
					st.Copies[key][name] = set
				}
			}
		}
	}
	for _, name := range s.names {
		if n := s.nodes[name]; n.running() {
			if h := n.db.HintStats().Pending; h > 0 {
				st.Hints[name] = h
			}
		}
	}
	return st
}

// Printer prints versions readably (the Sim's actor names).
type Printer interface {
	Dot(version.Dot) string
	Set(version.Set) string
}

// Diverged lists what keeps st from being converged: keys whose replicas
// hold different sets (or that a node outside the preference list holds),
// and hints still pending. A replica with no record where the others hold
// the same tombstones only is a reap in progress, not a difference.
func (st State) Diverged(p Printer) []string {
	var out []string
	for _, key := range sortedMapKeys(st.Copies) {
		list := st.Replicas[key]
		first := st.Copies[key][list[0]]
		for _, node := range list[1:] {
			if other := st.Copies[key][node]; !sameOrReaping(first, other) {
				out = append(out, fmt.Sprintf("%s differs: %s holds %s, %s holds %s", key, list[0], p.Set(first), node, p.Set(other)))
				break
			}
		}
		for node := range st.Copies[key] {
			if !slices.Contains(list, node) {
				out = append(out, fmt.Sprintf("%s is stored on %s, not one of its replicas %v", key, node, list))
			}
		}
	}
	for _, node := range sortedMapKeys(st.Hints) {
		out = append(out, fmt.Sprintf("%s holds %d hints", node, st.Hints[node]))
	}
	return out
}

// sameOrReaping reports whether two replicas' sets are equal, or one is
// gone and the other holds tombstones only.
func sameOrReaping(a, b version.Set) bool {
	switch {
	case len(a) == 0:
		return !b.HasLive()
	case len(b) == 0:
		return !a.HasLive()
	}
	return a.Equal(b)
}

func (s *Sim) diverged() []string { return s.State().Diverged(s.actors) }

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// dump prints each node's copy of key and the hints it holds for it.
func (s *Sim) dump(key string) string {
	var lines []string
	for _, name := range s.names {
		n := s.nodes[name]
		if !n.running() {
			lines = append(lines, name+": down")
			continue
		}
		set, err := n.db.Get([]byte(key))
		line := name + ": " + s.actors.Set(set)
		if err != nil {
			line = name + ": error: " + err.Error()
		}
		if h, _ := n.db.HintedSet([]byte(key)); len(h) > 0 {
			line += " hinted " + s.actors.Set(h)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// hints prints the hints pending on every running node, per target.
func (s *Sim) hints() string {
	var lines []string
	for _, name := range s.names {
		if n := s.nodes[name]; n.running() {
			st := n.db.HintStats()
			var per []string
			for _, t := range sortedMapKeys(st.Targets) {
				per = append(per, fmt.Sprintf("%s=%d", t, st.Targets[t].Pending))
			}
			if len(per) > 0 {
				lines = append(lines, name+": "+strings.Join(per, " "))
			}
		}
	}
	if len(lines) == 0 {
		return "none"
	}
	return strings.Join(lines, "\n")
}

// locate prints key's preference list and fallbacks.
func (s *Sim) locate(key string) string {
	return fmt.Sprintf("replicas %s fallbacks %s", strings.Join(s.place.Replicas([]byte(key)), ","),
		strings.Join(s.place.Fallbacks([]byte(key)), ","))
}
