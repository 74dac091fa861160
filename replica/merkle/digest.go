package merkle

import (
	"encoding/binary"

	"github.com/spaolacci/murmur3"
)

// Digest is a key's contribution to its segment: murmur3's 128-bit hash of
// the key (length-prefixed) and its set's canonical encoding, folded to 64
// bits. Every node computes the same digest for the same (key, set), so
// the encoding must be canonical: equal sets encode to equal bytes. An
// absent key (or an empty set, which is not stored) contributes 0; call
// Digest only for a stored set.
func Digest(key, encodedSet []byte) uint64 {
	// Streaming costs two small allocations; hashing one concatenated
	// buffer costs one (murmur3 lets the buffer escape), not worth a
	// second code path next to a LevelDB write.
	h := murmur3.New128()
	var n [binary.MaxVarintLen64]byte
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(key)))])
	h.Write(key)
	h.Write(encodedSet)
	h1, h2 := h.Sum128()
	return h1 ^ h2
}
