package integration

import (
	"context"
	"strings"
	"testing"
)

// A node started with --maxmemory and --maxmemory-policy (redis.conf's
// names and units) runs with them: CONFIG GET shows them and, over the
// limit, a write answers OOM while reads run.
func TestMaxMemoryAtStartup(t *testing.T) {
	n := StartNode(t, NodeOptions{Args: []string{"--maxmemory", "1", "--maxmemory-policy", "allkeys-lru"}})
	c := n.Client(t, 2)
	ctx := context.Background()
	got, err := c.ConfigGet(ctx, "maxmemory*").Result()
	if err != nil || got["maxmemory"] != "1" || got["maxmemory-policy"] != "allkeys-lru" {
		t.Fatalf("CONFIG GET maxmemory* = %v, %v", got, err)
	}
	if err := c.Set(ctx, "k", "v", 0).Err(); err == nil || !strings.HasPrefix(err.Error(), "OOM command not allowed") {
		t.Fatalf("SET over maxmemory: %v, want OOM", err)
	}
	if err := c.Get(ctx, "k").Err(); err == nil || err.Error() != "redis: nil" {
		t.Fatalf("GET over maxmemory: %v, want nil", err)
	}
	if err := c.ConfigSet(ctx, "maxmemory", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET after CONFIG SET maxmemory 0: %v", err)
	}
}
