package integration

import "strings"

// hashProbes cover the hash commands: normal use, edge cases and every
// error path. Fields go in in field order: a small Redis hash (listpack)
// keeps insertion order, ringkv field order, so whole-hash replies compare
// byte for byte. Random draws compare by reply type, or exactly where the
// draw is forced (a one-field hash, a count past the size).
var hashProbes = []probe{
	// HSET / HMSET / HSETNX / HGET / HMGET
	p("HSET", "h", "a", "1", "b", "2"), p("HSET", "h", "a", "3", "c", "4"), p("HSET", "h", "d", "5", "d", "6"),
	p("HGET", "h", "a"), p("HGET", "h", "d"), p("HGET", "h", "zz"), p("HGET", "nokey", "a"),
	p("HMSET", "h", "e", "7"), p("HMSET", "h", "e"), p("HSET", "h", "a"), p("HSET", "h"), p("HMSET", "h"),
	p("HSETNX", "h", "a", "9"), p("HSETNX", "h", "f", "9"), p("HSETNX", "nx", "a", ""), p("HGET", "nx", "a"),
	p("HSETNX", "h", "a"), p("HSETNX", "h", "a", "1", "2"),
	p("HMGET", "h", "a", "zz", "b", "a"), p("HMGET", "nokey", "a", "b"), p("HMGET", "h"), p("HGET", "h"),
	// HEXISTS / HSTRLEN / HLEN
	p("HEXISTS", "h", "a"), p("HEXISTS", "h", "zz"), p("HEXISTS", "nokey", "a"), p("HEXISTS", "h"),
	p("HSTRLEN", "h", "a"), p("HSTRLEN", "nx", "a"), p("HSTRLEN", "h", "zz"), p("HSTRLEN", "nokey", "a"), p("HSTRLEN", "h"),
	p("HLEN", "h"), p("HLEN", "nokey"), p("HLEN"),
	// HGETALL / HKEYS / HVALS (a map in RESP3)
	p("HGETALL", "h"), p("HKEYS", "h"), p("HVALS", "h"), p("HGETALL", "nokey"), p("HKEYS", "nokey"), p("HVALS", "nokey"),
	p("HGETALL"), p("HKEYS", "h", "x"), p("HVALS"),
	// HDEL: the last field deletes the key
	p("HDEL", "h", "a", "zz", "a"), p("HDEL", "h", "zz"), p("HDEL", "nokey", "a"), p("HDEL", "h"),
	p("HDEL", "nx", "a"), p("EXISTS", "nx"), p("TYPE", "h"), p("TYPE", "nx"),
	p("HSET", "t", "a", "1"), p("EXPIRE", "t", "100"), p("HSET", "t", "b", "2"), p("TTL", "t"), p("HDEL", "t", "a"), p("TTL", "t"),
	// HINCRBY
	p("HSET", "n", "big", "9223372036854775807", "f", "1.5", "i", "10", "s", "abc", "sp", " 5"),
	p("HINCRBY", "n", "i", "5"), p("HINCRBY", "n", "i", "-20"), p("HGET", "n", "i"), p("HSTRLEN", "n", "i"),
	p("HINCRBY", "n", "s", "1"), p("HINCRBY", "n", "f", "1"), p("HINCRBY", "n", "sp", "1"),
	p("HINCRBY", "n", "big", "1"), p("HINCRBY", "n", "big", "-1"), p("HINCRBY", "n", "i", "-9223372036854775808"),
	p("HINCRBY", "n", "i", "x"), p("HINCRBY", "n", "i", "1.0"), p("HINCRBY", "n", "i", ""),
	p("HINCRBY", "n", "i", "9223372036854775808"), p("HINCRBY", "n", "zz", "-3"), p("HINCRBY", "n2", "a", "7"),
	p("HINCRBY", "n", "i"), p("HINCRBY", "n", "i", "1", "2"), p("HSET", "n", "i", "100"), p("HINCRBY", "n", "i", "1"),
	// HINCRBYFLOAT
	p("HINCRBYFLOAT", "n", "f", "0.1"), p("HINCRBYFLOAT", "n", "i", "1"), p("HINCRBYFLOAT", "n", "i", "-0.5"),
	p("HINCRBY", "n", "i", "1"), p("HINCRBYFLOAT", "n", "i", "0.5"), p("HINCRBY", "n", "i", "1"),
	p("HINCRBYFLOAT", "n", "s", "1"), p("HINCRBYFLOAT", "n", "f", "x"), p("HINCRBYFLOAT", "n", "f", "nan"),
	p("HINCRBYFLOAT", "n", "f", "inf"), p("HINCRBYFLOAT", "n", "f", "-inf"), p("HINCRBYFLOAT", "n", "f", ""),
	p("HINCRBYFLOAT", "n", "zz", "5.0e3"), p("HINCRBYFLOAT", "n", "zz", "-0.0"), p("HINCRBYFLOAT", "n", "zzz", "-0.0"),
	p("HINCRBYFLOAT", "n", "zzzz", "1.5e-3"), p("HINCRBYFLOAT", "n3", "a", "3"), p("EXISTS", "n3"),
	p("HSET", "n", "zzzzz", "inf"), p("HINCRBYFLOAT", "n", "zzzzz", "1"), p("HINCRBYFLOAT", "n", "f"),
	p("HGETALL", "n"),
	// HRANDFIELD
	p("HRANDFIELD", "nokey"), p("HRANDFIELD", "nokey", "3"), p("HRANDFIELD", "nokey", "-3", "WITHVALUES"),
	p("HRANDFIELD", "nokey", "x"), p("HRANDFIELD", "nokey", "3", "foo"),
	p("HSET", "one", "f", "v"), p("HRANDFIELD", "one"), p("HRANDFIELD", "one", "1"), p("HRANDFIELD", "one", "-3"),
	p("HRANDFIELD", "one", "-2", "WITHVALUES"), p("HRANDFIELD", "one", "1", "WITHVALUES"), p("HRANDFIELD", "one", "5", "withvalues"),
	p("HSET", "r", "a", "1", "b", "2", "c", "3"), p("HRANDFIELD", "r", "3"), p("HRANDFIELD", "r", "10", "WITHVALUES"),
	p("HRANDFIELD", "r", "0"), p("HRANDFIELD", "r", "0", "WITHVALUES"),
	loose(sameKind, "HRANDFIELD", "r"), loose(sameKind, "HRANDFIELD", "r", "2"), loose(sameKind, "HRANDFIELD", "r", "-5"),
	loose(sameKind, "HRANDFIELD", "r", "2", "WITHVALUES"), loose(sameKind, "HRANDFIELD", "r", "-5", "WITHVALUES"),
	p("HRANDFIELD", "r", "x"), p("HRANDFIELD", "r", "1.5"), p("HRANDFIELD", "r", "-9223372036854775808"),
	p("HRANDFIELD", "r", "9223372036854775807", "WITHVALUES"), p("HRANDFIELD", "r", "-4611686018427387904", "WITHVALUES"),
	p("HRANDFIELD", "r", "5", "WITHVALUE"), p("HRANDFIELD", "r", "5", "WITHVALUES", "x"), p("HRANDFIELD"),
	// HSCAN: a small hash comes whole, cursor 0
	p("HSCAN", "r", "0"), p("HSCAN", "r", "0", "COUNT", "100"), p("HSCAN", "r", "0", "MATCH", "b*"),
	p("HSCAN", "r", "0", "match", "*", "count", "3"), p("HSCAN", "r", "0", "MATCH", "x*"), p("HSCAN", "nokey", "0"),
	p("HSCAN", "nokey", "0", "COUNT", "0"), p("HSCAN", "nokey", "x"),
	p("HSCAN", "r", "x"), p("HSCAN", "r", "18446744073709551616"), p("HSCAN", "r", "0", "COUNT", "0"),
	p("HSCAN", "r", "0", "COUNT", "-1"), p("HSCAN", "r", "0", "COUNT", "x"), p("HSCAN", "r", "0", "MATCH"),
	p("HSCAN", "r", "0", "TYPE", "string"), p("HSCAN", "r", "0", "FOO", "bar"), p("HSCAN", "r"),
	p("HSET", "m", strings.Repeat("k", 40), "1", strings.Repeat("l", 50), strings.Repeat("v", 60)), p("HSCAN", "m", "0"),
	// WRONGTYPE on every command, and a hash under string commands
	p("SET", "str", "v"), p("HSET", "str", "a", "1"), p("HMSET", "str", "a", "1"), p("HSETNX", "str", "a", "1"),
	p("HGET", "str", "a"), p("HMGET", "str", "a"), p("HEXISTS", "str", "a"), p("HSTRLEN", "str", "a"),
	p("HLEN", "str"), p("HGETALL", "str"), p("HKEYS", "str"), p("HVALS", "str"), p("HDEL", "str", "a"),
	p("HINCRBY", "str", "a", "1"), p("HINCRBY", "str", "a", "x"), p("HINCRBYFLOAT", "str", "a", "1"),
	p("HINCRBYFLOAT", "str", "a", "x"), p("HRANDFIELD", "str"), p("HRANDFIELD", "str", "0"), p("HRANDFIELD", "str", "x"),
	p("HSCAN", "str", "0"), p("HSCAN", "str", "x"), p("GET", "r"), p("INCR", "r"), p("APPEND", "r", "x"),
	p("TYPE", "r"), p("DEL", "r"), p("HGETALL", "r"),
	// COMMAND INFO
	loose(cmdInfo, "COMMAND", "INFO", "hset", "hmset", "hsetnx", "hget", "hmget", "hexists", "hstrlen", "hlen",
		"hgetall", "hkeys", "hvals", "hdel", "hincrby", "hincrbyfloat", "hrandfield", "hscan"),
}

func init() { addFidelity("hash", hashProbes...) }
