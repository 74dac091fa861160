package integration

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// bitsProbes cover SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD,
// BITFIELD_RO and LCS: normal use and every error path.
var bitsProbes = []probe{
	// SETBIT / GETBIT
	p("SETBIT", "b", "7", "1"), p("SETBIT", "b", "7", "1"), p("SETBIT", "b", "7", "0"), p("GET", "b"),
	p("SETBIT", "b", "100", "1"), p("STRLEN", "b"), p("GET", "b"), p("GETBIT", "b", "100"),
	p("GETBIT", "b", "101"), p("GETBIT", "b", "99999"), p("GETBIT", "missing", "3"),
	p("SETBIT", "b", "-1", "1"), p("SETBIT", "b", "x", "1"), p("SETBIT", "b", "01", "1"),
	p("SETBIT", "b", "#1", "1"), p("SETBIT", "b", "4294967296", "1"),
	p("SETBIT", "b", "9223372036854775807", "1"), p("SETBIT", "b", "9223372036854775808", "1"),
	p("SETBIT", "b", "1", "2"), p("SETBIT", "b", "1", "-1"), p("SETBIT", "b", "1", "x"),
	p("SETBIT", "b", "4294967296", "x"), p("SETBIT", "b", "1"), p("SETBIT", "b", "1", "1", "1"),
	p("GETBIT", "b", "-1"), p("GETBIT", "b", "4294967296"), p("GETBIT", "b", "x"), p("GETBIT", "b"),
	p("SET", "t", "v"), p("EXPIRE", "t", "100"), p("SETBIT", "t", "30", "1"), p("TTL", "t"), p("GET", "t"),
	p("SET", "e", ""), p("SETBIT", "e", "0", "0"), p("GET", "e"),
	// the offset limit follows proto-max-bulk-len
	p("CONFIG", "SET", "proto-max-bulk-len", "1048576"), p("SETBIT", "big", "8388608", "1"),
	p("SETBIT", "big", "8388607", "1"), p("STRLEN", "big"), p("GETBIT", "big", "8388608"),
	p("BITFIELD", "big", "GET", "u8", "8388608"), p("BITFIELD", "big", "SET", "u8", "8388607", "255"),
	p("STRLEN", "big"), p("BITFIELD", "big", "GET", "u8", "#1048575"), p("BITFIELD", "big", "GET", "u8", "#1048576"),
	p("DEL", "big"), p("CONFIG", "SET", "proto-max-bulk-len", "536870912"),
	// BITCOUNT
	p("SET", "s", "foobar"), p("BITCOUNT", "s"), p("BITCOUNT", "s", "0", "0"), p("BITCOUNT", "s", "1", "1"),
	p("BITCOUNT", "s", "1", "1", "BYTE"), p("BITCOUNT", "s", "5", "30", "BIT"), p("BITCOUNT", "s", "5", "30", "bit"),
	p("BITCOUNT", "s", "-2", "-1"), p("BITCOUNT", "s", "-1", "-2"), p("BITCOUNT", "s", "-100", "-200"),
	p("BITCOUNT", "s", "-100", "100"), p("BITCOUNT", "s", "3", "1"), p("BITCOUNT", "s", "100", "200"),
	p("BITCOUNT", "s", "0", "-1", "BIT"), p("BITCOUNT", "s", "-9", "-2", "BIT"), p("BITCOUNT", "s", "7", "7", "BIT"),
	p("BITCOUNT", "s", "-1", "-2", "FOO"), p("BITCOUNT", "s", "0", "1", "FOO"), p("BITCOUNT", "s", "0"),
	p("BITCOUNT", "s", "a", "1"), p("BITCOUNT", "s", "0", "b"), p("BITCOUNT", "s", "0", "1", "BIT", "x"),
	p("BITCOUNT", "missing"), p("BITCOUNT", "missing", "x"), p("BITCOUNT", "missing", "0", "1", "FOO"),
	p("BITCOUNT", "e"), p("BITCOUNT", "e", "0", "-1"), p("BITCOUNT"),
	// BITPOS
	p("SET", "f", "\xff\xf0\x00"), p("BITPOS", "f", "0"), p("BITPOS", "f", "1"), p("BITPOS", "f", "1", "2"),
	p("BITPOS", "f", "0", "1"), p("BITPOS", "f", "0", "1", "1"), p("BITPOS", "f", "1", "2", "-1"),
	p("BITPOS", "f", "0", "0", "0"), p("BITPOS", "f", "0", "5", "9", "BIT"), p("BITPOS", "f", "1", "7", "15", "bit"),
	p("BITPOS", "f", "0", "7", "11", "BIT"), p("BITPOS", "f", "1", "20", "-1", "BIT"), p("BITPOS", "f", "0", "0", "-1", "BYTE"),
	p("BITPOS", "f", "1", "-100", "-200"), p("BITPOS", "f", "1", "5", "1"), p("BITPOS", "f", "1", "10"),
	p("SET", "ones", "\xff\xff"), p("BITPOS", "ones", "0"), p("BITPOS", "ones", "0", "1"), p("BITPOS", "ones", "0", "0", "-1"),
	p("BITPOS", "ones", "0", "3", "12", "BIT"), p("BITPOS", "ones", "0", "5"),
	p("BITPOS", "missing", "0"), p("BITPOS", "missing", "1"), p("BITPOS", "missing", "1", "x"),
	p("BITPOS", "missing", "2"), p("BITPOS", "missing", "x"), p("BITPOS", "f", "2"), p("BITPOS", "f", "-1"),
	p("BITPOS", "f", "1", "x"), p("BITPOS", "f", "1", "0", "x"), p("BITPOS", "f", "1", "0", "1", "FOO"),
	p("BITPOS", "f", "1", "x", "1", "FOO"), p("BITPOS", "f", "1", "0", "x", "FOO"), p("BITPOS", "f", "1", "0", "1", "BIT", "x"),
	p("BITPOS", "e", "0"), p("BITPOS", "e", "1"), p("BITPOS", "e", "0", "0"), p("BITPOS", "f"),
	// BITOP
	p("SET", "a1", "abc"), p("SET", "a2", "\x0f\xf0"), p("BITOP", "AND", "d", "a1", "a2"), p("GET", "d"),
	p("BITOP", "or", "d", "a1", "a2", "missing"), p("GET", "d"), p("BITOP", "Xor", "d", "a1", "a2"), p("GET", "d"),
	p("BITOP", "NOT", "d", "a1"), p("GET", "d"), p("BITOP", "AND", "d", "a1"), p("GET", "d"),
	p("EXPIRE", "d", "100"), p("BITOP", "OR", "d", "a2"), p("TTL", "d"),
	p("BITOP", "AND", "d", "missing", "missing2"), p("EXISTS", "d"), p("BITOP", "NOT", "d", "missing"),
	p("BITOP", "AND", "d", "e", "a1"), p("GET", "d"), p("BITOP", "AND", "a1", "a1", "a2"), p("GET", "a1"),
	p("BITOP", "NOT", "d", "a1", "a2"), p("BITOP", "NOT", "d"), p("BITOP", "FOO", "d", "a1"), p("BITOP", "AND", "d"),
	p("BITOP", "DIFF", "d", "a1", "a2"), p("BITOP"),
	// BITFIELD
	p("BITFIELD", "bf", "SET", "i8", "0", "100", "GET", "i8", "0", "INCRBY", "i8", "0", "100"),
	p("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100", "INCRBY", "i8", "0", "-300"),
	p("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "-1", "INCRBY", "u4", "8", "15", "INCRBY", "u4", "8", "1"),
	p("BITFIELD", "bf", "overflow", "wrap", "incrby", "u4", "8", "1", "get", "u4", "8", "GET", "u8", "#1"),
	p("BITFIELD", "bf", "SET", "u8", "#3", "255", "GET", "u32", "0", "GET", "i32", "0", "GET", "i64", "0", "GET", "u63", "1"),
	p("BITFIELD", "bf", "SET", "i64", "64", "-9223372036854775808", "INCRBY", "i64", "64", "-1"),
	p("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "64", "-1", "INCRBY", "i64", "64", "9223372036854775807", "INCRBY", "i64", "64", "9223372036854775807"),
	p("BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "SET", "i8", "0", "200", "SET", "i8", "0", "-9223372036854775808", "GET", "i8", "0"),
	p("BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "u8", "0", "-1", "SET", "i8", "0", "200", "SET", "i8", "0", "-9223372036854775808", "GET", "i8", "0"),
	p("BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i8", "0", "-9223372036854775681", "SET", "i8", "0", "-9223372036854775680", "GET", "i8", "0"),
	p("BITFIELD", "bf", "INCRBY", "u63", "3", "-1", "OVERFLOW", "FAIL", "INCRBY", "u63", "3", "-9223372036854775808"),
	p("BITFIELD", "bf", "SET", "i1", "5", "1", "GET", "i1", "5", "GET", "u1", "5", "SET", "u1", "5", "3"),
	p("GET", "bf"), p("BITFIELD", "bf"), p("BITFIELD", "missing"), p("BITFIELD", "missing", "GET", "u8", "100"),
	p("EXISTS", "missing"), p("BITFIELD", "nf", "OVERFLOW", "FAIL", "SET", "u8", "100", "300"), p("STRLEN", "nf"),
	p("BITFIELD", "nf", "SET", "u8", "100", "0"), p("GET", "nf"),
	p("SET", "t", "v"), p("EXPIRE", "t", "100"), p("BITFIELD", "t", "INCRBY", "u8", "30", "1"), p("TTL", "t"),
	p("BITFIELD", "bf", "GET", "u64", "0"), p("BITFIELD", "bf", "GET", "i65", "0"), p("BITFIELD", "bf", "GET", "i0", "0"),
	p("BITFIELD", "bf", "GET", "u08", "0"), p("BITFIELD", "bf", "GET", "U8", "0"), p("BITFIELD", "bf", "GET", "x8", "0"),
	p("BITFIELD", "bf", "GET", "u", "0"), p("BITFIELD", "bf", "GET", "", "0"),
	p("BITFIELD", "bf", "GET", "u8", "-1"), p("BITFIELD", "bf", "GET", "u8", "#-1"), p("BITFIELD", "bf", "GET", "u8", "#"),
	p("BITFIELD", "bf", "GET", "u8", "x"), p("BITFIELD", "bf", "GET", "u8", "4294967296"), p("BITFIELD", "bf", "GET", "u8", "4294967295"),
	p("BITFIELD", "bf", "GET", "u8", "#536870912"), p("BITFIELD", "bf", "GET", "i64", "#288230376151711744"),
	p("BITFIELD", "bf", "GET", "u8", "#9223372036854775807"),
	p("BITFIELD", "bf", "GET", "u8"), p("BITFIELD", "bf", "SET", "u8", "0"), p("BITFIELD", "bf", "INCRBY", "u8", "0"),
	p("BITFIELD", "bf", "SET", "u8", "0", "x"), p("BITFIELD", "bf", "INCRBY", "u8", "0", "1.5"),
	p("BITFIELD", "bf", "OVERFLOW"), p("BITFIELD", "bf", "OVERFLOW", "FOO"), p("BITFIELD", "bf", "FOO"),
	p("BITFIELD", "bf", "GET", "u8", "0", "SET", "x8", "0", "1"), p("BITFIELD", "bf", "SET", "u8", "0", "1", "GET", "u8"),
	p("BITFIELD"),
	// BITFIELD_RO
	p("BITFIELD_RO", "bf", "GET", "u8", "0", "GET", "i16", "#1"), p("BITFIELD_RO", "bf"), p("BITFIELD_RO", "missing", "GET", "u8", "0"),
	p("BITFIELD_RO", "bf", "SET", "u8", "0", "1"), p("BITFIELD_RO", "bf", "GET", "u8", "0", "INCRBY", "u8", "0", "1"),
	p("BITFIELD_RO", "bf", "OVERFLOW", "SAT"), p("BITFIELD_RO", "bf", "SET", "u8", "0", "1", "GET", "x8", "0"),
	p("BITFIELD_RO", "bf", "GET", "u64", "0"), p("BITFIELD_RO"),
	// LCS
	p("SET", "l1", "ohmytext"), p("SET", "l2", "mynewtext"), p("LCS", "l1", "l2"), p("LCS", "l1", "l2", "LEN"),
	p("LCS", "l1", "l2", "IDX"), p("LCS", "l1", "l2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
	p("LCS", "l1", "l2", "idx", "withmatchlen", "minmatchlen", "-4"), p("LCS", "l1", "l2", "MINMATCHLEN", "4"),
	p("LCS", "l1", "l2", "WITHMATCHLEN"), p("LCS", "l1", "l2", "LEN", "WITHMATCHLEN", "MINMATCHLEN", "2"),
	p("LCS", "l1", "l2", "IDX", "MINMATCHLEN", "1", "MINMATCHLEN", "3"), p("LCS", "l1", "l1", "IDX", "WITHMATCHLEN"),
	p("LCS", "l1", "missing"), p("LCS", "missing", "missing2", "IDX"), p("LCS", "l1", "missing", "LEN"),
	p("SET", "l3", "abcabcabc"), p("SET", "l4", "xbcaxbcax"), p("LCS", "l3", "l4", "IDX", "WITHMATCHLEN"),
	p("LCS", "l1", "l2", "LEN", "IDX"), p("LCS", "l1", "l2", "IDX", "LEN"), p("LCS", "l1", "l2", "MINMATCHLEN"),
	p("LCS", "l1", "l2", "MINMATCHLEN", "x"), p("LCS", "l1", "l2", "FOO"), p("LCS", "l1", "l2", "LEN", "FOO"),
	p("LCS", "l1"), p("LCS"),
	p("CONFIG", "SET", "proto-max-bulk-len", "1048576"), p("SET", "l5", strings.Repeat("a", 600)),
	p("LCS", "l5", "l5", "LEN"), p("LCS", "l5", "l1", "LEN"), p("CONFIG", "SET", "proto-max-bulk-len", "536870912"),
	p("LCS", "l5", "l5", "LEN"),
	// COMMAND INFO
	loose(cmdInfo, "COMMAND", "INFO", "setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro", "lcs"),
}

func init() { addFidelity("bits", bitsProbes...) }

// TestBitsDifferential sends the same seeded random bitmap and LCS commands
// to ringkv and redis-server and compares every reply byte for byte: the
// probes above pick the edges, this walks the space between them.
func TestBitsDifferential(t *testing.T) {
	t.Parallel()
	ref := StartRedisServer(t)
	n := StartNode(t, NodeOptions{})
	rng := rand.New(rand.NewPCG(7, 11))
	probes := []probe{p("FLUSHALL")}
	for range 3000 {
		probes = append(probes, p(randomBitsCommand(rng)...))
	}
	compareSessions(t, 2, n.Addr(), ref, probes)
}

// randomBitsCommand is one command on a few short keys, with indexes and
// values drawn near the edges where the rules change.
func randomBitsCommand(r *rand.Rand) []string {
	keys := []string{"k1", "k2", "k3", "nokey"}
	key := func() string { return keys[r.IntN(len(keys))] }
	idx := func() string { n := []int{3, 10, 70}[r.IntN(3)]; return strconv.Itoa(r.IntN(2*n+1) - n) }
	off := func() string { return strconv.Itoa(r.IntN(80)) }
	unit := func() []string { return [][]string{nil, {"BYTE"}, {"BIT"}}[r.IntN(3)] }
	switch r.IntN(11) {
	case 0:
		v := make([]byte, r.IntN(8))
		for i := range v {
			v[i] = []byte{0, 0xff, 0xff, 0x0f, 0x80, 0x01, byte(r.IntN(256))}[r.IntN(7)]
		}
		return []string{"SET", key(), string(v)}
	case 1:
		return []string{"SETBIT", key(), off(), strconv.Itoa(r.IntN(2))}
	case 2:
		return []string{"GETBIT", key(), off()}
	case 3:
		return append([]string{"BITCOUNT", key(), idx(), idx()}, unit()...)
	case 4:
		args := []string{"BITPOS", key(), strconv.Itoa(r.IntN(2))}
		switch r.IntN(3) {
		case 1:
			args = append(args, idx())
		case 2:
			args = append(append(args, idx(), idx()), unit()...)
		}
		return args
	case 5:
		op := []string{"AND", "OR", "XOR", "NOT"}[r.IntN(4)]
		if op == "NOT" {
			return []string{"BITOP", op, key(), key()}
		}
		return []string{"BITOP", op, key(), key(), key(), key()}
	case 6, 7:
		return randomBitfield(r, key(), false)
	case 8:
		return randomBitfield(r, key(), true)
	case 9:
		args := []string{"LCS", key(), key()}
		for _, o := range []string{"IDX", "WITHMATCHLEN", "LEN"} {
			if r.IntN(3) == 0 {
				args = append(args, o)
			}
		}
		if r.IntN(3) == 0 {
			args = append(args, "MINMATCHLEN", strconv.Itoa(r.IntN(4)))
		}
		return args
	}
	return []string{"GET", key()}
}

// randomBitfield is a BITFIELD (or, ro, BITFIELD_RO) of up to four
// operations over random types, offsets, values and overflow modes.
func randomBitfield(r *rand.Rand, key string, ro bool) []string {
	args := []string{"BITFIELD", key}
	if ro {
		args[0] = "BITFIELD_RO"
	}
	vals := []int64{0, 1, -1, 127, 128, -128, 255, 256, 1 << 62, -1 << 63, 1<<63 - 1}
	for range 1 + r.IntN(4) {
		typ := fmt.Sprintf("i%d", 1+r.IntN(64))
		if r.IntN(2) == 0 {
			typ = fmt.Sprintf("u%d", 1+r.IntN(63))
		}
		at := strconv.Itoa(r.IntN(40))
		if r.IntN(4) == 0 {
			at = "#" + strconv.Itoa(r.IntN(4))
		}
		v := strconv.FormatInt(vals[r.IntN(len(vals))]+int64(r.IntN(3)-1), 10)
		switch r.IntN(5) {
		case 0:
			args = append(args, "OVERFLOW", []string{"WRAP", "SAT", "FAIL"}[r.IntN(3)])
		case 1:
			args = append(args, "SET", typ, at, v)
		case 2:
			args = append(args, "INCRBY", typ, at, v)
		default:
			args = append(args, "GET", typ, at)
		}
	}
	return args
}
