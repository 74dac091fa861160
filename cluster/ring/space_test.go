package ring

import (
	"math"
	"math/rand"
	"testing"
)

func TestNewSpaceRejectsBadQ(t *testing.T) {
	for _, q := range []int{0, -1, 3, 1000, MaxQ * 2} {
		if _, err := NewSpace(q); err != ErrBadQ {
			t.Errorf("NewSpace(%d) err = %v, want ErrBadQ", q, err)
		}
	}
}

// §6.2 strategy 3: Q equal partitions tiling the whole hash space.
func TestRangesTileHashSpace(t *testing.T) {
	for _, q := range []int{1, 2, 1024, MaxQ} {
		s, err := NewSpace(q)
		if err != nil {
			t.Fatal(err)
		}
		var next uint64
		for p := 0; p < q; p++ {
			lo, hi := s.Range(p)
			if lo != next || hi < lo {
				t.Fatalf("q=%d p=%d range [%x,%x], want lo %x", q, p, lo, hi, next)
			}
			if s.PartitionOf(lo) != p || s.PartitionOf(hi) != p {
				t.Fatalf("q=%d p=%d: ends map to %d, %d", q, p, s.PartitionOf(lo), s.PartitionOf(hi))
			}
			next = hi + 1
		}
		if _, hi := s.Range(q - 1); hi != math.MaxUint64 {
			t.Fatalf("q=%d: last partition ends at %x", q, hi)
		}
	}
}

func TestPartitionOfMatchesRange(t *testing.T) {
	s, _ := NewSpace(DefaultQ)
	r := rand.New(rand.NewSource(1))
	for range 10000 {
		h := r.Uint64()
		lo, hi := s.Range(s.PartitionOf(h))
		if h < lo || h > hi {
			t.Fatalf("hash %x outside its partition [%x,%x]", h, lo, hi)
		}
	}
	if s.KeyPartition([]byte("foo")) != s.PartitionOf(Hash([]byte("foo"))) {
		t.Fatal("KeyPartition disagrees with PartitionOf(Hash)")
	}
}

func BenchmarkPartitionOf(b *testing.B) {
	s, _ := NewSpace(DefaultQ)
	key := []byte("user:1234567890")
	sum := 0
	for b.Loop() {
		sum += s.KeyPartition(key)
	}
	_ = sum
}
