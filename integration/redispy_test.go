package integration

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// pyScript uses redis-py the way an application would and prints what it
// saw as JSON.
const pyScript = `
import json, sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
out = {}
out["ping"] = r.ping()
out["set"] = r.set("py:a", "1")
out["get"] = r.get("py:a")
out["get_missing"] = r.get("py:missing")
out["incr"] = r.incr("py:n")
out["incrby"] = r.incrby("py:n", 41)
out["mset"] = r.mset({"py:b": "2", "py:c": "3"})
out["mget"] = r.mget(["py:a", "py:missing", "py:b", "py:c"])
out["set_ex"] = r.set("py:t", "v", ex=100)
out["expire"] = r.expire("py:a", 100)
ttl = r.ttl("py:a")
out["ttl_ok"] = 98 <= ttl <= 100
out["persist"] = r.persist("py:a")
out["ttl_after_persist"] = r.ttl("py:a")
out["exists"] = r.exists("py:a", "py:b", "py:missing")
out["scan"] = sorted(r.scan_iter(match="py:[abc]", count=10))
p = r.pipeline(transaction=False)
p.set("py:p", "x").get("py:p").delete("py:p").get("py:p")
out["pipeline"] = p.execute()
c1 = r.execute_command("VSET", "py:v", "x")
c2 = r.execute_command("VSET", "py:v", "y")
ctx, vals = r.execute_command("VGET", "py:v")
out["vset_contexts"] = [isinstance(c1, str) and len(c1) > 0, isinstance(c2, str) and len(c2) > 0]
out["vget_values"] = sorted(vals)
r.execute_command("VSET", "py:v", "z", "CONTEXT", ctx)
out["vget_after_context"] = r.execute_command("VGET", "py:v")[1]
out["get_v"] = r.get("py:v")
out["info_version"] = "redis_version" in r.info("server")
out["dbsize"] = r.dbsize()
try:
    r.execute_command("PSYNC", "k", "v")
    out["psync"] = "no error"
except redis.exceptions.ResponseError as e:
    out["psync"] = str(e)
try:
    r.incr("py:v")
    out["incr_text"] = "no error"
except redis.exceptions.ResponseError as e:
    out["incr_text"] = str(e)
print(json.dumps(out))
`

// TestRedisPy runs a redis-py script against a node.
func TestRedisPy(t *testing.T) {
	t.Parallel()
	py := requirePythonRedis(t)
	n := StartNode(t, NodeOptions{})
	out, err := runTool(t, time.Minute, nil, py, "-c", pyScript, strconv.Itoa(n.Opts.Port))
	if err != nil {
		t.Fatalf("redis-py script: %v\n%s", err, out)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("redis-py script output is not JSON: %v\n%s", err, out)
	}
	want := map[string]any{
		"ping": true, "set": true, "get": "1", "get_missing": nil, "incr": 1.0, "incrby": 42.0,
		"mset": true, "mget": []any{"1", nil, "2", "3"}, "set_ex": true, "expire": true,
		"ttl_ok": true, "persist": true, "ttl_after_persist": -1.0, "exists": 2.0,
		"scan":          []any{"py:a", "py:b", "py:c"},
		"pipeline":      []any{true, "x", 1.0, nil},
		"vset_contexts": []any{true, true}, "vget_values": []any{"x", "y"},
		"vget_after_context": []any{"z"}, "get_v": "z", "info_version": true, "dbsize": 6.0,
		"psync":     "unknown command 'PSYNC', with args beginning with: 'k' 'v' ",
		"incr_text": "value is not an integer or out of range",
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !reflect.DeepEqual(g, w) {
			t.Errorf("redis-py %s: got %#v, want %#v", k, g, w)
		}
	}
}
