package command

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// naiveBits spells v out as one byte (0 or 1) per bit, most significant
// first: the oracle the optimised functions are checked against.
func naiveBits(v []byte) []byte {
	out := make([]byte, 0, 8*len(v))
	for _, b := range v {
		for i := 7; i >= 0; i-- {
			out = append(out, b>>i&1)
		}
	}
	return out
}

func TestBitAtAndWithBit(t *testing.T) {
	v := []byte{0x80, 0x01}
	for off, want := range map[uint64]byte{0: 1, 1: 0, 7: 0, 15: 1, 16: 0, 1 << 40: 0} {
		if got := bitAt(v, off); got != want {
			t.Errorf("bitAt(%x, %d) = %d, want %d", v, off, got, want)
		}
	}
	tests := []struct {
		v    []byte
		off  uint64
		on   byte
		want []byte
	}{
		{nil, 0, 1, []byte{0x80}},
		{nil, 0, 0, []byte{0}},
		{nil, 9, 1, []byte{0, 0x40}},
		{[]byte{0xff}, 3, 0, []byte{0xef}},
		{[]byte{0xff}, 3, 1, []byte{0xff}},
		{[]byte("a"), 23, 1, []byte{'a', 0, 1}},
	}
	for _, tc := range tests {
		orig := bytes.Clone(tc.v)
		if got := withBit(tc.v, tc.off, tc.on); !bytes.Equal(got, tc.want) {
			t.Errorf("withBit(%x, %d, %d) = %x, want %x", tc.v, tc.off, tc.on, got, tc.want)
		}
		if !bytes.Equal(tc.v, orig) {
			t.Errorf("withBit modified its input %x", orig)
		}
	}
}

func TestSpan(t *testing.T) {
	tests := []struct {
		n, start, end, first, last int64
		ok                         bool
	}{
		{6, 0, -1, 0, 5, true},
		{6, -2, -1, 4, 5, true},
		{6, -100, 100, 0, 5, true},
		{6, 3, 1, 3, 1, false},
		{6, 10, 20, 10, 5, false},
		{6, -1, -2, 5, 4, false},
		{6, -100, -200, 0, 0, true}, // clamped: BITPOS looks at byte 0
		{0, 0, -1, 0, -1, false},
	}
	for _, tc := range tests {
		f, l, ok := span(tc.n, tc.start, tc.end)
		if f != tc.first || l != tc.last || ok != tc.ok {
			t.Errorf("span(%d, %d, %d) = %d, %d, %v; want %d, %d, %v", tc.n, tc.start, tc.end, f, l, ok, tc.first, tc.last, tc.ok)
		}
	}
	if f, l, ok := bitSpan(2, 0, -1, false); f != 0 || l != 15 || !ok {
		t.Errorf("bitSpan bytes = %d, %d, %v", f, l, ok)
	}
	if f, l, ok := bitSpan(2, 3, -2, true); f != 3 || l != 14 || !ok {
		t.Errorf("bitSpan bits = %d, %d, %v", f, l, ok)
	}
}

func TestPopcountAndBitposTable(t *testing.T) {
	foobar := []byte("foobar")
	for _, tc := range []struct{ first, last, want int64 }{
		{0, 47, 26}, {0, 7, 4}, {8, 15, 6}, {5, 30, 17}, {7, 7, 0}, {1, 1, 1}, {40, 47, 4},
	} {
		if got := popcount(foobar, tc.first, tc.last); got != tc.want {
			t.Errorf("popcount(foobar, %d, %d) = %d, want %d", tc.first, tc.last, got, tc.want)
		}
	}
	v := []byte{0xff, 0xf0, 0x00}
	for _, tc := range []struct {
		bit         byte
		first, last int64
		want        int64
	}{
		{0, 0, 23, 12}, {1, 0, 23, 0}, {1, 16, 23, -1}, {0, 0, 7, -1}, {1, 12, 23, -1}, {0, 5, 13, 12}, {1, 9, 9, 9},
	} {
		if got := bitpos(v, tc.bit, tc.first, tc.last); got != tc.want {
			t.Errorf("bitpos(%x, %d, %d, %d) = %d, want %d", v, tc.bit, tc.first, tc.last, got, tc.want)
		}
	}
}

func TestBitopTable(t *testing.T) {
	a, b := []byte("abc"), []byte{0x0f, 0xf0}
	for _, tc := range []struct {
		op   int
		srcs [][]byte
		want []byte
	}{
		{opAnd, [][]byte{a, b}, []byte{0x01, 0x60, 0}},
		{opOr, [][]byte{a, b, nil}, []byte{0x6f, 0xf2, 'c'}},
		{opXor, [][]byte{a, b}, []byte{0x6e, 0x92, 'c'}},
		{opNot, [][]byte{a}, []byte{^byte('a'), ^byte('b'), ^byte('c')}},
		{opAnd, [][]byte{nil, nil}, nil},
		{opNot, [][]byte{nil}, nil},
	} {
		if got := bitop(tc.op, tc.srcs); !bytes.Equal(got, tc.want) {
			t.Errorf("bitop(%d, %x) = %x, want %x", tc.op, tc.srcs, got, tc.want)
		}
	}
	if bitop(opAnd, [][]byte{a, b}); !bytes.Equal(a, []byte("abc")) {
		t.Error("bitop modified its first source")
	}
}

// randomBitmap is a short string biased toward 0x00 and 0xff bytes, so
// the fast paths that skip whole bytes are exercised.
func randomBitmap(r *rand.Rand) []byte {
	v := make([]byte, r.IntN(40))
	for i := range v {
		v[i] = []byte{0, 0xff, byte(r.IntN(256))}[r.IntN(3)]
	}
	return v
}

// TestBitsAgainstNaive checks popcount, bitpos and bitop against one bit
// at a time over random strings and ranges.
func TestBitsAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		v := randomBitmap(r)
		bitsOf := naiveBits(v)
		if len(v) > 0 {
			first := r.Int64N(int64(len(bitsOf)))
			last := first + r.Int64N(int64(len(bitsOf))-first)
			var count int64
			pos := [2]int64{-1, -1}
			for i := first; i <= last; i++ {
				count += int64(bitsOf[i])
				if pos[bitsOf[i]] < 0 {
					pos[bitsOf[i]] = i
				}
			}
			if got := popcount(v, first, last); got != count {
				t.Fatalf("popcount(%x, %d, %d) = %d, naive %d", v, first, last, got, count)
			}
			for bit := range byte(2) {
				if got := bitpos(v, bit, first, last); got != pos[bit] {
					t.Fatalf("bitpos(%x, %d, %d, %d) = %d, naive %d", v, bit, first, last, got, pos[bit])
				}
			}
		}
		w := randomBitmap(r)
		op := r.IntN(3)
		got, n := naiveBits(bitop(op, [][]byte{v, w})), max(len(v), len(w))
		wb := naiveBits(w)
		for i := range 8 * n {
			x, y := bitAtNaive(bitsOf, i), bitAtNaive(wb, i)
			want := [3]byte{x & y, x | y, x ^ y}[op]
			if got[i] != want {
				t.Fatalf("bitop(%d, %x, %x) bit %d = %d, naive %d", op, v, w, i, got[i], want)
			}
		}
	}
}

func bitAtNaive(bitsOf []byte, i int) byte {
	if i < len(bitsOf) {
		return bitsOf[i]
	}
	return 0
}
