package command

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// gapModel is a universe of members, each live or dead, and the points
// between them.
type gapModel struct {
	members [][]byte // sorted
	live    []bool
}

func newGapModel(n int) *gapModel {
	m := &gapModel{}
	for i := range n {
		m.members = append(m.members, fmt.Appendf(nil, "m%05d", i))
		m.live = append(m.live, true)
	}
	return m
}

// point is a random string among the members: a member, or one between two.
func (m *gapModel) point(r *rand.Rand) []byte {
	p := clone(m.members[r.IntN(len(m.members))])
	if r.IntN(2) == 0 {
		p = append(p, '5')
	}
	return p
}

// liveIn reports whether a live member u has lo < u <= hi (with
// inclusiveLo, lo <= u; with exclusiveHi, u < hi).
func (m *gapModel) liveIn(lo, hi []byte, inclusiveLo, exclusiveHi bool) bool {
	for i, u := range m.members {
		if !m.live[i] {
			continue
		}
		if c := bytes.Compare(u, lo); c < 0 || (c == 0 && !inclusiveLo) {
			continue
		}
		if c := bytes.Compare(u, hi); c > 0 || (c == 0 && exclusiveHi) {
			continue
		}
		return true
	}
	return false
}

// check verifies g's shape and that everything it says is true of m.
func (m *gapModel) check(t *testing.T, g gaps, r *rand.Rand) {
	t.Helper()
	for i, e := range g {
		if bytes.Compare(e.from, e.to) >= 0 {
			t.Fatalf("gap %d (%s, %s] is empty", i, e.from, e.to)
		}
		if i > 0 && bytes.Compare(g[i-1].to, e.from) >= 0 {
			t.Fatalf("gaps %d and %d overlap or touch: (%s, %s] (%s, %s]", i-1, i, g[i-1].from, g[i-1].to, e.from, e.to)
		}
		if m.liveIn(e.from, e.to, false, false) {
			t.Fatalf("gap (%s, %s] holds a live member", e.from, e.to)
		}
	}
	for range 50 {
		x := m.point(r)
		if y := g.fwd(x); bytes.Compare(y, x) < 0 || m.liveIn(x, y, false, false) {
			t.Fatalf("fwd(%s) = %s: a live member between", x, y)
		}
		if y := g.back(x); bytes.Compare(y, x) > 0 || m.liveIn(y, x, true, true) {
			t.Fatalf("back(%s) = %s: a live member between", x, y)
		}
	}
}

// TestGapsAddMergesAndStaysTrue: over random removals and random dead
// stretches learnt, the gaps stay sorted, merged and true, and fwd and
// back jump only over dead members.
func TestGapsAddMergesAndStaysTrue(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 20 {
		m := newGapModel(200)
		var g gaps
		for step := range 400 {
			if i := r.IntN(len(m.members)); step%2 == 0 {
				m.live[i] = false
			}
			// A dead stretch as a walk learns it: from a point, across
			// some of the dead members that follow it (a walk stops
			// where it has enough).
			from := m.point(r)
			var to []byte
			for i, u := range m.members {
				if bytes.Compare(u, from) <= 0 {
					continue
				}
				if m.live[i] || (to != nil && r.IntN(4) == 0) {
					break
				}
				to = u
			}
			g.add(from, to)
			m.check(t, g, r)
		}
		if round == 0 && len(g) == 0 {
			t.Fatal("no gap learnt")
		}
	}
}

// TestGapsStayBounded: a set learns at most maxGaps gaps, and those it
// keeps stay true.
func TestGapsStayBounded(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	m := newGapModel(4 * maxGaps)
	var g gaps
	for i := 1; i < len(m.members); i += 2 { // every other member dead: no two gaps touch
		m.live[i] = false
		g.add(m.members[i-1], m.members[i])
	}
	if len(g) != maxGaps {
		t.Fatalf("%d gaps, want %d", len(g), maxGaps)
	}
	m.check(t, g, r)
}
