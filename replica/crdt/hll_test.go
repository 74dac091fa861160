package crdt

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// hllOf is an HLL after adding elems one by one, the cache marked stale
// if anything changed (as PFADD does).
func hllOf(t testing.TB, elems ...string) []byte {
	t.Helper()
	b := NewHLL()
	for _, e := range elems {
		var err error
		if b, _, err = HLLAdd(b, []byte(e), HLLSparseMaxBytes); err != nil {
			t.Fatal(err)
		}
	}
	HLLInvalidate(b)
	return b
}

func count(t testing.TB, b []byte) uint64 {
	t.Helper()
	h, err := HLLHisto(b)
	if err != nil {
		t.Fatal(err)
	}
	return HLLEstimate(h)
}

// Bytes redis-server 7.0.15 holds after PFADD h a b c (GET h), and the
// sparse opcodes PFDEBUG DECODE shows after four more adds.
func TestHLLMatchesRedis(t *testing.T) {
	want := "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ"
	if got := hllOf(t, "a", "b", "c"); string(got) != want {
		t.Fatalf("PFADD h a b c = %q, want %q", got, want)
	}
	b := hllOf(t, "a", "b", "c", "", "\x00", "\xff\xfe", "a longer element of 24 b")
	if got, want := HLLDecode(b), "Z:85 v:4,1 Z:568 v:2,1 Z:5283 v:2,1 Z:2497 v:1,1 Z:403 v:2,1 Z:3870 v:2,1 Z:3068 v:1,1 Z:603"; got != want {
		t.Fatalf("DECODE = %s, want %s", got, want)
	}
	if c := count(t, b); c != 7 {
		t.Fatalf("count = %d", c)
	}
}

// Past hll-sparse-max-bytes an HLL turns dense; its count is the same as
// a dense HLL fed the same elements.
func TestHLLPromotion(t *testing.T) {
	var elems []string
	for i := range 3000 {
		elems = append(elems, fmt.Sprint("e:", i))
	}
	s := hllOf(t, elems...)
	if !HLLDense(s) || len(s) != HLLDenseSize {
		t.Fatalf("not dense after 3000 adds: %d bytes", len(s))
	}
	small := hllOf(t, elems[:100]...)
	if HLLDense(small) {
		t.Fatal("dense after 100 adds")
	}
	d, _ := HLLToDense(small)
	if count(t, d) != count(t, small) {
		t.Fatal("dense and sparse counts differ")
	}
	if msg := HLLSelfTest(42, 100_000); msg != "" {
		t.Fatal(msg)
	}
}

// randomHLL is an HLL with random registers, sparse or dense.
func randomHLL(r *rand.Rand) []byte {
	b := NewHLL()
	if r.IntN(3) == 0 {
		b, _ = HLLToDense(b)
	}
	for range r.IntN(400) {
		v := uint8(1 + r.IntN(20))
		if r.IntN(50) == 0 {
			v = uint8(1 + r.IntN(63))
		}
		b, _, _ = HLLSet(b, r.IntN(HLLRegisters), v, HLLSparseMaxBytes)
	}
	return b
}

func registers(t testing.TB, b []byte) [HLLRegisters]uint8 {
	t.Helper()
	var m [HLLRegisters]uint8
	if err := HLLMergeInto(&m, b); err != nil {
		t.Fatal(err)
	}
	return m
}

// The merge of HLL siblings is a join: commutative, associative and
// idempotent on the registers, and its bytes do not depend on the order
// of the siblings.
func TestHLLMergeLaws(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 60 {
		a, b, c := randomHLL(r), randomHLL(r), randomHLL(r)
		ab, _ := MergeHLL([][]byte{a, b})
		ba, _ := MergeHLL([][]byte{b, a})
		if !bytes.Equal(ab, ba) {
			t.Fatalf("%d: merge(a,b) != merge(b,a)", i)
		}
		abc1, _ := MergeHLL([][]byte{ab, c})
		bc, _ := MergeHLL([][]byte{b, c})
		abc2, _ := MergeHLL([][]byte{a, bc})
		abc3, _ := MergeHLL([][]byte{c, a, b})
		if registers(t, abc1) != registers(t, abc2) || registers(t, abc2) != registers(t, abc3) {
			t.Fatalf("%d: not associative", i)
		}
		aa, _ := MergeHLL([][]byte{a, a})
		if !bytes.Equal(aa, a) {
			t.Fatalf("%d: merge(a,a) != a", i)
		}
		ra, rb, rab := registers(t, a), registers(t, b), registers(t, ab)
		for j := range rab {
			if rab[j] != max(ra[j], rb[j]) {
				t.Fatalf("%d: register %d = %d, want max(%d, %d)", i, j, rab[j], ra[j], rb[j])
			}
		}
		if HLLDense(a) && !HLLDense(ab) {
			t.Fatalf("%d: merge with a dense HLL is sparse", i)
		}
	}
}

func sib(node string, counter uint64, kind version.Kind, v []byte) version.Sibling {
	return version.Sibling{Dot: version.Dot{Node: node, Counter: counter}, Kind: kind, Time: 1000 + int64(counter), Value: v}
}

// Resolve reads concurrent HLL siblings as their merge, and anything
// else as before (the winner).
func TestResolveHLLSiblings(t *testing.T) {
	a, b := hllOf(t, "x", "y"), hllOf(t, "z", "w", "v")
	both := hllOf(t, "x", "y", "z", "w", "v")
	set := version.Set{sib("n1", 1, version.KindString, a), sib("n2", 1, version.KindString, b)}
	v, ok := Resolve(set, 2000)
	if !ok || count(t, v.Bytes) != count(t, both) || registers(t, v.Bytes) != registers(t, both) {
		t.Fatalf("Resolve = %q", v.Bytes)
	}
	rev, _ := Resolve(version.Set{set[1], set[0]}, 2000)
	if !bytes.Equal(rev.Bytes, v.Bytes) {
		t.Fatal("Resolve depends on sibling order")
	}
	for name, other := range map[string]version.Sibling{
		"plain":     sib("n2", 1, version.KindString, []byte("plain")),
		"corrupted": sib("n2", 1, version.KindString, append(bytes.Clone(b[:HLLHeaderSize]), 0x7f, 0xfe)),
		"hash":      sib("n2", 1, version.KindHash, EncodeHeader(version.Context{})),
	} {
		v, _ := Resolve(version.Set{set[0], other}, 2000)
		if !bytes.Equal(v.Bytes, other.Value) {
			t.Errorf("%s: Resolve = %q, want the winner's %q", name, v.Bytes, other.Value)
		}
	}
	expired := sib("n2", 1, version.KindString, b)
	expired.Expiry = 1500
	if v, _ := Resolve(version.Set{set[0], expired}, 2000); !bytes.Equal(v.Bytes, a) {
		t.Error("an expired sibling was merged")
	}
}
