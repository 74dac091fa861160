package integration

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// pyPubSub subscribes with redis-py on the second port, publishes on the
// first, and watches keyspace events on the third, as an application
// would; it prints what it saw as JSON.
const pyPubSub = `
import json, sys, time, redis
pub, sub, ev = [redis.Redis(host="127.0.0.1", port=int(p), decode_responses=True) for p in sys.argv[1:4]]
out = {}
ps = sub.pubsub()
ps.subscribe("py:ch")
ps.psubscribe("py:*")
def next_msg(p):
    end = time.time() + 10
    while time.time() < end:
        m = p.get_message(timeout=1)
        if m and m["type"] in ("message", "pmessage"):
            return m
    return None
for _ in range(2):  # the confirmations
    m = ps.get_message(timeout=10)
out["confirmed"] = ps.subscribed
out["publish"] = pub.publish("py:ch", "hello")
got = sorted((m["type"], m["channel"], m["data"]) for m in [next_msg(ps), next_msg(ps)] if m)
out["messages"] = [list(g) for g in got]
out["numsub"] = pub.pubsub_numsub("py:ch")
out["numpat"] = pub.pubsub_numpat()
for r in (pub, sub, ev):
    r.config_set("notify-keyspace-events", "KEA")
ks = ev.pubsub()
ks.psubscribe("__keyevent@0__:*")
ks.get_message(timeout=10)
pub.set("py:k", "v", ex=100)
events = [next_msg(ks), next_msg(ks)]
out["events"] = [[m["channel"], m["data"]] for m in events if m]
try:
    r = redis.Redis(host="127.0.0.1", port=int(sys.argv[2]), decode_responses=True)
    c = r.connection_pool.get_connection("x")
    c.send_command("SUBSCRIBE", "x")
    c.read_response()
    c.send_command("GET", "k")
    c.read_response()
    out["subscribe_mode"] = "no error"
except redis.exceptions.ResponseError as e:
    out["subscribe_mode"] = str(e)
ps.close(); ks.close()
for r in (pub, sub, ev):
    r.config_set("notify-keyspace-events", "")
print(json.dumps(out))
`

// TestPubSubRedisPy runs the redis-py script on one node and across a
// three-node cluster (publish on n1, subscribe on n2, events on n3).
func TestPubSubRedisPy(t *testing.T) {
	t.Parallel()
	py := requirePythonRedis(t)
	one := strconv.Itoa(StartNode(t, NodeOptions{}).Opts.Port)
	c := StartCluster(t, 3, ClusterOptions{})
	port := func(i int) string { return strconv.Itoa(c.Nodes[i].Opts.Port) }
	for name, ports := range map[string][]string{
		"one node": {one, one, one},
		"cluster":  {port(0), port(1), port(2)},
	} {
		out, err := runTool(t, time.Minute, nil, py, append([]string{"-c", pyPubSub}, ports...)...)
		if err != nil {
			t.Fatalf("%s: redis-py script: %v\n%s", name, err, out)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: output is not JSON: %v\n%s", name, err, out)
		}
		want := map[string]any{
			"confirmed": true, "publish": 2.0,
			"messages": []any{[]any{"message", "py:ch", "hello"}, []any{"pmessage", "py:ch", "hello"}},
			"numsub":   []any{[]any{"py:ch", 1.0}}, "numpat": 1.0,
			"events": []any{[]any{"__keyevent@0__:set", "py:k"}, []any{"__keyevent@0__:expire", "py:k"}},
			"subscribe_mode": "Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET " +
				"are allowed in this context",
		}
		for k, w := range want {
			if !reflect.DeepEqual(got[k], w) {
				t.Errorf("%s: %s = %v, want %v", name, k, got[k], w)
			}
		}
	}
}
