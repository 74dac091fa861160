package integration

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchLines splits redis-benchmark -q output (progress uses \r).
func benchLines(out string) []string {
	var lines []string
	for _, l := range strings.FieldsFunc(out, func(r rune) bool { return r == '\r' || r == '\n' }) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

var benchResult = regexp.MustCompile(`^([A-Z_0-9]+(?: \([^)]*\))?): [0-9.]+ requests per second`)

// benchResults maps each finished test's name to its result line.
func benchResults(lines []string) map[string]string {
	out := map[string]string{}
	for _, l := range lines {
		if m := benchResult.FindStringSubmatch(l); m != nil {
			out[m[1]] = l
		}
	}
	return out
}

// TestRedisBenchmark runs redis-benchmark against a node: the string
// tests, and the default suite to the end without an error reply, after
// which the node still serves and holds what the tests wrote.
func TestRedisBenchmark(t *testing.T) {
	t.Parallel()
	bin := RequireTool(t, "redis-benchmark")
	n := StartNode(t, NodeOptions{})
	port := strconv.Itoa(n.Opts.Port)

	t.Run("string tests", func(t *testing.T) {
		out, err := runTool(t, 3*time.Minute, nil, bin, "-h", "127.0.0.1", "-p", port,
			"-t", "set,get,incr,mset", "-n", "20000", "-q")
		if err != nil {
			t.Fatalf("redis-benchmark: %v\n%s", err, out)
		}
		lines := benchLines(out)
		for _, l := range lines {
			for _, bad := range []string{"ERR", "WARNING", "Could not fetch", "Error", "error"} {
				if strings.Contains(l, bad) {
					t.Errorf("redis-benchmark printed %q", l)
				}
			}
		}
		results := benchResults(lines)
		for _, name := range []string{"SET", "GET", "INCR", "MSET (10 keys)"} {
			if _, ok := results[name]; !ok {
				t.Errorf("no result for %s in:\n%s", name, strings.Join(lines, "\n"))
			}
		}
		c := DialRESP(t, n.Addr())
		if r := c.Do("GET", "counter:__rand_int__"); r.Kind != '$' || r.Null {
			t.Errorf("after INCR test, GET counter:__rand_int__ = %v", r)
		} else if v, err := strconv.Atoi(r.Str); err != nil || v != 20000 {
			t.Errorf("after 20000 INCRs on one key: %q, want 20000", r.Str)
		}
	})

	// redis-benchmark 7 exits with status 1 at the first error reply
	// ("Error from server: ..."): its default suite, every data type's
	// tests included, must run to the end.
	t.Run("default suite", func(t *testing.T) {
		out, err := runTool(t, 5*time.Minute, nil, bin, "-h", "127.0.0.1", "-p", port, "-n", "2000", "-q")
		if err != nil || strings.Contains(out, "Error from server") {
			t.Fatalf("redis-benchmark default suite: %v\n%s", err, out)
		}
		results := benchResults(benchLines(out))
		for _, name := range []string{"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH",
			"LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN", "LPUSH (needed to benchmark LRANGE)",
			"LRANGE_100 (first 100 elements)", "LRANGE_300 (first 300 elements)", "LRANGE_500 (first 500 elements)",
			"LRANGE_600 (first 600 elements)", "MSET (10 keys)"} {
			if _, ok := results[name]; !ok {
				t.Errorf("default suite did not finish %s:\n%s", name, out)
			}
		}
		checkServing(t, n)
	})
}

// checkServing checks the node still answers, wrote nothing for refused
// commands, and kept the benchmark's SET.
func checkServing(t *testing.T, n *Node) {
	t.Helper()
	c := DialRESP(t, n.Addr())
	if r := c.Do("PING"); r.Raw != "+PONG\r\n" {
		t.Fatalf("PING after redis-benchmark: %v", r)
	}
	// The list tests leave mylist long (LPUSH 2000 + the LRANGE fill,
	// minus the pops); the hash test wrote myhash.
	if r := c.Do("LLEN", "mylist"); r.Kind != ':' || len(r.Str) < 4 {
		t.Errorf("LLEN mylist after the list tests = %v", r)
	}
	if r := c.Do("HGET", "myhash", "element:__rand_int__"); r.Raw != "$3\r\nVXK\r\n" {
		t.Errorf("HGET myhash element:__rand_int__ after HSET = %v, want VXK", r)
	}
	if r := c.Do("GET", "key:__rand_int__"); r.Raw != "$3\r\nVXK\r\n" {
		t.Errorf("GET key:__rand_int__ after the SET test = %v, want VXK", r)
	}
}
