package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The scripts people copy from the Redis documentation and popular
// libraries, unchanged.
const (
	// Fixed-window rate limiter (the INCR pattern of Redis's docs):
	// ARGV[1] window seconds, ARGV[2] limit; 1 allowed, 0 refused.
	luaRateLimit = `local current = redis.call("INCR", KEYS[1])
if current == 1 then
  redis.call("EXPIRE", KEYS[1], ARGV[1])
end
if current > tonumber(ARGV[2]) then
  return 0
end
return 1`

	// Token bucket (Spring Cloud Gateway's request_rate_limiter.lua).
	luaTokenBucket = `local tokens_key = KEYS[1]
local timestamp_key = KEYS[2]
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local requested = tonumber(ARGV[4])
local fill_time = capacity/rate
local ttl = math.floor(fill_time*2)
local last_tokens = tonumber(redis.call("get", tokens_key))
if last_tokens == nil then
  last_tokens = capacity
end
local last_refreshed = tonumber(redis.call("get", timestamp_key))
if last_refreshed == nil then
  last_refreshed = 0
end
local delta = math.max(0, now-last_refreshed)
local filled_tokens = math.min(capacity, last_tokens+(delta*rate))
local allowed = filled_tokens >= requested
local new_tokens = filled_tokens
local allowed_num = 0
if allowed then
  new_tokens = filled_tokens - requested
  allowed_num = 1
end
if ttl > 0 then
  redis.call("setex", tokens_key, ttl, new_tokens)
  redis.call("setex", timestamp_key, ttl, now)
end
return { allowed_num, new_tokens }`

	// Lock release (the SET NX + compare-and-delete pattern of the docs).
	luaUnlock = `if redis.call("get",KEYS[1]) == ARGV[1] then
    return redis.call("del",KEYS[1])
else
    return 0
end`

	// A read-modify-write that loses updates unless scripts are atomic.
	luaGetSet = `local v = tonumber(redis.call("get", KEYS[1]) or "0")
redis.call("set", KEYS[1], v + 1)
return v + 1`
)

// checkScripts runs the classic scripts through go-redis clients (each
// goroutine on the next client) and checks their results, with
// concurrency where atomicity matters. tag makes the keys of one check
// share a partition ({tag}).
func checkScripts(t *testing.T, clients []*redis.Client, tag string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	key := func(s string) string { return "{" + tag + "}:" + s }

	// Rate limiter: 40 concurrent requests, limit 15: exactly 15 pass.
	rl := redis.NewScript(luaRateLimit)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := rl.Run(ctx, clients[i%len(clients)], []string{key("rl")}, 60, 15).Int()
			if err != nil {
				t.Error("rate limiter:", err)
			}
			allowed.Add(int64(n))
		}()
	}
	wg.Wait()
	if allowed.Load() != 15 {
		t.Errorf("rate limiter let %d of 40 through, want 15", allowed.Load())
	}
	if ttl, err := clients[0].TTL(ctx, key("rl")).Result(); err != nil || ttl <= 0 || ttl > 60*time.Second {
		t.Errorf("rate limiter key TTL %v %v", ttl, err)
	}

	// Token bucket: capacity 5, rate 1/s, 8 requests at the same instant.
	tb := redis.NewScript(luaTokenBucket)
	keys := []string{key("tokens"), key("ts")}
	got := []int64{}
	for range 8 {
		res, err := tb.Run(ctx, clients[len(got)%len(clients)], keys, 1, 5, 1000, 1).Int64Slice()
		if err != nil {
			t.Fatal("token bucket:", err)
		}
		got = append(got, res[0])
	}
	if fmt.Sprint(got) != "[1 1 1 1 1 0 0 0]" {
		t.Errorf("token bucket decisions %v", got)
	}
	res, err := tb.Run(ctx, clients[0], keys, 1, 5, 1003, 1).Int64Slice() // 3 s later: 3 tokens, 1 taken
	if err != nil || res[0] != 1 || res[1] != 2 {
		t.Errorf("token bucket after refill: %v %v", res, err)
	}

	// Lock: acquire with SET NX PX, release only with the right token.
	lk := key("lock")
	if ok, err := clients[0].SetNX(ctx, lk, "token-a", 10*time.Second).Result(); !ok || err != nil {
		t.Fatal("lock acquire:", ok, err)
	}
	if ok, _ := clients[len(clients)-1].SetNX(ctx, lk, "token-b", 10*time.Second).Result(); ok {
		t.Fatal("lock acquired twice")
	}
	unlock := redis.NewScript(luaUnlock)
	if n, err := unlock.Run(ctx, clients[len(clients)-1], []string{lk}, "token-b").Int(); n != 0 || err != nil {
		t.Errorf("release with another token: %d %v", n, err)
	}
	if n, err := unlock.Run(ctx, clients[0], []string{lk}, "token-a").Int(); n != 1 || err != nil {
		t.Errorf("release: %d %v", n, err)
	}
	if n, _ := clients[0].Exists(ctx, lk).Result(); n != 0 {
		t.Error("lock still held after release")
	}

	// Atomic read-modify-write: 8 clients × 25 increments, none lost.
	gs := redis.NewScript(luaGetSet)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				if err := gs.Run(ctx, clients[i%len(clients)], []string{key("ctr")}).Err(); err != nil {
					t.Error("get/set script:", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n, err := clients[0].Get(ctx, key("ctr")).Int(); n != 200 || err != nil {
		t.Errorf("counter after 200 scripted increments: %d %v (updates lost: scripts not atomic)", n, err)
	}

	// Functions, loaded once, called through every client.
	for _, c := range clients {
		if n, err := c.FCall(ctx, "incrby_fn", []string{key("fn")}, 2).Int(); err != nil || n%2 != 0 {
			t.Errorf("FCALL: %d %v", n, err)
		}
	}
	if n, _ := clients[0].Get(ctx, key("fn")).Int(); n != 2*len(clients) {
		t.Errorf("function counter %d, want %d", n, 2*len(clients))
	}
	if v, err := clients[len(clients)-1].FCallRo(ctx, "get_fn", []string{key("fn")}).Text(); err != nil || v != strconv.Itoa(2*len(clients)) {
		t.Errorf("FCALL_RO: %q %v", v, err)
	}
}

const fnLibrary = `#!lua name=classic
redis.register_function('incrby_fn', function(keys, args)
  return redis.call('incrby', keys[1], args[1])
end)
redis.register_function{function_name='get_fn', callback=function(keys)
  return redis.call('get', keys[1])
end, flags={'no-writes'}}`

func TestScriptingSingleNode(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	ctx := context.Background()
	c2, c3 := n.Client(t, 2), n.Client(t, 3)
	if _, err := c2.FunctionLoad(ctx, fnLibrary).Result(); err != nil {
		t.Fatal(err)
	}
	checkScripts(t, []*redis.Client{c2, c3}, "one")

	// The libraries survive a restart (saved in the data directory).
	n.Stop(t)
	n.Restart(t)
	n.WaitReady(t, readyTimeout)
	c := n.Client(t, 2)
	if v, err := c.FCallRo(ctx, "get_fn", []string{"{one}:fn"}).Text(); err != nil || v != "4" {
		t.Fatalf("after restart FCALL_RO = %q, %v", v, err)
	}
	if _, err := os.Stat(filepath.Join(n.Opts.Dir, "functions.state")); err != nil {
		t.Fatal(err)
	}

	// RESP3 conversions through go-redis.
	if v, err := c3.Eval(ctx, "redis.setresp(3); return {map={a=1}}", nil).Result(); err != nil || fmt.Sprint(v) != "map[a:1]" {
		t.Errorf("RESP3 map from a script: %v %v", v, err)
	}
	if v, err := c3.Eval(ctx, "return {double=3.5}", nil).Result(); err != nil || v != 3.5 {
		t.Errorf("RESP3 double from a script: %v %v", v, err)
	}
}

// A script past busy-reply-threshold makes other clients get BUSY until
// SCRIPT KILL stops it.
func TestScriptBusyAndKill(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	ctx := context.Background()
	c, other := n.Client(t, 2), n.Client(t, 2)
	if err := c.ConfigSet(ctx, "busy-reply-threshold", "100").Err(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Eval(ctx, "local i = 0 while true do i = i + 1 end", nil).Err() }()
	Eventually(t, 10*time.Second, "BUSY", func() error {
		err := other.Get(ctx, "x").Err()
		if err == nil || !strings.HasPrefix(err.Error(), "BUSY Redis is busy running a script. You can only call SCRIPT KILL") {
			return fmt.Errorf("GET answered %v", err)
		}
		return nil
	})
	if err := other.Do(ctx, "SCRIPT", "KILL").Err(); err != nil {
		t.Fatal("SCRIPT KILL:", err)
	}
	select {
	case err := <-done:
		if err == nil || !strings.HasPrefix(err.Error(), "ERR Script killed by user with SCRIPT KILL...") {
			t.Fatalf("killed script answered %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the script did not stop after SCRIPT KILL")
	}
	if err := other.Set(ctx, "x", "1", 0).Err(); err != nil {
		t.Fatal("after the kill:", err)
	}
}

// redis-cli --eval file.lua key , arg
func TestScriptingRedisCLIEval(t *testing.T) {
	t.Parallel()
	cli := RequireTool(t, "redis-cli")
	n := StartNode(t, NodeOptions{})
	file := filepath.Join(t.TempDir(), "ratelimit.lua")
	if err := os.WriteFile(file, []byte(luaRateLimit), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"1", "1", "0"} {
		out, err := runTool(t, 30*time.Second, nil, cli, "-p", strconv.Itoa(n.Opts.Port),
			"--eval", file, "cli:rl", ",", "60", "2")
		if got := strings.TrimSpace(out); err != nil || (got != "(integer) "+want && got != want) {
			t.Fatalf("redis-cli --eval call %d: %q %v", i, out, err)
		}
	}
}

// pyScripting uses redis-py's scripting API: eval, register_script
// (EVALSHA with fallback), its Lock (Lua scripts inside redis-py), and
// functions.
const pyScripting = `
import json, sys, redis
out = {}
for i, port in enumerate(sys.argv[1:]):
    r = redis.Redis(host="127.0.0.1", port=int(port), decode_responses=True)
    k = "{py%d}" % i
    out["eval%d" % i] = r.eval("return redis.call('set', KEYS[1], ARGV[1])", 1, k + ":a", "v")
    rl = r.register_script(RL)
    out["ratelimit%d" % i] = [rl(keys=[k + ":rl"], args=[60, 2]) for _ in range(3)]
    lock = r.lock(k + ":lock", timeout=10, blocking_timeout=1)
    out["lock%d" % i] = [lock.acquire(), r.lock(k + ":lock", timeout=10, blocking_timeout=0.2).acquire(), lock.extend(5), lock.release(), r.exists(k + ":lock")]
    out["fcall%d" % i] = r.fcall("incrby_fn", 1, k + ":fn", 5)
    out["fcall_ro%d" % i] = r.fcall_ro("get_fn", 1, k + ":fn")
    try:
        r.eval("return redis.call('incr', KEYS[1])", 1, k + ":a")
    except redis.exceptions.ResponseError as e:
        out["error%d" % i] = str(e).split(" script:")[0]
print(json.dumps(out))
`

func runPyScripting(t *testing.T, ports ...int) map[string]any {
	py := requirePythonRedis(t)
	args := []string{"-c", "RL = " + strconv.Quote(luaRateLimit) + "\n" + pyScripting}
	for _, p := range ports {
		args = append(args, strconv.Itoa(p))
	}
	out, err := runTool(t, 2*time.Minute, nil, py, args...)
	if err != nil {
		t.Fatalf("redis-py: %v\n%s", err, out)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("redis-py output: %v\n%s", err, out)
	}
	for i := range ports {
		want := map[string]string{
			"eval":      "OK",
			"ratelimit": "[1 1 0]",
			"lock":      "[true false true <nil> 0]",
			"fcall":     "5",
			"fcall_ro":  "5",
			"error":     "value is not an integer or out of range",
		}
		for k, w := range want {
			if g := fmt.Sprint(got[k+strconv.Itoa(i)]); g != w {
				t.Errorf("redis-py %s via port %d: %s, want %s", k, ports[i], g, w)
			}
		}
	}
	return got
}

func TestScriptingRedisPy(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	if err := n.Client(t, 2).FunctionLoad(context.Background(), fnLibrary).Err(); err != nil {
		t.Fatal(err)
	}
	runPyScripting(t, n.Opts.Port)
}
