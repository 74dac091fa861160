package ring

import (
	"bytes"
	"errors"
	"math/bits"

	"github.com/spaolacci/murmur3"
)

// Partition-count limits.
const (
	// DefaultQ is the default number of partitions.
	DefaultQ = 1024
	// MaxQ is the largest supported number of partitions.
	MaxQ = 1 << 16
)

// Errors returned by this package.
var (
	ErrBadQ      = errors.New("ring: partition count must be a power of two in [1, 65536]")
	ErrNoMembers = errors.New("ring: no members")
	ErrEmptyName = errors.New("ring: empty member name")
	ErrDuplicate = errors.New("ring: duplicate member name")
)

// Hash is the placement hash of a key: murmur3 Sum64 (seed 0) of its Tag.
// Storage orders keys by this same value, so that a partition is a
// contiguous range. An internal key (keys.go) hashes as the user key it
// belongs to: an escaped key as itself, a collection's element record as
// its collection, so a collection is one partition and one hash.
func Hash(key []byte) uint64 {
	for len(key) > 1 && key[0] == internalMark { // each step shortens key
		user, ok := Owner(key)
		if !ok {
			break
		}
		key = user
	}
	return murmur3.Sum64(Tag(key))
}

// Tag is the part of key that places it, as in Redis Cluster: the text
// between the first '{' and the first '}' after it, if that is not empty;
// otherwise the whole key. {user1}:cart and {user1}:orders share a tag, so
// they share a partition and can be used together by a transaction, a
// script or a multi-key command.
func Tag(key []byte) []byte {
	if i := bytes.IndexByte(key, '{'); i >= 0 {
		if j := bytes.IndexByte(key[i+1:], '}'); j > 0 {
			return key[i+1 : i+1+j]
		}
	}
	return key
}

// Space is the partitioned hash space for a given Q. The zero value is not
// usable; build it with NewSpace.
type Space struct {
	q     int
	shift uint // 64 - log2(q); 64 when q == 1
}

// NewSpace returns the hash space cut into q partitions, or ErrBadQ.
func NewSpace(q int) (Space, error) {
	if q < 1 || q > MaxQ || q&(q-1) != 0 {
		return Space{}, ErrBadQ
	}
	return Space{q: q, shift: uint(64 - bits.TrailingZeros(uint(q)))}, nil
}

// Q returns the number of partitions.
func (s Space) Q() int { return s.q }

// PartitionOf returns the partition that holds hash h: its top log2(Q) bits.
func (s Space) PartitionOf(h uint64) int { return int(h >> s.shift) } // shift 64 yields 0

// KeyPartition returns the partition of key, i.e. PartitionOf(Hash(key)).
func (s Space) KeyPartition(key []byte) int { return s.PartitionOf(Hash(key)) }

// Range returns the hash range of partition p, both ends INCLUSIVE:
// lo = p<<shift and hi = lo + 2^shift - 1. The last partition ends at
// math.MaxUint64, so an exclusive end would overflow. p must be in [0, Q).
func (s Space) Range(p int) (lo, hi uint64) {
	lo = uint64(p) << s.shift
	width := uint64(1) << s.shift // 0 when shift == 64, so hi wraps to MaxUint64
	return lo, lo + width - 1
}
