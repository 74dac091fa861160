package integration

import "strings"

// strencProbes cover OBJECT ENCODING of strings after each way of writing
// one: a whole write (SET, APPEND to a missing key, INCR, RESTORE of a
// DUMP) picks int, embstr or raw by content; an in-place modification
// (APPEND, SETRANGE, SETBIT, BITFIELD SET/INCRBY) makes it raw whatever its
// length, as do BITOP and PFADD; INCRBYFLOAT builds a string that is never
// int; EXPIRE, PERSIST, COPY and RENAME keep the encoding; a later SET
// clears it.
var strencProbes = []probe{
	p("SET", "a", "abc"), p("OBJECT", "ENCODING", "a"),
	p("APPEND", "a", "d"), p("OBJECT", "ENCODING", "a"), p("GET", "a"),
	p("APPEND", "a", ""), p("OBJECT", "ENCODING", "a"),
	p("EXPIRE", "a", "100"), p("OBJECT", "ENCODING", "a"),
	p("PERSIST", "a"), p("OBJECT", "ENCODING", "a"),
	p("GETEX", "a", "EX", "50"), p("OBJECT", "ENCODING", "a"),
	p("COPY", "a", "a2"), p("OBJECT", "ENCODING", "a2"),
	p("RENAME", "a2", "a3"), p("OBJECT", "ENCODING", "a3"),
	p("SET", "a", "abc"), p("OBJECT", "ENCODING", "a"),
	// APPEND to a missing key stores its argument as SET does.
	p("APPEND", "n", "12"), p("OBJECT", "ENCODING", "n"),
	p("APPEND", "n", "3"), p("OBJECT", "ENCODING", "n"), p("GET", "n"),
	p("INCR", "n"), p("OBJECT", "ENCODING", "n"),
	p("APPEND", "n", "0"), p("INCRBY", "n", "5"), p("OBJECT", "ENCODING", "n"),
	p("DECR", "n"), p("OBJECT", "ENCODING", "n"),
	// SETRANGE: an empty value changes nothing, not even the encoding.
	p("SET", "i", "10"), p("SETRANGE", "i", "0", ""), p("OBJECT", "ENCODING", "i"),
	p("SETRANGE", "i", "0", "2"), p("OBJECT", "ENCODING", "i"), p("GET", "i"),
	p("SETRANGE", "fresh", "0", ""), p("EXISTS", "fresh"),
	p("SETRANGE", "fresh", "2", "x"), p("OBJECT", "ENCODING", "fresh"),
	p("SET", "long", strings.Repeat("x", 44)), p("OBJECT", "ENCODING", "long"),
	p("SETRANGE", "long", "0", "y"), p("OBJECT", "ENCODING", "long"),
	p("SET", "long", strings.Repeat("x", 45)), p("OBJECT", "ENCODING", "long"),
	// SETBIT makes it raw even when the bit was already set.
	p("SET", "b", "a"), p("SETBIT", "b", "1", "1"), p("OBJECT", "ENCODING", "b"),
	p("SET", "b", "a"), p("SETBIT", "b", "0", "1"), p("OBJECT", "ENCODING", "b"), p("GET", "b"),
	p("SETBIT", "nb", "0", "0"), p("OBJECT", "ENCODING", "nb"),
	p("GETBIT", "b", "1"), p("OBJECT", "ENCODING", "b"),
	// BITFIELD: GETs alone read; a SET or INCRBY makes it raw.
	p("SET", "bf", "7"), p("BITFIELD", "bf", "GET", "u8", "0"), p("OBJECT", "ENCODING", "bf"),
	p("BITFIELD_RO", "bf", "GET", "u8", "0"), p("OBJECT", "ENCODING", "bf"),
	p("BITFIELD", "bf", "SET", "u8", "0", "55"), p("OBJECT", "ENCODING", "bf"),
	p("SET", "bf", "7"), p("BITFIELD", "bf", "INCRBY", "u8", "0", "1"), p("OBJECT", "ENCODING", "bf"),
	p("BITFIELD", "bf2", "INCRBY", "u4", "0", "3"), p("OBJECT", "ENCODING", "bf2"),
	// INCRBYFLOAT: embstr even for an integer (a result past 44 bytes, raw,
	// is a number ringkv's float64 prints otherwise than Redis's long double:
	// server/command's unit test covers it).
	p("SET", "fl", "2"), p("INCRBYFLOAT", "fl", "1"), p("OBJECT", "ENCODING", "fl"),
	p("INCRBYFLOAT", "fl", "0.5"), p("OBJECT", "ENCODING", "fl"),
	p("INCRBYFLOAT", "newfl", "7"), p("OBJECT", "ENCODING", "newfl"),
	p("INCR", "newfl"), p("OBJECT", "ENCODING", "newfl"),
	// BITOP's destination and HyperLogLogs are raw.
	p("BITOP", "OR", "dst", "fl", "fl"), p("OBJECT", "ENCODING", "dst"),
	p("PFADD", "h", "x"), p("OBJECT", "ENCODING", "h"),
	// Whole writes clear the mark.
	p("APPEND", "m", "x"), p("APPEND", "m", "y"), p("GETSET", "m", "5"), p("OBJECT", "ENCODING", "m"),
	p("APPEND", "m", "y"), p("MSET", "m", "hello"), p("OBJECT", "ENCODING", "m"),
	p("APPEND", "m", "y"), p("SETEX", "m", "100", "17"), p("OBJECT", "ENCODING", "m"),
	p("APPEND", "m", "y"), p("SET", "m", "z", "KEEPTTL"), p("OBJECT", "ENCODING", "m"),
	p("APPEND", "m", "y"), p("OBJECT", "ENCODING", "m"), p("TTL", "m"),
}

func init() { addFidelity("strenc", strencProbes...) }
