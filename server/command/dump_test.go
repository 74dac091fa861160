package command

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/rdb"
)

// dumpHex is DUMP's payload of key as hex, for script lines.
func (f *fixture) dumpHex(key string) string {
	f.t.Helper()
	r := f.do("DUMP", key)
	if r.IsError() {
		f.t.Fatalf("DUMP %s: %v", key, r)
	}
	return hex.EncodeToString(r.Bytes)
}

// restoreHex runs RESTORE with a hex payload.
func (f *fixture) restoreHex(key, ttl, payload string, opts ...string) string {
	f.t.Helper()
	p, err := hex.DecodeString(payload)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.do(append([]string{"RESTORE", key, ttl, string(p)}, opts...)...).String()
}

func TestDumpStrings(t *testing.T) {
	f := newFixture(t)
	f.script(`
> SET s hello
OK
> SET n 12345
OK
> INCRBY c -70000
(integer) -70000
> DUMP nokey
(nil)
`)
	// Byte for byte what redis-server 7.0.15 dumps for the same values.
	for key, want := range map[string]string{
		"s": "000568656c6c6f0a006372df766534200a",
		"n": "00c139300a009d94ea2793fc08b9",
		"c": "00c290eefeff0a002875de7b13eb2800",
	} {
		if got := f.dumpHex(key); got != want {
			t.Errorf("DUMP %s = %s, want %s", key, got, want)
		}
	}
}

func TestRestoreStrings(t *testing.T) {
	f := newFixture(t)
	lzf := "00c3092f016161e022000161610a002660805b8e3a583d" // redis-server's, LZF-compressed
	if got := f.restoreHex("k", "0", lzf); got != "OK" {
		t.Fatalf("RESTORE: %s", got)
	}
	f.script(`
> GET k
"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
> TTL k
(integer) -1
`)
	for _, c := range []struct{ key, ttl, payload, want string }{
		{"k", "0", lzf, "(error) BUSYKEY Target key name already exists."},
		{"k2", "x", lzf, "(error) ERR value is not an integer or out of range"},
		{"k2", "-1", lzf, "(error) ERR Invalid TTL value, must be >= 0"},
		{"k2", "0", lzf[:len(lzf)-2] + "00", "(error) ERR DUMP payload version or checksum are wrong"},
		{"k2", "0", "00", "(error) ERR DUMP payload version or checksum are wrong"},
		{"k2", "0", hex.EncodeToString(rdb.Seal([]byte{15, 0})), "(error) ERR Bad data format"},
	} {
		if got := f.restoreHex(c.key, c.ttl, c.payload); got != c.want {
			t.Errorf("RESTORE %s %s: %s, want %s", c.key, c.ttl, got, c.want)
		}
	}
	// BUSYKEY comes before the TTL check, as in Redis.
	if got := f.restoreHex("k", "-1", "00"); got != "(error) BUSYKEY Target key name already exists." {
		t.Errorf("got %s", got)
	}
	if got := f.restoreHex("k", "5000", f.dumpHex("k"), "REPLACE"); got != "OK" {
		t.Fatal(got)
	}
	f.script(`
> PTTL k
(integer) 5000
> RESTORE k 0 x IDLETIME -1
(error) ERR Invalid IDLETIME value, must be >= 0
> RESTORE k 0 x FREQ 256
(error) ERR Invalid FREQ value, must be >= 0 and <= 255
> RESTORE k 0 x FREQ 1 IDLETIME 1
(error) ERR syntax error
> RESTORE k 0 x IDLETIME
(error) ERR syntax error
> RESTORE k 0 x REPLACE FREQ x
(error) ERR value is not an integer or out of range
`)
	now := f.kv.Now()
	if got := f.restoreHex("k", fmt.Sprint(now+9000), f.dumpHex("k"), "REPLACE", "ABSTTL", "IDLETIME", "10"); got != "OK" {
		t.Fatal(got)
	}
	f.script(`
> PTTL k
(integer) 9000
`)
	// An expired absolute TTL stores nothing, and with REPLACE deletes.
	if got := f.restoreHex("k", "1", f.dumpHex("k"), "REPLACE", "ABSTTL"); got != "OK" {
		t.Fatal(got)
	}
	f.script(`
> EXISTS k
(integer) 0
`)
}

func TestDumpRestoreHash(t *testing.T) {
	f := newFixture(t)
	f.script(`
> HSET h a 1 b xyz
(integer) 2
`)
	// redis-server's listpack for the same hash.
	if got, want := f.dumpHex("h"), "101414000000040081610201018162028378797a04ff0a002e2c226e653d1fc4"; got != want {
		t.Errorf("DUMP h = %s, want %s", got, want)
	}
	if got := f.restoreHex("h2", "0", f.dumpHex("h")); got != "OK" {
		t.Fatal(got)
	}
	f.script(`
> HGETALL h2
1# "a" => "1"
2# "b" => "xyz"
> TYPE h2
hash
`)
	// A hash over the listpack limits (hash-max-listpack-entries 512) is a
	// plain RDB hash, both ways.
	for i := range 600 {
		f.do("HSET", "big", fmt.Sprint("f", i), fmt.Sprint(i))
	}
	p := f.dumpHex("big")
	if p[:2] != "04" {
		t.Errorf("big hash dumped as type %s", p[:2])
	}
	if got := f.restoreHex("big", "0", p, "REPLACE"); got != "OK" {
		t.Fatal(got)
	}
	f.script(`
> HLEN big
(integer) 600
> HGET big f599
"599"
`)
	// A type that ringkv does not have yet is refused, not half written.
	f.script(`
> SET s x
OK
`)
	if got := f.restoreHex("s", "0", f.dumpHex("h"), "REPLACE"); got != "OK" {
		t.Fatal(got)
	}
	f.script(`
> TYPE s
hash
`)
}

// TestRestoreInTransaction runs RESTORE queued in MULTI: it runs inside
// EXEC's exclusive section without taking the gate again.
func TestRestoreInTransaction(t *testing.T) {
	f := newFixture(t)
	f.script(`
> HSET h f v
(integer) 1
`)
	p := f.dumpHex("h")
	f.do("MULTI")
	f.restoreHex("h2", "0", p)
	f.script(`
> EXEC
1) OK
> HGET h2 f
"v"
`)
}

func TestDumpRestoreSet(t *testing.T) {
	f := newFixture(t)
	f.script(`
> SADD i 3 1 2
(integer) 3
> SADD s b a
(integer) 2
`)
	// redis-server's intset for the same set.
	if got, want := f.dumpHex("i"), "0b0e02000000030000000100020003000a00a5025ce26d6e4d1b"; got != want {
		t.Errorf("DUMP i = %s, want %s", got, want)
	}
	// redis-server's plain set (members in its hash table's order).
	if got := f.restoreHex("s2", "0", "0202016201610a0075d99d835ef85f65"); got != "OK" {
		t.Fatal(got)
	}
	if got := f.restoreHex("i2", "0", f.dumpHex("i")); got != "OK" {
		t.Fatal(got)
	}
	if got := f.restoreHex("s3", "0", f.dumpHex("s")); got != "OK" {
		t.Fatal(got)
	}
	f.script(`
> SMEMBERS s2
1~ "a"
2~ "b"
> SMEMBERS s3
1~ "a"
2~ "b"
> SMEMBERS i2
1~ "1"
2~ "2"
3~ "3"
`)
}

func TestDumpRestoreList(t *testing.T) {
	f := newFixture(t)
	f.script(`
> RPUSH l a b 1
(integer) 3
`)
	// redis-server's quicklist for the same list.
	if got, want := f.dumpHex("l"), "1201020f0f00000003008161028162020101ff0a00e01bab4a47ce5922"; got != want {
		t.Errorf("DUMP l = %s, want %s", got, want)
	}
	// redis-server's, with an LZF-compressed node.
	l2 := "120102c33640931f930000000800dfff02c0c802f178ec03f2409c0004f3c0ab76ff05f3009435770d05f40090cd792f08000009e06478e05a000166ff0a007c66b2ce78d54259"
	if got := f.restoreHex("l2", "0", l2); got != "OK" {
		t.Fatal(got)
	}
	f.script(`
> LRANGE l2 0 -1
1) "-1"
2) "200"
3) "-5000"
4) "40000"
5) "-9000000"
6) "2000000000"
7) "9000000000000"
8) "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
`)
	// A list over one 8 KB node makes several, and comes back whole.
	for i := range 2000 {
		f.do("RPUSH", "big", fmt.Sprint("element-", i))
	}
	p := f.dumpHex("big")
	if got := f.restoreHex("big", "0", p, "REPLACE"); got != "OK" {
		t.Fatal(got)
	}
	f.script(`
> LLEN big
(integer) 2000
> LINDEX big 1999
"element-1999"
> LINDEX big 0
"element-0"
`)
}

func TestReplyBytesOfRawScalars(t *testing.T) {
	for raw, want := range map[string]string{",1.5\r\n": "1.5", "$3\r\nabc\r\n": "abc", ":7\r\n": "7", ",-inf\r\n": "-inf"} {
		if got := string(replyBytes(resp.Raw([]byte(raw)))); got != want {
			t.Errorf("%q: %q, want %q", raw, got, want)
		}
	}
}
