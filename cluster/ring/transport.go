package ring

import "math"

const inf = math.MaxInt64

// transport is the working state of the balancing repair in assign: a
// min-cost flow over a graph whose vertices are the nodes. Edge a->b means
// "move one partition from a to b"; its cost is the least score lost doing
// so, cost[a][b] = min over p owned by a of score(p,a)-score(p,b), and
// arg[a][b] is that partition (-1: a owns nothing).
type transport struct {
	q      int
	s      int // number of nodes
	scores scoreTable
	own    []int32 // partition -> node index
	load   []int   // node index -> partitions owned
	// earlier ranks of each partition: those nodes may not receive it
	earlier [][]int32
	cost    [][]int64
	arg     [][]int32
	// shortest-path scratch
	dist  []int64
	prev  []int
	queue []int
	inQ   []bool
	relax []int
}

func (t *transport) init() {
	s := t.s
	t.cost, t.arg = make([][]int64, s), make([][]int32, s)
	for a := range s {
		t.cost[a], t.arg[a] = make([]int64, s), make([]int32, s)
		t.row(a)
	}
	t.dist, t.prev = make([]int64, s), make([]int, s)
	t.inQ, t.relax = make([]bool, s), make([]int, s)
}

// row recomputes the outgoing edges of node a after its partitions changed.
func (t *transport) row(a int) {
	cost, arg := t.cost[a], t.arg[a]
	for b := range cost {
		cost[b], arg[b] = inf, -1
	}
	for p := range t.q {
		if int(t.own[p]) != a {
			continue
		}
		mine := t.scores.at(p, a)
		for b := range cost {
			if c := mine - t.scores.at(p, b); b != a && c < cost[b] && !t.taken(p, b) {
				cost[b], arg[b] = c, int32(p)
			}
		}
	}
}

// augment moves one unit of load from some source to the reachable sink
// nearest in cost (ties: lowest index), along a shortest path. It reports
// false when there is no source or no sink.
func (t *transport) augment(src, sink func(int) bool) bool {
	if !t.shortestPaths(src) {
		return false
	}
	end := -1
	for b := range t.dist {
		if sink(b) && t.dist[b] != inf && (end < 0 || t.dist[b] < t.dist[end]) {
			end = b
		}
	}
	if end < 0 {
		return false
	}
	path := t.path(end)
	for i := len(path) - 1; i > 0; i-- {
		from, to := path[i], path[i-1]
		t.own[t.arg[from][to]] = int32(to)
	}
	t.load[path[len(path)-1]]--
	t.load[end]++
	for _, a := range path {
		t.row(a)
	}
	return true
}

// path returns the nodes from end back to its source. If the predecessor
// chain is broken (it cannot be on a min-cost flow, which has no negative
// cycles) it falls back to a direct edge from the first source found.
func (t *transport) path(end int) []int {
	path := []int{end}
	for b := t.prev[end]; b >= 0; b = t.prev[b] {
		if len(path) > t.s {
			return []int{end, t.anySource()}
		}
		path = append(path, b)
	}
	return path
}

func (t *transport) anySource() int {
	for a, d := range t.dist {
		if d == 0 && t.prev[a] < 0 {
			return a
		}
	}
	return 0
}

// shortestPaths runs Bellman-Ford with a FIFO queue (SPFA) from all sources
// at distance 0; edges may be negative. It reports false if no source.
func (t *transport) shortestPaths(src func(int) bool) bool {
	t.queue = t.queue[:0]
	for i := range t.dist {
		t.dist[i], t.prev[i], t.inQ[i], t.relax[i] = inf, -1, false, 0
		if src(i) {
			t.dist[i], t.inQ[i] = 0, true
			t.queue = append(t.queue, i)
		}
	}
	if len(t.queue) == 0 {
		return false
	}
	for head := 0; head < len(t.queue); head++ {
		a := t.queue[head]
		t.inQ[a] = false
		for b, c := range t.cost[a] {
			if c == inf || t.dist[a]+c >= t.dist[b] {
				continue
			}
			t.dist[b], t.prev[b] = t.dist[a]+c, a
			if t.relax[b]++; t.relax[b] > t.s {
				return true // negative cycle guard; path() copes
			}
			if !t.inQ[b] {
				t.inQ[b] = true
				t.queue = append(t.queue, b)
			}
		}
	}
	return true
}
