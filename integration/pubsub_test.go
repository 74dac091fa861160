package integration

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// receive reads one message from ps within 10s.
func receive(t *testing.T, ps *redis.PubSub, what string) *redis.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		v, err := ps.Receive(ctx)
		if err != nil {
			t.Fatalf("%s: no message: %v", what, err)
		}
		switch m := v.(type) {
		case *redis.Message:
			return m
		case *redis.Subscription, *redis.Pong:
		default:
			t.Fatalf("%s: unexpected %T %v", what, v, v)
		}
	}
}

// subscribed opens a go-redis subscription and waits for its confirmations.
func subscribed(t *testing.T, cl *redis.Client, channels, patterns []string) *redis.PubSub {
	t.Helper()
	ctx := context.Background()
	ps := cl.Subscribe(ctx)
	t.Cleanup(func() { _ = ps.Close() })
	if len(channels) > 0 {
		if err := ps.Subscribe(ctx, channels...); err != nil {
			t.Fatalf("SUBSCRIBE: %v", err)
		}
	}
	if len(patterns) > 0 {
		if err := ps.PSubscribe(ctx, patterns...); err != nil {
			t.Fatalf("PSUBSCRIBE: %v", err)
		}
	}
	for range len(channels) + len(patterns) {
		v, err := ps.ReceiveTimeout(ctx, 10*time.Second)
		if _, ok := v.(*redis.Subscription); err != nil || !ok {
			t.Fatalf("confirmation: %v %v", v, err)
		}
	}
	return ps
}

// TestPubSubGoRedis is pub/sub on one node through go-redis, RESP2 and RESP3.
func TestPubSubGoRedis(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ch := fmt.Sprintf("news%d", proto)
			sub := subscribed(t, n.Client(t, proto), []string{ch}, []string{"news*"})
			pub := n.Client(t, proto)
			if got, err := pub.Publish(ctx, ch, "hello").Result(); err != nil || got != 2 {
				t.Fatalf("PUBLISH: %d %v, want 2 (channel and pattern)", got, err)
			}
			seen := map[string]bool{}
			for range 2 {
				m := receive(t, sub, "message")
				if m.Payload != "hello" || m.Channel != ch {
					t.Errorf("got %+v", m)
				}
				seen[m.Pattern] = true
			}
			if !seen[""] || !seen["news*"] {
				t.Errorf("want one plain and one pattern message, got %v", seen)
			}
			counts, err := pub.PubSubNumSub(ctx, ch, "none").Result()
			if err != nil || counts[ch] != 1 || counts["none"] != 0 {
				t.Errorf("PUBSUB NUMSUB: %v %v", counts, err)
			}
			list, err := pub.ClientList(ctx).Result()
			if err != nil || !strings.Contains(list, "sub=1 psub=1 ssub=0") {
				t.Errorf("CLIENT LIST lacks sub=1 psub=1: %v\n%s", err, list)
			}
			if err := sub.Unsubscribe(ctx, ch); err != nil {
				t.Fatal(err)
			}
			Eventually(t, 10*time.Second, "unsubscribed", func() error {
				if n, err := pub.Publish(ctx, ch, "x").Result(); err != nil || n != 1 {
					return fmt.Errorf("PUBLISH counts %d (%v), want 1", n, err)
				}
				return nil
			})
		})
	}
}

// TestPubSubCluster: a message published on node 1 reaches subscribers on
// nodes 2 and 3, PUBLISH counts them all, PUBSUB answers for the cluster,
// and a node that is down does not hold the publisher.
func TestPubSubCluster(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	ctx := context.Background()
	n1, n2, n3 := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	s2 := subscribed(t, n2.Client(t, 2), []string{"events"}, nil)
	s3 := subscribed(t, n3.Client(t, 3), []string{"events"}, []string{"ev*"})
	pub := c.Client(n1)
	if got, err := pub.Publish(ctx, "events", "one").Result(); err != nil || got != 3 {
		t.Fatalf("PUBLISH on n1 counts %d (%v), want 3 cluster-wide", got, err)
	}
	if m := receive(t, s2, "n2"); m.Payload != "one" || m.Channel != "events" {
		t.Errorf("n2 got %+v", m)
	}
	for range 2 {
		if m := receive(t, s3, "n3"); m.Payload != "one" {
			t.Errorf("n3 got %+v", m)
		}
	}
	if got, err := pub.PubSubNumSub(ctx, "events").Result(); err != nil || got["events"] != 2 {
		t.Errorf("PUBSUB NUMSUB on n1: %v %v, want 2", got, err)
	}
	if got, err := pub.PubSubChannels(ctx, "*").Result(); err != nil || len(got) != 1 || got[0] != "events" {
		t.Errorf("PUBSUB CHANNELS on n1: %v %v", got, err)
	}
	if got, err := pub.PubSubNumPat(ctx).Result(); err != nil || got != 1 {
		t.Errorf("PUBSUB NUMPAT on n1: %v %v", got, err)
	}
	// SPUBLISH goes cluster-wide too.
	ss := n3.Client(t, 3).SSubscribe(ctx, "shard1")
	t.Cleanup(func() { _ = ss.Close() })
	if v, err := ss.ReceiveTimeout(ctx, 10*time.Second); err != nil {
		t.Fatalf("SSUBSCRIBE: %v %v", v, err)
	}
	if got, err := c.Client(n2).SPublish(ctx, "shard1", "s").Result(); err != nil || got != 1 {
		t.Errorf("SPUBLISH on n2: %d %v, want 1", got, err)
	}
	if m := receive(t, ss, "n3 shard"); m.Payload != "s" {
		t.Errorf("n3 shard message %+v", m)
	}

	n3.Kill(t)
	start := time.Now()
	got, err := pub.Publish(ctx, "events", "two").Result()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("PUBLISH with a node down took %v", took)
	}
	if err != nil || got != 1 {
		t.Errorf("PUBLISH with n3 down: %d %v, want 1 (n2)", got, err)
	}
	if m := receive(t, s2, "n2 after n3 died"); m.Payload != "two" {
		t.Errorf("n2 got %+v", m)
	}
}

// TestKeyspaceNotifications: CONFIG SET notify-keyspace-events KEA, then
// the events of writes, on one node and across a cluster.
func TestKeyspaceNotifications(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	ctx := context.Background()
	for _, n := range c.Nodes {
		if err := c.Client(n).ConfigSet(ctx, "notify-keyspace-events", "KEA").Err(); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := c.Client(c.Nodes[0]).ConfigGet(ctx, "notify-keyspace-events").Result(); err != nil ||
		got["notify-keyspace-events"] != "AKE" {
		t.Fatalf("CONFIG GET: %v %v", got, err)
	}
	ps := subscribed(t, c.Nodes[2].Client(t, 2), nil, []string{"__key*__:*"})
	cl := c.Client(c.Nodes[0])
	steps := []struct {
		cmd  []any
		want []string // channel payload, in order
	}{
		{[]any{"SET", "k1", "v", "EX", "100"}, []string{"__keyspace@0__:k1 set", "__keyevent@0__:set k1",
			"__keyspace@0__:k1 expire", "__keyevent@0__:expire k1"}},
		{[]any{"INCR", "n"}, []string{"__keyspace@0__:n incrby", "__keyevent@0__:incrby n"}},
		{[]any{"APPEND", "k1", "x"}, []string{"__keyspace@0__:k1 append", "__keyevent@0__:append k1"}},
		{[]any{"PERSIST", "k1"}, []string{"__keyspace@0__:k1 persist", "__keyevent@0__:persist k1"}},
		{[]any{"DEL", "k1", "n", "missing"}, []string{"__keyspace@0__:k1 del", "__keyevent@0__:del k1",
			"__keyspace@0__:n del", "__keyevent@0__:del n"}},
	}
	for _, st := range steps {
		if err := cl.Do(ctx, st.cmd...).Err(); err != nil {
			t.Fatalf("%v: %v", st.cmd, err)
		}
		var got []string
		for range st.want {
			m := receive(t, ps, fmt.Sprint(st.cmd))
			got = append(got, m.Channel+" "+m.Payload)
		}
		if len(st.cmd) > 2 && st.cmd[0] == "DEL" { // keys of different coordinators: any order
			sortStrings(got)
			sortStrings(st.want)
		}
		if strings.Join(got, "|") != strings.Join(st.want, "|") {
			t.Errorf("%v:\n got %q\nwant %q", st.cmd, got, st.want)
		}
	}
	if err := c.Client(c.Nodes[0]).ConfigSet(ctx, "notify-keyspace-events", "Z").Err(); err == nil ||
		!strings.Contains(err.Error(), "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.") {
		t.Errorf("bad flags: %v", err)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestMonitor: MONITOR shows other clients' commands in Redis's format,
// with AUTH's arguments redacted and admin commands left out.
func TestMonitor(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	mon := DialRESP(t, n.Addr())
	if r := mon.Do("MONITOR"); r.Raw != "+OK\r\n" {
		t.Fatalf("MONITOR: %v", r)
	}
	cl := DialRESP(t, n.Addr())
	cl.Do("SET", "k", "v with \"quotes\"\n")
	cl.Do("AUTH", "secret")
	cl.Do("CONFIG", "GET", "maxclients") // admin: not shown
	cl.Do("NOSUCH")                      // refused: not shown
	cl.Do("MULTI")
	cl.Do("INCR", "n")
	cl.Do("EXEC")
	cl.Do("GET", "k")
	cl.Do("EVAL", "return redis.call('get', KEYS[1])", "1", "k")
	line := regexp.MustCompile(`^\+\d{10}\.\d{6} \[0 (127\.0\.0\.1:\d+|lua)\] (.*)\r\n$`)
	want := []string{`"SET" "k" "v with \"quotes\"\n"`, `"AUTH" "(redacted)"`, `"MULTI"`, `"INCR" "n"`, `"EXEC"`, `"GET" "k"`,
		`"EVAL" "return redis.call('get', KEYS[1])" "1" "k"`, `lua "get" "k"`}
	for _, w := range want {
		r, err := mon.Read()
		if err != nil {
			t.Fatalf("reading the monitor for %s: %v", w, err)
		}
		m := line.FindStringSubmatch(r.Raw)
		if m != nil && m[1] == "lua" {
			m[2] = "lua " + m[2]
		}
		if m == nil || m[2] != w {
			t.Errorf("monitor line %q, want %s", r.Raw, w)
		}
	}
	if r := mon.Do("GET", "k"); r.Raw != "-ERR Replica can't interact with the keyspace\r\n" {
		t.Errorf("GET on a monitor: %v", r)
	}
}

// TestSlowSubscriberDropped: a subscriber that never reads is closed once
// its queued messages pass the pubsub output limit, and the publisher
// never waits for it.
func TestSlowSubscriberDropped(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	ctx := context.Background()
	pub := n.Client(t, 2)
	if err := pub.ConfigSet(ctx, "client-output-buffer-limit", "pubsub 1mb 256kb 60").Err(); err != nil {
		t.Fatal(err)
	}
	slow := DialRESP(t, n.Addr())
	slow.Do("SUBSCRIBE", "firehose") // and never reads again
	payload := strings.Repeat("x", 64<<10)
	start := time.Now()
	for i := 0; i < 400; i++ { // 25 MB: far past the socket buffers and the limit
		if err := pub.Publish(ctx, "firehose", payload).Err(); err != nil {
			t.Fatalf("PUBLISH %d: %v", i, err)
		}
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("400 PUBLISH took %v: the publisher waited for the slow subscriber", took)
	}
	Eventually(t, 10*time.Second, "the slow subscriber is gone", func() error {
		got, err := pub.PubSubNumSub(ctx, "firehose").Result()
		if err != nil || got["firehose"] != 0 {
			return fmt.Errorf("NUMSUB %v %v", got, err)
		}
		return nil
	})
	if !strings.Contains(n.Log(), "output buffer limits") {
		t.Errorf("no log line about the output limit:\n%s", n.LogTail(20))
	}
}

// TestPubSubReplyOff: with CLIENT REPLY OFF a subscriber still gets its
// confirmations and messages, as Redis 7.0 sends them.
func TestPubSubReplyOff(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	for _, proto := range []string{"2", "3"} {
		sub, pub := DialRESP(t, n.Addr()), DialRESP(t, n.Addr())
		sub.Do("HELLO", proto)
		sub.Send("CLIENT", "REPLY", "OFF")
		sub.Send("SET", "k", "v") // no reply
		if r := sub.Do("SUBSCRIBE", "ch"+proto); len(r.Elems) != 3 || r.Elems[0].Str != "subscribe" {
			t.Errorf("RESP%s: SUBSCRIBE with replies off: %v", proto, r)
		}
		if r := pub.Do("PUBLISH", "ch"+proto, "m"); r.Raw != ":1\r\n" {
			t.Errorf("RESP%s: PUBLISH: %v", proto, r)
		}
		if r, err := sub.Read(); err != nil || len(r.Elems) != 3 || r.Elems[2].Str != "m" {
			t.Errorf("RESP%s: message with replies off: %v %v", proto, r, err)
		}
	}
}

// TestExpiredNotification: a key given an expiry fires "expired" once,
// cluster-wide, whichever node a subscriber is on (Redis's "expired events"
// tests, on a 3-node cluster).
func TestExpiredNotification(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	ctx := context.Background()
	for _, n := range c.Nodes {
		if err := c.Client(n).ConfigSet(ctx, "notify-keyspace-events", "Ex").Err(); err != nil {
			t.Fatal(err)
		}
	}
	ps := subscribed(t, c.Nodes[1].Client(t, 2), nil, []string{"*"})
	if err := c.Client(c.Nodes[0]).Do(ctx, "PSETEX", "foo", "100", "1").Err(); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, ps, "expired"); m.Channel != "__keyevent@0__:expired" || m.Payload != "foo" {
		t.Errorf("got %+v", m)
	}
	if v, err := ps.ReceiveTimeout(ctx, time.Second); err == nil {
		t.Errorf("a second notification: %v", v)
	}
}
