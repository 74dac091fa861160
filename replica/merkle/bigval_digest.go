package merkle

import (
	"encoding/binary"

	"github.com/spaolacci/murmur3"
)

// Digester computes Digest(key, encodedSet) from an encoding written to
// it in pieces, so a large set's digest needs no copy of its encoding
// (engine streams a large set to its blob file through one).
type Digester struct{ h murmur3.Hash128 }

// NewDigester starts the digest of key's set.
func NewDigester(key []byte) *Digester {
	d := &Digester{h: murmur3.New128()}
	var n [binary.MaxVarintLen64]byte
	d.h.Write(n[:binary.PutUvarint(n[:], uint64(len(key)))])
	d.h.Write(key)
	return d
}

// Write adds the next bytes of the set's encoding; it never fails.
func (d *Digester) Write(p []byte) (int, error) { return d.h.Write(p) }

// Sum returns the digest of the bytes written so far: Digest(key, them).
func (d *Digester) Sum() uint64 {
	h1, h2 := d.h.Sum128()
	return h1 ^ h2
}
