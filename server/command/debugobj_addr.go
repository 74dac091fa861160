package command

import (
	"fmt"
	"hash/fnv"
)

// objectAddr is the at: address DEBUG OBJECT prints for key's value. In
// Redis it is the value object's pointer; ringkv has no such object
// (each read decodes the stored record afresh), so it derives one that
// behaves as Redis's does where clients and Redis's own tests look:
//
//   - A shared integer (0..9999, the values OBJECT REFCOUNT shows as
//     shared) is one object per value, whichever key holds it: its
//     address depends on the value alone.
//   - Any other value has an address made from its key and its encoding.
//     It stays the same while the value stays in place, as Redis's INCR
//     and DECR modify an int-encoded, unshared value in place ("INCR can
//     modify objects in-place" in Redis's tests/unit/type/incr.tcl), and
//     it changes when Redis would build a new object of another encoding
//     (APPEND to an int, INCR of an embstr).
//
// Addresses look like heap pointers (0x7f..., 16-byte aligned); they are
// names, not memory.
func objectAddr(key []byte, value []byte, enc string) string {
	if n, ok := canonicalInt(value); ok && n >= 0 && n < sharedIntegers {
		return fmt.Sprintf("0x%x", sharedBase+uint64(n)*16)
	}
	h := fnv.New64a()
	h.Write([]byte(enc))
	h.Write([]byte{0})
	h.Write(key)
	return fmt.Sprintf("0x%x", heapBase|(h.Sum64()&heapMask))
}

const (
	sharedBase = 0x7f0000100000 // shared.integers[0]
	heapBase   = 0x7f1000000000
	heapMask   = 0x0000ffffffff0 // 16-byte aligned, 36 bits
)
