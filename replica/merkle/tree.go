package merkle

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// Tree sizes.
const (
	// DefaultBits gives 2^18 segments (2 MiB): 256 per partition at the
	// ring's default Q=1024, about 4 keys per segment at a million keys.
	DefaultBits = 18
	// MaxBits bounds a tree to 2^24 segments (128 MiB).
	MaxBits = 24
)

// Errors returned by this package.
var (
	ErrBadBits = errors.New("merkle: bits must be in [0, 24]")
	ErrCorrupt = errors.New("merkle: corrupt tree encoding")
)

// Tree is the XOR of the digests of the keys in each of 2^Bits segments of
// the hash space. The zero value is not usable; build it with New.
type Tree struct {
	bits int
	seg  []atomic.Uint64
}

// New returns an empty tree of 2^bits segments, or ErrBadBits.
func New(bits int) (*Tree, error) {
	if bits < 0 || bits > MaxBits {
		return nil, fmt.Errorf("%w: %d", ErrBadBits, bits)
	}
	return &Tree{bits: bits, seg: make([]atomic.Uint64, 1<<bits)}, nil
}

// Bits returns log2 of the number of segments.
func (t *Tree) Bits() int { return t.bits }

// Len returns the number of segments, 2^Bits.
func (t *Tree) Len() int { return len(t.seg) }

// Update moves the key whose placement hash is h from oldDigest to
// newDigest: it XORs both into h's segment, reading no other segment. Use
// 0 for "absent" on either side.
func (t *Tree) Update(h, oldDigest, newDigest uint64) {
	if d := oldDigest ^ newDigest; d != 0 {
		xor(&t.seg[SegmentOf(t.bits, h)], d)
	}
}

func xor(a *atomic.Uint64, d uint64) {
	for {
		v := a.Load()
		if a.CompareAndSwap(v, v^d) {
			return
		}
	}
}

// Root returns the XOR of segments [start, end): the XOR of the digests of
// every key in that hash range. It panics if the range is out of bounds.
func (t *Tree) Root(start, end int) uint64 {
	var r uint64
	for i := range t.seg[start:end] {
		r ^= t.seg[start+i].Load()
	}
	return r
}

// Segments returns a copy of segments [start, end). It panics if the range
// is out of bounds.
func (t *Tree) Segments(start, end int) []uint64 {
	out := make([]uint64, end-start)
	for i := range out {
		out[i] = t.seg[start+i].Load()
	}
	return out
}

// Reset empties the tree.
func (t *Tree) Reset() {
	for i := range t.seg {
		t.seg[i].Store(0)
	}
}

// Xor XORs every segment of o into t: t then describes the union of two
// disjoint key sets, or a base with its later changes. o must have t's Bits.
func (t *Tree) Xor(o *Tree) error {
	if o.bits != t.bits {
		return fmt.Errorf("merkle: xor of a %d-bit tree into a %d-bit one", o.bits, t.bits)
	}
	for i := range t.seg {
		if d := o.seg[i].Load(); d != 0 {
			xor(&t.seg[i], d)
		}
	}
	return nil
}

// Equal reports whether t and o have the same Bits and segments.
func (t *Tree) Equal(o *Tree) bool {
	if t.bits != o.bits {
		return false
	}
	for i := range t.seg {
		if t.seg[i].Load() != o.seg[i].Load() {
			return false
		}
	}
	return true
}
