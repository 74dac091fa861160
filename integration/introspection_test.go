package integration

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestSlowlogGoRedis: go-redis reads ringkv's slow log as Redis's.
func TestSlowlogGoRedis(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := StartNode(t, NodeOptions{})
	c := n.Client(t, 3)
	k := checker{t: t, c: c, proto: 3}
	k.is("OK", "CONFIG", "SET", "slowlog-log-slower-than", "0")
	k.is("OK", "SLOWLOG", "RESET")
	conn := c.Conn()
	defer conn.Close()
	if err := conn.ClientSetName(ctx, "intro").Err(); err != nil {
		t.Fatal(err)
	}
	if err := conn.Set(ctx, "k", strings.Repeat("v", 300), 0).Err(); err != nil {
		t.Fatal(err)
	}
	addr := conn.ClientInfo(ctx).Val()
	log, err := c.SlowLogGet(ctx, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	var set *redis.SlowLog
	for i := range log {
		if len(log[i].Args) > 0 && log[i].Args[0] == "set" {
			set = &log[i]
		}
	}
	if set == nil {
		t.Fatalf("no SET in the slow log: %+v", log)
	}
	want := []string{"set", "k", strings.Repeat("v", 128) + "... (172 more bytes)"}
	if fmt.Sprint(set.Args) != fmt.Sprint(want) || set.ClientName != "intro" ||
		addr == nil || set.ClientAddr != addr.Addr || time.Since(set.Time) > time.Minute {
		t.Errorf("slow log entry %+v (client %+v)", *set, addr)
	}
	k.is("OK", "CONFIG", "SET", "slowlog-log-slower-than", "200000")
	k.is("OK", "SLOWLOG", "RESET")
	k.is("OK", "DEBUG", "SLEEP", "0.3")
	k.is("PONG", "PING") // fast: not logged
	if log := c.SlowLogGet(ctx, 10).Val(); len(log) != 1 || log[0].Args[0] != "DEBUG" || log[0].Duration < 250*time.Millisecond {
		t.Errorf("slow log after DEBUG SLEEP 0.3 with a 200 ms threshold: %+v", log)
	}
}

// TestClientPauseGoRedis: CLIENT PAUSE WRITE holds writes (not reads) of
// every client until the timeout or CLIENT UNPAUSE.
func TestClientPauseGoRedis(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := StartNode(t, NodeOptions{})
	admin, app := n.Client(t, 2), n.Client(t, 3)
	if err := app.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	timed := func(fn func() error) time.Duration {
		start := time.Now()
		if err := fn(); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	if err := admin.Do(ctx, "CLIENT", "PAUSE", "600", "WRITE").Err(); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	if d := timed(func() error { return app.Get(ctx, "k").Err() }); d > 300*time.Millisecond {
		t.Errorf("GET held %v by a WRITE pause", d)
	}
	timed(func() error { return app.Set(ctx, "k", "w", 0).Err() })
	if d := time.Since(paused); d < 500*time.Millisecond {
		t.Errorf("SET answered %v into a 600 ms WRITE pause", d)
	}

	// CLIENT UNPAUSE releases a held write at once
	if err := admin.Do(ctx, "CLIENT", "PAUSE", "100000", "WRITE").Err(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Incr(ctx, "n").Err() }()
	select {
	case err := <-done:
		t.Fatalf("INCR ran during the pause: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := admin.Do(ctx, "CLIENT", "UNPAUSE").Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("INCR still held after CLIENT UNPAUSE")
	}
	if v := app.Get(ctx, "n").Val(); v != "1" {
		t.Errorf("n = %q after the held INCR", v)
	}
}

// TestSIGTERMDuringClientPause: a node paused by CLIENT PAUSE stops at
// once on SIGTERM, without running the write it holds (it waited for the
// pause to run out, or for the 30 s shutdown grace).
func TestSIGTERMDuringClientPause(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := StartNode(t, NodeOptions{})
	admin, app := n.Client(t, 2), n.Client(t, 3)
	if err := admin.Do(ctx, "CLIENT", "PAUSE", "100000", "ALL").Err(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Set(ctx, "held", "v", 0).Err() }()
	select {
	case err := <-done:
		t.Fatalf("SET ran during the pause: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	start := time.Now()
	n.Signal(t, syscall.SIGTERM)
	if code := n.WaitExit(t, stopTimeout); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("SIGTERM took %v with a command held by CLIENT PAUSE", d)
	}
	t.Logf("SIGTERM during CLIENT PAUSE: exited in %v", time.Since(start).Round(time.Millisecond))
	if err := <-done; err == nil {
		t.Error("the held SET answered OK")
	}
	n.Restart(t)
	if v, err := n.Client(t, 3).Exists(ctx, "held").Result(); err != nil || v != 0 {
		t.Errorf("after restart: EXISTS held = %d, %v; the held SET must not have run", v, err)
	}
}

// TestLatencyAndVersionGoRedis: the latency monitor records a slow
// command; HELLO and INFO claim the same Redis version, 7.0.15.
func TestLatencyAndVersionGoRedis(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	c := n.Client(t, 3)
	k := checker{t: t, c: c, proto: 3}
	k.is("OK", "CONFIG", "SET", "latency-monitor-threshold", "50")
	k.is("OK", "DEBUG", "SLEEP", "0.1")
	latest := k.do("LATENCY", "LATEST").([]any)
	if len(latest) != 1 || latest[0].([]any)[0] != "command" || latest[0].([]any)[2].(int64) < 100 {
		t.Errorf("LATENCY LATEST after DEBUG SLEEP 0.1: %v", latest)
	}
	hello := k.do("HELLO", "3").(map[any]any)
	info := k.do("INFO", "server").(string)
	if hello["version"] != "7.0.15" || !strings.Contains(info, "\r\nredis_version:7.0.15\r\n") {
		t.Errorf("HELLO version %v; INFO server:\n%s", hello["version"], info)
	}
	k.is(int64(0), "WAIT", "0", "0")
	k.is("OK", "SET", "k", "v")
	k.is(int64(0), "WAIT", "1", "100") // a single node is a Redis without replicas
}

// TestNodeRunsTwiceTheDefaultPs: a node gives Go's scheduler twice the
// Ps it would take (cmd/ringkv/procs.go), unless GOMAXPROCS is set, and
// INFO server says how many.
func TestNodeRunsTwiceTheDefaultPs(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	k := checker{t: t, c: n.Client(t, 2), proto: 2}
	want := 2 * runtime.GOMAXPROCS(0) // this process runs with the default, or with $GOMAXPROCS as the node does
	if os.Getenv("GOMAXPROCS") != "" {
		want = runtime.GOMAXPROCS(0)
	}
	if info := k.do("INFO", "server").(string); !strings.Contains(info, fmt.Sprintf("\r\ngo_maxprocs:%d\r\n", want)) {
		t.Errorf("want go_maxprocs:%d in INFO server:\n%s", want, info)
	}
}

// TestWaitCluster: in a 3-node ring (N=3, W=2) a write its coordinator
// acknowledged with 2 copies makes WAIT answer 1, at once.
func TestWaitCluster(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cl := StartCluster(t, 3, ClusterOptions{})
	loc, err := cl.Locate(cl.Nodes[0], "wk")
	if err != nil {
		t.Fatal(err)
	}
	var coord *Node
	for _, n := range cl.Nodes {
		if n.Opts.Name == loc.Replicas[0] {
			coord = n
		}
	}
	if coord == nil {
		t.Fatalf("no node %s", loc.Replicas[0])
	}
	c := coord.Client(t, 2)
	conn := c.Conn()
	defer conn.Close()
	if n, err := conn.Do(ctx, "WAIT", "2", "0").Int64(); err != nil || n != 2 {
		t.Errorf("WAIT before any write = %d, %v; want 2 (N=3)", n, err)
	}
	if err := conn.Set(ctx, "wk", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	n, err := conn.Do(ctx, "WAIT", "2", "5000").Int64()
	if err != nil || n != 1 || time.Since(start) > 4*time.Second {
		t.Errorf("WAIT 2 5000 after a W=2 write = %d, %v after %v; want 1 without waiting out the timeout", n, err, time.Since(start))
	}
	// Through a node that forwards the write to the coordinator (SET XX
	// reads first, so it runs there; a plain SET would run on any
	// replica): the forwarded write counts too.
	for _, n := range cl.Nodes {
		if n == coord {
			continue
		}
		conn := n.Client(t, 2).Conn()
		defer conn.Close()
		if err := conn.SetXX(ctx, "wk", "w", 0).Err(); err != nil {
			t.Fatal(err)
		}
		if got, err := conn.Do(ctx, "WAIT", "2", "0").Int64(); err != nil || got != 1 {
			t.Errorf("WAIT through %s after a forwarded W=2 write = %d, %v; want 1", n.Opts.Name, got, err)
		}
	}
}
