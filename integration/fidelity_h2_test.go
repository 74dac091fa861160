package integration

import (
	"strings"
	"testing"
	"time"
)

// Probes of gaps Redis 7.0's own test suite found: INFO errorstats and
// total_error_replies (scripts' errors included, counted once), OBJECT
// ENCODING after in-place edits, DEBUG SET-ACTIVE-EXPIRE and lazy expiry.
func init() {
	const errTotal = "return string.match(redis.call('info','stats'), 'total_error_replies:%d+')"
	const lib = "#!lua name=h2lib\nredis.register_function('h2incr', function(keys, args) return redis.call('incr', keys[1]) end)\n" +
		"redis.register_function('h2perr', function(keys, args) return redis.pcall('incr', keys[1]) end)\n" +
		"redis.register_function('h2own', function(keys, args) return redis.error_reply('H2CODE own') end)"
	addFidelity("errorstats",
		p("CONFIG", "RESETSTAT"), p("INFO", "errorstats"), p("EVAL", errTotal, "0"),
		p("NOSUCH"), p("GET"), p("SET", "a", "b"), p("INCR", "a"),
		p("EVAL", "return redis.error_reply('MY_ERR_CODE custom msg')", "0"),
		p("EVAL", "return redis.error_reply('')", "0"), p("EVAL", "return redis.call('incr','a')", "0"),
		p("EVAL", "redis.pcall('incr','a') return 1", "0"), p("EVAL", "return redis.pcall('incr','a')", "0"),
		p("EVAL", "return {err='NOSPACE'}", "0"), p("EVAL", "error('x')", "0"),
		p("EVAL", "return redis.call('nosuch')", "0"), p("EVAL", "return redis.pcall('nosuch')", "0"),
		p("EVAL", "return redis.error_reply('"+strings.Repeat("X", 31)+" y')", "0"),
		p("EVAL", "return redis.error_reply('"+strings.Repeat("Y", 30)+" y')", "0"),
		p("EVALSHA", strings.Repeat("0", 40), "0"), p("MULTI"), p("GET"), p("EXEC"),
		p("MULTI"), p("INCR", "a"), p("EXEC"),
		p("FUNCTION", "LOAD", lib), p("FCALL", "h2incr", "1", "a"), p("FCALL", "h2perr", "1", "a"),
		p("FCALL", "h2own", "1", "a"), p("FUNCTION", "DELETE", "h2lib"),
		p("INFO", "errorstats"), p("EVAL", errTotal, "0"),
		p("CONFIG", "RESETSTAT"), p("INFO", "errorstats"), p("EVAL", errTotal, "0"),
	)
}

// clientFlags returns the flags field of a CLIENT INFO line.
func clientFlags(t *testing.T, c *RESPConn) string {
	t.Helper()
	line := c.Do("CLIENT", "INFO").Str
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, "flags="); ok {
			return v
		}
	}
	t.Fatalf("CLIENT INFO without flags: %q", line)
	return ""
}

// CLIENT INFO's flags after CLIENT NO-EVICT, alone and with a
// subscription, as redis-server writes them (the rest of the line differs
// by nature: ids, addresses, buffers).
func TestFidelityClientFlags(t *testing.T) {
	t.Parallel()
	ref := StartRedisServer(t)
	n := StartNode(t, NodeOptions{})
	for _, steps := range [][][]string{
		{{"CLIENT", "NO-EVICT", "on"}},
		{{"CLIENT", "NO-EVICT", "on"}, {"CLIENT", "NO-EVICT", "off"}},
	} {
		var got, want []string
		for i, addr := range []string{n.Addr(), ref} {
			c := DialRESP(t, addr)
			var flags []string
			for _, s := range steps {
				c.Do(s...)
				flags = append(flags, clientFlags(t, c))
			}
			c.Close()
			if i == 0 {
				got = flags
			} else {
				want = flags
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%q: ringkv flags %q, redis-server %q", steps, got, want)
		}
	}
}

// DEBUG SET-ACTIVE-EXPIRE 0 leaves expired keys stored (DBSIZE counts
// them) yet reading one misses, DEL answers 0 and EXPIRE does not
// resurrect it, as Redis's expire and keyspace suites check; compared
// with a redis-server that allows DEBUG.
func TestFidelityActiveExpireOff(t *testing.T) {
	t.Parallel()
	ref := StartRedisServer(t, "--enable-debug-command", "yes")
	n := StartNode(t, NodeOptions{})
	before := [][]string{{"FLUSHALL"}, {"DEBUG", "SET-ACTIVE-EXPIRE", "0"}, {"PSETEX", "k1", "100", "a"},
		{"PSETEX", "k2", "100", "a"}, {"SET", "k3", "a", "PX", "100"}, {"DBSIZE"}}
	after := [][]string{{"DBSIZE"}, {"GET", "k1"}, {"DEL", "k2"}, {"EXPIRE", "k3", "10"}, {"EXISTS", "k3"},
		{"DEBUG", "SET-ACTIVE-EXPIRE", "1"}, {"EXISTS", "k1", "k2", "k3"}}
	conns := []*RESPConn{DialRESP(t, n.Addr()), DialRESP(t, ref)}
	replies := make([][]string, 2)
	run := func(cmds [][]string) {
		for i, c := range conns {
			for _, cmd := range cmds {
				replies[i] = append(replies[i], c.Do(cmd...).Raw)
			}
		}
	}
	run(before)
	time.Sleep(500 * time.Millisecond) // both expired; neither may sweep
	run(after)
	for i := range replies[1] {
		if replies[0][i] != replies[1][i] {
			t.Errorf("%q: ringkv %q, redis-server %q", append(before, after...)[i], replies[0][i], replies[1][i])
		}
	}
}
