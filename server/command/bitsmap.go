package command

import "math/bits"

// Pure bitmap logic of SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP. A
// string is a bitmap whose bit 0 is the most significant bit of byte 0;
// bits past the end read as 0. Nothing here touches the KV.

// bitAt is bit off of v (0 past the end).
func bitAt(v []byte, off uint64) byte {
	if off>>3 >= uint64(len(v)) {
		return 0
	}
	return v[off>>3] >> (7 - off&7) & 1
}

// withBit returns a copy of v with bit off set to on, zero-padded so that
// the bit exists; v itself is not modified.
func withBit(v []byte, off uint64, on byte) []byte {
	nv := grown(v, off>>3+1)
	mask := byte(1) << (7 - off&7)
	if on != 0 {
		nv[off>>3] |= mask
	} else {
		nv[off>>3] &^= mask
	}
	return nv
}

// grown returns a copy of v zero-padded to at least n bytes.
func grown(v []byte, n uint64) []byte {
	nv := make([]byte, max(uint64(len(v)), n))
	copy(nv, v)
	return nv
}

// span applies Redis's index rules to start and end over n units (bytes
// or bits): negative counts from the end, then both are clamped into the
// string. ok is false when the range is empty.
func span(n, start, end int64) (first, last int64, ok bool) {
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	end = min(end, n-1)
	return start, end, start <= end
}

// bitSpan is span in bits: a byte range [start, end] covers its bytes'
// bits, a bit range itself.
func bitSpan(n, start, end int64, isBit bool) (first, last int64, ok bool) {
	if !isBit {
		first, last, ok = span(n, start, end)
		return first * 8, last*8 + 7, ok
	}
	return span(n*8, start, end)
}

// popcount counts the set bits of v in the bit range [first, last], both
// within v.
func popcount(v []byte, first, last int64) int64 {
	fb, lb := first>>3, last>>3
	lead := v[fb] & (0xff >> (first & 7))
	trail := byte(0xff) << (7 - last&7)
	if fb == lb {
		return int64(bits.OnesCount8(lead & trail))
	}
	n := bits.OnesCount8(lead) + bits.OnesCount8(v[lb]&trail)
	mid := v[fb+1 : lb]
	for len(mid) >= 8 {
		n += bits.OnesCount64(uint64(mid[0]) | uint64(mid[1])<<8 | uint64(mid[2])<<16 |
			uint64(mid[3])<<24 | uint64(mid[4])<<32 | uint64(mid[5])<<40 |
			uint64(mid[6])<<48 | uint64(mid[7])<<56)
		mid = mid[8:]
	}
	for _, b := range mid {
		n += bits.OnesCount8(b)
	}
	return int64(n)
}

// bitpos is the first bit in [first, last] (within v) equal to bit, or -1.
func bitpos(v []byte, bit byte, first, last int64) int64 {
	var skip byte // a byte with no bit worth looking at
	if bit == 0 {
		skip = 0xff
	}
	for i := first; i <= last; {
		if i&7 == 0 && i+7 <= last && v[i>>3] == skip {
			i += 8
			continue
		}
		if bitAt(v, uint64(i)) == bit {
			return i
		}
		i++
	}
	return -1
}

// BITOP operations.
const (
	opAnd = iota
	opOr
	opXor
	opNot
)

// bitop combines srcs byte by byte, a missing byte counting as 0; the
// result is as long as the longest source (nil if all are empty). NOT
// takes one source.
func bitop(op int, srcs [][]byte) []byte {
	n := 0
	for _, s := range srcs {
		n = max(n, len(s))
	}
	if n == 0 {
		return nil
	}
	out := make([]byte, n)
	copy(out, srcs[0])
	if op == opNot {
		for i := range out {
			out[i] = ^out[i]
		}
		return out
	}
	for _, s := range srcs[1:] {
		for i := range out {
			var b byte
			if i < len(s) {
				b = s[i]
			}
			switch op {
			case opAnd:
				out[i] &= b
			case opOr:
				out[i] |= b
			case opXor:
				out[i] ^= b
			}
		}
	}
	return out
}
