package integration

import (
	"fmt"
	"strings"
)

// hllProbes cover PFADD, PFCOUNT, PFMERGE and PFDEBUG: the HLL bytes
// themselves (GET after PFADD, after PFCOUNT stores its cache, after a
// promotion from sparse to dense, after PFMERGE), the counts, and every
// error, against redis-server 7.0.15 in RESP2 and RESP3.
func hllProbes() []probe {
	elems := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s%d", prefix, i)
		}
		return out
	}
	pfadd := func(key string, el []string) probe { return p(append([]string{"PFADD", key}, el...)...) }
	dense := "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" + strings.Repeat("\xff", 12288)
	sparse := func(ops string) string { return "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" + ops }
	ps := []probe{
		p("PFADD", "h"), p("GET", "h"), p("PFCOUNT", "h"), p("GET", "h"), p("PFADD", "h"),
		p("PFADD", "h", "a", "b", "c"), p("GET", "h"), p("PFADD", "h", "a"), p("PFADD", "h", "c", "b"),
		p("PFCOUNT", "h"), p("GET", "h"), p("PFADD", "h", "", "\x00", "\xff\xfe", "a longer element of 24 b"),
		p("PFCOUNT", "h"), p("GET", "h"), p("PFDEBUG", "ENCODING", "h"), p("PFDEBUG", "DECODE", "h"),
		pfadd("s", elems("x", 100)), p("GET", "s"), p("PFCOUNT", "s"), p("GET", "s"), p("STRLEN", "s"),
		pfadd("s", elems("y", 400)), p("PFCOUNT", "s"), p("GET", "s"), p("PFDEBUG", "ENCODING", "s"),
		// past hll-sparse-max-bytes: dense
		pfadd("d", elems("e:", 1500)), p("PFDEBUG", "ENCODING", "d"), p("GET", "d"),
		pfadd("d", elems("e:", 3000)), p("PFDEBUG", "ENCODING", "d"), p("PFCOUNT", "d"), p("GET", "d"),
		pfadd("d", elems("f", 20000)), p("PFCOUNT", "d"), p("GET", "d"), p("PFADD", "d", "f1"),
		pfadd("big", elems("g", 100000)), p("PFCOUNT", "big"),
		// PFCOUNT of several keys: the union, nothing stored
		p("PFCOUNT", "h", "s"), p("PFCOUNT", "h", "s", "d", "missing"), p("PFCOUNT", "missing", "missing2"),
		p("PFCOUNT", "missing"), p("GET", "s"),
		// PFMERGE: sparse into new, sparse+dense, into an existing key, alone
		p("PFMERGE", "m1", "h", "s"), p("GET", "m1"), p("PFCOUNT", "m1"), p("PFDEBUG", "ENCODING", "m1"),
		p("PFMERGE", "m2", "s", "d"), p("PFDEBUG", "ENCODING", "m2"), p("PFCOUNT", "m2"), p("GET", "m2"),
		p("PFMERGE", "h", "s"), p("GET", "h"), p("PFCOUNT", "h"), p("PFMERGE", "h"), p("GET", "h"),
		p("PFMERGE", "m3"), p("GET", "m3"), p("PFMERGE", "m4", "missing"), p("GET", "m4"),
		p("PFMERGE", "m5", "m5", "s", "s"), p("PFCOUNT", "m5"),
		// TTL is kept
		p("EXPIRE", "h", "100"), p("PFADD", "h", "zz1", "zz2"), p("TTL", "h"), p("PFMERGE", "h", "d"), p("TTL", "h"),
		// SET of an HLL's bytes works both ways
		p("SET", "c", sparse("\x7f\xff")), p("PFCOUNT", "c"), p("PFADD", "c", "q"), p("GET", "c"),
		p("SET", "c2", sparse("\x40\x00\x40\x00\x40\x00\x7f\xfc")), p("PFCOUNT", "c2"), p("PFADD", "c2", "q", "r"),
		p("GET", "c2"), p("PFDEBUG", "DECODE", "c2"),
		p("SET", "c3", sparse("\x80\x7f\xfe")), p("PFCOUNT", "c3"), p("PFADD", "c3", "a"), p("GET", "c3"),
		p("SET", "c4", sparse("\x3f\xfc\x7f\xbe")), p("PFADD", "c4", "x", "y", "z"), p("GET", "c4"),
		// cached cardinality as stored
		p("SET", "cc", "HYLL\x01\x00\x00\x00\x2a\x00\x00\x00\x00\x00\x00\x00\x7f\xff"), p("PFCOUNT", "cc"),
		p("SET", "cc", "HYLL\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\x7f\x7f\xff"), p("PFCOUNT", "cc"),
		// dense with every register 63, 0, mixed
		p("SET", "dd", dense), p("PFCOUNT", "dd"), p("PFADD", "dd", "a"), p("PFDEBUG", "ENCODING", "dd"),
		p("SET", "dz", "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"+strings.Repeat("\x00", 12288)),
		p("PFCOUNT", "dz"), p("PFADD", "dz", "a", "b"), p("GET", "dz"), p("PFCOUNT", "dz", "c2"),
		p("SET", "dm", "HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"+strings.Repeat("\x41\x10\x04", 4096)),
		p("PFCOUNT", "dm"), p("PFMERGE", "dm2", "c2", "dm"), p("GET", "dm2"),
		// a sparse register above 32 promotes
		p("SET", "v", sparse("\x7f\xff")), p("PFMERGE", "v", "dm"), p("PFDEBUG", "ENCODING", "v"), p("GET", "v"),
		// not an HLL
		p("SET", "str", "hello"), p("PFADD", "str", "a"), p("PFCOUNT", "str"), p("PFCOUNT", "h", "str"),
		p("PFMERGE", "str", "h"), p("PFMERGE", "h", "str"), p("PFDEBUG", "ENCODING", "str"),
		p("SET", "n", "12345678901234567890"), p("PFADD", "n", "x"), p("SET", "n", "42"), p("PFCOUNT", "n"),
		p("SET", "short", "HYLL\x01"), p("PFADD", "short", "a"),
		p("SET", "enc2", sparse("\x7f\xff")[:4]+"\x02"+sparse("\x7f\xff")[5:]), p("PFCOUNT", "enc2"),
		p("SET", "dlen", dense+"x"), p("PFCOUNT", "dlen"), p("SET", "hyll", "hyll\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"),
		p("PFCOUNT", "hyll"),
		p("RPUSH", "list", "a"), p("PFADD", "list", "a"), p("PFCOUNT", "list"), p("PFCOUNT", "h", "list"),
		p("PFMERGE", "list", "h"), p("PFMERGE", "h", "list"), p("PFDEBUG", "GETREG", "list"),
		// corrupted sparse: INVALIDOBJ when read
		p("SET", "bad", sparse("\x7f\xfe")), p("PFCOUNT", "bad"), p("PFADD", "bad", "a"), p("PFCOUNT", "h", "bad"),
		p("PFMERGE", "m6", "bad"), p("EXISTS", "m6"), p("PFDEBUG", "TODENSE", "bad"), p("PFDEBUG", "DECODE", "bad"),
		p("SET", "bad2", sparse("\xff\xff\xff\xff\x7f\xff")), p("PFCOUNT", "bad2"), p("PFMERGE", "m7", "bad2"),
		p("SET", "bad3", sparse("")), p("PFCOUNT", "bad3"), p("PFADD", "bad3", "x"),
		p("SET", "bad4", sparse("\x7f")), p("PFCOUNT", "bad4"),
		// PFDEBUG
		p("PFDEBUG", "ENCODING", "missing"), p("PFDEBUG", "FOO", "missing"), p("PFDEBUG", "FOO", "h"),
		p("PFDEBUG", "decode", "d"), p("PFDEBUG", "TODENSE", "s"), p("PFDEBUG", "TODENSE", "s"),
		p("PFDEBUG", "ENCODING", "s"), p("GET", "s"), p("PFDEBUG", "GETREG", "c2"), p("PFDEBUG", "ENCODING", "c2"),
		p("PFDEBUG", "ENCODING"), p("PFDEBUG", "ENCODING", "h", "x"),
		// DUMP/RESTORE: an HLL is a string
		pfadd("x", elems("e", 60)), p("DUMP", "x"), p("DUMP", "m3"), p("PFMERGE", "r0", "d", "s"),
		knownDiff("ringkv's DUMP does not LZF-compress a long string", "DUMP", "d"),
		p("RESTORE", "r1", "0", "\x00\x12HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\n\x00H\xeel6@\x86\x81\x8b"),
		p("PFADD", "r1", "a"), p("GET", "r1"),
		p("PFSELFTEST"),
		// arity
		p("PFADD"), p("PFCOUNT"), p("PFMERGE"), p("PFSELFTEST", "x"),
		// in MULTI and scripts
		p("MULTI"), p("PFADD", "t", "a", "b"), p("PFCOUNT", "t"), p("GET", "t"), p("EXEC"),
		p("EVAL", "redis.call('PFADD', KEYS[1], 'x', 'y'); return redis.call('PFCOUNT', KEYS[1])", "1", "t2"),
		p("TYPE", "t"), knownDiff("Redis's HLL is a raw sds however short", "OBJECT", "ENCODING", "t"),
	}
	return ps
}

func init() { addFidelity("hll", hllProbes()...) }
