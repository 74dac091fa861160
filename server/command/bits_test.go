package command

import (
	"errors"
	"strings"
	"testing"
)

func TestSetbitGetbit(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SETBIT b 7 1
		(integer) 0
		> SETBIT b 7 1
		(integer) 1
		> GET b
		"\x01"
		> SETBIT b 7 0
		(integer) 1
		> SETBIT b 17 1
		(integer) 0
		> GET b
		"\x00\x00@"
		> GETBIT b 17
		(integer) 1
		> GETBIT b 16
		(integer) 0
		> GETBIT b 1000
		(integer) 0
		> GETBIT missing 0
		(integer) 0
		> SETBIT b -1 1
		(error) ERR bit offset is not an integer or out of range
		> SETBIT b #1 1
		(error) ERR bit offset is not an integer or out of range
		> SETBIT b 4294967296 1
		(error) ERR bit offset is not an integer or out of range
		> SETBIT b 4294967296 x
		(error) ERR bit offset is not an integer or out of range
		> SETBIT b 1 2
		(error) ERR bit is not an integer or out of range
		> SETBIT b 1 -1
		(error) ERR bit is not an integer or out of range
		> SETBIT b 1 01
		(error) ERR bit is not an integer or out of range
		> GETBIT b x
		(error) ERR bit offset is not an integer or out of range
		> GETBIT b 4294967296
		(error) ERR bit offset is not an integer or out of range
		> SETBIT b 1
		(error) ERR wrong number of arguments for 'setbit' command
		# SETBIT keeps the key's expiry
		> SET t v
		OK
		> EXPIRE t 100
		(integer) 1
		> SETBIT t 30 1
		(integer) 0
		> TTL t
		(integer) 100
		> GET t
		"v\x00\x00\x02"
	`)
}

func TestSetbitLimitFollowsProtoMaxBulkLen(t *testing.T) {
	f := newFixture(t, func(p *Params) { p.ProtoMaxBulkLen = 1 << 20 })
	f.script(`
		> SETBIT big 8388608 1
		(error) ERR bit offset is not an integer or out of range
		> GETBIT big 8388608
		(error) ERR bit offset is not an integer or out of range
		> SETBIT big 8388607 1
		(integer) 0
		> STRLEN big
		(integer) 1048576
	`)
}

func TestSetbitUnchangedWritesNothing(t *testing.T) {
	f := newFixture(t)
	f.do("SETBIT", "b", "3", "1")
	before := f.do("VGET", "b").String()
	if r := f.do("SETBIT", "b", "3", "1"); r.String() != "(integer) 1" {
		t.Fatalf("SETBIT = %s", r)
	}
	if after := f.do("VGET", "b").String(); after != before {
		t.Errorf("SETBIT of an unchanged bit wrote: %s -> %s", before, after)
	}
	if r := f.do("SETBIT", "b", "3", "0"); r.String() != "(integer) 1" {
		t.Fatalf("SETBIT = %s", r)
	}
	if after := f.do("VGET", "b").String(); after == before {
		t.Error("SETBIT that cleared a bit wrote nothing")
	}
}

func TestBitcountBitpos(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SET s foobar
		OK
		> BITCOUNT s
		(integer) 26
		> BITCOUNT s 1 1
		(integer) 6
		> BITCOUNT s 5 30 BIT
		(integer) 17
		> BITCOUNT s 0 -1 bit
		(integer) 26
		> BITCOUNT s -1 -2 FOO
		(integer) 0
		> BITCOUNT s -100 -200
		(integer) 0
		> BITCOUNT s 0 1 FOO
		(error) ERR syntax error
		> BITCOUNT s 0
		(error) ERR syntax error
		> BITCOUNT s a 1
		(error) ERR value is not an integer or out of range
		> BITCOUNT missing x
		(integer) 0
		> SET f "\xff\xf0\x00"
		OK
		> BITPOS f 0
		(integer) 12
		> BITPOS f 1 2
		(integer) -1
		> BITPOS f 0 5 9 BIT
		(integer) -1
		> BITPOS f 0 7 12 BIT
		(integer) 12
		> BITPOS f 1 -100 -200
		(integer) 0
		> SET ones "\xff\xff"
		OK
		> BITPOS ones 0
		(integer) 16
		> BITPOS ones 0 1
		(integer) 16
		> BITPOS ones 0 0 -1
		(integer) -1
		> BITPOS ones 0 5
		(integer) -1
		> BITPOS missing 0
		(integer) 0
		> BITPOS missing 1 x
		(integer) -1
		> BITPOS missing 2
		(error) ERR The bit argument must be 1 or 0.
		> BITPOS f x
		(error) ERR value is not an integer or out of range
		> BITPOS f 1 0 x FOO
		(error) ERR syntax error
		> BITPOS f 1 x 1 FOO
		(error) ERR value is not an integer or out of range
		> BITPOS f 1 0 1 BIT x
		(error) ERR syntax error
		> SET e ""
		OK
		> BITPOS e 0
		(integer) -1
		> BITCOUNT e
		(integer) 0
	`)
}

func TestBitop(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SET a "abc"
		OK
		> SET b "\x0f\xf0"
		OK
		> BITOP AND d a b
		(integer) 3
		> GET d
		"\x01` + "`" + `\x00"
		> BITOP or d a b missing
		(integer) 3
		> GET d
		"o\xf2c"
		> BITOP XOR d a b
		(integer) 3
		> BITOP NOT d b
		(integer) 2
		> GET d
		"\xf0\x0f"
		# the destination loses its expiry, and is deleted by an empty result
		> EXPIRE d 100
		(integer) 1
		> BITOP OR d b
		(integer) 2
		> TTL d
		(integer) -1
		> BITOP AND d missing missing2
		(integer) 0
		> EXISTS d
		(integer) 0
		> BITOP NOT d a b
		(error) ERR BITOP NOT must be called with a single source key.
		> BITOP DIFF d a b
		(error) ERR syntax error
		> BITOP AND d
		(error) ERR wrong number of arguments for 'bitop' command
	`)
}

func TestBitfield(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> BITFIELD bf SET i8 0 100 GET i8 0 INCRBY i8 0 100
		1) (integer) 0
		2) (integer) 100
		3) (integer) -56
		> BITFIELD bf OVERFLOW SAT INCRBY i8 0 -100 OVERFLOW FAIL INCRBY i8 0 -1 GET u8 #0
		1) (integer) -128
		2) (nil)
		3) (integer) 128
		> BITFIELD bf OVERFLOW SAT SET i8 0 -9223372036854775808 GET i8 0
		1) (integer) -128
		2) (integer) 127
		> BITFIELD bf
		(empty array)
		> BITFIELD_RO bf GET i16 0 GET u4 #1
		1) (integer) 32512
		2) (integer) 15
		> BITFIELD_RO bf SET u8 0 1
		(error) ERR BITFIELD_RO only supports the GET subcommand
		> BITFIELD_RO bf SET u8 0 1 GET x8 0
		(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.
		> BITFIELD bf GET u64 0
		(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.
		> BITFIELD bf GET u8 #-1
		(error) ERR bit offset is not an integer or out of range
		> BITFIELD bf OVERFLOW FOO
		(error) ERR Invalid OVERFLOW type specified
		> BITFIELD bf SET u8 0
		(error) ERR syntax error
		> BITFIELD bf SET u8 0 x
		(error) ERR value is not an integer or out of range
		# a refused write still pads the string, as in Redis
		> BITFIELD nf OVERFLOW FAIL SET u8 100 300
		1) (nil)
		> STRLEN nf
		(integer) 14
		> BITFIELD_RO missing GET u8 0
		1) (integer) 0
		> EXISTS missing
		(integer) 0
		> SET t v
		OK
		> EXPIRE t 100
		(integer) 1
		> BITFIELD t INCRBY u8 30 1
		1) (integer) 1
		> TTL t
		(integer) 100
	`)
}

func TestBitsKVErrors(t *testing.T) {
	f := newFixture(t)
	f.kv.err = errors.New("boom")
	for _, cmd := range [][]string{
		{"SETBIT", "k", "1", "1"}, {"GETBIT", "k", "1"}, {"BITCOUNT", "k"}, {"BITPOS", "k", "1"},
		{"BITOP", "AND", "d", "k"}, {"BITFIELD", "k", "SET", "u8", "0", "1"}, {"BITFIELD_RO", "k", "GET", "u8", "0"},
		{"LCS", "a", "b"},
	} {
		if r := f.do(cmd...); r.String() != "(error) ERR boom" {
			t.Errorf("%q with a failing KV: %s", cmd, r)
		}
	}
}

// FuzzBitCommands drives the bitmap commands and LCS with arbitrary
// arguments (offsets bounded by a 1 MiB proto-max-bulk-len): none panics,
// and every error is one of Redis's texts for these commands.
func FuzzBitCommands(f *testing.F) {
	for _, seed := range []string{
		"SETBIT k 7 1", "GETBIT k 8388607", "BITCOUNT k -9223372036854775808 9223372036854775807 BIT",
		"BITPOS k 0 -9223372036854775808 9223372036854775807 BIT", "BITOP NOT d k",
		"BITFIELD k OVERFLOW SAT INCRBY i64 #131071 -9223372036854775808 GET u63 8388544",
		"BITFIELD_RO k GET i64 #-1", "LCS k k IDX MINMATCHLEN -9223372036854775808 WITHMATCHLEN",
	} {
		f.Add(seed)
	}
	fx := newFixture(&testing.T{}, func(p *Params) { p.ProtoMaxBulkLen = 1 << 20 })
	fx.do("SET", "k", "\xff\x00foobar")
	names := []string{"SETBIT", "GETBIT", "BITCOUNT", "BITPOS", "BITOP", "BITFIELD", "BITFIELD_RO", "LCS"}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		if len(args) == 0 {
			return
		}
		args[0] = names[int(args[0][0])%len(names)]
		r := fx.do(args...)
		if r.IsError() && !knownBitErrors[r.Str] && !strings.HasPrefix(r.Str, "ERR wrong number of arguments") {
			t.Fatalf("%q: unexpected error %q", args, r.Str)
		}
	})
}

// knownBitErrors are the error replies the bitmap commands and LCS give.
var knownBitErrors = map[string]bool{
	errSyntax.Str: true, errNotInteger.Str: true, errBitOffset.Str: true, errBitValue.Str: true,
	errBitArg.Str: true, errBitopNot.Str: true, errBfType.Str: true, errBfOverflow.Str: true, errBfRO.Str: true,
	"ERR If you want both the length and indexes, please just use IDX.":            true,
	"ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len": true,
}
