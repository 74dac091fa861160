package command

import (
	"fmt"
	"testing"
)

func TestKeys(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> MSET a 1 b 2 c 3
		OK
		> DEL a a nope b
		(integer) 2
		> DEL
		(error) ERR wrong number of arguments for 'del' command
		> UNLINK c
		(integer) 1
		> SET a 1
		OK
		> EXISTS a a nope
		(integer) 2
		> TOUCH a a nope
		(integer) 2
		> TOUCH
		(error) ERR wrong number of arguments for 'touch' command
		> TYPE a
		string
		> TYPE nope
		none
		> RENAME nope x
		(error) ERR no such key
		> RENAMENX nope x
		(error) ERR no such key
		> SET a v EX 100
		OK
		> RENAME a b
		OK
		> GET a
		(nil)
		> GET b
		"v"
		> TTL b
		(integer) 100
		> RENAME b b
		OK
		> RENAMENX b b
		(integer) 0
		> SET c 3
		OK
		> RENAMENX b c
		(integer) 0
		> RENAMENX b d
		(integer) 1
		> COPY d e
		(integer) 1
		> COPY d e
		(integer) 0
		> COPY c e REPLACE
		(integer) 1
		> GET e
		"3"
		> COPY d d
		(error) ERR source and destination objects are the same
		> COPY nope x
		(integer) 0
		> COPY d x DB 1
		(error) ERR DB index is out of range
		> COPY d x DB zero
		(error) ERR value is not an integer or out of range
		> COPY d x DB 0
		(integer) 1
		> COPY d x FOO
		(error) ERR syntax error
		> COPY d x DB
		(error) ERR syntax error
		> FLUSHDB
		OK
		> DBSIZE
		(integer) 0
		> RANDOMKEY
		(nil)
		> SET only 1
		OK
		> RANDOMKEY
		"only"
		> DEL only
		(integer) 1
		> RANDOMKEY
		(nil)
	`)
}

func TestKeysPattern(t *testing.T) {
	f := newFixture(t)
	f.do("MSET", "hello", "1", "hallo", "1", "hxllo", "1", "hllo", "1", "heeeello", "1", "h[llo", "1")
	for _, c := range []struct {
		pat  string
		want int
	}{{"*", 6}, {"h?llo", 4}, {"h*llo", 6}, {"h[ae]llo", 2}, {"h[^e]llo", 3},
		{"h[a-b]llo", 1}, {"h[b-a]llo", 1}, {`h\[llo`, 1}, {"nomatch", 0}} {
		r := f.do("KEYS", c.pat)
		if len(r.Elems) != c.want {
			t.Errorf("KEYS %s: got %s, want %d keys", c.pat, r, c.want)
		}
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		pat, s string
		nocase bool
		want   bool
	}{
		{"*", "", false, false}, {"", "", false, true}, {"a", "", false, false},
		{"a*", "abc", false, true}, {"*c", "abc", false, true}, {"a*b*c", "aXbYc", false, true},
		{"a?c", "abc", false, true}, {"a?c", "ac", false, false},
		{"[abc]", "b", false, true}, {"[^abc]", "b", false, false}, {"[^abc]", "d", false, true},
		{"[a-c]x", "bx", false, true}, {"[c-a]x", "bx", false, true}, {"[a-c]", "d", false, false},
		{`\*`, "*", false, true}, {`\*`, "a", false, false}, {`[\]]`, "]", false, true},
		{"[abc", "c", false, true}, {"[abc", "d", false, false},
		{"HELLO", "hello", true, true}, {"HELLO", "hello", false, false}, {"[A-C]", "b", true, true},
		{"a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false},
		{"*max*", "maxclients", true, true}, {"a**", "a", false, true},
	} {
		if got := globMatch([]byte(c.pat), []byte(c.s), c.nocase); got != c.want {
			t.Errorf("globMatch(%q, %q, %v) = %v, want %v", c.pat, c.s, c.nocase, got, c.want)
		}
	}
}

func TestScan(t *testing.T) {
	f := newFixture(t)
	for i := range 100 {
		f.do("SET", fmt.Sprintf("key:%d", i), "v")
	}
	for i := range 50 {
		f.do("DEL", fmt.Sprintf("key:%d", i))
	}
	seen := map[string]bool{}
	cursor, calls := "0", 0
	for {
		r := f.do("SCAN", cursor, "COUNT", "5")
		if r.IsError() || len(r.Elems) != 2 {
			t.Fatalf("SCAN: %s", r)
		}
		if n := len(r.Elems[1].Elems); n > 5 {
			t.Fatalf("SCAN COUNT 5 returned %d keys", n)
		}
		for _, k := range r.Elems[1].Elems {
			seen[k.Text()] = true
		}
		calls++
		if cursor = r.Elems[0].Text(); cursor == "0" {
			break
		}
	}
	if len(seen) != 50 || calls < 10 {
		t.Errorf("SCAN saw %d keys in %d calls, want 50 in >= 10", len(seen), calls)
	}
	// A sparse keyspace: the visit budget ends a call with zero matches.
	r := f.do("SCAN", "0", "MATCH", "nothing*", "COUNT", "1")
	if r.Elems[0].Text() == "0" || len(r.Elems[1].Elems) != 0 {
		t.Errorf("SCAN with no matches: %s", r)
	}
	f.script(`
		> SCAN 0 MATCH key:99 COUNT 1000
		1) "0"
		2) 1) "key:99"
		> SCAN 0 TYPE hash COUNT 1000
		1) "0"
		2) (empty array)
		> SCAN x
		(error) ERR invalid cursor
		> SCAN " 1"
		(error) ERR invalid cursor
		> SCAN 0 COUNT 0
		(error) ERR syntax error
		> SCAN 0 COUNT x
		(error) ERR value is not an integer or out of range
		> SCAN 0 MATCH
		(error) ERR syntax error
		> SCAN 0 FOO bar
		(error) ERR syntax error
	`)
}

func TestExpire(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> EXPIRE nope 10
		(integer) 0
		> TTL nope
		(integer) -2
		> PTTL nope
		(integer) -2
		> EXPIRETIME nope
		(integer) -2
		> SET k v
		OK
		> TTL k
		(integer) -1
		> EXPIRETIME k
		(integer) -1
		> EXPIRE k 100
		(integer) 1
		> TTL k
		(integer) 100
		> PTTL k
		(integer) 100000
		> EXPIRETIME k
		(integer) 1700000100
		> PEXPIRETIME k
		(integer) 1700000100000
		!advance 400
		> TTL k
		(integer) 100
		!advance 200
		> TTL k
		(integer) 99
		> EXPIRE k 50 NX
		(integer) 0
		> EXPIRE k 50 XX
		(integer) 1
		> EXPIRE k 10 GT
		(integer) 0
		> EXPIRE k 60 GT
		(integer) 1
		> EXPIRE k 70 LT
		(integer) 0
		> EXPIRE k 5 LT
		(integer) 1
		> PERSIST k
		(integer) 1
		> PERSIST k
		(integer) 0
		> EXPIRE k 10 XX
		(integer) 0
		> EXPIRE k 10 GT
		(integer) 0
		> EXPIRE k 10 LT
		(integer) 1
		> PERSIST k
		(integer) 1
		> EXPIRE k 10 NX
		(integer) 1
		> EXPIRE k 10 NX XX
		(error) ERR NX and XX, GT or LT options at the same time are not compatible
		> EXPIRE k 10 GT LT
		(error) ERR GT and LT options at the same time are not compatible
		> EXPIRE k 10 FOO
		(error) ERR Unsupported option FOO
		> EXPIRE k ten
		(error) ERR value is not an integer or out of range
		> EXPIRE k 9223372036854775807
		(error) ERR invalid expire time in 'expire' command
		> PEXPIRE k 9223372036854775807
		(error) ERR invalid expire time in 'pexpire' command
		> EXPIREAT k 1800000000
		(integer) 1
		> EXPIRETIME k
		(integer) 1800000000
		> PEXPIREAT k 1700000500000
		(integer) 1
		> PTTL k
		(integer) 499400
		> EXPIRE k
		(error) ERR wrong number of arguments for 'expire' command
		> EXPIRE k -1
		(integer) 1
		> EXISTS k
		(integer) 0
		> SET k v
		OK
		> EXPIREAT k 1
		(integer) 1
		> GET k
		(nil)
		> SET k v PX 100
		OK
		!advance 100
		> GET k
		(nil)
		> TTL k
		(integer) -2
		> PERSIST k
		(integer) 0
	`)
}

// TestLimitsKeys: the extremes of cursors, expire times and DB numbers
// answer as Redis 7.0 does (each line checked against redis-server).
func TestLimitsKeys(t *testing.T) {
	f := newFixture(t)
	f.script(`
		# SCAN parses its cursor with strtoul: a sign, leading zeros and
		# the empty string are accepted, a negative wraps around.
		> SCAN ""
		1) "0"
		2) (empty array)
		> SCAN +0
		1) "0"
		2) (empty array)
		> SCAN -0
		1) "0"
		2) (empty array)
		> SCAN 00
		1) "0"
		2) (empty array)
		> SCAN -18446744073709551616
		(error) ERR invalid cursor
		> SCAN 18446744073709551616
		(error) ERR invalid cursor
		> SCAN -
		(error) ERR invalid cursor
		> SCAN "1 "
		(error) ERR invalid cursor
		> SCAN "\t1"
		(error) ERR invalid cursor
		> SCAN 0 COUNT 9223372036854775807
		1) "0"
		2) (empty array)
		> SCAN 0 COUNT 9223372036854775808
		(error) ERR value is not an integer or out of range
		> SCAN 0 COUNT -9223372036854775808
		(error) ERR syntax error
		# EXPIRETIME rounds to the nearest second, as TTL does.
		> SET k v
		OK
		> PEXPIREAT k 4000000000500
		(integer) 1
		> EXPIRETIME k
		(integer) 4000000001
		> PEXPIREAT k 4000000000499
		(integer) 1
		> EXPIRETIME k
		(integer) 4000000000
		> PEXPIREAT k 9223372036854775807
		(integer) 1
		> EXPIRETIME k
		(integer) 9223372036854776
		> PEXPIRETIME k
		(integer) 9223372036854775807
		> EXPIREAT k 9223372036854775807
		(error) ERR invalid expire time in 'expireat' command
		> EXPIREAT k 9223372036854775
		(integer) 1
		> EXPIRE k 9223372036854775
		(error) ERR invalid expire time in 'expire' command
		> EXPIRE k -9223372036854775808
		(error) ERR invalid expire time in 'expire' command
		> PEXPIRE k 9223372036854775807
		(error) ERR invalid expire time in 'pexpire' command
		> PEXPIRE k -9223372036854775808
		(integer) 1
		> EXISTS k
		(integer) 0
		# COPY's DB is an int: out of int range is its own error.
		> COPY a b DB 9223372036854775807
		(error) ERR value is out of range, value must between -2147483648 and 2147483647
		> COPY a b DB 2147483648
		(error) ERR value is out of range, value must between -2147483648 and 2147483647
		> COPY a b DB 99999999999999999999
		(error) ERR value is not an integer or out of range
		> COPY a b DB -1
		(error) ERR DB index is out of range
	`)
}
