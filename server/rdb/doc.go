// Package rdb holds the primitives of Redis's RDB serialization that
// DUMP/RESTORE (server/command) and FUNCTION DUMP/RESTORE (server/lua)
// share: the payload envelope (RDB version and CRC-64/Jones checksum),
// lengths, strings (raw, integer-encoded, LZF-compressed) and a Reader
// whose first failure sticks.
//
// It knows no object type: the object encodings (listpack, intset,
// ziplist, quicklist, sorted sets) live in server/command, the function
// opcode in server/lua. It is pure: byte slices in, byte slices out.
// Decoding never panics and bounds every allocation by the input's size.
//
// Start from Seal and Open (the envelope), AppendString and Reader.
package rdb
