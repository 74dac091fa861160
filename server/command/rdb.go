package command

import "errors"

// The RDB codec of DUMP and RESTORE: pure functions from one key's value
// to Redis's serialization and back. A DUMP payload is an RDB object (type
// byte, then the object) sealed by server/rdb (version and CRC-64), which
// also holds the lengths and strings (with LZF) that FUNCTION DUMP shares;
// rdbpack.go has the packed encodings (listpack, ziplist, intset),
// rdbobj.go the objects. Decoding never panics and bounds every
// allocation by the input's size.

// Errors of RESTORE's payload, with Redis's texts.
var (
	errDumpPayload = errors.New("ERR DUMP payload version or checksum are wrong")
	errBadData     = errors.New("ERR Bad data format")
)
