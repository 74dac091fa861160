package merkle

import (
	"encoding/binary"
	"sync"

	"github.com/spaolacci/murmur3"
)

// hashers keeps murmur3 states for Digest: every write digests its
// record, and a new state per call was 3% of a SET's allocated bytes.
var hashers = sync.Pool{New: func() any { return &hasher{h: murmur3.New128()} }}

// hasher is a pooled murmur3 state and the scratch for the key's length
// (a local array would escape through the interface call).
type hasher struct {
	h murmur3.Hash128
	n [binary.MaxVarintLen64]byte
}

// Digest is a key's contribution to its segment: murmur3's 128-bit hash of
// the key (length-prefixed) and its set's canonical encoding, folded to 64
// bits. Every node computes the same digest for the same (key, set), so
// the encoding must be canonical: equal sets encode to equal bytes. An
// absent key (or an empty set, which is not stored) contributes 0; call
// Digest only for a stored set.
func Digest(key, encodedSet []byte) uint64 {
	x := hashers.Get().(*hasher)
	x.h.Reset()
	x.h.Write(x.n[:binary.PutUvarint(x.n[:], uint64(len(key)))])
	x.h.Write(key)
	x.h.Write(encodedSet)
	h1, h2 := x.h.Sum128()
	hashers.Put(x)
	return h1 ^ h2
}
