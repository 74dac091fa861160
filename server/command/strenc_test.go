package command

import (
	"regexp"
	"testing"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// A string's encoding follows how it was last written, as Redis 7.0's:
// in-place modifications make it raw, a whole write picks by content.
func TestStringEncodingAfterWrites(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SET a abc
		OK
		> APPEND a d
		(integer) 4
		> OBJECT ENCODING a
		"raw"
		> EXPIRE a 100
		(integer) 1
		> OBJECT ENCODING a
		"raw"
		> COPY a a2
		(integer) 1
		> OBJECT ENCODING a2
		"raw"
		> RENAME a2 a3
		OK
		> OBJECT ENCODING a3
		"raw"
		> SET a abc
		OK
		> OBJECT ENCODING a
		"embstr"
		> APPEND n 12
		(integer) 2
		> OBJECT ENCODING n
		"int"
		> APPEND n 3
		(integer) 3
		> OBJECT ENCODING n
		"raw"
		> INCR n
		(integer) 124
		> OBJECT ENCODING n
		"int"
		> SET i 10
		OK
		> SETRANGE i 0 ""
		(integer) 2
		> OBJECT ENCODING i
		"int"
		> SETRANGE i 0 2
		(integer) 2
		> OBJECT ENCODING i
		"raw"
		> SETRANGE fresh 0 ""
		(integer) 0
		> EXISTS fresh
		(integer) 0
		> SET b a
		OK
		> SETBIT b 1 1
		(integer) 1
		> OBJECT ENCODING b
		"raw"
		> SETBIT nb 0 0
		(integer) 0
		> OBJECT ENCODING nb
		"raw"
		> SET bf 7
		OK
		> BITFIELD_RO bf GET u8 0
		1) (integer) 55
		> OBJECT ENCODING bf
		"int"
		> BITFIELD bf SET u8 0 55
		1) (integer) 55
		> OBJECT ENCODING bf
		"raw"
		> SET fl 2
		OK
		> INCRBYFLOAT fl 1
		"3"
		> OBJECT ENCODING fl
		"embstr"
		> BITOP OR d1 fl fl
		(integer) 1
		> OBJECT ENCODING d1
		"raw"
		> PFADD h x
		(integer) 1
		> OBJECT ENCODING h
		"raw"
	`)
	r := f.do("DEBUG", "OBJECT", "b")
	if !regexp.MustCompile(` encoding:raw `).MatchString(r.Str) {
		t.Fatalf("DEBUG OBJECT b = %q, want encoding:raw", r.Str)
	}
}

// Concurrent siblings keep their own marks: the winner's is the answer.
func TestStrEncodingOfWinner(t *testing.T) {
	set := version.Set{
		{Dot: version.Dot{Node: "a", Counter: 1}, Value: []byte("12"), Enc: version.StrEncRaw, Time: 5},
		{Dot: version.Dot{Node: "b", Counter: 1}, Value: []byte("12"), Time: 4},
	}
	for _, tc := range []struct {
		set  version.Set
		want string
	}{{set, "raw"}, {set[1:], "int"}, {set[:1], "raw"}} {
		v, ok := crdt.Resolve(tc.set, 10)
		if !ok {
			t.Fatal("no live value")
		}
		if got := strEncoding(v); got != tc.want {
			t.Errorf("encoding of %+v = %s, want %s", tc.set, got, tc.want)
		}
	}
	long := crdt.Value{Bytes: make([]byte, 45), Winner: &version.Sibling{Enc: version.StrEncString}}
	if got := strEncoding(long); got != "raw" {
		t.Errorf("a 45-byte built string is %s, want raw", got)
	}
}
