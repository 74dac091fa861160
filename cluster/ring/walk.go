package ring

import "slices"

// tableDepth is how many positions of each partition's preference order are
// balanced and precomputed: Preference(p, n) for n <= tableDepth is a slice
// of a table, without allocation.
const tableDepth = 8

// Walk returns every member in preference order for partition p. The first
// min(S, 8) positions are balanced ranks: position k of every partition is
// assigned like primary ownership (balanced rendezvous, never repeating a
// node), so each node holds within ±15% of Q/S partitions at every position,
// and so within ±15% of n·Q/S over the first n. The remaining members follow
// in rendezvous order for p (highest score first). The first N entries are
// the preference list (Dynamo §4.3); the rest are the fallbacks for sloppy
// quorum and hinted handoff (§4.6), in the order to try them. It allocates.
func (r *Ring) Walk(p int) []string {
	head := r.prefs[p]
	if len(head) == len(r.members) {
		return slices.Clone(head)
	}
	seen := make([]bool, len(r.members))
	for _, m := range head {
		i, _ := slices.BinarySearch(r.members, m)
		seen[i] = true
	}
	return append(slices.Clone(head), r.byScore(p, seen)...)
}

// Preference returns the first n nodes of Walk(p): n distinct nodes, the
// owner first; all members if there are fewer than n. For n <= 8 it does not
// allocate: the result is shared and must not be modified.
func (r *Ring) Preference(p, n int) []string {
	if n <= len(r.prefs[p]) {
		return r.prefs[p][:n:n]
	}
	return r.Walk(p)[:min(n, len(r.members))]
}

// Fallbacks returns the nodes after the first n of Walk(p): where to send
// writes, with a hint, when preference-list nodes are unreachable.
func (r *Ring) Fallbacks(p, n int) []string {
	w := r.Walk(p)
	if n >= len(w) {
		return nil
	}
	return w[n:]
}

func (r *Ring) prefTable(ranks [][]int32) [][]string {
	depth := len(ranks)
	flat := make([]string, r.q*depth)
	table := make([][]string, r.q)
	for p := range table {
		row := flat[p*depth : (p+1)*depth : (p+1)*depth]
		for k, rank := range ranks {
			row[k] = r.members[rank[p]]
		}
		table[p] = row
	}
	return table
}

// byScore returns the members not in seen, by descending score for p (ties:
// name order).
func (r *Ring) byScore(p int, seen []bool) []string {
	var idx []int
	for i, s := range seen {
		if !s {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		sa, sb := score(p, r.names[a]), score(p, r.names[b])
		switch {
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return 0
	})
	out := make([]string, len(idx))
	for i, m := range idx {
		out[i] = r.members[m]
	}
	return out
}
