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

var benchResult = regexp.MustCompile(`^([A-Z_]+(?: \(\d+ keys\))?): [0-9.]+ requests per second`)

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
// tests cleanly, and the default suite (with commands ringkv refuses) to
// the end, after which the node still serves.
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
	// ("Error from server: ..."), so its default suite cannot pass LPUSH,
	// the first command ringkv does not serve: check it gets that far,
	// is refused with Redis's error, and leaves the node serving.
	t.Run("default suite", func(t *testing.T) {
		out, err := runTool(t, 3*time.Minute, nil, bin, "-h", "127.0.0.1", "-p", port, "-n", "2000", "-q")
		refused := "Error from server: ERR unknown command 'LPUSH', with args beginning with: 'mylist' 'VXK' "
		if err == nil || !strings.Contains(out, refused) {
			t.Errorf("redis-benchmark default suite: %v; want it refused at LPUSH (%q):\n%s", err, refused, out)
		}
		results := benchResults(benchLines(out))
		for _, name := range []string{"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR"} {
			if _, ok := results[name]; !ok {
				t.Errorf("default suite did not finish %s:\n%s", name, out)
			}
		}
		checkServing(t, n)
	})

	t.Run("unsupported tests", func(t *testing.T) {
		for _, test := range []string{"lpush", "rpush", "lpop", "rpop", "sadd", "hset", "spop", "zadd", "zpopmin", "lrange"} {
			out, err := runTool(t, time.Minute, nil, bin, "-h", "127.0.0.1", "-p", port, "-t", test, "-n", "100", "-q")
			first := strings.ToUpper(test)
			if test == "lrange" {
				first = "LPUSH" // the LRANGE tests fill a list first
			}
			if err == nil || !strings.Contains(out, "Error from server: ERR unknown command '"+first+"'") {
				t.Errorf("redis-benchmark -t %s: %v; want %s refused:\n%s", test, err, first, out)
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
	for _, key := range []string{"mylist", "myset", "myhash", "myzset"} {
		if r := c.Do("EXISTS", key); r.Raw != ":0\r\n" {
			t.Errorf("EXISTS %s = %v: an unsupported command wrote something", key, r)
		}
	}
	if r := c.Do("GET", "key:__rand_int__"); r.Raw != "$3\r\nVXK\r\n" {
		t.Errorf("GET key:__rand_int__ after the SET test = %v, want VXK", r)
	}
}
