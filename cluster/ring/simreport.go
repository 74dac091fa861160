package ring

import "slices"

// StepReport is the placement after one simulation step and what the step
// moved. Every count is in partitions; a "copy" is one (partition, node)
// pair of a preference list's first N positions.
type StepReport struct {
	Step    Step // the zero Step for the initial ring
	Q, N    int  // partitions, replicas per partition
	Members int  // S after the step

	Primary Spread // partitions each member owns (position 1)
	Replica Spread // partitions each member holds in positions 1..N

	// Invariants, 0 on a correct ring: (member, position) loads outside
	// the balance bounds, and preference lists that name a node twice.
	OutOfBounds int
	Repeats     int

	PrimaryMoved int // partitions whose owner changed
	ListsChanged int // partitions where any of the N positions changed node
	// CopiesMoved is the transfer volume: copies held after the step by a
	// node that did not hold them before.
	CopiesMoved int
	// MinCopies is a lower bound on CopiesMoved for any placement within
	// the bounds: after a join, the newcomer's least balanced load; after a
	// removal, every copy the leaver held (when S stays >= N).
	MinCopies int
	Ideal     float64 // fraction of copies a step should move: 1/(S+1) for a join, 1/S for a removal (S before)
}

// Spread is how evenly a load is spread over the members.
type Spread struct {
	Mean     float64 // per member
	Min, Max int
}

// MinPct returns the least load as a percentage of the mean.
func (s Spread) MinPct() float64 { return pct(float64(s.Min), s.Mean) }

// MaxPct returns the greatest load as a percentage of the mean.
func (s Spread) MaxPct() float64 { return pct(float64(s.Max), s.Mean) }

func pct(v, of float64) float64 {
	if of == 0 {
		return 0
	}
	return 100 * v / of
}

// IdealCopies returns the copies an ideal step moves: Ideal·N·Q (for S >= N).
func (r StepReport) IdealCopies() float64 { return r.Ideal * float64(r.Q*min(r.N, r.Members)) }

// Ratio returns CopiesMoved over IdealCopies (0 for the initial ring).
func (r StepReport) Ratio() float64 { return pct(float64(r.CopiesMoved), r.IdealCopies()) / 100 }

// PrimaryRatio returns PrimaryMoved over the ideal Ideal·Q.
func (r StepReport) PrimaryRatio() float64 {
	return pct(float64(r.PrimaryMoved), r.Ideal*float64(r.Q)) / 100
}

// Bytes returns the transfer volume in bytes when every partition holds
// keysPerPartition keys of bytesPerKey bytes each.
func (r StepReport) Bytes(keysPerPartition, bytesPerKey int64) int64 {
	return int64(r.CopiesMoved) * keysPerPartition * bytesPerKey
}

// report measures balance and the invariants of pl.
func (pl *placement) report(st Step) StepReport {
	depth := len(pl.lists[0])
	r := StepReport{Step: st, Q: pl.q, N: pl.n, Members: len(pl.members)}
	r.Primary, r.Replica = spread(pl.load(1)), spread(pl.load(depth))
	lo, hi := bounds(pl.q, len(pl.members))
	for k := range depth {
		for _, l := range pl.rankLoad(k) {
			if l < lo || l > hi {
				r.OutOfBounds++
			}
		}
	}
	for p := range pl.lists {
		if sorted := slices.Sorted(slices.Values(pl.lists[p])); len(slices.Compact(sorted)) != depth {
			r.Repeats++
		}
	}
	return r
}

func spread(load []int) Spread {
	sum := 0
	for _, l := range load {
		sum += l
	}
	return Spread{Mean: float64(sum) / float64(len(load)), Min: slices.Min(load), Max: slices.Max(load)}
}

// rankLoad returns, per member, how many partitions it holds at position k.
func (pl *placement) rankLoad(k int) []int {
	l := make([]int, len(pl.members))
	for _, list := range pl.lists {
		l[list[k]]++
	}
	return l
}

// move fills the movement fields of r, the report of next = cur + st.
func (r *StepReport) move(cur, next *placement, st Step) {
	for p := range next.lists {
		before, after := cur.holders(p), next.holders(p)
		if before[0] != after[0] {
			r.PrimaryMoved++
		}
		if !slices.Equal(before, after) {
			r.ListsChanged++
		}
		for _, m := range after {
			if !slices.Contains(before, m) {
				r.CopiesMoved++
			}
		}
	}
	s := len(cur.members)
	switch st.Op {
	case Join:
		r.Ideal = 1 / float64(s+1)
		lo, _ := bounds(next.q, len(next.members))
		r.MinCopies = lo * len(next.lists[0])
	case Remove:
		r.Ideal = 1 / float64(s)
		if len(next.members) >= next.n {
			r.MinCopies = cur.held(st.Node)
		}
	}
}
