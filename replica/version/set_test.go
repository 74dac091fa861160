package version

import (
	"fmt"
	"math/rand"
	"testing"
)

func val(s string) Sibling { return Sibling{Value: []byte(s), Time: 1} }

func values(s Set) []string {
	var out []string
	for _, sb := range s.Live(0) {
		out = append(out, string(sb.Value))
	}
	return out
}

// Dynamo §4.4: two writes made with the same context are concurrent, even
// through the same coordinator, so both are kept as siblings.
func TestSameContextMakesSiblings(t *testing.T) {
	var s Set
	s, _ = s.Put("a", Context{}, val("x"), 0)
	ctx := s.Context()
	s, _ = s.Put("a", ctx, val("y"), 0)
	s, _ = s.Put("a", ctx, val("z"), 0)
	if got := values(s); fmt.Sprint(got) != "[y z]" {
		t.Fatalf("siblings = %v, want [y z]", got)
	}
	// A write whose context covers every sibling replaces them with one.
	s, _ = s.Put("b", s.Context(), val("w"), 0)
	if got := values(s); fmt.Sprint(got) != "[w]" {
		t.Fatalf("after covering write = %v, want [w]", got)
	}
}

func TestNoContextIsConcurrent(t *testing.T) {
	var s Set
	s, _ = s.Put("a", Context{}, val("x"), 0)
	s, _ = s.Put("a", Context{}, val("y"), 0)
	if len(s) != 2 {
		t.Fatalf("want 2 siblings, got %d", len(s))
	}
}

// A replica that missed a write must not let a stale context drop it:
// replication ships the coordinator's whole set, so a later write whose
// context came from a replica that saw dot (a,2) also saw (a,1).
func TestReplicatedSetKeepsUnseenSibling(t *testing.T) {
	var coord Set
	coord, _ = coord.Put("a", Context{}, val("1"), 0)
	ctx0 := coord.Context()
	coord, _ = coord.Put("a", Context{}, val("2"), 0) // concurrent with "1"
	replica := Set(nil).Merge(coord)                  // full set travels
	if !replica.Equal(coord) {
		t.Fatalf("replica %v != coordinator %v", replica, coord)
	}
	// A client holding only ctx0 writes through another node.
	other, _ := replica.Put("b", ctx0, val("3"), 0)
	if got := values(other); fmt.Sprint(got) != "[2 3]" {
		t.Fatalf("got %v, want [2 3]", got)
	}
}

func TestTombstoneCoversAndMerges(t *testing.T) {
	var s Set
	s, _ = s.Put("a", Context{}, val("x"), 0)
	old := s
	s, _ = s.Put("a", s.Context(), Sibling{Tombstone: true, Time: 2}, 0)
	if _, ok := s.Winner(0); ok || len(s) != 1 {
		t.Fatalf("deleted set = %v", s)
	}
	if m := old.Merge(s); !m.Equal(s) {
		t.Fatalf("stale replica resurrected value: %v", m)
	}
}

// A key whose history holds no dot of the writer (all reaped) continues
// above the writer's floor, with a contiguous history; a key that still
// holds the writer's dots ignores the floor, so concurrent siblings stay.
func TestFloorKeepsCountersFresh(t *testing.T) {
	var s Set
	s, d := s.Put("a", Context{}, val("x"), 1000)
	if d.Counter != 1001 {
		t.Fatalf("counter %d, want floor+1 = 1001", d.Counter)
	}
	if c := s.Context(); len(c.Dots) != 0 || c.VV.Get("a") != 1001 {
		t.Fatalf("context %v is not one contiguous vector", c)
	}
	s, d = s.Put("a", s.Context(), val("y"), 1000)
	if d.Counter != 1002 || len(s) != 1 {
		t.Fatalf("next write: dot %v, set %v", d, s)
	}
	// A stale copy of a reaped write (a,5) cannot come back.
	stale := Set{{Dot: Dot{"a", 5}, Value: []byte("old"), Time: 1}}
	if m := s.Merge(stale); len(m) != 1 || string(m[0].Value) != "y" {
		t.Fatalf("a reaped write came back: %v", m)
	}
	// A blind write next to a live sibling of a below the floor does not
	// claim it: it stays concurrent, and the counter is still fresh.
	var t2 Set
	t2, _ = t2.Put("a", Context{}, val("p"), 0)
	t2, d = t2.Put("a", Context{}, val("q"), 1000)
	if d.Counter != 1001 || len(t2) != 2 {
		t.Fatalf("blind write next to (a,1) with floor 1000: dot %v, set %v", d, t2)
	}
	// A history that forgot some of a's dots (below the floor) never
	// reissues them: a kept (a,1..3) through another sibling's past but
	// lost (a,4), (a,5) to a reap.
	kept := Set{{Dot: Dot{"b", 1}, Tombstone: true, Past: Context{VV: VV{{"a", 3}}}}}
	_, d = kept.Put("a", kept.Context(), val("w"), 5)
	if d.Counter != 6 {
		t.Fatalf("write over a part-reaped history took %v, want (a,6)", d)
	}
}

func TestWinnerHighestTimeThenNode(t *testing.T) {
	s := Set{
		{Dot: Dot{"a", 1}, Value: []byte("a"), Time: 5},
		{Dot: Dot{"b", 1}, Value: []byte("b"), Time: 5},
		{Dot: Dot{"c", 1}, Value: []byte("c"), Time: 4},
		{Dot: Dot{"d", 1}, Tombstone: true, Time: 9},
		{Dot: Dot{"e", 1}, Value: []byte("e"), Time: 9, Expiry: 10},
	}
	w, ok := s.Winner(10)
	if !ok || string(w.Value) != "b" {
		t.Fatalf("winner %v", w)
	}
	if w, _ := s.Winner(9); string(w.Value) != "e" {
		t.Fatalf("unexpired winner %v", w)
	}
}

func TestExpireKeepsStamps(t *testing.T) {
	s := Set{{Dot: Dot{"a", 1}, Value: []byte("v"), Time: 1, Expiry: 5}}
	if _, changed := s.Expire(4); changed {
		t.Fatal("expired too early")
	}
	e, changed := s.Expire(5)
	if !changed || !e[0].Tombstone || e[0].Value != nil || e[0].Dot != s[0].Dot {
		t.Fatalf("expire = %v", e)
	}
	if s[0].Tombstone {
		t.Fatal("Expire modified its input")
	}
	// The tombstoned copy wins over the value copy of the same write.
	if m := s.Merge(e); !m.Equal(e) || !e.Merge(s).Equal(e) {
		t.Fatalf("merge with expired copy = %v", m)
	}
}

// randomHistory runs random puts on a few nodes with occasional syncs and
// returns every replica's final set.
func randomHistory(r *rand.Rand) []Set {
	nodes := []string{"a", "b", "c"}
	sets := make([]Set, len(nodes))
	for step := 0; step < 12; step++ {
		i := r.Intn(len(nodes))
		switch r.Intn(4) {
		case 0: // sync from another replica
			sets[i] = sets[i].Merge(sets[r.Intn(len(nodes))])
		case 1: // blind write
			sets[i], _ = sets[i].Put(nodes[i], Context{}, val(fmt.Sprint(step)), 0)
		case 2: // delete with full context
			sets[i], _ = sets[i].Put(nodes[i], sets[i].Context(), Sibling{Tombstone: true, Time: int64(step)}, 0)
		default: // read-modify-write, sometimes with a stale context
			ctx := sets[i].Context()
			if r.Intn(3) == 0 {
				ctx = sets[r.Intn(len(nodes))].Context()
			}
			sets[i], _ = sets[i].Put(nodes[i], ctx, val(fmt.Sprint(step)), 0)
		}
	}
	return sets
}

func TestMergeLaws(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for iter := 0; iter < 2000; iter++ {
		s := randomHistory(r)
		a, b, c := s[0], s[1], s[2]
		if !a.Merge(b).Equal(b.Merge(a)) {
			t.Fatalf("not commutative:\n%v\n%v", a, b)
		}
		if !a.Merge(b).Merge(c).Equal(a.Merge(b.Merge(c))) {
			t.Fatalf("not associative:\n%v\n%v\n%v", a, b, c)
		}
		if !a.Merge(a).Equal(a) {
			t.Fatalf("not idempotent: %v", a)
		}
		m := a.Merge(b)
		if !m.Context().Descends(a.Context()) || !m.Context().Descends(b.Context()) {
			t.Fatalf("merge lost causal history: %v", m)
		}
	}
}

// No write is dropped unless a later write's context covered it.
func TestNoWriteLostWithoutCover(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for iter := 0; iter < 2000; iter++ {
		var s Set
		var written []Dot
		var ctxs []Context
		for step := 0; step < 10; step++ {
			var ctx Context
			if len(ctxs) > 0 && r.Intn(2) == 0 {
				ctx = ctxs[r.Intn(len(ctxs))]
			}
			var d Dot
			s, d = s.Put([]string{"a", "b"}[r.Intn(2)], ctx, val(fmt.Sprint(step)), 0)
			written = append(written, d)
			ctxs = append(ctxs, s.Context(), ctx.With(d))
		}
		for _, d := range written {
			present := false
			for _, sb := range s {
				present = present || sb.Dot == d
			}
			covered := false
			for _, sb := range s {
				covered = covered || (sb.Dot != d && sb.Past.Covers(d))
			}
			if present == covered {
				t.Fatalf("dot %v present=%v covered=%v in %v", d, present, covered, s)
			}
		}
	}
}

// A blind write next to an older sibling from the same coordinator must
// hand back a context that covers the new write only: with a plain version
// vector {a:2} would also cover (a,1), which the writer never saw.
func TestBlindWriteContextCoversOnlyItself(t *testing.T) {
	var s Set
	s, _ = s.Put("a", Context{}, val("x"), 0)
	s, d := s.Put("a", Context{}, val("y"), 0)
	mine := Context{}.With(d)
	if mine.Covers(Dot{"a", 1}) || !mine.Covers(d) {
		t.Fatalf("context %+v of write %v", mine, d)
	}
	s, _ = s.Put("a", mine, val("z"), 0)
	if got := values(s); fmt.Sprint(got) != "[x z]" {
		t.Fatalf("got %v, want [x z]: the unseen sibling must survive", got)
	}
	tok, err := DecodeContext(EncodeContext(mine))
	if err != nil || !tok.Equal(mine) {
		t.Fatalf("dotted context round trip: %+v, %v", tok, err)
	}
	// The set's whole context folds the dots back into a plain vector.
	if c := s.Context(); len(c.Dots) != 0 || c.VV.Get("a") != 3 {
		t.Fatalf("set context %+v", c)
	}
}

func TestContextNormalizes(t *testing.T) {
	c := Context{}.With(Dot{"a", 3}).With(Dot{"a", 1})
	if len(c.Dots) != 1 || c.VV.Get("a") != 1 {
		t.Fatalf("%+v", c)
	}
	c = c.With(Dot{"a", 2})
	if len(c.Dots) != 0 || c.VV.Get("a") != 3 {
		t.Fatalf("fold chain: %+v", c)
	}
	if !c.Descends(Context{}.With(Dot{"a", 2})) || (Context{}).Descends(c) {
		t.Fatal("descends")
	}
}

// A write's clocks usually descend one another: joining them shares the
// one that holds the join instead of copying it, and a write stamped on
// a key reuses its context (vectors are never changed in place).
func TestJoinSharesADescendingClock(t *testing.T) {
	big := VV{{"a", 3}, {"b", 5}, {"c", 1}}
	small := VV{{"b", 2}}
	for _, c := range []struct {
		name string
		f    func() VV
	}{
		{"big.Join(small)", func() VV { return big.Join(small) }},
		{"small.Join(big)", func() VV { return small.Join(big) }},
		{"big.Join(nil)", func() VV { return big.Join(nil) }},
		{"big.With(b:4)", func() VV { return big.With(Dot{"b", 4}) }},
	} {
		var got VV
		if n := testing.AllocsPerRun(50, func() { got = c.f() }); n != 0 {
			t.Errorf("%s made %.0f allocations, want 0", c.name, n)
		}
		if !got.Equal(big) {
			t.Errorf("%s = %v, want %v", c.name, got, big)
		}
	}
	// Joins that make a new vector still do, and leave both inputs as
	// they were.
	x, y := VV{{"a", 1}, {"c", 4}}, VV{{"a", 2}, {"b", 1}}
	if got, want := x.Join(y), (VV{{"a", 2}, {"b", 1}, {"c", 4}}); !got.Equal(want) {
		t.Errorf("Join = %v, want %v", got, want)
	}
	if got, want := x.With(Dot{"b", 7}), (VV{{"a", 1}, {"b", 7}, {"c", 4}}); !got.Equal(want) {
		t.Errorf("With(b:7) = %v, want %v", got, want)
	}
	if got, want := x.With(Dot{"c", 5}), (VV{{"a", 1}, {"c", 5}}); !got.Equal(want) {
		t.Errorf("With(c:5) = %v, want %v", got, want)
	}
	if !x.Equal(VV{{"a", 1}, {"c", 4}}) || !y.Equal(VV{{"a", 2}, {"b", 1}}) {
		t.Errorf("inputs changed: %v, %v", x, y)
	}
}
