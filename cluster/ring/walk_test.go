package ring

import (
	"math"
	"math/rand"
	"slices"
	"sort"
	"testing"
	"testing/quick"
)

// refWalk is the brute-force oracle for Walk: the balanced ranks taken
// straight from assignRanks, then every other member sorted by score with a
// plain stable sort, then checked to be a permutation of the members.
func refWalk(r *Ring, ranks [][]int32, p int) []string {
	var out []string
	in := map[string]bool{}
	for _, rank := range ranks {
		out = append(out, r.members[rank[p]])
		in[r.members[rank[p]]] = true
	}
	var rest []string
	for _, m := range r.Members() {
		if !in[m] {
			rest = append(rest, m)
		}
	}
	sort.SliceStable(rest, func(i, j int) bool { return score(p, []byte(rest[i])) > score(p, []byte(rest[j])) })
	return append(out, rest...)
}

func TestPreferenceMatchesOracle(t *testing.T) {
	check := func(seed int64, sizeByte, qByte uint8) bool {
		rnd := rand.New(rand.NewSource(seed))
		q, s := 1<<(qByte%11), 1+int(sizeByte%40)
		r := mustNew(t, q, names(rnd, s))
		ranks := assignRanks(q, r.names, min(s, tableDepth))
		for p := range q {
			want := refWalk(r, ranks, p)
			got := r.Walk(p)
			sorted := slices.Sorted(slices.Values(got))
			if !slices.Equal(got, want) || !slices.Equal(sorted, r.Members()) || got[0] != r.Owner(p) {
				t.Logf("q=%d s=%d p=%d: Walk %v, oracle %v", q, s, p, got, want)
				return false
			}
			for _, n := range []int{1, 2, 3, 5, 8, 9, s, s + 2} {
				if pl := r.Preference(p, n); !slices.Equal(pl, want[:min(n, s)]) {
					t.Logf("q=%d s=%d p=%d n=%d: Preference %v, oracle %v", q, s, p, n, pl, want)
					return false
				}
			}
			if fb := r.Fallbacks(p, 3); len(fb) != max(0, s-3) || !slices.Equal(fb, want[min(3, s):][:len(fb)]) {
				return false
			}
		}
		return true
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 40}); err != nil {
		t.Fatal(err)
	}
}

// §4.3: the preference list holds N distinct physical nodes, coordinator
// (owner) first; with fewer members than N, all of them.
func TestPreferenceDistinctOwnerFirst(t *testing.T) {
	rnd := rand.New(rand.NewSource(4))
	for _, s := range []int{1, 2, 3, 5, 16} {
		r := mustNew(t, DefaultQ, names(rnd, s))
		for p := range DefaultQ {
			pl := r.Preference(p, 3)
			if len(pl) != min(3, s) || pl[0] != r.Owner(p) {
				t.Fatalf("S=%d p=%d: preference %v, owner %s", s, p, pl, r.Owner(p))
			}
			sorted := slices.Clone(pl)
			slices.Sort(sorted)
			if len(slices.Compact(sorted)) != len(pl) {
				t.Fatalf("S=%d p=%d: duplicate nodes in %v", s, p, pl)
			}
		}
	}
}

// Every node should replicate ~N*Q/S partitions (N=3), within ±15%. The
// first N ranks are exactly Preference(p, N) (TestPreferenceMatchesOracle).
func TestReplicaLoadBalanced(t *testing.T) {
	const n = 3
	rnd := rand.New(rand.NewSource(5))
	worst := 0.0
	for s := 3; s <= 64; s++ {
		bs := make([][]byte, s)
		for i, m := range names(rnd, s) {
			bs[i] = []byte(m)
		}
		load := map[int32]int{}
		for _, rank := range assignRanks(DefaultQ, bs, n) {
			for _, node := range rank {
				load[node]++
			}
		}
		mean := float64(n*DefaultQ) / float64(s)
		for node, l := range load {
			dev := math.Abs(float64(l)-mean) / mean
			if dev > 0.15 {
				t.Errorf("S=%d: node %d replicates %d partitions, mean %.1f", s, node, l, mean)
			}
			worst = max(worst, dev)
		}
	}
	t.Logf("N=3 Q=%d S=3..64: worst replica-load deviation %.1f%% of mean", DefaultQ, 100*worst)
}

func BenchmarkPreference(b *testing.B) {
	r := mustNew(b, DefaultQ, names(rand.New(rand.NewSource(1)), 16))
	key := []byte("user:1234567890")
	for b.Loop() {
		_ = r.Preference(r.KeyPartition(key), 3)
	}
}

func BenchmarkWalk(b *testing.B) {
	r := mustNew(b, DefaultQ, names(rand.New(rand.NewSource(1)), 16))
	for i := 0; b.Loop(); i++ {
		_ = r.Walk(i & (DefaultQ - 1))
	}
}
