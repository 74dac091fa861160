package crdt

import (
	"bytes"
	"errors"

	"github.com/ringkv/ringkv/replica/version"
)

// HyperLogLog values in Redis 7.0's own representation (hyperloglog.c),
// so that an HLL moves between ringkv and redis-server with GET/SET or
// DUMP/RESTORE and counts the same: a 16-byte header ("HYLL", encoding,
// 3 unused bytes, the cached cardinality little endian, its top bit set
// when stale) and either 16384 6-bit registers packed LSB first (dense)
// or a run-length encoding of them (sparse: ZERO 00xxxxxx, XZERO
// 01xxxxxx yyyyyyyy, VAL 1vvvvvxx). A new HLL is sparse; it becomes dense
// when a register exceeds 32 or the sparse form would outgrow
// hll-sparse-max-bytes.
//
// As a CRDT an HLL is its registers, which merge by maximum: concurrent
// PFADDs of one key leave siblings whose merge (MergeHLL) is what every
// replica reads (Resolve).

// HLL layout constants (Redis's HLL_*).
const (
	HLLRegisters      = 1 << hllP // 16384
	HLLHeaderSize     = 16
	HLLDenseSize      = HLLHeaderSize + (HLLRegisters*hllBits+7)/8
	HLLSparseMaxBytes = 3000 // hll-sparse-max-bytes default

	hllP      = 14
	hllQ      = 64 - hllP
	hllBits   = 6
	hllRegMax = 1<<hllBits - 1
	hllDense  = 0
	hllSparse = 1

	hllValMax   = 32    // a VAL opcode's largest value
	hllValLen   = 4     // a VAL opcode's longest run
	hllZeroLen  = 64    // a ZERO opcode's longest run
	hllXZeroLen = 16384 // an XZERO opcode's longest run
)

// ErrHLLInvalid is a sparse HLL whose opcodes do not cover exactly the
// 16384 registers (Redis's INVALIDOBJ).
var ErrHLLInvalid = errors.New("crdt: corrupted HLL")

// IsHLL reports whether b passes Redis's isHLLObjectOrReply: the magic,
// a known encoding, and a dense value's exact length. A sparse value's
// opcodes are checked only when read (ErrHLLInvalid).
func IsHLL(b []byte) bool {
	if len(b) < HLLHeaderSize || string(b[:4]) != "HYLL" || b[4] > hllSparse {
		return false
	}
	return b[4] != hllDense || len(b) == HLLDenseSize
}

// NewHLL is an empty HLL: sparse, one XZERO opcode, cache 0 (valid).
func NewHLL() []byte {
	b := make([]byte, HLLHeaderSize, HLLHeaderSize+2)
	copy(b, "HYLL")
	b[4] = hllSparse
	return appendXZero(b, HLLRegisters)
}

// HLLDense reports whether b (IsHLL) is dense.
func HLLDense(b []byte) bool { return b[4] == hllDense }

// HLLCached returns b's cached cardinality, ok false if it is stale.
func HLLCached(b []byte) (uint64, bool) {
	if b[15]&0x80 != 0 {
		return 0, false
	}
	var c uint64
	for i := 7; i >= 0; i-- {
		c = c<<8 | uint64(b[8+i])
	}
	return c, true
}

// HLLSetCache stores card as b's cached cardinality (Redis stores all 64
// bits: a card with the top bit set reads as stale).
func HLLSetCache(b []byte, card uint64) {
	for i := range 8 {
		b[8+i] = byte(card >> (8 * i))
	}
}

// HLLInvalidate marks b's cached cardinality stale.
func HLLInvalidate(b []byte) { b[15] |= 0x80 }

// MurmurHash64A is Redis's MurmurHash2 64-bit variant (endian neutral).
func MurmurHash64A(key []byte, seed uint64) uint64 {
	const m, r = 0xc6a4a7935bd1e995, 47
	h := seed ^ uint64(len(key))*m
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := uint64(key[i]) | uint64(key[i+1])<<8 | uint64(key[i+2])<<16 | uint64(key[i+3])<<24 |
			uint64(key[i+4])<<32 | uint64(key[i+5])<<40 | uint64(key[i+6])<<48 | uint64(key[i+7])<<56
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	if rest := key[n:]; len(rest) > 0 {
		for i := len(rest) - 1; i >= 0; i-- {
			h ^= uint64(rest[i]) << (8 * i)
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// hllPatLen is the register an element hashes to and the length of its
// 000..1 pattern (Redis's hllPatLen, seed 0xadc83b19).
func hllPatLen(ele []byte) (index int, count uint8) {
	hash := MurmurHash64A(ele, 0xadc83b19)
	index = int(hash & (HLLRegisters - 1))
	hash >>= hllP
	hash |= 1 << hllQ
	count = 1
	for bit := uint64(1); hash&bit == 0; bit <<= 1 {
		count++
	}
	return index, count
}

// denseGet and denseSet access register i of the packed dense registers
// (the byte after the last is implicit: Redis reads an sds's terminator).
func denseGet(regs []byte, i int) uint8 {
	byt, fb := i*hllBits/8, uint(i*hllBits&7)
	v := uint(regs[byt]) >> fb
	if byt+1 < len(regs) {
		v |= uint(regs[byt+1]) << (8 - fb)
	}
	return uint8(v & hllRegMax)
}

func denseSet(regs []byte, i int, val uint8) {
	byt, fb := i*hllBits/8, uint(i*hllBits&7)
	v := uint(val)
	regs[byt] &^= byte(hllRegMax << fb)
	regs[byt] |= byte(v << fb)
	if byt+1 < len(regs) {
		regs[byt+1] &^= byte(hllRegMax >> (8 - fb))
		regs[byt+1] |= byte(v >> (8 - fb))
	}
}

// HLLAdd adds ele to the HLL b (IsHLL), modifying it in place or
// returning a new slice. changed reports whether a register grew (PFADD's
// 1); the caller invalidates the cache when anything changed. sparseMax
// is hll-sparse-max-bytes.
func HLLAdd(b, ele []byte, sparseMax int) (out []byte, changed bool, err error) {
	i, c := hllPatLen(ele)
	return HLLSet(b, i, c, sparseMax)
}

// HLLSet raises register i of b to count if it is lower (hllDenseSet,
// hllSparseSet), promoting a sparse b to dense as Redis does.
func HLLSet(b []byte, i int, count uint8, sparseMax int) ([]byte, bool, error) {
	if b[4] == hllDense {
		regs := b[HLLHeaderSize:]
		if count > denseGet(regs, i) {
			denseSet(regs, i, count)
			return b, true, nil
		}
		return b, false, nil
	}
	return sparseSet(b, i, count, sparseMax)
}

// HLLToDense converts a sparse b to dense (hllSparseToDense): the header
// is kept (magic, unused bytes, cache) with the dense encoding.
func HLLToDense(b []byte) ([]byte, error) {
	if b[4] == hllDense {
		return b, nil
	}
	d := make([]byte, HLLDenseSize)
	copy(d, b[:HLLHeaderSize])
	d[4] = hllDense
	regs := d[HLLHeaderSize:]
	idx := 0
	for p := HLLHeaderSize; p < len(b); {
		op := b[p]
		switch {
		case op&0xc0 == 0: // ZERO
			idx += int(op&0x3f) + 1
			p++
		case op&0xc0 == 0x40: // XZERO
			idx += xzeroLen(b[p:])
			p += 2
		default:
			n, v := int(op&3)+1, uint8(op>>2&0x1f)+1
			if idx+n > HLLRegisters {
				return nil, ErrHLLInvalid
			}
			for ; n > 0; n-- {
				denseSet(regs, idx, v)
				idx++
			}
			p++
		}
	}
	if idx != HLLRegisters {
		return nil, ErrHLLInvalid
	}
	return d, nil
}

// HLLMergeInto raises max[i] to b's register i for every i (hllMerge).
func HLLMergeInto(max *[HLLRegisters]uint8, b []byte) error {
	if b[4] == hllDense {
		regs := b[HLLHeaderSize:]
		for i := range max {
			if v := denseGet(regs, i); v > max[i] {
				max[i] = v
			}
		}
		return nil
	}
	i := 0
	for p := HLLHeaderSize; p < len(b); {
		op := b[p]
		switch {
		case op&0xc0 == 0:
			i += int(op&0x3f) + 1
			p++
		case op&0xc0 == 0x40:
			i += xzeroLen(b[p:])
			p += 2
		default:
			n, v := int(op&3)+1, uint8(op>>2&0x1f)+1
			if i+n > HLLRegisters {
				return ErrHLLInvalid
			}
			for ; n > 0; n-- {
				max[i] = maxU8(max[i], v)
				i++
			}
			p++
		}
	}
	if i != HLLRegisters {
		return ErrHLLInvalid
	}
	return nil
}

func maxU8(a, b uint8) uint8 {
	if a > b {
		return a
	}
	return b
}

// HLLFromRegisters writes regs into b (PFMERGE's last step: a dense b
// register by register, a sparse one through sparseSet, which may promote
// it) and marks the cache stale.
func HLLFromRegisters(b []byte, regs *[HLLRegisters]uint8, sparseMax int) ([]byte, error) {
	var err error
	for i, v := range regs {
		if v == 0 {
			continue
		}
		if b, _, err = HLLSet(b, i, v, sparseMax); err != nil {
			return nil, err
		}
	}
	HLLInvalidate(b)
	return b, nil
}

// MergeHLL is the value of concurrent HLL siblings vals (each IsHLL and
// valid): PFMERGE of them into a new key, so the registers are their
// register-wise maximum, the encoding dense if any is dense (or if the
// sparse form outgrows HLLSparseMaxBytes), the cache stale. It depends
// only on the set of vals, not their order; equal vals merge to
// themselves.
func MergeHLL(vals [][]byte) ([]byte, error) {
	if len(vals) == 0 {
		return NewHLL(), nil
	}
	same := true
	var max [HLLRegisters]uint8
	dense := false
	for _, v := range vals {
		same = same && bytes.Equal(v, vals[0])
		dense = dense || HLLDense(v)
		if err := HLLMergeInto(&max, v); err != nil {
			return nil, err
		}
	}
	if same {
		return bytes.Clone(vals[0]), nil
	}
	out := NewHLL()
	if dense {
		out, _ = HLLToDense(out)
	}
	return HLLFromRegisters(out, &max, HLLSparseMaxBytes)
}

// xzeroLen is the run of the XZERO opcode at p[0]; a value cut after its
// first byte reads 0 for the second, as Redis reads the sds terminator.
func xzeroLen(p []byte) int {
	lo := 0
	if len(p) > 1 {
		lo = int(p[1])
	}
	return (int(p[0]&0x3f)<<8 | lo) + 1
}

func appendXZero(b []byte, n int) []byte {
	n--
	return append(b, byte(n>>8)|0x40, byte(n))
}

func appendZero(b []byte, n int) []byte {
	if n > hllZeroLen {
		return appendXZero(b, n)
	}
	return append(b, byte(n-1))
}

func valOp(v, n int) byte { return byte((v-1)<<2|(n-1)) | 0x80 }

// liveHLLMerge is MergeHLL of s's live siblings if there are several and
// every one is a plain string holding a valid HLL; ok false otherwise.
func liveHLLMerge(s version.Set, now int64) (b []byte, ok bool) {
	var vals [][]byte
	for i := range s {
		sb := &s[i]
		if !sb.Live(now) {
			continue
		}
		if sb.Kind != version.KindString || !IsHLL(sb.Value) {
			return nil, false
		}
		vals = append(vals, sb.Value)
	}
	if len(vals) < 2 {
		return nil, false
	}
	b, err := MergeHLL(vals)
	return b, err == nil
}
