package integration

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestMigrate: MIGRATE moves keys of every type, with their TTLs, from a
// ringkv node to a real redis-server and, with Redis's own MIGRATE, from
// there into another ringkv node; COPY keeps the source, a busy target
// key is refused (BUSYKEY) unless REPLACE, AUTH reaches a target with a
// password. MIGRATE used to be an unknown command.
func TestMigrate(t *testing.T) {
	t.Parallel()
	a, b := StartNode(t, NodeOptions{Name: "a"}), StartNode(t, NodeOptions{Name: "b"})
	refAddr := StartRedisServer(t, "--databases", "16")
	ref := redis.NewClient(&redis.Options{Addr: refAddr, Protocol: 2})
	t.Cleanup(func() { _ = ref.Close() })
	ca, cb := a.Client(t, 2), b.Client(t, 2)
	ctx := context.Background()
	host, port, _ := net.SplitHostPort(refAddr)
	bHost, bPort, _ := net.SplitHostPort(b.Addr())

	ca.Set(ctx, "s", "v", 0)
	ca.RPush(ctx, "l", "a", "b", "c")
	ca.HSet(ctx, "h", "f", "1", "g", "2")
	ca.ZAdd(ctx, "z", redis.Z{Score: 1.5, Member: "m"})
	ca.Set(ctx, "t", "x", 100*time.Second)
	if r, err := ca.Do(ctx, "MIGRATE", host, port, "", "0", "5000", "KEYS", "s", "l", "h", "z", "t", "missing").Result(); err != nil || r != "OK" {
		t.Fatalf("MIGRATE to redis-server = %v, %v", r, err)
	}
	if n := ca.Exists(ctx, "s", "l", "h", "z", "t").Val(); n != 0 {
		t.Errorf("%d keys left on the source after MIGRATE", n)
	}
	check := func(cl *redis.Client, where string) {
		t.Helper()
		if v := cl.Get(ctx, "s").Val(); v != "v" {
			t.Errorf("%s: GET s = %q", where, v)
		}
		if v := cl.LRange(ctx, "l", 0, -1).Val(); strings.Join(v, ",") != "a,b,c" {
			t.Errorf("%s: LRANGE l = %v", where, v)
		}
		if v := cl.HGetAll(ctx, "h").Val(); v["f"] != "1" || v["g"] != "2" {
			t.Errorf("%s: HGETALL h = %v", where, v)
		}
		if v := cl.ZScore(ctx, "z", "m").Val(); v != 1.5 {
			t.Errorf("%s: ZSCORE z m = %v", where, v)
		}
		if ttl := cl.TTL(ctx, "t").Val(); ttl < 90*time.Second || ttl > 100*time.Second {
			t.Errorf("%s: TTL t = %v, want about 100s", where, ttl)
		}
	}
	check(ref, "redis-server")

	// Redis's own MIGRATE into ringkv (RESTORE of Redis's payloads).
	if r, err := ref.Do(ctx, "MIGRATE", bHost, bPort, "", "0", "5000", "COPY", "KEYS", "s", "l", "h", "z", "t").Result(); err != nil || r != "OK" {
		t.Fatalf("redis-server MIGRATE COPY to ringkv = %v, %v", r, err)
	}
	check(cb, "ringkv b")

	// Busy target key; REPLACE; NOKEY.
	ca.Set(ctx, "s", "new", 0)
	if err := ca.Do(ctx, "MIGRATE", bHost, bPort, "s", "0", "5000").Err(); err == nil || !strings.Contains(err.Error(), "BUSYKEY") {
		t.Errorf("MIGRATE onto a busy key = %v, want the target's BUSYKEY", err)
	}
	if ca.Exists(ctx, "s").Val() != 1 {
		t.Error("a key the target refused was deleted at the source")
	}
	if r, err := ca.Do(ctx, "MIGRATE", bHost, bPort, "s", "0", "5000", "REPLACE").Result(); err != nil || r != "OK" || cb.Get(ctx, "s").Val() != "new" {
		t.Errorf("MIGRATE REPLACE = %v, %v; target has %q", r, err, cb.Get(ctx, "s").Val())
	}
	if r, err := ca.Do(ctx, "MIGRATE", bHost, bPort, "s", "0", "5000").Result(); err != nil || r != "NOKEY" {
		t.Errorf("MIGRATE of a missing key = %v, %v; want NOKEY", r, err)
	}

	// AUTH to a target with a password.
	ref.ConfigSet(ctx, "requirepass", "foobar")
	ca.RPush(ctx, "list", "x")
	if err := ca.Do(ctx, "MIGRATE", host, port, "list", "0", "5000", "AUTH", "wrong").Err(); err == nil || !strings.Contains(err.Error(), "WRONGPASS") {
		t.Errorf("MIGRATE with a wrong password = %v, want WRONGPASS", err)
	}
	if r, err := ca.Do(ctx, "MIGRATE", host, port, "list", "0", "5000", "AUTH", "foobar").Result(); err != nil || r != "OK" {
		t.Errorf("MIGRATE AUTH foobar = %v, %v", r, err)
	}
}
