package command

import (
	"regexp"
	"strings"
	"testing"
)

func TestObject(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> SET int 123
		OK
		> SET big 12345
		OK
		> SET emb hello
		OK
		> SET raw xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
		OK
		> SET negzero -0
		OK
		> SET huge 99999999999999999999
		OK
		> OBJECT ENCODING int
		"int"
		> OBJECT ENCODING big
		"int"
		> OBJECT ENCODING emb
		"embstr"
		> OBJECT ENCODING raw
		"raw"
		> OBJECT ENCODING negzero
		"embstr"
		> OBJECT ENCODING huge
		"embstr"
		> OBJECT ENCODING missing
		(nil)
		> OBJECT REFCOUNT int
		(integer) 2147483647
		> OBJECT REFCOUNT big
		(integer) 1
		> OBJECT REFCOUNT emb
		(integer) 1
		> OBJECT REFCOUNT missing
		(nil)
		> OBJECT FREQ missing
		(nil)
		> OBJECT FREQ int
		(error) ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.
		> OBJECT IDLETIME int
		(integer) 0
		!advance 5500
		> GET int
		"123"
		> OBJECT IDLETIME int
		(integer) 5
		> OBJECT IDLETIME missing
		(nil)
		> OBJECT FOO int
		(error) ERR unknown subcommand 'FOO'. Try OBJECT HELP.
		> OBJECT ENCODING
		(error) ERR wrong number of arguments for 'object|encoding' command
		> OBJECT
		(error) ERR wrong number of arguments for 'object' command
	`)
	if h := f.do("OBJECT", "HELP"); len(h.Elems) != 15 || !strings.HasPrefix(h.Elems[0].Str, "OBJECT <subcommand>") {
		t.Errorf("OBJECT HELP: %s", h)
	}
}

func TestStringEncodingRules(t *testing.T) {
	for v, want := range map[string]string{
		"0": "int", "-1": "int", "9223372036854775807": "int", "-9223372036854775808": "int",
		"9223372036854775808": "embstr", "+1": "embstr", "01": "embstr", " 1": "embstr", "1.5": "embstr",
		"": "embstr", strings.Repeat("a", 44): "embstr", strings.Repeat("a", 45): "raw",
		strings.Repeat("1", 45): "raw",
	} {
		if got := stringEncoding([]byte(v)); got != want {
			t.Errorf("encoding of %q = %s, want %s", v, got, want)
		}
	}
	for v, want := range map[string]int64{"0": sharedRefcount, "9999": sharedRefcount,
		"10000": 1, "-1": 1, "abc": 1} {
		if got := refcount([]byte(v)); got != want {
			t.Errorf("refcount of %q = %d, want %d", v, got, want)
		}
	}
}

func TestMemoryUsage(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> MEMORY USAGE missing
		(nil)
		> MEMORY USAGE missing SAMPLES abc
		(error) ERR value is not an integer or out of range
		> SET k hello
		OK
		> MEMORY USAGE k SAMPLES
		(error) ERR syntax error
		> MEMORY USAGE k SAMPLES -1
		(error) ERR syntax error
		> MEMORY USAGE k FOO 1
		(error) ERR syntax error
		> MEMORY USAGE
		(error) ERR wrong number of arguments for 'memory|usage' command
		> MEMORY MALLOC-STATS
		"Stats not supported for the current allocator"
		> MEMORY PURGE
		OK
	`)
	small := f.do("MEMORY", "USAGE", "k", "SAMPLES", "0").Int
	f.do("SET", "k", strings.Repeat("x", 1000))
	large := f.do("MEMORY", "USAGE", "k").Int
	// the estimate is the key plus its stored record: the value and its
	// version metadata
	if small <= int64(len("k")+len("hello")) || large-small < 995 || large-small > 1005 {
		t.Errorf("MEMORY USAGE: %d bytes for 5, %d for 1000", small, large)
	}
	stats := f.do("MEMORY", "STATS")
	if keys, ok := field(stats, "keys.count"); !ok || keys.Int != 1 {
		t.Errorf("MEMORY STATS keys.count: %s", stats)
	}
	if peak, _ := field(stats, "peak.allocated"); peak.Int <= 0 {
		t.Errorf("MEMORY STATS peak.allocated: %s", peak)
	}
	if doc := f.do("MEMORY", "DOCTOR").Text(); !strings.HasPrefix(doc, "Hi Sam, I can't find any memory issue") {
		t.Errorf("MEMORY DOCTOR: %q", doc)
	}
	f.do("FLUSHALL")
	if doc := f.do("MEMORY", "DOCTOR").Text(); !strings.HasPrefix(doc, "Hi Sam, this instance is empty") {
		t.Errorf("MEMORY DOCTOR on an empty node: %q", doc)
	}
}

func TestDebug(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> DEBUG OBJECT missing
		(error) ERR no such key
		> DEBUG FOO
		(error) ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP.
		> DEBUG SLEEP
		(error) ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.
		> DEBUG RELOAD
		(error) ERR unknown subcommand or wrong number of arguments for 'RELOAD'. Try DEBUG HELP.
		> DEBUG ERROR "my error"
		(error) my error
		> DEBUG SLEEP 0
		OK
		> DEBUG SLEEP abc
		OK
		> DEBUG SLEEP -1
		OK
		> DEBUG
		(error) ERR wrong number of arguments for 'debug' command
	`)
	f.do("SET", "k", "12345")
	f.kv.advance(3000)
	line := f.do("DEBUG", "OBJECT", "k").Str
	re := `^Value at:0x[0-9a-f]+ refcount:1 encoding:int serializedlength:3 lru:\d+ lru_seconds_idle:3 siblings:1$`
	if !regexp.MustCompile(re).MatchString(line) {
		t.Errorf("DEBUG OBJECT: %q does not match %s", line, re)
	}
	if h := f.do("DEBUG", "HELP"); len(h.Elems) != 14 || !strings.HasPrefix(h.Elems[0].Str, "DEBUG <subcommand>") {
		t.Errorf("DEBUG HELP: %s", h)
	}
}

func TestRDBStringLen(t *testing.T) {
	for v, want := range map[string]int{"": 1, "-5": 2, "127": 2, "128": 3, "12345": 3, "40000": 5,
		"2147483648": 11, "hello": 6, strings.Repeat("x", 63): 64, strings.Repeat("x", 64): 66,
		strings.Repeat("x", 16384): 16389} {
		if got := rdbStringLen([]byte(v)); got != want {
			t.Errorf("rdbStringLen(%.10q) = %d, want %d", v, got, want)
		}
	}
	for v, want := range map[string]float64{"1.5": 1.5, "  2": 2, "1.5abc": 1.5, "abc": 0, "": 0, "-3": -3} {
		if got := strtod(v); got != want {
			t.Errorf("strtod(%q) = %v, want %v", v, got, want)
		}
	}
}

// debugAt is the at: field of DEBUG OBJECT key, as Redis's incr.tcl reads
// it: [lindex [split [r debug object foo]] 1].
func debugAt(f *fixture, key string) string {
	fields := strings.Split(f.do("DEBUG", "OBJECT", key).Str, " ")
	if len(fields) < 2 {
		return ""
	}
	return fields[1]
}

// Redis 7.0's tests/unit/type/incr.tcl: "INCR uses shared objects in the
// 0-9999 range" and "INCR can modify objects in-place".
func TestDebugObjectAddress(t *testing.T) {
	f := newFixture(t)
	refcount := func(key string) int64 { return f.do("OBJECT", "REFCOUNT", key).Int }
	f.do("SET", "foo", "-1")
	f.do("INCR", "foo")
	if refcount("foo") <= 1 {
		t.Errorf("INCR to 0: refcount %d, want shared", refcount("foo"))
	}
	f.do("SET", "foo", "9998")
	f.do("INCR", "foo")
	if refcount("foo") <= 1 {
		t.Errorf("INCR to 9999: refcount %d, want shared", refcount("foo"))
	}
	f.do("INCR", "foo")
	if refcount("foo") != 1 {
		t.Errorf("INCR to 10000: refcount %d, want 1", refcount("foo"))
	}

	f.do("SET", "foo", "20000")
	f.do("INCR", "foo")
	if refcount("foo") != 1 {
		t.Errorf("refcount %d, want 1", refcount("foo"))
	}
	old := debugAt(f, "foo")
	f.do("INCR", "foo")
	now := debugAt(f, "foo")
	if !strings.HasPrefix(old, "at:") || !strings.HasPrefix(now, "at:") || old != now {
		t.Errorf("DEBUG OBJECT at: %q before INCR, %q after; want the same at: address", old, now)
	}

	// A shared integer is one object per value, whichever key holds it;
	// other values are objects of their own.
	f.do("SET", "a", "7")
	f.do("SET", "b", "7")
	if debugAt(f, "a") != debugAt(f, "b") {
		t.Errorf("shared 7: %s and %s", debugAt(f, "a"), debugAt(f, "b"))
	}
	f.do("SET", "b", "20000")
	if debugAt(f, "foo") == debugAt(f, "b") {
		t.Errorf("keys foo and b share %s", debugAt(f, "b"))
	}
	// APPEND makes a new (raw) object.
	f.do("APPEND", "foo", "x")
	if debugAt(f, "foo") == now {
		t.Errorf("APPEND kept the int object's address %s", now)
	}
}
