package ring

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"
)

// names returns s random member names drawn from r.
func names(r *rand.Rand, s int) []string {
	out := make([]string, s)
	for i := range out {
		out[i] = fmt.Sprintf("node-%08x", r.Uint32())
	}
	return out
}

func mustNew(t testing.TB, q int, members []string) *Ring {
	t.Helper()
	r, err := New(q, members)
	if err != nil {
		t.Fatalf("New(%d, %d members): %v", q, len(members), err)
	}
	return r
}

func TestNewRejects(t *testing.T) {
	cases := []struct {
		q       int
		members []string
		want    error
	}{
		{1000, []string{"a"}, ErrBadQ},
		{DefaultQ, nil, ErrNoMembers},
		{DefaultQ, []string{"a", ""}, ErrEmptyName},
		{DefaultQ, []string{"a", "b", "a"}, ErrDuplicate},
	}
	for _, c := range cases {
		if _, err := New(c.q, c.members); err != c.want {
			t.Errorf("New(%d, %q) err = %v, want %v", c.q, c.members, err, c.want)
		}
	}
}

// Every node that sees the same member set must derive the same ring,
// whatever order gossip delivered the members in.
func TestRingIndependentOfMemberOrder(t *testing.T) {
	rnd := rand.New(rand.NewSource(7))
	for _, s := range []int{1, 2, 3, 7, 20, 64} {
		members := names(rnd, s)
		a := mustNew(t, DefaultQ, members)
		rnd.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
		b := mustNew(t, DefaultQ, members)
		if a.Version() != b.Version() {
			t.Fatalf("S=%d: versions differ", s)
		}
		for p := range DefaultQ {
			if !slices.Equal(a.Walk(p), b.Walk(p)) {
				t.Fatalf("S=%d p=%d: walks differ: %v vs %v", s, p, a.Walk(p), b.Walk(p))
			}
		}
	}
}

func TestVersionDistinguishesRings(t *testing.T) {
	seen := map[uint64]string{}
	for _, c := range []struct {
		q int
		m []string
	}{
		{1024, []string{"a", "b"}}, {2048, []string{"a", "b"}}, {1024, []string{"a", "b", "c"}},
		{1024, []string{"ab"}}, {1024, []string{"a", "b\x00"}}, {1024, []string{"a"}},
	} {
		v := mustNew(t, c.q, c.m).Version()
		key := fmt.Sprint(c.q, c.m)
		if prev, dup := seen[v]; dup {
			t.Errorf("%s and %s share version %x", prev, key, v)
		}
		seen[v] = key
	}
}

func TestAccessors(t *testing.T) {
	r := mustNew(t, 64, []string{"c", "a", "b"})
	if got := r.Members(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("Members() = %v", got)
	}
	if r.Q() != 64 || r.Len() != 3 || !r.Contains("b") || r.Contains("d") || r.Owned("d") != nil {
		t.Fatal("accessors disagree with the member set")
	}
	total := 0
	for _, m := range r.Members() {
		for _, p := range r.Owned(m) {
			if r.Owner(p) != m {
				t.Fatalf("Owned(%s) lists %d, owned by %s", m, p, r.Owner(p))
			}
			total++
		}
	}
	if total != 64 {
		t.Fatalf("owned partitions sum to %d, want 64", total)
	}
}

func TestSingleNodeAndMoreNodesThanPartitions(t *testing.T) {
	one := mustNew(t, 1, []string{"solo"})
	if one.Owner(0) != "solo" || !slices.Equal(one.Preference(0, 3), []string{"solo"}) {
		t.Fatal("single-node ring")
	}
	r := mustNew(t, 4, []string{"a", "b", "c", "d", "e", "f"})
	for p := range 4 {
		w := r.Walk(p)
		if len(w) != 6 || w[0] != r.Owner(p) {
			t.Fatalf("p=%d walk %v", p, w)
		}
	}
	for _, m := range r.Members() {
		if len(r.Owned(m)) > 1 {
			t.Fatalf("%s owns %d of 4 partitions among 6 nodes", m, len(r.Owned(m)))
		}
	}
}
