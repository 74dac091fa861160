package merkle

// SegmentOf returns the segment of placement hash h in a tree of 2^bits
// segments: h's top bits bits.
func SegmentOf(bits int, h uint64) int {
	if bits == 0 {
		return 0
	}
	return int(h >> (64 - bits))
}

// SegmentRange returns the hash range of segment seg, both ends inclusive
// (as cluster/ring's Space.Range: the last segment ends at MaxUint64).
func SegmentRange(bits, seg int) (lo, hi uint64) {
	if bits == 0 {
		return 0, ^uint64(0)
	}
	shift := 64 - bits
	lo = uint64(seg) << shift
	return lo, lo + (uint64(1)<<shift - 1)
}

// Span returns the segments [start, end) that exactly cover the hash range
// [lo, hi] (inclusive, as a ring partition's). ok is false when the range
// does not start and end on segment boundaries (a partition finer than a
// segment: Q > 2^bits) or lo > hi.
func Span(bits int, lo, hi uint64) (start, end int, ok bool) {
	if lo > hi {
		return 0, 0, false
	}
	start, last := SegmentOf(bits, lo), SegmentOf(bits, hi)
	slo, _ := SegmentRange(bits, start)
	_, ehi := SegmentRange(bits, last)
	if slo != lo || ehi != hi {
		return 0, 0, false
	}
	return start, last + 1, true
}
