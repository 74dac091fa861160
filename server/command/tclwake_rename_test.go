package command

import (
	"context"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// A list or sorted set RENAMEd or COPYed onto a key that BLPOP or
// BZPOPMIN waits on serves the waiter, as Redis's dbAdd signals the key
// ready (Redis's list suite: "BLPOP when new key is moved into place").
func TestRenameCopyWakeBlocked(t *testing.T) {
	f := newFixture(t)
	for i, c := range []struct{ block, fill, move []string }{
		{[]string{"BLPOP", "foo", "0"}, []string{"RPUSH", "bob", "abc"}, []string{"RENAME", "bob", "foo"}},
		{[]string{"BZPOPMIN", "zfoo", "0"}, []string{"ZADD", "zbob", "1", "abc"}, []string{"COPY", "zbob", "zfoo"}},
	} {
		s := f.d.NewSession(uint64(30+i), "127.0.0.1:5001", "127.0.0.1:6379")
		args := make([][]byte, len(c.block))
		for j, a := range c.block {
			args[j] = []byte(a)
		}
		done := make(chan resp.Reply, 1)
		go func() { done <- f.d.Do(context.Background(), s, args) }()
		waitBlocked(t, f, 1)
		f.do(c.fill...)
		f.do(c.move...)
		select {
		case r := <-done:
			if len(r.Elems) < 2 || string(r.Elems[1].Bytes) != "abc" {
				t.Fatalf("%s = %v after %s", c.block[0], r, c.move[0])
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("%s not woken by %s", c.block[0], c.move[0])
		}
	}
}
