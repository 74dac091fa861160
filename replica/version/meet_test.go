package version

import (
	"math/rand"
	"testing"
)

// covered lists the dots of nodes a and b up to 12 that c covers.
func covered(c Context) map[Dot]bool {
	out := map[Dot]bool{}
	for _, n := range []string{"a", "b", "c"} {
		for i := uint64(1); i <= 12; i++ {
			if d := (Dot{n, i}); c.Covers(d) {
				out[d] = true
			}
		}
	}
	return out
}

func randomContext(r *rand.Rand) Context {
	var c Context
	for range r.Intn(6) {
		c = c.With(Dot{[]string{"a", "b", "c"}[r.Intn(3)], uint64(1 + r.Intn(10))})
	}
	if r.Intn(2) == 0 {
		c = c.Join(Context{VV: VV{{"a", uint64(r.Intn(5) + 1)}}})
	}
	return c
}

// Meet covers exactly the writes both contexts cover, and stays normalised
// (so it encodes and compares like any other context).
func TestMeetIsIntersection(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for i := range 5000 {
		x, y := randomContext(r), randomContext(r)
		m := x.Meet(y)
		cx, cy, cm := covered(x), covered(y), covered(m)
		for d := range cx {
			if cy[d] != cm[d] {
				t.Fatalf("#%d: %v meet %v = %v: dot %v in both=%v, in meet=%v", i, x, y, m, d, cy[d], cm[d])
			}
		}
		for d := range cm {
			if !cx[d] {
				t.Fatalf("#%d: meet %v claims %v, which %v lacks", i, m, d, x)
			}
		}
		if !m.valid() {
			t.Fatalf("#%d: meet %v is not normalised", i, m)
		}
		if !m.Equal(y.Meet(x)) {
			t.Fatalf("#%d: meet is not commutative: %v vs %v", i, m, y.Meet(x))
		}
	}
}

// Bug 1 of the never-lose-a-write issue: a context that names a dot its
// node never issued (forged, or from before the node's history was lost)
// made the write obsolete that node's next write with that dot.
func TestForgedContextCannotObsoleteFutureWrite(t *testing.T) {
	var s Set
	s, _ = s.Put("a", Context{}, val("x"), 0)             // (a,1)
	forged := s.Context().Join(Context{VV: VV{{"a", 5}}}) // claims (a,2..5)
	s, _ = s.Put("b", forged.Meet(s.Context()), val("y"), 0)
	// a's next writes get (a,2): they must survive b's write.
	var other Set
	other, _ = other.Put("a", Context{}, val("z"), 0)
	other, _ = other.Put("a", Context{}, val("z2"), 0) // (a,2) on a replica that lost (a,1)
	merged := s.Merge(other)
	found := false
	for _, sb := range merged.Live(0) {
		found = found || string(sb.Value) == "z2"
	}
	if !found {
		t.Fatalf("write (a,2) was obsoleted by a forged context: %v", merged)
	}
}
