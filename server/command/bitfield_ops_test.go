package command

import (
	"bytes"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestParseBitfield(t *testing.T) {
	const maxBulk = 512 << 20
	ops, r := parseBitfield(words("get u8 #2 overflow sat SET i5 100 -3 OVERFLOW fail incrby u63 7 9"), maxBulk)
	want := []bfOp{
		{kind: bfGet, typ: bfType{false, 8}, off: 16},
		{kind: bfSet, typ: bfType{true, 5}, off: 100, arg: -3, ov: ovSat},
		{kind: bfIncr, typ: bfType{false, 63}, off: 7, arg: 9, ov: ovFail},
	}
	if r.IsError() || len(ops) != len(want) {
		t.Fatalf("parse = %v, %v", ops, r)
	}
	for i := range want {
		if ops[i] != want[i] {
			t.Errorf("op %d = %+v, want %+v", i, ops[i], want[i])
		}
	}
	for line, want := range map[string]string{
		"get":                         errSyntax.Str,
		"get u8":                      errSyntax.Str,
		"set u8 0":                    errSyntax.Str,
		"foo":                         errSyntax.Str,
		"overflow":                    errSyntax.Str,
		"overflow foo":                errBfOverflow.Str,
		"get u64 0":                   errBfType.Str,
		"get i65 0":                   errBfType.Str,
		"get i0 0":                    errBfType.Str,
		"get u08 0":                   errBfType.Str,
		"get U8 0":                    errBfType.Str,
		"get u 0":                     errBfType.Str,
		"get u8 -1":                   errBitOffset.Str,
		"get u8 #-1":                  errBitOffset.Str,
		"get u8 #":                    errBitOffset.Str,
		"get u8 4294967296":           errBitOffset.Str,
		"get u8 #536870912":           errBitOffset.Str,
		"get u8 #9223372036854775807": errBitOffset.Str,
		"set u8 0 x":                  errNotInteger.Str,
		"get u8 0 set x8 0 1":         errBfType.Str,
	} {
		if _, r := parseBitfield(words(line), maxBulk); r.Str != want {
			t.Errorf("%q: %q, want %q", line, r.Str, want)
		}
	}
	// #n multiplies with int64 wrap-around, as Redis does: 2^58 * 64 = 0.
	if ops, r := parseBitfield(words("get i64 #288230376151711744"), maxBulk); r.IsError() || ops[0].off != 0 {
		t.Errorf("wrapped #offset: %v %v", ops, r)
	}
	if _, r := parseBitfield(words("get u8 8388607"), 1<<20); r.IsError() {
		t.Errorf("last offset under a 1 MiB limit refused: %v", r)
	}
	if _, r := parseBitfield(words("get u8 8388608"), 1<<20); !r.IsError() {
		t.Error("offset past a 1 MiB limit accepted")
	}
}

func words(s string) [][]byte {
	return bytes.Fields([]byte(s))
}

func TestBitsReadWrite(t *testing.T) {
	v := []byte{0b1010_0000, 0xff}
	for _, tc := range []struct {
		off  uint64
		n    uint
		want uint64
	}{
		{0, 3, 0b101}, {1, 3, 0b010}, {4, 8, 0x0f}, {12, 8, 0xf0}, {0, 64, 0xa0ff << 48}, {16, 5, 0},
	} {
		if got := getBits(v, tc.off, tc.n); got != tc.want {
			t.Errorf("getBits(%x, %d, %d) = %#x, want %#x", v, tc.off, tc.n, got, tc.want)
		}
	}
	w := make([]byte, 3)
	putBits(w, 4, 12, 0xabc)
	if !bytes.Equal(w, []byte{0x0a, 0xbc, 0}) {
		t.Errorf("putBits = %x", w)
	}
	putBits(w, 0, 4, 0xff) // only the low 4 bits
	if !bytes.Equal(w, []byte{0xfa, 0xbc, 0}) {
		t.Errorf("putBits high bits = %x", w)
	}
	for _, tc := range []struct {
		typ  bfType
		raw  uint64
		want int64
	}{
		{bfType{true, 8}, 0xff, -1}, {bfType{true, 8}, 0x7f, 127}, {bfType{false, 8}, 0xff, 255},
		{bfType{true, 1}, 1, -1}, {bfType{true, 64}, math.MaxUint64, -1}, {bfType{false, 63}, 1<<63 - 1, math.MaxInt64},
	} {
		if got := tc.typ.decode(tc.raw); got != tc.want {
			t.Errorf("%+v.decode(%#x) = %d, want %d", tc.typ, tc.raw, got, tc.want)
		}
	}
}

func TestBitfieldOverflowTable(t *testing.T) {
	i8, u8, i64, u63 := bfType{true, 8}, bfType{false, 8}, bfType{true, 64}, bfType{false, 63}
	for _, tc := range []struct {
		typ         bfType
		value, incr int64
		ov          overflow
		want        int64
		over        bool
	}{
		{i8, 100, 27, ovWrap, 127, false},
		{i8, 100, 28, ovWrap, -128, true},
		{i8, 100, 28, ovSat, 127, true},
		{i8, -100, -100, ovSat, -128, true},
		{i8, -100, -100, ovWrap, 56, true},
		{i8, 200, 0, ovWrap, -56, true}, // SET i8 200
		{u8, 255, 1, ovWrap, 0, true},
		{u8, 0, -1, ovSat, 0, true},
		{u8, 0, -1, ovWrap, 255, true},
		{u8, -1, 0, ovSat, 255, true}, // SET u8 -1: 2^64-1 is too big
		{u8, -1, 0, ovWrap, 255, true},
		{i64, math.MaxInt64, 1, ovSat, math.MaxInt64, true},
		{i64, math.MaxInt64, 1, ovWrap, math.MinInt64, true},
		{i64, math.MinInt64, -1, ovSat, math.MinInt64, true},
		{i64, -1, math.MinInt64, ovSat, math.MinInt64, true},
		{i64, 1, math.MinInt64, ovSat, math.MinInt64 + 1, false},
		{u63, 0, math.MinInt64, ovSat, 0, true},
		{u63, 1<<63 - 1, 1, ovWrap, 0, true},
		// Redis's wrapping arithmetic: SET i8 of a value within 127 of
		// -2^63 counts as a positive overflow.
		{i8, math.MinInt64, 0, ovSat, 127, true},
		{i8, math.MinInt64 + 127, 0, ovSat, 127, true},
		{i8, math.MinInt64 + 128, 0, ovSat, -128, true},
	} {
		got, over := tc.typ.add(tc.value, tc.incr, tc.ov)
		if got != tc.want || over != tc.over {
			t.Errorf("%+v.add(%d, %d, %d) = %d, %v; want %d, %v", tc.typ, tc.value, tc.incr, tc.ov, got, over, tc.want, tc.over)
		}
	}
}

func TestRunBitfieldGrowsOnFail(t *testing.T) {
	ops, _ := parseBitfield(words("overflow fail set u8 100 300 get u8 0"), 512<<20)
	nv, out := runBitfield(nil, ops)
	if len(nv) != 14 || !out[0].failed || out[1] != (bfResult{}) {
		t.Errorf("runBitfield = %x, %v", nv, out)
	}
	v := []byte{1}
	ops, _ = parseBitfield(words("get u8 0 get u16 4"), 512<<20)
	if nv, out := runBitfield(v, ops); &nv[0] != &v[0] || out[0].val != 1 || out[1].val != 0x1000 {
		t.Errorf("read-only run = %x, %v", nv, out)
	}
}

// naiveField is the oracle for one operation: bits one by one, arithmetic
// in big integers, and the rules of the BITFIELD documentation plus the
// one Redis quirk (a SET into a narrow signed type of a value so negative
// that max-value wraps is a positive overflow).
func naiveField(v []byte, op bfOp) ([]byte, bfResult) {
	bitsOf := naiveBits(v)
	n := int(op.typ.bits)
	raw := new(big.Int)
	for i := range n {
		raw.Lsh(raw, 1)
		raw.Or(raw, big.NewInt(int64(bitAtNaive(bitsOf, int(op.off)+i))))
	}
	mod := new(big.Int).Lsh(big.NewInt(1), uint(n))
	lo, hi := big.NewInt(0), new(big.Int).Sub(mod, big.NewInt(1))
	old := new(big.Int).Set(raw)
	if op.typ.signed {
		half := new(big.Int).Rsh(mod, 1)
		lo, hi = new(big.Int).Neg(half), new(big.Int).Sub(half, big.NewInt(1))
		if old.Cmp(hi) > 0 {
			old.Sub(old, mod)
		}
	}
	if op.kind == bfGet {
		return v, bfResult{val: old.Int64()}
	}
	sum := big.NewInt(op.arg)
	if !op.typ.signed && op.kind == bfSet && op.arg < 0 {
		sum.Add(sum, new(big.Int).Lsh(big.NewInt(1), 64))
	}
	if op.kind == bfIncr {
		sum.Add(sum, old)
	}
	res := new(big.Int).Set(sum)
	over := sum.Cmp(lo) < 0 || sum.Cmp(hi) > 0
	quirk := op.typ.signed && op.kind == bfSet && n < 64 &&
		op.arg < int64(uint64(1)<<(n-1)-1)-math.MaxInt64
	switch {
	case over && op.ov == ovFail:
		return v, bfResult{failed: true}
	case over && op.ov == ovSat && (sum.Cmp(hi) > 0 || quirk):
		res.Set(hi)
	case over && op.ov == ovSat:
		res.Set(lo)
	case over:
		res.Mod(res, mod)
		if res.Cmp(hi) > 0 {
			res.Sub(res, mod)
		}
	}
	w := new(big.Int).Mod(res, mod)
	nb := append([]byte(nil), bitsOf...)
	for len(nb) < int(op.off)+n {
		nb = append(nb, 0)
	}
	for i := range n {
		nb[int(op.off)+i] = byte(w.Bit(n - 1 - i))
	}
	out := make([]byte, (len(nb)+7)/8)
	for i, b := range nb {
		out[i/8] |= b << (7 - i%8)
	}
	reply := old
	if op.kind == bfIncr {
		reply = res
	}
	return out, bfResult{val: reply.Int64()}
}

// TestBitfieldAgainstNaive runs random operation lists through runBitfield
// and, one at a time, through naiveField.
func TestBitfieldAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	edges := []int64{0, 1, -1, 2, 127, 128, -128, -129, 255, 256, 1 << 31, 1 << 62, math.MaxInt64, math.MinInt64, math.MinInt64 + 100}
	for range 5000 {
		v := randomBitmap(r)
		v = v[:min(len(v), r.IntN(6))]
		var ops []bfOp
		for range 1 + r.IntN(4) {
			op := bfOp{kind: bfKind(r.IntN(3)), ov: overflow(r.IntN(3)), off: uint64(r.IntN(48))}
			op.typ = bfType{signed: r.IntN(2) == 0, bits: uint(1 + r.IntN(63))}
			if op.typ.signed && r.IntN(4) == 0 {
				op.typ.bits = 64
			}
			op.arg = edges[r.IntN(len(edges))] + int64(r.IntN(5)-2)
			ops = append(ops, op)
		}
		got, out := runBitfield(v, ops)
		want := bytes.Clone(v)
		var need int
		for _, op := range ops {
			if op.kind != bfGet {
				need = max(need, int((op.off+uint64(op.typ.bits)+7)/8))
			}
		}
		for len(want) < need {
			want = append(want, 0)
		}
		for i, op := range ops {
			var res bfResult
			want, res = naiveField(want, op)
			if out[i] != res {
				t.Fatalf("%x %+v: op %d = %+v, naive %+v", v, ops, i, out[i], res)
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%x %+v: value %x, naive %x", v, ops, got, want)
		}
	}
}
