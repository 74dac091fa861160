package integration

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestDumpMove moves keys of every type from ringkv to a real
// redis-server 7.0 with DUMP and RESTORE, and back again, as migration
// tools do (redis-cli --pipe of RESTOREs, RIOT, redis-dump-go); each copy
// must hold what the original holds, TTL included. The values cover each
// type's RDB encodings: integers and long strings, listpacks and their
// plain forms past the size limits, intsets, lists of several nodes.
func TestDumpMove(t *testing.T) {
	t.Parallel()
	ref := StartRedisServer(t)
	n := StartNode(t, NodeOptions{})
	ours, theirs := DialRESP(t, n.Addr()), DialRESP(t, ref)
	keys := fillTypes(t, ours)
	for _, k := range keys {
		moveKey(t, ours, theirs, k, "moved:"+k)
		moveKey(t, theirs, ours, "moved:"+k, "back:"+k)
		want := keyContent(t, ours, k)
		if got := keyContent(t, theirs, "moved:"+k); got != want {
			t.Errorf("%s on redis-server:\n got %.300s\nwant %.300s", k, got, want)
		}
		if got := keyContent(t, ours, "back:"+k); got != want {
			t.Errorf("%s back on ringkv:\n got %.300s\nwant %.300s", k, got, want)
		}
		if ttl := ours.Do("TTL", "back:"+k).Str; (k == "ttl") != (ttl != "-1") {
			t.Errorf("%s back on ringkv: TTL %s", k, ttl)
		}
	}
	t.Logf("moved %d keys both ways", len(keys))
}

// fillTypes writes keys of every type ringkv has and returns their names.
func fillTypes(t *testing.T, c *RESPConn) []string {
	must := func(args ...string) {
		t.Helper()
		if r := c.Do(args...); r.IsError() {
			t.Fatalf("%q: %s", args[:min(len(args), 3)], r.Str)
		}
	}
	long := strings.Repeat("ringkv ", 40)
	must("SET", "str", "hello")
	must("SET", "int", "-70000")
	must("SET", "bigint", "123456789012345")
	must("SET", "long", long)
	must("INCRBY", "counter", "42")
	must("SET", "ttl", "v", "EX", "1000")
	must("HSET", "hash", "a", "1", "b", "xyz")
	args := []string{"HSET", "bighash"}
	for i := range 300 {
		args = append(args, fmt.Sprint("field", i), fmt.Sprint(i*i))
	}
	must(args...)
	must("HSET", "longhash", "f", long)
	must("SADD", "intset", "3", "-40000", "100000000000")
	must("SADD", "set", "b", "a", "17")
	args = []string{"SADD", "bigset"}
	for i := range 700 {
		args = append(args, fmt.Sprint(i))
	}
	must(args...)
	must("RPUSH", "list", "a", "b", "1", "-5000")
	args = []string{"RPUSH", "biglist"}
	for i := range 3000 {
		args = append(args, fmt.Sprint("element ", i))
	}
	must(args...)
	must("RPUSH", "longlist", long, long, "x")
	keys := []string{"str", "int", "bigint", "long", "counter", "ttl", "hash", "bighash", "longhash",
		"intset", "set", "bigset", "list", "biglist", "longlist"}
	if r := c.Do("ZADD", "zset", "1", "a", "2.5", "b", "-inf", "c"); !r.IsError() {
		must("ZADD", "longzset", "0.1", long, "1e300", "x")
		args = []string{"ZADD", "bigzset"}
		for i := range 300 {
			args = append(args, fmt.Sprint(float64(i)/7), fmt.Sprint("m", i))
		}
		must(args...)
		keys = append(keys, "zset", "longzset", "bigzset")
	}
	return keys
}

// moveKey copies key from src to dst as dst-key with DUMP, PTTL and
// RESTORE ... REPLACE.
func moveKey(t *testing.T, src, dst *RESPConn, key, dstKey string) {
	t.Helper()
	payload := src.Do("DUMP", key)
	if payload.IsError() || payload.Null {
		t.Fatalf("DUMP %s: %s", key, payload.Raw)
	}
	ttl := src.Do("PTTL", key).Str
	if ttl == "-1" {
		ttl = "0"
	}
	if r := dst.Do("RESTORE", dstKey, ttl, payload.Str, "REPLACE"); r.IsError() {
		t.Fatalf("RESTORE %s: %s", dstKey, r.Str)
	}
}

// keyContent is key's type and value in a form that does not depend on
// the server's element order where the type has none.
func keyContent(t *testing.T, c *RESPConn, key string) string {
	t.Helper()
	typ := c.Do("TYPE", key).Str
	var r Reply
	sorted := false
	switch typ {
	case "string":
		r = c.Do("GET", key)
	case "hash":
		r, sorted = c.Do("HGETALL", key), true
	case "set":
		r, sorted = c.Do("SMEMBERS", key), true
	case "list":
		r = c.Do("LRANGE", key, "0", "-1")
	case "zset":
		r = c.Do("ZRANGE", key, "0", "-1", "WITHSCORES")
	default:
		return typ
	}
	if len(r.Elems) == 0 {
		return typ + " " + r.Str
	}
	var parts []string
	step := 1
	if typ == "hash" {
		step = 2
	}
	for i := 0; i+step <= len(r.Elems); i += step {
		var pair []string
		for _, e := range r.Elems[i : i+step] {
			pair = append(pair, e.Str)
		}
		parts = append(parts, strings.Join(pair, "="))
	}
	if sorted {
		slices.Sort(parts)
	}
	return fmt.Sprintf("%s %d %q", typ, len(parts), parts)
}
