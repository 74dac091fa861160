package merkle

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// model is the naive oracle: the stored value of every key.
type model map[string][]byte

func hashOf(key string) uint64 {
	// Any fixed spread works for the tree; use the digest of the key alone.
	return Digest([]byte(key), nil)
}

func digestOf(key string, v []byte) uint64 {
	if v == nil {
		return 0
	}
	return Digest([]byte(key), v)
}

// rebuild is a tree made from scratch from m.
func rebuild(t *testing.T, bits int, m model) *Tree {
	t.Helper()
	tr := mustNew(t, bits)
	for k, v := range m {
		tr.Update(hashOf(k), 0, digestOf(k, v))
	}
	return tr
}

func mustNew(t testing.TB, bits int) *Tree {
	t.Helper()
	tr, err := New(bits)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// write applies one random put or delete to m and tr, as the engine does.
func write(r *rand.Rand, m model, tr *Tree, keys int) {
	k := "k" + strconv.Itoa(r.IntN(keys))
	old := m[k]
	var v []byte
	if r.IntN(4) != 0 {
		v = []byte("v" + strconv.Itoa(r.IntN(1000)))
		m[k] = v
	} else {
		delete(m, k)
	}
	tr.Update(hashOf(k), digestOf(k, old), digestOf(k, v))
}

func TestIncrementalEqualsRebuild(t *testing.T) {
	for _, bits := range []int{0, 1, 4, 10, DefaultBits} {
		r := rand.New(rand.NewPCG(uint64(bits), 7))
		m, tr := model{}, mustNew(t, bits)
		for range 5000 {
			write(r, m, tr, 300)
		}
		if !tr.Equal(rebuild(t, bits, m)) {
			t.Fatalf("bits=%d: incrementally updated tree differs from one rebuilt from scratch", bits)
		}
	}
}

func TestUpdateOrderDoesNotMatter(t *testing.T) {
	type up struct{ h, old, new uint64 }
	r := rand.New(rand.NewPCG(1, 2))
	m, seq := model{}, mustNew(t, 8)
	var ups []up
	for range 2000 {
		k := "k" + strconv.Itoa(r.IntN(100))
		old := digestOf(k, m[k])
		m[k] = []byte(strconv.Itoa(r.IntN(50)))
		ups = append(ups, up{hashOf(k), old, digestOf(k, m[k])})
		seq.Update(ups[len(ups)-1].h, old, ups[len(ups)-1].new)
	}
	for trial := range 5 {
		r.Shuffle(len(ups), func(i, j int) { ups[i], ups[j] = ups[j], ups[i] })
		par := mustNew(t, 8)
		var wg sync.WaitGroup
		for w := range 4 { // concurrent writers, so -race checks the locking
			wg.Go(func() {
				for i := w; i < len(ups); i += 4 {
					par.Update(ups[i].h, ups[i].old, ups[i].new)
				}
			})
		}
		wg.Wait()
		if !par.Equal(seq) {
			t.Fatalf("trial %d: shuffled concurrent updates give a different tree", trial)
		}
	}
}

func TestDiffFindsExactlyTheChangedSegments(t *testing.T) {
	const bits = 10
	r := rand.New(rand.NewPCG(3, 4))
	m, a := model{}, mustNew(t, bits)
	for range 3000 {
		write(r, m, a, 2000)
	}
	b := rebuild(t, bits, m)
	want := map[int]bool{}
	for range 20 {
		k := "k" + strconv.Itoa(r.IntN(2000))
		old := m[k]
		m[k] = append(slices.Clone(old), 'x')
		b.Update(hashOf(k), digestOf(k, old), digestOf(k, m[k]))
		want[SegmentOf(bits, hashOf(k))] = true
	}
	got := Diff(a.Segments(0, a.Len()), b.Segments(0, b.Len()))
	if len(got) != len(want) {
		t.Fatalf("Diff found %d segments %v, want %d", len(got), got, len(want))
	}
	for _, i := range got {
		if !want[i] {
			t.Fatalf("Diff reports segment %d, which no write touched", i)
		}
	}
	if !slices.IsSorted(got) {
		t.Fatalf("Diff not in increasing order: %v", got)
	}
	if d := Diff(a.Segments(0, 4), a.Segments(0, 6)); !slices.Equal(d, []int{4, 5}) {
		t.Fatalf("Diff of runs of different lengths = %v, want [4 5]", d)
	}
}

func TestRootIsXorOfSegmentsAndIndependentOfBits(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	m := model{}
	for range 1000 {
		k := "k" + strconv.Itoa(r.IntN(5000))
		m[k] = []byte(k)
	}
	fine, coarse := rebuild(t, 12, m), rebuild(t, 6, m)
	for _, q := range []int{1, 2, 16, 64} { // partitions, as cluster/ring cuts them
		for p := range q {
			lo, hi := partitionRange(q, p)
			fs, fe, ok1 := Span(12, lo, hi)
			cs, ce, ok2 := Span(6, lo, hi)
			if !ok1 || !ok2 {
				t.Fatalf("q=%d p=%d: partition not segment-aligned", q, p)
			}
			var x uint64
			for _, s := range fine.Segments(fs, fe) {
				x ^= s
			}
			if x != fine.Root(fs, fe) || fine.Root(fs, fe) != coarse.Root(cs, ce) {
				t.Fatalf("q=%d p=%d: roots disagree", q, p)
			}
		}
	}
}

// partitionRange is cluster/ring's Space.Range, restated.
func partitionRange(q, p int) (lo, hi uint64) {
	if q == 1 {
		return 0, ^uint64(0)
	}
	shift := 64 - uint(bitsOf(q))
	lo = uint64(p) << shift
	return lo, lo + (uint64(1)<<shift - 1)
}

func bitsOf(q int) int {
	n := 0
	for 1<<n < q {
		n++
	}
	return n
}

func TestSpanAgainstBruteForce(t *testing.T) {
	for _, bits := range []int{0, 1, 3, 8} {
		for _, q := range []int{1, 2, 4, 8, 16, 512} {
			for p := range q {
				lo, hi := partitionRange(q, p)
				s, e, ok := Span(bits, lo, hi)
				if q > 1<<bits {
					if ok {
						t.Fatalf("bits=%d q=%d p=%d: Span ok for a partition finer than a segment", bits, q, p)
					}
					continue
				}
				// Brute force: the segments whose range lies inside [lo, hi].
				var want []int
				for seg := range 1 << bits {
					sl, sh := SegmentRange(bits, seg)
					if sl >= lo && sh <= hi {
						want = append(want, seg)
					}
				}
				if !ok || s != want[0] || e != want[len(want)-1]+1 {
					t.Fatalf("bits=%d q=%d p=%d: Span = [%d,%d) %v, want %v", bits, q, p, s, e, ok, want)
				}
			}
		}
	}
	if _, _, ok := Span(8, 1, ^uint64(0)); ok {
		t.Fatal("Span accepted a range that starts inside a segment")
	}
	if _, _, ok := Span(8, 5, 4); ok {
		t.Fatal("Span accepted lo > hi")
	}
}

func TestNewRejectsBadBits(t *testing.T) {
	for _, b := range []int{-1, MaxBits + 1} {
		if _, err := New(b); !errors.Is(err, ErrBadBits) {
			t.Fatalf("New(%d) = %v, want ErrBadBits", b, err)
		}
	}
	a, b := mustNew(t, 4), mustNew(t, 5)
	if err := a.Xor(b); err == nil {
		t.Fatal("Xor of trees of different Bits succeeded")
	}
}

func TestXorAddsChanges(t *testing.T) {
	// A base tree plus a tree of later deltas is the tree of the end state:
	// what the engine does when it rebuilds from a snapshot while writes go on.
	r := rand.New(rand.NewPCG(9, 9))
	m, base := model{}, mustNew(t, 6)
	for range 500 {
		write(r, m, base, 200)
	}
	deltas := mustNew(t, 6)
	for range 500 {
		write(r, m, deltas, 200)
	}
	if err := base.Xor(deltas); err != nil {
		t.Fatal(err)
	}
	if !base.Equal(rebuild(t, 6, m)) {
		t.Fatal("base ^ deltas != tree of the end state")
	}
	base.Reset()
	if !base.Equal(mustNew(t, 6)) {
		t.Fatal("Reset left segments set")
	}
}

func TestDiffKeys(t *testing.T) {
	a := []KeyDigest{{[]byte("same"), 1}, {[]byte("changed"), 2}, {[]byte("onlyA"), 3}}
	b := []KeyDigest{{[]byte("onlyB"), 4}, {[]byte("changed"), 5}, {[]byte("same"), 1}}
	got := DiffKeys(a, b)
	want := []string{"changed", "onlyA", "onlyB"}
	if len(got) != len(want) {
		t.Fatalf("DiffKeys = %q, want %q", got, want)
	}
	for i := range got {
		if string(got[i]) != want[i] {
			t.Fatalf("DiffKeys = %q, want %q", got, want)
		}
	}
	if d := DiffKeys(a, a); len(d) != 0 {
		t.Fatalf("DiffKeys of equal lists = %q", d)
	}
}

func TestRangesAcrossLockBlocks(t *testing.T) {
	// 4096 segments, 4 lock blocks: arbitrary runs against a naive copy.
	tr := mustNew(t, 12)
	naive := make([]uint64, tr.Len())
	r := rand.New(rand.NewPCG(11, 11))
	for range 20000 {
		h, d := r.Uint64(), r.Uint64()
		tr.Update(h, 0, d)
		naive[SegmentOf(12, h)] ^= d
	}
	for range 200 {
		start := r.IntN(tr.Len() + 1)
		end := start + r.IntN(tr.Len()-start+1)
		var x uint64
		for _, v := range naive[start:end] {
			x ^= v
		}
		if got := tr.Segments(start, end); !slices.Equal(got, naive[start:end]) || tr.Root(start, end) != x {
			t.Fatalf("[%d, %d): segments or root differ from the naive copy", start, end)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Root past the end did not panic")
		}
	}()
	tr.Root(0, tr.Len()+1)
}
