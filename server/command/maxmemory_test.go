package command

import (
	"context"
	"strings"
	"testing"
	"time"
)

// overMaxMemory sets maxmemory to limit and has the dispatcher read used
// memory as *used.
func (f *fixture) overMaxMemory(limit string, used *uint64) {
	f.t.Helper()
	f.d.mem.read = func() uint64 { return *used }
	if r := f.do("CONFIG", "SET", "maxmemory", limit); r.Str != "OK" {
		f.t.Fatalf("CONFIG SET maxmemory %s: %s", limit, r)
	}
}

// CONFIG SET maxmemory parses as Redis's memtoull (values checked against
// redis-server 7.0.15): units, saturation, wrap-around and the errors.
func TestMaxMemoryConfig(t *testing.T) {
	f := newFixture(t)
	for v, want := range map[string]string{
		"100mb": "104857600", "1k": "1000", "1KB": "1024", "5Gb": "5368709120", "5B": "5", "": "0",
		"kb": "0", "99999999999999999999": "18446744073709551615",
		"18446744073709551615kb": "18446744073709550592", "0": "0",
	} {
		if r := f.do("CONFIG", "SET", "maxmemory", v); r.Str != "OK" {
			t.Errorf("CONFIG SET maxmemory %q: %s", v, r)
		}
		if got := f.do("CONFIG", "GET", "maxmemory").Elems[1].Text(); got != want {
			t.Errorf("maxmemory %q: got %s, want %s", v, got, want)
		}
	}
	for _, v := range []string{"1.5mb", "-1", "abc", "0x10", " 5", "+5", "5kbb", "5t", strings.Repeat("1", 128)} {
		want := "(error) ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"
		if r := f.do("CONFIG", "SET", "maxmemory", v); r.String() != want {
			t.Errorf("CONFIG SET maxmemory %q: %s", v, r)
		}
	}
	f.script(`
		> CONFIG SET maxmemory 0
		OK
		> CONFIG SET maxmemory-policy ALLKEYS-LRU
		OK
		> CONFIG GET maxmemory-policy
		1# "maxmemory-policy" => "allkeys-lru"
		> CONFIG SET maxmemory-policy foo
		(error) ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction
		> CONFIG SET maxmemory 2000000000000000 maxmemory-policy nope
		(error) ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction
		> CONFIG GET maxmemory
		1# "maxmemory" => "0"
	`)
}

// INFO memory reports maxmemory as Redis does: signed, bytesToHuman.
func TestMaxMemoryInfo(t *testing.T) {
	f := newFixture(t)
	for v, want := range map[string]string{
		"0":                    "maxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:volatile-ttl\r\n",
		"100mb":                "maxmemory:104857600\r\nmaxmemory_human:100.00M\r\n",
		"2000000000000000":     "maxmemory_human:1.78P\r\n",
		"18446744073709551615": "maxmemory:-1\r\nmaxmemory_human:18446744073709551615B\r\n",
	} {
		f.do("CONFIG", "SET", "maxmemory", v, "maxmemory-policy", "volatile-ttl")
		if info := f.do("INFO", "memory").Str; !strings.Contains(info, want) {
			t.Errorf("maxmemory %s: INFO memory lacks %q:\n%s", v, want, info)
		}
	}
}

// Above maxmemory, denyoom commands answer OOM and write nothing; reads,
// DEL and EXPIRE run; below it (or with maxmemory 0) writes run again.
func TestMaxMemoryNoEviction(t *testing.T) {
	f := newFixture(t)
	used := uint64(1000)
	f.do("SET", "a", "1")
	f.overMaxMemory("999", &used)
	f.script(`
		> SET k v
		(error) OOM command not allowed when used memory > 'maxmemory'.
		> INCR a
		(error) OOM command not allowed when used memory > 'maxmemory'.
		> SADD s m
		(error) OOM command not allowed when used memory > 'maxmemory'.
		> GET a
		"1"
		> EXPIRE a 100
		(integer) 1
		> EXISTS k s
		(integer) 0
		> CONFIG SET maxmemory-policy allkeys-lru
		OK
		> SET k v
		(error) OOM command not allowed when used memory > 'maxmemory'.
		> DEL a
		(integer) 1
	`)
	used = 999 // at the limit is not above it
	f.script(`
		> SET k v
		OK
	`)
	used = 1 << 40
	f.do("CONFIG", "SET", "maxmemory", "0")
	f.script(`
		> SET k v2
		OK
	`)
	if info := f.do("INFO", "errorstats").Str; !strings.Contains(info, "errorstat_OOM:count=4\r\n") {
		t.Errorf("INFO errorstats: %q", info)
	}
	if info := f.do("INFO", "commandstats").Str; !strings.Contains(info, "cmdstat_set:calls=3,") ||
		!strings.Contains(info, "rejected_calls=2,") {
		t.Errorf("INFO commandstats: %q", info)
	}
}

// In MULTI above maxmemory every command but EXEC, DISCARD, QUIT and RESET
// is refused and fails the transaction; an EXEC of queued denyoom
// commands is refused and discards it (redis-server 7.0.15's replies).
func TestMaxMemoryMulti(t *testing.T) {
	f := newFixture(t)
	used := uint64(10)
	f.overMaxMemory("0", &used)
	f.script(`
		> MULTI
		OK
		> SET q 1
		QUEUED
		> GET q
		QUEUED
	`)
	other := f.d.NewSession(8, "127.0.0.1:5001", "127.0.0.1:6379")
	config := func(v string) {
		args := [][]byte{[]byte("CONFIG"), []byte("SET"), []byte("maxmemory"), []byte(v)}
		if r := f.d.Do(context.Background(), other, args); r.Str != "OK" {
			t.Fatalf("CONFIG SET maxmemory %s: %s", v, r)
		}
	}
	config("1")
	f.script(`
		> EXEC
		(error) EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.
		> EXEC
		(error) ERR EXEC without MULTI
		> MULTI
		OK
		> GET q
		(error) OOM command not allowed when used memory > 'maxmemory'.
		> PING
		(error) OOM command not allowed when used memory > 'maxmemory'.
		> EXEC
		(error) EXECABORT Transaction discarded because of previous errors.
		> MULTI
		OK
		> DEL q
		(error) OOM command not allowed when used memory > 'maxmemory'.
		> DISCARD
		OK
	`)
	config("0")
	f.script(`
		> MULTI
		OK
		> GET q
		QUEUED
	`)
	config("1")
	f.script(`
		> EXEC
		1) (nil)
	`)
}

// memToULL against strconv for plain numbers, and the units' products.
func TestMemToULL(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{{"0", 0, true}, {"42", 42, true}, {"1g", 1e9, true}, {"1gb", 1 << 30, true}, {"1M", 1e6, true},
		{"18446744073709551615", 1<<64 - 1, true}, {"18446744073709551616", 1<<64 - 1, true},
		{"1x", 0, false}, {"-0", 0, false}, {"1 kb", 0, false}} {
		if got, ok := memToULL(c.in); got != c.want || ok != c.ok {
			t.Errorf("memToULL(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// The real gauge reads the Go heap (something is allocated), and samples
// it: a second read within memSampleEvery keeps the first.
func TestMemGaugeHeap(t *testing.T) {
	var g memGauge
	n := g.load()
	if n == 0 || g.at.Load() == 0 {
		t.Fatalf("heap bytes %d, sampled at %d", n, g.at.Load())
	}
	g.at.Store(time.Now().UnixNano() + int64(time.Hour)) // the next sample is far off
	g.used.Store(42)
	if got := g.load(); got != 42 {
		t.Errorf("within the sampling period: got %d, want the last sample 42", got)
	}
}

func BenchmarkOOMCheckOff(b *testing.B) {
	f := newFixture(&testing.T{})
	cmd := lookup(f.d.cmds, []byte("set"))
	for b.Loop() {
		f.d.oom(f.s, cmd)
	}
}

func BenchmarkOOMCheckOn(b *testing.B) {
	f := newFixture(&testing.T{})
	f.d.env.Settings.mem.max.Store(1 << 62)
	cmd := lookup(f.d.cmds, []byte("set"))
	for b.Loop() {
		f.d.oom(f.s, cmd)
	}
}
