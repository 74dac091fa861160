package merkle

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// treeFormat is the first byte of a marshalled Tree.
const treeFormat = 1

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Marshal encodes t: a format byte, Bits, every segment (8 bytes,
// big-endian) and a CRC-32C of what precedes it. Updates made while it
// runs may be partly included; marshal a tree nobody is writing.
func (t *Tree) Marshal() []byte {
	b := make([]byte, 2, 2+8*len(t.seg)+4)
	b[0], b[1] = treeFormat, byte(t.bits)
	t.blocks(0, len(t.seg), func(run []uint64, _ int) {
		for _, v := range run {
			b = binary.BigEndian.AppendUint64(b, v)
		}
	})
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// Unmarshal decodes what Marshal made, or returns ErrCorrupt.
func Unmarshal(b []byte) (*Tree, error) {
	if len(b) < 2+8+4 || b[0] != treeFormat {
		return nil, fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	t, err := New(int(b[1]))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if len(body) != 2+8*len(t.seg) {
		return nil, fmt.Errorf("%w: %d bytes for %d segments", ErrCorrupt, len(b), len(t.seg))
	}
	for i := range t.seg { // t is not shared yet
		t.seg[i] = binary.BigEndian.Uint64(body[2+8*i:])
	}
	return t, nil
}
