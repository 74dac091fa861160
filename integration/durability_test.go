package integration

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const hour = int64(time.Hour / time.Millisecond)

// dataset is what TestRestartKeepsData writes and checks.
type dataset struct {
	plain, withTTL map[string]string
	vgets          map[string]any // key → VGET reply (context and siblings)
}

func writeDataset(t *testing.T, c *redis.Client, keys, siblingKeys int) dataset {
	t.Helper()
	ctx := context.Background()
	d := dataset{plain: map[string]string{}, withTTL: map[string]string{}, vgets: map[string]any{}}
	for start := 0; start < keys; start += 1000 {
		pipe := c.Pipeline()
		for i := start; i < min(start+1000, keys); i++ {
			k, v := fmt.Sprintf("d:%05d", i), fmt.Sprintf("value-%d-%s", i, "ü\x00\xff")
			if i%3 == 0 {
				d.withTTL[k] = v
				pipe.Set(ctx, k, v, time.Hour)
			} else {
				d.plain[k] = v
				pipe.Set(ctx, k, v, 0)
			}
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatalf("writing keys: %v", err)
		}
	}
	for i := range siblingKeys {
		k := fmt.Sprintf("dv:%03d", i)
		for _, v := range []string{"left", "right"} {
			if err := c.Do(ctx, "VSET", k, v).Err(); err != nil {
				t.Fatalf("VSET %s: %v", k, err)
			}
		}
		d.vgets[k] = vgetReply(t, c, k)
		if vals := d.vgets[k].([]any)[1].([]any); len(vals) != 2 {
			t.Fatalf("VGET %s: %#v, want two siblings", k, d.vgets[k])
		}
	}
	return d
}

func vgetReply(t *testing.T, c *redis.Client, key string) any {
	t.Helper()
	v, err := c.Do(context.Background(), "VGET", key).Result()
	if err != nil {
		t.Fatalf("VGET %s: %v", key, err)
	}
	return v
}

// checkDataset compares the node's state with d: values, TTLs (~1h), and
// VGET replies byte for byte (same siblings, same contexts).
func checkDataset(t *testing.T, c *redis.Client, d dataset) {
	t.Helper()
	ctx := context.Background()
	type want struct {
		key, val string
		ttl      bool
	}
	var all []want
	for k, v := range d.plain {
		all = append(all, want{k, v, false})
	}
	for k, v := range d.withTTL {
		all = append(all, want{k, v, true})
	}
	bad := 0
	for start := 0; start < len(all); start += 1000 {
		batch := all[start:min(start+1000, len(all))]
		pipe := c.Pipeline()
		gets, ttls := make([]*redis.StringCmd, len(batch)), make([]*redis.Cmd, len(batch))
		for i, w := range batch {
			gets[i] = pipe.Get(ctx, w.key)
			ttls[i] = pipe.Do(ctx, "PTTL", w.key)
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			t.Fatalf("reading keys back: %v", err)
		}
		for i, w := range batch {
			got, err := gets[i].Result()
			ttl, _ := ttls[i].Int64()
			ttlOK := ttl == -1
			if w.ttl {
				ttlOK = ttl > hour-5*60*1000 && ttl <= hour
			}
			if (err != nil || got != w.val || !ttlOK) && bad < 10 {
				bad++
				t.Errorf("%s after restart: %q, %v, PTTL %d; want %q (TTL ~1h: %v)", w.key, got, err, ttl, w.val, w.ttl)
			}
		}
	}
	for k, w := range d.vgets {
		if got := vgetReply(t, c, k); !reflect.DeepEqual(got, w) {
			t.Errorf("VGET %s after restart:\n got %#v\nwant %#v", k, got, w)
		}
	}
	n := int64(len(d.plain) + len(d.withTTL) + len(d.vgets))
	if got, err := c.DBSize(ctx).Result(); err != nil || got != n {
		t.Errorf("DBSIZE after restart = %d, %v; want %d", got, err, n)
	}
}

// TestRestartKeepsData: SIGTERM stops the node with exit code 0, and a
// restart on the same dir finds every key, TTL and sibling set.
func TestRestartKeepsData(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	d := writeDataset(t, n.Client(t, 2), 10000, 100)
	if code := n.Stop(t); code != 0 {
		t.Fatalf("SIGTERM: exit code %d, want 0\n%s", code, n.LogTail(20))
	}
	n.Restart(t)
	checkDataset(t, n.Client(t, 3), d)
}

// TestShutdownCommand: SHUTDOWN closes the connection without a reply
// (as Redis does), the process exits 0, and the data is there after a
// restart.
func TestShutdownCommand(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	d := writeDataset(t, n.Client(t, 2), 300, 5)
	c := DialRESP(t, n.Addr())
	c.Send("SHUTDOWN")
	if got, closed := c.ReadUntilClose(stopTimeout); !closed || got != "" {
		t.Errorf("SHUTDOWN: got %q, closed %v; want no reply and a closed connection", got, closed)
	}
	if code := n.WaitExit(t, stopTimeout); code != 0 {
		t.Fatalf("after SHUTDOWN: exit code %d, want 0\n%s", code, n.LogTail(20))
	}
	n.Restart(t)
	checkDataset(t, n.Client(t, 2), d)
}

// writer writes keys sequentially and remembers which were acknowledged.
type writer struct {
	prefix string
	acked  atomic.Int64 // keys prefix:0 .. prefix:acked-1 were acknowledged
}

func (w *writer) key(i int64) string   { return fmt.Sprintf("%s:%d", w.prefix, i) }
func (w *writer) value(i int64) string { return fmt.Sprintf("v%d-%s", i, w.prefix) }

// run writes until a write fails, stop is closed, or a million writes.
func (w *writer) run(c *redis.Client, stop <-chan struct{}) error {
	ctx := context.Background()
	for i := int64(0); i < 1e6; i++ {
		select {
		case <-stop:
			return nil
		default:
		}
		if err := c.Set(ctx, w.key(i), w.value(i), 0).Err(); err != nil {
			return err
		}
		w.acked.Store(i + 1)
	}
	return nil
}

// startWriters starts k writers, each with its own single-connection client.
func startWriters(t *testing.T, n *Node, k int, stop <-chan struct{}) ([]*writer, *sync.WaitGroup) {
	ws := make([]*writer, k)
	var wg sync.WaitGroup
	for i := range ws {
		w := &writer{prefix: fmt.Sprintf("w%d", i)}
		c := redis.NewClient(&redis.Options{Addr: n.Addr(), MaxRetries: -1, PoolSize: 1,
			DialTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
		t.Cleanup(func() { _ = c.Close() })
		ws[i] = w
		wg.Add(1)
		go func() { defer wg.Done(); _ = w.run(c, stop) }()
	}
	return ws, &wg
}

// waitAcked waits until the writers together have at least target
// acknowledged writes, or until d has passed.
func waitAcked(ws []*writer, target int64, d time.Duration) int64 {
	deadline := time.Now().Add(d)
	for {
		var sum int64
		for _, w := range ws {
			sum += w.acked.Load()
		}
		if sum >= target || time.Now().After(deadline) {
			return sum
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitGroup waits for wg with a bound.
func waitGroup(t *testing.T, wg *sync.WaitGroup, d time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not stop within %v", what, d)
	}
}

// checkAcked checks that every acknowledged write survived.
func checkAcked(t *testing.T, c *redis.Client, ws []*writer) {
	t.Helper()
	ctx := context.Background()
	for _, w := range ws {
		n := w.acked.Load()
		lost := 0
		for start := int64(0); start < n; start += 1000 {
			var keys []string
			for i := start; i < min(start+1000, n); i++ {
				keys = append(keys, w.key(i))
			}
			vals, err := c.MGet(ctx, keys...).Result()
			if err != nil {
				t.Fatalf("MGET: %v", err)
			}
			for j, v := range vals {
				if want := w.value(start + int64(j)); v != want {
					if lost++; lost <= 5 {
						t.Errorf("acknowledged %s = %q is lost (got %#v)", keys[j], want, v)
					}
				}
			}
		}
		if lost > 0 {
			t.Errorf("writer %s: %d of %d acknowledged writes lost", w.prefix, lost, n)
		}
	}
}

// TestKill9KeepsAcknowledgedWrites: kill -9 in the middle of a write load
// loses no acknowledged write. With appendfsync always that holds even
// for a machine crash; with everysec (as with Redis's AOF, written before
// the reply and fsynced later) it must hold for a process crash.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	t.Parallel()
	for _, fsync := range []string{"always", "everysec"} {
		t.Run(fsync, func(t *testing.T) {
			t.Parallel()
			n := StartNode(t, NodeOptions{Args: []string{"--appendfsync", fsync}})
			stop := make(chan struct{})
			defer close(stop)
			ws, wg := startWriters(t, n, 4, stop)
			acked := waitAcked(ws, 4000, 2*time.Second)
			n.Kill(t)
			waitGroup(t, wg, 30*time.Second, "writers")
			if acked == 0 {
				t.Fatalf("no write was acknowledged before the kill\n%s", n.LogTail(20))
			}
			n.Restart(t)
			checkAcked(t, n.Client(t, 2), ws)
			t.Logf("%d writes acknowledged before kill -9", sumAcked(ws))
		})
	}
}

func sumAcked(ws []*writer) int64 {
	var s int64
	for _, w := range ws {
		s += w.acked.Load()
	}
	return s
}

// TestGracefulStop: SIGINT with clients connected, idle and busy, makes the
// node exit 0 within the stop bound; it closes the clients, and every
// acknowledged write is there after a restart (default appendfsync).
func TestGracefulStop(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	var idle []*RESPConn
	for range 3 {
		c := DialRESP(t, n.Addr())
		if r := c.Do("PING"); r.Raw != "+PONG\r\n" {
			t.Fatalf("PING: %v", r)
		}
		idle = append(idle, c)
	}
	half := DialRESP(t, n.Addr())
	half.SendRaw("*3\r\n$3\r\nSET\r\n$1\r\nh\r\n") // a command cut in the middle
	stop := make(chan struct{})
	defer close(stop)
	ws, wg := startWriters(t, n, 3, stop)
	waitAcked(ws, 1000, 2*time.Second)

	n.Signal(t, syscall.SIGINT)
	if code := n.WaitExit(t, stopTimeout); code != 0 {
		t.Fatalf("SIGINT: exit code %d, want 0\n%s", code, n.LogTail(20))
	}
	waitGroup(t, wg, 30*time.Second, "writers")
	for i, c := range append(idle, half) {
		if _, closed := c.ReadUntilClose(5 * time.Second); !closed {
			t.Errorf("client %d still open after the node exited", i)
		}
	}
	n.Restart(t)
	checkAcked(t, n.Client(t, 2), ws)
}
