package command

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// gateKV is a memKV whose element walks, while armed, wait (up to a
// second) until two are inside at once, and record the most inside.
type gateKV struct {
	*memKV
	armed         atomic.Bool
	inside, most  atomic.Int32
	both          chan struct{}
	closeBothOnce sync.Once
}

func (k *gateKV) Elements(ctx context.Context, prefix, after []byte, o replica.ReadOptions, fn func([]byte, version.Set) bool) error {
	if k.armed.Load() {
		n := k.inside.Add(1)
		defer k.inside.Add(-1)
		for m := k.most.Load(); n > m && !k.most.CompareAndSwap(m, n); m = k.most.Load() {
		}
		if n >= 2 {
			k.closeBothOnce.Do(func() { close(k.both) })
		}
		select {
		case <-k.both:
		case <-time.After(time.Second):
		}
	}
	return k.memKV.Elements(ctx, prefix, after, o, fn)
}

// TestCollectionReadsShareTheLock: two reads of one list (LRANGE) or
// sorted set (ZRANGE) on two connections run at once; before, each
// took the collection's lock exclusively and the second waited for the
// first (so a hot key's reads used one core).
func TestCollectionReadsShareTheLock(t *testing.T) {
	for _, c := range []struct{ fill, read string }{
		{"RPUSH k a b c", "LRANGE k 0 -1"},
		{"ZADD k 1 a 2 b 3 c", "ZRANGE k 0 -1"},
	} {
		t.Run(c.read, func(t *testing.T) {
			f := newFixture(t)
			kv := &gateKV{memKV: f.kv, both: make(chan struct{})}
			f.d = New(&Env{KV: kv, Settings: f.env.Settings, Clock: f.env.Clock})
			f.s = f.d.NewSession(7, "127.0.0.1:5000", "127.0.0.1:6379")
			f.line(c.fill)
			if c.read[0] == 'Z' {
				f.d.zCache().drop([]byte("k")) // so each read walks
			} else {
				f.d.listCache().drop([]byte("k"))
			}
			kv.armed.Store(true)
			var wg sync.WaitGroup
			replies := make([]resp.Reply, 2)
			for i := range 2 {
				s := f.d.NewSession(uint64(10+i), fmt.Sprintf("127.0.0.1:%d", 6000+i), "127.0.0.1:6379")
				wg.Go(func() {
					words, _ := splitArgs(c.read)
					args := make([][]byte, len(words))
					for j, w := range words {
						args[j] = []byte(w)
					}
					replies[i] = f.d.Do(context.Background(), s, args)
				})
			}
			wg.Wait()
			for _, r := range replies {
				if len(r.Elems) != 3 {
					t.Fatalf("%s = %s", c.read, r)
				}
			}
			if m := kv.most.Load(); m < 2 {
				t.Errorf("%s on two connections: at most %d walked at once, want 2", c.read, m)
			}
		})
	}
}

// TestCollectionReadsBesideWrites: reads sharing the lock run beside
// writes to the same list and sorted set on other connections (under
// -race: the cached facts and views are only read by readers), and
// each read sees a whole number of writes.
func TestCollectionReadsBesideWrites(t *testing.T) {
	f := newFixture(t)
	const writes = 200
	var wg sync.WaitGroup
	do := func(s *Session, words ...string) resp.Reply {
		args := make([][]byte, len(words))
		for j, w := range words {
			args[j] = []byte(w)
		}
		return f.d.Do(context.Background(), s, args)
	}
	for w := range 2 {
		s := f.d.NewSession(uint64(20+w), fmt.Sprintf("127.0.0.1:%d", 6100+w), "127.0.0.1:6379")
		wg.Go(func() {
			for i := range writes {
				do(s, "RPUSH", "l", "x", "y")
				do(s, "ZADD", "z", fmt.Sprint(i), fmt.Sprintf("m%d-%d", w, i))
			}
		})
	}
	var bad atomic.Value
	for r := range 2 {
		s := f.d.NewSession(uint64(30+r), fmt.Sprintf("127.0.0.1:%d", 6200+r), "127.0.0.1:6379")
		wg.Go(func() {
			for range writes {
				if rep := do(s, "LRANGE", "l", "0", "-1"); len(rep.Elems)%2 != 0 {
					bad.Store(fmt.Sprintf("LRANGE = %d elements: half a push", len(rep.Elems)))
				}
				n := do(s, "LLEN", "l").Int
				if rep := do(s, "ZRANGE", "z", "0", "-1"); int64(len(rep.Elems)) > do(s, "ZCARD", "z").Int {
					bad.Store("ZRANGE longer than a later ZCARD")
				}
				if n%2 != 0 {
					bad.Store(fmt.Sprintf("LLEN = %d", n))
				}
			}
		})
	}
	wg.Wait()
	if b := bad.Load(); b != nil {
		t.Fatal(b)
	}
	if n := do(f.s, "LLEN", "l").Int; n != 4*writes {
		t.Fatalf("LLEN = %d, want %d", n, 4*writes)
	}
	if n := do(f.s, "ZCARD", "z").Int; n != 2*writes {
		t.Fatalf("ZCARD = %d, want %d", n, 2*writes)
	}
}
