package merkle

import (
	"errors"
	"fmt"
	"slices"
	"sync"
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

// blockBits sets the lock striping: one mutex per 2^blockBits segments
// (8 KiB), so that a partition's root takes one or a few locks, and
// writers of different blocks never meet.
const blockBits = 10

// Tree is the XOR of the digests of the keys in each of 2^Bits segments of
// the hash space. The zero value is not usable; build it with New.
//
// Segments are plain words under striped mutexes rather than atomics: a
// reader copies a block under its lock, so Marshal, Reset and Root over
// many segments cost a few hundred lock operations and memory copies,
// also under the race detector (where a quarter million atomic loads
// took 80 ms per Close).
type Tree struct {
	bits int
	seg  []uint64
	mu   []sync.Mutex // mu[i>>blockBits] guards seg[i]
}

// New returns an empty tree of 2^bits segments, or ErrBadBits.
func New(bits int) (*Tree, error) {
	if bits < 0 || bits > MaxBits {
		return nil, fmt.Errorf("%w: %d", ErrBadBits, bits)
	}
	n := 1 << bits
	return &Tree{bits: bits, seg: make([]uint64, n), mu: make([]sync.Mutex, (n+1<<blockBits-1)>>blockBits)}, nil
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
		i := SegmentOf(t.bits, h)
		mu := &t.mu[i>>blockBits]
		mu.Lock()
		t.seg[i] ^= d
		mu.Unlock()
	}
}

// blocks calls fn for each run of segments [start, end) that one lock
// guards, with that lock held.
func (t *Tree) blocks(start, end int, fn func(run []uint64, at int)) {
	if start < 0 || end > len(t.seg) || start > end {
		panic(fmt.Sprintf("merkle: segments [%d, %d) out of [0, %d)", start, end, len(t.seg)))
	}
	for i := start; i < end; {
		next := min((i>>blockBits+1)<<blockBits, end)
		mu := &t.mu[i>>blockBits]
		mu.Lock()
		fn(t.seg[i:next], i)
		mu.Unlock()
		i = next
	}
}

// Root returns the XOR of segments [start, end): the XOR of the digests of
// every key in that hash range. It panics if the range is out of bounds.
func (t *Tree) Root(start, end int) uint64 {
	var r uint64
	t.blocks(start, end, func(run []uint64, _ int) {
		for _, v := range run {
			r ^= v
		}
	})
	return r
}

// Segments returns a copy of segments [start, end). It panics if the range
// is out of bounds.
func (t *Tree) Segments(start, end int) []uint64 {
	out := make([]uint64, end-start)
	t.blocks(start, end, func(run []uint64, at int) { copy(out[at-start:], run) })
	return out
}

// Reset empties the tree.
func (t *Tree) Reset() {
	t.blocks(0, len(t.seg), func(run []uint64, _ int) { clear(run) })
}

// Xor XORs every segment of o into t: t then describes the union of two
// disjoint key sets, or a base with its later changes. o must have t's
// Bits and must not be t.
func (t *Tree) Xor(o *Tree) error {
	if o.bits != t.bits {
		return fmt.Errorf("merkle: xor of a %d-bit tree into a %d-bit one", o.bits, t.bits)
	}
	for start := 0; start < len(t.seg); start += 1 << blockBits {
		add := o.Segments(start, min(start+1<<blockBits, len(t.seg)))
		t.blocks(start, start+len(add), func(run []uint64, _ int) {
			for i := range run {
				run[i] ^= add[i]
			}
		})
	}
	return nil
}

// Equal reports whether t and o have the same Bits and segments.
func (t *Tree) Equal(o *Tree) bool {
	return t.bits == o.bits && slices.Equal(t.Segments(0, t.Len()), o.Segments(0, o.Len()))
}
