package command

import (
	"bytes"
	"math/rand/v2"
	"slices"

	"github.com/ringkv/ringkv/replica/version"
)

// Dead stretches. A removed member's record stays until its tombstone is
// reaped (an hour by default), and a walk steps over it like over a live
// one: LevelDB reads it and the set's rule finds it dead. Random picks
// (SPOP, SRANDMEMBER) enter the set at random points, so as pops empty a
// set every pick crosses more of them: popping a 20,000-member set to
// empty averaged 340 µs per SPOP, and the last thousand pops walked
// hundreds of tombstones each. So the walks of picks learn where the
// dead stretches lie and jump over them: a gap (from, to] says that no
// live member sorts after from and at or before to. A walk that would
// start inside a gap starts at its end instead, one that reaches a gap
// stops and starts again past it, and the stretches it crosses become
// gaps, merged with their neighbours. A pick then reads the live members
// it chooses among and the tombstones left since the last pick near
// there, not all of them.
//
// A gap holds while no member is added: set members are added only with
// a header write, so gaps are kept with the set's ends (setEnds) for one
// header state, under the rules of the header cache (listcache.go).
// Removals only widen what is dead.

// maxGaps bounds the gaps one set keeps; one that would add another
// forgets one at random (the next walk there crosses it again).
const maxGaps = 512

// gap is one dead stretch: no live member in (from, to].
type gap struct{ from, to []byte }

// gaps is a set's dead stretches, sorted by from, disjoint and not
// touching (merged).
type gaps []gap

// at returns the index of the gap whose from is the greatest below x
// (or, with orEqual, at most x); -1 if none.
func (g gaps) at(x []byte, orEqual bool) int {
	i, _ := slices.BinarySearchFunc(g, x, func(e gap, x []byte) int {
		c := bytes.Compare(e.from, x)
		if c == 0 && orEqual {
			return -1
		}
		if c == 0 {
			return 1
		}
		return c
	})
	return i - 1
}

// fwd returns where a forward walk after after may start instead: the
// end of the gap holding after (no live member between), or after.
func (g gaps) fwd(after []byte) []byte {
	if i := g.at(after, true); i >= 0 && bytes.Compare(after, g[i].to) < 0 {
		return g[i].to
	}
	return after
}

// back returns where a reverse walk before before may start instead:
// just above the start of the gap that holds every member below before
// down to it, or before.
func (g gaps) back(before []byte) []byte {
	if i := g.at(before, false); i >= 0 && bytes.Compare(before, lAbove(g[i].to)) <= 0 {
		return lAbove(g[i].from)
	}
	return before
}

// add records the dead stretch (from, to], merging it with the gaps it
// overlaps or touches. A stretch that merges with none, once g holds
// maxGaps, takes the place of one at random.
func (g *gaps) add(from, to []byte) {
	if from == nil || to == nil || bytes.Compare(from, to) >= 0 {
		return
	}
	s := *g
	lo := s.at(from, true) // may merge from the left
	if lo < 0 || bytes.Compare(s[lo].to, from) < 0 {
		lo++ // the first gap that starts after from
	}
	hi := lo // gaps [lo, hi) merge with (from, to]
	for hi < len(s) && bytes.Compare(s[hi].from, to) <= 0 {
		hi++
	}
	if lo == hi {
		if len(s) >= maxGaps { // make room: forget one at random
			i := rand.IntN(len(s))
			s = slices.Delete(s, i, i+1)
			if i < lo {
				lo--
			}
		}
		*g = slices.Insert(s, lo, gap{clone(from), clone(to)})
		return
	}
	m := gap{s[lo].from, s[hi-1].to}
	if bytes.Compare(from, m.from) < 0 {
		m.from = clone(from)
	}
	if bytes.Compare(to, m.to) > 0 {
		m.to = clone(to)
	}
	s[lo] = m
	*g = slices.Delete(s, lo+1, hi)
}

// walk visits c's live members after after (nil: from the first), in
// order, until fn returns false: it jumps over g's gaps and adds to g the
// dead stretches it crosses.
func (g *gaps) walk(c *coll, after []byte, fn func(m []byte) bool) error {
	for {
		if after != nil {
			after = g.fwd(after)
		}
		start := after // no live member in (start, the record last visited]
		var dead, next []byte
		stopped := false
		err := c.eachRecord(after, func(m []byte, live []*version.Sibling) bool {
			if len(live) == 0 { // the walk's to keep (ElementKV); add copies what it stores
				dead = m
				if j := g.fwd(dead); !bytes.Equal(j, dead) {
					g.add(start, dead)
					next = j
					return false
				}
				return true
			}
			g.add(start, dead)
			dead, start = nil, m
			if !fn(m) {
				stopped = true
				return false
			}
			if j := g.fwd(m); !bytes.Equal(j, m) {
				next = j
				return false
			}
			return true
		})
		if err != nil || stopped {
			return err
		}
		if next == nil { // the end of the set
			g.add(start, dead)
			return nil
		}
		after = next
	}
}

// walkBack is walk backwards: c's live members before before (nil: from
// the last), in descending order.
func (g *gaps) walkBack(c *coll, before []byte, fn func(m []byte) bool) error {
	// top: no live member in (the record last visited, top], nil if
	// unknown (the walk starts at the set's end or has just passed a live
	// member). After a jump to below a gap's from, top is that from.
	var top []byte
	for {
		if before != nil {
			before = g.back(before)
		}
		stopped := false
		var next []byte
		err := c.eachRecordReverse(before, func(m []byte, live []*version.Sibling) bool {
			if len(live) == 0 { // m is the walk's to keep (ElementKV)
				if top == nil {
					top = m
				}
				if j := g.back(m); !bytes.Equal(j, m) {
					// m lies in a gap whose from is below it: that gap
					// and the stretch down from top are one.
					from := (*g)[g.at(m, false)].from
					g.add(from, top)
					next, top = j, from
					return false
				}
				return true
			}
			g.add(m, top)
			top = nil
			if !fn(m) {
				stopped = true
				return false
			}
			if j := g.back(m); !bytes.Equal(j, m) {
				next, top = j, (*g)[g.at(m, false)].from
				return false
			}
			return true
		})
		if err != nil || stopped || next == nil {
			return err
		}
		before = next
	}
}
