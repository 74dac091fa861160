package integration

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func testKeys(t *testing.T, k checker, _ *Node) {
	k.is("OK", "FLUSHDB")
	k.isNil("RANDOMKEY")
	k.is([]any{}, "KEYS", "*")
	k.is("OK", "MSET", "k:a", "1", "k:b", "2", "k:c", "3")
	k.is(int64(2), "EXISTS", "k:a", "k:a", "k:x")
	k.is(int64(0), "EXISTS", "k:x")
	k.isErr("ERR wrong number of arguments for 'exists' command", "EXISTS")
	k.is("string", "TYPE", "k:a")
	k.is("none", "TYPE", "k:x")
	if got := sorted(strs(t, k.array("KEYS", "k:[ab]"))); !slices.Equal(got, []string{"k:a", "k:b"}) {
		t.Errorf("KEYS k:[ab] = %q", got)
	}
	if got := sorted(strs(t, k.array("KEYS", "*"))); !slices.Equal(got, []string{"k:a", "k:b", "k:c"}) {
		t.Errorf("KEYS * = %q", got)
	}
	if got := k.str("RANDOMKEY"); !slices.Contains([]string{"k:a", "k:b", "k:c"}, got) {
		t.Errorf("RANDOMKEY = %q", got)
	}
	k.is(int64(1), "DEL", "k:a", "k:x")
	k.is(int64(1), "UNLINK", "k:b", "k:b")
	k.is(int64(0), "DEL", "k:a")
	k.isErr("ERR wrong number of arguments for 'del' command", "DEL")
	k.isErr("ERR wrong number of arguments for 'unlink' command", "UNLINK")

	k.is("OK", "RENAME", "k:c", "k:d")
	k.is("3", "GET", "k:d")
	k.is(int64(0), "EXISTS", "k:c")
	k.isErr("ERR no such key", "RENAME", "k:c", "k:e")
	k.is("OK", "RENAME", "k:d", "k:d")
	k.is("OK", "SET", "k:e", "5")
	k.is(int64(0), "RENAMENX", "k:d", "k:e")
	k.is(int64(1), "RENAMENX", "k:d", "k:f")
	k.isErr("ERR no such key", "RENAMENX", "k:d", "k:g")
	k.is("OK", "SET", "k:t", "v", "EX", 100)
	k.is("OK", "RENAME", "k:t", "k:t2")
	k.inRange(98, 100, "TTL", "k:t2")

	k.is(int64(1), "COPY", "k:f", "k:g")
	k.is("3", "GET", "k:g")
	k.is(int64(0), "COPY", "k:f", "k:g")
	k.is(int64(1), "COPY", "k:e", "k:g", "REPLACE")
	k.is("5", "GET", "k:g")
	k.is(int64(0), "COPY", "k:nothing", "k:z")
	k.inRange(98, 100, "TTL", "k:t2")
	k.is(int64(1), "COPY", "k:t2", "k:t3")
	k.inRange(98, 100, "TTL", "k:t3")
	k.isErr("ERR DB index is out of range", "COPY", "k:f", "k:h", "DB", 1)
	k.isErr("ERR syntax error", "COPY", "k:f", "k:h", "FOO")
	k.isErr("ERR wrong number of arguments for 'rename' command", "RENAME", "k:f")
}

// scanAll iterates SCAN from cursor 0 to the end (bounded), returning every
// key seen and how often.
func scanAll(t *testing.T, k checker, extra ...any) map[string]int {
	t.Helper()
	seen := map[string]int{}
	cursor := "0"
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatalf("SCAN %v: no end after 10000 calls", extra)
		}
		reply := k.array(append([]any{"SCAN", cursor}, extra...)...)
		if len(reply) != 2 {
			t.Fatalf("SCAN reply %#v, want [cursor, keys]", reply)
		}
		c, ok := reply[0].(string)
		if _, err := strconv.ParseUint(c, 10, 64); !ok || err != nil {
			t.Fatalf("SCAN cursor %#v is not a bulk string of digits", reply[0])
		}
		keys, ok := reply[1].([]any)
		if !ok {
			t.Fatalf("SCAN keys %#v is not an array", reply[1])
		}
		for _, key := range strs(t, keys) {
			seen[key]++
		}
		if cursor = c; cursor == "0" {
			return seen
		}
	}
}

func testScan(t *testing.T, k checker, _ *Node) {
	k.is("OK", "FLUSHDB")
	c := k.c.(*redis.Client)
	ctx := context.Background()
	var want []string
	pipe := c.Pipeline()
	for i := range 1000 {
		key := fmt.Sprintf("sc:%04d", i)
		want = append(want, key)
		pipe.Set(ctx, key, i, 0)
	}
	for i := range 10 {
		pipe.Set(ctx, fmt.Sprintf("other:%d", i), i, 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	k.is(int64(1010), "DBSIZE")

	seen := scanAll(t, k, "COUNT", 100)
	for _, key := range want {
		if seen[key] < 1 {
			t.Errorf("full SCAN never returned %s", key)
		}
	}
	if len(seen) != 1010 {
		t.Errorf("full SCAN returned %d distinct keys, want 1010", len(seen))
	}
	if got := scanAll(t, k); len(got) != 1010 {
		t.Errorf("full SCAN (default COUNT) returned %d distinct keys, want 1010", len(got))
	}
	matched := scanAll(t, k, "MATCH", "sc:000*", "COUNT", 50)
	if len(matched) != 10 {
		t.Errorf("SCAN MATCH sc:000* = %v, want sc:0000..sc:0009", matched)
	}
	for key := range matched {
		if key[:6] != "sc:000" {
			t.Errorf("SCAN MATCH sc:000* returned %s", key)
		}
	}
	if got := scanAll(t, k, "TYPE", "string", "COUNT", 500); len(got) != 1010 {
		t.Errorf("SCAN TYPE string: %d keys, want 1010", len(got))
	}
	if got := scanAll(t, k, "TYPE", "hash"); len(got) != 0 {
		t.Errorf("SCAN TYPE hash: %d keys, want none", len(got))
	}
	if got := scanAll(t, k, "MATCH", "other:*", "TYPE", "string", "COUNT", 2000); len(got) != 10 {
		t.Errorf("SCAN MATCH other:* TYPE string: %v", got)
	}
	k.isErr("ERR invalid cursor", "SCAN", "abc")
	k.isErr("ERR syntax error", "SCAN", "0", "COUNT", 0)
	k.isErr("ERR value is not an integer or out of range", "SCAN", "0", "COUNT", "abc")
	k.isErr("ERR syntax error", "SCAN", "0", "FOO", "bar")
	k.isErr("ERR syntax error", "SCAN", "0", "MATCH")
	k.is("OK", "FLUSHDB")
}

func testExpire(t *testing.T, k checker, _ *Node) {
	k.is("OK", "SET", "e:a", "v")
	k.is(int64(-1), "TTL", "e:a")
	k.is(int64(-1), "PTTL", "e:a")
	k.is(int64(-1), "EXPIRETIME", "e:a")
	k.is(int64(-1), "PEXPIRETIME", "e:a")
	k.is(int64(-2), "TTL", "e:missing")
	k.is(int64(-2), "PTTL", "e:missing")
	k.is(int64(-2), "EXPIRETIME", "e:missing")
	k.is(int64(-2), "PEXPIRETIME", "e:missing")
	k.is(int64(0), "EXPIRE", "e:missing", 100)
	k.is(int64(0), "PERSIST", "e:missing")

	k.is(int64(1), "EXPIRE", "e:a", 100)
	k.inRange(98, 100, "TTL", "e:a")
	k.is(int64(0), "EXPIRE", "e:a", 200, "NX")
	k.is(int64(1), "EXPIRE", "e:a", 200, "XX")
	k.inRange(198, 200, "TTL", "e:a")
	k.is(int64(0), "EXPIRE", "e:a", 100, "GT")
	k.is(int64(1), "EXPIRE", "e:a", 300, "GT")
	k.is(int64(1), "EXPIRE", "e:a", 50, "LT")
	k.is(int64(0), "EXPIRE", "e:a", 500, "LT")
	k.inRange(48, 50, "TTL", "e:a")

	k.is("OK", "SET", "e:p", "v")
	k.is(int64(0), "EXPIRE", "e:p", 100, "XX")
	k.is(int64(0), "EXPIRE", "e:p", 100, "GT") // no TTL counts as infinite
	k.is(int64(1), "EXPIRE", "e:p", 100, "LT")
	k.is(int64(1), "PERSIST", "e:p")
	k.is(int64(0), "PERSIST", "e:p")
	k.is(int64(-1), "TTL", "e:p")
	k.is(int64(1), "PEXPIRE", "e:p", 100000, "NX")
	k.inRange(97000, 100000, "PTTL", "e:p")

	k.isErr("ERR NX and XX, GT or LT options at the same time are not compatible", "EXPIRE", "e:a", 10, "NX", "XX")
	k.isErr("ERR NX and XX, GT or LT options at the same time are not compatible", "EXPIRE", "e:a", 10, "NX", "GT")
	k.isErr("ERR GT and LT options at the same time are not compatible", "EXPIRE", "e:a", 10, "GT", "LT")
	k.isErr("ERR Unsupported option FOO", "EXPIRE", "e:a", 10, "FOO")
	k.isErr("ERR value is not an integer or out of range", "EXPIRE", "e:a", "abc")
	k.isErr("ERR value is not an integer or out of range", "PEXPIREAT", "e:a", "1.5")
	k.isErr("ERR wrong number of arguments for 'expire' command", "EXPIRE", "e:a")
	k.isErr("ERR wrong number of arguments for 'ttl' command", "TTL")

	at := time.Now().Unix() + 100
	k.is(int64(1), "EXPIREAT", "e:a", at)
	k.is(at, "EXPIRETIME", "e:a")
	k.is(at*1000, "PEXPIRETIME", "e:a")
	atMs := (time.Now().Unix()+200)*1000 + 123
	k.is(int64(1), "PEXPIREAT", "e:a", atMs)
	k.is(atMs, "PEXPIRETIME", "e:a")
	k.is(atMs/1000, "EXPIRETIME", "e:a")
	k.is(int64(0), "EXPIREAT", "e:a", at, "GT")
	k.is(int64(1), "PEXPIREAT", "e:a", at*1000, "LT")
	k.is(at, "EXPIRETIME", "e:a")

	k.is("OK", "SET", "e:b", "v")
	k.is(int64(1), "EXPIRE", "e:b", -1) // a past time deletes
	k.is(int64(0), "EXISTS", "e:b")
	k.is("OK", "SET", "e:c", "v")
	k.is(int64(1), "EXPIREAT", "e:c", 1)
	k.isNil("GET", "e:c")
	k.is("OK", "SET", "e:d", "v")
	k.is(int64(1), "PEXPIRE", "e:d", 0)
	k.is(int64(-2), "TTL", "e:d")
}

// testExpiry: a key set with PX 100 is gone after it expires.
func testExpiry(t *testing.T, k checker, _ *Node) {
	k.is("OK", "SET", "x:px", "v", "PX", 100)
	k.is("OK", "SET", "x:keep", "v")
	Eventually(t, 10*time.Second, "key with PX 100 expires", func() error {
		v, err := k.c.Do(context.Background(), "GET", "x:px").Result()
		if err == redis.Nil {
			return nil
		}
		return fmt.Errorf("GET x:px = %#v, %v", v, err)
	})
	k.is(int64(0), "EXISTS", "x:px")
	k.is(int64(-2), "TTL", "x:px")
	k.is(int64(-2), "PTTL", "x:px")
	k.is(int64(0), "PERSIST", "x:px")
	k.is("v", "GET", "x:keep")
	if got := k.array("KEYS", "x:*"); len(got) != 1 {
		t.Errorf("KEYS x:* after expiry = %#v, want [x:keep]", got)
	}
}
