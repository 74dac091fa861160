package integration

import (
	"encoding/binary"
	"encoding/hex"
	"hash/crc64"
	"math"
)

// DUMP payloads as redis-server 7.0.15 made them (hex), and RDB objects
// built by hand in the encodings of other versions, sealed with the RDB
// version and checksum.
var (
	dumpLZF      = unhexStr("00c3092f016161e022000161610a002660805b8e3a583d") // 47 a's, LZF
	dumpHashLP   = unhexStr("101414000000040081610201018162028378797a04ff0a002e2c226e653d1fc4")
	dumpIntset   = unhexStr("0b200800000003000000c063ffffffffffff050000000000000000e87648170000000a00c813c4ecb66f3bf5")
	dumpPlainSet = unhexStr("0202016201610a0075d99d835ef85f65")
	dumpZSetLP   = unhexStr("1114140000000400816102010181620283322e3504ff0a00d44c6ea4f644d9d7")
	dumpList     = unhexStr("1201020f0f00000003008161028162020101ff0a00e01bab4a47ce5922")
	dumpListLZF  = unhexStr("120102c33640931f930000000800dfff02c0c802f178ec03f2409c0004f3c0ab76ff05f3009435770d05f40090cd792f08000009e06478e05a000166ff0a007c66b2ce78d54259")
)

func unhexStr(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// sealRDB makes a DUMP payload of an RDB object: version 10 and Redis's
// CRC-64 (Jones, reflected, no inversions).
func sealRDB(obj ...byte) string {
	obj = binary.LittleEndian.AppendUint16(obj, 10)
	tab := crc64.MakeTable(0x95ac9329ac4bc9b5)
	return string(binary.LittleEndian.AppendUint64(obj, ^crc64.Update(^uint64(0), tab, obj)))
}

// rdbStr is an RDB string of fewer than 64 bytes.
func rdbStr(s string) []byte { return append([]byte{byte(len(s))}, s...) }

func rdbObj(typ byte, n byte, strs ...string) []byte {
	out := []byte{typ, n}
	for _, s := range strs {
		out = append(out, rdbStr(s)...)
	}
	return out
}

// ziplistHash is an RDB_TYPE_HASH_ZIPLIST (Redis before 7) of f=1 g=-100.
func ziplistHash() string {
	zl := []byte{0, 0, 0, 0, 0, 0, 0, 0, 4, 0,
		0, 1, 'f', 3, 0xf2, 2, 1, 'g', 3, 0xfe, 0x9c, 0xff}
	zl[0], zl[4] = byte(len(zl)), 18 // size, offset of the last entry
	return sealRDB(append([]byte{13, byte(len(zl))}, zl...)...)
}

// ziplistOf is a ziplist of one-byte-long strings.
func ziplistOf(entries ...string) []byte {
	zl := []byte{0, 0, 0, 0, 0, 0, 0, 0, byte(len(entries)), 0}
	prev, tail := 0, 10
	for _, e := range entries {
		tail = len(zl)
		zl = append(zl, byte(prev), byte(len(e)))
		zl = append(zl, e...)
		prev = 2 + len(e)
	}
	zl = append(zl, 0xff)
	zl[0], zl[4] = byte(len(zl)), byte(tail)
	return zl
}

// quicklistV1 is an RDB_TYPE_LIST_QUICKLIST (Redis 3.2 to 6) of ziplist
// nodes.
func quicklistV1(nodes ...[]byte) string {
	out := []byte{14, byte(len(nodes))}
	for _, n := range nodes {
		out = append(append(out, byte(len(n))), n...)
	}
	return sealRDB(out...)
}

// zset2 is an RDB_TYPE_ZSET_2 of members with binary double scores.
func zset2(pairs map[string]float64, order ...string) string {
	out := []byte{5, byte(len(order))}
	for _, m := range order {
		out = append(out, rdbStr(m)...)
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(pairs[m]))
	}
	return sealRDB(out...)
}

// zsetV1 is an RDB_TYPE_ZSET: scores as length-prefixed text.
func zsetV1(pairs ...string) string {
	out := []byte{3, byte(len(pairs) / 2)}
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(append(out, rdbStr(pairs[i])...), rdbStr(pairs[i+1])...)
	}
	return sealRDB(out...)
}

// dumpProbes cover DUMP and RESTORE: payloads compared byte for byte
// where ringkv writes what Redis writes (strings, small hashes written in
// field order, intsets), Redis's payloads and hand-built ones restored on
// both, and every error path.
var dumpProbes = []probe{
	// DUMP of strings: raw, integer encodings, long integers, empty
	p("SET", "s", "hello"), p("DUMP", "s"), p("SET", "n", "12345"), p("DUMP", "n"), p("SET", "n", "-5"),
	p("DUMP", "n"), p("SET", "n", "-70000"), p("DUMP", "n"), p("SET", "n", "123456789012"), p("DUMP", "n"),
	p("SET", "n", "007"), p("DUMP", "n"), p("SET", "e", ""), p("DUMP", "e"), p("INCRBY", "c", "300"),
	p("DUMP", "c"), p("DUMP", "missing"), p("DUMP"), p("DUMP", "a", "b"),
	// DUMP of hashes and sets in Redis's compact encodings
	p("HSET", "h", "a", "1", "b", "xyz"), p("DUMP", "h"),
	p("SADD", "i", "-40000", "5", "100000000000"), p("DUMP", "i"), p("SADD", "i2", "3", "2", "1"), p("DUMP", "i2"),
	// RESTORE of Redis's payloads
	p("RESTORE", "r", "0", dumpLZF), p("GET", "r"), p("TTL", "r"), p("TYPE", "r"),
	p("RESTORE", "rh", "0", dumpHashLP), p("HGETALL", "rh"), p("TYPE", "rh"),
	p("RESTORE", "ri", "0", dumpIntset), p("SMEMBERS", "ri"),
	p("RESTORE", "rs", "0", dumpPlainSet), loose(sameSet, "SMEMBERS", "rs"),
	// hand-built: plain hash, plain set, ziplist hash
	p("RESTORE", "ph", "0", sealRDB(rdbObj(4, 2, "a", "1", "b", "2")...)), p("HGETALL", "ph"),
	p("RESTORE", "ps", "0", sealRDB(rdbObj(2, 2, "x", "y")...)), loose(sameSet, "SMEMBERS", "ps"),
	p("RESTORE", "zh", "0", ziplistHash()), p("HGETALL", "zh"),
	// lists: Redis's quicklist 2 (one node LZF-compressed), the legacy
	// linked list, a ziplist, a quicklist of ziplists
	p("RPUSH", "l", "a", "b", "1"), p("DUMP", "l"),
	p("RESTORE", "rl", "0", dumpList), p("LRANGE", "rl", "0", "-1"),
	p("RESTORE", "rl2", "0", dumpListLZF), p("LRANGE", "rl2", "0", "-1"),
	p("RESTORE", "ll", "0", sealRDB(rdbObj(1, 3, "x", "y", "x")...)), p("LRANGE", "ll", "0", "-1"),
	p("RESTORE", "zl", "0", sealRDB(append([]byte{10, byte(len(ziplistOf("p", "q")))}, ziplistOf("p", "q")...)...)),
	p("LRANGE", "zl", "0", "-1"),
	p("RESTORE", "ql", "0", quicklistV1(ziplistOf("a", "b"), ziplistOf("c"))), p("LRANGE", "ql", "0", "-1"),
	p("RESTORE", "new", "0", sealRDB(1, 0)), p("RESTORE", "new", "0", sealRDB(18, 1, 9, 0)),
	// sorted sets: Redis's listpack, ZSET_2, the old ZSET, a ziplist
	p("ZADD", "z", "1", "a", "2.5", "b"), p("DUMP", "z"),
	p("RESTORE", "rz", "0", dumpZSetLP), p("ZRANGE", "rz", "0", "-1", "WITHSCORES"),
	p("RESTORE", "z2", "0", zset2(map[string]float64{"x": 0.1, "y": math.Inf(-1), "w": 1e300}, "x", "y", "w")),
	p("ZRANGE", "z2", "0", "-1", "WITHSCORES"),
	p("RESTORE", "z1", "0", zsetV1("m", "1.5", "n", "-3")), p("ZRANGE", "z1", "0", "-1", "WITHSCORES"),
	p("RESTORE", "zz", "0", sealRDB(append([]byte{12, byte(len(ziplistOf("q", "2", "p", "7")))}, ziplistOf("q", "2", "p", "7")...)...)),
	p("ZRANGE", "zz", "0", "-1", "WITHSCORES"),
	p("RESTORE", "new", "0", zset2(map[string]float64{"x": math.NaN()}, "x")),
	p("RESTORE", "new", "0", zset2(map[string]float64{"x": 1}, "x", "x")),
	// TTLs
	p("RESTORE", "t", "100000", dumpLZF), p("TTL", "t"),
	p("RESTORE", "t2", "4102444800000", dumpLZF, "ABSTTL"), p("PEXPIRETIME", "t2"),
	p("RESTORE", "t3", "1000", dumpLZF, "ABSTTL"), p("EXISTS", "t3"),
	p("SET", "t4", "v"), p("RESTORE", "t4", "1000", dumpLZF, "ABSTTL", "REPLACE"), p("EXISTS", "t4"),
	// REPLACE, over another type too
	p("RESTORE", "r", "0", dumpLZF), p("RESTORE", "r", "0", dumpHashLP, "REPLACE"), p("TYPE", "r"), p("HGETALL", "r"),
	p("RESTORE", "r", "0", dumpLZF, "replace", "IDLETIME", "5"), p("GET", "r"),
	p("RESTORE", "f", "0", dumpLZF, "FREQ", "5"), p("GET", "f"),
	// errors
	p("RESTORE", "r", "-1", "x"), p("RESTORE", "new", "-1", dumpLZF), p("RESTORE", "new", "x", dumpLZF),
	p("RESTORE", "new", "0", "x"), p("RESTORE", "new", "0", ""), p("RESTORE", "new", "0", dumpLZF[:len(dumpLZF)-1]+"x"),
	p("RESTORE", "new", "0", sealRDB(4, 0)), p("RESTORE", "new", "0", sealRDB(0, 5, 'a')),
	p("RESTORE", "new", "0", sealRDB(99)), p("RESTORE", "new", "0", sealRDB(rdbObj(2, 2, "a", "a")...)),
	p("RESTORE", "new", "0", sealRDB(rdbObj(2, 2, "1", "1")...)),
	p("RESTORE", "new", "0", sealRDB(rdbObj(4, 2, "a", "1", "a", "2")...)), p("EXISTS", "new"),
	p("RESTORE", "new", "0", dumpLZF, "IDLETIME", "-1"), p("RESTORE", "new", "0", dumpLZF, "IDLETIME", "x"),
	p("RESTORE", "new", "0", dumpLZF, "FREQ", "256"), p("RESTORE", "new", "0", dumpLZF, "FREQ", "-1"),
	p("RESTORE", "new", "0", dumpLZF, "FREQ", "1", "IDLETIME", "1"), p("RESTORE", "new", "0", dumpLZF, "IDLETIME"),
	p("RESTORE", "new", "0", dumpLZF, "FOO"), p("RESTORE", "new", "0"), p("EXISTS", "new"),
}

func init() { addFidelity("dump", dumpProbes...) }
